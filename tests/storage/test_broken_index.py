"""An index that cannot be read or written says so in one sentence: a 503 or a one-line CLI error, never a
traceback or a 500."""

from __future__ import annotations

import json
import logging

import pytest

from qa.cli import cli
from qa.storage import sqlite as record
from qa.storage.manifest import generation_dir

from .conftest import KEY

pytestmark = pytest.mark.sqlite_only  # a damaged or full qa.sqlite


def _ask(runner, index_dir) -> tuple[int, str]:
    result = runner.invoke(cli, ["ask", "Hafen", "--index-dir", str(index_dir), "--encoder", "hash:64"])
    return result.exit_code, result.output


def test_an_emptied_record_is_one_line_on_the_command_line(runner, write_service):
    write_service.close()
    (generation_dir(write_service.settings.index_dir) / "qa.sqlite").write_bytes(b"")
    code, output = _ask(runner, write_service.settings.index_dir)
    assert code == 2 and "lacks the tables of an index" in output and "Traceback" not in output
    (generation_dir(write_service.settings.index_dir) / "qa.sqlite").write_text("not a database")
    code, output = _ask(runner, write_service.settings.index_dir)
    assert code == 2 and "not a readable index" in output


def test_a_manifest_with_another_dimension_is_one_line(runner, write_service):
    write_service.close()
    manifest_path = generation_dir(write_service.settings.index_dir) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["dim"] = 99
    manifest_path.write_text(json.dumps(manifest))
    code, output = _ask(runner, write_service.settings.index_dir)
    assert code == 2 and "manifest says 99" in output and len(output.strip().splitlines()) == 1


def test_a_full_disk_answers_503_and_stores_nothing(write_client, write_service, monkeypatch):
    connect = record.connect

    def full(path):  # SQLite's own "database or disk is full", at the size the file has now
        conn = connect(path)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(record, "connect", full)
    body = {"id": "huge", "text": "Ein neuer Artikel über die Fähre und den Hafen. " * 400}
    response = write_client.post("/api/documents", json=body, headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 503, response.get_json()
    assert response.get_json()["code"] == "index_not_writable"
    assert int(response.headers["Retry-After"]) > 0  # a client (or a balancer) knows when to try again
    monkeypatch.setattr(record, "connect", connect)
    assert write_client.get("/api/documents/huge").status_code == 404


def test_a_write_whose_first_read_loses_the_database_is_refused_as_not_writable(write_client, monkeypatch):
    """A write reads which documents changed before it writes. When the database goes away during that read
    (a primary stopped mid-read: `reader` says DatabaseUnreachable), the client hears what a write that
    finds no database hears, 503 `index_not_writable` (a failover test got a question's
    `database_unreachable` for a write)."""
    from qa.errors import DatabaseUnreachable
    from qa.storage import writer

    def gone(*_args):
        raise DatabaseUnreachable("the connection to the database broke: server closed the connection")

    monkeypatch.setattr(writer, "_changed", gone)
    body = {"id": "mid-read", "text": "Die Fähre nach Helgoland legt ab morgen schon um sieben Uhr ab."}
    response = write_client.post("/api/documents", json=body, headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 503, response.get_json()
    assert response.get_json()["code"] == "index_not_writable"
    assert "nothing was stored" in response.get_json()["error"] and int(response.headers["Retry-After"]) > 0
    monkeypatch.undo()
    assert write_client.get("/api/documents/mid-read").status_code == 404


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_a_write_that_loses_the_database_while_catching_up_is_refused_as_not_writable(
    write_client, monkeypatch, method
):
    """After its commit a write catches this process up with the change log (`Generation.refresh`).
    When the database goes away right then (a primary stopped), the client hears 503
    `index_not_writable` with a Retry-After, as any write that finds no database, not a question's
    `database_unreachable`; sent again once the database is back, the document is there once."""
    from qa.errors import DatabaseUnreachable
    from qa.storage.generation import Generation

    headers = {"Authorization": f"Bearer {KEY}"}
    body = {"id": "ferry", "text": "Die Fähre nach Helgoland legt ab morgen schon um sieben Uhr ab."}
    if method == "DELETE":
        assert write_client.post("/api/documents", json=body, headers=headers).status_code == 201

    def gone(self):
        raise DatabaseUnreachable("the connection to the database broke: server closed the connection")

    monkeypatch.setattr(Generation, "refresh", gone)
    if method == "POST":
        response = write_client.post("/api/documents", json=body, headers=headers)
    else:
        response = write_client.delete("/api/documents/ferry", headers=headers)
    assert response.status_code == 503, response.get_json()
    assert response.get_json()["code"] == "index_not_writable"
    assert "send it again" in response.get_json()["error"] and int(response.headers["Retry-After"]) > 0
    monkeypatch.undo()
    if method == "POST":
        assert write_client.post("/api/documents", json=body, headers=headers).status_code in (200, 201)
        assert write_client.get("/api/documents/ferry").status_code == 200
    else:
        assert write_client.delete("/api/documents/ferry", headers=headers).status_code in (200, 404)
        assert write_client.get("/api/documents/ferry").status_code == 404


def test_writes_failing_for_the_disk_are_logged_once_and_their_recovery_too(
    write_client, write_service, monkeypatch, caplog
):
    connect = record.connect

    def full(path):
        conn = connect(path)
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
        return conn

    auth = {"Authorization": f"Bearer {KEY}"}
    body = {"id": "huge", "text": "Ein neuer Artikel über die Fähre und den Hafen. " * 400}
    monkeypatch.setattr(record, "connect", full)
    with caplog.at_level(logging.INFO, logger="qa.web.documents"):
        for _ in range(3):
            assert write_client.post("/api/documents", json=body, headers=auth).status_code == 503
        monkeypatch.setattr(record, "connect", connect)
        assert write_client.post("/api/documents", json=body, headers=auth).status_code == 201
        assert write_client.post("/api/documents", json={**body, "id": "more"}, headers=auth).status_code == 201
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "qa.web.documents"]
    assert len(lines) == 2, lines
    assert lines[0][0] == "ERROR" and "writes are failing" in lines[0][1] and "disk is full" in lines[0][1]
    assert lines[1] == ("INFO", "writes succeed again")
