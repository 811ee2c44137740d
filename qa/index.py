"""An index directory on disk: generations swapped in atomically, a manifest, and catch-up across processes.

Layout: `<index_dir>/current` is a symlink to `gen-<time>/`, which holds `manifest.json`, `qa.sqlite`
(the durable record) and `vectors-<seq>.faiss` (a snapshot of the dense index as of change <seq>).
A process loads the newest snapshot and replays the change log after it, so a write committed by any
process reaches every process without re-encoding, and a crash never loses an acknowledged write.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import queue
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import store
from .errors import IndexMismatch, IndexNotReady
from .vectors import VectorStore

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
CURRENT = "current"
_SNAPSHOT = re.compile(r"^vectors-(\d+)\.faiss$")


@dataclass(frozen=True, slots=True)
class Manifest:
    format_version: int
    encoder: str
    dim: int
    dtype: str
    documents: int
    passages: int
    created: str

    def to_dict(self) -> dict:
        return asdict(self)

    def save(self, directory: Path) -> None:
        tmp = directory / ".manifest.json.tmp"
        tmp.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, directory / "manifest.json")

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = directory / "manifest.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{name: data[name] for name in cls.__dataclass_fields__})
        except (OSError, ValueError, KeyError, TypeError):
            raise IndexMismatch(f"{path} is missing or damaged: rebuild the index with `qa index`") from None


def generation_dir(index_dir: str | Path) -> Path | None:
    """The generation `current` points at, or None when nothing was built yet."""
    link = Path(index_dir) / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    if not target.is_dir():
        raise IndexMismatch(f"{link} points at nothing: rebuild the index with `qa index`")
    return target


def swap_in(index_dir: Path, generation: Path) -> None:
    """Point `current` at `generation` atomically, then drop generations older than the previous one."""
    tmp = index_dir / f".{CURRENT}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(generation.name, tmp)
    previous = generation_dir(index_dir)
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)
    keep = {generation.name, previous.name if previous else ""}
    for old in index_dir.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_generation(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    for stale in index_dir.glob(".building-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = index_dir / f".building-{stamp}-{os.getpid()}"
    path.mkdir()
    return path


class Index:
    """One open generation: SQLite connections, the in-memory FAISS index and its change watermark."""

    def __init__(self, directory: Path, manifest: Manifest) -> None:
        self.directory = directory
        self.manifest = manifest
        self.dim = manifest.dim
        self._pool: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._write_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self.vectors, self.watermark = self._load_snapshot()
        self.refresh()

    @classmethod
    def open(cls, index_dir: str | Path, encoder: str | None = None) -> Index:
        """Open the current generation; refuse one built by another encoder or format."""
        directory = generation_dir(index_dir)
        if directory is None:
            raise IndexNotReady(f"no index in {index_dir}: build one with `qa index`")
        manifest = Manifest.load(directory)
        if manifest.format_version != FORMAT_VERSION:
            raise IndexMismatch(
                f"the index in {index_dir} has format {manifest.format_version}, this version reads "
                f"{FORMAT_VERSION}: rebuild it with `qa index`"
            )
        if encoder is not None and manifest.encoder != encoder:
            raise IndexMismatch(
                f"the index in {index_dir} was built with encoder {manifest.encoder!r}, not {encoder!r}: "
                f"rebuild it with `qa index --encoder {encoder}` or use QA_ENCODER={manifest.encoder}"
            )
        if not (directory / "qa.sqlite").is_file():
            raise IndexMismatch(f"{directory} has no qa.sqlite: rebuild the index with `qa index`")
        return cls(directory, manifest)

    def _load_snapshot(self) -> tuple[VectorStore, int]:
        snapshots = sorted(
            (int(m.group(1)), path) for path in self.directory.iterdir() if (m := _SNAPSHOT.match(path.name))
        )
        for seq, path in reversed(snapshots):
            try:
                return VectorStore.load(path, self.dim), seq
            except (RuntimeError, ValueError) as error:
                logger.warning("skipping unreadable snapshot %s: %s", path.name, error)
        return VectorStore(self.dim), 0

    @contextlib.contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """A pooled connection holding one read transaction: a consistent view across statements."""
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            try:
                conn = store.connect(self.directory / "qa.sqlite")
            except sqlite3.DatabaseError as error:
                raise IndexMismatch(f"{self.directory}/qa.sqlite cannot be opened: {error}") from None
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        self._pool.put(conn)

    @contextlib.contextmanager
    def writer(self) -> Iterator[sqlite3.Connection]:
        """One write transaction at a time: a thread lock here, SQLite's lock across processes."""
        with self._write_lock:
            conn = store.connect(self.directory / "qa.sqlite")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                conn.close()
        self.refresh()

    def refresh(self) -> int:
        """Apply every change committed (by any process) since the last call; returns how many ids moved."""
        with self._sync_lock:
            with self.reader() as conn:
                if store.last_change(conn) <= self.watermark:
                    return 0
                seq, added, vectors, removed = store.changes_since(conn, self.watermark, self.dim)
            self.vectors.remove(np.asarray(removed + added, dtype=np.int64))
            if added:
                self.vectors.add(np.asarray(added, dtype=np.int64), vectors)
            self.watermark = seq
            logger.debug("caught up to change %d: +%d -%d passages", seq, len(added), len(removed))
            return len(added) + len(removed)

    def save_snapshot(self) -> Path:
        """Write the dense index as of the current watermark, then drop older snapshots."""
        with self._sync_lock:
            seq = self.watermark
            path = self.directory / f"vectors-{seq}.faiss"
            self.vectors.save(path)
        for old in self.directory.glob("vectors-*.faiss"):
            match = _SNAPSHOT.match(old.name)
            if match and int(match.group(1)) < seq:
                old.unlink(missing_ok=True)
        return path

    def counts(self) -> tuple[int, int]:
        with self.reader() as conn:
            return store.counts(conn)

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return


def create_generation(
    index_dir: str | Path,
    encoder_name: str,
    dim: int,
    fill: Callable[[sqlite3.Connection], None],
) -> Manifest:
    """Build a new generation with `fill(conn)` and swap it in; on any failure the old one stays current."""
    index_dir = Path(index_dir)
    building = new_generation(index_dir)
    try:
        conn = store.connect(building / "qa.sqlite")
        try:
            store.init_schema(conn)
            fill(conn)
            documents, passages = store.counts(conn)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            encoder=encoder_name,
            dim=dim,
            dtype="float32",
            documents=documents,
            passages=passages,
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        manifest.save(building)
        index = Index(building, manifest)
        index.save_snapshot()
        index.close()
        final = index_dir / ("gen-" + building.name.split("-")[1])
        os.replace(building, final)
        swap_in(index_dir, final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return manifest
