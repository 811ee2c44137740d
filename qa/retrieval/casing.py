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


def cased_forms(texts: Iterable[str]) -> dict[str, str]:
    """Lower-cased word -> the capitalised form the texts write it in, for words whose most frequent
    form inside a sentence is capitalised and outnumbers the lower-case one."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for match in _WORD.finditer(text):
            word = match.group()
            if word.isdigit() or _SENTENCE_START.search(text[max(0, match.start() - 3) : match.start()]):
                continue
            seen.setdefault(word.lower(), Counter())[word] += 1
    forms = {}
    for lower, counts in seen.items():
        form, n = counts.most_common(1)[0]
        if form != lower and n > counts.get(lower, 0):
            forms[lower] = form
    return forms


def archive_forms(matches: Iterable[tuple[str, str]], language: str) -> dict[str, str]:
    """The forms of `matches` ((language, text) pairs), those of passages in the question's `language`
    deciding: an English "union" is not the German "Union"; a name only the other language's report
    holds still gets its capitals."""
    matches = list(matches)
    forms = cased_forms(text for lang, text in matches if lang != language)
    own = [text for lang, text in matches if lang == language]
    for word in {w.lower() for text in own for w in _WORD.findall(text)}:
        forms.pop(word, None)
    forms.update(cased_forms(own))
    return forms


def recase(question: str, forms: dict[str, str]) -> str:
    """The question with each word in its archive form and a capital first letter."""
    cased = _WORD.sub(lambda m: forms.get(m.group(), m.group()), question)
    return cased[:1].upper() + cased[1:]
