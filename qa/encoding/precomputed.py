"""Vectors computed elsewhere (a Ray cluster), handed to the writer as if its encoder made them.

The writer asks its encoder for texts in calls it decides (qa.storage.writer.build_plan lists them
beforehand). A remote encode runs exactly those calls, in the same order and with the same texts,
so the vectors, and therefore the index, are the same bit for bit; this class checks each call
against the plan, so a writer that asked for something else fails loudly instead of storing wrong
vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from qa.encoding.encoder import Encoder

# Encodes planned calls somewhere else and yields one (len(call), dim) float32 array per call, in order.
EncodeCalls = Callable[[Sequence[list[str]]], Iterator[np.ndarray]]


class PlanMismatch(RuntimeError):
    """The writer asked for other texts than were planned (the index changed meanwhile, or a bug)."""


class PrecomputedEncoder:
    """An Encoder whose passage vectors arrive from `vectors`, one array per planned call.

    Questions are still encoded by `encoder` (the local one of the same name and dimension).
    """

    def __init__(self, encoder: Encoder, plan: Sequence[list[str]], vectors: Iterator[np.ndarray]) -> None:
        self.name = encoder.name
        self.dim = encoder.dim
        self._encoder = encoder
        self._plan = iter(plan)
        self._vectors = vectors
        self.calls = 0

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encoder.encode_queries(texts)

    def count_query_tokens(self, text: str) -> int:
        return self._encoder.count_query_tokens(text)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        expected = next(self._plan, None)
        if expected != list(texts):
            raise PlanMismatch(
                f"call {self.calls + 1}: the writer asked for {len(texts)} texts that were not planned "
                f"(planned: {'none' if expected is None else len(expected)})"
            )
        vectors = next(self._vectors, None)
        if vectors is None:
            raise PlanMismatch(f"call {self.calls + 1}: the encoded vectors ran out before the plan did")
        if vectors.dtype != np.float32 or vectors.shape != (len(texts), self.dim):
            raise ValueError(
                f"call {self.calls + 1}: expected float32 vectors of shape {(len(texts), self.dim)}, "
                f"got {vectors.dtype} {vectors.shape}"
            )
        self.calls += 1
        return np.ascontiguousarray(vectors)

    def finished(self) -> bool:
        """Whether every planned call was made (a writer that stopped early left vectors unused)."""
        return next(self._plan, None) is None
