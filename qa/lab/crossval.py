"""Cross-validated weight sweeps over XQuAD articles: `qa bench tune`.

Why: a weight chosen on the same questions it is reported on flatters itself (issue 15 measured dev
figures 3-5 points above unseen questions). So a Searcher option is swept over candidate values on
one index of the German XQuAD paragraphs, every question's outcome is kept, and the articles are cut
into folds: for each fold the value that does best on the other folds' questions is chosen and
scored on this fold's. The held-out figure (all folds together) is the number to report.

Two outcomes per question: Recall@1 (the gold paragraph first) and the highlight (the answer inside
the highlighted sentence, among questions whose gold paragraph is first at the reference value, so
every value is scored on the same questions).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

METRICS = ("recall@1", "highlight")


def held_out(outcomes: np.ndarray, groups: np.ndarray, folds: int) -> tuple[float, list[int]]:
    """Held-out mean of a (values x questions) 0/1 matrix when each fold takes the value (row) that is
    best on the other folds (ties: the earliest row), and the row chosen for each fold."""
    outcomes = np.asarray(outcomes, dtype=np.float64)
    groups = np.asarray(groups, dtype=np.int64)
    if outcomes.ndim != 2 or outcomes.shape[1] != groups.shape[0]:
        raise ValueError(f"expected (values, {groups.shape[0]}) outcomes, got {outcomes.shape}")
    fold_of = groups % folds
    correct, chosen = 0.0, []
    for fold in range(folds):
        train, test = fold_of != fold, fold_of == fold
        best = int(np.argmax(outcomes[:, train].sum(axis=1)))
        chosen.append(best)
        correct += float(outcomes[best, test].sum())
    return correct / max(1, outcomes.shape[1]), chosen


@dataclass(frozen=True, slots=True)
class Sweep:
    """Per direction and metric: the mean at each value (all questions) and the held-out mean."""

    parameter: str
    values: tuple[float, ...]
    results: dict[str, dict]

    def to_dict(self) -> dict:
        return {"parameter": self.parameter, "values": list(self.values), "results": self.results}


def _outcomes(searcher, questions, answers) -> tuple[np.ndarray, np.ndarray]:
    from qa.lab.evaluate import paragraph_key

    retrievals = searcher.search_many([q.text for q in questions], 1, "hybrid")
    first = np.zeros(len(questions), dtype=bool)
    highlight = np.zeros(len(questions), dtype=bool)
    for i, (question, retrieval) in enumerate(zip(questions, retrievals, strict=True)):
        if retrieval.hits and paragraph_key(retrieval.hits[0]) == question.gold:
            first[i] = True
            top = retrieval.hits[0]
            expected = answers.get(top.document.id, {}).get(question.id) or question.answers
            highlight[i] = any(answer in top.highlight.sentence for answer in expected)
    return first, highlight


def sweep(
    xquad: Path, parameter: str, values: Sequence[float], folds: int = 4, reference: float | None = None
) -> Sweep:
    """Sweep `parameter` (a Searcher option) over `values` on DE->DE and EN->DE; see the module doc."""
    from qa.config import load_settings
    from qa.encoding.cache import cached_encoder
    from qa.lab.evaluate import build_service, load_squad_corpus, load_squad_questions

    corpus = load_squad_corpus(xquad / "xquad.de.json", 0)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="qa-bench-tune-") as scratch:
        settings = load_settings({"index_dir": str(Path(scratch) / "index")})
        # Every value asks the same questions: their vectors are cached too (a sweep times nothing).
        service = build_service(corpus.documents, settings, cached_encoder(settings, cache_queries=True))
        try:
            for direction, language in (("DE->DE", "de"), ("EN->DE", "en")):
                questions = load_squad_questions(xquad / f"xquad.{language}.json")
                groups = np.array([q.gold[0] for q in questions if q.gold is not None], dtype=np.int64)
                rows = [
                    _outcomes(service.searcher(**{parameter: value}), questions, corpus.answers) for value in values
                ]
                first = np.stack([r[0] for r in rows])
                base = list(values).index(reference) if reference is not None and reference in values else 0
                mask = first[base]
                highlight = np.stack([r[1] for r in rows])[:, mask]
                results[direction] = {}
                for metric, matrix, group in (("recall@1", first, groups), ("highlight", highlight, groups[mask])):
                    score, chosen = held_out(matrix, group, folds)
                    results[direction][metric] = {
                        "by value": {
                            f"{v:g}": round(float(m), 4) for v, m in zip(values, matrix.mean(axis=1), strict=True)
                        },
                        "held out": round(score, 4),
                        "chosen per fold": [values[c] for c in chosen],
                        "questions": int(matrix.shape[1]),
                    }
        finally:
            service.close()
    return Sweep(parameter, tuple(values), results)
