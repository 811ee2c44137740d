"""The API contract as bots meet it: a fuzzer finds no request the spec allows and the server refuses,
and a client generated from /openapi.json builds without warnings and gets the seed article's answer."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from ..conftest import start_server
from ..web.test_documents_http import KEY, copy_index

BIN = Path(sys.executable).parent
QUESTION = "Wer nimmt an dem Treffen nur virtuell teil?"
HEADING = "Merz nimmt nur virtuell an dem Treffen teil"
# openapi-python-client has no type for bodies that are plain text; it sends them as bytes.
CLIENT_CONFIG = """content_type_overrides:
  text/plain: application/octet-stream
  application/x-ndjson: application/octet-stream
"""


@pytest.fixture
def contract_server(seed_index_dir, tmp_path_factory):
    """A real server with a write key, on its own copy of the seed index (the fuzzer adds and deletes
    articles, the seed one too)."""
    index_dir = copy_index(seed_index_dir, tmp_path_factory.mktemp("contract") / "index")
    process, base = start_server(index_dir, env={"QA_API_KEY": KEY})
    yield base
    process.terminate()
    process.communicate(timeout=30)


def test_schemathesis_finds_no_contract_violation(contract_server):
    """Every check schemathesis has, bounded in examples and time so it stays a minute or two."""
    result = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "run",
            f"{contract_server}/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {KEY}",
            "--max-examples",
            "25",
            "--max-time",
            "90",
            "--workers",
            "1",
            "--seed",
            "14",
            "--request-timeout",
            "60",
            "--max-response-time",
            "60",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in result.stdout and "failure" not in result.stdout.split("SUMMARY")[-1].replace("0 failures", "")


def test_generated_client_builds_without_warnings_and_asks(contract_server, tmp_path, monkeypatch):
    spec_path = tmp_path / "openapi.json"
    with urllib.request.urlopen(f"{contract_server}/openapi.json", timeout=10) as response:
        spec_path.write_bytes(response.read())
    (tmp_path / "config.yml").write_text(CLIENT_CONFIG)
    result = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec_path),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "news_client"),
            "--config",
            str(tmp_path / "config.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output

    monkeypatch.syspath_prepend(str(tmp_path))
    client_module = importlib.import_module("news_client")
    ask = importlib.import_module("news_client.api.default.ask")
    models = importlib.import_module("news_client.models")
    spec = json.loads(spec_path.read_text())
    example = spec["components"]["schemas"]["Ask"]["properties"]["question"]["examples"][0]
    with client_module.Client(base_url=contract_server) as client:
        answer = ask.sync(client=client, body=models.Ask(question=QUESTION, top_k=3))
        # The spec's own example is a request the server answers as it is.
        example_answer = ask.sync(client=client, body=models.Ask(question=example))
    assert isinstance(answer, models.Answer), answer
    assert answer.no_answer is False and len(answer.passages) == 3
    assert answer.passages[0].heading == HEADING
    assert answer.passages[0].document.date.isoformat() == "2025-09-04"
    assert example_answer.passages[0].heading == HEADING
