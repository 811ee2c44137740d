"""`qa bench time`: the time-expression reader over every XQuAD dev question, German and English.

XQuAD's questions ask about history, sport and science, never about "yesterday's" news, so every
relative expression found in them is a false positive; their years ("im Jahr 1901", "in 2015") should
come out as absolute expressions, which only make a period preferred. The report lists every question
that got an expression or a recency word, its cost per question (p50/p99 in µs), and, as the reference
measured in the same run, dateparser's `search_dates` on the same questions in a fresh interpreter
(its import time, first call, cost per question and how many questions it found a date in).
"""

from __future__ import annotations

import datetime
import json
import logging
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.lab.http import percentile
from qa.text.when import read_time

logger = logging.getLogger(__name__)

AS_OF = datetime.date(2025, 9, 10)

# Run in a fresh interpreter so that its import time is the real one; prints one JSON object.
_DATEPARSER = """
import datetime, json, sys, time
questions = json.load(sys.stdin)
start = time.perf_counter()
from dateparser.search import search_dates
imported = time.perf_counter()
settings = {"RELATIVE_BASE": datetime.datetime.fromisoformat(sys.argv[1])}
search_dates("heute", languages=["de", "en"], settings=settings)
first = time.perf_counter()
costs, found = [], 0
for question in questions:
    began = time.perf_counter()
    found += bool(search_dates(question, languages=["de", "en"], settings=settings))
    costs.append(time.perf_counter() - began)
print(json.dumps({"import_ms": (imported - start) * 1e3, "first_call_ms": (first - imported) * 1e3,
                  "costs_us": [c * 1e6 for c in costs], "questions_with_date": found}))
"""


@dataclass(frozen=True, slots=True)
class TimeBenchReport:
    as_of: str
    questions: int
    with_expression: int
    relative: int
    absolute: int
    recency: int
    p50_us: float
    p99_us: float
    dateparser: dict | None
    found: list[dict]

    def to_dict(self) -> dict:
        return {k: round(v, 1) if isinstance(v, float) else v for k, v in asdict(self).items()}


def load_questions(xquad: Path) -> list[tuple[str, str]]:
    """(language, question) for every question of xquad.de.json and xquad.en.json in `xquad`."""
    questions: list[tuple[str, str]] = []
    for language in ("de", "en"):
        data = json.loads((xquad / f"xquad.{language}.json").read_text(encoding="utf-8"))["data"]
        for article in data:
            for paragraph in article["paragraphs"]:
                questions.extend((language, qa["question"]) for qa in paragraph["qas"])
    return questions


def _dateparser(questions: list[str]) -> dict | None:
    completed = subprocess.run(
        [sys.executable, "-c", _DATEPARSER, AS_OF.isoformat()],
        input=json.dumps(questions),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        logger.warning("dateparser not measured: %s", completed.stderr.strip().splitlines()[-1:])
        return None
    result = json.loads(completed.stdout)
    costs = result.pop("costs_us")
    return {
        **{k: round(v, 1) if isinstance(v, float) else v for k, v in result.items()},
        "p50_us": round(statistics.median(costs), 1),
        "p99_us": round(percentile(costs, 0.99), 1),
    }


def run(xquad: Path, compare: bool = True) -> TimeBenchReport:
    """Read every XQuAD dev question once after one warm-up call, as dateparser is measured, and with
    `compare` measure dateparser on the same questions."""
    questions = load_questions(xquad)
    read_time("heute", AS_OF, "de")
    costs = []
    for language, question in questions:
        began = time.perf_counter()
        read_time(question, AS_OF, language)
        costs.append((time.perf_counter() - began) * 1e6)
    found, kinds = [], {"relative": 0, "absolute": 0}
    recency = 0
    for language, question in questions:
        reading = read_time(question, AS_OF, language)
        recency += reading.recency
        for kind in kinds:
            kinds[kind] += any(e.kind == kind for e in reading.expressions)
        if reading.expressions or reading.recency:
            found.append({"language": language, "question": question, **reading.to_dict()})
    return TimeBenchReport(
        as_of=AS_OF.isoformat(),
        questions=len(questions),
        with_expression=sum(bool(item["expressions"]) for item in found),
        relative=kinds["relative"],
        absolute=kinds["absolute"],
        recency=recency,
        p50_us=statistics.median(costs),
        p99_us=percentile(costs, 0.99),
        dateparser=_dateparser([q for _, q in questions]) if compare else None,
        found=found,
    )
