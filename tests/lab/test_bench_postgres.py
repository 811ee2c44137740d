"""`qa bench postgres` runs end to end on both backends and reports every figure (the figures
themselves are not asserted)."""

import json

import pytest

from qa.cli import cli
from qa.lab import postgres


@pytest.mark.skipif(not postgres.available(), reason=f"PostgreSQL server binaries not found in {postgres.BIN_DIR}")
def test_bench_postgres_reports_both_backends(runner):
    result = runner.invoke(cli, ["bench", "postgres", "--articles", "20", "--requests", "10", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [b["backend"] for b in report["backends"]] == ["sqlite", "postgresql"]
    for backend in report["backends"]:
        assert backend["requests"] == 10 and backend["p50_ms"] > 0 and backend["p95_ms"] >= backend["p50_ms"]
    assert report["p50_ratio"] > 0
    # a replica started from the artifacts alone, after articles were added past the snapshot
    replica = report["new_replica"]
    assert replica["log_changes"] >= 1 and replica["start_to_first_answer_s"] > 0
    assert replica["identical_answers"] == replica["questions"] == 10
