"""What makes the app safe to expose, in one place: body limits on the bytes actually read, JSON that
cannot blow the stack, security headers, an access log, and a brake on guessing the write key.

Why here and not in the views: each is a property of every request, and a view that forgets one must
not open a hole. `install(app, settings)` wires them in the app factory.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections import defaultdict, deque
from typing import Any

from flask import Flask, Response, g, request
from flask.json.provider import DefaultJSONProvider

from qa.config import Settings
from qa.errors import PayloadTooLarge, TooManyRequests

access_log = logging.getLogger("qa.access")

# Content-Security-Policy without inline script: the page loads chat.js and reads its texts from a
# JSON data block, which CSP does not execute. Views may set their own policy (an API page, say).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# Failed write keys a client may send per window before it is told to wait.
KEY_FAILURES_ALLOWED = 10
KEY_FAILURE_WINDOW_S = 60.0


class SafeJSONProvider(DefaultJSONProvider):
    """JSON whose every decoding failure is the sender's: deep nesting becomes a ValueError (a 400),
    not a RecursionError (a 500). Keys keep the order the records give them."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None


class KeyGuard:
    """Counts failed write keys per client address; past KEY_FAILURES_ALLOWED in the window, a client
    gets 429 until its oldest failure ages out. Per process (each gunicorn worker keeps its own)."""

    def __init__(self, allowed: int = KEY_FAILURES_ALLOWED, window_s: float = KEY_FAILURE_WINDOW_S) -> None:
        self.allowed, self.window_s = allowed, window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures[client]
        while failures and now - failures[0] > self.window_s:
            failures.popleft()
        if not failures:
            del self._failures[client]
        return failures

    def check(self, client: str) -> None:
        """Raise TooManyRequests when `client` has used up its failures."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            if len(failures) >= self.allowed:
                wait = max(1, round(self.window_s - (now - failures[0])))
                raise TooManyRequests(f"too many wrong keys from this address: wait {wait} s", retry_after=wait)

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures[client].append(time.monotonic())
            if len(self._failures) > 100_000:  # a flood of addresses must not grow memory without end
                self._failures.clear()


def _body_limit(settings: Settings, path: str) -> int:
    return settings.max_upload_bytes if path.startswith("/api/documents") else settings.max_request_bytes


class BoundedBody:
    """WSGI middleware: a body without Content-Length (chunked) is read here, up to its endpoint's limit
    plus one byte, and handed on with its length. Why: Werkzeug cuts such a body silently at the limit
    (a truncated JSON body then reads as "not valid JSON") instead of refusing it."""

    def __init__(self, wsgi_app: Any, settings: Settings) -> None:
        self.wsgi_app, self.settings = wsgi_app, settings

    def __call__(self, environ: dict, start_response: Any) -> Any:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not environ.get("CONTENT_LENGTH") and (chunked or environ.get("wsgi.input_terminated")):
            limit = _body_limit(self.settings, environ.get("PATH_INFO", ""))
            stream, data = environ["wsgi.input"], bytearray()
            while len(data) <= limit and (block := stream.read(min(65536, limit + 1 - len(data)))):
                data += block
            if len(data) > limit:
                environ["qa.body_too_large"], data = True, bytearray()
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(bytes(data)), str(len(data))
        return self.wsgi_app(environ, start_response)


def _limit_body(settings: Settings) -> None:
    # Werkzeug enforces this on Content-Length and on the bytes read; BoundedBody gave chunked
    # bodies their length (or marked them as too large).
    g.started = time.perf_counter()
    limit = _body_limit(settings, request.path)
    if request.environ.get("qa.body_too_large"):
        raise PayloadTooLarge(f"the request body is larger than {limit:,} bytes")
    request.max_content_length = limit


def _finish(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    started = g.get("started")
    took_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    # The path only: query strings may carry titles or ids, and question text is never logged.
    access_log.info(
        '%s "%s %s" %d %s %.1fms',
        request.remote_addr or "-",
        request.method,
        request.path,
        response.status_code,
        response.calculate_content_length() if not response.is_streamed else "-",
        took_ms,
    )
    return response


def install(app: Flask, settings: Settings) -> None:
    app.json = SafeJSONProvider(app)
    app.wsgi_app = BoundedBody(app.wsgi_app, settings)  # type: ignore[method-assign]
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    app.extensions["qa.key_guard"] = KeyGuard()
    app.before_request(lambda: _limit_body(settings))
    app.after_request(_finish)
