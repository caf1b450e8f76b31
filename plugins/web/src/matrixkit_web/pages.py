"""What the HTML pages share: templates, CSRF tokens, cookies, form reading and error pages.

Templates are Jinja2 with autoescaping on for every ``.html`` file: every value from a person (titles, names,
comments, sectors) is escaped where it is shown. Forms post back to the same origin; each carries a CSRF token
(:mod:`matrixkit_web.security`) checked by :func:`form_data` before the handler runs.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData as StarletteFormData

from matrixkit_web import __version__
from matrixkit_web.security import csrf_token_for, csrf_valid, format_join_code

if TYPE_CHECKING:
    import jinja2

    from matrixkit_web.app import AppState

__all__ = [
    "CSRF_COOKIE",
    "FACILITATOR_COOKIE",
    "PARTICIPANT_COOKIE",
    "Form",
    "error_page",
    "form_data",
    "redirect",
    "render",
    "set_cookie",
    "state",
]

CSRF_COOKIE = "mk_csrf"
FACILITATOR_COOKIE = "mk_f"
PARTICIPANT_COOKIE = "mk_p"
#: Browser participants and facilitators stay signed in to a workshop for this long (they can come back).
SESSION_DAYS = 30


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
    env.filters["when"] = _when
    env.filters["options"] = lambda values: [(v, v, "") for v in values]
    return env


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.strftime("%-d %B %Y, %H:%M UTC")


def _secure(request: Request) -> bool:
    configured = state(request).settings.secure_cookies
    return configured if configured is not None else request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, *, path: str = "/") -> None:
    """Set a session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, scoped to ``path``."""
    response.set_cookie(
        name,
        value,
        max_age=SESSION_DAYS * 24 * 3600,
        path=path,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page, with a CSRF token for its forms (setting the CSRF cookie when the browser has none)."""
    mk = state(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    new_cookie = None
    if not cookie or len(cookie) > 100:
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
        set_cookie(request, response, CSRF_COOKIE, new_cookie)
    return response


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


async def form_data(request: Request) -> Form:
    """Read a posted form and check its CSRF token (a FastAPI dependency); 403 when it does not match."""
    data = await request.form(max_files=0, max_fields=400)
    token = data.get("csrf_token")
    if not csrf_valid(
        state(request).secret, request.cookies.get(CSRF_COOKIE), token if isinstance(token, str) else None
    ):
        raise HTTPException(
            403,
            "This form has expired or was not sent from this site. Go back, reload the page and try again.",
        )
    return Form(data)


def check_length(errors: dict[str, str], field: str, value: str, limit: int, label: str) -> None:
    """Record an error when ``value`` is longer than ``limit`` characters."""
    if len(value) > limit:
        errors[field] = f"{label} must be {limit} characters or fewer"
