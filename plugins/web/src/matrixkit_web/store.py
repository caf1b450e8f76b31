"""Reading and writing workshops, participants, answers and decisions: every query the web tool makes.

Each public method is one short transaction. Writes that may race (two submissions of the same participant,
two people joining under the same name, a save arriving while the facilitator closes the workshop) are settled
by the database: unique constraints with ``INSERT … ON CONFLICT`` upserts, and a shared lock on the workshop row
(``SELECT … FOR SHARE`` on PostgreSQL; SQLite serialises writers with ``BEGIN IMMEDIATE``) so that closing waits for
saves in flight and no save lands after the close.

Nothing here knows HTTP; the callers turn :class:`StoreError` subclasses into 4xx responses.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from matrixkit_web import db
from matrixkit_web.security import hash_token, new_join_code, new_token, new_workshop_id

__all__ = [
    "Action",
    "Answer",
    "ClosedError",
    "ConflictError",
    "Decision",
    "NameTakenError",
    "NotFoundError",
    "Participant",
    "Store",
    "StoreError",
    "Workshop",
    "participant_key",
]


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def participant_key(participant: str) -> str:
    """Participants are the same when their ids match ignoring case and surrounding space (as in the core)."""
    return participant.strip().casefold()


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
        )


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


class Store:
    """The web tool's data, on one :class:`~matrixkit_web.db.Database`."""

    def __init__(self, database: db.Database) -> None:
        self.db = database

    # -- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _insert(conn: Connection, table: sa.Table) -> Any:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)

    @staticmethod
    def _lock_open(conn: Connection, workshop_id: str) -> Workshop:
        """The workshop, share-locked so that closing it waits for this transaction; ClosedError when closed."""
        query = sa.select(db.workshops).where(db.workshops.c.id == workshop_id)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(read=True)
        row = conn.execute(query).first()
        if row is None:
            raise NotFoundError("There is no such workshop.")
        workshop = Workshop.from_row(row)
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
    ) -> tuple[Workshop, str]:
        """A new open workshop and its facilitator token (returned once; only its hash is stored)."""
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
            except IntegrityError:  # a join code or id already in use: draw again
                continue
            workshop = self.workshop(workshop_id)
            assert workshop is not None
            return workshop, token
        raise StoreError("Could not allocate a join code; try again.")  # pragma: no cover - 40 bits of codes

    def workshop(self, workshop_id: str) -> Workshop | None:
        with self.db.read() as conn:
            row = conn.execute(sa.select(db.workshops).where(db.workshops.c.id == workshop_id)).first()
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

    def facilitator_token_matches(self, workshop_id: str, token: str) -> bool:
        """Whether ``token`` is the facilitator token of ``workshop_id`` (compared by hash, in the database)."""
        with self.db.read() as conn:
            found = conn.execute(
                sa.select(db.workshops.c.id).where(
                    db.workshops.c.id == workshop_id,
                    db.workshops.c.facilitator_token_hash == hash_token(token),
                )
            ).first()
        return found is not None

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

    # -- participants ------------------------------------------------------------------------------

    def join(self, workshop_id: str, *, name: str | None, attributes: Mapping[str, str]) -> tuple[Participant, str]:
        """A new browser participant and their token. A name already used in the workshop is refused."""
        token = new_token()
        now = _now()
        for _attempt in range(10):
            participant = name.strip() if name else f"anonymous-{secrets.token_hex(3)}"
            try:
                with self.db.write() as conn:
                    self._lock_open(conn, workshop_id)
                    new_id = conn.execute(
                        db.participants.insert()
                        .values(
                            workshop_id=workshop_id,
                            participant=participant,
                            participant_key=participant_key(participant),
                            name=name.strip() if name else None,
                            token_hash=hash_token(token),
                            attributes=dict(attributes),
                            revision=0,
                            submitted_at=None,
                            created_at=now,
                            updated_at=now,
                        )
                        .returning(db.participants.c.id)
                    ).scalar_one()
            except IntegrityError:
                if name:
                    raise NameTakenError(
                        f"Someone in this workshop has already joined as {name.strip()!r}. Add an initial or a "
                        "surname, or leave the name blank to take part anonymously."
                    ) from None
                continue
            found = self.participant(workshop_id, new_id)
            assert found is not None
            return found, token
        raise StoreError("Could not join; try again.")  # pragma: no cover

    def participant(self, workshop_id: str, participant_id: int) -> Participant | None:
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(db.participants).where(
                    db.participants.c.id == participant_id, db.participants.c.workshop_id == workshop_id
                )
            ).first()
        return Participant.from_row(row) if row is not None else None

    def participant_by_token(self, workshop_id: str, token: str) -> Participant | None:
        """The browser participant holding ``token`` — only within ``workshop_id``."""
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(db.participants).where(
                    db.participants.c.token_hash == hash_token(token), db.participants.c.workshop_id == workshop_id
                )
            ).first()
        return Participant.from_row(row) if row is not None else None

    def participant_by_any_token(self, token: str) -> Participant | None:
        """The browser participant holding ``token``, in whichever workshop (for personal return links)."""
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(db.participants).where(db.participants.c.token_hash == hash_token(token))
            ).first()
        return Participant.from_row(row) if row is not None else None

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

    # -- answers -----------------------------------------------------------------------------------

    def answers(self, participant: Participant) -> dict[str, Answer]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(db.answers).where(db.answers.c.participant_id == participant.id)).all()
        return {r.domain: Answer(r.domain, r.level, r.comment) for r in rows}

    def save_answer(self, participant: Participant, domain: str, level: str | None, comment: str | None) -> None:
        """Record (or replace) one answer of a browser participant while the workshop is open."""
        with self.db.write() as conn:
            self._lock_open(conn, participant.workshop_id)
            stmt = self._insert(conn, db.answers).values(
                participant_id=participant.id, domain=domain, level=level, comment=comment
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["participant_id", "domain"],
                    set_={"level": stmt.excluded.level, "comment": stmt.excluded.comment},
                )
            )
            conn.execute(
                db.participants.update().where(db.participants.c.id == participant.id).values(updated_at=_now())
            )

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
        participant: str,
        attributes: Mapping[str, str],
        answers: Mapping[str, tuple[str | None, str | None]],
    ) -> int:
        """Record a whole response (API): insert the participant or replace their earlier answers.

        ``answers`` maps domain → (level key or None, comment or None). Returns the participant's revision
        (1 for a first submission). A participant who joined in the browser cannot be replaced through the API.
        """
        now = _now()
        key = participant_key(participant)
        with self.db.write() as conn:
            self._lock_open(conn, workshop_id)
            stmt = self._insert(conn, db.participants).values(
                workshop_id=workshop_id,
                participant=participant.strip(),
                participant_key=key,
                name=participant.strip(),
                token_hash=None,
                attributes=dict(attributes),
                revision=1,
                submitted_at=now,
                created_at=now,
                updated_at=now,
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["workshop_id", "participant_key"],
                set_={
                    "attributes": stmt.excluded.attributes,
                    "submitted_at": now,
                    "updated_at": now,
                    "revision": db.participants.c.revision + 1,
                },
            ).returning(db.participants.c.id, db.participants.c.revision, db.participants.c.token_hash)
            row = conn.execute(stmt).one()
            if row.token_hash is not None:
                raise ConflictError(
                    f"Participant {participant.strip()!r} joined this workshop in the browser; their answers can "
                    "only be changed there."
                )
            conn.execute(db.answers.delete().where(db.answers.c.participant_id == row.id))
            if answers:
                conn.execute(
                    db.answers.insert(),
                    [
                        {"participant_id": row.id, "domain": domain, "level": level, "comment": comment}
                        for domain, (level, comment) in answers.items()
                    ],
                )
            revision: int = row.revision
            return revision

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
