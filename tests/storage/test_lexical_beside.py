"""A lone question's lexical search reads on a second connection beside its dense search: the same
answers as when it waits for the dense search, and a write landing in between is never half-seen; on
each backend."""

from __future__ import annotations

from qa.records import Document, Filters, Scope, Section
from qa.retrieval import lexical
from qa.service import QAService
from qa.storage.view import GenerationView

ARTICLES = [
    Document(
        id="ferry",
        title="Orkney ferry crews strike over rotas",
        date="2026-11-02",
        source="Northern Wire",
        sections=(
            Section("", "KIRKWALL, Nov 2 - Ferry crews on the Orkney routes walked out on Monday."),
            Section("", "The union said 36 sailings had been cancelled by noon, stranding islanders."),
            Section("", "Crews object to new rotas that cut rest days, a union official said."),
        ),
    ),
    Document(
        id="tram",
        title="Freiburg verlängert die Straßenbahn nach Gundelfingen",
        date="2026-10-14",
        source="Breisgau-Bote",
        sections=(
            Section("", "Freiburg (dpa) - Die Straßenbahn fährt künftig bis Gundelfingen."),
            Section("", "Die neue Strecke ist 3,2 Kilometer lang und kostet 48 Millionen Euro."),
        ),
    ),
    Document(
        id="library",
        title="Bristol's central library reopens after the flood",
        date="2026-09-30",
        source="West Country Post",
        sections=(
            Section("", "BRISTOL, Sept 30 - The central library reopened on Tuesday after eleven months."),
            Section("", "Around 40,000 books were destroyed when the basement flooded last October."),
        ),
    ),
]
QUESTIONS = [
    "How many ferry sailings to Orkney were cancelled?",
    "Wie lang ist die neue Strecke nach Gundelfingen?",
    "How many books did the flood destroy in Bristol?",
    "Why are the ferry crews on strike?",
]


def _ranked(retrieval) -> list[tuple[int, float, float]]:
    return [(hit.passage_id, round(hit.score, 6), round(hit.lexical_score, 6)) for hit in retrieval.hits]


def _counting_beside(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = GenerationView.beside

    def beside(self):
        calls.append(self.seq)
        return original(self)

    monkeypatch.setattr(GenerationView, "beside", beside)
    return calls


def test_a_lone_question_reads_beside_and_gets_the_answers_of_a_batch(hash_settings, monkeypatch):
    service = QAService(hash_settings)
    try:
        service.build_documents(ARTICLES)
        searcher = service.searcher()
        calls = _counting_beside(monkeypatch)
        together = searcher.search_many(QUESTIONS, 5)  # a batch: each reads after the dense search
        assert calls == []
        for question, expected in zip(QUESTIONS, together, strict=True):
            alone = searcher.search_many([question], 5)[0]
            assert _ranked(alone) == _ranked(expected)
            assert any(hit.lexical_score > 0 for hit in alone.hits)
        assert len(calls) == len(QUESTIONS)
        autumn = Scope(filters=Filters(date_from="2026-10-01", date_to="2026-12-31"))  # not the library's day
        together = searcher.search_many(QUESTIONS, 5, scope=autumn)
        for question, expected in zip(QUESTIONS, together, strict=True):
            alone = searcher.search_many([question], 5, scope=autumn)[0]
            assert _ranked(alone) == _ranked(expected)
            assert all(hit.document.id != "library" for hit in alone.hits)
        assert len(calls) == 2 * len(QUESTIONS)
        with service.index.reader() as conn:  # the side connection went back to the pool taking turns
            assert conn.takes_turns
    finally:
        service.close()


def test_a_write_between_the_view_and_its_side_read_is_not_half_seen(hash_settings, monkeypatch):
    service = QAService(hash_settings)
    service.build_documents(ARTICLES)
    other = QAService(hash_settings)  # another worker on the same index
    try:
        searcher = service.searcher()
        question = "How many ferry sailings to Orkney were cancelled?"
        before = searcher.search_many([question], 5)[0]
        assert any(hit.document.id == "ferry" and hit.lexical_score > 0 for hit in before.hits)

        original = lexical.Beside.__init__

        def deleted_first(self, view, *args):
            # the other worker deletes the article after this question's view began, before its side read
            monkeypatch.setattr(lexical.Beside, "__init__", original)
            assert other.remove_document("ferry") > 0
            original(self, view, *args)

        monkeypatch.setattr(lexical.Beside, "__init__", deleted_first)
        during = searcher.search_many([question], 5)[0]
        # the side read saw the delete and the view did not: its evidence was read again at the view's change
        assert _ranked(during) == _ranked(before)

        after = searcher.search_many([question], 5)[0]
        assert all(hit.document.id != "ferry" for hit in after.hits)
    finally:
        other.close()
        service.close()
