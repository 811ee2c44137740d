"""Vectors cached on disk by (encoder, kind, text), so a corpus is encoded once however often it is indexed.

Encoding is the slow part of every build (about 10 passages per second on 2 cores); a benchmark run or
a rebuild of the same articles should never pay it twice. The cache is one SQLite file any number of
processes can share; a damaged or foreign row is simply encoded again.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.encoding.encoder import Encoder, load_encoder

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    encoder TEXT NOT NULL,
    kind TEXT NOT NULL,
    digest BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (encoder, kind, digest)
) WITHOUT ROWID
"""
_CHUNK = 500


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()[:20]


class VectorCache:
    """A SQLite table of float32 vectors keyed by encoder name, kind ("query" or "passage") and text hash."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)
        self._lock = threading.Lock()

    def get_many(self, encoder: str, kind: str, texts: list[str], dim: int) -> list[np.ndarray | None]:
        """The cached vector of each text, or None where there is none (or it has the wrong size)."""
        digests = [_digest(text) for text in texts]
        found: dict[bytes, bytes] = {}
        with self._lock:
            for start in range(0, len(digests), _CHUNK):
                chunk = digests[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                found.update(
                    self._conn.execute(
                        f"SELECT digest, vector FROM vectors WHERE encoder = ? AND kind = ? AND digest IN ({marks})",
                        (encoder, kind, *chunk),
                    ).fetchall()
                )
        result: list[np.ndarray | None] = []
        for digest in digests:
            blob = found.get(digest)
            result.append(np.frombuffer(blob, dtype=np.float32) if blob and len(blob) == dim * 4 else None)
        return result

    def put_many(self, encoder: str, kind: str, texts: list[str], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise ValueError(f"put_many: {len(texts)} texts but vectors of shape {vectors.shape}")
        rows = [(encoder, kind, _digest(text), vector.tobytes()) for text, vector in zip(texts, vectors, strict=True)]
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class CachedEncoder:
    """Any Encoder with a disk cache in front: same name, dim and methods, so an index cannot tell.

    Passage vectors are always cached; query vectors only with `cache_queries` (a benchmark that
    times questions should pay for encoding them).
    """

    def __init__(self, encoder: Encoder, cache: VectorCache | str | Path, cache_queries: bool = False) -> None:
        self.inner = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self.cache = cache if isinstance(cache, VectorCache) else VectorCache(cache)
        self.cache_queries = cache_queries
        self.hits = 0
        self.misses = 0

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        texts = list(texts)
        encode = self.inner.encode_queries if kind == "query" else self.inner.encode_passages
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cached = self.cache.get_many(self.name, kind, texts, self.dim)
        missing = list(dict.fromkeys(text for text, vector in zip(texts, cached, strict=True) if vector is None))
        fresh: dict[str, np.ndarray] = {}
        if missing:
            vectors = encode(missing)
            self.cache.put_many(self.name, kind, missing, vectors)
            fresh = dict(zip(missing, vectors, strict=True))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, (text, vector) in enumerate(zip(texts, cached, strict=True)):
            out[row] = vector if vector is not None else fresh[text]
        return out

    def count_query_tokens(self, text: str) -> int:
        return self.inner.count_query_tokens(text)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if not self.cache_queries:
            return self.inner.encode_queries(texts)
        return self._encode(texts, "query")

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage")

    def close(self) -> None:
        self.cache.close()


def cached_encoder(settings: Settings, cache_queries: bool = False) -> Encoder:
    """The settings' encoder behind the on-disk vector cache (when one is set), so no text is encoded
    twice; with `cache_queries`, questions too (the lab asks the same ones again)."""
    encoder = load_encoder(settings.encoder, settings.encode_device, settings.encode_batch_size)
    if not settings.vector_cache:
        return encoder
    return CachedEncoder(encoder, settings.vector_cache, cache_queries=cache_queries)


def service_encoder(settings: Settings) -> Encoder:
    """The encoder a service loads when it is given none: the settings' own, behind the vector cache for
    questions only with `cache_questions` (how `qa bench scale` times the pipeline without the encoder)."""
    if settings.cache_questions and settings.vector_cache:
        return cached_encoder(settings, cache_queries=True)
    return load_encoder(settings.encoder, settings.encode_device, settings.encode_batch_size)
