"""One question's read of a generation: a read transaction and the dense index at the same change.

A concurrent write is seen wholly or not at all: the FAISS search, the filters' mask and every row
read belong to one change of the record. A lone question may also read on a second connection beside
it (`GenerationView.beside`), so its lexical search runs while the dense search does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from qa.records import Filters
from qa.storage import record
from qa.storage.database import Session
from qa.storage.facts import PassageFacts
from qa.storage.partitioned import REFINE, PartitionedIndex, refine

if TYPE_CHECKING:
    from qa.storage.generation import Generation


class GenerationView:
    """One read transaction and the dense index as of the same change, so a query sees one state."""

    def __init__(self, index: Generation, conn: Session, seq: int) -> None:
        self._index = index
        self.conn = conn
        self.seq = seq

    @property
    def passages(self) -> int:
        return len(self._index.vectors)

    @property
    def facts(self) -> PassageFacts:
        return self._index.facts

    def allowed(self, filters: Filters | None) -> np.ndarray | None:
        """The passages `filters` allows, as a boolean mask by passage id; None without filters. Read
        under the index's read lock, as `search_within` reads it: applying a change replaces the facts."""
        if filters is None or not filters.active:
            return None
        with self._index._searching.reading():
            return self.facts.mask(filters)

    @contextlib.contextmanager
    def beside(self) -> Iterator[tuple[Session, int]]:
        """A second read transaction on another pooled connection, with the change it reads at, whose
        row reads do not take turns with the process's others (Session.takes_turns): a lone question's
        lexical search reads there while its dense search reads on `conn` (qa.retrieval.lexical). What
        it read belongs to this view only while the two changes are equal: a write committed before it
        began, or a dense search that caught up further (`search_within`), sets them apart."""
        with self._index.reader(takes_turns=False) as conn:
            yield conn, record.last_change(conn)

    def search_dense(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Dense candidates at exactly this view's change (see `search_within`)."""
        scores, ids, _allowed = self.search_within(queries, k, None)
        return scores, ids

    def search_within(
        self, queries: np.ndarray, k: int, filters: Filters | None, languages: list[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Dense candidates at exactly this view's change among the passages `filters` allows, and that
        mask (by passage id; None without filters). Call it before any other read on `conn`: when
        another thread has moved the dense index on meanwhile, the transaction restarts there. The
        questions' `languages` let a partitioned index probe another language's base deeper."""
        index = self._index
        with index._sync_lock:
            if index.watermark != self.seq:
                self.seq = index._sync(self.conn)
            # Taken before the sync lock is let go, so no change is applied until this search is done;
            # other questions search side by side.
            index._searching.acquire_read()
        try:
            allowed = self.facts.mask(filters) if filters is not None and filters.active else None
            if k < 1:
                empty = np.zeros((queries.shape[0], 0), dtype=np.float32)
                return empty, empty.astype(np.int64), allowed
            if not isinstance(index.vectors, PartitionedIndex):
                scores, ids = index.vectors.search_many(queries, k, allowed)
                return scores, ids, allowed
            # Every base proposes its own k best for the exact re-scoring (see partitioned.merged).
            _scores, ids = index.vectors.search_many(queries, k * REFINE, allowed, languages, each=k)
        finally:
            index._searching.release_read()
        scores, ids = refine(self.conn, queries, ids, k, index.dim, index.vectors.base_vectors)
        return scores, ids, allowed
