"""The only place exceptions become HTTP responses: JSON under /api/, an HTML page elsewhere."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from qa.errors import QAError
from qa.web.texts import texts_for

logger = logging.getLogger(__name__)

_PLAIN = {
    404: "no such page or endpoint",
    405: "this method is not allowed here",
    413: "the request body is too large",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/openapi.json")


def _respond(status: int, code: str, message: str):
    if _wants_json():
        return jsonify({"error": message, "code": code}), status
    # The page speaks the browser's language; the detail is the API's (English) message.
    language = request.accept_languages.best_match(["de", "en"]) or "en"
    texts = texts_for(language)
    summary = texts.get(f"error_{status}") or texts[f"error_{status // 100 * 100}"]
    page = render_template("error.html", status=status, summary=summary, detail=message, texts=texts, language=language)
    return page, status


def register_error_handlers(app) -> None:
    @app.errorhandler(QAError)
    def handle_qa_error(error: QAError):
        body, status = _respond(error.status, error.code, error.message)
        # RFC 9110: a 401 names the scheme it wants; a 429 or 503 says when to come back when it is known.
        headers = {"WWW-Authenticate": 'Bearer realm="qa"'} if status == 401 else {}
        if error.retry_after is not None:
            headers["Retry-After"] = str(error.retry_after)
        return body, status, headers

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        message = _PLAIN.get(error.code or 500) or (error.description or error.name)
        body, status = _respond(error.code or 500, (error.name or "error").lower().replace(" ", "_"), message)
        # A 405 names the methods that are allowed (RFC 9110); werkzeug keeps them in get_headers().
        return body, status, [(k, v) for k, v in error.get_headers() if k.lower() == "allow"]

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, "internal_error", "internal error: the server could not answer this request")
