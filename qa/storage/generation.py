"""An index directory on disk: generations swapped in atomically, a manifest, and catch-up across processes.

Layout: `<index_dir>/current` is a symlink to `gen-<time>/`, which holds `manifest.json`, `qa.sqlite`
(the durable record; with a database URL, the generation's schema in PostgreSQL instead) and
`vectors-<seq>.faiss` (a snapshot of the dense index as of change <seq>).
A process loads the newest snapshot and replays the change log after it, so a write committed by any
process reaches every process without re-encoding, and a crash never loses an acknowledged write.
A question reads FAISS and SQLite at one change (GenerationView); a rebuild carries run-time writes over.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from qa.errors import DatabaseUnreachable
from qa.storage import artifacts, record
from qa.storage.database import Record, Session
from qa.storage.dense import DenseIndex
from qa.storage.facts import PassageFacts
from qa.storage.locks import ReadWriteLock
from qa.storage.manifest import Manifest, check_index, fsync_dir, generation_dir
from qa.storage.partitioned import PartitionedIndex
from qa.storage.view import GenerationView

logger = logging.getLogger(__name__)

_SNAPSHOT = re.compile(r"^vectors-(\d+)\.(faiss|npz)$")
Dense = DenseIndex | PartitionedIndex
# A process replays the change log after the newest snapshot at start; snapshot once that log is this long.
SNAPSHOT_MIN_CHANGES = 2000
SNAPSHOT_FRACTION = 0.1


class GenerationSwapped(Exception):
    """A write reached a generation that a rebuild has replaced: reopen the index and write again."""


class Generation:
    """One open generation: connections to its record, the in-memory FAISS index and its change watermark."""

    def __init__(
        self,
        directory: Path,
        manifest: Manifest,
        stored: Record,
        index_dir: Path | None = None,
        dense: str = "auto",
        artifacts: str | Path = "",
    ) -> None:
        """`dense="flat"` searches exactly whatever the build chose, from the vectors in the record (the
        exact reference of `qa bench scale`); such a process never writes dense snapshots. With
        `artifacts` (qa.storage.artifacts) its snapshots are published there."""
        self.directory = directory
        self.artifacts = Path(artifacts) if artifacts else None
        self.record = stored
        self.manifest = manifest
        self.dim = manifest.dim
        self.index_dir = index_dir
        self._pool: queue.LifoQueue[Session] = queue.LifoQueue()
        self._closed = False
        self._write_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._searching = ReadWriteLock()
        self._exact_override = dense == "flat" and manifest.dense != "flat"
        self._suffix = ".npz" if manifest.dense == "ivf-sq8" else ".faiss"
        self._snapshotting = threading.Lock()
        self._snapshot_thread: threading.Thread | None = None
        self.vectors, self.watermark = self._load_snapshot()
        self.started_from = self.watermark  # the snapshot's change: the log is applied after it
        self.facts = self._load_facts(self.watermark)
        self.refresh()

    @classmethod
    def open(
        cls,
        index_dir: str | Path,
        encoder: str | None = None,
        dense: str = "auto",
        database_url: str = "",
        read_url: str = "",
        artifacts: str | Path = "",
    ) -> Generation:
        """Open the current generation; refuse one built by another encoder or format."""
        directory, manifest, stored = check_index(index_dir, encoder, database_url, read_url)
        return cls(directory, manifest, stored, Path(index_dir), dense, artifacts)

    # -- snapshots of the dense index ----------------------------------------------------------------

    def _snapshots(self) -> list[tuple[int, Path]]:
        """Snapshot files of this generation, oldest first."""
        return sorted(
            (int(m.group(1)), path)
            for path in self.directory.iterdir()
            if (m := _SNAPSHOT.match(path.name)) and path.suffix == self._suffix
        )

    def _load_snapshot(self) -> tuple[Dense, int]:
        """The newest readable snapshot; with none, an empty index that the change log fills from seq 0."""
        for stale in [*self.directory.glob(".vectors-*.tmp"), *self.directory.glob(".facts-*.tmp")]:
            pid = stale.name.split(".")[3] if stale.name.count(".") >= 4 else ""
            if not pid.isdigit() or not Path(f"/proc/{pid}").exists():
                stale.unlink(missing_ok=True)
        if self._exact_override:
            return DenseIndex(self.dim), 0
        m = self.manifest
        for seq, path in reversed(self._snapshots()):
            try:
                if m.dense == "ivf-sq8":
                    return PartitionedIndex.open(self.directory, self.dim, m.dense_base_max_id, path), seq
                return DenseIndex.load(path, self.dim), seq
            except (OSError, RuntimeError, ValueError) as error:
                # Another process may have just replaced it with a newer one; an older one or the log will do.
                logger.warning("skipping unreadable snapshot %s: %s", path.name, error)
        if m.dense == "ivf-sq8":
            return PartitionedIndex.open(self.directory, self.dim, m.dense_base_max_id), m.dense_base_seq
        return DenseIndex(self.dim), 0

    def _load_facts(self, seq: int) -> PassageFacts:
        """The per-passage facts saved with the dense snapshot of change `seq`; without that file, read
        from the record at or after that change (the refresh after it brings both to the same one)."""
        path = self.directory / f"facts-{seq}.npz"
        if path.is_file() and not self._exact_override:
            try:
                return PassageFacts.open(path)
            except (OSError, ValueError, KeyError) as error:
                logger.warning("reading the facts from the record: %s is unreadable (%s)", path.name, error)
        with self.reader() as conn:
            return PassageFacts.load(conn)

    def save_snapshot(self) -> Path | None:
        """Write the dense index as of the current watermark; keep the two newest snapshots.

        Safe with several processes: the name carries the change number, the file is written under a
        private name and renamed atomically, and a reader that loses a race falls back to an older one.
        """
        if self._exact_override:
            return None
        with self._sync_lock:
            seq = self.watermark
            copy = self.vectors.copy()  # a partitioned index copies only its delta and tombstones
            facts = self.facts.copy()
        path = self.directory / f"vectors-{seq}{self._suffix}"
        if not path.exists():
            facts.save(self.directory / f"facts-{seq}.npz")  # first: a snapshot that exists has its facts
            copy.save(path)
            fsync_dir(self.directory)
        for old_seq, old in self._snapshots()[:-2]:
            old.unlink(missing_ok=True)
            (self.directory / f"facts-{old_seq}.npz").unlink(missing_ok=True)
        if self.artifacts is not None:
            artifacts.publish_snapshot(self.artifacts, self.directory)
        return path

    def _maybe_snapshot(self) -> None:
        """Snapshot in the background once the log since the newest snapshot is long enough to slow a start."""
        if self._exact_override:
            return
        snapshots = self._snapshots()
        behind = self.watermark - (snapshots[-1][0] if snapshots else self.manifest.dense_base_seq)
        if behind < max(SNAPSHOT_MIN_CHANGES, int(SNAPSHOT_FRACTION * len(self.vectors))):
            return
        if not self._snapshotting.acquire(blocking=False):
            return

        def run() -> None:
            try:
                path = self.save_snapshot()
                logger.info("saved dense snapshot %s", path)
            except Exception:
                logger.exception("could not save a dense snapshot (the change log still has everything)")
            finally:
                self._snapshotting.release()

        self._snapshot_thread = threading.Thread(target=run, name="qa-snapshot", daemon=True)
        self._snapshot_thread.start()

    # -- reading -------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def reader(self, takes_turns: bool = True) -> Iterator[Session]:
        """A pooled connection holding one read transaction: a consistent view across statements. Its
        row reads take turns with the process's others unless `takes_turns` is False (Session.takes_turns)."""
        conn = self._begin_read()
        conn.takes_turns = takes_turns
        healthy = False
        try:
            try:
                yield conn
            finally:
                conn.takes_turns = True
                conn.commit()
            healthy = True
        except BaseException as error:
            # A user error inside the block leaves a good connection; a database error may not.
            healthy = not isinstance(error, self.record.errors) and not conn.in_transaction
            if isinstance(error, self.record.lost_connection):
                # the database server went away mid-question (a primary killed, a standby restarted): a
                # 503 that a load balancer sends to another replica, not a 500
                raise DatabaseUnreachable(f"the connection to the database broke: {error}".strip()) from None
            raise
        finally:
            if healthy and not self._closed:
                self._pool.put(conn)
            else:
                conn.close()

    def last_committed(self) -> int:
        """The record's last change, read outside a transaction: one round trip where a read transaction
        takes two (BEGIN with the read, then COMMIT); a pooled connection that died meanwhile is
        replaced as in `reader`."""
        conn = self._pooled()
        if conn is not None:
            try:
                seq = record.last_change(conn)
            except self.record.errors:
                conn.close()
            else:
                if self._closed:
                    conn.close()
                else:
                    self._pool.put(conn)
                return seq
        with self.reader() as fresh:
            return record.last_change(fresh)

    def _pooled(self) -> Session | None:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            return None

    def _begin_read(self) -> Session:
        """A connection in a new read transaction: a pooled one, or a new one when the pool is empty or
        its connection died meanwhile (a database server restarted since)."""
        conn = self._pooled()
        if conn is not None:
            try:
                conn.begin_read()
                record.last_change(conn)  # the transaction's first read, which finds a dead connection
                return conn
            except self.record.errors:
                conn.close()
        conn = self.record.connect()
        try:
            conn.begin_read()
            record.last_change(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    @contextlib.contextmanager
    def view(self) -> Iterator[GenerationView]:
        """A read transaction with the dense index caught up to exactly its state (see GenerationView)."""
        with self.reader() as conn:
            with self._sync_lock:
                seq = self._sync(conn)
            yield GenerationView(self, conn, seq)

    def _sync(self, conn: Session) -> int:
        """Bring the dense index to the state of `conn`'s read transaction; the caller holds _sync_lock.

        When the dense index is already newer (another thread caught up further), the transaction
        restarts: it then sees at least that state, because every change is committed before it is applied.
        """
        seq = record.last_change(conn)
        while seq < self.watermark:
            conn.commit()
            conn.begin_read()
            seq = record.last_change(conn)
        if seq > self.watermark:
            last, added, vectors, removed = record.changes_since(conn, self.watermark, self.dim)
            facts = PassageFacts.read(conn, added) if added else []
            # Added ids are new (AUTOINCREMENT, and the snapshot holds exactly the changes up to its
            # number), so only removals touch existing rows: a tombstone in a partitioned index.
            with self._searching.writing():
                if removed:
                    self.vectors.remove(np.asarray(removed, dtype=np.int64))
                    self.facts.remove(removed)
                if added:
                    self.vectors.add(np.asarray(added, dtype=np.int64), vectors)
                    self.facts.add(facts)
            logger.debug("caught up to change %d: +%d -%d passages", last, len(added), len(removed))
            self.watermark = last
        return seq

    def refresh(self) -> int:
        """Apply every change committed (by any process) since the last call; returns how many changes."""
        if self.last_committed() == self.watermark:
            return 0  # the common case, in one round trip to the database
        with self.reader() as conn, self._sync_lock:
            before = self.watermark
            self._sync(conn)
            return self.watermark - before

    def counts(self) -> tuple[int, int]:
        with self.reader() as conn:
            return record.counts(conn)

    # -- writing -------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def writer(self) -> Iterator[Session]:
        """One write transaction: a thread lock here, the record's write lock across processes.

        Committed means durable (SQLite: WAL, synchronous=FULL; PostgreSQL: its WAL). A generation that
        a rebuild replaced refuses the write (GenerationSwapped), because the rebuild copies run-time
        documents while it holds this same lock. After the commit this process's dense index catches up
        before returning.
        """
        with self._write_lock:
            conn = self.record.connect(write=True)
            try:
                conn.begin_write()
                try:
                    if self._swapped():
                        raise GenerationSwapped(f"{self.directory.name} is no longer the current generation")
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.rollback()
                    raise
                conn.commit()
            finally:
                conn.close()
        self.refresh()
        self._maybe_snapshot()

    def _swapped(self) -> bool:
        """Whether a build replaced this generation: here, or on another machine (the artifacts say so)."""
        if self.index_dir is not None and generation_dir(self.index_dir) != self.directory:
            return True
        return self.artifacts is not None and artifacts.newer_published(self.artifacts, self.directory)

    def close(self) -> None:
        self._closed = True
        thread = self._snapshot_thread
        if thread is not None:
            thread.join(timeout=60)
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return
