"""What reaches the encoder and the index is bounded and clean, whatever a client sends."""

from __future__ import annotations

import pytest

from qa.encoding.encoder import HashEncoder, fit_query
from qa.records import NO_CONTENT, NO_MATCH
from qa.text.clean import clean_text
from qa.text.terms import content_words


def test_control_characters_and_lone_surrogates_are_mended():
    assert clean_text("Estland\x00 versteckt\x07") == "Estland versteckt"
    assert clean_text("Zeile\n\tzwei\r") == "Zeile\n\tzwei\r"
    assert clean_text("kaputt \ud800 hier").encode("utf-8") == "kaputt \ufffd hier".encode()


@pytest.mark.parametrize(
    ("question", "has_content"),
    [
        ("the and of to", False),
        ("<b>?</b>", False),
        ("\u200b", False),
        ("a", False),
        ("...", False),
        ("Was hat Estland versprochen?", True),
        ("EU?", True),
        ("2025", True),
    ],
)
def test_content_words(question, has_content):
    assert bool(content_words(question)) is has_content


def test_a_long_question_is_cut_at_a_word_boundary_to_the_token_budget():
    encoder = HashEncoder(16)
    question = " ".join(f"wort{n}" for n in range(1000))
    fit = fit_query(encoder, question, 100)
    assert fit.truncated and fit.tokens == 100 and question.startswith(fit.text)
    assert fit.text.endswith("wort99")
    short = fit_query(encoder, "Wer kommt?", 100)
    assert short == type(fit)("Wer kommt?", 2, False)


def test_the_real_encoder_reads_at_most_its_window_of_emoji(seed_service):
    fit = fit_query(seed_service.encoder, "😀" * 2000, 512)
    assert fit.truncated and 0 < fit.tokens <= 512


def test_questions_without_content_are_refused_with_a_reason(seed_service):
    for question in ("the and of to", "\u200b", "<p></p>"):
        answer = seed_service.ask(question)
        assert answer.no_answer and answer.reason == NO_CONTENT and answer.hits == ()
        assert answer.to_dict()["reason"] == "no_content"


def test_an_over_long_question_is_answered_and_says_it_was_cut(seed_service):
    question = "Welches Land ist bereit, Soldaten bereitzustellen? " * 60
    answer = seed_service.ask(question)
    assert answer.truncated and answer.question == question.strip()
    assert answer.hits and "Estland" in answer.hits[0].text
    assert seed_service.ask("Welches Land ist bereit, Soldaten bereitzustellen?").truncated is False
    assert NO_MATCH == "no_match"
