"""The chat page in real headless Chromium against a real server: ask, follow up, reload, keyboard only,
phone width, new conversation, errors in words. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..conftest import ROOT

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
FIRST = "Wer nimmt an dem Treffen nur virtuell teil?"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    blocked: list[str] = []  # the page must work under its Content-Security-Policy
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield page
    context.close()
    assert not blocked, blocked


def _note_csp(blocked: list[str], text: str) -> None:
    if "Content Security Policy" in text:
        blocked.append(text)


def _ask(page, question: str, turns: int) -> None:
    """Type and press Enter, as a keyboard-only user does, then wait for the answer."""
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    expect(page.locator("#conversation .turn")).to_have_count(turns)
    expect(page.locator("#send")).to_be_enabled()


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_ask_follow_up_reload_and_start_again_with_the_keyboard(page, live_server):
    page.goto(live_server + "/")
    assert _focused_id(page) == "question"
    _ask(page, FIRST, 1)
    first = page.locator(".turn").nth(0)
    assert "Laut dem Artikel" in first.locator(".reply").inner_text()
    assert "Merz" in first.locator("mark").first.inner_text()
    assert _focused_id(page) == "question" and page.input_value("#question") == ""

    _ask(page, "Und warum?", 2)
    second = page.locator(".turn").nth(1)
    assert second.locator(".resolved").inner_text() == (
        "Verstanden als: Warum nimmt Bundeskanzler Friedrich Merz an dem Treffen nur virtuell teil?"
    )
    assert _focused_id(page) == "question"
    page.screenshot(path=str(ARTIFACTS / "chat-desktop.png"), full_page=True)

    page.reload()
    expect(page.locator("#conversation .turn")).to_have_count(2)
    assert page.locator(".turn .asked").all_inner_texts() == [FIRST, "Und warum?"]
    _ask(page, "What did Estonia promise?", 3)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#send").inner_text() == "Ask"
    assert page.locator(".turn").nth(2).locator(".resolved").count() == 0
    _ask(page, "And Germany?", 4)
    assert "What did Germany promise?" in page.locator(".turn").nth(3).locator(".resolved").inner_text()

    page.locator("#new").click()
    assert page.locator(".turn").count() == 0 and _focused_id(page) == "question"
    page.reload()
    assert page.locator(".turn").count() == 0


def test_phone_width(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-US", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(live_server + "/")
        page.locator("#question").click()
        _ask(page, "Which country is ready to provide soldiers?", 1)
        _ask(page, "Why?", 2)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        box = page.locator("#send").bounding_box()
        assert box and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 740
        page.screenshot(path=str(ARTIFACTS / "chat-phone.png"))
        page.screenshot(path=str(ARTIFACTS / "chat-phone-full.png"), full_page=True)
    finally:
        context.close()


def test_passage_links_to_the_highlighted_article(page, live_server):
    page.goto(live_server + "/")
    _ask(page, FIRST, 1)
    page.locator(".passage a.title").first.click()
    page.wait_for_url("**/documents/*#p7")
    target = page.locator(".article-passage:target")
    assert target.get_attribute("id") == "p7" and "Bundeskanzler Friedrich Merz" in target.inner_text()
    page.screenshot(path=str(ARTIFACTS / "article-highlight.png"))


def test_errors_are_shown_in_words(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("Enter")
    assert page.locator("#status").inner_text() == "Fehler: Bitte geben Sie eine Frage ein."

    page.route("**/api/chat", lambda route: route.abort())
    page.keyboard.type(FIRST)
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_class(re.compile(r"\berror\b"))
    assert "Der Server ist nicht erreichbar" in page.locator("#status").inner_text()
    assert page.input_value("#question") == FIRST and _focused_id(page) == "question"
    page.screenshot(path=str(ARTIFACTS / "chat-server-down.png"))
    page.unroute("**/api/chat")

    # a stored conversation of 25 turns makes 51 messages: the server refuses and the page says why
    turns = [{"question": "Wer?", "reply": "Merz", "language": "de", "passages": [], "no_answer": True}] * 25
    page.evaluate("turns => sessionStorage.setItem('qa.chat.v1', JSON.stringify(turns))", turns)
    page.reload()
    page.locator("#question").fill(FIRST)
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("at most 50")
    assert "Fehler: the conversation has 51 messages" in page.locator("#status").inner_text()
    assert json.loads(page.evaluate("sessionStorage.getItem('qa.chat.v1')")).__len__() == 25


SEED_SOURCE = "dpa"  # the seed article's source; it is dated 2025-09-04


def _chip_labels(page) -> list[str]:
    return page.locator("#chips .chip .chip-label").all_inner_texts()


def test_filters_are_sent_shown_as_chips_removed_and_kept_with_the_conversation(page, live_server):
    bodies: list[dict] = []
    page.on(
        "request", lambda r: bodies.append(json.loads(r.post_data or "{}")) if r.url.endswith("/api/chat") else None
    )
    page.goto(live_server + "/")
    assert page.locator("#chips").is_hidden()
    page.locator("#filters summary").click()
    page.fill("#date-from", "2025-09-05")
    page.fill("#date-to", "2025-09-30")
    expect(page.locator("#chips .chip")).to_have_count(2)
    assert _chip_labels(page) == ["ab 05.09.2025", "bis 30.09.2025"]

    page.locator("#question").fill(FIRST)
    page.keyboard.press("Enter")  # Enter asks: it does not press a chip
    expect(page.locator("#conversation .turn")).to_have_count(1)
    assert bodies[-1]["date_from"] == "2025-09-05" and bodies[-1]["date_to"] == "2025-09-30"
    assert page.locator(".turn .answer.none").count() == 1 and page.locator(".turn .passage").count() == 0
    page.screenshot(path=str(ARTIFACTS / "chat-filters.png"), full_page=True)

    page.reload()  # the filters persist with the conversation
    expect(page.locator("#conversation .turn")).to_have_count(1)
    assert page.input_value("#date-from") == "2025-09-05" and _chip_labels(page) == ["ab 05.09.2025", "bis 30.09.2025"]

    page.locator("#chips .chip", has_text="ab 05.09.2025").click()  # a chip clears its filter, asking nothing
    expect(page.locator("#chips .chip")).to_have_count(1)
    page.locator("#chips .chip").click()
    expect(page.locator("#chips")).to_be_hidden()
    assert page.input_value("#date-from") == "" and page.input_value("#date-to") == ""
    assert len(bodies) == 1 and page.locator("#conversation .turn").count() == 1 and _focused_id(page) == "question"

    page.locator("#filters summary").click()  # closed again after the reload
    page.select_option("#source", SEED_SOURCE)
    page.check("#newest")
    assert _chip_labels(page) == [f"Quelle: {SEED_SOURCE}", "Neueste zuerst"]
    page.locator("#question").click()
    _ask(page, FIRST, 2)
    sent = bodies[-1]
    assert "date_from" not in sent and "date_to" not in sent
    assert sent["sources"] == [SEED_SOURCE] and sent["sort"] == "date" and len(sent["messages"]) == 3
    second = page.locator(".turn").nth(1)
    assert second.locator(".passage").count() == 3 and "Merz" in second.locator("mark").first.inner_text()
    assert second.locator(".passage a.title").first.get_attribute("href").startswith("/documents/")

    _ask(page, "Wer nimmt 2024 an dem Treffen nur virtuell teil?", 3)  # the time in the question is a chip too
    understood = page.evaluate("JSON.parse(sessionStorage.getItem('qa.chat.v1')).at(-1).applied.understood")
    assert "2024" in understood and _chip_labels(page)[-1] == understood
    page.locator("#chips .chip", has_text=understood).click()
    expect(page.locator("#chips .chip").last).to_have_text(re.compile("Zeitangaben der Frage ignoriert"))
    _ask(page, "Und warum?", 4)
    assert bodies[-1]["time_from_question"] is False

    page.locator("#new").click()  # a new conversation starts without filters
    expect(page.locator("#chips")).to_be_hidden()
    assert page.input_value("#source") == "" and not page.is_checked("#newest")
    assert page.evaluate("document.getElementById('time-from-question').value") == ""
    page.reload()
    assert page.locator(".turn").count() == 0 and page.input_value("#source") == "" and _chip_labels(page) == []


def test_filters_without_javascript(browser, live_server):
    """The plain form: Enter asks (the chips are not the form's default button), a chip posts its removal."""
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(live_server + "/")
        page.locator("#filters summary").click()
        page.fill("#date-from", "2025-09-05")
        page.check("#newest")
        page.locator("#question").fill(FIRST)
        page.locator("#question").press("Enter")
        expect(page.locator("#conversation .turn")).to_have_count(1)
        assert page.locator(".turn .answer.none").count() == 1
        assert _chip_labels(page) == ["ab 05.09.2025", "Neueste zuerst"]  # the language of the question

        page.locator("#chips .chip", has_text="ab 05.09.2025").click()
        expect(page.locator("#chips .chip")).to_have_count(1)
        assert page.locator("#conversation .turn").count() == 1 and page.input_value("#date-from") == ""
        page.locator("#question").fill(FIRST)
        page.locator("#question").press("Enter")
        expect(page.locator("#conversation .turn")).to_have_count(2)
        assert page.locator(".turn").nth(1).locator(".passage").count() == 3
        assert _chip_labels(page) == ["Neueste zuerst"] and page.is_checked("#newest")
    finally:
        context.close()
