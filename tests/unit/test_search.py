"""The rank stage's cosines, worked out by hand: each candidate's own and its best sentence's."""

import numpy as np
import pytest

from qa.retrieval.search import _cosines
from qa.storage.record import PassageRow


def _row(passage_id: int, vector, sentences) -> PassageRow:
    return PassageRow(
        id=passage_id,
        document_id=f"d{passage_id}",
        position=0,
        heading="",
        text="x",
        language="de",
        vector=np.asarray(vector, dtype=np.float32),
        sentence_spans=(),
        sentence_vectors=None if sentences is None else np.asarray(sentences, dtype=np.float32).reshape(-1, 2),
        title="t",
        date=None,
        source="",
    )


def test_each_candidate_gets_its_own_cosine_and_its_best_sentences():
    query = np.array([1.0, 0.0], dtype=np.float32)
    candidates = [
        _row(1, [0.6, 0.8], [[0.0, 1.0], [0.8, 0.6], [0.5, 0.5]]),  # best sentence 0.8
        _row(2, [0.9, 0.1], None),  # sentence vectors not stored yet: the passage stands for them
        _row(3, [0.2, 0.9], []),  # no sentence at all: the same
        _row(4, [-1.0, 0.0], [[-0.3, 0.9]]),  # one sentence
    ]
    passage, best = _cosines(candidates, np.stack([row.vector for row in candidates]), query)
    assert passage.dtype == np.float32 and best.dtype == np.float32
    assert passage.tolist() == pytest.approx([0.6, 0.9, 0.2, -1.0])
    assert best.tolist() == pytest.approx([0.8, 0.9, 0.2, -0.3])


def test_a_retrieval_says_whether_a_date_filter_narrowed_it(hash_service):
    """The no-answer decision asks for stronger evidence in a narrowed search (qa.retrieval.no_answer):
    a filter of the request and the period read from time words both narrow it."""
    from qa.records import Filters, Scope

    searcher = hash_service.searcher()
    question = "Wie alt ist die Bäckerei in Köln?"
    assert not searcher.search_many([question], 3)[0].narrowed
    within = Scope(filters=Filters(date_from="2025-02-01", date_to="2025-03-31"))
    assert searcher.search_many([question], 3, scope=within)[0].narrowed
    read = hash_service.scope_questions(["Was backte die Bäckerei in Köln letzte Woche?"], Scope(as_of="2025-03-05"))
    text, scope = read[0]
    assert scope.filters.date_from and searcher.search_many([text], 3, scope=scope)[0].narrowed
