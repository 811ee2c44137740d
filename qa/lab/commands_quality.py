"""`qa bench tune`, `qa bench names` and `qa bench distractors`: answer quality on questions nobody tuned for
(registered on the `qa bench` group of qa.lab.group when this module is imported; qa.cli imports it)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from qa.lab.group import bench


@bench.command("tune")
@click.argument("parameter")
@click.argument("values")
@click.option("--xquad", type=click.Path(file_okay=False), default="../shared/bench/xquad", show_default=True)
@click.option("--folds", type=click.IntRange(2, 48), default=4, show_default=True, help="Folds over the articles.")
@click.option("--reference", type=float, default=None, help="Value whose gold-first questions score the highlight.")
def bench_tune(parameter: str, values: str, xquad: str, folds: int, reference: float | None) -> None:
    """Sweep a Searcher option (e.g. name_weight) over comma-separated VALUES on XQuAD DE->DE and EN->DE:
    Recall@1 and highlight at each value, and held-out figures with the value chosen on the other folds
    of articles (cross-validation: report the held-out figure)."""
    from qa.config import configure_logging
    from qa.lab.crossval import sweep

    configure_logging()
    try:
        numbers = tuple(float(v) for v in values.split(","))
    except ValueError:
        raise click.BadParameter(f"expected comma-separated numbers, got {values!r}") from None
    click.echo(json.dumps(sweep(Path(xquad), parameter, numbers, folds, reference).to_dict(), indent=2))


@bench.command("distractors")
@click.option("--xquad", type=click.Path(file_okay=False), default="../shared/bench/xquad", show_default=True)
@click.option("--seeds", type=click.Path(file_okay=False), default="seeds", show_default=True)
@click.option("--resampled", type=click.IntRange(0, 100_000), default=400, show_default=True)
@click.option("--news", type=click.IntRange(0, 100_000), default=100, show_default=True)
@click.option("--names", type=click.IntRange(0, 100_000), default=120, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_distractors(xquad: str, seeds: str, resampled: int, news: int, names: int, as_json: bool) -> None:
    """XQuAD Recall@1 (questions of the even articles, DE->DE and EN->DE) over their German paragraphs alone
    and with German distractor passages that answer none of them (resampled sentences of the other
    articles, generated news, invented-name articles, the seeds).

    Target: EN->DE loses at most 3 points with the distractors.
    """
    from qa.config import configure_logging
    from qa.lab.bench_distractors import run

    configure_logging()
    report = run(Path(xquad), Path(seeds), resampled, news, names)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    click.echo(f"{report.gold_paragraphs} gold paragraphs; distractors: {report.distractors}")
    for direction, figures in report.recall.items():
        click.echo(f"  {direction}  " + "  ".join(f"{key} {value}" for key, value in figures.items()))


@bench.command("names")
@click.option("--articles", type=click.IntRange(10, 100_000), default=240, show_default=True)
@click.option("--seed", type=int, default=15, show_default=True, help="Seed of the invented names and stories.")
@click.option("--name-weight", type=click.FloatRange(0.0, 10.0), default=None, help="Weight to compare with 0.")
@click.option("--misses", is_flag=True, help="List the questions whose first hit is not their article.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_names(articles: int, seed: int, name_weight: float | None, misses: bool, as_json: bool) -> None:
    """Invented look-alike names ("Libilukox", "Liborudox") in short German news articles, one German and
    one English question each naming its article's place, person or company: Recall@1 with the
    rare-name evidence off (weight 0) and on (the default weight or --name-weight), same index.
    """
    from qa.config import configure_logging
    from qa.lab.bench_names import run

    configure_logging()
    report = run(articles, seed, name_weight)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    click.echo(f"{report.articles} articles, {report.questions} questions; Recall@1")
    for key, values in report.recall.items():
        click.echo(f"  {key:12s} " + "  ".join(f"{label} {value:.3f}" for label, value in values.items()))
    if misses:
        for miss in report.misses:
            click.echo(f"  miss {miss}")
