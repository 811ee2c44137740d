"""The chat page and the article view: GET shows them, a plain form POST asks and renders the page again."""

from __future__ import annotations

import json

from flask import Blueprint, render_template, request

from qa.chat.conversation import MAX_HISTORY_CHARS, MAX_MESSAGES, ROLES, Message
from qa.errors import InvalidRequest
from qa.web import get_service
from qa.web.texts import TEXTS, texts_for

bp = Blueprint("page", __name__)

PAGE_TOP_K = 3


def _browser_language() -> str:
    return request.accept_languages.best_match(["en", "de"]) or "en"


def _history() -> list[Message]:
    """Earlier turns travel in a hidden field, so the conversation survives without cookies or JS.

    The field is the user's own input: anything malformed is dropped, and the oldest turns go first
    when the conversation outgrows the limits of /api/chat.
    """
    try:
        raw = json.loads(request.form.get("history") or "[]")
    except ValueError:
        return []
    if not isinstance(raw, list):
        return []
    messages = [
        Message(m["role"], m["content"])
        for m in raw
        if isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str)
    ]
    while messages and (
        len(messages) > MAX_MESSAGES - 1
        or sum(len(m.content) for m in messages) > MAX_HISTORY_CHARS // 2
        or messages[0].role != "user"
    ):
        messages = messages[1:]
    return messages


def _as_history(turns) -> str:
    pairs = [
        m
        for t in turns
        for m in ({"role": "user", "content": t.resolution.question}, {"role": "assistant", "content": t.reply})
    ]
    return json.dumps(pairs, ensure_ascii=False)


@bp.get("/")
def index():
    return render_template("chat.html", turns=[], texts=texts_for(_browser_language()), all_texts=TEXTS, history="[]")


@bp.post("/")
def ask():
    service = get_service()
    limit = service.settings.max_question_chars
    history = _history()
    question = (request.form.get("question") or "").strip()
    language = _browser_language()
    error = None
    try:
        if not question:
            raise InvalidRequest(texts_for(language)["empty"])
        if len(question) > limit:
            raise InvalidRequest(texts_for(language)["too_long"].format(limit=limit))
        turns = service.chat_turns([*history, Message("user", question)], PAGE_TOP_K)
    except InvalidRequest as problem:
        error = problem.message
        turns = service.chat_turns(history, PAGE_TOP_K) if history else []
    if turns:
        language = turns[-1].resolution.language
    return render_template(
        "chat.html",
        turns=turns,
        texts=texts_for(language),
        all_texts=TEXTS,
        history=_as_history(turns),
        error=error,
        question=question if error else "",
    ), (400 if error else 200)


@bp.get("/documents/<document_id>")
def document(document_id: str):
    """One whole article; a chat passage links to it as /documents/<id>#p<n>."""
    record = get_service().get_document(document_id)
    passages = record.get("passages")
    if not isinstance(passages, list):
        passages = record.get("passage_list", [])
    texts = texts_for(record.get("language") or _browser_language())
    return render_template("document.html", document=record, passages=passages, texts=texts)
