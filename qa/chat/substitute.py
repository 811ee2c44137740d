"""Continuation cues ("und", "what about") and the previous question with a new entity in its slot."""

from __future__ import annotations

import re

from qa.chat import wordlists as w
from qa.chat.asked import AskedQuestion, ask_with
from qa.chat.mentions import is_country, mentions


def strip_cue(lowered: list[str], language: str) -> int:
    """How many leading tokens are a continuation cue ("und", "what about", "was ist mit")."""
    for cue in w.CUES:
        parts = cue.split()
        if lowered[: len(parts)] == parts:
            return len(parts)
    return 0


_PLACE_NOUNS = "countries|country|states|nations|regions?|länder|ländern|staaten|regionen?"


def substitute(new: str, previous: str, question: AskedQuestion, language: str) -> str:
    """Put the new entity where the previous question had the same kind of entity."""
    found = mentions(previous)
    same_kind = [m for m in found if is_country(m) == is_country(new) and m.lower() != new.lower()]
    if not same_kind and question.asks_for_entity:
        # "Welches Land ist bereit …?" + "Und Deutschland?" -> "Ist Deutschland bereit …?"
        asked = ask_with([], question, new, language)
        if asked:
            return asked
    for target in same_kind or found[-1:]:
        if target.lower() != new.lower():
            # "Wie viele starben in Paris?" + "Und in Venedig?": the preposition is there already
            first, _, rest = new.partition(" ")
            pattern = rf"(?<!\w){re.escape(first)}\s{{1,3}}{re.escape(target)}(?!\w)" if rest and first else ""
            match = re.search(pattern, previous, flags=re.IGNORECASE) if pattern else None
            if match:
                return previous[: match.start()] + match.group(0).split()[0] + " " + rest + previous[match.end() :]
            # "European countries" / "die europäischen Länder" + "Germany": the place noun goes too
            place = rf"(?:(?:the|die|der|den|dem)\s+)?{re.escape(target)}\s+(?:{_PLACE_NOUNS})(?!\w)"
            if is_country(new) and re.search(place, previous, flags=re.IGNORECASE):
                return re.sub(place, lambda _match: new, previous, count=1, flags=re.IGNORECASE)
            # a function, not a template: the user's text may end in a backslash
            return re.sub(rf"(?<!\w){re.escape(target)}(?!\w)", lambda _match: new, previous, count=1)
    return ""
