"""Parsing articles into documents and passages."""

from __future__ import annotations

import json

import pytest

from qa.errors import InvalidRequest
from qa.records import Document, Section
from qa.text.ingest import collect_files, parse_article, parse_json, parse_jsonl, read_file, split_passages
from qa.text.passages import _opening

from ..conftest import DATA, SEEDS

SEED = SEEDS / "000_d54742d7de50e7ec.txt"


def test_seed_article_date_teaser_title_and_subheadings():
    [document] = read_file(SEED)
    assert document.date == "2025-09-04"
    assert document.sections[0].text.startswith("Die Staats- und Regierungschefs westlicher")
    assert document.sections[0].heading == ""
    assert document.title == "Die Staats- und Regierungschefs westlicher Unterstützer der Ukraine beraten sich in Paris"
    headings = list(dict.fromkeys(s.heading for s in document.sections if s.heading))
    assert headings == [
        "Macron: Vorbereitungen für Garantien abgeschlossen",
        "Zusagen aus Washington lassen auf sich warten",
        "Merz nimmt nur virtuell an dem Treffen teil",
        "Putin bleibt bei alten Forderungen",
        "Zweifel an Abschreckungswirkung",
        "Deutschland bislang zurückhaltend",
    ]
    assert document.source == "dpa"  # from its front matter, never the file name
    assert document.id == "dpa-2025-09-04-ukraine-paris"


def test_seed_article_passages():
    [document] = read_file(SEED)
    passages = split_passages(document)
    # the teaser plus 14 paragraphs; subheadings are never passages of their own
    assert len(passages) == 15
    assert all(p.language == "de" for p in passages)
    assert not any(p.text in {s.heading for s in document.sections} for p in passages)
    merz = next(p for p in passages if p.text.startswith("Der Enthusiasmus"))
    assert merz.heading == "Merz nimmt nur virtuell an dem Treffen teil"
    # the article's title, then the subheading, give the paragraph its context
    assert merz.embedding_text.split("\n")[:2] == [document.title, "Merz nimmt nur virtuell an dem Treffen teil"]
    assert passages[0].embedding_text == passages[0].text  # the teaser names its topic itself
    assert [p.position for p in passages] == list(range(15))


def test_same_article_gets_the_same_id_and_other_text_another():
    text = SEED.read_text(encoding="utf-8")
    assert parse_article(text).id == parse_article(text).id
    assert parse_article(text).id != parse_article(text.replace("Paris", "Rom")).id


def test_plain_text_without_date_and_markdown_title():
    [markdown] = read_file(DATA / "harbour.md")
    assert markdown.title == "New ferry line links the harbour with the island"
    assert markdown.date is None
    assert markdown.sections[-1].heading == "Costs"
    document = parse_article("A council approved a ferry line on Tuesday. Boats leave every hour.")
    assert document.title == "A council approved a ferry line on Tuesday"


def test_long_paragraph_is_cut_at_sentences_and_fragments_merge():
    sentence = "Der Stadtrat hat am 4. September über den Bau einer neuen Brücke beraten und vieles beschlossen."
    long_paragraph = " ".join([sentence] * 30)
    document = parse_article(f"Kurzer Vorspann mit sechs Wörtern hier.\n\nJa.\n\n{long_paragraph}")
    passages = split_passages(document)
    assert all(len(p.text.split()) <= 160 for p in passages)
    assert sum(p.text.count("Brücke") for p in passages) == 30
    # "Ja." (one word) merged into its neighbour rather than standing alone
    assert not any(p.text == "Ja." for p in passages)
    for passage in passages:
        assert all(passage.text[start:end].strip() for start, end in passage.sentences)


def test_json_and_jsonl_records(tmp_path):
    documents = read_file(DATA / "records.jsonl")
    assert [d.id for d in documents] == ["rec-1", "rec-2"]
    assert documents[0].date == "2025-01-02" and documents[0].source == "wire"
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"text": "Ein Artikel ohne Titel. Er hat zwei Sätze."}), encoding="utf-8")
    [document] = read_file(path)
    assert document.title == "Ein Artikel ohne Titel"
    assert document.source == ""  # no file names as sources


def test_a_cms_export_names_its_source_and_url_its_own_way():
    """Field names of CMS exports: Ghost's canonical_url, schema.org's publisher object, a site_name."""
    from qa.text.ingest import parse_record

    record = {
        "headline": "Voltara raises 40 million euros",
        "published_at": "2025-11-20T09:15:00Z",
        "publisher": {"@type": "Organization", "name": "Tech Ledger"},
        "canonical_url": "https://techledger.example/voltara-40m",
        "body": "BERLIN, Nov 20 - Voltara raised 40 million euros in a funding round.",
    }
    document = parse_record(record)
    assert (document.title, document.date, document.source, document.url) == (
        "Voltara raises 40 million euros",
        "2025-11-20",
        "Tech Ledger",
        "https://techledger.example/voltara-40m",
    )
    assert parse_record({"text": "Ein Satz.", "site_name": "Ostsee-Kurier"}).source == "Ostsee-Kurier"
    # the record's own names win over the aliases
    assert parse_record({**record, "source": "wire", "url": "https://wire.example/a"}).source == "wire"
    with pytest.raises(InvalidRequest, match="publisher must be a string"):
        parse_record({**record, "publisher": ["Tech Ledger"]})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\n  ", "empty"),
        ("date 2025-13-40 Teaser.\n\nText.", "not a date"),
    ],
)
def test_bad_articles_are_refused_in_words(text, message):
    with pytest.raises(InvalidRequest, match=message):
        parse_article(text)


def test_a_text_of_one_short_line_is_its_own_paragraph():
    """The API's spec accepts any text with a visible character, so a one-line note must be storable."""
    document = parse_article("Only a heading")
    assert document.title == "Only a heading" and [s.text for s in document.sections] == ["Only a heading"]


def test_bad_records_name_the_line():
    with pytest.raises(InvalidRequest, match="line 2 is not valid JSON"):
        parse_jsonl('{"text": "Ein Satz mit Inhalt."}\n{broken\n')
    with pytest.raises(InvalidRequest, match="record 1: text is missing"):
        parse_json('{"title": "no text"}')
    with pytest.raises(InvalidRequest, match="id must be"):
        parse_json('{"id": "../etc/passwd", "text": "Ein Satz."}')
    with pytest.raises(InvalidRequest, match="not a date"):
        parse_json('{"date": "yesterday", "text": "Ein Satz."}')


def test_collect_files_skips_readmes_and_reports_missing(tmp_path):
    (tmp_path / "README.md").write_text("# About\n\nNot an article.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Ein Artikel.", encoding="utf-8")
    assert [p.name for p in collect_files([tmp_path])] == ["a.txt"]
    with pytest.raises(InvalidRequest, match="no such file"):
        collect_files([tmp_path / "missing"])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("# Title", (1, "Title")),
        ("## Costs ##", (2, "Costs")),
        ("###   Spaced   ", (3, "Spaced")),
        ("## C#", (2, "C#")),
        ("#hashtag", None),
        ("####### seven", None),
        ("##" + " " * 5000 + "x", (2, "x")),
    ],
)
def test_markdown_heading_lines(line, expected):
    from qa.text.article import _markdown_heading

    assert _markdown_heading(line) == expected


def test_long_paragraphs_become_bounded_passages():
    from qa.text.ingest import MAX_PASSAGE_CHARS, parse_article

    for text in ("x" * 30_000, "wort " * 8_000, "Ein Satz ohne Ende und " * 1_500, "Kurz. " * 5_000):
        passages = split_passages(parse_article(text))
        assert passages and all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages), text[:30]
        assert all(p.sentences and p.sentences[-1][1] <= len(p.text) for p in passages)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"text": "Ein Text.", "title": "T" * 301}, "title is longer than 300"),
        ({"text": "Ein Text.", "source": "s" * 301}, "source is longer than 300"),
        ({"text": "\x00\x01 "}, "text is empty"),
    ],
)
def test_record_fields_are_bounded(record, message):
    from qa.errors import InvalidRequest
    from qa.text.ingest import parse_record

    with pytest.raises(InvalidRequest, match=message):
        parse_record(record)


def test_a_nul_byte_does_not_hide_text_from_the_encoder():
    from qa.text.ingest import parse_record

    document = parse_record({"text": "Sichtbar\x00 und danach weiter.", "title": "Ti\ud800tel"})
    assert document.sections[0].text == "Sichtbar und danach weiter."
    assert document.title == "Ti\ufffdtel"


def test_too_many_records_are_refused_before_any_is_parsed():
    import time

    from qa.errors import InvalidRequest
    from qa.text.ingest import parse_json, parse_jsonl

    line = json.dumps({"text": "Ein kurzer Text über den Hafen. " * 20})
    started = time.perf_counter()
    with pytest.raises(InvalidRequest, match="at most 10,000 records"):
        parse_jsonl("\n".join([line] * 10_001))
    with pytest.raises(InvalidRequest, match="at most 10,000 records"):
        parse_json("[" + ",".join([line] * 10_001) + "]")
    assert time.perf_counter() - started < 2.0  # counted, not parsed (parsing takes far longer)


def test_deeply_nested_json_is_bad_input():
    from qa.errors import InvalidRequest
    from qa.text.ingest import parse_json, parse_jsonl

    with pytest.raises(InvalidRequest, match="nested too deeply"):
        parse_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InvalidRequest, match="line 1"):
        parse_jsonl("[" * 100_000)


def test_language_is_read_from_the_opening():
    """A German report quoting a long English statement further down stays German, and an English one
    with a long German quote after its first paragraphs stays English: the language comes from the
    article's opening (LANGUAGE_SAMPLE_CHARS), not from whatever the body holds."""
    statement = " ".join(["The board said it remains committed to the region and will review every option."] * 12)
    german = parse_article(
        "Die Werft in Flensburg streicht 300 Stellen.\n\n"
        "Flensburg (dpa) - Der Schiffbauer hat am Donnerstag den Abbau von 300 Arbeitsplätzen angekündigt. "
        "Betroffen sind vor allem die Verwaltung und die Konstruktion.\n\n"
        f"In einer Mitteilung des Konzerns hieß es auf Englisch: {statement}"
    )
    english = parse_article(
        "The shipyard in Flensburg is cutting 300 jobs.\n\n"
        "FLENSBURG, Nov 12 - The shipbuilder announced on Thursday that 300 jobs will go, mostly in "
        "administration and design, as orders from Norway and Denmark dried up.\n\n"
        "The company, which employs about 1,900 people in northern Germany, blamed higher steel prices and "
        "the loss of two ferry contracts. Unions called a meeting for Monday and said they would fight "
        "every single job cut. The regional government promised talks with the management.\n\n"
        + " ".join(["Der Betriebsrat nannte die Entscheidung «einen schweren Schlag für die ganze Region»."] * 12)
    )
    assert {p.language for p in split_passages(german)} == {"de"}
    assert {p.language for p in split_passages(english)} == {"en"}
    # an opening of figures alone tells no language: the text after it does
    figures = parse_article(" ".join(["2024 12,5 13,1 14,0 15,2"] * 40) + "\n\n" + english.sections[1].text)
    assert {p.language for p in split_passages(figures)} == {"en"}


def test_a_documents_opening_is_its_sections_joined_then_cut():
    """The opening the language is read from equals the whole joined text cut, at every boundary: a
    section ending one character before the cut, exactly at it, or longer than the opening itself."""
    for lengths in ([317, 281, 146], [599, 10], [600, 10], [300, 299, 5], [5_000], [3, 2, 1]):
        sections = tuple(Section("", chr(97 + i) * n) for i, n in enumerate(lengths))
        document = Document(id="d", title="t", date=None, source="", sections=sections)
        assert _opening(document, 600) == " ".join(s.text for s in sections)[:600]
