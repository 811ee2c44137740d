"""Turns a pydantic ValidationError into the API's one-line message (the 400 body's `error`), and refuses
query parameters a route does not take."""

from __future__ import annotations

from flask import request
from pydantic import ValidationError

from qa.errors import InvalidRequest
from qa.web.schemas import ID_PATTERN, NOT_BLANK, PageQuery
from qa.web.schemas_base import unknown_names

# The query parameters of each route of the API that takes any (by endpoint); the others take none.
# A parameter a route does not take is refused, never ignored: ?sources=dpa on a listing once listed
# everything without a word.
QUERY_PARAMETERS = {
    "documents.list_documents": tuple(PageQuery.model_fields),
    "documents.add": ("id", "title", "date", "source", "url"),  # with an article or files (documents.py)
}

_MESSAGES = {
    "missing": "{where} is missing",
    "string_type": "{where} must be a string",
    "string_too_short": "{where} is empty",
    "string_pattern_mismatch": "{where} does not have the expected form",
    "string_too_long": "{name} is longer than {max_length} characters",
    "int_type": "{where} must be an integer",
    "int_from_float": "{where} must be an integer",
    "int_parsing": "{where} must be an integer",
    "greater_than_equal": "{where} must be at least {ge}",
    "less_than_equal": "{where} must be at most {le}",
    "literal_error": "{where} must be one of: {expected}",
    "list_type": "{where} must be a list",
    "too_short": "{where} is empty",
    "too_long": "{where} has {actual_length} items; at most {max_length} are allowed",
    "model_type": "{where} must be an object",
    "model_attributes_type": "{where} must be an object",
    "dict_type": "{where} must be an object",
    "union_tag_invalid": "{where}.role must be {expected_tags}",
    "union_tag_not_found": "{where}.role is missing",
    "extra_forbidden": "unknown fields: {where}",
    "date_from_datetime_parsing": "{where} must be a date YYYY-MM-DD",
}
# A blank question is "empty" to a user, whatever rule caught it.
_BLANK = {"string_pattern_mismatch": NOT_BLANK}


def _where(location: tuple[int | str, ...]) -> str:
    if not location:
        return "the body"
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("user", "assistant", "DocumentRecord") or part.startswith("list["):
            continue  # the union branch pydantic tried, not a place in the body
        else:
            text += f".{part}" if text else part
    return f"'{text}'" if text and "[" not in text and "." not in text else text or "the body"


def describe(error: ValidationError) -> str:
    """The first problems of `error` in plain words, e.g. "'top_k' must be at most 50"."""
    problems = []
    for item in error.errors(include_url=False)[:3]:
        kind = item["type"]
        context = dict(item.get("ctx") or {})
        where = _where(item["loc"])
        if kind == "string_pattern_mismatch" and context.get("pattern") == _BLANK[kind]:
            kind = "string_too_short"
        if kind == "string_pattern_mismatch" and context.get("pattern") == ID_PATTERN:
            name = where.strip("'")
            problems.append(f"{name} must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit")
            continue
        if kind in ("model_type", "model_attributes_type", "dict_type") and where == "the body":
            problems.append("must be a JSON object")
            continue
        if kind == "too_long" and where == "'messages'":
            problems.append(
                f"the conversation has {context['actual_length']} messages; at most {context['max_length']} "
                "are allowed: start a new one"
            )
            continue
        if kind == "union_tag_invalid":
            context["expected_tags"] = " or ".join(context["expected_tags"].rsplit(", ", 1))
        template = _MESSAGES.get(kind)
        if template is None:
            message = item["msg"].removeprefix("Value error, ")
            problems.append(message if where == "the body" else f"{where}: {message}")
            continue
        problems.append(template.format(where=where, name=where.strip("'"), **context))
    return "; ".join(dict.fromkeys(problems))


def raise_invalid(error: ValidationError) -> None:
    """flask-openapi3's validation_error_callback: answer with the project's 400 {"error", "code"}."""
    raise InvalidRequest(describe(error))


def refuse_unknown_query() -> None:
    """A before_request hook: a query parameter the API route does not take is a 400 naming it."""
    if request.url_rule is None or request.method == "OPTIONS" or not request.args:
        return
    if not (request.path.startswith("/api/") or request.path == "/healthz"):
        return
    problem = unknown_names(request.args, QUERY_PARAMETERS.get(request.url_rule.endpoint, ()), "query parameter")
    if problem:
        raise InvalidRequest(problem)
