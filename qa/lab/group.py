"""The `qa bench` group, on its own so that every module of benchmark commands can add to it without
importing another such module (qa.lab.commands and qa.lab.commands_quality used to import each other)."""

from __future__ import annotations

import json

import click


@click.group()
def bench() -> None:
    """Benchmarks that measure the numbers the product promises (run on an idle machine)."""


def print_report(report: dict, as_json: bool) -> None:
    """A benchmark's figures: one JSON object, or one aligned line each."""
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    width = max(len(key) for key in report) + 2
    for key, value in report.items():
        click.echo(f"{key:{width}s} {value}")
