"""Add, replace and delete through a real `python server.py` and through the `qa` CLI, with the real encoder.

Each change is checked by asking a question whose answer only that article holds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from ..conftest import ROOT, start_server

KEY = "test-key-7f3a"
LIBRARY = (
    "date 2025-10-02 Die Stadtbibliothek Wittenberge verleiht seit Montag auch Nähmaschinen.\n\n"
    "Wer einen Bibliotheksausweis hat, kann eine der zwölf Nähmaschinen für zwei Wochen mit nach Hause nehmen, "
    "teilte die Leiterin der Bibliothek mit."
)
LIBRARY_QUESTION = "Was verleiht die Stadtbibliothek Wittenberge seit Montag?"
BIKES = (
    "date 2025-10-03 Die Stadtbibliothek Wittenberge verleiht ab sofort Lastenräder.\n\n"
    "Drei elektrische Lastenräder stehen vor dem Eingang und können für einen Tag ausgeliehen werden, "
    "sagte die Leiterin der Bibliothek."
)
BIKES_QUESTION = "Which cargo bikes can you borrow from the Wittenberge library?"


def call(base: str, method: str, path: str, body=None, key: str | None = KEY) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def top(base: str, question: str) -> dict | None:
    status, body = call(base, "POST", "/api/ask", {"question": question, "top_k": 3}, key=None)
    assert status == 200, body
    return body["passages"][0] if body["passages"] else None


def copy_index(source, target):
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture(scope="module")
def writable_server(seed_index_dir, tmp_path_factory):
    index_dir = copy_index(seed_index_dir, tmp_path_factory.mktemp("writable") / "index")
    process, base = start_server(index_dir, env={"QA_API_KEY": KEY})
    yield base, index_dir
    process.terminate()
    process.communicate(timeout=30)


def test_add_replace_delete_over_http(writable_server):
    base, _ = writable_server
    status, body = call(base, "POST", "/api/documents", {"id": "library", "text": LIBRARY})
    assert status == 201 and body["documents"] == [{"id": "library", "status": "added", "passage_count": 2}]
    hit = top(base, LIBRARY_QUESTION)
    assert hit["document"]["id"] == "library" and "Nähmaschinen" in hit["text"]

    status, body = call(base, "POST", "/api/documents", {"id": "library", "text": LIBRARY})
    assert status == 201 and body["documents"][0]["status"] == "unchanged"

    status, body = call(base, "POST", "/api/documents", {"id": "library", "text": BIKES})
    assert status == 201 and body["documents"][0]["status"] == "replaced"
    passages = body["documents"][0]["passage_count"]
    hit = top(base, BIKES_QUESTION)
    assert hit["document"]["id"] == "library" and "Lastenräder" in hit["text"]
    old = top(base, LIBRARY_QUESTION)
    assert old is None or "Nähmaschinen" not in old["text"], "the replaced version is still answered"

    status, body = call(base, "GET", "/api/documents/library", key=None)
    assert status == 200 and body["date"] == "2025-10-03" and len(body["passages"]) == passages

    status, _ = call(base, "DELETE", "/api/documents/library")
    assert status == 204
    gone = top(base, BIKES_QUESTION)
    assert gone is None or gone["document"]["id"] != "library"
    assert call(base, "GET", "/api/documents/library", key=None)[0] == 404
    assert call(base, "DELETE", "/api/documents/library")[0] == 404


def test_auth_over_http(writable_server, server_process):
    base, _ = writable_server
    record = {"id": "auth-check", "text": LIBRARY}
    status, body = call(base, "POST", "/api/documents", record, key=None)
    assert status == 401 and "Bearer" in body["error"]
    assert call(base, "POST", "/api/documents", record, key="wrong")[0] == 401
    assert call(base, "DELETE", "/api/documents/auth-check", key="wrong")[0] == 401
    assert call(base, "POST", "/api/documents", record)[0] == 201
    assert call(base, "DELETE", "/api/documents/auth-check")[0] == 204
    # The session's server runs without QA_API_KEY: writes are switched off, reads stay open.
    status, body = call(server_process, "POST", "/api/documents", record)
    assert status == 403 and "QA_API_KEY" in body["error"]
    assert call(server_process, "GET", "/api/documents", key=None)[0] == 200


def _qa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_cli_add_list_remove_reach_the_running_server(writable_server, tmp_path):
    base, index_dir = writable_server
    article = tmp_path / "bikes.txt"
    article.write_text(BIKES, encoding="utf-8")
    added = _qa("add", str(article), "--index-dir", str(index_dir))
    assert added.returncode == 0, added.stderr
    doc_id = added.stdout.split()[1]
    # The server applies the change log at every request: the first question sees the CLI's write.
    assert top(base, BIKES_QUESTION)["document"]["id"] == doc_id
    listed = _qa("list", "--index-dir", str(index_dir), "--json")
    assert doc_id in {d["id"] for d in json.loads(listed.stdout)["documents"]}
    removed = _qa("remove", doc_id, "--index-dir", str(index_dir))
    assert removed.returncode == 0, removed.stderr
    assert (top(base, BIKES_QUESTION) or {"document": {"id": None}})["document"]["id"] != doc_id
    again = _qa("remove", doc_id, "--index-dir", str(index_dir))
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "no document" in again.stderr
