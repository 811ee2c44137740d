"""The API contract as bots meet it: a fuzzer finds no request the spec allows and the server refuses,
and a client generated from /openapi.json builds without warnings, imports whole, adds an article and
answers about it, and every one of its operations works."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from ..conftest import ROOT, start_server
from ..web.test_documents_http import KEY, copy_index

BIN = Path(sys.executable).parent
QUESTION = "Wer nimmt an dem Treffen nur virtuell teil?"
HEADING = "Merz nimmt nur virtuell an dem Treffen teil"
# The config the README points to: a bot author generates the client with it.
CLIENT_CONFIG = ROOT / "qa" / "web" / "openapi-python-client.yml"
OKAPI = "Der Zoo hat ein junges Okapi vorgestellt.\n\nEs heißt Quirin und wiegt 16 Kilo."


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


def _generate_client(base: str, target: Path) -> Path:
    """The client as the README generates it: from the live spec, with the config kept in the repository."""
    spec_path = target / "openapi.json"
    with urllib.request.urlopen(f"{base}/openapi.json", timeout=10) as response:
        spec_path.write_bytes(response.read())
    result = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec_path),
            "--meta",
            "none",
            "--output-path",
            str(target / "news_client"),
            "--config",
            str(CLIENT_CONFIG),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    return spec_path


def test_generated_client_imports_whole_adds_an_article_and_asks(contract_server, tmp_path, monkeypatch):
    spec_path = _generate_client(contract_server, tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    package = importlib.import_module("news_client")
    modules = [name for _, name, _ in pkgutil.walk_packages(package.__path__, "news_client.")]
    for name in modules:
        importlib.import_module(name)  # every module, the writes' too (add_documents once failed: `Unset`)
    assert "news_client.api.default.add_documents" in modules and len(modules) > 20

    api = "news_client.api.default."
    ask, add, get = (importlib.import_module(api + n) for n in ("ask", "add_documents", "get_document"))
    models = importlib.import_module("news_client.models")
    spec = json.loads(spec_path.read_text())
    example = spec["components"]["schemas"]["Ask"]["properties"]["question"]["examples"][0]
    with package.Client(base_url=contract_server) as client:
        answer = ask.sync(client=client, body=models.Ask(question=QUESTION, top_k=3))
        # The spec's own example is a request the server answers as it is.
        example_answer = ask.sync(client=client, body=models.Ask(question=example))
    assert isinstance(answer, models.Answer), answer
    assert answer.no_answer is False and len(answer.passages) == 3
    assert answer.passages[0].heading == HEADING
    assert answer.passages[0].document.date.isoformat() == "2025-09-04"
    assert example_answer.passages[0].heading == HEADING

    record = models.DocumentRecord(text=OKAPI, id="zoo-okapi", title="Neues Okapi", date="2025-10-02", source="zoo")
    with package.AuthenticatedClient(base_url=contract_server, token=KEY) as client:
        added = add.sync(client=client, body=record)
        assert isinstance(added, models.WriteSummary), added
        assert added.added == 1 and added.documents[0].id == "zoo-okapi"
        okapi = ask.sync(client=client, body=models.Ask(question="Wie heißt das junge Okapi?", top_k=1))
        cited = get.sync(okapi.passages[0].document.id, client=client)
        refused = add.sync(client=client, body=models.DocumentRecord(text=" "))
    assert okapi.passages[0].document.id == "zoo-okapi" and "Quirin" in okapi.passages[0].text
    assert isinstance(cited, models.DocumentDetail) and cited.source == "zoo" and cited.passage_count == 1
    assert isinstance(refused, models.ErrorBody) and "text is missing or empty" in refused.error


def test_every_operation_of_the_generated_client_answers(contract_server, tmp_path, monkeypatch):
    """Each operation of the spec, called once through its generated function, gets its documented answer."""
    spec_path = _generate_client(contract_server, tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    package = importlib.import_module("news_client")
    models = importlib.import_module("news_client.models")
    operations = {
        operation["operationId"]
        for path in json.loads(spec_path.read_text())["paths"].values()
        for operation in path.values()
    }
    calls = {
        "ask": {"body": models.Ask(question=QUESTION)},
        "chat": {"body": models.Chat(messages=[models.UserMessage(role="user", content=QUESTION)])},
        "sources": {},
        "stats": {},
        "health": {},
        "list_documents": {"limit": 5},
        "add_documents": {"body": [models.DocumentRecord(text=OKAPI, id="zoo-2")]},
        "get_document": {"doc_id": "zoo-2"},
        "delete_document": {"doc_id": "zoo-2"},
    }
    assert operations == set(calls)
    answers = {}
    with package.AuthenticatedClient(base_url=contract_server, token=KEY) as client:
        for name, arguments in calls.items():  # in this order: the article is added before it is read
            module = importlib.import_module(f"news_client.api.default.{name}")
            answers[name] = module.sync_detailed(client=client, **arguments)
    statuses = {name: int(response.status_code) for name, response in answers.items()}
    assert statuses == {**dict.fromkeys(calls, 200), "add_documents": 201, "delete_document": 204}
    assert answers["stats"].parsed.documents >= 1 and answers["list_documents"].parsed.documents
