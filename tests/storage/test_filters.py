"""Filters inside retrieval: dates, sources, documents and language narrow the search before the top k
are cut, on the exact and on the partitioned dense index, and follow writes and deletes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from qa.config import load_settings
from qa.records import Document, Filters, Scope, Section
from qa.service import QAService

TOPICS = ("Hafen", "Bäckerei", "Fähre", "Rathaus", "Brücke", "Schule", "Bahnhof", "Museum", "Stadion", "Markt")
START = dt.date(2025, 1, 1)


def _articles(count: int) -> list[Document]:
    """One article a day from 2025-01-01, three sources in turn, every tenth undated."""
    return [
        Document(
            id=f"doc-{n}",
            title=f"{TOPICS[n % len(TOPICS)]} Nummer {n}",
            date=None if n % 10 == 9 else (START + dt.timedelta(days=n)).isoformat(),
            source=("dpa", "afp", "reuters")[n % 3],
            sections=(
                Section(
                    "", f"Der {TOPICS[n % len(TOPICS)]} im Ort {n} bekam am Montag neue Pläne von Architektin {n}."
                ),
                Section("", f"Die Stadt {n} feiert das Fest am Hafen mit Musik und einem Markt."),
            ),
        )
        for n in range(count)
    ]


@pytest.fixture(params=["flat", "ivf"])
def service(request, tmp_path, database_url):
    partition_above = 50 if request.param == "ivf" else 50_000
    settings = load_settings(
        {
            "index_dir": str(tmp_path / "index"),
            "encoder": "hash:64",
            "dense_partition_above": partition_above,
            "database_url": database_url,
        },
        environ={},
    )
    service = QAService(settings)
    service.build_documents(_articles(120))
    yield service
    service.close()


def _hits(service: QAService, scope: Scope, k: int = 10, mode: str = "hybrid", question: str = "Was feiert die Stadt?"):
    # The Searcher, not ask(): the no-answer cut-offs are calibrated for the real encoder, not hash:64.
    return service.searcher().search_many([question], k, mode, scope=scope)[0].hits


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_a_date_range_returns_only_articles_inside_it_and_never_undated_ones(service, mode):
    scope = Scope(Filters(date_from="2025-01-11", date_to="2025-01-31"))
    hits = _hits(service, scope, k=10, mode=mode)
    assert len(hits) == 10
    assert all(hit.document.date and "2025-01-11" <= hit.document.date <= "2025-01-31" for hit in hits)


def test_a_filter_matching_one_percent_still_returns_top_k(service):
    # 2 of 240 passages (doc-5's two paragraphs): both come back, nothing else.
    hits = _hits(service, Scope(Filters(documents=("doc-5",))), k=5)
    assert sorted(hit.passage_id for hit in hits) == sorted({hit.passage_id for hit in hits})
    assert {hit.document.id for hit in hits} == {"doc-5"}
    assert len(hits) == 2
    # One day's article (0.8 % of the passages) with k=2: both of its passages, in every mode.
    for mode in ("hybrid", "dense", "lexical"):
        day = _hits(service, Scope(Filters(date_from="2025-02-01", date_to="2025-02-01")), k=2, mode=mode)
        assert {hit.document.date for hit in day} == {"2025-02-01"}
        assert len(day) == 2 if mode != "lexical" else len(day) >= 1


def test_sources_documents_and_language_filters(service):
    hits = _hits(service, Scope(Filters(sources=("afp", "reuters"))), k=20)
    assert len(hits) == 20 and {hit.document.source for hit in hits} <= {"afp", "reuters"}
    assert _hits(service, Scope(Filters(sources=("nobody",)))) == ()
    assert _hits(service, Scope(Filters(language="en"))) == ()  # every passage is German
    assert len(_hits(service, Scope(Filters(language="de")), k=7)) == 7


def test_filters_follow_writes_and_deletes(service):
    late = Document(
        id="late",
        title="Spätes Fest",
        date="2026-03-01",
        source="local",
        sections=(Section("", "Die Stadt feiert das Fest am Hafen mit Musik, ganz spät im Jahr."),),
    )
    service.add_documents([late])
    scope = Scope(Filters(date_from="2026-01-01"))
    assert [hit.document.id for hit in _hits(service, scope)] == ["late"]
    assert service.newest_date() == "2026-03-01"
    service.remove_document("late")
    assert _hits(service, scope) == ()
    assert service.newest_date() == "2025-04-29"  # the newest article left


def test_a_reopened_archive_reads_its_facts_file_and_the_writes_after_it(service, monkeypatch):
    """The facts saved with the dense snapshot (so that opening a million passages reads one small
    file) plus the change log after it filter exactly as facts read from the record do."""
    from qa.storage.facts import PassageFacts
    from qa.storage.generation import Generation
    from qa.storage.manifest import generation_dir

    directory = generation_dir(service.settings.index_dir)
    assert list(directory.glob("facts-*.npz"))
    service.add_documents([Document("late", "Spätes Fest", "2026-03-01", "local", (Section("", "Fest am Hafen."),))])
    service.remove_document("doc-3")
    with monkeypatch.context() as patched:

        def no_scan(conn):
            raise AssertionError("the passages table was scanned although the facts file is there")

        patched.setattr(PassageFacts, "load", no_scan)
        reopened = Generation.open(service.settings.index_dir, database_url=service.settings.database_url)
    for path in directory.glob("facts-*.npz"):
        path.write_bytes(b"not a facts file")
    # falls back to reading the record
    from_record = Generation.open(service.settings.index_dir, database_url=service.settings.database_url)
    try:
        for filters in (
            Filters(date_from="2026-01-01"),
            Filters(documents=("doc-3", "doc-4")),
            Filters(sources=("local", "afp")),
            Filters(date_to="2025-01-20"),
        ):
            assert np.array_equal(
                np.flatnonzero(reopened.facts.mask(filters)), np.flatnonzero(from_record.facts.mask(filters))
            )
        assert reopened.facts.mask(Filters(documents=("doc-3",))).sum() == 0
        assert reopened.facts.mask(Filters(date_from="2026-01-01")).sum() == 1
        assert reopened.facts.newest_day() == from_record.facts.newest_day()
    finally:
        reopened.close()
        from_record.close()


def test_recency_prefers_newer_articles_and_sort_date_orders_newest_first(service):
    plain = _hits(service, Scope(), k=10)
    recent = _hits(service, Scope(recency=3.0, as_of="2025-04-30"), k=10)
    ages = [hit.document.date or "" for hit in recent]
    # With a 3-day half-life the newest dated articles lead; the plain ranking does not look at dates.
    assert ages[0] >= max(hit.document.date or "" for hit in plain)
    dated = _hits(service, Scope(sort="date"), k=10)
    dates = [hit.document.date or "" for hit in dated]
    assert dates == sorted(dates, reverse=True)
    assert {hit.passage_id for hit in dated} == {hit.passage_id for hit in plain}


def test_the_answer_says_what_was_applied(service):
    scope = Scope(Filters(date_from="2025-01-11", sources=("dpa",)), recency=10.0, sort="date")
    applied = service.ask("Was feiert die Stadt?", 3, scope=scope).to_dict()["applied"]
    assert applied["date_from"] == "2025-01-11" and applied["sources"] == ["dpa"]
    assert applied["recency"] == 10.0 and applied["sort"] == "date"
    assert applied["as_of"] == "2025-04-29"  # the newest article's date, not today's


def test_a_malformed_scope_is_refused_by_the_record_and_a_reversed_range_holds_nothing(service):
    with pytest.raises(ValueError):
        Filters(date_from="2025-02-30x")
    with pytest.raises(ValueError):
        Scope(recency=0)
    assert _hits(service, Scope(Filters(date_from="2025-02-01", date_to="2025-01-01"))) == ()


def test_sources_and_months_count_articles(service):
    sources = {s["source"]: s for s in service.sources()}
    assert set(sources) == {"dpa", "afp", "reuters"} and sum(s["documents"] for s in sources.values()) == 120
    assert sum(s["undated"] for s in sources.values()) == 12
    assert sources["dpa"]["first_date"] == "2025-01-01"
    stats = service.stats()
    assert stats["months"][0] == {"month": "2025-01", "documents": 28}  # 31 days, 3 of them undated
    assert stats["last_date"] == "2025-04-29" and stats["undated"] == 12
