"""Which reader reads what: article files and bodies, by suffix, media type and a look at the content.

The CLI (`qa add`, `qa index`) and the API both come here, so the same file gives the same documents
either way. Kinds: "article" (.txt, .md: the seed format, plain text, Markdown, with optional YAML
front matter), "html" (a news page), "feed" (RSS, Atom), "json", "jsonl", "csv" (record exports).
A .txt or text/plain that is really a page or a feed is read as one (it used to be stored with its
`<!doctype ...>` as title). A file's id: its metadata's (front matter, record, feed guid), else its
path relative to the folder given (so an edited file replaces its earlier version), else its content.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

from qa.errors import InvalidRequest, UnsupportedMediaType
from qa.records import DOCUMENT_ID_PATTERN, Document
from qa.text.article import (  # noqa: F401 (re-exported: the product's one entrance to article parsing)
    MAX_SOURCE_CHARS,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    NO_METADATA,
    Metadata,
    check_url,
    parse_article,
    parse_with,
)
from qa.text.dates import parse_date  # noqa: F401
from qa.text.exports import MAX_RECORDS, OnBad, iter_csv, iter_jsonl, parse_json, parse_jsonl, parse_record  # noqa: F401
from qa.text.feeds import iter_feed
from qa.text.frontmatter import split_front_matter
from qa.text.html import parse_page
from qa.text.passages import MAX_PASSAGE_CHARS, MAX_PASSAGE_WORDS, MIN_PASSAGE_WORDS, split_passages  # noqa: F401

logger = logging.getLogger(__name__)

SUFFIX_KINDS = {
    ".txt": "article",
    ".md": "article",
    ".markdown": "article",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}
MEDIA_KINDS = {
    "text/plain": "article",
    "text/markdown": "article",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
    "text/csv": "csv",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl",
}
SINGLE_KINDS = ("article", "html")  # a file of one article: --id, --title and --url may name it
READ_SUFFIXES = ", ".join(SUFFIX_KINDS)
_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_FEED_START = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE | re.DOTALL
)
_XML_START = re.compile(r"\s*<\?xml", re.IGNORECASE)
_SNIFF_CHARS = 4096
Note = Callable[[str], None]


def sniffed(kind: str, head: str) -> str:
    """The kind a text really is: an "article" that begins like a page or a feed is read as one."""
    if kind != "article":
        return kind
    head = head[:_SNIFF_CHARS].lstrip("\ufeff")
    if _FEED_START.match(head):
        return "feed"
    if _HTML_START.match(head):
        return "html"
    if _XML_START.match(head):
        raise UnsupportedMediaType("the text is XML but not an RSS or Atom feed")
    return kind


def kind_of_name(name: str) -> str:
    """The kind of a file by its suffix; a suffix nobody reads is refused (415 in the API)."""
    kind = SUFFIX_KINDS.get(PurePath(name).suffix.lower())
    if kind is None:
        raise UnsupportedMediaType(f"{PurePath(name).name}: not a format qa reads ({READ_SUFFIXES})")
    return kind


def path_id(relative: PurePath | str) -> str:
    """A document id from a file's path relative to the folder given: stable across edits."""
    text = PurePath(relative).as_posix()
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text.replace("/", "--")).lstrip("._-")
    if DOCUMENT_ID_PATTERN.fullmatch(slug):
        return slug
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{slug[:111]}-{digest}" if slug else digest


def _one_article(kind: str, meta: Metadata, what: str) -> None:
    if kind not in SINGLE_KINDS and (meta.id or meta.title or meta.url):
        raise InvalidRequest(f"{what} holds records or feed items: id, title and url name one article")


def read_text(
    text: str,
    kind: str,
    meta: Metadata = NO_METADATA,
    fallback_id: str | None = None,
    *,
    max_records: int | None = None,
    on_bad: OnBad | None = None,
    on_note: Note | None = None,
    what: str = "the input",
) -> Iterator[Document]:
    """The documents of one text of `kind` (see `sniffed`), `meta` winning over what the text says.

    `fallback_id` is the id of a one-article text without an id of its own (a file's path id)."""
    kind = sniffed(kind, text)
    _one_article(kind, meta, what)
    if kind == "article":
        own, body = split_front_matter(text)
        yield parse_with(body, meta.over(own), fallback_id)
    elif kind == "html":
        yield parse_page(text, meta, fallback_id)
    elif kind == "feed":
        documents = iter_feed(text.encode("utf-8"), meta, on_note)
        for count, document in enumerate(documents, start=1):
            if max_records is not None and count > max_records:
                raise InvalidRequest(f"at most {max_records:,} records per request: the feed holds more")
            yield document
    elif kind in ("jsonl", "csv"):
        lines = text.splitlines(keepends=kind == "csv")
        if max_records is not None:
            # counted before any is parsed: an over-long request is refused at once, not after parsing
            # its first 10,000 records (which held the interpreter while /healthz waited)
            records = sum(1 for line in lines if line.strip()) - (kind == "csv")
            if records > max_records:
                raise InvalidRequest(f"at most {max_records:,} records per request, got {records:,}")
        reader = iter_jsonl if kind == "jsonl" else iter_csv
        yield from reader(lines, meta, on_bad, max_records)
    elif kind == "json":
        yield from (_overlaid(d, meta) for d in parse_json(text, "", max_records, on_bad))
    else:
        raise ValueError(f"unknown kind {kind!r}")


def _overlaid(document: Document, meta: Metadata) -> Document:
    if meta.source is None and meta.date is None:
        return document
    from dataclasses import replace

    return replace(document, source=meta.source or document.source, date=meta.date or document.date)


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """A file to read and its id when it holds one article without an id of its own."""

    path: Path
    path_id: str


def collect(paths: Iterable[str | Path], on_skip: Note | None = None) -> list[ArticleFile]:
    """Files to read: folders expanded (sorted; READMEs and files of no known format skipped, each
    reported to `on_skip` with its reason); a file given by name must be of a known format.

    Raises:
        InvalidRequest: a path that does not exist.
        UnsupportedMediaType: a file given by name that no reader reads.
    """
    files: list[ArticleFile] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if not child.is_file():
                    continue
                if child.name.upper().startswith("README"):
                    continue
                if child.suffix.lower() not in SUFFIX_KINDS:
                    if on_skip:
                        on_skip(f"skipped {child}: not a format qa reads ({READ_SUFFIXES})")
                    continue
                files.append(ArticleFile(child, path_id(child.relative_to(path))))
        elif path.is_file():
            kind_of_name(path.name)
            files.append(ArticleFile(path, path_id(path.name)))
        else:
            raise InvalidRequest(f"no such file or folder: {path}")
    return files


def estimated_articles(paths: Iterable[str | Path]) -> int:
    """About how many articles `paths` hold, by a scan of their bytes instead of a parse (a progress
    bar's total; a build's first pass that parsed everything was half of its reading time): records
    count as lines, a feed's items by their tags, any other file as one article."""
    total = 0
    for file in collect(paths):
        kind = SUFFIX_KINDS.get(file.path.suffix.lower(), "article")
        try:
            with file.path.open("rb") as handle:
                if kind in ("jsonl", "csv"):
                    total += max(0, sum(1 for line in handle if line.strip()) - (kind == "csv"))
                elif kind == "feed":
                    data = handle.read()
                    total += data.count(b"<item") + data.count(b"<entry")
                else:
                    total += 1
        except OSError:
            total += 1  # the build names the file
    return total


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    return [file.path for file in collect(paths)]


def _lines(path: Path) -> Iterator[str]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from handle
    except UnicodeDecodeError:
        raise InvalidRequest("not UTF-8 text") from None


def iter_file(
    file: ArticleFile,
    meta: Metadata = NO_METADATA,
    on_bad: OnBad | None = None,
    on_note: Note | None = None,
) -> Iterator[Document]:
    """The documents of one file, JSONL and CSV streamed line by line (no cap, memory flat)."""
    path = file.path
    try:
        kind = kind_of_name(path.name)
        _one_article(kind, meta, str(path))
        if kind == "jsonl":
            yield from iter_jsonl(_lines(path), meta, on_bad)
            return
        if kind == "csv":
            yield from iter_csv(_lines(path), meta, on_bad)
            return
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidRequest("not UTF-8 text") from None
        yield from read_text(text, kind, meta, file.path_id, on_bad=on_bad, on_note=on_note, what=str(path))
    except InvalidRequest as error:
        raise type(error)(f"{path}: {error.message}") from None
    except OSError as error:
        raise InvalidRequest(f"cannot read {path}: {error.strerror}") from None


def read_file(path: Path, meta: Metadata = NO_METADATA) -> list[Document]:
    """Documents of one file (its id rule: relative to its own folder)."""
    return list(iter_file(ArticleFile(Path(path), path_id(Path(path).name)), meta))


def _prefixed(on_bad: OnBad, where: str) -> OnBad:
    return lambda message: on_bad(f"{where}: {message}")


def read_documents(
    paths: Iterable[str | Path],
    meta: Metadata = NO_METADATA,
    on_skip: Note | None = None,
    on_bad: OnBad | None = None,
) -> Iterator[Document]:
    """Every document of these files and folders, read as a stream (see `collect` and `iter_file`).

    `on_bad`, when given, takes each unreadable record or file instead of refusing everything
    (`--skip-bad`); items noted but not refused (a feed item without text) go to `on_skip`."""
    for file in collect(paths, on_skip):
        if on_bad is None:
            yield from iter_file(file, meta, None, on_skip)
            continue
        try:
            yield from iter_file(file, meta, _prefixed(on_bad, str(file.path)), on_skip)
        except InvalidRequest as error:
            on_bad(error.message)
