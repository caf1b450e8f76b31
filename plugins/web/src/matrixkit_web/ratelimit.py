"""Abuse limits that never hit a room: failed attempts and workshop creation, per client address.

The counting is the ``limits`` library's (its fixed-window strategy); the counters live in the application's own
database (:class:`DatabaseStorage`, a ``limits`` storage backend), because that is the only state every worker of
every server shares. Nothing is kept in a process.

What is limited, per client address (an IPv6 client counts as its /64 network, which one home or office gets):

``failed``
    failed attempts: a join code that matches no workshop (pages and API), a facilitator or return link that
    is not valid, a wrong facilitator or admin token. Once over the limit, *every* such attempt from that
    address is answered 429 with ``Retry-After`` until the window ends — a right guess included, or the limit
    would not stop guessing. Successful joins and submissions are never counted, so a room of 500 people behind
    one council address submitting at once is never limited.
``create``
    workshops created.

The limits are written as ``limits`` understands them (``"30 per 10 minutes"``) and set in the server's settings.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import math
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from limits import parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter

from matrixkit_web import db

if TYPE_CHECKING:
    from limits import RateLimitItem
    from sqlalchemy.engine import Connection

    from matrixkit_web.db import Database

__all__ = ["DatabaseStorage", "Limits", "TooManyError", "client_key"]


class DatabaseStorage(Storage):
    """A ``limits`` storage backend on the web tool's database (table ``rate_limits``): one row per key with its
    count and the end of its window, incremented by one atomic ``INSERT … ON CONFLICT DO UPDATE``.

    Reads go through the caller's open transaction when there is one (:meth:`using`): a submission checks its
    client's counter inside its own write transaction instead of opening another one."""

    STORAGE_SCHEME = ["matrixkit-db"]  # noqa: RUF012 - the base class declares it as a plain attribute

    def __init__(self, database: Database) -> None:
        super().__init__(wrap_exceptions=False)
        self.database = database
        table = db.rate_limits
        if database.sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
        bp = sa.bindparam
        stmt = insert(table).values(key=bp("key"), count=bp("amount"), expires_at=bp("now") + bp("expiry"))
        expired = table.c.expires_at <= bp("now")
        self._incr = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                # Both expressions see the row as it was: a window that ended starts again at ``amount``.
                "count": sa.case((expired, stmt.excluded["count"]), else_=table.c.count + stmt.excluded["count"]),
                "expires_at": sa.case((expired, stmt.excluded.expires_at), else_=table.c.expires_at),
            },
        ).returning(table.c.count)
        self._get = sa.select(table.c.count, table.c.expires_at).where(table.c.key == bp("key"))
        self._clear = table.delete().where(table.c.key == bp("key"))
        self._connection: contextvars.ContextVar[Connection | None] = contextvars.ContextVar(
            "matrixkit_rate_limit_connection", default=None
        )

    @contextlib.contextmanager
    def using(self, connection: Connection) -> Iterator[None]:
        """Read counters through ``connection`` (an open transaction) inside this block."""
        token = self._connection.set(connection)
        try:
            yield
        finally:
            self._connection.reset(token)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self.database.write() as conn:
            count: int = conn.execute(
                self._incr, {"key": key, "amount": amount, "now": time.time(), "expiry": float(expiry)}
            ).scalar_one()
        return count

    def _row(self, key: str) -> Any:
        current = self._connection.get()
        if current is not None:
            return current.execute(self._get, {"key": key}).first()
        with self.database.engine.connect() as conn:
            return conn.execute(self._get, {"key": key}).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        if row is None or row.expires_at <= time.time():
            return 0
        count: int = row.count
        return count

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        now = time.time()
        if row is None or row.expires_at <= now:
            return now
        expires: float = row.expires_at
        return expires

    def check(self) -> bool:
        try:
            with self.database.engine.connect() as conn:
                conn.execute(sa.select(sa.literal(1)))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.database.write() as conn:
            count: int = conn.execute(db.rate_limits.delete()).rowcount
        return count

    def clear(self, key: str) -> None:
        with self.database.write() as conn:
            conn.execute(self._clear, {"key": key})


class TooManyError(Exception):
    """Over a limit: ``retry_after`` seconds until the window ends."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def client_key(address: str | None) -> str:
    """The key a client's address is counted under: the address itself, or the /64 network of an IPv6 one."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class Limits:
    """The server's limits (see the module docstring), counted in ``database``."""

    def __init__(self, database: Database, *, failed: str, create: str) -> None:
        self.storage = DatabaseStorage(database)
        self.limiter = FixedWindowRateLimiter(self.storage)
        self.items: dict[str, RateLimitItem] = {"failed": parse(failed), "create": parse(create)}

    def _retry_after(self, item: RateLimitItem, key: str) -> int:
        reset, _remaining = self.limiter.get_window_stats(item, key)
        return max(1, math.ceil(reset - time.time()))

    def check(self, kind: str, address: str | None, *, connection: Connection | None = None) -> None:
        """Raise :class:`TooManyError` when ``address`` has used up its ``kind`` limit (reading the counter
        through ``connection``, an open transaction, when given)."""
        item = self.items[kind]
        key = client_key(address)
        with self.storage.using(connection) if connection is not None else contextlib.nullcontext():
            if not self.limiter.test(item, key):
                raise TooManyError(_MESSAGES[kind], self._retry_after(item, key))

    def hit(self, kind: str, address: str | None) -> None:
        """Count one ``kind`` event of ``address``; raise :class:`TooManyError` when that went over the limit."""
        item = self.items[kind]
        key = client_key(address)
        if not self.limiter.hit(item, key):
            raise TooManyError(_MESSAGES[kind], self._retry_after(item, key))


_MESSAGES = {
    "failed": (
        "Too many attempts with a code or link that is not valid came from your network. Check the code you were "
        "given, and try again later."
    ),
    "create": "Too many workshops were created from your network. Try again later.",
}
