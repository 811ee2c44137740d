"""Rare-name benchmark: does a question that names an invented place, person or company find the article
that names it, rather than one about a look-alike ("Libilukox" against "Liborudox")?

The articles (qa.lab.names_corpus, German, deterministic seed) are indexed with the configured encoder
in a throw-away directory, each article one passage; each is asked once in German and once in English.
Recall@1 = the first hit is the named article; "name" rows: the first hit holds the name verbatim (an
article may name a look-alike's place in passing, so that is not always the asked-about article).
The ranking is measured with the rare-name evidence off (name weight 0, the ranking before it
existed) and at the given weight, in the same run.
"""

from __future__ import annotations

import logging
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from qa.lab.names_corpus import KINDS, NamedArticle, generate

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NamesReport:
    """Recall@1 per question language (and per kind of name) at each name weight."""

    articles: int
    questions: int
    recall: dict[str, dict[str, float]]  # "de" / "en" / "de place" ... -> weight label -> R@1
    misses: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"articles": self.articles, "questions": self.questions, "recall_at_1": self.recall}


def _recall(service, articles: list[NamedArticle], name_weight: float, misses: list[str] | None) -> dict[str, float]:
    searcher = service.searcher(name_weight=name_weight)
    found: defaultdict[str, int] = defaultdict(int)
    total: defaultdict[str, int] = defaultdict(int)
    for language in ("de", "en"):
        questions = [a.question_de if language == "de" else a.question_en for a in articles]
        retrievals = searcher.search_many(questions, 1, "hybrid", [language] * len(questions))
        for article, question, retrieval in zip(articles, questions, retrievals, strict=True):
            top = retrieval.hits[0].document.id if retrieval.hits else None
            ok = top == article.document.id
            named = bool(retrieval.hits) and article.name in retrieval.hits[0].text
            for key in (language, f"{language} {article.kind}"):
                total[key] += 1
                found[key] += ok
            total[f"{language} name"] += 1
            found[f"{language} name"] += named
            if not ok and misses is not None:
                misses.append(f"{question!r} -> {top}")
    order = ["de", "en", "de name", "en name"] + [f"{lang} {kind}" for lang in ("de", "en") for kind in KINDS]
    return {key: round(found[key] / total[key], 4) for key in order if total[key]}


def run(articles: int = 240, seed: int = 15, name_weight: float | None = None) -> NamesReport:
    """Build the benchmark index and report Recall@1 with the rare-name evidence off and on."""
    from qa.config import load_settings
    from qa.encoding.cache import cached_encoder
    from qa.lab.evaluate import build_service

    generated = generate(articles, seed)
    with tempfile.TemporaryDirectory(prefix="qa-bench-names-") as scratch:
        settings = load_settings({"index_dir": str(Path(scratch) / "index")})
        weight = settings.name_weight if name_weight is None else name_weight
        service = build_service([a.document for a in generated], settings, cached_encoder(settings))
        try:
            off = _recall(service, generated, 0.0, None)
            misses: list[str] = []
            on = _recall(service, generated, weight, misses)
        finally:
            service.close()
    recall = {key: {"name weight 0": off[key], f"name weight {weight:g}": on[key]} for key in off}
    return NamesReport(len(generated), 2 * len(generated), recall, tuple(misses))
