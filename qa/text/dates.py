"""Publication dates as newsrooms write them -> the calendar date stored (YYYY-MM-DD).

Exports and feeds give date-times (`2025-10-21T14:30:00+02:00`, `Tue, 21 Oct 2025 14:30:00 +0200`);
an article belongs to the day its newsroom published it, so a date-time is stored as its calendar
date in its own offset's local time, never converted to UTC first (23:30 in New York stays that day).
"""

from __future__ import annotations

import datetime as dt
import email.utils

from qa.errors import InvalidRequest

# Longer than any real date string; a longer value is refused before any parser sees it.
MAX_DATE_CHARS = 64


def _calendar_date(value: str) -> dt.date | None:
    text = value.strip()
    if len(text) > MAX_DATE_CHARS:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        # ISO 8601 date-times with any offset ("Z" too): the date part is the local date.
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date()  # RFC 822 / 2822, as RSS writes them
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_date(value: object, where: str = "date") -> str | None:
    """The calendar date of `value` as YYYY-MM-DD, or None for nothing.

    Accepts an ISO date, an ISO 8601 date-time (any offset; stored as the date in that offset's local
    time), an RFC 822 date-time, and a date or datetime object (YAML front matter gives those).

    Raises:
        InvalidRequest: anything else, naming `where`.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise InvalidRequest(f"{where} must be a string such as 2025-09-04, got {type(value).__name__}")
    day = _calendar_date(value)
    if day is None:
        shown = value if len(value) <= MAX_DATE_CHARS else value[:MAX_DATE_CHARS] + "…"
        raise InvalidRequest(
            f"{where} {shown!r} is not a date: use YYYY-MM-DD, an ISO 8601 date-time or an RFC 822 date"
        )
    return day.isoformat()
