"""``matrixkit serve``: check the database, then run the application under uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matrixkit.errors import MatrixkitError

if TYPE_CHECKING:
    from matrixkit.cli import Context

__all__ = ["serve"]


def serve(
    *,
    host: str,
    port: int,
    db: str,
    proxy_headers: bool = False,
    secure_cookies: bool | None = None,
    ctx: Context,
) -> int:
    """Run the server until interrupted; return the exit status."""
    import sqlalchemy.exc
    import uvicorn

    from matrixkit_web.app import Settings, create_app, prepare
    from matrixkit_web.db import Database

    if not 0 < port < 65536:
        raise MatrixkitError(f"--port {port}: give a port from 1 to 65535")
    try:
        database = Database(db)
    except (ValueError, sqlalchemy.exc.ArgumentError) as exc:
        raise MatrixkitError(f"--db {db}: {exc}") from None
    except ModuleNotFoundError as exc:
        raise MatrixkitError(
            f"--db {db}: the database driver {exc.name!r} is not installed; install maturity-matrixkit-web[postgres]"
        ) from None
    settings = Settings(db=db, secure_cookies=secure_cookies)
    app = create_app(settings, registry=ctx.registry, database=database)
    # Migrate now, so that a database that cannot be reached or upgraded fails before the server starts.
    try:
        prepare(app.state.mk)
    except sqlalchemy.exc.SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise MatrixkitError(f"--db {db}: cannot open the database: {type(reason).__name__}: {reason}") from None
    ctx.warn_registry_problems()
    where = database.url.render_as_string(hide_password=True)
    ctx.print(f"matrixkit serve: data in {where}")
    ctx.print(f"matrixkit serve: open http://{host if ':' not in host else f'[{host}]'}:{port}/ (Ctrl+C to stop)")
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=proxy_headers,
        forwarded_allow_ips="*" if proxy_headers else None,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
    return 0
