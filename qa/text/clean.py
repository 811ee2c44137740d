"""Text as every layer may assume it: no NUL or other control characters, no lone surrogates.

Why: a NUL ends the text for the C encoder (what follows it would be indexed by BM25 but invisible
to the dense side), and a lone surrogate ("\\ud800", valid in JSON) cannot be encoded as UTF-8 by
SQLite or the encoder. Both arrive in JSON bodies from anyone; they are mended here, once, at the
entrance, in time linear in the text.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control characters (tab and newlines stay), lone surrogates as U+FFFD."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))
