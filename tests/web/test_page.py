"""The chat page without JavaScript: a plain form POST renders the conversation server-side, follow-ups included."""

import html
import json
import re

import pytest

FIRST = "Wer nimmt an dem Treffen nur virtuell teil?"


def _history(page: str) -> list:
    return json.loads(html.unescape(re.search(r'name="history" value="([^"]*)"', page).group(1)))


def test_get_shows_the_form_in_the_browser_language(client):
    page = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert '<form id="ask-form" method="post"' in page and "Frag die Nachrichten" in page and "Neues Gespräch" in page
    page = client.get("/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert "Ask the news" in page and "New conversation" in page


def test_form_post_keeps_the_conversation_and_resolves_follow_ups(client):
    first = client.post("/", data={"question": FIRST, "history": "[]"})
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "<mark>" in page and "Merz" in page and "Antwort" in page and "Laut dem Artikel" in page
    history = _history(page)
    assert [m["role"] for m in history] == ["user", "assistant"] and history[0]["content"] == FIRST
    second = client.post("/", data={"question": "Und warum?", "history": json.dumps(history)})
    page = second.get_data(as_text=True)
    assert page.count('class="turn"') == 2
    assert "Verstanden als: Warum nimmt Bundeskanzler Friedrich Merz an dem Treffen nur virtuell teil?" in page
    third = client.post(
        "/", data={"question": "Which country is ready to provide soldiers?", "history": json.dumps(_history(page))}
    )
    page = third.get_data(as_text=True)
    assert page.count('class="turn"') == 3 and "Estland" in page and "Answer" in page and "According to" in page
    assert len(_history(page)) == 6


def test_passages_link_to_the_whole_article(client):
    page = client.post("/", data={"question": FIRST}).get_data(as_text=True)
    link = re.search(r'href="(/documents/[^"#]+)#p(\d+)"', page)
    assert link and link.group(2) == "7"
    article = client.get(link.group(1))
    text = article.get_data(as_text=True)
    assert article.status_code == 200 and 'id="p7"' in text and "Bundeskanzler Friedrich Merz" in text
    assert "<h2>Merz nimmt nur virtuell an dem Treffen teil</h2>" in text


def test_unknown_article_is_a_404_page(client):
    response = client.get("/documents/no-such-article")
    assert response.status_code == 404 and "<html" in response.get_data(as_text=True)


def test_malformed_history_is_ignored(client):
    response = client.post("/", data={"question": FIRST, "history": '{"not": "a list"}'})
    assert response.status_code == 200 and response.get_data(as_text=True).count('class="turn"') == 1
    response = client.post("/", data={"question": FIRST, "history": '[{"role": "system", "content": 1}, "x"]'})
    assert response.status_code == 200 and response.get_data(as_text=True).count('class="turn"') == 1


def test_user_text_is_escaped(client):
    page = client.post("/", data={"question": "<script>alert(1)</script> Merz?"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_empty_question_is_an_error_in_words(client):
    response = client.post("/", data={"question": "  "}, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "Please type a question." in response.get_data(as_text=True)
    response = client.post("/", data={"question": ""}, headers={"Accept-Language": "de"})
    assert response.status_code == 400 and "Bitte geben Sie eine Frage ein." in response.get_data(as_text=True)


def test_unknown_page_is_html(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "<html" in response.get_data(as_text=True)


def test_error_pages_speak_the_browsers_language(client):
    german = client.get("/no-such-page", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert german.status_code == 404
    page = german.get_data(as_text=True)
    assert '<html lang="de">' in page and "Diese Seite gibt es nicht." in page and "Zurück zu den Fragen" in page
    english = client.get("/no-such-page", headers={"Accept-Language": "en-GB"})
    assert "There is no such page." in english.get_data(as_text=True)


def test_only_the_new_question_is_answered_and_earlier_turns_stay_as_shown(client):
    earlier = [
        {"role": "user", "content": "Wer nimmt nur virtuell teil?", "resolved": "Wer nimmt nur virtuell teil?"},
        {"role": "assistant", "content": "Eine frühere Antwort, so wie sie gezeigt wurde."},
    ] * 3
    response = client.post("/", data={"question": FIRST, "history": json.dumps(earlier)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('<p class="reply">Eine frühere Antwort, so wie sie gezeigt wurde.') == 3  # not re-answered
    assert page.count('class="passages"') == 1  # passages for the new question only
    assert len(_history(page)) == 8


@pytest.mark.parametrize(
    "history",
    [
        json.dumps([{"role": "user", "content": "   "}, {"role": "assistant", "content": "x"}]),
        json.dumps([{"role": "user", "content": "Frage"}, {"role": "assistant", "content": ""}]),
        "[" * 50_000 + "]" * 50_000,
        json.dumps([{"role": "user", "content": "Frage\ud800"}, {"role": "assistant", "content": "Antwort\x00"}]),
    ],
)
def test_a_broken_history_is_dropped_not_a_500(client, history):
    response = client.post("/", data={"question": FIRST, "history": history})
    assert response.status_code == 200
    assert "\x00" not in response.get_data(as_text=True)


def test_the_placeholder_asks_about_no_particular_article(client):
    """After `qa index my-folder/` the seed article is gone: the page must not suggest asking about it."""
    for language in ("de", "en"):
        page = client.get("/", headers={"Accept-Language": language}).get_data(as_text=True)
        placeholder = page.split('placeholder="', 1)[1].split('"', 1)[0]
        assert "virtu" not in placeholder and ("Artikel" in placeholder or "articles" in placeholder)
