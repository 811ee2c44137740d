"""BM25 over stemmed terms, kept by the record itself: rows are written in the passage's own transaction.

Why in the record and not a bm25s matrix: bm25s builds its index in one batch and cannot add or delete
a passage; the record's lexical index (FTS5 in SQLite, term tables in PostgreSQL: the same terms and
the same BM25 scores) updates in the same transaction as the passage itself, so every process sees the
same lexical index the moment a write commits. This module is the part both backends share: which
terms to match, their counts, and how many ranked matches to read.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import numpy as np

from qa.storage.database import Session
from qa.text.terms import stemmed_terms


def add_passages(conn: Session, rows: list[tuple[int, str, str]]) -> None:
    """Index (passage_id, text, language) rows inside the caller's transaction."""
    conn.add_terms([(passage_id, stemmed_terms(text, language), language) for passage_id, text, language in rows])


def remove_passages(conn: Session, passage_ids: list[int]) -> None:
    conn.remove_terms(passage_ids)


# Pruning of a question's terms in an index of at least PRUNE_MIN_ROWS passages: terms are matched
# rarest first while the passages holding them add up to at most POSTINGS_BUDGET (the rarest is always
# kept), and none held by more than PRUNE_SHARE of all passages. FTS5 reads and scores every passage
# holding a matched term (~3 microseconds each), so this bounds a question's lexical cost whatever the
# archive's size; a term common enough to be left out adds little to BM25 (its IDF is low).
PRUNE_SHARE = 0.02
PRUNE_MIN_ROWS = 20_000
POSTINGS_BUDGET = 2_000


# FTS5 counts a term's passages by reading its whole list (0.5 ms for a common term at a million
# passages, and every question asks for each of its terms). Counts of at least CACHE_MIN_COUNT are
# remembered per database for CACHE_CHANGES changes: they only decide pruning and what is a rare name,
# where a count a few writes old decides the same. Rarer terms are counted afresh (that is cheap), so a
# name that a new article brings in is seen at once.
CACHE_MIN_COUNT = 500
CACHE_CHANGES = 1_000
_CACHE_TERMS = 100_000
_CACHE_DATABASES = 4  # a rebuild makes a new database file; the counts of old ones are let go
_counts: dict[str, dict[str, tuple[int, int]]] = {}
_counts_lock = threading.Lock()


def document_frequencies(conn: Session, terms: list[str]) -> dict[str, int]:
    """How many passages hold each term (terms no passage holds are left out)."""
    return _remembered(conn, terms, conn.term_counts, CACHE_MIN_COUNT) if terms else {}


_PASSAGES = "\x00passages"  # the passage count's key among the terms' (no term holds a NUL)


def passage_count(conn: Session) -> int:
    """About how many passages the lexical index holds (the largest passage id: cheap, an upper bound),
    remembered as the common terms' counts are: it only decides pruning and what is rare."""
    return _remembered(conn, [_PASSAGES], lambda _keys: {_PASSAGES: conn.passage_count()}, 0).get(_PASSAGES, 0)


def _remembered(
    conn: Session, keys: list[str], count: Callable[[list[str]], dict[str, int]], min_count: int
) -> dict[str, int]:
    """`count(keys)`, with the counts of at least `min_count` remembered per database for CACHE_CHANGES
    changes (the change number is the read transaction's first answer: no extra read)."""
    database = conn.record_key
    change = int(conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0])
    with _counts_lock:
        known = _counts.pop(database, {})
        _counts[database] = known  # the most recently used last
        while len(_counts) > _CACHE_DATABASES:
            del _counts[next(iter(_counts))]
        found = {key: hit for key in keys if (hit := known.get(key)) and change - hit[1] < CACHE_CHANGES}
    result = {key: value for key, (value, _change) in found.items()}
    missing = [key for key in keys if key not in found]
    if not missing:
        return result
    counted = count(missing)
    result.update(counted)
    with _counts_lock:
        if len(known) > _CACHE_TERMS:
            known.clear()
        known.update((key, (value, change)) for key, value in counted.items() if value >= min_count)
    return result


def holding(conn: Session, terms: list[str], k: int, allowed: np.ndarray | None = None) -> list[int]:
    """Up to k passages, in any language (and among `allowed`, a boolean mask by passage id), that hold
    any of `terms` (rare names: few passages each)."""
    limit = _read_limit(k, allowed)
    if not terms or k < 1 or limit < 1:
        return []
    ids = conn.holding(terms, limit)
    if allowed is not None:
        ids = [pid for pid in ids if pid < allowed.size and allowed[pid]][:k]
    return ids


def prune(conn: Session, terms: list[str], budget: int | None = None) -> list[str]:
    """The question terms worth matching (see PRUNE_SHARE above), or all of them in a small index."""
    total = passage_count(conn)
    if total < PRUNE_MIN_ROWS:
        return terms
    budget = POSTINGS_BUDGET if budget is None else budget
    frequencies = document_frequencies(conn, terms)
    kept: list[str] = []
    postings = 0
    for term in sorted(terms, key=lambda term: (frequencies.get(term, 0), term)):
        held = frequencies.get(term, 0)
        if kept and (postings + held > budget or held > PRUNE_SHARE * total):
            break
        kept.append(term)
        postings += held
    return kept


# With a filter, the best matches are read until this many and those the filter allows are kept.
FILTERED_READ_MAX = 20_000


def _read_limit(k: int, allowed: np.ndarray | None) -> int:
    """How many ranked matches to read so that about k of them pass the filter: k over its share of
    the passages, twice over, at most FILTERED_READ_MAX. FTS5 scores every match either way, and a
    `rowid IN (...)` restriction costs a lookup per id (seconds for thousands), so reading more rows
    of the one ranked query is the cheap way to restrict it."""
    if allowed is None:
        return k
    share = np.count_nonzero(allowed) / max(allowed.size, 1)
    if share <= 0:
        return 0
    return int(min(FILTERED_READ_MAX, max(k, math.ceil(2 * k / share))))


# With `in_language`, the ranked matches of every language are read up to this many times the limit,
# and the question's language kept; when too few are left, up to FILTERED_READ_MAX of them, and only
# past that is the language a term of the query. Why: FTS5 intersects a term with the language's posting
# list (nearly every row), at 100k 5.5 ms a question against 3.0 ms without, at 1M up to 100 ms for a
# German question with an English word ("Sky", "Highway": its matches are mostly English passages).
LANGUAGE_READ_FACTOR = 4


def search(
    conn: Session,
    question: str,
    language: str,
    k: int,
    only_language: bool = True,
    allowed: np.ndarray | None = None,
    in_language: Callable[[np.ndarray], np.ndarray] | None = None,
) -> list[tuple[int, float]]:
    """Top-k (passage_id, bm25 score > 0), best first: the question is stemmed in `language`, and
    with `only_language` only passages in that language are searched (an indexed column, weight 0);
    with `allowed` (a boolean mask by passage id) only those passages. `in_language(ids)`, when
    given, tells which passage ids are in `language` (the facts kept in memory), read instead."""
    terms = sorted(set(stemmed_terms(question, language)))
    limit = _read_limit(k, allowed)
    if not terms or k < 1 or limit < 1:
        return []
    terms = prune(conn, terms)
    if only_language and in_language is not None:
        first = limit * LANGUAGE_READ_FACTOR
        for size in dict.fromkeys((first, max(first, FILTERED_READ_MAX))):
            read = conn.ranked(terms, None, size)
            ids = np.fromiter((row[0] for row in read), dtype=np.int64, count=len(read))
            rows = _allowed([row for row, same in zip(read, in_language(ids), strict=True) if same], allowed, k)
            if len(rows) == k or len(read) < size:  # else too few among those read: read more
                return [(int(pid), float(score)) for pid, score in rows]
    # More matches than the most that are read: the record intersects with the language.
    rows = conn.ranked(terms, language if only_language else None, limit)
    return [(int(pid), float(score)) for pid, score in _allowed(rows, allowed, k)]


def matching_texts(conn: Session, question: str, language: str, k: int) -> list[tuple[str, str]]:
    """(language, text) of the k passages in any language that match the question's terms best: how
    the archive writes the words a question asks about (qa.retrieval.casing)."""
    ids = [pid for pid, _score in search(conn, question, language, k, only_language=False)]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return [(row[0], row[1]) for row in conn.execute(f"SELECT language, text FROM passages WHERE id IN ({marks})", ids)]


def _allowed(rows: list, allowed: np.ndarray | None, k: int) -> list:
    """The first k rows whose passage id the mask allows (all of them without a mask)."""
    if allowed is None:
        return rows[:k]
    return [row for row in rows if row[0] < allowed.size and allowed[row[0]]][:k]
