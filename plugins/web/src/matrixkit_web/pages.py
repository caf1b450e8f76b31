"""What the HTML pages share: templates, CSRF tokens, cookies, form reading and error pages.

Templates are Jinja2 with autoescaping on for every ``.html`` file: every value from a person (titles, names,
comments, sectors) is escaped where it is shown. Forms post back to the same origin; each carries a CSRF token
bound to the browser session (:mod:`matrixkit_web.security`), checked by :func:`form_data` before the handler
runs, which also refuses control characters in any field.

The browser session is one HttpOnly cookie, ``mk_session``: a random value whose hash the database links to the
workshops the browser facilitates or answers (:meth:`matrixkit_web.store.Store.roles`). Nothing about a session
is kept in the server process, so any worker of any server can serve any request. A browser that has not signed
in to anything still gets a session value (for its forms' CSRF tokens) but no database row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData as StarletteFormData
from starlette.datastructures import UploadFile

from matrixkit_web import __version__
from matrixkit_web.security import control_character, csrf_token_for, csrf_valid, format_join_code, hash_token
from matrixkit_web.store import SESSION_DAYS, Role

if TYPE_CHECKING:
    import jinja2

    from matrixkit_web.app import AppState

__all__ = [
    "LONG_TEXT_FIELDS",
    "REVEAL_COOKIE",
    "SESSION_COOKIE",
    "Form",
    "admin_token_problem",
    "check_upload",
    "client_address",
    "describe_roles",
    "error_page",
    "etag_for",
    "form_data",
    "is_long_text",
    "not_modified",
    "public_url",
    "redirect",
    "render",
    "reveal",
    "revealed",
    "session_token",
    "set_cookie",
    "set_session",
    "state",
    "upload_form",
]

SESSION_COOKIE = "mk_session"
#: A secret shown once (a new facilitator or return link), on the page the browser is sent to next.
REVEAL_COOKIE = "mk_reveal"
#: Form fields where tab and newlines are allowed (long text); control characters are refused in every field.
#: Numbered fields (``action-2-what``, ``comment-leadership``) are long text when their base name is.
LONG_TEXT_FIELDS = frozenset({"comment", "notes", "priorities", "what", "measure", "sectors", "tables"})


def is_long_text(name: str) -> bool:
    """Whether the form field ``name`` holds long text (tab and newlines allowed)."""
    return name in LONG_TEXT_FIELDS or any(part in LONG_TEXT_FIELDS for part in name.split("-"))


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def state(request: Request) -> AppState:
    mk: AppState = request.app.state.mk
    return mk


@cache
def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("matrixkit_web", "templates"),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.filters["join_code"] = format_join_code
    env.filters["percent"] = _percent
    env.filters["ink"] = text_colour
    env.filters["when"] = _when
    env.filters["options"] = lambda values: [(v, v, "") for v in values]
    return env


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (``#rrggbb``; WCAG relative luminance)."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(background[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#0b0c0c" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def _percent(value: float | None) -> str:
    """A share as a whole percentage, rounded *down* as the reports round agreement: a domain flagged for
    agreement below 70% never shows 70% (69.6% shows 69%), and only everyone shows 100%."""
    return "–" if value is None else f"{math.floor(value * 100 + 1e-9)}%"


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.strftime("%-d %B %Y, %H:%M UTC")


def _secure(request: Request) -> bool:
    configured = state(request).settings.secure_cookies
    return configured if configured is not None else request.url.scheme == "https"


def public_url(request: Request, path: str) -> str:
    """An absolute address on this service, from the configured public base URL (never the Host header)."""
    return state(request).settings.public_url.rstrip("/") + path


def client_address(request: Request) -> str | None:
    """The client's address (the proxy's ``X-Forwarded-For`` when the server trusts its proxy)."""
    return request.client.host if request.client else None


def admin_token_problem(request: Request, given: str | None) -> str | None:
    """Whether ``given`` may create a workshop on this server: None when it may (or no admin token is set),
    ``"missing"`` or ``"wrong"`` otherwise. A wrong token counts as a failed attempt of the client's address
    (:class:`~matrixkit_web.ratelimit.TooManyError` once too many). Shared by the API and the pages."""
    mk = state(request)
    expected = mk.settings.admin_token_hash
    if expected is None:
        return None
    address = client_address(request)
    mk.limits.check("failed", address)
    if not given:
        return "missing"
    if len(given) > 200 or not hmac.compare_digest(hash_token(given), expected):
        mk.limits.hit("failed", address)
        return "wrong"
    return None


def describe_roles(request: Request, roles: list[Role]) -> list[str]:
    """What a browser session is signed in to, in words (for the confirmation before a link signs it in as
    someone else)."""
    store = state(request).store
    described = []
    for role in roles:
        workshop = store.workshop(role.workshop_id)
        if workshop is None:
            continue
        if role.role == "facilitator":
            described.append(f"the facilitator of {workshop.title}")
        else:
            person = store.participant(role.workshop_id, role.participant_id or 0)
            who = person.display_name if person is not None else "a participant"
            described.append(f"{who}, a participant in {workshop.title}")
    return described


def set_cookie(
    request: Request, response: Response, name: str, value: str, *, path: str = "/", max_age: int | None = None
) -> None:
    """Set a cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, scoped to ``path``."""
    response.set_cookie(
        name,
        value,
        max_age=SESSION_DAYS * 24 * 3600 if max_age is None else max_age,
        path=path,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def session_token(request: Request) -> str | None:
    """The browser's session value (None without a well-formed one)."""
    value = request.cookies.get(SESSION_COOKIE)
    return value if value and _TOKEN.match(value) else None


def set_session(request: Request, response: Response, token: str) -> None:
    """Give the browser its (new) session value."""
    set_cookie(request, response, SESSION_COOKIE, token)


def reveal(request: Request, response: Response, secret: str, path: str) -> None:
    """Show ``secret`` once, on the page at ``path`` the browser goes to next (a short-lived cookie for that
    page only; the secret is never stored in plain text on the server)."""
    set_cookie(request, response, REVEAL_COOKIE, secret, path=path, max_age=300)


def revealed(request: Request) -> str | None:
    """The secret to show once on this page (:func:`render` deletes the cookie with the page it renders)."""
    value = request.cookies.get(REVEAL_COOKIE)
    return value if value and _TOKEN.match(value) else None


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page, with a CSRF token for its forms bound to the browser session (giving the browser a session
    value when it has none)."""
    mk = state(request)
    cookie = session_token(request)
    new_cookie = None
    if cookie is None:
        cookie = new_cookie = secrets.token_urlsafe(32)
    values: dict[str, Any] = {
        "request": request,
        "csrf_token": csrf_token_for(mk.secret, cookie),
        "errors": {},
        "error_list": [],
        "page_title": "",
    }
    values.update(context or {})
    if values["errors"] and not values["error_list"]:
        values["error_list"] = list(values["errors"].items())
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers.setdefault("cache-control", "no-store")
    if new_cookie is not None:
        set_session(request, response, new_cookie)
    if REVEAL_COOKIE in request.cookies:  # shown once: forget it
        response.delete_cookie(
            REVEAL_COOKIE, path=request.url.path, httponly=True, samesite="lax", secure=_secure(request)
        )
    return response


def etag_for(*parts: str) -> str:
    """A strong ETag (quoted) for a live view made from ``parts`` (a data signature and the view's variant) and
    this version of the tool, whose templates shape the response."""
    digest = hashlib.sha256("\x1f".join((__version__, *parts)).encode("utf-8")).hexdigest()[:32]
    return f'"{digest}"'


def not_modified(request: Request, etag: str) -> Response | None:
    """A 304 answer when the request's ``If-None-Match`` holds ``etag`` (weak or strong), else None."""
    given = request.headers.get("if-none-match", "")
    tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
    if etag in tags or "*" in tags:
        return Response(status_code=304, headers={"etag": etag, "cache-control": "no-store"})
    return None


def redirect(url: str) -> RedirectResponse:
    """See-other redirect after a successful POST (so that reloading does not post again)."""
    return RedirectResponse(url, status_code=303)


def error_page(
    request: Request,
    status_code: int,
    title: str | None,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    titles = {
        400: "There is a problem with the request",
        401: "You need the facilitator link",
        403: "You cannot do that here",
        404: "Page not found",
        405: "Page not found",
        409: "That cannot be done now",
        413: "Too much text",
        422: "There is a problem with what was sent",
        429: "Too many attempts",
        500: "Sorry, there is a problem with the service",
    }
    heading = title or titles.get(status_code, "There is a problem")
    return render(
        request,
        "error.html",
        {"page_title": heading, "heading": heading, "message": message},
        status_code=status_code,
        headers=headers,
    )


class Form:
    """A submitted form: text fields stripped, uploads ignored."""

    def __init__(self, data: StarletteFormData) -> None:
        self._data = data

    def get(self, name: str) -> str:
        value = self._data.get(name)
        return value.strip() if isinstance(value, str) else ""

    def getlist(self, name: str) -> list[str]:
        return [v.strip() for v in self._data.getlist(name) if isinstance(v, str)]

    def __contains__(self, name: str) -> bool:
        return name in self._data

    def names(self) -> list[str]:
        """The names of the text fields sent (each once, in order)."""
        return list(dict.fromkeys(k for k, v in self._data.multi_items() if isinstance(v, str)))


async def form_data(request: Request) -> Form:
    """Read a posted form and check its CSRF token (a FastAPI dependency): 403 when it does not match the browser
    session, 422 when a field holds a control character (tab and newlines only in long text)."""
    data = await request.form(max_files=0, max_fields=400)
    return _checked(request, data)


async def upload_form(request: Request) -> tuple[Form, dict[str, UploadFile]]:
    """Read a posted form with files (``multipart/form-data``, at most two) and check it as :func:`form_data`
    does; the files by field name (a field sent without a file is absent), each in memory or a temporary file,
    within the server's request size limit."""
    data = await request.form(max_files=2, max_fields=20)
    form = _checked(request, data)
    files = {name: value for name, value in data.multi_items() if isinstance(value, UploadFile) and value.filename}
    return form, files


def check_upload(upload: UploadFile | None, types: Mapping[str, str]) -> str | None:
    """What is wrong with an uploaded file (None when nothing): none chosen, empty, or not one of ``types``
    (extension → name)."""
    if upload is None or not upload.filename:
        return "Choose a file to upload"
    suffix = "." + upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    if suffix not in types:
        known = ", ".join(f"{name} ({ext})" for ext, name in types.items())
        return f"The file must be one of: {known}"
    if not upload.size:
        return "The file is empty"
    return None


def _checked(request: Request, data: StarletteFormData) -> Form:
    token = data.get("csrf_token")
    if not csrf_valid(state(request).secret, session_token(request), token if isinstance(token, str) else None):
        raise HTTPException(
            403,
            "This form has expired or was not sent from this site. Go back, reload the page and try again.",
        )
    for name, value in data.multi_items():
        if not isinstance(value, str):
            continue
        found = control_character(name) or control_character(value, long_text=is_long_text(name))
        if found:
            raise HTTPException(
                422,
                f"The field {name!r} contains a control character ({found}), which cannot be stored. Remove it "
                "(it may have come with pasted text) and try again.",
            )
    return Form(data)


def check_length(errors: dict[str, str], field: str, value: str, limit: int, label: str) -> None:
    """Record an error when ``value`` is longer than ``limit`` characters."""
    if len(value) > limit:
        errors[field] = f"{label} must be {limit} characters or fewer"
