"""The one home of the benchmarks' (and tests') HTTP helpers: a free loopback port, a JSON request,
a keep-alive client, a server process started as a user starts it, waited for, and stopped, its
memory, and the percentile every latency report uses."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def request_json(
    url: str, payload: dict | list | None = None, key: str = "", method: str = "POST", timeout: float = 30
) -> dict:
    """One JSON request over real HTTP (with a Bearer key when given); the decoded JSON answer."""
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"{}")


def wait_until_responds(url: str, timeout: float = 120.0, process: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers 200; raise when `process` exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


class ServerProcess:
    """`qa serve` (or another command given in `argv`) in its own process on a free loopback port.

    Its stderr goes to a file, never a pipe: nobody reads the request log, and a full pipe would
    stall the server.
    """

    def __init__(
        self,
        index_dir: str | Path,
        *args: str,
        env: dict[str, str] | None = None,
        log: str | Path | None = None,
        argv: Sequence[str] | None = None,
        cwd: str | Path | None = None,
        port: int | None = None,
    ) -> None:
        """`port`: a given one (a process restarted where a load balancer expects it), else a free one."""
        self.port = port or free_port()
        self.base = f"http://{LOOPBACK}:{self.port}"
        self.log = Path(log) if log else Path(index_dir).parent / f"server-{self.port}.log"
        command = list(argv or [sys.executable, "-m", "qa.cli", "serve"])
        command += ["--index-dir", str(index_dir), "--port", str(self.port), *args]
        with open(self.log, "w", encoding="utf-8") as stderr:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, "QA_LOG_LEVEL": "WARNING", **(env or {})},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                cwd=cwd,
            )
        self.started = time.perf_counter()

    def wait_ready(self, timeout: float = 120.0, path: str = "/healthz") -> float:
        """Seconds from start until `path` answered; the log's tail in the error when it never did."""
        try:
            wait_until_responds(self.base + path, timeout, self.process)
        except (RuntimeError, TimeoutError) as error:
            self.stop()
            raise RuntimeError(f"{error}: {self.errors()[-2000:]}") from None
        return time.perf_counter() - self.started

    def errors(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stop(self, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


class KeepAliveClient:
    """One keep-alive HTTP connection, reopened when the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def close(self) -> None:
        self.conn.close()

    def ask(self, question: str) -> bool:
        body = json.dumps({"question": question})
        for attempt in range(2):
            try:
                self.conn.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
                response = self.conn.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return response.status == 200
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    return False
        return False


def process_memory(pid: int) -> dict[str, float]:
    """RSS, PSS and private memory of a process in MB (PSS splits shared pages among their users)."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        values[name] = int(rest.split()[0]) / 1024
    return {
        "rss": values.get("Rss", 0.0),
        "pss": values.get("Pss", 0.0),
        "private": values.get("Private_Clean", 0.0) + values.get("Private_Dirty", 0.0),
    }


def process_cpu_s(pid: int, children: bool = False) -> float:
    """User plus system CPU seconds a process (all its threads) has used so far; with `children`, its
    child processes' too (the workers of `qa serve --workers N`). Linux (/proc)."""
    pids = [pid]
    if children:
        pids += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    ticks = 0
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")
