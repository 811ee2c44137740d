"""JSON API for bots: POST /api/ask, POST /api/chat, GET /healthz, GET /openapi.json."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from qa.chat.conversation import MAX_HISTORY_CHARS, MAX_MESSAGES, ROLES, Message
from qa.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from qa.retrieval.fusion import MODES
from qa.web import get_service
from qa.web.openapi import openapi_spec

bp = Blueprint("api", __name__)


def _require_json(max_bytes: int) -> dict:
    """The body as a JSON object, or a 4xx that says what is wrong with it."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(f"the request body is larger than {max_bytes:,} bytes")
    if not request.is_json:
        raise UnsupportedMediaType("send the body as JSON with Content-Type: application/json")
    payload = request.get_json(silent=True)
    if payload is None:
        raise InvalidRequest("the body is not valid JSON")
    if not isinstance(payload, dict):
        raise InvalidRequest("the body must be a JSON object")
    return payload


def parse_question(payload: dict, max_chars: int, max_top_k: int, default_top_k: int) -> tuple[str, int, str]:
    """(question, top_k, mode) from a request body, validated."""
    question = payload.get("question")
    if question is None:
        raise InvalidRequest("'question' is missing")
    if not isinstance(question, str):
        raise InvalidRequest("'question' must be a string")
    question = question.strip()
    if not question:
        raise InvalidRequest("'question' is empty")
    if len(question) > max_chars:
        raise InvalidRequest(f"'question' is longer than {max_chars} characters")
    return (question, *_parse_options(payload, max_top_k, default_top_k))


def _parse_options(payload: dict, max_top_k: int, default_top_k: int) -> tuple[int, str]:
    top_k = payload.get("top_k", default_top_k)
    if isinstance(top_k, bool) or not isinstance(top_k, int):
        raise InvalidRequest("'top_k' must be an integer")
    if not 1 <= top_k <= max_top_k:
        raise InvalidRequest(f"'top_k' must be between 1 and {max_top_k}")
    mode = payload.get("mode", "hybrid")
    if mode not in MODES:
        raise InvalidRequest(f"'mode' must be one of: {', '.join(MODES)}")
    return top_k, mode


def parse_messages(payload: dict, max_chars: int) -> list[Message]:
    """The conversation from a /api/chat body: at most MAX_MESSAGES turns and MAX_HISTORY_CHARS characters,
    ending with the user's question."""
    messages = payload.get("messages")
    if messages is None:
        raise InvalidRequest("'messages' is missing")
    if not isinstance(messages, list):
        raise InvalidRequest("'messages' must be a list of objects with 'role' and 'content'")
    if not messages:
        raise InvalidRequest("'messages' is empty: send at least the question as a user message")
    if len(messages) > MAX_MESSAGES:
        raise InvalidRequest(
            f"the conversation has {len(messages)} messages; at most {MAX_MESSAGES} are allowed: start a new one"
        )
    parsed = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise InvalidRequest(f"messages[{i}] must be an object with 'role' and 'content'")
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            raise InvalidRequest(f"messages[{i}].role must be 'user' or 'assistant'")
        if not isinstance(content, str):
            raise InvalidRequest(f"messages[{i}].content must be a string")
        if role == "user" and not content.strip():
            raise InvalidRequest(f"messages[{i}].content is empty")
        parsed.append(Message(role, content))
    total = sum(len(m.content) for m in parsed)
    if total > MAX_HISTORY_CHARS:
        raise InvalidRequest(
            f"the conversation has {total:,} characters; at most {MAX_HISTORY_CHARS:,} are allowed: start a new one"
        )
    if parsed[-1].role != "user":
        raise InvalidRequest("the last message must be the user's question (role 'user')")
    if len(parsed[-1].content.strip()) > max_chars:
        raise InvalidRequest(f"the question (the last message) is longer than {max_chars} characters")
    return parsed


@bp.post("/api/ask")
def ask():
    service = get_service()
    settings = service.settings
    payload = _require_json(settings.max_request_bytes)
    question, top_k, mode = parse_question(
        payload, settings.max_question_chars, settings.max_top_k, settings.default_top_k
    )
    return jsonify(service.ask(question, top_k, mode).to_dict())


@bp.post("/api/chat")
def chat():
    service = get_service()
    settings = service.settings
    payload = _require_json(settings.max_request_bytes)
    messages = parse_messages(payload, settings.max_question_chars)
    top_k, mode = _parse_options(payload, settings.max_top_k, settings.default_top_k)
    return jsonify(service.chat(messages, top_k, mode).to_dict())


@bp.get("/healthz")
def healthz():
    return jsonify(get_service().health())


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec(get_service().settings))
