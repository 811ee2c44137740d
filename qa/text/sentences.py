"""Sentence spans that survive German abbreviations and dates ("4. September", "Dr.", "z. B.")."""

from __future__ import annotations

import functools
import re

# pysbd handles dates, ordinals and most abbreviations, but in news text it still cuts after
# "20 Min.", "Goethestr. 12" or "Art. 5 Abs. 1", and puts a closing quote at the start of the next
# sentence. These repairs are applied to its spans.
_CLOSING = "\"'”“»«’"
_NUMBER_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Abs|Art|Nr|No|Bd|Kap|Ziff|S|Tel|Min|Std|Sek|Mio|Mrd|ca)|str)\.$", re.IGNORECASE
)


@functools.cache
def _segmenter(language: str):
    import pysbd

    return pysbd.Segmenter(language=language if language in ("de", "en") else "en", clean=False, char_span=True)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _continues(previous: str, following: str) -> bool:
    """True when `following` cannot start a sentence after `previous`: it starts in lower case,
    or with a number after an abbreviation that takes one ("Abs. 1", "Goethestr. 12", "20 Min. und")."""
    first = following[0]
    if first.islower():
        return True
    return first.isdigit() and bool(_NUMBER_ABBREVIATIONS.search(previous))


def split_sentences(text: str, language: str) -> tuple[tuple[int, int], ...]:
    """Return (start, end) character spans of the sentences of `text`, trailing space trimmed.

    Spans always cover at least one sentence, so a passage without sentence marks is one sentence.
    """
    spans: list[tuple[int, int]] = []
    for span in _segmenter(language).segment(text):
        start, end = _trimmed(text, span.start, span.end)
        if end <= start:
            continue
        if spans:
            # A closing quote belongs to the sentence it closes.
            quote_end = start
            while quote_end < end and text[quote_end] in _CLOSING and text[spans[-1][1] - 1] in ".!?…":
                quote_end += 1
            if quote_end > start and (quote_end == end or text[quote_end].isspace()):
                spans[-1] = (spans[-1][0], quote_end)
                start, end = _trimmed(text, quote_end, end)
                if end <= start:
                    continue
            if _continues(text[spans[-1][0] : spans[-1][1]], text[start:end]):
                spans[-1] = (spans[-1][0], end)
                continue
        spans.append((start, end))
    if not spans:
        stripped = text.strip()
        start = text.find(stripped)
        spans.append((start, start + len(stripped)))
    return tuple(spans)
