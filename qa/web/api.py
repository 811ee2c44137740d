"""JSON API for bots: POST /api/ask, POST /api/chat, GET /healthz; the shapes are the models in schemas.py."""

# No `from __future__ import annotations`: flask-openapi3 reads the views' parameter types (the request
# models built for this app's settings) as objects.

import logging

from flask import Response, request
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel

from qa.chat.conversation import MAX_HISTORY_CHARS, Message
from qa.config import Settings
from qa.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from qa.web import get_service
from qa.web.metrics import count_answer
from qa.web.openapi import error_responses
from qa.web.schemas import Answer, ChatAnswer, Health, SourceList, Stats, request_models

logger = logging.getLogger(__name__)


def json_response(model: type[BaseModel], data: object, status: int = 200) -> Response:
    """`data` checked against `model` and written as its JSON: an answer always matches the spec."""
    return Response(model.model_validate(data).model_dump_json(), status, mimetype="application/json")


def require_json(max_bytes: int) -> None:
    """A question body is JSON within the size limit; otherwise 413, 415 or 400 in words."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(f"the request body is larger than {max_bytes:,} bytes")
    if not request.is_json:
        raise UnsupportedMediaType("send the body as JSON with Content-Type: application/json")
    payload = request.get_json(silent=True)
    if payload is None:
        raise InvalidRequest("the body is not valid JSON")
    if not isinstance(payload, dict):
        raise InvalidRequest("the body must be a JSON object")


def conversation(messages: list, max_question_chars: int) -> list[Message]:
    """The turns up to the question (the last user message, cut to `max_question_chars`), the oldest
    dropped beyond MAX_HISTORY_CHARS. Earlier user turns may be longer than a question: they are context."""
    last = max(i for i, m in enumerate(messages) if m.role == "user")
    turns = [Message(m.role, m.content) for m in messages[:last]]
    turns.append(Message("user", messages[last].content.strip()[:max_question_chars]))
    while len(turns) > 1 and sum(len(m.content) for m in turns) > MAX_HISTORY_CHARS:
        turns = turns[1:]
    while turns[0].role != "user":
        turns = turns[1:]
    return turns


def blueprint(settings: Settings) -> APIBlueprint:
    """The question endpoints, validated by the request models of these settings."""
    models = request_models(settings)
    Ask, Chat = models.ask, models.chat
    bp = APIBlueprint("api", __name__)

    @bp.before_request
    def _json_bodies_only() -> None:
        if request.method == "POST":
            require_json(settings.max_request_bytes)

    @bp.post(
        "/api/ask",
        operation_id="ask",
        summary="Answer one question with the best-matching passages",
        responses={"200": Answer, **error_responses(400, 413, 415, 503)},
    )
    def ask(body: Ask):  # type: ignore[valid-type]
        answer = get_service().ask(
            body.question.strip(),  # type: ignore[attr-defined]
            body.top_k,  # type: ignore[attr-defined]
            body.mode,  # type: ignore[attr-defined]
            body.scope(),  # type: ignore[attr-defined]
            body.time_from_question,  # type: ignore[attr-defined]
        )
        count_answer("ask", answer.no_answer)
        logger.debug("answered in %.1f ms (no_answer=%s)", answer.took_ms, answer.no_answer)
        return json_response(Answer, answer.to_dict())

    @bp.post(
        "/api/chat",
        operation_id="chat",
        summary="Answer the last user message of a conversation; follow-ups are resolved first",
        responses={"200": ChatAnswer, **error_responses(400, 413, 415, 503)},
    )
    def chat(body: Chat):  # type: ignore[valid-type]
        turns = conversation(body.messages, settings.max_question_chars)  # type: ignore[attr-defined]
        result = get_service().chat(
            turns,
            body.top_k,  # type: ignore[attr-defined]
            body.mode,  # type: ignore[attr-defined]
            scope=body.scope(),  # type: ignore[attr-defined]
            time_from_question=body.time_from_question,  # type: ignore[attr-defined]
        )
        count_answer("chat", result.answer.no_answer)
        return json_response(ChatAnswer, result.to_dict())

    @bp.get(
        "/api/sources",
        operation_id="sources",
        summary="Sources with their article counts and date ranges (what `sources` filters can name)",
        responses={"200": SourceList, **error_responses(503)},
    )
    def sources():
        return json_response(SourceList, {"sources": get_service().sources()})

    @bp.get(
        "/api/stats",
        operation_id="stats",
        summary="What the archive covers: articles per month, source and language, and its date range",
        responses={"200": Stats, **error_responses(503)},
    )
    def stats():
        return json_response(Stats, get_service().stats())

    @bp.get(
        "/healthz",
        operation_id="health",
        summary="Liveness and index size",
        responses={"200": Health, **error_responses(503)},
    )
    def healthz():
        return json_response(Health, get_service().health())

    return bp
