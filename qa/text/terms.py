"""Lexical terms of a text: lower-cased words without stopwords, Snowball-stemmed in its language.

The one tokenizer of the lexical side: BM25 (storage.fts), term coverage (retrieval.no_answer) and
the highlight all compare these terms. bm25s provides the stopword lists.
"""

from __future__ import annotations

import re
import threading

_TOKEN = re.compile(r"\w+", re.UNICODE)
_local = threading.local()


def _stopwords(language: str) -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_GERMAN

    cache = getattr(_local, "stopwords", None)
    if cache is None:
        cache = _local.stopwords = {"de": frozenset(STOPWORDS_GERMAN), "en": frozenset(STOPWORDS_EN)}
    return cache.get(language, cache["en"])


def _stemmer(language: str):
    # PyStemmer objects are not thread-safe: one per thread and language.
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        import Stemmer

        stemmers[language] = Stemmer.Stemmer("german" if language == "de" else "english")
    return stemmers[language]


def content_words(text: str) -> list[str]:
    """The words of `text` that are a stopword in neither German nor English, of two or more
    characters (or digits): "the and of to", "<b>?</b>" or a zero-width space have none."""
    german, english = _stopwords("de"), _stopwords("en")
    return [
        word
        for word in _TOKEN.findall(text.lower())
        if word not in german and word not in english and (len(word) > 1 or word.isdigit())
    ]


def stemmed_terms(text: str, language: str) -> list[str]:
    """Lower-cased word tokens without stopwords, stemmed in `language`."""
    stopwords = _stopwords(language)
    words = [word for word in _TOKEN.findall(text.lower()) if word not in stopwords]
    return _stemmer(language).stemWords(words)


# a bracketed list right before the closing question mark: what a chat turn adds as its topic
_TOPIC_WORDS = re.compile(r" \([^()]*\)(?=\?$)")


def without_topic_words(question: str) -> str:
    """The question as typed, without the topic words a conversation put in brackets before its
    question mark ("Was sagte er dazu (Merz, Treffen)?" -> "Was sagte er dazu?")."""
    return _TOPIC_WORDS.sub("", question)
