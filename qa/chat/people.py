"""Whether a capitalised phrase may be a person: what a person pronoun ("er", "she") may stand for.

German capitalises every noun and English every name, a dateline or a weekday, so a follow-up that
replaced "sie" with any capitalised word of the previous turn said "Was hat Jahren angekündigt?" or
"What did FRANKFURT say?". Word lists and the text around a mention decide instead; when nothing is
person-like, conversation.py asks with the conversation's topic rather than a wrong word.
"""

from __future__ import annotations

import re

from qa.chat import wordlists as w
from qa.chat.mentions import is_country, mentions, message_tokens
from qa.text.language import detect_language

_PLACE_PREPOSITIONS = frozenset("at in from near by to into bei aus nach nahe im am".split())
_ARTICLES_EN = frozenset("the a an".split())
_THING_PRONOUNS = frozenset("it its es".split())
# endings of German common nouns ("Jahren", "Zahlungen", "Mannschaft"): such a lone word is no name
_NOUN_ENDINGS = (
    *("ung", "heit", "keit", "schaft", "tion", "ren", "ten", "gen", "ern", "eln", "chen", "tät", "nis"),
    *("ungen", "innen", "ionen", "chefs", "schaften"),
)


def _after_capitalised_adjective(tokens: list[str], i: int) -> bool:
    """Whether tokens[i] follows an article and a capitalised adjective ("die Goldene Möwe", "der Heilige
    Stuhl"): German capitalises such an adjective only in a fixed name, whose noun is no surname."""
    if i < 2:
        return False
    adjective, article = tokens[i - 1], tokens[i - 2].lower()
    return adjective[:1].isupper() and adjective.lower().endswith(w.ADJECTIVE_ENDINGS) and article in w.DETERMINERS


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
    country, a capital city or an all-capitals word ("SC Union Kassel", "FRANKFURT"); two or more
    capitalised words are a name ("Karin Wendt-Hollmann"). A lone word is one when a role noun stands
    before it or a verb of saying after it ("Trainer Kern", "Kern sagte"; "Halvern said it plans" is no
    evidence); not after an English article ("the Ukrainian president") or a possessive ("the capital's
    Tube network"), nor when it opens a sentence before a lower-case word ("Millions of Londoners").
    German capitalises every noun: there a lone word is no name when it ends like a common noun,
    follows a quantifier ("vor 20 Jahren", "viel Geld") or an article and a capitalised adjective ("die
    Goldene Möwe"), and needs a sign of one otherwise: it is the subject of a question ("Was witzelte
    Tesla?") or the text gives it a first name.
    """
    words = mention.split()
    if words and words[-1].lower().endswith(("'s", "’s")):
        return False  # "Kassel's coach": the possessor, not the person a pronoun stands for
    if not words or is_country(mention) or mention.lower() in w.CAPITALS or any(_organisation_word(x) for x in words):
        return False  # "SC Union Kassel"; "U-Bahn", a compound ending in one; "Kyiv responded" is a government
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
        # "Konkrete Ansagen" opens a German sentence; a name does not end like a common noun, nor
        # continues one ("des Internationalen Filmfestivals Konstanz")
        spots = [i for i, token in enumerate(tokens) if token == words[0]]
        german_noun = german and (
            words[-1].lower().endswith(_NOUN_ENDINGS) or any(_after_capitalised_adjective(tokens, i) for i in spots)
        )
        return all(x[:1].isupper() for x in words) and not german_noun
    seen, named = False, _surname(mention, text)
    for i, token in enumerate(lowered):
        if token != mention.lower():
            continue
        before = lowered[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        # "Halvern said it plans …" is no evidence: a company says "it" of itself (a person may too)
        then = tokens[i + 2].lower() if i + 2 < len(tokens) else ""
        said = after.lower() in w.SAYING and then not in _THING_PRONOUNS
        if before in w.PERSON_NOUNS or said or named:
            return True
        if before in _PLACE_PREPOSITIONS:
            return False  # "at Heilbronn", "by Underground staff", "bei Oberkirchbach"
        if before in _ARTICLES_EN:
            return False  # "the Ukrainian president", "the Kremlin": a name of a person takes no article
        if before.endswith(("'s", "’s")):
            return False  # "the capital's Tube network", "Britain's Labour party": a thing a place owns
        if (i == 0 or before in ".!?") and after[:1].islower():
            return False
        if german and (token.endswith(_NOUN_ENDINGS) or before in w.QUANTIFIERS):
            return False
        if german and _after_capitalised_adjective(tokens, i):
            return False  # "die Goldene Möwe": the noun of a capitalised name phrase, a prize, not a person
        # German capitalises every noun ("zahlreiche Tiere"): a lone word there needs a sign of a name
        seen = seen or not german or _asked_about(tokens, i)
    return seen


def _asked_about(tokens: list[str], i: int) -> bool:
    """Whether tokens[i] stands right after a question word and its verb, where a question names whom
    it asks about ("Was witzelte Tesla …?", "Wann starb Tesla?"); not after "wie viele", where it is
    what is counted ("Aus wie vielen Gemeinden kamen sie?")."""
    return (
        i >= 2
        and tokens[i - 2].lower() in w.WH_WORDS
        and tokens[i - 1].islower()
        and f"{tokens[i - 2]} {tokens[i - 1]}".lower().rstrip("nm") not in w.QUANTITY_WH
    )


def _surname(word: str, text: str) -> bool:
    """Whether the text also names the word with a first name ("Anna Welter … Welter"; not "SC Union Kassel")."""
    return any(" " in m and m.split()[-1] == word and person_like(m, text) for m in mentions(text))
