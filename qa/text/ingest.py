"""Article text (seed format, plain text, Markdown, JSON, JSONL) -> Document -> Passages."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from qa.errors import InvalidRequest
from qa.records import DOCUMENT_ID_PATTERN, Document, Passage, Section
from qa.text.clean import clean_text
from qa.text.language import detect_language
from qa.text.sentences import split_sentences

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 5_000_000
MAX_HEADING_CHARS = 120
MAX_TITLE_CHARS = 300
MAX_SOURCE_CHARS = 300
MAX_RECORDS = 10_000
MAX_PASSAGE_WORDS = 160
MIN_PASSAGE_WORDS = 8
# No passage is longer than this, whatever its words: a paragraph without spaces or sentence marks
# would otherwise become one passage of any size. Sentence splitting (pysbd, quadratic in its input)
# never sees more than SEGMENT_CHARS at once.
MAX_PASSAGE_CHARS = 2_000
SEGMENT_CHARS = 2_000
ARTICLE_SUFFIXES = (".txt", ".md")
RECORD_SUFFIXES = (".json", ".jsonl")

_DATE_LINE = re.compile(r"^\s*date\s+(\S+)[ \t]*(.*)$", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_FINAL_PUNCTUATION = tuple(".!?:;,…\"“”»«'")


def parse_date(value: object, where: str = "date") -> str | None:
    """Accept an ISO date (YYYY-MM-DD) or nothing; anything else is the user's mistake."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{where} must be a string YYYY-MM-DD, got {type(value).__name__}")
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InvalidRequest(f"{where} {value!r} is not a date of the form YYYY-MM-DD") from None


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


def _shortened(text: str, limit: int) -> str:
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
    return _shortened(first[spans[0][0] : spans[0][1]].rstrip(".!? "), 100)


def _content_id(date: str | None, sections: Iterable[Section]) -> str:
    digest = hashlib.sha256((date or "").encode())
    for section in sections:
        digest.update(b"\x00" + section.heading.encode() + b"\x01" + section.text.encode())
    return digest.hexdigest()[:16]


def parse_article(
    text: str,
    *,
    source: str = "",
    doc_id: str | None = None,
    title: str | None = None,
    date: str | None = None,
) -> Document:
    """Parse one article: optional `date YYYY-MM-DD <teaser>` first line, paragraphs between blank lines,
    short unpunctuated lines (or Markdown `#` lines) as subheadings."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest("the article text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidRequest(f"the article text is longer than {MAX_TEXT_CHARS:,} characters")
    if doc_id is not None and not DOCUMENT_ID_PATTERN.fullmatch(doc_id):
        raise InvalidRequest("id must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit")
    if title is not None and len(title) > MAX_TITLE_CHARS:
        raise InvalidRequest(f"the title is longer than {MAX_TITLE_CHARS} characters")
    if len(source) > MAX_SOURCE_CHARS:
        raise InvalidRequest(f"the source is longer than {MAX_SOURCE_CHARS} characters")
    text, source = clean_text(text), clean_text(source)
    title = clean_text(title) if title is not None else None
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").strip()
    if not text:
        raise InvalidRequest("the article text is empty")
    first_line, _, rest = text.partition("\n")
    match = _DATE_LINE.match(first_line)
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
            label = last_label = _shortened(markdown[1] if markdown else block, MAX_HEADING_CHARS)
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
    title = (title or "").strip() or _title_from(sections[0].text)
    return Document(
        id=doc_id or _content_id(date, sections),
        title=title,
        date=date,
        source=source,
        sections=tuple(sections),
    )


def parse_record(record: object, where: str = "record") -> Document:
    """A JSON record {"id"?, "title"?, "date"?, "text", "source"?} -> Document."""
    if not isinstance(record, dict):
        raise InvalidRequest(f"{where} must be a JSON object")
    unknown = set(record) - {"id", "title", "date", "text", "source"}
    if unknown:
        raise InvalidRequest(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
    for name in ("id", "title", "text", "source"):
        if record.get(name) is not None and not isinstance(record[name], str):
            raise InvalidRequest(f"{where}: {name} must be a string")
    if not (record.get("text") or "").strip():
        raise InvalidRequest(f"{where}: text is missing or empty")
    try:
        return parse_article(
            record["text"],
            source=record.get("source") or "",
            doc_id=record.get("id") or None,
            title=record.get("title") or None,
            date=parse_date(record.get("date"), f"{where}: date"),
        )
    except InvalidRequest as error:
        if error.message.startswith(where):
            raise
        raise InvalidRequest(f"{where}: {error.message}") from None


def _too_many(count: int, max_records: int) -> InvalidRequest:
    return InvalidRequest(f"at most {max_records:,} records per request, got more than that ({count:,} so far)")


def _loads(text: str) -> object:
    """json.loads whose every failure is the sender's: deep nesting too (RecursionError)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text[:0], 0) from None


def parse_jsonl(text: str, source: str = "", max_records: int = MAX_RECORDS) -> list[Document]:
    """One record per line; a malformed line is named by its number. The records are counted before
    any is parsed, so an over-long feed is refused at once."""
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) > max_records:
        raise _too_many(len(lines), max_records)
    documents = []
    for number, line in lines:
        try:
            record = _loads(line)
        except json.JSONDecodeError as error:
            raise InvalidRequest(f"line {number} is not valid JSON: {error.msg}") from None
        if isinstance(record, dict) and not record.get("source"):
            record = {**record, "source": source}
        documents.append(parse_record(record, f"line {number}"))
    if not documents:
        raise InvalidRequest("the JSONL input holds no record")
    return documents


def parse_json(text: str, source: str = "", max_records: int = MAX_RECORDS) -> list[Document]:
    try:
        payload = _loads(text)
    except json.JSONDecodeError as error:
        raise InvalidRequest(f"not valid JSON: {error.msg} (line {error.lineno})") from None
    records = payload if isinstance(payload, list) else [payload]
    if len(records) > max_records:
        raise _too_many(len(records), max_records)
    documents = []
    for number, record in enumerate(records, start=1):
        if isinstance(record, dict) and not record.get("source"):
            record = {**record, "source": source}
        documents.append(parse_record(record, f"record {number}"))
    return documents


def read_file(path: Path) -> list[Document]:
    """Documents of one file, by its suffix."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise InvalidRequest(f"cannot read {path}: {error.strerror}") from None
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return parse_jsonl(text, source=path.name)
    if suffix == ".json":
        return parse_json(text, source=path.name)
    return [parse_article(text, source=path.name)]


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their article files (sorted, READMEs skipped); a missing path is an error."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in ARTICLE_SUFFIXES + RECORD_SUFFIXES
                    and not child.name.upper().startswith("README")
                ):
                    files.append(child)
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidRequest(f"no such file or folder: {path}")
    return files


def read_documents(paths: Iterable[str | Path]) -> Iterator[Document]:
    for path in collect_files(paths):
        yield from read_file(path)


def _word_count(text: str) -> int:
    return len(text.split())


def _windows(text: str, size: int) -> list[str]:
    """`text` in pieces of at most `size` characters, each cut after the last sentence mark or space
    in its second half (hard, when there is none): linear, and no piece is ever longer."""
    pieces = []
    start = 0
    while len(text) - start > size:
        limit = start + size
        cut = max(text.rfind(mark, start + size // 2, limit) for mark in (". ", "! ", "? ", "… "))
        cut = cut + 1 if cut != -1 else text.rfind(" ", start + size // 2, limit)
        if cut <= start:
            cut = limit
        pieces.append(text[start:cut].strip())
        start = cut
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _chunks(text: str, language: str, max_words: int, max_chars: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Cut an over-long paragraph at sentence boundaries into pieces of at most `max_words` words and
    `max_chars` characters; a sentence longer than that is cut at spaces."""
    if _word_count(text) <= max_words and len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    words = chars = 0
    for window in _windows(text, SEGMENT_CHARS):
        for start, end in split_sentences(window, language):
            for sentence in _windows(window[start:end], max_chars):
                count = _word_count(sentence)
                if current and (words + count > max_words or chars + len(sentence) + 1 > max_chars):
                    pieces.append(" ".join(current))
                    current, words, chars = [], 0, 0
                current.append(sentence)
                words += count
                chars += len(sentence) + 1
    if current:
        pieces.append(" ".join(current))
    return pieces


def split_passages(
    document: Document, max_words: int = MAX_PASSAGE_WORDS, min_words: int = MIN_PASSAGE_WORDS
) -> list[Passage]:
    """Each paragraph becomes a passage; long ones are cut, tiny ones join the neighbour under the same heading."""
    language = detect_language(" ".join(section.text for section in document.sections)[:2000])
    pieces: list[tuple[str, str]] = []
    for section in document.sections:
        for chunk in _chunks(section.text, language, max_words):
            previous = pieces[-1] if pieces else None
            if (
                previous
                and previous[0] == section.heading
                and (_word_count(chunk) < min_words or _word_count(previous[1]) < min_words)
                and _word_count(previous[1]) + _word_count(chunk) <= max_words
                and len(previous[1]) + len(chunk) < MAX_PASSAGE_CHARS
            ):
                pieces[-1] = (previous[0], f"{previous[1]} {chunk}")
            else:
                pieces.append((section.heading, chunk))
    return [
        Passage(
            document_id=document.id,
            position=position,
            heading=heading,
            text=text,
            language=language,
            sentences=split_sentences(text, language),
            context=document.title if position else "",
        )
        for position, (heading, text) in enumerate(pieces)
    ]
