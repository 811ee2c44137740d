"""Conversation benchmark: Recall@1 of follow-up questions with history resolution on and off.

The set (qa/lab/data/conversations.json) holds two- and three-turn conversations about the seed article
and XQuAD articles; every turn names its gold paragraph. Each conversation is played turn by turn
through QAService.chat, once with resolution and once with the question as typed, over a throw-away
index of the seed plus the XQuAD paragraphs (each paragraph its own document, so a hit's document
names the paragraph). A turn counts as found when the first passage is its gold paragraph; a
"no matching passage" answer counts as not found.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from qa.chat.conversation import Message
from qa.errors import InvalidRequest
from qa.records import Hit

logger = logging.getLogger(__name__)

KINDS = ("first", "follow-up", "self-contained")


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    article: str
    paragraph: int
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    language: str
    turns: tuple[Turn, ...]
    set: str = "base"  # "answer": follow-ups that point into the previous answer (reported apart)


@dataclass(frozen=True, slots=True)
class ChatReport:
    """Recall@1 by kind of turn, language and whether history resolution was on."""

    conversations: int
    counts: dict[str, int]
    recall: dict[str, dict[str, float]]
    misses: dict[str, list[dict]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"conversations": self.conversations, "counts": self.counts, "recall_at_1": self.recall}


def load_conversations(path: Path | None = None) -> tuple[list[Conversation], str]:
    """The conversation set and the seed article's source file name."""
    text = (
        path.read_text("utf-8") if path else resources.files("qa.lab").joinpath("data/conversations.json").read_text()
    )
    payload = json.loads(text)
    conversations = []
    for item in payload["conversations"]:
        turns = tuple(
            Turn(t["q"], t["article"], int(t["paragraph"]), t.get("kind", "first" if i == 0 else "follow-up"))
            for i, t in enumerate(item["turns"])
        )
        conversations.append(Conversation(item["id"], item["language"], turns, item.get("set", "base")))
    return conversations, payload["seed_source"]


def _xquad_records(xquad_dir: Path, languages: tuple[str, ...]) -> tuple[list[dict], dict[str, int]]:
    """One record per XQuAD paragraph, id xquad-<lang>-<article>-<paragraph>; and title -> article index."""
    records, titles = [], {}
    for language in languages:
        path = xquad_dir / f"xquad.{language}.json"
        if not path.exists():
            raise InvalidRequest(f"no {path}: the conversation benchmark needs XQuAD")
        for a, article in enumerate(json.loads(path.read_text("utf-8"))["data"]):
            titles[article["title"]] = a
            for p, paragraph in enumerate(article["paragraphs"]):
                records.append(
                    {
                        "id": f"xquad-{language}-{a:02d}-{p}",
                        "title": article["title"].replace("_", " "),
                        "text": paragraph["context"],
                        "source": path.name,
                    }
                )
    return records, titles


def _is_gold(hit: Hit, turn: Turn, seed_source: str, titles: dict[str, int]) -> bool:
    if turn.article == "seed":
        return hit.document.source == seed_source and hit.position == turn.paragraph
    index = titles.get(turn.article)
    if index is None:
        raise ValueError(f"unknown XQuAD article {turn.article!r}")
    return hit.document.id.startswith("xquad-") and hit.document.id.endswith(f"-{index:02d}-{turn.paragraph}")


def play(service, conversations: list[Conversation], resolve: bool) -> list[tuple[Conversation, Turn, object]]:
    """Play every conversation turn by turn; each answer's reply becomes the next turn's history."""
    results = []
    for conversation in conversations:
        messages: list[Message] = []
        for turn in conversation.turns:
            messages.append(Message("user", turn.question))
            answer = service.chat(messages, top_k=1, resolve=resolve)
            messages.append(Message("assistant", answer.reply))
            results.append((conversation, turn, answer))
    return results


def _summarise(results, seed_source: str, titles: dict[str, int]) -> tuple[dict, dict, list[dict]]:
    found: defaultdict[str, int] = defaultdict(int)
    total: defaultdict[str, int] = defaultdict(int)
    misses: list[dict] = []
    for conversation, turn, answer in results:
        hits = answer.answer.hits
        ok = bool(hits) and _is_gold(hits[0], turn, seed_source, titles)
        keys = [turn.kind, f"{turn.kind} {conversation.language}"]
        if conversation.set != "base":  # reported apart, so the base set's figures stay comparable
            keys = [f"{key} [{conversation.set}]" for key in keys]
        for key in keys:
            total[key] += 1
            found[key] += ok
        if not ok and turn.kind != "first":
            misses.append(
                {
                    "conversation": conversation.id,
                    "question": turn.question,
                    "resolved": answer.resolution.resolved,
                    "got": f"{hits[0].document.title} #{hits[0].position}" if hits else "no answer",
                }
            )
    return found, total, misses


def run(
    xquad_dir: Path,
    seeds_dir: Path,
    languages: tuple[str, ...] = ("de", "en"),
    index_dir: Path | None = None,
    conversations_path: Path | None = None,
) -> ChatReport:
    """Build (or reuse) the benchmark index, play the set with resolution on and off, and report Recall@1."""
    from qa.config import load_settings
    from qa.service import QAService

    conversations, seed_source = load_conversations(conversations_path)
    records, titles = _xquad_records(xquad_dir, languages)
    with tempfile.TemporaryDirectory(prefix="qa-bench-chat-") as scratch:
        directory = index_dir or Path(scratch) / "index"
        service = QAService(load_settings({"index_dir": str(directory)}, environ={}))
        try:
            expected = len(records) + len(list(seeds_dir.glob("*.txt")))
            if not service.ready or service.index.counts()[0] != expected:
                corpus = Path(scratch) / "xquad.jsonl"
                corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
                logger.info("indexing %d XQuAD paragraphs and the seed articles", len(records))
                service.build([corpus, seeds_dir])
            on = _summarise(play(service, conversations, resolve=True), seed_source, titles)
            off = _summarise(play(service, conversations, resolve=False), seed_source, titles)
        finally:
            service.close()
    recall: dict[str, dict[str, float]] = {}
    for key in sorted(on[1], key=lambda k: (KINDS.index(k.split()[0]), k)):
        recall[key] = {
            "on": round(on[0][key] / on[1][key], 3),
            "off": round(off[0][key] / off[1][key], 3),
        }
    return ChatReport(len(conversations), dict(on[1]), recall, {"on": on[2], "off": off[2]})
