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
from collections.abc import Callable, Iterator
from pathlib import Path

from qa.errors import IndexMismatch
from qa.storage import base_vectors, record
from qa.storage.artifacts import publish_generation
from qa.storage.database import Record, Session, open_record
from qa.storage.generation import Generation
from qa.storage.ivf_build import build_base, stored_vectors
from qa.storage.manifest import CARRY_FORMATS, FORMAT_VERSION, Manifest, generation_dir, new_generation, swap_in

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _locked_current(index_dir: Path, database_url: str) -> Iterator[tuple[Session, Manifest] | None]:
    """Hold the write lock of the current generation (None when there is none or it cannot be read)."""
    while True:
        directory = generation_dir(index_dir)
        current = open_record(directory, database_url) if directory is not None else None
        if directory is None or current is None or not current.exists():
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
        conn = current.open_for_carry()
        try:
            conn.begin_write()
            if generation_dir(index_dir) != directory:
                continue  # another build swapped meanwhile: lock that one instead
            yield conn, manifest
            return
        finally:
            if conn.in_transaction:
                conn.rollback()
            conn.close()


Carry = Callable[[Session, Manifest, Session], int]


def create_generation(
    index_dir: str | Path,
    encoder_name: str,
    dim: int,
    fill: Callable[[Session], object],
    carry: Carry | None = None,
    partition_above: int = 50_000,
    database_url: str = "",
    artifacts: str | Path = "",
) -> Manifest:
    """Build a new generation with `fill(conn)` and swap it in; on any failure the old one stays current.

    With `carry`, the documents written at run time into the current generation are copied over by
    `carry(old_conn, old_manifest, new_conn)` while this holds the current generation's write lock,
    until the swap: no acknowledged write is lost, and writers waiting on the lock then see the swap
    and write into the new generation. The record is `qa.sqlite` in the generation's directory, or
    with `database_url` the generation's own schema in PostgreSQL. With `artifacts` the generation is
    published there before it is swapped in and the lock let go, so a write on another machine finds
    it swapped, and a generation that cannot be published fails the build as any other error does.
    """
    index_dir = Path(index_dir)
    building = new_generation(index_dir)
    final = index_dir / ("gen-" + building.name.split("-")[1])
    stored = open_record(building, database_url)
    try:
        stored.create()
        conn = stored.connect(write=True)
        try:
            fill(conn)
            with _locked_current(index_dir, database_url) if carry else contextlib.nullcontext() as old:
                if old is not None and carry is not None:
                    conn.begin_write()
                    carried = carry(old[0], old[1], conn)
                    conn.commit()
                    logger.info("carried %d run-time documents over from the previous generation", carried)
                manifest = _finish(building, stored, conn, encoder_name, dim, partition_above)
                if artifacts:
                    publish_generation(Path(artifacts), building, final.name)
                before = set(index_dir.glob("gen-*"))
                os.replace(building, final)
                swap_in(index_dir, final)
        finally:
            conn.close()
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        stored.drop()
        raise
    for gone in before - set(index_dir.glob("gen-*")):
        open_record(gone, database_url).drop()  # SQLite's went with the directory; a schema is dropped
    return manifest


def _finish(
    building: Path, stored: Record, conn: Session, encoder_name: str, dim: int, partition_above: int
) -> Manifest:
    """Compact the record, choose and build the dense index (recorded in the manifest), write the
    manifest and the first dense snapshot of a generation being built."""
    documents, passages = record.counts(conn)
    stored.finish(conn)
    dense: dict = {"dense": "flat"}
    if passages > partition_above:
        lists, probe = build_base(conn, building, dim, passages)
        max_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM passages").fetchone()[0])
        if stored.kind == "postgresql":  # a round trip away: the re-scoring reads the base's vectors here
            base_vectors.write(building, dim, max_id, stored_vectors(conn, dim))
        dense = {
            "dense": "ivf-sq8",
            "dense_lists": lists,
            "dense_probe": probe,
            "dense_base_seq": record.last_change(conn),
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
        record=stored.kind,
        **dense,
    )
    manifest.save(building)
    index = Generation(building, manifest, stored)
    index.save_snapshot()  # the dense index (a flat one) and the passages' facts, so an open reads files
    index.close()
    return manifest
