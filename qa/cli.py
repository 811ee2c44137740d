"""The `qa` command: index articles, ask questions, serve the API and chat page."""

from __future__ import annotations

import json
import logging
import signal
import sys
from pathlib import Path

import click

from qa.cli_ingest import build_with_progress, ingest_options, reading
from qa.cli_options import SCORES_HELP, echo_answer, from_index, index_options, make_settings, scope_from, scope_options
from qa.cli_options import open_service as _service
from qa.config import configure_logging
from qa.errors import InvalidRequest, QAError
from qa.records import DEFAULT_PAGE, MAX_PAGE, MODES

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
            where = f": {error.filename}" if error.filename else ""
            click.echo(f"error: {error.strerror or error}{where}", err=True)
            ctx.exit(2)


def ray_option(command):
    return click.option(
        "--ray",
        "ray_address",
        is_flag=False,
        flag_value="",
        default=None,
        metavar="[ADDRESS]",
        help="Encode on Ray: a local cluster, or join ADDRESS ('auto', 'ray://head:10001'); "
        "QA_RAY_ADDRESS sets it too. Put it after PATHS, or give the address.",
    )(command)


def _ray_encoding(service, ray_address: str | None):
    """The Ray session of `--ray [ADDRESS]` / QA_RAY_ADDRESS, or a null context when neither is set."""
    import contextlib

    settings = service.settings
    if ray_address is None and not settings.ray_address:
        return contextlib.nullcontext(None)
    from qa.encoding.ray_pipeline import RayOptions, ray_encoding

    options = RayOptions.from_settings(settings, ray_address or None)
    return ray_encoding(options, settings.encode_batch_size, service.encoder.dim)


@click.group(cls=_Group)
@click.version_option(package_name="qa")
def cli() -> None:
    """Question answering over German and English news articles."""


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the manifest of the new index (and seconds) as JSON.")
@ray_option
@ingest_options
@index_options
def index_command(
    paths: tuple[str, ...],
    as_json: bool,
    ray_address: str | None,
    index_dir: str | None,
    encoder: str | None,
    **reading_options,
) -> None:
    """Build the index from article files or folders (default: the seeds folder).

    The new index is built beside the old one and swapped in at the end, so an interrupted build
    leaves the previous index in place.
    """
    configure_logging("INFO")
    settings = make_settings(index_dir, encoder)
    # Not opened: the index being replaced may be of another encoder or format (the rebuild is the cure).
    service = _service(settings, cached=True, open_index=False)
    try:
        with _ray_encoding(service, ray_address) as encode_calls:
            sources = paths or (settings.seeds_dir,)
            result = build_with_progress(service, reading(sources, **reading_options), sources, encode_calls)
    except KeyboardInterrupt:
        click.echo("interrupted: the previous index is unchanged", err=True)
        sys.exit(130)
    finally:
        service.close()
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(
        f"indexed {result['documents']} documents, {result['passages']} passages "
        f"with {result['encoder']} in {result['seconds']:.1f}s into {settings.index_dir}"
    )


@cli.command(epilog=SCORES_HELP)
@click.argument("question")
@click.option(
    "--top-k", type=click.IntRange(1), default=None, help="Passages to show (QA_DEFAULT_TOP_K, at most QA_MAX_TOP_K)."
)
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@scope_options
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (the API's answer).")
@index_options
def ask(
    question: str,
    top_k: int | None,
    mode: str,
    as_json: bool,
    index_dir: str | None,
    encoder: str | None,
    **scope_fields,
) -> None:
    """Answer QUESTION with the best-matching passages (optionally within filters): each with its article's
    title, date and source, and the sentence that answers best."""
    configure_logging()
    settings = make_settings(index_dir, encoder)
    scope, time_from_question = scope_from(**scope_fields)
    if top_k is not None and top_k > settings.max_top_k:
        raise click.BadParameter(f"at most {settings.max_top_k} (QA_MAX_TOP_K)", param_hint="--top-k")
    question = question.strip()
    if not question:
        raise click.UsageError("the question is empty")
    if len(question) > settings.max_question_chars:
        raise click.UsageError(f"the question is longer than {settings.max_question_chars} characters")
    service = _service(settings)
    try:
        answer = service.ask(question, top_k, mode, scope, time_from_question)
    finally:
        service.close()
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    if answer.scope.understood:
        click.echo(answer.scope.understood)
    echo_answer(answer)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@ray_option
@ingest_options
@index_options
def add(
    paths: tuple[str, ...],
    as_json: bool,
    ray_address: str | None,
    index_dir: str | None,
    encoder: str | None,
    **reading_options,
) -> None:
    """Add or replace the articles in PATHS (files or folders) in the index, durably.

    A running server sees them at its next request. The same id replaces the stored article; the
    same content again changes nothing. All articles are stored, or none.
    """
    configure_logging()
    read = reading(paths, **reading_options)
    service = _service(make_settings(index_dir, encoder))
    try:
        documents = list(read(True))
        if not documents:
            raise InvalidRequest("no articles found in the paths given")
        with _ray_encoding(service, ray_address) as encode_calls:
            results = service.add_documents(documents, encode_calls)
    except KeyboardInterrupt:
        click.echo("interrupted: nothing was stored", err=True)
        sys.exit(130)
    finally:
        service.close()
    if as_json:
        click.echo(json.dumps({"documents": results}, ensure_ascii=False))
        return
    for result in results:
        click.echo(f"{result['status']:<9} {result['id']}  {result['passage_count']} passages")


@cli.command("list")
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option("--limit", type=click.IntRange(1, MAX_PAGE), default=DEFAULT_PAGE, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@index_options
def list_command(offset: int, limit: int, as_json: bool, index_dir: str | None, encoder: str | None) -> None:
    """List the indexed articles, newest first: id, date, passage count, title (`qa show ID` opens one)."""
    configure_logging()
    page = from_index(index_dir, encoder, lambda service: service.list_documents(offset, limit))
    if as_json:
        click.echo(json.dumps(page, ensure_ascii=False))
        return
    for doc in page["documents"]:
        click.echo(f"{doc['id']}  {doc['date'] or 'undated':<10}  {doc['passage_count']:>3}  {doc['title']}")
    shown = len(page["documents"])
    click.echo(f"{offset + 1 if shown else 0}-{offset + shown} of {page['total']} documents", err=True)


@cli.command()
@click.argument("document_id")
@index_options
def remove(document_id: str, index_dir: str | None, encoder: str | None) -> None:
    """Delete the article DOCUMENT_ID from the index, durably."""
    configure_logging()
    removed = from_index(index_dir, encoder, lambda service: service.remove_document(document_id))
    click.echo(f"removed {document_id} ({removed} passages)")


@cli.command()
@click.option("--host", default=None, help="Address to listen on (QA_HOST) [default: 127.0.0.1].")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (QA_PORT or PORT) [default: 8000].")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Server processes (QA_WORKERS) [default: 1].")
@click.option(
    "--threads", type=click.IntRange(1, 256), default=None, help="Threads per process (QA_THREADS) [default: 8]."
)
@click.option("--dev", is_flag=True, help="Werkzeug's development server instead (one process, no limits).")
@index_options
def serve(
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    dev: bool,
    index_dir: str | None,
    encoder: str | None,
) -> None:
    """Serve the chat page and the JSON API; builds the index from the seeds first if there is none.

    The server is waitress (a production server: each request is read whole before a thread works on it),
    bounded in threads, connections and time; --workers starts several processes on the same port. --dev
    runs Werkzeug's development server instead.
    """
    from qa.storage.artifacts import check_index, index_exists

    configure_logging("INFO")
    settings = make_settings(index_dir, encoder, host=host, port=port, workers=workers, threads=threads)
    if not index_exists(settings):
        _build_seeds(settings)
    check_index(settings)
    if dev:
        _serve_dev(settings)
        return
    from qa.web.serve import serve as serve_production

    serve_production(settings)


def _build_seeds(settings) -> None:
    """Index the seeds in a child process: this one forks the server's workers, and the encoder's OpenMP
    runtime must not have started in it."""
    import subprocess

    click.echo(f"no index in {settings.index_dir} yet: indexing {settings.seeds_dir}", err=True)
    if not Path(settings.seeds_dir).exists():
        raise click.UsageError(f"no seeds folder {settings.seeds_dir}: set QA_SEEDS_DIR or run qa index")
    command = [sys.executable, "-m", "qa.cli", "index", settings.seeds_dir, "--index-dir", settings.index_dir]
    try:
        built = subprocess.run([*command, "--encoder", settings.encoder], check=False)
    except KeyboardInterrupt:
        click.echo("interrupted: no index was written", err=True)
        sys.exit(130)
    if built.returncode != 0:
        sys.exit(built.returncode)


def _serve_dev(settings) -> None:
    from werkzeug.serving import WSGIRequestHandler, make_server

    from qa import create_app

    class Handler(WSGIRequestHandler):
        server_version, sys_version = "qa", ""  # no server software or version on the wire

    service = _service(settings)
    server = make_server(settings.host, settings.port, create_app(service), threaded=True, request_handler=Handler)
    # SIGTERM (e.g. from a process manager) stops as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    click.echo(f"serving on http://{settings.host}:{server.server_port} (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopping", err=True)
    finally:
        server.server_close()
        service.close()


@cli.command("mcp")
@index_options
def mcp_command(index_dir: str | None, encoder: str | None) -> None:
    """Serve the API as Model Context Protocol tools on stdin/stdout (for LLM agents): ask, chat, sources,
    stats, list_documents and get_document.

    Logs go to stderr; stdout carries the protocol. In an agent's MCP configuration name the command by
    its absolute path (/srv/qa/.venv/bin/qa, or /srv/qa/.venv/bin/python with `-m qa mcp`) and give
    --index-dir as an absolute path: an agent starts it from a directory of its own.
    """
    from qa.web.mcp_server import serve_stdio

    configure_logging()
    service = _service(make_settings(index_dir, encoder))
    try:
        serve_stdio(service)
    finally:
        service.close()


@cli.group("db")
def db_group() -> None:
    """The shared record in PostgreSQL (QA_DATABASE_URL); SQLite needs none of this."""


@db_group.command("init")
@click.argument("url", envvar="QA_DATABASE_URL")
def db_init(url: str) -> None:
    """Make the database of URL (postgresql://user@host:port/name) ready: created when missing. Each
    `qa index` with QA_DATABASE_URL=URL then builds its generation in a schema of its own there."""
    from qa.storage.database import init_database

    click.echo(init_database(url))


def _register_browsing_commands() -> None:
    from qa.cli_browse import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


def _register_measuring_commands() -> None:
    from qa.lab import (  # noqa: F401 (their benchmarks join the group)
        bench_ingest,
        bench_postgres,
        commands_cluster,
        commands_newsroom,
        commands_quality,
    )
    from qa.lab.commands import calibrate_command, eval_command
    from qa.lab.group import bench

    for command in (eval_command, calibrate_command, bench):
        cli.add_command(command)


_register_browsing_commands()
_register_measuring_commands()

if __name__ == "__main__":
    cli()
