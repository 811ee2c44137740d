"""The API's one contract: pydantic models of every request and response body.

Validation, the JSON answers, `/openapi.json` and the MCP tools' input schemas are all generated
from these classes. Limits that are settings (question length, top_k) flow in through
`request_models(settings)`, which builds the request classes for one `Settings`; the rest are fixed
here. No `from __future__ import annotations`: the request classes are built inside a function and
pydantic must see their field types as objects, not as names of that function's locals.
"""

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, RootModel, model_validator

from qa.chat.conversation import MAX_HISTORY_CHARS, MAX_MESSAGES
from qa.config import Settings
from qa.records import DEFAULT_PAGE, MAX_PAGE
from qa.text.article import MAX_SOURCE_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, MAX_URL_CHARS, URL_PATTERN
from qa.text.dates import MAX_DATE_CHARS
from qa.text.exports import MAX_RECORDS
from qa.web.schemas_base import ID_PATTERN, NOT_BLANK, AsInt, Body, Language, Mode
from qa.web.schemas_scope import (  # noqa: F401 (the contract's models, re-exported)
    Applied,
    LanguageCount,
    MonthCount,
    PreferredPeriod,
    ScopeFields,
    SourceList,
    SourceSummary,
    Stats,
)

MAX_PAGE_NUMBER = 10**9
_DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
# Only days every year has: 29 February is left out (a spec cannot tell leap years; the service reads it).
_DAY_MONTH = (
    rf"(?:(?:0?[1-9]|1\d|2[0-8]) {_MONTH}|(?:29|30) (?:Jan|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"|31 (?:Jan|Mar|May|Jul|Aug|Oct|Dec))"
)
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
_OFFSET = r"(?:[+-](?:0\d|1[0-4])[0-5]\d|GMT|UT)"
RFC822 = rf"^(?:{_DAY}, )?{_DAY_MONTH} [1-9]\d{{3}} {_TIME} {_OFFSET}$"
# What a record's date may be; the service reads each (qa.text.dates), the spec says which.
DATE_FORMATS: list[JsonValue] = [
    {"type": "string", "format": "date"},
    {"type": "string", "format": "date-time"},
    {"type": "string", "pattern": RFC822},
    {"const": ""},
    {"type": "null"},
]
MAX_OFFSET = 10**12


# -- answers ----------------------------------------------------------------------------------------


class Highlight(BaseModel):
    sentence: str = Field(description="The sentence of the passage that answers best")
    start: int = Field(description="Offset of the sentence in the passage text")
    end: int


class DocumentRef(BaseModel):
    id: str
    title: str
    date: dt.date | None = Field(description="Publication date, when the article has one")
    source: str = Field(description="Who published the article (a newsroom, a feed); '' when unknown")
    url: str | None = Field(None, description="Where the article is published (http or https), when known")


class Passage(BaseModel):
    rank: int = Field(description="1 for the best passage")
    score: float = Field(
        description="What the passages are ranked by. hybrid: dense and BM25 fused on 0..1 within this answer's "
        "candidates (1 the best, 0 the weakest), plus up to 0.3 for the question's rare names, times the "
        "time factors (recency decay; 1.15 in a period the question names), so about 0..1.5; not comparable "
        "across questions. dense: the dense_score; lexical: the lexical_score"
    )
    dense_score: float = Field(
        description="Cosine of question and passage mixed with that of its best sentence (-1..1; about 0.7..0.95 "
        "with the default encoder); the no-answer decision reads it"
    )
    lexical_score: float = Field(
        description="BM25 of the passage for the question's words (0 or more, unbounded; 0 when it shares none or "
        "is in the other language)"
    )
    text: str
    heading: str = Field(description="Subheading the passage stands under ('' before the first one)")
    language: Language
    passage: int = Field(description="Position of the passage in its article (link: /documents/<id>#p<n>)")
    highlight: Highlight
    document: DocumentRef


class _Answered(BaseModel):
    question: str
    language: Language = Field(description="Language of the question")
    mode: Mode
    no_answer: bool = Field(description="True when no passage matches well enough (then `passages` is empty)")
    passages: list[Passage]
    took_ms: float = Field(description="Search time in milliseconds")


class Answer(_Answered):
    reason: Literal["no_match", "no_content"] | None = Field(
        description="Why no_answer: no passage matched well enough, or the question has no word to search for"
    )
    truncated: bool = Field(description="True when the question was cut to what the encoder reads")
    applied: Applied


class ChatAnswer(_Answered):
    applied: Applied
    resolved_question: str = Field(description="The question as understood, with the conversation filled in")
    followup: bool = Field(description="True when earlier turns were used")
    rewritten: bool = Field(
        description="True when resolved_question is a well-formed rewrite (the page shows it as 'Understood as');"
        " false when the question was searched as typed or with the conversation's topic as context"
    )
    reply: str = Field(description="Short reply in the question's language quoting the best sentence")


class Health(BaseModel):
    status: Literal["ok"]
    documents: int = Field(description="Articles in the index")
    passages: int = Field(description="Passages in the index")
    changes_behind: int = Field(
        description="Changes in the record this server has not applied yet (each question applies them first)"
    )
    behind_seconds: float = Field(description="How long this server has been behind the record (0 when it is not)")
    standby_changes_behind: int | None = Field(
        default=None,
        description="Changes the primary committed that the standby this server reads has not replayed yet "
        "(null without a separate read database, or when the primary does not answer)",
    )
    standby_behind_seconds: float | None = Field(
        default=None, description="How long the standby this server reads has been behind the primary (as above)"
    )
    encoder: str


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer of the API."""

    error: str = Field(description="What is wrong, in plain words (the field, record or line it concerns)")
    code: str = Field(description="Machine-readable kind, e.g. invalid_request, not_found, payload_too_large")


# -- documents --------------------------------------------------------------------------------------


class DocumentSummary(BaseModel):
    id: str
    title: str
    date: dt.date | None
    source: str
    url: str | None = Field(None, description="Where the article is published (http or https), when known")
    language: Language = Field(description="Language of the article's first passage")
    added_at: str = Field(description="When the article was stored (UTC, ISO 8601)")
    origin: Literal["build", "added"] = Field(description="From `qa index` or added later")
    passage_count: int = Field(description="Number of passages (was `passages` before API 1.1)")


class DocumentPage(BaseModel):
    documents: list[DocumentSummary]
    total: int = Field(description="Articles in the index")
    offset: int
    limit: int


class PassageText(BaseModel):
    position: int = Field(description="Position in the article: the #p<n> anchor of the page")
    heading: str
    text: str
    language: Language


class DocumentDetail(DocumentSummary):
    passages: list[PassageText] = Field(description="The article's passages in reading order")


class WriteResult(BaseModel):
    id: str
    status: Literal["added", "replaced", "unchanged"]
    passage_count: int = Field(description="Passages of the stored article (was `passages` before API 1.2)")


class WriteSummary(BaseModel):
    documents: list[WriteResult]
    added: int
    replaced: int
    unchanged: int


def _digits(value: object) -> object:
    """A CMS's numeric id as its digits (23.0 too: an integer in JSON Schema)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _text_required(schema: dict) -> None:
    """The spec asks for `text`, a string with a word: what every generated client and test sends. The
    server also takes a CMS export's `body` or `content` in its place (qa.text.exports), said in words."""
    schema["required"] = ["text"]
    text = schema["properties"]["text"]
    text.pop("anyOf", None)
    text.pop("default", None)
    text.update({"type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS, "pattern": NOT_BLANK})


class DocumentRecord(Body):
    """One article to store; the same id again replaces it, the same content again changes nothing.

    Fields besides these (a CMS export's author, tags, ...) are ignored, never refused; `body` or
    `content` may stand for `text`, `link` for `url` (qa.text.exports)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_text_required)

    id: Annotated[str | None, BeforeValidator(_digits)] = Field(
        None,
        pattern=ID_PATTERN,
        description="The same id again replaces the stored article (default: a hash of the content); "
        "a number (a CMS's id) is taken as its digits",
        examples=["harbour-2025"],
        json_schema_extra={
            "anyOf": [
                {"type": "string", "pattern": ID_PATTERN},
                {"type": "integer", "minimum": 0, "maximum": 10**128 - 1},
                {"type": "null"},
            ]
        },
    )
    title: str | None = Field(
        None, max_length=MAX_TITLE_CHARS, description="Default: the first heading, else the teaser's first sentence"
    )
    date: str | None = Field(
        None,
        max_length=MAX_DATE_CHARS,
        description="YYYY-MM-DD, an ISO 8601 date-time (stored as its date in its own offset) or an RFC 822 "
        "date; empty or null: the article is undated",
        examples=["2025-09-04", "2025-10-21T14:30:00+02:00"],
        json_schema_extra={"anyOf": DATE_FORMATS},
    )
    text: str | None = Field(
        None,
        max_length=MAX_TEXT_CHARS,
        description="The article in the seed format (optional `date YYYY-MM-DD <teaser>` line, paragraphs "
        "separated by blank lines, short unpunctuated lines as subheadings) or as HTML; required unless "
        "`body` or `content` holds it",
        examples=["The harbour opens a ferry line.\n\nFrom Monday a ferry runs every hour to the island."],
    )
    source: str | None = Field(
        None, max_length=MAX_SOURCE_CHARS, description="Who published the article (a newsroom, a feed)"
    )
    url: str | None = Field(
        None,
        max_length=MAX_URL_CHARS,
        pattern=URL_PATTERN,
        description="Where the article is published (http or https)",
        examples=["https://example.org/news/harbour-2025"],
    )


class DocumentRecords(
    RootModel[DocumentRecord | Annotated[list[DocumentRecord], Field(min_length=1, max_length=MAX_RECORDS)]]
):
    """A JSON body of POST /api/documents: one record, or a list of them."""


class DocumentPath(Body):
    doc_id: str = Field(pattern=ID_PATTERN, description="The article's id")


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


class PageQuery(Body):
    """Query parameters arrive as text: "5" is the integer 5 here. One it does not know is refused (a filter
    such as ?sources= is not silently ignored)."""

    unknown_word = "query parameter"

    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Articles to skip")
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="Articles per page")
    page: int = Field(
        None,  # type: ignore[assignment]  # "not given"; never validated
        ge=1,
        le=MAX_PAGE_NUMBER,
        description="1-based page of `limit` articles; when given, it wins over offset",
        json_schema_extra=_no_default,
    )

    @property
    def start(self) -> int:
        return (self.page - 1) * self.limit if self.page is not None else self.offset


# -- requests whose limits are settings -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestModels:
    ask: type[BaseModel]
    chat: type[BaseModel]


def request_models(settings: Settings) -> RequestModels:
    """The request classes for these settings' limits (one set per distinct limits)."""
    return _request_models(settings.max_question_chars, settings.max_top_k, settings.default_top_k)


@functools.cache
def _request_models(max_question_chars: int, max_top_k: int, default_top_k: int) -> RequestModels:
    Question = Annotated[
        str,
        Field(
            min_length=1,
            max_length=max_question_chars,
            pattern=NOT_BLANK,
            description="A question in German or English",
            examples=["Wer nimmt an dem Treffen nur virtuell teil?"],
        ),
    ]
    TopK = Annotated[int, Field(strict=True, ge=1, le=max_top_k, description="How many passages to return"), AsInt]
    ModeField = Annotated[Mode, Field(description="hybrid (default), dense only, or lexical (BM25) only")]

    class Ask(ScopeFields):
        question: Question
        top_k: TopK = default_top_k
        mode: ModeField = "hybrid"

    class UserMessage(Body):
        role: Literal["user"]
        content: str = Field(
            min_length=1,
            max_length=MAX_HISTORY_CHARS,
            pattern=NOT_BLANK,
            description=f"A question; the last one is what is answered, cut to {max_question_chars:,} characters",
            examples=["Wer nimmt an dem Treffen nur virtuell teil?"],
        )

    class AssistantMessage(Body):
        role: Literal["assistant"]
        content: str = Field(max_length=MAX_HISTORY_CHARS, description="An earlier reply of the service")

    message = Annotated[UserMessage | AssistantMessage, Field(discriminator="role")]

    class Chat(ScopeFields):
        messages: list[message] = Field(
            min_length=1,
            max_length=MAX_MESSAGES,
            json_schema_extra={"contains": {"properties": {"role": {"const": "user"}}}},
            description=(
                "The conversation, oldest first. The question is the last user message; earlier turns are "
                f"context, and the oldest go first once all turns hold more than {MAX_HISTORY_CHARS:,} characters."
            ),
            examples=[[{"role": "user", "content": "Wer nimmt an dem Treffen nur virtuell teil?"}]],
        )
        top_k: TopK = default_top_k
        mode: ModeField = "hybrid"

        @model_validator(mode="after")
        def _has_question(self) -> "Chat":
            if not any(m.role == "user" for m in self.messages):
                raise ValueError("the conversation has no user message: send the question with role 'user'")
            return self

    return RequestModels(ask=Ask, chat=Chat)
