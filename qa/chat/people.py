"""Whether a capitalised phrase may be a person: what a person pronoun ("er", "she") may stand for.

German capitalises every noun and English every name, a dateline or a weekday, so a follow-up that
replaced "sie" with any capitalised word of the previous turn said "Was hat Jahren angekündigt?" or
"What did FRANKFURT say?". Word lists and the text around a mention decide instead; when nothing is
person-like, conversation.py asks with the conversation's topic rather than a wrong word.
"""

from __future__ import annotations

import re

from qa.chat import wordlists as w
from qa.chat.mentions import is_country, message_tokens
from qa.text.language import detect_language

SAYING = frozenset("said says say told sagte sagt sagen erklärte".split())
_PLACE_PREPOSITIONS = frozenset("at in from near by to into bei aus nach nahe im am".split())
_QUANTIFIERS = frozenset("viel viele mehr wenig wenige kein keine keinen etwas genug".split())
# endings of German common nouns ("Jahren", "Zahlungen", "Mannschaft"): such a lone word is no name
_NOUN_ENDINGS = (
    *("ung", "heit", "keit", "schaft", "tion", "ren", "ten", "gen", "ern", "eln", "chen", "tät", "nis"),
    *("ungen", "innen", "ionen", "chefs", "schaften"),
)


def _dateline(mention: str, text: str) -> bool:
    """Whether the mention opens a news dateline: a place with its region after a slash, or before an
    agency in brackets and a dash ("Frankfurt/Main (dpa) -", "Kassel (dpa) -")."""
    name = re.escape(mention)
    return bool(re.search(rf"(?<!\w){name}(?:/\w+|\s*\([^()]{{1,20}}\)\s*[-–])", text))


def _named_after_organisation(first: str, lowered: list[str]) -> bool:
    """Whether the mention's first word follows an organisation word wherever it stands in the text
    (`lowered`: its tokens in lower case)."""
    spots = [i for i, token in enumerate(lowered) if token == first.lower()]
    return bool(spots) and all(i > 0 and lowered[i - 1] in w.ORGANISATION_WORDS for i in spots)


def _organisation_word(word: str) -> bool:
    """An organisation word, or a compound ending in one ("Union", "Rot-Weiß", "U-Bahn")."""
    lower = word.lower()
    return lower in w.ORGANISATION_WORDS or lower.rsplit("-", 1)[-1] in w.ORGANISATION_WORDS


def person_like(mention: str, text: str) -> bool:
    """Whether a mention in `text` may be a person's name.

    Not a possessive ("Kassel's"), an organisation (also by the word before it: "Gewerkschaft Deutscher
    Triebfahrzeugführer"), a dateline ("Frankfurt/Main (dpa) -"), a title in quotes («Nebelland»), a
    country or an all-capitals word ("SC Union Kassel", "FRANKFURT"); two or more capitalised words are
    a name ("Karin Wendt-Hollmann"). A lone word is one when a role noun stands before it or a verb of
    saying after it ("Trainer Kern", "Kern sagte"); otherwise not when it opens a sentence before a
    lower-case word ("Millions of Londoners"), nor, in German, where every noun is capitalised, when it
    ends like a common noun or follows a quantifier ("vor 20 Jahren", "viel Geld").
    """
    words = mention.split()
    if words and words[-1].lower().endswith(("'s", "’s")):
        return False  # "Kassel's coach": the possessor, not the person a pronoun stands for
    if not words or is_country(mention) or any(_organisation_word(x) for x in words):
        return False  # "SC Union Kassel"; "U-Bahn", a compound ending in one
    if any(x.lower() in w.CALENDAR_WORDS for x in words):
        return False
    if any(x.isupper() and len(x) > 1 for x in words):
        return False
    if re.search(rf"[«„“\"]{re.escape(mention)}[»“”\"]", text):
        return False  # «Nebelland»: the title of a film, a book or a ship
    if _dateline(mention, text):
        return False  # "Frankfurt/Main (dpa) - Die Gewerkschaft ...", "Kassel (dpa) - ..."
    tokens = message_tokens(text)
    lowered = [t.lower() for t in tokens]
    if _named_after_organisation(words[0], lowered):
        return False  # "die Gewerkschaft Deutscher Triebfahrzeugführer", "the council's Labour group"
    german = detect_language(text) == "de"
    if len(words) >= 2:
        # "Konkrete Ansagen" opens a German sentence; a name does not end like a common noun
        german_noun = german and words[-1].lower().endswith(_NOUN_ENDINGS)
        return all(x[:1].isupper() for x in words) and not german_noun
    seen = False
    for i, token in enumerate(lowered):
        if token != mention.lower():
            continue
        seen = True
        before = lowered[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if before in w.PERSON_NOUNS or after.lower() in SAYING:
            return True
        if before in _PLACE_PREPOSITIONS:
            return False  # "at Heilbronn", "by Underground staff", "bei Oberkirchbach"
        if (i == 0 or before in ".!?") and after[:1].islower():
            return False
        if german and (token.endswith(_NOUN_ENDINGS) or before in _QUANTIFIERS):
            return False
    return seen
