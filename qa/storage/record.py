"""The durable record of documents, passages, sentence spans, vectors and the change log: the SQL
both backends share, written once against a `Session` (portable SQL, `?` placeholders)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np

from qa.records import Document, Passage, sentence_in_context
from qa.storage import fts
from qa.storage.database import Session


@dataclass(frozen=True, slots=True)
class PassageRow:
    """A stored passage with what ranking and display need."""

    id: int
    document_id: str
    position: int
    heading: str
    text: str
    language: str
    vector: np.ndarray
    sentence_spans: tuple[tuple[int, int], ...]
    # (n_sentences, dim); None while they are not yet encoded (a small write stores them just after).
    sentence_vectors: np.ndarray | None
    title: str
    date: str | None
    source: str
    url: str | None = None
    section: int = 0  # the article's paragraph it starts in (0: the teaser)


def content_hash(document: Document) -> str:
    digest = hashlib.sha256()
    for part in (document.title, document.date or "", document.source):
        digest.update(part.encode() + b"\x00")
    if document.url:  # only when there is one: the fingerprints of articles without a url stay as they were
        digest.update(b"url\x00" + document.url.encode() + b"\x00")
    for section in document.sections:
        digest.update(section.heading.encode() + b"\x01" + section.text.encode() + b"\x00")
    return digest.hexdigest()


def vectors_from_blobs(blobs: list[bytes], dim: int) -> np.ndarray:
    """(n, dim) float32 from stored blobs: float16 since format 4, float32 before (a rebuild still
    reads those to carry run-time documents over); the size says which."""
    joined = b"".join(blobs)
    dtype = np.float16 if len(joined) == 2 * dim * len(blobs) else np.float32
    return np.frombuffer(joined, dtype=dtype).reshape(len(blobs), dim).astype(np.float32)


def _blob(vector: np.ndarray) -> bytes:
    """Vectors are stored in float16: half the bytes (the SQLite file went from 15 KB to under 5 KB a
    passage with the sentence vectors halved too), and a cosine moves by under 0.001, far below what
    separates passages (the quality cost is measured by `qa bench scale` against exact search)."""
    return np.ascontiguousarray(vector, dtype=np.float16).tobytes()


_sentence_blob = _blob


def insert_document(
    conn: Session,
    document: Document,
    passages: list[Passage],
    passage_vectors: np.ndarray,
    sentence_vectors: list[np.ndarray | None],
    digest: str,
    origin: str = "build",
) -> list[int]:
    """Insert one document inside the caller's transaction; returns the new passage ids.

    `origin` is "build" for documents read from files by `qa index` and "added" for run-time writes,
    which a rebuild carries over into the new generation. A passage's sentence vectors may be None:
    its sentences are stored with NULL vectors, to be filled by `fill_sentence_vectors`.
    """
    if len(passages) != passage_vectors.shape[0] or len(passages) != len(sentence_vectors):
        raise ValueError("one vector and one sentence matrix per passage expected")
    conn.execute(
        "INSERT INTO documents (id, title, date, source, url, language, content_hash, added_at, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            document.id,
            document.title,
            document.date,
            document.source,
            document.url,
            passages[0].language if passages else "de",
            digest,
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            origin,
        ),
    )
    ids = []
    for passage, vector, sentences in zip(passages, passage_vectors, sentence_vectors, strict=True):
        passage_id = conn.insert_id(
            "INSERT INTO passages (document_id, position, heading, text, language, vector, section) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                document.id,
                passage.position,
                passage.heading,
                passage.text,
                passage.language,
                _blob(vector),
                passage.section,
            ),
        )
        ids.append(passage_id)
        conn.executemany(
            'INSERT INTO sentences (passage_id, start, "end", vector) VALUES (?, ?, ?, ?)',
            [
                (passage_id, start, end, _sentence_blob(sentence_vector))
                for (start, end), sentence_vector in zip(passage.sentences, sentences, strict=True)
            ]
            if sentences is not None
            else [(passage_id, start, end, None) for start, end in passage.sentences],
        )
    fts.add_passages(conn, [(pid, p.embedding_text, p.language) for pid, p in zip(ids, passages, strict=True)])
    conn.executemany("INSERT INTO changes (op, passage_id) VALUES ('add', ?)", [(pid,) for pid in ids])
    return ids


def mark_added(conn: Session, document_id: str) -> None:
    """A document sent again at run time now belongs to the run-time documents a rebuild keeps."""
    conn.execute("UPDATE documents SET origin = 'added' WHERE id = ?", (document_id,))


def delete_document(conn: Session, document_id: str) -> list[int]:
    """Delete a document and its passages inside the caller's transaction; returns the removed ids."""
    ids = [row[0] for row in conn.execute("SELECT id FROM passages WHERE document_id = ?", (document_id,))]
    fts.remove_passages(conn, ids)
    conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
    conn.executemany("INSERT INTO changes (op, passage_id) VALUES ('remove', ?)", [(pid,) for pid in ids])
    return ids


_DOCUMENT_KEYS = ("id", "title", "date", "source", "url", "language", "added_at", "origin", "passages")
_DOCUMENT_COLUMNS = (
    "d.id, d.title, d.date, d.source, d.url, d.language, d.added_at, d.origin, "
    "(SELECT count(*) FROM passages p WHERE p.document_id = d.id)"
)


def document_by_id(conn: Session, document_id: str) -> dict | None:
    row = conn.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM documents d WHERE d.id = ?", (document_id,)).fetchone()
    return dict(zip(_DOCUMENT_KEYS, row, strict=True)) if row else None


def content_hash_of(conn: Session, document_id: str) -> str | None:
    """The content fingerprint of the stored document with this id, or None when there is none."""
    row = conn.execute("SELECT content_hash FROM documents WHERE id = ?", (document_id,)).fetchone()
    return row[0] if row else None


def list_documents(conn: Session, offset: int, limit: int) -> list[dict]:
    """A page of documents, newest date first (undated last), then by id: a stable order for paging."""
    rows = conn.execute(
        f"SELECT {_DOCUMENT_COLUMNS} FROM documents d ORDER BY d.date IS NULL, d.date DESC, d.id LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    return [dict(zip(_DOCUMENT_KEYS, row, strict=True)) for row in rows]


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document as stored, with everything needed to copy it into another generation."""

    id: str
    title: str
    date: str | None
    source: str
    content_hash: str
    passages: tuple[PassageRow, ...]
    url: str | None = None


def added_documents(conn: Session, dim: int) -> list[StoredDocument]:
    """Every document written at run time (origin 'added'), with its passages and vectors."""
    result = []
    for doc_id, title, date, source, digest, url in conn.execute(
        "SELECT id, title, date, source, content_hash, url FROM documents WHERE origin = 'added' ORDER BY added_at, id"
    ).fetchall():
        ids = [row[0] for row in conn.execute("SELECT id FROM passages WHERE document_id = ?", (doc_id,))]
        rows = passage_rows(conn, ids, dim)
        passages = tuple(sorted(rows.values(), key=lambda row: row.position))
        result.append(StoredDocument(doc_id, title, date, source, digest, passages, url))
    return result


def document_passages(conn: Session, document_id: str) -> list[dict]:
    rows = conn.execute(
        "SELECT position, heading, text, language FROM passages WHERE document_id = ? ORDER BY position",
        (document_id,),
    ).fetchall()
    return [dict(zip(("position", "heading", "text", "language"), row, strict=True)) for row in rows]


def counts(conn: Session) -> tuple[int, int]:
    documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    return int(documents), int(passages)


def passage_rows(conn: Session, ids: list[int], dim: int) -> dict[int, PassageRow]:
    """Hydrate passages by id (missing ids, e.g. just deleted, are simply absent).

    Every vector of the call is decoded in one piece (a question hydrates ~150 passages of ~3
    sentences: one numpy conversion per blob cost more than the reads), and a passage's sentences come
    in a row (by passage, then id: the index's order, no sort), so its sentence vectors are a slice of
    that piece, not a copy."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    sentences = conn.read_rows(
        f'SELECT passage_id, start, "end", vector FROM sentences WHERE passage_id IN ({marks}) ORDER BY passage_id, id',
        ids,
    )
    stored = [row[3] for row in sentences if row[3] is not None]
    sentence_matrix = vectors_from_blobs(stored, dim)
    # per passage: its spans, its first row in sentence_matrix, and whether every sentence is encoded
    spans: dict[int, list[tuple[int, int]]] = {}
    first: dict[int, int] = {}
    incomplete: set[int] = set()
    at = 0
    for passage_id, start, end, blob in sentences:
        own = spans.get(passage_id)
        if own is None:
            own = spans[passage_id] = []
            first[passage_id] = at
        own.append((start, end))
        if blob is None:
            incomplete.add(passage_id)
        else:
            at += 1
    passages = conn.read_rows(
        "SELECT p.id, p.document_id, p.position, p.heading, p.text, p.language, p.vector, "
        f"d.title, d.date, d.source, d.url, p.section FROM passages p JOIN documents d ON d.id = p.document_id "
        f"WHERE p.id IN ({marks})",
        ids,
    )
    vectors = vectors_from_blobs([row[6] for row in passages], dim)
    result = {}
    for i, row in enumerate(passages):
        own = spans.get(row[0], [])
        start = first.get(row[0], 0)
        result[row[0]] = PassageRow(
            id=row[0],
            document_id=row[1],
            position=row[2],
            heading=row[3],
            text=row[4],
            language=row[5],
            vector=vectors[i],
            sentence_spans=tuple(own),
            # None while any sentence of the passage is not encoded yet (a small write's second step)
            sentence_vectors=None if row[0] in incomplete else sentence_matrix[start : start + len(own)],
            title=row[7],
            date=row[8],
            source=row[9],
            url=row[10],
            section=row[11],
        )
    return result


def passage_vectors(conn: Session, ids: list[int], dim: int) -> tuple[list[int], np.ndarray]:
    """(ids found, their stored vectors (n, dim) float32): the exact re-scoring of dense candidates."""
    if not ids:
        return [], np.zeros((0, dim), dtype=np.float32)
    marks = ",".join("?" * len(ids))
    rows = conn.read_rows(f"SELECT id, vector FROM passages WHERE id IN ({marks})", ids)
    if not rows:
        return [], np.zeros((0, dim), dtype=np.float32)
    return [int(r[0]) for r in rows], vectors_from_blobs([r[1] for r in rows], dim)


def passages_missing_sentences(conn: Session, limit: int, after: int = 0) -> list[tuple[int, list[str]]]:
    """Up to `limit` passages (ids above `after`) with a sentence whose vector is still NULL:
    (passage id, the sentences as they are encoded: `sentence_in_context`), by id."""
    ids = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT passage_id FROM sentences WHERE vector IS NULL AND passage_id > ? "
            "ORDER BY passage_id LIMIT ?",
            (after, limit),
        )
    ]
    result = []
    for passage_id in ids:
        row = conn.execute(
            "SELECT p.text, p.heading, p.section, d.title FROM passages p JOIN documents d ON d.id = p.document_id "
            "WHERE p.id = ?",
            (passage_id,),
        ).fetchone()
        if row is None:
            continue
        text, heading, section, title = row
        context = title if section else ""  # as the article's passages were made (qa.text.passages)
        spans = conn.execute('SELECT start, "end" FROM sentences WHERE passage_id = ? ORDER BY id', (passage_id,))
        result.append((passage_id, [sentence_in_context(context, heading, text[s:e]) for s, e in spans]))
    return result


def fill_sentence_vectors(conn: Session, passage_id: int, vectors: np.ndarray) -> int:
    """Store a passage's sentence vectors where they are still NULL, inside the caller's transaction.

    Returns how many rows were filled: 0 when the passage is gone (replaced or deleted) or another
    process filled it first.
    """
    ids = [row[0] for row in conn.execute("SELECT id FROM sentences WHERE passage_id = ? ORDER BY id", (passage_id,))]
    if len(ids) != vectors.shape[0]:
        return 0
    filled = 0
    for sentence_id, vector in zip(ids, vectors, strict=True):
        cursor = conn.execute(
            "UPDATE sentences SET vector = ? WHERE id = ? AND vector IS NULL", (_sentence_blob(vector), sentence_id)
        )
        filled += cursor.rowcount
    return filled


def last_change(conn: Session) -> int:
    return int(conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0])


def changes_since(conn: Session, seq: int, dim: int) -> tuple[int, list[int], np.ndarray, list[int]]:
    """Net effect of the changes after `seq`: (last seq, ids to add, their vectors, ids to remove)."""
    rows = conn.execute("SELECT seq, op, passage_id FROM changes WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
    if not rows:
        return seq, [], np.zeros((0, dim), dtype=np.float32), []
    state: dict[int, str] = {}
    for _seq, op, passage_id in rows:
        state[passage_id] = op
    removed = [pid for pid, op in state.items() if op == "remove"]
    wanted = [pid for pid, op in state.items() if op == "add"]
    present = []
    blobs = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for pid, blob in conn.execute(f"SELECT id, vector FROM passages WHERE id IN ({marks})", chunk):
            present.append(int(pid))
            blobs.append(blob)
    # An id added and removed again after `seq` is absent from passages; removing it is harmless.
    removed += sorted(set(wanted) - set(present))
    vectors = vectors_from_blobs(blobs, dim) if blobs else np.zeros((0, dim), dtype=np.float32)
    return int(rows[-1][0]), present, vectors, removed


def sources(conn: Session) -> list[dict]:
    """Every source with its article count, dated range and undated count, the largest first."""
    rows = conn.execute(
        "SELECT source, count(*), min(date), max(date), sum(CASE WHEN date IS NULL THEN 1 ELSE 0 END) FROM documents "
        "GROUP BY source ORDER BY count(*) DESC, source"
    ).fetchall()
    return [
        {"source": source, "documents": int(n), "first_date": first, "last_date": last, "undated": int(undated)}
        for source, n, first, last, undated in rows
    ]


def months(conn: Session) -> list[dict]:
    """Articles per month (YYYY-MM) of their date, oldest first; undated ones are not counted here."""
    rows = conn.execute(
        "SELECT substr(date, 1, 7) AS month, count(*) FROM documents WHERE date IS NOT NULL "
        "GROUP BY month ORDER BY month"
    ).fetchall()
    return [{"month": month, "documents": int(n)} for month, n in rows]


def languages(conn: Session) -> list[dict]:
    rows = conn.execute("SELECT language, count(*) FROM documents GROUP BY language ORDER BY count(*) DESC").fetchall()
    return [{"language": language, "documents": int(n)} for language, n in rows]


def archive_stats(conn: Session) -> dict:
    """Counts, the date range, and articles per month, source and language (GET /api/stats)."""
    documents, passages = counts(conn)
    by_source = sources(conn)
    dated = [s for s in by_source if s["first_date"]]
    return {
        "documents": documents,
        "passages": passages,
        "first_date": min((s["first_date"] for s in dated), default=None),
        "last_date": max((s["last_date"] for s in dated), default=None),
        "undated": sum(s["undated"] for s in by_source),
        "months": months(conn),
        "sources": by_source,
        "languages": languages(conn),
    }
