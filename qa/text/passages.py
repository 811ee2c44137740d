"""Document -> passages: each paragraph a passage, long ones cut at sentence boundaries, tiny ones joined."""

from __future__ import annotations

from qa.records import Document, Passage
from qa.text.language import detect_language
from qa.text.sentences import split_sentences

MAX_PASSAGE_WORDS = 160
MIN_PASSAGE_WORDS = 8
# No passage is longer than this, whatever its words: a paragraph without spaces or sentence marks
# would otherwise become one passage of any size. Sentence splitting (pysbd, quadratic in its input)
# never sees more than SEGMENT_CHARS at once.
MAX_PASSAGE_CHARS = 2_000
SEGMENT_CHARS = 2_000
# A document's language is read from its first this many characters (its teaser and lead). py3langid's
# cost grows with the text: 2,000 characters took a fifth of a bulk build's CPU without the encoder
# (py-spy, qa/lab/README.md); 600 take a third of the time, and over the newsroom set's articles and
# XQuAD's paragraphs (532 texts) 200 to 2,000 characters all give the right language.
LANGUAGE_SAMPLE_CHARS = 600
# An opening with fewer than a quarter of its characters letters (a table, a list of results) tells
# no language: then the first LANGUAGE_FALLBACK_CHARS are read, as all documents were before.
LANGUAGE_FALLBACK_CHARS = 2_000


def _word_count(text: str) -> int:
    return len(text.split())


def _windows(text: str, size: int) -> list[str]:
    """`text` in pieces of at most `size` characters, each cut after the last sentence mark or space
    in its second half (hard, when there is none): linear, and no piece is ever longer."""
    pieces = []
    start = 0
    while len(text) - start > size:
        limit = start + size
        cut = max(text.rfind(mark, start + size // 2, limit) for mark in (". ", "! ", "? ", "… "))
        cut = cut + 1 if cut != -1 else text.rfind(" ", start + size // 2, limit)
        if cut <= start:
            cut = limit
        pieces.append(text[start:cut].strip())
        start = cut
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _chunks(text: str, language: str, max_words: int, max_chars: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Cut an over-long paragraph at sentence boundaries into pieces of at most `max_words` words and
    `max_chars` characters; a sentence longer than that is cut at spaces."""
    if _word_count(text) <= max_words and len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    words = chars = 0
    for window in _windows(text, SEGMENT_CHARS):
        for start, end in split_sentences(window, language):
            for sentence in _windows(window[start:end], max_chars):
                count = _word_count(sentence)
                if current and (words + count > max_words or chars + len(sentence) + 1 > max_chars):
                    pieces.append(" ".join(current))
                    current, words, chars = [], 0, 0
                current.append(sentence)
                words += count
                chars += len(sentence) + 1
    if current:
        pieces.append(" ".join(current))
    return pieces


def _opening(document: Document, chars: int) -> str:
    """The document's first `chars` characters, its sections joined by spaces (only those needed)."""
    taken: list[str] = []
    held = 0
    for section in document.sections:
        if held > chars:  # the join so far (held - 1 characters) covers the opening
            break
        taken.append(section.text[:chars])  # a paragraph of megabytes is not copied whole
        held += len(taken[-1]) + 1
    return " ".join(taken)[:chars]


def split_passages(
    document: Document, max_words: int = MAX_PASSAGE_WORDS, min_words: int = MIN_PASSAGE_WORDS
) -> list[Passage]:
    """Each paragraph becomes a passage; long ones are cut, tiny ones join the neighbour under the same heading."""
    opening = _opening(document, LANGUAGE_FALLBACK_CHARS)
    sample = opening[:LANGUAGE_SAMPLE_CHARS]
    if sum(char.isalpha() for char in sample) < LANGUAGE_SAMPLE_CHARS // 4:  # a table or numbers first
        sample = opening
    language = detect_language(sample)
    pieces: list[tuple[str, str, int]] = []  # (heading, text, the paragraph it starts in)
    for number, section in enumerate(document.sections):
        for chunk in _chunks(section.text, language, max_words):
            previous = pieces[-1] if pieces else None
            if (
                previous
                and previous[0] == section.heading
                and (_word_count(chunk) < min_words or _word_count(previous[1]) < min_words)
                and _word_count(previous[1]) + _word_count(chunk) <= max_words
                and len(previous[1]) + len(chunk) < MAX_PASSAGE_CHARS
            ):
                pieces[-1] = (previous[0], f"{previous[1]} {chunk}", previous[2])
            else:
                pieces.append((section.heading, chunk, number))
    return [
        Passage(
            document_id=document.id,
            position=position,
            heading=heading,
            text=text,
            language=language,
            sentences=split_sentences(text, language),
            context=document.title if section else "",  # the teaser (first paragraph) names its topic itself
            section=section,
        )
        for position, (heading, text, section) in enumerate(pieces)
    ]
