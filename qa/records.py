"""The frozen records that flow between modules: Document -> Passage -> Hit -> Answer."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

DOCUMENT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # use fullmatch: "$" admits a final newline
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
# The one home of these limits: the API's models, the CLI and the retrieval all read them from here.
MODES = ("hybrid", "dense", "lexical")  # how a question is searched
DEFAULT_PAGE = 50  # documents a listing page holds unless asked otherwise
MAX_PAGE = 1000  # documents a listing page holds at most


@dataclass(frozen=True, slots=True)
class Section:
    """One paragraph of an article with the subheading it stands under ("" before the first one)."""

    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """An article as the user gave it: metadata plus its paragraphs in reading order."""

    id: str
    title: str
    date: str | None
    source: str
    sections: tuple[Section, ...]

    def __post_init__(self) -> None:
        if not DOCUMENT_ID_PATTERN.fullmatch(self.id):
            raise ValueError(f"bad document id {self.id!r}")
        if self.date is not None and not DATE_PATTERN.fullmatch(self.date):
            raise ValueError(f"bad date {self.date!r}")
        if not self.sections:
            raise ValueError("a document needs at least one paragraph")

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "date": self.date, "source": self.source}


@dataclass(frozen=True, slots=True)
class Passage:
    """The unit of retrieval: one paragraph (or a piece of a long one) with its sentence spans."""

    document_id: str
    position: int
    heading: str
    text: str
    language: str
    sentences: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("passage text is empty")
        if not self.sentences:
            raise ValueError("a passage needs at least one sentence span")

    @property
    def embedding_text(self) -> str:
        """What the encoder sees: the subheading gives a short paragraph its context."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text

    def sentence_texts(self) -> list[str]:
        return [self.text[start:end] for start, end in self.sentences]


@dataclass(frozen=True, slots=True)
class Highlight:
    sentence: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class DocumentRef:
    id: str
    title: str
    date: str | None
    source: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Hit:
    """A ranked passage with the evidence that put it there."""

    passage_id: int
    position: int
    text: str
    heading: str
    language: str
    score: float
    dense_score: float
    lexical_score: float
    highlight: Highlight
    document: DocumentRef

    def __post_init__(self) -> None:
        for name in ("score", "dense_score", "lexical_score"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be finite")

    def to_dict(self, rank: int) -> dict:
        return {
            "rank": rank,
            "score": round(self.score, 4),
            "dense_score": round(self.dense_score, 4),
            "lexical_score": round(self.lexical_score, 4),
            "text": self.text,
            "heading": self.heading,
            "language": self.language,
            "passage": self.position,
            "highlight": self.highlight.to_dict(),
            "document": self.document.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """What a question gets: ranked passages, or an explicit refusal when nothing matches."""

    question: str
    language: str
    mode: str
    hits: tuple[Hit, ...]
    no_answer: bool
    took_ms: float
    reason: str | None = None  # why no_answer: NO_MATCH or NO_CONTENT
    truncated: bool = False  # the question was cut to what the encoder reads

    def __post_init__(self) -> None:
        if self.no_answer != (self.reason is not None):
            raise ValueError("an answer has a reason exactly when it is a refusal")

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "language": self.language,
            "mode": self.mode,
            "no_answer": self.no_answer,
            "reason": self.reason,
            "truncated": self.truncated,
            "passages": [hit.to_dict(rank) for rank, hit in enumerate(self.hits, start=1)],
            "took_ms": round(self.took_ms, 2),
        }


# Why an answer is a refusal (Answer.reason).
NO_MATCH = "no_match"  # no passage matches well enough (the calibrated cut-off)
NO_CONTENT = "no_content"  # the question has no content word to search for
