"""`qa bench scale` at a small N: builds the archive (partitioned), serves it and reports every figure."""

import json
import os

from qa.cli import cli

from ..conftest import XQUAD


def test_bench_scale_reports_every_figure_and_quality_against_exact(runner, tmp_path):
    result = runner.invoke(
        cli,
        ["bench", "scale", "--passages", "2000", "--partition-above", "1000", "--encoder", "hash:64"]
        + ["--xquad", str(XQUAD), "--questions", "40", "--requests", "16", "--clients", "4"]
        + ["--work-dir", str(tmp_path), "--keep-index", str(tmp_path / "kept"), "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (tmp_path / "kept" / "index" / "current").is_dir()
    assert report["passages"] >= 2000 and report["dense_index"].startswith("ivf-sq8")
    assert report["clients_errors"] == 0 and report["clients"] == 4
    # The same traffic again with the questions' vectors from the cache (the pipeline alone).
    assert report["pipeline_http_p50_ms"] > 0 and report["pipeline_clients_answers_per_s"] > 0
    # ... and against two server processes, with the cores the server used in each case.
    assert report["pipeline_workers2_clients_answers_per_s"] > 0
    for key in ("pipeline_cores", "pipeline_clients_cores", "pipeline_workers2_clients_cores"):
        assert 0 < report[key] <= (os.cpu_count() or 1) + 0.5, key  # a share of this machine's cores
    assert report["write_wait_questions"] > 0 and 0 <= report["write_wait_p50_ms"] <= report["write_wait_max_ms"]
    assert report["write_answerable_s"] < 30 and report["delete_gone_s"] < 30 and report["asks_during_writes"] > 0
    for key in (
        "build_s",
        "build_passages_per_cpu_s",
        "disk_bytes_per_passage",
        "http_p50_ms",
        "serving_rss_mb",
        "encoder_alone_p50_ms",
        "encoder_alone_per_s",
        "build_pipeline_passages_per_cpu_s",
    ):
        assert report[key] > 0, key
    for label in ("chosen", "exact"):
        stages = report["stages_ms"][label]
        assert set(stages) == {"encode", "wait", "dense", "lexical", "rank", "search"}
        # a lone question's lexical search runs beside its dense one: the whole is less than the sum
        assert stages["search"]["p50"] >= max(stages[stage]["p50"] for stage in ("dense", "lexical", "rank"))
    quality = report["quality"]
    assert quality["questions"] == 80
    for direction in ("de->de", "en->de"):
        for metric in ("recall@1", "mrr@10"):
            assert 0 <= quality["exact"][direction][metric] <= 1
            delta = quality["chosen"][direction][metric] - quality["exact"][direction][metric]
            assert abs(delta - quality["delta"][direction][metric]) < 1e-3
    # The hash encoder's German questions find their own paragraphs by shared words.
    assert quality["exact"]["de->de"]["recall@1"] > 0.3


def test_bench_scale_measures_a_kept_archive_again_without_building_it(runner, tmp_path):
    args = ["bench", "scale", "--passages", "600", "--encoder", "hash:64", "--xquad", str(XQUAD)]
    args += ["--questions", "10", "--requests", "10", "--clients", "2", "--work-dir", str(tmp_path)]
    args += ["--keep-index", str(tmp_path / "kept"), "--json"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    built = (tmp_path / "kept" / "build.json").stat().st_mtime_ns
    second = runner.invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert (tmp_path / "kept" / "build.json").stat().st_mtime_ns == built
    assert json.loads(second.stdout)["build_s"] == json.loads(first.stdout)["build_s"]
    other = runner.invoke(cli, [*args[:2], "--passages", "700", *args[4:]])
    assert other.exit_code == 2 and "holds another archive" in other.stderr


def test_bench_scale_without_the_xquad_files_says_so_in_one_line(runner, tmp_path):
    """The build runs in a child process: its failure comes back as the parent's one-line error."""
    (tmp_path / "empty").mkdir()
    args = ["bench", "scale", "--passages", "300", "--encoder", "hash:64", "--xquad", str(tmp_path / "empty")]
    result = runner.invoke(cli, [*args, "--work-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: No such file or directory: {tmp_path / 'empty' / 'xquad.de.json'}"
    assert "Traceback" not in result.output
