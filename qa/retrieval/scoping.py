"""One question's scope: the request's filters and ordering, completed by the time its own words name.

A relative expression ("gestern", "last week") is about the news, so it becomes a date filter and is
taken out of the text that is searched (its words match nothing useful). An absolute year or month
("im September 2025", "Super Bowl 2016") may name when the event happened rather than when the article
appeared, so its period is only preferred (qa.retrieval.timing) and the words stay in the search.
"latest"/"neueste" turn recency on. What the request says explicitly always wins over the question.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from qa.records import Scope
from qa.text.when import TimeReading, read_time


def as_of_date(requested: str | None, newest: str | None) -> str:
    """The day relative time is counted from: the request's, else the newest article's (so an archive
    answers the same tomorrow), else today (an index of undated articles)."""
    return requested or newest or dt.date.today().isoformat()


def read_question(question: str, as_of: str, language: str) -> TimeReading:
    return read_time(question, dt.date.fromisoformat(as_of), language)


def inherited_readings(turns: list[tuple[str, str, bool]], as_of: str) -> list[TimeReading | None]:
    """Per (resolved question, language, is a follow-up) turn, the time a follow-up inherits: that of the
    latest earlier turn that named one (None for a turn that stands on its own)."""
    inherited: list[TimeReading | None] = []
    latest: TimeReading | None = None
    for text, language, followup in turns:
        inherited.append(latest if followup else None)
        reading = read_question(text, as_of, language)
        if reading.expressions or reading.recency:
            latest = reading
    return inherited


def scoped(
    question: str,
    language: str,
    requested: Scope,
    as_of: str,
    reading: TimeReading | None,
    recency_half_life: float,
    own_words: bool = True,
) -> tuple[str, Scope]:
    """(the text to search, the scope to search it in) for one question.

    `reading` is what read_time found in the question, or with `own_words=False` in the earlier turn a
    follow-up inherits its time from; None when time in questions is switched off.
    """
    scope = dataclasses.replace(requested, as_of=as_of)
    if reading is None or not (reading.expressions or reading.recency):
        return question, scope
    text = question
    filters = scope.filters
    restricting = reading.restricting()
    if restricting is not None and not (filters.date_from or filters.date_to):
        filters = dataclasses.replace(filters, date_from=restricting[0].isoformat(), date_to=restricting[1].isoformat())
        if own_words:
            text = reading.question_without_time().strip() or question
    preferred = reading.preferred()
    prefer = scope.prefer
    if preferred is not None and prefer is None:
        prefer = (preferred[0].isoformat(), preferred[1].isoformat())
    recency = scope.recency
    if reading.recency and recency is None:
        recency = recency_half_life
    understood = reading.describe(language)
    return text, dataclasses.replace(scope, filters=filters, prefer=prefer, recency=recency, understood=understood)
