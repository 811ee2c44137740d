"""Small writes in two steps: answerable with passage vectors first, sentence vectors stored just after."""

from __future__ import annotations

import signal
import threading
import time

import numpy as np
import pytest

from qa.config import load_settings
from qa.encoding.embed import embed_passages
from qa.errors import IndexMismatch, IndexNotReady
from qa.retrieval.search import highlight_sentence
from qa.service import QAService
from qa.storage import record
from qa.storage import writer as documents
from qa.storage.database import open_record
from qa.storage.generation import Generation, generation_dir
from qa.storage.sentence_vectors import SentenceVectorBackfill, fill_missing
from qa.text.ingest import parse_record, split_passages

from ..conftest import DATA, start_server
from ..unit.test_sentences import _row
from ..web.test_documents_http import KEY, call, copy_index, top

FERRY = {
    "id": "ferry",
    "title": "Fähre",
    "text": "Die Reederei hat am Montag neue Fahrpläne vorgestellt. Die Fähre nach Helgoland legt ab morgen "
    "schon um sieben Uhr ab. Im Winter fährt sie nur dreimal pro Woche.\n\nDer Hafen bekommt außerdem "
    "ein neues Terminal. Es soll im Frühjahr eröffnen.",
}
FERRY_QUESTION = "Wann legt die Fähre nach Helgoland ab?"


def _sentence_vectors(settings, document_id: str) -> list[list[bytes | None]]:
    conn = open_record(generation_dir(settings.index_dir), settings.database_url).connect()
    try:
        rows = conn.execute(
            "SELECT s.passage_id, s.vector FROM sentences s JOIN passages p ON p.id = s.passage_id "
            "WHERE p.document_id = ? ORDER BY p.position, s.id",
            (document_id,),
        ).fetchall()
    finally:
        conn.close()
    grouped: dict[int, list[bytes | None]] = {}
    for passage_id, blob in rows:
        grouped.setdefault(passage_id, []).append(blob)
    return list(grouped.values())


def _one_step(encoder, record: dict) -> list[np.ndarray]:
    """What the one-step (bulk) path stores as sentence vectors for this record."""
    _vectors, sentences = embed_passages(encoder, split_passages(parse_record(record)))
    return sentences


def _wait_complete(settings, document_id: str, seconds: float = 60.0) -> list[list[bytes | None]]:
    deadline = time.monotonic() + seconds
    while True:
        stored = _sentence_vectors(settings, document_id)
        if stored and all(blob is not None for blob_list in stored for blob in blob_list):
            return stored
        assert time.monotonic() < deadline, "sentence vectors were never stored"
        time.sleep(0.05)


def _assert_same(stored: list[list[bytes | None]], expected: list[np.ndarray], dim: int) -> None:
    assert len(stored) == len(expected)
    for blobs, vectors in zip(stored, expected, strict=True):
        # Stored as float16 (format 4): equal to the encoder's vectors within float16 rounding.
        got = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), dim).astype(np.float32)
        np.testing.assert_allclose(got, vectors, atol=1e-3)


def _step_one_only(service: QAService, record: dict) -> list[str]:
    """A small write whose second step never runs: what a kill -9 right after the 201 leaves."""
    calls: list[str] = []
    documents.add_documents(lambda: service.index, service.encoder, [parse_record(record)], lambda: calls.append("x"))
    return calls


@pytest.fixture
def real_service(seed_index_dir, tmp_path):
    index_dir = copy_index(seed_index_dir, tmp_path / "index")
    service = QAService(load_settings({"index_dir": str(index_dir)}, environ={}))
    yield service
    service.close()


def test_a_small_add_stores_the_same_sentence_vectors_as_the_one_step_path(real_service):
    result = real_service.add_documents([parse_record(FERRY)])
    assert result[0]["status"] == "added"
    stored = _wait_complete(real_service.settings, "ferry")
    _assert_same(stored, _one_step(real_service.encoder, FERRY), real_service.encoder.dim)
    assert real_service.ask(FERRY_QUESTION).hits[0].document.id == "ferry"


def test_search_works_while_sentence_vectors_are_missing(hash_service):
    assert _step_one_only(hash_service, FERRY) == ["x"]
    stored = _sentence_vectors(hash_service.settings, "ferry")
    assert [len(blobs) for blobs in stored] == [3, 2] and all(b is None for blobs in stored for b in blobs)
    searcher = hash_service.searcher()
    for mode in ("hybrid", "dense", "lexical"):
        hits = searcher.search_many([FERRY_QUESTION], 5, mode)[0].hits
        ferry = [hit for hit in hits if hit.document.id == "ferry"]
        assert ferry, mode
        # The highlight is the sentence sharing most of the question's terms.
        assert ferry[0].highlight.sentence.startswith("Die Fähre nach Helgoland"), mode
    query = hash_service.encoder.encode_queries([FERRY_QUESTION])[0]
    hit = next(h for h in searcher.search_many([FERRY_QUESTION], 5, "dense")[0].hits if h.document.id == "ferry")
    with hash_service.index.reader() as conn:
        row = record.passage_rows(conn, [hit.passage_id], hash_service.index.dim)[hit.passage_id]
    assert row.sentence_vectors is None
    # Best sentence falls back to the passage: 0.4 x cos + 0.6 x cos = cos.
    assert hit.dense_score == pytest.approx(float(row.vector @ query), abs=1e-5)


def test_highlight_without_sentence_vectors_takes_term_overlap_or_the_first_sentence():
    text = "Macron lud nach Paris ein. Estland stellt Soldaten."
    row = _row(text, [(0, 26), (27, 51)], [[1.0, 0.0], [0.6, 0.8]])
    row = type(row)(**{**{f: getattr(row, f) for f in row.__slots__}, "sentence_vectors": None})
    query = np.array([1.0, 0.0], dtype=np.float32)
    assert highlight_sentence(row, query, {"soldat"}, "de", 0.1) == 1
    assert highlight_sentence(row, query, set(), "de", 0.0) == 0
    assert highlight_sentence(row, query, {"soldat"}, "en", 0.1) == 0


def test_an_index_cut_off_between_the_steps_is_repaired_on_open(hash_service, hash_settings):
    _step_one_only(hash_service, FERRY)
    hash_service.close()
    assert any(b is None for blobs in _sentence_vectors(hash_settings, "ferry") for b in blobs)
    reopened = QAService(hash_settings)
    try:
        stored = _wait_complete(hash_settings, "ferry")
        _assert_same(stored, _one_step(reopened.encoder, FERRY), reopened.encoder.dim)
    finally:
        reopened.close()


def test_two_fills_at_once_store_each_vector_once_and_skip_deleted_passages(hash_service, hash_settings):
    _step_one_only(hash_service, FERRY)
    _step_one_only(hash_service, {**FERRY, "id": "gone"})
    hash_service.remove_document("gone")
    indexes = [Generation.open(hash_settings.index_dir, database_url=hash_settings.database_url) for _ in range(2)]
    counts: list[int] = []
    threads = [
        threading.Thread(target=lambda i=i: counts.append(fill_missing(i, hash_service.encoder))) for i in indexes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for index in indexes:
        index.close()
    assert sum(counts) == 5  # the 3 + 2 sentences of "ferry", each stored by one of the two
    _assert_same(_wait_complete(hash_settings, "ferry", 1.0), _one_step(hash_service.encoder, FERRY), 64)


def test_a_bulk_request_stores_everything_in_one_step(hash_service):
    text = "\n\n".join(
        f"Absatz {n} über den Hafen. Die Fähre {n} fährt täglich." for n in range(documents.SMALL_WRITE_PASSAGES + 1)
    )
    record = {"id": "bulk", "text": text}
    assert len(split_passages(parse_record(record))) > documents.SMALL_WRITE_PASSAGES
    assert _step_one_only(hash_service, record) == []
    stored = _sentence_vectors(hash_service.settings, "bulk")
    _assert_same(stored, _one_step(hash_service.encoder, record), 64)


def test_sigkill_right_after_the_201_leaves_the_article_answerable_and_completed(seed_index_dir, tmp_path):
    index_dir = copy_index(seed_index_dir, tmp_path / "index")
    process, base = start_server(index_dir, env={"QA_API_KEY": KEY})
    try:
        status, _body = call(base, "POST", "/api/documents", FERRY)
        assert status == 201
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate()
    process, base = start_server(index_dir, env={"QA_API_KEY": KEY})
    try:
        hit = top(base, FERRY_QUESTION)
        assert hit is not None and hit["document"]["id"] == "ferry"
        stored = _wait_complete(load_settings({"index_dir": str(index_dir)}, environ={}), "ferry")
    finally:
        process.terminate()
        process.communicate(timeout=30)
    service = QAService(load_settings({"index_dir": str(index_dir)}, environ={}))
    try:
        _assert_same(stored, _one_step(service.encoder, FERRY), service.encoder.dim)
    finally:
        service.close()


def test_the_filler_survives_a_failed_pass_and_fills_on_the_next_kick(hash_service):
    _step_one_only(hash_service, FERRY)
    attempts: list[int] = []

    def index_of() -> Generation:
        attempts.append(1)
        if len(attempts) == 1:
            raise IndexNotReady("no index right now")
        return hash_service.index

    filler = SentenceVectorBackfill(index_of, hash_service.encoder)
    try:
        filler.kick()
        assert filler.wait(60)
        assert any(b is None for blobs in _sentence_vectors(hash_service.settings, "ferry") for b in blobs)
        filler.kick()
        assert filler.wait(60)
        _wait_complete(hash_service.settings, "ferry", 1.0)
    finally:
        filler.close()


def test_qa_index_rebuilds_a_format_2_index_and_keeps_its_run_time_articles(hash_service, hash_settings, runner):
    from qa.cli import cli

    hash_service.add_documents([parse_record(FERRY)])
    hash_service.close()
    manifest = generation_dir(hash_settings.index_dir) / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"format_version": 6', '"format_version": 2'))
    with pytest.raises(IndexMismatch, match="format 2"):
        QAService(hash_settings)
    args = ["--index-dir", str(hash_settings.index_dir), "--encoder", "hash:64"]
    env = {"QA_VECTOR_CACHE": "", "QA_DATABASE_URL": hash_settings.database_url}
    result = runner.invoke(cli, ["index", str(DATA), *args], env=env)
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli, ["list", *args], env=env)
    assert listed.exit_code == 0 and "ferry" in listed.stdout
