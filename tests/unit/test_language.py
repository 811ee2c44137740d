"""A passage labelled with its article's language that quotes the other language (qa.text.language)."""

from __future__ import annotations

import pytest

from qa.text.language import quotes_other_language

QUOTING = [
    (
        "en",
        'The works council reacted with anger. "Wir werden jeden einzelnen Arbeitsplatz verteidigen", sagte '
        "Betriebsratschef Jens Petersen. The union called a rally for Thursday.",
    ),
    (
        "de",
        'Grund ist eine Erkrankung der Sängerin. "We are heartbroken, but her health has to come first", schrieb '
        "die Band am Abend auf Instagram.",
    ),
]
PLAIN = [
    ("en", "Doctor Who was first shown in 1963. The BBC said the series would return next year with a new cast."),
    ("de", "Die Band spielte ihren Hit „Summer Nights“ als Zugabe. Danach war das Konzert nach zwei Stunden vorbei."),
    ("de", "Von der Leyen sprach in Brüssel. Die Kommission will das Gesetz im Frühjahr vorlegen."),
]


@pytest.mark.parametrize(("language", "text"), QUOTING)
def test_a_quoted_sentence_in_the_other_language_is_found(language, text):
    assert quotes_other_language(text, language)


@pytest.mark.parametrize(("language", "text"), PLAIN)
def test_names_and_titles_in_the_other_language_are_no_quote(language, text):
    assert not quotes_other_language(text, language)
