"""Opening an index reads its files into the page cache in the background, when they fit in memory."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from qa.config import load_settings
from qa.records import Document, Section
from qa.service import QAService
from qa.storage import prewarm
from qa.storage.generation import generation_dir


def _cached_bytes(path) -> int | None:
    if shutil.which("fincore") is None:
        return None
    done = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", str(path)], capture_output=True)
    return int(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def _evicted(path) -> bool:
    """Drop the file's pages from the page cache; False where that cannot be done (tmpfs) or seen."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    cached = _cached_bytes(path)
    return cached is not None and cached < path.stat().st_size // 2


def _build(tmp_path, **values) -> tuple[QAService, object]:
    settings = load_settings(
        {"index_dir": str(tmp_path / "index"), "encoder": "hash:64", "dense_partition_above": 50, **values},
        environ={},
    )
    service = QAService(settings)
    texts = [f"Die Fähre Nummer {n} fährt ab Montag zweimal täglich über den Fluss nach Ort {n}." for n in range(120)]
    service.build_documents(
        [
            Document(id=f"d{n}", title=f"Fähre {n}", date="2024-01-01", source="t", sections=(Section("", t),))
            for n, t in enumerate(texts)
        ]
    )
    return service, settings


def test_opening_an_index_reads_the_record_and_the_ivf_bases_into_the_page_cache(tmp_path, monkeypatch):
    service, settings = _build(tmp_path)
    service.close()
    directory = generation_dir(settings.index_dir)
    files = prewarm.files_of(directory)
    assert {path.name for path in files} >= {"qa.sqlite", "dense-base-de.faiss"}
    record = directory / "qa.sqlite"  # the IVF base stays mapped by this process, so it stays cached
    if not _evicted(record):
        pytest.skip("the page cache of this file system cannot be dropped or read here")
    thread = prewarm.start(directory)
    assert thread is not None
    thread.join(timeout=30)
    assert _cached_bytes(record) == record.stat().st_size

    opened = []
    monkeypatch.setattr(prewarm, "start", opened.append)
    reopened = QAService(settings)
    try:
        # The Searcher, not ask(): the no-answer cut-offs are calibrated for the real encoder, not hash:64.
        assert reopened.searcher().search_many(["Wann fährt die Fähre?"], 5)[0].hits
        assert opened == [directory]
    finally:
        reopened.close()


def test_nothing_is_read_when_the_files_do_not_fit_in_half_the_available_memory(tmp_path, monkeypatch):
    service, settings = _build(tmp_path)
    service.close()
    directory = generation_dir(settings.index_dir)
    total = sum(path.stat().st_size for path in prewarm.files_of(directory))
    monkeypatch.setattr(prewarm, "available_memory", lambda: 2 * total - 2)
    assert prewarm.start(directory) is None
    monkeypatch.setattr(prewarm, "available_memory", lambda: 2 * total)
    thread = prewarm.start(directory)
    assert thread is not None
    thread.join(timeout=30)
    assert prewarm.read_through(prewarm.files_of(directory)) == total


def test_a_service_with_prewarm_off_reads_nothing_ahead(tmp_path, monkeypatch):
    service, settings = _build(tmp_path, prewarm=False)
    service.close()
    calls = []
    monkeypatch.setattr(prewarm, "start", lambda directory: calls.append(directory))
    reopened = QAService(settings)
    try:
        assert reopened.searcher().search_many(["Wann fährt die Fähre?"], 5)[0].hits
        assert calls == []
    finally:
        reopened.close()


def test_the_reading_child_stops_once_the_process_that_started_it_is_gone(tmp_path):
    """`qa index` exits right after its build; the child reading its files must not go on alone."""
    import sys

    data = tmp_path / "qa.sqlite"
    data.write_bytes(b"x" * (3 << 20))

    def child_reads(parent: int) -> int:
        done = subprocess.run([sys.executable, "-c", prewarm._READ, str(parent), str(data)], capture_output=True)
        return int(done.stdout)

    assert child_reads(os.getpid()) == 3 << 20
    assert child_reads(os.getpid() + 1_000_000) == 0  # not its parent: as if the parent had ended
