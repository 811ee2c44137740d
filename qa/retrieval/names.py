"""Rare names: a word of the question that few passages hold, found verbatim in a candidate, is evidence
for it in any language.

Why: the dense score cannot tell "Libilukox" from "Liborudox" (two invented places about which the same
kind of story is told: cosines 0.890 against 0.877 for the wrong one), and fusion lets BM25 count only
among passages in the question's language (an English word that merely looks like a German one must
not lift a German passage; see fusion.py). A name is the exception: "Libilukox" is the same string in an
English question and a German article. So the question's name-like words (capitalised, not its first
word, not a stopword) that are rare in the index (held by at most `max_share` of the passages) become
evidence: each candidate gains `weight` x the share of those names' IDF it holds verbatim.
Pure functions but `lookup`, which reads the document frequencies from storage.fts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from qa.storage import fts
from qa.storage.database import Session
from qa.text.terms import content_words, stemmed_terms

_WORD = re.compile(r"\w+", re.UNICODE)
MIN_NAME_CHARS = 4


def name_words(question: str) -> list[str]:
    """Words that may be names: capitalised (or all capitals), not the question's first word, at least
    MIN_NAME_CHARS characters with a letter, and a stopword in neither German nor English; lower-cased,
    in order, once each."""
    words = _WORD.findall(question)[1:]
    content = set(content_words(question))
    names: list[str] = []
    for word in words:
        lower = word.lower()
        if (
            len(word) >= MIN_NAME_CHARS
            and word[0].isupper()
            and not word.isdigit()
            and lower in content
            and lower not in names
        ):
            names.append(lower)
    return names


def index_terms(word: str) -> tuple[str, ...]:
    """The lexical index's terms a word may be stored under (its German and English stems)."""
    return tuple(dict.fromkeys(stemmed_terms(word, "de") + stemmed_terms(word, "en")))


def rare_names(
    words: Sequence[str], frequencies: Mapping[str, int], passages: int, max_share: float
) -> dict[str, float]:
    """The words held by at least one and at most `max_share` of `passages` passages, each with its IDF.

    `frequencies` maps an index term to its document frequency; a word's frequency is the largest of
    its stems' (a German and an English passage may store it under different stems).
    """
    if passages <= 0:
        return {}
    names: dict[str, float] = {}
    for word in words:
        frequency = max((frequencies.get(term, 0) for term in index_terms(word)), default=0)
        if 0 < frequency <= max(1.0, max_share * passages):
            names[word] = math.log(1.0 + passages / frequency)
    return names


def _pattern(name: str) -> re.Pattern[str]:
    # Verbatim, case-insensitive, as a whole word or with a genitive/plural ending ("Libilukox'", "BASFs").
    return re.compile(rf"(?<!\w){re.escape(name)}(?:s|es|')?(?!\w)", re.IGNORECASE)


def name_evidence(texts: Sequence[str], names: Mapping[str, float]) -> np.ndarray:
    """Per text, the share (0..1) of the names' total IDF that it holds verbatim."""
    evidence = np.zeros(len(texts), dtype=np.float32)
    total = float(sum(names.values()))
    if total <= 0.0:
        return evidence
    # A plain substring test first (the regex, case-insensitive with look-arounds, costs ~10 us a text
    # and a question has ~100 candidates per name): only texts holding the name at all are matched.
    folded = [text.casefold() for text in texts]
    for name, idf in names.items():
        pattern, needle = _pattern(name), name.casefold()
        for i, text in enumerate(texts):
            if needle in folded[i] and pattern.search(text):
                evidence[i] += idf / total
    return evidence


def lookup(conn: Session, question: str, max_share: float) -> tuple[dict[str, float], list[str]]:
    """The question's rare names with their IDF, and the index terms they are stored under."""
    words = name_words(question)
    if not words:
        return {}, []
    terms = sorted({term for word in words for term in index_terms(word)})
    names = rare_names(words, fts.document_frequencies(conn, terms), fts.passage_count(conn), max_share)
    return names, sorted({term for word in names for term in index_terms(word)})
