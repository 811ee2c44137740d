"""Safe to expose: security headers on every answer, bad JSON as 400, a brake on guessing the write key."""

from __future__ import annotations

import pytest

from qa import create_app
from qa.service import QAService

from ..conftest import DATA


@pytest.fixture
def keyed_client(hash_settings):
    service = QAService(hash_settings.replace(api_key="right-key"))
    service.build([DATA])
    yield create_app(service).test_client()
    service.close()


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/nothing", "/static/chat.js"])
def test_every_answer_carries_the_security_headers(client, path):
    with client.get(path) as response:
        headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Werkzeug" not in headers.get("Server", "")


@pytest.mark.parametrize("path", ["/api/ask", "/api/chat"])
def test_deeply_nested_json_is_a_400(client, path):
    response = client.post(path, data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]


def test_lone_surrogates_and_nul_in_a_question_are_answered(client):
    response = client.post("/api/ask", json={"question": "Wer nimmt nur virtuell teil?\ud800\x00"})
    assert response.status_code == 200, response.get_json()


def test_a_follow_up_ending_in_a_backslash_is_answered(client):
    messages = [
        {"role": "user", "content": "Welches Land ist bereit, Soldaten bereitzustellen?"},
        {"role": "user", "content": "Und Frankreich \\"},
    ]
    assert client.post("/api/chat", json={"messages": messages}).status_code == 200


def test_guessing_the_write_key_is_slowed_down(keyed_client):
    record = {"text": "Ein Artikel über den Hafen und die neue Fähre nach Helgoland."}
    for _ in range(10):
        wrong = keyed_client.post("/api/documents", json=record, headers={"Authorization": "Bearer wrong"})
        assert wrong.status_code == 401
    blocked = keyed_client.post("/api/documents", json=record, headers={"Authorization": "Bearer right-key"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert blocked.get_json()["code"] == "too_many_requests"
    other = keyed_client.post(
        "/api/documents",
        json=record,
        headers={"Authorization": "Bearer right-key"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 201  # another address is not punished
