"""Several server processes on one index directory see each other's writes, without restarting."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from ..conftest import ROOT, start_gunicorn, start_server
from ..web.test_documents_http import BIKES, BIKES_QUESTION, KEY, LIBRARY, LIBRARY_QUESTION, call, copy_index, top


def _top_id(base: str, question: str) -> str | None:
    """The document of the top answer. Every request first applies the changes other processes
    committed, so the first question after a write's answer must already see it (well within 1 s;
    `qa bench writes` measures the time)."""
    hit = top(base, question)
    return hit["document"]["id"] if hit else None


def test_two_server_processes_on_one_index_see_each_others_writes(seed_index_dir, tmp_path):
    index_dir = copy_index(seed_index_dir, tmp_path / "index")
    first, a = start_server(index_dir, env={"QA_API_KEY": KEY})
    second, b = start_server(index_dir, env={"QA_API_KEY": KEY})
    try:
        assert call(a, "POST", "/api/documents", {"id": "library", "text": LIBRARY})[0] == 201
        assert _top_id(b, LIBRARY_QUESTION) == "library"
        assert call(b, "POST", "/api/documents", {"id": "bikes", "text": BIKES})[0] == 201
        assert _top_id(a, BIKES_QUESTION) == "bikes"
        assert call(b, "DELETE", "/api/documents/library")[0] == 204
        assert _top_id(a, LIBRARY_QUESTION) != "library"
        assert call(a, "GET", "/api/documents/library", key=None)[0] == 404
        assert call(b, "GET", "/healthz", key=None)[1] == call(a, "GET", "/healthz", key=None)[1]
    finally:
        for process in (first, second):
            process.terminate()
            process.communicate(timeout=30)


@pytest.mark.skipif(shutil.which("gunicorn", path=os.path.dirname(sys.executable)) is None, reason="no gunicorn")
def test_gunicorn_with_two_workers_serves_writes_to_both(seed_index_dir, tmp_path):
    index_dir = copy_index(seed_index_dir, tmp_path / "index")
    process, base = start_gunicorn(index_dir, {"QA_API_KEY": KEY, "QA_LOG_LEVEL": "WARNING"})
    try:
        assert call(base, "POST", "/api/documents", {"id": "library", "text": LIBRARY})[0] == 201
        # Whichever worker answers, each of these questions finds the new article.
        for _ in range(8):
            assert _top_id(base, LIBRARY_QUESTION) == "library"
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)
    assert "Traceback" not in err, err[-2000:]


def test_a_rebuild_while_serving_keeps_articles_added_at_run_time(seed_index_dir, tmp_path):
    index_dir = copy_index(seed_index_dir, tmp_path / "index")
    process, base = start_server(index_dir, env={"QA_API_KEY": KEY})
    try:
        assert call(base, "POST", "/api/documents", {"id": "library", "text": LIBRARY})[0] == 201
        rebuilt = subprocess.run(
            [sys.executable, "-m", "qa.cli", "index", str(ROOT / "seeds"), "--index-dir", str(index_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "QA_VECTOR_CACHE": ""},
        )
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert _top_id(base, LIBRARY_QUESTION) == "library"
        assert call(base, "POST", "/api/documents", {"id": "bikes", "text": BIKES})[0] == 201
        assert _top_id(base, BIKES_QUESTION) == "bikes"
        _status, listing = call(base, "GET", "/api/documents", key=None)
        assert {"library", "bikes"} <= {d["id"] for d in listing["documents"]} and listing["total"] == 3
    finally:
        process.terminate()
        process.communicate(timeout=30)
