"""The `qa bench` group, on its own so that every module of benchmark commands can add to it without
importing another such module (qa.lab.commands and qa.lab.commands_quality used to import each other)."""

from __future__ import annotations

import click


@click.group()
def bench() -> None:
    """Benchmarks that measure the numbers the product promises (run on an idle machine)."""
