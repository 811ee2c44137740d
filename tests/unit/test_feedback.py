"""Cross-lingual pseudo-relevance feedback: which hits lend terms, which terms, how candidates score."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qa.records import Document, Section
from qa.retrieval import feedback
from qa.text.terms import stemmed_terms

GERMAN = [
    "Der Zoo hat ein junges Okapi vorgestellt. Es heißt Quirin und wiegt 16 Kilo.",
    "Das Okapi Quirin lebt im Zoo bei seiner Mutter. Okapis stammen aus dem Kongo.",
    "Der Stadtrat hat den Haushalt für das kommende Jahr beschlossen.",
    "Der Haushalt der Stadt sieht neue Schulen und Radwege vor.",
    "Im Zoo leben Elefanten, Giraffen und ein Okapi.",
    "Der Verein hat das Spiel am Sonntag gewonnen.",
    "Morgen wird es regnerisch und kühl.",
    "Die Firma baut ein neues Werk am Hafen.",
]


@pytest.fixture
def small_index(hash_settings):
    """A real index (FTS5 terms and frequencies) of eight short German passages."""
    from qa.service import QAService

    service = QAService(hash_settings, open_index=False)
    service.build_documents(
        [Document(f"de-{i}", f"Artikel {i}", None, "test", (Section("", text),)) for i, text in enumerate(GERMAN)]
    )
    yield service
    service.close()


def test_feedback_comes_from_the_best_dense_hits_in_another_language_only():
    dense = np.array([0.70, 0.90, 0.80, 0.85], dtype=np.float32)
    languages = ["de", "de", "en", "de"]
    assert feedback.feedback_passages(dense, languages, "en", 2) == [1, 3]  # the English one is skipped
    assert feedback.feedback_passages(dense, languages, "en", 5) == [1, 3, 0]
    assert feedback.feedback_passages(dense, languages, "de", 2) == []  # same language: its own terms count
    assert feedback.feedback_passages(dense, languages, "en", 0) == []
    with pytest.raises(ValueError):
        feedback.feedback_passages(dense, languages[:2], "en", 2)


def test_terms_are_the_feedback_passages_rarest_frequent_words_from_the_real_index(small_index):
    texts = [stemmed_terms(GERMAN[i], "de") for i in (0, 1)]  # the two okapi passages
    with small_index.index.view() as view:
        frequencies, passages = feedback.frequencies(view.conn, texts)
    assert passages == 8
    okapi, zoo, quirin, young = (stemmed_terms(word, "de")[0] for word in ("Okapi", "Zoo", "Quirin", "junges"))
    assert frequencies[okapi] == 3 and frequencies[zoo] == 3 and frequencies[quirin] == 2 and frequencies[young] == 1
    terms = feedback.feedback_terms(texts, frequencies, passages, 5)
    # "Quirin" is in both passages and only there: the highest tf x IDF; words of one passage follow,
    # and "Okapi", twice as often but in three passages of eight, does not make the five.
    assert terms[0] == quirin
    assert len(terms) == 5 and young in terms and okapi not in terms and zoo not in terms
    assert feedback.feedback_terms(texts, frequencies, passages, 0) == []
    assert feedback.feedback_terms(texts, {}, passages, 3) == []  # terms the index does not hold


def test_candidates_score_by_bm25_of_the_feedback_terms_best_first(small_index):
    candidates = [stemmed_terms(text, "de") for text in GERMAN]
    with small_index.index.view() as view:
        frequencies, passages = feedback.frequencies(view.conn, candidates)
    query = feedback.feedback_terms(candidates[:2], frequencies, passages, 5)
    scores = feedback.feedback_scores(candidates, query, frequencies, passages)
    assert scores.dtype == np.float32 and scores.max() == pytest.approx(1.0)
    assert scores[2:4].tolist() == [0.0, 0.0] and scores[5:].tolist() == [0.0] * 3  # no feedback term
    assert min(scores[0], scores[1]) > scores[4]  # the okapi passages beat the zoo list
    assert feedback.feedback_scores(candidates, [], frequencies, passages).tolist() == [0.0] * 8


def test_searcher_adds_feedback_only_across_languages(small_index):
    off = small_index.searcher()
    on = small_index.searcher(feedback_weight=0.5)
    german = "Wie schwer ist das junge Okapi?"
    same = [[h.score for h in s.search_many([german], 5)[0].hits] for s in (off, on)]
    assert same[0] == same[1]
    english = "How heavy is the young okapi?"
    before = {h.passage_id: h.score for h in off.search_many([english], 5, languages=["en"])[0].hits}
    after = {h.passage_id: h.score for h in on.search_many([english], 5, languages=["en"])[0].hits}
    gains = [after[pid] - before[pid] for pid in before]
    assert min(gains) >= 0.0 and max(gains) == pytest.approx(0.5, abs=1e-5)


def test_idf_is_fts5s_and_never_fails_when_the_counts_disagree():
    """The IDF is FTS5's where the counts agree; a term counted in more passages than the remembered passage
    count (after deletes) gets the least IDF instead of a math domain error (a 500 on a chat follow-up)."""
    assert feedback.idf(10, 1000) == pytest.approx(math.log(990.5 / 10.5))
    assert feedback.idf(600, 1000) == 1e-6  # held by most passages: at least a millionth, as in FTS5
    assert feedback.idf(1200, 1000) == 1e-6
    assert feedback.idf(5, 0) == 1e-6
    assert feedback.idf(2_000_000, 4_000_001) == 1e-6  # log(2000001.5 / 2000000.5) is under a millionth
