"""The "no matching passage" cut-off: per question language, on the best dense score of any candidate."""

from __future__ import annotations

import pytest

from qa.config import load_settings
from qa.records import DocumentRef, Highlight, Hit
from qa.retrieval.no_answer import (
    Cutoffs,
    answer_score,
    coverage,
    holds_every_term,
    make_answer,
    no_answer_threshold,
    refuses,
)
from qa.retrieval.search import Retrieval


def _hit(score: float, text: str = "Estland ist bereit.", language: str = "de") -> Hit:
    return Hit(
        passage_id=1,
        position=0,
        text=text,
        heading="",
        language=language,
        score=score,
        dense_score=score,
        lexical_score=0.0,
        highlight=Highlight(text, 0, len(text)),
        document=DocumentRef("d1", "Titel", None, ""),
    )


@pytest.mark.parametrize(
    ("language", "best_dense", "refused"),
    [("de", 0.83, False), ("de", 0.82, True), ("en", 0.79, False), ("en", 0.77, True), ("en", 0.80, False)],
)
def test_cut_off_depends_on_the_question_language(language, best_dense, refused):
    assert no_answer_threshold(language, german=0.825, english=0.78) == (0.825 if language == "de" else 0.78)
    cutoffs = Cutoffs(german=0.825, english=0.78, same_language=2.0, coverage_weight=0.0)
    other = "en" if language == "de" else "de"  # a first passage in another language: the dense cut-off decides
    hit = _hit(1.0, language=other)
    answer = make_answer(Retrieval("q", language, (hit,), best_dense), "hybrid", 3.0, cutoffs)
    assert answer.no_answer is refused
    assert answer.hits == (() if refused else (hit,))
    assert answer.to_dict()["no_answer"] is refused


def test_nothing_retrieved_is_refused():
    assert make_answer(Retrieval("q", "de", (), 0.0), "hybrid", 1.0, Cutoffs(-1.0, -1.0, -1.0, 0.0)).no_answer


def test_defaults_are_the_calibrated_values():
    settings = load_settings(environ={})
    assert Cutoffs.from_settings(settings) == Cutoffs(0.779, 0.779, 0.846, 0.056, 0.02)


CUTOFFS = Cutoffs(german=0.82, english=0.77, same_language=0.845, coverage_weight=0.05)
TEXT = "Estland ist bereit, Soldaten für eine Friedenstruppe bereitzustellen."


@pytest.mark.parametrize(
    ("question", "language", "text", "hit_language", "expected"),
    [
        # Terms after stopwords and stemming: estland, bereit, soldat -> all three in the passage.
        ("Ist Estland bereit, Soldaten zu schicken?", "de", TEXT, "de", 3 / 4),
        # nato, gegrundet: neither in the passage.
        ("Wann wurde die NATO gegründet?", "de", TEXT, "de", 0.0),
        # The title counts too ("Titel").
        ("Welcher Titel?", "de", TEXT, "de", 1.0),
        # Another language: no comparison of terms.
        ("Is Estonia ready?", "en", TEXT, "de", None),
        # Only stopwords: nothing to cover.
        ("Was ist das?", "de", TEXT, "de", None),
        # A German compound holds its last part: hoch, schad -> "Sachschaden" holds schad.
        ("Wie hoch ist der Schaden?", "de", "Die Polizei schätzt den Sachschaden auf 250.000 Euro.", "de", 1 / 2),
        # ... but not a short one, which ends too many words: "Landtag" holds no "tag".
        ("Welcher Tag?", "de", "Der Landtag tritt zusammen.", "de", 0.0),
        # English words are not read as compounds: "viewpoint" holds no "point".
        ("Which point?", "en", "From his viewpoint the plan failed.", "en", 0.0),
    ],
)
def test_coverage_is_the_share_of_question_terms_in_the_first_passage(question, language, text, hit_language, expected):
    assert coverage(question, language, _hit(1.0, text, hit_language)) == pytest.approx(expected)


def test_a_chat_turns_topic_words_count_only_where_they_help():
    offer = "The company said it had offered 4 percent and called the strike disproportionate."
    # as typed 2 of 4 terms (what, did, company, offer) are in the passage; with the topic words 2 of 6
    assert coverage("And what did the company offer (union, demand)?", "en", _hit(1.0, offer, "en")) == 0.5
    bonus = "Die Prämie von 500 Euro zahlt Hollerbach im Dezember aus."
    # as typed none of wann, gibt, Geld is in the passage; with the topic words 2 of 5 are
    assert coverage("Und wann gibt es das Geld (Prämie, Hollerbach)?", "de", _hit(1.0, bonus, "de")) == 0.4


@pytest.mark.parametrize(
    ("best_dense", "share", "language", "score"),
    [
        (0.83, None, "de", 0.83 - 0.82),  # other-language passage: German dense cut-off
        (0.78, None, "en", 0.78 - 0.77),  # English dense cut-off
        (0.84, 0.0, "de", 0.84 - 0.845),  # same language, no shared term: dense alone falls short
        (0.84, 0.5, "de", 0.84 + 0.025 - 0.845),  # half the terms lift it over the cut-off
        (0.80, 1.0, "en", 0.80 + 0.05 - 0.845),  # an English question over English text
    ],
)
def test_answer_score_by_hand(best_dense, share, language, score):
    assert answer_score(best_dense, share, language, CUTOFFS) == pytest.approx(score)


@pytest.mark.parametrize(
    ("question", "best_dense", "refused"),
    [
        ("Ist Estland bereit, Soldaten zu schicken?", 0.83, False),  # 0.83 + 0.05 * 0.75 = 0.8675
        ("Ist Estland bereit, Soldaten zu schicken?", 0.80, True),  # 0.8375 < 0.845
        ("Wann wurde die NATO gegründet?", 0.84, True),  # near-topic: high cosine, no shared term
        ("Wann wurde die NATO gegründet?", 0.85, False),
    ],
)
def test_refuses_same_language(question, best_dense, refused):
    retrieval = Retrieval(question, "de", (_hit(1.0, TEXT),), best_dense)
    assert refuses(retrieval, CUTOFFS) is refused
    assert make_answer(retrieval, "hybrid", 1.0, CUTOFFS).no_answer is refused


def test_refuses_across_languages_on_dense_alone():
    question = "Which country is ready to provide soldiers?"
    assert not refuses(Retrieval(question, "en", (_hit(1.0, TEXT),), 0.775), CUTOFFS)
    assert refuses(Retrieval(question, "en", (_hit(1.0, TEXT),), 0.765), CUTOFFS)
    assert refuses(Retrieval("q", "de", (), 0.99), CUTOFFS)


def test_a_passage_quoting_the_other_language_is_judged_across_languages_too():
    """An English report whose answer stands in a German quote: the question's terms cannot be found in
    the quote, so the same-language rule falls short; the cross-language cut-off (here 0.77 for English)
    decides as well. A passage all in English gets no such second chance."""
    question = "Who is the head of the works council?"
    quoting = _hit(
        1.0,
        'The works council reacted with anger. "Die Geschäftsführung hat uns erst am Freitag informiert", '
        "sagte Betriebsratschef Jens Petersen.",
        language="en",
    )
    english = _hit(1.0, "The works council reacted with anger. The union called a rally for Thursday.", language="en")
    assert coverage(question, "en", quoting) == pytest.approx(0.5)  # who, head: not among its English words
    assert not refuses(Retrieval(question, "en", (quoting,), 0.79), CUTOFFS)
    assert refuses(Retrieval(question, "en", (english,), 0.79), CUTOFFS)
    assert refuses(Retrieval(question, "en", (quoting,), 0.765), CUTOFFS)  # under the cross-language cut-off


def test_the_decision_is_taken_on_the_ranking_without_the_language_bonus():
    """The cut-offs were fitted on rankings without the cross-language bonus: when it put an English report
    first, a German question is still judged by the German passage it had first without it."""
    question = "Wann wurde die NATO gegründet?"  # near-topic over TEXT: high cosine, no shared term
    english = _hit(1.0, "Estonia is ready to send soldiers.", language="en")
    assert not refuses(Retrieval(question, "de", (english,), 0.84), CUTOFFS)  # the dense cut-off (0.82)
    assert refuses(Retrieval(question, "de", (english,), 0.84, decided_on=_hit(0.9, TEXT)), CUTOFFS)


def test_a_lifted_passage_clearing_the_cut_off_by_the_margin_is_answered():
    """A German question whose German first passage was refused, while the language bonus lifted an English
    one past it: answered when that English passage's own dense score clears the German question's
    cross-language cut-off by `lifted_margin`, refused when it only just reaches it."""
    question = "Wann wurde die NATO gegründet?"
    cutoffs = Cutoffs(german=0.82, english=0.775, same_language=0.95, coverage_weight=0.1, lifted_margin=0.02)
    german = _hit(0.9, TEXT)
    close = Retrieval(question, "de", (_hit(0.845, "Estonia is ready.", language="en"),), 0.9, decided_on=german)
    just = Retrieval(question, "de", (_hit(0.83, "Estonia is ready.", language="en"),), 0.9, decided_on=german)
    assert not refuses(close, cutoffs)
    assert refuses(just, cutoffs)
    # the first passage shown is the one judged refused: nothing was lifted
    assert refuses(Retrieval(question, "de", (german,), 0.9, decided_on=german), cutoffs)


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


FERRETTI = '"It\'s a bump, not a new trend. The ECB will look through it," said Marco Ferretti of Aldgate Research.'


@pytest.mark.parametrize(
    ("question", "language", "text", "hit_language", "holds"),
    [
        # question words do not count; "said" is the past of "say"
        ("What did Marco Ferretti say?", "en", FERRETTI, "en", True),
        ("What did Marco Ferretti say about wages?", "en", FERRETTI, "en", False),
        ("How old is Marco Ferretti?", "en", FERRETTI, "en", False),
        # one term of its own is not enough, nor a passage in another language
        ("Who is Ferretti?", "en", FERRETTI, "en", False),
        ("What did Marco Ferretti say?", "en", FERRETTI, "de", False),
        # German: "sagte" and "sagt" share their stem, "Was" is a stopword
        ("Was sagte Anja Reimers?", "de", "«Wer jetzt noch 2,5 Prozent bekommt», sagte Anja Reimers.", "de", True),
        # a chat turn's topic words in brackets are not part of the question's subject
        (
            "Was sagte Anja Reimers (Zinsen, EZB)?",
            "de",
            "«Wer jetzt noch 2,5 Prozent bekommt», sagt Anja Reimers.",
            "de",
            True,
        ),
    ],
)
def test_a_passage_holding_every_term_of_the_question(question, language, text, hit_language, holds):
    assert holds_every_term(question, language, _hit(0.8, text, hit_language)) is holds


def test_a_short_question_whose_terms_the_passage_holds_is_judged_on_dense_alone():
    """A short question scores a low cosine even over its answer ("What did Marco Ferretti say?": 0.78
    over his quote), below the same-language cut-off however high its coverage."""
    cutoffs = Cutoffs(german=0.779, english=0.779, same_language=0.846, coverage_weight=0.056)
    quote = _hit(0.78, FERRETTI, "en")
    assert not refuses(Retrieval("What did Marco Ferretti say?", "en", (quote,), 0.78), cutoffs)
    assert refuses(Retrieval("What did Marco Ferretti say?", "en", (quote,), 0.77), cutoffs)
    # one term missing ("wages"): the same-language rule, and 0.78 + 0.056 x 3/4 is short of 0.846
    assert refuses(Retrieval("What did Marco Ferretti say about wages?", "en", (quote,), 0.78), cutoffs)
