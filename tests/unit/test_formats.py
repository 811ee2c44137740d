"""Each article format on files written here: title, date, source, url, id, and no markup in any text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.errors import InvalidRequest, UnsupportedMediaType
from qa.records import Document
from qa.text.dates import parse_date
from qa.text.ingest import Metadata, read_documents, read_file, read_text
from qa.text.markup import html_to_text

FORMATS = Path(__file__).resolve().parent.parent / "formats_data"
MARKUP = ("<", ">", "&amp;", "---", "og:", "cookie", "Cookie", "Impressum", "Newsletter", "Mehr zum Thema", "Most read")


def _clean(document: Document) -> None:
    """What a user would check: no markup, front matter or page furniture in the title or any paragraph."""
    for text in [document.title, *(s.heading for s in document.sections), *(s.text for s in document.sections)]:
        assert not any(mark in text for mark in MARKUP), text


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2025-10-21", "2025-10-21"),
        ("2025-10-21T14:30:00+02:00", "2025-10-21"),
        ("2025-11-03T23:30:00-05:00", "2025-11-03"),  # the newsroom's day, not UTC's (2025-11-04)
        ("2025-10-21T00:30:00+02:00", "2025-10-21"),
        ("2025-10-21T22:00:00Z", "2025-10-21"),
        ("Tue, 21 Oct 2025 23:30:00 -0500", "2025-10-21"),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_stored_as_the_calendar_date_of_their_own_offset(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize("value", ["gestern", "2025-02-30", "2025-10-21T25:00:00+02:00", "x" * 10_000, 20251021])
def test_a_malformed_date_is_refused_in_words(value):
    with pytest.raises(InvalidRequest, match="date"):
        parse_date(value)


@pytest.mark.parametrize(
    ("name", "title", "date", "source", "url"),
    [
        ("zoo-okapi.html", "Zoo stellt junges Okapi vor", "2025-10-02", "Stadtanzeiger",
         "https://www.stadtanzeiger.example/lokales/zoo-okapi-2025"),
        ("harbour-ferry.html", "Harbour ferry line to start in spring", "2025-11-03", "Coastal Herald",
         "https://coastal-herald.example/news/2025/11/harbour-ferry"),
        ("library-hours.html", "City library extends its opening hours", "2025-06-14", "", None),
    ],
)  # fmt: skip
def test_html_pages_give_the_article_without_the_page_around_it(name, title, date, source, url):
    [document] = read_file(FORMATS / name)
    assert (document.title, document.date, document.source, document.url) == (title, date, source, url)
    assert document.id == name  # its path: adding the edited page again replaces it
    _clean(document)
    text = " ".join(s.text for s in document.sections)
    assert "Startseite" not in text and "Home" not in text and "Published" not in text
    assert len(document.sections) >= 3


def test_the_zoo_page_keeps_its_teaser_and_subheading():
    [document] = read_file(FORMATS / "zoo-okapi.html")
    assert document.sections[0].text.startswith("Der städtische Zoo hat am Mittwoch")
    assert document.sections[-1].heading == "Seltene Waldgiraffen"


def test_a_page_without_article_text_is_refused():
    with pytest.raises(InvalidRequest, match="no article text"):
        read_file(FORMATS / "empty-page.html")


def test_rss_items_are_articles_with_link_date_and_the_channel_as_source():
    notes: list[str] = []
    documents = list(read_documents([FORMATS / "wire.rss"], on_skip=notes.append))
    assert [d.title for d in documents] == ["Neue Fähre nach Amrum", "Leuchtturm bekommt neue Lampe"]
    first, second = documents
    assert first.date == "2025-10-21" and second.date == "2025-10-20"
    assert first.source == second.source == "Küstenbote – Nachrichten"
    assert first.url == "https://kuestenbote.example/faehre-amrum"
    assert first.sections[-1].heading == "Fahrplan"
    assert "ab Montag" in first.sections[0].text
    assert notes == ["item 3 has no text: skipped"]
    for document in documents:
        _clean(document)
    again = list(read_documents([FORMATS / "wire.rss"]))
    assert [d.id for d in again] == [d.id for d in documents]  # from the guid or link: stable


def test_atom_entries_with_html_content_and_title():
    [entry] = read_file(FORMATS / "harbour.atom")
    assert entry.title == "Harbour ferry & island link approved"
    assert entry.date == "2025-11-03" and entry.source == "Coastal Herald"
    assert entry.url == "https://coastal-herald.example/news/harbour-ferry"
    _clean(entry)


def test_front_matter_sets_the_fields_and_never_becomes_text():
    [document] = read_file(FORMATS / "okapi.md")
    assert document.id == "zoo-okapi-2025" and document.title == "Zoo stellt junges Okapi vor"
    assert document.date == "2025-10-02" and document.source == "Stadtanzeiger"
    assert document.url == "https://www.stadtanzeiger.example/lokales/zoo-okapi-2025"
    assert document.sections[-1].heading == "Seltene Waldgiraffen"
    assert not any("author" in s.text or "tags" in s.text for s in document.sections)
    _clean(document)


def test_flags_win_over_the_front_matter():
    [document] = read_file(FORMATS / "okapi.md", Metadata(id="other", source="dpa"))
    assert (document.id, document.source, document.title) == ("other", "dpa", "Zoo stellt junges Okapi vor")


def test_csv_export_with_html_text_and_extra_columns():
    documents = read_file(FORMATS / "export.csv")
    assert [d.id for d in documents] == ["cms-1", "cms-2"]
    assert [d.date for d in documents] == ["2025-05-01", "2025-05-02"]
    assert documents[0].url == "https://marktblatt.example/baeckerei" and documents[1].url is None
    assert [s.text for s in documents[0].sections] == [
        "Die Bäckerei am Markt verkauft jetzt auch Kaffee aus Kenia.",
        "Der Kaffee wird in der Stadt geröstet.",
    ]


def test_cms_json_export_keeps_what_it_knows_and_ignores_the_rest():
    record = {
        "id": 4711,
        "title": "Fähre",
        "date": "2025-10-21T14:30:00+02:00",
        "author": "X",
        "tags": ["a", "b"],
        "url": "https://example.org/f",
        "text": "<p>Die Fähre nach Amrum fährt <b>ab Montag</b> stündlich.</p><p>Tickets &amp; Preise.</p>",
    }
    [document] = read_text(json.dumps([record]), "json")
    assert (document.id, document.date, document.url) == ("4711", "2025-10-21", "https://example.org/f")
    assert [s.text for s in document.sections] == [
        "Die Fähre nach Amrum fährt ab Montag stündlich.",
        "Tickets & Preise.",
    ]


def test_text_files_that_are_pages_or_feeds_are_read_as_such(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text((FORMATS / "harbour-ferry.html").read_text(encoding="utf-8"), encoding="utf-8")
    [document] = read_file(page)
    assert document.title == "Harbour ferry line to start in spring"
    _clean(document)
    feed = tmp_path / "feed.txt"
    feed.write_text((FORMATS / "wire.rss").read_text(encoding="utf-8"), encoding="utf-8")
    assert len(read_file(feed)) == 2
    with pytest.raises(UnsupportedMediaType):
        list(read_text('<?xml version="1.0"?><note>hi</note>', "article"))


def test_an_unknown_file_type_is_refused_by_name_and_skipped_in_a_folder(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "a.txt").write_text("Ein Artikel über den Hafen. Er hat zwei Sätze.", encoding="utf-8")
    with pytest.raises(UnsupportedMediaType, match="scan.pdf: not a format qa reads"):
        read_file(tmp_path / "scan.pdf")
    skipped: list[str] = []
    documents = list(read_documents([tmp_path], on_skip=skipped.append))
    assert [d.id for d in documents] == ["a.txt"]
    assert len(skipped) == 1 and "scan.pdf" in skipped[0] and "not a format" in skipped[0]


def test_html_fragments_become_paragraphs_and_headings():
    text = html_to_text(
        "<div><p>Eins &amp; zwei.</p><script>alert(1)</script><h3>Drei</h3><ul><li>Vier</li></ul></div>"
    )
    assert text == "Eins & zwei.\n\n## Drei\n\nVier"


def test_hostile_billion_laughs_is_refused_at_once():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + ']><rss version="2.0"><channel><title>&j;</title><item><title>x</title>'
        "<description>&j;</description></item></channel></rss>"
    )
    with pytest.raises(InvalidRequest, match="entities"):
        list(read_text(bomb, "feed"))


def test_hostile_yaml_aliases_in_front_matter_are_not_expanded():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    text = "---\n" + "\n".join(lines) + "\ntitle: Bombe\n---\nEin Artikel über den Hafen. Er hat zwei Sätze.\n"
    [document] = read_text(text, "article")
    assert document.title == "Bombe"


def test_hostile_large_page_and_feed_are_bounded():
    import time

    paragraph = "<p>" + "Der Hafen bekommt ein neues Terminal für Fähren und Frachtschiffe. " * 20 + "</p>\n"
    page = "<html><head><title>Gross</title></head><body><article>" + paragraph * 38_000 + "</article></body></html>"
    assert len(page) > 50_000_000
    started = time.perf_counter()
    with pytest.raises(InvalidRequest, match="larger than"):
        list(read_text(page, "html"))
    assert time.perf_counter() - started < 1
    items = "".join(
        f"<item><title>Meldung {i}</title><guid>m-{i}</guid><pubDate>Tue, 21 Oct 2025 10:00:00 +0200</pubDate>"
        f"<description>Die Meldung Nummer {i} handelt vom Hafen und seinen Fähren.</description></item>"
        for i in range(10_000)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Viel</title>{items}</channel></rss>'
    started = time.perf_counter()
    documents = list(read_text(feed, "feed"))
    assert len(documents) == 10_000 and len({d.id for d in documents}) == 10_000
    assert time.perf_counter() - started < 60


def test_one_bad_record_of_a_thousand_names_its_line_or_is_skipped(tmp_path):
    lines = [json.dumps({"id": f"r{i}", "text": f"Meldung {i} über den Hafen und die Fähren."}) for i in range(1000)]
    lines[637] = json.dumps({"id": "r637", "text": "Ein Satz.", "date": "31.02.2025"})
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidRequest, match="line 638: date '31.02.2025' is not a date"):
        list(read_documents([path]))
    bad: list[str] = []
    documents = list(read_documents([path], on_bad=bad.append))
    assert len(documents) == 999 and "r637" not in {d.id for d in documents}
    assert len(bad) == 1 and "line 638" in bad[0] and "export.jsonl" in bad[0]
