"""QA_CACHE_QUESTIONS: a service takes a question's vector from the vector cache when it is there (how
`qa bench scale` times the pipeline without the encoder); without it every question is encoded."""

from __future__ import annotations

import pytest

from qa.config import load_settings
from qa.records import Document, Section
from qa.service import QAService


@pytest.mark.parametrize("cache_questions", [True, False])
def test_a_question_asked_again_is_encoded_again_only_without_the_setting(tmp_path, cache_questions):
    overrides = {"index_dir": str(tmp_path / "index"), "encoder": "hash:64", "vector_cache": str(tmp_path / "v.sqlite")}
    overrides.update({f"no_answer_{name}": -9.0 for name in ("de", "en", "same_language")})  # never refuse
    service = QAService(load_settings({**overrides, "cache_questions": cache_questions}, environ={}))
    service.build_documents([Document("d", "Hafen", None, "dpa", (Section("", "Der Hafen öffnet am Montag."),))])
    calls = []
    inner = getattr(service.encoder, "inner", service.encoder)
    encode = inner.encode_queries
    inner.encode_queries = lambda texts: calls.append(list(texts)) or encode(texts)
    first = service.ask("Wann öffnet der Hafen?")
    second = service.ask("Wann öffnet der Hafen?")
    service.close()
    assert first.hits[0].text == second.hits[0].text == "Der Hafen öffnet am Montag."
    assert len(calls) == (1 if cache_questions else 2)
