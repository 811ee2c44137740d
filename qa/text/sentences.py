"""Sentence spans that survive German abbreviations and dates ("4. September", "Dr.", "z. B.")."""

from __future__ import annotations

import functools
import itertools
import re

# pysbd handles dates, ordinals and most abbreviations, but in news text it still cuts after
# "20 Min.", "Goethestr. 12" or "Art. 5 Abs. 1", and puts a closing quote at the start of the next
# sentence. These repairs are applied to its spans.
_CLOSING = "\"'”“»«’"
_NUMBER_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Abs|Art|Nr|No|Bd|Kap|Ziff|S|Tel|Min|Std|Sek|Mio|Mrd|ca)|str)\.$", re.IGNORECASE
)


# pysbd builds a regex per abbreviation and template on every call (about 1,300 for German and English),
# more than the 512 compiled patterns Python's `re` keeps: measured on XQuAD paragraphs, a larger cache
# takes sentence splitting from 3.81 to 2.76 CPU-s (it is half of a build's CPU without the encoder).
_REGEX_CACHE = 4096


@functools.cache
def _segmenter(language: str):
    import pysbd

    if getattr(re, "_MAXCACHE", _REGEX_CACHE) < _REGEX_CACHE:
        setattr(re, "_MAXCACHE", _REGEX_CACHE)  # noqa: B010  (a private knob of CPython's re module)
    return pysbd.Segmenter(language=language if language in ("de", "en") else "en", clean=False, char_span=True)


@functools.cache
def _abbreviations() -> frozenset[str]:
    """Every abbreviation pysbd knows in German or English, lower case without the period."""
    from pysbd.languages import Language

    words: set[str] = set()
    for code in ("de", "en"):
        lists = Language.get_language_code(code).Abbreviation
        for name in ("ABBREVIATIONS", "PREPOSITIVE_ABBREVIATIONS", "NUMBER_ABBREVIATIONS"):
            words.update(word.strip().lower() for word in getattr(lists, name, ()))
    return frozenset(words)


# pysbd costs ~3 ms a paragraph, most of it compiling per-text regular expressions for abbreviations:
# 88 % of a bulk build's CPU. Most sentence ends are certain: a word of two or more letters that is no
# abbreviation, then . ! or ?, spaces, and a capital letter, outside quotes and brackets. The text is
# cut there, and only pieces that still hold a mark that may or may not end a sentence (a number's or
# an abbreviation's period, an ellipsis, a line break) go to pysbd. Over the XQuAD paragraphs, the
# seed and generated news (1,155 texts) the spans equal pysbd's on the whole text except in 6, each
# where pysbd's paragraph-wide rules cut wrongly ("Inc.| , eine", "usw.| , die", "c.750| AD", a
# numbered-list rule firing on "auf der| 3. Zeitachse"), at a fifth of the time.
_CERTAIN_END = re.compile(r"(?<!\S)([^\W\d_]{2,})[.!?] +(?=[^\W\d_])")
_UNCERTAIN_MARK = re.compile(r"[.!?…](?=[\s\"'„“”»«‘’‹›()\[\]]|$)|[\n\r]")
_QUOTES = frozenset('"„“”»«')


def _certain_cuts(text: str) -> list[int]:
    """Offsets where a sentence certainly starts (see above); never inside quotes or brackets."""
    abbreviations = _abbreviations()
    cuts: list[int] = []
    quotes = depth = scanned = 0
    for match in _CERTAIN_END.finditer(text):
        cut = match.end()
        if not text[cut].isupper() or match.group(1).lower() in abbreviations:
            continue
        for char in text[scanned:cut]:
            if char in _QUOTES:
                quotes += 1
            elif char in "([":
                depth += 1
            elif char in ")]":
                depth -= 1
        scanned = cut
        if quotes % 2 == 0 and depth == 0:
            cuts.append(cut)
    return cuts


def _segments(text: str, language: str) -> list[tuple[int, int]]:
    """pysbd's sentence spans of `text`, with pysbd run only on the pieces between certain ends."""
    bounds = [0, *_certain_cuts(text), len(text)]
    spans: list[tuple[int, int]] = []
    for start, end in itertools.pairwise(bounds):
        piece = text[start:end]
        if not _UNCERTAIN_MARK.search(piece.rstrip()[:-1]):
            spans.append((start, end))
            continue
        spans.extend((start + span.start, start + span.end) for span in _segmenter(language).segment(piece))
    return spans


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
    for span_start, span_end in _segments(text, language):
        start, end = _trimmed(text, span_start, span_end)
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
