"""Writing documents into an index: encode outside the lock, then one transaction per batch.

The same code serves a full build and a run-time add, so both store exactly the same thing.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import store
from .embedding import embed_passages
from .encoder import Encoder
from .errors import NotFound
from .index import Index
from .ingest import split_passages
from .records import Document, Passage

logger = logging.getLogger(__name__)

BATCH_PASSAGES = 256


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What happened to one submitted document."""

    id: str
    status: str  # "added", "replaced" or "unchanged"
    passages: int

    def to_dict(self) -> dict:
        return {"id": self.id, "status": self.status, "passages": self.passages}


@dataclass(frozen=True, slots=True)
class _Prepared:
    document: Document
    passages: list[Passage]
    digest: str


def prepare(documents: Sequence[Document]) -> list[_Prepared]:
    """Split into passages and fingerprint; a document given twice in one batch counts once (the last)."""
    latest: dict[str, Document] = {}
    for document in documents:
        latest.pop(document.id, None)
        latest[document.id] = document
    return [_Prepared(d, split_passages(d), store.content_hash(d)) for d in latest.values()]


def _batches(items: list[_Prepared], size: int) -> list[list[_Prepared]]:
    batches: list[list[_Prepared]] = []
    current: list[_Prepared] = []
    count = 0
    for item in items:
        if current and count + len(item.passages) > size:
            batches.append(current)
            current, count = [], 0
        current.append(item)
        count += len(item.passages)
    if current:
        batches.append(current)
    return batches


def _unchanged(conn: sqlite3.Connection, item: _Prepared) -> str | None:
    """The id of a stored document with exactly this content, if any."""
    return store.document_id_by_hash(conn, item.digest)


def _write(conn: sqlite3.Connection, item: _Prepared, vectors, sentence_vectors) -> WriteResult:
    existing = store.document_id_by_hash(conn, item.digest)
    if existing is not None:
        return WriteResult(existing, "unchanged", len(item.passages))
    replaced = store.document_by_id(conn, item.document.id) is not None
    if replaced:
        store.delete_document(conn, item.document.id)
    store.insert_document(conn, item.document, item.passages, vectors, sentence_vectors, item.digest)
    return WriteResult(item.document.id, "replaced" if replaced else "added", len(item.passages))


def fill(
    conn: sqlite3.Connection,
    encoder: Encoder,
    documents: Sequence[Document],
    progress: Callable[[int], None] | None = None,
) -> list[WriteResult]:
    """Write documents into a fresh generation, one committed transaction per batch."""
    results = []
    for batch in _batches(prepare(documents), BATCH_PASSAGES):
        passages = [p for item in batch for p in item.passages]
        vectors, sentence_vectors = embed_passages(encoder, passages)
        conn.execute("BEGIN IMMEDIATE")
        offset = 0
        for item in batch:
            n = len(item.passages)
            results.append(_write(conn, item, vectors[offset : offset + n], sentence_vectors[offset : offset + n]))
            offset += n
        conn.execute("COMMIT")
        if progress:
            progress(len(passages))
    return results


def add_documents(index: Index, encoder: Encoder, documents: Sequence[Document]) -> list[WriteResult]:
    """Add or replace documents in a live index, all in one transaction: all are stored or none.

    Documents whose content is already stored are not encoded again.
    """
    prepared = prepare(documents)
    with index.reader() as conn:
        known = {item.document.id: _unchanged(conn, item) for item in prepared}
    todo = [item for item in prepared if known[item.document.id] is None]
    passages = [p for item in todo for p in item.passages]
    vectors, sentence_vectors = embed_passages(encoder, passages)
    results = []
    with index.writer() as conn:
        offset = 0
        for item in prepared:
            if known[item.document.id] is not None:
                results.append(WriteResult(known[item.document.id], "unchanged", len(item.passages)))
                continue
            n = len(item.passages)
            results.append(_write(conn, item, vectors[offset : offset + n], sentence_vectors[offset : offset + n]))
            offset += n
    logger.info("stored %d documents (%d passages encoded)", len(results), len(passages))
    return results


def remove_document(index: Index, document_id: str) -> int:
    """Delete a document; returns how many passages went with it."""
    with index.writer() as conn:
        if store.document_by_id(conn, document_id) is None:
            raise NotFound(f"no document with id {document_id!r}")
        return len(store.delete_document(conn, document_id))
