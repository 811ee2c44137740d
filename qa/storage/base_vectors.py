"""The base's passage vectors beside its IVF files, for a record that is a network round trip away.

Why: the IVF bases choose candidates by 8-bit codes and `partitioned.refine` re-scores 300 of them a
question with the stored float vectors. From SQLite in the same process that read takes about 1 ms;
from PostgreSQL 2.1-2.6 ms at 100k passages (300 index probes on the server, measured in
qa/lab/README.md), the largest part of what a question costs more there. So a generation whose record
is in PostgreSQL keeps the base's vectors as float16 rows by passage id in one file, memory-mapped
(shared by every worker like the IVF files, published with them to QA_ARTIFACTS), and the re-scoring
gathers from it; passages written after the build are read from the record as before. A base
passage's vector never changes (a replaced article gets new passage ids), so the file never does.
SQLite's generations do without: the file would add 768 bytes a passage to its disk budget.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

FILE = "dense-base-vectors.f16"


def write(directory: Path, dim: int, max_id: int, chunks: Iterable[tuple[np.ndarray, np.ndarray]]) -> Path:
    """Write the (ids, float32 vectors) `chunks` of the passages up to `max_id` as row id of one file."""
    path = directory / FILE
    tmp = directory / f".{FILE}.{os.getpid()}.tmp"
    try:
        table = np.memmap(tmp, dtype=np.float16, mode="w+", shape=(max_id + 1, dim))
        for ids, vectors in chunks:
            keep = ids <= max_id
            table[ids[keep]] = vectors[keep].astype(np.float16)
        table.flush()
        del table
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load(directory: Path, dim: int) -> np.ndarray | None:
    """The file memory-mapped read-only as (rows, dim) float16, or None when this generation has none."""
    path = directory / FILE
    if not path.is_file():
        return None
    table = np.memmap(path, dtype=np.float16, mode="r")
    if table.size % dim:
        raise ValueError(f"{path}: {table.size} values are not rows of {dim}")
    return table.reshape(-1, dim)


def split(table: np.ndarray | None, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ids whose vector is in `table`, the others)."""
    if table is None:
        return ids[:0], ids
    inside = ids < table.shape[0]
    return ids[inside], ids[~inside]
