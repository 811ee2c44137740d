"""What a serving process tells a load balancer about itself: it can read its database, and its cache
of the record (FAISS, the per-passage facts) is not stuck behind the record's change log.

Why a probe thread with a deadline: /healthz must answer within the balancer's check timeout whatever
the database does (a connection to a dead host can hang far longer), so the database is read in one
background thread and the check waits for it at most `timeout` seconds; a probe still hanging is
waited for again, never doubled, so checks cannot pile up threads.

Why the check never catches up itself: applying a large write can take a second, and a replica busy
applying it must not be taken out for that; the check starts the catch-up in the background and says
how long this process has been behind. Every question catches up before it searches, so being a few
changes behind is harmless; staying behind for `max_lag` seconds means the catch-up fails or is stuck.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass

from qa.errors import DatabaseUnreachable, QAError, ReplicaBehind
from qa.storage import record
from qa.storage.generation import Generation

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecordPosition:
    """What one read of the database said: its counts and the last change in its log."""

    documents: int
    passages: int
    last_change: int


@dataclass(frozen=True, slots=True)
class ReplicaState:
    """The health of this process: the record's size and how far this process's cache is behind it."""

    documents: int
    passages: int
    changes_behind: int
    behind_seconds: float

    def __post_init__(self) -> None:
        if self.changes_behind < 0 or self.behind_seconds < 0:
            raise ValueError(f"a replica cannot be ahead of its record: {self}")

    def to_dict(self) -> dict:
        return {**asdict(self), "behind_seconds": round(self.behind_seconds, 3)}


def _read_position(index: Generation) -> RecordPosition:
    with index.reader() as conn:
        documents, passages = record.counts(conn)
        return RecordPosition(documents, passages, record.last_change(conn))


class ReplicaHealth:
    """Answers "may questions come here?" within `timeout` seconds, thread-safe."""

    def __init__(self, index_of: Callable[[], Generation], timeout: float, max_lag: float) -> None:
        self._index_of = index_of
        self._timeout = timeout
        self._max_lag = max_lag
        self._lock = threading.Lock()
        self._probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-health-probe")
        self._probe: Future[RecordPosition] | None = None
        self._catching_up = threading.Lock()
        self._behind_since: float | None = None

    def check(self) -> ReplicaState:
        """The state of this process; DatabaseUnreachable or ReplicaBehind (both 503) when a load
        balancer should send questions elsewhere. Never waits for a write or a catch-up."""
        index = self._index_of()
        position = self._position(index)
        behind = max(0, position.last_change - index.watermark)
        now = time.monotonic()
        with self._lock:
            if not behind:
                self._behind_since = None
            elif self._behind_since is None:
                self._behind_since = now
            lag = now - self._behind_since if self._behind_since is not None else 0.0
        if behind:
            self._catch_up(index)
        if lag > self._max_lag:
            raise ReplicaBehind(
                f"this server has been {behind} changes behind the record for {lag:.0f} s: it is catching up"
            )
        return ReplicaState(position.documents, position.passages, behind, lag)

    def _position(self, index: Generation) -> RecordPosition:
        with self._lock:
            probe = self._probe
            if probe is None or probe.done():
                probe = self._probe = self._probes.submit(_read_position, index)
        try:
            return probe.result(timeout=self._timeout)
        except FutureTimeout:
            raise DatabaseUnreachable(f"the database did not answer within {self._timeout:g} s") from None
        except Exception as error:  # whatever the database or its driver says: this process cannot read
            reason = error.message if isinstance(error, QAError) else str(error).strip() or type(error).__name__
            logger.warning("health probe failed: %s", reason)
            raise DatabaseUnreachable(f"the database cannot be read: {reason}") from None

    def _catch_up(self, index: Generation) -> None:
        """Apply the record's new changes in the background, one catch-up at a time."""
        if not self._catching_up.acquire(blocking=False):
            return

        def run() -> None:
            try:
                index.refresh()
            except Exception as error:  # the next check sees this process still behind
                logger.warning("catching up with the record failed: %s", error)
            finally:
                self._catching_up.release()

        threading.Thread(target=run, name="qa-catch-up", daemon=True).start()

    def close(self) -> None:
        self._probes.shutdown(wait=False, cancel_futures=True)
