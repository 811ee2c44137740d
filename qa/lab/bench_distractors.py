"""Distractor benchmark: XQuAD Recall@1 (DE->DE, EN->DE) over the German gold paragraphs alone and with
German paragraphs beside them that answer none of the questions.

Only what is offline: the questions of the even-numbered XQuAD articles are asked (their German
paragraphs are the gold ones); the distractors are (a) the odd-numbered articles' German sentences
resampled into passages of 50-140 words (real German prose on the same kinds of subject, but none of
it from an asked-about article), (b) generated German local news (qa.lab.bench_writes.NewsWriter),
(c) the invented-name articles of `qa bench names` and (d) the seed articles. Two throw-away indexes
are built with the configured encoder (vectors cached), the same code ranks both; the loss is the
figure the issue asks for (target: EN->DE loses at most 3 points).
"""

from __future__ import annotations

import logging
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from qa.lab.evaluate import Question, build_service, load_squad_questions, paragraph_key
from qa.records import Document, Section
from qa.text.sentences import split_sentences

logger = logging.getLogger(__name__)

_MIN_WORDS, _MAX_WORDS = 50, 140


@dataclass(frozen=True, slots=True)
class DistractorReport:
    """Recall@1 per direction, without and with distractors, and how many passages of each kind."""

    gold_paragraphs: int
    distractors: dict[str, int]
    recall: dict[str, dict[str, float]]

    def to_dict(self) -> dict:
        return {"gold_paragraphs": self.gold_paragraphs, "distractors": self.distractors, "recall_at_1": self.recall}


def _squad_articles(path: Path) -> list[dict]:
    import json

    return json.loads(path.read_text(encoding="utf-8"))["data"]


def gold_documents(xquad: Path) -> list[Document]:
    """The German paragraphs of the even-numbered articles, ids as `qa eval` gives them (paragraph keys)."""
    documents = []
    for a, article in enumerate(_squad_articles(xquad / "xquad.de.json")):
        if a % 2:
            continue
        for p, paragraph in enumerate(article["paragraphs"]):
            text = " ".join(paragraph["context"].split())
            title = str(article.get("title", "")).replace("_", " ")
            documents.append(Document(f"sq0-a{a}-p{p}", title, None, "xquad.de.json", (Section("", text),)))
    return documents


def resampled(xquad: Path, count: int, rng: random.Random) -> list[Document]:
    """`count` passages of the odd-numbered articles' German sentences, drawn at random."""
    sentences: list[str] = []
    for a, article in enumerate(_squad_articles(xquad / "xquad.de.json")):
        if a % 2 == 0:
            continue
        for paragraph in article["paragraphs"]:
            text = " ".join(paragraph["context"].split())
            sentences.extend(text[s:e] for s, e in split_sentences(text, "de"))
    documents = []
    for n in range(count):
        picked: list[str] = []
        words = 0
        while words < _MIN_WORDS:
            sentence = rng.choice(sentences)
            if words + len(sentence.split()) > _MAX_WORDS and picked:
                break
            picked.append(sentence)
            words += len(sentence.split())
        documents.append(Document(f"resampled-{n}", "Archiv", None, "distractors", (Section("", " ".join(picked)),)))
    return documents


def news(count: int, seed: int) -> list[Document]:
    """`count` generated German news paragraphs (the English ones the writer also makes are skipped)."""
    from qa.lab.bench_writes import NewsWriter
    from qa.text.language import detect_language

    writer, documents = NewsWriter(seed), list[Document]()
    while len(documents) < count:
        text = writer.paragraph()
        if detect_language(text) == "de":
            documents.append(Document(f"news-{len(documents)}", "Lokales", None, "distractors", (Section("", text),)))
    return documents


def _recall(service, questions: list[Question]) -> float:
    searcher = service.searcher()
    retrievals = searcher.search_many([q.text for q in questions], 1, "hybrid")
    found = sum(1 for q, r in zip(questions, retrievals, strict=True) if r.hits and paragraph_key(r.hits[0]) == q.gold)
    return found / max(1, len(questions))


def run(
    xquad: Path, seeds: Path, resampled_count: int = 400, news_count: int = 100, names_count: int = 120
) -> DistractorReport:
    """Build both indexes and report Recall@1 without and with the distractors."""
    from qa.config import load_settings
    from qa.encoding.cache import cached_encoder
    from qa.lab.names_corpus import generate
    from qa.text.ingest import read_documents

    rng = random.Random(15)
    gold = gold_documents(xquad)
    kinds = {
        "resampled XQuAD sentences": resampled(xquad, resampled_count, rng),
        "generated news": news(news_count, seed=15),
        "invented-name articles": [a.document for a in generate(names_count, seed=15)] if names_count else [],
        "seed articles": list(read_documents([seeds])) if seeds.exists() else [],
    }
    questions = {
        direction: [q for q in load_squad_questions(xquad / f"xquad.{language}.json") if q.gold and q.gold[0] % 2 == 0]
        for direction, language in (("DE->DE", "de"), ("EN->DE", "en"))
    }
    recall: dict[str, dict[str, float]] = {direction: {} for direction in questions}
    with tempfile.TemporaryDirectory(prefix="qa-bench-distractors-") as scratch:
        for label, documents in (
            ("without", gold),
            ("with", gold + [d for ds in kinds.values() for d in ds]),
        ):
            settings = load_settings({"index_dir": str(Path(scratch) / label)})
            service = build_service(documents, settings, cached_encoder(settings))
            try:
                for direction, asked in questions.items():
                    recall[direction][label] = round(_recall(service, asked), 4)
            finally:
                service.close()
    for figures in recall.values():
        figures["loss (points)"] = round(100 * (figures["without"] - figures["with"]), 1)
    return DistractorReport(len(gold), {kind: len(ds) for kind, ds in kinds.items()}, recall)
