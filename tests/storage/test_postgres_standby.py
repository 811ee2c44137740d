"""QA_READ_DATABASE_URL: questions read from a streaming standby, and go on when the primary is gone;
writes go to the primary and answer 503 `index_not_writable` without it."""

from __future__ import annotations

import time

import pytest

from qa import create_app
from qa.config import load_settings
from qa.lab import postgres
from qa.records import Scope
from qa.service import QAService

from ..conftest import DATA
from .conftest import KEY, _postgres_missing

pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(_postgres_missing()), reason=str(_postgres_missing()))]

AUTH = {"Authorization": f"Bearer {KEY}"}
FERRY = {
    "id": "ferry",
    "title": "Fähre",
    "text": "Die Fähre nach Helgoland legt ab morgen schon um sieben Uhr ab. Im Winter fährt sie nur dreimal.",
}


def _top(service: QAService, question: str) -> str | None:
    # The Searcher, not ask(): the no-answer cut-offs are calibrated for the real encoder, not hash:64.
    hits = service.searcher().search_many([question], 1, "lexical", scope=Scope())[0].hits
    return hits[0].document.id if hits else None


def _health_after(client, wanted, timeout: float = 10.0) -> dict:
    """The first /healthz answer (200 or 503) that `wanted` accepts; the last one in the failure."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/healthz")
        body = response.get_json()
        if response.status_code not in (200, 503):
            raise AssertionError(f"/healthz answered {response.status_code}: {body}")
        if wanted(body):
            if response.status_code == 503:
                assert response.headers.get("Retry-After"), response.headers
            return body
        assert time.monotonic() < deadline, f"/healthz never said that; last: {body}"
        time.sleep(0.05)


def test_questions_read_the_standby_and_outlive_the_primary(tmp_path):
    primary = postgres.PostgresCluster.create(tmp_path / "primary")
    primary.start()
    standby = None
    service = None
    try:
        primary.sql("CREATE DATABASE qa")
        standby = primary.standby(tmp_path / "standby")
        settings = load_settings(
            {
                "index_dir": str(tmp_path / "index"),
                "encoder": "hash:64",
                "api_key": KEY,
                "vector_cache": "",
                "database_url": primary.database_url("qa"),
                "read_database_url": standby.database_url("qa"),
                "health_max_lag": 1.0,
            },
            environ={},
        )
        service = QAService(settings)
        service.build([DATA])
        client = create_app(service).test_client()

        response = client.post("/api/documents", json=FERRY, headers=AUTH)
        assert response.status_code == 201, response.get_json()
        deadline = time.monotonic() + 1.0  # streamed to the standby, then read from there
        while _top(service, "Wann legt die Fähre nach Helgoland ab?") != "ferry":
            assert time.monotonic() < deadline, "the write never became answerable through the standby"
            time.sleep(0.02)

        # the standby stops replaying (a replay conflict, a lost connection to the primary): /healthz says
        # how far behind it is, and after QA_HEALTH_MAX_LAG takes this replica out
        standby.sql("SELECT pg_wal_replay_pause()")
        for n in range(3):
            response = client.post("/api/documents", json={**FERRY, "id": f"paused-{n}"}, headers=AUTH)
            assert response.status_code == 201, response.get_json()
        health = _health_after(client, lambda h: (h.get("standby_changes_behind") or 0) > 0)
        assert health["standby_changes_behind"] >= 3 and health["changes_behind"] == 0, health
        taken_out = _health_after(client, lambda h: h.get("code") == "replica_behind")
        assert "not replaying" in taken_out["error"], taken_out
        standby.sql("SELECT pg_wal_replay_resume()")
        back = _health_after(client, lambda h: h.get("status") == "ok" and h["standby_changes_behind"] == 0)
        assert back["standby_behind_seconds"] == 0

        primary.kill()
        for _ in range(5):
            assert _top(service, "Wann legt die Fähre nach Helgoland ab?") == "ferry"
        # a silent primary takes nobody out: questions go on from the standby
        health = _health_after(client, lambda h: h.get("standby_changes_behind", 0) is None)
        assert health["status"] == "ok"
        refused = client.post("/api/documents", json={**FERRY, "id": "ferry-2"}, headers=AUTH)
        assert refused.status_code == 503 and refused.get_json()["code"] == "index_not_writable"
        assert client.get("/api/documents/ferry-2").status_code == 404
    finally:
        if service is not None:
            service.close()
        if standby is not None:
            standby.remove()
        primary.remove()
