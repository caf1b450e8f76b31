"""Secrets, tokens, CSRF protection, security headers and request size limits.

* Facilitator and participant tokens are 256 random bits (``secrets.token_urlsafe(32)``). Only their SHA-256
  hashes are stored: a leaked database does not let anyone act as a facilitator or participant. (A slow password
  hash is not needed: these tokens are not guessable, unlike passwords.)
* Join codes are 8 characters from an alphabet without look-alikes (``0/O``, ``1/I/L``): about 40 bits, enough
  that guessing one online is hopeless, short enough to read out in a room. A join code only lets someone add
  their own answers; it never shows anyone else's.
* Forms are protected against cross-site request forgery by a *signed double-submit* token: a random value in an
  HttpOnly, SameSite=Lax cookie, and in each form an HMAC of that value under the server's secret key. A forged
  cross-site request has neither.
* Every response carries a strict Content Security Policy (scripts and styles from this origin only, no inline
  script or style), ``X-Content-Type-Options``, ``Referrer-Policy: no-referrer`` (facilitator links are secrets and
  must not leak through the Referer header), frame protection and, over HTTPS, HSTS.
* Request bodies are limited (``Content-Length`` checked first, streamed bodies counted) and answered with 413.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = [
    "JOIN_ALPHABET",
    "BodyLimitMiddleware",
    "SecurityHeadersMiddleware",
    "csrf_token_for",
    "csrf_valid",
    "format_join_code",
    "hash_token",
    "new_join_code",
    "new_token",
    "new_workshop_id",
    "normalise_join_code",
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
    """The token a form must carry, for the CSRF cookie ``cookie_value``."""
    return hmac.new(secret, b"csrf:" + cookie_value.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, cookie_value: str | None, form_value: str | None) -> bool:
    """Whether a form's CSRF token matches the cookie (constant-time comparison)."""
    if not cookie_value or not form_value:
        return False
    return hmac.compare_digest(csrf_token_for(secret, cookie_value), form_value)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    """Adds security headers to every HTTP response."""

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

                def add(name: str, value: str) -> None:
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))

                add("content-security-policy", CSP)
                add("x-content-type-options", "nosniff")
                add("referrer-policy", "no-referrer")
                add("x-frame-options", "DENY")
                add("cross-origin-opener-policy", "same-origin")
                add("cross-origin-resource-policy", "same-origin")
                add("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
                if https:
                    add("strict-transport-security", "max-age=31536000")
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Answers 413 when a request body is larger than ``limit`` bytes, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    @property
    def message(self) -> str:
        return f"The request is too large (limit: {self.limit} bytes). Shorten the text and try again."

    async def _reject(self, send: Send) -> None:
        import json

        body = json.dumps({"detail": self.message}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    await self._reject(send)
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
