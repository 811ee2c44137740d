"""Service benchmark: seed indexing time, server start to first answer, warm /api/ask latency over HTTP.

Everything runs as a user would: `qa index` and `python server.py` in their own processes, requests
over real HTTP on 127.0.0.1. Run it on an idle machine; other load shows up in the tail latencies.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.lab.http import ServerProcess, percentile, request_json

logger = logging.getLogger(__name__)

QUESTIONS = (
    "Wer nimmt an dem Treffen nur virtuell teil?",
    "Which country is ready to provide soldiers?",
    "Was fordert Putin für einen Frieden?",
    "What did Macron announce on the eve of the meeting?",
    "Warum ist Deutschland zurückhaltend?",
    "Who doubts that the guarantees deter Russia?",
)


@dataclass(frozen=True, slots=True)
class ServeReport:
    index_command_s: float
    index_build_s: float
    start_to_ready_s: float
    requests: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    concurrent_clients: int
    concurrent_median_ms: float
    concurrent_p99_ms: float
    concurrent_requests_per_s: float

    def to_dict(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _timed_asks(url: str, count: int, offset: int = 0) -> list[float]:
    times = []
    for i in range(count):
        question = QUESTIONS[(i + offset) % len(QUESTIONS)]
        started = time.perf_counter()
        request_json(url, {"question": question})
        times.append((time.perf_counter() - started) * 1000)
    return times


def run(seeds: Path, requests: int = 500, clients: int = 8, python: str = sys.executable) -> ServeReport:
    """Index `seeds` into a throw-away directory, start the server on it and measure."""
    env = {**os.environ, "QA_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        index_dir = Path(tmp) / "index"
        started = time.perf_counter()
        result = subprocess.run(
            [python, "-m", "qa.cli", "index", str(seeds), "--index-dir", str(index_dir), "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        index_command_s = time.perf_counter() - started
        build_s = float(json.loads(result.stdout)["seconds"])

        server = ServerProcess(index_dir, argv=[python, "-m", "qa.cli", "serve"])
        try:
            start_to_ready_s = server.wait_ready(path="/healthz")
            request_json(server.base + "/api/ask", {"question": QUESTIONS[0]})
            start_to_ready_s = time.perf_counter() - server.started
            base = server.base
            _timed_asks(base + "/api/ask", 30)  # warm-up
            sequential = _timed_asks(base + "/api/ask", requests)

            per_client = max(1, requests // clients)
            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                batches = list(pool.map(lambda c: _timed_asks(base + "/api/ask", per_client, c), range(clients)))
            wall = time.perf_counter() - started
            concurrent = [t for batch in batches for t in batch]
        finally:
            server.stop()
    return ServeReport(
        index_command_s=index_command_s,
        index_build_s=build_s,
        start_to_ready_s=start_to_ready_s,
        requests=len(sequential),
        median_ms=statistics.median(sequential),
        p95_ms=percentile(sequential, 0.95),
        p99_ms=percentile(sequential, 0.99),
        concurrent_clients=clients,
        concurrent_median_ms=statistics.median(concurrent),
        concurrent_p99_ms=percentile(concurrent, 0.99),
        concurrent_requests_per_s=len(concurrent) / wall,
    )
