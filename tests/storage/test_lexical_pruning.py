"""The lexical stage's cost is bounded in a large archive: question terms are matched rarest first up
to a budget of passages, and the counts that decide it are remembered without going stale for names."""

from __future__ import annotations

import pytest

from qa.config import load_settings
from qa.records import Document, Section
from qa.service import QAService
from qa.storage import fts
from qa.text.terms import stemmed_terms


def _article(n: int, text: str) -> Document:
    return Document(f"doc-{n}", f"Artikel {n}", "2025-01-01", "dpa", (Section("", text),))


@pytest.fixture
def service(tmp_path):
    settings = load_settings({"index_dir": str(tmp_path / "index"), "encoder": "hash:64"}, environ={})
    service = QAService(settings)
    # "hafen" in every article, "fähre" in every fifth, "leuchtturm" in one.
    service.build_documents(
        [
            _article(
                n,
                "Der Hafen öffnet."
                + (" Die Fähre fährt." if n % 5 == 0 else "")
                + (" Ein Leuchtturm." if n == 7 else ""),
            )
            for n in range(40)
        ]
    )
    yield service
    service.close()


def _terms(text: str) -> list[str]:
    return sorted(set(stemmed_terms(text, "de")))


def test_a_small_archive_matches_every_term(service):
    with service.index.reader() as conn:
        assert fts.prune(conn, _terms("Hafen Fähre Leuchtturm")) == _terms("Hafen Fähre Leuchtturm")


def test_terms_are_kept_rarest_first_within_the_budget(service, monkeypatch):
    monkeypatch.setattr(fts, "PRUNE_MIN_ROWS", 0)
    monkeypatch.setattr(fts, "PRUNE_SHARE", 1.0)
    lighthouse, ferry, harbour = (_terms(word)[0] for word in ("Leuchtturm", "Fähre", "Hafen"))
    question = _terms("Hafen Fähre Leuchtturm")
    with service.index.reader() as conn:
        assert fts.prune(conn, question, budget=100) == [lighthouse, ferry, harbour]
        assert fts.prune(conn, question, budget=9) == [lighthouse, ferry]  # 1 + 8 passages
        assert fts.prune(conn, question, budget=5) == [lighthouse]
        assert fts.prune(conn, _terms("Hafen"), budget=5) == [harbour]  # the rarest is always kept


def test_counts_are_remembered_only_for_common_terms_and_only_for_a_while(service, monkeypatch):
    monkeypatch.setattr(fts, "CACHE_MIN_COUNT", 10)
    monkeypatch.setattr(fts, "CACHE_CHANGES", 3)
    harbour, lighthouse = _terms("Hafen")[0], _terms("Leuchtturm")[0]
    with service.index.reader() as conn:
        assert fts.document_frequencies(conn, [harbour, lighthouse]) == {harbour: 40, lighthouse: 1}
    service.add_documents([_article(100, "Der Hafen und der Leuchtturm.")])
    with service.index.reader() as conn:
        # One change later: the common term's count is the remembered one, the rare one is counted anew.
        assert fts.document_frequencies(conn, [harbour, lighthouse]) == {harbour: 40, lighthouse: 2}
    service.add_documents([_article(101 + n, "Am Hafen.") for n in range(3)])
    with service.index.reader() as conn:
        assert fts.document_frequencies(conn, [harbour]) == {harbour: 44}  # counted again after 3 changes
