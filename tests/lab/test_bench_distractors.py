"""`qa bench distractors`: the distractor kinds answer no question, and a small run reports both directions."""

from __future__ import annotations

import random

import pytest

from qa.lab.bench_distractors import gold_documents, news, resampled, run

from ..conftest import SEEDS, XQUAD

pytestmark = pytest.mark.skipif(not (XQUAD / "xquad.de.json").exists(), reason=f"no XQuAD in {XQUAD}")


def test_distractors_come_from_no_asked_about_article():
    gold = gold_documents(XQUAD)
    assert len(gold) == 120 and all(int(d.id.split("-a")[1].split("-")[0]) % 2 == 0 for d in gold)
    gold_sentences = {s.strip() for d in gold for s in d.sections[0].text.split(". ")}
    for document in resampled(XQUAD, 50, random.Random(1)):
        words = len(document.sections[0].text.split())
        assert 50 <= words <= 200
        assert not gold_sentences & {s.strip() for s in document.sections[0].text.split(". ")}
    assert len(news(5, seed=2)) == 5


def test_a_small_run_reports_recall_without_and_with_distractors():
    report = run(XQUAD, SEEDS, resampled_count=20, news_count=5, names_count=10)
    assert report.gold_paragraphs == 120 and report.distractors["resampled XQuAD sentences"] == 20
    for direction in ("DE->DE", "EN->DE"):
        figures = report.recall[direction]
        assert 0.5 <= figures["with"] <= 1.0 and 0.5 <= figures["without"] <= 1.0
        assert figures["loss (points)"] == pytest.approx(100 * (figures["without"] - figures["with"]), abs=0.11)
