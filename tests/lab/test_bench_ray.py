"""`qa bench ray` runs end to end on a tiny corpus (the figures come from a full run: see the README).

The benchmark runs as a user runs it, `qa bench ray` in its own process: it starts and stops a
local Ray cluster and a two-node loopback cluster itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ..conftest import ROOT

pytest.importorskip("ray", reason="the ray extra is not installed: pip install -e '.[ray]'")


def test_bench_ray_reports_every_figure():
    env = {k: v for k, v in os.environ.items() if k != "QA_RAY_ADDRESS"}
    env["QA_VECTOR_CACHE"] = ""
    result = subprocess.run(
        [sys.executable, "-m", "qa.cli", "bench", "ray", "--passages", "8", "--scaling-passages", "8", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["passages"] >= 8 and report["texts"] > report["passages"]
    # The same planned calls on Ray give the vectors the process itself computes, bit for bit.
    assert report["same_vectors"] is True
    assert report["local_ray_cpus"] >= 1
    for key in (
        "single_process_passages_per_s",
        "local_ray_passages_per_s",
        "one_node_passages_per_s",
        "two_nodes_passages_per_s",
        "startup_to_first_vector_s",
        "local_cluster_start_s",
    ):
        assert report[key] > 0, key
    # Storing is far cheaper than encoding: the writer alone outpaces any build that encodes.
    assert report["writer_passages_per_s"] > report["local_ray_passages_per_s"]
    assert report["startup_to_first_vector_s"] > report["local_cluster_start_s"]
