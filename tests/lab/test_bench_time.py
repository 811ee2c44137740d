"""`qa bench time` over every XQuAD dev question: every figure present, no relative expression in
questions that never ask about "yesterday", their years read as absolute, and dateparser measured
beside it on the same questions."""

import json

import pytest

from qa.cli import cli

from ..conftest import XQUAD


def test_bench_time_reports_every_figure_and_no_relative_expression_in_xquad(runner):
    if not (XQUAD / "xquad.de.json").is_file():
        pytest.skip(f"no XQuAD in {XQUAD}")
    result = runner.invoke(cli, ["bench", "time", "--xquad", str(XQUAD), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    asked = sum(
        len(paragraph["qas"])
        for language in ("de", "en")
        for article in json.loads((XQUAD / f"xquad.{language}.json").read_text(encoding="utf-8"))["data"]
        for paragraph in article["paragraphs"]
    )
    assert report["questions"] == asked and report["as_of"] == "2025-09-10"
    assert report["relative"] == 0
    # XQuAD asks about years ("im Jahr 1901", "in 2015"): some are found, all absolute, few questions.
    assert 0 < report["absolute"] == report["with_expression"] < report["questions"] // 10
    expressions = [e for item in report["found"] for e in item["expressions"]]
    assert expressions and all(e["kind"] == "absolute" and e["date_from"] <= e["date_to"] for e in expressions)
    assert len([item for item in report["found"] if item["recency"]]) == report["recency"]
    assert 0 < report["p50_us"] <= report["p99_us"]
    reference = report["dateparser"]
    assert reference is not None, "dateparser (the test extra) is the reference the report compares with"
    assert reference["p50_us"] > 0 and reference["import_ms"] > 0
    assert reference["questions_with_date"] > report["with_expression"]
