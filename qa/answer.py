"""Retrieval -> Answer: the calibrated "no matching passage" cut-off and the response record."""

from __future__ import annotations

from .records import Answer
from .search import Retrieval


def no_answer_threshold(language: str, german: float, english: float) -> float:
    """Cut-offs differ by language: German questions over German text score about 0.05 higher
    in cosine than English ones, so one threshold would refuse good English questions."""
    return german if language == "de" else english


def make_answer(retrieval: Retrieval, mode: str, took_ms: float, threshold: float) -> Answer:
    """Refuse when even the best candidate is less similar than the threshold; else return the hits."""
    refused = not retrieval.hits or retrieval.best_dense < threshold
    return Answer(
        question=retrieval.question,
        language=retrieval.language,
        mode=mode,
        hits=() if refused else retrieval.hits,
        no_answer=refused,
        took_ms=took_ms,
    )
