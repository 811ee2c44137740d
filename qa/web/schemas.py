"""The API's one contract: pydantic models of every request and response body.

Validation, the JSON answers, `/openapi.json` and the MCP tools' input schemas are all generated
from these classes. Limits that are settings (question length, top_k) flow in through
`request_models(settings)`, which builds the request classes for one `Settings`; the rest are fixed
here. No `from __future__ import annotations`: the request classes are built inside a function and
pydantic must see their field types as objects, not as names of that function's locals.
"""

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, RootModel, model_validator

from qa.chat.conversation import MAX_HISTORY_CHARS, MAX_MESSAGES
from qa.config import Settings
from qa.records import DEFAULT_PAGE, DOCUMENT_ID_PATTERN, MAX_PAGE, MODES, SORTS, Filters, Scope
from qa.text.ingest import MAX_RECORDS, MAX_SOURCE_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS
from qa.text.language import LANGUAGES

MAX_PAGE_NUMBER = 10**9
MAX_OFFSET = 10**12
# "Holds a character that is not white space" for all three regex engines that read it: JSON Schema's
# (ECMA: \s has U+FEFF), pydantic's (Rust: \s has U+0085) and Python's str.strip (also U+001C-U+001F).
# Control characters count as blank too: the service drops them (qa.text.clean) before it reads a text.
NOT_BLANK = r"[^\s\x00-\x1f\x7f\x85\ufeff]"
ID_PATTERN = f"^{DOCUMENT_ID_PATTERN.pattern}$"

Mode = Literal[MODES]  # type: ignore[valid-type]
Sort = Literal[SORTS]  # type: ignore[valid-type]
MAX_FILTER_VALUES = 100  # sources or documents one request may name
MAX_RECENCY_DAYS = 36_500
Language = Literal[LANGUAGES]  # type: ignore[valid-type]


def _integral(value: Any) -> Any:
    """26.0 is an integer in JSON Schema, so it is one here; 2.5, "5" and true stay refused (strict)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _mended(value: Any) -> Any:
    """A lone surrogate ("\\ud800" is valid JSON) becomes U+FFFD here, as the service mends it, instead of
    pydantic refusing the whole string."""
    return _LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


_AsInt = BeforeValidator(_integral)  # last in an Annotated, so it runs before the strict int check
IsoDate = Annotated[str, Field(json_schema_extra={"format": "date"}, examples=["2025-09-04"])]


class _Body(BaseModel):
    """A request body: unknown fields are refused, lone surrogates in its strings mended."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _mend_strings(cls, data: Any) -> Any:
        return {k: _mended(v) for k, v in data.items()} if isinstance(data, dict) else data


# -- answers ----------------------------------------------------------------------------------------


class Highlight(BaseModel):
    sentence: str = Field(description="The sentence of the passage that answers best")
    start: int = Field(description="Offset of the sentence in the passage text")
    end: int


class DocumentRef(BaseModel):
    id: str
    title: str
    date: dt.date | None = Field(description="Publication date, when the article has one")
    source: str = Field(description="File or source the article came from")


class Passage(BaseModel):
    rank: int = Field(description="1 for the best passage")
    score: float = Field(description="Fused score, 0..1 within this answer")
    dense_score: float = Field(description="Cosine mix of passage and best sentence")
    lexical_score: float = Field(description="BM25 (0 when no shared terms)")
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


class PreferredPeriod(BaseModel):
    date_from: dt.date
    date_to: dt.date


class Applied(BaseModel):
    """What narrowed or reordered the search: the request's filters and those read from the question."""

    date_from: dt.date | None = Field(description="Articles dated on or after this day (undated ones excluded)")
    date_to: dt.date | None = Field(description="Articles dated on or before this day (undated ones excluded)")
    sources: list[str] = Field(description="Only articles of these sources (empty: all)")
    documents: list[str] = Field(description="Only these articles (empty: all)")
    language: Language | None = Field(description="Only passages in this language")
    recency: float | None = Field(description="Half-life in days of the recency decay, counted back from as_of")
    as_of: dt.date | None = Field(
        description="The day relative time and recency count from (default: the newest article's; "
        "null when nothing was searched)"
    )
    sort: Sort = Field(description="relevance, or date: the matching passages newest first")
    preferred: PreferredPeriod | None = Field(
        description="A period the question names: its articles are preferred, others not excluded"
    )
    understood: str = Field(description="The time read from the question, in its language ('' when none)")


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
    reply: str = Field(description="Short reply in the question's language quoting the best sentence")


class Health(BaseModel):
    status: Literal["ok"]
    documents: int = Field(description="Articles in the index")
    passages: int = Field(description="Passages in the index")
    encoder: str


class SourceSummary(BaseModel):
    source: str = Field(description="The source as filters name it")
    documents: int = Field(description="Articles of this source")
    first_date: dt.date | None = Field(description="Its oldest article date (null when none is dated)")
    last_date: dt.date | None = Field(description="Its newest article date")
    undated: int = Field(description="Its articles without a date (a date filter excludes them)")


class SourceList(BaseModel):
    sources: list[SourceSummary]


class MonthCount(BaseModel):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM of the article date")
    documents: int


class LanguageCount(BaseModel):
    language: Language
    documents: int


class Stats(BaseModel):
    """What the archive covers, for a bot choosing filters."""

    documents: int
    passages: int
    first_date: dt.date | None = Field(description="The oldest article date")
    last_date: dt.date | None = Field(description="The newest article date (the default as_of)")
    undated: int = Field(description="Articles without a date")
    months: list[MonthCount] = Field(description="Dated articles per month, oldest first")
    sources: list[SourceSummary] = Field(description="Articles per source, the largest first")
    languages: list[LanguageCount] = Field(description="Articles per language (of their first passage)")


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
    passages: int = Field(description="Passages of the stored article")


class WriteSummary(BaseModel):
    documents: list[WriteResult]
    added: int
    replaced: int
    unchanged: int


class DocumentRecord(_Body):
    """One article to store; the same id again replaces it, the same content again changes nothing."""

    id: str | None = Field(
        None,
        pattern=ID_PATTERN,
        description="The same id again replaces the stored article (default: a hash of the content)",
        examples=["harbour-2025"],
    )
    title: str | None = Field(
        None, max_length=MAX_TITLE_CHARS, description="Default: the first heading, else the teaser's first sentence"
    )
    date: IsoDate | Literal[""] | None = Field(None, description="YYYY-MM-DD; empty or null: the article is undated")
    text: str = Field(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        pattern=NOT_BLANK,
        description="The article in the seed format: optional `date YYYY-MM-DD <teaser>` line, "
        "paragraphs separated by blank lines, short unpunctuated lines as subheadings",
        examples=["The harbour opens a ferry line.\n\nFrom Monday a ferry runs every hour to the island."],
    )
    source: str | None = Field(
        None, max_length=MAX_SOURCE_CHARS, description="Where the article came from (a file name, a feed)"
    )


class DocumentRecords(
    RootModel[DocumentRecord | Annotated[list[DocumentRecord], Field(min_length=1, max_length=MAX_RECORDS)]]
):
    """A JSON body of POST /api/documents: one record, or a list of them."""


class DocumentPath(BaseModel):
    doc_id: str = Field(pattern=ID_PATTERN, description="The article's id")


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


class PageQuery(BaseModel):
    """Query parameters arrive as text: "5" is the integer 5 here."""

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


# -- the scope of a question --------------------------------------------------------------------------


def _real_date(value: str) -> str:
    dt.date.fromisoformat(value)  # "2025-02-30" matches the pattern but is no day: a ValueError, a 400
    return value


FilterDate = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"}, examples=["2025-09-04"]),
    AfterValidator(_real_date),
]
SourceName = Annotated[str, Field(min_length=1, max_length=MAX_SOURCE_CHARS)]
DocumentId = Annotated[str, Field(pattern=ID_PATTERN)]


class ScopeFields(_Body):
    """Filters and ordering, the same on /api/ask and /api/chat (and the page's form)."""

    date_from: FilterDate | None = Field(None, description="Only articles dated on or after this day (inclusive)")
    date_to: FilterDate | None = Field(None, description="Only articles dated on or before this day (inclusive)")
    sources: list[SourceName] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Only articles of these sources"
    )
    documents: list[DocumentId] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Only these articles (ids)"
    )
    language: Language | None = Field(None, description="Only passages in this language")
    recency: float | None = Field(
        None,
        strict=True,
        gt=0,
        le=MAX_RECENCY_DAYS,
        description="Half-life in days: the fused score is multiplied by 0.5 ** (article age / recency)",
    )
    as_of: FilterDate | None = Field(None, description="The day relative time and recency count from")
    sort: Sort = Field("relevance", description="relevance (default), or date: the matching passages newest first")
    time_from_question: bool | None = Field(
        None,
        strict=True,
        description="Read time expressions in the question ('last week', 'im September 2025'); "
        "default: the server's setting (on)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> "ScopeFields":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from {self.date_from} is after date_to {self.date_to}")
        return self

    def scope(self) -> Scope:
        filters = Filters(
            date_from=self.date_from,
            date_to=self.date_to,
            sources=tuple(dict.fromkeys(self.sources)),
            documents=tuple(dict.fromkeys(self.documents)),
            language=self.language,
        )
        return Scope(filters=filters, recency=self.recency, as_of=self.as_of, sort=self.sort)


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
    TopK = Annotated[int, Field(strict=True, ge=1, le=max_top_k, description="How many passages to return"), _AsInt]
    ModeField = Annotated[Mode, Field(description="hybrid (default), dense only, or lexical (BM25) only")]

    class Ask(ScopeFields):
        question: Question
        top_k: TopK = default_top_k
        mode: ModeField = "hybrid"

    class UserMessage(_Body):
        role: Literal["user"]
        content: str = Field(
            min_length=1,
            max_length=MAX_HISTORY_CHARS,
            pattern=NOT_BLANK,
            description=f"A question; the last one is what is answered, cut to {max_question_chars:,} characters",
            examples=["Wer nimmt an dem Treffen nur virtuell teil?"],
        )

    class AssistantMessage(_Body):
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
