"""The reading options of `qa add` and `qa index`: metadata for one file, skipped files and bad records.

Kept apart from qa/cli.py so the command module stays small; both commands read files through
`reading(...)`, so they read the same files the same way (and as the API does, qa.text.ingest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import click

from qa.errors import InvalidRequest
from qa.records import Document


def ingest_options(command):
    """--id, --title, --date, --source, --url (for one file), --strict and --skip-bad."""
    options = [
        click.option("--id", "doc_id", help="The article's id (one file of one article)."),
        click.option("--title", help="The article's title (one file of one article)."),
        click.option("--date", help="Publication date: YYYY-MM-DD, ISO 8601 date-time or RFC 822."),
        click.option("--source", help="Who published the articles (a newsroom, a feed)."),
        click.option("--url", help="Where the article is published, http(s) (one file of one article)."),
        click.option("--strict", is_flag=True, help="A file of no known format in a folder is an error."),
        click.option("--skip-bad", is_flag=True, help="Skip and list unreadable records or files instead of refusing."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def reading(
    paths: tuple[str, ...],
    doc_id: str | None = None,
    title: str | None = None,
    date: str | None = None,
    source: str | None = None,
    url: str | None = None,
    strict: bool = False,
    skip_bad: bool = False,
) -> Callable[[bool], Iterator[Document]]:
    """A function that reads `paths` afresh on every call (one pass to count, one to store); with
    `report` it lists skipped files and records on stderr, and --strict turns a skipped file into
    an error once the pass is done."""
    from qa.text.ingest import Metadata, check_url, parse_date, read_documents

    if (doc_id or title or url) and (len(paths) != 1 or Path(paths[0]).is_dir()):
        raise click.UsageError("--id, --title and --url name one article: give exactly one file")
    meta = Metadata(doc_id, title, parse_date(date, "--date"), source, check_url(url, "--url"))

    def read(report: bool = True) -> Iterator[Document]:
        skipped: list[str] = []

        def note(message: str) -> None:
            skipped.append(message)
            if report:
                click.echo(message if message.startswith("skipped") else f"skipped {message}", err=True)

        yield from read_documents(paths, meta, note, note if skip_bad else None)
        files = [m for m in skipped if m.startswith("skipped ") and ": not a format qa reads" in m]
        if strict and files:
            raise InvalidRequest(f"{len(files)} file(s) of no known format (--strict); see the list above")

    return read


def build_with_progress(
    service, read: Callable[[bool], Iterator[Document]], paths: tuple[str, ...], encode_calls=None
) -> dict:
    """Index what `read` reads in one pass, with a progress bar on a terminal (articles read, articles/s,
    time left against a total estimated from the files' bytes). A bad record stops the build before
    the new index is swapped in, so nothing is half-imported; the previous index stays."""
    import itertools
    import sys
    import time

    from tqdm import tqdm

    from qa.text.ingest import estimated_articles

    started = time.perf_counter()
    documents = read(True)
    first = next(documents, None)
    if first is None:
        raise InvalidRequest("no articles found in the paths given")
    total = estimated_articles(paths) or None
    with tqdm(total=total, unit="article", desc="indexing", file=sys.stderr, disable=None) as bar:

        def counted() -> Iterator[Document]:
            for document in itertools.chain([first], documents):
                yield document
                bar.update(1)

        return service.build_documents(counted(), None, encode_calls, started)
