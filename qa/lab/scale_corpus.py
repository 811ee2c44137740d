"""A news archive of any size without running the model for every passage: the corpus of `qa bench scale`.

The XQuAD articles are halved: the German paragraphs of the even-numbered articles are inside as
their own documents and their questions are asked; the other articles' sentences (German mostly, some
English) are resampled into the rest of the archive, ten passages to an article, with dates and sources
spread over ten years. (Resampling the gold articles' own sentences would fill the archive with
near-copies of every answer, in both languages.) A passage's vector is composed, not encoded: the
normalised mean of its sentences' real (cached) vectors, which is what the encoder does to a passage
to first order. Documents stream out one at a time, so the corpus never sits in memory.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.encoding.encoder import Encoder
from qa.records import Document, Section
from qa.text.sentences import split_sentences

logger = logging.getLogger(__name__)

PASSAGES_PER_ARTICLE = 10
ENGLISH_SHARE = 0.2
SOURCES = ("Rheinpost", "Nordkurier", "Tagesblatt", "Abendzeitung", "Landbote", "Kurier", "Morgenpost", "Echo")
_MIN_WORDS, _MAX_WORDS = 50, 140


def gold_id(article: int, paragraph: int) -> str:
    return f"xq-de-a{article}-p{paragraph}"


def is_gold(article: int) -> bool:
    """Whether an XQuAD article's paragraphs are inside the archive (and its questions asked)."""
    return article % 2 == 0


@dataclass(frozen=True, slots=True)
class Paragraph:
    article: int
    paragraph: int
    title: str
    text: str
    questions: tuple[str, ...]


def read_xquad(path: Path) -> list[Paragraph]:
    """The paragraphs of a SQuAD-format file with their questions, contexts with whitespace collapsed."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    return [
        Paragraph(
            a,
            p,
            str(article.get("title", "")),
            " ".join(para["context"].split()),
            tuple(qa["question"].strip() for qa in para.get("qas", [])),
        )
        for a, article in enumerate(data)
        for p, para in enumerate(article["paragraphs"])
    ]


class SentencePool:
    """The sentences of one language with their real vectors (float32, unit rows)."""

    def __init__(self, language: str, sentences: list[str], vectors: np.ndarray) -> None:
        self.language = language
        self.sentences = sentences
        self.words = np.array([len(s.split()) for s in sentences], dtype=np.int32)
        self.vectors = vectors


class ComposedEncoder:
    """The real encoder for questions; passages and sentences looked up or composed from known sentences.

    `name` and `dim` are the real encoder's, so an index built with it is served by the real encoder.
    """

    def __init__(self, real: Encoder, known: dict[str, np.ndarray]) -> None:
        self.name = real.name
        self.dim = real.dim
        self.real = real
        self.known = known
        self.pending: dict[str, np.ndarray] = {}
        self.composed = 0
        self.fallback = 0
        self.seconds = 0.0

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.real.encode_queries(texts)

    def count_query_tokens(self, text: str) -> int:
        return self.real.count_query_tokens(text)

    def _compose(self, text: str, language: str) -> np.ndarray:
        parts = [self.known[text[s:e]] for s, e in split_sentences(text, language) if text[s:e] in self.known]
        if not parts:
            self.fallback += 1
            return self.real.encode_passages([text])[0]
        self.composed += 1
        mean = np.asarray(np.stack(parts).mean(axis=0, dtype=np.float32), dtype=np.float32)
        return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12), dtype=np.float32)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        started = time.process_time()
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            # A passage after the teaser is encoded after its article's title (`Passage.embedding_text`):
            # its own text is the last line. Looked up by the whole text only, such passages were composed
            # again from their sentences (the same vector, at about a millisecond each) and their vectors
            # stayed in `pending` to the end of the build (peak RSS 2.5 GB at 1M).
            vector = self.pending.pop(text.rsplit("\n", 1)[-1], None)
            if vector is None:
                vector = self.known.get(text)
            out[row] = vector if vector is not None else self._compose(text, "de")
        self.seconds += time.process_time() - started
        return out


def sentence_pools(xquad: Path, encoder: Encoder) -> tuple[dict[str, SentencePool], dict[str, np.ndarray]]:
    """Per language the XQuAD sentences with their vectors, and every known text -> vector
    (sentences and the German paragraphs themselves)."""
    pools: dict[str, SentencePool] = {}
    known: dict[str, np.ndarray] = {}
    for language in ("de", "en"):
        paragraphs = read_xquad(xquad / f"xquad.{language}.json")
        filler = [p for p in paragraphs if not is_gold(p.article)]
        sentences = list(dict.fromkeys(p.text[s:e] for p in filler for s, e in split_sentences(p.text, language)))
        gold = [p for p in paragraphs if is_gold(p.article)]
        gold_sentences = [p.text[s:e] for p in gold for s, e in split_sentences(p.text, language)]
        texts = sentences + (gold_sentences + [p.text for p in gold] if language == "de" else [])
        vectors = encoder.encode_passages(texts)
        known.update(zip(texts, vectors, strict=True))
        pools[language] = SentencePool(language, sentences, np.ascontiguousarray(vectors[: len(sentences)]))
    return pools, known


def _passage(pool: SentencePool, rng: random.Random) -> tuple[str, np.ndarray]:
    picked: list[int] = []
    words = 0
    while words < _MIN_WORDS:
        i = rng.randrange(len(pool.sentences))
        if words + int(pool.words[i]) > _MAX_WORDS and picked:
            break
        picked.append(i)
        words += int(pool.words[i])
    mean = np.asarray(pool.vectors[picked].mean(axis=0, dtype=np.float32), dtype=np.float32)
    return " ".join(pool.sentences[i] for i in picked), np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12))


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def documents(
    passages: int, xquad: Path, pools: dict[str, SentencePool], encoder: ComposedEncoder, seed: int = 11
) -> Iterator[Document]:
    """About `passages` passages: the German XQuAD paragraphs first, then resampled articles.

    Each generated passage's composed vector is handed to `encoder` just before its document is yielded.
    """
    rng = random.Random(seed)
    gold = [p for p in read_xquad(xquad / "xquad.de.json") if is_gold(p.article)]
    for p in gold:
        yield Document(
            gold_id(p.article, p.paragraph), p.title, _date(rng), rng.choice(SOURCES), (Section("", p.text),)
        )
    remaining = max(0, passages - len(gold))
    article = 0
    while remaining > 0:
        language = "en" if rng.random() < ENGLISH_SHARE else "de"
        sections = []
        for _ in range(min(PASSAGES_PER_ARTICLE, remaining)):
            text, vector = _passage(pools[language], rng)
            encoder.pending[text] = vector
            sections.append(Section("", text))
        remaining -= len(sections)
        title = sections[0].text.split(".")[0][:80] or f"Artikel {article}"
        yield Document(f"archive-{article}", title, _date(rng), rng.choice(SOURCES), tuple(sections))
        article += 1
