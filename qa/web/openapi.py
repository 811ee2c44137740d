"""The OpenAPI 3.1 description of the JSON API, built from the live settings so limits stay true."""

from __future__ import annotations

from typing import Any

from qa.chat.conversation import MAX_HISTORY_CHARS, MAX_MESSAGES
from qa.config import Settings
from qa.retrieval.fusion import MODES
from qa.web.openapi_documents import DOCUMENT_SCHEMAS, SECURITY_SCHEMES, document_paths, error_responses, json_content


def openapi_spec(settings: Settings) -> dict:
    passage = {
        "type": "object",
        "properties": {
            "rank": {"type": "integer"},
            "score": {"type": "number", "description": "Fused score, 0..1 within this answer"},
            "dense_score": {"type": "number", "description": "Cosine mix of passage and best sentence"},
            "lexical_score": {"type": "number", "description": "BM25 (0 when no shared terms)"},
            "text": {"type": "string"},
            "heading": {"type": "string"},
            "language": {"type": "string", "enum": ["de", "en"]},
            "passage": {"type": "integer", "description": "Position of the passage in its article"},
            "highlight": {
                "type": "object",
                "properties": {
                    "sentence": {"type": "string"},
                    "start": {"type": "integer"},
                    "end": {"type": "integer"},
                },
            },
            "document": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "date": {"type": ["string", "null"], "format": "date"},
                    "source": {"type": "string"},
                },
            },
        },
    }
    answer: dict[str, Any] = {
        "type": "object",
        "required": ["question", "language", "passages", "no_answer", "took_ms"],
        "properties": {
            "question": {"type": "string"},
            "language": {"type": "string", "enum": ["de", "en"]},
            "mode": {"type": "string", "enum": list(MODES)},
            "no_answer": {"type": "boolean", "description": "True when no passage matches well enough"},
            "passages": {"type": "array", "items": {"$ref": "#/components/schemas/Passage"}},
            "took_ms": {"type": "number"},
        },
    }
    ask: dict[str, Any] = {
        "type": "object",
        "required": ["question"],
        "properties": {
            "question": {"type": "string", "minLength": 1, "maxLength": settings.max_question_chars},
            "top_k": {
                "type": "integer",
                "minimum": 1,
                "maximum": settings.max_top_k,
                "default": settings.default_top_k,
            },
            "mode": {"type": "string", "enum": list(MODES), "default": "hybrid"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "News question answering",
            "version": "1.0.0",
            "description": "Ask German or English questions about news articles.",
        },
        "paths": {
            "/api/ask": {
                "post": {
                    "summary": "Answer one question with the best-matching passages",
                    "requestBody": {"required": True, **json_content({"$ref": "#/components/schemas/Ask"})},
                    "responses": {
                        "200": {
                            "description": "Ranked passages",
                            **json_content({"$ref": "#/components/schemas/Answer"}),
                        },
                        **error_responses(400, 413, 415, 503),
                    },
                }
            },
            "/api/chat": {
                "post": {
                    "summary": "Answer the last user message of a conversation; follow-ups are resolved first",
                    "description": (
                        f"At most {MAX_MESSAGES} messages and {MAX_HISTORY_CHARS:,} characters in all; the last "
                        "message is the user's question, earlier ones are context."
                    ),
                    "requestBody": {"required": True, **json_content({"$ref": "#/components/schemas/Chat"})},
                    "responses": {
                        "200": {
                            "description": "The resolved question, a cited reply and the ranked passages",
                            **json_content({"$ref": "#/components/schemas/ChatAnswer"}),
                        },
                        **error_responses(400, 413, 415, 503),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness and index size",
                    "responses": {
                        "200": {
                            "description": "Ready",
                            **json_content(
                                {
                                    "type": "object",
                                    "properties": {
                                        "status": {"type": "string"},
                                        "documents": {"type": "integer"},
                                        "passages": {"type": "integer"},
                                        "encoder": {"type": "string"},
                                    },
                                }
                            ),
                        },
                        **error_responses(503),
                    },
                }
            },
            **document_paths(settings),
        },
        "components": {
            "securitySchemes": SECURITY_SCHEMES,
            "schemas": {
                **DOCUMENT_SCHEMAS,
                "Ask": ask,
                "Chat": {
                    "type": "object",
                    "required": ["messages"],
                    "properties": {
                        "messages": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": MAX_MESSAGES,
                            "items": {
                                "type": "object",
                                "required": ["role", "content"],
                                "properties": {
                                    "role": {"type": "string", "enum": ["user", "assistant"]},
                                    "content": {"type": "string"},
                                },
                            },
                        },
                        "top_k": ask["properties"]["top_k"],
                        "mode": ask["properties"]["mode"],
                    },
                },
                "ChatAnswer": {
                    "type": "object",
                    "required": ["question", "resolved_question", "language", "no_answer", "reply", "passages"],
                    "properties": {
                        **answer["properties"],
                        "resolved_question": {
                            "type": "string",
                            "description": "The question as understood, with the conversation filled in",
                        },
                        "followup": {"type": "boolean", "description": "True when earlier turns were used"},
                        "reply": {
                            "type": "string",
                            "description": "Short reply in the question's language quoting the best sentence",
                        },
                    },
                },
                "Answer": answer,
                "Passage": passage,
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}, "code": {"type": "string"}},
                },
            },
        },
    }
