"""Continuation cues ("und", "what about") and the previous question with a new entity in its slot."""

from __future__ import annotations

import re

from qa.chat import wordlists as w
from qa.chat.asked import AskedQuestion, ask_with
from qa.chat.mentions import as_question, is_capitalised, is_country, mentions, message_tokens, word_tokens
from qa.text.places import places

_YEAR = re.compile(r"(?<!\d)(1\d{3}|20\d{2})(?!\d)")
_ENGLISH_ARTICLES = frozenset("the a an this that these those".split())


def strip_cue(lowered: list[str], language: str) -> int:
    """How many leading tokens are a continuation cue ("und", "what about", "was ist mit")."""
    for cue in w.CUES:
        parts = cue.split()
        if lowered[: len(parts)] == parts:
            return len(parts)
    return 0


_PLACE_NOUNS = "countries|country|states|nations|regions?|länder|ländern|staaten|regionen?"


def _common_noun(words: list[str], language: str) -> bool:
    """Whether a follow-up's phrase is a common noun ("lorries", "the women's final", "der Publikumspreis"),
    not a name: English writes it in lower case; German capitalises it too, but after an article."""
    if language == "de":
        return words[0].lower() in w.DETERMINERS and not is_country(" ".join(words[1:]))
    return not any(is_capitalised(x) for x in words)


def _noun_slot(words: list[str], previous: str, language: str) -> str:
    """The previous question with the new common noun in place of the noun of the same kind: the same
    head noun ("the men's final" + "the women's final"), in German also a compound ending in it
    ("den Preis" + "der Publikumspreis" -> "den Publikumspreis", keeping the case of the article there);
    "" when the previous question has none ("cars" is not "lorries" by any word list) or the new
    noun is the one there already."""
    head = words[-1].lower()
    phrase = words[1:] if words[0].lower() in w.DETERMINERS | _ENGLISH_ARTICLES else words
    tokens = message_tokens(previous)
    for j, token in enumerate(tokens):
        lower = token.lower()
        compound = language == "de" and len(lower) >= 4 and head.endswith(lower)
        if lower != head and not compound:
            continue
        # back over the modifiers to the article ("the men's singles final"), at most three words: a
        # noun has one ("How did they rate the film?" holds the verb "rate", not the noun)
        article = next(
            (i for i in range(j - 1, max(j - 4, -1), -1) if tokens[i].lower() in w.DETERMINERS | _ENGLISH_ARTICLES),
            None,
        )
        if article is None:
            continue
        rewritten = as_question([*tokens[: article + 1], *phrase, *tokens[j + 1 :]])
        return "" if rewritten == as_question(tokens) else rewritten
    return ""


def _after_preposition(target: str, previous: str) -> bool:
    tokens = [t.lower() for t in message_tokens(previous)]
    first = target.split()[0].lower()
    return any(
        tokens[i - 1] in w.PREPOSITIONS_DE | {"in", "im", "am"} for i in range(1, len(tokens)) if tokens[i] == first
    )


def substitute(new: str, previous: str, question: AskedQuestion, language: str) -> str:
    """Put the new entity where the previous question had the same kind of entity: a common noun takes
    a noun's place, a country a country's, another name a name's."""
    years, before = _YEAR.findall(new), _YEAR.findall(previous)
    if years:
        # "in Paris in 1466" + "And in Venice in 1576?": a year takes the one year's place
        if len(years) != 1 or len(before) != 1:
            return ""
        previous = re.sub(rf"(?<!\d){before[0]}(?!\d)", years[0], previous, count=1)
        new = " ".join(re.sub(rf"(?:\b(?:in|im|of|von)\s+)?(?<!\d){years[0]}(?!\d)", " ", new).split())
        if not word_tokens(message_tokens(new)) or new.lower() in ("in", "im"):
            return previous
    if language == "de" and not any(is_capitalised(word) or word.isdigit() for word in new.split()):
        return ""  # German writes nouns and names with a capital: "vorher", "heute" name nothing to put in
    if _common_noun(new.split(), language):
        return _noun_slot(new.split(), previous, language)
    found = mentions(previous)
    same_kind = [m for m in found if is_country(m) == is_country(new) and m.lower() != new.lower()]
    first, _, rest = new.partition(" ")
    prepositional = bool(rest) and first.lower() in w.PREPOSITIONS  # "für Kassel", "nach Trelleborg"
    if not same_kind and question.asks_for_entity and not prepositional:
        # "Welches Land ist bereit …?" + "Und Deutschland?" -> "Ist Deutschland bereit …?"
        asked = ask_with([], question, new, language)
        if asked:
            return asked
    # with no mention of its kind, the last one; but a country's slot only for a place ("die Schweiz")
    fallback = [m for m in found[-1:] if not is_country(m) or places(new)]
    for target in same_kind or fallback:
        if target.lower() != new.lower():
            # "Wie viele starben in Paris?" + "Und in Venedig?": the preposition is there already
            pattern = rf"(?<!\w){re.escape(first)}\s{{1,3}}{re.escape(target)}(?!\w)" if rest and first else ""
            match = re.search(pattern, previous, flags=re.IGNORECASE) if pattern else None
            if match:
                return previous[: match.start()] + match.group(0).split()[0] + " " + rest + previous[match.end() :]
            if prepositional:
                # a place with its preposition goes where the same preposition stood ("in Paris" + "und in
                # Venedig"): "nach Trelleborg" for "Hafen" in "über den Rostocker Hafen" is no question
                return ""
            # "European countries" / "die europäischen Länder" + "Germany": the place noun goes too
            place = rf"(?:(?:the|die|der|den|dem)\s+)?{re.escape(target)}\s+(?:{_PLACE_NOUNS})(?!\w)"
            if is_country(new) and re.search(place, previous, flags=re.IGNORECASE):
                return re.sub(place, lambda _match: new, previous, count=1, flags=re.IGNORECASE)
            if language == "de" and first.lower() in w.DETERMINERS and _after_preposition(target, previous):
                return ""  # "in Deutschland" + "die Schweiz": "in der Schweiz" needs the article's case
            # a function, not a template: the user's text may end in a backslash
            return re.sub(rf"(?<!\w){re.escape(target)}(?!\w)", lambda _match: new, previous, count=1)
    return ""
