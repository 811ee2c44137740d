"""The frozen records that flow between modules: Document -> Passage -> Hit -> Answer."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

DOCUMENT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # use fullmatch: "$" admits a final newline
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
# The one home of these limits: the API's models, the CLI and the retrieval all read them from here.
MODES = ("hybrid", "dense", "lexical")  # how a question is searched
SORTS = ("relevance", "date")  # how the passages of an answer are ordered
DEFAULT_PAGE = 50  # documents a listing page holds unless asked otherwise
MAX_PAGE = 1000  # documents a listing page holds at most


def with_passage_count(record: dict) -> dict:
    """A stored article's (or a write's) record with its number of passages under the one name every
    answer, listing and `--json` output gives it, `passage_count` (storage says `passages`, which an
    article's own answer uses for the list of its passages)."""
    return {("passage_count" if key == "passages" else key): value for key, value in record.items()}


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
    url: str | None = None  # where the article is published (http or https), when known

    def __post_init__(self) -> None:
        if not DOCUMENT_ID_PATTERN.fullmatch(self.id):
            raise ValueError(f"bad document id {self.id!r}")
        if self.date is not None and not DATE_PATTERN.fullmatch(self.date):
            raise ValueError(f"bad date {self.date!r}")
        if not self.sections:
            raise ValueError("a document needs at least one paragraph")

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "date": self.date, "source": self.source, "url": self.url}


@dataclass(frozen=True, slots=True)
class Passage:
    """The unit of retrieval: one paragraph (or a piece of a long one) with its sentence spans."""

    document_id: str
    position: int
    heading: str
    text: str
    language: str
    sentences: tuple[tuple[int, int], ...]
    context: str = ""  # the article's title, for every passage after the teaser (see `embedding_text`)
    section: int = 0  # the paragraph of the article it starts in: 0 is the teaser

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("passage text is empty")
        if not self.sentences:
            raise ValueError("a passage needs at least one sentence span")

    @property
    def embedding_text(self) -> str:
        """What the encoder and BM25 see: the article's title (`context`) and the subheading before the text.

        A news article names its topic in the title and the teaser and gives the facts in the paragraphs
        after them, which on their own often do not say what they are about ("Der Schäfer verlor 23
        Tiere."). With the title in front, a body paragraph carries the topic, in its vector and in its
        terms, and competes with the teaser on the facts (the newsroom benchmark's held-out half: R@1
        .338 -> .425; the title in the vector alone gave .364). The teaser names its topic itself and
        goes without (qa/lab/README.md, "Newsroom benchmark").
        """
        return "\n".join(part for part in (self.context, self.heading, self.text) if part)

    def sentence_texts(self) -> list[str]:
        return [self.text[start:end] for start, end in self.sentences]

    def sentence_embedding_texts(self) -> list[str]:
        """What the encoder sees of each sentence: the sentence after the passage's context and
        subheading, as `sentence_in_context` puts it."""
        return [sentence_in_context(self.context, self.heading, sentence) for sentence in self.sentence_texts()]


def sentence_in_context(context: str, heading: str, sentence: str) -> str:
    """A sentence as it is encoded: after its article's title (`Passage.context`) and its subheading,
    as its passage is (`Passage.embedding_text`).

    A passage's dense score leans on its best sentence, and the sentence that answers ("Sportdirektorin
    Reimers begründete die Wahl mit Kowalczyks Erfahrung") often does not name the topic, while the
    lead's ("Stefan Kowalczyk ist neuer Cheftrainer des SC Union Kassel") restates it and won the
    question. With the title in front of every sentence the topic is equal among them and the asked
    fact decides (newsroom held-out R@1 .487 -> .537, R@5 tune .930 -> .965; qa/lab/README.md). The
    subheading goes along as it does for the passage ("Deutschland bislang zurückhaltend" is what "What
    did Germany promise?" finds).
    """
    return "\n".join(part for part in (context, heading, sentence) if part)


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
    url: str | None = None

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
class Filters:
    """Which passages a question may find: articles dated date_from..date_to (inclusive; a date filter
    excludes undated articles; a range that ends before it starts holds nothing), of these sources or
    these documents, passages in this language."""

    date_from: str | None = None
    date_to: str | None = None
    sources: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    language: str | None = None

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not DATE_PATTERN.fullmatch(value):
                raise ValueError(f"{name} must be YYYY-MM-DD, got {value!r}")

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.sources or self.documents or self.language)

    def to_dict(self) -> dict:
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "sources": list(self.sources),
            "documents": list(self.documents),
            "language": self.language,
        }


@dataclass(frozen=True, slots=True)
class Scope:
    """Everything besides the question that shapes one search: the filters, recency (a half-life in
    days, counted back from `as_of`, and the share of a score it always leaves), the order, and a period
    the question names that is preferred but not required. `understood` says in words what was read
    from the question's own wording."""

    filters: Filters = Filters()
    recency: float | None = None
    recency_floor: float = 0.0  # the share of a score that recency leaves however old the article
    as_of: str | None = None
    sort: str = "relevance"
    prefer: tuple[str, str] | None = None
    understood: str = ""
    unknown_sources: tuple[str, ...] = ()  # named sources the index does not hold (they match nothing)

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {self.sort!r}")
        if self.recency is not None and not (math.isfinite(self.recency) and self.recency > 0):
            raise ValueError("recency must be a positive number of days")
        if not 0.0 <= self.recency_floor < 1.0:
            raise ValueError("recency_floor must lie in 0..1")
        if self.as_of is not None and not DATE_PATTERN.fullmatch(self.as_of):
            raise ValueError(f"as_of must be YYYY-MM-DD, got {self.as_of!r}")

    def to_dict(self) -> dict:
        return {
            **self.filters.to_dict(),
            "recency": self.recency,
            "recency_floor": self.recency_floor,
            "as_of": self.as_of,
            "sort": self.sort,
            "preferred": {"date_from": self.prefer[0], "date_to": self.prefer[1]} if self.prefer else None,
            "understood": self.understood,
            "unknown_sources": list(self.unknown_sources),
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
    scope: Scope = Scope()  # the filters, recency and time from the question that were applied

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
            "applied": self.scope.to_dict(),
            "passages": [hit.to_dict(rank) for rank, hit in enumerate(self.hits, start=1)],
            "took_ms": round(self.took_ms, 2),
        }


# Why an answer is a refusal (Answer.reason).
NO_MATCH = "no_match"  # no passage matches well enough (the calibrated cut-off)
NO_CONTENT = "no_content"  # the question has no content word to search for
