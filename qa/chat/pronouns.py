"""Pronouns of a follow-up ("he", "sie", "dort") and what each may stand for in the turn before it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.chat import wordlists as w
from qa.chat.asked import MAX_ANSWER_MENTIONS, without_title
from qa.chat.mentions import (
    answer_text,
    is_calendar,
    is_capitalised,
    is_country,
    mentions,
    message_tokens,
    without_dateline,
    word_tokens,
)
from qa.chat.people import person_like

# English person pronouns always mean a person; German "er", "sie", "ihn" may mean a thing of that gender
_PERSONS_ONLY = frozenset("he him his she her".split())
_GEBEN = frozenset("geben gibt gab gäbe gegeben".split())
_PLURAL_EN = frozenset("they them their".split())
_MASCULINE = frozenset("he him his er ihn ihm sein seine seinen seinem seiner seines".split())
_FEMININE = frozenset("she her sie ihr ihre ihren ihrem ihrer ihres".split())
# the articles of a German noun "er" or "sie" may stand for ("der Hafen" -> "er", "die Hymne" -> "sie")
_THING_ARTICLES = {
    **dict.fromkeys(("er", "ihn", "ihm"), frozenset("der den".split())),
    "sie": frozenset({"die"}),
}


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
            if word == "es" and any(t in _GEBEN for t in lowered):
                continue  # "Wird es nach dem Treffen Ansagen geben?": "es gibt", there is
            if word == "there" and (before in w.AUXILIARIES or after in w.AUXILIARIES):
                continue  # "Is there …", "there were …"
            pronouns.append(i)
    return pronouns, event


@dataclass(frozen=True, slots=True)
class Before:
    """The turn a follow-up leans on: its question as asked, the name its answer gave (`entity`), the
    reply, and whether the question asked for a person ("Wer", "Which director")."""

    question: str
    entity: str | None = None
    answer: str = ""
    asks_person: bool = False


def antecedent(pronoun: str, before: Before, speaking: bool = False) -> str | None:
    """What a pronoun of the new question points at: the name the previous answer gave (`entity`), a
    place ("dort", "there") among the countries of the previous question or of the answer's quoted
    sentence, else a name-like mention of the previous question as asked (not the topic words a
    context fallback added in brackets).

    A person pronoun takes a person or nothing. After a question for a person that the answer did
    not name, it means that person, not one the question named ("Who did Temüjin marry?" + "Who
    kidnapped her?"). With no person there it takes the one person the answer's quoted sentence names,
    when it surely means a person: English "he" or "she", or a German "er"/"sie" that says something
    (`speaking`: "Was hat sie gesagt?"; "Wann kommt er auf den Markt?" means a vaccine).
    """
    previous, entity, answer = before.question, before.entity, before.answer
    # "Warsaw's first stock exchange": the possessor is a place or a person, never the thing ("it");
    # "January", "Monday" are times, never what a pronoun stands for
    found = [m for m in mentions(previous) if not is_calendar(m)]
    owners = [_owner(m) for m in found]
    if pronoun in w.PLACE_PRONOUNS:
        found = owners
        quoted = [m for m in mentions(answer_text(answer)) if is_country(m)] if answer else []
        countries = ([entity] if entity and is_country(entity) else []) + [m for m in found if is_country(m)] + quoted
        places = countries or found
        return f"in {(countries or places[-1:])[0]}" if places else None
    if pronoun in w.PERSON_PRONOUNS:
        # each judged in its own text: a German question's lone noun ("gegen Norovirus") is no name
        # because an English answer beside it would make the two read as English
        sentence = answer_text(answer) if answer else ""
        named = [entity] if entity and person_like(entity, sentence or previous) else []
        asked = [] if before.asks_person else [m for m in owners if person_like(m, previous)]
        people = named + asked
        if not people and (speaking or pronoun in _PERSONS_ONLY):
            return person_in_answer(answer)
        return people[0] if people else None
    if pronoun in _PLURAL_EN:  # "their troops" are no one person's
        found = [m for m in found if not person_like(m, previous)]
        entity = entity if entity and not person_like(entity, answer_text(answer) or previous) else None
    if pronoun in ("it", "its") and entity and person_like(entity, answer_text(answer) or previous):
        entity = None  # "Who directed it?" + "What is it about?": "it" is the film, never its director
    if pronoun in ("it", "its") and _names_a_thing(previous):
        # "Which company is developing the vaccine?" + "How well did it work?", "What is the new price cap in
        # Britain?" + "When does it start?": the thing named with "the", or the name beside it?
        return None
    if entity:
        return entity
    tokens = message_tokens(previous)
    words = word_tokens(tokens)
    if words and len(words) <= 3 and words[0].lower() in w.PREPOSITIONS:
        return None  # "in Deutschland", asked with the topic: a place, not the thing "it" stands for
    # a German capitalised word after a preposition ("für Sicherheitsgarantien") is rarely a person,
    # nor is a lone German noun what "es" stands for ("Äußerungen")
    after_preposition = {tokens[i] for i in range(1, len(tokens)) if tokens[i - 1].lower() in w.PREPOSITIONS_DE}
    found = [m for m in found if m.split()[0] not in after_preposition and _owner(m) == m]
    if pronoun == "es":
        found = [m for m in found if is_country(m) or " " in m or person_like(m, previous)]
    people = [m for m in found if not is_country(m)]
    candidates = people or found
    return next((m for m in people if " " in m), None) or (candidates[0] if candidates else None)


def _names_a_thing(question: str) -> bool:
    """Whether a question names a thing with an article ("the norovirus vaccine", "die
    Strompreisobergrenze", "a clean air zone"), which "it" may stand for as well as a name beside it
    or its answer's ("What did Leicester decide about a clean air zone?" + "Why is it needed?")."""
    tokens = message_tokens(question)
    pairs = zip(tokens, tokens[1:], strict=False)
    return any(
        (a.lower() in ("the", "a", "an") and b.isalpha() and b.lower() not in w.FUNCTION_WORDS)
        or (a.lower() in w.DEFINITE_ARTICLES_DE and is_capitalised(b))
        for a, b in pairs
    )


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
    for mention in mentions(quoted)[:MAX_ANSWER_MENTIONS]:
        name = without_title(mention)
        if " " in name and person_like(name, quoted) and name not in people:
            people.append(name)
    # "Hollerbach, a former logistics manager, … founded by Wilhelm Helmbach": a lone name the sentence
    # opens with and describes may be the person meant as well
    opening = re.match(r"([A-ZÄÖÜ][\w-]+), (?:a|an|the|ein|eine|der|die) ", without_dateline(quoted))
    if opening and opening.group(1) not in people:
        people.append(opening.group(1))
    return people[0] if len(people) == 1 else None


def _gendered_thing(pronoun: str, previous: str) -> bool:
    """Whether a German "er"/"sie" may stand for a thing the previous question named with an article
    of its gender ("Wer führte die Nationalhymne auf?" + "Wer übersetzte sie?")."""
    articles = _THING_ARTICLES.get(pronoun)
    if not articles:
        return False
    tokens = message_tokens(previous)
    return any(tokens[i].lower() in articles and is_capitalised(tokens[i + 1]) for i in range(len(tokens) - 1))


def replace_pronouns(tokens: list[str], positions: list[int], before: Before) -> list[str] | None:
    """The follow-up with each pronoun replaced by what it points at; None when one has no safe
    antecedent, when a German "er"/"sie" may mean a thing as well as a person, or when "him" and
    "her" would be the same person ("Who helped Börte rescue Börte?")."""
    out = list(tokens)
    speaking = any(t.lower() in w.SPEAKING for t in tokens)
    genders: dict[str, str] = {}
    for i in positions:
        word = tokens[i].lower()
        if not speaking and _gendered_thing(word, before.question):
            return None
        name = antecedent(word, before, speaking)
        if name is None:
            return None
        if word not in w.POSSESSIVES_EN | w.POSSESSIVES_DE | w.PLACE_PRONOUNS and any(
            0 < j < len(tokens) and j != i and is_capitalised(tokens[j]) for j in (i - 1, i + 1)
        ):
            # "führt Hollerbach Helmbach" would read as one name in the next turn; German "ihr" before a
            # capitalised word is her possessive ("ihr Weingut") or a dative before a name ("ihr Merz")
            return None
        gender = "m" if word in _MASCULINE else "f" if word in _FEMININE else word
        if genders.setdefault(name, gender) != gender:
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
