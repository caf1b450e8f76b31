"""Storage: migrations, constraints, concurrency and restarts, on SQLite and a real PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from matrixkit_web import db
from matrixkit_web.db import Database, normalise_url
from matrixkit_web.store import ClosedError, ConflictError, Decision, NameTakenError, Store


def new_store(url: str) -> Store:
    database = Database(url)
    database.migrate()
    return Store(database)


def make_workshop(store: Store, **extra: object) -> str:
    values: dict[str, object] = {
        "instrument": "pit-a",
        "instrument_version": "1.0",
        "instrument_fingerprint": "f" * 16,
        "title": "W",
        "rule": "median",
        "sectors": ("NHS",),
        "tables": ("1",),
    }
    values.update(extra)
    workshop, _token = store.create_workshop(**values)  # type: ignore[arg-type]
    return workshop.id


def test_migrations_create_exactly_the_declared_schema(db_url: str) -> None:
    database = Database(db_url)
    assert database.current_revision() is None
    database.migrate()
    database.migrate()  # a second run is a no-op
    assert database.current_revision() == "0001"
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
    store.submit_response(workshop_id, participant="Ann", attributes={}, answers={"leadership": ("developing", "c")})
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

    def send(i: int) -> int:
        return store.submit_response(
            workshop_id, participant="Ann", attributes={}, answers={"leadership": (levels[i % 4], None)}
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        revisions = list(pool.map(send, range(40)))
    assert sorted(revisions) == list(range(1, 41))  # every submission counted as one revision, none lost
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
            store.submit_response(
                workshop_id, participant=f"p{i}-{j}", attributes={}, answers={"leadership": ("maturing", None)}
            )

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(send, range(10)))
    assert len(store.submitted(workshop_id)) == 50
    store.db.dispose()


def test_names_are_unique_per_workshop_not_across(db_url: str) -> None:
    store = new_store(db_url)
    a = make_workshop(store)
    b = make_workshop(store)
    store.join(a, name="Sam", attributes={})
    with pytest.raises(NameTakenError):
        store.join(a, name=" sam ", attributes={})
    store.join(b, name="Sam", attributes={})  # another workshop: fine
    anonymous = [store.join(a, name=None, attributes={})[0] for _ in range(5)]
    assert len({p.participant for p in anonymous}) == 5
    store.db.dispose()


def test_browser_participants_are_not_replaced_through_the_api(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    person, _token = store.join(workshop_id, name="Sam", attributes={})
    store.save_answer(person, "leadership", "thriving", None)
    with pytest.raises(ConflictError, match="browser"):
        store.submit_response(workshop_id, participant="SAM", attributes={}, answers={"leadership": ("emerging", None)})
    assert store.answers(person)["leadership"].level == "thriving"
    store.db.dispose()


def test_tokens_only_work_in_their_own_workshop(db_url: str) -> None:
    store = new_store(db_url)
    a = make_workshop(store)
    b = make_workshop(store)
    person, token = store.join(a, name=None, attributes={})
    assert store.participant_by_token(a, token) == person
    assert store.participant_by_token(b, token) is None
    workshop_a = store.workshop(a)
    assert workshop_a is not None
    _, token_b = store.create_workshop(
        instrument="pit-a", instrument_version="1", instrument_fingerprint="f", title="B2", rule="median"
    )
    assert not store.facilitator_token_matches(a, token_b)
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
        store.submit_response(workshop_id, participant="Cy", attributes={}, answers={})
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
    store.add_action(a, "leadership", what="Board session", who="DPH", by_when="2025-06-30", measure=None)
    [action] = store.actions(a)
    assert not store.delete_action(b, action.id)  # another workshop cannot delete it
    assert store.actions(a) == [action]
    assert store.delete_action(a, action.id)
    assert store.actions(a) == []
    store.db.dispose()
