"""The vector cache: a second encode of the same texts never reaches the encoder."""

from __future__ import annotations

import numpy as np

from qa.encoding.cache import CachedEncoder, VectorCache
from qa.encoding.encoder import HashEncoder


class CountingEncoder(HashEncoder):
    def __init__(self, dim: int = 16) -> None:
        super().__init__(dim)
        self.encoded: list[str] = []

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        return super().encode_passages(texts)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        return super().encode_queries(texts)


def test_cached_vectors_equal_fresh_ones_and_are_encoded_once(tmp_path):
    inner = CountingEncoder()
    encoder = CachedEncoder(inner, tmp_path / "cache.sqlite")
    assert (encoder.name, encoder.dim) == ("hash:16", 16)
    texts = ["Ein Satz.", "Another one.", "Ein Satz."]
    first = encoder.encode_passages(texts)
    assert inner.encoded == ["Ein Satz.", "Another one."]
    assert first.dtype == np.float32 and first.shape == (3, 16)
    np.testing.assert_array_equal(first, HashEncoder(16).encode_passages(texts))
    # A new process (a new cache object on the same file) reads what the first one wrote.
    again = CachedEncoder(inner, VectorCache(tmp_path / "cache.sqlite"))
    np.testing.assert_array_equal(
        again.encode_passages(["Another one.", "Neu."]),
        first[[1]].tolist() + [HashEncoder(16).encode_passages(["Neu."])[0].tolist()],
    )
    assert inner.encoded == ["Ein Satz.", "Another one.", "Neu."]
    assert encoder.encode_passages([]).shape == (0, 16)


def test_queries_are_cached_only_when_asked(tmp_path):
    inner = CountingEncoder()
    CachedEncoder(inner, tmp_path / "c.sqlite").encode_queries(["Wer?"])
    CachedEncoder(inner, tmp_path / "c.sqlite").encode_queries(["Wer?"])
    assert inner.encoded == ["Wer?", "Wer?"]
    cached = CachedEncoder(inner, tmp_path / "c.sqlite", cache_queries=True)
    cached.encode_queries(["Wer?"])
    cached.encode_queries(["Wer?"])
    assert inner.encoded == ["Wer?", "Wer?", "Wer?"]


def test_cache_is_keyed_by_encoder_name(tmp_path):
    small, large = CountingEncoder(16), CountingEncoder(32)
    CachedEncoder(small, tmp_path / "c.sqlite").encode_passages(["Text."])
    vectors = CachedEncoder(large, tmp_path / "c.sqlite").encode_passages(["Text."])
    assert large.encoded == ["Text."] and vectors.shape == (1, 32)
