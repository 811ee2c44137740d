"""`qa bench hostile` on a tiny workload: every hostile request is answered with a 4xx or 200, never a
5xx, and the report carries every figure."""

from __future__ import annotations

from qa.lab.bench_hostile import run

from ..conftest import SEEDS


def test_bench_hostile_reports_every_figure():
    report = run(SEEDS, ordinary=10, clients=2).to_dict()
    statuses = {cost["name"]: cost["status"] for cost in report["requests"]}
    assert all(200 <= status < 500 for status in statuses.values()), statuses
    assert statuses["chat: 30 MB chunked body"] == 413 and statuses["ask: JSON nested 500,000 deep"] == 400
    assert report["ordinary_idle_p50_ms"] > 0 and report["slowdown"] > 0 and report["hostile_requests_sent"] > 0
