"""Lexical terms of a text: lower-cased words without stopwords, Snowball-stemmed in its language.

The one tokenizer of the lexical side: BM25 (storage.fts), term coverage (retrieval.no_answer) and
the highlight all compare these terms. bm25s provides the stopword lists.
"""

from __future__ import annotations

import re
import threading

_TOKEN = re.compile(r"\w+", re.UNICODE)
_local = threading.local()


_STOPWORDS: dict[str, frozenset[str]] | None = None  # made at first use, then shared by every thread


def _stopwords(language: str) -> frozenset[str]:
    global _STOPWORDS
    sets = _STOPWORDS
    if sets is None:  # imported once: an import statement on every call was 2 % of a question's Python
        from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_GERMAN

        sets = _STOPWORDS = {"de": frozenset(STOPWORDS_GERMAN), "en": frozenset(STOPWORDS_EN)}
    return sets.get(language, sets["en"])


def _stemmer(language: str):
    # PyStemmer objects are not thread-safe: one per thread and language.
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        import Stemmer

        stemmers[language] = Stemmer.Stemmer("german" if language == "de" else "english")
    return stemmers[language]


def content_words(text: str) -> list[str]:
    """The words of `text` that are a stopword in neither German nor English, of two or more
    characters (or digits): "the and of to", "<b>?</b>" or a zero-width space have none."""
    german, english = _stopwords("de"), _stopwords("en")
    return [
        word
        for word in _TOKEN.findall(text.lower())
        if word not in german and word not in english and (len(word) > 1 or word.isdigit())
    ]


def stemmed_terms(text: str, language: str) -> list[str]:
    """Lower-cased word tokens without stopwords, stemmed in `language`."""
    stopwords = _stopwords(language)
    words = [word for word in _TOKEN.findall(text.lower()) if word not in stopwords]
    return _stemmer(language).stemWords(words)


# Words that say what kind of answer is asked, not what it is about: Lucene's English stopwords (bm25s)
# keep them, and the German list keeps some ("wer", "wann", "warum", "wurde").
QUESTION_WORDS = {
    "en": frozenset(
        "what which who whom whose when where why how many much did do does has have had were been "
        "can could would should may might must shall".split()
    ),
    "de": frozenset(
        "wer wen wem wessen wann warum wieso weshalb weswegen woher wohin wodurch womit woran worauf "
        "worüber wofür wovon wozu wobei worin viele wurde wurden worden wird werden".split()
    ),
}
# English past forms the stemmer leaves apart from their verb: "What did she say?" / "she said".
# (German's Snowball stemmer joins "sagte" and "sagt"; its strong verbs are left as they are.)
IRREGULAR_FORMS = {
    "said": "say", "told": "tell", "won": "win", "paid": "pay", "led": "lead", "ran": "run", "went": "go",
    "made": "make", "took": "take", "gave": "give", "got": "get", "found": "find", "held": "hold", "came": "come",
    "became": "become", "began": "begin", "spent": "spend", "sold": "sell", "bought": "buy", "brought": "bring",
    "kept": "keep", "lost": "lose", "built": "build", "fell": "fall", "rose": "rise",
}  # fmt: skip


def subject_terms(text: str, language: str, question: bool = False) -> set[str]:
    """The stemmed terms a passage about a question's subject holds: without stopwords, English past
    forms as their verb, and (for the `question` itself) without its question words."""
    asking = QUESTION_WORDS.get(language, frozenset()) if question else frozenset()
    words = [word for word in _TOKEN.findall(text.lower()) if word not in asking]
    if language == "en":
        words = [IRREGULAR_FORMS.get(word, word) for word in words]
    return set(stemmed_terms(" ".join(words), language))


# a bracketed list right before the closing question mark: what a chat turn adds as its topic
_TOPIC_WORDS = re.compile(r" \([^()]*\)(?=\?$)")


def without_topic_words(question: str) -> str:
    """The question as typed, without the topic words a conversation put in brackets before its
    question mark ("Was sagte er dazu (Merz, Treffen)?" -> "Was sagte er dazu?")."""
    return _TOPIC_WORDS.sub("", question)


def topic_words(question: str) -> str:
    """The topic words a conversation put in brackets ("Was sagte er dazu (Merz, Treffen)?" -> "Merz,
    Treffen"), "" when there are none."""
    found = _TOPIC_WORDS.search(question)
    return found.group(0).strip()[1:-1] if found else ""


# A German compound names its kind last: "Sachschaden" is a Schaden, "Cheftrainer" a Trainer. A question
# term (its stem) of at least this many letters is held by a passage word that ends with it. Shorter stems
# end too many words ("land", "jahr"): with 4 letters one more of the seeds' German off-topic questions was
# answered over XQuAD's German paragraphs, with 5 none (qa/lab/README.md, "Ninth round").
MIN_HEAD_LETTERS = 5


def held_terms(terms: set[str], found: set[str], language: str) -> set[str]:
    """The question's `terms` the passage's `found` terms hold, German compounds by their last part."""
    held = terms & found
    if language == "de":
        held |= {
            term for term in terms - held if len(term) >= MIN_HEAD_LETTERS and any(f.endswith(term) for f in found)
        }
    return held


# A code of capitals and a number names one thing and reads the same in both languages: a motorway ("A7",
# "A 2", "A-2-Brücke"), a train or bus line ("S1", "U6"), a virus strain ("H5N1"), a summit ("G7").
_CODE = re.compile(r"(?<![\w-])([A-Z]{1,4})[ -]?(\d{1,4}(?:[A-Z]\d{1,2})?)(?![\w])")


def codes(text: str) -> frozenset[tuple[str, str]]:
    """The codes `text` names, as (letters, number): "A 7", "A-7" and "A7" are ("A", "7")."""
    return frozenset(_CODE.findall(text))


def contradicted_codes(question: str, text: str) -> frozenset[str]:
    """The codes the question names that `text` does not, while it names another with the same letters:
    "Wann wird die A1 bei Bremen gesperrt?" over a report on the A7. The encoder barely tells A1 from A7,
    and an article about another motorway, line or strain does not answer; a code the text has no kin of
    ("Q3" over "im dritten Quartal") says nothing."""
    asked = codes(question)
    if not asked:
        return frozenset()
    named = codes(text)
    letters = {code[0] for code in named}
    return frozenset(f"{code[0]}{code[1]}" for code in asked if code not in named and code[0] in letters)


# A year as a question names it: four digits from 1900 to 2099, not part of a longer number or a code.
_YEAR = re.compile(r"(?<![\w.,])((?:19|20)\d{2})(?![\w]|[.,]\d)")
# How many years after its publication an article may speak of a year without naming it ("next year").
YEARS_AHEAD = 2


def later_years(question: str, text: str, published: list[str | None]) -> frozenset[str]:
    """The years the question names that `text` (the articles that could answer it) does not, and that
    come YEARS_AHEAD or more after the newest of those articles was published (`published`: their
    ISO dates): "Was kostet das Deutschlandticket ab Januar 2028?" over a 2025 report on the price from
    2026. An article cannot report what a later year brought unless it names that year as a plan. A year
    before the article (background), or an article without a date (XQuAD's paragraphs), says nothing."""
    asked = set(_YEAR.findall(question))
    if not asked or not published or any(not date for date in published):
        return frozenset()
    newest = max(int(date[:4]) for date in published if date)
    named = set(_YEAR.findall(text))
    return frozenset(year for year in asked if int(year) >= newest + YEARS_AHEAD and year not in named)
