"""Follow-up questions without an LLM: rewrite the last user message into a self-contained question.

"Und Deutschland?", "and why?", "What did he say?" lean on earlier turns. `resolve` walks the user
turns in order and rewrites each one that leans on the previous (already resolved) question and the
assistant's reply to it; a question that stands on its own passes through unchanged. The rules are
word lists and a few German/English word-order patterns (`qa bench chat` measures them): the previous
question's structure in asked.py, pronouns in pronouns.py, "what about X" in substitute.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa.chat import wordlists as w
from qa.chat.asked import answer_entity, ask_with, in_language, split_question
from qa.chat.mentions import (
    as_question,
    join_tokens,
    mentions,
    message_language,
    message_tokens,
    strip_question_mark,
    word_tokens,
)
from qa.chat.people import person_like
from qa.chat.pronouns import Before, anaphors, replace_pronouns
from qa.chat.reply import cited_title
from qa.chat.substitute import strip_cue, substitute
from qa.chat.topic import as_asked, leans_on_topic, with_context
from qa.records import NO_MATCH, Answer
from qa.text.language import LANGUAGES
from qa.text.places import place_words
from qa.text.terms import held_terms, subject_terms

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
    # a follow-up's, or a turn's with `with_topic`: the replies before it, one per line (what the conversation
    # has shown the user so far; the service leaves it out when it asks a turn that stands alone as typed)
    shown: str = ""
    # a question that stands on its own after earlier turns: the same with the conversation's topic words,
    # asked instead when it is refused alone (`with_topic_when_refused`)
    with_topic: str = ""

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

    def asked_with_topic(self) -> Resolution:
        """This turn as asked the second time: with the conversation's topic words."""
        return dataclasses.replace(self, resolved=self.with_topic, strategy="context", with_topic="")


def _anchored(tokens: list[str], positions: list[int], language: str) -> bool:
    """Whether a name before the first pronoun is what it points at ("Wann starb Tesla und wo liegt er
    begraben?"). A person pronoun needs a person there: German capitalises every noun, and "Wie viel
    Preisgeld hat er bekommen?" still means the person of the turn before."""
    text = join_tokens(tokens[: positions[0]] if positions else tokens)
    found = mentions(text, language, question=True)
    if positions and tokens[positions[0]].lower() in w.PERSON_PRONOUNS:
        found = [m for m in found if person_like(m, join_tokens(tokens))]
    return bool(found)


def _content(tokens: list[str]) -> list[str]:
    return [t for t in word_tokens(tokens) if t.lower() not in w.FUNCTION_WORDS]


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
    cue = strip_cue(lowered, language)
    body = strip_question_mark(tokens[cue:])
    if len(_content(body)) <= 4:  # "And the Port of Hamburg itself?", "Wie viele genau?"
        body = [t for t in body if t.lower() not in w.FILLERS]
    if body and body[-1].lower() == "aus" and " ".join(lowered[:cue]).endswith("mit"):
        body = body[:-1]  # "Wie sieht es mit X aus?"
    words = word_tokens(body)
    context, previous = previous, as_asked(previous)  # names and slots only as asked
    # a question still holding a pronoun or "dazu" is no frame for a new question word or entity
    leaning, event_before = anaphors(message_tokens(previous))
    framed = not leaning and not event_before
    prev = split_question(message_tokens(previous))
    entity = in_language(answer_entity(prev, answer, previous, language), language)

    # "Warum?", "And when?", "Wie viele genau?": the previous question with a new question word
    if words and len(words) <= 2 and all(t.lower() in w.WH_WORDS for t in words):
        # "What else?", "Wer noch?" ask for the other answers: not the previous question with the answer in it
        other = any(t in w.OTHER_ANSWERS for t in lowered)
        asked = ask_with(list(body), prev, entity, language) if framed and not other else ""
        if asked and _content(message_tokens(asked)):  # not "Wann?" after a turn that was "Wie viel (…)?"
            return Resolution(question, asked, language, "ellipsis")
        return Resolution(question, with_context(list(body), context, entity), language, "context")

    # "Seit wann?", "Since when?": a question word after a preposition asks about the turn before
    if words and len(words) <= 3 and words[-1].lower() in w.WH_WORDS and words[0].lower() in w.PREPOSITIONS:
        return Resolution(question, with_context(list(body), context, entity), language, "context")

    # "Und Deutschland?", "What about the Port of Hamburg?": the previous question, new entity
    short = words and len(_content(words)) <= 4 and len(words) <= 6
    if cue and short and not any(t.lower() in w.WH_WORDS | w.AUXILIARIES for t in words):
        new = join_tokens(body)
        substituted = substitute(new, previous, prev, language) if framed else ""
        if substituted:
            return Resolution(question, substituted, language, "substitute")
        return Resolution(question, with_context(list(body), context, entity), language, "context")

    positions, event = anaphors(tokens)
    # a name before the pronoun is what the pronoun points at: "Wann starb Tesla und wo liegt er begraben?"
    anchored = _anchored(tokens, positions, language)
    if positions and not anchored:
        replaced = replace_pronouns(tokens, positions, Before(previous, entity, answer, prev.asks_person))
        if replaced is not None:
            # "Was hat Merz dazu gesagt?": the event goes along as the topic. So does the topic of "Why did
            # the numbers go up there?": a place narrows a story, it does not name it as a person does
            place = any(tokens[i].lower() in w.PLACE_PRONOUNS for i in positions)
            if event or (place and leans_on_topic(tokens, language)):
                return Resolution(question, with_context(replaced, context, None), language, "context")
            return Resolution(question, as_question(replaced), language, "pronoun")
        return Resolution(question, with_context(tokens, context, entity), language, "context")
    if event or (cue and not anchored) or leans_on_topic(tokens, language):
        return Resolution(question, with_context(tokens, context, entity), language, "context")
    return Resolution(question, question, language, "none", with_topic=with_context(tokens, context, entity))


def _went_on_with_story(resolution: Resolution, reply: str) -> bool:
    """Whether a turn that stood on its own words was answered from an article a reply before it quoted:
    then it went on with the conversation's story, and the next turn takes the topic words with it ("Und
    was war die Ursache?" after "Wie lange hat die Feuerwehr zum Löschen gebraucht?" still means Dresden's
    blackout, which only the turn before that named)."""
    if not resolution.with_topic:
        return False  # a reply is read only after a turn that stood on its own words
    title = cited_title(reply)
    return bool(title and title in resolution.shown)


def resolve_all(messages: Sequence[Message]) -> list[Resolution]:
    """Every user turn of the conversation, each resolved against the turns before it; a follow-up
    knows every reply before it (`Resolution.shown`)."""
    resolutions: list[Resolution] = []
    previous, answer, language = None, "", "en"
    replies: list[str] = []
    for message in messages:
        if message.role == "assistant":
            answer = message.content
            if resolutions and _went_on_with_story(resolutions[-1], answer):
                previous = resolutions[-1].with_topic
            replies.append(answer)
            continue
        resolution = resolve_turn(message.content, previous, answer, language)
        if resolution.followup or resolution.with_topic:
            resolution = dataclasses.replace(resolution, shown="\n".join(replies))
        resolutions.append(resolution)
        previous, answer, language = resolution.resolved, "", resolution.language
    return resolutions


def with_topic_when_refused(resolutions: Sequence[Resolution], answers: Sequence[Answer]) -> list[int]:
    """The turns to ask again with the conversation's topic: a question that stands on its own words
    after earlier turns and found no matching passage alone. "Wie lange hat die Feuerwehr zum Löschen
    gebraucht?" after a turn on Dresden's blackout names no city and is refused among fifty articles;
    with the turn before's words it finds the fire brigade's paragraph. Only a refusal is asked again,
    so a question answered alone keeps its answer, and the second search costs only those turns."""
    return [
        i
        for i, (resolution, answer) in enumerate(zip(resolutions, answers, strict=True))
        if resolution.with_topic and answer.no_answer and answer.reason == NO_MATCH
    ]


AskAgain = Callable[[list[int], list[Resolution]], list[Answer]]


def ask_again_with_topic(resolutions: list[Resolution], answers: list[Answer], ask: AskAgain) -> None:
    """The refused turns that stand alone (`with_topic_when_refused`) asked again with the topic by `ask`
    (their indices, the turns as asked again); where that answer holds (`answers_with_topic`), it and
    the turn replace the refusal in place."""
    again = with_topic_when_refused(resolutions, answers)
    if not again:
        return
    turns = [resolutions[i].asked_with_topic() for i in again]
    for i, turn, answer in zip(again, turns, ask(again, turns), strict=True):
        if answers_with_topic(turn, answer):
            resolutions[i], answers[i] = turn, answer


def answers_with_topic(resolution: Resolution, answer: Answer) -> bool:
    """Whether the turn asked again with the topic continues the conversation's story on its own words:
    the first passage is from an article a reply before it quoted, in the question's language, and holds
    a term of the question as typed. The topic words alone would carry any question to the story ("What
    is a good recipe for banana bread (Nordwind, Air, Bremen)?"); across languages terms cannot tell the
    two apart, so such a turn stays refused."""
    if answer.no_answer or not answer.hits or answer.hits[0].language != resolution.language:
        return False
    first = answer.hits[0]
    if not first.document.title or first.document.title not in resolution.shown:
        return False
    own = subject_terms(resolution.question, resolution.language, question=True)
    found = subject_terms(f"{first.text} {first.document.title}", resolution.language)
    named = subject_terms(" ".join(place_words(resolution.question)), resolution.language)
    # a place alone names no subject, and a letter is what is left of "men's"
    return any(len(term) > 2 for term in held_terms(own, found, resolution.language) - named)


def resolve(messages: Sequence[Message]) -> Resolution:
    """The last user message as a self-contained question.

    Raises:
        ValueError: when the conversation does not end with a user message.
    """
    if not messages or messages[-1].role != "user":
        raise ValueError("a conversation must end with a user message")
    return resolve_all(messages)[-1]
