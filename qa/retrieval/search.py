"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates -> sentence-aware dense scores -> fusion -> Hits."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qa.encoding.encoder import Encoder, alone, answering
from qa.errors import InvalidRequest
from qa.records import MODES, DocumentRef, Highlight, Hit, Scope
from qa.retrieval import casing, feedback, followups, fusion, lexical
from qa.retrieval import names as rare
from qa.retrieval.fusion import dense_scores, fuse, level_languages, rank, within_article_bonus
from qa.retrieval.highlight import CAUSE, QUOTE, answer_kind, bare_leads, fits, highlight_sentence, measured_unit
from qa.retrieval.timing import newest_first, time_weights
from qa.storage import fts, record
from qa.storage.generation import Generation
from qa.text.language import detect_language
from qa.text.places import places
from qa.text.terms import contradicted_codes, later_years, stemmed_terms, without_topic_words

logger = logging.getLogger(__name__)

# The cross-lingual feedback's settings (qa.retrieval.feedback), Searcher options like the weights above them.
FEEDBACK_OPTIONS = ("feedback_weight", "feedback_terms", "feedback_passages")
# The best BM25 matches whose coverage of the question shrinks the other language's bonus (level_languages).
COVERAGE_MATCHES = 5
# The articles of this many first passages are read for the places the question names (`unmentioned`).
PLACE_ARTICLES = 3
# a question typed in lower case takes its words' capitals from this many best lexical matches (casing.py)
CASING_MATCHES = 20


@dataclass(frozen=True, slots=True)
class Retrieval:
    """Ranked hits for one question, plus the best dense score among all candidates (for the cut-off)."""

    question: str
    language: str
    hits: tuple[Hit, ...]
    best_dense: float
    # The first passage without the language bonus, when the bonus changed the ranking's scores: the
    # no-answer cut-offs were fitted on rankings without it (qa.retrieval.no_answer).
    decided_on: Hit | None = None
    # Places the question names that no passage of its first articles mentions (qa.text.places): what
    # the archive cannot answer however close the rest comes (qa.retrieval.no_answer).
    unmentioned: frozenset[str] = frozenset()
    # Whether a date filter (the request's, or one read from time words) restricted the search: then a
    # few articles compete, and a place they mention is no sign of an answer (qa.retrieval.no_answer).
    narrowed: bool = False


def clamp_k(k: int, max_k: int, n_passages: int) -> int:
    """The one place k is bounded: 1..min(max_k, n_passages), and at least 1 even for an empty index."""
    return max(1, min(int(k), int(max_k), max(int(n_passages), 1)))


def _cosines(
    candidates: list[record.PassageRow], vectors: np.ndarray, query: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's cosine to the question (`vectors`: their passage vectors stacked) and its best
    sentence's, float32 (n,) each, in two matrix products rather than two per candidate (Python holds the
    GIL: under 8 clients one server process used about one core, qa/lab/README.md). A passage whose
    sentence vectors are not stored yet (a small write's second step) stands for its sentences."""
    passage_cos = (vectors @ query).astype(np.float32)
    best = passage_cos.copy()
    counts = np.array(
        [0 if row.sentence_vectors is None else row.sentence_vectors.shape[0] for row in candidates], dtype=np.int64
    )
    held = np.flatnonzero(counts)
    if held.size:
        sentences = np.concatenate([candidates[i].sentence_vectors for i in held]) @ query
        starts = np.concatenate([[0], np.cumsum(counts[held])[:-1]])
        best[held] = np.maximum.reduceat(sentences.astype(np.float32), starts)
    return passage_cos, best


def _unmentioned(question: str, candidates: list[record.PassageRow], scores: np.ndarray) -> frozenset[str]:
    """The places the question names that none of the candidates of the PLACE_ARTICLES first passages'
    articles mention (their text, heading or title): a question about Manchester's bus drivers answered
    from an article on London's Underground; the codes they contradict (`contradicted_codes`: the
    A1 asked of the A7); and the years they could not report (`later_years`: 2028 asked of 2025)."""
    asked = places(question)
    if not asked and not any(ch.isdigit() for ch in question):  # a code and a year both hold a digit
        return frozenset()
    documents = {candidates[int(i)].document_id for i in rank(scores, PLACE_ARTICLES)}
    read = " ".join(f"{row.title} {row.heading or ''} {row.text}" for row in candidates if row.document_id in documents)
    published = [row.date for row in candidates if row.document_id in documents]
    found = (asked - places(read, capitalised=False)) | contradicted_codes(question, read)
    return found | later_years(question, read, published)


def _best_coverage(terms: set[str], language: str, candidates: list[record.PassageRow], lexical: np.ndarray) -> float:
    """The largest share of the question's `terms` that one of the best BM25 matches (in the question's
    language) holds: how fully a passage in the question's own language already covers it."""
    if not terms:
        return 0.0
    best = 0.0
    for i in np.argsort(-lexical, kind="stable")[:COVERAGE_MATCHES]:
        row = candidates[int(i)]
        if lexical[i] > 0 and row.language == language:
            best = max(best, len(terms.intersection(stemmed_terms(row.text, language))) / len(terms))
    return best


class Searcher:
    """Answers batches of questions against one open index with one encoder."""

    def __init__(
        self,
        index: Generation,
        encoder: Encoder,
        *,
        candidates: int = 50,
        dense_weight: float = 0.7,
        sentence_weight: float = 0.6,
        highlight_lexical_weight: float = 0.1,
        name_weight: float = 0.3,
        name_max_share: float = 0.01,
        highlight_cue_weight: float = 0.03,
        highlight_quote_weight: float = 0.15,
        highlight_context_weight: float = 0.75,
        cross_language_bonus: float = 0.0,
        translation_cosine: float = 1.0,
        lead_penalty: float = 0.0,
        shown_lead_penalty: float = 0.0,
        answer_kind_weight: float = 0.0,
        cause_lead_penalty: float = 0.0,
        feedback_weight: float = 0.0,
        feedback_terms: int = 15,
        feedback_passages: int = 3,
        max_k: int = 50,
        timer: Callable[[str, float], None] | None = None,
    ) -> None:
        """The weights' defaults are the settings' (qa.config; `QAService.searcher` passes them all).
        `timer(stage, seconds)`, when given, hears how long each stage of each search took
        (encode, wait, dense, lexical, rank): how `qa bench scale` sees what grows with the index."""
        self.index = index
        self.encoder = encoder
        self.candidates = candidates
        self.dense_weight = dense_weight
        self.sentence_weight = sentence_weight
        self.highlight_lexical_weight = highlight_lexical_weight
        self.name_weight = name_weight
        self.name_max_share = name_max_share
        self.highlight_cue_weight = highlight_cue_weight
        self.highlight_quote_weight = highlight_quote_weight
        self.highlight_context_weight = highlight_context_weight
        self.cross_language_bonus = cross_language_bonus
        self.translation_cosine = translation_cosine
        self.lead_penalty = lead_penalty
        self.shown_lead_penalty = shown_lead_penalty
        self.answer_kind_weight = answer_kind_weight
        self.cause_lead_penalty = cause_lead_penalty
        self.feedback_weight = feedback_weight
        self.feedback_terms = int(feedback_terms)
        self.feedback_passages = int(feedback_passages)
        self.max_k = max_k
        self.timer = timer

    def _timed(self, stage: str, started: float) -> float:
        now = time.perf_counter()
        if self.timer is not None:
            self.timer(stage, now - started)
        return now

    def search_many(
        self,
        questions: list[str],
        k: int,
        mode: str = "hybrid",
        languages: list[str] | None = None,
        scope: Scope | None = None,
        shown: list[str] | None = None,
    ) -> list[Retrieval]:
        """The k best passages for each question, all searched within one `scope` (filters applied
        before the top k are cut; recency, a preferred period and the order applied to the ranking).
        `shown`: per question, the chat reply it follows up on ("" for none; `shown_leads`)."""
        if mode not in MODES:
            raise InvalidRequest(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        with answering():  # the encoder gives a lone question every core
            return self._search_many(questions, k, mode, languages, scope or Scope(), shown or [""] * len(questions))

    def _search_many(
        self, questions: list[str], k: int, mode: str, languages: list[str] | None, scope: Scope, shown: list[str]
    ) -> list[Retrieval]:
        languages = languages or [detect_language(q) for q in questions]
        started = time.perf_counter()
        typed, questions = questions, self._cased(questions, languages)
        queries = self.encoder.encode_queries(questions)
        started = self._timed("encode", started)
        results = []
        # One view: FAISS and the record read at one change, a concurrent write seen wholly or not at all
        with self.index.view() as view:
            started = self._timed("wait", started)  # for the index: a change being applied, a free connection
            conn = view.conn
            side = None
            if len(questions) == 1 and mode == "hybrid" and alone():  # its lexical search beside the dense one
                side = lexical.Beside(view, scope.filters, self._lexical(questions[0], languages[0], mode), self.timer)
            dense_k = 0 if mode == "lexical" else self.candidates
            _scores, dense_ids, allowed = view.search_within(queries, dense_k, scope.filters, languages)
            k = clamp_k(k, self.max_k, view.passages)
            started = self._timed("dense", started)
            for i, question in enumerate(questions):
                found = side.result() if side is not None else None  # it tells the timer itself
                if found is None:
                    found = lexical.gather(conn, self._lexical(question, languages[i], mode), allowed, view.facts)
                    started = self._timed("lexical", started)
                else:
                    started = time.perf_counter()
                ranked = self._rank(
                    conn, question, languages[i], queries[i], dense_ids[i], found, k, mode, scope, shown[i]
                )
                results.append(dataclasses.replace(ranked, question=typed[i]))
                started = self._timed("rank", started)
        return results

    def _cased(self, questions: list[str], languages: list[str]) -> list[str]:
        """Each question typed all in lower case written as the archive writes its words (casing.py);
        the others as typed. Reads the best lexical matches of those questions only."""
        # a chat turn's topic words in brackets may bring capitals of their own: the turn as typed decides
        uncased = [casing.is_uncased(without_topic_words(q)) for q in questions]
        if not any(uncased):
            return questions
        with self.index.view() as view:
            return [
                casing.recase(q, casing.archive_forms(q, fts.matching_texts(view.conn, q, lang, CASING_MATCHES), lang))
                if lower
                else q
                for q, lang, lower in zip(questions, languages, uncased, strict=True)
            ]

    def _feedback(self, conn, candidates: list[record.PassageRow], dense: np.ndarray, language: str) -> np.ndarray:
        """`feedback_weight` x each candidate's BM25 score for the terms of the best dense hits, when those
        are in another language than the question (qa.retrieval.feedback); zeros otherwise."""
        zeros = np.zeros(len(candidates), dtype=np.float32)
        if self.feedback_weight <= 0.0:
            return zeros
        languages = [row.language for row in candidates]
        chosen = feedback.feedback_passages(dense, languages, language, self.feedback_passages)
        if not chosen:
            return zeros
        target = languages[chosen[0]]
        terms = [stemmed_terms(row.text, target) if row.language == target else [] for row in candidates]
        frequencies, passages = feedback.frequencies(conn, [terms[i] for i in chosen])
        query = feedback.feedback_terms([terms[i] for i in chosen], frequencies, passages, self.feedback_terms)
        return self.feedback_weight * feedback.feedback_scores(terms, query, frequencies, passages)

    def _answer_kind(self, kind: str | None, candidates: list[record.PassageRow]) -> np.ndarray:
        """`answer_kind_weight` for a passage that holds the `kind` of answer asked for (a number for "how
        many", a date for "when") while another passage of its article is a candidate too: the article's
        teaser names the topic, the paragraph with the number answers. Not for a quote: an article's
        quotes are in most of its paragraphs, and lifting them cost the held-out half's short questions
        R@1 .667 -> .630 (qa/lab/README.md, "Eighth round")."""
        if kind is None or kind == QUOTE or self.answer_kind_weight <= 0:
            return np.zeros(len(candidates), dtype=np.float32)
        paragraphs = [(row.document_id, row.section) for row in candidates]
        # Only a passage with another paragraph of its article among the candidates can get the bonus, so
        # only those are read: matching every sentence of ~150 candidates was 18 % of the time a question
        # held the GIL under 8 clients (py-spy, qa/lab/README.md).
        holds = [
            other and any(fits(row.text[a:b], kind) for a, b in row.sentence_spans)
            for row, other in zip(candidates, fusion.with_another_paragraph(paragraphs), strict=True)
        ]
        return within_article_bonus(paragraphs, holds, self.answer_kind_weight)

    def _language_bonus(
        self,
        candidates: list[record.PassageRow],
        vectors: np.ndarray,
        same: np.ndarray,
        terms: set[str],
        language: str,
        lexical: np.ndarray,
    ) -> np.ndarray:
        """Per candidate, what `level_languages` adds: `cross_language_bonus` x (1 - the best same-language
        match's share of the question's terms) for a passage in another language, unless a candidate in
        the question's language is its translation (`translations`)."""
        bonus = np.zeros(len(candidates), dtype=np.float32)
        if self.cross_language_bonus <= 0 or same.all() or not same.any():
            return bonus  # one language among the candidates: nothing to level
        size = self.cross_language_bonus * (1.0 - _best_coverage(terms, language, candidates, lexical))
        translated = fusion.translations(vectors, same, [row.text for row in candidates], self.translation_cosine)
        bonus[~same & ~translated] = size
        return bonus

    def _shown(self, candidates: list[record.PassageRow], shown: str) -> np.ndarray:
        """`shown_lead_penalty` for the teaser or lead the previous chat reply quoted (`shown_leads`) while
        another paragraph of its article is a candidate too; zeros otherwise."""
        if not shown or self.shown_lead_penalty <= 0:
            return np.zeros(len(candidates), dtype=np.float32)
        sentences = [[row.text[a:b] for a, b in row.sentence_spans] if row.section <= 1 else [] for row in candidates]
        flags = fusion.shown_leads([row.section for row in candidates], sentences, shown)
        paragraphs = [(row.document_id, row.section) for row in candidates]
        return within_article_bonus(paragraphs, list(flags), self.shown_lead_penalty)

    def _evidence(self, conn, candidates, dense, query, kind, names, language, shown: str) -> np.ndarray:
        """What hybrid ranking adds to the fused scores: the teaser penalty, the answer kind, the teaser and
        dateline lead for a "why" question (`cause_lead_penalty`), rare names, a lead already shown and the
        cross-lingual feedback (the same with the language bonus and without)."""
        sections = np.array([row.section for row in candidates], dtype=np.int64)
        paragraphs = [(row.document_id, row.section) for row in candidates]
        evidence = self._answer_kind(kind, candidates) - fusion.teaser_penalties(sections, self.lead_penalty)
        if kind == CAUSE:
            bare = bare_leads(candidates, query, among=fusion.with_another_paragraph(paragraphs))
            evidence = evidence - within_article_bonus(paragraphs, bare, self.cause_lead_penalty)
        evidence = evidence - self._shown(candidates, shown)
        named = rare.name_evidence([row.text for row in candidates], names)  # for the story, not the paragraph
        story = fusion.article_best(fusion.stories(paragraphs), named)
        return evidence + self.name_weight * story + self._feedback(conn, candidates, dense, language)

    def _hit(self, row: record.PassageRow, scores: tuple[float, float, float], query, terms, language, cues) -> Hit:
        """The Hit for a candidate with its (fused, dense, lexical) scores and its highlighted sentence."""
        score, dense, lexical = scores
        sentence = highlight_sentence(row, query, terms, language, self.highlight_lexical_weight, *cues)
        start, end = row.sentence_spans[sentence] if sentence >= 0 else (0, len(row.text))
        return Hit(
            passage_id=row.id,
            position=row.position,
            text=row.text,
            heading=row.heading,
            language=row.language,
            score=score,
            dense_score=dense,
            lexical_score=lexical,
            highlight=Highlight(row.text[start:end], start, end),
            document=DocumentRef(row.document_id, row.title, row.date, row.source, row.url),
        )

    def _lexical(self, question: str, language: str, mode: str) -> lexical.LexicalQuery:
        share = self.name_max_share if self.name_weight > 0 else None
        return lexical.LexicalQuery(question, language, mode, self.candidates, share)

    def _rank(
        self, conn, question, language, query, dense_ids, found: lexical.LexicalEvidence, k, mode, scope, shown=""
    ) -> Retrieval:
        lexical_by_id = dict(found.matches)
        names = found.names
        candidate_ids = list(dict.fromkeys([int(i) for i in dense_ids if i >= 0] + list(lexical_by_id) + found.named))
        rows = record.passage_rows(conn, candidate_ids, self.index.dim)
        candidates = [rows[pid] for pid in candidate_ids if pid in rows]
        if not candidates:
            return Retrieval(question, language, (), 0.0)
        vectors = np.stack([row.vector for row in candidates])  # for the cosines and the language bonus
        passage_cos, sentence_cos = _cosines(candidates, vectors, query)
        dense = dense_scores(passage_cos, sentence_cos, self.sentence_weight)
        lexical_scores = np.array([lexical_by_id.get(row.id, 0.0) for row in candidates], dtype=np.float32)
        terms = set(stemmed_terms(question, language))  # for the language bonus and the highlight
        kind = answer_kind(question)
        times = time_weights([row.date for row in candidates], scope)
        unlevelled = None
        if mode == "hybrid":
            lexical_scores = followups.lexical_by_article(conn, question, language, candidates, lexical_scores)
            same = np.array([row.language == language for row in candidates], dtype=bool)
            bonus = self._language_bonus(candidates, vectors, same, terms, language, lexical_scores)
            evidence = self._evidence(conn, candidates, dense, query, kind, names, language, shown)
            scores = fuse(level_languages(dense, same, bonus), lexical_scores, same, self.dense_weight) + evidence
            if bonus.any():
                unlevelled = fuse(dense, lexical_scores, same, self.dense_weight) + evidence
        elif mode == "dense":
            scores = dense
        else:
            scores = lexical_scores
        scores = scores * times
        order = rank(scores, k)
        if scope.sort == "date":
            order = newest_first(order, [row.date for row in candidates])
        cues = (
            kind,
            self.highlight_quote_weight if kind == QUOTE else self.highlight_cue_weight,
            measured_unit(question),
            self.highlight_context_weight,
        )

        def hit(i: int, score: float) -> Hit:
            evidence = (score, float(dense[i]), float(lexical_scores[i]))
            return self._hit(candidates[i], evidence, query, terms, language, cues)

        hits = tuple(hit(int(i), float(scores[i])) for i in order)
        decided_on = None
        if unlevelled is not None:
            first = int(np.argmax(unlevelled * times))
            decided_on = next((h for h in hits if h.passage_id == candidates[first].id), None) or hit(
                first, float(scores[first])
            )
        missing = _unmentioned(without_topic_words(question), candidates, scores)
        narrowed = bool(scope.filters.date_from or scope.filters.date_to)
        return Retrieval(question, language, hits, float(dense.max()), decided_on, missing, narrowed)
