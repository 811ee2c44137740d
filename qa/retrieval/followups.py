"""A chat follow-up's topic words: evidence for the article, not for the paragraph within it.

Why: a follow-up that cannot be rewritten safely is searched with the conversation's topic words in
brackets ("How much will it cost (Clifton, Suspension, Bridge, close)?", qa.chat.topic). They find the
story, but by BM25 they also pick its paragraph: the lead holds every one of them, and so does the
paragraph that answered the turn before (the topic words are that turn's question). So the topic
words' share of a passage's BM25 score counts per article (the best of its candidates,
`fusion.article_best`) and only the words typed choose the paragraph.

The share is taken from the terms a candidate holds, each weighed by its IDF (BM25's term frequency
and length factors left out): FTS5 cannot score a term set over given passages cheaply (a `MATCH`
restricted to 150 rowids took 33 ms at 100,000 passages, as much as reading every posting), while
the candidates' own texts are at hand.
"""

from __future__ import annotations

import numpy as np

from qa.retrieval import feedback
from qa.retrieval.fusion import article_best
from qa.storage.database import Session
from qa.storage.record import PassageRow
from qa.text.terms import stemmed_terms, topic_words


def topic_shares(asked: set[str], topic: set[str], weights: dict[str, float], held: list[set[str]]) -> np.ndarray:
    """Per candidate, the share of the question's terms it holds (`held`, weighed by `weights`) that are
    topic words; 0 where it holds none."""
    shares = np.zeros(len(held), dtype=np.float32)
    for i, terms in enumerate(held):
        matched = terms & asked
        total = sum(weights.get(term, 0.0) for term in matched)
        if total > 0:
            shares[i] = sum(weights.get(term, 0.0) for term in matched & topic) / total
    return shares


def lexical_by_article(
    conn: Session, question: str, language: str, candidates: list[PassageRow], lexical: np.ndarray
) -> np.ndarray:
    """The candidates' BM25 scores (`lexical`, of the whole question) with the topic words' part taken
    per article: each keeps its typed words' part and gets the best topic-words part among its
    article's candidates. Unchanged for a question without topic words."""
    topic = set(stemmed_terms(topic_words(question), language))
    if not topic or not lexical.any():
        return lexical
    asked = set(stemmed_terms(question, language))
    counts, passages = feedback.frequencies(conn, [sorted(asked)])
    weights = {term: feedback.idf(n, passages) for term, n in counts.items()}
    held = [
        set(stemmed_terms(f"{row.title}\n{row.heading}\n{row.text}", language)) if score > 0 else set()
        for row, score in zip(candidates, lexical, strict=True)
    ]
    part = lexical * topic_shares(asked, topic, weights, held)
    return (lexical - part + article_best([row.document_id for row in candidates], part)).astype(np.float32)
