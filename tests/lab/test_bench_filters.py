"""`qa bench filters` on a small run: month filters return nothing outside them and keep Recall@1, time
in the question costs no Recall@1 on XQuAD, and a 1 % date window of an archive still fills top_k."""

import json

import pytest

from qa.cli import cli

from ..conftest import XQUAD


def test_bench_filters_small_run(runner):
    if not (XQUAD / "xquad.de.json").is_file():
        pytest.skip(f"no XQuAD in {XQUAD}")
    result = runner.invoke(
        cli,
        ["bench", "filters", "--xquad", str(XQUAD), "--passages", "1500", "--scale-encoder", "hash:64"]
        + ["--questions", "24", "--repeat", "6", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for direction in ("de->de", "en->de"):
        figures = report["quality"][direction]
        assert figures["questions"] == 24
        assert figures["passages_outside_filter"] == 0 and figures["own_article_leaked_through_other_month"] == 0
        # Restricting to the gold article's month can only remove competitors.
        assert figures["recall@1_month_filter"] >= figures["recall@1"] - 1e-9
        assert abs(figures["recall@1_time_from_question_on"] - figures["recall@1_time_from_question_off"]) <= 0.05
    scale = report["scale"]
    assert scale["passages"] >= 1500 and 0 < scale["one_percent_window"]["share_of_articles"] <= 0.05
    # Every question got min(10, the passages the window holds): a filter never leaves top_k short.
    assert scale["top_k_10_filled_under_one_percent"] == "50/50"
    assert set(scale["ask_p50_ms"]) == {
        "none",
        "one_percent_window",
        "one_year",
        "one_source",
        "english_passages",
        "recency_30_days",
    }
