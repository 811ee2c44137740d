"""Building a generation: fill a fresh directory, choose and build its dense index, swap it in atomically.

Run-time documents of the generation being replaced are carried over under its write lock, so no
acknowledged write is lost to a rebuild.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from qa.errors import IndexMismatch
from qa.storage import sqlite, upgrade
from qa.storage.generation import CARRY_FORMATS, FORMAT_VERSION, Generation
from qa.storage.ivf_build import build_base
from qa.storage.manifest import Manifest, generation_dir, new_generation, swap_in

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _locked_current(index_dir: Path) -> Iterator[tuple[sqlite3.Connection, Manifest] | None]:
    """Hold the write lock of the current generation (None when there is none or it cannot be read)."""
    while True:
        directory = generation_dir(index_dir)
        if directory is None or not (directory / "qa.sqlite").is_file():
            yield None
            return
        try:
            manifest = Manifest.load(directory)
        except IndexMismatch:
            manifest = None
        if manifest is None or manifest.format_version not in CARRY_FORMATS:
            logger.warning("the previous index has another format: its run-time documents are not carried over")
            yield None
            return
        conn = sqlite.connect(directory / "qa.sqlite")
        try:
            upgrade.add_missing_columns(conn)  # a record of an earlier version: read with today's columns
            conn.execute("BEGIN IMMEDIATE")
            if generation_dir(index_dir) != directory:
                continue  # another build swapped meanwhile: lock that one instead
            yield conn, manifest
            return
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()


Carry = Callable[[sqlite3.Connection, Manifest, sqlite3.Connection], int]


def create_generation(
    index_dir: str | Path,
    encoder_name: str,
    dim: int,
    fill: Callable[[sqlite3.Connection], object],
    carry: Carry | None = None,
    partition_above: int = 50_000,
) -> Manifest:
    """Build a new generation with `fill(conn)` and swap it in; on any failure the old one stays current.

    With `carry`, the documents written at run time into the current generation are copied over by
    `carry(old_conn, old_manifest, new_conn)` while this holds the current generation's write lock,
    until the swap: no acknowledged write is lost, and writers waiting on the lock then see the swap
    and write into the new generation.
    """
    index_dir = Path(index_dir)
    building = new_generation(index_dir)
    try:
        conn = sqlite.connect(building / "qa.sqlite")
        try:
            sqlite.init_schema(conn)
            fill(conn)
            with _locked_current(index_dir) if carry else contextlib.nullcontext() as old:
                if old is not None and carry is not None:
                    conn.execute("BEGIN IMMEDIATE")
                    carried = carry(old[0], old[1], conn)
                    conn.execute("COMMIT")
                    logger.info("carried %d run-time documents over from the previous generation", carried)
                manifest = _finish(building, conn, encoder_name, dim, partition_above)
                final = index_dir / ("gen-" + building.name.split("-")[1])
                os.replace(building, final)
                swap_in(index_dir, final)
        finally:
            conn.close()
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return manifest


def _finish(building: Path, conn: sqlite3.Connection, encoder_name: str, dim: int, partition_above: int) -> Manifest:
    """Checkpoint, choose and build the dense index (recorded in the manifest), write the manifest and
    the first dense snapshot of a generation being built."""
    documents, passages = sqlite.counts(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dense: dict = {"dense": "flat"}
    if passages > partition_above:
        lists, probe = build_base(conn, building, dim, passages)
        max_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM passages").fetchone()[0])
        dense = {
            "dense": "ivf-sq8",
            "dense_lists": lists,
            "dense_probe": probe,
            "dense_base_seq": sqlite.last_change(conn),
            "dense_base_max_id": max_id,
        }
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        encoder=encoder_name,
        dim=dim,
        dtype="float16",  # of the vectors stored in SQLite (searched and compared as float32)
        documents=documents,
        passages=passages,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **dense,
    )
    manifest.save(building)
    index = Generation(building, manifest)
    index.save_snapshot()  # the dense index (a flat one) and the passages' facts, so an open reads files
    index.close()
    return manifest
