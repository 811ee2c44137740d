"""Hostile-input benchmark: the most expensive requests the documented limits allow, each timed alone
(wall time and the server's CPU time), then ordinary questions asked while four clients send them.

Everything runs as a user meets it: `qa serve` in its own process on 127.0.0.1, requests over real
HTTP. Targets: no request takes over 2 s of server CPU; the median of ordinary questions under attack
stays under 2x its idle median.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.lab.bench_serve import QUESTIONS
from qa.lab.http import ServerProcess, process_cpu_s

logger = logging.getLogger(__name__)

CPU_TARGET_MS = 2000.0
SLOWDOWN_TARGET = 2.0


@dataclass(frozen=True, slots=True)
class Cost:
    name: str
    status: int
    wall_ms: float
    cpu_ms: float


@dataclass(frozen=True, slots=True)
class HostileReport:
    requests: list[dict]
    worst: str
    worst_cpu_ms: float
    ordinary_idle_p50_ms: float
    ordinary_under_attack_p50_ms: float
    slowdown: float
    hostile_clients: int
    hostile_requests_sent: int
    cpu_target_ms: float = CPU_TARGET_MS
    slowdown_target: float = SLOWDOWN_TARGET

    def to_dict(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _http(base: str, path: str, body: bytes, content_type: str = "application/json", key: str = "") -> int:
    headers = {"Content-Type": content_type, **({"Authorization": f"Bearer {key}"} if key else {})}
    request = urllib.request.Request(base + path, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def _chunked(base: str, path: str, size: int) -> int:
    """A body sent chunked (no Content-Length), `size` bytes in 64 KB chunks."""
    host, port = base.removeprefix("http://").split(":")
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    chunk = b"a" * 65536
    with socket.create_connection((host, int(port)), timeout=600) as sock:
        sock.sendall((head + "Connection: close\r\n\r\n").encode())
        try:
            for _ in range(size // len(chunk)):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # refused before the end
        answer = sock.recv(64)
    return int(answer.split()[1]) if answer.startswith(b"HTTP/") else 0


def hostile_requests(key: str) -> dict[str, Callable[[str], int]]:
    """Each request the documented limits allow that costs the most of its kind."""
    long_german = ("Welches Land ist bereit, Soldaten für eine europäische Friedenstruppe bereitzustellen? " * 30)[
        :2000
    ]
    turns = []
    for n in range(24):
        turns += [
            {"role": "user", "content": f"Frage {n}: " + "Welches Land ist bereit, Soldaten zu stellen? " * 8},
            {"role": "assistant", "content": 'Laut dem Artikel „Koalition“: "' + "Estland ist bereit. " * 16 + '"'},
        ]
    history_chat = {"messages": [*turns, {"role": "user", "content": "Und warum?"}], "top_k": 50}
    blanks = {
        "messages": [
            {"role": "user", "content": "Who is ready to provide soldiers?"},
            {"role": "assistant", "content": ': "a' + " " * 19_000 + 'b"'},
            {"role": "user", "content": "And why?"},
        ]
    }
    # a reply is read back for the article it quoted (`reply.cited_title`): openings that never close
    openings = {
        "messages": [
            {"role": "user", "content": "Welches Land ist bereit, Soldaten zu stellen?"},
            {"role": "assistant", "content": "Laut dem Artikel „" * 1_050},
            {"role": "user", "content": "Welche Länder zögern noch mit einer Zusage?"},
            {"role": "assistant", "content": "According to the article “" * 700},
            {"role": "user", "content": "Wie lange hat das Treffen gedauert?"},
        ]
    }
    page = urllib.parse.urlencode({"question": "Und Deutschland?", "history": json.dumps(turns)}).encode()
    jsonl = "\n".join([json.dumps({"text": "Ein kurzer Artikel über den Hafen. " * 5})] * 10_001).encode()

    def ask(question: str, top_k: int = 50) -> Callable[[str], int]:
        return lambda base: _http(base, "/api/ask", json.dumps({"question": question, "top_k": top_k}).encode())

    return {
        "ask: 2,000 characters of CJK (max tokens), top_k 50": ask("中国" * 1000),
        "ask: 2,000 characters of German, top_k 50": ask(long_german),
        "ask: the same in lower case": ask(long_german.lower()),
        "ask: 2,000 emoji": ask("😀" * 2000),
        "chat: 49 turns, 20,000 characters, follow-up, top_k 50": lambda base: _http(
            base, "/api/chat", json.dumps(history_chat).encode()
        ),
        "chat: quoted reply of 19,000 blanks": lambda base: _http(base, "/api/chat", json.dumps(blanks).encode()),
        "chat: replies of article openings that never close": lambda base: _http(
            base, "/api/chat", json.dumps(openings).encode()
        ),
        "page: no-JS form with 48 turns of history": lambda base: _http(
            base, "/", page, content_type="application/x-www-form-urlencoded"
        ),
        "ask: JSON nested 500,000 deep": lambda base: _http(base, "/api/ask", b"[" * 500_000),
        "chat: 30 MB chunked body": lambda base: _chunked(base, "/api/chat", 30_000_000),
        "documents: 10,001 JSONL records (with the key)": lambda base: _http(
            base, "/api/documents", jsonl, content_type="application/x-ndjson", key=key
        ),
    }


def _ordinary(base: str, count: int, offset: int = 0) -> list[float]:
    times = []
    for i in range(count):
        question = QUESTIONS[(i + offset) % len(QUESTIONS)]
        started = time.perf_counter()
        _http(base, "/api/ask", json.dumps({"question": question}).encode())
        times.append((time.perf_counter() - started) * 1000)
    return times


def run(seeds: Path, ordinary: int = 200, clients: int = 4, python: str = sys.executable) -> HostileReport:
    """Index `seeds` into a throw-away directory, start `qa serve` with a write key and measure."""
    key = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="qa-bench-hostile-") as tmp:
        index_dir = Path(tmp) / "index"
        env = {**os.environ, "QA_LOG_LEVEL": "WARNING", "QA_VECTOR_CACHE": ""}
        subprocess.run(
            [python, "-m", "qa.cli", "index", str(seeds), "--index-dir", str(index_dir)], env=env, check=True
        )
        server = ServerProcess(index_dir, env={"QA_API_KEY": key}, argv=[python, "-m", "qa.cli", "serve"])
        server.wait_ready()
        try:
            base, pid = server.base, server.process.pid
            requests = hostile_requests(key)
            _ordinary(base, 30)  # warm-up
            costs = []
            for name, send in requests.items():
                cpu, started = process_cpu_s(pid), time.perf_counter()
                status = send(base)
                costs.append(
                    Cost(name, status, (time.perf_counter() - started) * 1000, (process_cpu_s(pid) - cpu) * 1000)
                )
                logger.info("%s: %d in %.0f ms, %.0f ms CPU", name, status, costs[-1].wall_ms, costs[-1].cpu_ms)
            idle = _ordinary(base, ordinary)
            stop, sent = threading.Event(), [0]

            def attack(offset: int) -> None:
                senders = list(requests.values())
                while not stop.is_set():
                    senders[(offset + sent[0]) % len(senders)](base)
                    sent[0] += 1

            attackers = [threading.Thread(target=attack, args=(n,), daemon=True) for n in range(clients)]
            for thread in attackers:
                thread.start()
            time.sleep(1.0)
            busy = _ordinary(base, ordinary)
            stop.set()
            for thread in attackers:
                thread.join(timeout=600)
        finally:
            server.stop()
    worst = max(costs, key=lambda cost: cost.cpu_ms)
    idle_p50, busy_p50 = statistics.median(idle), statistics.median(busy)
    return HostileReport(
        requests=[asdict(cost) for cost in costs],
        worst=worst.name,
        worst_cpu_ms=worst.cpu_ms,
        ordinary_idle_p50_ms=idle_p50,
        ordinary_under_attack_p50_ms=busy_p50,
        slowdown=busy_p50 / idle_p50,
        hostile_clients=clients,
        hostile_requests_sent=sent[0],
    )
