"""The database: tables (SQLAlchemy Core), engines for SQLite and PostgreSQL, and migrations (Alembic).

Everything the web tool stores lives in these tables:

``workshops``
    one row per workshop: the instrument (id, version, fingerprint), title, date, place, the sectors and tables
    in use, the consensus rule, the participant join code and the *hash* of the facilitator token, open/closed.
``participants``
    one row per person taking part: the participant id used in collations, their attributes (sector, table,
    ...), the hash of their browser token (none for API submissions), when they submitted and how many times.
    ``participant_key`` is a hash of the name compared as people read it (:mod:`matrixkit_web.names`), and
    ``(workshop_id, participant_key)`` is unique: a second submission of the same participant is a revision. An
    API participant also has the hash of their ``edit_token``, without which their answers cannot be replaced.
``answers``
    one row per participant and domain: the chosen level *key* (null = "not sure") and an optional comment.
``decisions`` and ``actions``
    what the workshop agreed per domain (the core's :class:`matrixkit.workshop.DomainDecision`): the agreed and
    target levels, its rank among the priorities for action, the proposed priorities, notes, and actions (what,
    who, by when, how progress is measured).
``sessions`` and ``session_roles``
    browser sessions: the *hash* of the session cookie, when it expires, and which workshops it may facilitate or
    answer (as which participant). Kept in the database so that any worker of any server can serve any request.
``rate_limits``
    counters of the abuse limits (failed join attempts, workshops created) per client address and time window,
    shared by every worker and server for the same reason.

The schema is created and upgraded by the Alembic migrations shipped in :mod:`matrixkit_web.migrations`,
run automatically when the server starts (``metadata`` here must match them; a test checks it does).

Migrations run once even when several workers or servers start together on a fresh database: under a
PostgreSQL advisory lock, or an exclusive lock on a file beside the SQLite database.

SQLite (the default) runs in WAL mode, with foreign keys on, ``synchronous=FULL`` (a committed answer survives a
crash or a power cut) and a busy timeout; write transactions start with ``BEGIN IMMEDIATE`` so that concurrent
writers queue for the lock instead of failing when a read lock cannot be upgraded. PostgreSQL is used through
psycopg 3.
"""

from __future__ import annotations

import contextlib
import threading
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
    "rate_limits",
    "session_roles",
    "sessions",
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
    sa.Column("edit_token_hash", sa.String(64), nullable=True),
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

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
)

session_roles = sa.Table(
    "session_roles",
    metadata,
    sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("workshop_id", sa.String(32), sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role", sa.String(12), primary_key=True),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id", ondelete="CASCADE"), nullable=True),
    sa.CheckConstraint("role IN ('facilitator', 'participant')", name="role"),
    sa.Index("ix_session_roles_workshop", "workshop_id"),
    sa.Index("ix_session_roles_participant", "participant_id"),
)

rate_limits = sa.Table(
    "rate_limits",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    #: Seconds since the epoch (as the ``limits`` library counts them).
    sa.Column("expires_at", sa.Float, nullable=False),
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


class _FifoLock:
    """A lock granted in the order it was asked for (a ticket lock), for one process's threads.

    SQLite lets one writer in at a time; writers that find the database busy sleep and retry, and under a burst
    the unlucky ones retry for many seconds while later arrivals get in. Queueing a process's writers here first
    serves them in arrival order and leaves SQLite's busy handler only the other processes to wait for.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._next_ticket = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._condition:
            ticket = self._next_ticket
            self._next_ticket += 1
            while self._serving != ticket:
                self._condition.wait()

    def __exit__(self, *exc: object) -> None:
        with self._condition:
            self._serving += 1
            self._condition.notify_all()


#: The key of the PostgreSQL advisory lock held while migrating (any constant shared by every server).
MIGRATION_LOCK_KEY = 0x6D6B_7765_6201  # "mkweb" + 1


class Database:
    """An engine plus the two kinds of transaction the web tool uses: short writes and consistent reads."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = sa.make_url(normalise_url(url))
        self.sqlite = _is_sqlite(self.url)
        kwargs: dict[str, Any] = {"echo": echo}
        # Keep a connection open for each thread that runs request handlers (Settings.threads, plus the
        # purge), so that connections are not opened and closed under load.
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = 10
        if self.sqlite:
            if self.url.database in (None, "", ":memory:"):
                raise ValueError("an in-memory SQLite database cannot be shared by the server; give a file path")
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = sa.create_engine(self.url, **kwargs)
        self._writers = _FifoLock() if self.sqlite else None
        if self.sqlite:
            self._configure_sqlite(self.engine)

    @property
    def path(self) -> Path | None:
        """The SQLite file (None for PostgreSQL)."""
        return Path(self.url.database) if self.sqlite and self.url.database else None

    @staticmethod
    def _configure_sqlite(engine: Engine) -> None:
        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event below emit BEGIN, instead of the driver's implicit transactions.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("matrixkit_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A short write transaction: committed on success, rolled back on error.

        On SQLite, a process's writers queue in arrival order (:class:`_FifoLock`) before taking the database's
        write lock, so that a burst is served first come, first served.
        """
        queue = self._writers if self._writers is not None else contextlib.nullcontext()
        with queue, self.engine.connect() as conn:
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

    @contextlib.contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """Held while migrating, by one process at a time across every worker and server."""
        if self.sqlite:
            from filelock import FileLock

            assert self.path is not None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(str(self.path) + ".migrate-lock", timeout=300):
                yield
        else:
            yield  # the advisory lock is taken inside the migration's transaction (see migrate)

    def migrate(self) -> None:
        """Create the tables or bring them up to date (Alembic ``upgrade head``), once.

        Several workers or servers may start together on a fresh database: the first to take the lock migrates,
        the others wait for it and then find nothing left to do. On PostgreSQL the lock is a transaction-level
        advisory lock, released when the migration commits; on SQLite, an exclusive lock on a file beside the
        database (SQLite's own write lock is taken too, but only once the journal mode is set).
        """
        from alembic import command

        config = alembic_config()
        with self._migration_lock(), self.write() as conn:
            if not self.sqlite:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
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
