"""QAService: the one facade the web layer and the CLI call; it owns the encoder and the open index."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from qa.chat import conversation
from qa.chat.conversation import Message
from qa.chat.mentions import message_language
from qa.chat.reply import ChatAnswer, compose_reply
from qa.config import Settings
from qa.encoding.cache import service_encoder
from qa.encoding.encoder import Encoder, QueryFit, fit_query
from qa.encoding.precomputed import EncodeCalls, PrecomputedEncoder
from qa.errors import IndexMismatch, IndexNotReady, InvalidRequest, NotFound
from qa.records import Answer, Document, Scope, with_passage_count
from qa.retrieval.no_answer import Cutoffs, make_answer, refuse_without_content
from qa.retrieval.scoping import TurnTime, as_of_date, conversation_times, question_time, scoped
from qa.retrieval.search import FEEDBACK_OPTIONS, Searcher
from qa.retrieval.source_names import SourceNames
from qa.storage import prewarm, record, writer
from qa.storage.artifacts import Locator
from qa.storage.build import create_generation
from qa.storage.facts import day_text
from qa.storage.generation import Generation
from qa.storage.health import ReplicaHealth
from qa.storage.sentence_vectors import SentenceVectorBackfill, missing
from qa.text.clean import clean_text
from qa.text.ingest import read_documents
from qa.text.language import detect_language
from qa.text.terms import content_words

logger = logging.getLogger(__name__)

# The settings that are Searcher options (weights the lab sweeps through `searcher(**overrides)`).
SEARCH_OPTIONS = (
    *("candidates", "dense_weight", "sentence_weight", "name_weight", "name_max_share", "cause_lead_penalty"),
    *("highlight_lexical_weight", "highlight_cue_weight", "highlight_quote_weight", "highlight_context_weight"),
    *("cross_language_bonus", "translation_cosine", "lead_penalty", "shown_lead_penalty", "answer_kind_weight"),
    *FEEDBACK_OPTIONS,
)
# Questions longer than this (in encoder tokens) are encoded one at a time per process (see ask_many).
LONG_QUESTION_TOKENS = 64


class QAService:
    """Loads the encoder once and the index when there is one; every public method is thread-safe."""

    def __init__(self, settings: Settings, encoder: Encoder | None = None, open_index: bool = True) -> None:
        """`open_index=False` leaves the current index unopened until first use: `qa index` must be able
        to rebuild over an index of another encoder or format, which opening refuses."""
        self.settings = settings
        self.encoder = encoder or service_encoder(settings)
        self._lock = threading.Lock()
        self._long_lane = threading.Semaphore(1)
        self._index: Generation | None = None
        self._answering: Searcher | None = None  # the settings' Searcher over the open index (`_searcher`)
        self._filler = SentenceVectorBackfill(lambda: self.index, self.encoder)
        self._source_names = SourceNames()
        self._health = ReplicaHealth(lambda: self.index, settings.health_timeout, settings.health_max_lag)
        self._locator = Locator(settings.index_dir, settings.artifacts)
        if open_index and self._locator.current() is not None:
            self._open()

    # -- the index -------------------------------------------------------------------------------

    def _open(self) -> Generation:
        started = time.perf_counter()
        s = self.settings
        urls = (s.database_url, s.read_database_url)
        index = Generation.open(s.index_dir, self.encoder.name, s.dense_index, *urls, s.artifacts)
        if index.dim != self.encoder.dim:
            index.close()
            raise IndexMismatch(
                f"the index in {self.settings.index_dir} holds vectors of {index.dim} floats, the encoder "
                f"{self.encoder.name} makes {self.encoder.dim}: rebuild it with `qa index`"
            )
        old, self._index = self._index, index
        if old is not None:
            old.close()
        took = time.perf_counter() - started
        logger.info("opened index %s (%d passages) in %.2fs", index.directory.name, len(index.vectors), took)
        if s.prewarm:
            prewarm.start(index.directory)
        if missing(index):
            # A small write was cut off between its two steps (or a rebuild carried one over): finish it.
            logger.info("some sentence vectors are missing: storing them in the background")
            self._filler.kick()
        return index

    @property
    def index(self) -> Generation:
        """The open index, reopened when another process (or machine: QA_ARTIFACTS) swapped in a new generation."""
        index = self._index
        current = self._locator.current()
        if current is None:
            raise IndexNotReady(f"no index in {self.settings.index_dir}: build one with `qa index`")
        if index is None or index.directory != current:
            with self._lock:
                index = self._index
                if index is None or index.directory != current:
                    index = self._open()
        return index

    def warm_up(self) -> None:
        """Load what the first question would load (language identifier, word lists, stemmers, the source
        names' keys) in the background: lazily, a first question or write paid a second or more, holding the GIL."""

        def run() -> None:
            detect_language("Wie spät ist es jetzt?")
            try:
                self.chat([Message("user", "Wer nimmt an dem Treffen teil?"), Message("user", "Und warum?")])
                self._source_names.learn(self.index.facts.sources.names)
            except Exception as error:  # best effort: no index yet, or closed meanwhile
                logger.debug("warm-up stopped: %s", error)

        threading.Thread(target=run, name="qa-warm-up", daemon=True).start()

    @property
    def ready(self) -> bool:
        return self._locator.current() is not None

    def build(
        self,
        paths: Sequence[str | Path],
        progress: Callable[[int], None] | None = None,
        encode_calls: EncodeCalls | None = None,
    ) -> dict:
        """Index these files or folders into a new generation and swap it in atomically; files are read as
        the build goes (memory stays flat in corpus size), and the seconds reported include reading them."""
        started = time.perf_counter()
        docs = read_documents(paths)
        first = next(docs, None)
        if first is None:
            raise InvalidRequest(f"no articles found in {', '.join(map(str, paths))}")
        return self.build_documents(itertools.chain([first], docs), progress, encode_calls, started)

    def build_documents(
        self,
        docs: Iterable[Document],
        progress: Callable[[int], None] | None = None,
        encode_calls: EncodeCalls | None = None,
        started: float | None = None,
    ) -> dict:
        """Index these documents into a new generation and swap it in atomically (see `build`). `docs` is
        consumed once, batch by batch: a generator keeps the build's memory flat in corpus size. With
        `encode_calls` (e.g. a Ray cluster, qa.encoding.ray_pipeline) the passages are encoded there, in
        exactly the calls this process would make, and stream back to the one writer here (that plan needs
        every document first, so that path holds them all)."""
        started = time.perf_counter() if started is None else started
        chunk = self.settings.encode_batch_size
        encoder = self.encoder
        if encode_calls is not None:
            docs = list(docs)
            plan = writer.build_plan(self.encoder, docs, chunk)
            encoder = PrecomputedEncoder(self.encoder, plan, encode_calls(plan))
        manifest = create_generation(
            self.settings.index_dir,
            self.encoder.name,
            self.encoder.dim,
            lambda conn: writer.write_build(conn, encoder, docs, progress, chunk),
            lambda old, old_manifest, new: writer.carry_over(self.encoder, old, old_manifest, new),
            self.settings.dense_partition_above,
            self.settings.database_url,
            self.settings.artifacts,
        )
        with self._lock:
            self._open()
        seconds = time.perf_counter() - started
        logger.info("indexed %d documents, %d passages in %.1fs", manifest.documents, manifest.passages, seconds)
        return {**manifest.to_dict(), "seconds": round(seconds, 2)}

    # -- questions ------------------------------------------------------------------------------

    def searcher(self, **overrides: float) -> Searcher:
        """A Searcher with the settings' weights, any of them overridden (the lab's weight sweeps)."""
        unknown = set(overrides) - set(SEARCH_OPTIONS)
        if unknown:
            raise TypeError(f"unknown search options: {', '.join(sorted(unknown))}")
        s = self.settings.replace(**overrides)
        options = {name: getattr(s, name) for name in SEARCH_OPTIONS}
        return Searcher(self.index, self.encoder, max_k=s.max_top_k, **{**options, "candidates": int(s.candidates)})

    def _searcher(self) -> Searcher:
        """The settings' Searcher, made again only when another generation opens (one a question: 0.15 ms)."""
        answering = self._answering
        if answering is None or answering.index is not self.index:
            answering = self._answering = self.searcher()
        return answering

    def newest_date(self) -> str | None:
        """The newest article date in the index (after catching up with every committed write, so an
        article another worker just added counts): the default `as_of` of relative time and recency."""
        index = self.index
        index.refresh()
        day = index.facts.newest_day()
        return day_text(day) if day is not None else None

    def scope_questions(
        self,
        questions: Sequence[str],
        scope: Scope | None = None,
        time_from_question: bool | None = None,
        times: Sequence[TurnTime] | None = None,
    ) -> list[tuple[str, Scope]]:
        """(text to search, scope) per question: the requested scope (sources matched to the index's names)
        completed by the time each question's words name; `times`, when given, is that time already read."""
        use_time = self.settings.time_from_question if time_from_question is None else time_from_question
        as_of = as_of_date((scope or Scope()).as_of, self.newest_date())  # the index caught up first
        requested = self._source_names.resolve(scope or Scope(), self.index.facts.sources.names)
        result = []
        for i, question in enumerate(questions):
            language = message_language(question)
            turn = TurnTime(question, None) if not use_time else None
            turn = turn or (times[i] if times is not None else question_time(question, as_of, language))
            one = scoped(turn.text, language, requested, as_of, turn.reading, self.settings.recency_half_life)
            result.append((turn.text, one))
        return result

    def ask_many(
        self,
        questions: list[str],
        top_k: int | None = None,
        mode: str = "hybrid",
        scope: Scope | None = None,
        time_from_question: bool | None = None,
        times: Sequence[TurnTime] | None = None,
        shown: Sequence[str] | None = None,
    ) -> list[Answer]:
        """Answer each question: passages, or a refusal with its reason (chat turns: `shown`, see search_many).

        A question is cleaned (control characters, lone surrogates), cut to what the encoder reads
        (`max_question_tokens`, said in the answer) and refused without a search when it has no content
        word; its scope comes from `scope_questions`. Questions of more than LONG_QUESTION_TOKENS tokens
        take turns in one lane, so however many arrive they occupy one core and others keep the other.
        """
        started = time.perf_counter()
        questions = [clean_text(q).strip() for q in questions]
        searchable = [i for i, q in enumerate(questions) if content_words(q)]
        answers: dict[int, Answer] = {
            i: refuse_without_content(q, message_language(q), mode)
            for i, q in enumerate(questions)
            if i not in set(searchable)
        }
        if not searchable:
            return [answers[i] for i in range(len(questions))]
        groups: dict[Scope, list[tuple[int, QueryFit]]] = {}
        own = [times[i] for i in searchable] if times is not None else None
        scoped_texts = self.scope_questions([questions[i] for i in searchable], scope, time_from_question, own)
        for i, (text, one) in zip(searchable, scoped_texts, strict=True):
            groups.setdefault(one, []).append((i, fit_query(self.encoder, text, self.settings.max_question_tokens)))
        k = top_k or self.settings.default_top_k
        cutoffs = Cutoffs.from_settings(self.settings)
        for one, members in groups.items():
            long = any(fit.tokens > LONG_QUESTION_TOKENS for _i, fit in members)
            with self._long_lane if long else contextlib.nullcontext():
                seen = [shown[i] for i, _fit in members] if shown is not None else None
                retrievals = self._searcher().search_many([f.text for _i, f in members], k, mode, scope=one, shown=seen)
            took_ms = (time.perf_counter() - started) * 1000 / max(1, len(questions))
            for (i, fit), retrieval in zip(members, retrievals, strict=True):
                answer = make_answer(retrieval, mode, took_ms, cutoffs, truncated=fit.truncated)
                answers[i] = dataclasses.replace(answer, question=questions[i], scope=one)
        return [answers[i] for i in range(len(questions))]

    def ask(
        self,
        question: str,
        top_k: int | None = None,
        mode: str = "hybrid",
        scope: Scope | None = None,
        time_from_question: bool | None = None,
    ) -> Answer:
        return self.ask_many([question], top_k, mode, scope, time_from_question)[0]

    def chat(
        self,
        messages: Sequence[Message],
        top_k: int | None = None,
        mode: str = "hybrid",
        resolve: bool = True,
        scope: Scope | None = None,
        time_from_question: bool | None = None,
    ) -> ChatAnswer:
        """Answer the conversation's last user message, resolved against the earlier turns; a follow-up
        without time words of its own keeps the time the earlier turns named."""
        if resolve:
            resolutions = conversation.resolve_all(messages)
        else:
            text = messages[-1].content.strip()
            resolutions = [conversation.Resolution(text, text, message_language(text), "none")]
        return self._chat_answers(resolutions, top_k, mode, scope, time_from_question, only_last=True)[0]

    def chat_turns(
        self,
        messages: Sequence[Message],
        top_k: int | None = None,
        mode: str = "hybrid",
        scope: Scope | None = None,
        time_from_question: bool | None = None,
    ) -> list[ChatAnswer]:
        """Answer every user turn of the conversation (the page without JavaScript shows them all)."""
        resolutions = conversation.resolve_all(messages)
        return self._chat_answers(resolutions, top_k, mode, scope, time_from_question, only_last=False)

    def _chat_answers(
        self,
        resolutions: list[conversation.Resolution],
        top_k: int | None,
        mode: str,
        scope: Scope | None,
        time_from_question: bool | None,
        only_last: bool,
    ) -> list[ChatAnswer]:
        times, as_of = None, ""  # with time in questions off, no turn is read
        if resolutions and (self.settings.time_from_question if time_from_question is None else time_from_question):
            as_of = as_of_date((scope or Scope()).as_of, self.newest_date())
            times = conversation_times([(r.question, r.resolved, r.language, r.followup) for r in resolutions], as_of)
        if only_last:
            resolutions, times = resolutions[-1:], (times[-1:] if times is not None else None)
        shown = [r.shown if r.followup else "" for r in resolutions]  # what replies before a follow-up quoted
        answers = (
            self.ask_many([r.resolved for r in resolutions], top_k, mode, scope, time_from_question, times, shown)
            if resolutions
            else []
        )

        def again(turns: list[int], asked: list[conversation.Resolution]) -> list[Answer]:
            told = times and [times[i].retold(t.resolved, as_of, t.language) for i, t in zip(turns, asked, strict=True)]
            return self.ask_many([t.resolved for t in asked], top_k, mode, scope, time_from_question, told)

        conversation.ask_again_with_topic(resolutions, answers, again)
        return [ChatAnswer(r, a, compose_reply(a, r.language)) for r, a in zip(resolutions, answers, strict=True)]

    # -- documents ------------------------------------------------------------------------------

    def add_documents(self, docs: Sequence[Document], encode_calls: EncodeCalls | None = None) -> list[dict]:
        """Add or replace documents durably; each gets status added, replaced or unchanged.

        With `encode_calls` the changed documents are encoded there (see `build_documents`), all of
        them before anything is stored, as without."""
        chunk = self.settings.encode_batch_size
        if encode_calls is None:
            results = writer.add_documents(lambda: self.index, self.encoder, docs, self._filler.kick, chunk)
        else:
            plan = writer.add_plan(lambda: self.index, self.encoder, docs, chunk)
            encoder = PrecomputedEncoder(self.encoder, plan, encode_calls(plan))
            results = writer.add_documents(lambda: self.index, encoder, docs, None, chunk)
        return [with_passage_count(r.to_dict()) for r in results]

    def remove_document(self, document_id: str) -> int:
        return writer.remove_document(lambda: self.index, document_id)

    def list_documents(self, offset: int = 0, limit: int = 50) -> dict:
        with self.index.reader() as conn:
            total, _ = record.counts(conn)
            items = [with_passage_count(d) for d in record.list_documents(conn, offset, limit)]
        return {"documents": items, "total": total, "offset": offset, "limit": limit}

    def get_document(self, document_id: str) -> dict:
        with self.index.reader() as conn:
            found = record.document_by_id(conn, document_id)
            if found is None:
                raise NotFound(f"no document with id {document_id!r}")
            passages = record.document_passages(conn, document_id)
        return {**with_passage_count(found), "passages": passages}

    def sources(self) -> list[dict]:
        """Sources with article counts and date ranges: what a filter by source can name."""
        with self.index.reader() as conn:
            return record.sources(conn)

    def stats(self) -> dict:
        """What the archive covers: articles per month, per source and per language, and its date range."""
        with self.index.reader() as conn:
            return record.archive_stats(conn)

    def changes_behind(self) -> int:
        """Writes committed (by any process) that this process has not applied yet: its write lag."""
        index = self.index
        with index.reader() as conn:
            return record.last_change(conn) - index.watermark

    def health(self) -> dict:
        """Counts and lag behind the record, or a 503 when a balancer should look elsewhere (qa.storage.health)."""
        return {"status": "ok", **self._health.check().to_dict(), "encoder": self.encoder.name}

    def close(self) -> None:
        self._filler.close()
        self._health.close()
        if self._index is not None:
            self._index.close()
