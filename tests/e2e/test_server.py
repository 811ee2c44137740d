"""A real `python server.py` process on 127.0.0.1, as a user or bot meets it."""

from __future__ import annotations

import json
import os
import signal
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from qa.lab.http import ServerProcess

from ..conftest import ROOT

QUESTIONS = [
    ("Wer nimmt an dem Treffen nur virtuell teil?", "Der Enthusiasmus einiger Koalitionäre"),
    ("Who takes part in the meeting only virtually?", "Der Enthusiasmus einiger Koalitionäre"),
    ("Welches Land ist bereit, Soldaten bereitzustellen?", "Karis bekräftigte, dass Estland"),
    ("Which country is ready to provide soldiers?", "Karis bekräftigte, dass Estland"),
    ("What does Putin demand?", "Ob es überhaupt zu einer Friedenslösung kommt"),
]


def post(base: str, path: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_german_and_english_questions_find_the_right_paragraph(server_process):
    for question, paragraph in QUESTIONS:
        status, body = post(server_process, "/api/ask", {"question": question})
        assert status == 200, body
        assert body["passages"][0]["text"].startswith(paragraph), (question, body["passages"][0]["text"])


def test_fifty_parallel_requests_are_each_answered_correctly(server_process):
    jobs = [QUESTIONS[i % len(QUESTIONS)] for i in range(50)]

    def ask(job):
        question, paragraph = job
        status, body = post(server_process, "/api/ask", {"question": question, "top_k": 3})
        return status == 200 and body["question"] == question and body["passages"][0]["text"].startswith(paragraph)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(ask, jobs))
    assert all(results), f"{results.count(False)} of 50 answers were wrong"


def test_bad_input_over_real_http(server_process):
    status, body = post(server_process, "/api/ask", {"question": ""})
    assert status == 400 and body["error"]
    with urllib.request.urlopen(server_process + "/", timeout=10) as response:
        assert "ask-form" in response.read().decode()


def test_first_start_builds_the_index_from_the_seeds_and_ctrl_c_stops(tmp_path):
    index_dir = tmp_path / "fresh"
    server = ServerProcess(index_dir, argv=[sys.executable, str(ROOT / "server.py")], cwd=ROOT)
    server.wait_ready()
    process, base = server.process, server.base
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
            assert json.loads(response.read())["passages"] == 15
        assert (index_dir / "current" / "manifest.json").is_file()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    assert "Traceback" not in server.errors()


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
        return [int(child) for child in handle.read().split()]


def test_several_worker_processes_share_the_port_and_stop_together(seed_index_dir):
    server = ServerProcess(seed_index_dir, "--workers", "2", argv=[sys.executable, str(ROOT / "server.py")], cwd=ROOT)
    server.wait_ready()
    try:
        workers = _children(server.process.pid)
        assert len(workers) == 2
        for question, paragraph in QUESTIONS:
            status, body = post(server.base, "/api/ask", {"question": question})
            assert status == 200 and body["passages"][0]["text"].startswith(paragraph)
    finally:
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(timeout=30) == 0
    assert not any(
        os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z" for pid in workers
    )
    assert "Traceback" not in server.errors()


def test_the_development_server_is_behind_dev(seed_index_dir):
    server = ServerProcess(seed_index_dir, "--dev", argv=[sys.executable, str(ROOT / "server.py")], cwd=ROOT)
    server.wait_ready()
    try:
        with urllib.request.urlopen(server.base + "/healthz", timeout=10) as response:
            assert response.headers["Server"].strip() == "qa" and response.headers["X-Frame-Options"] == "DENY"
    finally:
        server.stop()
