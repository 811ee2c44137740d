"""Passages -> the vectors the index keeps: one per passage and one per sentence, each text encoded once."""

from __future__ import annotations

import numpy as np

from .encoder import Encoder
from .records import Passage


def embed_passages(encoder: Encoder, passages: list[Passage]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Return passage vectors (n, dim) and, per passage, its sentence vectors (n_sentences, dim).

    Sentences are encoded as passages (E5's passage prefix), in the same batch as the passages so
    the encoder stays busy. A passage of one sentence reuses the passage vector, and a text that
    occurs twice is encoded once.
    """
    texts: list[str] = []
    slot: dict[str, int] = {}

    def slot_of(text: str) -> int:
        if text not in slot:
            slot[text] = len(texts)
            texts.append(text)
        return slot[text]

    passage_slots = [slot_of(p.embedding_text) for p in passages]
    sentence_slots = [[slot_of(s) for s in p.sentence_texts()] if len(p.sentences) > 1 else None for p in passages]
    vectors = encoder.encode_passages(texts) if texts else np.zeros((0, encoder.dim), dtype=np.float32)
    passage_vectors = vectors[passage_slots] if passages else np.zeros((0, encoder.dim), dtype=np.float32)
    sentence_vectors = [
        vectors[slots] if slots is not None else passage_vectors[i : i + 1] for i, slots in enumerate(sentence_slots)
    ]
    return np.ascontiguousarray(passage_vectors, dtype=np.float32), sentence_vectors
