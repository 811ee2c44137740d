"""The lexical stage keeps a question's language by the facts in memory instead of asking FTS5 to
intersect with the language's rows: the same matches, also when the other language dominates them."""

from __future__ import annotations

import functools

import pytest

from qa.config import load_settings
from qa.records import Document, Section
from qa.service import QAService
from qa.storage import fts


def _article(n: int, text: str, language: str) -> Document:
    return Document(f"{language}-{n}", f"Article {n}", "2025-01-01", "dpa", (Section("", text),))


@pytest.fixture
def service(tmp_path):
    settings = load_settings({"index_dir": str(tmp_path / "index"), "encoder": "hash:64"}, environ={})
    service = QAService(settings)
    # "Berlin" in 30 German and 3 English articles: an English question's matches are mostly German.
    docs = [_article(n, f"Berlin meldet heute Neuigkeit {n} aus dem Rathaus.", "de") for n in range(30)]
    docs += [_article(n, f"Berlin reports news {n} from the town hall.", "en") for n in range(3)]
    service.build_documents(docs)
    yield service
    service.close()


def _search(service, question: str, language: str, k: int, **options) -> list[tuple[int, float]]:
    index = service.index
    with index.view() as view:
        keep = functools.partial(view.facts.in_language, language=language)
        return fts.search(view.conn, question, language, k, in_language=keep, **options)


def _languages(service, ids: list[int]) -> set[str]:
    with service.index.reader() as conn:
        marks = ",".join("?" * len(ids))
        return {row[0] for row in conn.execute(f"SELECT language FROM passages WHERE id IN ({marks})", ids)}


@pytest.mark.parametrize(("question", "language"), [("Berlin news", "en"), ("Berlin Neuigkeit", "de")])
def test_the_facts_keep_the_same_matches_as_the_language_term(service, question, language):
    with service.index.reader() as conn:
        by_term = fts.search(conn, question, language, 5)
    by_facts = _search(service, question, language, 5)
    assert by_facts == by_term
    assert _languages(service, [pid for pid, _ in by_facts]) == {language}


@pytest.mark.parametrize("read_max", [20_000, 3], ids=["reads-more", "asks-with-the-language"])
def test_too_few_in_the_language_among_those_read_reads_again(service, monkeypatch, read_max):
    monkeypatch.setattr(fts, "LANGUAGE_READ_FACTOR", 1)  # read 3 of 33: mostly German, so read again
    monkeypatch.setattr(fts, "FILTERED_READ_MAX", read_max)  # all 33, or past the most read: the language term
    with service.index.reader() as conn:
        first_read = [pid for pid, _ in fts.search(conn, "Berlin", "en", 3, only_language=False)]
    assert "de" in _languages(service, first_read)
    matches = _search(service, "Berlin", "en", 3)
    assert len(matches) == 3
    assert _languages(service, [pid for pid, _ in matches]) == {"en"}


def test_other_languages_are_kept_when_not_asked_for(service):
    matches = _search(service, "Berlin", "en", 40, only_language=False)
    assert len(matches) == 33
    assert _languages(service, [pid for pid, _ in matches]) == {"de", "en"}
