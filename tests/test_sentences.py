"""Sentence spans on German text with abbreviations and dates."""

import pytest

from qa.sentences import split_sentences


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
    ],
)
def test_split_sentences(text, language, expected):
    spans = split_sentences(text, language)
    assert [text[start:end] for start, end in spans] == expected
