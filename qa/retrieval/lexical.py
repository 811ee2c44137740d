"""A question's lexical evidence: its BM25 matches, the rare names it asks about and the passages that
hold them; read beside the dense search when the question is alone.

Why beside: a lone question's dense search runs on one core (qa.storage.dense.single_thread), and its
lexical search (FTS5, about 3 ms at 100,000 passages) waited for it on the same connection while the
other core idled. On a second connection at the same change (GenerationView.beside) the two run at
once, and the dense search's row reads no longer wait behind FTS5's: a question's search took 12-19 %
less time in process (qa/lab/README.md, issue 26, "The lexical search beside the dense one"). Several
questions at once keep it in their own thread: the cores are busy then, and handing work to another
thread only adds to it.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from qa.records import Filters
from qa.retrieval import names as rare
from qa.storage import fts
from qa.storage.database import Session
from qa.storage.facts import PassageFacts
from qa.storage.view import GenerationView


@dataclass(frozen=True, slots=True)
class LexicalEvidence:
    """What the lexical index says of one question."""

    matches: list[tuple[int, float]]  # BM25: (passage id, score), best first
    names: dict[str, float]  # the question's rare names with their IDF (qa.retrieval.names)
    named: list[int]  # passages holding one of those names


@dataclass(frozen=True, slots=True)
class LexicalQuery:
    """One question's lexical search, as the Searcher's settings shape it."""

    question: str
    language: str
    mode: str  # hybrid: BM25 in the question's language and the rare names; lexical: any language
    k: int
    name_max_share: float | None  # the rare names' largest share of passages (None: none looked up)


def gather(conn: Session, query: LexicalQuery, allowed: np.ndarray | None, facts: PassageFacts) -> LexicalEvidence:
    """The question's k best BM25 matches (none in dense mode), its rare names and up to k passages
    holding them (hybrid mode only), among the passages `allowed` (a mask by id, or None for all);
    `facts` tell the passages' languages without a read."""
    matches: list[tuple[int, float]] = []
    if query.mode != "dense":
        in_language = functools.partial(facts.in_language, language=query.language)
        hybrid = query.mode == "hybrid"
        matches = fts.search(conn, query.question, query.language, query.k, hybrid, allowed, in_language)
    names, terms = ({}, []) if query.name_max_share is None else rare.lookup(conn, query.question, query.name_max_share)
    named = fts.holding(conn, terms, query.k, allowed) if query.mode == "hybrid" else []
    return LexicalEvidence(matches, names, named)


# (process id, pool): a forked server worker starts a pool of its own
_side: tuple[int, ThreadPoolExecutor] | None = None
_side_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _side
    with _side_lock:
        if _side is None or _side[0] != os.getpid():
            _side = (os.getpid(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="qa-lexical"))
        return _side[1]


class Beside:
    """A lone question's lexical evidence, read on a second connection while the dense search runs."""

    def __init__(
        self,
        view: GenerationView,
        filters: Filters,
        query: LexicalQuery,
        timer: Callable[[str, float], None] | None = None,
    ) -> None:
        """Gathers the query's evidence among the passages `filters` allows; `timer("lexical", seconds)`
        hears how long that took (the Searcher's stage timer)."""

        def run() -> tuple[int, LexicalEvidence, float]:
            started = time.perf_counter()
            with view.beside() as (conn, seq):
                found = gather(conn, query, view.allowed(filters), view.facts)
            return seq, found, time.perf_counter() - started

        self._view = view
        self._timer = timer
        self._future: Future[tuple[int, LexicalEvidence, float]] = _pool().submit(run)

    def result(self) -> LexicalEvidence | None:
        """The evidence; None when it was read at another change than the view's (a write committed just
        before, or the dense search caught up further): then the caller reads it again on the view's own
        connection."""
        seq, found, took = self._future.result()
        if seq != self._view.seq:
            return None
        if self._timer is not None:
            self._timer("lexical", took)
        return found
