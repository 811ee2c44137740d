"""`qa bench cluster` runs end to end: every write found on every replica, and on PostgreSQL no acknowledged
write lost across failovers. The figures themselves (speeds, failed questions) are the benchmark's to
report: tests/e2e/test_cluster.py asserts no failed question."""

import json

import pytest

from qa.cli import cli
from qa.lab import postgres
from qa.lab.bench_cluster import fresh_article, made_up_name

from ..conftest import SEEDS


def test_made_up_names_differ_and_hold_only_letters():
    names = {made_up_name(i) for i in range(2000)}
    assert len(names) == 2000 and all(name.isalpha() for name in names)
    record, question = fresh_article(7)
    assert made_up_name(7) in record["text"] and made_up_name(7) in question


def test_bench_cluster_reports_every_figure(runner):
    args = ["bench", "cluster", "--seeds", str(SEEDS), "--encoder", "hash:64", "--seconds", "2", "--writes", "3"]
    result = runner.invoke(cli, [*args, "--clients", "2", "--replicas", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["writes"] == 3 and report["replicas"] == 2
    assert report["answerable_other_replica_max_ms"] < 10_000  # found everywhere (unfound is infinite)
    assert report["kill_questions_answered"] > 0
    for key in ("answers_per_s_one_replica_direct", "answers_per_s_two_replicas_haproxy", "two_vs_one_replica"):
        assert report[key] > 0, key


@pytest.mark.skipif(not postgres.available(), reason="PostgreSQL's server binaries are not installed")
def test_bench_cluster_on_postgres_loses_no_acknowledged_write_across_failovers(runner):
    args = ["bench", "cluster", "--seeds", str(SEEDS), "--encoder", "hash:64", "--seconds", "2", "--writes", "2"]
    result = runner.invoke(cli, [*args, "--clients", "2", "--replicas", "2", "--postgres", "--cycles", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["backend"] == "postgres" and report["failover_cycles"] == 2
    assert report["failover_writes_acknowledged"] > 0 and report["failover_writes_lost"] == 0
    assert report["failover_refusals_without_retry_after"] == 0
    assert report["failover_questions_answered"] > 0
