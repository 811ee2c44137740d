"""Several `qa serve` replicas behind haproxy on 127.0.0.1, as the README's "Several machines" runs them,
for the cluster tests and `qa bench cluster`.

Each replica is its own process on a free loopback port; haproxy is started with the configuration in
qa/lab/haproxy.cfg (the one the README shows) filled in with those ports. The harness reads haproxy's
own view of the replicas (UP or DOWN) from its stats socket, so a test can wait until haproxy has
noticed what was done to a replica instead of sleeping a guessed time.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from string import Template

from qa.lab.http import LOOPBACK, ServerProcess, free_port, request_json, wait_until_responds

logger = logging.getLogger(__name__)

HAPROXY_TEMPLATE = Path(__file__).resolve().parent / "haproxy.cfg"


def haproxy_binary() -> str:
    """The haproxy executable (Debian puts it in /usr/sbin, which a user's PATH may lack)."""
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise RuntimeError("haproxy is not installed (Debian: apt-get install haproxy)")
    return found


def haproxy_config(bind_port: int, replica_ports: Sequence[int], stats_socket: Path) -> str:
    """The repository's haproxy.cfg with this cluster's loopback addresses filled in."""
    servers = "\n".join(f"    server r{i} {LOOPBACK}:{port} check" for i, port in enumerate(replica_ports))
    tracking = "\n".join(
        f"    server r{i} {LOOPBACK}:{port} track replicas/r{i}" for i, port in enumerate(replica_ports)
    )
    return Template(HAPROXY_TEMPLATE.read_text(encoding="utf-8")).substitute(
        bind=f"{LOOPBACK}:{bind_port}", servers=servers, tracking_servers=tracking, stats_socket=str(stats_socket)
    )


class Haproxy:
    """haproxy in the foreground in its own process, with a stats socket to ask for the replicas' state."""

    def __init__(self, work_dir: Path, replica_ports: Sequence[int]) -> None:
        self.port = free_port()
        self.base = f"http://{LOOPBACK}:{self.port}"
        self.stats_socket = work_dir / "haproxy.sock"
        self.config = work_dir / "haproxy.cfg"
        self.config.write_text(haproxy_config(self.port, replica_ports, self.stats_socket), encoding="utf-8")
        self.log = work_dir / "haproxy.log"
        with open(self.log, "w", encoding="utf-8") as stderr:
            self.process = subprocess.Popen(
                [haproxy_binary(), "-db", "-f", str(self.config)], stdout=stderr, stderr=stderr
            )

    def server_states(self) -> dict[str, str]:
        """haproxy's state of each replica by name (r0, r1, ...): UP, DOWN, or a transition like 'UP 1/2'."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.stats_socket))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {r["svname"]: r["status"] for r in rows if r.get("pxname") == "replicas" and r["svname"].startswith("r")}

    def wait_for(self, wanted: Mapping[str, str], timeout: float = 30.0) -> float:
        """Seconds until haproxy sees each named replica in the wanted state (UP or DOWN)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"haproxy exited: {self.log.read_text()[-2000:]}")
            try:
                states = self.server_states()
            except OSError:
                states = {}
            if all(states.get(name, "").split(" ")[0] == state for name, state in wanted.items()):
                return time.monotonic() - started
            time.sleep(0.05)
        raise TimeoutError(f"haproxy did not see {dict(wanted)} within {timeout:.0f} s (it sees {states})")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Cluster:
    """N replicas of `qa serve` on one index directory (or one database: `env` names it) behind haproxy.

    `env` goes to every replica; `replica_env`, when given, adds one mapping per replica. Use it as a
    context manager: everything it started is stopped on the way out.
    """

    def __init__(
        self,
        index_dir: str | Path,
        replicas: int,
        work_dir: str | Path,
        env: Mapping[str, str] | None = None,
        replica_env: Sequence[Mapping[str, str]] | None = None,
        serve_args: Sequence[str] = (),
        core_each: bool = False,
    ) -> None:
        """`core_each`: replica i runs on core i (modulo the cores there are), as if each had a machine of
        one core; otherwise every replica may use every core."""
        if replicas < 1:
            raise ValueError(f"a cluster needs at least one replica, got {replicas}")
        self.index_dir = Path(index_dir)
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.env = dict(env or {})
        self.replica_env = list(replica_env or [{} for _ in range(replicas)])
        self.serve_args = tuple(serve_args)
        self.core_each = core_each
        self.replicas: list[ServerProcess] = []
        self.haproxy: Haproxy | None = None
        self.count = replicas

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 120.0) -> float:
        """Start the replicas and haproxy; seconds until haproxy sees every replica UP."""
        started = time.perf_counter()
        for i in range(self.count):
            self.replicas.append(self._start_replica(i))
        for replica in self.replicas:
            replica.wait_ready(timeout)
            # A first question loads what questions need (language identification, stemmers, word lists).
            request_json(replica.base + "/api/ask", {"question": "Wer nimmt an dem Treffen teil?"}, timeout=timeout)
        self.haproxy = Haproxy(self.work_dir, [r.port for r in self.replicas])
        wait_until_responds(self.base + "/healthz", timeout, self.haproxy.process)
        self.haproxy.wait_for({f"r{i}": "UP" for i in range(self.count)}, timeout)
        return time.perf_counter() - started

    def _start_replica(self, i: int, log: Path | None = None, port: int | None = None) -> ServerProcess:
        env = {**self.env, **self.replica_env[i]}
        argv = [sys.executable, "-m", "qa.cli", "serve"]
        if self.core_each:
            argv = ["taskset", "-c", str(i % (os.cpu_count() or 1)), *argv]
        log = log or self.work_dir / f"replica-{i}.log"
        return ServerProcess(self.index_dir, *self.serve_args, env=env, log=log, argv=argv, port=port)

    @property
    def base(self) -> str:
        """haproxy's address: where clients send every request."""
        if self.haproxy is None:
            raise RuntimeError("the cluster is not started")
        return self.haproxy.base

    def replica_base(self, i: int) -> str:
        return self.replicas[i].base

    def kill(self, i: int) -> None:
        """SIGKILL replica i: no goodbye, as when its machine dies."""
        os.kill(self.replicas[i].process.pid, signal.SIGKILL)
        self.replicas[i].process.wait()

    def restart(self, i: int, timeout: float = 120.0) -> None:
        """Start replica i again on its old port (where haproxy expects it); wait until haproxy sees it UP."""
        old = self.replicas[i]
        old.stop()
        self.replicas[i] = self._start_replica(i, self.work_dir / f"replica-{i}-{time.time_ns()}.log", old.port)
        self.replicas[i].wait_ready(timeout)
        if self.haproxy is not None:
            self.haproxy.wait_for({f"r{i}": "UP"}, timeout)

    def logs(self) -> str:
        """Every replica's and haproxy's log, for a failed test's message."""
        parts = [f"--- replica {i}\n{r.errors()[-3000:]}" for i, r in enumerate(self.replicas)]
        if self.haproxy is not None and self.haproxy.log.exists():
            parts.append(f"--- haproxy\n{self.haproxy.log.read_text()[-2000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        if self.haproxy is not None:
            self.haproxy.stop()
        for replica in self.replicas:
            replica.stop()


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What clients asking without pause saw: answers, failures (status or error each) and latencies."""

    answered: int
    failures: tuple[str, ...]
    seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


class QuestionLoad:
    """`clients` threads asking questions through one address, each on its own keep-alive connection,
    until stopped. A client never retries: every error or non-200 answer counts as a failed question."""

    def __init__(self, base: str, clients: int, questions: Sequence[str]) -> None:
        host, port = base.removeprefix("http://").rsplit(":", 1)
        self._address = (host, int(port))
        self._questions = list(questions)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._failures: list[str] = []
        self._latencies: list[float] = []
        self._threads = [threading.Thread(target=self._ask, args=(c,), daemon=True) for c in range(clients)]
        self._started = 0.0

    def __enter__(self) -> QuestionLoad:
        self._started = time.perf_counter()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _ask(self, client: int) -> None:
        conn = http.client.HTTPConnection(*self._address, timeout=60)
        i = client
        while not self._stop.is_set():
            body = json.dumps({"question": self._questions[i % len(self._questions)]})
            i += 1
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                failure = None if response.status == 200 else f"HTTP {response.status}"
            except (http.client.HTTPException, OSError) as error:
                failure = f"{type(error).__name__}: {error}"
                conn.close()
                conn = http.client.HTTPConnection(*self._address, timeout=60)
            with self._lock:
                if failure is None:
                    self._latencies.append((time.perf_counter() - started) * 1000)
                else:
                    self._failures.append(failure)
        conn.close()

    def wait_answered(self, more: int, timeout: float = 30.0) -> None:
        """Wait until `more` questions beyond those answered so far are answered (or `timeout` passes)."""
        with self._lock:
            target = len(self._latencies) + more
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self._latencies) >= target:
                    return
            time.sleep(0.02)

    def stop(self) -> LoadResult:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
        seconds = time.perf_counter() - self._started
        with self._lock:
            return LoadResult(len(self._latencies), tuple(self._failures), seconds, tuple(self._latencies))


def seconds_until_answerable(
    bases: Sequence[str], question: str, document_id: str, timeout: float = 10.0
) -> list[float]:
    """For each address, seconds until its first answer to `question` is from `document_id` (asked
    side by side from the moment of the call, e.g. right after the write was acknowledged)."""

    def first_hit(base: str) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            answer = request_json(base + "/api/ask", {"question": question, "top_k": 1})
            passages = answer.get("passages") or []
            if passages and passages[0]["document"]["id"] == document_id:
                return time.perf_counter() - started
            time.sleep(0.01)
        return float("inf")

    with ThreadPoolExecutor(len(bases)) as pool:
        return list(pool.map(first_hit, bases))
