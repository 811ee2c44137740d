"""HTML fragments (a record's `text`, a feed item's content) -> plain article text.

Exports and feeds carry the article as HTML; kept as it was, `<p>` showed up in answers. The
fragment is parsed by lxml (libxml2's HTML parser: linear, never fetches anything), scripts, styles
and forms are dropped, each block element becomes a paragraph and each h1-h6 a Markdown heading
line, which the article parser then reads as a subheading.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

# Text that holds one of these tags is taken as HTML; anything else is kept as it is (a plain text
# that mentions "a < b" is not HTML).
_TAG = re.compile(
    r"<(?:p|br|div|span|a|b|i|u|em|strong|h[1-6]|ul|ol|li|blockquote|img|figure|figcaption|table|section|article)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_DROP = ("script", "style", "noscript", "iframe", "template", "svg", "form", "button", "nav", "head", "object")
_BLOCKS = frozenset(
    "p div section article li dd dt blockquote pre table tr ul ol figure figcaption header footer aside main".split()
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def looks_like_html(text: str) -> bool:
    """True when `text` holds at least one common HTML tag."""
    return _TAG.search(text) is not None


def html_to_text(fragment: str) -> str:
    """Paragraphs of `fragment` separated by blank lines, headings as `## ` lines, no markup."""
    if not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return ""
    for element in list(root.iter(*_DROP)):
        element.drop_tree()
    for element in root.iter(lxml.etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif tag in _HEADINGS:
            element.text = "\n\n## " + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
        elif tag in _BLOCKS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    paragraphs = (" ".join(block.split()) for block in _PARAGRAPH_BREAK.split(root.text_content()))
    return "\n\n".join(p for p in paragraphs if p and p != "##")
