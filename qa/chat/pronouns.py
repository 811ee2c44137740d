"""Pronouns of a follow-up ("he", "sie", "dort") and what each may stand for in the turn before it."""

from __future__ import annotations

from qa.chat import wordlists as w
from qa.chat.mentions import answer_text, is_capitalised, is_country, mentions, message_tokens
from qa.chat.people import person_like


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


def antecedent(pronoun: str, previous: str, entity: str | None, answer: str = "") -> str | None:
    """What a pronoun of the new question points at: the name the previous answer gave (`entity`), a
    place ("dort", "there") among the countries of the previous question or of the answer's quoted
    sentence, else a name-like mention of the previous question as asked (not the topic words a
    context fallback added in brackets)."""
    found = mentions(previous)
    if pronoun in w.PLACE_PRONOUNS:
        quoted = [m for m in mentions(answer_text(answer)) if is_country(m)] if answer else []
        countries = ([entity] if entity and is_country(entity) else []) + [m for m in found if is_country(m)] + quoted
        places = countries or found
        return f"in {(countries or places[-1:])[0]}" if places else None
    if pronoun in w.PERSON_PRONOUNS:
        # a person, or nothing: the context fallback beats "What did Jahren announce?"
        context = f"{previous} {answer_text(answer) if answer else ''}"
        people = [m for m in ([entity] if entity else []) + found if person_like(m, context)]
        return people[0] if people else None
    if entity:
        return entity
    # a German capitalised word after a preposition ("für Sicherheitsgarantien") is rarely a person
    tokens = message_tokens(previous)
    after_preposition = {tokens[i] for i in range(1, len(tokens)) if tokens[i - 1].lower() in w.PREPOSITIONS_DE}
    found = [m for m in found if m.split()[0] not in after_preposition]
    people = [m for m in found if not is_country(m)]
    candidates = people or found
    return next((m for m in people if " " in m), None) or (candidates[0] if candidates else None)


def replace_pronouns(
    tokens: list[str], positions: list[int], previous: str, entity: str | None, answer: str = ""
) -> list[str] | None:
    out = list(tokens)
    for i in positions:
        word = tokens[i].lower()
        name = antecedent(word, previous, entity, answer)
        if name is None:
            return None
        if word in w.POSSESSIVES_EN:
            out[i] = name + "'s"
        elif word in w.POSSESSIVES_DE:
            # "seine Patente" -> "die Patente von Tesla" needs the noun's gender; "Patente von Tesla" does not
            if i + 1 < len(tokens) and is_capitalised(tokens[i + 1]):
                out[i], out[i + 1] = "", f"{tokens[i + 1]} von {name}"
            else:
                out[i] = f"von {name}"
        else:
            out[i] = name
    return out
