"""The chat page and the article view: GET shows them, a plain form POST asks and renders the page again."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, render_template, request

from qa.chat.conversation import MAX_HISTORY_CHARS, MAX_MESSAGES, Message
from qa.chat.reply import ChatAnswer
from qa.errors import InvalidRequest
from qa.text.clean import clean_text
from qa.text.language import LANGUAGES
from qa.web import get_service
from qa.web.texts import TEXTS, texts_for

bp = Blueprint("page", __name__)

PAGE_TOP_K = 3


def _browser_language() -> str:
    return request.accept_languages.best_match(["en", "de"]) or "en"


@dataclass(frozen=True, slots=True)
class ShownTurn:
    """One turn as the page shows it: an earlier one from the hidden field (its reply, no passages),
    the new one with its passages."""

    question: str
    resolved: str
    language: str
    reply: str
    no_answer: bool
    hits: tuple = ()

    @classmethod
    def of(cls, turn: ChatAnswer) -> ShownTurn:
        r = turn.resolution
        return cls(r.question, r.resolved, r.language, turn.reply, turn.answer.no_answer, turn.answer.hits)

    def to_history(self) -> list[dict]:
        return [
            {"role": "user", "content": self.question, "resolved": self.resolved, "language": self.language},
            {"role": "assistant", "content": self.reply, "no_answer": self.no_answer},
        ]


def _history() -> list[ShownTurn]:
    """Earlier turns travel in a hidden field, so the conversation survives without cookies or JS, and
    only the new question is answered: the earlier ones are shown as they were.

    The field is the user's own input: anything malformed (a blank or non-text turn, deep nesting) is
    dropped, and the oldest turns go first when the conversation outgrows the limits of /api/chat.
    """
    try:
        raw = json.loads(request.form.get("history") or "[]")
    except (ValueError, RecursionError):
        return []
    if not isinstance(raw, list):
        return []
    turns = []
    for asked, replied in zip(raw[::2], raw[1::2], strict=False):
        if not (isinstance(asked, dict) and isinstance(replied, dict)):
            continue
        question, reply = asked.get("content"), replied.get("content")
        if asked.get("role") != "user" or replied.get("role") != "assistant":
            continue
        if not (isinstance(question, str) and isinstance(reply, str) and question.strip() and reply.strip()):
            continue
        resolved = asked.get("resolved") if isinstance(asked.get("resolved"), str) else question
        language = str(asked["language"]) if asked.get("language") in LANGUAGES else "en"
        question, reply = clean_text(question.strip()), clean_text(reply.strip())
        turns.append(
            ShownTurn(question, clean_text(resolved or question), language, reply, replied.get("no_answer") is True)
        )
    while turns and (
        2 * len(turns) > MAX_MESSAGES - 1 or sum(len(t.question) + len(t.reply) for t in turns) > MAX_HISTORY_CHARS // 2
    ):
        turns = turns[1:]
    return turns


def _messages(turns: list[ShownTurn]) -> list[Message]:
    return [Message(m["role"], m["content"]) for t in turns for m in t.to_history()]


@bp.get("/")
def index():
    return render_template("chat.html", turns=[], texts=texts_for(_browser_language()), all_texts=TEXTS, history="[]")


@bp.post("/")
def ask():
    service = get_service()
    limit = service.settings.max_question_chars
    turns = _history()
    question = (request.form.get("question") or "").strip()
    language = _browser_language()
    error = None
    try:
        if not question:
            raise InvalidRequest(texts_for(language)["empty"])
        if len(question) > limit:
            raise InvalidRequest(texts_for(language)["too_long"].format(limit=limit))
        turns.append(ShownTurn.of(service.chat([*_messages(turns), Message("user", question)], PAGE_TOP_K)))
    except InvalidRequest as problem:
        error = problem.message
    if turns:
        language = turns[-1].language
    history = json.dumps([m for t in turns for m in t.to_history()], ensure_ascii=False)
    return render_template(
        "chat.html",
        turns=turns,
        texts=texts_for(language),
        all_texts=TEXTS,
        history=history,
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
