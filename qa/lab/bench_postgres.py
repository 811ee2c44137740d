"""PostgreSQL against SQLite as the record: the same archive built on each, then /api/ask over real
HTTP to `qa serve` on each, in one run (`qa bench postgres`): both servers run at once and are asked
the same questions in turns, so that other load on a shared machine falls on both alike.

The archive is generated news paragraphs (qa.lab.bench_writes), encoded by the deterministic hash
encoder, so the figures are about the record and not the model. PostgreSQL is a throw-away cluster
started here on 127.0.0.1 (qa.lab.postgres). Target (issue 25): the PostgreSQL p50 at most 1.15x
SQLite's at 100k passages. Run it on an idle machine: other load shows up in every figure.

Then a new replica: the PostgreSQL archive was published to a shared artifacts directory
(QA_ARTIFACTS) by its build; more articles are added (a change log after the newest snapshot), and
`qa serve` starts on an empty index directory: start to first answer (target 15 s at 100k), against
`qa serve` on the builder's own index directory in the same run, and whether both answer the same
questions identically.
"""

from __future__ import annotations

import json
import logging
import random
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import click

from qa.lab import postgres
from qa.lab.bench_writes import news_articles
from qa.lab.group import bench
from qa.lab.http import KeepAliveClient, ServerProcess, percentile, request_json

logger = logging.getLogger(__name__)

ENCODER = "hash:384"
PARAGRAPHS = 10
QUESTIONS = (
    "Wie viele Arbeitsplätze sollen in {place} entstehen?",
    "Wann beginnen die Arbeiten in {place}?",
    "Um wie viel Prozent sind die Kosten in {place} gestiegen?",
    "How many new jobs are to be created in {place}?",
    "When is the first work in {place} expected to begin?",
    "What do critics in {place} say about the costs?",
)
PLACES = ("Bremen", "Leipzig", "Graz", "Basel", "Rostock", "Freiburg", "Münster", "Kassel")


@dataclass(frozen=True, slots=True)
class BackendFigures:
    backend: str
    build_s: float
    start_to_ready_s: float
    requests: int
    p50_ms: float
    p95_ms: float
    mean_ms: float


def questions(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(QUESTIONS).format(place=rng.choice(PLACES)) for _ in range(count)]


@dataclass(frozen=True, slots=True)
class NewReplica:
    log_changes: int
    start_to_first_answer_s: float
    reference_start_to_first_answer_s: float
    questions: int
    identical_answers: int


def _settings(index_dir: Path, database_url: str, artifacts: str = ""):
    from qa.config import load_settings

    values = {"index_dir": str(index_dir), "encoder": ENCODER, "vector_cache": "", "database_url": database_url}
    return load_settings({**values, "artifacts": artifacts}, environ={})


def _server_env(database_url: str) -> dict[str, str]:
    """The environment of a `qa serve` over the benchmark's archive on one backend."""
    return {"QA_ENCODER": ENCODER, "QA_DATABASE_URL": database_url, "QA_VECTOR_CACHE": ""}


def _build(index_dir: Path, database_url: str, articles: int, artifacts: str = "") -> float:
    from qa.service import QAService
    from qa.text.ingest import parse_record

    service = QAService(_settings(index_dir, database_url, artifacts))
    try:
        started = time.perf_counter()
        service.build_documents(parse_record(record) for record in news_articles(articles, PARAGRAPHS))
        return time.perf_counter() - started
    finally:
        service.close()


def _serve_and_ask(index_dirs: list[tuple[Path, str]], asked: list[str], warm: int) -> list[tuple[float, list[float]]]:
    """Serve each (index directory, database URL) at once and ask them the same questions in turns
    (which goes first alternates), so that load from anything else on the machine falls on both alike."""
    servers = [ServerProcess(index_dir, env=_server_env(url)) for index_dir, url in index_dirs]
    clients: list[KeepAliveClient] = []
    try:
        ready = [server.wait_ready(timeout=600) for server in servers]
        clients = [KeepAliveClient(server.port) for server in servers]
        times: list[list[float]] = [[] for _ in servers]
        for n, question in enumerate(asked[:warm] + asked):
            turns = list(range(len(servers)))
            for i in turns if n % 2 == 0 else reversed(turns):
                started = time.perf_counter()
                if not clients[i].ask(question):
                    raise RuntimeError(f"a question failed: {servers[i].errors()[-500:]}")
                if n >= warm:
                    times[i].append((time.perf_counter() - started) * 1000)
        return list(zip(ready, times, strict=True))
    finally:
        for client in clients:
            client.close()
        for server in servers:
            server.stop()


def _first_answer(index_dir: Path, env: dict[str, str], question: str) -> tuple[float, ServerProcess]:
    """Start `qa serve`; seconds from start to its first answer, and the running server."""
    server = ServerProcess(index_dir, env=env)
    server.wait_ready(timeout=600)
    request_json(f"{server.base}/api/ask", {"question": question})
    return time.perf_counter() - server.started, server


def _answer(server: ServerProcess, question: str) -> dict:
    answer = request_json(f"{server.base}/api/ask", {"question": question, "top_k": 5})
    answer.pop("took_ms", None)
    return answer


def new_replica(root: Path, database_url: str, artifacts: str, asked: list[str], added: int) -> NewReplica:
    """Add `added` articles through the builder's index (the log after its snapshot), then time a replica
    that starts from the artifacts alone against one on the builder's directory, and compare answers."""
    from qa.service import QAService
    from qa.text.ingest import parse_record

    service = QAService(_settings(root / "postgresql" / "index", database_url, artifacts))
    try:
        before = service.index.watermark
        records = news_articles(added, PARAGRAPHS, seed=11)
        for start in range(0, len(records), 50):
            service.add_documents([parse_record(r) for r in records[start : start + 50]])
        log = service.index.watermark - before
    finally:
        service.close()
    env = _server_env(database_url)
    (root / "new-replica").mkdir()  # and nothing in it: a new machine
    new_s, new = _first_answer(root / "new-replica" / "index", {**env, "QA_ARTIFACTS": artifacts}, asked[0])
    try:
        reference_s, reference = _first_answer(root / "postgresql" / "index", env, asked[0])
        try:
            same = sum(_answer(new, q) == _answer(reference, q) for q in asked)
        finally:
            reference.stop()
    finally:
        new.stop()
    return NewReplica(log, round(new_s, 2), round(reference_s, 2), len(asked), same)


def run(articles: int, requests: int) -> tuple[list[BackendFigures], NewReplica]:
    """Build the same archive on SQLite and on PostgreSQL, serve each, and ask each the same questions."""
    if not postgres.available():
        raise click.ClickException(f"PostgreSQL server binaries not found in {postgres.BIN_DIR}")
    asked = questions(requests)
    with tempfile.TemporaryDirectory(prefix="qa-bench-pg-") as tmp:
        # Buffers for the archive's working set, as a database server of its own would have (the test
        # clusters' 32 MB are for tests beside each other).
        cluster = postgres.PostgresCluster.create(Path(tmp) / "cluster", {"shared_buffers": "'1GB'"})
        cluster.start()
        try:
            cluster.sql("CREATE DATABASE qa")
            artifacts = str(Path(tmp) / "artifacts")
            backends = (("sqlite", ""), ("postgresql", cluster.database_url("qa")))
            built = []
            for backend, url in backends:
                index_dir = Path(tmp) / backend / "index"
                built.append(_build(index_dir, url, articles, artifacts if url else ""))
                logger.info("%s: built %d articles in %.1fs", backend, articles, built[-1])
            served = _serve_and_ask([(Path(tmp) / b / "index", url) for b, url in backends], asked, min(50, requests))
            results = [
                BackendFigures(
                    backend,
                    round(build_s, 1),
                    round(ready, 2),
                    len(times),
                    round(statistics.median(times), 2),
                    round(percentile(times, 0.95), 2),
                    round(statistics.fmean(times), 2),
                )
                for (backend, _url), build_s, (ready, times) in zip(backends, built, served, strict=True)
            ]
            replica = new_replica(Path(tmp), cluster.database_url("qa"), artifacts, asked[:100], max(1, articles // 50))
            return results, replica
        finally:
            cluster.remove()


@bench.command("postgres")
@click.option("--articles", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True,
              help=f"Generated articles of {PARAGRAPHS} paragraphs (10,000: 100k passages).")  # fmt: skip
@click.option("--requests", type=click.IntRange(10, 100_000), default=500, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def bench_postgres(articles: int, requests: int, as_json: bool) -> None:
    """PostgreSQL against SQLite as the record, in one run: the same archive (hash encoder) built on
    each, then warm /api/ask p50 over real HTTP, one client. Target: PostgreSQL at most 1.15x SQLite."""
    from qa.config import configure_logging

    configure_logging("INFO")
    figures, replica = run(articles, requests)
    sqlite, pg = figures
    ratio = round(pg.p50_ms / sqlite.p50_ms, 3) if sqlite.p50_ms else None
    if as_json:
        click.echo(
            json.dumps({"backends": [asdict(f) for f in figures], "p50_ratio": ratio, "new_replica": asdict(replica)})
        )
        return
    for f in figures:
        click.echo(
            f"{f.backend:>10}: build {f.build_s:.1f} s, ready {f.start_to_ready_s:.2f} s, "
            f"/api/ask p50 {f.p50_ms:.2f} ms, p95 {f.p95_ms:.2f} ms ({f.requests} questions)"
        )
    click.echo(f"PostgreSQL p50 / SQLite p50: {ratio}")
    r = replica
    click.echo(
        f"new replica from the artifacts + {r.log_changes} changes of log: first answer after "
        f"{r.start_to_first_answer_s:.2f} s (on the builder's own directory: "
        f"{r.reference_start_to_first_answer_s:.2f} s); "
        f"{r.identical_answers} of {r.questions} answers identical"
    )
