"""The index on disk: round trip, atomic swap, damaged and foreign indexes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from qa.config import load_settings
from qa.errors import IndexMismatch, IndexNotReady
from qa.service import QAService
from qa.storage.generation import Generation
from qa.storage.manifest import FORMAT_VERSION, generation_dir

from ..conftest import DATA, ROOT


def _ranking(service, question):
    return [(h.document.id, h.position) for h in service.ask(question, 5, "dense").hits]


def test_build_writes_manifest_and_reloads_with_the_same_results(hash_service, hash_settings):
    directory = generation_dir(hash_settings.index_dir)
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["encoder"] == "hash:64" and manifest["dim"] == 64 and manifest["dtype"] == "float16"
    assert manifest["documents"] == 4 and manifest["passages"] >= 4
    assert manifest["format_version"] == FORMAT_VERSION and manifest["created"]
    question = "Wann legen die Boote im Hafen ab?"
    before = _ranking(hash_service, question)
    reopened = QAService(hash_settings)
    assert _ranking(reopened, question) == before
    assert reopened.health()["passages"] == manifest["passages"]
    reopened.close()


def test_a_file_is_one_document_by_its_path(hash_settings, tmp_path):
    copy = tmp_path / "copy"
    (copy / "sub").mkdir(parents=True)
    (copy / "a.txt").write_text((DATA / "bakery.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (copy / "sub" / "b.txt").write_text((DATA / "bakery.txt").read_text(encoding="utf-8"), encoding="utf-8")
    service = QAService(hash_settings)
    result = service.build([copy, copy / "sub" / "b.txt"])  # b.txt given twice: by its folder and by name
    assert result["documents"] == 3
    assert {d["id"] for d in service.list_documents()["documents"]} == {"a.txt", "sub--b.txt", "b.txt"}
    service.close()


def test_failed_build_keeps_the_previous_index(hash_service, hash_settings, monkeypatch):
    from qa.storage import writer as documents

    before = generation_dir(hash_settings.index_dir)
    question = "Wie alt ist die Bäckerei?"
    ranking = _ranking(hash_service, question)

    def crash(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(documents, "embed_passages", crash)
    with pytest.raises(RuntimeError):
        hash_service.build([DATA])
    assert generation_dir(hash_settings.index_dir) == before
    assert not list((before.parent).glob(".building-*"))
    assert _ranking(hash_service, question) == ranking


def test_killed_build_leaves_the_previous_index_served(hash_service, hash_settings, tmp_path):
    """SIGKILL in the middle of a build (the process cannot clean up) must not touch `current`."""
    before = generation_dir(hash_settings.index_dir)
    big = tmp_path / "big"
    big.mkdir()
    for n in range(400):
        (big / f"{n}.txt").write_text(f"Artikel Nummer {n} über den Hafen und die Fähre. " * 20, encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qa.cli",
            "index",
            str(big),
            "--index-dir",
            hash_settings.index_dir,
            "--encoder",
            "hash:64",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    index_dir = before.parent
    while not list(index_dir.glob(".building-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(index_dir.glob(".building-*")), "the build never started"
    time.sleep(0.3)
    assert process.poll() is None, "the build finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert generation_dir(hash_settings.index_dir) == before
    reopened = QAService(hash_settings)
    assert reopened.health()["documents"] == 4
    # the next build clears the dead half-built generation away
    reopened.build([DATA])
    assert not list(index_dir.glob(".building-*"))
    reopened.close()


def test_no_index_and_damaged_index_give_clear_errors(hash_settings, tmp_path):
    with pytest.raises(IndexNotReady, match="qa index"):
        Generation.open(tmp_path / "nothing")
    service = QAService(hash_settings)
    service.build([DATA])
    service.close()
    directory = generation_dir(hash_settings.index_dir)
    (directory / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexMismatch, match="missing or damaged"):
        Generation.open(hash_settings.index_dir)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "current").symlink_to("nowhere")
    with pytest.raises(IndexMismatch, match="rebuild"):
        Generation.open(foreign)


def test_another_encoder_is_refused_with_how_to_rebuild(hash_service, hash_settings):
    other = load_settings({"index_dir": hash_settings.index_dir, "encoder": "hash:32"}, environ={})
    with pytest.raises(IndexMismatch, match=r"built with encoder 'hash:64'.*qa index --encoder hash:32"):
        QAService(other)


def _article(n: int, words: str = "Hafen Fähre Kai") -> object:
    from qa.text.ingest import parse_record

    return parse_record(
        {"id": f"doc-{n}", "text": f"Artikel {n}: {words} Nummer {n}. " * 3 + f"\n\nZweiter Absatz {n}."}
    )


def test_a_read_view_sees_faiss_and_sqlite_at_the_same_change(hash_service, hash_settings):
    """While another 'process' adds, replaces and deletes, every view's dense ids equal its stored passages."""
    import contextlib
    import threading

    import numpy as np

    from qa.errors import NotFound
    from qa.storage import record

    writer = QAService(hash_settings)
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            writer.add_documents([_article(n % 7, "Hafen" if n % 2 else "Schleuse")])
            if n % 3 == 0:
                with contextlib.suppress(NotFound):
                    writer.remove_document(f"doc-{(n + 3) % 7}")
            n += 1

    thread = threading.Thread(target=write)
    thread.start()
    index = hash_service.index
    query = np.full((1, index.dim), 1 / np.sqrt(index.dim), dtype=np.float32)
    checked = 0
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            with index.view() as view:
                if checked % 2:
                    index.refresh()  # another thread moves the dense index on inside this view
                _scores, ids = view.search_dense(query, 100_000)
                stored = {row[0] for row in view.conn.execute("SELECT id FROM passages")}
                assert set(ids[0].tolist()) == stored
                assert set(record.passage_rows(view.conn, sorted(stored), index.dim)) == stored
            checked += 1
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert checked > 10


def test_snapshots_are_written_as_the_log_grows_and_a_missing_one_is_replayed(hash_service, hash_settings, monkeypatch):
    from qa.storage import generation as index_module

    monkeypatch.setattr(index_module, "SNAPSHOT_MIN_CHANGES", 4)
    directory = generation_dir(hash_settings.index_dir)
    before = sorted(p.name for p in directory.glob("vectors-*.faiss"))
    hash_service.add_documents([_article(n) for n in range(6)])
    hash_service.close()  # waits for the background snapshot
    after = sorted(p.name for p in directory.glob("vectors-*.faiss"))
    assert after != before and len(after) <= 2
    question = "Artikel 1 Hafen Fähre"
    reopened = QAService(hash_settings)
    newest = max(int(name[8:-6]) for name in after)
    assert reopened.index.watermark == newest
    ranking = _ranking(reopened, question)
    reopened.close()
    for path in directory.glob("vectors-*.faiss"):
        path.unlink()
    replayed = QAService(hash_settings)
    assert _ranking(replayed, question) == ranking and len(replayed.index.vectors) == replayed.health()["passages"]
    replayed.close()
