"""What a time pattern's match means (the patterns are in qa.text.when): word tables, calendar
arithmetic and one resolver per pattern.

A resolver turns a match into an inclusive date range relative to `as_of`, or None when the match is
not a time expression after all ("die letzte Woche des Wahlkampfs", "2024 Menschen", "noch heute").
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

Range = tuple[datetime.date, datetime.date]
Resolver = Callable[[re.Match[str], datetime.date], Range | None]


def _table(groups: str, values: list[int] | None = None) -> dict[str, int]:
    """'a b|c' -> {'a': 1, 'b': 1, 'c': 2}: the names of each group, numbered from 1 or by `values`."""
    numbers = values or list(range(1, groups.count("|") + 2))
    return {name: numbers[i] for i, names in enumerate(groups.split("|")) for name in names.split()}


MONTHS = _table(
    "januar jänner january|februar february|märz maerz march|april|mai may|juni june|juli july|august"
    "|september|oktober october|november|dezember december"
)
WEEKDAYS = _table(
    "montag monday|dienstag tuesday|mittwoch wednesday|donnerstag thursday|freitag friday"
    "|samstag sonnabend saturday|sonntag sunday",
    list(range(7)),
)
NUMBERS = _table(
    "ein eine einen einem einer a an one|zwei two|drei three|vier four|fünf fuenf five|sechs six|sieben seven"
    "|acht eight|neun nine|zehn ten|elf eleven|zwölf zwoelf twelve|vierzehn fourteen|zwanzig twenty"
    "|dreißig dreissig thirty",
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 20, 30],
)
# A number just before one of these is a count, not a year ("2024 Menschen", "1500 Metern").
COUNT_NOUNS = frozenset(
    "menschen personen leute einwohner soldaten tote toten opfer euro dollar meter metern kilometer km "
    "tonnen stimmen mitglieder mitarbeiter studenten schüler exemplare stück zuschauer besucher punkte "
    "sitze männer frauen kinder jahre jahren tage tagen fuß people persons residents inhabitants soldiers "
    "dead deaths victims euros dollars meters metres miles kilometers tons votes members employees "
    "students copies fans spectators visitors points yards seats men women children feet years days".split()
)
# A number just after one of these is a name or a label, not a year ("Windows 2000", "Flug 2024").
LABEL_WORDS = frozenset(
    "nummer nr no number platz seite page flug flight linie line route zimmer room windows artikel "
    "article paragraph modell model typ type version bus code".split()
)
# "des Wahlkampfs" after "letzte Woche" makes it a week of something else; "der"/"einer" only after
# an article ("die letzte Woche der Saison"), since "Was hat letzte Woche der Kanzler gesagt?" is common.
_GENITIVE = frozenset(("des", "eines", "seines", "ihres", "dieses", "of"))
_GENITIVE_AFTER_ARTICLE = frozenset(("der", "einer", "seiner", "ihrer"))
_ARTICLES = frozenset("die der den dem das the".split())
_POSSESSIVES = frozenset(
    "sein seine seiner seinem seinen ihr ihre ihrer ihrem ihren mein meine meiner meinem unser unsere unserer "
    "his her their its my our".split()
)
# "noch heute", "bis heute", "even today": nowadays, not the news of today.
_NOT_TODAY = frozenset("noch bis auch selbst ab von even still until till to of usa".split())

_WORD_BEFORE = re.compile(r"(\w+)\W{0,3}$")
_WORD_AFTER = re.compile(r"^\W{0,3}(\w+)")


def word_before(match: re.Match[str]) -> str:
    found = _WORD_BEFORE.search(match.string, max(0, match.start() - 40), match.start())
    return found.group(1).lower() if found else ""


def word_after(match: re.Match[str]) -> str:
    found = _WORD_AFTER.search(match.string[match.end() : match.end() + 40])
    return found.group(1).lower() if found else ""


def _of_something_else(match: re.Match[str]) -> bool:
    """'die letzte Woche des Wahlkampfs', 'the last year of the war', 'seine letzte Woche'."""
    after, before = word_after(match), word_before(match)
    article = before in _ARTICLES or match.group("prefix") is not None
    return after in _GENITIVE or (after in _GENITIVE_AFTER_ARTICLE and article) or before in _POSSESSIVES


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def month_range(year: int, month: int) -> Range:
    first = datetime.date(year, month, 1)
    if month == 12:  # no date after 31 December 9999
        return first, datetime.date(year, 12, 31)
    return first, datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = month_range(year, month + 1)[1].day
    return datetime.date(year, month + 1, min(day.day, last))


def _number(text: str | None, default: int) -> int:
    if not text:
        return default
    return int(text) if text.isdigit() else NUMBERS[text.lower()]


def _unit(text: str) -> str:
    """'Stunden', 'Tagen', 'weeks', 'Monat', 'Jahres' -> 'hour', 'day', 'week', 'month', 'year'."""
    head = text.lower()[:2]
    units = {"st": "hour", "ho": "hour", "ta": "day", "da": "day", "wo": "week", "we": "week", "mo": "month"}
    return units.get(head, "year")


def _back(as_of: datetime.date, n: int, unit: str) -> datetime.date:
    if unit == "hour":  # "in den letzten 24 Stunden": from the day they began
        return as_of - datetime.timedelta(days=-(-n // 24))
    if unit == "day":
        return as_of - datetime.timedelta(days=n)
    if unit == "week":
        return as_of - datetime.timedelta(days=7 * n)
    return add_months(as_of, -n * (12 if unit == "year" else 1))


# Days back from as_of to the first and the last day each word means.
_DAYS_BACK = {
    **dict.fromkeys(("heute", "today", "this morning", "this afternoon", "this evening", "tonight"), (0, 0)),
    **dict.fromkeys(("gestern", "yesterday"), (1, 1)),
    **dict.fromkeys(("vorgestern", "the day before yesterday"), (2, 2)),
    **dict.fromkeys(("letzte nacht", "last night"), (1, 0)),
}


def resolve_day(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """heute, gestern, vorgestern, tonight, last night; not "noch heute", "heute-show", "USA Today"."""
    word = " ".join(match.group("w").lower().split())
    if word in ("heute", "today") and (
        word_before(match) in _NOT_TODAY
        or word_after(match) == "noch"
        or match.string[match.end() : match.end() + 1] == "-"
    ):
        return None
    first, last = _DAYS_BACK[word] if word in _DAYS_BACK else _DAYS_BACK[word.split()[0]]  # "gestern Abend"
    return as_of - datetime.timedelta(days=first), as_of - datetime.timedelta(days=last)


def resolve_named(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """letzte Woche, diesen Monat, last year, the past week, im vergangenen Jahr; seit letzter Woche."""
    if _of_something_else(match):
        return None
    period = _named(match.group("q").lower(), _unit(match.group("u")), as_of)
    since = (match.group("prefix") or "").lower().startswith(("seit", "since"))
    return (period[0], as_of) if since else period


def _named(which: str, unit: str, as_of: datetime.date) -> Range:
    if which == "past":
        return _back(as_of, 1, unit) + datetime.timedelta(days=1), as_of
    this = which.startswith(("dies", "this"))
    if unit == "week":
        start = week_start(as_of) - datetime.timedelta(days=0 if this else 7)
        return start, as_of if this else start + datetime.timedelta(days=6)
    if unit == "month":
        first = add_months(as_of.replace(day=1), 0 if this else -1)
        return (first, as_of) if this else month_range(first.year, first.month)
    year = as_of.year if this else as_of.year - 1
    return datetime.date(year, 1, 1), as_of if this else datetime.date(year, 12, 31)


# Numberless "in den letzten Tagen / Wochen": a week, four weeks.
_DEFAULT_COUNT = {"day": 7, "week": 4}


def resolve_weekend(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """am Wochenende, letztes Wochenende, over the weekend: the one under way, else the last one."""
    if not (match.group("prefix") or match.group("q")) or _of_something_else(match):
        return None
    saturday = week_start(as_of) + datetime.timedelta(days=5)
    if as_of >= saturday and not (match.group("q") or "").lower().startswith(_LAST):
        return saturday, as_of
    return saturday - datetime.timedelta(days=7), saturday - datetime.timedelta(days=6)


def resolve_last_n(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """in den letzten 7 Tagen, in the past two weeks, over the last three months."""
    if _of_something_else(match):
        return None
    unit = _unit(match.group("u"))
    if not match.group("n") and unit not in _DEFAULT_COUNT:
        return None
    n = _number(match.group("n"), _DEFAULT_COUNT.get(unit, 1))
    if not 1 <= n <= 999:
        return None
    return _back(as_of, n, unit) + datetime.timedelta(days=0 if unit == "hour" else 1), as_of


def resolve_ago(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """vor drei Tagen, two weeks ago: that day, its week, its month or its year."""
    unit, n = _unit(match.group("u")), _number(match.group("n"), 1)
    if not 1 <= n <= 999 or (unit == "year" and n > as_of.year - 1900):
        return None
    day = _back(as_of, n, unit)
    if unit == "day":
        return day, day
    if unit == "week":
        return week_start(day), week_start(day) + datetime.timedelta(days=6)
    if unit == "month":
        return month_range(day.year, day.month)
    return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)


_LAST = ("letzt", "vergangen", "vorig", "last", "past", "previous")


def resolve_weekday(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """seit Montag, on Monday, letzten Freitag: the most recent such day (before today for 'letzten')."""
    if not (match.group("since") or match.group("on") or match.group("q")):
        return None
    wanted, which = WEEKDAYS[match.group("day").lower()], (match.group("q") or "").lower()
    back = (as_of.weekday() - wanted) % 7
    if back == 0 and which.startswith(_LAST):
        back = 7
    day = as_of - datetime.timedelta(days=back)
    return (day, as_of) if match.group("since") else (day, day)


def _recent_date(year: int | None, month: int, day: int, as_of: datetime.date) -> datetime.date | None:
    """That day of `year`, or without a year the most recent one not after `as_of` (29 February: a leap year)."""
    for candidate in [year] if year is not None else range(as_of.year, as_of.year - 8, -1):
        try:
            found = datetime.date(candidate, month, day)
        except ValueError:
            continue
        if year is not None or found <= as_of:
            return found
    return None


def resolve_date(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """3. September 2025, 3 September, September 3, 2025, 3.9.2025, 2025-09-03."""
    month_text = match.group("m")
    month = int(month_text) if month_text.isdigit() else MONTHS[month_text.lower()]
    year = int(match.group("y")) if match.group("y") else None
    if year is not None and not 1000 <= year <= as_of.year + 1:
        return None
    day = _recent_date(year, month, int(match.group("d")), as_of)
    if day is None:
        return None
    groups = match.groupdict()
    if match.group("m").isdigit() and year is None and not (groups.get("since") or groups.get("on")):
        return None
    return (day, as_of) if groups.get("since") and day <= as_of else (day, day)


def resolve_month(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """im September 2025, in March (the most recent one), im Mai letzten Jahres, seit März."""
    prep, year_text, relative = (match.group(name) for name in ("p", "y", "rel"))
    if not (prep or year_text or relative) or (prep or "").lower() in ("bis", "until"):
        return None
    if match.string[match.end() : match.end() + 2] in ("'s", "’s"):  # "in May's cabinet"
        return None
    month = MONTHS[match.group("m").lower()]
    if year_text:
        year = int(year_text)
        if not 1000 <= year <= as_of.year + 1:
            return None
    elif relative:
        year = as_of.year - (0 if relative.lower().startswith(("dies", "this")) else 1)
    else:
        year = as_of.year if month <= as_of.month else as_of.year - 1
    first, last = month_range(year, month)
    if (prep or "").lower() in ("seit", "since", "ab", "from"):
        return (first, as_of) if first <= as_of else None
    return first, last


_STRONG_YEAR = ("im jahr", "in the year", "anno", "des jahres", "aus dem jahr")


def resolve_year(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """2024, im Jahr 2024, seit 2020; not 2.000, 2024 Menschen, Windows 2000, vor/bis 2000."""
    year, prep = int(match.group("y")), " ".join((match.group("p") or "").lower().split())
    strong = prep.startswith(_STRONG_YEAR)
    if not (1000 if strong else 1900) <= year <= as_of.year + 1:
        return None
    text, end = match.string, match.end()
    before = text[match.start() - 1 : match.start()]
    after = text[end : end + 2]
    if before and before in ".,/:$€£#§-" or re.match(r"[.,:/]\d|['’]s|%| %", after):
        return None
    if prep.startswith(("vor", "before", "bis", "until", "nach", "after", "by", "prior")):
        return None
    if not strong and (word_after(match) in COUNT_NOUNS or (not prep and word_before(match) in LABEL_WORDS)):
        return None
    if prep in ("seit", "since", "ab"):
        return (datetime.date(year, 1, 1), as_of) if year <= as_of.year else None
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def resolve_years(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """von 2000 bis 2005, between 1980 and 1984, 1995–2000, 2024/25: both years and the ones between."""
    first = int(match.group("y1"))
    if match.group("y2s"):  # "Saison 2024/25", "the 2015-16 season": two digits only for the next year
        last = first + 1 if int(match.group("y2s")) == (first + 1) % 100 else 0
    else:
        last = int(match.group("y2"))
        if not match.group("p") and match.group("sep").lower() in ("und", "and"):
            return None
    if not 1900 <= first < last <= as_of.year + 1 or word_after(match) in COUNT_NOUNS:
        return None
    return datetime.date(first, 1, 1), datetime.date(last, 12, 31)


def resolve_months(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """von März bis Mai, between May and July 2024: the first month's start to the last one's end."""
    first, last = MONTHS[match.group("m1").lower()], MONTHS[match.group("m2").lower()]
    if match.group("y"):
        year = int(match.group("y"))
        if not 1000 <= year <= as_of.year + 1:
            return None
    else:
        year = as_of.year if last <= as_of.month else as_of.year - 1
    return datetime.date(year - (first > last), first, 1), month_range(year, last)[1]


def resolve_days(match: re.Match[str], as_of: datetime.date) -> Range | None:
    """vom 3. bis 5. September, 3.–5. September 2025, between 3 and 5 September."""
    if not (match.group("p") or match.group("sep") in ("–", "-")):
        return None
    year = int(match.group("y")) if match.group("y") else None
    if year is not None and not 1000 <= year <= as_of.year + 1:
        return None
    month = MONTHS[match.group("m").lower()]
    last = _recent_date(year, month, int(match.group("d2")), as_of)
    if last is None or not 1 <= int(match.group("d1")) < last.day:
        return None
    return last.replace(day=int(match.group("d1"))), last
