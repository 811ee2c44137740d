"""A question typed all in lower case, written with the capitals the archive gives its words.

Why: the encoder reads case. "what did lena brandt say" is a weaker query than "What did Lena Brandt
say" (the German zoo report came first for it), German nouns in lower case read as other words
("werk", "schwedt"), and a name in lower case is no rare name (qa.retrieval.names). Chat users often
type so: the newsroom set typed in lower case lost .023 / .012 of R@1 and 3 / 2 more answerable
questions were refused (qa/lab/README.md). The archive knows how its words are written: the passages
that match the question's terms best (BM25 is blind to case) show "Brandt" and "Werk". A word takes the
form it has there when that form is capitalised and outnumbers the lower-case one, counting only
occurrences that do not begin a sentence. Questions with any capital letter are left as typed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?:«»\"“„]\s*)$")


def is_uncased(question: str) -> bool:
    """True for a question with letters and not one capital among them."""
    return any(c.isalpha() for c in question) and not any(c.isupper() for c in question)


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """`words` (case-insensitive, whole words); None for no words at all."""
    alternatives = "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if alternatives else None


def _scan(texts: Iterable[str], pattern: re.Pattern[str]) -> tuple[dict[str, Counter[str]], set[str]]:
    """One pass over the texts: per lower-cased word the forms it takes inside sentences (sentence
    starts and numbers left out), and every word found at all."""
    inside: dict[str, Counter[str]] = {}
    found: set[str] = set()
    for text in texts:
        for match in pattern.finditer(text):
            word = match.group()
            found.add(word.lower())
            if word.isdigit() or _SENTENCE_START.search(text[max(0, match.start() - 3) : match.start()]):
                continue
            inside.setdefault(word.lower(), Counter())[word] += 1
    return inside, found


def _capitalised(inside: dict[str, Counter[str]]) -> dict[str, str]:
    """The words whose most frequent form is capitalised and outnumbers the lower-case one."""
    forms = {}
    for lower, counts in inside.items():
        form, n = counts.most_common(1)[0]
        if form != lower and n > counts.get(lower, 0):
            forms[lower] = form
    return forms


def archive_forms(question: str, matches: Iterable[tuple[str, str]], language: str) -> dict[str, str]:
    """The forms of `matches` ((language, text) pairs) for the question's words. Passages in the
    question's `language` decide; a passage in the other language gives only a name of two or more
    words written so in it ("dieter salomon" -> "Dieter Salomon"): German writes every noun with a
    capital, and an English word may stand in an English name there ("new" in "New England")."""
    matches = list(matches)
    words = _WORD.findall(question.lower())
    pattern = _pattern(words)
    if pattern is None:
        return {}
    inside, held = _scan((text for lang, text in matches if lang == language), pattern)
    forms = _capitalised(inside)
    others = [text for lang, text in matches if lang != language]
    # a pair is looked for only where both words stand in another language's passage and in none of
    # the question's language: a 2,000-character question costs a few milliseconds, not a regex a pair
    elsewhere = _scan(others, pattern)[1] - held
    for first, second in zip(words, words[1:], strict=False):
        if first not in elsewhere or second not in elsewhere or first.isdigit() or second.isdigit():
            continue
        pair = re.compile(rf"(?<!\w)({re.escape(first)})\s+({re.escape(second)})(?!\w)", re.IGNORECASE)
        for text in others:
            found = pair.search(text)
            if found and found.group(1)[0].isupper() and found.group(2)[0].isupper():
                forms.setdefault(first, found.group(1))
                forms.setdefault(second, found.group(2))
                break
    return forms


def recase(question: str, forms: dict[str, str]) -> str:
    """The question with each word in its archive form. Its first word keeps its case: capitalised,
    "ableine was retired and ..." lost its first passage on XQuAD, and the newsroom's tune half
    refused one short question more."""
    return _WORD.sub(lambda m: forms.get(m.group(), m.group()), question)
