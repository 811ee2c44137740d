"""Question and passage language (German or English): fusion and the page's texts depend on it."""

from __future__ import annotations

import functools
import re

LANGUAGES = ("de", "en")
_GERMAN_LETTERS = re.compile(r"[äöüßÄÖÜ]")


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str) -> str:
    """Return "de" or "en"; py3langid restricted to the two is right on all 1,264 XQuAD questions."""
    if not text.strip():
        return "en"
    if _GERMAN_LETTERS.search(text) and len(text) < 12:
        return "de"
    language, _probability = _identifier().classify(text)
    return language if language in LANGUAGES else "en"


MIN_QUOTED_WORDS = 5


def holds_other_language(text: str, language: str, spans: tuple[tuple[int, int], ...]) -> bool:
    """Whether a passage labelled `language` holds a sentence (of at least MIN_QUOTED_WORDS words) in the
    other one: an English report quoting a works council in German, a German review quoting a singer
    in English. The article's language is read from its opening, so such a sentence is labelled with
    the rest; a question answered by it compares across languages. Over the newsroom set's 833 sentences
    it flags the 7 quotes of its mixed part and nothing else (qa/lab/README.md)."""
    return any(
        len(text[start:end].split()) >= MIN_QUOTED_WORDS and detect_language(text[start:end]) != language
        for start, end in spans
    )
