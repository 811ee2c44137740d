"""/metrics under gunicorn with two workers: whichever worker answers the scrape, it counts all requests."""

from __future__ import annotations

import urllib.request

from ..conftest import start_gunicorn
from ..web.test_documents_http import copy_index

QUESTION = "Wer nimmt an dem Treffen nur virtuell teil?"


def _asked(base: str) -> float:
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        text = response.read().decode()
    lines = [
        line
        for line in text.splitlines()
        if line.startswith("qa_http_request_duration_seconds_count{") and 'endpoint="/api/ask"' in line
    ]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


def test_two_gunicorn_workers_share_their_metrics(seed_index_dir, tmp_path):
    index_dir = copy_index(seed_index_dir, tmp_path / "index")
    (tmp_path / "metrics").mkdir()
    process, base = start_gunicorn(index_dir, {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")})
    pids = set()
    try:
        for _ in range(12):
            request = urllib.request.Request(
                base + "/api/ask", data=b'{"question": "%s"}' % QUESTION.encode(), method="POST"
            )
            request.add_header("Content-Type", "application/json")
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200
        pids = {path.name for path in (tmp_path / "metrics").iterdir()}
        # Every scrape, whichever worker takes it, sums the samples of both workers.
        assert [_asked(base) for _ in range(6)] == [12.0] * 6
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)
    assert "Traceback" not in err, err[-2000:]
    assert len({name.rsplit("_", 1)[-1] for name in pids}) >= 2, f"one worker answered everything: {pids}"
