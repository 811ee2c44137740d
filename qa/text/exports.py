"""Record exports (JSON, JSONL, CSV) -> Documents, one per record, read as a stream.

A CMS export carries more than an article (author, tags, ...): fields other than the ones below are
ignored, never a reason to refuse the file. `text` may be HTML (converted to text); `date` may be a
date, an ISO 8601 date-time or an RFC 822 date (qa.text.dates). Common synonyms are read too.
A record that cannot be read names its line; `on_bad` decides whether that refuses the file (None:
raise) or the record is skipped and reported. Files on disk have no record cap (they stream: memory
stays flat in the file's size); the API passes its per-request cap.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator

from qa.errors import InvalidRequest
from qa.records import Document
from qa.text.article import MAX_TEXT_CHARS, NO_METADATA, Metadata, check_url, parse_with
from qa.text.dates import parse_date
from qa.text.markup import html_to_text, looks_like_html

MAX_RECORDS = 10_000  # per API request; files given to `qa index` / `qa add` have no cap
# The first of these names a record holds is read; every other field is ignored.
FIELDS = {
    "text": ("text", "body", "content"),
    "title": ("title", "headline"),
    "date": ("date", "published", "published_at", "datePublished", "pubDate"),
    "url": ("url", "link", "canonical_url"),
    "id": ("id",),
    # schema.org's publisher is an object: {"@type": "Organization", "name": "Tech Ledger"}
    "source": ("source", "publisher", "site_name"),
}
OnBad = Callable[[str], None]

csv.field_size_limit(MAX_TEXT_CHARS + 1)  # an article is one CSV field; the default cap is 128 KB


def _field(record: dict, name: str, where: str) -> str | None:
    for key in FIELDS[name]:
        value = record.get(key)
        if value is None or value == "":
            continue
        integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if name == "id" and integral and not isinstance(value, bool):
            return str(int(value))  # CMS ids are often numbers; 23.0 is the integer 23, as in JSON Schema
        if name == "date":
            return value
        if name == "source" and isinstance(value, dict) and isinstance(value.get("name"), str):
            value = value["name"]
        if not isinstance(value, str):
            raise InvalidRequest(f"{where}: {key} must be a string")
        return value
    return None


def parse_record(record: object, where: str = "record", meta: Metadata = NO_METADATA) -> Document:
    """A record {"text" (or "body", "content"), "id"?, "title"?, "date"?, "source"?, "url"?, ...} -> Document;
    the fields of `meta` win over the record's."""
    if not isinstance(record, dict):
        raise InvalidRequest(f"{where} must be a JSON object")
    try:
        text = _field(record, "text", where)
        if text is None or not text.strip():
            raise InvalidRequest(f"{where}: text is missing or empty")
        own = Metadata(
            id=_field(record, "id", where),
            title=_field(record, "title", where),
            date=parse_date(_field(record, "date", where), f"{where}: date"),
            source=_field(record, "source", where),
            url=check_url(_field(record, "url", where), f"{where}: url"),
        )
        html = looks_like_html(text)
        if html:
            text = html_to_text(text)
            if not text.strip():
                raise InvalidRequest(f"{where}: text holds only markup")
        return parse_with(text, meta.over(own), date_line=not html)
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


def _checked(documents: Iterator[Document], on_bad: OnBad | None, what: str) -> Iterator[Document]:
    count = 0
    for document in documents:
        count += 1
        yield document
    if not count and on_bad is None:
        raise InvalidRequest(f"the {what} holds no record")


def _json_record(line: str, number: int, meta: Metadata) -> Document:
    try:
        record = _loads(line)
    except json.JSONDecodeError as error:
        raise InvalidRequest(f"line {number} is not valid JSON: {error.msg}") from None
    return parse_record(record, f"line {number}", meta)


def _unless_bad(on_bad: OnBad | None, parse: Callable[..., Document], *args: object) -> Document | None:
    """What `parse(*args)` makes of a record; a bad one is refused, or with `on_bad` reported and None."""
    try:
        return parse(*args)
    except InvalidRequest as error:
        if on_bad is None:
            raise
        on_bad(error.message)
        return None


def iter_jsonl(
    lines: Iterable[str], meta: Metadata = NO_METADATA, on_bad: OnBad | None = None, max_records: int | None = None
) -> Iterator[Document]:
    """One record per line, read as the lines come; a malformed line is named by its number."""

    def read() -> Iterator[Document]:
        count = 0
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            count += 1
            if max_records is not None and count > max_records:
                raise _too_many(count, max_records)
            document = _unless_bad(on_bad, _json_record, line, number, meta)
            if document is not None:
                yield document

    return _checked(read(), on_bad, "JSONL input")


def parse_jsonl(text: str, source: str = "", max_records: int | None = MAX_RECORDS) -> list[Document]:
    """All records of a JSONL text, or the first problem; over `max_records` lines is refused before
    any is parsed."""
    lines = text.splitlines()
    if max_records is not None:
        count = sum(1 for line in lines if line.strip())
        if count > max_records:
            raise _too_many(count, max_records)
    return list(iter_jsonl(lines, Metadata(source=source or None), None, max_records))


def parse_json(
    text: str, source: str = "", max_records: int | None = MAX_RECORDS, on_bad: OnBad | None = None
) -> list[Document]:
    """One record or a list of them (a JSON array is read whole: for large exports use JSONL)."""
    try:
        payload = _loads(text)
    except json.JSONDecodeError as error:
        raise InvalidRequest(f"not valid JSON: {error.msg} (line {error.lineno})") from None
    records = payload if isinstance(payload, list) else [payload]
    if max_records is not None and len(records) > max_records:
        raise _too_many(len(records), max_records)
    meta = Metadata(source=source or None)
    documents = []
    for number, record in enumerate(records, start=1):
        try:
            documents.append(parse_record(record, f"record {number}", meta))
        except InvalidRequest as error:
            if on_bad is None:
                raise
            on_bad(error.message)
    if not documents and on_bad is None:
        raise InvalidRequest("the JSON input holds no record")
    return documents


def iter_csv(
    lines: Iterable[str], meta: Metadata = NO_METADATA, on_bad: OnBad | None = None, max_records: int | None = None
) -> Iterator[Document]:
    """A CSV export with a header row naming the fields (text, title, date, ...), read as a stream."""

    def read() -> Iterator[Document]:
        reader = csv.DictReader(lines)
        try:
            if reader.fieldnames is None or not any(f in FIELDS["text"] for f in reader.fieldnames):
                raise InvalidRequest("the CSV file needs a header row with a text column (text, body or content)")
            for count, row in enumerate(reader, start=1):
                if max_records is not None and count > max_records:
                    raise _too_many(count, max_records)
                document = _unless_bad(on_bad, parse_record, row, f"line {reader.line_num}", meta)
                if document is not None:
                    yield document
        except csv.Error as error:
            raise InvalidRequest(f"line {reader.line_num} is not valid CSV: {error}") from None

    return _checked(read(), on_bad, "CSV file")
