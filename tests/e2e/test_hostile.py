"""Hostile input against a real `python server.py` on 127.0.0.1: every request ends within its budget
and the service keeps answering /healthz meanwhile."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from ..conftest import start_server

KEY = "hostile-test-key"
HEALTH_BUDGET_S = 0.2
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    process, base = start_server(tmp_path_factory.mktemp("hostile") / "index", env={"QA_API_KEY": KEY})
    yield base
    process.terminate()
    process.communicate(timeout=20)


def send(base: str, path: str, body: bytes, content_type: str = "application/json", key: str | None = None):
    headers = {"Content-Type": content_type}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(base + path, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class HealthWatch:
    """Polls /healthz while a hostile request runs; records the slowest answer."""

    def __init__(self, base: str):
        self.base, self.slowest, self._stop = base, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=30) as response:
                    response.read()
            except OSError:
                self.slowest = float("inf")
                return
            self.slowest = max(self.slowest, time.perf_counter() - started)
            time.sleep(0.05)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        time.sleep(0.1)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def hostile(base: str, budget_s: float, path: str, body: bytes, **kwargs) -> tuple[int, bytes]:
    """Send one request; assert it ends within its budget and /healthz stays quick meanwhile."""
    with HealthWatch(base) as watch:
        started = time.perf_counter()
        status, answer = send(base, path, body, **kwargs)
        took = time.perf_counter() - started
    assert took < budget_s, f"{path} took {took:.1f}s (budget {budget_s}s)"
    assert watch.slowest < HEALTH_BUDGET_S, f"/healthz waited {watch.slowest * 1000:.0f} ms meanwhile"
    assert status < 500, answer[:300]
    return status, answer


def test_a_quoted_reply_of_blanks_does_not_freeze_the_chat(hostile_server):
    messages = [
        {"role": "user", "content": "Who is ready to provide soldiers?"},
        {"role": "assistant", "content": ': "a' + " " * 19_000 + "b"},
        {"role": "user", "content": "And why?"},
    ]
    status, _ = hostile(hostile_server, 3.0, "/api/chat", json.dumps({"messages": messages}).encode())
    assert status == 200


def test_the_no_js_form_with_such_a_history_does_not_freeze_the_page(hostile_server):
    history = json.dumps(
        [
            {"role": "user", "content": "Who is ready to provide soldiers?"},
            {"role": "assistant", "content": ': "a' + " " * 19_000 + "b"},
        ]
    )
    body = urllib.parse.urlencode({"question": "And why?", "history": history}).encode()
    status, page = hostile(hostile_server, 3.0, "/", body, content_type="application/x-www-form-urlencoded")
    assert status == 200 and b"And why?" in page


def test_a_markdown_heading_of_blanks_is_parsed_quickly(hostile_server):
    article = "# Title\n\n##" + " " * 20_000 + "x\n\nDer Zoo hat ein junges Okapi vorgestellt, es heißt Quirin."
    status, answer = hostile(
        hostile_server, 5.0, "/api/documents?id=blanks", article.encode(), content_type="text/plain", key=KEY
    )
    assert status == 201, answer


def test_a_follow_up_ending_in_a_backslash_is_answered(hostile_server):
    messages = [
        {"role": "user", "content": "Welches Land ist bereit, Soldaten bereitzustellen?"},
        {"role": "user", "content": "Und Frankreich \\"},
    ]
    status, answer = hostile(hostile_server, 3.0, "/api/chat", json.dumps({"messages": messages}).encode())
    assert status == 200, answer


@pytest.mark.parametrize("document_id", ["zoo\n", "zoo\n\n", "../zoo"])
def test_an_id_with_a_trailing_newline_or_a_path_is_refused(hostile_server, document_id):
    record = {"id": document_id, "text": "Der Zoo hat ein junges Okapi vorgestellt. Es heißt Quirin."}
    status, answer = send(hostile_server, "/api/documents", json.dumps(record).encode(), key=KEY)
    assert status == 400 and json.loads(answer)["error"]
