"""The chat page without JavaScript: a plain form POST renders the conversation server-side."""

import json
import re


def test_get_shows_the_form_in_the_browser_language(client):
    page = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert '<form id="ask-form" method="post"' in page and "Frag die Nachrichten" in page
    page = client.get("/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert "Ask the news" in page


def test_form_post_keeps_the_conversation_and_follows_the_language(client):
    first = client.post("/", data={"question": "Wer nimmt an dem Treffen nur virtuell teil?", "history": "[]"})
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "<mark>" in page and "Merz" in page and "Antwort" in page
    history = re.search(r'name="history" value="([^"]*)"', page).group(1)
    assert json.loads(history.replace("&#34;", '"').replace("&quot;", '"')) == [
        "Wer nimmt an dem Treffen nur virtuell teil?"
    ]
    second = client.post(
        "/",
        data={
            "question": "Which country is ready to provide soldiers?",
            "history": json.dumps(["Wer nimmt an dem Treffen nur virtuell teil?"]),
        },
    )
    page = second.get_data(as_text=True)
    assert page.count('class="turn"') == 2
    assert "Estland" in page and "Answer" in page and "Antwort" in page


def test_user_text_is_escaped(client):
    page = client.post("/", data={"question": "<script>alert(1)</script> Merz?"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_empty_question_is_an_error_in_words(client):
    response = client.post("/", data={"question": "  "})
    assert response.status_code == 400 and "Please type a question." in response.get_data(as_text=True)


def test_unknown_page_is_html(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "<html" in response.get_data(as_text=True)
