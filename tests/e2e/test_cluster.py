"""Three `qa serve` replicas on one record behind haproxy (the README's "Several machines" recipe, its
haproxy.cfg from the repository), everything on 127.0.0.1: a write through one replica is answered
through the others within a second, and a replica killed under load costs no question."""

from __future__ import annotations

import time

import pytest

from qa.lab.bench_serve import QUESTIONS
from qa.lab.cluster import Cluster, QuestionLoad, seconds_until_answerable

from ..web.test_documents_http import BIKES, BIKES_QUESTION, KEY, LIBRARY, LIBRARY_QUESTION, call, copy_index


@pytest.fixture(scope="module")
def cluster(seed_index_dir, tmp_path_factory):
    work = tmp_path_factory.mktemp("cluster")
    index_dir = copy_index(seed_index_dir, work / "index")
    with Cluster(index_dir, 3, work, env={"QA_API_KEY": KEY}) as running:
        yield running


def test_a_write_through_one_replica_is_answerable_through_the_others_within_a_second(cluster):
    a, b, c = (cluster.replica_base(i) for i in range(3))
    status, body = call(a, "POST", "/api/documents", {"id": "library", "text": LIBRARY})
    assert status == 201, body
    waits = seconds_until_answerable([b, c, cluster.base], LIBRARY_QUESTION, "library", timeout=5)
    assert max(waits) <= 1.0, f"seconds until answerable through B, C and haproxy: {waits}"
    # And the other way round, a write through haproxy reaching whichever replica took it.
    assert call(cluster.base, "POST", "/api/documents", {"id": "bikes", "text": BIKES})[0] == 201
    waits = seconds_until_answerable([a, b, c], BIKES_QUESTION, "bikes", timeout=5)
    assert max(waits) <= 1.0, f"seconds until answerable through A, B and C: {waits}"


def test_a_replica_killed_under_four_clients_fails_no_question(cluster):
    assert cluster.haproxy is not None
    with QuestionLoad(cluster.base, 4, QUESTIONS) as load:
        time.sleep(1.5)
        cluster.kill(1)
        down_after = cluster.haproxy.wait_for({"r1": "DOWN"}, timeout=10)
        time.sleep(1.5)
        result = load.stop()
    try:
        assert not result.failures, f"{len(result.failures)} failed: {result.failures[:5]}\n{cluster.logs()}"
        assert result.answered >= 20, result
        assert down_after <= 3.0, f"haproxy took {down_after:.1f} s to take the dead replica out"
    finally:
        cluster.restart(1)  # the next test finds three replicas again
    assert call(cluster.base, "GET", "/healthz", key=None)[0] == 200
