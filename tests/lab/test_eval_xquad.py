"""The product's retrieval floors on ../shared/bench/xquad with the real encoder (the figures `qa eval` prints).

The corpus vectors come from the on-disk vector cache (QA_VECTOR_CACHE), so only the first run encodes
the 480 paragraphs and their sentences (a few minutes on 2 cores); later runs take about a minute.
"""

from __future__ import annotations

import pytest

from ..conftest import ROOT, SEEDS, XQUAD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (XQUAD / "xquad.de.json").is_file(),
        reason=f"benchmark data absent: {XQUAD} (XQuAD de/en) is needed for the floor test",
    ),
]
BENCH = ROOT / "qa" / "lab" / "data"


@pytest.fixture(scope="module")
def encoder():
    from qa.config import load_settings
    from qa.encoding.cache import CachedEncoder
    from qa.encoding.encoder import load_encoder

    settings = load_settings()
    return CachedEncoder(load_encoder(settings.encoder), settings.vector_cache or ":memory:", cache_queries=True)


def _service(tmp_path_factory, encoder, corpus):
    from qa.config import load_settings
    from qa.lab.evaluate import build_service, load_corpus

    loaded = load_corpus(corpus)
    index_dir = tmp_path_factory.mktemp("xquad") / "index"
    settings = load_settings({"index_dir": str(index_dir)}, environ={})
    return build_service(loaded.documents, settings, encoder), loaded.answers


@pytest.fixture(scope="module")
def german(tmp_path_factory, encoder):
    service, answers = _service(tmp_path_factory, encoder, [XQUAD / "xquad.de.json"])
    yield service, answers
    service.close()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, encoder):
    service, answers = _service(tmp_path_factory, encoder, [XQUAD / "xquad.de.json", XQUAD / "xquad.en.json"])
    yield service, answers
    service.close()


def _reports(corpus, questions_file) -> dict:
    from qa.lab.evaluate import load_squad_questions, run

    service, answers = corpus
    questions = load_squad_questions(XQUAD / questions_file)
    return {
        mode: run(service, questions, mode=mode, batch=True, answers=answers) for mode in ("hybrid", "dense", "lexical")
    }


# A rare name held verbatim lifts a passage in any language (qa/retrieval/names.py): on EN->DE that
# promotes one gold passage to first and moves three from 2nd/3rd down one place ("Huguenot" is also
# the name of a bridge in a German paragraph), MRR@10 .9528 against dense .9532. Recall@1 must not
# fall; MRR@10 may trail dense by at most this much.
MRR_TOLERANCE = 0.001


def _hybrid_wins(reports: dict) -> None:
    hybrid = reports["hybrid"]
    for other in ("dense", "lexical"):
        assert hybrid.recall_at_1 >= reports[other].recall_at_1, other
        assert hybrid.mrr_at_10 >= reports[other].mrr_at_10 - MRR_TOLERANCE, other


@pytest.mark.parametrize(
    ("questions_file", "recall", "mrr"), [("xquad.de.json", 0.95, 0.97), ("xquad.en.json", 0.87, 0.92)]
)
def test_german_corpus_floors(german, questions_file, recall, mrr):
    reports = _reports(german, questions_file)
    assert reports["hybrid"].questions == 632
    assert reports["hybrid"].recall_at_1 >= recall and reports["hybrid"].mrr_at_10 >= mrr
    _hybrid_wins(reports)
    # The calibrated cut-off wrongly refuses at most 2 % of answerable questions.
    assert reports["hybrid"].refused <= 0.02


@pytest.mark.parametrize("questions_file", ["xquad.de.json", "xquad.en.json"])
def test_mixed_corpus_floors(mixed, questions_file):
    reports = _reports(mixed, questions_file)
    assert reports["hybrid"].recall_at_1 >= 0.94
    _hybrid_wins(reports)


def _refusals(service, questions) -> list[bool]:
    from qa.retrieval.no_answer import Cutoffs, refuses

    retrievals = service.searcher().search_many([q.text for q in questions], 10, "hybrid")
    return [refuses(r, Cutoffs.from_settings(service.settings)) for r in retrievals]


def test_offtopic_questions_are_refused(german, tmp_path_factory, encoder, capsys):
    """The issue's floor with the defaults: >= 80 % of all off-topic questions (both corpora) refused while
    at most 2 % of the answerable XQuAD questions are, in each direction. Measured (`qa calibrate`):
    81.4 % of 210 refused; per set German over XQuAD 81.5 %, English over XQuAD 62.7 % (the cross-lingual
    weak spot: dense alone decides), seeds 90.5 %; wrongly refused DE->DE 1.3 %, EN->DE 1.4 %. The
    per-set shares are printed, not asserted: only the floor over all of them is the product's."""
    from qa.lab.evaluate import load_offtopic, load_squad_questions
    from qa.text.language import detect_language

    service, _ = german
    for questions_file in ("xquad.de.json", "xquad.en.json"):
        wrongly = _refusals(service, load_squad_questions(XQUAD / questions_file))
        assert len(wrongly) == 632 and sum(wrongly) / len(wrongly) <= 0.02, questions_file
    questions = load_offtopic(BENCH / "offtopic-xquad.txt")
    sets = {
        "XQuAD, German": [q for q in questions if detect_language(q.text) == "de"],
        "XQuAD, English": [q for q in questions if detect_language(q.text) == "en"],
    }
    assert len(sets["XQuAD, German"]) >= 50 and len(sets["XQuAD, English"]) >= 50
    refused = {name: _refusals(service, qs) for name, qs in sets.items()}
    seeds, _ = _service(tmp_path_factory, encoder, [SEEDS])
    try:
        refused["seeds"] = _refusals(seeds, load_offtopic(BENCH / "offtopic-seeds.txt"))
    finally:
        seeds.close()
    with capsys.disabled():
        for name, shares in refused.items():
            print(f"\noff-topic {name}: {sum(shares) / len(shares):.1%} of {len(shares)} refused", end="")
    everything = [r for shares in refused.values() for r in shares]
    assert len(everything) >= 120
    assert sum(everything) / len(everything) >= 0.8
