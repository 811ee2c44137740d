"""The chat page's filters without JavaScript: a date range, a source, "newest first" and whether time
words in the question count travel as form fields with every POST, so they persist within the
conversation as its history does; active ones are shown as chips, each a submit button removing it.

The fields are checked by the API's own model (qa.web.schemas_scope.ScopeFields), so the page and
/api/chat accept exactly the same filters; only the words of a refusal are the page's (German or English,
naming the field as its label does). chat.js sends the same fields to /api/chat and draws the same chips.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from qa.web.schemas_scope import ScopeFields
from qa.web.validation import describe

# The source picker lists the largest sources only: a <select> of thousands is unusable and costly to
# render; a smaller source is still named by /api/chat's `sources` (and kept in the picker once chosen).
MAX_PICKER_SOURCES = 200
# Counting articles per source scans the documents table (~150 ms at 200,000 articles), so the picker's
# list is reused for this long: a newly added source appears in the picker within a minute.
SOURCES_TTL_S = 60.0
# Chip `remove` values: one per filter, plus the time the last answer read from its question.
REMOVABLE = ("date_from", "date_to", "sources", "sort", "understood", "time_from_question")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MAX_FIELD_CHARS = 200  # what a date field may hold before it is refused unread


@dataclass(frozen=True, slots=True)
class Chip:
    """One active filter above the composer: its words and the `remove` value its button sends."""

    remove: str
    label: str


@dataclass(frozen=True, slots=True)
class FormFilters:
    """The filter fields of the ask form as the user left them (not yet checked: see `fields`)."""

    date_from: str = ""
    date_to: str = ""
    sources: tuple[str, ...] = ()
    newest_first: bool = False
    time_from_question: bool = True  # False once the user removed the time read from the question

    @classmethod
    def from_form(cls, form: MultiDict) -> FormFilters:
        return cls(
            date_from=(form.get("date_from") or "").strip()[:_MAX_FIELD_CHARS],
            date_to=(form.get("date_to") or "").strip()[:_MAX_FIELD_CHARS],
            sources=tuple(dict.fromkeys(s for s in form.getlist("sources") if s.strip())),
            newest_first=form.get("sort") == "date",
            time_from_question=form.get("time_from_question") != "false",
        )

    def without(self, name: str) -> FormFilters:
        """These filters with the one a chip names removed ("understood" switches time in questions off)."""
        if name == "date_from":
            return dataclasses.replace(self, date_from="")
        if name == "date_to":
            return dataclasses.replace(self, date_to="")
        if name == "sources":
            return dataclasses.replace(self, sources=())
        if name == "sort":
            return dataclasses.replace(self, newest_first=False)
        if name == "understood":
            return dataclasses.replace(self, time_from_question=False)
        if name == "time_from_question":
            return dataclasses.replace(self, time_from_question=True)
        return self

    def fields(self, texts: Mapping[str, str]) -> ScopeFields:
        """The filters checked as /api/chat checks them; a ValueError in the page's words otherwise."""
        if self.date_from and self.date_to and self.date_from > self.date_to:  # the page says so; the API answers none
            raise ValueError(texts["date_order"].format(date_from=self.date_from, date_to=self.date_to))
        try:
            return ScopeFields.model_validate(
                {
                    "date_from": self.date_from or None,
                    "date_to": self.date_to or None,
                    "sources": list(self.sources),
                    "sort": "date" if self.newest_first else "relevance",
                    "time_from_question": None if self.time_from_question else False,
                }
            )
        except ValidationError as error:
            raise ValueError(self._in_words(error, texts)) from None

    def _in_words(self, error: ValidationError, texts: Mapping[str, str]) -> str:
        problems = []
        for item in error.errors(include_url=False):
            where = item["loc"][0] if item["loc"] else None
            if where in ("date_from", "date_to"):
                problems.append(texts["bad_date"].format(label=texts[where], value=getattr(self, str(where))))
        return " ".join(dict.fromkeys(problems)) or describe(error)

    def chips(self, texts: Mapping[str, str], understood: str = "") -> list[Chip]:
        """The active filters in words, in the order of the form, then the time read from the question."""
        chips = []
        if self.date_from:
            chips.append(Chip("date_from", texts["chip_from"].format(date=shown_date(self.date_from, texts))))
        if self.date_to:
            chips.append(Chip("date_to", texts["chip_to"].format(date=shown_date(self.date_to, texts))))
        if self.sources:
            chips.append(Chip("sources", texts["chip_source"].format(source=", ".join(self.sources))))
        if self.newest_first:
            chips.append(Chip("sort", texts["newest_first"]))
        if not self.time_from_question:
            chips.append(Chip("time_from_question", texts["chip_time_off"]))
        elif understood:
            chips.append(Chip("understood", understood))
        return chips


def shown_date(value: str, texts: Mapping[str, str]) -> str:
    """A YYYY-MM-DD date as the page's language writes it (DD.MM.YYYY in German); anything else as is."""
    match = _ISO_DATE.match(value)
    if not match:
        return value
    year, month, day = match.groups()
    return texts["date_format"].format(year=year, month=month, day=day)


def read_from_question(understood: str, recency: float | None, texts: Mapping[str, str]) -> str:
    """What an answer read from its question's words, for its chip: the time ("Verstanden als: gestern
    (…)") and the recency words like "neueste" turned on. The page never asks for recency itself, so a
    recency the answer applied came from the question."""
    if recency is None:
        return understood
    note = texts["chip_recency"].format(days=f"{recency:g}")
    return f"{understood}; {note}" if understood else f"{texts['understood']}: {note}"


def picker_sources(all_sources: list[dict], chosen: tuple[str, ...]) -> list[dict]:
    """The picker's options: the MAX_PICKER_SOURCES largest sources (the list comes largest first) and
    any chosen one beyond them, so a chosen filter always shows as selected."""
    shown = all_sources[:MAX_PICKER_SOURCES]
    names = {s["source"] for s in shown}
    counts = {s["source"]: s["documents"] for s in all_sources}
    extra = [{"source": name, "documents": counts.get(name, 0)} for name in chosen if name not in names]
    return [{"source": s["source"], "documents": s["documents"]} for s in shown] + extra


class SourceCache:
    """The index's sources for the picker, counted at most once per SOURCES_TTL_S per process."""

    def __init__(self, ttl_s: float = SOURCES_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._at = -float("inf")
        self._sources: list[dict] = []

    def get(self, count_sources) -> list[dict]:
        now = time.monotonic()
        if now - self._at >= self.ttl_s:
            self._sources, self._at = list(count_sources()), now
        return self._sources
