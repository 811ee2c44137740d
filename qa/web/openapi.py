"""/openapi.json, generated from the models by flask-openapi3, and the interactive /docs page.

The spec is flask-openapi3's document of the routes and their models, plus what a model cannot
say: the other bodies of POST /api/documents (text/plain, JSONL, uploads) and the error words.
"""

from __future__ import annotations

import copy
from importlib.resources import files
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template, send_from_directory
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from qa.web import schemas
from qa.web.schemas import DocumentRecords

VERSION = "1.1.0"
ERROR_WORDS = {
    400: "Bad input (the message says which field, record or line)",
    401: "Missing or wrong Bearer key",
    403: "Writes are disabled: the server has no QA_API_KEY",
    404: "Not found",
    413: "Body too large",
    415: "Unsupported content type or file type",
    503: "No index yet, or another write held the index too long (send it again)",
}
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "The server's QA_API_KEY"}
}
WRITE_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
_REF = "#/components/schemas/{model}"
# Swagger UI's files come from a PyPI package, so /docs works with no network at all.
SWAGGER_FILES = files("flask_openapi3_swagger") / "templates" / "swagger"

bp = Blueprint("openapi", __name__)


def error_responses(*statuses: int) -> dict[str | int, Any]:
    """Responses with the ErrorBody schema, described in ERROR_WORDS."""
    body = {"application/json": {"schema": {"$ref": _REF.format(model="ErrorBody")}}}
    return {str(s): {"description": ERROR_WORDS[s], "content": body} for s in statuses}


def _components(requests: list[type[BaseModel]]) -> dict:
    """Every body's schema as pydantic writes it (flask-openapi3's copy drops keywords such as
    `contains` and `examples`)."""
    responses = [schemas.Answer, schemas.ChatAnswer, schemas.Health, schemas.ErrorBody, schemas.DocumentPage]
    responses += [schemas.DocumentDetail, schemas.WriteSummary, schemas.SourceList, schemas.Stats]
    pairs = [(m, "validation") for m in [*requests, DocumentRecords]] + [(m, "serialization") for m in responses]
    keys, top = models_json_schema(pairs, ref_template=_REF)  # type: ignore[arg-type]
    return top["$defs"]


def _parameters(operation: dict) -> None:
    """Query and path parameters with pydantic's schema of their field (minimums stay integers)."""
    fields = {
        **schemas.PageQuery.model_json_schema()["properties"],
        **schemas.DocumentPath.model_json_schema()["properties"],
    }
    for parameter in operation.get("parameters", []):
        schema = dict(fields[parameter["name"]])
        schema.pop("title", None)
        parameter["schema"] = schema


def _documents_body() -> dict:
    """POST /api/documents' request body: JSON as the model says, and three kinds a model cannot describe."""
    article = {"type": "string", "minLength": 1, "pattern": schemas.NOT_BLANK}
    text = {**article, "contentMediaType": "text/plain"}
    body = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": _REF.format(model="DocumentRecords")}},
            "text/plain": {"schema": {**article, "description": "One article; ?id=&title=&date=&source= set those"}},
            "application/x-ndjson": {"schema": {**article, "description": "One JSON record (DocumentRecord) a line"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "anyOf": [text, {"type": "array", "minItems": 1, "items": text}],
                            "description": "Files: a .txt / .md article, .json record(s) or .jsonl (one record a "
                            "line), by the file name's suffix; a part without a file name is one article's text",
                        }
                    },
                }
            },
        },
    }
    return body


def _finish(spec: dict, requests: list[type[BaseModel]]) -> dict:
    spec = copy.deepcopy(spec)
    spec["info"] = {
        "title": "News question answering",
        "version": VERSION,
        "description": "Ask German or English questions about news articles. Errors are "
        '{"error": "<plain words>", "code": "<kind>"}. Interactive page: /docs.',
    }
    for operations in spec["paths"].values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            # flask-openapi3 adds its own 400 (a list of pydantic errors) where a route names none.
            schema = responses.get("400", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("type") == "array":
                del responses["400"]
            _parameters(operation)
    spec["paths"]["/api/documents"]["post"]["requestBody"] = _documents_body()
    spec["components"]["schemas"] = _components(requests)
    return spec


def openapi_spec(app: Flask) -> dict:
    """The finished OpenAPI 3.1 document of `app` (built once per app)."""
    if "qa.openapi" not in app.extensions:
        models = schemas.request_models(app.extensions["qa"].settings)
        app.extensions["qa.openapi"] = _finish(app.api_doc, [models.ask, models.chat])  # type: ignore[attr-defined]
    return app.extensions["qa.openapi"]


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec(current_app))


# Swagger UI sets style attributes and shows the schema's images inline; its scripts are files.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@bp.get("/docs")
def docs():
    return render_template("docs.html"), 200, {"Content-Security-Policy": DOCS_POLICY}


@bp.get("/docs/swagger/<path:name>")
def swagger_file(name: str):
    return send_from_directory(str(SWAGGER_FILES), name, max_age=86400)
