"""``matrixkit serve``: check the settings and the database, then run the application under uvicorn.

The settings reach every worker process through the environment (:data:`matrixkit_web.app.SETTINGS_ENV`, JSON;
the admin token only as its hash); each worker builds its application with
:func:`matrixkit_web.app.app_from_environment`. Nothing is shared between workers but the database.
"""

from __future__ import annotations

import ipaddress
import json
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from matrixkit.errors import MatrixkitError

if TYPE_CHECKING:
    from matrixkit.cli import Context

__all__ = ["is_loopback", "log_config", "retention_days", "serve"]

#: Shortest admin token accepted (a token is a secret, not a password to remember).
MIN_ADMIN_TOKEN = 16


def is_loopback(host: str) -> bool:
    """Whether ``host`` listens on this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def retention_days(value: str | int | None) -> int | None:
    """The retention setting, checked: a whole number of days, 1 or more (None: keep workshops)."""
    if value is None or value == "":
        return None
    try:
        days = int(value)
    except ValueError:
        raise MatrixkitError(f"--retention-days {value}: give a whole number of days, like 90") from None
    if days < 1:
        raise MatrixkitError(f"--retention-days {value}: give 1 or more days (leave it out to keep workshops)")
    return days


def _public_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise MatrixkitError(
            f"--public-url {value}: give the address people open, like https://workshops.example.org "
            "(http or https, a host, optionally a path; no query)"
        )
    return value.rstrip("/")


def _limit(option: str, value: str) -> str:
    from limits import parse

    try:
        parse(value)
    except ValueError:
        flag = "--" + option.replace("_", "-")
        raise MatrixkitError(f"{flag} {value!r}: write a limit like '30 per 10 minutes' or '20/hour'") from None
    return value


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the tool's own loggers (its access log among them) on the same handler."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["matrixkit_web"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(
    *,
    host: str,
    port: int,
    db: str,
    workers: int = 1,
    threads: int | None = None,
    public_url: str | None = None,
    admin_token: str | None = None,
    retention: int | None = None,
    limit_failed: str | None = None,
    limit_create: str | None = None,
    proxy_headers: bool = False,
    secure_cookies: bool | None = None,
    ctx: Context,
) -> int:
    """Run the server until interrupted; return the exit status."""
    import attrs
    import sqlalchemy.exc
    import uvicorn

    from matrixkit_web.app import SETTINGS_ENV, Settings
    from matrixkit_web.db import Database
    from matrixkit_web.names import skeleton_unavailable
    from matrixkit_web.security import hash_token

    if not 0 < port < 65536:
        raise MatrixkitError(f"--port {port}: give a port from 1 to 65535")
    if workers < 1:
        raise MatrixkitError(f"--workers {workers}: give 1 or more worker processes")
    if threads is not None and not 1 <= threads <= 200:
        raise MatrixkitError(f"--threads {threads}: give 1 to 200 threads per worker")
    if not is_loopback(host):
        if admin_token is None:
            raise MatrixkitError(
                f"--host {host} listens beyond this machine: give an admin token for creating workshops "
                "(MATRIXKIT_WEB_ADMIN_TOKEN=..., or --admin-token)"
            )
        if public_url is None:
            raise MatrixkitError(
                f"--host {host} listens beyond this machine: give the address people open with --public-url "
                "(e.g. https://workshops.example.org); links are never built from the request's Host header"
            )
    if admin_token is not None and len(admin_token) < MIN_ADMIN_TOKEN:
        raise MatrixkitError(
            f"the admin token is too short: give at least {MIN_ADMIN_TOKEN} characters (e.g. the output of "
            "'python -c \"import secrets; print(secrets.token_urlsafe(32))\"')"
        )
    shown_host = f"[{host}]" if ":" in host else host
    url = _public_url(public_url) if public_url else f"http://{shown_host}:{port}"
    try:
        database = Database(db)
    except (ValueError, sqlalchemy.exc.ArgumentError) as exc:
        raise MatrixkitError(f"--db {db}: {exc}") from None
    except ModuleNotFoundError as exc:
        raise MatrixkitError(
            f"--db {db}: the database driver {exc.name!r} is not installed; install maturity-matrixkit-web[postgres]"
        ) from None
    # Migrate now, so that a database that cannot be reached or upgraded fails before the server starts (the
    # workers find it up to date).
    try:
        database.migrate()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise MatrixkitError(f"--db {db}: cannot open the database: {type(reason).__name__}: {reason}") from None
    finally:
        database.dispose()
    ctx.warn_registry_problems()
    missing = skeleton_unavailable()
    if missing:
        ctx.warn(f"matrixkit serve: {missing}")
    defaults = Settings(db=db)
    settings = attrs.evolve(
        defaults,
        secure_cookies=secure_cookies,
        public_url=url,
        admin_token_hash=hash_token(admin_token) if admin_token else None,
        retention_days=retention,
        limit_failed=_limit("limit_failed", limit_failed) if limit_failed else defaults.limit_failed,
        limit_create=_limit("limit_create", limit_create) if limit_create else defaults.limit_create,
        threads=threads if threads is not None else defaults.threads,
    )
    os.environ[SETTINGS_ENV] = json.dumps(attrs.asdict(settings))
    where = database.url.render_as_string(hide_password=True)
    ctx.print(f"matrixkit serve: data in {where}")
    if settings.admin_token_hash:
        ctx.print("matrixkit serve: creating a workshop needs the admin token")
    if retention:
        ctx.print(f"matrixkit serve: workshops closed more than {retention} days ago are deleted")
    ctx.print(
        f"matrixkit serve: listening on {shown_host}:{port} with {workers} worker{'s' if workers > 1 else ''}; "
        f"open {url}/ (Ctrl+C to stop)"
    )
    uvicorn.run(
        "matrixkit_web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips="*" if proxy_headers else None,
        log_level="info",
        log_config=log_config(),
        access_log=False,  # the tool's own access log redacts secrets (matrixkit_web.security)
        timeout_graceful_shutdown=10,
    )
    return 0
