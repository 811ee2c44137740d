"""A newsroom's own folder through the real `qa` command: pages, feeds, front matter and a CSV export
indexed together, each file's articles listed with their title, date, source and url, nothing of the
markup in a passage, a file nobody can read named (and an error with --strict), and an edited file
added again replacing its earlier version."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa.text.ingest import read_file

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
FORMATS = Path(__file__).resolve().parents[1] / "formats_data"
READABLE = ["zoo-okapi.html", "harbour-ferry.html", "wire.rss", "harbour.atom", "okapi.md", "export.csv"]


def _qa(*args: str, index_dir: Path) -> subprocess.CompletedProcess:
    command = [str(BIN / "qa"), *args, "--index-dir", str(index_dir)]
    env = {"QA_ENCODER": "hash:64", "QA_VECTOR_CACHE": "", "PATH": str(BIN)}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture
def newsroom(tmp_path) -> Path:
    folder = tmp_path / "newsroom"
    (folder / "feeds").mkdir(parents=True)
    for name in READABLE:
        shutil.copy(FORMATS / name, folder / ("feeds" if name.endswith(("rss", "atom")) else "") / name)
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    return folder


def test_a_mixed_folder_is_listed_as_its_files_say(newsroom, tmp_path):
    index_dir = tmp_path / "index"
    built = _qa("index", str(newsroom), index_dir=index_dir)
    assert built.returncode == 0, built.stderr
    assert "scan.pdf" in built.stderr  # the skipped file is named with its reason, not passed over silently
    listed = json.loads(_qa("list", "--json", "--limit", "100", index_dir=index_dir).stdout)["documents"]
    expected = [d for name in READABLE for d in read_file(FORMATS / name)]
    assert sorted(d["id"] for d in listed) == sorted(d.id for d in expected)
    by_id = {d["id"]: d for d in listed}
    for document in expected:
        stored = by_id[document.id]
        assert (stored["title"], stored["date"], stored["source"], stored["url"]) == (
            document.title,
            document.date,
            document.source,
            document.url,
        )
        assert not stored["source"].endswith((".html", ".rss", ".atom", ".md", ".csv"))  # no file names
        shown = json.loads(_qa("show", document.id, "--json", index_dir=index_dir).stdout)
        texts = [p["text"] for p in shown["passages"]]
        assert texts and not any(mark in t for t in texts for mark in ("<", "---", "cookie", "Cookie"))


def test_strict_refuses_a_folder_with_an_unreadable_file_in_one_line(newsroom, tmp_path):
    result = _qa("index", str(newsroom), "--strict", index_dir=tmp_path / "index")
    assert result.returncode == 2
    assert "scan.pdf" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "index").exists() or not any((tmp_path / "index").glob("*/manifest.json"))


def test_an_edited_file_added_again_replaces_its_earlier_version(tmp_path):
    folder = tmp_path / "desk"
    folder.mkdir()
    article = folder / "hafen.txt"
    article.write_text("Der Hafen meldet einen Rekord.\n\nUmgeschlagen wurden 2,1 Millionen TEU.\n", "utf-8")
    index_dir = tmp_path / "index"
    assert _qa("index", str(folder), index_dir=index_dir).returncode == 0
    article.write_text("Der Hafen meldet einen Rekord.\n\nUmgeschlagen wurden 2,2 Millionen TEU.\n", "utf-8")
    added = _qa("add", str(folder), index_dir=index_dir)
    assert added.returncode == 0, added.stderr
    listed = json.loads(_qa("list", "--json", index_dir=index_dir).stdout)["documents"]
    assert len(listed) == 1  # one article, the corrected one
    shown = json.loads(_qa("show", listed[0]["id"], "--json", index_dir=index_dir).stdout)
    assert any("2,2 Millionen" in p["text"] for p in shown["passages"])
    assert not any("2,1 Millionen" in p["text"] for p in shown["passages"])
