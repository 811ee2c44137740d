"""Time expressions in a question (interim: yesterday/gestern, years and latest/neueste only; the full
German and English reader replaces this module)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TimeExpression:
    text: str
    start: int
    end: int
    date_from: datetime.date
    date_to: datetime.date
    kind: str


@dataclass(frozen=True, slots=True)
class TimeReading:
    question: str
    expressions: tuple[TimeExpression, ...]
    recency: bool

    def _range(self, kinds):
        ex = [e for e in self.expressions if e.kind in kinds]
        if not ex:
            return None
        return min(e.date_from for e in ex), max(e.date_to for e in ex)

    def period(self):
        return self._range(("relative", "absolute"))

    def restricting(self):
        return self._range(("relative",))

    def preferred(self):
        return self._range(("absolute",))

    def question_without_time(self):
        q = self.question
        for e in sorted(self.expressions, key=lambda e: -e.start):
            if e.kind == "relative":
                q = q[: e.start] + q[e.end :]
        return " ".join(q.split())

    def describe(self, language):
        if not self.expressions:
            return ""
        return ("Verstanden als: " if language == "de" else "Understood as: ") + ", ".join(
            f"{e.text} ({e.date_from}–{e.date_to})" for e in self.expressions
        )


def read_time(question, as_of, language):
    ex = []
    recency = any(w in question.lower() for w in ("latest", "neueste", "aktuell"))
    for word, delta, kind in (("gestern", 1, "relative"), ("yesterday", 1, "relative")):
        i = question.lower().find(word)
        if i >= 0:
            d = as_of - datetime.timedelta(days=delta)
            ex.append(TimeExpression(question[i : i + len(word)], i, i + len(word), d, d, kind))
    import re

    for m in re.finditer(r"\b(19|20)\d\d\b", question):
        y = int(m.group())
        ex.append(
            TimeExpression(m.group(), m.start(), m.end(), datetime.date(y, 1, 1), datetime.date(y, 12, 31), "absolute")
        )
    return TimeReading(question, tuple(ex), recency)
