"""``matrixkit web-admin``: online backup and restore of a SQLite database, purge, migrate.

A SQLite database is copied with SQLite's own online backup API (:meth:`sqlite3.Connection.backup`): the copy is
one consistent state of the database even while the server keeps writing, WAL included — unlike copying the
file, which can catch a half-written page or miss the ``-wal`` file. A restore checks the backup (SQLite's
integrity check, a web-tool schema) and copies it back through the same API, then brings its schema up to date.

PostgreSQL has its own tools for this: ``pg_dump --format=custom`` and ``pg_restore`` (see docs/web.md).
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from matrixkit.errors import MatrixkitError

if TYPE_CHECKING:
    from matrixkit.cli import Context
    from matrixkit_web.db import Database

__all__ = ["backup", "backup_sqlite", "migrate", "purge", "restore", "restore_sqlite"]

POSTGRES_HINT = (
    "this is a PostgreSQL database: back it up with 'pg_dump --format=custom --file=workshops.dump URL' and "
    "restore with 'pg_restore --clean --if-exists --dbname=URL workshops.dump' (see docs/web.md)"
)


def _open(db: str) -> Database:
    import sqlalchemy.exc

    from matrixkit_web.db import Database

    try:
        return Database(db)
    except (ValueError, sqlalchemy.exc.ArgumentError) as exc:
        raise MatrixkitError(f"--db {db}: {exc}") from None
    except ModuleNotFoundError as exc:
        raise MatrixkitError(f"--db {db}: the database driver {exc.name!r} is not installed") from None


def _sqlite_path(db: str) -> Path:
    database = _open(db)
    try:
        if database.path is None:
            raise MatrixkitError(f"--db {db}: {POSTGRES_HINT}")
        return database.path
    finally:
        database.dispose()


def _schema_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def backup_sqlite(source: Path, output: Path) -> None:
    """Copy the SQLite database ``source`` to the new file ``output`` while it may be in use."""
    if output.exists():
        raise MatrixkitError(f"{output}: already exists; give a new file name for the backup")
    if not source.is_file():
        raise MatrixkitError(f"{source}: there is no database here")
    partial = output.with_name(output.name + ".partial")
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as src:
        if _schema_revision(src) is None:
            raise MatrixkitError(f"{source}: not a database of 'matrixkit serve' (no schema version)")
        with contextlib.closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
    partial.replace(output)  # only a complete backup gets the name asked for


def restore_sqlite(backup_file: Path, target: Path, *, force: bool = False) -> str:
    """Replace the SQLite database ``target`` by ``backup_file`` (the server must be stopped); returns the
    backup's schema revision (the caller migrates it to the current one)."""
    if not backup_file.is_file():
        raise MatrixkitError(f"{backup_file}: there is no backup here")
    with contextlib.closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as src:
        try:
            check = src.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise MatrixkitError(f"{backup_file}: not a SQLite database ({exc})") from None
        if not check or check[0] != "ok":
            raise MatrixkitError(f"{backup_file}: the backup is damaged (integrity check: {check})")
        revision = _schema_revision(src)
        if revision is None:
            raise MatrixkitError(f"{backup_file}: not a backup of 'matrixkit serve' (no schema version)")
        if target.exists() and not force:
            with contextlib.closing(sqlite3.connect(target, timeout=30)) as existing:
                try:
                    count = existing.execute("SELECT count(*) FROM workshops").fetchone()[0]
                except sqlite3.DatabaseError:
                    count = 0
            if count:
                raise MatrixkitError(
                    f"{target}: holds {count} workshop(s); stop the server and add --force to replace them by the "
                    "backup"
                )
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(target, timeout=30)) as dst:
            src.backup(dst)
    return revision


def backup(db: str, output: str, *, ctx: Context) -> int:
    source = _sqlite_path(db)
    backup_sqlite(source, Path(output))
    ctx.print(f"matrixkit web-admin: backed up {source} to {output}")
    return 0


def restore(db: str, backup_file: str, *, force: bool, ctx: Context) -> int:
    target = _sqlite_path(db)
    revision = restore_sqlite(Path(backup_file), target, force=force)
    migrate(db, ctx=ctx, quiet=True)
    ctx.print(f"matrixkit web-admin: restored {target} from {backup_file} (schema {revision}, now up to date)")
    return 0


def migrate(db: str, *, ctx: Context, quiet: bool = False) -> int:
    import sqlalchemy.exc

    database = _open(db)
    try:
        database.migrate()
        revision = database.current_revision()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise MatrixkitError(f"--db {db}: cannot open the database: {type(reason).__name__}: {reason}") from None
    finally:
        database.dispose()
    if not quiet:
        ctx.print(f"matrixkit web-admin: the database is at schema {revision}")
    return 0


def purge(db: str, retention: int | None, *, ctx: Context) -> int:
    from matrixkit_web.store import Store

    migrate(db, ctx=ctx, quiet=True)
    database = _open(db)
    try:
        deleted = Store(database).purge(closed_days=retention)
    finally:
        database.dispose()
    kept = "" if retention is not None else " (no --retention-days: closed workshops are kept)"
    ctx.print(
        f"matrixkit web-admin: deleted {deleted['workshops']} workshop(s), {deleted['sessions']} expired "
        f"session(s), {deleted['rate_limits']} expired counter(s){kept}"
    )
    return 0
