"""A large index's dense side: IVF-SQ8 chosen by size, memory-mapped, with writes and deletes that never rewrite it."""

from __future__ import annotations

import json

import pytest

from qa.config import load_settings
from qa.records import Document, Section
from qa.service import QAService
from qa.storage import base_vectors
from qa.storage.generation import generation_dir
from qa.storage.partitioned import BASE_PREFIX

TOPICS = ("Hafen", "Bäckerei", "Fähre", "Rathaus", "Brücke", "Schule", "Bahnhof", "Museum", "Stadion", "Markt")


def _articles(count: int) -> list[Document]:
    return [
        Document(
            id=f"doc-{n}",
            title=f"{TOPICS[n % len(TOPICS)]} Nummer {n}",
            date="2024-01-01",
            source="test",
            sections=(
                Section(
                    "", f"Der {TOPICS[n % len(TOPICS)]} im Ort {n} bekam am Montag neue Pläne von Architektin {n}."
                ),
            ),
        )
        for n in range(count)
    ]


@pytest.fixture
def large(tmp_path, database_url):
    """An index of 120 passages built with the partition threshold at 50: an IVF-SQ8 base, on each backend."""
    values = {"index_dir": str(tmp_path / "index"), "encoder": "hash:64", "dense_partition_above": 50}
    settings = load_settings({**values, "database_url": database_url}, environ={})
    service = QAService(settings)
    service.build_documents(_articles(120))
    yield service, settings
    service.close()


def _dense_ids(service: QAService, question: str) -> list[str]:
    # The Searcher, not ask(): the no-answer cut-offs are calibrated for the real encoder, not hash:64.
    return [hit.document.id for hit in service.searcher().search_many([question], 5, "dense")[0].hits]


def test_the_build_records_the_partitioned_kind_and_finds_what_exact_search_finds(large):
    service, settings = large
    directory = generation_dir(settings.index_dir)
    manifest = json.loads((directory / "manifest.json").read_text())
    assert (
        manifest["dense"] == "ivf-sq8"
        and manifest["dense_lists"] > 1
        and 1 <= manifest["dense_probe"] <= manifest["dense_lists"]
    )
    assert [p.name for p in directory.glob(f"{BASE_PREFIX}*.faiss")] == [f"{BASE_PREFIX}de.faiss"]
    assert manifest["passages"] == 120
    exact = QAService(settings.replace(dense_index="flat"))
    for question in ("Architektin 17 Pläne", "Wer plante das Museum im Ort 57?", "Bahnhof Ort 96"):
        # The same best score (hash:64 vectors tie often, so the same id is not guaranteed).
        best, reference = (svc.searcher().search_many([question], 1, "dense")[0].hits[0] for svc in (service, exact))
        assert best.dense_score == pytest.approx(reference.dense_score, abs=1e-5)
    exact.close()


def test_writes_and_deletes_reach_search_without_rewriting_the_base_and_survive_a_reopen(large):
    service, settings = large
    base = generation_dir(settings.index_dir) / f"{BASE_PREFIX}de.faiss"
    before = base.stat()
    added = Document(
        "late", "Leuchtturm", "2025-02-02", "test", (Section("", "Der Leuchtturm Kap Zebra bekam ein Licht."),)
    )
    service.add_documents([added])
    assert _dense_ids(service, "Leuchtturm Kap Zebra Licht")[0] == "late"
    first = _dense_ids(service, "Architektin 17 Pläne")[0]
    assert first.startswith("doc-")  # a document of the base
    service.remove_document(first)
    assert first not in _dense_ids(service, "Architektin 17 Pläne")
    after = base.stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)

    service.index.save_snapshot()
    assert list(generation_dir(settings.index_dir).glob("vectors-*.npz"))
    reopened = QAService(settings)
    assert _dense_ids(reopened, "Leuchtturm Kap Zebra Licht")[0] == "late"
    assert first not in _dense_ids(reopened, "Architektin 17 Pläne")
    assert reopened.health()["passages"] == 120
    reopened.close()


def test_a_small_build_stays_exact(hash_service, hash_settings):
    manifest = json.loads((generation_dir(hash_settings.index_dir) / "manifest.json").read_text())
    assert manifest["dense"] == "flat"
    assert not list(generation_dir(hash_settings.index_dir).glob(f"{BASE_PREFIX}*"))


def test_a_question_in_another_language_probes_that_base_deeper(tmp_path):
    import faiss
    import numpy as np

    from qa.storage import partitioned

    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((4000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    lists = 128
    base = faiss.IndexIVFScalarQuantizer(
        faiss.IndexFlatIP(32), 32, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    base.train(vectors)
    base.add_with_ids(vectors, np.arange(1, 4001, dtype=np.int64))
    faiss.write_index(base, str(tmp_path / f"{BASE_PREFIX}de.faiss"))
    index = partitioned.PartitionedIndex.open(tmp_path, 32, 4000)
    queries = rng.standard_normal((20, 32)).astype(np.float32)
    probe = partitioned.probed(lists)

    def probing(nprobe: int, query: np.ndarray) -> np.ndarray:
        base.nprobe = nprobe
        return base.search(query[None, :], 50)[1][0]

    differ = 0
    for query in queries:
        own = index.search_many(query[None, :], 50, languages=["de"])[1][0]
        other = index.search_many(query[None, :], 50, languages=["en"])[1][0]
        assert set(own) == set(probing(probe, query))
        # No English base: no mean to move the question by, so it probes deeper where it is.
        assert set(other) == set(probing(probe * partitioned.CROSS_LANGUAGE_PROBE_UNMOVED, query))
        differ += set(own) != set(other)
    assert differ > 0  # deeper probing finds other passages for some questions


def test_a_question_probes_another_languages_base_where_that_language_lies(tmp_path):
    """With a base of each language, an English question searches the German base in the partitions
    nearest it moved by the languages' mean difference, scored against the question itself, and a
    deleted passage stays out."""
    import faiss
    import numpy as np

    from qa.storage import partitioned

    rng = np.random.default_rng(11)
    side = rng.standard_normal(32).astype(np.float32)

    def passages(count: int, sign: float) -> np.ndarray:
        vectors = rng.standard_normal((count, 32)).astype(np.float32) + sign * 1.5 * side / np.linalg.norm(side)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    german, english = passages(3000, 1.0), passages(3000, -1.0)
    for language, vectors, first in (("de", german, 1), ("en", english, 3001)):
        base = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(32), 32, 256, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        base.train(vectors)
        base.add_with_ids(vectors, np.arange(first, first + len(vectors), dtype=np.int64))
        faiss.write_index(base, str(tmp_path / f"{BASE_PREFIX}{language}.faiss"))
    index = partitioned.PartitionedIndex.open(tmp_path, 32, 6000)
    de = faiss.read_index(str(tmp_path / f"{BASE_PREFIX}de.faiss"))
    _, lists = de.quantizer.search(german, 1)  # every German passage's partition
    shift = german.mean(0) - english.mean(0)
    questions = passages(30, -1.0)  # English questions
    nprobe = partitioned.probed(256) * partitioned.CROSS_LANGUAGE_PROBE
    moved_differ = same = in_moved = 0
    for question in questions:
        moved = question + shift
        _, near_moved = de.quantizer.search((moved / np.linalg.norm(moved))[None, :], nprobe)
        _, near_own = de.quantizer.search(question[None, :], nprobe)
        moved_differ += set(near_moved[0]) != set(near_own[0])
        inside = np.flatnonzero(np.isin(lists[:, 0], near_moved[0]))
        best = inside[np.argsort(-(german[inside] @ question))[:10]] + 1
        scores, ids = index._search_base(0, question[None, :], 10, index._params[0], ["en"])
        same += len(set(ids[0]) & set(best))
        in_moved += int(np.isin(lists[ids[0] - 1, 0], near_moved[0]).sum())
        assert np.allclose(scores[0], german[ids[0] - 1] @ question, atol=0.03)  # scored as the question
    assert moved_differ > 10
    # The same passages as the moved question's partitions hold, but for 8-bit rounding (and the
    # mean taken from the partitions, not from every passage).
    assert same >= 0.8 * 300 and in_moved >= 0.95 * 300
    # A snapshot's copy (taken under the index's sync lock) searches alike without reading every
    # list's size again (76 ms at 1M).
    copy = index.copy()
    assert copy._means is index._means
    assert np.array_equal(
        copy.search_many(questions, 10, languages=["en"] * 30)[1],
        index.search_many(questions, 10, languages=["en"] * 30)[1],
    )
    first = int(index.search_many(questions[:1], 10, languages=["en"])[1][0][0])
    index.remove(np.array([first]))
    assert first not in index.search_many(questions[:1], 50, languages=["en"])[1][0]
    assert (
        first
        not in index._search_base(int(first > 3000), questions[:1], 50, index._params[int(first > 3000)], ["en"])[1][0]
    )


def test_every_base_proposes_its_own_best_however_high_another_language_scores(tmp_path):
    """An English question scores English passages above German ones; the German base's best passage
    must still reach the exact re-scoring, not be crowded out by the English base's 8-bit scores."""
    import faiss
    import numpy as np

    from qa.storage import partitioned

    rng = np.random.default_rng(3)
    query = rng.standard_normal(32).astype(np.float32)
    query /= np.linalg.norm(query)

    def near(count: int, closeness: float) -> np.ndarray:
        noise = rng.standard_normal((count, 32)).astype(np.float32)
        noise -= np.outer(noise @ query, query)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        return (closeness * query + np.sqrt(1 - closeness**2) * noise).astype(np.float32)

    english, german = near(400, 0.9), near(400, 0.5)
    german[0] = near(1, 0.8)[0]  # the German answer: below every English passage
    for language, vectors, first in (("en", english, 1), ("de", german, 401)):
        base = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(32), 32, 8, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        base.train(np.concatenate([english, german]))
        base.add_with_ids(vectors, np.arange(first, first + len(vectors), dtype=np.int64))
        faiss.write_index(base, str(tmp_path / f"{BASE_PREFIX}{language}.faiss"))
    index = partitioned.PartitionedIndex.open(tmp_path, 32, 800)
    k = 5
    _scores, by_score = index.search_many(query[None, :], k * partitioned.REFINE, languages=["en"])
    _scores, each = index.search_many(query[None, :], k * partitioned.REFINE, languages=["en"], each=k)
    assert 401 not in by_score[0]  # all thirty by score are English
    assert 401 in each[0] and len(set(each[0])) == k * partitioned.REFINE
    assert len(set(each[0]) & set(range(1, 401))) == k * partitioned.REFINE - k  # the rest by score


def test_a_lone_question_searches_on_one_thread_and_a_batch_on_every_core():
    import faiss

    from qa.storage.dense import single_thread

    before = faiss.omp_get_max_threads()
    with single_thread(1):
        assert faiss.omp_get_max_threads() == 1
    with single_thread(8):
        assert faiss.omp_get_max_threads() == before
    assert faiss.omp_get_max_threads() == before  # the calling thread's setting is given back


def test_a_record_over_the_network_keeps_the_base_vectors_beside_the_base_and_answers_alike(large):
    """With PostgreSQL the re-scoring gathers the base's vectors from a file instead of 300 rows a question
    from the server; the answers are the same as when they are read from the record."""
    service, settings = large
    directory = generation_dir(settings.index_dir)
    kept = directory / base_vectors.FILE
    assert kept.is_file() == bool(settings.database_url)  # SQLite's disk budget has no room for it
    if not settings.database_url:
        return
    assert kept.stat().st_size == (service.index.vectors.base_max_id + 1) * 64 * 2
    service.add_documents([Document("late", "Leuchtturm", None, "test", (Section("", "Der Leuchtturm bekam Licht."),))])
    service.remove_document("doc-17")
    questions = ["Architektin 17 Pläne", "Wer plante das Museum im Ort 57?", "Leuchtturm Licht", "Bahnhof Ort 96"]
    with_file = [service.searcher().search_many([q], 10, "dense")[0].hits for q in questions]
    kept.unlink()
    from_record = QAService(settings)
    try:
        assert from_record.index.vectors.base_vectors is None
        without = [from_record.searcher().search_many([q], 10, "dense")[0].hits for q in questions]
    finally:
        from_record.close()
    for hits, reference in zip(with_file, without, strict=True):
        assert [(h.passage_id, round(h.dense_score, 5)) for h in hits] == [
            (h.passage_id, round(h.dense_score, 5)) for h in reference
        ]
    assert "doc-17" not in {h.document.id for hits in with_file for h in hits}
