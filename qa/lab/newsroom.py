"""The newsroom benchmark's data: hand-written news articles and the questions readers ask about them.

XQuAD's paragraphs are self-contained Wikipedia text, each question aimed at one of them. A newsroom's
archive is not: a teaser names the topic and the facts follow in paragraphs 2-8, several articles
tell one story, and German and English reports of one event stand side by side. The set in
qa/lab/data/newsroom/ (one JSON file per part, written by hand for this product) holds such articles,
questions in the four language directions with their one answering paragraph and answer text,
off-topic questions and conversations.

It is split by article into a half to tune on and a half only to report (`SPLITS`): within each
part, the articles ordered by story alternate between the halves, so both halves hold stories told
twice; a question belongs to its article's half, a conversation to its first turn's, an off-topic
question alternates by its position.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from qa.errors import InvalidRequest
from qa.records import Document, Section
from qa.text.ingest import split_passages
from qa.text.language import detect_language

SPLITS = ("tune", "held-out")
KINDS = ("number", "why", "how", "place", "name", "date", "who-said", "what")
TURN_KINDS = ("first", "follow-up", "self-contained")


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    story: str
    language: str
    title: str
    date: str
    source: str
    paragraphs: tuple[str, ...]
    split: str

    def document(self) -> Document:
        """The article as the service stores it: one section per paragraph, the teaser first."""
        sections = tuple(Section(heading="", text=paragraph) for paragraph in self.paragraphs)
        return Document(id=self.id, title=self.title, date=self.date, source=self.source, sections=sections)


@dataclass(frozen=True, slots=True)
class Question:
    """A question with its one answering paragraph (0 = the teaser) and the answer's exact text there."""

    id: str
    text: str
    language: str
    article: str
    paragraph: int
    answer: str
    kind: str
    split: str
    direction: str  # "<question language>-><article language>", e.g. "en->de"

    def __post_init__(self) -> None:
        if self.kind not in KINDS + TURN_KINDS:
            raise ValueError(f"{self.id}: kind must be one of {KINDS + TURN_KINDS}, got {self.kind!r}")


@dataclass(frozen=True, slots=True)
class OffTopic:
    text: str
    language: str
    split: str


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    language: str
    turns: tuple[Question, ...]
    split: str


@dataclass(frozen=True, slots=True)
class Newsroom:
    articles: tuple[Article, ...]
    questions: tuple[Question, ...]
    offtopic: tuple[OffTopic, ...]
    conversations: tuple[Conversation, ...]
    short: tuple[Question, ...] = ()  # as a new user types them: "What did X say?", "Wie hoch ist die Prämie?"
    # as typed into a search box, no question at all: "EZB Einlagensatz", "marquardt severance"
    keywords: tuple[Question, ...] = ()

    def documents(self) -> list[Document]:
        return [article.document() for article in self.articles]


def data_dir() -> Path:
    return Path(str(resources.files("qa.lab").joinpath("data/newsroom")))


def _question(raw: dict, where: str, articles: dict[str, Article], kind: str | None = None) -> Question:
    article = articles.get(raw.get("article", ""))
    if article is None:
        raise InvalidRequest(f"{where}: unknown article {raw.get('article')!r}")
    paragraph = int(raw["paragraph"])
    if not 0 <= paragraph < len(article.paragraphs) or raw["answer"] not in article.paragraphs[paragraph]:
        raise InvalidRequest(f"{where}: the answer {raw['answer']!r} is not in paragraph {paragraph} of {article.id}")
    language = raw.get("language") or detect_language(raw["q"])
    return Question(
        id=raw.get("id", where),
        text=raw["q"],
        language=language,
        article=article.id,
        paragraph=paragraph,
        answer=raw["answer"],
        kind=kind or raw["kind"],
        split=article.split,
        direction=f"{language}->{article.language}",
    )


def _load_part(path: Path) -> Newsroom:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InvalidRequest(f"cannot read {path}: {error}") from None
    ordered = sorted(payload["articles"], key=lambda a: (a["story"], a["language"], a["id"]))
    articles = {
        raw["id"]: Article(
            id=raw["id"],
            story=raw["story"],
            language=raw["language"],
            title=raw["title"],
            date=raw["date"],
            source=raw["source"],
            paragraphs=tuple(raw["paragraphs"]),
            split=SPLITS[i % 2],
        )
        for i, raw in enumerate(ordered)
    }

    def asked(raws: list[dict]) -> tuple[Question, ...]:
        return tuple(_question(raw, f"{path.name} {raw.get('id')}", articles) for raw in raws)

    offtopic = tuple(OffTopic(raw["q"], raw["language"], SPLITS[i % 2]) for i, raw in enumerate(payload["offtopic"]))
    conversations = []
    for raw in payload["conversations"]:
        turns = tuple(
            _question(
                {**turn, "language": raw["language"], "id": f"{raw['id']}-{t}"},
                f"{path.name} {raw['id']} turn {t}",
                articles,
                kind=turn.get("kind") or ("first" if t == 0 else "follow-up"),
            )
            for t, turn in enumerate(raw["turns"])
        )
        conversations.append(Conversation(raw["id"], raw["language"], turns, turns[0].split))
    questions, short, keywords = (
        asked(payload["questions"]),
        asked(payload.get("short", [])),
        asked(payload.get("keywords", [])),
    )
    return Newsroom(tuple(articles.values()), questions, offtopic, tuple(conversations), short, keywords)


def load(directory: Path | None = None) -> Newsroom:
    """Every part file of the set; each article must become one passage per paragraph, so that a
    passage's position names its paragraph."""
    directory = directory or data_dir()
    parts = [_load_part(path) for path in sorted(directory.glob("*.json"))]
    if not parts:
        raise InvalidRequest(f"no newsroom benchmark files in {directory}")
    newsroom = Newsroom(
        tuple(a for part in parts for a in part.articles),
        tuple(q for part in parts for q in part.questions),
        tuple(o for part in parts for o in part.offtopic),
        tuple(c for part in parts for c in part.conversations),
        tuple(q for part in parts for q in part.short),
        tuple(q for part in parts for q in part.keywords),
    )
    for article in newsroom.articles:
        passages = split_passages(article.document())
        if [p.text for p in passages] != [" ".join(p.split()) for p in article.paragraphs]:
            raise InvalidRequest(f"{article.id}: its paragraphs do not become one passage each")
    return newsroom
