"""`qa bench ingest`: a CMS export of N records (JSONL) read and stored with the `hash:` encoder.

With hash vectors the encoder costs next to nothing, so the build's time is reading, parsing,
splitting and storing; the report says which share of it went to reading and parsing the file (both
pass `qa index` makes, and the byte scan that estimates the progress bar's total) and the peak RSS. Each size runs
in a child process of its own, so its peak RSS is its own.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import click

from qa.lab.group import bench

_WORDS = (
    "Hafen Fähre Insel Rat Stadt Bürgermeister Linie Ticket Kosten Winter Sommer Reederei Terminal Bahn "
    "Schule Markt Zoo Bibliothek Haushalt Gericht Polizei Feuerwehr Wetter Sturm Strom Wasser Brücke"
).split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS).lower() for _ in range(rng.randint(8, 16))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def write_export(path: Path, records: int, seed: int = 7) -> None:
    """A JSONL export as a CMS writes it: HTML text, ISO date-times, fields qa does not read."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(records):
            paragraphs = ["<p>" + " ".join(_sentence(rng) for _ in range(3)) + "</p>" for _ in range(4)]
            record = {
                "id": i,
                "title": _sentence(rng)[:-1],
                "date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:30:00+02:00",
                "url": f"https://news.example/{i}",
                "source": "Lokalblatt",
                "author": "Redaktion",
                "tags": ["lokal", "politik"],
                "text": "".join(paragraphs),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _timed(documents: Iterator, clock: list[float]) -> Iterator:
    """The documents, the time spent producing them (reading and parsing) added to clock[0]."""
    while True:
        started = time.perf_counter()
        try:
            document = next(documents)
        except StopIteration:
            clock[0] += time.perf_counter() - started
            return
        clock[0] += time.perf_counter() - started
        yield document


def run_one(records: int, directory: Path) -> dict:
    """Build an index of `records` records in this process, the way `qa index FILE` does."""
    from qa.config import load_settings
    from qa.service import QAService
    from qa.text.ingest import estimated_articles, read_documents

    export = directory / "export.jsonl"
    write_export(export, records)
    settings = load_settings(
        {"index_dir": str(directory / "index"), "encoder": "hash:64", "vector_cache": ""}, environ={}
    )
    service = QAService(settings, open_index=False)
    started = time.perf_counter()
    estimated = estimated_articles([export])  # the progress bar's total, as `qa index` takes it
    count_clock = [time.perf_counter() - started]
    build_clock = [0.0]
    manifest = service.build_documents(_timed(read_documents([export]), build_clock), started=started)
    seconds = time.perf_counter() - started
    service.close()
    reading = count_clock[0] + build_clock[0]
    return {
        "records": records,
        "estimated_articles": estimated,
        "documents": manifest["documents"],
        "passages": manifest["passages"],
        "file_mb": round(export.stat().st_size / 1e6, 1),
        "seconds": round(seconds, 1),
        "records_per_s": round(records / seconds),
        "read_parse_s": round(reading, 2),
        "read_parse_share": round(reading / seconds, 3),
        "estimate_s": round(count_clock[0], 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def measure(sizes: list[int]) -> list[dict]:
    """One child process per size (its own peak RSS)."""
    results = []
    for records in sizes:
        with tempfile.TemporaryDirectory(prefix="qa-bench-ingest-") as tmp:
            command = [sys.executable, "-m", "qa.lab.bench_ingest", str(records), tmp]
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


@bench.command("ingest")
@click.option("--records", "sizes", default="10000,100000", show_default=True, help="Export sizes, comma-separated.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_ingest(sizes: str, as_json: bool) -> None:
    """A JSONL export of N records through `qa index`'s path with the hash encoder: records/s, the
    share of reading and parsing in the build, and peak RSS per size."""
    results = measure([int(size) for size in sizes.split(",")])
    if as_json:
        click.echo(json.dumps(results))
        return
    for r in results:
        click.echo(
            f"{r['records']:>7,} records ({r['file_mb']} MB, {r['passages']:,} passages): {r['seconds']}s, "
            f"{r['records_per_s']:,} records/s, reading+parsing {r['read_parse_s']}s "
            f"({100 * r['read_parse_share']:.1f} %), peak RSS {r['peak_rss_mb']} MB"
        )


if __name__ == "__main__":
    print(json.dumps(run_one(int(sys.argv[1]), Path(sys.argv[2]))))
