"""The PostgreSQL test clusters: a primary, its streaming standby, a hard kill and a promotion."""

from __future__ import annotations

import time

import pytest

from qa.lab import postgres

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not postgres.available(), reason=f"PostgreSQL server binaries not found in {postgres.BIN_DIR}"),
]


def _wait_for(cluster: postgres.PostgresCluster, statement: str, expected: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while cluster.sql(statement).strip() != expected:
        assert time.monotonic() < deadline, f"{statement!r} never gave {expected!r}"
        time.sleep(0.02)


def test_standby_follows_survives_the_primary_and_takes_writes_once_promoted(tmp_path):
    primary = postgres.PostgresCluster.create(tmp_path / "primary")
    primary.start()
    try:
        assert primary.url.startswith("postgresql://qa@127.0.0.1:")
        primary.sql("CREATE TABLE notes (n int)")
        primary.sql("INSERT INTO notes VALUES (1)")
        standby = primary.standby(tmp_path / "standby")
        try:
            primary.sql("INSERT INTO notes VALUES (2)")
            _wait_for(standby, "SELECT count(*) FROM notes", "2")
            with pytest.raises(RuntimeError, match="read-only"):
                standby.sql("INSERT INTO notes VALUES (3)")

            primary.kill()
            assert primary.pid() is None
            assert standby.sql("SELECT count(*) FROM notes").strip() == "2"

            standby.promote()
            standby.sql("INSERT INTO notes VALUES (3)")
            assert standby.sql("SELECT count(*) FROM notes").strip() == "3"
        finally:
            standby.remove()
        primary.start()  # recovers from its WAL after the kill
        assert primary.sql("SELECT count(*) FROM notes").strip() == "2"
        primary.stop("fast")
        assert primary.pid() is None
    finally:
        primary.remove()
