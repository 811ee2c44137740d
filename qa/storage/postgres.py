"""PostgreSQL, the record several machines share (`QA_DATABASE_URL`): each generation in its own schema.

Only PostgreSQL's dialect lives here. A write transaction takes the record's advisory lock first
and holds it to its commit, so the change log's sequence numbers are committed in their order (a
reader never sees change n+1 without change n) and is acknowledged only after its COMMIT returned.
A read transaction is REPEATABLE READ: every statement of a question sees one state, as SQLite's
read transaction does. Reads may go to a standby (`QA_READ_DATABASE_URL`), writes always to the
primary. The lexical index is the writer's own term tables, scored with FTS5's bm25() formula on the
same stemmed terms, so both backends give the same scores (PostgreSQL's text search stems German
differently and its ts_rank_cd has no IDF).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

from qa.errors import IndexMismatch, IndexNotReady, IndexNotWritable
from qa.storage.postgres_lexical import LexicalTables

logger = logging.getLogger(__name__)

# How long a writer waits for another writer's lock before giving up (a 503 to retry), as SQLite's busy timeout.
LOCK_TIMEOUT_S = 30
CONNECT_TIMEOUT_S = 5
STANDBY_WAIT_S = 5.0
_TABLES = {"documents", "passages", "sentences", "changes", "lexical_postings", "lexical_terms"}
_ANALYZED = _TABLES | {"lexical_passages", "lexical_languages"}
_STAMP = re.compile(r"^(?:gen-|\.building-)(\w+?)(?:-\d+)?$")


def schema_of(directory: Path) -> str:
    """The schema of a generation: named by its time stamp, the same while it is built and once swapped in."""
    found = _STAMP.match(directory.name)
    if not found:
        raise ValueError(f"not a generation directory: {directory.name}")
    return "qa_" + found.group(1).lower()


def _where(url: str) -> str:
    """host:port/database of a URL, without its user or password (what messages may show)."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the database URL"
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


_IN_LIST = re.compile(r"IN \((\?(?:,\?)*)\)")


def _in_lists_as_arrays(statement: str, params: Sequence[Any]) -> tuple[str, Sequence[Any]]:
    """Each `IN (?,?,...)` of the shared SQL as `= ANY(?)` with one array parameter. Why: a list of
    300 placeholders is parsed and planned anew for every length; an array is one parameter, so a
    question's reads of ~100-300 passages by id are one statement that the server prepares once."""
    if "IN (?" not in statement:
        return statement, params
    pieces: list[str] = []
    values: list[Any] = []
    at = used = 0
    for match in _IN_LIST.finditer(statement):
        before = statement[at : match.start()]
        values.extend(params[used : used + before.count("?")])
        used += before.count("?")
        count = match.group(1).count("?")
        values.append(list(params[used : used + count]))
        used += count
        pieces.append(before + "= ANY(?)")
        at = match.end()
    values.extend(params[used:])
    return "".join(pieces) + statement[at:], values


@functools.lru_cache(maxsize=512)
def _translate(statement: str) -> str:
    """The shared SQL's `?` placeholders as psycopg's `%s` (a literal % doubled first)."""
    return statement.replace("%", "%%").replace("?", "%s")


def connect(url: str, schema: str | None = None) -> psycopg.Connection:
    """A connection in autocommit mode (transactions are begun explicitly), with the generation's schema
    first on the search_path; IndexNotReady when the database cannot be reached."""
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise IndexNotReady(f"the database at {_where(url)} cannot be reached: {reason}") from None
    conn.execute(pgsql.SQL("SET lock_timeout = {}").format(pgsql.Literal(f"{LOCK_TIMEOUT_S}s")))
    if schema is not None:
        conn.execute(pgsql.SQL("SET search_path = {}").format(pgsql.Identifier(schema)))
    return conn


class PostgresSession(LexicalTables):
    """One connection to a generation's schema: the shared SQL, transactions and the lexical tables."""

    takes_turns = True  # read, never waited on: each read is a round trip to the server (Session.takes_turns)

    def __init__(self, conn: psycopg.Connection, record_key: str, lock_key: int) -> None:
        self._conn = conn
        self._lock_key = lock_key
        self.record_key = record_key
        # A read transaction's BEGIN, until it goes out with the first statement (one round trip, not two).
        self._begin: str | None = None
        # Within a read transaction (one snapshot) a statement without parameters answers the same every
        # time: a question asks for the last change and the passage count twice each.
        self._answers: dict[str, list[Any]] | None = None

    def execute(self, statement: str, params: Sequence[Any] = (), /) -> Any:
        if not params and self._answers is not None:
            rows = self._answers.get(statement)
            if rows is None:
                rows = self._answers[statement] = self._read(statement)
            return _Rows(rows)
        self._send_begin()
        statement, params = _in_lists_as_arrays(statement, params)
        # Results in binary: a question reads ~100 passages' float16 vectors and their sentences'.
        return self._conn.execute(_translate(statement), params, binary=True)

    def read_rows(self, statement: str, params: Sequence[Any] = (), /) -> list[Any]:
        return self.execute(statement, params).fetchall()  # psycopg converts the rows holding the GIL

    def _read(self, statement: str) -> list[Any]:
        if self._begin is None:
            return self._conn.execute(statement, binary=True).fetchall()
        cursor = self._conn.execute(f"{self._begin}; {statement}")  # both in one simple query
        self._begin = None
        cursor.nextset()
        return cursor.fetchall()

    def _run(self, statement: str, params: Sequence[Any] | dict[str, Any] = ()) -> psycopg.Cursor:
        """A statement in psycopg's own placeholders, inside the transaction."""
        self._send_begin()
        return self._conn.execute(statement, params, binary=True)

    def _send_begin(self) -> None:
        if self._begin is not None:
            self._conn.execute(self._begin)
            self._begin = None

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]], /) -> None:
        self._send_begin()
        with self._conn.cursor() as cursor:
            cursor.executemany(_translate(statement), rows)

    @property
    def in_transaction(self) -> bool:
        return self._begin is not None or self._conn.info.transaction_status != TransactionStatus.IDLE

    def begin_read(self) -> None:
        self._begin = "BEGIN ISOLATION LEVEL REPEATABLE READ"
        self._answers = {}

    def begin_write(self) -> None:
        # One round trip: BEGIN and the lock in one simple query (the key is an integer of ours).
        self._conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({int(self._lock_key)})")

    def commit(self) -> None:
        self._end("COMMIT")

    def rollback(self) -> None:
        self._end("ROLLBACK")

    def _end(self, command: str) -> None:
        self._answers = None
        if self._begin is not None:  # nothing was read: no transaction was begun
            self._begin = None
            return
        self._conn.execute(command)

    def close(self) -> None:
        self._conn.close()

    def insert_id(self, statement: str, params: Sequence[Any]) -> int:
        row = self.execute(statement, params).fetchone()
        if row is None:
            raise RuntimeError("an INSERT ... RETURNING returned no row")
        return int(row[0])


class _Rows:
    """The rows of a statement answered before, as a cursor hands them out."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows
        self._at = 0
        self.rowcount = len(rows)

    def fetchone(self) -> Any:
        row = self._rows[self._at] if self._at < len(self._rows) else None
        self._at += row is not None
        return row

    def fetchmany(self, size: int) -> list[Any]:
        rows = self._rows[self._at : self._at + size]
        self._at += len(rows)
        return rows

    def fetchall(self) -> list[Any]:
        return self.fetchmany(len(self._rows))

    def __iter__(self) -> Any:
        return iter(self.fetchall())


class PostgresRecord:
    """The record of one generation as a schema in PostgreSQL; reads may go to a standby."""

    errors: tuple[type[Exception], ...] = (psycopg.Error,)
    lost_connection: tuple[type[Exception], ...] = (psycopg.OperationalError,)
    kind = "postgresql"

    def __init__(self, directory: Path, url: str, read_url: str) -> None:
        self.schema = schema_of(directory)
        self.url = url
        self.read_url = read_url
        self.reads_elsewhere = read_url != url
        self.location = f"schema {self.schema} at {_where(url)}"
        self._key = f"{_where(url)}/{self.schema}"
        self._lock_key = int.from_bytes(hashlib.blake2b(self._key.encode(), digest_size=8).digest(), "big", signed=True)

    def connect(self, write: bool = False) -> PostgresSession:
        """A session on the primary (`write`) or on the read URL; IndexNotWritable or IndexNotReady
        (both a 503) when that database cannot be reached."""
        try:
            conn = connect(self.url if write else self.read_url, self.schema)
        except IndexNotReady as error:
            if write:
                raise IndexNotWritable(f"{error.message}: nothing was stored") from None
            raise
        return PostgresSession(conn, self._key, self._lock_key)

    def open_for_carry(self) -> PostgresSession:
        return self.connect(write=True)

    def _admin(
        self, statement: pgsql.SQL | pgsql.Composed, params: Sequence[Any] = (), read: bool = False
    ) -> list[tuple]:
        conn = connect(self.read_url if read else self.url)
        try:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []
        finally:
            conn.close()

    def exists(self) -> bool:
        found = self._admin(pgsql.SQL("SELECT 1 FROM pg_namespace WHERE nspname = %s"), (self.schema,), read=True)
        return bool(found)

    def create(self) -> None:
        tables = resources.files("qa.storage").joinpath("schema_postgres.sql").read_text(encoding="utf-8")
        conn = connect(self.url)
        try:
            with conn.transaction():
                conn.execute(pgsql.SQL("CREATE SCHEMA {}").format(pgsql.Identifier(self.schema)))
                conn.execute(pgsql.SQL("SET LOCAL search_path = {}").format(pgsql.Identifier(self.schema)))
                conn.execute(tables.encode())
        finally:
            conn.close()

    def check(self, dim: int) -> None:
        found = self._tables()
        # A standby replays a new generation's schema a moment after the primary committed it.
        deadline = time.monotonic() + (STANDBY_WAIT_S if self.read_url != self.url else 0)
        while not found and time.monotonic() < deadline:
            time.sleep(0.05)
            found = self._tables()
        if not found:
            raise IndexMismatch(f"the database has no {self.location}: rebuild the index with `qa index`")
        if not _TABLES <= found:
            raise IndexMismatch(f"{self.location} lacks the tables of an index: rebuild it with `qa index`")
        row = self._admin(
            pgsql.SQL("SELECT length(vector) FROM {}.passages LIMIT 1").format(pgsql.Identifier(self.schema)), read=True
        )
        if row and row[0][0] != dim * 2:
            raise IndexMismatch(
                f"{self.location} holds vectors of {row[0][0] // 2} floats but its manifest says {dim}: "
                "rebuild it with `qa index`"
            )

    def _tables(self) -> set[str]:
        query = pgsql.SQL("SELECT table_name FROM information_schema.tables WHERE table_schema = %s")
        return {name for (name,) in self._admin(query, (self.schema,), read=True)}

    def finish(self, session: Any) -> None:
        """Fresh planner statistics (the tables were filled from empty) and a visibility map, so that a
        ranked read of the term postings reads their index only."""
        session.execute(f"VACUUM (ANALYZE) {', '.join(sorted(_ANALYZED))}")

    def drop(self) -> None:
        self._admin(pgsql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(pgsql.Identifier(self.schema)))


def init_database(url: str) -> str:
    """Create the database the URL names when it does not exist yet; returns what was done, in words.

    Each generation then creates its own schema in it (`qa index`)."""
    parts = conninfo_to_dict(url)
    name = str(parts.get("dbname") or parts.get("user") or "")
    try:
        conn = connect(url)
    except IndexNotReady as error:
        if f'database "{name}" does not exist' not in error.message:
            raise
    else:
        version = conn.info.server_version
        conn.close()
        return f"database {_where(url)} is ready (PostgreSQL {version // 10000})"
    maintenance = psycopg.conninfo.make_conninfo(url, dbname="postgres")
    conn = connect(maintenance)
    try:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    finally:
        conn.close()
    return f"created database {_where(url)}"
