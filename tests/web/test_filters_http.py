"""Filters and ordering over HTTP: the fields of /api/ask and /api/chat, what the answer says was applied,
and a 400 in words for every malformed one."""

from __future__ import annotations

import pytest

QUESTION = "Wer nimmt an dem Treffen nur virtuell teil?"
SEED_SOURCE = "dpa"


def test_a_date_range_around_the_article_finds_it_and_says_so(client):
    body = client.post(
        "/api/ask", json={"question": QUESTION, "date_from": "2025-09-01", "date_to": "2025-09-04", "top_k": 2}
    ).get_json()
    assert body["no_answer"] is False and len(body["passages"]) == 2
    applied = body["applied"]
    assert applied["date_from"] == "2025-09-01" and applied["date_to"] == "2025-09-04"
    assert applied["as_of"] == "2025-09-04"  # the newest article's date
    assert applied["sort"] == "relevance" and applied["recency"] is None


@pytest.mark.parametrize(
    "fields",
    [
        {"date_from": "2025-09-05"},
        {"date_from": "2025-09-05", "date_to": "2025-09-01"},  # ends before it starts: an empty window
        {"date_to": "2025-09-03"},
        {"sources": ["Reuters"]},
        {"documents": ["no-such-article"]},
        {"language": "en"},
    ],
)
def test_a_filter_that_excludes_the_only_article_leaves_no_passage(client, fields):
    body = client.post("/api/ask", json={"question": QUESTION, **fields}).get_json()
    assert body["no_answer"] is True and body["passages"] == []


def test_source_and_language_filters_that_match_keep_the_answer(client):
    body = client.post(
        "/api/ask", json={"question": QUESTION, "sources": [SEED_SOURCE], "language": "de", "top_k": 1}
    ).get_json()
    assert body["passages"][0]["document"]["source"] == SEED_SOURCE
    assert body["applied"]["sources"] == [SEED_SOURCE] and body["applied"]["language"] == "de"


def test_sort_by_date_and_recency_are_applied_on_chat_too(client):
    body = client.post(
        "/api/chat",
        json={"messages": [{"role": "user", "content": QUESTION}], "sort": "date", "recency": 7, "top_k": 2},
    ).get_json()
    assert len(body["passages"]) == 2
    assert body["applied"]["sort"] == "date" and body["applied"]["recency"] == 7.0


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"date_from": "2025-02-30"}, "date_from"),
        ({"date_from": "04.09.2025"}, "date_from"),
        ({"sources": "dpa"}, "sources"),
        ({"sources": [""]}, "sources"),
        ({"documents": ["no spaces allowed"]}, "documents"),
        ({"language": "fr"}, "language"),
        ({"recency": 0}, "recency"),
        ({"recency": "7"}, "recency"),
        ({"sort": "newest"}, "sort"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"time_from_question": "no"}, "time_from_question"),
        ({"sources": ["x"] * 101}, "sources"),
    ],
)
def test_malformed_filters_get_a_400_naming_the_field(client, fields, words):
    response = client.post("/api/ask", json={"question": QUESTION, **fields})
    assert response.status_code == 400
    assert words in response.get_json()["error"]


def test_the_spec_documents_the_filter_fields(client):
    spec = client.get("/openapi.json").get_json()
    ask = spec["components"]["schemas"]
    names = set().union(*(set(schema.get("properties", {})) for schema in ask.values()))
    assert {"date_from", "date_to", "sources", "documents", "language", "recency", "as_of", "sort"} <= names
    assert "time_from_question" in names and "applied" in names


def test_sources_and_stats_describe_the_archive(client):
    sources = client.get("/api/sources").get_json()["sources"]
    assert sources == [
        {"source": SEED_SOURCE, "documents": 1, "first_date": "2025-09-04", "last_date": "2025-09-04", "undated": 0}
    ]
    stats = client.get("/api/stats").get_json()
    assert stats["documents"] == 1 and stats["passages"] > 10
    assert stats["months"] == [{"month": "2025-09", "documents": 1}]
    assert stats["first_date"] == stats["last_date"] == "2025-09-04"
    assert stats["languages"] == [{"language": "de", "documents": 1}] and stats["sources"] == sources


def test_time_in_the_question_restricts_and_is_said_and_can_be_switched_off(client):
    # The seed article is of 2025-09-04, the newest date: "gestern" is 2025-09-03, which holds no article.
    body = client.post("/api/ask", json={"question": "Wer nahm gestern an dem Treffen nur virtuell teil?"}).get_json()
    assert body["applied"]["date_from"] == body["applied"]["date_to"] == "2025-09-03"
    assert body["applied"]["understood"].startswith("Verstanden als: gestern")
    assert body["no_answer"] is True
    today = client.post("/api/ask", json={"question": "Wer nimmt heute an dem Treffen nur virtuell teil?"}).get_json()
    assert today["applied"]["date_from"] == "2025-09-04" and today["no_answer"] is False
    off = client.post(
        "/api/ask",
        json={"question": "Wer nahm gestern an dem Treffen nur virtuell teil?", "time_from_question": False},
    ).get_json()
    assert off["applied"]["date_from"] is None and off["applied"]["understood"] == "" and off["no_answer"] is False


def test_a_follow_up_keeps_the_time_of_the_turn_it_follows_unless_it_names_its_own(client):
    messages = [
        {"role": "user", "content": "Wer nahm gestern an dem Treffen nur virtuell teil?"},
        {"role": "assistant", "content": "Keine passende Stelle."},
        {"role": "user", "content": "Und Macron?"},
    ]
    body = client.post("/api/chat", json={"messages": messages}).get_json()
    assert body["followup"] is True and body["applied"]["date_to"] == "2025-09-03"
    assert body["reply"].startswith("(Verstanden als: gestern")
    messages[-1] = {"role": "user", "content": "Und heute?"}
    body = client.post("/api/chat", json={"messages": messages}).get_json()
    assert body["applied"]["date_from"] == "2025-09-04"


def test_an_explicit_date_filter_wins_over_the_question(client):
    body = client.post(
        "/api/ask",
        json={"question": "Wer nahm gestern an dem Treffen nur virtuell teil?", "date_from": "2025-09-01"},
    ).get_json()
    assert body["applied"]["date_from"] == "2025-09-01" and body["applied"]["date_to"] is None
    assert body["no_answer"] is False
