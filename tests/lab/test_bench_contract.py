"""`qa bench contract` runs the current code beside a baseline tree and reports both p50s."""

import json
import subprocess

from qa.cli import cli

from ..conftest import ROOT, SEEDS

# main just before the API contract (issue 14) was merged: hand-written validation and spec.
BEFORE_CONTRACT = "3169fcc"


def _baseline(tmp_path):
    """The code before the contract when the history holds it, else this tree (the command still runs)."""
    target = tmp_path / "before"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE_CONTRACT], capture_output=True)
    if archive.returncode != 0:
        return ROOT
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def test_bench_contract_reports_both_servers(runner, tmp_path):
    baseline = _baseline(tmp_path)
    result = runner.invoke(
        cli, ["bench", "contract", "--baseline", str(baseline), "--seeds", str(SEEDS), "--requests", "20", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["requests"] == 20 and report["baseline"] == str(baseline)
    assert report["baseline_p50_ms"] > 0 and report["current_p50_ms"] > 0
    assert abs(report["added_p50_ms"] - (report["current_p50_ms"] - report["baseline_p50_ms"])) < 0.01
