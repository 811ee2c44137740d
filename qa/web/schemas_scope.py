"""The API's models of a question's scope (filters, recency, order), of what an answer applied, and of
what the archive covers (/api/sources, /api/stats): part of the one contract of qa.web.schemas.

No `from __future__ import annotations` (see qa.web.schemas)."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from qa.records import SORTS, Filters, Scope
from qa.text.ingest import MAX_SOURCE_CHARS
from qa.web.schemas_base import ID_PATTERN, Body, Language

Sort = Literal[SORTS]  # type: ignore[valid-type]
MAX_FILTER_VALUES = 100  # sources or documents one request may name
MAX_RECENCY_DAYS = 36_500


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


class ScopeFields(Body):
    """Filters and ordering, the same on /api/ask and /api/chat (and the page's form). A date_to before
    date_from is an empty window (no passage), not an error: JSON Schema cannot compare two fields, and
    every request the spec allows is answered."""

    date_from: FilterDate | None = Field(None, description="Only articles dated on or after this day (inclusive)")
    date_to: FilterDate | None = Field(None, description="Only articles dated on or before this day (inclusive)")
    sources: list[SourceName] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Only articles of these sources (GET /api/sources lists them; case and surrounding blanks "
        "do not matter; a name the index does not hold is reported in applied.unknown_sources)",
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

    def scope(self) -> Scope:
        filters = Filters(
            date_from=self.date_from,
            date_to=self.date_to,
            sources=tuple(dict.fromkeys(self.sources)),
            documents=tuple(dict.fromkeys(self.documents)),
            language=self.language,
        )
        return Scope(filters=filters, recency=self.recency, as_of=self.as_of, sort=self.sort)


# -- what an answer applied, what the archive covers -------------------------------------------------


class PreferredPeriod(BaseModel):
    date_from: dt.date
    date_to: dt.date


class Applied(BaseModel):
    """What narrowed or reordered the search: the request's filters and those read from the question."""

    date_from: dt.date | None = Field(description="Articles dated on or after this day (undated ones excluded)")
    date_to: dt.date | None = Field(description="Articles dated on or before this day (undated ones excluded)")
    sources: list[str] = Field(description="Only articles of these sources, as the index names them (empty: all)")
    documents: list[str] = Field(description="Only these articles (empty: all)")
    language: Language | None = Field(description="Only passages in this language")
    recency: float | None = Field(description="Half-life in days of the recency decay, counted back from as_of")
    recency_floor: float = Field(
        description="Share of a score the decay leaves however old the article: 0 for a request's recency, "
        "0.5 when a word of the question (latest, aktuell) turned it on"
    )
    as_of: dt.date | None = Field(
        description="The day relative time and recency count from (default: the newest article's; "
        "null when nothing was searched)"
    )
    sort: Sort = Field(description="relevance, or date: the matching passages newest first")
    preferred: PreferredPeriod | None = Field(
        description="A period the question names: its articles are preferred, others not excluded"
    )
    understood: str = Field(description="The time read from the question, in its language ('' when none)")
    unknown_sources: list[str] = Field(
        description="Sources the request named that the index does not hold (they match nothing; GET "
        "/api/sources lists those it holds)"
    )


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
