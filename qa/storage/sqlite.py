"""SQLite, the embedded record: `qa.sqlite` inside each generation's directory, FTS5 for the terms.

Only SQLite's dialect lives here: the connection (WAL, synchronous=FULL), the write lock (BEGIN
IMMEDIATE: one writer at a time across processes, so the change log's order is the commit order)
and the FTS5 lexical index with its bm25(). The SQL both backends share is in qa.storage.record.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from qa.errors import IndexMismatch
from qa.storage import upgrade

# How long a writer waits for another process's write transaction before giving up (a 503 to retry).
BUSY_TIMEOUT_S = 30.0
FILE = "qa.sqlite"
_TABLES = {"documents", "passages", "sentences", "changes", "lexical"}
_SCORE = "bm25(lexical, 1.0, 0.0)"  # the language column weighs nothing: the same scores with or without it


# A question's reads of many rows take turns within a process. Python's sqlite3 lets the GIL go and takes
# it back around every row it steps to, so with 8 requests reading at once each row waited for the GIL
# behind the others' Python: 8 threads hydrated 113-182 candidate sets (150 passages) a second where one
# thread alone did 300-343, and 266-298 when they took turns; a server under 8 clients answered 9-25 %
# more questions a second (qa/lab/README.md, issue 26, "The reads take turns").
_ROW_READS = threading.Lock()


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _match(terms: list[str]) -> str:
    return "terms : (" + " OR ".join(_phrase(term) for term in terms) + ")"


class SqliteSession(sqlite3.Connection):
    """A connection to one qa.sqlite: sqlite3's own, with the record's transactions and FTS5 search."""

    @property
    def record_key(self) -> str:
        return str(self.execute("PRAGMA database_list").fetchone()[2])

    def begin_read(self) -> None:
        self.execute("BEGIN")

    def begin_write(self) -> None:
        self.execute("BEGIN IMMEDIATE")

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        return int(self.execute(sql, params).fetchone()[0])

    takes_turns = True

    def read_rows(self, sql: str, params: Sequence[Any] = (), /) -> list[Any]:
        if not self.takes_turns:
            return self.execute(sql, params).fetchall()
        with _ROW_READS:
            return self.execute(sql, params).fetchall()

    def add_terms(self, rows: list[tuple[int, list[str], str]]) -> None:
        self.executemany(
            "INSERT INTO lexical (rowid, terms, language) VALUES (?, ?, ?)",
            [(passage_id, " ".join(terms), language) for passage_id, terms, language in rows],
        )

    def remove_terms(self, passage_ids: list[int]) -> None:
        self.executemany("DELETE FROM lexical WHERE rowid = ?", [(pid,) for pid in passage_ids])

    def term_counts(self, terms: list[str]) -> dict[str, int]:
        marks = ",".join("?" * len(terms))
        rows = self.read_rows(f"SELECT term, doc FROM lexical_terms WHERE term IN ({marks})", terms)
        return {term: int(doc) for term, doc in rows}

    def passage_count(self) -> int:
        return int(self.execute("SELECT max(rowid) FROM lexical").fetchone()[0] or 0)

    def ranked(self, terms: list[str], language: str | None, limit: int) -> list[tuple[int, float]]:
        match = _match(terms)
        if language is not None:
            match += " AND language : " + _phrase(language)
        rows = self.read_rows(
            f"SELECT rowid, -{_SCORE} FROM lexical WHERE lexical MATCH ? ORDER BY {_SCORE} LIMIT ?", (match, limit)
        )
        return [(int(pid), float(score)) for pid, score in rows]

    def holding(self, terms: list[str], limit: int) -> list[int]:
        rows = self.read_rows("SELECT rowid FROM lexical WHERE lexical MATCH ? LIMIT ?", (_match(terms), limit))
        return [int(pid) for (pid,) in rows]


def connect(path: str | Path) -> SqliteSession:
    """WAL for concurrent readers, synchronous=FULL so a committed write survives power loss or kill -9."""
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False, factory=SqliteSession
    )
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    return conn


def init_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(resources.files("qa.storage").joinpath("schema.sql").read_text(encoding="utf-8"))


class SqliteRecord:
    """The record of one generation as the file `qa.sqlite` in its directory."""

    errors: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)
    lost_connection: tuple[type[Exception], ...] = ()  # a file does not go away mid-question
    kind = "sqlite"
    reads_elsewhere = False

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE
        self.location = str(self.path)

    def connect(self, write: bool = False) -> SqliteSession:
        try:
            return connect(self.path)
        except sqlite3.DatabaseError as error:
            raise IndexMismatch(f"{self.path} cannot be opened: {error}") from None

    def exists(self) -> bool:
        return self.path.is_file()

    def create(self) -> None:
        conn = connect(self.path)
        try:
            init_schema(conn)
        finally:
            conn.close()

    def check(self, dim: int) -> None:
        """Refuse, in one sentence, a qa.sqlite that is not an index of vectors of `dim` floats (emptied,
        truncated, another file, a manifest edited by hand), before anything reads it half-way."""
        path = self.path
        if not path.is_file():
            raise IndexMismatch(f"{path.parent} has no {FILE}: rebuild the index with `qa index`")
        try:
            conn = connect(path)
            try:
                tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                row = (
                    conn.execute("SELECT length(vector) FROM passages LIMIT 1").fetchone()
                    if "passages" in tables
                    else None
                )
                upgraded = "documents" not in tables or upgrade.add_missing_columns(conn)
            finally:
                conn.close()
        except sqlite3.DatabaseError as error:
            raise IndexMismatch(f"{path} is not a readable index ({error}): rebuild it with `qa index`") from None
        if not _TABLES <= tables:
            raise IndexMismatch(f"{path} lacks the tables of an index: rebuild it with `qa index`")
        if not upgraded:
            raise IndexMismatch(
                f"{path} lacks columns of this version (url, section) and cannot be written to add them: "
                "rebuild it with `qa index`"
            )
        if row is not None and row[0] != dim * 2:  # float16 since format 4
            raise IndexMismatch(
                f"{path} holds vectors of {row[0] // 2} floats but its manifest says {dim}: rebuild it with `qa index`"
            )

    def open_for_carry(self) -> SqliteSession:
        """A connection to a record of an earlier version, read with today's columns."""
        conn = connect(self.path)
        upgrade.add_missing_columns(conn)
        return conn

    def finish(self, session: Any) -> None:
        session.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def drop(self) -> None:
        """Nothing to do: the file goes with its generation's directory."""
