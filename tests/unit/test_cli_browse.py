"""The terminal as a newsroom developer meets it: qa chat, qa sources, qa stats, qa show, qa ask with source
and date, and the API's names in every --json output and option."""

from __future__ import annotations

import json

import pytest

from qa.cli import cli
from qa.web.mcp_server import TOOLS

SEED_SOURCE = "dpa"
SEED_ID = "dpa-2025-09-04-ukraine-paris"


@pytest.fixture
def index(seed_index_dir):
    return ["--index-dir", str(seed_index_dir)]


def test_ask_shows_each_hit_with_its_date_source_and_how_to_open_it(runner, index):
    result = runner.invoke(cli, ["ask", "Wer nimmt nur virtuell teil?", "--top-k", "1", *index])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("1. [") and f"(2025-09-04, {SEED_SOURCE})" in first
    assert f"qa show {SEED_ID}  (passage 7)" in result.stdout


@pytest.mark.parametrize("option", ["--source", "--sources"])
def test_source_filters_match_any_case_and_say_when_a_source_is_unknown(runner, index, option):
    found = runner.invoke(cli, ["ask", "Wer nimmt nur virtuell teil?", option, SEED_SOURCE.upper(), *index])
    assert found.exit_code == 0 and found.stdout.startswith("1. [")
    missing = runner.invoke(cli, ["ask", "Wer nimmt nur virtuell teil?", option, "Reuters", "--json", *index])
    assert missing.exit_code == 0
    assert json.loads(missing.stdout)["applied"]["unknown_sources"] == ["Reuters"]
    plain = runner.invoke(cli, ["ask", "Wer nimmt nur virtuell teil?", option, "Reuters", *index])
    assert "no source 'Reuters' in the index (qa sources lists them)" in plain.stderr


def test_chat_resolves_follow_ups_and_ends_at_end_of_input(runner, index):
    questions = "Welches Land ist bereit, Soldaten zu stellen?\n\nUnd Deutschland?\n"
    result = runner.invoke(cli, ["chat", "--top-k", "1", *index], input=questions)
    assert result.exit_code == 0, result.output
    assert "Estland" in result.stdout
    assert "Verstanden als: Ist Deutschland bereit, Soldaten zu stellen?" in result.stdout
    assert result.stdout.count("1. [") == 2  # the empty line asked nothing


def test_chat_json_is_the_api_answer_and_new_starts_again(runner, index):
    questions = "Welches Land ist bereit, Soldaten zu stellen?\n/new\nUnd Deutschland?\n"
    result = runner.invoke(cli, ["chat", "--json", "--source", "reuters", *index], input=questions)
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["applied"]["unknown_sources"] == ["reuters"] and first["no_answer"] is True
    assert second["followup"] is False  # /new: no earlier turn to follow


def test_sources_and_stats_print_the_archive_and_their_json_is_the_api(runner, index, client):
    listed = runner.invoke(cli, ["sources", *index])
    assert listed.exit_code == 0 and SEED_SOURCE in listed.stdout and "2025-09-04" in listed.stdout
    as_json = runner.invoke(cli, ["sources", "--json", *index])
    assert json.loads(as_json.stdout) == client.get("/api/sources").get_json()
    stats = runner.invoke(cli, ["stats", *index])
    assert stats.exit_code == 0 and stats.stdout.startswith("1 articles, 15 passages")
    assert json.loads(runner.invoke(cli, ["stats", "--json", *index]).stdout) == client.get("/api/stats").get_json()


def test_show_opens_a_cited_article(runner, index, client):
    shown = runner.invoke(cli, ["show", SEED_ID, *index])
    assert shown.exit_code == 0 and "[7] " in shown.stdout and SEED_SOURCE in shown.stdout
    as_json = json.loads(runner.invoke(cli, ["show", SEED_ID, "--json", *index]).stdout)
    assert as_json == client.get(f"/api/documents/{SEED_ID}").get_json()
    missing = runner.invoke(cli, ["show", "no-such-article", *index])
    assert missing.exit_code == 2 and missing.stderr.strip() == "error: no document with id 'no-such-article'"


def test_list_json_names_the_count_as_the_api_does(runner, index, client):
    listed = json.loads(runner.invoke(cli, ["list", "--json", *index]).stdout)
    assert listed == client.get("/api/documents").get_json()
    assert listed["documents"][0]["passage_count"] == 15 and "passages" not in listed["documents"][0]


def test_help_texts_say_what_runs_and_what_the_scores_are(runner):
    assert "waitress" in runner.invoke(cli, ["serve", "--help"]).stdout
    assert "gunicorn" not in runner.invoke(cli, ["serve", "--help"]).stdout
    mcp_help = " ".join(runner.invoke(cli, ["mcp", "--help"]).stdout.split())
    assert all(tool in mcp_help for tool in TOOLS)
    for command in ("ask", "chat"):
        assert "README, 'Scores'" in " ".join(runner.invoke(cli, [command, "--help"]).stdout.split())
    assert "the API's `sources`" in " ".join(runner.invoke(cli, ["ask", "--help"]).stdout.split())


def test_bad_input_is_one_line_and_exit_2(runner, index):
    result = runner.invoke(cli, ["chat", "--date-from", "2025-09-05", "--date-to", "2025-09-01", *index], input="")
    assert result.exit_code == 2 and "is after --date-to" in result.stderr
    assert runner.invoke(cli, ["stats", "--jsn", *index]).exit_code == 2


def test_the_readme_puts_the_venv_before_the_first_qa_command_and_documents_every_command():
    from ..conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index(". .venv/bin/activate") < readme.index("\nqa ")  # before the first `qa` line
    for command in cli.commands:
        assert f"qa {command}" in readme, command
    for field in ("`score`", "`dense_score`", "`lexical_score`", "unknown_sources"):
        assert field in readme
