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


# A question term held by more than this share of all passages is dropped (when the index has at least
# PRUNE_MIN_ROWS passages and other terms remain): it barely moves BM25, yet every passage holding it
# had to be read and scored, the cost that grew with the archive.
PRUNE_SHARE = 0.02
PRUNE_MIN_ROWS = 20_000


def _document_frequencies(conn: sqlite3.Connection, terms: list[str]) -> dict[str, int]:
    marks = ",".join("?" * len(terms))
    rows = conn.execute(f"SELECT term, doc FROM lexical_terms WHERE term IN ({marks})", terms).fetchall()
    return {term: int(doc) for term, doc in rows}


def prune(conn: sqlite3.Connection, terms: list[str]) -> list[str]:
    """The question terms worth matching: those held by few passages, or all of them in a small index."""
    total = conn.execute("SELECT max(rowid) FROM lexical").fetchone()[0] or 0
    if total < PRUNE_MIN_ROWS:
        return terms
    frequencies = _document_frequencies(conn, terms)
    rare = [term for term in terms if frequencies.get(term, 0) <= PRUNE_SHARE * total]
    if rare:
        return rare
    return [min(terms, key=lambda term: frequencies.get(term, 0))]


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def search(
    conn: sqlite3.Connection, question: str, language: str, k: int, only_language: bool = True
) -> list[tuple[int, float]]:
    """Top-k (passage_id, bm25 score > 0), best first: the question is stemmed in `language`, and
    with `only_language` only passages in that language are searched (an indexed column, weight 0)."""
    terms = sorted(set(stemmed_terms(question, language)))
    if not terms or k < 1:
        return []
    terms = prune(conn, terms)
    match = "terms : (" + " OR ".join(_phrase(term) for term in terms) + ")"
    if only_language:
        match += " AND language : " + _phrase(language)
    score = "bm25(lexical, 1.0, 0.0)"
    sql = f"SELECT rowid, -{score} FROM lexical WHERE lexical MATCH ? ORDER BY {score} LIMIT ?"
    rows = conn.execute(sql, (match, k)).fetchall()
    return [(int(pid), float(score)) for pid, score in rows]
