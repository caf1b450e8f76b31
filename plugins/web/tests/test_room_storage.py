"""The room's data (issue 15), on SQLite and PostgreSQL: paper sheets, merging duplicates, a second look that
keeps the first answer, renaming tables, a new join code, decisions saved with their actions, the live views'
signature, and the migration that adds them without losing anything stored before."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from matrixkit_web import db
from matrixkit_web.db import Database
from matrixkit_web.store import (
    ActionRow,
    ClosedError,
    ConflictError,
    Decision,
    NameTakenError,
    NotFoundError,
    PaperSheet,
)
from web_helpers import make_workshop, new_store


def test_paper_sheets_are_submitted_participants_marked_paper(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    added = store.add_paper(
        workshop_id,
        [
            PaperSheet("Dee", {"sector": "NHS", "table": "1"}, {"leadership": ("developing", "On paper")}),
            PaperSheet(None, {}, {"leadership": (None, None), "evaluation": ("thriving", None)}),
        ],
    )
    assert [p.source for p in added] == ["paper", "paper"]
    assert all(p.submitted_at is not None and not p.in_browser for p in added)
    assert added[1].name is None and added[1].participant.startswith("paper-")
    stored = {p.participant: answers for p, answers in store.submitted(workshop_id)}
    assert stored["Dee"]["leadership"].level == "developing"
    assert stored["Dee"]["leadership"].comment == "On paper"
    # A name already in the workshop (compared as people read names) refuses the whole batch.
    store.join(workshop_id, name="Eve", attributes={})
    with pytest.raises(NameTakenError, match="'EVE'"):
        store.add_paper(workshop_id, [PaperSheet("Fay", {}, {}), PaperSheet("EVE", {}, {})])
    with pytest.raises(NameTakenError, match="'fay' is given twice \\(also as 'Fay'\\)"):
        store.add_paper(workshop_id, [PaperSheet("Fay", {}, {}), PaperSheet("fay", {}, {})])
    assert len(store.participants(workshop_id)) == 3  # nothing half-written
    store.set_status(workshop_id, "closed")
    with pytest.raises(ClosedError):
        store.add_paper(workshop_id, [PaperSheet("Gus", {}, {})])
    export = store.export(workshop_id)
    assert {p["participant"]: p["joined_in"] for p in export["participants"]} == {
        "Dee": "paper",
        added[1].participant: "paper",
        "Eve": "browser",
    }
    store.db.dispose()


def test_merging_a_duplicate_keeps_one_person_with_all_their_answers(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    other = make_workshop(store)
    first, session = store.join(workshop_id, name="Ann", attributes={"table": "1"})
    store.save_answer(first, "leadership", "developing", None)
    store.save_answer(first, "evaluation", "emerging", None)
    store.submit(first)
    again, second_session = store.join(workshop_id, name="Ann B", attributes={"sector": "NHS", "table": "2"})
    store.save_answer(again, "leadership", "thriving", None)
    store.save_answer(again, "prioritisation", "maturing", None)
    outsider, _ = store.join(other, name="Zed", attributes={})
    with pytest.raises(NotFoundError):  # never across workshops
        store.merge_participants(workshop_id, first.id, outsider.id)
    with pytest.raises(ConflictError):
        store.merge_participants(workshop_id, first.id, first.id)
    kept = store.merge_participants(workshop_id, first.id, again.id)
    assert kept.id == first.id and kept.name == "Ann"
    assert kept.attributes == {"sector": "NHS", "table": "1"}  # the kept one's table; the sector filled in
    assert kept.submitted_at is not None
    answers = store.answers(kept)
    assert {k: a.level for k, a in answers.items()} == {
        "leadership": "developing",  # the kept participant's answer wins
        "evaluation": "emerging",
        "prioritisation": "maturing",  # filled from the duplicate
    }
    assert [p.id for p in store.participants(workshop_id)] == [first.id]
    # The duplicate's browser now answers as the kept participant.
    assert store.participant_view(second_session, workshop_id)[1].id == first.id
    assert store.participant_view(session, workshop_id)[1].id == first.id
    store.db.dispose()


def test_a_second_look_keeps_the_first_answer(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    person, _ = store.join(workshop_id, name="Ann", attributes={})
    store.save_answer(person, "leadership", "developing", "A comment")
    store.submit(person)
    with pytest.raises(ClosedError, match="second look"):
        store.look_again(person, {"leadership": "maturing"})
    store.set_room(workshop_id, revealed=["leadership", "evaluation"], second_look=["leadership", "evaluation"])
    workshop = store.workshop(workshop_id)
    assert workshop.revealed == ("leadership", "evaluation") and workshop.second_look == workshop.revealed
    store.look_again(person, {"leadership": "maturing"})
    # Looking again twice keeps the very first answer; evaluation was not answered at the first look.
    store.look_again(person, {"leadership": "thriving", "evaluation": "emerging"})
    answers = store.answers(person)
    leadership = answers["leadership"]
    assert (leadership.first_look, leadership.level, leadership.comment) == ("developing", "thriving", "A comment")
    assert leadership.looked_again and leadership.changed
    assert answers["evaluation"].first_look is None and answers["evaluation"].level == "emerging"
    # Keeping an answer is a second look too, with no change.
    other, _ = store.join(workshop_id, name="Bob", attributes={})
    store.save_answer(other, "leadership", "maturing", None)
    store.look_again(other, {"leadership": "maturing"})
    kept = store.answers(other)["leadership"]
    assert kept.looked_again and not kept.changed
    # Every answer's first and second look are in the export.
    export = store.export(workshop_id)
    ann = next(p for p in export["participants"] if p["participant"] == "Ann")
    row = next(a for a in ann["answers"] if a["domain"] == "leadership")
    assert (row["first_level"], row["level"]) == ("developing", "thriving") and row["looked_again_at"]
    store.set_room(workshop_id, second_look=["evaluation"])
    with pytest.raises(ClosedError):  # one domain's second look has ended: nothing is saved
        store.look_again(person, {"evaluation": "thriving", "leadership": "emerging"})
    assert store.answers(person)["evaluation"].level == "emerging"
    store.db.dispose()


def test_renaming_tables_renames_them_for_the_people_at_them(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    _ann, _ = store.join(workshop_id, name="Ann", attributes={"sector": "NHS", "table": "1"})
    _bob, _ = store.join(workshop_id, name="Bob", attributes={"sector": "Council", "table": "2"})
    changed = store.set_lists(
        workshop_id,
        sectors=["NHS", "Local authority", "Voluntary sector"],
        tables=["Table A", "2", "3"],
        renamed={"table": {"1": "Table A"}, "sector": {"Council": "Local authority"}},
    )
    assert changed == 2
    workshop = store.workshop(workshop_id)
    assert workshop.tables == ("Table A", "2", "3")
    assert workshop.sectors == ("NHS", "Local authority", "Voluntary sector")
    people = {p.name: p.attributes for p in store.participants(workshop_id)}
    assert people == {"Ann": {"sector": "NHS", "table": "Table A"}, "Bob": {"sector": "Local authority", "table": "2"}}
    with pytest.raises(NotFoundError):
        store.set_lists("nope", sectors=[], tables=[])
    store.db.dispose()


def test_a_new_join_code_replaces_the_old_one(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    old = store.workshop(workshop_id).join_code
    person, _ = store.join(workshop_id, name="Ann", attributes={})
    new = store.new_join_code(workshop_id)
    assert new != old and store.workshop(workshop_id).join_code == new
    assert store.workshop_by_join_code(old) is None
    assert store.workshop_by_join_code(new).id == workshop_id
    store.save_answer(person, "leadership", "developing", None)  # who joined carries on
    store.db.dispose()


def test_decisions_are_saved_with_their_actions_or_not_at_all(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)
    store.set_decision(workshop_id, Decision("evaluation", priority=1))
    store.save_decisions(
        workshop_id,
        Decision("leadership", agreed_level="developing", priority=2, notes="Views differ"),
        [ActionRow("Board session", "DPH", "2025-06-30", "Vision adopted"), ActionRow("Survey partners")],
    )
    board, _survey = store.actions(workshop_id)
    assert (board.what, board.who, board.by_when, board.measure) == (
        "Board session",
        "DPH",
        "2025-06-30",
        "Vision adopted",
    )
    # Change one, drop the other, add a third.
    store.save_decisions(
        workshop_id,
        Decision("leadership", agreed_level="maturing", priority=2),
        [ActionRow("Board away day", "DPH", None, None, id=board.id), ActionRow("Share the vision")],
    )
    actions = store.actions(workshop_id)
    assert [(a.id == board.id, a.what) for a in actions] == [(True, "Board away day"), (False, "Share the vision")]
    # A priority held by another domain refuses the whole save: the actions stay as they were.
    with pytest.raises(ConflictError, match="Priority 1"):
        store.save_decisions(workshop_id, Decision("leadership", priority=1), [ActionRow("Lost?")])
    assert store.actions(workshop_id) == actions
    assert store.decisions(workshop_id)["leadership"].agreed_level == "maturing"
    store.db.dispose()


def test_the_live_signature_changes_with_what_the_live_views_show(db_url: str) -> None:
    store = new_store(db_url)
    workshop_id = make_workshop(store)

    def signature() -> str:
        return store.live_signature(store.workshop(workshop_id))

    seen = [signature()]

    def changed() -> bool:
        """Whether the signature differs from the one before (the same data again may give the same one)."""
        now = signature()
        fresh = now != seen[-1]
        seen.append(now)
        return fresh

    assert signature() == seen[0]  # stable while nothing changes
    ann, _ = store.join(workshop_id, name="Ann", attributes={"table": "1"})
    assert changed()
    store.save_answer(ann, "leadership", "developing", None)
    assert changed()
    store.save_answer(ann, "leadership", "maturing", None)  # the same second: still a change
    assert changed()
    store.submit(ann)
    assert changed()
    store.update_participant(ann, attributes={"table": "2"})
    assert changed()
    store.set_room(workshop_id, revealed=["leadership"])
    assert changed()
    store.new_join_code(workshop_id)
    assert changed()
    store.add_paper(workshop_id, [PaperSheet("Dee", {}, {})])
    assert changed()
    store.delete_participant(workshop_id, "Dee")
    assert changed()
    store.set_status(workshop_id, "closed")
    assert changed()
    store.set_decision(workshop_id, Decision("leadership", agreed_level="developing"))
    assert not changed()  # decisions are not on the live views
    store.db.dispose()


def test_the_room_migration_keeps_what_was_stored(db_url: str) -> None:
    """0002 → 0003 on a database with answers: nothing lost (rebuilding a table on SQLite would have deleted
    the rows that refer to it), sources filled in, and back down again without loss."""
    from alembic import command

    database = Database(db_url)
    config = db.alembic_config()
    with database.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    with database.write() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO workshops (id, instrument, instrument_version, instrument_fingerprint, title, sectors, "
                "tables, rule, join_code, facilitator_token_hash, status, created_at) VALUES ('w1', 'pit-a', '1', "
                "'f', 'W', '[]', '[]', 'median', 'ABCDEFGH', 'h', 'open', CURRENT_TIMESTAMP)"
            )
        )
        for pid, name, token in ((1, "Ann", "t1"), (2, "Bob", None)):
            conn.execute(
                sa.text(
                    "INSERT INTO participants (id, workshop_id, participant, participant_key, name, token_hash, "
                    "attributes, revision, created_at, updated_at) VALUES (:id, 'w1', :name, :name, :name, :token, "
                    "'{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": pid, "name": name, "token": token},
            )
            conn.execute(
                sa.text("INSERT INTO answers (participant_id, domain, level) VALUES (:id, 'leadership', 'developing')"),
                {"id": pid},
            )
    database.migrate()
    with database.read() as conn:
        sources = dict(conn.execute(sa.select(db.participants.c.participant, db.participants.c.source)).all())
        assert sources == {"Ann": "browser", "Bob": "api"}
        assert conn.execute(sa.select(sa.func.count()).select_from(db.answers)).scalar() == 2
        row = conn.execute(sa.select(db.workshops.c.revealed, db.workshops.c.show_names)).one()
        assert (row.revealed, row.show_names) == ([], False)
    with database.write() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    with database.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sa.table("answers"))).scalar() == 2
        assert conn.execute(sa.select(sa.func.count()).select_from(sa.table("participants"))).scalar() == 2
    database.dispose()
