"""Passages -> the vectors the index keeps: one per passage and one per sentence, each text encoded once."""

from __future__ import annotations

import numpy as np

from qa.encoding.encoder import Encoder
from qa.records import Passage


def embed_passages(
    encoder: Encoder, passages: list[Passage], sentences: bool = True
) -> tuple[np.ndarray, list[np.ndarray | None]]:
    """Return passage vectors (n, dim) and, per passage, its sentence vectors (n_sentences, dim).

    Sentences are encoded as passages (E5's passage prefix), after the passage's context
    (`Passage.sentence_embedding_texts`), in the same batch as the passages so
    the encoder stays busy. A passage of one sentence reuses the passage vector, and a text that
    occurs twice is encoded once. With `sentences=False` only passages are encoded: a passage of
    several sentences then gets None (its sentence vectors are filled later, see qa.storage.sentence_vectors).
    """
    texts: list[str] = []
    slot: dict[str, int] = {}

    def slot_of(text: str) -> int:
        if text not in slot:
            slot[text] = len(texts)
            texts.append(text)
        return slot[text]

    passage_slots = [slot_of(p.embedding_text) for p in passages]
    sentence_slots = [
        [slot_of(s) for s in p.sentence_embedding_texts()] if sentences and len(p.sentences) > 1 else None
        for p in passages
    ]
    vectors = encoder.encode_passages(texts) if texts else np.zeros((0, encoder.dim), dtype=np.float32)
    passage_vectors = vectors[passage_slots] if passages else np.zeros((0, encoder.dim), dtype=np.float32)
    sentence_vectors: list[np.ndarray | None] = []
    for i, (passage, slots) in enumerate(zip(passages, sentence_slots, strict=True)):
        if slots is not None:
            sentence_vectors.append(vectors[slots])
        elif len(passage.sentences) > 1:
            sentence_vectors.append(None)
        else:
            sentence_vectors.append(passage_vectors[i : i + 1])
    return np.ascontiguousarray(passage_vectors, dtype=np.float32), sentence_vectors


def embed_sentences(encoder: Encoder, sentence_texts: list[list[str]]) -> list[np.ndarray]:
    """Sentence vectors (n_sentences, dim) per passage from the texts embed_passages encodes
    (`Passage.sentence_embedding_texts`: each sentence after its passage's context)."""
    slot: dict[str, int] = {}
    slots = [[slot.setdefault(s, len(slot)) for s in sentences] for sentences in sentence_texts]
    texts = list(slot)
    vectors = encoder.encode_passages(texts) if texts else np.zeros((0, encoder.dim), dtype=np.float32)
    return [np.ascontiguousarray(vectors[s], dtype=np.float32) for s in slots]
