"""Pronouns of a follow-up ("he", "sie", "dort") and what each may stand for in the turn before it."""

from __future__ import annotations

import re

from qa.chat import wordlists as w
from qa.chat.asked import without_title
from qa.chat.mentions import answer_text, is_capitalised, is_country, mentions, message_tokens
from qa.chat.people import person_like

# English person pronouns always mean a person; German "er", "sie", "ihn" may mean a thing of that gender
_PERSONS_ONLY = frozenset("he him his she her".split())


def anaphors(tokens: list[str]) -> tuple[list[int], bool]:
    """Positions of entity pronouns ("he", "sie", "dort") and whether an event word ("dazu", "that") occurs."""
    lowered = [t.lower() for t in tokens]
    pronouns, event = [], False
    for i, word in enumerate(lowered):
        before = lowered[i - 1] if i else ""
        after = lowered[i + 1] if i + 1 < len(lowered) else "?"
        if word in w.EVENT_WORDS:
            event = True
        elif word in w.DEMONSTRATIVES:
            if word in ("das", "that"):
                # "das" before a capitalised noun is an article; "that" mid-question is usually a conjunction
                standalone = (after in "?!." or after in w.AUXILIARIES or after in w.EVENT_VERBS) and before != ","
                if word == "das" and i + 1 < len(tokens) and is_capitalised(tokens[i + 1]):
                    standalone = False
                event = event or standalone
            else:
                event = True
        elif word in w.PRONOUNS and (tokens[i] == word or i == 0):
            if word == "es" and (before in w.EXPLETIVE_VERBS or after in w.EXPLETIVE_VERBS):
                continue
            if word == "there" and (before in w.AUXILIARIES or after in w.AUXILIARIES):
                continue  # "Is there …", "there were …"
            pronouns.append(i)
    return pronouns, event


def antecedent(pronoun: str, previous: str, entity: str | None, answer: str = "", speaking: bool = False) -> str | None:
    """What a pronoun of the new question points at: the name the previous answer gave (`entity`), a
    place ("dort", "there") among the countries of the previous question or of the answer's quoted
    sentence, else a name-like mention of the previous question as asked (not the topic words a
    context fallback added in brackets). A person pronoun with no person there takes the one person
    the answer's quoted sentence names, when it surely means a person: English "he" or "she", or a
    German "er"/"sie" that says something (`speaking`: "Was hat sie gesagt?"; "Wann kommt er auf den
    Markt?" means a vaccine)."""
    # "Warsaw's first stock exchange": the possessor is a place or a person, never the thing ("it")
    found = mentions(previous)
    owners = [_owner(m) for m in found]
    if pronoun in w.PLACE_PRONOUNS:
        found = owners
        quoted = [m for m in mentions(answer_text(answer)) if is_country(m)] if answer else []
        countries = ([entity] if entity and is_country(entity) else []) + [m for m in found if is_country(m)] + quoted
        places = countries or found
        return f"in {(countries or places[-1:])[0]}" if places else None
    if pronoun in w.PERSON_PRONOUNS:
        # a person, or nothing: the context fallback beats "What did Jahren announce?"
        # each judged in its own text: a German question's lone noun ("gegen Norovirus") is no name
        # because an English answer beside it would make the two read as English
        sentence = answer_text(answer) if answer else ""
        named = [entity] if entity and person_like(entity, sentence or previous) else []
        people = named + [m for m in owners if person_like(m, previous)]
        if not people and (speaking or pronoun in _PERSONS_ONLY):
            return person_in_answer(answer)
        return people[0] if people else None
    if entity:
        return entity
    found = [m for m in found if _owner(m) == m]
    # a German capitalised word after a preposition ("für Sicherheitsgarantien") is rarely a person
    tokens = message_tokens(previous)
    after_preposition = {tokens[i] for i in range(1, len(tokens)) if tokens[i - 1].lower() in w.PREPOSITIONS_DE}
    found = [m for m in found if m.split()[0] not in after_preposition]
    people = [m for m in found if not is_country(m)]
    candidates = people or found
    return next((m for m in people if " " in m), None) or (candidates[0] if candidates else None)


def _owner(mention: str) -> str:
    """The possessor a possessive mention names ("Warsaw's" -> "Warsaw")."""
    return re.sub(r"['’]s$", "", mention)


def _genitive(name: str) -> str:
    """A German name's genitive: "Teslas", "Wladimir Putins", "Merz'"."""
    return name + "'" if name[-1:].lower() in ("s", "ß", "x", "z") else name + "s"


def person_in_answer(answer: str) -> str | None:
    """The one person the answer's quoted sentence names, without title ("ECB President Maarten
    Oosterveld told reporters …" -> "Maarten Oosterveld"); None when it names none or several. Only a
    name of two words or more: a lone capitalised word there may be a company ("Halvern said …")."""
    if not answer:
        return None
    quoted = answer_text(answer)
    people = []
    for mention in mentions(quoted):
        name = without_title(mention)
        if " " in name and person_like(name, quoted) and name not in people:
            people.append(name)
    return people[0] if len(people) == 1 else None


def replace_pronouns(
    tokens: list[str], positions: list[int], previous: str, entity: str | None, answer: str = ""
) -> list[str] | None:
    out = list(tokens)
    speaking = any(t.lower() in w.SPEAKING for t in tokens)
    for i in positions:
        word = tokens[i].lower()
        name = antecedent(word, previous, entity, answer, speaking)
        if name is None:
            return None
        if word in w.POSSESSIVES_EN:
            out[i] = name + "'s"
        elif word in w.POSSESSIVES_DE:
            # "sein Land" -> "Putins Land": a name's genitive needs no article, whose gender is not known
            # ("Land von Putin" lacks one); before an adjective its ending would change, so no rewrite
            if i + 1 >= len(tokens) or not is_capitalised(tokens[i + 1]):
                return None
            out[i] = _genitive(without_title(name))
        else:
            out[i] = name
    return out
