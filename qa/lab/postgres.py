"""Real PostgreSQL clusters on loopback for the tests and benchmarks: initdb in a temp dir, a
streaming standby, a hard kill and a promotion, all started by the caller.

`initdb` refuses to run as root, so when this process is root every server command runs as an
unprivileged system user (`postgres`, which Debian's package creates; otherwise `qa-postgres`,
created here) through `runuser`. Every server listens on 127.0.0.1 only, on an ephemeral port, with
no Unix socket, and trusts loopback connections (a throw-away test cluster, never a deployment).

    primary = PostgresCluster.create(tmp_path / "primary")   # initdb
    primary.start()                                           # waits until it accepts connections
    standby = primary.standby(tmp_path / "standby")           # pg_basebackup -R, started, streaming
    primary.kill()                                            # SIGKILL, as when the box dies
    standby.promote()                                         # now it takes writes
    standby.stop(); primary.stop("immediate")

`url` is a libpq URL of the cluster's `postgres` database (`database_url(name)` for another one);
`sql(statement)` runs one statement through psql and returns its output.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

from qa.lab.http import LOOPBACK, free_port

logger = logging.getLogger(__name__)

BIN_DIR = Path(os.environ.get("QA_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "qa"
_FALLBACK_USER = "qa-postgres"
# A throw-away cluster: no fsync (a killed server keeps its writes in the page cache; nothing here
# survives a power cut), small shared memory so several clusters fit beside the tests.
_SETTINGS = {
    "listen_addresses": f"'{LOOPBACK}'",
    "unix_socket_directories": "''",
    "fsync": "off",
    "full_page_writes": "off",
    "shared_buffers": "'32MB'",
    "max_connections": "100",
    "wal_level": "replica",
    "max_wal_senders": "10",
    "hot_standby": "on",
    "wal_keep_size": "'64MB'",
    "logging_collector": "off",
}


def available() -> bool:
    """Whether the PostgreSQL server binaries are installed (tests skip without them)."""
    return (BIN_DIR / "initdb").is_file() and (BIN_DIR / "pg_ctl").is_file()


def _server_user() -> str | None:
    """The user the server commands run as: None (this one) unless this process is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", _FALLBACK_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", _FALLBACK_USER], check=True)
    return _FALLBACK_USER


def _run(args: list[str], user: str | None, timeout: float = 60) -> str:
    command = ["runuser", "-u", user, "--", *args] if user else args
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd="/")
    if done.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    return done.stdout


def _hand_over(directory: Path, user: str | None) -> None:
    """Create `directory` (mode 0700) owned by the server user: initdb and pg_basebackup insist on it."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    if user:
        entry = pwd.getpwnam(user)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
        # The server user must be able to reach the directory through its parents (pytest's tmp_path
        # under /tmp is 0700 root).
        for parent in directory.parents:
            if parent == Path("/") or parent.stat().st_mode & 0o001:
                continue
            parent.chmod(parent.stat().st_mode | 0o001)


class PostgresCluster:
    """One PostgreSQL server: its data directory, its port, and how to start, stop and kill it."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = Path(directory)
        self.data = self.directory / "data"
        self.port = port or free_port()
        self.user = _server_user()
        self.log = self.directory / "server.log"

    @classmethod
    def create(cls, directory: str | Path, settings: dict[str, str] | None = None) -> PostgresCluster:
        """initdb a new cluster in `directory` (created; must not hold one already). Not started.
        `settings` (name: value as in postgresql.conf) go after the defaults of a test cluster."""
        cluster = cls(Path(directory))
        _hand_over(cluster.directory, cluster.user)
        _run(
            [str(BIN_DIR / "initdb"), "-D", str(cluster.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
             "--locale=C", "--no-sync"],
            cluster.user,
        )  # fmt: skip
        with open(cluster.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in {**_SETTINGS, **(settings or {})}.items())
        return cluster

    @property
    def url(self) -> str:
        """The libpq URL of the `postgres` database."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql://{SUPERUSER}@{LOOPBACK}:{self.port}/{name}"

    def start(self, timeout: float = 30) -> None:
        """Start the server and wait until it accepts connections (a standby: until it reads)."""
        _run(
            [str(BIN_DIR / "pg_ctl"), "start", "-D", str(self.data), "-l", str(self.log), "-w",
             "-t", str(int(timeout)), "-o", f"-p {self.port}"],
            self.user,
            timeout=timeout + 10,
        )  # fmt: skip
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until the server answers a query; raise TimeoutError with its log's tail otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            probe = subprocess.run(
                [str(BIN_DIR / "pg_isready"), "-h", LOOPBACK, "-p", str(self.port), "-U", SUPERUSER, "-t", "1"],
                capture_output=True,
            )
            if probe.returncode == 0:
                return
            time.sleep(0.05)
        raise TimeoutError(f"PostgreSQL on port {self.port} not ready in {timeout:.0f}s: {self._log_tail()}")

    def stop(self, mode: str = "fast") -> None:
        """pg_ctl stop: `fast` (roll back sessions, checkpoint) or `immediate` (no checkpoint, like a
        crash; a restart recovers from the WAL). A server that is not running is left alone."""
        if mode not in ("smart", "fast", "immediate"):
            raise ValueError(f"stop mode must be smart, fast or immediate, not {mode!r}")
        if self.pid() is None:
            return
        _run([str(BIN_DIR / "pg_ctl"), "stop", "-D", str(self.data), "-m", mode, "-w"], self.user)

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend: the box died. `start()` recovers from the WAL."""
        pid = self.pid()
        if pid is None:
            return
        victims = [pid, *_children(pid)]
        for victim in victims:
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while any(_alive(victim) for victim in victims) and time.monotonic() < deadline:
            time.sleep(0.02)
        # A killed postmaster may linger as a zombie until init reaps it, and a zombie's pid still
        # answers kill(pid, 0): the next start would take it for a running server.
        (self.data / "postmaster.pid").unlink(missing_ok=True)

    def pid(self) -> int | None:
        """The running postmaster's process id, or None when it is not running."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def standby(self, directory: str | Path, start: bool = True) -> PostgresCluster:
        """A streaming standby of this (running) server: pg_basebackup -R into `directory`, on its
        own port, started unless `start` is False. It follows this server until promoted."""
        replica = PostgresCluster(Path(directory))
        _hand_over(replica.directory, replica.user)
        _run(
            [str(BIN_DIR / "pg_basebackup"), "-h", LOOPBACK, "-p", str(self.port), "-U", SUPERUSER,
             "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast", "--no-sync"],
            replica.user,
            timeout=120,
        )  # fmt: skip
        if start:
            replica.start()
        return replica

    def promote(self, timeout: float = 30) -> None:
        """Turn this standby into a primary and wait until it takes writes."""
        _run([str(BIN_DIR / "pg_ctl"), "promote", "-D", str(self.data), "-w", "-t", str(int(timeout))], self.user)
        deadline = time.monotonic() + timeout
        while self.sql("SELECT pg_is_in_recovery()").strip() != "f":
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL on port {self.port} still in recovery after promote")
            time.sleep(0.05)

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement through psql (tuples only, unaligned); its output."""
        done = subprocess.run(
            [str(BIN_DIR / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.database_url(database),
             "-c", statement],
            capture_output=True,
            text=True,
            timeout=60,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout

    def remove(self) -> None:
        """Stop the server hard and delete its directory."""
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _log_tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-5:])
        except OSError:
            return "(no server log)"

    def __enter__(self) -> PostgresCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop("immediate")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a postmaster's backends)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found.append(int(entry.name))
    return found
