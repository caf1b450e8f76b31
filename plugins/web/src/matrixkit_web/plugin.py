"""Entry point ``web``: adds ``matrixkit serve``.

This module stays light: it imports neither the web framework nor the database toolkit. They are imported when
``serve`` runs (:mod:`matrixkit_web.serve`), so listing tools or writing exports does not pay for them.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from matrixkit import hookimpl

if TYPE_CHECKING:
    from matrixkit.cli import Context
    from matrixkit.registry import CommandRegister

DEFAULT_DB = "matrixkit-workshops.sqlite"

DESCRIPTION = """\
Run the online self-assessment and live workshop tool.

Facilitators create a workshop in the browser (or with POST /api/workshops) and get a secret facilitator link;
participants join with a short code, answer the matrix row by row and submit. The dashboard shows the collation
live; decisions, priorities and actions are recorded per domain; any installed export can be downloaded.

Data is kept in a SQLite file (WAL mode) by default, or in PostgreSQL with --db postgresql://user@host/dbname
(install maturity-matrixkit-web[postgres]). The JSON API is described at /openapi.json.

Several workers (--workers) and several servers on one PostgreSQL database share everything through the
database: sessions, rate limits and live updates. Listening beyond this machine (--host other than loopback)
needs an admin token for creating workshops and the public address people open (--public-url).

Options can also come from the environment (for systemd's EnvironmentFile), e.g. MATRIXKIT_WEB_ADMIN_TOKEN,
which keeps the token out of the process list.
"""

WEB_ADMIN_DESCRIPTION = """\
Look after the database of 'matrixkit serve': back it up while the server runs, restore a backup,
delete what the retention setting no longer keeps, or bring the schema up to date.

SQLite databases are backed up online through SQLite's backup API (a consistent copy while the server keeps
writing). For PostgreSQL use pg_dump and pg_restore (see docs/web.md).
"""

#: Settings that may come from the environment: option → variable.
ENVIRONMENT = {
    "db": "MATRIXKIT_WEB_DB",
    "admin_token": "MATRIXKIT_WEB_ADMIN_TOKEN",
    "public_url": "MATRIXKIT_WEB_PUBLIC_URL",
    "retention_days": "MATRIXKIT_WEB_RETENTION_DAYS",
    "limit_failed": "MATRIXKIT_WEB_LIMIT_FAILED",
    "limit_create": "MATRIXKIT_WEB_LIMIT_CREATE",
}


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        metavar="PATH_OR_URL",
        help=f"SQLite file (default {DEFAULT_DB} in the working directory) or a database URL (postgresql://...); "
        f"or ${ENVIRONMENT['db']}",
    )


def _retention_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--retention-days",
        type=int,
        default=None,
        metavar="N",
        help="delete workshops closed more than N days ago (checked at start-up and every hour; default: keep "
        f"them until a facilitator deletes them); or ${ENVIRONMENT['retention_days']}",
    )


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    _db_option(parser)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default 1); they share everything through the database",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help="threads per worker running request handlers (default 8)",
    )
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address people open, e.g. https://workshops.example.org (links are built from it, never from "
        "the request's Host header; required beyond loopback; default http://HOST:PORT); "
        f"or ${ENVIRONMENT['public_url']}",
    )
    parser.add_argument(
        "--admin-token",
        default=None,
        metavar="TOKEN",
        help="creating a workshop needs this token (required when listening beyond loopback; at least 16 "
        f"characters). Prefer ${ENVIRONMENT['admin_token']}: options are visible in the process list",
    )
    _retention_option(parser)
    parser.add_argument(
        "--limit-failed",
        default=None,
        metavar="LIMIT",
        help="failed attempts (join codes, links, tokens) allowed per client address, e.g. '30 per 10 minutes' "
        f"(the default); or ${ENVIRONMENT['limit_failed']}",
    )
    parser.add_argument(
        "--limit-create",
        default=None,
        metavar="LIMIT",
        help="workshops created per client address, e.g. '20 per hour' (the default); "
        f"or ${ENVIRONMENT['limit_create']}",
    )
    parser.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-Proto/-For from the proxy in front (set when TLS ends at a reverse proxy)",
    )
    parser.add_argument(
        "--secure-cookies",
        action="store_true",
        help="always mark cookies Secure (default: only when the request came over HTTPS)",
    )


def _from_environment(args: argparse.Namespace, name: str) -> str | None:
    import os

    value = getattr(args, name, None)
    return value if value is not None else os.environ.get(ENVIRONMENT[name]) or None


def _run(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit_web.serve import retention_days, serve

    return serve(
        host=args.host,
        port=args.port,
        db=_from_environment(args, "db") or DEFAULT_DB,
        workers=args.workers,
        threads=args.threads,
        public_url=_from_environment(args, "public_url"),
        admin_token=_from_environment(args, "admin_token"),
        retention=retention_days(_from_environment(args, "retention_days")),
        limit_failed=_from_environment(args, "limit_failed"),
        limit_create=_from_environment(args, "limit_create"),
        proxy_headers=args.proxy_headers,
        secure_cookies=True if args.secure_cookies else None,
        ctx=ctx,
    )


def _configure_admin(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, help="backup, restore, purge or migrate (see ACTION --help)"
    )
    backup = actions.add_parser("backup", help="copy the SQLite database while the server runs (online backup)")
    _db_option(backup)
    backup.add_argument("output", metavar="BACKUP_FILE", help="the backup to write (must not exist)")
    restore = actions.add_parser("restore", help="replace the SQLite database by a backup (server stopped)")
    _db_option(restore)
    restore.add_argument("backup", metavar="BACKUP_FILE", help="a backup made by 'matrixkit web-admin backup'")
    restore.add_argument("--force", action="store_true", help="replace a database that already holds workshops")
    purge = actions.add_parser("purge", help="delete what the retention setting no longer keeps, now")
    _db_option(purge)
    _retention_option(purge)
    migrate = actions.add_parser("migrate", help="create the tables or bring them up to date, and stop")
    _db_option(migrate)


def _run_admin(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit_web import maintenance
    from matrixkit_web.serve import retention_days

    db = _from_environment(args, "db") or DEFAULT_DB
    if args.action == "backup":
        return maintenance.backup(db, args.output, ctx=ctx)
    if args.action == "restore":
        return maintenance.restore(db, args.backup, force=args.force, ctx=ctx)
    if args.action == "purge":
        return maintenance.purge(db, retention_days(_from_environment(args, "retention_days")), ctx=ctx)
    return maintenance.migrate(db, ctx=ctx)


@hookimpl
def matrixkit_register_commands(register: CommandRegister) -> None:
    register.command(
        "serve",
        run=_run,
        configure=_configure,
        help="run the online self-assessment and live workshop tool",
        description=DESCRIPTION,
    )
    register.command(
        "web-admin",
        run=_run_admin,
        configure=_configure_admin,
        help="back up, restore or purge the database of 'matrixkit serve'",
        description=WEB_ADMIN_DESCRIPTION,
    )
