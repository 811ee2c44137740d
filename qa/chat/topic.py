"""The conversation's topic as key words: what a follow-up with no safe rewrite is asked with.

"Was sagte Rutte dazu?" with no name to put in for "dazu" goes to retrieval as "Was sagte Rutte dazu
(Merz, Treffen)?": the words of the question before it carry the topic, and no word is put where it
may not belong. A question resolved that way is read back without the brackets wherever its names
or slots are needed (`as_asked`).
"""

from __future__ import annotations

from qa.chat import wordlists as w
from qa.chat.mentions import is_capitalised, join_tokens, mentions, message_tokens, strip_question_mark, word_tokens
from qa.text.terms import without_topic_words

_DEFINITE_DE = w.DEFINITE_ARTICLES_DE | frozenset("im am vom zum zur beim ins".split())


def keywords(text: str) -> list[str]:
    """The text's words that are neither function words, question words nor pronouns, once each."""
    seen, words = set(), []
    for token in word_tokens(message_tokens(text)):
        lowered = token.lower()
        if lowered in w.FUNCTION_WORDS or lowered in w.WH_WORDS or lowered in w.ANAPHORS or lowered in seen:
            continue
        seen.add(lowered)
        words.append(token)
    return words


def with_context(followup: list[str], previous: str, entity: str | None) -> str:
    """The follow-up plus the previous question's key words: "Was sagte Rutte dazu (Merz, Treffen)?"."""
    own = {t.lower() for t in followup}
    extra = [t for t in ([entity] if entity else []) + keywords(previous) if t.lower() not in own]
    body = join_tokens(strip_question_mark(followup))
    return f"{body} ({', '.join(extra)})?" if extra else body + "?"


def as_asked(question: str) -> str:
    """A resolved question without the key words `with_context` added."""
    return without_topic_words(question)


def leans_on_topic(tokens: list[str], language: str) -> bool:
    """Whether a short question names nothing of its own but a thing with the definite article ("When
    does the charge start?", "Wann beginnt die Gebühr?"): "the" points at the thing the conversation is
    about, so the question is asked with that topic, or it finds another story's charge."""
    text = join_tokens(tokens)
    if mentions(text, language, question=True):
        return False
    words = word_tokens(tokens)
    # German writes every noun with a capital: "Warum so viel mehr als geplant?" names nothing (a message
    # typed all in lower case tells nothing that way)
    if language == "de" and words and is_capitalised(words[0]) and not any(map(is_capitalised, words[1:])):
        return True
    # a longer question carries its own subject ("Which side effect of the new vaccine did doctors
    # report most often?"): the topic's words would only pull it back to the turn before
    own = len(keywords(text))
    if own > 3:
        return False
    if own <= 2:
        return True  # "How many people were evacuated?", "Who will pay?": nothing of its own to find
    for article, noun in zip(tokens, tokens[1:], strict=False):
        if language == "de" and article.lower() in _DEFINITE_DE and is_capitalised(noun):
            return True
        if language == "en" and article.lower() == "the" and noun.islower() and noun not in w.FUNCTION_WORDS:
            return True
    return False
