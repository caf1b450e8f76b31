"""The web application: FastAPI (Starlette) with server-rendered pages, a JSON API and an OpenAPI document.

:func:`create_app` builds the application for a database URL (or an existing :class:`Database`). The
application migrates the database on start, then serves:

* the JSON API under ``/api`` (:mod:`matrixkit_web.api`), described by ``/openapi.json``;
* the participant's pages (:mod:`matrixkit_web.participant`) and the facilitator's pages
  (:mod:`matrixkit_web.facilitator`): plain HTML forms that work without JavaScript;
* static files (styles, the vendored htmx script) under ``/static``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from matrixkit.errors import MatrixkitError
from matrixkit_web import __version__
from matrixkit_web.db import Database
from matrixkit_web.security import BodyLimitMiddleware, SecurityHeadersMiddleware
from matrixkit_web.store import Store

if TYPE_CHECKING:
    from matrixkit.registry import Registry

__all__ = ["AppState", "Settings", "create_app"]

log = logging.getLogger("matrixkit_web")


@attrs.frozen
class Settings:
    """How the server runs."""

    #: SQLite file path or database URL.
    db: str
    #: Largest request body accepted, in bytes.
    max_body: int = 256 * 1024
    #: Seconds between live refreshes of the dashboard (with JavaScript).
    refresh_seconds: int = 5
    #: Mark cookies ``Secure``: None decides per request (HTTPS → Secure).
    secure_cookies: bool | None = None


@attrs.define
class AppState:
    """What every request handler reaches through ``request.app.state.mk``."""

    settings: Settings
    store: Store
    registry: Registry
    secret: bytes = b""


def _static_dir() -> Path:
    return Path(str(resources.files("matrixkit_web") / "static"))


def create_app(settings: Settings, *, registry: Registry | None = None, database: Database | None = None) -> FastAPI:
    """The application for ``settings`` (``registry`` defaults to the installed plugins)."""
    if registry is None:
        from matrixkit.registry import get_registry

        registry = get_registry()
    database = database if database is not None else Database(settings.db)
    state = AppState(settings=settings, store=Store(database), registry=registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prepare(state)
        yield
        database.dispose()

    app = FastAPI(
        title="matrixkit workshops",
        version=__version__,
        description=(
            "The online self-assessment and live workshop tool of matrixkit. Facilitators create workshops "
            "(`POST /api/workshops`) and read the collation with their facilitator token as a Bearer token; "
            "participants submit responses with the workshop's join code. The collation is the same JSON "
            "`matrixkit collate` prints."
        ),
        openapi_url="/openapi.json",
        docs_url=None,  # the interactive pages load scripts from a CDN, which the CSP (rightly) forbids
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.mk = state

    from matrixkit_web import api, facilitator, participant

    app.include_router(api.router)
    app.include_router(participant.router)
    app.include_router(facilitator.router)
    app.mount("/static", StaticFiles(directory=_static_dir()), name="static")

    _install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def prepare(state: AppState) -> None:
    """Migrate the database and load the signing key (once, when the server starts)."""
    if state.secret:
        return
    state.store.db.migrate()
    state.secret = state.store.secret_key()


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _install_error_handlers(app: FastAPI) -> None:
    from matrixkit_web.pages import error_page

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [_describe_error(e) for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        if _wants_json(request):
            return JSONResponse({"detail": detail or "invalid request", "errors": errors}, status_code=422)
        return error_page(request, 400, "There is a problem with the request", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = getattr(exc, "headers", None)
        if _wants_json(request) or exc.status_code == 413:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
        return error_page(request, exc.status_code, None, str(exc.detail), headers=headers)

    @app.exception_handler(MatrixkitError)
    async def matrixkit_error(request: Request, exc: MatrixkitError) -> Response:
        # E.g. the workshop's instrument is no longer installed: the server's state, not a bug.
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        message = f"This cannot be done with the plugins installed on this server: {exc}"
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=409)
        return error_page(request, 409, None, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:  # pragma: no cover - a bug
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if _wants_json(request):
            return JSONResponse({"detail": "Something went wrong on the server."}, status_code=500)
        return error_page(request, 500, "Sorry, there is a problem with the service", "Try again later.")


def _describe_error(error: dict[str, Any]) -> dict[str, str]:
    """A pydantic error as ``{"field": "choices.leadership", "message": "..."}`` with a readable message."""
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    message = str(error.get("msg", "invalid"))
    kind = error.get("type", "")
    if kind == "json_invalid":
        message = "the body is not valid JSON"
    elif kind in ("model_attributes_type", "dict_type") and not location:
        message = "the body must be a JSON object"
    elif kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "missing":
        message = "required"
    return {"field": ".".join(location), "message": message}
