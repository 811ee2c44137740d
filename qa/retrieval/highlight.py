"""The sentence of a hit to highlight: where the answer most likely stands.

Its cosine to the question decides, plus two kinds of evidence:
- in the question's language, the share of the question's terms the sentence holds;
- in any language, the kind of answer the question asks for: a question for a quantity ("How heavy
  is ...?", "Wie viele ...?") favours a sentence with a number (twice over with a unit of what is
  asked: kilo for heavy, metres for long), one for a time ("When ...?", "In welchem Jahr ...?") a
  sentence with a year or a month, one for a cause ("Why ...?", "Warum ...?") a sentence that gives
  a reason ("because", "weil", "wegen", "Hauptgrund"), one for what somebody said ("What did Rhian
  Morgan say?", "Was sagte Reid?") a sentence with a quotation. The cues are word lists in German and
  English, so an English question over a German passage still finds "Es heißt Quirin und wiegt 16 Kilo."
Measured with `qa bench tune highlight_cue_weight ...` (cross-validated over XQuAD articles);
qa/lab/README.md has the figures.
"""

from __future__ import annotations

import re

import numpy as np

from qa.storage import record
from qa.text.terms import stemmed_terms

QUANTITY, TIME, CAUSE, QUOTE = "quantity", "time", "cause", "quote"

_QUANTITY_QUESTION = re.compile(
    r"\b(how (many|much|heavy|long|old|far|large|big|tall|high|wide|deep|fast)|"
    r"what (percentage|percent|proportion|number|amount)|"
    r"wie (viele|viel|schwer|lange|alt|weit|groß|hoch|breit|tief|schnell)|wieviele?|welcher anteil)\b",
    re.IGNORECASE,
)
_TIME_QUESTION = re.compile(
    r"\b(when|what year|which year|what century|what decade|wann|in welchem jahr|welches jahr|"
    r"welchem jahrhundert|seit wann|bis wann)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|hundred|thousand|million|billion|"
    r"dozen|half|percent|eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|hundert|tausend|"
    r"millionen?|milliarden?|dutzend|hälfte|prozent)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(1\d{3}|20\d{2}|jahrhundert|century|januar|februar|märz|april|mai|juni|juli|august|september|"
    r"oktober|november|dezember|january|february|march|may|june|july|october|december)\b",
    re.IGNORECASE,
)
_CAUSE_QUESTION = re.compile(
    r"\b(why|how come|what (is|was|were|are) the (main |real )?reasons?|what caused|what led to|"
    r"warum|weshalb|wieso|weswegen|aus welchem grund|was (ist|war|sind|waren) der (hauptgrund|grund|gründe)|"
    r"wie begründe\w*)\b",
    re.IGNORECASE,
)
_CAUSE = re.compile(
    r"\b(because|due to|owing to|as a result|result of|reasons?|caused?|blamed?|attributed|driven|thanks to|"
    r"in order to|so that|explained|stem(s|med)? from|weil|denn|wegen|aufgrund|grund|gründen?|grunde|hauptgrund|"
    r"hintergrund|deshalb|daher|deswegen|infolge|zurückzuführen|ursachen?|begründe\w*|angesichts|dank|damit|"
    r"erklär\w*|(liegt|lag|liege) an)\b",
    re.IGNORECASE,
)
# What a person said: "What did Rhian Morgan say?", "Was hat der Schäfer gesagt, als ...?", "Was sagte Reid
# nach dem Spiel?". The answer is their quote, while the sentence that names them ("Jurypräsidentin Signe
# Holmgaard, eine dänische Schauspielerin, hob ... hervor.") is closer to the question by name.
_QUOTE_QUESTION = re.compile(
    r"^\W*(what (did|does|do|has|have|had|will|would)\b.{0,80}?\b(say|said)|"
    r"was (sagte|sagten|sagt|meinte|meint)|was (hat|hatte|haben|hatten|wird)\b.{0,80}?\b(gesagt|gemeint|sagen))\b",
    re.IGNORECASE,
)
# A query typed as keywords names the kind of answer with a noun instead ("Hauswirth job cuts reason",
# "Marquardt Entlassung Begründung", "bielefeld bridge demolition date", "Goldene Möwe Preisgeld"); read
# only when its wording asks for no kind (qa/lab/README.md, "Ninth round").
_KIND_NOUNS = (
    (CAUSE, re.compile(r"\b(reasons?|causes?|origin|grund|gründe|begründung|ursachen?|hintergrund)\b", re.I)),
    (TIME, re.compile(r"\b(date|datum|termin|zeitpunkt)\b", re.I)),
    (
        QUANTITY,
        re.compile(r"\b(number|anzahl|amount|höhe|betrag|kosten|costs?|price|preisgeld|gewicht|weight)\b", re.I),
    ),
)
# quotation marks of both languages, straight and typographic
_QUOTE = re.compile(r"[\"«»„“”‚‘]")

# A measured quantity: the question's word for the dimension, and the units (either language) that answer it.
_DIMENSIONS = (
    (
        re.compile(r"\b(heavy|weigh\w*|schwer|wiegt|wiegen|gewicht)\b", re.I),
        r"kilo\w*|kg|gramm|g|tonnen?|pfund|pounds?|lbs?",
    ),
    (
        re.compile(r"\b(long|far|tall|high|wide|deep|lang|weit|hoch|breit|tief|groß)\b", re.I),
        r"km|kilometer\w*|meter\w*|m|cm|miles?|meilen|fuß|feet|foot|zoll|inch\w*",
    ),
    (re.compile(r"\b(cost\w*|price|kostet?|kosten|preis)\b", re.I), r"euro|dollar|€|\$|mark|pfund|franken"),
)


def measured_unit(question: str) -> re.Pattern[str] | None:
    """For a question after a measured quantity ("How heavy ...?"), a pattern of a number with its unit."""
    if not _QUANTITY_QUESTION.search(question) and not re.search(r"\b(cost|kostet)\b", question, re.I):
        return None
    for asked, units in _DIMENSIONS:
        if asked.search(question):
            return re.compile(rf"\d[\d.,]*\s*(?:{units})(?!\w)", re.IGNORECASE)
    return None


def answer_kind(question: str) -> str | None:
    """QUANTITY, TIME, CAUSE, QUOTE or None: what kind of answer the question's wording asks for (German or
    English). A quantity or a time wins over a cause ("Why did it stay open until 8 p.m.?" is read as a
    time), a cause over a quote ("Why did he say no?"); a query whose wording asks for none may name its
    kind with a noun ("Hauswirth job cuts reason", "bridge demolition date")."""
    if _QUANTITY_QUESTION.search(question):
        return QUANTITY
    if _TIME_QUESTION.search(question):
        return TIME
    if _CAUSE_QUESTION.search(question):
        return CAUSE
    if _QUOTE_QUESTION.search(question):
        return QUOTE
    return next((kind for kind, noun in _KIND_NOUNS if noun.search(question)), None)


def fits(sentence: str, kind: str | None) -> bool:
    """Whether the sentence holds an answer of that kind: a number for a quantity, a year or month for a
    time, a word that gives a reason for a cause, a quotation mark for a quote."""
    if kind == QUANTITY:
        return bool(_NUMBER.search(sentence))
    if kind == TIME:
        return bool(_TIME.search(sentence))
    if kind == CAUSE:
        return bool(_CAUSE.search(sentence))
    if kind == QUOTE:
        return bool(_QUOTE.search(sentence))
    return False


NEIGHBOUR_SHARE = 0.2  # fitted with the context weight, cross-validated over XQuAD articles (qa/lab/README.md)


def context_cosines(sentence_vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Each sentence's cosine to the question once its neighbours join it (NEIGHBOUR_SHARE each, then
    normalised): a sentence that answers with "it" or "the company" borrows what it refers to."""
    vectors = np.asarray(sentence_vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"sentence vectors: expected (n, dim), got shape {vectors.shape}")
    context = vectors.copy()
    context[1:] += NEIGHBOUR_SHARE * vectors[:-1]
    context[:-1] += NEIGHBOUR_SHARE * vectors[1:]
    norms = np.linalg.norm(context, axis=1, keepdims=True)
    context /= np.maximum(norms, 1e-12)
    return (context @ np.asarray(query, dtype=np.float32)).astype(np.float32)


def highlight_sentence(
    row: record.PassageRow,
    query: np.ndarray,
    question_terms: set[str],
    language: str,
    lexical_weight: float,
    kind: str | None = None,
    cue_weight: float = 0.0,
    unit: re.Pattern[str] | None = None,
    context_weight: float = 0.0,
) -> int:
    """Index of the sentence to highlight: its cosine to the question (with `context_weight`, that share of
    it taken with its neighbours: `context_cosines`) plus, in the question's language,
        `lexical_weight` x the share of the question's terms it contains, plus `cue_weight` when it holds
        the kind of answer the question asks for (`answer_kind`), and `cue_weight` again when it holds a number
    with the unit the question asks for (`measured_unit`); -1 when the passage has no sentences.

        Measured on XQuAD (answer inside the highlighted sentence of a gold first hit): cosine alone .790
        DE->DE and .821 on the mixed corpus; with 0.1 x term share .816 and .845.
        While the sentence vectors are not stored yet, the sentence sharing most question terms (in the
        question's language; the first sentence on a tie) is highlighted.
    """
    if not row.sentence_spans:
        return -1
    if row.sentence_vectors is None:
        scores = np.zeros(len(row.sentence_spans), dtype=np.float32)
        lexical_weight = 1.0
    else:
        scores = (row.sentence_vectors @ query).astype(np.float32)
        if context_weight > 0:
            scores = (1.0 - context_weight) * scores + context_weight * context_cosines(row.sentence_vectors, query)
    if lexical_weight > 0 and question_terms and row.language == language:
        for i, (start, end) in enumerate(row.sentence_spans):
            shared = question_terms.intersection(stemmed_terms(row.text[start:end], language))
            scores[i] += lexical_weight * len(shared) / len(question_terms)
    if cue_weight > 0 and kind is not None:
        for i, (start, end) in enumerate(row.sentence_spans):
            sentence = row.text[start:end]
            scores[i] += cue_weight * (fits(sentence, kind) + bool(unit is not None and unit.search(sentence)))
    return int(np.argmax(scores))


def bare_leads(candidates: list[record.PassageRow], query: np.ndarray, among: list[bool] | None = None) -> list[bool]:
    """Per candidate, whether it is an article's teaser or dateline lead (paragraph 0 or 1) whose sentence
    closest to the question gives no reason: for a "why" question it says what happened, while the
    cause stands further down. A lead that answers ("Weil ein Lkw umgekippt ist, war die A1 gesperrt")
    keeps its score; a reason it gives for something else, in another sentence, does not count. Only
    the candidates `among` are read (the others are False): the penalty needs another paragraph of the
    article among the candidates, which XQuAD's one-paragraph documents never have."""
    bare = []
    for row, read in zip(candidates, among if among is not None else [True] * len(candidates), strict=True):
        spans, vectors = row.sentence_spans, row.sentence_vectors
        if not read or row.section > 1:
            bare.append(False)
        elif not spans:
            bare.append(True)
        else:
            best = int(np.argmax(vectors @ query)) if vectors is not None and len(vectors) == len(spans) else 0
            start, end = spans[best]
            bare.append(not fits(row.text[start:end], CAUSE))
    return bare
