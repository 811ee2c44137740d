"""One article's text (seed format, plain text, Markdown) and its metadata -> Document."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from qa.errors import InvalidRequest
from qa.records import DOCUMENT_ID_PATTERN, Document, Section
from qa.text.clean import clean_text
from qa.text.dates import parse_date
from qa.text.language import detect_language
from qa.text.passages import SEGMENT_CHARS
from qa.text.sentences import split_sentences

MAX_TEXT_CHARS = 5_000_000
MAX_HEADING_CHARS = 120
MAX_TITLE_CHARS = 300
MAX_SOURCE_CHARS = 300
MAX_URL_CHARS = 2_000

_DATE_LINE = re.compile(r"^\s*date\s+(\S+)[ \t]*(.*)$", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_FINAL_PUNCTUATION = tuple(".!?:;,…\"“”»«'")
# Only web addresses: the page turns a url into a link, and `javascript:` there would run code.
# An http(s) address: no blank, control character or character a URL must escape after the scheme. The
# API's spec says the same (qa.web.schemas uses URL_PATTERN), so what it allows is what is stored.
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s<>\"'\\^`{|}\x00-\x1f\x7f-\x9f]+$"
_URL = re.compile(URL_PATTERN)


@dataclass(frozen=True, slots=True)
class Metadata:
    """What is known about an article besides its text; None: not given here.

    The same record carries a flag of `qa add`, a query parameter of the API, a file's front matter
    or a feed item's fields; `over` lays one over another (the first given wins)."""

    id: str | None = None
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None

    def over(self, other: Metadata) -> Metadata:
        """These fields where given, `other`'s elsewhere."""
        # field by field, not dataclasses.astuple: that deep-copies and was a fifth of a record's parse
        return Metadata(
            self.id if self.id is not None else other.id,
            self.title if self.title is not None else other.title,
            self.date if self.date is not None else other.date,
            self.source if self.source is not None else other.source,
            self.url if self.url is not None else other.url,
        )


def check_url(value: object, where: str = "url") -> str | None:
    """An http(s) address, or None for nothing; anything else is refused (InvalidRequest)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_URL_CHARS or not _URL.fullmatch(value.strip()):
        raise InvalidRequest(f"{where} must be an http:// or https:// address of at most {MAX_URL_CHARS} characters")
    return value.strip()


def web_url(value: object) -> str | None:
    """An http(s) address found in a page or feed, or None when it is none (relative, another scheme)."""
    try:
        return check_url(value)
    except InvalidRequest:
        return None


def _is_subheading(block: str) -> bool:
    return (
        "\n" not in block
        and len(block) <= MAX_HEADING_CHARS
        and not block.endswith(_FINAL_PUNCTUATION)
        and len(block.split()) <= 15
    )


def _markdown_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line ("## Text ##"), or None.

    String operations, not a regular expression: `\\s+(.*?)\\s*#*\\s*$` backtracks quadratically on a
    heading of many blanks, and article text comes from anyone with a write key.
    """
    level = len(line) - len(line.lstrip("#"))
    rest = line[level:]
    if not 1 <= level <= 6 or not rest[:1].isspace():
        return None
    text = rest.strip()
    unclosed = text.rstrip("#")
    if unclosed != text and (not unclosed or unclosed[-1].isspace()):
        text = unclosed.rstrip()
    return level, text


def shortened(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with " …" when it was cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 2]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + " …"


def _title_from(text: str) -> str:
    """A title from a teaser: its first sentence, cut at a word boundary."""
    first = text.strip()[:SEGMENT_CHARS]
    spans = split_sentences(first, detect_language(first))
    return shortened(first[spans[0][0] : spans[0][1]].rstrip(".!? "), 100)


def _content_id(date: str | None, sections: Iterable[Section]) -> str:
    digest = hashlib.sha256((date or "").encode())
    for section in sections:
        digest.update(b"\x00" + section.heading.encode() + b"\x01" + section.text.encode())
    return digest.hexdigest()[:16]


def _checked_fields(doc_id: str | None, title: str | None, source: str) -> None:
    if doc_id is not None and not DOCUMENT_ID_PATTERN.fullmatch(doc_id):
        raise InvalidRequest("id must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit")
    if title is not None and len(title) > MAX_TITLE_CHARS:
        raise InvalidRequest(f"the title is longer than {MAX_TITLE_CHARS} characters")
    if len(source) > MAX_SOURCE_CHARS:
        raise InvalidRequest(f"the source is longer than {MAX_SOURCE_CHARS} characters")


def parse_article(
    text: str,
    *,
    source: str = "",
    doc_id: str | None = None,
    title: str | None = None,
    date: str | None = None,
    url: str | None = None,
    date_line: bool = True,
) -> Document:
    """Parse one article: optional `date YYYY-MM-DD <teaser>` first line (read only with `date_line`;
    text taken from HTML never has one), paragraphs between blank lines, short unpunctuated lines (or
    Markdown `#` lines) as subheadings."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest("the article text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidRequest(f"the article text is longer than {MAX_TEXT_CHARS:,} characters")
    _checked_fields(doc_id, title, source)
    text, source = clean_text(text), clean_text(source).strip()
    title = clean_text(title) if title is not None else None
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").strip()
    if not text:
        raise InvalidRequest("the article text is empty")
    first_line, _, rest = text.partition("\n")
    match = _DATE_LINE.match(first_line) if date_line else None
    if match:
        date = date or parse_date(match.group(1), "the date line")
        text = (match.group(2) + "\n\n" + rest).strip()

    sections: list[Section] = []
    heading = last_label = ""
    for raw in _BLANK_LINES.split(text):
        block = raw.strip()
        if not block:
            continue
        markdown = _markdown_heading(block) if "\n" not in block else None
        if markdown or _is_subheading(block):
            label = last_label = shortened(markdown[1] if markdown else block, MAX_HEADING_CHARS)
            if title is None and not sections and (not markdown or markdown[0] == 1):
                title = label
            else:
                heading = label
            continue
        sections.append(Section(heading=heading, text=" ".join(block.split())))
    if not sections and last_label:
        sections.append(Section(heading="", text=last_label))  # a text of one short line is its own paragraph
    if not sections:
        raise InvalidRequest("the article has no paragraph, only headings")
    title = " ".join((title or "").split()) or _title_from(sections[0].text)
    return Document(
        id=doc_id or _content_id(date, sections),
        title=title,
        date=date,
        source=source,
        sections=tuple(sections),
        url=check_url(url),
    )


def parse_with(text: str, meta: Metadata, fallback_id: str | None = None, date_line: bool = True) -> Document:
    """`parse_article` with the fields of `meta`; without an id there, `fallback_id` (a file's path),
    else a hash of the content."""
    return parse_article(
        text,
        source=meta.source or "",
        doc_id=meta.id or fallback_id,
        title=meta.title,
        date=meta.date,
        url=meta.url,
        date_line=date_line,
    )


NO_METADATA = Metadata()  # nothing given: the default of every reader (a frozen record, safe to share)
