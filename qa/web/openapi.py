"""/openapi.json, generated from the models by flask-openapi3, and the interactive /docs page.

The spec is flask-openapi3's document of the routes and their models, plus what a model cannot
say: the error words, and in words the bodies of POST /api/documents besides JSON (text/plain, JSONL,
uploads; see OTHER_BODIES).
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

VERSION = "1.2.0"
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


# The other bodies POST /api/documents takes, said in its description rather than as more `content` entries:
# openapi-python-client (0.29) writes broken code for an operation with several request body types (an
# undefined `Unset`, `isinstance` against `list[...]`; its issues #1451 and #1276), so a bot's generated
# client could not add an article at all. With the one JSON body every generated operation works.
OTHER_BODIES = (
    "Besides JSON, the endpoint takes the same records as `application/x-ndjson` (one JSON record a line), "
    "one article in the seed format as `text/plain` (`?id=&title=&date=&source=` set those), and files as "
    "`multipart/form-data` in the field `file` (.txt / .md articles, .json records, .jsonl; repeat it for "
    "several). These are not listed as request bodies so that generated clients stay correct."
)


def _documents_body() -> dict:
    """POST /api/documents' request body as the spec lists it: the JSON records (see OTHER_BODIES)."""
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": _REF.format(model="DocumentRecords")}}},
    }


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
    add = spec["paths"]["/api/documents"]["post"]
    add["requestBody"] = _documents_body()
    add["description"] = f"{add.get('description', '')} {OTHER_BODIES}".strip()
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
