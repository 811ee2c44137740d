"""The base's passage vectors beside its IVF files: what the re-scoring gathers instead of reading rows.

Why: the IVF bases choose candidates by 8-bit codes and `partitioned.refine` re-scores 150 of them a
question with the stored float vectors. Read from PostgreSQL that took 2.1-2.6 ms at 100k passages
(300 index probes on the server); read from SQLite 0.9 ms, and under 8 clients each of those rows
passes through the GIL on its own (qa/lab/README.md: 8 clients 44-55 answers/s reading rows, 57-68
gathering). So every partitioned generation keeps the base's vectors as float16 rows by passage id in
one file, memory-mapped (shared by every worker like the IVF files, published with them to
QA_ARTIFACTS); passages written after the build are read from the record as before. A base passage's
vector never changes (a replaced article gets new passage ids), so the file never does.

A SQLite record then leaves the base's vectors to the file (`leave_to_file`: an empty blob in their
rows), or the file's 768 bytes a passage would break its disk budget of 5 KB a passage; the record's
readers take them from the file (`record.stored_or_base`). A PostgreSQL record keeps its own copy.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from qa.storage.database import Session

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


def leave_to_file(conn: Session, max_id: int) -> None:
    """Empty the vectors of the SQLite record's passages up to `max_id` (now in the file) and compact the
    record, so the vectors are on disk once. The build calls it before its generation is swapped in."""
    conn.begin_write()
    conn.execute("UPDATE passages SET vector = x'' WHERE id <= ?", (max_id,))
    conn.commit()
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
