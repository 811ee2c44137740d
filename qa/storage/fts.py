"""BM25 over stemmed terms in SQLite FTS5: rows are written in the passage's own transaction.

Why FTS5 and not a bm25s matrix: bm25s builds its index in one batch and cannot add or delete a
passage; FTS5 updates in the same transaction as the passage itself, so every process sees the same
lexical index the moment a write commits.
"""

from __future__ import annotations

import sqlite3

from qa.text.terms import stemmed_terms


def add_passages(conn: sqlite3.Connection, rows: list[tuple[int, str, str]]) -> None:
    """Index (passage_id, text, language) rows inside the caller's transaction."""
    conn.executemany(
        "INSERT INTO lexical (rowid, terms, language) VALUES (?, ?, ?)",
        [(passage_id, " ".join(stemmed_terms(text, language)), language) for passage_id, text, language in rows],
    )


def remove_passages(conn: sqlite3.Connection, passage_ids: list[int]) -> None:
    conn.executemany("DELETE FROM lexical WHERE rowid = ?", [(pid,) for pid in passage_ids])


def search(
    conn: sqlite3.Connection, question: str, language: str, k: int, only_language: bool = True
) -> list[tuple[int, float]]:
    """Top-k (passage_id, bm25 score > 0), best first: the question is stemmed in `language`, and
    with `only_language` only passages in that language are searched."""
    terms = sorted(set(stemmed_terms(question, language)))
    if not terms or k < 1:
        return []
    match = " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
    if only_language:
        sql = "SELECT rowid, -bm25(lexical) FROM lexical WHERE lexical MATCH ? AND language = ? "
        params: tuple = (match, language, k)
    else:
        sql = "SELECT rowid, -bm25(lexical) FROM lexical WHERE lexical MATCH ? "
        params = (match, k)
    rows = conn.execute(sql + "ORDER BY bm25(lexical) LIMIT ?", params).fetchall()
    return [(int(pid), float(score)) for pid, score in rows]
