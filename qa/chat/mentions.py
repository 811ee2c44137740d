"""Chat messages as words: tokens, name-like mentions and the language of short follow-ups."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.chat import wordlists as w
from qa.text.language import detect_language

_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")
# Every pattern here runs on user text: each must be linear in its input. A whitespace run is
# matched only from its first character ((?<!\s)), so a long run cannot be rescanned at every offset.
_NO_SPACE_BEFORE = re.compile(r"(?<!\s)\s+([,.;:?!)“”])")
_NO_SPACE_AFTER = re.compile(r"([(„])\s+")
_OPENING_QUOTES = '"„“«»'
_CLOSING_QUOTES = '"“”»«'


def message_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def join_tokens(tokens: Sequence[str]) -> str:
    text = " ".join(t for t in tokens if t)
    return _NO_SPACE_AFTER.sub(r"\1", _NO_SPACE_BEFORE.sub(r"\1", text)).strip()


def word_tokens(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t[0].isalnum() or t[0] == "_"]


def strip_question_mark(tokens: list[str]) -> list[str]:
    while tokens and tokens[-1] in "?!.":
        tokens = tokens[:-1]
    return tokens


def as_question(tokens: Sequence[str]) -> str:
    text = join_tokens(strip_question_mark(list(tokens)))
    return (text[:1].upper() + text[1:] + "?") if text else ""


def message_language(text: str, fallback: str = "en") -> str:
    """A message's language; short follow-ups ("Und warum?") are told apart by their little words."""
    lowered = [t.lower() for t in word_tokens(message_tokens(text))]
    german = sum(t in w.GERMAN_HINTS for t in lowered)
    english = sum(t in w.ENGLISH_HINTS for t in lowered)
    if german != english and len(lowered) <= 4:
        return "de" if german > english else "en"
    if len(lowered) <= 1 and not german and not english:
        return fallback
    return detect_language(text)


# -- mentions: names and other capitalised phrases ------------------------------------------------


def is_capitalised(token: str) -> bool:
    return token[:1].isupper() and (token[:1].isalpha())


def _after_article(tokens: list[str], i: int) -> bool:
    """Whether tokens[i] follows an article, maybe across inflected adjectives ("eine mögliche europäische")."""
    j = i - 1
    while j >= 0 and j >= i - 4:
        before = tokens[j]
        if before.lower() in w.DETERMINERS or before.isdigit() or before.lower() in w.QUANTIFIERS:
            return True  # "dem Treffen", "16 Jahre", "wie viel Preisgeld"
        if not (before.islower() and before.endswith(w.ADJECTIVE_ENDINGS) and before not in w.FUNCTION_WORDS):
            return False
        j -= 1
    return False


def mentions(text: str, language: str | None = None, question: bool | None = None) -> list[str]:
    """Name-like phrases in reading order: runs of capitalised words that are not function words.

    German capitalises every noun, so there a capitalised word right after an article or an inflected
    adjective ("dem Treffen", "eine europäische Friedenstruppe") is a common noun, not a name.
    """
    parts = message_tokens(text)
    german = (language or detect_language(text)) == "de"
    question = text.rstrip().endswith("?") if question is None else question
    found: list[str] = []
    run: list[str] = []
    for i, token in enumerate(parts):
        lowered = token.lower()
        acronym = token.isupper() and len(token) > 1
        name_like = is_capitalised(token) and (acronym or lowered not in w.FUNCTION_WORDS)
        if acronym and len(token) >= 5 and i + 1 < len(parts) and parts[i + 1] in (",", "/"):
            name_like = False  # a dateline ("FRANKFURT, Oct 30 -"), not a name
        if name_like and german and not run and _after_article(parts, i):
            name_like = False
        if name_like and i == 0 and question and not (len(parts) > 1 and is_capitalised(parts[1])):
            name_like = False  # a question's first word is a verb or question word ("Gibt es dort Burgen?")
        if name_like:
            run.append(token)
            continue
        if run:
            found.append(" ".join(run))
            run = []
    if run:
        found.append(" ".join(run))
    return found


def is_country(phrase: str) -> bool:
    return phrase.lower() in w.COUNTRIES


def is_calendar(phrase: str) -> bool:
    """Whether a mention names a month or a weekday ("January", "Nov", "Montag"): a time, never the
    thing or person a pronoun stands for."""
    return any(word.lower().strip(".") in w.CALENDAR_WORDS for word in phrase.split())


# a news dateline before a sentence: "NORWICH, England, Nov 4 - ", "Kassel (dpa) - ", "Frankfurt/Main (dpa/lhe) - "
_DATELINE = re.compile(
    r"[A-ZÄÖÜ][A-ZÄÖÜ/.-]{1,40}(?:,[^,–—-]{1,30}){0,3}\s[-–—]\s"  # NORWICH, England, Nov 4 -
    r"|[A-ZÄÖÜ][\w/.-]{1,40}\s\([^()]{1,20}\)\s[-–—]\s"  # Kassel (dpa) -
)


def without_dateline(sentence: str) -> str:
    """The sentence without a dateline at its start: the place there is where the report was filed."""
    stripped = sentence.lstrip()
    match = _DATELINE.match(stripped)
    return stripped[match.end() :] if match else sentence


def answer_text(content: str) -> str:
    """The quoted sentence of a reply like «Laut dem Artikel … vom …: "…"», or the whole reply.

    Plain string scanning, not a regular expression: the reply comes from the client, and a pattern
    with two optional whitespace runs around a lazy group backtracks quadratically on long blanks.
    """
    start = content.find(":")
    while start != -1:
        rest = content[start + 1 :].lstrip()
        if rest[:1] and rest[0] in _OPENING_QUOTES:
            quoted = rest[1:].strip()
            if quoted[-1:] and quoted[-1] in _CLOSING_QUOTES and len(quoted) > 1:
                quoted = quoted[:-1].rstrip()
            if quoted:
                return quoted
        start = content.find(":", start + 1)
    return content
