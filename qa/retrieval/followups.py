"""A chat follow-up's topic words: evidence for the article, not for the paragraph within it.

Why: a follow-up that cannot be rewritten safely is searched with the conversation's topic words in
brackets ("How much will it cost (Clifton, Suspension, Bridge, close)?", qa.chat.topic). They find the
story, but by BM25 they also pick its paragraph: the lead holds every one of them, and so does the
paragraph that answered the turn before (the topic words are that turn's question). So the topic
words' BM25 share counts per article (the best of its candidates, `fusion.article_best`) and only the
words typed choose the paragraph.
"""

from __future__ import annotations

import numpy as np

from qa.retrieval.fusion import article_best
from qa.storage import fts
from qa.storage.database import Session
from qa.storage.record import PassageRow
from qa.text.terms import topic_words, without_topic_words


def lexical_by_article(
    conn: Session, question: str, language: str, candidates: list[PassageRow], lexical: np.ndarray
) -> np.ndarray:
    """The candidates' BM25 scores (`lexical`, of the whole question) with the topic words' part taken
    per article: the typed words' score plus the best topic-words score among the article's candidates,
    for passages in the question's language. Unchanged for a question without topic words."""
    topic = topic_words(question)
    if not topic:
        return lexical
    ids = [row.id for row in candidates]
    typed = fts.scores_among(conn, without_topic_words(question), language, ids)
    held = fts.scores_among(conn, topic, language, ids)
    own = np.array([held.get(i, 0.0) for i in ids], dtype=np.float32)
    article = article_best([row.document_id for row in candidates], own)
    same = np.array([row.language == language for row in candidates], dtype=bool)  # as `fts.search` reads them
    return np.where(same, np.array([typed.get(i, 0.0) for i in ids], dtype=np.float32) + article, 0.0).astype(
        np.float32
    )
