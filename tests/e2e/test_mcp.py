"""`qa mcp` driven by the MCP SDK's own client over stdio, started as the README's configuration says and
from another directory: the tools, their schemas, the seed answer, a citation followed to its article."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from ..conftest import ROOT

QUESTION = "Wer nimmt an dem Treffen nur virtuell teil?"
HEADING = "Merz nimmt nur virtuell an dem Treffen teil"


BIN = Path(sys.executable).parent


def readme_configuration(index_dir) -> dict:
    """The README's MCP configuration, its example paths (/srv/qa/...) made this checkout's."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r'^\{"mcpServers": .*\}$', text, re.MULTILINE)
    assert found, "the README shows no MCP configuration"
    server = json.loads(found.group(0))["mcpServers"]["news"]
    command = server["command"].replace("/srv/qa/.venv/bin/", f"{BIN}/")
    return {"command": command, "args": [str(index_dir) if a == "/srv/qa/index" else a for a in server["args"]]}


def _session_results(index_dir, cwd) -> dict:
    configuration = readme_configuration(index_dir)
    assert Path(configuration["command"]).is_absolute()
    # An agent's environment: another directory, no PYTHONPATH, the venv not on PATH.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != BIN)
    parameters = StdioServerParameters(**configuration, env=env, cwd=str(cwd))

    async def run() -> dict:
        async with stdio_client(parameters) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            asked = await session.call_tool("ask", {"question": QUESTION, "top_k": 3})
            chatted = await session.call_tool(
                "chat",
                {"messages": [{"role": "user", "content": "Welches Land ist bereit, Soldaten zu stellen?"}]},
            )
            listed = await session.call_tool("list_documents", {"limit": 5})
            refused = await session.call_tool("ask", {"question": "  ", "top_k": 99})
            filtered = await session.call_tool("ask", {"question": QUESTION, "date_from": "2025-09-05"})
            sources = await session.call_tool("sources", {})
            cited = asked.structured_content["passages"][0]["document"]["id"]
            document = await session.call_tool("get_document", {"doc_id": cited})
            missing = await session.call_tool("get_document", {"doc_id": "no-such-article"})
            stats = await session.call_tool("stats", {})
            unknown = await session.call_tool("ask", {"question": QUESTION, "source": ["x"]})
            return {
                "document": document,
                "missing": missing,
                "stats": stats,
                "unknown": unknown,
                "tools": tools,
                "ask": asked,
                "chat": chatted,
                "list": listed,
                "refused": refused,
                "filtered": filtered,
                "sources": sources,
            }

    return anyio.run(run)


def test_an_agent_gets_the_seed_answer_through_qa_mcp(seed_index_dir, tmp_path):
    from qa.config import load_settings
    from qa.web.mcp_server import TOOLS
    from qa.web.schemas import request_models

    results = _session_results(seed_index_dir, tmp_path)
    tools = results["tools"]
    assert set(tools) == {"ask", "chat", "list_documents", "sources", "stats", "get_document"} == set(TOOLS)
    for tool in tools.values():
        assert "Returns" in tool.description, tool.name  # an agent knows what it gets before it calls
    # The input schema is the one /api/ask validates with (the same model, the same settings' limits).
    ask_model = request_models(load_settings(environ={})).ask
    assert tools["ask"].input_schema == ask_model.model_json_schema()
    assert tools["ask"].input_schema["properties"]["top_k"]["maximum"] == 50

    answer = results["ask"].structured_content
    assert results["ask"].is_error is not True
    assert answer["no_answer"] is False and len(answer["passages"]) == 3
    assert answer["passages"][0]["heading"] == HEADING
    assert "Estland" in results["chat"].structured_content["reply"]
    listing = results["list"].structured_content
    assert listing["total"] == 1 and listing["documents"][0]["passage_count"] == 15

    # The filters reach the search: the only article (2025-09-04) lies before the window.
    filtered = results["filtered"].structured_content
    assert filtered["no_answer"] is True and filtered["applied"]["date_from"] == "2025-09-05"
    assert results["sources"].structured_content["sources"][0]["documents"] == 1

    refused = results["refused"]
    assert refused.is_error is True
    assert "'question' is empty" in refused.content[0].text and "at most 50" in refused.content[0].text

    # A citation followed to its article: the passage's position is among the article's passages.
    passage = answer["passages"][0]
    document = results["document"].structured_content
    assert results["document"].is_error is not True
    assert document["id"] == passage["document"]["id"] and document["title"] == passage["document"]["title"]
    assert document["date"] == "2025-09-04" and document["source"] == passage["document"]["source"]
    assert passage["text"] in [p["text"] for p in document["passages"] if p["position"] == passage["passage"]]
    assert results["missing"].is_error is True and "no-such-article" in results["missing"].content[0].text
    stats = results["stats"].structured_content
    assert stats["documents"] == 1 and stats["passages"] == 15 and stats["months"][0]["month"] == "2025-09"
    assert "did you mean 'sources'?" in results["unknown"].content[0].text


def test_python_m_qa_serves_the_tools_from_any_directory(seed_index_dir, tmp_path):
    """The other command the README names: the venv's interpreter with `-m qa`."""
    parameters = StdioServerParameters(
        command=str(BIN / "python"), args=["-m", "qa", "mcp", "--index-dir", str(seed_index_dir)], cwd=str(tmp_path)
    )

    async def run() -> set[str]:
        async with stdio_client(parameters) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return {tool.name for tool in (await session.list_tools()).tools}

    assert anyio.run(run) == {"ask", "chat", "list_documents", "sources", "stats", "get_document"}
