"""The record's one interface, and the one place that picks its backend: SQLite beside the index
files (the embedded default) or PostgreSQL (`QA_DATABASE_URL=postgresql://...`, shared by machines).

The SQL both backends share is written once (qa.storage.record, qa.storage.fts) against `Session`:
`?` placeholders, portable SQL. Each backend keeps only its dialect: how to connect, how a write
transaction is serialised so that the change log's order is the commit order, and the lexical index
(FTS5 in SQLite; term tables with the same BM25 in PostgreSQL). Above qa.storage nothing knows which.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from qa.errors import InvalidRequest

# FTS5's bm25() constants: the PostgreSQL backend computes the same scores with them.
BM25_K1 = 1.2
BM25_B = 0.75


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int) -> list[Any]: ...

    def __iter__(self) -> Any: ...


class Session(Protocol):
    """One connection to the record of one generation: portable SQL, transactions, lexical search."""

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...

    # Whether `read_rows` takes turns with the process's other reads (SQLite's do, see qa.storage.sqlite):
    # a lone question's second connection does not (GenerationView.beside).
    takes_turns: bool

    def read_rows(self, sql: str, params: Sequence[Any] = (), /) -> list[Any]:
        """Every row of a read a question makes (its candidates' passages, vectors, terms), fetched at once.
        SQLite's reads of this process take turns here unless `takes_turns` is False: see qa.storage.sqlite."""
        ...

    @property
    def in_transaction(self) -> bool: ...

    @property
    def record_key(self) -> str:
        """Names this record among all (the lexical counts are cached per record)."""
        ...

    def begin_read(self) -> None:
        """A read transaction: every statement until commit() sees one state of the record."""

    def begin_write(self) -> None:
        """A write transaction that holds the record's write lock until commit() or rollback()."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        """Run an `INSERT ... RETURNING id` and return the id."""
        ...

    # -- the lexical index (the dialect's part; the shared logic is in qa.storage.fts) ------------------

    def add_terms(self, rows: list[tuple[int, list[str], str]]) -> None:
        """Index (passage id, stemmed terms, language) rows inside the caller's transaction."""

    def remove_terms(self, passage_ids: list[int]) -> None: ...

    def term_counts(self, terms: list[str]) -> dict[str, int]:
        """How many passages hold each term, in its terms or as its language (absent: none)."""
        ...

    def passage_count(self) -> int:
        """About how many passages the lexical index holds (the largest id: cheap, an upper bound)."""
        ...

    def ranked(self, terms: list[str], language: str | None, limit: int) -> list[tuple[int, float]]:
        """Up to `limit` (passage id, BM25 score > 0) holding any of `terms` (and in `language`), best first."""
        ...

    def holding(self, terms: list[str], limit: int) -> list[int]:
        """Up to `limit` passage ids holding any of `terms`, by id."""
        ...


class Record(Protocol):
    """Where one generation's record lives, and the errors its driver raises."""

    errors: tuple[type[Exception], ...]
    lost_connection: tuple[type[Exception], ...]  # of `errors`, those that mean the server went away
    kind: str  # "sqlite" or "postgresql", recorded in the manifest
    location: str
    reads_elsewhere: bool  # reads go to another server than writes (a standby), which may lag behind

    def connect(self, write: bool = False) -> Session:
        """A session; `write` ones go to the primary, the others may read a standby."""
        ...

    def open_for_carry(self) -> Session:
        """A write session on a record of an earlier version, read with today's columns."""
        ...

    def exists(self) -> bool: ...

    def create(self) -> None:
        """Create the empty record (its tables) of a generation being built."""

    def check(self, dim: int) -> None:
        """Raise IndexMismatch, in one sentence, when this is not a readable record of `dim`-float vectors."""

    def finish(self, session: Session) -> None:
        """After a build: make the record compact and its statistics current."""

    def drop(self) -> None:
        """Delete this record (a generation replaced or never finished); nothing when it is not there."""


def open_record(directory: Path, database_url: str = "", read_url: str = "") -> Record:
    """The record of the generation in `directory`: `qa.sqlite` inside it without a database URL, else
    the generation's schema in PostgreSQL (reads from `read_url` when given: a local standby)."""
    if not database_url:
        from qa.storage.sqlite import SqliteRecord

        return SqliteRecord(directory)
    from qa.storage.postgres import PostgresRecord

    return PostgresRecord(directory, database_url, read_url or database_url)


def init_database(url: str) -> str:
    """Make the database of `url` ready for generations (`qa db init`); what was done, in words."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise InvalidRequest("the database URL must be a postgresql:// URL (SQLite needs no set-up)")
    from qa.storage.postgres import init_database as init_postgres

    return init_postgres(url)
