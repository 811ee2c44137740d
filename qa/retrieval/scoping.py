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
from collections.abc import Sequence
from dataclasses import dataclass

from qa.records import Scope
from qa.text.terms import content_words
from qa.text.when import TimeReading, read_time

# Recency that a word of the question turned on ("aktuell", "latest") leaves at least this share of a
# passage's score: such words also ask about the present state of things ("Welche Partei ist derzeit die
# größte?"), and with the pure decay of an explicit `recency` an older article that answers lost to a newer
# one that does not (3 of 3 German XQuAD questions with such a word, articles dated through 2025: `qa bench
# filters`); with half the score kept, none was lost.
WORDS_RECENCY_FLOOR = 0.5


def as_of_date(requested: str | None, newest: str | None) -> str:
    """The day relative time is counted from: the request's, else the newest article's (so an archive
    answers the same tomorrow), else today (an index of undated articles)."""
    return requested or newest or dt.date.today().isoformat()


def read_question(question: str, as_of: str, language: str) -> TimeReading:
    return read_time(question, dt.date.fromisoformat(as_of), language)


@dataclass(frozen=True, slots=True)
class TurnTime:
    """The text to search for one question (relative time words taken out: they are a filter now) and
    the time reading that scopes it (None when time in questions is off)."""

    text: str
    reading: TimeReading | None

    def retold(self, question: str, as_of: str, language: str) -> TurnTime:
        """The same time for the turn asked in other words (a chat turn asked again with its topic)."""
        return dataclasses.replace(self, text=question_time(question, as_of, language).text)


def question_time(question: str, as_of: str, language: str) -> TurnTime:
    reading = read_question(question, as_of, language)
    return TurnTime(reading.question_without_time().strip() or question, reading)


def _names_time(reading: TimeReading | None) -> bool:
    return reading is not None and bool(reading.expressions or reading.recency)


def conversation_times(turns: Sequence[tuple[str, str, str, bool]], as_of: str) -> list[TurnTime]:
    """Per (question as typed, resolved question, language, is a follow-up) turn, its TurnTime.

    A turn that names time in its own words gets that time; if nothing but the time is left of it
    ("Und gestern?", "And last week?") it asks the previous question again. A follow-up that names no
    time keeps the time of the latest turn that named one. The resolved text may carry the earlier
    turn's time words, so relative ones are always taken out of what is searched.
    """
    result: list[TurnTime] = []
    latest: TimeReading | None = None
    for question, resolved, language, followup in turns:
        own = read_question(question, as_of, language)
        in_resolved = question_time(resolved, as_of, language)
        if own.expressions:
            text = in_resolved.text
            if followup and result and not content_words(own.question_without_time()):
                text = result[-1].text
            turn = TurnTime(text, own)
        elif followup and latest is not None and not _names_time(in_resolved.reading):
            turn = TurnTime(in_resolved.text, latest)
        else:
            turn = in_resolved
        if _names_time(turn.reading):
            latest = turn.reading
        result.append(turn)
    return result


def scoped(
    text: str, language: str, requested: Scope, as_of: str, reading: TimeReading | None, recency_half_life: float
) -> Scope:
    """The scope to search `text` in: the requested one with as_of settled, completed by `reading`
    (what the request says explicitly always wins)."""
    scope = dataclasses.replace(requested, as_of=as_of)
    if not _names_time(reading):
        return scope
    assert reading is not None
    filters = scope.filters
    restricting = reading.restricting()
    if restricting is not None and not (filters.date_from or filters.date_to):
        filters = dataclasses.replace(filters, date_from=restricting[0].isoformat(), date_to=restricting[1].isoformat())
    preferred = reading.preferred()
    prefer = scope.prefer
    if preferred is not None and prefer is None:
        prefer = (preferred[0].isoformat(), preferred[1].isoformat())
    recency, floor = scope.recency, scope.recency_floor
    if reading.recency and recency is None:
        recency, floor = recency_half_life, WORDS_RECENCY_FLOOR
    understood = reading.describe(language)
    return dataclasses.replace(
        scope, filters=filters, prefer=prefer, recency=recency, recency_floor=floor, understood=understood
    )
