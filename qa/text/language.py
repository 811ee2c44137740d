"""Question and passage language (German or English): fusion and the page's texts depend on it."""

from __future__ import annotations

import functools
import re

from qa.text.sentences import split_sentences

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
# Function words of each language: a passage with fewer than MIN_FUNCTION_WORDS of the other language's
# quotes none of it, and its sentences need not be read by py3langid (about 0.2 ms a sentence).
_FUNCTION_WORDS = {
    "de": re.compile(
        r"\b(?:der|die|das|und|nicht|ist|wir|uns|ein|eine|sich|mit|auf|für|von|den|dem|hat|haben|werden|sagte)\b",
        re.IGNORECASE,
    ),
    "en": re.compile(r"\b(?:the|and|of|is|are|we|our|has|have|but|with|that|said|will|was|were)\b", re.IGNORECASE),
}
MIN_FUNCTION_WORDS = 2


def quotes_other_language(text: str, language: str) -> bool:
    """Whether a passage labelled `language` holds a sentence (of at least MIN_QUOTED_WORDS words) in the
    other one: an English report quoting a works council in German, a German review quoting a singer
    in English. The article's language is read from its opening, so such a sentence is labelled with
    the rest; a question answered by it compares across languages. Over the newsroom set's 861 sentences
    it flags the 7 quotes of its mixed part and nothing else (qa/lab/README.md). Only a passage holding
    MIN_FUNCTION_WORDS function words of the other language is split into sentences and read: of the
    set's 364 paragraphs 5 are, the 4 that quote among them."""
    other = "en" if language == "de" else "de"
    if len(_FUNCTION_WORDS[other].findall(text)) < MIN_FUNCTION_WORDS:
        return False
    return any(
        len(text[start:end].split()) >= MIN_QUOTED_WORDS and detect_language(text[start:end]) != language
        for start, end in split_sentences(text, language)
    )
