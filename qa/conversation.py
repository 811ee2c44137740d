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

from . import wordlists as w
from .language import LANGUAGES, detect_language

ROLES = ("user", "assistant")
MAX_MESSAGES = 50
MAX_HISTORY_CHARS = 20_000

_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")
_NO_SPACE_BEFORE = re.compile(r"\s+([,.;:?!)“”])")
_NO_SPACE_AFTER = re.compile(r"([(„])\s+")
_QUOTED_ANSWER = re.compile(r':\s*["„“«»]\s*(.+?)\s*["“”»«]?\s*$', re.DOTALL)


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


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _join(tokens: Sequence[str]) -> str:
    text = " ".join(t for t in tokens if t)
    return _NO_SPACE_AFTER.sub(r"\1", _NO_SPACE_BEFORE.sub(r"\1", text)).strip()


def _words(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t[0].isalnum() or t[0] == "_"]


def _strip_question_mark(tokens: list[str]) -> list[str]:
    while tokens and tokens[-1] in "?!.":
        tokens = tokens[:-1]
    return tokens


def _as_question(tokens: Sequence[str]) -> str:
    text = _join(_strip_question_mark(list(tokens)))
    return (text[:1].upper() + text[1:] + "?") if text else ""


def message_language(text: str, fallback: str = "en") -> str:
    """A message's language; short follow-ups ("Und warum?") are told apart by their little words."""
    lowered = [t.lower() for t in _words(_tokens(text))]
    german = sum(t in w.GERMAN_HINTS for t in lowered)
    english = sum(t in w.ENGLISH_HINTS for t in lowered)
    if german != english and len(lowered) <= 4:
        return "de" if german > english else "en"
    if len(lowered) <= 1 and not german and not english:
        return fallback
    return detect_language(text)


# -- mentions: names and other capitalised phrases ------------------------------------------------


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() and (token[:1].isalpha())


def _after_article(tokens: list[str], i: int) -> bool:
    """Whether tokens[i] follows an article, maybe across inflected adjectives ("eine mögliche europäische")."""
    j = i - 1
    while j >= 0 and j >= i - 4:
        before = tokens[j]
        if before.lower() in w.DETERMINERS or before.isdigit():
            return True  # "dem Treffen", "16 Jahre"
        if not (before.islower() and before.endswith(w.ADJECTIVE_ENDINGS) and before not in w.FUNCTION_WORDS):
            return False
        j -= 1
    return False


def mentions(text: str, language: str | None = None, question: bool | None = None) -> list[str]:
    """Name-like phrases in reading order: runs of capitalised words that are not function words.

    German capitalises every noun, so there a capitalised word right after an article or an inflected
    adjective ("dem Treffen", "eine europäische Friedenstruppe") is a common noun, not a name.
    """
    tokens = _tokens(text)
    german = (language or detect_language(text)) == "de"
    question = text.rstrip().endswith("?") if question is None else question
    found, run = [], []
    for i, token in enumerate(tokens):
        lowered = token.lower()
        acronym = token.isupper() and len(token) > 1
        name_like = _is_capitalised(token) and (acronym or lowered not in w.FUNCTION_WORDS)
        if name_like and german and not run and _after_article(tokens, i):
            name_like = False
        if name_like and i == 0 and question and not (len(tokens) > 1 and _is_capitalised(tokens[1])):
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


def _is_country(phrase: str) -> bool:
    return phrase.lower() in w.COUNTRIES


def _answer_text(content: str) -> str:
    """The quoted sentence of a reply like «Laut dem Artikel … vom …: "…"», or the whole reply."""
    match = _QUOTED_ANSWER.search(content)
    return match.group(1) if match else content


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
    tokens = _strip_question_mark(tokens)
    if not tokens or tokens[0].lower() not in w.WH_WORDS:
        return _Question([], tokens)
    size = 1
    if len(tokens) > 1 and (tokens[0].lower(), tokens[1].lower()) in w.WH_PAIRS:
        size = 2
    elif tokens[0].lower() in w.WH_DETERMINERS and len(tokens) > 1 and tokens[1].lower() not in w.AUXILIARIES:
        if tokens[1].lower() not in w.FUNCTION_WORDS:
            size = 2
    return _Question(tokens[:size], tokens[size:])


def _answer_entity(question: _Question, answer: str, known: str) -> str | None:
    """The name the previous answer gave, when the previous question asked for one."""
    if not question.asks_for_entity or not answer:
        return None
    known_stems = {t.lower()[:5] for t in _words(_tokens(known))}
    candidates = [m for m in mentions(_answer_text(answer)) if not {x[:5] for x in m.lower().split()} <= known_stems]
    if question.wh_noun in w.COUNTRY_NOUNS:
        candidates = [m for m in candidates if _is_country(m)]
    elif question.wh[0].lower() in w.PERSON_WH:
        people = [m for m in candidates if not _is_country(m)]
        candidates = [m for m in people if " " in m] or people
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
            return _as_question([*new_wh, verb, subject, *tail])
        support = _english_verb(verb)
        if support:
            return _as_question([*new_wh, support[0], subject, support[1], *tail])
        return _as_question([*new_wh, "is it true that" if not new_wh else "is it that", subject, verb, *tail])
    if not new_wh:
        return ""
    if question.asks_for_entity or not question.wh:
        return ""  # "Why takes part only virtually?" reads worse than the context fallback
    return _as_question([*new_wh, *rest])


def _keywords(text: str) -> list[str]:
    seen, words = set(), []
    for token in _words(_tokens(text)):
        lowered = token.lower()
        if lowered in w.FUNCTION_WORDS or lowered in w.WH_WORDS or lowered in w.ANAPHORS or lowered in seen:
            continue
        seen.add(lowered)
        words.append(token)
    return words


def _with_context(followup: list[str], previous: str, entity: str | None) -> str:
    """The follow-up plus the previous question's key words: "Was sagte Rutte dazu (Merz, Treffen)?"."""
    own = {t.lower() for t in followup}
    extra = [t for t in ([entity] if entity else []) + _keywords(previous) if t.lower() not in own]
    body = _join(_strip_question_mark(followup))
    return f"{body} ({', '.join(extra)})?" if extra else body + "?"


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
                if word == "das" and i + 1 < len(tokens) and _is_capitalised(tokens[i + 1]):
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


def _antecedent(pronoun: str, previous: str, entity: str | None) -> str | None:
    found = mentions(previous)
    if pronoun in w.PLACE_PRONOUNS:
        places = [m for m in found if _is_country(m)] or found
        return f"in {places[-1]}" if places else None
    if entity:
        return entity
    # a German capitalised word after a preposition ("für Sicherheitsgarantien") is rarely a person
    tokens = _tokens(previous)
    after_preposition = {tokens[i] for i in range(1, len(tokens)) if tokens[i - 1].lower() in w.PREPOSITIONS_DE}
    found = [m for m in found if m.split()[0] not in after_preposition]
    people = [m for m in found if not _is_country(m)]
    return next((m for m in people if " " in m), None) or (people or found or [None])[0]


def _replace_pronouns(tokens: list[str], positions: list[int], previous: str, entity: str | None) -> list[str] | None:
    out = list(tokens)
    for i in positions:
        word = tokens[i].lower()
        name = _antecedent(word, previous, entity)
        if name is None:
            return None
        if word in w.POSSESSIVES_EN:
            out[i] = name + "'s"
        elif word in w.POSSESSIVES_DE:
            # "seine Patente" -> "die Patente von Tesla" needs the noun's gender; "Patente von Tesla" does not
            if i + 1 < len(tokens) and _is_capitalised(tokens[i + 1]):
                out[i], out[i + 1] = "", f"{tokens[i + 1]} von {name}"
            else:
                out[i] = f"von {name}"
        else:
            out[i] = name
    return out


def _substitute(new: str, previous: str, question: _Question, language: str) -> str:
    """Put the new entity where the previous question had the same kind of entity."""
    found = mentions(previous)
    same_kind = [m for m in found if _is_country(m) == _is_country(new) and m.lower() != new.lower()]
    if not same_kind and question.asks_for_entity:
        # "Welches Land ist bereit …?" + "Und Deutschland?" -> "Ist Deutschland bereit …?"
        asked = _ask_with([], question, new, language)
        if asked:
            return asked
    for target in same_kind or found[-1:]:
        if target.lower() != new.lower():
            # "Wie viele starben in Paris?" + "Und in Venedig?": the preposition is there already
            first, _, rest = new.partition(" ")
            pattern = rf"(?<!\w){re.escape(first)}\s+{re.escape(target)}(?!\w)" if rest else ""
            match = re.search(pattern, previous, flags=re.IGNORECASE) if pattern else None
            if match:
                return previous[: match.start()] + match.group(0).split()[0] + " " + rest + previous[match.end() :]
            return re.sub(rf"(?<!\w){re.escape(target)}(?!\w)", new, previous, count=1)
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
    tokens = _tokens(question)
    lowered = [t.lower() for t in tokens]
    cue = _strip_cue(lowered, language)
    body = _strip_question_mark(tokens[cue:])
    body = [t for t in body if not (t.lower() in w.FILLERS and len(body) <= 4)]
    if body and body[-1].lower() == "aus" and " ".join(lowered[:cue]).endswith("mit"):
        body = body[:-1]  # "Wie sieht es mit X aus?"
    words = _words(body)
    prev = _split_question(_tokens(previous))
    entity = _answer_entity(prev, answer, previous)

    # "Warum?", "And when?", "Wie viele genau?": the previous question with a new question word
    if words and len(words) <= 2 and all(t.lower() in w.WH_WORDS for t in words):
        resolved = _ask_with(list(body), prev, entity, language) or _with_context(list(body), previous, entity)
        return Resolution(question, resolved, language, "ellipsis")

    # "Und Deutschland?", "What about the British prime minister?": the previous question, new entity
    if cue and words and len(words) <= 4 and not any(t.lower() in w.WH_WORDS | w.AUXILIARIES for t in words):
        new = _join(body)
        resolved = _substitute(new, previous, prev, language) or _with_context(list(body), previous, entity)
        return Resolution(question, resolved, language, "substitute")

    positions, event = _anaphors(tokens)
    # a name before the pronoun is what the pronoun points at: "Wann starb Tesla und wo liegt er begraben?"
    anchored = bool(mentions(_join(tokens[: positions[0]] if positions else tokens), language, question=True))
    if positions and not anchored:
        replaced = _replace_pronouns(tokens, positions, previous, entity)
        if replaced is not None:
            resolved = _with_context(replaced, previous, None) if event else _as_question(replaced)
            return Resolution(question, resolved, language, "pronoun")
        return Resolution(question, _with_context(tokens, previous, entity), language, "context")
    if event or (cue and not anchored):
        return Resolution(question, _with_context(tokens, previous, entity), language, "context")
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
