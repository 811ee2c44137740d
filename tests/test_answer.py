"""The "no matching passage" cut-off: per question language, on the best dense score of any candidate."""

from __future__ import annotations

import pytest

from qa.answer import make_answer, no_answer_threshold
from qa.config import load_settings
from qa.records import DocumentRef, Highlight, Hit
from qa.search import Retrieval


def _hit(score: float) -> Hit:
    return Hit(
        passage_id=1,
        position=0,
        text="Estland ist bereit.",
        heading="",
        language="de",
        score=score,
        dense_score=score,
        lexical_score=0.0,
        highlight=Highlight("Estland ist bereit.", 0, 19),
        document=DocumentRef("d1", "Titel", None, ""),
    )


@pytest.mark.parametrize(
    ("language", "best_dense", "refused"),
    [("de", 0.83, False), ("de", 0.82, True), ("en", 0.79, False), ("en", 0.77, True), ("en", 0.80, False)],
)
def test_cut_off_depends_on_the_question_language(language, best_dense, refused):
    threshold = no_answer_threshold(language, german=0.825, english=0.78)
    answer = make_answer(Retrieval("q", language, (_hit(1.0),), best_dense), "hybrid", 3.0, threshold)
    assert answer.no_answer is refused
    assert answer.hits == (() if refused else (_hit(1.0),))
    assert answer.to_dict()["no_answer"] is refused


def test_nothing_retrieved_is_refused():
    assert make_answer(Retrieval("q", "de", (), 0.0), "hybrid", 1.0, -1.0).no_answer


def test_defaults_are_the_calibrated_values():
    settings = load_settings(environ={})
    assert (settings.no_answer_de, settings.no_answer_en) == (0.825, 0.78)
    assert settings.no_answer_de > settings.no_answer_en


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "refused"),
    [
        ("Welches Land ist bereit, Soldaten für eine Friedenstruppe bereitzustellen?", False),
        ("Which country is ready to provide soldiers?", False),
        ("Wer nimmt nur virtuell an dem Treffen teil?", False),
        ("Wie backe ich ein Roggenbrot mit Sauerteig?", True),
        ("How many moons does Jupiter have?", True),
    ],
)
def test_seed_corpus_answers_or_refuses(seed_service, question, refused):
    assert seed_service.ask(question).no_answer is refused
