"""The OpenAPI description of /api/documents (merged into the spec by openapi.py)."""

from __future__ import annotations

from qa.config import Settings


def json_content(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


ERROR_WORDS = {
    400: "Bad input (the message says which field, record or line)",
    401: "Missing or wrong Bearer key",
    403: "Writes are disabled: the server has no QA_API_KEY",
    404: "Not found",
    413: "Body too large",
    415: "Unsupported content type or file type",
    503: "No index yet, or another write held the index too long (send it again)",
}


def error_responses(*statuses: int) -> dict:
    """Error responses with the shared Error schema, described in ERROR_WORDS."""
    return {
        str(s): {"description": ERROR_WORDS[s], **json_content({"$ref": "#/components/schemas/Error"})}
        for s in statuses
    }


_RECORD = {
    "type": "object",
    "required": ["text"],
    "additionalProperties": False,
    "properties": {
        "id": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$",
            "description": "The same id again replaces the stored article (default: a hash of the content)",
        },
        "title": {"type": "string", "description": "Default: the first sentence of the teaser"},
        "date": {"type": "string", "format": "date"},
        "text": {
            "type": "string",
            "minLength": 1,
            "maxLength": 5_000_000,
            "description": "The article in the seed format: optional `date YYYY-MM-DD <teaser>` line, "
            "paragraphs separated by blank lines, short unpunctuated lines as subheadings",
        },
        "source": {"type": "string"},
    },
}

_SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "date": {"type": ["string", "null"], "format": "date"},
        "source": {"type": "string"},
        "language": {"type": "string", "enum": ["de", "en"]},
        "added_at": {"type": "string", "format": "date-time"},
        "origin": {"type": "string", "enum": ["build", "added"], "description": "From `qa index` or added later"},
        "passages": {"type": "integer"},
    },
}

_WRITTEN = {
    "type": "object",
    "properties": {
        "documents": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "status": {"type": "string", "enum": ["added", "replaced", "unchanged"]},
                    "passages": {"type": "integer"},
                },
            },
        },
        "added": {"type": "integer"},
        "replaced": {"type": "integer"},
        "unchanged": {"type": "integer"},
    },
}

_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
_ID = {"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}


def document_paths(settings: Settings) -> dict:
    """Paths of the document endpoints."""
    body = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/DocumentRecord"},
                        {"type": "array", "items": {"$ref": "#/components/schemas/DocumentRecord"}, "maxItems": 10_000},
                    ]
                }
            },
            "text/plain": {"schema": {"type": "string", "description": "One article; ?id=&title=&date=&source="}},
            "application/x-ndjson": {"schema": {"type": "string", "description": "One JSON record a line"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": ".txt / .md article, .json record(s) or .jsonl (one record a line)",
                        }
                    },
                }
            },
        },
    }
    page = [
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
        {
            "name": "page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1},
            "description": "Instead of offset",
        },
    ]
    listing = {
        "type": "object",
        "properties": {
            "documents": {"type": "array", "items": {"$ref": "#/components/schemas/DocumentSummary"}},
            "total": {"type": "integer"},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
        },
    }
    record = {
        "allOf": [
            {"$ref": "#/components/schemas/DocumentSummary"},
            {
                "type": "object",
                "properties": {
                    "passages": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "position": {"type": "integer"},
                                "heading": {"type": "string"},
                                "text": {"type": "string"},
                                "language": {"type": "string"},
                            },
                        },
                    }
                },
            },
        ]
    }
    return {
        "/api/documents": {
            "post": {
                "summary": "Add or replace articles (answerable as soon as this returns; durable)",
                "description": f"At most 10,000 records and {settings.max_upload_bytes:,} bytes per request; "
                "all records are stored or none.",
                "security": _SECURITY,
                "requestBody": body,
                "responses": {
                    "201": {"description": "Stored", **json_content(_WRITTEN)},
                    **error_responses(400, 401, 403, 413, 415, 503),
                },
            },
            "get": {
                "summary": "List articles, newest first",
                "parameters": page,
                "responses": {"200": {"description": "A page", **json_content(listing)}, **error_responses(400, 503)},
            },
        },
        "/api/documents/{doc_id}": {
            "get": {
                "summary": "One article and its passages",
                "parameters": [_ID],
                "responses": {
                    "200": {"description": "The article", **json_content(record)},
                    **error_responses(404, 503),
                },
            },
            "delete": {
                "summary": "Delete an article (durable; it is never answered again)",
                "security": _SECURITY,
                "parameters": [_ID],
                "responses": {"204": {"description": "Deleted"}, **error_responses(401, 403, 404, 503)},
            },
        },
    }


DOCUMENT_SCHEMAS = {"DocumentRecord": _RECORD, "DocumentSummary": _SUMMARY}
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer", "description": "The server's QA_API_KEY"}}
