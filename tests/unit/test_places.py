"""A question about a place its first articles never mention is refused: the places a text names, in
either language, and the refusal they decide."""

from __future__ import annotations

import numpy as np
import pytest

from qa.records import DocumentRef, Highlight, Hit
from qa.retrieval.no_answer import Cutoffs, coverage, refuses
from qa.retrieval.search import Retrieval, _unmentioned
from qa.storage.record import PassageRow
from qa.text.places import place_words, places
from qa.text.terms import codes, contradicted_codes


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Wie hoch war die Inflation in der Schweiz im Oktober?", {"switzerland"}),
        ("Hat die US-Notenbank Fed die Zinsen gesenkt?", {"us"}),
        ("Are bus drivers in Manchester going on strike?", {"manchester"}),
        ("Wie viele Schafe hat ein Wolf in Niedersachsen gerissen?", {"lower-saxony"}),
        # an adjective or a people names a language as often as a country: no place of the question
        ("Welche Organisation kritisiert die britischen Energiepreise?", set()),
        ("Which name is used for the rainforest in English?", set()),
        ("How were the settlers assimilated into North American society?", set()),
        ("Britain's energy regulator raised the cap.", {"uk"}),
        ("Die Brücke in Sachsen-Anhalt", {"saxony-anhalt", "saxony"}),
        ("the United Kingdom and the United States", {"uk", "us"}),
        # German names a place's adjective with a capital: as much the place as its name
        ("Streiken auch die Lokführer bei der Schweizer Bahn?", {"switzerland"}),
        ("Wer bestreikt die Londoner U-Bahn?", {"london"}),
        # no place: a pronoun, a bird, a verb
        ("What did the union tell us?", set()),
        ("How did bird flu get into the turkey farm near the village?", set()),
        ("They polish the trophies every week.", set()),
    ],
)
def test_places_a_question_names(text, named):
    assert places(text) == named


def test_an_article_mentions_a_place_by_its_adjective_in_either_language_or_by_a_city_in_it():
    assert "uk" in places("Die britischen Haushalte zahlen mehr.", capitalised=False)
    assert "switzerland" in places("Die Schweizer Bahn fährt.", capitalised=False)
    assert "germany" in places("Friedrich Wilhelm von Brandenburg lud sie ein.", capitalised=False)
    assert "uk" in places("Bus drivers in Leicester walked out.", capitalised=False)
    assert "turkey" in places("a turkey farm", capitalised=False)  # an article's mention is read leniently


def _row(passage_id: int, document: str, text: str, title: str = "Streik", date: str | None = None) -> PassageRow:
    return PassageRow(
        id=passage_id,
        document_id=document,
        position=passage_id,
        heading="",
        text=text,
        language="en",
        vector=np.zeros(2, dtype=np.float32),
        sentence_spans=(),
        sentence_vectors=None,
        title=title,
        date=date,
        source="",
    )


CANDIDATES = [
    _row(0, "tube", "Millions faced a difficult journey as a strike shut down the Tube.", "Tube strike"),
    _row(1, "tube", "LONDON, Nov 5 - About 9,000 station staff walked out for 24 hours."),
    _row(2, "bahn", "Die Lokführer in Deutschland streiken ab Mittwoch."),
    _row(3, "other", "Bus drivers in Manchester voted to accept the offer."),
]


@pytest.mark.parametrize(
    ("question", "first", "missing"),
    [
        # the first articles mention London in another paragraph than the first passage
        ("Why did Tube staff in London walk out?", [0, 2], set()),
        ("Are bus drivers in Manchester going on strike?", [0, 2], {"manchester"}),
        # a German question, an English article: "Deutschland" is the Bahn article's own word
        ("Streiken die Lokführer in Deutschland?", [2], set()),
        ("Streiken die Lokführer in der Schweiz?", [2, 0], {"switzerland"}),
        # a passage beyond the first three articles does not count
        ("Are bus drivers in Manchester going on strike?", [0, 1, 2], {"manchester"}),
        ("Are bus drivers in Manchester going on strike?", [0, 3], set()),
        ("What is the pay offer?", [0], set()),  # no place asked: nothing missing
    ],
)
def test_places_unmentioned_by_the_first_articles(question, first, missing):
    scores = np.zeros(len(CANDIDATES), dtype=np.float32)
    scores[first] = np.linspace(1.0, 0.5, len(first))  # the first passages, best first; the others last
    assert _unmentioned(question, CANDIDATES, scores) == missing


CRASH = [
    _row(0, "a7", "Ein Unfall hat die Autobahn 7 bei Hildesheim blockiert.", "A7 gesperrt"),
    _row(1, "a7", "Auf der A7 zwischen Hildesheim und Derneburg fuhr ein Sattelzug auf."),
]


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Wann wird die A1 bei Hildesheim gesperrt?", {"A1"}),  # another motorway than the article's
        ("Wie lange war die A7 gesperrt?", set()),
        ("Wie lange war die A 7 gesperrt?", set()),  # written apart, the same code
        ("Wie war der Verkehr im Q3?", set()),  # no code of its kind in the article: nothing contradicted
        ("Wann wird die A7 gesperrt?", set()),
    ],
)
def test_a_code_the_first_articles_contradict_is_missing(question, missing):
    scores = np.array([1.0, 0.9], dtype=np.float32)
    assert _unmentioned(question, CRASH, scores) == missing


TICKET = [
    _row(0, "ticket", "Das Deutschlandticket kostet ab dem 1. Januar 2026 62 Euro.", "Ticket", "2025-09-19"),
    _row(1, "ticket", "Ab 2027 soll der Preis nach einem festen Index steigen.", "Ticket", "2025-09-19"),
]
UNDATED = _row(2, "undated", "Die Preise wurden 2019 zuletzt erhöht.", "Bahn")


@pytest.mark.parametrize(
    ("question", "first", "missing"),
    [
        # two years or more after the article appeared, and it never names the year: it cannot report it
        ("Was kostet das Deutschlandticket ab Januar 2028?", [0, 1], {"2028"}),
        ("Was kostet das Deutschlandticket 2030?", [0], {"2030"}),
        # the article names the year (a plan), or it is the next year ("ab Januar" without a year)
        ("Wie soll der Preis ab 2027 steigen?", [0, 1], set()),
        ("Wie teuer wird das Ticket 2026?", [0], set()),
        ("Was kostete das Ticket 2023?", [0], set()),  # a year before the article: background it may omit
        ("Wie viele Fahrgäste, 2.030 oder 12030?", [0], set()),  # numbers, not years
    ],
)
def test_a_year_after_the_first_articles_they_never_name_is_missing(question, first, missing):
    scores = np.zeros(len(TICKET), dtype=np.float32)
    scores[first] = np.linspace(1.0, 0.5, len(first))
    assert _unmentioned(question, TICKET, scores) == missing


def test_a_year_is_not_judged_when_a_first_article_has_no_date():
    scores = np.array([0.9, 0.8, 1.0], dtype=np.float32)
    assert _unmentioned("Was kostet das Ticket 2028?", [*TICKET, UNDATED], scores) == set()


def test_codes_read_the_same_written_apart_or_joined():
    assert codes("über die gesperrte A-2-Brücke") == codes("auf der A2") == codes("die A 2") == {("A", "2")}
    assert codes("H5N1 und H5N8") == {("H", "5N1"), ("H", "5N8")}
    assert codes("Tempo 30 in Freiburg, the 3-1 loss, COVID-19") == frozenset()
    assert contradicted_codes("Wo findet der G7-Gipfel statt?", "Die G20 trafen sich in Rio.") == {"G7"}
    assert contradicted_codes("Wo findet der G7-Gipfel statt?", "Der G7-Gipfel fand in Italien statt.") == set()


def _hit() -> Hit:
    text = "Bus drivers voted to strike."
    return Hit(1, 0, text, "", "en", 1.0, 1.0, 1.0, Highlight(text, 0, len(text)), DocumentRef("d", "t", None, ""))


def test_a_place_no_first_article_mentions_refuses_however_close_the_rest():
    lax = Cutoffs(german=-1.0, english=-1.0, same_language=-1.0, coverage_weight=0.0)
    assert not refuses(Retrieval("Are bus drivers going on strike?", "en", (_hit(),), 0.99), lax)
    asked = "Are bus drivers in Manchester going on strike?"
    missing = Retrieval(asked, "en", (_hit(),), 0.99, None, frozenset({"manchester"}))
    assert refuses(missing, lax)


def _report(text: str) -> Hit:
    return Hit(1, 2, text, "", "de", 1.0, 0.85, 1.0, Highlight(text, 0, len(text)), DocumentRef("d", "Spiel", None, ""))


def test_place_words_are_the_words_naming_a_place_as_typed():
    assert place_words("Wie wird das Wetter in München, und die Londoner U-Bahn?") == ["München", "Londoner"]
    assert place_words("What did the union tell us?") == []


def test_a_search_narrowed_to_a_period_takes_a_place_for_evidence_only_beside_another_word():
    """Time words narrow a search to a few articles: a match report from Heilbronn is then first for
    "Wie wird das Wetter am Wochenende in Heilbronn?" for lack of competition, and the place it shares
    with the question must not carry it over the cut-off."""
    cutoffs = Cutoffs(german=0.8, english=0.8, same_language=0.87, coverage_weight=0.05)
    report = _report("Drei Minuten später schwächte sich Heilbronn selbst.")
    weather = "Wie wird das Wetter in Heilbronn?"
    # over the whole archive the place is evidence (0.85 + 0.05 x 1/2 clears 0.87) ...
    assert coverage(weather, "de", report) == 0.5
    assert not refuses(Retrieval(weather, "de", (report,), 0.85), cutoffs)
    # ... narrowed to a period, not alone: the weather is asked and nothing holds it
    assert coverage(weather, "de", report, with_places=False) == 0.0
    assert refuses(Retrieval(weather, "de", (report,), 0.85, narrowed=True), cutoffs)
    # beside a word of the question that the passage holds, the place counts as before
    goal = "Wer hat in Heilbronn das Tor geschossen?"
    scorer = _report("Heilbronn glich aus: Das Tor schoss Kemal Aydin.")
    assert coverage(goal, "de", scorer, with_places=False) == coverage(goal, "de", scorer) > 0
    assert not refuses(Retrieval(goal, "de", (scorer,), 0.85, narrowed=True), cutoffs)
