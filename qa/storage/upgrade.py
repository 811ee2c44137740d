"""Records of an earlier version read with today's columns, added in place when a process opens them."""

from __future__ import annotations

import contextlib
import sqlite3

_ADDED_COLUMNS = (("documents", "url", "TEXT"), ("passages", "section", "INTEGER NOT NULL DEFAULT 0"))


def add_missing_columns(conn: sqlite3.Connection) -> bool:
    """Add documents.url and passages.section to a record of an earlier version, in place (ADD COLUMN
    rewrites the schema, not the rows: instant at any size; earlier processes name their columns and
    read on); False when a column is still missing (a read-only index)."""
    for table, column, kind in _ADDED_COLUMNS:
        if column in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
            continue
        with contextlib.suppress(sqlite3.OperationalError):  # "duplicate column": another process was first
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
            return False
    return True
