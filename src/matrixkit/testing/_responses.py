"""Hypothesis strategies for responses, tallies, collations, workshop records and the reports built from them.

Every strategy takes the instrument the data is for (draw one with
:func:`matrixkit.testing.strategies.instruments`)::

    @given(st.data())
    def test_renders_any_collation(data):
        instrument = data.draw(instruments())
        report = data.draw(collation_reports(instrument, by="sector"))
        ...
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence

from hypothesis import strategies as st

from matrixkit.collation import Collation, Tally, TallySet, collate
from matrixkit.model import Instrument
from matrixkit.report import (
    CollationReport,
    RecordSheet,
    WorkshopReport,
    build_collation_report,
    build_record_sheet,
    build_workshop_report,
)
from matrixkit.responses import Response
from matrixkit.rules import ConsensusRule, builtin_rules
from matrixkit.testing._instruments import texts
from matrixkit.workshop import Action, DomainDecision, WorkshopRecord

__all__ = [
    "SECTORS",
    "actions",
    "collation_reports",
    "collations",
    "large_collations",
    "level_indices",
    "participant_ids",
    "record_sheets",
    "response_lists",
    "responses",
    "rules",
    "tallies",
    "workshop_records",
    "workshop_reports",
]

#: Attribute values used for ``sector`` unless told otherwise: plain ones, and one hostile to outputs.
SECTORS: tuple[str, ...] = ("civic", "vcse", "health", "<script>alert(1)</script>", '=HYPERLINK("x")')

#: Participant ids: short codes, names with spaces and non-ASCII, and text hostile to outputs.
participant_ids = st.one_of(
    st.from_regex(r"\A[A-Z][0-9]{1,4}\Z"),
    st.sampled_from(["Ana", "Bé Ng", "Zoë O'Neil", "=cmd|'/C calc'!A0", "<b>bold</b>", "Dr. J. Smith"]),
    texts(max_size=24, hostile=False).map(str.strip).filter(bool),
)


@st.composite
def level_indices(draw: st.DrawFn, instrument: Instrument, blank_rate: float = 0.15) -> int | None:
    """A level index of ``instrument``, or None (not answered) about ``blank_rate`` of the time."""
    if blank_rate > 0 and draw(st.integers(0, 99)) < blank_rate * 100:
        return None
    return draw(st.integers(0, len(instrument.levels) - 1))


@st.composite
def responses(
    draw: st.DrawFn,
    instrument: Instrument,
    *,
    participant: str | None = None,
    sectors: Sequence[str] = SECTORS,
    blank_rate: float = 0.15,
    comments: bool = True,
) -> Response:
    """One valid response to ``instrument``: a level or blank per domain, a sector and a table attribute
    (either may be absent), and perhaps comments."""
    choices = {key: draw(level_indices(instrument, blank_rate)) for key in instrument.domain_keys}
    attributes: dict[str, str] = {}
    if sectors and draw(st.integers(0, 9)) > 0:
        attributes["sector"] = draw(st.sampled_from(list(sectors)))
    if draw(st.booleans()):
        attributes["table"] = str(draw(st.integers(1, 4)))
    notes: dict[str, str] = {}
    if comments:
        for key in draw(st.lists(st.sampled_from(instrument.domain_keys), max_size=2, unique=True)):
            notes[key] = draw(texts(max_size=40)).strip() or "note"
    return Response(
        participant=participant if participant is not None else draw(participant_ids),
        instrument=instrument.id,
        version=instrument.version,
        choices=choices,
        attributes=attributes,
        comments=notes,
    )


@st.composite
def response_lists(
    draw: st.DrawFn,
    instrument: Instrument,
    *,
    min_size: int = 0,
    max_size: int = 25,
    sectors: Sequence[str] = SECTORS,
    blank_rate: float = 0.15,
    comments: bool = True,
) -> list[Response]:
    """Responses to ``instrument`` from distinct participants (ids distinct case-insensitively)."""
    ids = draw(
        st.lists(participant_ids, min_size=min_size, max_size=max_size, unique_by=lambda s: s.strip().casefold())
    )
    return [
        draw(responses(instrument, participant=pid, sectors=sectors, blank_rate=blank_rate, comments=comments))
        for pid in ids
    ]


def tallies(levels: int, max_count: int = 30) -> st.SearchStrategy[Tally]:
    """Tallies of a scale of ``levels`` levels, counts up to ``max_count`` each."""
    return st.builds(
        Tally,
        st.lists(st.integers(0, max_count), min_size=levels, max_size=levels),
        st.integers(0, max_count),
    )


@st.composite
def collations(
    draw: st.DrawFn,
    instrument: Instrument,
    *,
    by: str | None = None,
    max_responses: int = 25,
    sectors: Sequence[str] = SECTORS,
) -> Collation:
    """Collations of ``instrument`` (collated from generated responses), split by ``by`` when given."""
    found = draw(response_lists(instrument, max_size=max_responses, sectors=sectors))
    return collate(instrument, found, by)


@st.composite
def large_collations(
    draw: st.DrawFn, instrument: Instrument, *, groups: Sequence[str] = ("civic", "vcse", "health")
) -> Collation:
    """Collations with large counts, drawn as counts directly (split by ``sector`` into ``groups``)."""
    parts: dict[str, TallySet] = {}
    for name in groups:
        size = draw(st.integers(0, 10_000))
        part = []
        for _ in instrument.domains:
            missing = draw(st.integers(0, size))
            rest = size - missing
            cuts = sorted(
                draw(
                    st.lists(
                        st.integers(0, rest), min_size=len(instrument.levels) - 1, max_size=len(instrument.levels) - 1
                    )
                )
            )
            bounds = [0, *cuts, rest]
            part.append(Tally([b - a for a, b in itertools.pairwise(bounds)], missing))
        parts[name] = TallySet(size, part)
    overall = TallySet.empty(instrument)
    for part_set in parts.values():
        overall = overall.merge(part_set)
    return Collation(instrument, overall, "sector", parts)


def rules() -> st.SearchStrategy[ConsensusRule]:
    """The built-in consensus rules."""
    return st.sampled_from(builtin_rules())


@st.composite
def collation_reports(
    draw: st.DrawFn,
    instrument: Instrument,
    *,
    by: str | bool | None = True,
    max_responses: int = 25,
) -> CollationReport:
    """Analysed collations of ``instrument`` ready for an exporter; ``by=True`` draws split and unsplit ones."""
    split: str | None
    if by is True:
        split = draw(st.sampled_from([None, "sector"]))
    elif by is False:
        split = None
    else:
        split = by
    collation = draw(collations(instrument, by=split, max_responses=max_responses))
    rule = draw(rules())
    title = draw(st.just("") | texts(max_size=30))
    return build_collation_report(collation, rule, title=title, sources=draw(st.lists(texts(max_size=20), max_size=3)))


@st.composite
def record_sheets(draw: st.DrawFn, instrument: Instrument) -> RecordSheet:
    """Record sheets of one generated response to ``instrument``."""
    return build_record_sheet(draw(responses(instrument)), instrument, draw(rules()))


def actions() -> st.SearchStrategy[Action]:
    """Actions with hostile text in every field."""
    when = st.one_of(
        st.just(""), st.dates(datetime.date(2020, 1, 1), datetime.date(2035, 12, 31)).map(str), texts(max_size=20)
    )
    return st.builds(
        Action,
        what=texts(max_size=60),
        who=st.just("") | texts(max_size=30),
        when=when,
        measure=st.just("") | texts(max_size=60),
    )


@st.composite
def workshop_records(draw: st.DrawFn, instrument: Instrument, *, inputs: Sequence[str] = ()) -> WorkshopRecord:
    """Valid workshop records of ``instrument`` (levels as keys, distinct priority ranks)."""
    level_keys = st.sampled_from(instrument.level_keys)
    chosen = draw(st.lists(st.sampled_from(instrument.domain_keys), unique=True))
    ranks = draw(st.permutations(range(1, len(chosen) + 1))) if chosen else []
    domains = {}
    for key, rank in zip(chosen, ranks, strict=True):
        domains[key] = DomainDecision(
            agreed=draw(st.none() | level_keys),
            target=draw(st.none() | level_keys),
            priority=rank if draw(st.booleans()) else None,
            priorities=draw(st.just("") | texts(max_size=60)),
            notes=draw(st.just("") | texts(max_size=60)),
            actions=tuple(draw(st.lists(actions(), max_size=2))),
        )
    return WorkshopRecord(
        instrument=instrument.id,
        version=draw(st.none() | st.just(instrument.version)),
        title=draw(texts(max_size=40)),
        date=draw(st.none() | st.dates(datetime.date(2015, 1, 1), datetime.date(2035, 12, 31))),
        place=draw(st.just("") | texts(max_size=30)),
        facilitators=tuple(draw(st.lists(texts(max_size=20), max_size=2))),
        inputs=tuple(inputs) or tuple(draw(st.lists(st.from_regex(r"\A[a-z0-9-]{1,12}\.csv\Z"), max_size=3))),
        by=draw(st.none() | st.just("sector")),
        rule=draw(st.none() | st.sampled_from([r.name for r in builtin_rules()])),
        notes=draw(st.just("") | texts(max_size=60)),
        domains=domains,
        actions=tuple(draw(st.lists(actions(), max_size=2))),
    )


@st.composite
def workshop_reports(draw: st.DrawFn, instrument: Instrument) -> WorkshopReport:
    """Workshop reports of ``instrument``: a generated record beside a generated collation (split as the record
    says), sometimes with per-input collations."""
    record = draw(workshop_records(instrument))
    collation = draw(collations(instrument, by=record.by))
    rule = draw(rules())
    report = build_collation_report(collation, rule, title=record.title, sources=list(record.inputs))
    inputs = []
    if draw(st.booleans()):
        for name in record.inputs:
            part = draw(collations(instrument, max_responses=8))
            inputs.append(build_collation_report(part, rule, title=name, sources=[name]))
    return build_workshop_report(record, report, inputs=inputs)
