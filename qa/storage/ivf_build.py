"""Building the IVF-SQ8 bases of a large generation in memory that does not grow with the archive.

Why: FAISS fills an IVF index in memory (about 400 bytes a passage: 400 MB at a million) and its
k-means wants a sample of ~30 vectors a partition (330 MB at a million, twice that while it was
concatenated). Here the sample is read into one array of about TRAIN_MAX vectors at most, and the codes go
to disk as they are made: a first pass encodes each chunk of stored vectors (partition number and
8-bit code, FAISS's own `sa_encode`) into a scratch file and counts the partitions' sizes; a second
pass writes every chunk's codes and ids straight to their places in the final file. That file is
byte for byte what `faiss.write_index` writes for the same index filled in memory (tests check it),
so it opens memory-mapped as before.
"""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from qa.storage import record
from qa.storage.database import Session
from qa.storage.partitioned import file_name, layout

logger = logging.getLogger(__name__)

# Training sample per partition and k-means iterations: enough for stable centroids, seconds not minutes.
TRAIN_PER_LIST = 30
TRAIN_ITERATIONS = 10
# About this many training vectors a base at most (192 MiB as float32): beyond ~4,400 partitions (about 300,000
# passages of one language) a partition gets fewer than TRAIN_PER_LIST. Measured in qa/lab/README.md.
TRAIN_MAX = 131_072
# Rows the 8-bit ranges are fitted on (see `trained`).
ENCODER_TRAIN = 16_384
# Stored vectors read at a time (a chunk of rows is held about four times over while it is decoded:
# 50,000 rows cost 160 MB) and codes placed at a time by the second pass (400 bytes each: partition, code, id).
_CHUNK = 8_192
_PLACE_CHUNK = 131_072


def stored_vectors(conn: Session, dim: int, where: str = "", params: tuple = ()) -> Iterator:
    """(ids, vectors) of stored passages in chunks, by id."""
    cursor = conn.execute(f"SELECT id, vector FROM passages {where} ORDER BY id", params)
    while rows := cursor.fetchmany(_CHUNK):
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        vectors = record.vectors_from_blobs([row[1] for row in rows], dim)
        yield ids, vectors


def training_sample(conn: Session, dim: int, language: str, passages: int, wanted: int) -> np.ndarray:
    """About `wanted` (capped at TRAIN_MAX) of the language's `passages` stored vectors, those whose id is a
    multiple of a step (so up to an eighth more where a language's ids fall unevenly: 133,368 for the
    German base at 1M), filled into one array rather than concatenated from chunks (which held it twice)."""
    wanted = max(1, min(wanted, TRAIN_MAX, passages))
    step = max(1, passages // wanted)
    sample = np.empty((wanted + wanted // 8 + 64, dim), dtype=np.float32)  # ids of a language are not spread evenly
    filled = 0
    for _ids, vectors in stored_vectors(conn, dim, "WHERE language = ? AND id % ? = 0", (language, step)):
        take = min(vectors.shape[0], sample.shape[0] - filled)
        sample[filled : filled + take] = vectors[:take]
        filled += take
        if filled == sample.shape[0]:
            break
    return sample[:filled]


def _list_numbers(encoded: np.ndarray, coarse_size: int) -> np.ndarray:
    """The partition numbers FAISS puts little-endian in front of each `sa_encode` code."""
    numbers = np.zeros(encoded.shape[0], dtype=np.int64)
    for byte in range(coarse_size):
        numbers |= encoded[:, byte].astype(np.int64) << (8 * byte)
    return numbers


def _lists_header(lists: int, code_size: int, sizes: np.ndarray) -> bytes:
    """FAISS's `ilar` inverted-lists header: all sizes when most lists hold something, else (list, size)
    pairs of the non-empty ones (the choice `write_InvertedLists` makes)."""
    head = b"ilar" + struct.pack("<QQ", lists, code_size)
    nonempty = np.flatnonzero(sizes)
    if nonempty.size > lists // 2:
        return head + b"full" + struct.pack("<Q", lists) + sizes.astype("<u8").tobytes()
    pairs = np.stack([nonempty, sizes[nonempty]], axis=1).astype("<u8")
    return head + b"sprs" + struct.pack("<Q", pairs.size) + pairs.tobytes()


def write_filled(index, chunks: Iterator[tuple[np.ndarray, np.ndarray]], path: Path) -> int:
    """Write the trained, empty IVF `index` filled with `chunks` of (ids int64 (n,), vectors float32 (n, d))
    to `path` as `faiss.write_index` would, holding one chunk at a time; returns the passages written."""
    import faiss

    lists, code_size, coarse = int(index.nlist), int(index.code_size), int(index.coarse_code_size())
    record = np.dtype([("list", "<i8"), ("code", np.uint8, (code_size,)), ("id", "<i8")])
    scratch = path.with_name(path.name + ".codes")
    sizes = np.zeros(lists, dtype=np.int64)
    try:
        with open(scratch, "wb") as out:
            for ids, vectors in chunks:
                encoded = index.sa_encode(np.ascontiguousarray(vectors, dtype=np.float32))
                rows = np.empty(ids.shape[0], dtype=record)
                rows["list"] = _list_numbers(encoded, coarse)
                rows["code"] = encoded[:, coarse:]
                rows["id"] = ids
                sizes += np.bincount(rows["list"], minlength=lists)
                rows.tofile(out)
        total = int(sizes.sum())
        index.ntotal = total  # the header FAISS writes for an empty index differs only in this count
        empty = faiss.serialize_index(index).tobytes()
        index.ntotal = 0
        empty_lists = _lists_header(lists, code_size, np.zeros(lists, dtype=np.int64))
        if not empty.endswith(empty_lists):
            raise RuntimeError("unexpected FAISS index layout; cannot write the lists in place")
        prefix = empty[: -len(empty_lists)] + _lists_header(lists, code_size, sizes)
        # Each non-empty list: its codes, then its ids, one list after the other.
        starts = len(prefix) + np.concatenate([[0], np.cumsum(sizes * (code_size + 8))[:-1]])
        written = np.zeros(lists, dtype=np.int64)
        with open(path, "wb") as out:
            out.write(prefix)
            out.truncate(len(prefix) + total * (code_size + 8))
            descriptor = out.fileno()
            for rows in _read_records(scratch, record):
                rows = rows[np.argsort(rows["list"], kind="stable")]
                bounds = np.flatnonzero(np.diff(rows["list"])) + 1
                for part in np.split(np.arange(rows.shape[0]), bounds):
                    number = int(rows["list"][part[0]])
                    at, held = int(starts[number]), int(written[number])
                    os.pwrite(descriptor, np.ascontiguousarray(rows["code"][part]).tobytes(), at + held * code_size)
                    id_at = at + int(sizes[number]) * code_size + held * 8
                    os.pwrite(descriptor, np.ascontiguousarray(rows["id"][part]).tobytes(), id_at)
                    written[number] += part.size
            out.flush()
            os.fsync(descriptor)
        return total
    finally:
        scratch.unlink(missing_ok=True)


def _read_records(path: Path, record: np.dtype) -> Iterator[np.ndarray]:
    with open(path, "rb") as handle:
        while (rows := np.fromfile(handle, dtype=record, count=_PLACE_CHUNK)).size:
            yield rows


def trained(sample: np.ndarray, lists: int):
    """An empty IVF-SQ8 index: k-means partitions of `sample` (n, d), the 8-bit ranges from at most
    ENCODER_TRAIN of its rows.

    Why apart: FAISS's own `train` fits the 8-bit ranges on the residuals of the whole sample and
    transposes them, three copies of it at once (349 MB for 76,609 vectors at 100,000 passages); the
    ranges (a minimum and a maximum per dimension) need far fewer rows, and once the quantizer holds
    its centroids FAISS's `train` fits only the codes."""
    import faiss

    dim = sample.shape[1]
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.cp.niter = TRAIN_ITERATIONS
    index.cp.min_points_per_centroid = 1  # a small language group trains on what it has
    # Centroids of unit vectors, searched by inner product: normalised, so a question's nearest centroid
    # is not merely the longest (the tightest cluster's). Measured at 20k: same probes, top-1 as exact
    # .982 / .911 (DE / EN questions) against .966 / .889.
    index.cp.spherical = True
    faiss.Clustering(dim, lists, index.cp).train(sample, quantizer)
    step = max(1, sample.shape[0] // ENCODER_TRAIN)
    index.train(np.ascontiguousarray(sample[::step][:ENCODER_TRAIN]))
    return index


def build_one(conn: Session, directory: Path, dim: int, language: str, passages: int) -> int:
    """Train and write the IVF-SQ8 base of one language's stored passages; returns its partitions."""
    lists, _probe = layout(passages)
    sample = training_sample(conn, dim, language, passages, lists * TRAIN_PER_LIST)
    index = trained(sample, lists)
    del sample
    name = file_name(language)
    tmp = directory / f".{name}.{os.getpid()}.tmp"
    try:
        total = write_filled(index, stored_vectors(conn, dim, "WHERE language = ?", (language,)), tmp)
        os.replace(tmp, directory / name)
    finally:
        tmp.unlink(missing_ok=True)
    logger.info("built an IVF-SQ8 dense index of the %s passages: %d in %d lists", language, total, lists)
    return lists


def build_base(conn: Session, directory: Path, dim: int, passages: int) -> tuple[int, int]:
    """Train and fill one IVF-SQ8 base per passage language from the stored vectors; returns (lists, probed).

    Why one per language: E5 places a language's passages near each other, so one set of partitions
    keeps an English question's probes among English passages, and the German passage that answers it
    is never scanned. Measured at 100k passages (80 % German): English->German Recall@1 .065 with one
    base against .455 exact. Each base is probed on its own and the candidates merged by score.
    """
    groups = conn.execute("SELECT language, count(*) FROM passages GROUP BY language ORDER BY language").fetchall()
    lists = [build_one(conn, directory, dim, language, int(count)) for language, count in groups]
    return sum(lists), sum(layout(int(count))[1] for _language, count in groups)
