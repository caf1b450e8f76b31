"""The web application: FastAPI (Starlette) with server-rendered pages, a JSON API and an OpenAPI document.

:func:`create_app` builds the application for a database URL (or an existing :class:`Database`);
:func:`app_from_environment` builds it in each worker process of ``matrixkit serve --workers N`` from the
settings the command put in the environment (:data:`SETTINGS_ENV`). On start every worker migrates the database
(once across all of them: see :meth:`Database.migrate`), loads the instrument catalogue and the other plugin
tables, so that no request ever sees them half-built, and then serves:

* the JSON API under ``/api`` (:mod:`matrixkit_web.api`), described by ``/openapi.json``;
* the participant's pages (:mod:`matrixkit_web.participant`) and the facilitator's pages
  (:mod:`matrixkit_web.facilitator`): plain HTML forms that work without JavaScript;
* static files (styles, the vendored htmx script) under ``/static``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
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
from matrixkit_web.ratelimit import Limits, TooManyError
from matrixkit_web.security import AccessLogMiddleware, BodyLimitMiddleware, SecurityHeadersMiddleware, redact
from matrixkit_web.store import Store

if TYPE_CHECKING:
    from matrixkit.registry import Registry

__all__ = ["SETTINGS_ENV", "AppState", "Settings", "app_from_environment", "create_app", "prepare"]

#: The environment variable through which ``matrixkit serve`` hands its settings (JSON) to every worker.
SETTINGS_ENV = "MATRIXKIT_WEB_SETTINGS"

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
    #: The address people open (scheme, host, port, optional path): every absolute URL the tool makes starts
    #: with it; the Host header of a request is never used for that.
    public_url: str = "http://127.0.0.1:8000"
    #: SHA-256 (hex) of the admin token that creating a workshop needs (None: anyone may create workshops).
    admin_token_hash: str | None = None
    #: Delete workshops closed more than this many days ago (None: keep them until deleted).
    retention_days: int | None = None
    #: Failed attempts (join codes, links, tokens) allowed per client address (``limits`` notation).
    limit_failed: str = "30 per 10 minutes"
    #: Workshops that may be created per client address.
    limit_create: str = "20 per hour"
    #: Seconds between two purges (retention, expired sessions and counters) in each worker.
    purge_every: int = 3600
    #: Threads per worker that run request handlers (Starlette's default is 40). Handlers are mostly Python
    #: holding the GIL and SQLite takes one writer at a time, so a few threads serve a burst faster than many
    #: (measured: benchmarks/web-load.md); slow downloads still leave threads for submissions.
    threads: int = 8


@attrs.define
class AppState:
    """What every request handler reaches through ``request.app.state.mk``."""

    settings: Settings
    store: Store
    registry: Registry
    limits: Limits
    secret: bytes = b""


def _static_dir() -> Path:
    return Path(str(resources.files("matrixkit_web") / "static"))


def create_app(settings: Settings, *, registry: Registry | None = None, database: Database | None = None) -> FastAPI:
    """The application for ``settings`` (``registry`` defaults to the installed plugins)."""
    if registry is None:
        from matrixkit.registry import get_registry

        registry = get_registry()
    database = database if database is not None else Database(settings.db, pool_size=settings.threads + 2)
    limits = Limits(database, failed=settings.limit_failed, create=settings.limit_create)
    state = AppState(settings=settings, store=Store(database), registry=registry, limits=limits)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(prepare, state)
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        purging = asyncio.create_task(_purge_regularly(state))
        try:
            yield
        finally:
            purging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purging
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
    # Plain ASGI middleware (no per-request wrapper objects); the last added is the outermost.
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(AccessLogMiddleware)
    return app


def app_from_environment() -> FastAPI:
    """The application of one worker of ``matrixkit serve``, from the settings in :data:`SETTINGS_ENV`."""
    raw = os.environ.get(SETTINGS_ENV)
    if not raw:
        raise RuntimeError(f"{SETTINGS_ENV} is not set: start the server with 'matrixkit serve'")
    return create_app(Settings(**json.loads(raw)))


def prepare(state: AppState) -> None:
    """Once per process, before the first request: migrate the database (once across every worker and server),
    load the signing key, and build the plugin tables — the instrument catalogue with every instrument loaded,
    the rules, exporters and readers — so that concurrent first requests never see them half-built."""
    if state.secret:
        return
    state.store.db.migrate()
    registry = state.registry
    registry.instruments.load_all()
    for table in (registry.rules, registry.exporters, registry.readers):
        len(table)
    state.secret = state.store.secret_key()


def purge(state: AppState) -> dict[str, int]:
    """Apply the retention setting and forget expired sessions and counters (see :meth:`Store.purge`)."""
    deleted = state.store.purge(closed_days=state.settings.retention_days)
    if any(deleted.values()):
        log.info("purged %s", ", ".join(f"{n} {what}" for what, n in deleted.items() if n))
    return deleted


async def _purge_regularly(state: AppState) -> None:
    from starlette.concurrency import run_in_threadpool

    while True:
        try:
            await run_in_threadpool(purge, state)
        except Exception:  # pragma: no cover - the database is away; try again next time
            log.exception("purging old data failed")
        await asyncio.sleep(state.settings.purge_every)


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

    @app.exception_handler(TooManyError)
    async def too_many(request: Request, exc: TooManyError) -> Response:
        headers = {"retry-after": str(exc.retry_after)}
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=429, headers=headers)
        return error_page(request, 429, None, str(exc), headers=headers)

    @app.exception_handler(MatrixkitError)
    async def matrixkit_error(request: Request, exc: MatrixkitError) -> Response:
        # E.g. the workshop's instrument is no longer installed: the server's state, not a bug.
        log.warning("%s %s: %s", request.method, redact(request.url.path), exc)
        message = f"This cannot be done with the plugins installed on this server: {exc}"
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=409)
        return error_page(request, 409, None, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:  # pragma: no cover - a bug
        log.exception("unexpected error on %s %s", request.method, redact(request.url.path))
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
