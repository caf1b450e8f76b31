"""Secrets, tokens, CSRF protection, security headers and request size limits.

* Facilitator and participant tokens are 256 random bits (``secrets.token_urlsafe(32)``). Only their SHA-256
  hashes are stored: a leaked database does not let anyone act as a facilitator or participant. (A slow password
  hash is not needed: these tokens are not guessable, unlike passwords.)
* Join codes are 8 characters from an alphabet without look-alikes (``0/O``, ``1/I/L``): about 40 bits, enough
  that guessing one online is hopeless, short enough to read out in a room. A join code only lets someone add
  their own answers; it never shows anyone else's.
* Forms are protected against cross-site request forgery by a token bound to the browser session: each form
  carries an HMAC, under the server's secret key, of the session cookie's value (HttpOnly, SameSite=Lax). A
  forged cross-site request has no such token, and a token from another session (or from before a sign-in, which
  changes the session's value) does not match.
* Every response carries a strict Content Security Policy (scripts and styles from this origin only, no inline
  script or style), ``X-Content-Type-Options``, ``Referrer-Policy: no-referrer`` (facilitator links are secrets and
  must not leak through the Referer header), frame protection and, over HTTPS, HSTS.
* Request bodies are limited (``Content-Length`` checked first, streamed bodies counted) and answered with 413;
  control characters in the address are answered with 422 before any handler sees them.
* The access log (:class:`AccessLogMiddleware`) never records a token: facilitator and return links, join codes
  and anything that looks like a token are replaced by ``[redacted]``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
import unicodedata
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

__all__ = [
    "JOIN_ALPHABET",
    "AccessLogMiddleware",
    "BodyLimitMiddleware",
    "SecurityHeadersMiddleware",
    "control_character",
    "csrf_token_for",
    "csrf_valid",
    "format_join_code",
    "hash_token",
    "new_join_code",
    "new_token",
    "new_workshop_id",
    "normalise_join_code",
    "redact",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Upper-case letters and digits without the ones people confuse when reading aloud or copying.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_LENGTH = 8


def new_token() -> str:
    """A new secret token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token: hex SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_workshop_id() -> str:
    """A workshop id for URLs: 16 lowercase hex characters (not a secret; access needs a token or code)."""
    return secrets.token_hex(8)


def new_join_code() -> str:
    """A new join code, normalised (8 characters, no separator)."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))


def format_join_code(code: str) -> str:
    """``ABCDEFGH`` → ``ABCD-EFGH`` for reading out and typing."""
    return f"{code[:4]}-{code[4:]}" if len(code) == JOIN_LENGTH else code


def normalise_join_code(text: str) -> str:
    """What someone typed → the stored form: upper case, spaces and hyphens removed."""
    return "".join(ch for ch in text.upper() if ch not in " -\t\u00a0")


def csrf_token_for(secret: bytes, cookie_value: str) -> str:
    """The token a form must carry, for the session cookie ``cookie_value``."""
    return hmac.new(secret, b"csrf:" + cookie_value.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, cookie_value: str | None, form_value: str | None) -> bool:
    """Whether a form's CSRF token matches the session cookie (constant-time comparison)."""
    if not cookie_value or not form_value:
        return False
    return hmac.compare_digest(csrf_token_for(secret, cookie_value), form_value)


#: Control characters (Unicode category Cc: C0, DEL and C1). Tab, line feed and carriage return are allowed in
#: long text (comments, notes); nowhere else.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_LONG_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text: str, *, long_text: bool = False) -> str | None:
    """A description of the first control character in ``text`` (``"U+0000 NULL"``), or None when it has none.
    Tab and newlines are allowed when ``long_text``."""
    found = (_CONTROL_IN_LONG_TEXT if long_text else _CONTROL).search(text)
    if found is None:
        return None
    char = found.group()
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "control character")
    return f"U+{ord(char):04X} {name}".strip()


_CONTROL_NAMES = {"\x00": "NULL", "\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x7f": "DELETE"}


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]
_HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeadersMiddleware:
    """Adds security headers to every HTTP response (those the response did not set itself)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in _HEADERS if h[0] not in present)
                if https and _HSTS[0] not in present:
                    headers.append(_HSTS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Answers 413 when a request body is larger than ``limit`` bytes, declared or streamed, and 422 when the
    address (path or query) holds a control character: no handler, and no database, ever sees one there."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    @property
    def message(self) -> str:
        return f"The request is too large (limit: {self.limit} bytes). Shorten the text and try again."

    async def _reject(self, send: Send, status: int, message: str) -> None:
        import json

        body = json.dumps({"detail": message}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = scope.get("path", "") + "?" + unquote(scope.get("query_string", b"").decode("latin-1"))
        found = control_character(address)
        if found:
            await self._reject(send, 422, f"The address contains a control character ({found}).")
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    await self._reject(send, 413, self.message)
                    return
        from starlette.exceptions import HTTPException

        received = 0

        async def counting_receive() -> Message:
            # A body streamed without Content-Length: stop reading once it passes the limit. The exception
            # reaches the application's HTTP error handler (inside this middleware), which answers 413.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, self.message)
            return message

        await self.app(scope, counting_receive, send)


# -- the access log --------------------------------------------------------------------------------

access_log = logging.getLogger("matrixkit_web.access")

#: Path segments that are secrets: the token of a facilitator or return link.
_SECRET_PATH = re.compile(r"^(/(?:facilitate|resume)/)[^/]+")
#: Anything else that looks like a token (22+ URL-safe base64 characters: 128 bits or more).
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{22,}")
#: Query parameters that carry secrets.
_SECRET_PARAMETERS = frozenset({"code", "join_code", "token", "edit_token", "admin_token"})
REDACTED = "[redacted]"


def redact(path: str, query: str = "") -> str:
    """``path?query`` as the access log may show it: link tokens, join codes and token-like values replaced."""
    shown = _TOKEN_LIKE.sub(REDACTED, _SECRET_PATH.sub(lambda m: m.group(1) + REDACTED, path))
    if query:
        pairs = [
            (k, REDACTED if k in _SECRET_PARAMETERS else _TOKEN_LIKE.sub(REDACTED, v))
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        shown += "?" + urlencode(pairs, safe="[]")
    return shown


class AccessLogMiddleware:
    """One line per request on the ``matrixkit_web.access`` logger, with every secret redacted (:func:`redact`):
    client, method, path, status, milliseconds. (uvicorn's own access log, which records full paths, is off.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            client = scope.get("client")
            access_log.info(
                '%s "%s %s" %s %.1fms',
                f"{client[0]}:{client[1]}" if client else "-",
                scope.get("method", ""),
                redact(scope.get("path", ""), scope.get("query_string", b"").decode("latin-1")),
                status or 500,
                (time.perf_counter() - start) * 1000,
            )
