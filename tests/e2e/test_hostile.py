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
HEALTH_BUDGET_S = 0.2  # beyond what /healthz takes on this machine when nothing hostile runs (quiet_health)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    env = {"QA_API_KEY": KEY, "QA_REQUEST_TIMEOUT": "5"}
    process, base = start_server(tmp_path_factory.mktemp("hostile") / "index", env=env)
    send(base, "/api/ask", json.dumps({"question": "Wer nimmt nur virtuell teil?"}).encode())  # warm
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


def quiet_health(base: str, seconds: float = 1.0) -> float:
    """The slowest /healthz of a quiet second: the machine's own noise, measured in the same run (the
    machine is shared; on an idle one this is a few milliseconds)."""
    with HealthWatch(base) as watch:
        time.sleep(seconds)
    return watch.slowest


def health_budget(base: str) -> float:
    return HEALTH_BUDGET_S + quiet_health(base)


def hostile(base: str, budget_s: float, path: str, body: bytes, **kwargs) -> tuple[int, bytes]:
    """Send one request; assert it ends within its budget and /healthz stays quick meanwhile."""
    health_s = health_budget(base)
    with HealthWatch(base) as watch:
        started = time.perf_counter()
        status, answer = send(base, path, body, **kwargs)
        took = time.perf_counter() - started
    assert took < budget_s, f"{path} took {took:.1f}s (budget {budget_s}s)"
    assert watch.slowest < health_s, f"/healthz waited {watch.slowest * 1000:.0f} ms meanwhile ({health_s=:.3f})"
    assert status < 500, answer[:300]
    return status, answer


def test_a_quoted_reply_of_blanks_does_not_freeze_the_chat(hostile_server):
    messages = [
        {"role": "user", "content": "Who is ready to provide soldiers?"},
        {"role": "assistant", "content": ': "a' + " " * 19_000 + "b"},
        {"role": "user", "content": "And why?"},
    ]
    status, _ = hostile(hostile_server, 5.0, "/api/chat", json.dumps({"messages": messages}).encode())
    assert status == 200


def test_a_key_set_to_true_is_the_text_true(tmp_path_factory):
    """Settings are read as text, never JSON-decoded (QA_API_KEY=true is not the key "True")."""
    process, base = start_server(tmp_path_factory.mktemp("truekey") / "index", env={"QA_API_KEY": "true"})
    try:
        record = json.dumps({"id": "zoo", "text": "Der Zoo hat ein junges Okapi vorgestellt. Es heißt Quirin."})
        assert send(base, "/api/documents", record.encode(), key="True")[0] == 401
        assert send(base, "/api/documents", record.encode(), key="true")[0] == 201
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_no_js_form_with_such_a_history_does_not_freeze_the_page(hostile_server):
    history = json.dumps(
        [
            {"role": "user", "content": "Who is ready to provide soldiers?"},
            {"role": "assistant", "content": ': "a' + " " * 19_000 + "b"},
        ]
    )
    body = urllib.parse.urlencode({"question": "And why?", "history": history}).encode()
    status, page = hostile(hostile_server, 5.0, "/", body, content_type="application/x-www-form-urlencoded")
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
    status, answer = hostile(hostile_server, 5.0, "/api/chat", json.dumps({"messages": messages}).encode())
    assert status == 200, answer


@pytest.mark.parametrize("document_id", ["zoo\n", "zoo\n\n", "../zoo"])
def test_an_id_with_a_trailing_newline_or_a_path_is_refused(hostile_server, document_id):
    record = {"id": document_id, "text": "Der Zoo hat ein junges Okapi vorgestellt. Es heißt Quirin."}
    status, answer = send(hostile_server, "/api/documents", json.dumps(record).encode(), key=KEY)
    assert status == 400 and json.loads(answer)["error"]


def _raw_http(base: str, head: str, body_parts: list[bytes], timeout: float = 30) -> bytes:
    """Send a request by hand (chunked bodies, half-sent ones) and return the raw answer."""
    import socket

    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.encode())
        try:
            for part in body_parts:
                sock.sendall(part)
        except OSError:
            pass  # the server may answer 413 and close before the whole body is sent
        chunks = []
        try:
            while data := sock.recv(65536):
                chunks.append(data)
        except OSError:
            pass
    return b"".join(chunks)


def _rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status", encoding="ascii"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_a_chunked_body_over_the_limit_is_refused_on_the_bytes_read(hostile_server):
    chunk = b"a" * 1_000_000
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(30)] + [b"0\r\n\r\n"]
    head = (
        "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    health_s = health_budget(hostile_server)
    with HealthWatch(hostile_server) as watch:
        started = time.perf_counter()
        answer = _raw_http(hostile_server, head, parts)
        took = time.perf_counter() - started
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert took < 5.0 and watch.slowest < health_s


def test_half_sent_bodies_hold_no_thread_for_long(hostile_server):
    import socket

    host, port = hostile_server.removeprefix("http://").split(":")
    body = json.dumps({"question": "Wer nimmt nur virtuell teil?"}).encode()
    head = (
        f"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    stalled = []
    health_s = health_budget(hostile_server)
    try:
        for _ in range(40):  # more than the server has threads
            sock = socket.create_connection((host, int(port)), timeout=30)
            sock.sendall(head + body[:5])
            stalled.append(sock)
        with HealthWatch(hostile_server) as watch:
            status, answer = send(hostile_server, "/api/ask", json.dumps({"question": "Wer nimmt teil?"}).encode())
            time.sleep(1.0)
        assert status == 200, answer[:200]
        assert watch.slowest < health_s, f"/healthz waited {watch.slowest * 1000:.0f} ms"
        stalled[0].settimeout(30)
        assert stalled[0].recv(100) == b""  # the server let the silent client go
    finally:
        for sock in stalled:
            sock.close()


def test_a_question_of_many_tokens_is_cut_to_the_encoders_window(hostile_server):
    status, answer = hostile(hostile_server, 5.0, "/api/ask", json.dumps({"question": "中国" * 1000}).encode())
    assert status == 200 and json.loads(answer)["truncated"] is True
    status, answer = hostile(hostile_server, 5.0, "/api/ask", json.dumps({"question": "😀" * 2000}).encode())
    assert status == 200 and json.loads(answer)["reason"] == "no_content"  # nothing to search for


def test_a_follow_up_built_from_a_long_earlier_turn_is_bounded(hostile_server):
    messages = [
        {"role": "user", "content": "Welches Land ist bereit, Soldaten bereitzustellen? " + "Estland " * 1000},
        {"role": "assistant", "content": "Laut dem Artikel: " + '"' + "Estland ist bereit. " * 300 + '"'},
        {"role": "user", "content": "Und Deutschland?"},
    ]
    status, answer = hostile(hostile_server, 5.0, "/api/chat", json.dumps({"messages": messages}).encode())
    assert status == 200, answer[:300]


def test_too_many_records_are_refused_at_once(hostile_server):
    line = json.dumps({"text": "Ein kurzer Artikel über den Hafen und die Fähre. " * 10})
    body = "\n".join([line] * 20_000).encode()
    status, answer = hostile(hostile_server, 5.0, "/api/documents", body, content_type="application/x-ndjson", key=KEY)
    assert status == 400 and b"at most 10,000 records" in answer


def test_a_huge_title_is_refused(hostile_server):
    record = {"id": "big-title", "title": "T" * 1_000_000, "text": "Ein Artikel über den Hafen und die Fähre."}
    status, answer = hostile(hostile_server, 5.0, "/api/documents", json.dumps(record).encode(), key=KEY)
    assert status == 400 and b"title is longer" in answer


def test_a_paragraph_without_sentence_marks_is_stored_in_bounded_passages(hostile_server):
    record = {"id": "one-long-paragraph", "text": "wort " * 20_000}
    status, answer = hostile(hostile_server, 120.0, "/api/documents", json.dumps(record).encode(), key=KEY)
    assert status == 201, answer[:300]
    assert json.loads(answer)["documents"][0]["passage_count"] >= 50  # 100,000 characters in passages of 2,000 at most
