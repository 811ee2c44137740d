"""The previous question's structure: its question phrase, the name its answer gave, and the
question asked again with a new question word ("Wer führt Helmbach?" + "Warum?" -> "Warum führt
Hollerbach Helmbach?")."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from qa.chat import wordlists as w
from qa.chat.mentions import (
    answer_text,
    as_question,
    is_calendar,
    is_country,
    mentions,
    message_tokens,
    strip_question_mark,
    without_dateline,
    word_tokens,
)
from qa.chat.people import person_like
from qa.text.language import detect_language
from qa.text.places import places

# "Wer ist X?", "Who was X?": a question about the person it names
_IDENTITY = frozenset("ist war is was".split())
# a title in quotes within the quoted sentence: "Low Tide at Blakeney", «Nebelland»
_TITLE = re.compile(r"[\"“«„‚']([A-ZÄÖÜ][^\"”»“‘'\n]{1,60}?)[\"”»“‘']")
# a quoted sentence names a handful of things; a reply with thousands of capitalised words (the client
# sends the history) must not cost a person check on the whole text for each of them
MAX_ANSWER_MENTIONS = 20


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A question split into its leading question phrase and the rest ("Welches Land" | "ist bereit …")."""

    wh: list[str]
    rest: list[str]

    @property
    def asks_for_entity(self) -> bool:
        return bool(self.wh) and self.wh[0].lower() in w.ENTITY_WH

    @property
    def asks_person(self) -> bool:
        """ "Wer", "Who", "Welche Regisseurin": the answer is a person."""
        return bool(self.wh) and (self.wh[0].lower() in w.PERSON_WH or self.wh_noun in w.PERSON_NOUNS)

    @property
    def wh_noun(self) -> str:
        return self.wh[1].lower() if len(self.wh) > 1 else ""


def split_question(tokens: list[str]) -> AskedQuestion:
    tokens = strip_question_mark(tokens)
    if not tokens or tokens[0].lower() not in w.WH_WORDS:
        return AskedQuestion([], tokens)
    size = 1
    if len(tokens) > 1 and (tokens[0].lower(), tokens[1].lower()) in w.WH_PAIRS:
        size = 2
    elif tokens[0].lower() in w.WH_DETERMINERS and len(tokens) > 1 and tokens[1].lower() not in w.AUXILIARIES:
        if tokens[1].lower() not in w.FUNCTION_WORDS:
            size = 2
    return AskedQuestion(tokens[:size], tokens[size:])


def without_title(mention: str) -> str:
    """ "Russlands Präsident Wladimir Putin" -> "Wladimir Putin", "Scotland's Callum Reid" -> "Callum Reid":
    the name after the last title, role noun or possessive (the person's role or country, not their name)."""
    words = mention.split()
    titled = [
        i for i, word in enumerate(words) if word.lower() in w.PERSON_NOUNS or word.lower().endswith(("'s", "’s"))
    ]
    return " ".join(words[titled[-1] + 1 :]) if titled and titled[-1] < len(words) - 1 else mention


def _people_adjective(mention: str) -> bool:
    """A lone word naming a people or its language ("Danish", "German"): it describes what the answer
    names ("the Danish company Halvern Biosciences"), it is not that name."""
    return " " not in mention and bool(places(mention, capitalised=False)) and not places(mention)


def in_language(name: str | None, language: str) -> str | None:
    """A country's name in the question's language ("Estland" in an English question is "Estonia")."""
    if name is None:
        return None
    if language == "en":
        return w.COUNTRY_NAMES_DE_EN.get(name.lower(), name)
    english = {v.lower(): k for k, v in w.COUNTRY_NAMES_DE_EN.items()}
    german = english.get(name.lower())
    return german.capitalize() if german else name


def answer_entity(question: AskedQuestion, answer: str, known: str, language: str) -> str | None:
    """The name the previous answer gave, when the previous question asked for one. Quoted in another
    language than the question's, the name goes without its title ("Bundeskanzler" means nothing to an
    English question, and helps a German one find the German passage). A question for a person ("Wer",
    "Welche Regisseurin") takes only a person-like name, and one that shares no word with the question
    ("Wer führt Helmbach?" is answered by Hollerbach, not by the founder Wilhelm Helmbach)."""
    if not question.asks_for_entity or not answer:
        return None
    # "Wer ist Hollerbach?" asks about Hollerbach: the answer describes her, and the others it names are
    # not who was asked for ("Wer ist Kanzler?" asks for a name, a role noun is none)
    asked = question.rest[1:]
    if question.asks_person and question.rest[:1] and question.rest[0].lower() in _IDENTITY and asked:
        if all(t[:1].isupper() and t.lower() not in w.PERSON_NOUNS for t in asked):
            return " ".join(asked)
    known_stems = {t.lower()[:5] for t in word_tokens(message_tokens(known))}
    quoted = without_dateline(answer_text(answer))  # "NORWICH, England, Nov 4 -" names no answer
    found = [m for m in mentions(quoted)[:MAX_ANSWER_MENTIONS] if not is_calendar(m) and not _people_adjective(m)]
    if question.wh_noun and not question.asks_person and question.wh_noun not in w.COUNTRY_NOUNS:
        titles = [m.group(1) for m in itertools.islice(_TITLE.finditer(quoted), MAX_ANSWER_MENTIONS)]
        found = titles + found  # "Which painting?": the title in quotes, whole
    if detect_language(quoted) != language:
        found = [without_title(m) for m in found]
    candidates = [m for m in found if not {x[:5] for x in m.lower().split()} <= known_stems]
    if question.wh_noun in w.COUNTRY_NOUNS:
        candidates = [m for m in candidates if is_country(m)]
    elif question.asks_person:
        people = [m for m in candidates if not is_country(m)]
        new = [m for m in people if not {x[:5] for x in m.lower().split()} & known_stems]
        # judged without a title ("ECB President Maarten Oosterveld" is a person, "ECB" is not)
        persons = [m for m in new or people if person_like(without_title(m), quoted)]
        return next((m for m in persons if " " in m), persons[0] if persons else None)
    return candidates[0] if candidates else None


def english_verb(verb: str) -> tuple[str, str] | None:
    """("does", "take") for "takes", ("did", "say") for "said"; None when unsure."""
    lowered = verb.lower()
    if lowered in w.IRREGULAR_PAST:
        return "did", w.IRREGULAR_PAST[lowered]
    if lowered.endswith("ied"):
        return "did", lowered[:-3] + "y"
    if lowered.endswith("ed") and len(lowered) > 4:
        return "did", lowered[:-1] if lowered.endswith(("eed", "ged", "sed", "ced", "ved", "zed", "ued")) else lowered[
            :-2
        ]
    if lowered.endswith(("sses", "shes", "ches", "xes", "oes")):
        return "does", lowered[:-2]
    if lowered.endswith("s") and not lowered.endswith("ss") and len(lowered) > 3:
        return "does", lowered[:-1]
    return None


def ask_with(new_wh: list[str], question: AskedQuestion, subject: str | None, language: str) -> str:
    """Put `new_wh` in front of the previous question's rest; the entity it asked for becomes the subject.

    German keeps the verb second ("Warum nimmt Merz … teil?"); English moves an auxiliary ("Why is
    Estonia ready …?") or adds do ("Why does Merz take part …?"). With no wh-word it becomes a yes/no
    question ("Ist Deutschland bereit …?").
    """
    rest = list(question.rest)
    if subject and question.asks_for_entity and rest:
        verb, tail = rest[0], rest[1:]
        if language == "de" or verb.lower() in w.AUXILIARIES:
            return as_question([*new_wh, verb, subject, *tail])
        support = english_verb(verb)
        if support:
            return as_question([*new_wh, support[0], subject, support[1], *tail])
        return as_question([*new_wh, "is it true that" if not new_wh else "is it that", subject, verb, *tail])
    if not new_wh:
        return ""
    if question.asks_for_entity or not question.wh or any(t.lower() in w.SAYING for t in rest):
        # "Why takes part only virtually?", "Why did he say about …?" read worse than the context fallback
        return ""
    # "Wie hoch war die Böe?" + "Warum?" is no "Warum war die Böe?": the measure was the point. The same holds
    # for any two-word question phrase but a count ("What share of children ...?" + "Why?" read "Why of
    # children ...?"), so "why" after one goes to the topic fallback
    phrase = len(question.wh) == 2 and " ".join(question.wh).lower() not in w.QUANTITY_WH
    if phrase and new_wh[0].lower() in w.CAUSE_WH:
        return ""
    return as_question([*new_wh, *counted_noun_moved(question, rest, language)])


def counted_noun_moved(question: AskedQuestion, rest: list[str], language: str) -> list[str]:
    """A quantity question's rest with its counted noun moved: "Wie viel Getreide hat der Hafen umgeschlagen?"
    + "Warum?" -> "Warum hat der Hafen Getreide umgeschlagen?", not "Warum Getreide hat der Hafen …?"."""
    if " ".join(question.wh).lower() not in w.QUANTITY_WH or len(rest) < 2:
        return rest
    noun, tail = rest[0], rest[1:]
    if noun.lower() in w.AUXILIARIES or (language == "de" and not noun[:1].isupper()):
        return rest
    if language == "de" and len(tail) >= 2 and tail[-1][:1].islower():
        return [*tail[:-1], noun, tail[-1]]
    return [*tail, noun]
