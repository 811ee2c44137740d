"""Time in the question, read without an LLM: "gestern", "letzte Woche", "seit Montag", "im September
2025", "2024", "last week", "in March" as date ranges relative to `as_of`, and recency words.

Relative expressions ("gestern", "letzte Woche", "vor drei Tagen", "dieses Jahr") are about the news
and restrict the search to their period; absolute ones (a year, a named month, a date) may name the
time of the event rather than of the article ("Wer gewann den Super Bowl 2016?"), so they only make
that period preferred. Weeks start on Monday; `as_of` is today.

Own rules, not dateparser, chosen by measurement (`qa bench time`: the 1,264 XQuAD dev questions,
German and English, as_of fixed). dateparser 1.5's `search_dates` (languages de+en, RELATIVE_BASE)
found a "date" in 376 of them, nearly all false: "die" read as Dienstag, "Mit", "Mai" in "Mai Thi
Nguyen", "38 Jahren", "24-10", "Super Bowl 50" as the year 2050. It read "3.9.2025" as 9 March,
"in den letzten 7 Tagen" as "7 Tagen" and "letzte Woche" as the one day seven days back; it gives one
datetime per match, neither a period nor a position in the question. It cost a median 1.1 ms a
question (p99 6.5 ms), 0.2 s to import and 0.2 s more on its first call. These rules find something
in 66 of those questions, all of them absolute years or months ("im Jahr 1901", "in 2015"), none
relative, at a median 20 µs (p99 0.1 ms) measured in the same run.

The patterns live here, what each match means in qa.text.when_rules. Only the first MAX_CHARS
characters are read; every pattern is free of nested quantifiers with bounded gaps (`\\s{1,3}`), and
overlaps are settled in one pass over a character map, so even 100,000 characters read in well under
a second.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass

from qa.text.when_rules import (
    MONTHS,
    NUMBERS,
    WEEKDAYS,
    Range,
    Resolver,
    month_range,
    resolve_ago,
    resolve_date,
    resolve_day,
    resolve_days,
    resolve_last_n,
    resolve_month,
    resolve_months,
    resolve_named,
    resolve_weekday,
    resolve_weekend,
    resolve_year,
    resolve_years,
)

logger = logging.getLogger(__name__)

MAX_CHARS = 5000
# A relative expression whose period ended more than this many years before as_of is read as absolute.
_NEWS_YEARS = 3
KINDS = ("relative", "absolute")

_MONTH_NAMES = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "en": "January February March April May June July August September October November December".split(),
}
_UNDERSTOOD = {"de": "Verstanden als: ", "en": "Understood as: "}


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """One time expression of a question: its text and span, its inclusive period and its kind."""

    text: str
    start: int
    end: int
    date_from: datetime.date
    date_to: datetime.date
    kind: str
    rule: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.date_from > self.date_to:
            raise ValueError(f"date_from {self.date_from} is after date_to {self.date_to}")
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "kind": self.kind,
        }


def _combined(expressions: tuple[TimeExpression, ...]) -> Range | None:
    if not expressions:
        return None
    return min(e.date_from for e in expressions), max(e.date_to for e in expressions)


@dataclass(frozen=True, slots=True)
class TimeReading:
    """What a question says about time: its expressions in order, and whether it asks for the newest."""

    expressions: tuple[TimeExpression, ...]
    recency: bool
    question: str = ""

    def period(self) -> Range | None:
        """The combined range of all expressions, None if there are none."""
        return _combined(self.expressions)

    def restricting(self) -> Range | None:
        """The combined range of the relative expressions: the news must be of this period."""
        return _combined(tuple(e for e in self.expressions if e.kind == "relative"))

    def preferred(self) -> Range | None:
        """The combined range of the absolute expressions: articles of this period come first."""
        return _combined(tuple(e for e in self.expressions if e.kind == "absolute"))

    def question_without_time(self) -> str:
        """The question with its relative expressions cut out, for the search: "Was geschah gestern in
        Berlin?" -> "Was geschah in Berlin?". Absolute ones stay (they may name the event). A question
        that was nothing but a time expression is returned whole (as is a reading made without its
        question)."""
        parts, position = [], 0
        for expression in self.expressions:
            if expression.kind == "relative":
                parts.append(self.question[position : expression.start])
                position = expression.end
        if not parts:
            return self.question
        parts.append(self.question[position:])
        text = re.sub(r"\s+([?.!,;:])", r"\1", " ".join("".join(parts).split()))
        return text if re.search(r"\w", text) else self.question

    def describe(self, language: str) -> str:
        """ "Verstanden als: letzte Woche (1.–7. September 2025)", "Understood as: …"; "" when nothing."""
        language = language if language in _UNDERSTOOD else "en"
        if not self.expressions:
            return ""
        parts = []
        for e in self.expressions:
            period = format_range(e.date_from, e.date_to, language)
            parts.append(e.text if e.text == period else f"{e.text} ({period})")  # "2016", not "2016 (2016)"
        return _UNDERSTOOD[language] + "; ".join(parts)

    def to_dict(self) -> dict:
        return {"expressions": [e.to_dict() for e in self.expressions], "recency": self.recency}


def _day(day: datetime.date, language: str, with_year: bool = True) -> str:
    month = _MONTH_NAMES[language][day.month - 1]
    text = f"{day.day}. {month}" if language == "de" else f"{day.day} {month}"
    return f"{text} {day.year}" if with_year else text


def format_range(first: datetime.date, last: datetime.date, language: str) -> str:
    """A period as people write it: "2024", "2000–2005", "September 2025", "3. September 2025",
    "1.–7. September 2025", "29 August – 4 September 2025"."""
    months = _MONTH_NAMES["de" if language == "de" else "en"]
    language = "de" if language == "de" else "en"
    if first.day == 1 and last == month_range(first.year, first.month)[1]:
        return f"{months[first.month - 1]} {first.year}"
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    if first == last:
        return _day(first, language)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}.–{_day(last, language)}" if language == "de" else f"{first.day}–{_day(last, language)}"
    return f"{_day(first, language, first.year != last.year)} – {_day(last, language)}"


# The patterns: each one's match is given its meaning by its resolver in qa.text.when_rules.
_S = r"\s{1,3}"
_NUM = r"\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True))
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))


def _p(pattern: str) -> re.Pattern[str]:
    """Compile with the spaces of the pattern written as bounded runs of whitespace (" ?": optional)."""
    return re.compile(pattern.replace(" ?", r"\s{0,3}").replace(" ", _S), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern, what its match means, and words one of which the lower-cased question must hold for
    the pattern to be tried at all (most questions hold none, and a substring test costs little)."""

    name: str
    kind: str
    pattern: re.Pattern[str]
    resolve: Resolver
    needs: tuple[str, ...]


# Prepositions before "letzte Woche", "diesem Monat", "past two weeks": part of the expression (and of
# what question_without_time cuts out), never a determiner that the qualifier itself could be.
_PREFIX = (
    r"(?P<prefix>(?:in der|in den|im|in|während der|während des|während|im laufe der|seit der|seit dem|seit"
    r"|in the|during the|over the|within the|for the|since the|during|over|within|since) )?"
)
_THIS_LAST = r"letzte[nmrs]?|vergangene[nmrs]?|vorige[nmrs]?|diese[nmrs]?|last|past|previous|this"

_WEEKEND = (
    r"\b(?P<prefix>(?:am|übers|über das|an diesem|over the|on the|at the|during the) )?"
    rf"(?:(?P<q>{_THIS_LAST}) )?(?P<u>wochenende|weekend)\b"
)
_UNITS = ("tag", "woche", "monat", "jahr", "day", "week", "month", "year")
_DIGITS = tuple("0123456789")
_MONTHS = tuple(MONTHS)
_DATE_DE = rf"\b(?:(?P<since>seit dem|seit)|am|vom)? ?(?P<d>\d{{1,2}})\. ?(?P<m>{_MONTH})(?: (?P<y>\d{{4}}))?\b"
_DATE_NUM = r"\b(?:(?P<since>seit dem|seit)|(?P<on>am|vom))? ?(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})?(?![.,]?\d)"
_DATE_EN = (
    rf"\b(?:(?P<since>since)|on the|on|the)? ?(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<m>{_MONTH})"
    r"(?:,? (?P<y>\d{4}))?\b"
)
_DATE_US = rf"\b(?:(?P<since>since)|on)? ?(?P<m>{_MONTH}) (?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<y>\d{{4}}))?\b"
_MONTH_RULE = (
    r"\b(?:(?P<p>im|in|on|seit|since|during|anfang|ende|mitte|early|late|mid|bis|until|ab|from) )?"
    rf"(?P<m>{_MONTH})(?: (?P<y>\d{{4}})\b| (?P<rel>letzten jahres|vergangenen jahres|dieses jahres"
    r"|last year|this year)\b)?\b(?!-)"
)
_MONTHS_RULE = (
    rf"\b(?:von|zwischen|between|from) (?P<m1>{_MONTH}) (?:bis|und|and|to|–|-) (?P<m2>{_MONTH})(?: (?P<y>\d{{4}}))?\b"
)
_DAYS_RULE = (
    r"\b(?:(?P<p>vom|von|zwischen dem|zwischen|between|from) )?(?P<d1>\d{1,2})(?:\.|st|nd|rd|th)? ?"
    rf"(?P<sep>bis|und|and|to|–|-) ?(?P<d2>\d{{1,2}})(?:\.|st|nd|rd|th)? (?:of )?(?P<m>{_MONTH})"
    r"(?:,? (?P<y>\d{4}))?\b"
)
_YEAR = (
    r"\b(?:(?P<p>im jahre?|in the year|anno|des jahres|aus dem jahre?|(?:bis|vor|nach) (?:zum|dem) jahre?"
    r"|seit|since|ab|im|in|um|around|during|vor|before|bis|until|nach|after|by|prior to) )?(?P<y>\d{4})\b"
)
_YEARS = (
    r"\b(?:(?P<p>von|from|zwischen|between) )?(?P<y1>\d{4})(?: ?(?P<sep>bis|to|und|and|–|-) ?(?P<y2>\d{4})"
    r"|(?P<sep2>[/-])(?P<y2s>\d{2}))\b(?![.,/-]?\d)"
)

RULES: tuple[Rule, ...] = (
    Rule(
        "day",
        "relative",
        _p(
            r"\b(?P<w>(?:vorgestern|gestern|heute)(?: (?:morgen|früh|vormittag|mittag|nachmittag|abend|nacht))?"
            r"|letzte nacht|the day before yesterday|yesterday|today|tonight"
            r"|this morning|this afternoon|this evening|last night)\b"
        ),
        resolve_day,
        ("heute", "gestern", "nacht", "today", "yesterday", "tonight", "this", "night"),
    ),
    Rule(
        "named",
        "relative",
        _p(_PREFIX + rf"\b(?P<q>{_THIS_LAST}) (?P<u>woche|monats?|jahres|jahr|week|month|year)\b"),
        resolve_named,
        _UNITS[1:],
    ),
    Rule(
        "last_n",
        "relative",
        _p(
            _PREFIX + rf"\b(?:letzten|vergangenen|last|past)(?: (?P<n>{_NUM}))?(?: few)? "
            r"(?P<u>stunden|tagen|wochen|monaten|jahren|hours|days|weeks|months|years)\b"
        ),
        resolve_last_n,
        ("letzten", "vergangenen", "last", "past"),
    ),
    Rule(
        "ago_de",
        "relative",
        _p(rf"\bvor (?P<n>{_NUM}) (?P<u>tagen|tag|wochen|woche|monaten|monat|jahren|jahr)\b"),
        resolve_ago,
        ("vor",),
    ),
    Rule(
        "ago_en",
        "relative",
        _p(rf"\b(?P<n>{_NUM}) (?P<u>days|day|weeks|week|months|month|years|year) ago\b"),
        resolve_ago,
        ("ago",),
    ),
    Rule(
        "weekday",
        "relative",
        _p(
            r"\b(?:(?P<since>seit|since) )?(?P<on>(?:am|on) )?"
            r"(?:(?P<q>letzten|letztem|vergangenen|vergangenem|diesen|diesem|last|previous|this) )?"
            rf"(?P<day>{_WEEKDAY})\b"
        ),
        resolve_weekday,
        ("tag", "day", "mittwoch", "sonnabend"),
    ),
    Rule("weekend", "relative", _p(_WEEKEND), resolve_weekend, ("wochenende", "weekend")),
    Rule("date_de", "absolute", _p(_DATE_DE), resolve_date, _MONTHS),
    Rule("date_num", "absolute", _p(_DATE_NUM), resolve_date, (".",)),
    Rule("date_en", "absolute", _p(_DATE_EN), resolve_date, _MONTHS),
    Rule("date_us", "absolute", _p(_DATE_US), resolve_date, _MONTHS),
    Rule("date_iso", "absolute", _p(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b(?!-)"), resolve_date, ("-",)),
    Rule("months", "absolute", _p(_MONTHS_RULE), resolve_months, _MONTHS),
    Rule("days", "absolute", _p(_DAYS_RULE), resolve_days, _MONTHS),
    Rule("month", "absolute", _p(_MONTH_RULE), resolve_month, _MONTHS),
    Rule("years", "absolute", _p(_YEARS), resolve_years, _DIGITS),
    Rule("year", "absolute", _p(_YEAR), resolve_year, _DIGITS),
)

RECENCY = re.compile(
    r"\b(?:neueste[nmrs]?|neuste[nmrs]?|aktuell(?:e[nmrs]?)?|zuletzt|derzeit(?:ig(?:e[nmrs]?)?)?|momentan"
    r"|kürzlich|neulich|vor\s{1,3}kurzem|in\s{1,3}letzter\s{1,3}zeit"
    r"|latest|newest|most\s{1,3}recent(?:ly)?|recently|currently|lately)\b",
    re.IGNORECASE,
)


def _candidates(text: str, as_of: datetime.date) -> list[TimeExpression]:
    found, lowered = [], text.lower()
    # "vor 50 Jahren" names when an event happened, not news to restrict to: preferred only.
    news_since = datetime.date(max(1, as_of.year - _NEWS_YEARS), 1, 1)
    for rule in RULES:
        if not any(word in lowered for word in rule.needs):
            continue
        for match in rule.pattern.finditer(text):
            try:
                period = rule.resolve(match, as_of)
            except (ValueError, OverflowError):  # a period before year 1 or after 9999 (as_of near either)
                continue
            if period is None:
                continue
            start, end = match.span()
            # The patterns' optional leading parts may have matched only whitespace.
            while start < end and text[start].isspace():
                start += 1
            kind = "absolute" if period[1] < news_since else rule.kind
            found.append(TimeExpression(text[start:end], start, end, period[0], period[1], kind, rule.name))
    return found


def read_time(question: str, as_of: datetime.date, language: str) -> TimeReading:
    """The time expressions of `question` (longest first where they overlap) and its recency words.

    Args:
        question: the question as asked; only its first MAX_CHARS characters are read.
        as_of: today, the day relative expressions count from.
        language: "de" or "en"; both languages' rules run, since questions mix them and the detected
            language of a short question is often wrong.
    """
    text = question[:MAX_CHARS]
    chosen: list[TimeExpression] = []
    taken = bytearray(len(text))  # characters already in a chosen expression: linear, not pairwise
    for candidate in sorted(_candidates(text, as_of), key=lambda e: (e.start - e.end, e.start)):
        if not any(taken[candidate.start : candidate.end]):
            chosen.append(candidate)
            taken[candidate.start : candidate.end] = b"\x01" * (candidate.end - candidate.start)
    chosen.sort(key=lambda e: e.start)
    logger.debug("time in question (%s): %d expressions", language, len(chosen))
    return TimeReading(tuple(chosen), RECENCY.search(text) is not None, question)
