"""`qa bench contract` runs the current code beside a baseline tree and reports both p50s."""

import json
import subprocess

from qa.cli import cli

from ..conftest import ROOT, SEEDS


def _baseline(tmp_path):
    """A copy of this tree as the baseline: the code before the contract reads index format 3 only (the
    archive moved to format 4 since), so the test checks that the command runs and reports both sides."""
    target = tmp_path / "baseline"
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], capture_output=True)
    if archive.returncode != 0:
        return ROOT
    target.mkdir()
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
