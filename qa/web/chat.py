"""The chat page: GET shows the conversation, a plain form POST asks and renders it again (no JS needed)."""

from __future__ import annotations

import json

from flask import Blueprint, render_template, request

from ..errors import InvalidRequest
from ..language import detect_language
from . import get_service
from .texts import TEXTS, texts_for

bp = Blueprint("chat", __name__)

MAX_TURNS = 20


def _earlier_questions() -> list[str]:
    """Earlier questions travel in a hidden field, so the conversation survives without cookies or JS."""
    try:
        questions = json.loads(request.form.get("history") or "[]")
    except ValueError:
        return []
    if not isinstance(questions, list):
        return []
    return [q for q in questions if isinstance(q, str) and q.strip()][-MAX_TURNS:]


@bp.get("/")
def index():
    language = request.accept_languages.best_match(["en", "de"]) or "en"
    return render_template("chat.html", turns=[], texts=texts_for(language), all_texts=TEXTS, history="[]")


@bp.post("/")
def ask():
    service = get_service()
    settings = service.settings
    questions = _earlier_questions()
    question = (request.form.get("question") or "").strip()
    turns, error = [], None
    for earlier in questions:
        turns.append(service.ask(earlier[: settings.max_question_chars]))
    try:
        if not question:
            raise InvalidRequest("Please type a question.")
        if len(question) > settings.max_question_chars:
            raise InvalidRequest(f"The question is longer than {settings.max_question_chars} characters.")
        turns.append(service.ask(question))
        questions.append(question)
    except InvalidRequest as problem:
        error = problem.message
    language = turns[-1].language if turns else detect_language(question or "en")
    return render_template(
        "chat.html",
        turns=turns,
        texts=texts_for(language),
        all_texts=TEXTS,
        history=json.dumps(questions[-MAX_TURNS:], ensure_ascii=False),
        error=error,
        question=question if error else "",
    ), (400 if error else 200)
