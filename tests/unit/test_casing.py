"""A question typed all in lower case takes the capitals its words have in the archive."""

from __future__ import annotations

import pytest

from qa.retrieval.casing import archive_forms, is_uncased, recase

VOLTARA = (
    "BERLIN, Nov 20 - Voltara, founded in 2021 by chemists Lena Brandt and Tomasz Wiśniewski, said on Thursday "
    'it had raised 40 million euros. "We can do this at lower cost," Brandt said.'
)
SCHWEDT = "Die Firma baut ein Werk in Schwedt. Das Werk soll 2027 starten, sagte die Sprecherin über das neue Werk."


@pytest.mark.parametrize(
    ("question", "uncased"),
    [("what did lena brandt say", True), ("What did Lena Brandt say?", False), ("wer ist ceo", True), ("?? 42", False)],
)
def test_only_a_question_without_any_capital_is_recased(question, uncased):
    assert is_uncased(question) is uncased


def test_words_take_their_form_inside_sentences():
    # both passages counted as the question's language, so each word is read by the counting rule alone
    forms = archive_forms("brandt werk schwedt die das said 2021", [("de", VOLTARA), ("de", SCHWEDT)], "de")
    assert forms["brandt"] == "Brandt" and forms["werk"] == "Werk" and forms["schwedt"] == "Schwedt"
    # lower-case words stay, and a sentence's first word does not count: "Die", "Das" begin sentences
    assert "die" not in forms and "das" not in forms and "said" not in forms and "2021" not in forms


def test_recased_questions_read_as_the_archive_writes():
    english = archive_forms("what did lena brandt say", [("en", VOLTARA)], "en")
    assert recase("what did lena brandt say", english) == "what did Lena Brandt say"
    question = "wann soll das werk in schwedt starten?"
    german = archive_forms(question, [("de", SCHWEDT)], "de")
    assert recase(question, german) == "wann soll das Werk in Schwedt starten?"


def test_the_question_languages_passages_decide():
    # "Union" is a German noun; English passages write "the union"
    matches = [
        ("de", "Die Gewerkschaft und die Union streiten."),
        ("en", "The union wants more pay, said Dave Holloway."),
    ]
    forms = archive_forms("what does the union want", matches, "en")
    assert "union" not in forms
    assert archive_forms("was will die union", matches, "de")["union"] == "Union"


def test_a_passage_in_the_other_language_gives_only_names_of_two_words():
    matches = [("de", "Die Plattform der New England Patriots heißt Voltara, sagte Dieter Salomon am Montag.")]
    forms = archive_forms("what did dieter salomon say about the new platform of voltara", matches, "en")
    assert forms == {"dieter": "Dieter", "salomon": "Salomon"}
