"""RSS 2.0 and Atom feeds -> one Document per item or entry (feedparser), XML entities refused first.

Each item's title, link (its url), published date and content (HTML -> text) make an article; the
feed's own title is the source. An item's id is a hash of its guid (RSS) or id (Atom), else of its
link, so the same item read from tomorrow's feed replaces today's instead of adding a copy.
Entities: feedparser hands well-formed XML to expat, which expands entities a document declares
itself ("billion laughs"). The feed is therefore first parsed by defusedxml with entity declarations
forbidden; a feed that declares any is refused before feedparser sees it.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Iterator
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
import feedparser

from qa.errors import InvalidRequest, UnsupportedMediaType
from qa.records import Document
from qa.text.article import NO_METADATA, Metadata, parse_with, web_url
from qa.text.dates import parse_date
from qa.text.markup import html_to_text, looks_like_html

logger = logging.getLogger(__name__)


def _refuse_entities(data: bytes) -> None:
    try:
        defusedxml.ElementTree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException:
        raise InvalidRequest("the feed declares XML entities, which are not read: refused") from None
    except ParseError:
        pass  # not well-formed: feedparser reads it leniently, without expat and without entities


def _item_id(entry: dict) -> str | None:
    key = entry.get("id") or entry.get("link")
    return hashlib.sha256(key.encode()).hexdigest()[:16] if isinstance(key, str) and key.strip() else None


def _item_text(entry: dict) -> str:
    contents = [c.get("value", "") for c in entry.get("content", []) if isinstance(c, dict)]
    text = max(contents, key=len, default="") or entry.get("summary", "") or ""
    return html_to_text(text) if looks_like_html(text) else text


def _item_date(entry: dict, where: str) -> str | None:
    raw = entry.get("published") or entry.get("updated")
    try:
        return parse_date(raw, f"{where}: published date")
    except InvalidRequest:
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")  # feedparser's many formats, UTC
        if parsed is None:
            raise
        return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"


def _plain(value: object, detail: object = None) -> str | None:
    """A title as text: HTML ones (Atom's type="html", tags in RSS) with markup and entities resolved."""
    if not isinstance(value, str) or not value.strip():
        return None
    html = looks_like_html(value) or (isinstance(detail, dict) and detail.get("type") == "text/html")
    return " ".join((html_to_text(value) if html else value).split()) or None


def iter_feed(
    data: bytes, meta: Metadata = NO_METADATA, on_note: Callable[[str], None] | None = None
) -> Iterator[Document]:
    """The items of an RSS or Atom feed as documents; an item without text is skipped and noted.

    Raises:
        InvalidRequest: not a feed, XML entities declared, or no item with text.
    """
    _refuse_entities(data)
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        raise UnsupportedMediaType("not an RSS or Atom feed")
    source = _plain(parsed.feed.get("title"), parsed.feed.get("title_detail"))
    stored = 0
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"item {number}"
        text = _item_text(entry)
        if not text.strip():
            if on_note:
                on_note(f"{where} has no text: skipped")
            continue
        found = Metadata(
            id=_item_id(entry),
            title=_plain(entry.get("title"), entry.get("title_detail")),
            date=_item_date(entry, where),
            source=source,
            url=web_url(entry.get("link")),
        )
        try:
            yield parse_with(text, meta.over(found), date_line=False)
        except InvalidRequest as error:
            raise InvalidRequest(f"{where}: {error.message}") from None
        stored += 1
    if not stored:
        raise InvalidRequest("the feed holds no item with article text")
