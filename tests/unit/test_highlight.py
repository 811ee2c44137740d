"""The highlight's answer-kind cue: a quantity question favours a sentence with a number, in either language."""

from __future__ import annotations

import numpy as np
import pytest

from qa.retrieval.highlight import CAUSE, QUANTITY, QUOTE, TIME, answer_kind, fits, highlight_sentence
from qa.storage.record import PassageRow


def test_answer_kind_reads_german_and_english_wording():
    assert answer_kind("How heavy is the young okapi?") == QUANTITY
    assert answer_kind("Wie viele Stellen streicht die Firma?") == QUANTITY
    assert answer_kind("When did the plague reach England?") == TIME
    assert answer_kind("In welchem Jahr wurde die Börse gegründet?") == TIME
    assert answer_kind("Who won the game?") is None
    assert answer_kind("Why is Leicester bringing in a clean air zone?") == CAUSE
    assert answer_kind("What is the main reason the port handled more containers?") == CAUSE
    assert answer_kind("Aus welchem Grund wurde der Trainer entlassen?") == CAUSE
    assert answer_kind("Weshalb ist die Rendite gestiegen?") == CAUSE


def test_a_question_for_what_somebody_said_asks_for_a_quote():
    for question in (
        "What did Rhian Morgan say?",
        "what did lena brandt say",
        "What did jury president Signe Holmgaard say about the film that won in Konstanz?",
        "Was sagte Reid nach dem Spiel?",
        "Was hat der Schäfer gesagt, als er am Morgen die toten Schafe fand?",
    ):
        assert answer_kind(question) == QUOTE, question
    assert answer_kind("What did the council decide?") is None
    # told about something: reported more often than quoted (XQuAD's "What did Luther tell monks and nuns ...?")
    assert answer_kind("What did Luther tell monks and nuns about their vows?") is None
    assert answer_kind("Was hat die Jury gelobt?") is None
    assert answer_kind("Why did he say no?") == CAUSE
    assert answer_kind("How much did she say it would cost?") == QUANTITY
    assert fits("«Eine Geburt ist für uns jedes Mal ein besonderer Moment», sagte Zoodirektor Jörg Junhold.", QUOTE)
    assert fits('"We lost maybe a tenth of the crop," she said.', QUOTE)
    assert fits("„Das ist ein guter Tag“, sagte sie.", QUOTE)
    assert not fits("Emma Hartley, who runs a vineyard near Canterbury, said pickers were scarce.", QUOTE)
    assert not fits("It's the shop's busiest week.", QUOTE)


def test_keywords_name_the_kind_of_answer_with_a_noun():
    assert answer_kind("Hauswirth job cuts reason") == CAUSE
    assert answer_kind("Marquardt Entlassung Begründung") == CAUSE
    assert answer_kind("bielefeld bridge demolition date") == TIME
    assert answer_kind("Goldene Möwe Preisgeld") == QUANTITY
    assert answer_kind("EZB Einlagensatz") is None
    # the wording wins over a noun: a time asked for the date of a price change
    assert answer_kind("When does the price cap change?") == TIME


def test_fits_numbers_and_times_in_both_languages():
    assert fits("Es heißt Quirin und wiegt 16 Kilo.", QUANTITY)
    assert fits("Das kostet zwei Millionen Euro.", QUANTITY)
    assert not fits("Der Zoo hat ein junges Okapi vorgestellt.", QUANTITY)
    assert fits("Die Börse wurde im Jahr 1817 gegründet.", TIME)
    assert fits("Sie tritt ihr Amt im März an.", TIME)
    assert not fits("Es heißt Quirin.", TIME) and not fits("16 Kilo", None)


def test_fits_a_reason_in_both_languages():
    assert fits("The council says the zone is needed because nitrogen dioxide levels exceeded limits.", CAUSE)
    assert fits("Als Hauptgrund für das Plus nannten die Hafenvertreter die neuen Allianzen.", CAUSE)
    assert fits("Die Partie wurde wegen Nebels abgebrochen.", CAUSE)
    assert fits("The uptick was driven mainly by higher prices for package holidays.", CAUSE)
    assert not fits("Der Hamburger Hafen hat im ersten Halbjahr mehr Container umgeschlagen.", CAUSE)
    assert not fits("The council voted 34 to 19 on Monday night.", CAUSE)


def _two_sentences(first: str, second: str, closeness: float) -> PassageRow:
    """A German passage of two sentences: the first is the question's own direction, the second at
    cosine `closeness` to it."""
    text = f"{first} {second}"
    vectors = np.array([[1.0, 0.0], [closeness, float(np.sqrt(1.0 - closeness**2))]], dtype=np.float32)
    return PassageRow(
        id=1,
        document_id="d",
        position=0,
        heading="",
        text=text,
        language="de",
        title="",
        date=None,
        source="api",
        vector=np.array([1.0, 0.0], dtype=np.float32),
        sentence_spans=((0, len(first)), (len(first) + 1, len(text))),
        sentence_vectors=vectors,
    )


QUERY = np.array([1.0, 0.0], dtype=np.float32)


def test_a_quantity_question_moves_the_highlight_to_the_sentence_with_the_number():
    # The topic sentence is a little closer to the question, as the encoder has it for the README's example.
    row = _two_sentences("Der Zoo hat ein junges Okapi vorgestellt.", "Es heißt Quirin und wiegt 16 Kilo.", 0.99)
    kind = answer_kind("How heavy is the young okapi?")
    assert highlight_sentence(row, QUERY, set(), "en", 0.1) == 0
    assert highlight_sentence(row, QUERY, set(), "en", 0.1, kind, 0.03) == 1
    assert highlight_sentence(row, QUERY, set(), "en", 0.1, None, 0.03) == 0


def test_a_quote_question_highlights_the_quote_over_the_sentence_that_names_the_speaker():
    # The sentence naming him is the closer one, and it holds both of the question's terms.
    row = _two_sentences(
        "Oberbürgermeister Martin Horn verteidigte den Beschluss.",
        "«Weniger Tempo heißt weniger Lärm und mehr Platz für alle», sagte er.",
        0.97,
    )
    kind, terms = answer_kind("Was sagte Martin Horn?"), {"martin", "horn"}
    assert highlight_sentence(row, QUERY, terms, "de", 0.1) == 0
    # the other kinds' small cue does not outweigh the name; a quote's does
    assert highlight_sentence(row, QUERY, terms, "de", 0.1, kind, 0.03) == 0
    assert highlight_sentence(row, QUERY, terms, "de", 0.1, kind, 0.15) == 1


def test_a_measured_quantity_asks_for_its_unit():
    from qa.retrieval.highlight import measured_unit

    heavy = measured_unit("How heavy is the young okapi?")
    assert heavy is not None and heavy.search("Es heißt Quirin und wiegt 16 Kilo.")
    assert not heavy.search("Der Zoo hat 16 Okapis.")
    far = measured_unit("Wie weit ist es bis Berlin?")
    assert far is not None and far.search("Bis Berlin sind es 120 km.")
    assert measured_unit("Who won the game?") is None and measured_unit("How many goals?") is None


def test_context_cosines_let_a_sentence_borrow_from_its_neighbours():
    from qa.retrieval.highlight import NEIGHBOUR_SHARE, context_cosines

    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    query = np.array([1.0, 0.0], dtype=np.float32)
    cosines = context_cosines(vectors, query)
    assert cosines.dtype == np.float32 and cosines.shape == (3,)
    expected_middle = NEIGHBOUR_SHARE / np.hypot(NEIGHBOUR_SHARE, 1.0 + NEIGHBOUR_SHARE)
    assert cosines[1] == pytest.approx(expected_middle, rel=1e-5)  # the middle one borrows from the first
    assert cosines[2] == pytest.approx(0.0, abs=1e-6) and cosines[0] < 1.0
