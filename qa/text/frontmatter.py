"""YAML front matter (`---` lines around `id`, `title`, `date`, `source`, `url`) -> Metadata and text.

Static-site generators and many CMS exports put an article's metadata on top of its Markdown; read
as text, it became the title and a passage. The block is read with PyYAML's `safe_load` (no Python
objects, no tags that run code), only up to MAX_FRONT_MATTER_CHARS, and only the five fields are
taken: other keys (author, tags, ...) are ignored, never a reason to refuse the file. Aliases of a
"billion laughs" YAML are shared references when loaded and the ignored keys are never walked.
"""

from __future__ import annotations

import datetime as dt

import yaml

from qa.errors import InvalidRequest
from qa.text.article import Metadata, check_url
from qa.text.dates import parse_date

MAX_FRONT_MATTER_CHARS = 64_000
_FENCE = "---"
_ENDS = ("---", "...")


def _text_field(values: dict, name: str) -> str | None:
    value = values.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
        raise InvalidRequest(f"front matter: {name} must be text, got {type(value).__name__}")
    return str(value).strip() or None


def split_front_matter(text: str) -> tuple[Metadata, str]:
    """(metadata of the front matter, the text after it); a text without front matter is returned as it is.

    Raises:
        InvalidRequest: the block is not YAML, not a mapping, or a field has the wrong type.
    """
    body = text.lstrip("\ufeff")
    first, newline, rest = body.partition("\n")
    if first.rstrip() != _FENCE or not newline:
        return Metadata(), text
    lines = []
    size = 0
    remainder = None
    for line in rest.splitlines(keepends=True):
        if line.rstrip() in _ENDS:
            remainder = rest[size + len(line) :]
            break
        size += len(line)
        if size > MAX_FRONT_MATTER_CHARS:
            raise InvalidRequest(f"the front matter is longer than {MAX_FRONT_MATTER_CHARS:,} characters")
        lines.append(line)
    if remainder is None:
        return Metadata(), text  # a lone `---` line (a Markdown rule), not front matter
    try:
        values = yaml.safe_load("".join(lines))
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        raise InvalidRequest(f"the front matter is not valid YAML{line}") from None
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise InvalidRequest("the front matter must be YAML fields (name: value)")
    meta = Metadata(
        id=_text_field(values, "id"),
        title=_text_field(values, "title"),
        date=parse_date(values.get("date"), "front matter: date"),
        source=_text_field(values, "source"),
        url=check_url(_text_field(values, "url"), "front matter: url"),
    )
    return meta, remainder
