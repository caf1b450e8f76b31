"""Test data for the exporters: a realistic workshop of 18 partners, and one full of hostile text.

The workshop is built through the core's own API (responses → collation → report), exactly as ``matrixkit
collate`` and ``matrixkit report`` build what they hand to an exporter.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import attrs
import pytest

from matrixkit.collation import collate
from matrixkit.format import read_instrument as load_instrument
from matrixkit.io.workshop_file import loads_workshop
from matrixkit.model import Instrument
from matrixkit.report import (
    CollationReport,
    RecordSheet,
    WorkshopReport,
    build_collation_report,
    build_comparison,
    build_record_sheet,
    build_workshop_report,
)
from matrixkit.responses import Response
from matrixkit.rules import LowerMedianRule
from matrixkit.workshop import Action

HERE = Path(__file__).parent
DATA = HERE / "data"
GOLDEN = HERE / "golden"
#: Where rendered pictures are kept for people to review (gitignored).
ARTIFACTS = Path(os.environ.get("MATRIXKIT_ARTIFACTS", HERE.parents[2] / "artifacts" / "exporters"))

HOSTILE = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'

# 18 partners, 3 sectors, 3 tables; level indices per domain (None = not answered), in domain order:
# leadership, needs-assessment, prioritisation, business-planning, information-governance, evaluation.
# Real disagreement: leadership is polarised (health high, civic low), evaluation has many blanks.
ANSWERS: list[tuple[str, str, str, tuple[int | None, ...]]] = [
    ("p01", "civic", "1", (0, 1, 1, 0, 1, 0)),
    ("p02", "civic", "1", (0, 1, 2, 1, 1, None)),
    ("p03", "civic", "2", (0, 2, 1, 1, 2, 0)),
    ("p04", "civic", "2", (1, 1, 1, 0, 1, None)),
    ("p05", "civic", "3", (0, 1, 2, 1, 1, 1)),
    ("p06", "civic", "3", (1, 2, 1, 1, 2, None)),
    ("p07", "community", "1", (1, 1, 1, 0, 0, 0)),
    ("p08", "community", "1", (0, 0, 1, 0, 1, None)),
    ("p09", "community", "2", (1, 1, 0, 0, 1, 0)),
    ("p10", "community", "2", (0, 1, 1, 1, None, 1)),
    ("p11", "community", "3", (1, 2, 1, 0, 1, None)),
    ("p12", "community", "3", (0, 1, 1, 1, 1, 0)),
    ("p13", "service", "1", (3, 2, 2, 1, 2, 1)),
    ("p14", "service", "1", (3, 2, 2, 2, 2, 1)),
    ("p15", "service", "2", (2, 2, 1, 1, 2, None)),
    ("p16", "service", "2", (3, 3, 2, 1, 3, 2)),
    ("p17", "service", "3", (3, 2, 2, 2, 2, 1)),
    ("p18", "service", "3", (2, 2, 2, 1, 2, None)),
]

RECORD_TOML = """
format = 1
instrument = "partnership"
version = "1.2"
title = "Partnership workshop, spring round"
date = 2025-03-14
place = "Town hall, committee room 2"
facilitators = ["A. Facilitator", "B. Note-taker"]
by = "sector"
notes = "Eighteen partners at three tables; the health partners rated leadership far higher than the others."

[domains.leadership]
agreed = "developing"
target = "maturing"
priority = 1
priorities = "A joint health-inequalities vision owned by the board, with named champions."
notes = "Health partners saw much more leadership than civic and community partners."

[[domains.leadership.actions]]
what = "Board development session to agree a joint vision"
who = "Director of Public Health"
when = 2025-06-30
measure = "Vision adopted by the board and cited in partners' plans"

[[domains.leadership.actions]]
what = "Name a champion in each partner organisation"
who = "Partnership manager"
when = "Summer 2025"
measure = "Champions listed on the partnership website"

[domains.needs-assessment]
agreed = "developing"

[domains.prioritisation]
agreed = "developing"
priority = 2
priorities = "Consult communities on the joint priorities."

[[domains.prioritisation.actions]]
what = "Two community listening events"
who = "VCSE forum"
when = "Autumn 2025"
measure = "Events held; findings reported to the board"

[domains.business-planning]
agreed = "emerging"

[domains.information-governance]
agreed = "developing"
target = "maturing"

[domains.evaluation]
priority = 3
priorities = "Plan the evaluation before the next round."

[[actions]]
what = "Repeat the workshop in six months"
who = "Partnership manager"
when = "2025-09-30"
measure = "Second-round collation compared with this one"
"""


def load(name: str) -> Instrument:
    return load_instrument(DATA / name)


def responses(instrument: Instrument) -> list[Response]:
    keys = instrument.domain_keys
    result = []
    for participant, sector, table, levels in ANSWERS:
        choices = dict(zip(keys, levels, strict=True))
        comments = {}
        if participant == "p13":
            comments["leadership"] = "The board talks about inequalities at every meeting."
        if participant == "p07":
            comments["leadership"] = "We never hear from the board."
        result.append(
            Response(
                participant=participant,
                instrument=instrument.id,
                version=instrument.version,
                choices=choices,
                attributes={"sector": sector, "table": table},
                comments=comments,
            )
        )
    return result


def collation_report(instrument: Instrument, by: str | None = "sector", title: str = "") -> CollationReport:
    people = responses(instrument)
    return build_collation_report(
        collate(instrument, people, by=by),
        LowerMedianRule(),
        title=title or "Partnership workshop, all tables",
        sources=["table-1.csv", "table-2.csv", "table-3.csv"],
    )


def workshop_report(instrument: Instrument) -> WorkshopReport:
    record = loads_workshop(RECORD_TOML, name="workshop.toml").normalised(instrument)
    people = responses(instrument)
    tables = [
        build_collation_report(
            collate(instrument, [r for r in people if r.attributes["table"] == t]),
            LowerMedianRule(),
            title=f"table-{t}.csv",
        )
        for t in ("1", "2", "3")
    ]
    return build_workshop_report(record, collation_report(instrument), inputs=tables)


def record_sheet(instrument: Instrument) -> RecordSheet:
    person = responses(instrument)[12]
    person = attrs.evolve(person, comments={"leadership": "Strong at board level; less so in services."})
    return build_record_sheet(person, instrument, LowerMedianRule())


def hostile_instrument() -> Instrument:
    base = load("partnership.toml")
    domains = list(base.domains)
    domains[0] = attrs.evolve(domains[0], title=f"Leadership {HOSTILE}", short_title=FORMULA)
    domains[1] = attrs.evolve(domains[1], descriptors=(FORMULA, "-1 + 2", "@SUM(A1:A3)", f"{HOSTILE} & more"))
    levels = list(base.levels)
    levels[0] = attrs.evolve(levels[0], label=f"Emerging {HOSTILE}")
    return attrs.evolve(base, title=f"Hostile {HOSTILE} & {FORMULA}", domains=domains, levels=levels)


def hostile_report(instrument: Instrument) -> WorkshopReport:
    people = []
    for r in responses(instrument):
        sector = HOSTILE if r.attributes["sector"] == "community" else r.attributes["sector"]
        comments = {"prioritisation": FORMULA} if r.participant == "p01" else {}
        people.append(attrs.evolve(r, attributes={**r.attributes, "sector": sector}, comments=comments))
    people[0] = attrs.evolve(people[0], participant=FORMULA)
    collation = build_collation_report(collate(instrument, people, by="sector"), LowerMedianRule(), title=HOSTILE)
    record = loads_workshop(RECORD_TOML, name="workshop.toml").normalised(instrument)
    decisions = dict(record.domains)
    decisions["leadership"] = attrs.evolve(
        decisions["leadership"],
        priorities=FORMULA,
        notes=f"{HOSTILE} -1",
        actions=(attrs.evolve(decisions["leadership"].actions[0], what=FORMULA, who=HOSTILE, measure="+44 1234"),),
    )
    record = attrs.evolve(record, title=f"Workshop {HOSTILE}", place=FORMULA, domains=decisions)
    return build_workshop_report(record, collation)


def hostile_record(instrument: Instrument) -> RecordSheet:
    person = attrs.evolve(
        responses(instrument)[0],
        participant=FORMULA,
        attributes={"sector": HOSTILE, "table": "@1"},
        comments={"leadership": FORMULA, "evaluation": HOSTILE},
    )
    return build_record_sheet(person, instrument, LowerMedianRule())


def tool(name: str) -> str | None:
    """The path of a system tool the picture tests need, or None; in CI (``CI=true``) a missing tool fails."""
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if found is None and os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} is not installed; CI installs it with .ci/system-deps.sh")
    return found


# -- a second round, six months later, compared with the first --------------------------------------------------

RECORD_TWO_TOML = """
format = 1
instrument = "partnership"
version = "1.2"
title = "Partnership workshop, autumn round"
date = 2025-09-24
place = "Community centre, main hall"
facilitators = ["A. Facilitator"]
by = "sector"

[domains.leadership]
agreed = "maturing"
target = "thriving"

[domains.prioritisation]
agreed = "developing"
priority = 1
priorities = "Publish the joint priorities with the communities who shaped them."

[[domains.prioritisation.actions]]
what = "Publish the joint priorities"
who = "Partnership manager"
when = 2025-12-15
measure = "Priorities published on the partnership website"

[domains.business-planning]
agreed = "developing"

[domains.information-governance]
agreed = "developing"

[domains.evaluation]
agreed = "emerging"
priority = 2
priorities = "An evaluation plan for the joint priorities."
"""

#: How the first round's actions went, as the facilitator recorded them before the second round.
STATUSES = {
    "Board development session to agree a joint vision": ("done", "Vision adopted by the board in July."),
    "Name a champion in each partner organisation": ("in-progress", "Five of eight partners have named one."),
    "Two community listening events": ("not-started", ""),
}


def round_one(instrument: Instrument) -> WorkshopReport:
    """The first round's report, its actions' statuses recorded (as before a reassessment)."""
    report = workshop_report(instrument)
    record = report.record

    def updated(actions: tuple[Action, ...]) -> tuple[Action, ...]:
        return tuple(
            attrs.evolve(a, status=STATUSES[a.what][0], note=STATUSES[a.what][1]) if a.what in STATUSES else a
            for a in actions
        )

    domains = {key: attrs.evolve(d, actions=updated(d.actions)) for key, d in record.domains.items()}
    record = attrs.evolve(record, domains=domains)
    return build_workshop_report(record, report.collation, inputs=report.inputs)


def round_two_responses(instrument: Instrument) -> list[Response]:
    """Six months on: civic and community partners see more leadership, business planning moved on, and
    evaluation is answered by everyone."""
    people = []
    for r in responses(instrument):
        choices = dict(r.choices)
        if r.attributes["sector"] in ("civic", "community"):
            choices["leadership"] = min((choices["leadership"] or 0) + 2, 3)
        choices["business-planning"] = min((choices["business-planning"] or 0) + 1, 3)
        if choices["evaluation"] is None:
            choices["evaluation"] = 0
        people.append(attrs.evolve(r, choices=choices, comments={}))
    return people


def round_two(instrument: Instrument) -> WorkshopReport:
    """The second round's report, with its comparison with the first (as when its record names the first)."""
    record = loads_workshop(RECORD_TWO_TOML, name="round-2.toml").normalised(instrument)
    collation = build_collation_report(
        collate(instrument, round_two_responses(instrument), by="sector"),
        LowerMedianRule(),
        title="Partnership workshop, autumn round",
    )
    first = round_one(instrument)
    draft = build_workshop_report(record, collation)
    return build_workshop_report(record, collation, comparison=build_comparison(first, draft))
