"""Sentence spans on German text with abbreviations and dates."""

from pathlib import Path

import numpy as np
import pytest

from qa.retrieval.search import highlight_sentence
from qa.text.sentences import split_sentences
from qa.text.terms import stemmed_terms


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Am 4. September traf Dr. Müller z. B. Merz in Paris. Danach reiste er ab.",
            "de",
            ["Am 4. September traf Dr. Müller z. B. Merz in Paris.", "Danach reiste er ab."],
        ),
        (
            "Die Sitzung endete am 1. Mai 2025 um 18 Uhr. Sie war lang.",
            "de",
            ["Die Sitzung endete am 1. Mai 2025 um 18 Uhr.", "Sie war lang."],
        ),
        (
            "Mr. Smith went to Washington. He met the U.S. president.",
            "en",
            ["Mr. Smith went to Washington.", "He met the U.S. president."],
        ),
        ("Keine Satzzeichen hier", "de", ["Keine Satzzeichen hier"]),
        (
            "Die Quote lag bei ca. 5,3 Prozent. Das liegt u. a. an der Konjunktur, bzw. an den Zinsen.",
            "de",
            ["Die Quote lag bei ca. 5,3 Prozent.", "Das liegt u. a. an der Konjunktur, bzw. an den Zinsen."],
        ),
        (
            "Prof. Dr. Schmidt sprach am 3. Oktober 1990. Die Rede dauerte 20 Min. und wurde übertragen.",
            "de",
            ["Prof. Dr. Schmidt sprach am 3. Oktober 1990.", "Die Rede dauerte 20 Min. und wurde übertragen."],
        ),
        (
            "Er wohnt in der Goethestr. 12 in Köln. Laut Art. 5 Abs. 1 GG gilt das. Seit 2010.",
            "de",
            ["Er wohnt in der Goethestr. 12 in Köln.", "Laut Art. 5 Abs. 1 GG gilt das.", "Seit 2010."],
        ),
        (
            'Macron sagte: "Diese Arbeit ist abgeschlossen." Danach reiste er ab.',
            "de",
            ['Macron sagte: "Diese Arbeit ist abgeschlossen."', "Danach reiste er ab."],
        ),
        (
            "„Wir beteiligen uns weiterhin“, sagte er. Die Sitzung ist für den 12.09.2025 geplant.",
            "de",
            ["„Wir beteiligen uns weiterhin“, sagte er.", "Die Sitzung ist für den 12.09.2025 geplant."],
        ),
        ("The vote was 52 to 48. 2019 was a dry year.", "en", ["The vote was 52 to 48.", "2019 was a dry year."]),
        (
            "Er sagte: „Wir sind bereit. Das ist gut.“ Danach gingen alle.",
            "de",
            ["Er sagte: „Wir sind bereit. Das ist gut.“", "Danach gingen alle."],
        ),
        (
            "Vorgeschrieben sind Lagerung, Ausrüstung usw., die das Gesetz nennt. Neuer Satz.",
            "de",
            ["Vorgeschrieben sind Lagerung, Ausrüstung usw., die das Gesetz nennt.", "Neuer Satz."],
        ),
        (
            "A bronze head dated to c.750 AD was shown. Merit Network Inc., a non-profit, was there.",
            "en",
            ["A bronze head dated to c.750 AD was shown.", "Merit Network Inc., a non-profit, was there."],
        ),
    ],
)
def test_split_sentences(text, language, expected):
    spans = split_sentences(text, language)
    assert [text[start:end] for start, end in spans] == expected


def _pysbd_alone(text: str, language: str) -> list[str]:
    from qa.text.sentences import _segmenter

    return [piece for span in _segmenter(language).segment(text) if (piece := text[span.start : span.end].strip())]


def test_certain_sentence_ends_cut_as_pysbd_would_on_the_whole_text():
    """pysbd runs only on pieces between certain sentence ends (for speed); the sentences are the ones
    pysbd finds in the whole text, on the shipped articles and the test articles."""
    from qa.text.sentences import _segments

    paragraphs = [
        paragraph
        for path in [*Path("seeds").glob("*.txt"), *Path("tests/data").glob("*.[tm][xd]*")]
        for paragraph in path.read_text(encoding="utf-8").split("\n\n")
        if paragraph.strip()
    ]
    assert len(paragraphs) > 10
    for text in paragraphs:
        pieces = [piece for start, end in _segments(text, "de") if (piece := text[start:end].strip())]
        assert pieces == _pysbd_alone(text, "de")


def _row(text: str, spans, vectors, language: str = "de"):
    from qa.storage.record import PassageRow

    vectors = np.asarray(vectors, dtype=np.float32)
    return PassageRow(
        id=1,
        document_id="d",
        position=0,
        heading="",
        text=text,
        language=language,
        vector=vectors.mean(axis=0),
        sentence_spans=tuple(spans),
        sentence_vectors=vectors,
        title="t",
        date=None,
        source="",
    )


def test_highlight_is_the_sentence_closest_to_the_question():
    text = "Macron lud nach Paris ein. Estland stellt Soldaten."
    row = _row(text, [(0, 26), (27, 51)], [[1.0, 0.0], [0.6, 0.8]])
    query = np.array([0.0, 1.0], dtype=np.float32)
    assert highlight_sentence(row, query, set(), "de", 0.1) == 1


def test_question_terms_break_a_near_tie_in_the_same_language_only():
    text = "Macron lud nach Paris ein. Estland stellt Soldaten."
    row = _row(text, [(0, 26), (27, 51)], [[0.80, 0.6], [0.79, 0.613]])
    query = np.array([1.0, 0.0], dtype=np.float32)
    terms = set(stemmed_terms("Welches Land stellt Soldaten?", "de"))
    assert highlight_sentence(row, query, set(), "de", 0.1) == 0
    assert highlight_sentence(row, query, terms, "de", 0.1) == 1
    # An English question's terms say nothing about a German sentence.
    assert highlight_sentence(row, query, terms, "en", 0.1) == 0
    assert highlight_sentence(row, query, terms, "de", 0.0) == 0
