"""The chat page's filters without JavaScript: a date range, a source and "newest first" travel as form
fields, are applied to the answer, come back in the form and as chips, and a chip removes its filter."""

import html
import json
import re

FIRST = "Wer nimmt an dem Treffen nur virtuell teil?"
SEED_SOURCE = "dpa"  # the seed article, dated 2025-09-04
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
NO_ANSWER = 'class="bubble answer none"'  # a turn whose reply says no passage matches


def _history(page: str) -> list:
    return json.loads(html.unescape(re.search(r'name="history" value="([^"]*)"', page).group(1)))


def _value(page: str, field_id: str) -> str:
    return html.unescape(re.search(rf'id="{field_id}"[^>]*value="([^"]*)"', page).group(1))


def _chips(page: str) -> dict[str, str]:
    """remove value -> the chip's words."""
    found = re.findall(r'name="remove" value="([^"]+)".*?<span class="chip-label">([^<]*)</span>', page, re.S)
    return {remove: html.unescape(label) for remove, label in found}


def test_the_form_offers_dates_the_sources_of_the_index_and_newest_first(client):
    page = client.get("/", headers=GERMAN).get_data(as_text=True)
    assert 'id="date-from" name="date_from" type="date"' in page and 'name="date_to" type="date"' in page
    assert '<option value="" data-text="all_sources">Alle Quellen</option>' in page
    assert f'<option value="{SEED_SOURCE}">{SEED_SOURCE} (1)</option>' in page
    assert 'name="sort" type="checkbox" value="date"' in page and "Neueste zuerst" in page
    assert _chips(page) == {}
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "All sources" in english and "Newest first" in english and ">From<" in english


def test_a_date_range_without_the_article_gets_no_answer_and_the_range_stays(client):
    response = client.post(
        "/", data={"question": FIRST, "history": "[]", "date_from": "2025-09-05", "date_to": "2025-09-30"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert NO_ANSWER in page and 'class="passages"' not in page
    assert _value(page, "date-from") == "2025-09-05" and _value(page, "date-to") == "2025-09-30"
    assert _chips(page) == {"date_from": "ab 05.09.2025", "date_to": "bis 30.09.2025"}

    around = client.post("/", data={"question": FIRST, "date_from": "2025-09-01", "date_to": "2025-09-04"})
    assert "<mark>" in around.get_data(as_text=True) and "Merz" in around.get_data(as_text=True)


def test_source_and_newest_first_are_applied_and_rendered_back(client):
    page = client.post("/", data={"question": FIRST, "sources": SEED_SOURCE, "sort": "date"}).get_data(as_text=True)
    assert "<mark>" in page
    assert f'<option value="{SEED_SOURCE}" selected>' in page
    assert re.search(r'id="newest" name="sort" type="checkbox" value="date" checked', page)
    assert _chips(page) == {"sources": f"Quelle: {SEED_SOURCE}", "sort": "Neueste zuerst"}

    other = client.post("/", data={"question": FIRST, "sources": "Reuters"}).get_data(as_text=True)
    assert NO_ANSWER in other
    assert '<option value="Reuters" selected>Reuters (0)</option>' in other  # a chosen source stays chosen


def test_the_filters_persist_across_the_turns_of_a_conversation(client):
    fields = {"date_from": "2025-09-05"}
    first = client.post("/", data={"question": FIRST, **fields}).get_data(as_text=True)
    second = client.post(
        "/", data={"question": "Und warum?", "history": json.dumps(_history(first)), **fields}
    ).get_data(as_text=True)
    assert second.count('class="turn"') == 2 and second.count(NO_ANSWER) == 2
    assert _value(second, "date-from") == "2025-09-05"


def test_a_chip_removes_its_filter_and_keeps_the_conversation(client):
    first = client.post("/", data={"question": FIRST, "date_from": "2025-09-05", "sort": "date"})
    history = json.dumps(_history(first.get_data(as_text=True)))
    removed = client.post(
        "/", data={"question": "", "history": history, "date_from": "2025-09-05", "sort": "date", "remove": "date_from"}
    )
    page = removed.get_data(as_text=True)
    assert removed.status_code == 200 and 'class="status error"' not in page
    assert page.count('class="turn"') == 1 and _history(page) == json.loads(history)  # nothing asked
    assert _value(page, "date-from") == "" and _chips(page) == {"sort": "Neueste zuerst"}

    again = client.post("/", data={"question": FIRST, "history": json.dumps(_history(page)), "sort": "date"})
    page = again.get_data(as_text=True)
    assert page.count('class="turn"') == 2 and page.count("<mark>") == 3  # the article found again


def test_a_chip_click_keeps_a_typed_question_without_asking_it(client):
    page = client.post("/", data={"question": FIRST, "date_to": "2025-09-01", "remove": "date_to"}).get_data(
        as_text=True
    )
    assert 'class="turn"' not in page and _value(page, "question") == FIRST and _chips(page) == {}


def test_the_time_read_from_the_question_is_a_chip_that_switches_it_off(client):
    question = "Wer nimmt 2024 an dem Treffen nur virtuell teil?"
    page = client.post("/", data={"question": question}).get_data(as_text=True)
    understood = _history(page)[1]["understood"]
    assert "2024" in understood and _chips(page) == {"understood": understood}

    off = client.post(
        "/", data={"question": "", "history": json.dumps(_history(page)), "remove": "understood"}
    ).get_data(as_text=True)
    assert _chips(off) == {"time_from_question": "Zeitangaben der Frage ignoriert"}
    assert _value(off, "time-from-question") == "false"
    asked = client.post(
        "/", data={"question": question, "history": json.dumps(_history(off)), "time_from_question": "false"}
    ).get_data(as_text=True)
    assert _history(asked)[3]["understood"] == "" and "time_from_question" in _chips(asked)
    on = client.post("/", data={"time_from_question": "false", "remove": "time_from_question"}).get_data(as_text=True)
    assert _chips(on) == {} and _value(on, "time-from-question") == ""


def test_a_bad_date_is_a_400_page_that_names_it(client):
    response = client.post("/", data={"question": FIRST, "date_from": "2025-02-30"}, headers=GERMAN)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Fehler: „Von“ ist kein Datum (JJJJ-MM-TT): 2025-02-30" in page
    assert 'class="turn"' not in page and _value(page, "question") == FIRST
    assert _chips(page) == {"date_from": "ab 30.02.2025"}  # the chip takes the bad date away
    assert '<details id="filters" class="filters" open>' in page  # the field to fix is in view

    response = client.post(
        "/",
        data={"question": FIRST, "date_from": "2025-09-05", "date_to": "2025-09-01"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "Error: &#39;From&#39; 2025-09-05 is after &#39;To&#39; 2025-09-01." in response.get_data(as_text=True)
    response = client.post("/", data={"question": FIRST, "date_to": "tomorrow"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "&#39;To&#39; is not a date (YYYY-MM-DD): tomorrow" in response.get_data(
        as_text=True
    )


def test_filter_values_are_escaped(client):
    page = client.post("/", data={"question": FIRST, "sources": '<b x="1">'}).get_data(as_text=True)
    assert '<b x="1">' not in page and "&lt;b x=&#34;1&#34;&gt;" in page


def test_the_picker_lists_the_largest_sources_and_keeps_a_chosen_smaller_one():
    from qa.web.page_filters import MAX_PICKER_SOURCES, picker_sources

    everything = [{"source": f"s{i:03d}", "documents": 1000 - i, "first_date": None} for i in range(250)]
    shown = picker_sources(everything, ())
    assert len(shown) == MAX_PICKER_SOURCES == 200 and shown[0] == {"source": "s000", "documents": 1000}
    chosen = picker_sources(everything, ("s240", "gone"))
    assert chosen[-2:] == [{"source": "s240", "documents": 760}, {"source": "gone", "documents": 0}]


def test_the_sources_are_counted_once_per_interval():
    from qa.web.page_filters import SourceCache

    calls = []
    cache = SourceCache(ttl_s=60)
    assert cache.get(lambda: calls.append(1) or [{"source": "a", "documents": 1}]) == [{"source": "a", "documents": 1}]
    cache.get(lambda: calls.append(1) or [])
    assert len(calls) == 1
    fresh = SourceCache(ttl_s=0)
    fresh.get(lambda: calls.append(1) or [])
    fresh.get(lambda: calls.append(1) or [])
    assert len(calls) == 3


def test_recency_words_in_the_question_show_as_a_chip_too(client, seed_service):
    page = client.post("/", data={"question": "Wer nimmt aktuell an dem Treffen nur virtuell teil?"}).get_data(
        as_text=True
    )
    days = f"{seed_service.settings.recency_half_life:g}"
    assert _chips(page) == {"understood": f"Verstanden als: neuere Artikel bevorzugt (Halbwertszeit {days} Tage)"}
