"""One name per concept, and no silent ignoring: an unknown field or query parameter is a 400 that names the
closest known one, and a source is matched as the archive names it, whatever its case."""

from __future__ import annotations

import pytest

QUESTION = "Wer nimmt an dem Treffen nur virtuell teil?"
SEED_SOURCE = "dpa"


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/api/ask", {"question": QUESTION, "source": ["dpa"]}, "unknown field 'source': did you mean 'sources'?"),
        ("/api/ask", {"question": QUESTION, "topk": 3}, "unknown field 'topk': did you mean 'top_k'?"),
        ("/api/chat", {"messages": [{"role": "user", "contnt": "x"}]}, "did you mean 'content'?"),
        ("/api/chat", {"messages": [{"role": "user", "content": QUESTION}], "document": ["x"]}, "'documents'"),
        ("/api/ask", {"question": QUESTION, "colour": "red"}, "unknown field 'colour': known: date_from"),
    ],
)
def test_an_unknown_field_is_named_with_the_closest_known_one(client, path, body, words):
    response = client.post(path, json=body)
    assert response.status_code == 400
    assert words in response.get_json()["error"]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/documents?sources=dpa", "unknown query parameter 'sources': known: offset, limit, page"),
        ("/api/documents?limt=3", "unknown query parameter 'limt': did you mean 'limit'?"),
        ("/api/sources?source=dpa", "unknown query parameter 'source': none is taken"),
        ("/api/stats?language=de", "unknown query parameter 'language'"),
        ("/healthz?verbose=1", "unknown query parameter 'verbose'"),
        ("/api/documents/abc?passages=1", "unknown query parameter 'passages'"),
    ],
)
def test_a_get_endpoint_refuses_a_query_parameter_it_does_not_take(client, url, words):
    response = client.get(url)
    assert response.status_code == 400 and response.get_json()["code"] == "invalid_request"
    assert words in response.get_json()["error"]


def test_the_query_parameters_a_get_endpoint_takes_still_work(client):
    assert client.get("/api/documents?limit=1&offset=0").status_code == 200
    assert client.get("/api/documents?page=1&limit=1").status_code == 200


@pytest.mark.parametrize("name", [SEED_SOURCE.upper(), f"  {SEED_SOURCE} ", "Dpa"])
def test_a_source_matches_whatever_its_case_and_blanks(client, name):
    body = client.post("/api/ask", json={"question": QUESTION, "sources": [name], "top_k": 1}).get_json()
    assert body["no_answer"] is False
    assert body["applied"]["sources"] == [SEED_SOURCE] and body["applied"]["unknown_sources"] == []


def test_a_source_the_archive_does_not_hold_is_reported_not_silently_empty(client):
    body = client.post("/api/ask", json={"question": QUESTION, "sources": ["Reuters", SEED_SOURCE]}).get_json()
    assert body["no_answer"] is False  # the known source still answers
    assert body["applied"]["unknown_sources"] == ["Reuters"]
    only_unknown = client.post(
        "/api/chat", json={"messages": [{"role": "user", "content": QUESTION}], "sources": ["reuters"]}
    ).get_json()
    assert only_unknown["no_answer"] is True and only_unknown["applied"]["unknown_sources"] == ["reuters"]


def test_the_spec_says_how_sources_match(client):
    spec = client.get("/openapi.json").get_json()["components"]["schemas"]
    assert "case" in spec["Ask"]["properties"]["sources"]["description"]
    assert "unknown_sources" in spec["Applied"]["required"]
