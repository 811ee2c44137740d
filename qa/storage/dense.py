"""Dense passage vectors in FAISS: exact inner product (= cosine on unit vectors) keyed by int64 passage ids.

Kept behind add / remove / search_many / save / load so an approximate index or a distributed
engine can take its place without touching search.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


def _check(vectors: np.ndarray, dim: int, what: str) -> np.ndarray:
    if vectors.dtype != np.float32 or vectors.ndim != 2 or vectors.shape[1] != dim:
        raise ValueError(f"{what}: expected float32 (n, {dim}), got {vectors.dtype} {vectors.shape}")
    return np.ascontiguousarray(vectors)


@contextlib.contextmanager
def single_thread(queries: int) -> Iterator[None]:
    """One OpenMP thread for a lone question: measured, waking a second thread costs a lone search more
    than it saves, and under load the other core is busy with another question anyway. The setting is
    the calling thread's own (OpenMP keeps it per thread), so batches elsewhere keep every core.

    The IVF bases too (qa.storage.partitioned): until 7 December a lone question split its probed
    partitions over two threads, but between two questions the helper falls asleep (GOMP_SPINCOUNT,
    qa/__init__.py) and waking it for each parallel region cost more than it saved. In process at 100k
    passages, same run, dense stage p50 6.55 ms on two threads against 2.91 ms on one; probing every
    partition (the scan of a 1M archive's probe) 8.96 against 9.10 ms (qa/lab/README.md)."""
    import faiss

    if queries > 1:
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def bitmap_selector(allowed: np.ndarray):
    """A FAISS selector of the ids whose entry in the boolean mask `allowed` (indexed by id) is True.
    Keep the returned object alive for the whole search (it holds the bitmap)."""
    import faiss

    bits = np.packbits(np.asarray(allowed, dtype=bool), bitorder="little")
    return faiss.IDSelectorBitmap(bits)  # type: ignore[call-arg,arg-type]  # the Python wrapper takes an array


class DenseIndex:
    """FAISS IndexIDMap2 over IndexFlatIP; a lock makes adds, removes and searches safe across threads."""

    def __init__(self, dim: int, index=None) -> None:
        import faiss

        self.dim = dim
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        vectors = _check(vectors, self.dim, "add")
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if ids.shape != (vectors.shape[0],):
            raise ValueError(f"add: {ids.shape[0]} ids for {vectors.shape[0]} vectors")
        with self._lock:
            self._index.add_with_ids(vectors, ids)

    def remove(self, ids: np.ndarray) -> int:
        import faiss

        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if ids.size == 0:
            return 0
        with self._lock:
            return int(self._index.remove_ids(faiss.IDSelectorBatch(ids)))

    def search_many(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores (nq, k) float32 and ids (nq, k) int64, best first; id -1 pads when fewer exist.
        With `allowed` (a boolean mask by id) only those ids are scored: exact top k among them."""
        import faiss

        queries = _check(queries, self.dim, "search_many")
        params = None
        if allowed is not None:
            params = faiss.SearchParameters()
            params.sel = bitmap_selector(allowed)
        with self._lock:
            if self._index.ntotal == 0 or k < 1:
                return (
                    np.zeros((queries.shape[0], 0), dtype=np.float32),
                    np.zeros((queries.shape[0], 0), dtype=np.int64),
                )
            with single_thread(queries.shape[0]):
                scores, ids = self._index.search(queries, min(k, int(self._index.ntotal)), params=params)
        return scores.astype(np.float32, copy=False), ids.astype(np.int64, copy=False)

    def contents(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids int64 (n,), vectors float32 (n, dim)) of everything held: the delta of a partitioned index."""
        import faiss

        with self._lock:
            n = int(self._index.ntotal)
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64) if n else np.zeros(0, dtype=np.int64)
            vectors = self._index.index.reconstruct_n(0, n) if n else np.zeros((0, self.dim), dtype=np.float32)
        return ids, np.ascontiguousarray(vectors, dtype=np.float32)

    def copy(self) -> DenseIndex:
        """An independent copy (for writing a snapshot without holding up searches)."""
        import faiss

        with self._lock:
            return DenseIndex(self.dim, faiss.clone_index(self._index))

    def save(self, path: str | Path) -> None:
        """Write atomically: readers of `path` see the old file or the new one, never half of one."""
        import faiss

        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with self._lock:
            faiss.write_index(self._index, str(tmp))
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | Path, dim: int) -> DenseIndex:
        import faiss

        index = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"{path}: vectors of dimension {index.d}, expected {dim}")
        return cls(dim, index)
