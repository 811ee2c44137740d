"""BM25 over stemmed terms: Snowball stemming in the passage's language, ranked by SQLite FTS5's bm25().

Why FTS5 and not a bm25s matrix: bm25s builds its index in one batch and cannot add or delete a
passage; FTS5 updates in the same transaction as the passage itself, so every process sees the same
lexical index the moment a write commits. bm25s still provides the stopword lists.
"""

from __future__ import annotations

import re
import sqlite3
import threading

_TOKEN = re.compile(r"\w+", re.UNICODE)
_local = threading.local()


def _stopwords(language: str) -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_GERMAN

    cache = getattr(_local, "stopwords", None)
    if cache is None:
        cache = _local.stopwords = {"de": frozenset(STOPWORDS_GERMAN), "en": frozenset(STOPWORDS_EN)}
    return cache.get(language, cache["en"])


def _stemmer(language: str):
    # PyStemmer objects are not thread-safe: one per thread and language.
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        import Stemmer

        stemmers[language] = Stemmer.Stemmer("german" if language == "de" else "english")
    return stemmers[language]


def tokenize(text: str, language: str) -> list[str]:
    """Lower-cased word tokens without stopwords, stemmed in `language`."""
    stopwords = _stopwords(language)
    words = [word for word in _TOKEN.findall(text.lower()) if word not in stopwords]
    return _stemmer(language).stemWords(words)


def add_passages(conn: sqlite3.Connection, rows: list[tuple[int, str, str]]) -> None:
    """Index (passage_id, text, language) rows inside the caller's transaction."""
    conn.executemany(
        "INSERT INTO lexical (rowid, terms, language) VALUES (?, ?, ?)",
        [(passage_id, " ".join(tokenize(text, language)), language) for passage_id, text, language in rows],
    )


def remove_passages(conn: sqlite3.Connection, passage_ids: list[int]) -> None:
    conn.executemany("DELETE FROM lexical WHERE rowid = ?", [(pid,) for pid in passage_ids])


def search(
    conn: sqlite3.Connection, question: str, language: str, k: int, only_language: bool = True
) -> list[tuple[int, float]]:
    """Top-k (passage_id, bm25 score > 0), best first: the question is stemmed in `language`, and
    with `only_language` only passages in that language are searched."""
    terms = sorted(set(tokenize(question, language)))
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
