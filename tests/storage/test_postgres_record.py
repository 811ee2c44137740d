"""What only the PostgreSQL record has to show: the same BM25 scores as SQLite's FTS5, a change log in
commit order under concurrent writers, `qa db init`, and one-line errors for a database that cannot
be used."""

from __future__ import annotations

import threading

import pytest

from qa.cli import cli
from qa.config import load_settings
from qa.lab.http import free_port
from qa.records import Document, Section
from qa.service import QAService
from qa.storage import fts, record

from ..conftest import DATA

QUESTIONS = (
    ("Wann fährt die Fähre zum Hafen?", "de"),
    ("Was kostet das Brot in der Bäckerei?", "de"),
    ("ferry harbour bakery bread", "en"),
    ("Hafen", "de"),
)


def _service(tmp_path, name: str, database_url: str) -> QAService:
    settings = load_settings(
        {"index_dir": str(tmp_path / name), "encoder": "hash:64", "vector_cache": "", "database_url": database_url},
        environ={},
    )
    service = QAService(settings)
    service.build([DATA])
    return service


def _lexical(service: QAService) -> list[list[tuple[int, float]]]:
    with service.index.reader() as conn:
        return [fts.search(conn, question, language, 10, only_language=False) for question, language in QUESTIONS]


def _same_scores(left: list, right: list) -> None:
    assert [[pid for pid, _ in rows] for rows in left] == [[pid for pid, _ in rows] for rows in right]
    for rows_left, rows_right in zip(left, right, strict=True):
        for (_, a), (_, b) in zip(rows_left, rows_right, strict=True):
            assert a == pytest.approx(b, rel=1e-12)


def test_bm25_scores_equal_sqlites_also_after_replacing_and_removing(tmp_path, postgres_cluster):
    sqlite_service = _service(tmp_path, "sqlite", "")
    pg_service = _service(tmp_path, "pg", postgres_cluster.database_url("qa_tests"))
    try:
        assert any(_lexical(sqlite_service)), "the questions must match something"
        _same_scores(_lexical(sqlite_service), _lexical(pg_service))
        ferry = Document("ferry", "Fähre", "2025-06-01", "local", (Section("", "Die Fähre fährt zum Hafen. " * 3),))
        for service in (sqlite_service, pg_service):
            service.add_documents([ferry])
            service.add_documents([Document("ferry", "Fähre", None, "local", (Section("", "Der Hafen ruht."),))])
            service.remove_document("rec-1")
        _same_scores(_lexical(sqlite_service), _lexical(pg_service))
    finally:
        sqlite_service.close()
        pg_service.close()


def test_concurrent_writers_leave_a_change_log_every_follower_replays_exactly(tmp_path, postgres_cluster):
    url = postgres_cluster.database_url("qa_tests")
    first = _service(tmp_path, "index", url)
    settings = first.settings
    second, follower = QAService(settings), QAService(settings)
    stop = threading.Event()

    def write(service: QAService, prefix: str) -> None:
        for n in range(8):
            text = f"Meldung {prefix} {n}: Der Hafen von Kiel meldet {n} neue Fähren."
            service.add_documents([Document(f"{prefix}-{n}", f"Meldung {n}", None, prefix, (Section("", text),))])
        service.remove_document(f"{prefix}-0")

    def follow() -> None:
        while not stop.is_set():
            follower.index.refresh()

    threads = [threading.Thread(target=write, args=(s, p)) for s, p in ((first, "a"), (second, "b"))]
    reader = threading.Thread(target=follow)
    try:
        reader.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        stop.set()
        reader.join(timeout=60)
        follower.index.refresh()
        with follower.index.reader() as conn:
            stored = {row[0] for row in conn.execute("SELECT id FROM passages")}
            assert record.counts(conn)[0] == 4 + 2 * 7
        assert set(follower.index.facts.alive.nonzero()[0].tolist()) == stored
        assert len(follower.index.vectors) == len(stored)
    finally:
        stop.set()
        for service in (first, second, follower):
            service.close()


def test_db_init_creates_the_database_once(postgres_cluster, runner):
    url = postgres_cluster.database_url("fresh_one")
    created = runner.invoke(cli, ["db", "init", url])
    assert created.exit_code == 0 and "created database" in created.stdout
    again = runner.invoke(cli, ["db", "init"], env={"QA_DATABASE_URL": url})
    assert again.exit_code == 0 and "is ready" in again.stdout


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql://qa@127.0.0.1:{free_port()}/qa", "cannot be reached"),
        ("mysql://qa@127.0.0.1/qa", "must be a postgresql:// URL"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line(url, expected, tmp_path, runner):
    env = {"QA_DATABASE_URL": url, "QA_VECTOR_CACHE": ""}
    for args in (["index", str(DATA), "--index-dir", str(tmp_path / "index"), "--encoder", "hash:64"], ["db", "init"]):
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 2, result.output
        assert expected in result.stderr and result.stderr.strip().count("\n") == 0, result.stderr


def test_an_index_built_on_postgresql_asks_for_its_database(tmp_path, postgres_cluster, runner):
    service = _service(tmp_path, "index", postgres_cluster.database_url("qa_tests"))
    service.close()
    result = runner.invoke(cli, ["list", "--index-dir", str(tmp_path / "index"), "--encoder", "hash:64"], env={})
    assert result.exit_code == 2 and "keeps its record in postgresql" in result.stderr
    assert "QA_DATABASE_URL" in result.stderr
