"""Reading and writing workshops, participants, answers and decisions: every query the web tool makes.

Each public method is one short transaction. Writes that may race (two submissions of the same participant,
two people joining under the same name, a save arriving while the facilitator closes the workshop) are settled
by the database: unique constraints with ``INSERT … ON CONFLICT`` upserts, and a shared lock on the workshop row
(``SELECT … FOR SHARE`` on PostgreSQL; SQLite serialises writers with ``BEGIN IMMEDIATE``) so that closing waits for
saves in flight and no save lands after the close.

The statements of the hot paths (a submission, a saved answer, the look-ups every page makes) are built once per
database, with bound parameters, and reused: SQLAlchemy then finds their compiled form in its cache instead of
rebuilding and recompiling the constructs on every call. A submission is one write transaction: the workshop
row is read (and share-locked) inside it, never in a separate read transaction before it.

Nothing here knows HTTP; the callers turn :class:`StoreError` subclasses into 4xx responses.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from matrixkit_web import db
from matrixkit_web.names import name_key
from matrixkit_web.security import hash_token, new_join_code, new_token, new_workshop_id

__all__ = [
    "SESSION_DAYS",
    "Action",
    "Answer",
    "CheckedResponse",
    "ClosedError",
    "ConflictError",
    "Decision",
    "EditTokenError",
    "NameTakenError",
    "NotFoundError",
    "Participant",
    "Role",
    "Store",
    "StoreError",
    "Submitted",
    "Workshop",
    "WrongCodeError",
    "participant_key",
]

#: Browser sessions last this long after they were last signed in to something (people come back next day).
SESSION_DAYS = 30


class CheckedResponse(Protocol):
    """What :meth:`Store.submit_response` stores of a checked API response (the service's ``ResponseInput``)."""

    @property
    def participant(self) -> str: ...

    @property
    def attributes(self) -> Mapping[str, str]: ...

    #: domain → (level key or None, comment or None)
    @property
    def answers(self) -> Mapping[str, tuple[str | None, str | None]]: ...


R = TypeVar("R", bound=CheckedResponse)


class StoreError(Exception):
    """A request the data does not allow; the message is shown to the person."""


class NotFoundError(StoreError):
    pass


class ClosedError(StoreError):
    pass


class ConflictError(StoreError):
    pass


class NameTakenError(ConflictError):
    pass


class EditTokenError(StoreError):
    """An API submission for an existing participant without their edit token (or with another one)."""


class WrongCodeError(StoreError):
    """A join code that is not the workshop's."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def hmac_equal(a: str, b: str) -> bool:
    """Constant-time comparison of two strings (codes and token hashes)."""
    import hmac

    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def participant_key(participant: str) -> str:
    """Participants are the same when their names compare equal as people read them (:mod:`matrixkit_web.names`:
    NFKC, case-folded, invisible characters removed, spaces collapsed, confusable skeleton)."""
    return name_key(participant)


@attrs.frozen
class Workshop:
    id: str
    instrument: str
    instrument_version: str
    instrument_fingerprint: str
    title: str
    date: str | None
    place: str | None
    sectors: tuple[str, ...]
    tables: tuple[str, ...]
    rule: str
    join_code: str
    status: str
    previous_id: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @classmethod
    def from_row(cls, row: Any) -> Workshop:
        m = row._mapping
        return cls(
            id=m["id"],
            instrument=m["instrument"],
            instrument_version=m["instrument_version"],
            instrument_fingerprint=m["instrument_fingerprint"],
            title=m["title"],
            date=m["date"],
            place=m["place"],
            sectors=tuple(m["sectors"] or ()),
            tables=tuple(m["tables"] or ()),
            rule=m["rule"],
            join_code=m["join_code"],
            status=m["status"],
            previous_id=m["previous_id"],
            created_at=m["created_at"],
            closed_at=m["closed_at"],
        )


@attrs.frozen
class Participant:
    id: int
    workshop_id: str
    participant: str
    name: str | None
    attributes: dict[str, str]
    revision: int
    submitted_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    in_browser: bool
    token_hash: str | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def display_name(self) -> str:
        return self.name or "Anonymous"

    @classmethod
    def from_row(cls, row: Any) -> Participant:
        m = row._mapping
        return cls(
            id=m["id"],
            workshop_id=m["workshop_id"],
            participant=m["participant"],
            name=m["name"],
            attributes=dict(m["attributes"] or {}),
            revision=m["revision"],
            submitted_at=m["submitted_at"],
            created_at=m["created_at"],
            updated_at=m["updated_at"],
            in_browser=m["token_hash"] is not None,
            token_hash=m["token_hash"],
        )


@attrs.frozen
class Role:
    """What a browser session may do in a workshop."""

    workshop_id: str
    role: str  # "facilitator" or "participant"
    participant_id: int | None


@attrs.frozen
class Submitted:
    """The outcome of an API submission."""

    participant: str
    revision: int
    #: The new participant's edit token (only on their first submission; only its hash is stored).
    edit_token: str | None
    #: The checked response, as returned by the caller's check.
    checked: Any


@attrs.frozen
class Answer:
    domain: str
    level: str | None
    comment: str | None


@attrs.frozen
class Decision:
    domain: str
    agreed_level: str | None = None
    target_level: str | None = None
    priority: int | None = None
    priorities: str | None = None
    notes: str | None = None


@attrs.frozen
class Action:
    id: int
    domain: str
    what: str
    who: str | None
    by_when: str | None
    measure: str | None


class _Statements:
    """The statements of the hot paths, built once per database dialect with bound parameters."""

    def __init__(self, dialect: str) -> None:
        insert: Any
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        w, p, a = db.workshops, db.participants, db.answers
        bp = sa.bindparam

        self.workshop = sa.select(w).where(w.c.id == bp("id"))
        self.lock_workshop = self.workshop.with_for_update(read=True) if dialect == "postgresql" else self.workshop

        # An API participant: inserted with a new edit token, or (same name) revised when the request carries
        # their edit token. A browser participant of that name, or a missing or wrong token, returns no row.
        upsert = insert(p).values(
            workshop_id=bp("workshop_id"),
            participant=bp("participant"),
            participant_key=bp("participant_key"),
            name=bp("participant"),
            token_hash=None,
            edit_token_hash=bp("new_edit_hash"),
            attributes=bp("attributes", type_=sa.JSON),
            revision=1,
            submitted_at=bp("now"),
            created_at=bp("now"),
            updated_at=bp("now"),
        )
        self.upsert_api_participant = upsert.on_conflict_do_update(
            index_elements=["workshop_id", "participant_key"],
            set_={
                "attributes": upsert.excluded.attributes,
                "submitted_at": upsert.excluded.submitted_at,
                "updated_at": upsert.excluded.updated_at,
                "revision": p.c.revision + 1,
            },
            where=sa.and_(p.c.edit_token_hash == bp("given_edit_hash"), p.c.token_hash.is_(None)),
        ).returning(p.c.id, p.c.revision, p.c.participant, p.c.edit_token_hash)
        self.participant_by_key = sa.select(p.c.id, p.c.token_hash).where(
            p.c.workshop_id == bp("workshop_id"), p.c.participant_key == bp("participant_key")
        )
        self.delete_answers = a.delete().where(a.c.participant_id == bp("participant_id"))
        self.insert_answers = a.insert()
        save = insert(a).values(
            participant_id=bp("participant_id"), domain=bp("domain"), level=bp("level"), comment=bp("comment")
        )
        self.save_answer = save.on_conflict_do_update(
            index_elements=["participant_id", "domain"],
            set_={"level": save.excluded.level, "comment": save.excluded.comment},
        )
        self.touch_participant = p.update().where(p.c.id == bp("participant_id")).values(updated_at=bp("now"))

        s, r = db.sessions, db.session_roles
        signed_in = sa.and_(s.c.token_hash == bp("session_hash"), s.c.expires_at > bp("now"))
        self.roles = (
            sa.select(r.c.workshop_id, r.c.role, r.c.participant_id).join(s, s.c.id == r.c.session_id).where(signed_in)
        )
        is_facilitator = (
            sa.select(r.c.session_id)
            .join(s, s.c.id == r.c.session_id)
            .where(signed_in, r.c.workshop_id == w.c.id, r.c.role == "facilitator")
            .exists()
        )
        self.facilitated = sa.select(w, is_facilitator.label("allowed")).where(w.c.id == bp("id"))
        self.session_participant = (
            sa.select(p)
            .join(r, sa.and_(r.c.participant_id == p.c.id, r.c.role == "participant"))
            .join(s, s.c.id == r.c.session_id)
            .where(signed_in, r.c.workshop_id == bp("workshop_id"), p.c.workshop_id == bp("workshop_id"))
        )


class Store:
    """The web tool's data, on one :class:`~matrixkit_web.db.Database`."""

    def __init__(self, database: db.Database) -> None:
        self.db = database
        self.sql = _Statements(database.engine.dialect.name)

    # -- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _insert(conn: Connection, table: sa.Table) -> Any:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)

    def _lock_workshop(self, conn: Connection, workshop_id: str) -> Workshop:
        """The workshop, share-locked so that closing or deleting it waits for this transaction."""
        row = conn.execute(self.sql.lock_workshop, {"id": workshop_id}).first()
        if row is None:
            raise NotFoundError("There is no such workshop.")
        return Workshop.from_row(row)

    def _lock_open(self, conn: Connection, workshop_id: str) -> Workshop:
        """The workshop, share-locked (see :meth:`_lock_workshop`); ClosedError when it is closed."""
        workshop = self._lock_workshop(conn, workshop_id)
        if not workshop.is_open:
            raise ClosedError("This workshop is closed: answers can no longer be added or changed.")
        return workshop

    # -- settings ----------------------------------------------------------------------------------

    def secret_key(self) -> bytes:
        """The server's signing key (for CSRF tokens), created on first use and kept in the database."""
        with self.db.read() as conn:
            value = conn.execute(sa.select(db.settings.c.value).where(db.settings.c.key == "secret_key")).scalar()
        if value is None:
            with self.db.write() as conn:
                stmt = self._insert(conn, db.settings).values(key="secret_key", value=secrets.token_hex(32))
                conn.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
                value = conn.execute(
                    sa.select(db.settings.c.value).where(db.settings.c.key == "secret_key")
                ).scalar_one()
        return bytes.fromhex(value)

    # -- workshops ---------------------------------------------------------------------------------

    def create_workshop(
        self,
        *,
        instrument: str,
        instrument_version: str,
        instrument_fingerprint: str,
        title: str,
        rule: str,
        date: str | None = None,
        place: str | None = None,
        sectors: Sequence[str] = (),
        tables: Sequence[str] = (),
        session_token: str | None = None,
    ) -> tuple[Workshop, str, str | None]:
        """A new open workshop and its facilitator token (returned once; only its hash is stored).

        With ``session_token`` (a browser), that session becomes the workshop's facilitator in the same
        transaction; the third value is then the session's new token (see :meth:`grant`), else None.
        """
        token = new_token()
        for _attempt in range(10):
            workshop_id = new_workshop_id()
            values: dict[str, Any] = {
                "id": workshop_id,
                "instrument": instrument,
                "instrument_version": instrument_version,
                "instrument_fingerprint": instrument_fingerprint,
                "title": title,
                "date": date,
                "place": place,
                "sectors": list(sectors),
                "tables": list(tables),
                "rule": rule,
                "join_code": new_join_code(),
                "facilitator_token_hash": hash_token(token),
                "status": "open",
                "previous_id": None,
                "created_at": _now(),
                "closed_at": None,
            }
            try:
                with self.db.write() as conn:
                    conn.execute(db.workshops.insert().values(**values))
                    session = (
                        self._grant(conn, session_token, workshop_id, "facilitator", None)
                        if session_token is not None
                        else None
                    )
                    row = conn.execute(self.sql.workshop, {"id": workshop_id}).one()
            except IntegrityError:  # a join code or id already in use: draw again
                continue
            return Workshop.from_row(row), token, session
        raise StoreError("Could not allocate a join code; try again.")  # pragma: no cover - 40 bits of codes

    def workshop(self, workshop_id: str) -> Workshop | None:
        with self.db.read() as conn:
            row = conn.execute(self.sql.workshop, {"id": workshop_id}).first()
        return Workshop.from_row(row) if row is not None else None

    def workshop_by_join_code(self, join_code: str) -> Workshop | None:
        with self.db.read() as conn:
            row = conn.execute(sa.select(db.workshops).where(db.workshops.c.join_code == join_code)).first()
        return Workshop.from_row(row) if row is not None else None

    def workshop_by_facilitator_token(self, token: str) -> Workshop | None:
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(db.workshops).where(db.workshops.c.facilitator_token_hash == hash_token(token))
            ).first()
        return Workshop.from_row(row) if row is not None else None

    def facilitated_workshop(self, workshop_id: str, token: str) -> tuple[Workshop | None, bool]:
        """The workshop, and whether ``token`` is its facilitator token (compared by hash, in the database)."""
        with self.db.read() as conn:
            row = conn.execute(self.sql.workshop, {"id": workshop_id}).first()
        if row is None:
            return None, False
        return Workshop.from_row(row), hmac_equal(row.facilitator_token_hash, hash_token(token))

    def facilitator_token_matches(self, workshop_id: str, token: str) -> bool:
        """Whether ``token`` is the facilitator token of ``workshop_id``."""
        return self.facilitated_workshop(workshop_id, token)[1]

    def new_facilitator_token(self, workshop_id: str) -> str:
        """Replace the facilitator token (the old link and API token stop working); returns the new one."""
        token = new_token()
        with self.db.write() as conn:
            result = conn.execute(
                db.workshops.update()
                .where(db.workshops.c.id == workshop_id)
                .values(facilitator_token_hash=hash_token(token))
            )
            if not result.rowcount:
                raise NotFoundError("There is no such workshop.")
        return token

    def set_status(self, workshop_id: str, status: str) -> None:
        if status not in ("open", "closed"):
            raise ValueError(status)
        with self.db.write() as conn:
            query = sa.select(db.workshops.c.id).where(db.workshops.c.id == workshop_id)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()  # waits for saves holding the shared lock
            if conn.execute(query).first() is None:
                raise NotFoundError("There is no such workshop.")
            conn.execute(
                db.workshops.update()
                .where(db.workshops.c.id == workshop_id)
                .values(status=status, closed_at=_now() if status == "closed" else None)
            )

    def link_previous(self, workshop_id: str, previous_id: str | None) -> None:
        if previous_id == workshop_id:
            raise ConflictError("A workshop cannot be compared with itself.")
        with self.db.write() as conn:
            conn.execute(db.workshops.update().where(db.workshops.c.id == workshop_id).values(previous_id=previous_id))

    # -- sessions ----------------------------------------------------------------------------------

    def roles(self, session_token: str | None) -> list[Role]:
        """What the browser session holding ``session_token`` is signed in to (nothing when it has expired)."""
        if not session_token:
            return []
        with self.db.read() as conn:
            rows = conn.execute(self.sql.roles, {"session_hash": hash_token(session_token), "now": _now()}).all()
        return [Role(r.workshop_id, r.role, r.participant_id) for r in rows]

    def grant(self, session_token: str | None, workshop_id: str, role: str, participant_id: int | None = None) -> str:
        """Sign a browser session in to ``workshop_id`` as facilitator or as a participant; returns the session's
        new token (a session changes its token whenever it is granted something, so that a token seen before
        the sign-in is worth nothing after it)."""
        with self.db.write() as conn:
            return self._grant(conn, session_token, workshop_id, role, participant_id)

    def _grant(
        self, conn: Connection, session_token: str | None, workshop_id: str, role: str, participant_id: int | None
    ) -> str:
        s, r = db.sessions, db.session_roles
        now = _now()
        fresh = new_token()
        expires = now + dt.timedelta(days=SESSION_DAYS)
        session_id = None
        if session_token:
            session_id = conn.execute(
                s.update()
                .where(s.c.token_hash == hash_token(session_token), s.c.expires_at > now)
                .values(token_hash=hash_token(fresh), expires_at=expires)
                .returning(s.c.id)
            ).scalar()
        if session_id is None:
            session_id = conn.execute(
                s.insert().values(token_hash=hash_token(fresh), created_at=now, expires_at=expires).returning(s.c.id)
            ).scalar_one()
        stmt = self._insert(conn, r).values(
            session_id=session_id, workshop_id=workshop_id, role=role, participant_id=participant_id
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["session_id", "workshop_id", "role"],
                set_={"participant_id": stmt.excluded.participant_id},
            )
        )
        return fresh

    def sign_out(self, session_token: str | None) -> None:
        """End a browser session (its roles go with it)."""
        if session_token:
            with self.db.write() as conn:
                conn.execute(db.sessions.delete().where(db.sessions.c.token_hash == hash_token(session_token)))

    def facilitator_view(self, session_token: str | None, workshop_id: str) -> tuple[Workshop | None, bool]:
        """The workshop, and whether the browser session may facilitate it."""
        with self.db.read() as conn:
            row = conn.execute(
                self.sql.facilitated,
                {"id": workshop_id, "session_hash": hash_token(session_token or ""), "now": _now()},
            ).first()
        if row is None:
            return None, False
        return Workshop.from_row(row), bool(row.allowed) and bool(session_token)

    def participant_view(
        self, session_token: str | None, workshop_id: str
    ) -> tuple[Workshop | None, Participant | None]:
        """The workshop, and the participant the browser session answers it as (None when it does not)."""
        with self.db.read() as conn:
            row = conn.execute(self.sql.workshop, {"id": workshop_id}).first()
            person = None
            if row is not None and session_token:
                person = conn.execute(
                    self.sql.session_participant,
                    {"workshop_id": workshop_id, "session_hash": hash_token(session_token), "now": _now()},
                ).first()
        workshop = Workshop.from_row(row) if row is not None else None
        return workshop, Participant.from_row(person) if person is not None else None

    # -- participants ------------------------------------------------------------------------------

    def join(
        self,
        workshop_id: str,
        *,
        name: str | None,
        attributes: Mapping[str, str],
        session_token: str | None = None,
    ) -> tuple[Participant, str]:
        """A new browser participant, signed in to the browser session (in the same transaction); returns the
        participant and the session's new token. A name already used in the workshop (as compared by
        :func:`participant_key`) is refused."""
        now = _now()
        for _attempt in range(10):
            participant = " ".join(name.split()) if name else f"anonymous-{secrets.token_hex(3)}"
            try:
                with self.db.write() as conn:
                    self._lock_open(conn, workshop_id)
                    new_id = conn.execute(
                        db.participants.insert()
                        .values(
                            workshop_id=workshop_id,
                            participant=participant,
                            participant_key=participant_key(participant),
                            name=participant if name else None,
                            # The personal return link's token: made again (and shown) when asked for.
                            token_hash=hash_token(new_token()),
                            attributes=dict(attributes),
                            revision=0,
                            submitted_at=None,
                            created_at=now,
                            updated_at=now,
                        )
                        .returning(db.participants.c.id)
                    ).scalar_one()
                    session = self._grant(conn, session_token, workshop_id, "participant", new_id)
                    row = conn.execute(sa.select(db.participants).where(db.participants.c.id == new_id)).one()
            except IntegrityError:
                if name:
                    raise NameTakenError(
                        f"Someone in this workshop has already joined as {participant!r} (or a name that looks "
                        "the same). Add an initial or a surname, or leave the name blank to take part anonymously."
                    ) from None
                continue
            return Participant.from_row(row), session
        raise StoreError("Could not join; try again.")  # pragma: no cover

    def participant(self, workshop_id: str, participant_id: int) -> Participant | None:
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(db.participants).where(
                    db.participants.c.id == participant_id, db.participants.c.workshop_id == workshop_id
                )
            ).first()
        return Participant.from_row(row) if row is not None else None

    def participant_by_any_token(self, token: str) -> Participant | None:
        """The browser participant whose personal return link holds ``token``, in whichever workshop."""
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(db.participants).where(db.participants.c.token_hash == hash_token(token))
            ).first()
        return Participant.from_row(row) if row is not None else None

    def new_return_token(self, participant: Participant) -> str:
        """A new personal return link token for a browser participant (the previous link stops working)."""
        token = new_token()
        with self.db.write() as conn:
            conn.execute(
                db.participants.update()
                .where(db.participants.c.id == participant.id, db.participants.c.token_hash.is_not(None))
                .values(token_hash=hash_token(token))
            )
        return token

    def update_participant(self, participant: Participant, *, attributes: Mapping[str, str]) -> None:
        with self.db.write() as conn:
            self._lock_open(conn, participant.workshop_id)
            conn.execute(
                db.participants.update()
                .where(db.participants.c.id == participant.id)
                .values(attributes=dict(attributes), updated_at=_now())
            )

    def participants(self, workshop_id: str) -> list[Participant]:
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(db.participants)
                .where(db.participants.c.workshop_id == workshop_id)
                .order_by(db.participants.c.created_at, db.participants.c.id)
            ).all()
        return [Participant.from_row(r) for r in rows]

    def delete_participant(self, workshop_id: str, participant: str) -> Participant | None:
        """Delete a participant of ``workshop_id`` (named as in collations, compared as names are) with their
        answers and sign-ins; returns who was deleted, or None when there was nobody of that name."""
        p = db.participants
        with self.db.write() as conn:
            self._lock_workshop(conn, workshop_id)
            row = conn.execute(
                p.delete()
                .where(p.c.workshop_id == workshop_id, p.c.participant_key == participant_key(participant))
                .returning(*p.c)
            ).first()
        return Participant.from_row(row) if row is not None else None

    def delete_participant_by_id(self, workshop_id: str, participant_id: int) -> Participant | None:
        p = db.participants
        with self.db.write() as conn:
            self._lock_workshop(conn, workshop_id)
            row = conn.execute(
                p.delete().where(p.c.workshop_id == workshop_id, p.c.id == participant_id).returning(*p.c)
            ).first()
        return Participant.from_row(row) if row is not None else None

    # -- answers -----------------------------------------------------------------------------------

    def answers(self, participant: Participant) -> dict[str, Answer]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(db.answers).where(db.answers.c.participant_id == participant.id)).all()
        return {r.domain: Answer(r.domain, r.level, r.comment) for r in rows}

    def save_answer(self, participant: Participant, domain: str, level: str | None, comment: str | None) -> None:
        """Record (or replace) one answer of a browser participant while the workshop is open."""
        with self.db.write() as conn:
            self._lock_open(conn, participant.workshop_id)
            params = {"participant_id": participant.id, "domain": domain, "level": level, "comment": comment}
            conn.execute(self.sql.save_answer, params)
            conn.execute(self.sql.touch_participant, {"participant_id": participant.id, "now": _now()})

    def submit(self, participant: Participant) -> None:
        """Mark a browser participant's answers as submitted (again, after a revision)."""
        with self.db.write() as conn:
            self._lock_open(conn, participant.workshop_id)
            now = _now()
            conn.execute(
                db.participants.update()
                .where(db.participants.c.id == participant.id)
                .values(submitted_at=now, updated_at=now, revision=db.participants.c.revision + 1)
            )

    def submit_response(
        self,
        workshop_id: str,
        *,
        join_code: str,
        edit_token: str | None,
        first: Callable[[Connection], None] | None = None,
        check: Callable[[Workshop], R],
    ) -> Submitted:
        """Record a whole response (API) in one write transaction: insert the participant, or replace their
        earlier answers when ``edit_token`` is theirs.

        Inside the transaction ``first(connection)`` runs first (the caller's rate-limit check), then the
        workshop row is read and share-locked; then the join code is compared
        (:class:`WrongCodeError`), the workshop must be open (:class:`ClosedError`), and ``check(workshop)``
        checks the request (raising the caller's own error, which rolls everything back) and returns the
        response to store (:class:`CheckedResponse`). An existing participant without the right edit
        token raises :class:`EditTokenError`, one who joined in the browser :class:`ConflictError`; nothing is
        changed then.
        """
        now = _now()
        with self.db.write() as conn:
            if first is not None:
                first(conn)
            workshop = self._lock_workshop(conn, workshop_id)
            if not hmac_equal(join_code, workshop.join_code):
                raise WrongCodeError("The join code does not match this workshop.")
            if not workshop.is_open:
                raise ClosedError("This workshop is closed: answers can no longer be added or changed.")
            checked = check(workshop)
            name = checked.participant
            key = participant_key(name)
            token = new_token()
            row = conn.execute(
                self.sql.upsert_api_participant,
                {
                    "workshop_id": workshop_id,
                    "participant": name,
                    "participant_key": key,
                    "new_edit_hash": hash_token(token),
                    "given_edit_hash": hash_token(edit_token) if edit_token else None,
                    "attributes": dict(checked.attributes),
                    "now": now,
                },
            ).first()
            if row is None:
                existing = conn.execute(
                    self.sql.participant_by_key, {"workshop_id": workshop_id, "participant_key": key}
                ).first()
                if existing is not None and existing.token_hash is not None:
                    raise ConflictError(
                        f"Participant {name!r} joined this workshop in the browser; their answers can only be "
                        "changed there."
                    )
                raise EditTokenError(
                    f"Participant {name!r} (or a name that looks the same) has already submitted answers to this "
                    "workshop. To change them, send the 'edit_token' returned with the first submission; "
                    "someone else should use another name."
                )
            if row.revision > 1:  # a revision replaces the earlier answers (a new participant has none)
                conn.execute(self.sql.delete_answers, {"participant_id": row.id})
            given = checked.answers
            if given:
                conn.execute(
                    self.sql.insert_answers,
                    [
                        {"participant_id": row.id, "domain": domain, "level": level, "comment": comment}
                        for domain, (level, comment) in given.items()
                    ],
                )
            revision: int = row.revision
            return Submitted(
                participant=row.participant,
                revision=revision,
                edit_token=token if revision == 1 else None,
                checked=checked,
            )

    def submitted(self, workshop_id: str) -> list[tuple[Participant, dict[str, Answer]]]:
        """Every submitted participant with their answers, read in one snapshot."""
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(db.participants)
                .where(db.participants.c.workshop_id == workshop_id, db.participants.c.submitted_at.is_not(None))
                .order_by(db.participants.c.id)
            ).all()
            people = [Participant.from_row(r) for r in rows]
            answer_rows = conn.execute(
                sa.select(db.answers)
                .join(db.participants, db.participants.c.id == db.answers.c.participant_id)
                .where(db.participants.c.workshop_id == workshop_id, db.participants.c.submitted_at.is_not(None))
            ).all()
        by_person: dict[int, dict[str, Answer]] = {p.id: {} for p in people}
        for r in answer_rows:
            if r.participant_id in by_person:
                by_person[r.participant_id][r.domain] = Answer(r.domain, r.level, r.comment)
        return [(p, by_person[p.id]) for p in people]

    # -- decisions and actions ---------------------------------------------------------------------

    def decisions(self, workshop_id: str) -> dict[str, Decision]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(db.decisions).where(db.decisions.c.workshop_id == workshop_id)).all()
        return {
            r.domain: Decision(r.domain, r.agreed_level, r.target_level, r.priority, r.priorities, r.notes)
            for r in rows
        }

    def set_decision(self, workshop_id: str, decision: Decision) -> None:
        """Record (or replace) the decisions about one domain. A priority rank held by another domain is refused."""
        fields = ("agreed_level", "target_level", "priority", "priorities", "notes")
        with self.db.write() as conn:
            if decision.priority is not None:
                holder = conn.execute(
                    sa.select(db.decisions.c.domain).where(
                        db.decisions.c.workshop_id == workshop_id,
                        db.decisions.c.priority == decision.priority,
                        db.decisions.c.domain != decision.domain,
                    )
                ).scalar()
                if holder is not None:
                    raise ConflictError(
                        f"Priority {decision.priority} is already given to another domain ({holder}); choose "
                        "another rank or change that domain first."
                    )
            stmt = self._insert(conn, db.decisions).values(
                workshop_id=workshop_id,
                domain=decision.domain,
                updated_at=_now(),
                **{name: getattr(decision, name) for name in fields},
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["workshop_id", "domain"],
                    set_={name: getattr(stmt.excluded, name) for name in (*fields, "updated_at")},
                )
            )

    def actions(self, workshop_id: str) -> list[Action]:
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(db.actions).where(db.actions.c.workshop_id == workshop_id).order_by(db.actions.c.id)
            ).all()
        return [Action(r.id, r.domain, r.what, r.who, r.by_when, r.measure) for r in rows]

    def add_action(
        self,
        workshop_id: str,
        domain: str,
        *,
        what: str,
        who: str | None,
        by_when: str | None,
        measure: str | None,
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                db.actions.insert().values(
                    workshop_id=workshop_id,
                    domain=domain,
                    what=what,
                    who=who,
                    by_when=by_when,
                    measure=measure,
                    created_at=_now(),
                )
            )

    def delete_action(self, workshop_id: str, action_id: int) -> bool:
        """Delete an action of ``workshop_id`` (never another workshop's); whether one was deleted."""
        with self.db.write() as conn:
            result = conn.execute(
                db.actions.delete().where(db.actions.c.id == action_id, db.actions.c.workshop_id == workshop_id)
            )
        return bool(result.rowcount)

    # -- data protection ---------------------------------------------------------------------------

    def delete_workshop(self, workshop_id: str) -> bool:
        """Delete a workshop and everything stored about it (participants, answers, decisions, actions,
        sign-ins); a later round that referred to it keeps its own data. Whether there was one."""
        with self.db.write() as conn:
            query = sa.select(db.workshops.c.id).where(db.workshops.c.id == workshop_id)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()  # waits for saves in flight
            if conn.execute(query).first() is None:
                return False
            conn.execute(db.workshops.delete().where(db.workshops.c.id == workshop_id))
        return True

    def export(self, workshop_id: str) -> dict[str, Any] | None:
        """Everything stored about a workshop, read in one snapshot, as JSON-ready data (None if there is no
        such workshop). Secrets are stored only as hashes and are not exported."""
        p, a, d, act, r, s = (
            db.participants,
            db.answers,
            db.decisions,
            db.actions,
            db.session_roles,
            db.sessions,
        )
        with self.db.read() as conn:
            row = conn.execute(self.sql.workshop, {"id": workshop_id}).first()
            if row is None:
                return None
            people = conn.execute(sa.select(p).where(p.c.workshop_id == workshop_id).order_by(p.c.id)).all()
            answer_rows = conn.execute(
                sa.select(a).join(p, p.c.id == a.c.participant_id).where(p.c.workshop_id == workshop_id)
            ).all()
            decision_rows = conn.execute(sa.select(d).where(d.c.workshop_id == workshop_id)).all()
            action_rows = conn.execute(sa.select(act).where(act.c.workshop_id == workshop_id).order_by(act.c.id)).all()
            sign_ins = conn.execute(
                sa.select(r.c.role, r.c.participant_id, s.c.created_at, s.c.expires_at)
                .join(s, s.c.id == r.c.session_id)
                .where(r.c.workshop_id == workshop_id)
            ).all()
        workshop = Workshop.from_row(row)
        by_person: dict[int, list[dict[str, Any]]] = {}
        for ans in answer_rows:
            by_person.setdefault(ans.participant_id, []).append(
                {"domain": ans.domain, "level": ans.level, "comment": ans.comment}
            )
        return {
            "format": "matrixkit-web-export/1",
            "exported_at": _iso(_now()),
            "workshop": {
                "id": workshop.id,
                "instrument": workshop.instrument,
                "instrument_version": workshop.instrument_version,
                "instrument_fingerprint": workshop.instrument_fingerprint,
                "title": workshop.title,
                "date": workshop.date,
                "place": workshop.place,
                "sectors": list(workshop.sectors),
                "tables": list(workshop.tables),
                "rule": workshop.rule,
                "join_code": workshop.join_code,
                "status": workshop.status,
                "previous_id": workshop.previous_id,
                "created_at": _iso(workshop.created_at),
                "closed_at": _iso(workshop.closed_at),
            },
            "participants": [
                {
                    "participant": person.participant,
                    "name": person.name,
                    "attributes": dict(person.attributes or {}),
                    "joined_in": "browser" if person.token_hash is not None else "api",
                    "revision": person.revision,
                    "submitted_at": _iso(person.submitted_at),
                    "created_at": _iso(person.created_at),
                    "updated_at": _iso(person.updated_at),
                    "answers": sorted(by_person.get(person.id, []), key=lambda x: str(x["domain"])),
                }
                for person in people
            ],
            "decisions": [
                {
                    "domain": dec.domain,
                    "agreed_level": dec.agreed_level,
                    "target_level": dec.target_level,
                    "priority": dec.priority,
                    "priorities": dec.priorities,
                    "notes": dec.notes,
                    "updated_at": _iso(dec.updated_at),
                }
                for dec in decision_rows
            ],
            "actions": [
                {
                    "domain": act_row.domain,
                    "what": act_row.what,
                    "who": act_row.who,
                    "by_when": act_row.by_when,
                    "measure": act_row.measure,
                    "created_at": _iso(act_row.created_at),
                }
                for act_row in action_rows
            ],
            "browser_sign_ins": [
                {
                    "role": sign.role,
                    "participant": next((x.participant for x in people if x.id == sign.participant_id), None),
                    "signed_in_at": _iso(sign.created_at),
                    "expires_at": _iso(sign.expires_at),
                }
                for sign in sign_ins
            ],
            "not_exported": (
                "The facilitator token, participants' return-link and edit tokens and browser session cookies are "
                "stored only as SHA-256 hashes, which are not exported. Rate-limit counters are kept per client "
                "address for at most an hour and belong to no workshop."
            ),
        }

    def purge(self, *, closed_days: int | None) -> dict[str, int]:
        """Delete workshops closed more than ``closed_days`` days ago (None: keep them), expired browser
        sessions and expired rate-limit counters; returns how many of each were deleted."""
        now = _now()
        deleted = {"workshops": 0, "sessions": 0, "rate_limits": 0}
        with self.db.write() as conn:
            if closed_days is not None:
                cutoff = now - dt.timedelta(days=closed_days)
                deleted["workshops"] = conn.execute(
                    db.workshops.delete().where(db.workshops.c.status == "closed", db.workshops.c.closed_at < cutoff)
                ).rowcount
            deleted["sessions"] = conn.execute(db.sessions.delete().where(db.sessions.c.expires_at <= now)).rowcount
            deleted["rate_limits"] = conn.execute(
                db.rate_limits.delete().where(db.rate_limits.c.expires_at <= time.time())
            ).rowcount
        return deleted


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()
