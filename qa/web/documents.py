"""Managing articles at run time: POST, GET and DELETE /api/documents (writes need the Bearer key)."""

from __future__ import annotations

import hmac
from pathlib import PurePosixPath

from flask import Blueprint, current_app, jsonify, request

from qa.errors import Forbidden, InvalidRequest, PayloadTooLarge, Unauthorized, UnsupportedMediaType
from qa.records import Document
from qa.text.ingest import MAX_RECORDS, parse_article, parse_json, parse_jsonl, parse_record
from qa.web import get_service

bp = Blueprint("documents", __name__, url_prefix="/api/documents")

MAX_PAGE = 1000
DEFAULT_PAGE = 50
UPLOAD_SUFFIXES = (".txt", ".md", ".json", ".jsonl")
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/jsonlines")


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


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(f"{what} is not UTF-8 text") from None


def _limited(records: list) -> list:
    if len(records) > MAX_RECORDS:
        raise InvalidRequest(f"at most {MAX_RECORDS:,} records per request, got {len(records):,}")
    return records


def _from_json() -> list[Document]:
    payload = request.get_json(silent=True)
    if payload is None:
        raise InvalidRequest("the body is not valid JSON")
    records = payload if isinstance(payload, list) else [payload]
    if not records:
        raise InvalidRequest("the list of records is empty")
    _limited(records)
    return [parse_record(record, f"record {n}") for n, record in enumerate(records, start=1)]


def _from_upload() -> list[Document]:
    uploads = [upload for upload in request.files.getlist("file") if upload.filename]
    if not uploads:
        raise InvalidRequest("no file: send the article as the multipart field 'file' (.txt, .md, .json or .jsonl)")
    documents: list[Document] = []
    for upload in uploads:
        name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise UnsupportedMediaType(f"{name}: upload .txt, .md, .json or .jsonl files")
        text = _text(upload.read(), name)
        try:
            if suffix == ".jsonl":
                documents.extend(parse_jsonl(text, source=name, max_records=MAX_RECORDS - len(documents)))
            elif suffix == ".json":
                documents.extend(parse_json(text, source=name, max_records=MAX_RECORDS - len(documents)))
            else:
                documents.append(parse_article(text, source=name))
        except InvalidRequest as error:
            raise InvalidRequest(f"{name}: {error.message}") from None
    return _limited(documents)


def _from_text() -> list[Document]:
    record = {"text": _text(request.get_data(cache=False), "the body")}
    record.update({name: request.args[name] for name in ("id", "title", "date", "source") if name in request.args})
    return [parse_record(record, "the article")]


def parse_documents(max_bytes: int) -> list[Document]:
    """The documents of a POST body: JSON record(s), a text/plain article, or uploaded files."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(f"the request body is larger than {max_bytes:,} bytes")
    mimetype = request.mimetype
    if request.is_json:
        return _from_json()
    if mimetype == "multipart/form-data":
        return _from_upload()
    if mimetype in ("text/plain", "text/markdown"):
        return _from_text()
    if mimetype in JSONL_TYPES:
        return _limited(parse_jsonl(_text(request.get_data(cache=False), "the body")))
    raise UnsupportedMediaType(
        "send JSON (application/json), JSONL (application/x-ndjson), an article as text/plain, "
        "or files as multipart/form-data"
    )


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise InvalidRequest(f"'{name}' must be an integer between {low} and {high:,}")
    return int(raw)


def parse_page() -> tuple[int, int]:
    """(offset, limit) from `offset`/`limit` or `page` (1-based, `limit` per page)."""
    limit = _int_arg("limit", DEFAULT_PAGE, 1, MAX_PAGE)
    if "page" in request.args and "offset" in request.args:
        raise InvalidRequest("give either 'page' or 'offset', not both")
    if "page" in request.args:
        return (_int_arg("page", 1, 1, 10**9) - 1) * limit, limit
    return _int_arg("offset", 0, 0, 10**12), limit


@bp.post("")
def add():
    service = get_service()
    _require_key(service.settings.api_key)
    results = service.add_documents(parse_documents(service.settings.max_upload_bytes))
    counts = {status: sum(r["status"] == status for r in results) for status in ("added", "replaced", "unchanged")}
    return jsonify({"documents": results, **counts}), 201


@bp.get("")
def list_documents():
    offset, limit = parse_page()
    return jsonify(get_service().list_documents(offset, limit))


@bp.get("/<doc_id>")
def get_document(doc_id: str):
    return jsonify(get_service().get_document(doc_id))


@bp.delete("/<doc_id>")
def delete_document(doc_id: str):
    service = get_service()
    _require_key(service.settings.api_key)
    service.remove_document(doc_id)
    return "", 204
