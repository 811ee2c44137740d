"""`qa mcp`: the API's operations as Model Context Protocol tools over stdio, for LLM agents.

The tools are ask, chat, sources, stats, list_documents and get_document (TOOLS); their input schemas
are the JSON schemas of the same request models that validate /api/ask, /api/chat, GET /api/documents
and GET /api/documents/{doc_id}, and their output schemas those of the answers, so an agent and a bot
calling the HTTP API see one contract. An agent that got a citation (a passage's `document.id`) opens
the whole article with get_document.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import mcp.types as types
from mcp.server import Server
from mcp.server.stdio import stdio_server
from pydantic import BaseModel, ValidationError

from qa.errors import QAError
from qa.web.api import conversation
from qa.web.openapi import VERSION
from qa.web.schemas import (
    Answer,
    ChatAnswer,
    DocumentDetail,
    DocumentPage,
    DocumentPath,
    PageQuery,
    SourceList,
    Stats,
    request_models,
)
from qa.web.schemas_base import Body
from qa.web.validation import describe

logger = logging.getLogger(__name__)

# The tools' names, as `qa mcp --help` lists them (a test checks this against the served tools).
TOOLS = ("ask", "chat", "sources", "stats", "list_documents", "get_document")


class NoArguments(Body):
    """A tool that takes nothing."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One tool: what it takes, what it gives, and the service call in between."""

    description: str
    takes: type[BaseModel]
    gives: type[BaseModel]
    run: Callable[[Any], dict]


def operations(service: Any) -> dict[str, Operation]:
    """The tools of `service`, keyed by name (the HTTP API's operation ids)."""
    models = request_models(service.settings)

    def ask(body: Any) -> dict:
        return service.ask(
            body.question.strip(), body.top_k, body.mode, body.scope(), body.time_from_question
        ).to_dict()

    def chat(body: Any) -> dict:
        turns = conversation(body.messages, service.settings.max_question_chars)
        return service.chat(
            turns, body.top_k, body.mode, scope=body.scope(), time_from_question=body.time_from_question
        ).to_dict()

    def sources(_query: Any) -> dict:
        return {"sources": service.sources()}

    def stats(_query: Any) -> dict:
        return service.stats()

    def list_documents(query: PageQuery) -> dict:
        return service.list_documents(query.start, query.limit)

    def get_document(path: DocumentPath) -> dict:
        return service.get_document(path.doc_id)

    return {
        "ask": Operation(
            "Answer a German or English question about the news articles. Returns the best-matching passages, "
            "each with its text, highlighted sentence, scores and its article (document.id, title, date, "
            "source; open it with get_document), and `applied` (the filters used, e.g. unknown_sources); "
            "no_answer is true and passages empty when nothing matches.",
            models.ask,
            Answer,
            ask,
        ),
        "chat": Operation(
            "Answer the last user message of a conversation; follow-up questions ('And Germany?') are resolved "
            "against the earlier turns. Returns what ask returns plus resolved_question (the question as "
            "understood), followup, and reply: a short text quoting the best sentence and citing its article.",
            models.chat,
            ChatAnswer,
            chat,
        ),
        "sources": Operation(
            "List the sources of the articles. Returns each source with its article count, first and last "
            "date and undated count (the names the `sources` filter of ask and chat takes, case-insensitively).",
            NoArguments,
            SourceList,
            sources,
        ),
        "stats": Operation(
            "Say what the archive covers. Returns the article and passage counts, the first and last date, the "
            "undated count, and articles per month, per source and per language.",
            NoArguments,
            Stats,
            stats,
        ),
        "list_documents": Operation(
            "List the indexed articles, newest first, a page at a time (offset, limit or page). Returns each "
            "article's id, title, date, source, language and passage_count, and the total.",
            PageQuery,
            DocumentPage,
            list_documents,
        ),
        "get_document": Operation(
            "Open one article, e.g. the one a passage of ask or chat cites (its document.id as doc_id). Returns "
            "its id, title, date, source, language and passage_count, and its passages in reading order "
            "(position, heading, text; an answer's `passage` is the position).",
            DocumentPath,
            DocumentDetail,
            get_document,
        ),
    }


def _text(content: str, error: bool = False, data: dict | None = None) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=content)], structured_content=data, is_error=error
    )


def build_server(service: Any) -> Server:
    """An MCP server whose tools call `service` (the same QAService the web app holds)."""
    tools = operations(service)

    async def list_tools(_ctx: Any, _params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=name,
                    description=tool.description,
                    input_schema=tool.takes.model_json_schema(),
                    output_schema=tool.gives.model_json_schema(mode="serialization"),
                )
                for name, tool in tools.items()
            ]
        )

    async def call_tool(_ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        tool = tools.get(params.name)
        if tool is None:
            return _text(f"no tool {params.name!r}: use one of {', '.join(tools)}", error=True)
        try:
            body = tool.takes.model_validate(params.arguments or {})
            # The service blocks (encoder, SQLite): run it off the event loop.
            result = await anyio.to_thread.run_sync(tool.run, body)
        except ValidationError as error:
            return _text(describe(error), error=True)
        except QAError as error:
            return _text(error.message, error=True)
        data = json.loads(tool.gives.model_validate(result).model_dump_json())
        return _text(json.dumps(data, ensure_ascii=False), data=data)

    return Server("qa", version=VERSION, on_list_tools=list_tools, on_call_tool=call_tool)


def serve_stdio(service: Any) -> None:
    """Serve the tools on stdin/stdout until the client closes them."""
    server = build_server(service)

    async def run() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    logger.info("serving MCP tools over stdio")
    anyio.run(run)
