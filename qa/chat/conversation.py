"""Follow-up questions without an LLM: rewrite the last user message into a self-contained question.

"Und Deutschland?", "and why?", "What did he say?" lean on earlier turns. `resolve` walks the user
turns in order and rewrites each one that leans on the previous (already resolved) question and the
assistant's reply to it; a question that stands on its own passes through unchanged. The rules are
word lists and a few German/English word-order patterns (`qa bench chat` measures them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.chat import wordlists as w
from qa.chat.mentions import (
    answer_text,
    as_question,
    is_capitalised,
    is_country,
    join_tokens,
    mentions,
    message_language,
    message_tokens,
    strip_question_mark,
    word_tokens,
)
from qa.chat.people import SAYING, person_like
from qa.chat.topic import as_asked, with_context
from qa.text.language import LANGUAGES, detect_language

ROLES = ("user", "assistant")
MAX_MESSAGES = 50
MAX_HISTORY_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class Message:
    """One turn of a conversation as the client sent it."""

    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {self.role!r}")
        if not isinstance(self.content, str):
            raise TypeError("content must be a string")


@dataclass(frozen=True, slots=True)
class Resolution:
    """The last user message, and the self-contained question retrieval gets instead."""

    question: str
    resolved: str
    language: str
    strategy: str  # "none" (self-contained), "substitute", "ellipsis", "pronoun" or "context"

    def __post_init__(self) -> None:
        if not self.resolved.strip():
            raise ValueError("a resolved question cannot be empty")
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}")

    @property
    def followup(self) -> bool:
        return self.strategy != "none"

    @property
    def rewritten(self) -> bool:
        """Whether `resolved` is a well-formed question worth showing as "Understood as": not the
        question as typed, nor the question with the conversation's topic in brackets ("context")."""
        return self.strategy not in ("none", "context") and self.resolved != self.question


# -- the previous question's structure ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Question:
    """A question split into its leading question phrase and the rest ("Welches Land" | "ist bereit …")."""

    wh: list[str]
    rest: list[str]

    @property
    def asks_for_entity(self) -> bool:
        return bool(self.wh) and self.wh[0].lower() in w.ENTITY_WH

    @property
    def wh_noun(self) -> str:
        return self.wh[1].lower() if len(self.wh) > 1 else ""


def _split_question(tokens: list[str]) -> _Question:
    tokens = strip_question_mark(tokens)
    if not tokens or tokens[0].lower() not in w.WH_WORDS:
        return _Question([], tokens)
    size = 1
    if len(tokens) > 1 and (tokens[0].lower(), tokens[1].lower()) in w.WH_PAIRS:
        size = 2
    elif tokens[0].lower() in w.WH_DETERMINERS and len(tokens) > 1 and tokens[1].lower() not in w.AUXILIARIES:
        if tokens[1].lower() not in w.FUNCTION_WORDS:
            size = 2
    return _Question(tokens[:size], tokens[size:])


def _without_title(mention: str) -> str:
    """ "Russlands Präsident Wladimir Putin" -> "Wladimir Putin": the name after the last title word."""
    words = mention.split()
    titled = [i for i, word in enumerate(words) if word.lower() in w.TITLES]
    return " ".join(words[titled[-1] + 1 :]) if titled and titled[-1] < len(words) - 1 else mention


def _in_language(name: str | None, language: str) -> str | None:
    """A country's name in the question's language ("Estland" in an English question is "Estonia")."""
    if name is None:
        return None
    if language == "en":
        return w.COUNTRY_NAMES_DE_EN.get(name.lower(), name)
    english = {v.lower(): k for k, v in w.COUNTRY_NAMES_DE_EN.items()}
    german = english.get(name.lower())
    return german.capitalize() if german else name


def _answer_entity(question: _Question, answer: str, known: str, language: str) -> str | None:
    """The name the previous answer gave, when the previous question asked for one. Quoted in another
    language than the question's, the name goes without its title ("Bundeskanzler" means nothing to an
    English question, and helps a German one find the German passage). A question for a person ("Wer",
    "Welche Regisseurin") takes only a person-like name, and one that shares no word with the question
    ("Wer führt Helmbach?" is answered by Hollerbach, not by the founder Wilhelm Helmbach)."""
    if not question.asks_for_entity or not answer:
        return None
    known_stems = {t.lower()[:5] for t in word_tokens(message_tokens(known))}
    quoted = answer_text(answer)
    found = mentions(quoted)
    if detect_language(quoted) != language:
        found = [_without_title(m) for m in found]
    candidates = [m for m in found if not {x[:5] for x in m.lower().split()} <= known_stems]
    if question.wh_noun in w.COUNTRY_NOUNS:
        candidates = [m for m in candidates if is_country(m)]
    elif question.wh[0].lower() in w.PERSON_WH or question.wh_noun in w.PERSON_NOUNS:
        people = [m for m in candidates if not is_country(m)]
        new = [m for m in people if not {x[:5] for x in m.lower().split()} & known_stems]
        # judged without a title ("ECB President Maarten Oosterveld" is a person, "ECB" is not)
        persons = [m for m in new or people if person_like(_without_title(m), quoted)]
        return next((m for m in persons if " " in m), persons[0] if persons else None)
    return candidates[0] if candidates else None


def _english_verb(verb: str) -> tuple[str, str] | None:
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


def _ask_with(new_wh: list[str], question: _Question, subject: str | None, language: str) -> str:
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
        support = _english_verb(verb)
        if support:
            return as_question([*new_wh, support[0], subject, support[1], *tail])
        return as_question([*new_wh, "is it true that" if not new_wh else "is it that", subject, verb, *tail])
    if not new_wh:
        return ""
    if question.asks_for_entity or not question.wh or any(t.lower() in SAYING for t in rest):
        # "Why takes part only virtually?", "Why did he say about …?" read worse than the context fallback
        return ""
    return as_question([*new_wh, *_counted_noun_moved(question, rest, language)])


def _counted_noun_moved(question: _Question, rest: list[str], language: str) -> list[str]:
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


# -- one turn ----------------------------------------------------------------------------------
def _strip_cue(lowered: list[str], language: str) -> int:
    """How many leading tokens are a continuation cue ("und", "what about", "was ist mit")."""
    for cue in w.CUES:
        parts = cue.split()
        if lowered[: len(parts)] == parts:
            return len(parts)
    return 0


def _anaphors(tokens: list[str]) -> tuple[list[int], bool]:
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


def _antecedent(pronoun: str, previous: str, entity: str | None, answer: str = "") -> str | None:
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


def _replace_pronouns(
    tokens: list[str], positions: list[int], previous: str, entity: str | None, answer: str = ""
) -> list[str] | None:
    out = list(tokens)
    for i in positions:
        word = tokens[i].lower()
        name = _antecedent(word, previous, entity, answer)
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


_PLACE_NOUNS = "countries|country|states|nations|regions?|länder|ländern|staaten|regionen?"


def _substitute(new: str, previous: str, question: _Question, language: str) -> str:
    """Put the new entity where the previous question had the same kind of entity."""
    found = mentions(previous)
    same_kind = [m for m in found if is_country(m) == is_country(new) and m.lower() != new.lower()]
    if not same_kind and question.asks_for_entity:
        # "Welches Land ist bereit …?" + "Und Deutschland?" -> "Ist Deutschland bereit …?"
        asked = _ask_with([], question, new, language)
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


def resolve_turn(text: str, previous: str | None, answer: str = "", fallback_language: str = "en") -> Resolution:
    """Resolve one user message against the previous resolved question and the reply to it.

    Args:
        text: the user's message.
        previous: the previous user question, already resolved (None for the first turn).
        answer: the assistant's reply to `previous` ("" when there was none).
        fallback_language: the language to assume when the message is too short to tell.
    """
    question = text.strip()
    language = message_language(question, fallback_language)
    if not previous:
        return Resolution(question, question, language, "none")
    tokens = message_tokens(question)
    lowered = [t.lower() for t in tokens]
    cue = _strip_cue(lowered, language)
    body = strip_question_mark(tokens[cue:])
    body = [t for t in body if not (t.lower() in w.FILLERS and len(body) <= 4)]
    if body and body[-1].lower() == "aus" and " ".join(lowered[:cue]).endswith("mit"):
        body = body[:-1]  # "Wie sieht es mit X aus?"
    words = word_tokens(body)
    context, previous = previous, as_asked(previous)  # names and slots only as asked
    prev = _split_question(message_tokens(previous))
    entity = _in_language(_answer_entity(prev, answer, previous, language), language)

    # "Warum?", "And when?", "Wie viele genau?": the previous question with a new question word
    if words and len(words) <= 2 and all(t.lower() in w.WH_WORDS for t in words):
        asked = _ask_with(list(body), prev, entity, language)
        if asked:
            return Resolution(question, asked, language, "ellipsis")
        return Resolution(question, with_context(list(body), context, entity), language, "context")

    # "Und Deutschland?", "What about the British prime minister?": the previous question, new entity
    if cue and words and len(words) <= 4 and not any(t.lower() in w.WH_WORDS | w.AUXILIARIES for t in words):
        new = join_tokens(body)
        substituted = _substitute(new, previous, prev, language)
        if substituted:
            return Resolution(question, substituted, language, "substitute")
        return Resolution(question, with_context(list(body), context, entity), language, "context")

    positions, event = _anaphors(tokens)
    # a name before the pronoun is what the pronoun points at: "Wann starb Tesla und wo liegt er begraben?"
    anchored = bool(mentions(join_tokens(tokens[: positions[0]] if positions else tokens), language, question=True))
    if positions and not anchored:
        replaced = _replace_pronouns(tokens, positions, previous, entity, answer)
        if replaced is not None:
            if event:  # "Was hat Merz dazu gesagt?": the event goes along as the topic
                return Resolution(question, with_context(replaced, context, None), language, "context")
            return Resolution(question, as_question(replaced), language, "pronoun")
        return Resolution(question, with_context(tokens, context, entity), language, "context")
    if event or (cue and not anchored):
        return Resolution(question, with_context(tokens, context, entity), language, "context")
    return Resolution(question, question, language, "none")


def resolve_all(messages: Sequence[Message]) -> list[Resolution]:
    """Every user turn of the conversation, each resolved against the turns before it."""
    resolutions: list[Resolution] = []
    previous, answer, language = None, "", "en"
    for message in messages:
        if message.role == "assistant":
            answer = message.content
            continue
        resolution = resolve_turn(message.content, previous, answer, language)
        resolutions.append(resolution)
        previous, answer, language = resolution.resolved, "", resolution.language
    return resolutions


def resolve(messages: Sequence[Message]) -> Resolution:
    """The last user message as a self-contained question.

    Raises:
        ValueError: when the conversation does not end with a user message.
    """
    if not messages or messages[-1].role != "user":
        raise ValueError("a conversation must end with a user message")
    return resolve_all(messages)[-1]
