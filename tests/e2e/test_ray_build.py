"""`qa index --ray` and `qa add --ray` on a local Ray cluster build the same index as without Ray.

Each build runs as a user runs it, `qa ...` in its own process (Ray then starts and stops its own
local cluster on 127.0.0.1); the test compares the two index directories: documents, passage ids
and order, every passage and sentence vector bit for bit, and the answers to the corpus's questions.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import DATA, ROOT, XQUAD

pytestmark = [
    pytest.mark.skipif(not (XQUAD / "xquad.de.json").is_file(), reason=f"XQuAD dev data absent: {XQUAD}"),
]
ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install -e '.[ray]'")

ARTICLES = 2
PARAGRAPHS = 3


def _qa(*args: str, index_dir: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "QA_RAY_ADDRESS"}
    environ.update({"QA_INDEX_DIR": str(index_dir), "QA_VECTOR_CACHE": "", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[str]]:
    """A JSONL file of the first paragraphs of the first XQuAD articles (German and English), and
    the questions asked about them."""
    folder = tmp_path_factory.mktemp("ray-corpus")
    records, questions = [], []
    for language in ("de", "en"):
        data = json.loads((XQUAD / f"xquad.{language}.json").read_text(encoding="utf-8"))["data"]
        for a, article in enumerate(data[:ARTICLES]):
            for p, paragraph in enumerate(article["paragraphs"][:PARAGRAPHS]):
                records.append({"id": f"{language}-{a}-{p}", "title": article["title"], "text": paragraph["context"]})
                questions.extend(qa["question"] for qa in paragraph["qas"])
    path = folder / "xquad.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path, questions


def _contents(index_dir: Path) -> dict:
    conn = sqlite3.connect(index_dir / "current" / "qa.sqlite")
    try:
        return {
            "documents": conn.execute("SELECT id, title, language, content_hash FROM documents ORDER BY id").fetchall(),
            "passages": conn.execute(
                "SELECT id, document_id, position, text, language, vector FROM passages ORDER BY id"
            ).fetchall(),
            "sentences": conn.execute(
                "SELECT id, passage_id, start, end, vector FROM sentences ORDER BY id"
            ).fetchall(),
        }
    finally:
        conn.close()


def _answers(index_dir: Path, questions: list[str]) -> list[list[tuple[str, float]]]:
    from qa.config import load_settings
    from qa.service import QAService

    service = QAService(load_settings({"index_dir": str(index_dir), "vector_cache": ""}, environ={}))
    try:
        answers = service.ask_many(questions, 5)
        return [[(hit.passage_id, hit.score) for hit in answer.hits] for answer in answers]
    finally:
        service.close()


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory) -> tuple[Path, Path]:
    path, _questions = corpus
    plain, through_ray = tmp_path_factory.mktemp("plain") / "index", tmp_path_factory.mktemp("ray") / "index"
    local = _qa("index", str(path), "--json", index_dir=plain)
    assert local.returncode == 0, local.stderr
    remote = _qa("index", str(path), "--json", "--ray", index_dir=through_ray, env={"QA_LOG_LEVEL": "INFO"})
    assert remote.returncode == 0, remote.stderr[-3000:]
    assert "first vectors after" in remote.stderr and "encoded" in remote.stderr
    return plain, through_ray


def test_ray_build_stores_the_same_index_bit_for_bit(built):
    plain, through_ray = built
    expected, actual = _contents(plain), _contents(through_ray)
    assert len(expected["passages"]) >= ARTICLES * PARAGRAPHS * 2
    assert len(expected["sentences"]) > len(expected["passages"])
    for table in ("documents", "passages", "sentences"):
        assert actual[table] == expected[table], table


def test_ray_build_answers_the_xquad_questions_the_same(built, corpus):
    plain, through_ray = built
    _path, questions = corpus
    assert len(questions) >= 20
    expected = _answers(plain, questions)
    assert sum(1 for hits in expected if hits) >= len(questions) // 2
    assert _answers(through_ray, questions) == expected


def test_add_through_ray_stores_what_add_without_it_stores(built, tmp_path):
    plain, through_ray = built
    for index_dir in (plain, through_ray):
        extra = ["--ray"] if index_dir == through_ray else []
        result = _qa("add", str(DATA / "harbour.md"), str(DATA / "bakery.txt"), "--json", *extra, index_dir=index_dir)
        assert result.returncode == 0, result.stderr[-3000:]
        assert {d["status"] for d in json.loads(result.stdout)["documents"]} == {"added"}
    assert _contents(through_ray) == _contents(plain)


def test_a_failed_ray_run_leaves_the_index_as_it_was_and_says_why(built):
    _plain, through_ray = built
    before = _contents(through_ray)
    current = os.readlink(through_ray / "current")
    # A cluster with no GPU cannot hold an actor that wants one: the run fails before storing anything.
    result = _qa("index", str(DATA), "--ray", index_dir=through_ray, env={"QA_RAY_ACTOR_GPUS": "1"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: the Ray cluster has")
    assert "Traceback" not in result.stderr
    # No Ray cluster at that address (loopback, nothing listens): one line, exit 2.
    result = _qa("index", str(DATA), "--ray", "127.0.0.1:9", index_dir=through_ray, timeout=300)
    assert result.returncode == 2 and "cannot reach the Ray cluster at '127.0.0.1:9'" in result.stderr
    assert os.readlink(through_ray / "current") == current and _contents(through_ray) == before
    assert not [p for p in through_ray.iterdir() if p.name.startswith(".building")]


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def _encoder_actor_pids(ancestor: int) -> list[int]:
    """Processes of Ray actors that hold the encoder (their title names the actor class) and descend
    from `ancestor` (the local cluster this run started: not another Ray user's on the machine)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if command.startswith("ray::") and "_EncodeActor" in command:
            pid = int(entry.name)
            while pid > 1 and pid != ancestor:
                pid = _parent(pid)
            if pid == ancestor:
                pids.append(int(entry.name))
    return pids


def test_a_killed_encoder_worker_is_replaced_and_the_build_completes_the_same(tmp_path):
    """kill -9 of an encoding actor mid-run: Ray restarts it and retries its calls; the index is the
    one a build without Ray stores, bit for bit."""
    import signal
    import time

    records = []
    data = json.loads((XQUAD / "xquad.de.json").read_text(encoding="utf-8"))["data"]
    for a, article in enumerate(data[:4]):
        for p, paragraph in enumerate(article["paragraphs"]):
            records.append({"id": f"kill-{a}-{p}", "title": article["title"], "text": paragraph["context"]})
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k != "QA_RAY_ADDRESS"}
    environ.update({"QA_INDEX_DIR": str(tmp_path / "ray" / "index"), "QA_VECTOR_CACHE": "", "QA_LOG_LEVEL": "INFO"})
    environ["QA_ENCODE_BATCH_SIZE"] = "4"  # many small calls: the kill lands mid-run
    log = tmp_path / "ray.log"
    with open(log, "w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "qa.cli", "index", str(path), "--json", "--ray"],
            cwd=ROOT,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        killed = None
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline and killed is None:
            if "first vectors after" in log.read_text(errors="replace"):
                pids = _encoder_actor_pids(process.pid)
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                    killed = pids[0]
            time.sleep(0.2)
        stdout, _ = process.communicate(timeout=600)
    stderr = log.read_text(errors="replace")
    assert killed is not None, "no encoder actor was found running to kill:\n" + stderr[-2000:]
    assert process.returncode == 0, stderr[-3000:]
    summary = [line for line in stdout.splitlines() if line.startswith("{")]
    assert summary and json.loads(summary[-1])["passages"] >= len(records), stdout[-2000:]
    plain = _qa("index", str(path), "--json", index_dir=tmp_path / "plain" / "index", env={"QA_ENCODE_BATCH_SIZE": "4"})
    assert plain.returncode == 0, plain.stderr[-2000:]
    assert _contents(tmp_path / "ray" / "index") == _contents(tmp_path / "plain" / "index")
