"""Shared pieces of the API's models (qa.web.schemas, qa.web.schemas_scope): patterns, literal types and
the base of every request body. No `from __future__ import annotations` (see qa.web.schemas)."""

import difflib
import re
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from qa.records import DOCUMENT_ID_PATTERN, MODES
from qa.text.language import LANGUAGES

# "Holds a character that is not white space" for all three regex engines that read it: JSON Schema's
# (ECMA: \s has U+FEFF), pydantic's (Rust: \s has U+0085) and Python's str.strip (also U+001C-U+001F).
# Control characters count as blank too: the service drops them (qa.text.clean) before it reads a text.
NOT_BLANK = r"[^\s\x00-\x1f\x7f\x85\ufeff]"
ID_PATTERN = f"^{DOCUMENT_ID_PATTERN.pattern}$"

Mode = Literal[MODES]  # type: ignore[valid-type]
Language = Literal[LANGUAGES]  # type: ignore[valid-type]


def integral(value: Any) -> Any:
    """26.0 is an integer in JSON Schema, so it is one here; 2.5, "5" and true stay refused (strict)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _mended(value: Any) -> Any:
    """A lone surrogate ("\\ud800" is valid JSON) becomes U+FFFD here, as the service mends it, instead of
    pydantic refusing the whole string."""
    return _LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


AsInt = BeforeValidator(integral)  # last in an Annotated, so it runs before the strict int check
IsoDate = Annotated[str, Field(json_schema_extra={"format": "date"}, examples=["2025-09-04"])]


def unknown_names(given: Iterable[str], known: Iterable[str], what: str = "field") -> str:
    """ "unknown field 'source': did you mean 'sources'?" for each name of `given` not in `known` ('' when
    all are known): a bot that guessed a name learns the right one from the 400 itself."""
    known = list(known)
    problems = []
    for name in [n for n in given if n not in known][:3]:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}" if known else "none is taken"
        problems.append(f"unknown {what} {name!r}: {hint}")
    return "; ".join(problems)


class Body(BaseModel):
    """A request body: unknown fields are refused (naming the closest known one) unless the model ignores
    them, lone surrogates in its strings mended."""

    model_config = ConfigDict(extra="forbid")
    unknown_word: ClassVar[str] = "field"

    @model_validator(mode="before")
    @classmethod
    def _mend_strings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        # a model that ignores extra fields (an article record: a CMS export's author, tags) checks none
        ignored = cls.model_config.get("extra") == "ignore"
        unknown = "" if ignored else unknown_names([str(k) for k in data], cls.model_fields, cls.unknown_word)
        if unknown:
            raise ValueError(unknown)
        return {k: _mended(v) for k, v in data.items()}
