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
"""


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--db",
        default=DEFAULT_DB,
        metavar="PATH_OR_URL",
        help=f"SQLite file (default {DEFAULT_DB} in the working directory) or a database URL (postgresql://...)",
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


def _run(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit_web.serve import serve

    return serve(
        host=args.host,
        port=args.port,
        db=args.db,
        proxy_headers=args.proxy_headers,
        secure_cookies=True if args.secure_cookies else None,
        ctx=ctx,
    )


@hookimpl
def matrixkit_register_commands(register: CommandRegister) -> None:
    register.command(
        "serve",
        run=_run,
        configure=_configure,
        help="run the online self-assessment and live workshop tool",
        description=DESCRIPTION,
    )
