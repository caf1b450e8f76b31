"""Storage: migrations, constraints, concurrency and restarts, on SQLite and a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from matrixkit_web import db
from matrixkit_web.db import Database, normalise_url
from matrixkit_web.service import ResponseInput
from matrixkit_web.store import (
    ActionRow,
    ClosedError,
    ConflictError,
    Decision,
    EditTokenError,
    NameTakenError,
    NotFoundError,
    Store,
    Submitted,
)
from web_helpers import make_workshop, new_store

Answers = dict[str, tuple[str | None, str | None]]


def submit(
    store: Store,
    workshop_id: str,
    participant: str,
    answers: Answers,
    *,
    edit_token: str | None = None,
    attributes: dict[str, str] | None = None,
) -> Submitted:
    """An API submission through the store (the join code read from the workshop)."""
    workshop = store.workshop(workshop_id)
    assert workshop is not None
    return store.submit_response(
        workshop_id,
        join_code=workshop.join_code,
        edit_token=edit_token,
        check=lambda _workshop: ResponseInput(participant=participant, attributes=attributes or {}, answers=answers),
    )


def test_migrations_create_exactly_the_declared_schema(db_url: str) -> None:
    database = Database(db_url)
    assert database.current_revision() is None
    database.migrate()
    database.migrate()  # a second run is a no-op
    assert database.current_revision() == "0003"
    with database.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert differences == []
    database.dispose()


def test_migrations_downgrade_and_upgrade(db_url: str) -> None:
    from alembic import command

    database = Database(db_url)
    database.migrate()
    config = db.alembic_config()
    with database.write() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert "workshops" not in sa.inspect(database.engine).get_table_names()
    database.migrate()
    assert "workshops" in sa.inspect(database.engine).get_table_names()
    database.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    database = Database(f"{tmp_path}/x.sqlite")
    database.migrate()
    with database.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    database.dispose()


def test_database_urls() -> None:
    assert normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
    assert normalise_url("/tmp/a.sqlite") == "sqlite:////tmp/a.sqlite"
    with pytest.raises(ValueError, match="in-memory"):
        Database("sqlite://")


def test_data_survives_a_restart(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    submit(store, workshop_id, "Ann", {"leadership": ("developing", "c")})
    store.db.dispose()  # the server stops...
    again = new_store(db_url)  # ...and starts again
    [(person, answers)] = again.submitted(workshop_id)
    assert person.participant == "Ann"
    assert answers["leadership"].level == "developing"
    assert answers["leadership"].comment == "c"
    again.db.dispose()


def test_concurrent_revisions_of_one_participant_leave_one_response(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    levels = ["emerging", "developing", "maturing", "thriving"]
    first = submit(store, workshop_id, "Ann", {"leadership": ("emerging", None)})
    assert first.revision == 1 and first.edit_token

    def send(i: int) -> int:
        return submit(
            store, workshop_id, "Ann", {"leadership": (levels[i % 4], None)}, edit_token=first.edit_token
        ).revision

    with ThreadPoolExecutor(max_workers=8) as pool:
        revisions = list(pool.map(send, range(40)))
    assert sorted(revisions) == list(range(2, 42))  # every submission counted as one revision, none lost
    submitted = store.submitted(workshop_id)
    assert len(submitted) == 1
    assert len(submitted[0][1]) == 1
    store.db.dispose()


def test_concurrent_participants_are_all_kept(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    barrier = threading.Barrier(10)

    def send(i: int) -> None:
        barrier.wait()
        for j in range(5):
            submit(store, workshop_id, f"p{i}-{j}", {"leadership": ("maturing", None)})

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(send, range(10)))
    assert len(store.submitted(workshop_id)) == 50
    store.db.dispose()


def test_names_are_unique_per_workshop_not_across(db_url: str) -> None:
    store = new_store(db_url)
    a = make_workshop(store)
    b = make_workshop(store)
    store.join(a, name="Bob", attributes={})
    # The same name as people read it: case and spaces, a zero-width space, a Cyrillic о that looks like o.
    for twin in (" bob ", "BOB", "Bob\u200b", "B\u043eb", "\u200fBob", "Ｂｏｂ"):
        with pytest.raises(NameTakenError):
            store.join(a, name=twin, attributes={})
    store.join(b, name="Bob", attributes={})  # another workshop: fine
    anonymous = [store.join(a, name=None, attributes={})[0] for _ in range(5)]
    assert len({p.participant for p in anonymous}) == 5
    store.db.dispose()


def test_browser_participants_are_not_replaced_through_the_api(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    person, _token = store.join(workshop_id, name="Sam", attributes={})
    store.save_answer(person, "leadership", "thriving", None)
    with pytest.raises(ConflictError, match="browser"):
        submit(store, workshop_id, "SAM", {"leadership": ("emerging", None)})
    assert store.answers(person)["leadership"].level == "thriving"
    store.db.dispose()


def test_tokens_only_work_in_their_own_workshop(db_url: str) -> None:
    store = new_store(db_url)
    a = make_workshop(store)
    b = make_workshop(store)
    person, session = store.join(a, name=None, attributes={})
    assert store.participant_view(session, a) == (store.workshop(a), person)
    assert store.participant_view(session, b) == (store.workshop(b), None)
    assert store.facilitator_view(session, a)[1] is False  # a participant is not the facilitator
    workshop_b2, token_b, facilitator = store.create_workshop(
        instrument="pit-a",
        instrument_version="1",
        instrument_fingerprint="f",
        title="B2",
        rule="median",
        session_token="",
    )
    assert facilitator is not None
    assert store.facilitator_view(facilitator, workshop_b2.id)[1] is True
    assert store.facilitator_view(facilitator, a)[1] is False
    assert not store.facilitator_token_matches(a, token_b)
    assert store.facilitator_token_matches(workshop_b2.id, token_b)
    store.db.dispose()


def test_closing_stops_answers_and_saves(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    person, _ = store.join(workshop_id, name="Ann", attributes={})
    store.save_answer(person, "leadership", "developing", None)
    store.set_status(workshop_id, "closed")
    with pytest.raises(ClosedError):
        store.save_answer(person, "leadership", "thriving", None)
    with pytest.raises(ClosedError):
        store.submit(person)
    with pytest.raises(ClosedError):
        store.join(workshop_id, name="Bob", attributes={})
    with pytest.raises(ClosedError):
        submit(store, workshop_id, "Cy", {})
    assert store.answers(person)["leadership"].level == "developing"
    store.set_status(workshop_id, "open")
    store.save_answer(person, "leadership", "thriving", None)
    assert store.answers(person)["leadership"].level == "thriving"
    store.db.dispose()


def test_decisions_and_actions_stay_in_their_workshop(db_url: str) -> None:
    store = new_store(db_url)
    a = make_workshop(store)
    b = make_workshop(store)
    store.set_decision(a, Decision("leadership", agreed_level="developing", priority=1))
    store.set_decision(a, Decision("leadership", agreed_level="maturing", priority=1))  # replaced, not duplicated
    with pytest.raises(ConflictError, match="Priority 1"):
        store.set_decision(a, Decision("evaluation", priority=1))
    store.set_decision(b, Decision("evaluation", priority=1))  # ranks are per workshop
    assert store.decisions(a) == {"leadership": Decision("leadership", agreed_level="maturing", priority=1)}
    decision = Decision("leadership", agreed_level="maturing", priority=1)
    store.save_decisions(a, decision, [ActionRow("Board session", who="DPH", by_when="2025-06-30")])
    [action] = store.actions(a)
    with pytest.raises(NotFoundError):  # another workshop cannot change or delete it
        store.save_decisions(b, Decision("leadership"), [ActionRow("Mine now", id=action.id)])
    assert store.actions(a) == [action] and store.actions(b) == []
    store.save_decisions(a, decision, [])
    assert store.actions(a) == []
    store.db.dispose()


def test_api_participants_own_their_answers(db_url: str) -> None:
    """The finding: anyone with the join code replaced Ann's answers by submitting as "ANN "."""
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    ann = submit(store, workshop_id, "Ann", {"leadership": ("thriving", "ours")})
    assert ann.revision == 1 and ann.edit_token and len(ann.edit_token) >= 22  # ≥ 128 random bits
    for impostor in ("ANN ", "ann", "Ann\u200b", "\u0410nn"):  # the last with a Cyrillic А
        with pytest.raises(EditTokenError):
            submit(store, workshop_id, impostor, {"leadership": ("emerging", "theirs")})
        with pytest.raises(EditTokenError):
            submit(store, workshop_id, impostor, {"leadership": ("emerging", None)}, edit_token="x" * 43)
    [(person, answers)] = store.submitted(workshop_id)
    assert person.participant == "Ann" and person.revision == 1
    assert answers["leadership"].level == "thriving"
    again = submit(store, workshop_id, "ANN ", {"leadership": ("maturing", None)}, edit_token=ann.edit_token)
    assert again.revision == 2 and again.edit_token is None and again.participant == "Ann"
    # Only the hash of the edit token is stored.
    with store.db.read() as conn:
        stored = conn.execute(sa.select(db.participants.c.edit_token_hash)).scalar_one()
    assert stored != ann.edit_token and len(stored) == 64
    store.db.dispose()


def test_migrating_rekeys_names_without_merging_anyone(db_url: str) -> None:
    """Participants stored under 0001 get the new keys; two whose names now compare equal stay two people."""
    from alembic import command

    database = Database(db_url)
    config = db.alembic_config()
    with database.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    now = sa.func.now() if not database.sqlite else sa.text("CURRENT_TIMESTAMP")
    with database.write() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO workshops (id, instrument, instrument_version, instrument_fingerprint, title, sectors, "
                "tables, rule, join_code, facilitator_token_hash, status, created_at) VALUES ('w1', 'pit-a', '1', "
                "'f', 'W', '[]', '[]', 'median', 'ABCDEFGH', 'h', 'open', CURRENT_TIMESTAMP)"
            )
        )
        for pid, name in ((1, "Bob"), (2, "B\u043eb"), (3, "Ann")):
            conn.execute(
                sa.text(
                    "INSERT INTO participants (id, workshop_id, participant, participant_key, name, attributes, "
                    "revision, created_at, updated_at) VALUES (:id, 'w1', :name, :key, :name, '{}', 1, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": pid, "name": name, "key": name.casefold()},
            )
    del now
    database.migrate()
    with database.read() as conn:
        keys = dict(conn.execute(sa.select(db.participants.c.participant, db.participants.c.participant_key)).all())
    assert len(set(keys.values())) == 3
    from matrixkit_web.store import participant_key

    assert keys["Ann"] == participant_key("ANN ")
    assert keys["Bob"] == participant_key("b\u043eb")  # the first keeps the shared key; the second its own
    database.dispose()


def test_several_processes_migrate_a_fresh_database_at_once(db_url: str) -> None:
    """The finding: two workers on a fresh database both migrated and one died (UniqueViolation on
    alembic_version). Four processes start together at a barrier; all succeed and the schema is right once."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    results = context.Queue()
    processes = [context.Process(target=_migrate_in_a_process, args=(db_url, barrier, results)) for _ in range(4)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert outcomes == ["0003"] * 4
    database = Database(db_url)
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
    database.dispose()


def _migrate_in_a_process(url: str, barrier: Any, results: Any) -> None:
    database = Database(url)
    barrier.wait()
    try:
        database.migrate()
        results.put(database.current_revision())
    except Exception as exc:  # reported to the test, which fails
        results.put(f"{type(exc).__name__}: {exc}")
    finally:
        database.dispose()


def test_sessions_change_token_on_each_sign_in_and_expire(db_url: str) -> None:
    store = new_store(db_url)
    a = make_workshop(store)
    b = make_workshop(store)
    person, first = store.join(a, name="Ann", attributes={})
    second = store.grant(first, b, "facilitator")
    assert second != first
    assert store.roles(first) == []  # the old value is worth nothing after a sign-in
    assert {(r.workshop_id, r.role) for r in store.roles(second)} == {(a, "participant"), (b, "facilitator")}
    assert store.participant_view(second, a)[1] == person
    with store.db.write() as conn:  # a month later
        conn.execute(db.sessions.update().values(expires_at=sa.literal(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))))
    assert store.roles(second) == []
    assert store.participant_view(second, a)[1] is None
    assert store.purge(closed_days=None)["sessions"] == 1
    store.db.dispose()
