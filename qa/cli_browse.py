"""Terminal commands that read the archive as the page and the API do: `qa chat` (a conversation with
follow-up questions), `qa sources`, `qa stats` and `qa show` (one article, e.g. a cited one).

Registered on the `qa` group by qa.cli; `--json` prints what the API answers, under the same names.
"""

from __future__ import annotations

import json
import sys

import click

from qa.cli_options import (
    SCORES_HELP,
    echo_answer,
    from_index,
    index_options,
    make_settings,
    open_service,
    scope_from,
    scope_options,
)
from qa.config import configure_logging
from qa.records import MODES

_UNDERSTOOD = {"de": "Verstanden als", "en": "Understood as"}


def _json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _kept(messages: list, max_messages: int, max_chars: int) -> list:
    """The conversation within the API's bounds: the oldest turns go first, never the question."""
    while len(messages) > 1 and (len(messages) > max_messages or sum(len(m.content) for m in messages) > max_chars):
        messages = messages[1:]
    while messages[0].role != "user":
        messages = messages[1:]
    return messages


@click.command("chat", epilog=SCORES_HELP)
@click.option("--top-k", type=click.IntRange(1), default=None, help="Passages per answer (QA_DEFAULT_TOP_K).")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@scope_options
@click.option("--json", "as_json", is_flag=True, help="Print each answer as JSON (the API's /api/chat answer).")
@index_options
def chat_command(
    top_k: int | None, mode: str, as_json: bool, index_dir: str | None, encoder: str | None, **scope_fields
) -> None:
    """A conversation in the terminal: type a question, then follow-ups ("Und warum?", "And Germany?"),
    resolved against the earlier turns as on the chat page, within the same filters. An empty line
    asks nothing, `/new` starts a new conversation, Ctrl-D (end of input) ends it."""
    from qa.chat.conversation import MAX_HISTORY_CHARS, MAX_MESSAGES, Message

    configure_logging()
    settings = make_settings(index_dir, encoder)
    scope, time_from_question = scope_from(**scope_fields)
    if top_k is not None and top_k > settings.max_top_k:
        raise click.BadParameter(f"at most {settings.max_top_k} (QA_MAX_TOP_K)", param_hint="--top-k")
    service = open_service(settings)
    messages: list = []
    prompt = sys.stdin.isatty()
    try:
        while True:
            if prompt:
                click.echo("> ", nl=False, err=True)
            line = sys.stdin.readline()
            if not line:
                break
            question = line.strip()[: settings.max_question_chars]
            if question == "/new":
                messages = []
                click.echo("(new conversation)", err=True)
                continue
            if not question:
                continue
            messages = _kept([*messages, Message("user", question)], MAX_MESSAGES, MAX_HISTORY_CHARS)
            result = service.chat(messages, top_k, mode, scope=scope, time_from_question=time_from_question)
            messages.append(Message("assistant", result.reply))
            if as_json:
                click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
                continue
            resolution = result.resolution
            if resolution.rewritten:
                click.echo(f"{_UNDERSTOOD[resolution.language]}: {resolution.resolved}")
            if result.answer.scope.understood:
                click.echo(result.answer.scope.understood)
            click.echo(result.reply)
            echo_answer(result.answer)
            click.echo()
    except KeyboardInterrupt:
        click.echo("", err=True)
    finally:
        service.close()


@click.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON (GET /api/sources).")
@index_options
def sources_command(as_json: bool, index_dir: str | None, encoder: str | None) -> None:
    """List the sources of the articles, the largest first: articles, first and last date, undated ones.
    These are the names `--source` (the API's `sources`) takes, in any case."""
    configure_logging()
    sources = from_index(index_dir, encoder, lambda service: service.sources())
    if as_json:
        _json({"sources": sources})
        return
    for s in sources:
        dates = f"{s['first_date']} .. {s['last_date']}" if s["first_date"] else "undated"
        undated = f"  ({s['undated']} undated)" if s["undated"] and s["first_date"] else ""
        click.echo(f"{s['documents']:>7}  {dates:<24}  {s['source'] or '(no source)'}{undated}")
    click.echo(f"{len(sources)} sources", err=True)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON (GET /api/stats).")
@index_options
def stats_command(as_json: bool, index_dir: str | None, encoder: str | None) -> None:
    """What the archive covers: articles and passages, the date range, articles per month, per language and
    (the ten largest) per source."""
    configure_logging()
    stats = from_index(index_dir, encoder, lambda service: service.stats())
    if as_json:
        _json(stats)
        return
    click.echo(f"{stats['documents']} articles, {stats['passages']} passages")
    dates = f"{stats['first_date']} .. {stats['last_date']}" if stats["first_date"] else "no dated article"
    click.echo(f"dates      {dates} ({stats['undated']} undated)")
    click.echo("languages  " + ", ".join(f"{x['language']} {x['documents']}" for x in stats["languages"]))
    click.echo("months     " + ", ".join(f"{m['month']} {m['documents']}" for m in stats["months"]))
    largest = stats["sources"][:10]
    more = f" (and {len(stats['sources']) - 10} more: qa sources)" if len(stats["sources"]) > 10 else ""
    click.echo("sources    " + ", ".join(f"{s['source']} {s['documents']}" for s in largest) + more)


@click.command("show")
@click.argument("document_id")
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON (GET /api/documents/ID).")
@index_options
def show_command(document_id: str, as_json: bool, index_dir: str | None, encoder: str | None) -> None:
    """Show the article DOCUMENT_ID (e.g. one `qa ask` cites): title, date, source and its passages, each
    numbered as answers cite it (passage N)."""
    configure_logging()
    document = from_index(index_dir, encoder, lambda service: service.get_document(document_id))
    if as_json:
        _json(document)
        return
    click.echo(document["title"])
    click.echo(f"{document['date'] or 'undated'}, {document['source'] or 'no source'}, {document['id']}")
    heading = ""
    for passage in document["passages"]:
        if passage["heading"] and passage["heading"] != heading:
            heading = passage["heading"]
            click.echo(f"\n## {heading}")
        click.echo(f"\n[{passage['position']}] {passage['text']}")


COMMANDS = (chat_command, sources_command, stats_command, show_command)
