"""POST /api/chat: follow-ups resolved against the history, a cited reply, and the limits on history."""

from __future__ import annotations

import pytest

FIRST = "Wer nimmt an dem Treffen nur virtuell teil?"


def _chat(client, *contents, **extra):
    roles = ["user", "assistant"] * len(contents)
    messages = [{"role": role, "content": content} for role, content in zip(roles, contents, strict=False)]
    return client.post("/api/chat", json={"messages": messages, **extra})


def test_first_question_gets_passages_and_a_cited_reply(client):
    response = _chat(client, FIRST, top_k=3)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"question", "resolved_question", "language", "no_answer", "reply", "passages", "took_ms"}
    assert body["question"] == body["resolved_question"] == FIRST and body["followup"] is False
    assert body["language"] == "de" and body["no_answer"] is False and len(body["passages"]) == 3
    best = body["passages"][0]
    assert best["heading"] == "Merz nimmt nur virtuell an dem Treffen teil"
    assert body["reply"].startswith("Laut dem Artikel „Die Staats- und Regierungschefs")
    assert "vom 4. September 2025:" in body["reply"] and best["highlight"]["sentence"] in body["reply"]


def test_followup_is_resolved_against_the_history(client):
    first = _chat(client, FIRST).get_json()
    body = _chat(client, FIRST, first["reply"], "Und warum?").get_json()
    assert body["question"] == "Und warum?" and body["followup"] is True
    assert body["resolved_question"] == "Warum nimmt Bundeskanzler Friedrich Merz an dem Treffen nur virtuell teil?"
    assert body["rewritten"] is True  # a well-formed question: the page shows it as "Verstanden als"
    assert body["passages"][0]["heading"] == "Merz nimmt nur virtuell an dem Treffen teil"
    assert body["language"] == "de" and body["reply"].startswith("Laut dem Artikel")


def test_english_ellipsis_substitutes_the_new_country(client):
    first = _chat(client, "What did Estonia promise?").get_json()
    assert "Estland bereit sei, Soldaten" in first["passages"][0]["highlight"]["sentence"]
    assert (
        first["reply"].startswith("According to the article “Die Staats-") and "of 4 September 2025:" in first["reply"]
    )
    body = _chat(client, "What did Estonia promise?", first["reply"], "And Germany?").get_json()
    assert body["resolved_question"] == "What did Germany promise?" and body["language"] == "en"
    assert body["passages"][0]["heading"] == "Deutschland bislang zurückhaltend"


def test_a_followup_asked_with_the_topic_is_no_rewrite_to_show(client):
    first = _chat(client, FIRST).get_json()
    body = _chat(client, FIRST, first["reply"], "Was hat er dazu gesagt?").get_json()
    # "er" stands for Merz, but "dazu" points at the event: the topic goes along in brackets
    assert body["followup"] is True and "(" in body["resolved_question"]
    assert body["rewritten"] is False and first["rewritten"] is False


def test_self_contained_question_ignores_the_history(client):
    first = _chat(client, FIRST).get_json()
    body = _chat(client, FIRST, first["reply"], "Which country is ready to provide soldiers?").get_json()
    assert body["resolved_question"] == "Which country is ready to provide soldiers?" and body["followup"] is False
    assert "Estland bereit sei, Soldaten" in body["passages"][0]["highlight"]["sentence"]


@pytest.mark.parametrize(
    ("question", "language", "words"),
    [
        ("What is the best recipe for apple pie?", "en", "no matching passage"),
        ("Wie backe ich einen Apfelkuchen?", "de", "keine passende Stelle"),
    ],
)
def test_unanswerable_question_says_so_in_the_users_language(client, question, language, words):
    body = _chat(client, question).get_json()
    assert body["no_answer"] is True and body["passages"] == [] and body["language"] == language
    assert words in body["reply"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "'messages' is missing"),
        ({"messages": "Wer?"}, "must be a list"),
        ({"messages": []}, "'messages' is empty"),
        ({"messages": ["Wer?"]}, "messages[0] must be an object"),
        ({"messages": [{"role": "system", "content": "Wer?"}]}, "messages[0].role must be 'user' or 'assistant'"),
        ({"messages": [{"role": "user"}]}, "messages[0].content is missing"),
        ({"messages": [{"role": "user", "content": 7}]}, "messages[0].content must be a string"),
        ({"messages": [{"role": "user", "content": "  "}]}, "messages[0].content is empty"),
        ({"messages": [{"role": "assistant", "content": "Merz"}]}, "no user message"),
        ({"messages": [{"role": "user", "content": "x" * 20_001}]}, "longer than 20000 characters"),
        ({"messages": [{"role": "user", "content": "Wer?"}], "top_k": 0}, "at least 1"),
        ({"messages": [{"role": "user", "content": "Wer?"}], "top_k": "3"}, "must be an integer"),
        ({"messages": [{"role": "user", "content": "Wer?"}], "mode": "magic"}, "'mode' must be one of"),
    ],
)
def test_bad_conversations_get_400_in_words(client, payload, message):
    response = client.post("/api/chat", json=payload)
    assert response.status_code == 400
    body = response.get_json()
    assert message in body["error"] and body["code"] == "invalid_request"


def test_at_most_50_messages(client):
    history = [{"role": ("user", "assistant")[i % 2], "content": "Wer?"} for i in range(50)]
    ok = client.post("/api/chat", json={"messages": history[:49]})
    assert ok.status_code == 200
    too_many = client.post("/api/chat", json={"messages": [*history, {"role": "user", "content": "Wer?"}]})
    assert too_many.status_code == 400
    assert "51 messages; at most 50 are allowed" in too_many.get_json()["error"]


def test_the_oldest_turns_go_first_beyond_20000_characters(client):
    """Every request the spec allows is answered: a long history loses its oldest turns, not the question."""
    long_reply = {"role": "assistant", "content": "x" * 9_990}
    question = {"role": "user", "content": "Wer nimmt an dem Treffen nur virtuell teil?"}
    messages = [question, long_reply, question, long_reply, question, long_reply, question]
    response = client.post("/api/chat", json={"messages": messages})
    assert response.status_code == 200
    assert response.get_json()["passages"][0]["heading"] == "Merz nimmt nur virtuell an dem Treffen teil"


def test_the_question_is_the_last_user_message(client):
    question = {"role": "user", "content": "Wer nimmt an dem Treffen nur virtuell teil?"}
    body = client.post("/api/chat", json={"messages": [question, {"role": "assistant", "content": "Merz"}]}).get_json()
    assert body["question"] == question["content"]
    assert body["passages"][0]["heading"] == "Merz nimmt nur virtuell an dem Treffen teil"


def test_chat_needs_json(client):
    response = client.post("/api/chat", data="messages=Wer", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and "JSON" in response.get_json()["error"]


def test_openapi_describes_chat(client):
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").get_json()
    validate(spec)
    assert "/api/chat" in spec["paths"]
    chat = spec["components"]["schemas"]["Chat"]["properties"]["messages"]
    assert chat["maxItems"] == 50 and set(chat["items"]["discriminator"]["mapping"]) == {"user", "assistant"}
    assert spec["components"]["schemas"]["UserMessage"]["properties"]["content"]["maxLength"] == 20_000
    assert "resolved_question" in spec["components"]["schemas"]["ChatAnswer"]["properties"]


def test_a_long_question_is_cut_and_a_long_earlier_turn_is_context(client):
    """Both are allowed by the spec (user turns up to 20,000 characters), so both are answered."""
    long_question = "Wer nimmt an dem Treffen nur virtuell teil? " + "virtuell " * 400
    body = client.post("/api/chat", json={"messages": [{"role": "user", "content": long_question}]}).get_json()
    assert len(body["question"]) == 2000 and body["question"].startswith("Wer nimmt an dem Treffen")
    earlier = {"role": "user", "content": "Welches Land ist bereit, Soldaten bereitzustellen? " + "Estland " * 1000}
    messages = [earlier, {"role": "assistant", "content": "Estland."}, {"role": "user", "content": "Und Merz?"}]
    assert client.post("/api/chat", json={"messages": messages}).status_code == 200
