"""The second step of a small write: sentence vectors encoded and stored after the article is answerable.

A small request (documents.SMALL_WRITE_PASSAGES) commits its passages with passage vectors and
sentence spans whose vectors are NULL, answers, and then this fills the NULLs in a second
transaction. The same fill runs whenever a process opens an index, so a process killed between the
two steps leaves nothing unfinished for long. It is idempotent and safe in several processes at once:
the UPDATE only fills NULLs, and a passage replaced or deleted meanwhile is simply gone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from qa.encoding.embed import embed_sentences
from qa.encoding.encoder import Encoder
from qa.storage import record
from qa.storage.generation import Generation, GenerationSwapped
from qa.storage.writer import ChunkedEncoder

logger = logging.getLogger(__name__)

# Passages per fill transaction: a few encoder chunks, so a new write never waits long behind a repair.
FILL_BATCH = 16


def missing(index: Generation) -> bool:
    """Whether some passage of the index still lacks its sentence vectors."""
    with index.reader() as conn:
        return bool(record.passages_missing_sentences(conn, 1))


def fill_missing(index: Generation, encoder: Encoder, batch: int = FILL_BATCH) -> int:
    """Encode and store every missing sentence vector of `index`; returns how many were stored.

    Passages are visited in id order once each (new ones have higher ids, so they are visited too).
    """
    chunked = ChunkedEncoder(encoder)
    after, total = 0, 0
    while True:
        with index.reader() as conn:
            todo = record.passages_missing_sentences(conn, batch, after)
        if not todo:
            return total
        after = todo[-1][0]
        vectors = embed_sentences(chunked, [texts for _passage_id, texts in todo])
        with index.writer() as conn:
            filled = sum(
                record.fill_sentence_vectors(conn, passage_id, v)
                for (passage_id, _texts), v in zip(todo, vectors, strict=True)
            )
        total += filled
        logger.debug("stored %d sentence vectors of %d passages", filled, len(todo))


class SentenceVectorBackfill:
    """Runs fill_missing in one background thread per process whenever kicked; kicks while it runs
    make it look once more when done."""

    def __init__(self, index_of: Callable[[], Generation], encoder: Encoder) -> None:
        self._index_of = index_of
        self._encoder = encoder
        self._lock = threading.Lock()
        self._pending = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        """Fill missing sentence vectors soon, in the background."""
        with self._lock:
            if self._closed:
                return
            self._pending = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="qa-sentence-fill", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending or self._closed:
                    self._thread = None
                    return
                self._pending = False
            try:
                filled = fill_missing(self._index_of(), self._encoder)
            except GenerationSwapped:
                continue  # a rebuild swapped generations: the next pass (or the new index's open) fills that one
            except Exception as error:
                # This thread must outlive any failure (busy index, no index, encoder error), and nothing
                # is lost: the passages stay answerable, and the next write or open fills them.
                logger.warning("could not store sentence vectors now: %s", error)
                continue
            if filled:
                logger.info("stored %d sentence vectors", filled)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no fill is running or pending; True when idle."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._lock:
            return self._thread is None

    def close(self, timeout: float = 60.0) -> None:
        """Let a running fill finish (a `qa add` leaves a complete index), then take no more kicks."""
        self.wait(timeout)
        with self._lock:
            self._closed = True
