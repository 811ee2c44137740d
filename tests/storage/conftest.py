"""Fixtures of the storage tier: a small hash-encoder index that accepts writes, and its test client,
on each record backend: SQLite always, PostgreSQL when its server binaries are installed.

One PostgreSQL cluster and database serve the whole session (started by the tests themselves on
127.0.0.1, an ephemeral port); every index generation has a schema of its own there, so each test
still starts from an empty record. A test about SQLite's own file is marked `sqlite_only`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from qa import create_app
from qa.config import load_settings
from qa.lab import postgres
from qa.service import QAService

from ..conftest import DATA

KEY = "s3cret-key"
BACKENDS = ("sqlite", "postgresql")


def _postgres_missing() -> str | None:
    """Why PostgreSQL cannot be tested here, or None."""
    if not postgres.available():
        return f"PostgreSQL server binaries not found in {postgres.BIN_DIR} (apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[pg]')"
    return None


@pytest.fixture(scope="session")
def postgres_cluster():
    """One PostgreSQL server for the session, removed at its end."""
    reason = _postgres_missing()
    if reason:
        pytest.skip(reason)
    cluster = postgres.PostgresCluster.create(Path(tempfile.mkdtemp(prefix="qa-pg-")) / "cluster")
    cluster.start()
    cluster.sql("CREATE DATABASE qa_tests")
    yield cluster
    cluster.remove()


@pytest.fixture(params=BACKENDS)
def database_url(request) -> str:
    """'' (SQLite in the index directory) or the URL of the session's PostgreSQL database."""
    if request.param == "sqlite":
        yield ""
        return
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("about SQLite's own file")
    yield request.getfixturevalue("postgres_cluster").database_url("qa_tests")


@pytest.fixture
def hash_settings(tmp_path, database_url):
    """Settings for a throw-away index with the deterministic test encoder, on each backend."""
    return load_settings(
        {"index_dir": str(tmp_path / "index"), "encoder": "hash:64", "database_url": database_url}, environ={}
    )


@pytest.fixture
def write_service(tmp_path, database_url):
    settings = load_settings(
        {
            "index_dir": str(tmp_path / "index"),
            "encoder": "hash:64",
            "api_key": KEY,
            "vector_cache": "",
            "database_url": database_url,
        },
        environ={},
    )
    service = QAService(settings)
    service.build([DATA])
    yield service
    service.close()


@pytest.fixture
def write_client(write_service):
    app = create_app(write_service)
    app.config["TESTING"] = True
    return app.test_client()
