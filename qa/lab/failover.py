"""A primary and a standby PostgreSQL on loopback (qa.lab.postgres) that fail over, and a stream of
writes that records which were acknowledged: for the cluster tests and `qa bench cluster --postgres`.

Replicas write through a multi-host URL naming both servers with `target_session_attrs=read-write`
(libpq connects to whichever of them takes writes now) and read through one with
`target_session_attrs=prefer-standby`, so neither URL changes when the roles swap. The primary
waits for the standby before it acknowledges a commit (`synchronous_standby_names = '*'`): a write
acknowledged just before the primary dies is on the standby that is promoted; without it, such a
write could be lost with the primary.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from qa.lab.postgres import SUPERUSER, PostgresCluster

DATABASE = "qa"


def _url(ports: tuple[int, int], attrs: str) -> str:
    hosts = ",".join(f"127.0.0.1:{port}" for port in ports)
    return f"postgresql://{SUPERUSER}@{hosts}/{DATABASE}?target_session_attrs={attrs}&connect_timeout=2"


class PostgresPair:
    """A primary and its synchronous standby; `stop_primary()` kills the primary, `promote()` the standby,
    `rebuild_standby()` makes the dead one a standby of the new primary again, on its old port."""

    def __init__(self) -> None:
        # Its own directory right under the system's temp dir: the server user must reach it through
        # every parent, and pytest makes its own temp root private again whenever a session starts.
        self.work_dir = Path(tempfile.mkdtemp(prefix="qa-pg-"))
        self._generation = 0
        self._dead_port = 0
        self.standby: PostgresCluster | None = None
        self.primary = PostgresCluster.create(self._directory())
        try:
            self.primary.start()
            self.primary.sql(f"CREATE DATABASE {DATABASE}")
            self.standby = self.primary.standby(self._directory())
            self._synchronous(True)
        except BaseException:
            self.close()
            raise
        self.ports = (self.primary.port, self.standby.port)

    def _synchronous(self, on: bool) -> None:
        """Whether the primary waits for a standby before it acknowledges a commit. Off while it has
        none (after a promotion, until rebuild_standby), or every write would wait forever: what
        Patroni's synchronous_mode does too."""
        self.primary.sql(f"ALTER SYSTEM SET synchronous_standby_names = '{'*' if on else ''}'")
        self.primary.sql("SELECT pg_reload_conf()")

    def _directory(self) -> Path:
        self._generation += 1
        return self.work_dir / f"pg-{self._generation}"

    @property
    def write_url(self) -> str:
        """Both servers; libpq picks the one that takes writes."""
        return _url(self.ports, "read-write")

    @property
    def read_url(self) -> str:
        """Both servers; libpq prefers the standby and takes the primary when there is none."""
        return _url(self.ports, "prefer-standby")

    def stop_primary(self) -> None:
        """SIGKILL the primary and its backends: its machine died."""
        self.primary.kill()

    def promote(self) -> None:
        """The standby becomes the primary (the dead one stays dead until rebuild_standby)."""
        if self.standby is None:
            raise RuntimeError("there is no standby to promote")
        self.standby.promote()
        dead, self.primary, self.standby = self.primary, self.standby, None
        self._synchronous(False)
        dead.remove()
        self._dead_port = dead.port

    def rebuild_standby(self) -> None:
        """A fresh standby of the current primary by pg_basebackup, on the dead primary's port (where
        the replicas' URLs name it)."""
        standby = self.primary.standby(self._directory(), start=False)
        standby.port = self._dead_port
        standby.start()
        self.standby = standby
        self._synchronous(True)

    def document_ids(self) -> set[str]:
        """The ids of the documents in the newest generation's schema, read on the primary itself."""
        schema = self.primary.sql(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'qa\\_%' ORDER BY nspname DESC LIMIT 1", DATABASE
        ).strip()
        return set(self.primary.sql(f"SELECT id FROM {schema}.documents", DATABASE).split())

    def close(self) -> None:
        """Kill both servers (nothing here is kept) and delete their directories."""
        for server in (self.primary, self.standby):
            if server is not None:
                server.remove()
        shutil.rmtree(self.work_dir, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """One write's answer: its status, its error code, its Retry-After header, when it was sent."""

    document_id: str
    status: int
    code: str
    retry_after: str | None
    seconds: float
    sent_at: float


def post_document(base: str, record: dict, key: str, timeout: float = 60) -> WriteOutcome:
    """POST one JSON record; the answer, whatever it is (a refused connection is status 0)."""
    request = urllib.request.Request(
        base + "/api/documents",
        data=json.dumps(record).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        method="POST",
    )
    sent = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status, code, retry = response.status, "", None
    except urllib.error.HTTPError as error:
        body = json.loads(error.read() or b"{}")
        status, code, retry = error.code, str(body.get("code", "")), error.headers.get("Retry-After")
    except OSError as error:
        status, code, retry = 0, type(error).__name__, None
    return WriteOutcome(record["id"], status, code, retry, time.perf_counter() - sent, sent)


class WriteStream:
    """One client posting fresh articles one after another until stopped, keeping every answer."""

    def __init__(self, base: str, key: str, make_record, pause: float = 0.05) -> None:
        self._base, self._key, self._make, self._pause = base, key, make_record, pause
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.outcomes: list[WriteOutcome] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._next = 0

    def __enter__(self) -> WriteStream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            outcome = post_document(self._base, self._make(self._next), self._key)
            self._next += 1
            with self._lock:
                self.outcomes.append(outcome)
            time.sleep(self._pause)

    def snapshot(self) -> list[WriteOutcome]:
        with self._lock:
            return list(self.outcomes)

    def wait_for(self, predicate, timeout: float) -> WriteOutcome:
        """The first answer (from now on) that satisfies `predicate`; TimeoutError when none comes."""
        seen = len(self.snapshot())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for outcome in self.snapshot()[seen:]:
                if predicate(outcome):
                    return outcome
            time.sleep(0.02)
        raise TimeoutError(f"no write answered as wanted within {timeout:.0f} s: {self.snapshot()[-3:]}")

    def stop(self) -> list[WriteOutcome]:
        self._stop.set()
        self._thread.join(timeout=120)
        return self.snapshot()

    @property
    def acknowledged(self) -> list[str]:
        return [o.document_id for o in self.snapshot() if o.status == 201]
