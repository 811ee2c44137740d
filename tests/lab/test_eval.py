"""`qa eval`: metrics worked out by hand, on tiny SQuAD files written here with the test encoder."""

from __future__ import annotations

import json

import pytest

from qa.cli import cli
from qa.lab.evaluate import first_gold_rank, load_offtopic, load_squad_questions, mrr_at, recall_at


@pytest.mark.parametrize(
    ("ranks", "k", "recall", "mrr"),
    [
        ([1, 2, None, 5], 1, 0.25, 0.25),
        ([1, 2, None, 5], 5, 0.75, (1 + 0.5 + 0.2) / 4),
        ([1, 2, None, 5], 2, 0.5, (1 + 0.5) / 4),
        ([11], 10, 0.0, 0.0),
        ([], 10, 0.0, 0.0),
    ],
)
def test_recall_and_mrr(ranks, k, recall, mrr):
    assert recall_at(ranks, k) == pytest.approx(recall)
    assert mrr_at(ranks, k) == pytest.approx(mrr)


def test_first_gold_rank_takes_the_first_passage_of_the_paragraph():
    keys = [(0, 1), None, (2, 0), (2, 0)]
    assert first_gold_rank(keys, (2, 0)) == 3
    assert first_gold_rank(keys, (0, 1)) == 1
    assert first_gold_rank(keys, (5, 5)) is None


def _squad(articles: list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]]) -> dict:
    """[(title, [(context, [(id, question)])])] -> SQuAD JSON; each answer is the context's first word."""
    return {
        "data": [
            {
                "title": title,
                "paragraphs": [
                    {
                        "context": context,
                        "qas": [
                            {"id": qid, "question": q, "answers": [{"text": context.split()[0], "answer_start": 0}]}
                            for qid, q in qas
                        ],
                    }
                    for context, qas in paragraphs
                ],
            }
            for title, paragraphs in articles
        ]
    }


BAKERY = "Sourdough bread is baked every morning from rye flour, water and salt in the old village bakery."
HARBOUR = "Container ships unload at the harbour where tall cranes lift the boxes onto waiting trucks."
RAILWAY = "Night trains leave from Central Station for mountain resorts, and sleeping cars are always full."
QUESTIONS = [
    ("q1", "Which flour is the sourdough bread baked from?", (0, 0)),
    ("q2", "What lifts the boxes from container ships at the harbour?", (0, 1)),
    ("q3", "Where do night trains leave from?", (1, 0)),
    # Deliberately mislabelled: four of its words are in the harbour paragraph, one ("village") in its
    # gold, the bakery's; none in the railway paragraph.
    ("q4", "Which cranes unload container ships near the village?", (0, 0)),
]


@pytest.fixture
def squad_files(tmp_path):
    by_key: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for qid, question, key in QUESTIONS:
        by_key.setdefault(key, []).append((qid, question))
    corpus = _squad(
        [
            ("Town", [(BAKERY, by_key.get((0, 0), [])), (HARBOUR, by_key.get((0, 1), []))]),
            ("Travel", [(RAILWAY, by_key.get((1, 0), []))]),
        ]
    )
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(corpus), encoding="utf-8")
    offtopic = tmp_path / "offtopic.txt"
    offtopic.write_text("# not answerable\nWho won the chess world championship?\n\nWie backe ich Kuchen?\n")
    return path, offtopic


@pytest.fixture
def env(tmp_path):
    return {"QA_ENCODER": "hash:64", "QA_VECTOR_CACHE": str(tmp_path / "vectors.sqlite")}


def test_loaders(squad_files):
    path, offtopic = squad_files
    questions = load_squad_questions(path)
    assert [(q.id, q.gold) for q in questions] == [("q1", (0, 0)), ("q4", (0, 0)), ("q2", (0, 1)), ("q3", (1, 0))]
    assert questions[0].answers == ("Sourdough",)
    assert [q.text for q in load_offtopic(offtopic)] == [
        "Who won the chess world championship?",
        "Wie backe ich Kuchen?",
    ]


def test_eval_lexical_exact_metrics(runner, squad_files, env):
    path, _ = squad_files
    args = ["eval", "--corpus", str(path), "--questions", str(path), "--mode", "lexical", "--json"]
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # q1-q3 find their paragraph first; q4 matches four harbour terms and one bakery term: gold second.
    assert (report["recall@1"], report["recall@5"], report["mrr@10"]) == (0.75, 1.0, 0.875)
    assert report["questions"] == 4 and report["median_ms"] >= 0
    assert set(report) >= {"recall@1", "recall@5", "mrr@10", "questions", "median_ms"}


def test_eval_hybrid_ranks_every_passage(runner, squad_files, env):
    path, _ = squad_files
    result = runner.invoke(cli, ["eval", "--corpus", str(path), "--questions", str(path), "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # Dense and BM25 agree: harbour first for q4, its gold second.
    assert (report["recall@1"], report["recall@5"], report["mrr@10"]) == (0.75, 1.0, 0.875)
    # Every question the index answers first has its answer (the context's first word) in the highlight.
    assert report["highlight@1"] == 1.0


def test_eval_text_output_and_parallel_corpus(runner, squad_files, env, tmp_path):
    path, _ = squad_files
    copy = tmp_path / "copy.json"
    copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    # Two parallel corpus files: the same paragraph in either counts as gold.
    result = runner.invoke(cli, ["eval", "--corpus", str(path), str(copy), "--questions", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "Recall@1   0.750" in result.stdout and "4 questions" in result.stdout


_CUTOFFS = ("QA_NO_ANSWER_DE", "QA_NO_ANSWER_EN", "QA_NO_ANSWER_SAME_LANGUAGE")


def test_eval_offtopic_refusals(runner, squad_files, env):
    path, offtopic = squad_files
    args = ["eval", "--corpus", str(path), "--questions", str(path), "--offtopic", str(offtopic), "--json"]
    report = json.loads(runner.invoke(cli, args, env={**env, **dict.fromkeys(_CUTOFFS, "2")}).stdout)
    assert report["offtopic_questions"] == 2 and report["offtopic_refused"] == 1.0 and report["refused"] == 1.0
    # Refusing does not change how the retrieval is scored.
    assert report["recall@1"] == 0.75
    env = {**env, **dict.fromkeys(_CUTOFFS, "-2")}
    report = json.loads(runner.invoke(cli, args, env=env).stdout)
    assert report["offtopic_refused"] == 0.0 and report["refused"] == 0.0


def test_second_run_reads_vectors_from_the_cache(runner, squad_files, env, tmp_path):
    import sqlite3

    path, _ = squad_files
    args = ["eval", "--corpus", str(path), "--questions", str(path), "--json"]
    first = runner.invoke(cli, args, env=env)
    with sqlite3.connect(env["QA_VECTOR_CACHE"]) as conn:
        cached = conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
    second = runner.invoke(cli, args, env=env)
    with sqlite3.connect(env["QA_VECTOR_CACHE"]) as conn:
        assert conn.execute("SELECT count(*) FROM vectors").fetchone()[0] == cached > 0
    assert json.loads(first.stdout)["recall@1"] == json.loads(second.stdout)["recall@1"]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, ["--questions", "MISSING"], "no such file"),
        ("{not json", [], "not valid JSON"),
        ('{"version": 1}', [], "not in SQuAD format"),
        ('{"data": [{"paragraphs": [{"context": ""}]}]}', [], "has no context"),
    ],
)
def test_bad_input_is_one_line_exit_2(runner, tmp_path, env, content, args, message):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    args = [a.replace("MISSING", str(tmp_path / "missing.json")) for a in args]
    result = runner.invoke(cli, ["eval", "--corpus", str(path), "--questions", str(path), *args], env=env)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and result.stderr.strip().count("\n") == 0


def test_unknown_mode_and_nothing_to_ask(runner, squad_files, env):
    path, _ = squad_files
    result = runner.invoke(cli, ["eval", "--corpus", str(path), "--questions", str(path), "--mode", "rrf"], env=env)
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = runner.invoke(cli, ["eval", "--corpus", str(path)], env=env)
    assert result.exit_code == 2 and "--questions" in result.stderr
