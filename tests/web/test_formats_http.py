"""The API reads every article format as `qa add` does: same documents, url answered, 415 alike."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qa import create_app
from qa.config import load_settings
from qa.service import QAService
from qa.text.ingest import read_file

from ..conftest import DATA

FORMATS = Path(__file__).resolve().parent.parent / "formats_data"
KEY = "format-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def format_client(tmp_path):
    settings = load_settings(
        {"index_dir": str(tmp_path / "index"), "encoder": "hash:64", "api_key": KEY, "vector_cache": ""}, environ={}
    )
    service = QAService(settings)
    service.build([DATA])
    app = create_app(service)
    app.config["TESTING"] = True
    yield app.test_client()
    service.close()


def _fields(document) -> tuple:
    return (document.id, document.title, document.date, document.source, document.url)


@pytest.mark.parametrize("name", ["zoo-okapi.html", "wire.rss", "harbour.atom", "okapi.md", "export.csv"])
def test_an_upload_gives_the_documents_the_cli_reads(format_client, name):
    data = (FORMATS / name).read_bytes()
    response = format_client.post(
        "/api/documents", data={"file": (io.BytesIO(data), name)}, headers=AUTH, content_type="multipart/form-data"
    )
    assert response.status_code == 201, response.get_json()
    expected = read_file(FORMATS / name)
    assert [d["id"] for d in response.get_json()["documents"]] == [d.id for d in expected]
    for document in expected:
        stored = format_client.get(f"/api/documents/{document.id}").get_json()
        assert (stored["id"], stored["title"], stored["date"], stored["source"], stored["url"]) == _fields(document)
        assert not any("<" in p["text"] for p in stored["passages"])


def test_multipart_honours_query_metadata_and_text_html_bodies_are_pages(format_client):
    data = (FORMATS / "library-hours.html").read_bytes()
    response = format_client.post(
        "/api/documents?id=lib&source=Riverside%20Weekly&url=https://riverside.example/library",
        data={"file": (io.BytesIO(data), "library-hours.html")},
        headers=AUTH,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201 and response.get_json()["documents"][0]["id"] == "lib"
    stored = format_client.get("/api/documents/lib").get_json()
    assert stored["source"] == "Riverside Weekly" and stored["url"] == "https://riverside.example/library"
    page = format_client.post(
        "/api/documents?id=zoo",
        data=(FORMATS / "zoo-okapi.html").read_bytes(),
        headers={**AUTH, "Content-Type": "text/html"},
    )
    assert page.status_code == 201
    assert format_client.get("/api/documents/zoo").get_json()["title"] == "Zoo stellt junges Okapi vor"
    service = format_client.application.extensions["qa"]  # hash vectors: search without the no-answer cut-off
    [hit, *_] = service.searcher().search_many(["Wie heißt das junge Okapi?"], 3, "lexical")[0].hits
    assert hit.to_dict(1)["document"]["url"] == "https://www.stadtanzeiger.example/lokales/zoo-okapi-2025"


def test_a_page_sent_as_text_plain_is_read_as_a_page(format_client):
    response = format_client.post(
        "/api/documents",
        data=(FORMATS / "harbour-ferry.html").read_bytes(),
        headers={**AUTH, "Content-Type": "text/plain"},
    )
    assert response.status_code == 201
    doc_id = response.get_json()["documents"][0]["id"]
    assert format_client.get(f"/api/documents/{doc_id}").get_json()["title"] == "Harbour ferry line to start in spring"


@pytest.mark.parametrize(
    ("kwargs", "status", "expected"),
    [
        ({"data": {"file": (io.BytesIO(b"%PDF"), "scan.pdf")}, "content_type": "multipart/form-data"}, 415, "scan.pdf"),
        ({"data": (FORMATS / "empty-page.html").read_bytes(), "content_type": "text/html"}, 400, "no article text"),
        ({"data": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><rss/>', "content_type": "application/rss+xml"},
         400, "entities"),
        ({"json": {"text": "Ein Satz über den Hafen.", "date": "letzten Dienstag"}}, 400, "not a date"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_words_and_nothing_is_stored(format_client, kwargs, status, expected):
    before = format_client.get("/api/documents").get_json()["total"]
    response = format_client.post("/api/documents", headers=AUTH, **kwargs)
    assert response.status_code == status, response.get_json()
    assert expected in response.get_json()["error"]
    assert format_client.get("/api/documents").get_json()["total"] == before
