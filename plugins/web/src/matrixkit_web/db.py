"""The database: tables (SQLAlchemy Core), engines for SQLite and PostgreSQL, and migrations (Alembic).

Everything the web tool stores lives in five tables:

``workshops``
    one row per workshop: the instrument (id, version, fingerprint), title, date, place, the sectors and tables
    in use, the consensus rule, the participant join code and the *hash* of the facilitator token, open/closed.
``participants``
    one row per person taking part: the participant id used in collations, their attributes (sector, table,
    ...), the hash of their browser token (none for API submissions), when they submitted and how many times.
    ``(workshop_id, participant_key)`` is unique: a second submission of the same participant is a revision.
``answers``
    one row per participant and domain: the chosen level *key* (null = "not sure") and an optional comment.
``decisions`` and ``actions``
    what the workshop agreed per domain (the core's :class:`matrixkit.workshop.DomainDecision`): the agreed and
    target levels, its rank among the priorities for action, the proposed priorities, notes, and actions (what,
    who, by when, how progress is measured).

The schema is created and upgraded by the Alembic migrations shipped in :mod:`matrixkit_web.migrations`,
run automatically when the server starts (``metadata`` here must match them; a test checks it does).

SQLite (the default) runs in WAL mode, with foreign keys on, ``synchronous=FULL`` (a committed answer survives a
crash or a power cut) and a busy timeout; write transactions start with ``BEGIN IMMEDIATE`` so that concurrent
writers queue for the lock instead of failing when a read lock cannot be upgraded. PostgreSQL is used through
psycopg 3.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

__all__ = [
    "Database",
    "actions",
    "answers",
    "decisions",
    "metadata",
    "normalise_url",
    "participants",
    "settings",
    "workshops",
]

#: Constraint names follow one convention so that migrations can refer to them on every database.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Timestamp = sa.DateTime(timezone=True)

settings = sa.Table(
    "mk_settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("instrument", sa.String(100), nullable=False),
    sa.Column("instrument_version", sa.String(100), nullable=False),
    sa.Column("instrument_fingerprint", sa.String(64), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("date", sa.String(10), nullable=True),
    sa.Column("place", sa.String(200), nullable=True),
    sa.Column("sectors", sa.JSON, nullable=False),
    sa.Column("tables", sa.JSON, nullable=False),
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("join_code", sa.String(16), nullable=False, unique=True),
    sa.Column("facilitator_token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("previous_id", sa.String(32), sa.ForeignKey("workshops.id", ondelete="SET NULL"), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("closed_at", Timestamp, nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name="status"),
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.String(32), sa.ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False),
    sa.Column("participant", sa.String(100), nullable=False),
    sa.Column("participant_key", sa.String(100), nullable=False),
    sa.Column("name", sa.String(100), nullable=True),
    sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("submitted_at", Timestamp, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.UniqueConstraint("workshop_id", "participant_key", name="uq_participants_workshop_key"),
)

answers = sa.Table(
    "answers",
    metadata,
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("domain", sa.String(100), primary_key=True),
    sa.Column("level", sa.String(100), nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("workshop_id", sa.String(32), sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("domain", sa.String(100), primary_key=True),
    sa.Column("agreed_level", sa.String(100), nullable=True),
    sa.Column("target_level", sa.String(100), nullable=True),
    sa.Column("priority", sa.Integer, nullable=True),
    sa.Column("priorities", sa.Text, nullable=True),
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("updated_at", Timestamp, nullable=False),
)

actions = sa.Table(
    "actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.String(32), sa.ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False),
    sa.Column("domain", sa.String(100), nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("who", sa.String(200), nullable=True),
    sa.Column("by_when", sa.String(100), nullable=True),
    sa.Column("measure", sa.Text, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index("ix_actions_workshop", "workshop_id", "domain"),
)


def normalise_url(target: str) -> str:
    """A SQLAlchemy URL from ``--db``: a file path (SQLite) or a database URL.

    ``postgresql://`` and ``postgres://`` URLs are given the psycopg 3 driver; ``sqlite:`` URLs and paths are
    used as they are.
    """
    if "://" not in target:
        path = Path(target).expanduser()
        return f"sqlite:///{path.resolve()}"
    scheme, rest = target.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return target


def _is_sqlite(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite"


class Database:
    """An engine plus the two kinds of transaction the web tool uses: short writes and consistent reads."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = sa.make_url(normalise_url(url))
        self.sqlite = _is_sqlite(self.url)
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        # The web server runs request handlers in up to 40 threads: keep that many connections open, so that
        # connections are not opened and closed under load.
        kwargs["pool_size"] = 40
        kwargs["max_overflow"] = 10
        if self.sqlite:
            if self.url.database in (None, "", ":memory:"):
                raise ValueError("an in-memory SQLite database cannot be shared by the server; give a file path")
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = sa.create_engine(self.url, **kwargs)
        if self.sqlite:
            self._configure_sqlite(self.engine)

    @staticmethod
    def _configure_sqlite(engine: Engine) -> None:
        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event below emit BEGIN, instead of the driver's implicit transactions.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("matrixkit_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A short write transaction: committed on success, rolled back on error."""
        with self.engine.connect() as conn:
            conn.execution_options(matrixkit_write=True)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot for everything read inside it."""
        with self.engine.connect() as conn, conn.begin():
            if not self.sqlite:
                # One snapshot for every statement of the transaction (SQLite's deferred BEGIN in WAL mode
                # gives that already).
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn

    def migrate(self) -> None:
        """Create the tables or bring them up to date (Alembic ``upgrade head``)."""
        from alembic import command

        config = alembic_config()
        with self.write() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def current_revision(self) -> str | None:
        """The Alembic revision the database is at (None before the first migration)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config() -> Any:
    """An Alembic configuration pointing at the migrations shipped in this package (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("matrixkit_web") / "migrations"))
    return config
