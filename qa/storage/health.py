"""What a serving process tells a load balancer about itself: it can read its database, and its cache
of the record (FAISS, the per-passage facts) is not stuck behind the record's change log.

Why a probe thread with a deadline: /healthz must answer within the balancer's check timeout whatever
the database does (a connection to a dead host can hang far longer), so the database is read in one
background thread and the check waits for it at most `timeout` seconds; a probe still hanging is
waited for again, never doubled, so checks cannot pile up threads.

Why the check never catches up itself: applying a large write can take a second, and a replica busy
applying it must not be taken out for that; the check starts the catch-up in the background and says
how long this process has been behind. Every question catches up before it searches, so being a few
changes behind is harmless; a change seen `max_lag` seconds ago and still not applied means the
catch-up fails or is stuck. Lag is timed from the oldest change seen and not yet reached, not from the
first check that found the process behind: under a steady stream of writes every check may find a
change or two not yet applied, and that is no lag.

The same goes for the database a process reads when that is a standby (QA_READ_DATABASE_URL): its
position is compared with the primary's in a probe of its own, so a standby that stopped replaying
(its connection to the primary lost, a replay conflict) takes its replicas out, while a primary that
does not answer takes nobody out: questions go on from the standby.
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
from qa.storage.database import Session
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
    """The health of this process: the record's size, how far this process's cache is behind it, and
    how far the standby it reads is behind the primary (None: no standby, or the primary is silent)."""

    documents: int
    passages: int
    changes_behind: int
    behind_seconds: float
    standby_changes_behind: int | None = None
    standby_behind_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.changes_behind < 0 or self.behind_seconds < 0:
            raise ValueError(f"a replica cannot be ahead of its record: {self}")

    def to_dict(self) -> dict:
        """Every field (the standby's None without one), seconds rounded to milliseconds."""
        return {name: round(v, 3) if isinstance(v, float) else v for name, v in asdict(self).items()}


class Lag:
    """Seconds since the oldest position seen that is not yet reached (0 when every one is)."""

    def __init__(self) -> None:
        self._target: tuple[int, float] | None = None  # (a change seen, when it was first seen)

    def update(self, reached: int, seen: int, now: float) -> float:
        if self._target is not None and reached >= self._target[0]:
            self._target = None
        if self._target is None and seen > reached:
            self._target = (seen, now)
        return now - self._target[1] if self._target is not None else 0.0


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
        self._primary_probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-health-primary")
        self._primary_probe: Future[int] | None = None
        self._primary_seen: int | None = None
        # The probe thread's own connection to the primary, and the generation it belongs to.
        self._primary_conn: tuple[Generation, Session] | None = None
        self._catching_up = threading.Lock()
        self._cache_lag = Lag()
        self._closed = False
        self._standby_lag = Lag()

    def check(self) -> ReplicaState:
        """The state of this process; DatabaseUnreachable or ReplicaBehind (both 503) when a load
        balancer should send questions elsewhere. Never waits for a write or a catch-up."""
        index = self._index_of()
        position = self._position(index)
        primary = self._primary(index) if index.record.reads_elsewhere else None
        behind = max(0, position.last_change - index.watermark)
        now = time.monotonic()
        with self._lock:
            lag = self._cache_lag.update(index.watermark, position.last_change, now)
            standby_lag = self._standby_lag.update(position.last_change, primary, now) if primary is not None else None
        if behind:
            self._catch_up(index)
        if lag > self._max_lag:
            raise ReplicaBehind(
                f"this server has been {behind} changes behind the record for {lag:.0f} s: it is catching up"
            )
        standby_behind = max(0, primary - position.last_change) if primary is not None else None
        if standby_lag is not None and standby_lag > self._max_lag:
            raise ReplicaBehind(
                f"the database this server reads has been {standby_behind} changes behind the primary for "
                f"{standby_lag:.0f} s: it is not replaying the primary's writes"
            )
        return ReplicaState(position.documents, position.passages, behind, lag, standby_behind, standby_lag)

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

    def _primary(self, index: Generation) -> int | None:
        """The primary's last change as its latest answered probe said, starting the next probe; None when
        it did not answer (then questions go on from the standby: no reason to take this process out).
        Never waited for: a dead primary's host can take seconds to refuse, longer than a check may."""
        with self._lock:
            probe = self._primary_probe
            if probe is not None and probe.done():
                try:
                    self._primary_seen = probe.result()
                except Exception as error:  # unreachable, promoted away: said nowhere but the log
                    logger.debug("the primary did not say its position: %s", error)
                    self._primary_seen = None
                probe = None
            if probe is None:
                self._primary_probe = self._primary_probes.submit(self._primary_change, index)
            return self._primary_seen

    def _primary_change(self, index: Generation) -> int:
        """The last change on the primary, read outside a transaction on a connection kept between probes
        (only the probe thread uses it): a balancer checks twice a second, and a new connection each time
        would start a server process on the primary for each check."""
        kept = self._primary_conn
        if kept is not None and kept[0] is not index:
            kept[1].close()  # a new generation: its own schema
            kept = None
        if kept is None:
            kept = self._primary_conn = (index, index.record.connect(write=True))
        try:
            return record.last_change(kept[1])
        except BaseException:
            kept[1].close()
            self._primary_conn = None
            raise

    def _drop_primary(self) -> None:
        if self._primary_conn is not None:
            self._primary_conn[1].close()
            self._primary_conn = None

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
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._probes.shutdown(wait=False, cancel_futures=True)
        self._primary_probes.submit(self._drop_primary)  # in the probe thread, after a probe under way
        self._primary_probes.shutdown(wait=False)
