"""`qa bench serve` runs end to end and reports every figure (the figures themselves are not asserted)."""

import json

from qa.cli import cli

from ..conftest import SEEDS


def test_bench_serve_reports_every_figure(runner):
    result = runner.invoke(
        cli, ["bench", "serve", "--seeds", str(SEEDS), "--requests", "10", "--clients", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["requests"] == 10 and report["concurrent_clients"] == 2
    for key in (
        "index_command_s",
        "index_build_s",
        "start_to_ready_s",
        "median_ms",
        "p99_ms",
        "concurrent_median_ms",
        "concurrent_requests_per_s",
    ):
        assert report[key] > 0, key
    assert report["p99_ms"] >= report["median_ms"]
