"""Shared fixtures: small hash-encoder indexes for unit tests, the real encoder for end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qa.lab.http import ServerProcess, free_port, wait_until_responds  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parent.parent
# The slow tiers: real servers, the browser and the benchmarks. `pytest` skips them; `pytest -m slow`
# runs them (so does .ci/run).
SLOW_FOLDERS = ("e2e", "lab")
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT / "seeds"
XQUAD = ROOT.parent / "shared" / "bench" / "xquad"


@pytest.fixture
def hash_settings(tmp_path):
    """Settings for a throw-away index with the deterministic test encoder."""
    from qa.config import load_settings

    return load_settings({"index_dir": str(tmp_path / "index"), "encoder": "hash:64"}, environ={})


@pytest.fixture
def hash_service(hash_settings):
    from qa.service import QAService

    service = QAService(hash_settings)
    service.build([DATA])
    yield service
    service.close()


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory) -> Path:
    """The seed article indexed once per test session with the real default encoder."""
    from qa.config import load_settings
    from qa.service import QAService

    index_dir = tmp_path_factory.mktemp("seed") / "index"
    service = QAService(load_settings({"index_dir": str(index_dir)}, environ={}))
    service.build([SEEDS])
    service.close()
    return index_dir


@pytest.fixture(scope="session")
def seed_service(seed_index_dir):
    from qa.config import load_settings
    from qa.service import QAService

    service = QAService(load_settings({"index_dir": str(seed_index_dir)}, environ={}))
    yield service
    service.close()


@pytest.fixture(scope="session")
def app(seed_service):
    from qa import create_app

    app = create_app(seed_service)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture(scope="session")
def live_server(app):
    """The app on a real werkzeug server on 127.0.0.1 and an ephemeral port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def start_server(index_dir: Path, *args: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`python server.py` as a user starts it, in its own process, ready to answer."""
    server = ServerProcess(index_dir, *args, env=env, argv=[sys.executable, str(ROOT / "server.py")], cwd=ROOT)
    server.wait_ready()
    return server.process, server.base


def start_gunicorn(index_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """`gunicorn -w 2 --threads 2 'qa:create_app()'` on a free loopback port, as the README runs it,
    ready to answer; its stderr is a pipe the caller reads after terminating it."""
    port = free_port()
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", "2", "--threads", "2"]
        + ["-b", f"127.0.0.1:{port}", "qa:create_app()"],
        cwd=ROOT,
        env={**os.environ, "QA_INDEX_DIR": str(index_dir), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_responds(base + "/healthz", process=process)
    return process, base


@pytest.fixture(scope="session")
def server_process(seed_index_dir):
    process, base = start_server(seed_index_dir)
    yield base
    process.terminate()
    process.communicate(timeout=20)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.path)).parent.name in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)
