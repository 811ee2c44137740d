"""Pseudo-relevance feedback across languages: the passages the dense stage ranks first lend their own
terms as a lexical query in their language.

Why: BM25 cannot read an English question over German text (fusion.py lets lexical evidence count
only within the question's language), so across languages the dense score alone decides. The German
passages the dense stage puts first are, most of the time, about the question's subject; their most
telling German terms (tf x IDF over the `passages` best) are a German query that BM25 can ask of the
other German candidates. Each candidate in the feedback language gains `weight` x its BM25 score for
that query (0..1 over the candidates). Only when the question's language differs from the language of
the best dense hit (cross-lingual); a same-language question has its own terms already.

Measured (qa/lab/README.md, "Cross-lingual pseudo-relevance feedback"): on XQuAD the remaining
cross-lingual misses are sibling paragraphs of the same article, which share the feedback terms, so
cross-validation over articles chooses weight 0; the setting defaults to off.
Pure functions over the candidates' stemmed terms, but `frequencies`, which reads them from storage.fts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from qa.storage import fts
from qa.storage.database import Session

# BM25's constants, as FTS5 uses them.
K1, B = 1.2, 0.75


def feedback_passages(dense: np.ndarray, languages: Sequence[str], language: str, count: int) -> list[int]:
    """Indices of the `count` best candidates by dense score that share the best one's language, or
    none when that language is the question's `language` (feedback is for crossing languages)."""
    dense = np.asarray(dense, dtype=np.float32)
    if dense.ndim != 1 or dense.shape[0] != len(languages):
        raise ValueError(f"expected one dense score per language, got {dense.shape} and {len(languages)}")
    if count < 1 or dense.size == 0:
        return []
    order = np.argsort(-dense, kind="stable")
    target = languages[int(order[0])]
    if target == language:
        return []
    return [int(i) for i in order if languages[int(i)] == target][:count]


def idf(frequency: int, passages: int) -> float:
    """BM25's IDF as FTS5 computes it: log((N - n + 0.5) / (n + 0.5)), at least a millionth. The two counts
    come from different remembered reads (`fts.passage_count` is the largest id, the term counts the
    vocabulary's), so after deletes a term may seem held by more passages than there are: that is the
    least IDF, not a math domain error (a 500 the contract fuzzer found on a chat follow-up)."""
    ratio = (passages - frequency + 0.5) / (frequency + 0.5)
    return max(1e-6, math.log(ratio)) if ratio > 0.0 else 1e-6


def feedback_terms(
    texts_terms: Sequence[Sequence[str]], frequencies: Mapping[str, int], passages: int, count: int
) -> list[str]:
    """The `count` terms with the highest summed tf x IDF over the feedback passages' terms (ties: the
    earlier term); a term no passage of the index holds is skipped (the tokenisers disagree on it)."""
    weights: dict[str, float] = {}
    for terms in texts_terms:
        for term, tf in Counter(terms).items():
            frequency = frequencies.get(term, 0)
            if frequency > 0:
                weights[term] = weights.get(term, 0.0) + tf * idf(frequency, passages)
    return sorted(weights, key=lambda term: -weights[term])[: max(0, count)]


def feedback_scores(
    candidates_terms: Sequence[Sequence[str]],
    query: Sequence[str],
    frequencies: Mapping[str, int],
    passages: int,
) -> np.ndarray:
    """BM25 of each candidate for the feedback `query`, divided by the best (0..1; all 0 when none
    matches). The average length is the candidates' own (the index's is not kept apart)."""
    scores = np.zeros(len(candidates_terms), dtype=np.float32)
    if not query or not candidates_terms:
        return scores
    average = max(1.0, float(np.mean([len(terms) for terms in candidates_terms])))
    weights = {term: idf(frequencies.get(term, 0), passages) for term in set(query)}
    for i, terms in enumerate(candidates_terms):
        counts = Counter(terms)
        norm = K1 * (1.0 - B + B * len(terms) / average)
        scores[i] = sum(w * counts[t] * (K1 + 1.0) / (counts[t] + norm) for t, w in weights.items() if counts[t])
    top = float(scores.max())
    return scores / top if top > 0.0 else scores


def frequencies(conn: Session, texts_terms: Sequence[Sequence[str]]) -> tuple[dict[str, int], int]:
    """The document frequency of every term of `texts_terms` and the index's passage count."""
    terms = sorted({term for terms in texts_terms for term in terms})
    return fts.document_frequencies(conn, terms), fts.passage_count(conn)
