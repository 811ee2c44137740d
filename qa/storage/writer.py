"""Writing documents into an index: encode outside the lock, then one transaction per request.

The same code serves a full build and a run-time add, so both store exactly the same thing. A run-time
write is all or nothing: every document of a request is encoded first, then stored in one SQLite
transaction, so a crash or a rejected record never leaves half of a request behind.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from qa.encoding.embed import embed_passages
from qa.encoding.encoder import Encoder
from qa.errors import Busy, DatabaseUnreachable, IndexNotReady, IndexNotWritable, NotFound
from qa.records import Document, Passage, Section
from qa.storage import record
from qa.storage.database import Session
from qa.storage.generation import Generation, GenerationSwapped
from qa.storage.manifest import FORMAT_VERSION, Manifest
from qa.text.ingest import split_passages

logger = logging.getLogger(__name__)

BATCH_PASSAGES = 256
# Texts per encoder call on the write path: small enough that a single new article waits at most one
# chunk behind a bulk import, large enough to keep every core busy.
ENCODE_CHUNK = 32
_ATTEMPTS = 5
# A request of at most this many passages is written in two steps: passage vectors first (answerable at
# the 201), sentence vectors just after (qa.storage.sentence_vectors). Bulk requests store everything at once.
SMALL_WRITE_PASSAGES = 32

# A batch encode already uses every core, so two at once only fight over them: the cores are a
# per-process resource, hence one lock per process, taken per chunk.
_encode_lock = threading.Lock()

Vectors = tuple[np.ndarray, list[np.ndarray | None]]


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


class _NotEncoded(Exception):
    """Inside the write transaction a document turned out to need vectors it was not given."""


class ChunkedEncoder:
    """The encoder, fed in chunks under the process's encode lock (same vectors, fairer sharing)."""

    def __init__(self, encoder: Encoder, chunk: int = ENCODE_CHUNK) -> None:
        self.name = encoder.name
        self.dim = encoder.dim
        self._encoder = encoder
        self._chunk = chunk

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encoder.encode_queries(texts)

    def count_query_tokens(self, text: str) -> int:
        return self._encoder.count_query_tokens(text)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), self._chunk):
            with _encode_lock:
                parts.append(self._encoder.encode_passages(texts[start : start + self._chunk]))
        return np.concatenate(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)


def prepare(documents: Sequence[Document]) -> list[_Prepared]:
    """Split into passages and fingerprint; a document given twice in one batch counts once (the last)."""
    latest: dict[str, Document] = {}
    for document in documents:
        latest.pop(document.id, None)
        latest[document.id] = document
    return [_Prepared(d, split_passages(d), record.content_hash(d)) for d in latest.values()]


def encode(
    encoder: Encoder, items: Sequence[_Prepared], sentences: bool = True, chunk: int = ENCODE_CHUNK
) -> dict[str, Vectors]:
    """Vectors for each document's passages and (unless `sentences` is False) sentences; every
    distinct text is encoded once."""
    passages = [p for item in items for p in item.passages]
    vectors, sentence_vectors = embed_passages(ChunkedEncoder(encoder, chunk), passages, sentences)
    result, offset = {}, 0
    for item in items:
        n = len(item.passages)
        result[item.document.id] = (vectors[offset : offset + n], sentence_vectors[offset : offset + n])
        offset += n
    return result


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


def _write(conn: Session, item: _Prepared, vectors: dict[str, Vectors], origin: str) -> WriteResult:
    """Store one document inside the caller's transaction: unchanged, replaced or added."""
    doc_id = item.document.id
    stored = record.content_hash_of(conn, doc_id)
    if stored == item.digest:
        if origin == "added":
            # Sent again at run time: it now belongs to the run-time documents a rebuild keeps.
            record.mark_added(conn, doc_id)
        return WriteResult(doc_id, "unchanged", len(item.passages))
    if doc_id not in vectors:
        raise _NotEncoded(doc_id)
    if stored is not None:
        record.delete_document(conn, doc_id)
    passage_vectors, sentence_vectors = vectors[doc_id]
    record.insert_document(conn, item.document, item.passages, passage_vectors, sentence_vectors, item.digest, origin)
    return WriteResult(doc_id, "replaced" if stored is not None else "added", len(item.passages))


def _stream(documents: Iterable[Document], size: int) -> Iterator[list[_Prepared]]:
    """Batches of about `size` passages, prepared as the documents arrive: nothing else is held."""
    current: list[Document] = []
    count = 0
    for document in documents:
        current.append(document)
        count += 10  # a guess per document; the exact cut is made by _batches below
        if count >= size:
            yield from _batches(prepare(current), size)
            current, count = [], 0
    if current:
        yield from _batches(prepare(current), size)


def write_build(
    conn: Session,
    encoder: Encoder,
    documents: Iterable[Document],
    progress: Callable[[int], None] | None = None,
    chunk: int = ENCODE_CHUNK,
) -> list[WriteResult]:
    """Write documents into a fresh generation, one committed transaction per batch, streaming.

    A document id seen again in a later batch replaces the earlier one (the last wins, as in one batch).
    """
    results: list[WriteResult] = []
    for batch in _stream(documents, BATCH_PASSAGES):
        vectors = encode(encoder, batch, chunk=chunk)
        conn.begin_write()
        results.extend(_write(conn, item, vectors, "build") for item in batch)
        conn.commit()
        if progress:
            progress(sum(len(item.passages) for item in batch))
    return results


class _Recorder:
    """Stands in for the encoder to learn which texts the writer will ask for, call by call."""

    def __init__(self, encoder: Encoder) -> None:
        self.name = encoder.name
        self.dim = encoder.dim
        self.calls: list[list[str]] = []

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        raise TypeError("the writer encodes no questions")

    def count_query_tokens(self, text: str) -> int:
        raise TypeError("the writer encodes no questions")

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.zeros((len(texts), self.dim), dtype=np.float32)


def build_plan(encoder: Encoder, documents: Sequence[Document], chunk: int = ENCODE_CHUNK) -> list[list[str]]:
    """The texts `write_build` will hand the encoder, one list per call, in order: encode them
    elsewhere (a Ray cluster) in exactly these calls and the writer stores the same vectors."""
    recorder = _Recorder(encoder)
    for batch in _stream(documents, BATCH_PASSAGES):  # exactly the batches write_build makes
        encode(recorder, batch, chunk=chunk)
    return recorder.calls


def add_plan(
    index_of: Callable[[], Generation], encoder: Encoder, documents: Sequence[Document], chunk: int = ENCODE_CHUNK
) -> list[list[str]]:
    """The texts `add_documents` (without `fill_sentences`) will hand the encoder, as `build_plan`."""
    recorder = _Recorder(encoder)
    prepared = prepare(documents)
    with index_of().reader() as conn:
        encode(recorder, _changed(conn, prepared, {}), chunk=chunk)
    return recorder.calls


def _changed(conn: Session, prepared: list[_Prepared], done: dict[str, Vectors]) -> list[_Prepared]:
    """The documents not encoded yet whose content differs from the stored one."""
    return [
        item
        for item in prepared
        if item.document.id not in done and record.content_hash_of(conn, item.document.id) != item.digest
    ]


def _lost(error: DatabaseUnreachable) -> IndexNotWritable:
    """A write that lost the database after its commit, while this process caught up with the change
    log (a primary stopped right then): the client is told what any write that finds no database is
    told, a 503 to send it again (the same document again is stored once: its id is its key)."""
    return IndexNotWritable(f"the database went away during this write ({error}): send it again")


def _busy(error: Exception) -> Exception:
    """What a failed write means to the client: the record gave up waiting for another process's write
    (a 503 to retry), or the index cannot be written at all (read-only files, a full disk, a database
    in recovery or out of reach: a 503 that says so to the operator), never a 500."""
    message = str(error).lower()
    if "locked" in message or "busy" in message or "lock timeout" in message:
        return Busy("another write is holding the index: send the request again in a moment")
    if "readonly" in message or "read-only" in message:
        return IndexNotWritable("the index is read-only: nothing was stored (check the index files' permissions)")
    if "full" in message or "disk i/o" in message:
        return IndexNotWritable(f"the index cannot be written ({error}): nothing was stored")
    if "connect" in message or "recovery" in message or "terminat" in message or "closed" in message:
        return IndexNotWritable(f"the database cannot be written ({error}): nothing was stored")
    return error


def add_documents(
    index_of: Callable[[], Generation],
    encoder: Encoder,
    documents: Sequence[Document],
    fill_sentences: Callable[[], None] | None = None,
    chunk: int = ENCODE_CHUNK,
) -> list[WriteResult]:
    """Add or replace documents in the live index, all in one transaction: all are stored or none.

    `index_of` returns the current index (it changes when a rebuild swaps generations; the write then
    goes to the new one). Documents whose stored content is identical are not encoded again. With
    `fill_sentences`, a request of at most SMALL_WRITE_PASSAGES passages stores its passage vectors
    only and calls `fill_sentences()` after the commit to have the sentence vectors stored in the
    background (qa.storage.sentence_vectors); until then search falls back to the passage vector.
    """
    prepared = prepare(documents)
    two_step = fill_sentences is not None and sum(len(item.passages) for item in prepared) <= SMALL_WRITE_PASSAGES
    vectors: dict[str, Vectors] = {}
    for _attempt in range(_ATTEMPTS):
        index = index_of()
        try:
            with index.reader() as conn:
                todo = _changed(conn, prepared, vectors)
        except DatabaseUnreachable as error:
            # the read before the write lost the database (a primary stopped mid-read): for the client it
            # is this write that failed, as when the write itself finds the database gone
            raise IndexNotWritable(f"the database cannot be written ({error}): nothing was stored") from None
        vectors.update(encode(encoder, todo, sentences=not two_step, chunk=chunk))
        try:
            with index.writer() as conn:
                results = [_write(conn, item, vectors, "added") for item in prepared]
        except (GenerationSwapped, _NotEncoded) as reason:
            logger.info("writing again: %s", reason)
            continue
        except index.record.errors as error:
            raise _busy(error) from None
        except DatabaseUnreachable as error:
            raise _lost(error) from None
        logger.info("stored %d documents (%d passages encoded)", len(results), sum(len(item.passages) for item in todo))
        if two_step and fill_sentences is not None and any(r.status != "unchanged" for r in results):
            fill_sentences()
        return results
    raise IndexNotReady("the index kept changing under this write: try again")


def remove_document(index_of: Callable[[], Generation], document_id: str) -> int:
    """Delete a document; returns how many passages went with it."""
    for _attempt in range(_ATTEMPTS):
        index = index_of()
        try:
            with index.writer() as conn:
                if record.content_hash_of(conn, document_id) is None:
                    raise NotFound(f"no document with id {document_id!r}")
                removed = len(record.delete_document(conn, document_id))
        except GenerationSwapped:
            continue
        except index.record.errors as error:
            raise _busy(error) from None
        except DatabaseUnreachable as error:
            raise _lost(error) from None
        logger.info("removed document %s (%d passages)", document_id, removed)
        return removed
    raise IndexNotReady("the index kept changing under this write: try again")


def carry_over(encoder: Encoder, old: Session, old_manifest: Manifest, new: Session) -> int:
    """Copy the run-time documents of the old generation into the new one, inside the caller's transaction.

    Vectors are copied when the encoder is the same and encoded again otherwise. A run-time document
    replaces a file document of the same id: it was written after the files were last indexed.
    """
    same = (
        old_manifest.encoder == encoder.name
        and old_manifest.dim == encoder.dim
        and old_manifest.format_version == FORMAT_VERSION  # 4 and 5 encoded without the title (passages, sentences)
    )
    documents = record.added_documents(old, old_manifest.dim)
    for stored in documents:
        passages = [
            Passage(
                stored.id,
                row.position,
                row.heading,
                row.text,
                row.language,
                row.sentence_spans,
                # format 4 kept no paragraph numbers: each passage stands for a paragraph
                context=stored.title if (row.section if same else row.position) else "",
                section=row.section if same else row.position,
            )
            for row in stored.passages
        ]
        if same:
            vectors = np.stack([row.vector for row in stored.passages]).astype(np.float32, copy=False)
            sentence_vectors = [row.sentence_vectors for row in stored.passages]
        else:
            vectors, sentence_vectors = embed_passages(encoder, passages)
        document = Document(
            id=stored.id,
            title=stored.title,
            date=stored.date,
            source=stored.source,
            sections=tuple(Section(p.heading, p.text) for p in passages),
            url=stored.url,
        )
        if record.content_hash_of(new, stored.id) is not None:
            record.delete_document(new, stored.id)
        record.insert_document(new, document, passages, vectors, sentence_vectors, stored.content_hash, "added")
    return len(documents)
