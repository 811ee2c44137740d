"""What a filter asks about each passage (its article's date and source, the article, its language),
held in numpy arrays indexed by passage id, so a filter becomes a boolean mask in a millisecond.

Why in memory and not SQL: the allowed passages must be known before the top k are cut (a filter that
matches 0.1 % of the archive still returns top_k passages), and the dense search takes them as a
bitmap (a FAISS IDSelectorBitmap). Listing them through SQL costs time in proportion to how many
match (hundreds of milliseconds for a year of a million-passage archive); a mask over arrays costs
about a millisecond per million passages whatever matches. About 14 bytes per passage. The arrays
follow the change log exactly like the dense index (Generation._sync), so they are never staler
than the vectors a search uses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

import numpy as np

from qa.records import Filters
from qa.storage.database import Session

UNDATED = np.iinfo(np.int32).min  # the day of an undated article: below every date filter
_EPOCH = dt.date(1970, 1, 1)
_CHUNK = 900  # ids per IN (...) query: under SQLite's variable limit


def day_number(iso: str) -> int:
    """Days since 1970-01-01 of a YYYY-MM-DD date."""
    return (dt.date.fromisoformat(iso) - _EPOCH).days


def day_text(day: int) -> str:
    return (_EPOCH + dt.timedelta(days=int(day))).isoformat()


class _Codes:
    """Small integer codes for repeated strings (sources, document ids, languages)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._codes: dict[str, int] = {}

    def code(self, name: str) -> int:
        found = self._codes.get(name)
        if found is None:
            found = self._codes[name] = len(self.names)
            self.names.append(name)
        return found

    @classmethod
    def of(cls, names: list[str]) -> _Codes:
        codes = cls()
        codes.names = list(names)
        codes._codes = {name: i for i, name in enumerate(codes.names)}
        return codes

    def known(self, names: tuple[str, ...]) -> np.ndarray:
        """Codes of those names that exist (an unknown name simply matches nothing)."""
        return np.array([self._codes[n] for n in names if n in self._codes], dtype=np.int32)


class PassageFacts:
    """Per passage id: alive, day, source code, document code, language code (all arrays of one length)."""

    def __init__(self) -> None:
        self.alive = np.zeros(0, dtype=bool)
        self.day = np.zeros(0, dtype=np.int32)
        self.source = np.zeros(0, dtype=np.int32)
        self.document = np.zeros(0, dtype=np.int32)
        self.language = np.zeros(0, dtype=np.int8)
        self.sources = _Codes()
        self.documents = _Codes()
        self.languages = _Codes()
        self._newest: int | None = None
        self._newest_known = True
        self._newest_lock = threading.Lock()  # a question may ask while a change is applied

    def __len__(self) -> int:
        return int(self.alive.sum())

    def _grow(self, max_id: int) -> None:
        if max_id < self.alive.size:
            return
        size = max(max_id + 1, int(self.alive.size * 1.5) + 16)
        for name in ("alive", "day", "source", "document", "language"):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: old.size] = old
            setattr(self, name, new)

    def _store(self, rows: list[tuple[int, str, str | None, str, str]]) -> None:
        """rows: (passage id, language, article date or None, article source, document id)."""
        if not rows:
            return
        self._grow(max(row[0] for row in rows))
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        self.language[ids] = [self.languages.code(row[1]) for row in rows]
        days = np.fromiter((day_number(row[2]) if row[2] else UNDATED for row in rows), dtype=np.int32, count=len(rows))
        self.day[ids] = days
        self.source[ids] = [self.sources.code(row[3]) for row in rows]
        self.document[ids] = [self.documents.code(row[4]) for row in rows]
        self.alive[ids] = True
        dated = days[days != UNDATED]
        with self._newest_lock:
            if dated.size and self._newest_known:
                newest = int(dated.max())
                self._newest = newest if self._newest is None else max(self._newest, newest)

    _SELECT = (
        "SELECT p.id, p.language, d.date, d.source, p.document_id FROM passages p "
        "JOIN documents d ON d.id = p.document_id"
    )

    @classmethod
    def load(cls, conn: Session) -> PassageFacts:
        """Every stored passage's facts (one read of the record when an index opens)."""
        facts = cls()
        cursor = conn.execute(cls._SELECT)
        while rows := cursor.fetchmany(50_000):
            facts._store(rows)
        return facts

    _ARRAYS = ("alive", "day", "source", "document", "language")
    _CODES = ("sources", "documents", "languages")

    def copy(self) -> PassageFacts:
        """An independent copy (what a snapshot writes while searches go on)."""
        copy = PassageFacts()
        for name in self._ARRAYS:
            setattr(copy, name, getattr(self, name).copy())
        for name in self._CODES:
            setattr(copy, name, _Codes.of(getattr(self, name).names))
        copy._newest, copy._newest_known = self._newest, self._newest_known
        return copy

    def save(self, path: Path) -> None:
        """Write the facts beside a dense snapshot of the same change, so that opening an archive reads
        ~14 bytes a passage from one file instead of scanning the passages table (seconds at a million)."""
        names = {name: getattr(self, name).names for name in self._CODES}
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                **{name: getattr(self, name) for name in self._ARRAYS},
                names=np.frombuffer(json.dumps(names).encode("utf-8"), dtype=np.uint8),
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    @classmethod
    def open(cls, path: Path) -> PassageFacts:
        """The facts `save` wrote (raises OSError or ValueError when the file is unreadable)."""
        facts = cls()
        with np.load(path) as data:
            arrays = {name: data[name] for name in cls._ARRAYS}
            names = json.loads(data["names"].tobytes().decode("utf-8"))
        if len({array.size for array in arrays.values()}) != 1:
            raise ValueError(f"{path}: arrays of different lengths")
        for name, array in arrays.items():
            setattr(facts, name, array.astype(getattr(facts, name).dtype, copy=False))
        for name in cls._CODES:
            setattr(facts, name, _Codes.of(names[name]))
        facts._newest_known = False
        return facts

    @classmethod
    def read(cls, conn: Session, ids: list[int]) -> list[tuple]:
        """The fact rows of these passages (read before `add`, outside any lock searches wait for)."""
        rows: list[tuple] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows.extend(conn.execute(f"{cls._SELECT} WHERE p.id IN ({marks})", chunk).fetchall())
        return rows

    def add(self, rows: list[tuple]) -> None:
        """Store rows from `read`."""
        self._store(rows)

    def remove(self, ids: list[int]) -> None:
        known = np.asarray([i for i in ids if 0 <= i < self.alive.size], dtype=np.int64)
        with self._newest_lock:
            if known.size and self._newest_known and np.any(self.day[known] == self._newest):
                self._newest_known = False
            self.alive[known] = False

    def newest_day(self) -> int | None:
        """The newest article date among live passages (None when nothing is dated). Kept as passages
        come and recomputed only after the newest one went: every question asks for it."""
        with self._newest_lock:
            if not self._newest_known:
                days = self.day[self.alive & (self.day != UNDATED)]
                self._newest = int(days.max()) if days.size else None
                self._newest_known = True
            return self._newest

    def mask(self, filters: Filters) -> np.ndarray:
        """Boolean (n_ids,) array: True for the live passages the filters allow."""
        allowed = self.alive.copy()
        if filters.date_from or filters.date_to:
            allowed &= self.day != UNDATED
            if filters.date_from:
                allowed &= self.day >= day_number(filters.date_from)
            if filters.date_to:
                allowed &= self.day <= day_number(filters.date_to)
        if filters.sources:
            allowed &= np.isin(self.source, self.sources.known(filters.sources))
        if filters.documents:
            allowed &= np.isin(self.document, self.documents.known(filters.documents))
        if filters.language:
            allowed &= np.isin(self.language, self.languages.known((filters.language,)))
        return allowed

    def in_language(self, ids: np.ndarray, language: str) -> np.ndarray:
        """Boolean per passage id: is it in `language` (False for an id not known here)."""
        ids = np.asarray(ids, dtype=np.int64)
        codes = self.languages.known((language,))
        languages = self.language  # one array, also when a change grows it meanwhile
        result = np.zeros(ids.shape, dtype=bool)
        inside = (ids >= 0) & (ids < languages.size)
        if codes.size:
            result[inside] = languages[ids[inside]] == codes[0]
        return result

    def days_of(self, ids: np.ndarray) -> np.ndarray:
        """Day numbers (UNDATED where none) of these passage ids."""
        ids = np.asarray(ids, dtype=np.int64)
        inside = (ids >= 0) & (ids < self.day.size)
        days = np.full(ids.shape, UNDATED, dtype=np.int32)
        days[inside] = self.day[ids[inside]]
        return days
