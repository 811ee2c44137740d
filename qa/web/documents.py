"""Managing articles at run time: POST, GET and DELETE /api/documents (writes need the Bearer key).

The JSON bodies are the models of schemas.py; uploads, JSONL and text/plain are parsed by hand
(a model cannot describe them) and described in the spec by openapi.py.
"""

# No `from __future__ import annotations`: flask-openapi3 reads the views' parameter types as objects.

import hmac
import logging
import threading
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TypeVar

from flask import current_app, request
from flask_openapi3 import APIBlueprint
from pydantic import ValidationError

from qa.errors import (
    Forbidden,
    IndexNotWritable,
    InvalidRequest,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from qa.records import Document
from qa.text.ingest import (
    MAX_RECORDS,
    MEDIA_KINDS,
    READ_SUFFIXES,
    Metadata,
    check_url,
    kind_of_name,
    parse_date,
    parse_record,
    path_id,
    read_text,
)
from qa.web import get_service
from qa.web.api import json_response
from qa.web.openapi import WRITE_SECURITY, error_responses
from qa.web.schemas import (
    DocumentDetail,
    DocumentPage,
    DocumentPath,
    DocumentRecord,
    PageQuery,
    WriteSummary,
)
from qa.web.validation import describe

logger = logging.getLogger(__name__)
bp = APIBlueprint("documents", __name__, url_prefix="/api/documents")
T = TypeVar("T")


def _require_key(api_key: str) -> None:
    """Writes need `Authorization: Bearer <key>`; without a configured key they are switched off.
    A client that keeps sending wrong keys is slowed down (hardening.KeyGuard)."""
    if not api_key:
        raise Forbidden("writing documents is disabled: start the server with QA_API_KEY=<secret> to enable it")
    guard = current_app.extensions["qa.key_guard"]
    client = request.remote_addr or "-"
    guard.check(client)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        guard.failed(client)
        raise Unauthorized("send the API key as 'Authorization: Bearer <key>'")
    if not hmac.compare_digest(given.strip().encode(), api_key.encode()):
        guard.failed(client)
        raise Unauthorized("the API key is wrong")


class WriteHealth:
    """Says in the log, once, that writes have started failing for a reason an operator must fix (a full
    disk, read-only files), and once that they succeed again: the 503s alone left only access lines."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failing = False

    def run(self, write: Callable[[], T]) -> T:
        try:
            result = write()
        except IndexNotWritable as error:
            with self._lock:
                first, self._failing = not self._failing, True
            if first:
                logger.error("writes are failing and answered 503 until this is fixed: %s", error.message)
            raise
        with self._lock:
            cleared, self._failing = self._failing, False
        if cleared:
            logger.info("writes succeed again")
        return result


def _writes() -> WriteHealth:
    return current_app.extensions.setdefault("qa.write_health", WriteHealth())


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(f"{what} is not UTF-8 text") from None


def _limited(records: list) -> list:
    if len(records) > MAX_RECORDS:
        raise InvalidRequest(f"at most {MAX_RECORDS:,} records per request, got {len(records):,}")
    return records


def _metadata() -> Metadata:
    """?id=&title=&date=&source=&url= (or form fields of the same names): they win over the file's own."""
    values = {**request.args.to_dict(), **{k: v for k, v in request.form.items() if k != "file"}}
    return Metadata(
        id=values.get("id") or None,
        title=values.get("title") or None,
        date=parse_date(values.get("date"), "date"),
        source=values.get("source") or None,
        url=check_url(values.get("url")),
    )


def _from_json() -> list[Document]:
    payload = request.get_json(silent=True)
    if payload is None:
        raise InvalidRequest("the body is not valid JSON")
    records = payload if isinstance(payload, list) else [payload]
    if not records:
        raise InvalidRequest("the list of records is empty")
    documents = []
    for n, record in enumerate(_limited(records), start=1):
        try:
            DocumentRecord.model_validate(record)
        except ValidationError as error:
            raise InvalidRequest(f"record {n}: {describe(error)}") from None
        # The record itself, not the model's dump: its synonyms (body, link, ...) are read there.
        documents.append(parse_record(record, f"record {n}"))
    return documents


def _from_upload() -> list[Document]:
    uploads = [upload for upload in request.files.getlist("file") if upload.filename]
    texts = request.form.getlist("file")  # a part without a file name arrives as a form field: one article
    if not uploads and not texts:
        raise InvalidRequest(f"no file: send the article as the multipart field 'file' ({READ_SUFFIXES})")
    meta = _metadata()
    if len(uploads) + len(texts) > 1 and (meta.id or meta.title or meta.url):
        raise InvalidRequest("id, title and url name one article: send one file with them")
    documents = [d for text in texts for d in read_text(text, "article", meta, max_records=MAX_RECORDS)]
    for upload in uploads:
        name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
        kind = kind_of_name(name)
        text = _text(upload.read(), name)
        try:
            remaining = MAX_RECORDS - len(documents)
            documents.extend(read_text(text, kind, meta, path_id(name), max_records=remaining, what=name))
        except InvalidRequest as error:
            raise type(error)(f"{name}: {error.message}") from None
    return _limited(documents)


def _from_body(kind: str) -> list[Document]:
    text = _text(request.get_data(cache=False), "the body")
    return _limited(list(read_text(text, kind, _metadata(), max_records=MAX_RECORDS, what="the body")))


def parse_documents(max_bytes: int) -> list[Document]:
    """The documents of a POST body: JSON record(s), JSONL, CSV, an article (text, Markdown, HTML page),
    a feed, or uploaded files; each read as `qa add` reads the same file (qa.text.ingest)."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(f"the request body is larger than {max_bytes:,} bytes")
    mimetype = request.mimetype
    if request.args and request.is_json:
        raise InvalidRequest(
            f"the query parameters {', '.join(request.args)} go with an article or uploaded files; "
            "JSON records carry id, title, date, source and url themselves"
        )
    if request.is_json:
        return _from_json()
    if mimetype == "multipart/form-data":
        return _from_upload()
    if mimetype in MEDIA_KINDS:
        return _from_body(MEDIA_KINDS[mimetype])
    raise UnsupportedMediaType(
        "send JSON (application/json), JSONL (application/x-ndjson), CSV (text/csv), an article as text/plain, "
        "text/markdown or text/html, a feed as application/rss+xml or application/atom+xml, "
        "or files as multipart/form-data"
    )


@bp.post(
    "",
    operation_id="add_documents",
    summary="Add or replace articles (answerable as soon as this returns; durable)",
    description=f"At most {MAX_RECORDS:,} records per request; all records are stored or none.",
    security=WRITE_SECURITY,
    responses={"201": WriteSummary, **error_responses(400, 401, 403, 413, 415, 503)},
)
def add():
    service = get_service()
    _require_key(service.settings.api_key)
    documents = parse_documents(service.settings.max_upload_bytes)
    results = _writes().run(lambda: service.add_documents(documents))
    counts = {status: sum(r["status"] == status for r in results) for status in ("added", "replaced", "unchanged")}
    return json_response(WriteSummary, {"documents": results, **counts}, 201)


@bp.get(
    "",
    operation_id="list_documents",
    summary="List articles, newest first",
    responses={"200": DocumentPage, **error_responses(400, 503)},
)
def list_documents(query: PageQuery):
    return json_response(DocumentPage, get_service().list_documents(query.start, query.limit))


@bp.get(
    "/<doc_id>",
    operation_id="get_document",
    summary="One article and its passages",
    responses={"200": DocumentDetail, **error_responses(400, 404, 503)},
)
def get_document(path: DocumentPath):
    return json_response(DocumentDetail, get_service().get_document(path.doc_id))


@bp.delete(
    "/<doc_id>",
    operation_id="delete_document",
    summary="Delete an article (durable; it is never answered again)",
    security=WRITE_SECURITY,
    responses={"204": {"description": "Deleted"}, **error_responses(400, 401, 403, 404, 503)},
)
def delete_document(path: DocumentPath):
    service = get_service()
    _require_key(service.settings.api_key)
    _writes().run(lambda: service.remove_document(path.doc_id))
    return "", 204
