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

        primary.kill()
        for _ in range(5):
            assert _top(service, "Wann legt die Fähre nach Helgoland ab?") == "ferry"
        refused = client.post("/api/documents", json={**FERRY, "id": "ferry-2"}, headers=AUTH)
        assert refused.status_code == 503 and refused.get_json()["code"] == "index_not_writable"
        assert client.get("/api/documents/ferry-2").status_code == 404
    finally:
        if service is not None:
            service.close()
        if standby is not None:
            standby.remove()
        primary.remove()
