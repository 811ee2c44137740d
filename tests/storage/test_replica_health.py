"""/healthz of a process whose record another process writes: it says how far behind it is, catches up
by itself without a question, and never waits behind a write."""

from __future__ import annotations

import sqlite3
import threading
import time

from qa import create_app
from qa.service import QAService
from qa.storage.health import Lag
from qa.storage.manifest import generation_dir
from qa.text.ingest import parse_record


def _health(client) -> dict:
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_replica_catches_up_with_another_processs_write_without_a_question(write_service):
    other = QAService(write_service.settings)
    try:
        client = create_app(write_service).test_client()
        before = _health(client)
        assert before["changes_behind"] == 0
        other.add_documents(
            [parse_record({"id": "ferry", "text": "Die neue Fähre fährt ab Montag zum Hafen."}, "ferry")]
        )
        first = _health(client)
        assert (
            first["changes_behind"] > 0 and first["documents"] == before["documents"] + 1
        )  # the record's count, not the cache's
        deadline = time.monotonic() + 5
        while _health(client)["changes_behind"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _health(client)["changes_behind"] == 0
    finally:
        other.close()


def test_healthz_answers_at_once_while_another_process_holds_the_write_lock(write_service):
    client = create_app(write_service).test_client()
    _health(client)
    writer = sqlite3.connect(generation_dir(write_service.settings.index_dir) / "qa.sqlite", timeout=1)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        slowest = 0.0
        for _ in range(20):
            started = time.perf_counter()
            _health(client)
            slowest = max(slowest, time.perf_counter() - started)
        assert slowest < 0.5, f"/healthz took {slowest * 1000:.0f} ms behind a write"
    finally:
        writer.rollback()
        writer.close()


def test_healthz_answers_while_this_process_applies_a_write(write_service):
    """A write of many passages applied by this process (the lock questions wait on) leaves /healthz quick."""
    client = create_app(write_service).test_client()
    _health(client)
    text = "\n\n".join(f"Absatz {i} über den Hafen, die Fähre und den Fahrplan im Winter." for i in range(400))
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (write_service.add_documents([parse_record({"id": "long", "text": text}, "long")]), done.set()),
        daemon=True,
    )
    thread.start()
    slowest = 0.0
    while not done.is_set():
        started = time.perf_counter()
        _health(client)
        slowest = max(slowest, time.perf_counter() - started)
        time.sleep(0.005)
    thread.join(timeout=60)
    assert slowest < 0.5, f"/healthz took {slowest * 1000:.0f} ms while a write was applied"


def test_lag_is_timed_from_the_oldest_change_not_yet_applied():
    steady = Lag()
    # a write every 0.1 s, each applied 0.05 s later: every check finds one change not applied, for a minute
    for step in range(600):
        now = step * 0.1
        lag = steady.update(reached=step - 1, seen=step, now=now)
        assert lag <= 0.1
    stuck = Lag()
    for step in range(600):
        lag = stuck.update(reached=5, seen=5 + step, now=step * 0.1)
    assert lag >= 59.0
    assert stuck.update(reached=700, seen=700, now=61.0) == 0.0


def test_a_replica_whose_catch_up_is_stuck_is_taken_out_and_comes_back(write_service):
    stuck = QAService(write_service.settings.replace(health_max_lag=0.3))
    try:
        client = create_app(stuck).test_client()
        assert _health(client)["changes_behind"] == 0
        with stuck.index._sync_lock:  # its catch-up cannot apply anything meanwhile
            write_service.add_documents([parse_record({"id": "ferry", "text": "Die Fähre fährt ab Montag."}, "ferry")])
            first = _health(client)
            assert first["changes_behind"] > 0
            time.sleep(0.4)
            response = client.get("/healthz")
            assert response.status_code == 503 and response.get_json()["code"] == "replica_behind"
            assert response.headers["Retry-After"]
        deadline = time.monotonic() + 5
        while client.get("/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the replica never came back after its catch-up"
            time.sleep(0.02)
        assert _health(client)["changes_behind"] == 0
    finally:
        stuck.close()
