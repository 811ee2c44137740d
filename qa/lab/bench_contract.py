"""What the API contract costs: warm POST /api/ask p50 over HTTP, this code against a baseline checkout.

Both servers run side by side on the same index, each in its own process (`python -m qa.cli serve`
from its own source tree), and the questions alternate between them, so machine load that comes and
goes (the machine is shared) hits both alike. Target: the contract adds at most 1 ms to the p50.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.lab.bench_serve import QUESTIONS
from qa.lab.http import ServerProcess, request_json

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class OverheadReport:
    requests: int
    baseline: str
    baseline_p50_ms: float
    current_p50_ms: float
    added_p50_ms: float
    baseline_p90_ms: float
    current_p90_ms: float

    def to_dict(self) -> dict:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _server(source: Path, index_dir: Path, log: Path) -> ServerProcess:
    env = {"PYTHONPATH": str(source), "QA_LOG_LEVEL": "WARNING"}
    server = ServerProcess(index_dir, env=env, log=log, cwd=source)
    server.wait_ready()
    return server


def _ask(base: str, question: str) -> float:
    started = time.perf_counter()
    request_json(base + "/api/ask", {"question": question})
    return (time.perf_counter() - started) * 1000


def run(seeds: Path, baseline: Path, requests: int = 400, python: str = sys.executable) -> OverheadReport:
    """Index `seeds`, serve it from `baseline` and from this tree, and time alternating questions."""
    with tempfile.TemporaryDirectory(prefix="qa-bench-contract-") as tmp:
        index_dir = Path(tmp) / "index"
        subprocess.run(
            [python, "-m", "qa.cli", "index", str(seeds), "--index-dir", str(index_dir)],
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            check=True,
        )
        servers = [_server(baseline, index_dir, Path(tmp) / "baseline.log")]
        try:
            servers.append(_server(ROOT, index_dir, Path(tmp) / "current.log"))
            times: list[list[float]] = [[], []]
            for i in range(requests + 40):
                for side in (i % 2, 1 - i % 2):  # who goes first alternates too
                    elapsed = _ask(servers[side].base, QUESTIONS[i % len(QUESTIONS)])
                    if i >= 40:  # the first questions warm both servers up
                        times[side].append(elapsed)
        finally:
            for server in servers:
                server.stop()
    p50 = [statistics.median(t) for t in times]
    p90 = [statistics.quantiles(t, n=10)[-1] for t in times]
    return OverheadReport(requests, str(baseline), p50[0], p50[1], p50[1] - p50[0], p90[0], p90[1])
