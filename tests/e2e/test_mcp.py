"""`qa mcp` driven by the MCP SDK's own client over stdio: the tools, their schemas, the seed answer."""

from __future__ import annotations

import os
import sys

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from ..conftest import ROOT

QUESTION = "Wer nimmt an dem Treffen nur virtuell teil?"
HEADING = "Merz nimmt nur virtuell an dem Treffen teil"


def _session_results(index_dir) -> dict:
    parameters = StdioServerParameters(
        command=sys.executable,
        args=["-m", "qa.cli", "mcp", "--index-dir", str(index_dir)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=str(ROOT),
    )

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
            return {
                "tools": tools,
                "ask": asked,
                "chat": chatted,
                "list": listed,
                "refused": refused,
                "filtered": filtered,
                "sources": sources,
            }

    return anyio.run(run)


def test_an_agent_gets_the_seed_answer_through_qa_mcp(seed_index_dir):
    from qa.config import load_settings
    from qa.web.schemas import request_models

    results = _session_results(seed_index_dir)
    tools = results["tools"]
    assert set(tools) == {"ask", "chat", "list_documents", "sources"}
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
