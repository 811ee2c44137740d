"""Passage-retrieval benchmark on SQuAD-format files: Recall@1, Recall@5, MRR@10, latency, refusals.

Every paragraph of the corpus files becomes one document in a throw-away index built with the real
ingestion, encoder and Searcher, so the figures are the product's. A question's gold passage is the
paragraph that holds it; with parallel files (XQuAD de/en) the same article and paragraph index counts
in either language. Other article files (seed format, JSON records) may join the corpus as distractors.
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.config import Settings
from qa.encoding.encoder import Encoder
from qa.errors import InvalidRequest
from qa.records import Document, Hit, Section
from qa.retrieval.no_answer import Cutoffs, refuses
from qa.service import QAService
from qa.text.ingest import read_documents, split_passages

logger = logging.getLogger(__name__)

Key = tuple[int, int]  # (article index, paragraph index) in a SQuAD file
_GOLD_ID = re.compile(r"^sq\d+-a(\d+)-p(\d+)$")


@dataclass(frozen=True, slots=True)
class Question:
    """A benchmark question: its text, its gold paragraph (None when off-topic) and its answer texts."""

    id: str
    text: str
    gold: Key | None
    answers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """What `qa eval` prints; `highlight`, `refused` and `offtopic_refused` are shares of 0..1."""

    mode: str
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    median_ms: float
    highlight: float | None
    refused: float | None
    offtopic: int
    offtopic_refused: float | None

    def to_dict(self) -> dict:
        return {
            "recall@1": round(self.recall_at_1, 4),
            "recall@5": round(self.recall_at_5, 4),
            "mrr@10": round(self.mrr_at_10, 4),
            "questions": self.questions,
            "median_ms": round(self.median_ms, 2),
            "mode": self.mode,
            "highlight@1": None if self.highlight is None else round(self.highlight, 4),
            "refused": None if self.refused is None else round(self.refused, 4),
            "offtopic_questions": self.offtopic,
            "offtopic_refused": None if self.offtopic_refused is None else round(self.offtopic_refused, 4),
        }


# -- metrics: pure functions over 1-based ranks of the first gold passage (None = not retrieved) ------


def recall_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions whose gold passage is among the first k."""
    if not ranks:
        return 0.0
    return sum(1 for rank in ranks if rank is not None and rank <= k) / len(ranks)


def mrr_at(ranks: Sequence[int | None], k: int) -> float:
    """Mean reciprocal rank, counting 0 for a gold passage below rank k or not found."""
    if not ranks:
        return 0.0
    return sum(1.0 / rank for rank in ranks if rank is not None and rank <= k) / len(ranks)


def first_gold_rank(keys: Sequence[Key | None], gold: Key) -> int | None:
    """1-based rank of the first passage whose paragraph key is `gold`."""
    for rank, key in enumerate(keys, start=1):
        if key == gold:
            return rank
    return None


# -- loading -----------------------------------------------------------------------------------------


def _read_json(path: Path) -> dict:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidRequest(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidRequest(f"cannot read {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise InvalidRequest(f"{path} is not valid JSON: {error.msg} (line {error.lineno})") from None
    return payload


def _articles(payload: object, path: Path) -> list[dict]:
    articles = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(articles, list) or not all(
        isinstance(a, dict) and isinstance(a.get("paragraphs"), list) for a in articles
    ):
        raise InvalidRequest(f"{path} is not in SQuAD format: expected data[].paragraphs[]")
    return articles


def is_squad(path: Path) -> bool:
    """A .json file whose top level is an object with a "data" list (SQuAD); other files are articles."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    payload = _read_json(path)
    return isinstance(payload, dict) and "data" in payload


@dataclass(frozen=True, slots=True)
class Corpus:
    """The documents to index, and per SQuAD document the answers of its questions by question id
    (a cross-lingual question's highlight is checked against the answer in the passage's language)."""

    documents: tuple[Document, ...]
    answers: dict[str, dict[str, tuple[str, ...]]]


def _answers(qa: dict) -> tuple[str, ...]:
    return tuple(
        " ".join(str(answer["text"]).split())
        for answer in qa.get("answers") or []
        if isinstance(answer, dict) and answer.get("text")
    )


def load_squad_corpus(path: str | Path, number: int) -> Corpus:
    """One document per paragraph, titled by its article, with an id that encodes its paragraph key."""
    path = Path(path)
    documents = []
    answers: dict[str, dict[str, tuple[str, ...]]] = {}
    for a, article in enumerate(_articles(_read_json(path), path)):
        title = str(article.get("title") or path.stem).replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            context = paragraph.get("context") if isinstance(paragraph, dict) else None
            if not isinstance(context, str) or not context.strip():
                raise InvalidRequest(f"{path}: article {a} paragraph {p} has no context")
            doc_id = f"sq{number}-a{a}-p{p}"
            answers[doc_id] = {
                str(qa.get("id")): _answers(qa) for qa in paragraph.get("qas") or [] if isinstance(qa, dict)
            }
            documents.append(
                Document(
                    id=doc_id,
                    title=title,
                    date=None,
                    source=path.name,
                    sections=(Section(heading="", text=" ".join(context.split())),),
                )
            )
    return Corpus(tuple(documents), answers)


def load_squad_questions(path: str | Path) -> list[Question]:
    path = Path(path)
    questions: list[Question] = []
    for a, article in enumerate(_articles(_read_json(path), path)):
        for p, paragraph in enumerate(article["paragraphs"]):
            for qa in paragraph.get("qas") or []:
                text = qa.get("question") if isinstance(qa, dict) else None
                if not isinstance(text, str) or not text.strip():
                    raise InvalidRequest(f"{path}: article {a} paragraph {p} has a question without text")
                questions.append(Question(str(qa.get("id", len(questions))), text.strip(), (a, p), _answers(qa)))
    return questions


def load_offtopic(path: str | Path) -> list[Question]:
    """Questions the corpus cannot answer: one per line, blank lines and `#` comments skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InvalidRequest(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidRequest(f"cannot read {path}: {error}") from None
    texts = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not texts:
        raise InvalidRequest(f"{path} holds no question")
    return [Question(f"offtopic-{n}", text, None) for n, text in enumerate(texts)]


def load_corpus(paths: Sequence[str | Path]) -> Corpus:
    """SQuAD files become one document per paragraph; any other file or folder is read as articles."""
    documents: list[Document] = []
    answers: dict[str, dict[str, tuple[str, ...]]] = {}
    for number, raw in enumerate(paths):
        path = Path(raw)
        if not path.exists():
            raise InvalidRequest(f"no such file or folder: {path}")
        if is_squad(path):
            corpus = load_squad_corpus(path, number)
            documents.extend(corpus.documents)
            answers.update(corpus.answers)
        else:
            documents.extend(read_documents([path]))
    if not documents:
        raise InvalidRequest("the corpus holds no paragraph")
    return Corpus(tuple(documents), answers)


def paragraph_key(hit: Hit) -> Key | None:
    match = _GOLD_ID.match(hit.document.id)
    return (int(match.group(1)), int(match.group(2))) if match else None


# -- running -----------------------------------------------------------------------------------------


def build_service(
    documents: Sequence[Document],
    settings: Settings,
    encoder: Encoder,
    progress: Callable[[int], None] | None = None,
) -> QAService:
    """Index `documents` into settings.index_dir (a throw-away directory) and open a service on it."""
    service = QAService(settings, encoder, open_index=False)
    service.build_documents(documents, progress)
    return service


def _highlight_holds_answer(hit: Hit, answers: tuple[str, ...]) -> bool:
    return any(answer in hit.highlight.sentence for answer in answers)


def run(
    service: QAService,
    questions: Sequence[Question],
    offtopic: Sequence[Question] = (),
    *,
    mode: str = "hybrid",
    top_k: int = 10,
    batch: bool = False,
    answers: dict[str, dict[str, tuple[str, ...]]] | None = None,
    progress: Callable[[int], None] | None = None,
    **searcher_options,
) -> Report:
    """Ask every question through the real Searcher and the no-answer cut-off, and score the ranking.

    Ranks are measured on the retrieval before the cut-off (a refused question still counts by where its
    gold passage stood); `refused` is the share of answerable questions the cut-off would refuse.
    `batch` encodes all questions in one call (faster; then median_ms is the mean per question).
    `answers` (Corpus.answers) gives the answer texts in the gold passage's own language for the
    highlight check; without it, the question's own answers are used.
    """
    searcher = service.searcher(**searcher_options)
    settings = service.settings
    everything = list(questions) + list(offtopic)
    retrievals = []
    timings: list[float] = []
    if batch and everything:
        started = time.perf_counter()
        retrievals = searcher.search_many([q.text for q in everything], top_k, mode)
        timings = [(time.perf_counter() - started) * 1000 / len(everything)]
        if progress:
            progress(len(everything))
    else:
        for question in everything:
            started = time.perf_counter()
            retrievals.extend(searcher.search_many([question.text], top_k, mode))
            timings.append((time.perf_counter() - started) * 1000)
            if progress:
                progress(1)
    cutoffs = Cutoffs.from_settings(settings)
    refusals = [refuses(r, cutoffs) for r in retrievals]
    ranks: list[int | None] = []
    highlights: list[bool] = []
    for question, retrieval in zip(questions, retrievals, strict=False):
        keys = [paragraph_key(hit) for hit in retrieval.hits]
        rank = first_gold_rank(keys, question.gold) if question.gold is not None else None
        ranks.append(rank)
        if rank == 1:
            top = retrieval.hits[0]
            expected = (answers or {}).get(top.document.id, {}).get(question.id) or question.answers
            if expected:
                highlights.append(_highlight_holds_answer(top, expected))
    n = len(questions)
    return Report(
        mode=mode,
        questions=n,
        recall_at_1=recall_at(ranks, 1),
        recall_at_5=recall_at(ranks, 5),
        mrr_at_10=mrr_at(ranks, 10),
        median_ms=statistics.median(timings) if timings else 0.0,
        highlight=sum(highlights) / len(highlights) if highlights else None,
        refused=sum(refusals[:n]) / n if n else None,
        offtopic=len(offtopic),
        offtopic_refused=sum(refusals[n:]) / len(offtopic) if offtopic else None,
    )


def evaluate(
    corpus: Sequence[str | Path],
    questions: str | Path | None,
    settings: Settings,
    encoder: Encoder,
    *,
    offtopic: str | Path | None = None,
    mode: str = "hybrid",
    top_k: int = 10,
    progress_bar: Callable[[str, int], Any] | None = None,
) -> Report:
    """Index `corpus` in a temporary directory, ask the questions (and off-topic ones), report.

    `settings.index_dir` is ignored: the served index is never touched. `progress_bar(description, total)`
    returns an object with update(n) and close() (a tqdm bar), once for indexing and once for asking.
    """
    if questions is None and offtopic is None:
        raise InvalidRequest("give --questions, --offtopic or both")
    gold = load_squad_questions(questions) if questions is not None else []
    off = load_offtopic(offtopic) if offtopic is not None else []
    loaded = load_corpus(corpus)
    documents = loaded.documents
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as tmp:
        bar = progress_bar("indexing", sum(len(split_passages(d)) for d in documents)) if progress_bar else None
        try:
            service = build_service(
                documents, settings.replace(index_dir=str(Path(tmp) / "index")), encoder, bar.update if bar else None
            )
        finally:
            if bar is not None:
                bar.close()
        bar = progress_bar("asking", len(gold) + len(off)) if progress_bar else None
        try:
            return run(
                service,
                gold,
                off,
                mode=mode,
                top_k=top_k,
                answers=loaded.answers,
                progress=bar.update if bar else None,
            )
        finally:
            service.close()
            if bar is not None:
                bar.close()
