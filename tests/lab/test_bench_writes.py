"""`qa bench writes` runs end to end on a tiny workload (the numbers come from a full run on an idle machine)."""

from __future__ import annotations

from qa.lab.bench_writes import NewsWriter, news_articles, run

from ..conftest import SEEDS


def test_generated_news_never_repeats_a_sentence():
    from qa.text.ingest import parse_record, split_passages

    passages = [p for r in news_articles(40, 10) for p in split_passages(parse_record(r))]
    sentences = [s for p in passages for s in p.sentence_texts()]
    assert len(passages) == 400 and len(set(sentences)) == len(sentences)
    words = sorted(len(p.text.split()) for p in passages)
    assert 75 <= words[len(words) // 2] <= 100
    assert NewsWriter(1).paragraph() == NewsWriter(1).paragraph()


def test_bench_writes_reports_every_figure():
    report = run(SEEDS, passages=20, batch_passages=10, seconds=2.0, repeats=1).to_dict()
    assert report["bulk_passages"] == 20 and report["writes_during_queries"] >= 1
    for key in ("single_to_answerable_ms_median", "api_bulk_passages_per_s", "query_under_writes_ratio"):
        assert report[key] > 0, key
    assert report["encoder_bare_passages_per_s"] > report["encoder_index_passages_per_s"]
