"""QA_ARTIFACTS: a replica on a new machine starts from the published generation and its newest dense
snapshot plus the change log, answers exactly as one that read everything, and follows a build made
on another machine."""

from __future__ import annotations

import shutil
import time

import pytest

from qa.config import load_settings
from qa.errors import IndexNotWritable, InvalidRequest
from qa.records import Document, Scope, Section
from qa.service import QAService
from qa.storage.artifacts import current_name

from ..conftest import DATA

QUESTIONS = (
    "Wann legt die Fähre nach Helgoland ab?",
    "Wie oft fährt sie im Winter?",
    "When does the library close on weekdays?",
    "Warnt der Wetterdienst vor Orkanböen?",
    "Wo gibt es frisches Brot?",
)


def _article(n: int) -> Document:
    return Document(
        id=f"ferry-{n}",
        title=f"Fähre {n}",
        date="2025-03-01",
        sections=(
            Section("", f"Die Fähre Nummer {n} nach Helgoland legt um {n} Uhr ab. Im Winter fährt sie seltener."),
        ),
        source="harbour",
    )


def _service(tmp_path, name: str, url: str, artifacts: str) -> QAService:
    settings = {"index_dir": str(tmp_path / name), "encoder": "hash:64", "vector_cache": "", "database_url": url}
    return QAService(load_settings({**settings, "artifacts": artifacts}, environ={}))


def _answers(service: QAService, mode: str) -> list[list[tuple[str, int, float]]]:
    # The Searcher itself: the no-answer cut-offs are calibrated for the real encoder, not hash:64.
    retrievals = service.searcher().search_many(list(QUESTIONS), 5, mode, scope=Scope())
    return [[(h.document.id, h.passage_id, round(h.score, 6)) for h in r.hits] for r in retrievals]


@pytest.fixture
def pg_url(postgres_cluster) -> str:
    return postgres_cluster.database_url("qa_tests")


def test_a_new_replica_starts_from_snapshot_and_log_and_answers_as_one_that_read_everything(tmp_path, pg_url):
    artifacts = str(tmp_path / "artifacts")
    builder = _service(tmp_path, "a", pg_url, artifacts)
    started = started_again = everything = None
    try:
        builder.build([DATA])
        generation = current_name(tmp_path / "artifacts")
        assert generation == builder.index.directory.name
        builder.add_documents([_article(n) for n in range(1, 6)])
        snapshot_seq = builder.index.watermark
        builder.index.save_snapshot()
        builder.add_documents([_article(n) for n in range(6, 9)])  # in the log after the snapshot
        builder.remove_document("ferry-2")
        builder.add_documents([_article(3)])  # unchanged: no change at all
        published = sorted(p.name for p in (tmp_path / "artifacts" / generation).iterdir())
        assert f"vectors-{snapshot_seq}.faiss" in published and f"facts-{snapshot_seq}.npz" in published
        assert not any(name.startswith("qa.sqlite") or name.endswith(".tmp") for name in published)

        # a new machine: an empty index directory
        started = _service(tmp_path, "b", pg_url, artifacts)
        assert started.index.directory.name == generation
        assert started.index.started_from == snapshot_seq  # the snapshot, not the whole log
        assert started.index.watermark == builder.index.watermark

        # one that read everything: the manifest alone, every passage from the change log
        (tmp_path / "c" / generation).mkdir(parents=True)
        shutil.copy(tmp_path / "a" / generation / "manifest.json", tmp_path / "c" / generation)
        (tmp_path / "c" / "current").symlink_to(generation)
        everything = _service(tmp_path, "c", pg_url, "")
        assert everything.index.started_from == 0
        for mode in ("dense", "hybrid", "lexical"):
            expected = _answers(everything, mode)
            assert any(hits for hits in expected)
            assert _answers(started, mode) == expected, mode
            assert _answers(builder, mode) == expected, mode
        assert "ferry-2" not in {hit[0] for hits in _answers(started, "lexical") for hit in hits}

        # snapshots taken later are published too; the artifacts keep the two newest
        started.add_documents([_article(n) for n in range(10, 13)])
        started.index.save_snapshot()
        builder.index.refresh()
        builder.index.save_snapshot()
        snapshots = sorted(p.name for p in (tmp_path / "artifacts" / generation).glob("vectors-*"))
        assert len(snapshots) == 2 and f"vectors-{builder.index.watermark}.faiss" in snapshots
        started_again = _service(tmp_path, "d", pg_url, artifacts)
        assert started_again.index.started_from == builder.index.watermark
    finally:
        for service in (builder, started, started_again, everything):
            if service is not None:
                service.close()


def test_a_build_on_one_machine_reaches_a_replica_on_another(tmp_path, pg_url):
    artifacts = str(tmp_path / "artifacts")
    builder = _service(tmp_path, "a", pg_url, artifacts)
    replica = None
    try:
        builder.build([DATA])
        replica = _service(tmp_path, "b", pg_url, artifacts)
        first = replica.index.directory.name
        builder.build([DATA / "bakery.txt"])  # a rebuild on machine A
        deadline = time.monotonic() + 10  # copied in the background while the old one answers
        while replica.index.directory.name == first:
            assert time.monotonic() < deadline, "the replica never took the new generation"
            time.sleep(0.02)
        assert replica.index.directory.name == builder.index.directory.name
        assert replica.list_documents()["total"] == 1
        # a write through the replica goes into the new generation, and A answers it
        assert replica.add_documents([_article(1)])[0]["status"] == "added"
        assert builder.get_document("ferry-1")["id"] == "ferry-1"
    finally:
        builder.close()
        if replica is not None:
            replica.close()


def test_artifacts_need_a_shared_record():
    with pytest.raises(InvalidRequest, match="database_url"):
        load_settings({"artifacts": "/srv/qa-artifacts"}, environ={})


def test_a_build_that_cannot_publish_leaves_the_current_generation_serving(tmp_path, pg_url):
    builder = _service(tmp_path, "a", pg_url, str(tmp_path / "artifacts"))
    try:
        builder.build([DATA])
        before = builder.index.directory.name
        blocked = tmp_path / "not-a-directory"
        blocked.write_text("a file where the artifacts should be")
        rebuilding = _service(tmp_path, "a", pg_url, str(blocked))
        try:
            with pytest.raises(IndexNotWritable, match="cannot be published to QA_ARTIFACTS"):
                rebuilding.build([DATA / "bakery.txt"])
        finally:
            rebuilding.close()
        assert builder.index.directory.name == before
        assert builder.list_documents()["total"] > 1  # its record was not touched
    finally:
        builder.close()


def test_the_current_generation_follows_every_swap_and_a_link_to_nothing_is_refused(tmp_path, monkeypatch):
    from qa.errors import IndexMismatch
    from qa.storage.manifest import generation_dir, swap_in

    assert generation_dir(tmp_path) is None
    first, second = tmp_path / "gen-1", tmp_path / "gen-2"
    first.mkdir()
    swap_in(tmp_path, first)
    assert generation_dir(tmp_path) == first.resolve()
    second.mkdir()
    swap_in(tmp_path, second)  # as another process's build does: seen at the next call
    assert generation_dir(tmp_path) == second.resolve()
    monkeypatch.chdir(tmp_path)
    assert generation_dir(".") == second.resolve()  # a relative index directory reads the same
    shutil.rmtree(second)
    with pytest.raises(IndexMismatch, match="points at nothing"):
        generation_dir(tmp_path)
