"""A news page (HTML) -> Document: the article's main text and its metadata, without the page around it.

Extraction is trafilatura's (chosen by measurement on news pages with navigation, cookie banners,
related-links boxes, footers and JSON-LD: see README "Articles"): it keeps the article's paragraphs
and subheadings and reads title (og:title, `<title>` without the site's suffix, h1), date
(article:published_time, JSON-LD datePublished, `<time datetime>`; the date as the page writes it,
in its own time zone), url (canonical, og:url) and site name (og:site_name).
"""

from __future__ import annotations

import logging

import trafilatura

from qa.errors import InvalidRequest
from qa.records import Document
from qa.text.article import NO_METADATA, Metadata, parse_with, web_url
from qa.text.dates import parse_date

logger = logging.getLogger(__name__)

# A news page is rarely over 2 MB; past this, extraction would take seconds of a request thread.
MAX_PAGE_CHARS = 10_000_000
# A page whose main text is shorter than this is an index, an error page or a paywall, not an article.
MIN_PAGE_WORDS = 10
# Paragraphs of fewer words without a final mark are page furniture ("Published", "By Sam Reed").
_MIN_PARAGRAPH_WORDS = 3
_FINAL = tuple(".!?:;…\"“”»«'")


def _blocks(body) -> list[str]:
    """The extracted body as paragraphs, headings as `## ` lines (h1: the title, dropped)."""
    blocks = []
    for element in body:
        tag = element.tag
        text = " ".join(" ".join(element.itertext()).split())
        if not text:
            continue
        if tag == "head":
            if element.get("rend", "h2") != "h1":
                blocks.append("## " + text)
        elif tag == "list":
            blocks.extend(" ".join(" ".join(item.itertext()).split()) for item in element.iter("item"))
        elif len(text.split()) >= _MIN_PARAGRAPH_WORDS or text.endswith(_FINAL):
            blocks.append(text)
    return [block for block in blocks if block]


def _page_date(value: object) -> str | None:
    try:
        return parse_date(value, "the page's date")
    except InvalidRequest:
        return None  # a page is not refused for a date it writes oddly: it is stored undated


def parse_page(html: str, meta: Metadata = NO_METADATA, fallback_id: str | None = None) -> Document:
    """The article of one HTML page; what `meta` gives wins over what the page says.

    Raises:
        InvalidRequest: the page is too large or holds no article text.
    """
    if len(html) > MAX_PAGE_CHARS:
        raise InvalidRequest(f"the page is larger than {MAX_PAGE_CHARS:,} characters: not read")
    extracted = trafilatura.bare_extraction(
        html,
        favor_recall=True,  # the default precision mode dropped a bold teaser paragraph as boilerplate
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if extracted is None or isinstance(extracted, dict) or extracted.body is None:
        raise InvalidRequest("the page holds no article text")
    blocks = _blocks(extracted.body)
    if sum(len(block.split()) for block in blocks if not block.startswith("## ")) < MIN_PAGE_WORDS:
        raise InvalidRequest("the page holds no article text (only navigation or a few words)")
    found = Metadata(
        title=extracted.title or None,
        date=_page_date(extracted.date),
        source=extracted.sitename or None,
        url=web_url(extracted.url),
    )
    return parse_with("\n\n".join(blocks), meta.over(found), fallback_id, date_line=False)
