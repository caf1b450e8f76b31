"""Workshop records: reading, checking against the instrument, writing, and the report built from them."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from matrixkit.collation import collate
from matrixkit.errors import ValidationError
from matrixkit.format import read_instrument as load_instrument
from matrixkit.io.data import workshop_report_to_dict
from matrixkit.io.workshop_file import dump_workshop, load_workshop, loads_workshop
from matrixkit.model import Instrument
from matrixkit.report import build_collation_report, build_workshop_report
from matrixkit.responses import Response
from matrixkit.rules import LowerMedianRule
from matrixkit.workshop import Action, DomainDecision, WorkshopRecord

DATA = Path(__file__).parent / "data"

RECORD = """\
format = 1
instrument = "digital-maturity"
version = "2.1"
title = "Spring workshop"
date = 2025-03-14
place = "Town hall"
facilitators = ["A. Facilitator", "B. Helper"]
inputs = ["table-1.csv", "table-2.csv"]
by = "sector"
notes = "Good turnout."

[[actions]]
what = "Share the report with every partner"
who = "Programme office"
when = "April 2025"

[domains.governance]
agreed = 2
target = "Defined"
priority = 1
priorities = "A joint board with terms of reference."
notes = "Health rated this higher."

[[domains.governance.actions]]
what = "Draft terms of reference"
who = "Director of Public Health"
when = 2025-06-30
measure = "Adopted by the board"

[domains.risk]
agreed = "managed"
priority = 2
"""


@pytest.fixture(scope="module")
def dm() -> Instrument:
    return load_instrument(DATA / "digital-maturity.toml")


def test_reads_and_normalises_a_record(tmp_path: Path, dm: Instrument) -> None:
    path = tmp_path / "workshop.toml"
    path.write_text(RECORD, encoding="utf-8")
    record = load_workshop(path, dm)
    assert record.title == "Spring workshop"
    assert record.date == datetime.date(2025, 3, 14)
    assert record.facilitators == ("A. Facilitator", "B. Helper")
    assert record.decision("governance").agreed == "repeatable"  # score 2, normalised to the key
    assert record.decision("governance").target == "defined"
    assert record.decision("governance").actions[0] == Action(
        what="Draft terms of reference",
        who="Director of Public Health",
        when="2025-06-30",
        measure="Adopted by the board",
    )
    assert record.decision("learning") == DomainDecision()
    assert record.actions[0].when == "April 2025"
    assert record.input_paths(tmp_path) == [tmp_path / "table-1.csv", tmp_path / "table-2.csv"]
    # Without an instrument the record is read as written.
    assert load_workshop(path).decision("governance").agreed == 2


def test_every_problem_is_located(tmp_path: Path, dm: Instrument) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        RECORD.replace('agreed = "managed"', 'agreed = "superb"')
        .replace("priority = 2", "priority = 1")
        .replace("[domains.risk]", "[domains.risk]\ncolour = 'red'"),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        load_workshop(path, dm)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:31: domains.risk.colour: unknown key (expected one of: "
        "actions, agreed, notes, priorities, priority, target)"
    ]
    path.write_text(
        RECORD.replace('agreed = "managed"', 'agreed = "superb"')
        .replace("priority = 2", "priority = 1")
        .replace("[domains.risk]", "[domains.risks]"),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        load_workshop(path, dm)
    text = str(info.value)
    assert f"{path}:30: domains.risks: unknown domain 'risks'" in text
    path.write_text(RECORD.replace('agreed = "managed"', 'agreed = "superb"').replace("priority = 2", "priority = 1"))
    with pytest.raises(ValidationError) as info:
        load_workshop(path, dm)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:31: domains.risk.agreed: 'superb' is not a level of digital-maturity "
        "(0–5 or absent/initial/repeatable/defined/managed/optimising)",
        f"{path}:32: domains.risk.priority: priority 1 is also given to 'governance'",
    ]


def test_structural_problems(dm: Instrument) -> None:
    with pytest.raises(ValidationError) as info:
        loads_workshop('instrument = "x"\ndate = "soon"\n[[actions]]\nwho = "me"\n', name="w.toml")
    text = str(info.value)
    assert "missing 'format = 1'" in text
    assert "title: required key missing" in text
    assert "date: expected a date like 2025-03-14" in text
    assert "actions[0].what: required key missing" in text


def test_version_mismatch_is_a_warning(dm: Instrument) -> None:
    record = WorkshopRecord(instrument="digital-maturity", title="t", version="1.0")
    assert record.problems(dm) == []
    assert record.warnings(dm) == [
        "the workshop used version 1.0 of digital-maturity; version 2.1 is installed: its inputs are read "
        "against the installed version"
    ]
    assert WorkshopRecord(instrument="digital-maturity", title="t", version="2.1").warnings(dm) == []
    other = WorkshopRecord(instrument="pit-a", title="t")
    assert other.problems(dm)[0].message == "the record is of 'pit-a', not 'digital-maturity'"


def test_dump_and_load_round_trip(tmp_path: Path, dm: Instrument) -> None:
    path = tmp_path / "workshop.toml"
    path.write_text(RECORD, encoding="utf-8")
    record = load_workshop(path, dm)
    assert loads_workshop(dump_workshop(record)) == record


def test_workshop_report_puts_decisions_beside_the_collation(tmp_path: Path, dm: Instrument) -> None:
    path = tmp_path / "workshop.toml"
    path.write_text(RECORD, encoding="utf-8")
    record = load_workshop(path, dm)
    responses = [
        Response.build(dm, f"p{i}", dict.fromkeys(dm.domain_keys, level), attributes={"sector": sector})
        for i, (level, sector) in enumerate([(1, "civic"), (2, "civic"), (2, "vcse"), (4, "vcse"), (3, "health")])
    ]
    collation = build_collation_report(collate(dm, responses, by="sector"), LowerMedianRule(), title=record.title)
    report = build_workshop_report(record, collation)
    governance = report.decisions[0]
    assert governance.domain.key == "governance"
    assert governance.agreed is not None and governance.agreed.key == "repeatable"
    assert governance.result.suggested is not None and governance.result.suggested.key == "repeatable"
    assert not governance.differs_from_suggestion
    risk = next(d for d in report.decisions if d.domain.key == "risk")
    assert risk.differs_from_suggestion
    assert [d.domain.key for d in report.priorities] == ["governance", "risk"]
    assert report.title == "Spring workshop" and report.date == datetime.date(2025, 3, 14)
    data = workshop_report_to_dict(report)
    assert data["decisions"][0]["agreed"] == 2
    assert data["decisions"][0]["actions"][0]["when"] == "2025-06-30"
    assert data["collation"]["by"] == "sector"
    assert any("fewer than 3" in w for w in report.warnings)
