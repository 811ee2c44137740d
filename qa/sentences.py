"""Sentence spans that survive German abbreviations and dates ("4. September", "Dr.", "z. B.")."""

from __future__ import annotations

import functools


@functools.cache
def _segmenter(language: str):
    import pysbd

    return pysbd.Segmenter(language=language if language in ("de", "en") else "en", clean=False, char_span=True)


def split_sentences(text: str, language: str) -> tuple[tuple[int, int], ...]:
    """Return (start, end) character spans of the sentences of `text`, trailing space trimmed.

    Spans always cover at least one sentence, so a passage without sentence marks is one sentence.
    """
    spans: list[tuple[int, int]] = []
    for span in _segmenter(language).segment(text):
        start, end = span.start, span.end
        while end > start and text[end - 1].isspace():
            end -= 1
        while start < end and text[start].isspace():
            start += 1
        if end > start:
            spans.append((start, end))
    if not spans:
        stripped = text.strip()
        start = text.find(stripped)
        spans.append((start, start + len(stripped)))
    return tuple(spans)
