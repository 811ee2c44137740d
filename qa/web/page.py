"""The chat page and the article view: GET shows them, a plain form POST asks and renders the page again.

The form carries the conversation (a hidden field) and its filters (qa.web.page_filters), so both
persist within the conversation without cookies or JavaScript; "New conversation" is a plain GET."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request

from qa.chat.conversation import MAX_HISTORY_CHARS, MAX_MESSAGES, Message
from qa.chat.reply import ChatAnswer
from qa.errors import InvalidRequest
from qa.text.clean import clean_text
from qa.text.language import LANGUAGES
from qa.web import get_service
from qa.web.page_filters import REMOVABLE, FormFilters, SourceCache, picker_sources, read_from_question
from qa.web.texts import TEXTS, texts_for

bp = Blueprint("page", __name__)

PAGE_TOP_K = 3
MAX_UNDERSTOOD_CHARS = 500  # the time an earlier answer read from its question, as the history field keeps it


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
    understood: str = ""  # the time read from the question's words ("Verstanden als: gestern (…)")
    rewritten: bool = False  # `resolved` is a well-formed rewrite, shown as "Understood as"

    @classmethod
    def of(cls, turn: ChatAnswer) -> ShownTurn:
        r = turn.resolution
        answer = turn.answer
        understood = read_from_question(answer.scope.understood, answer.scope.recency, texts_for(r.language))
        return cls(
            r.question, r.resolved, r.language, turn.reply, answer.no_answer, answer.hits, understood, r.rewritten
        )

    def to_history(self) -> list[dict]:
        return [
            {
                "role": "user",
                "content": self.question,
                "resolved": self.resolved,
                "language": self.language,
                "rewritten": self.rewritten,
            },
            {"role": "assistant", "content": self.reply, "no_answer": self.no_answer, "understood": self.understood},
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
        understood = replied.get("understood")
        understood = understood if isinstance(understood, str) else ""
        turns.append(
            ShownTurn(
                question,
                clean_text(resolved or question),
                language,
                reply,
                replied.get("no_answer") is True,
                understood=clean_text(understood.strip())[:MAX_UNDERSTOOD_CHARS],
                rewritten=asked.get("rewritten") is True,
            )
        )
    while turns and (
        2 * len(turns) > MAX_MESSAGES - 1 or sum(len(t.question) + len(t.reply) for t in turns) > MAX_HISTORY_CHARS // 2
    ):
        turns = turns[1:]
    return turns


def _messages(turns: list[ShownTurn]) -> list[Message]:
    return [Message(m["role"], m["content"]) for t in turns for m in t.to_history()]


def _sources() -> list[dict]:
    """The index's sources, largest first, for the picker (counted at most once a minute per process)."""
    cache = current_app.extensions.setdefault("qa.page.sources", SourceCache())
    return cache.get(get_service().sources)


def _render(turns: list[ShownTurn], language: str, filters: FormFilters, error: str | None = None, question: str = ""):
    texts = texts_for(language)
    understood = turns[-1].understood if turns else ""
    return render_template(
        "chat.html",
        turns=turns,
        texts=texts,
        all_texts=TEXTS,
        history=json.dumps([m for t in turns for m in t.to_history()], ensure_ascii=False),
        error=error,
        question=question,
        filters=filters,
        chips=filters.chips(texts, understood),
        sources=picker_sources(_sources(), filters.sources),
    ), (400 if error else 200)


@bp.get("/")
def index():
    page, _ = _render([], _browser_language(), FormFilters())
    return page


@bp.post("/")
def ask():
    """Ask the new question with the form's filters; a chip's `remove` only takes its filter away and
    shows the page again (the conversation and a typed question kept, nothing asked)."""
    service = get_service()
    limit = service.settings.max_question_chars
    turns = _history()
    question = (request.form.get("question") or "").strip()
    language = turns[-1].language if turns else _browser_language()
    filters = FormFilters.from_form(request.form)
    removed = request.form.get("remove")
    if removed in REMOVABLE:
        return _render(turns, language, filters.without(removed), question=question)
    texts = texts_for(language)
    error = None
    try:
        if not question:
            raise InvalidRequest(texts["empty"])
        if len(question) > limit:
            raise InvalidRequest(texts["too_long"].format(limit=limit))
        try:
            fields = filters.fields(texts)
        except ValueError as problem:
            raise InvalidRequest(str(problem)) from None
        turn = service.chat(
            [*_messages(turns), Message("user", question)],
            PAGE_TOP_K,
            scope=fields.scope(),
            time_from_question=fields.time_from_question,
        )
        turns.append(ShownTurn.of(turn))
        language = turns[-1].language
    except InvalidRequest as problem:
        error = problem.message
    return _render(turns, language, filters, error, question if error else "")


@bp.get("/documents/<document_id>")
def document(document_id: str):
    """One whole article; a chat passage links to it as /documents/<id>#p<n>."""
    record = get_service().get_document(document_id)
    passages = record.get("passages")
    if not isinstance(passages, list):
        passages = record.get("passage_list", [])
    texts = texts_for(record.get("language") or _browser_language())
    return render_template("document.html", document=record, passages=passages, texts=texts)
