"""Layout shared by the formats: how a matrix is divided into sections, and the words printed on sheets.

No statistics here: only the arrangement of what the instrument (or a report) already holds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import attrs

from matrixkit.text import long_date, when_text

if TYPE_CHECKING:
    from matrixkit.model import Domain, Group, Instrument, Level
    from matrixkit.report import CollationReport, WorkshopReport
    from matrixkit.workshop import Action

__all__ = [
    "NONE",
    "SHEET_FIELDS",
    "SHEET_INSTRUCTIONS",
    "Section",
    "action_when",
    "agreement",
    "collation_title",
    "credit",
    "decimal",
    "flag_explanations",
    "group_label",
    "instrument_name",
    "level_heading",
    "level_name",
    "percent",
    "plural",
    "report_meta",
    "rule_text",
    "sections",
    "used_flags",
]

#: The boxes at the top of a blank record sheet.
SHEET_FIELDS: tuple[str, ...] = ("Name", "Organisation", "Sector", "Table", "Date")

#: What a person is asked to do with a blank sheet.
SHEET_INSTRUCTIONS = (
    "For each row, ring the one statement that best describes where things are now. "
    "Leave a row blank if you do not know. Add a note if it helps the discussion."
)


@attrs.frozen
class Section:
    """A run of consecutive domains that share a group (``group`` None: domains outside any group)."""

    group: Group | None
    domains: tuple[Domain, ...]


def sections(instrument: Instrument) -> list[Section]:
    """The domains in instrument order, cut where the group changes."""
    return list(_sections(instrument))


def _sections(instrument: Instrument) -> Iterator[Section]:
    current: list[Domain] = []
    key: str | None = None
    for domain in instrument.domains:
        if current and domain.group != key:
            yield Section(instrument.group(key) if key else None, tuple(current))
            current = []
        key = domain.group
        current.append(domain)
    if current:
        yield Section(instrument.group(key) if key else None, tuple(current))


def level_heading(label: str, score: int) -> str:
    """``Label (score)``, as printed above a column of descriptors."""
    return f"{label} ({score})"


# -- showing figures that a report already holds ---------------------------------------------------------

#: Shown where a figure does not exist (no one answered, nothing agreed).
NONE = "–"


def level_name(level: Level | None) -> str:
    """``Label (score)``, or :data:`NONE`."""
    return NONE if level is None else level_heading(level.label, level.score)


def decimal(value: float | None, digits: int = 2) -> str:
    """``0.71``, or :data:`NONE`."""
    return NONE if value is None else f"{value:.{digits}f}"


def agreement(value: float | None) -> str:
    """An agreement figure to two decimals, rounded *down*: a domain flagged for agreement below 0.70 never
    shows 0.70 (0.696 shows 0.69); only unanimity shows 1.00. :data:`NONE` when no one answered."""
    if value is None:
        return NONE
    return f"{math.floor(value * 100 + 1e-9) / 100:.2f}"


def percent(value: float | None) -> str:
    """``83%``, or :data:`NONE`."""
    return NONE if value is None else f"{round(value * 100)}%"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 person``, ``3 people``."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def collation_title(report: CollationReport) -> str:
    """The report's own title, else ``Collation: <instrument title>``."""
    return report.title or f"Collation: {report.instrument.title}"


def rule_text(report: CollationReport) -> str:
    """``median: the lower median of the answered levels``."""
    return f"{report.rule}: {report.rule_description}" if report.rule_description else report.rule


def group_label(report: CollationReport, name: str) -> str:
    """The group's display name and size: ``Civic (6 people)``."""
    sizes = dict(report.group_sizes)
    return f"{report.label(name)} ({plural(sizes.get(name, 0), 'person', 'people')})"


def flag_explanations(flags: Iterable[str]) -> list[tuple[str, str]]:
    """(flag, what it means, as a sentence) for the flags given, in the order of :data:`matrixkit.report.FLAGS`."""
    from matrixkit.report import FLAGS

    used = set(flags)
    return [(flag, meaning[:1].upper() + meaning[1:] + ".") for flag, meaning in FLAGS.items() if flag in used]


def used_flags(report: CollationReport) -> list[str]:
    """Every flag that appears in the report, overall or in a group."""
    found: list[str] = []
    for result in report.domains:
        found += result.flags
        for group in result.groups:
            found += group.flags
    return list(dict.fromkeys(found))


def report_meta(report: WorkshopReport) -> list[tuple[str, str]]:
    """(label, value) lines describing a workshop: date, place, facilitators, instrument."""
    record = report.record
    rows = []
    if record.date is not None:
        rows.append(("Date", long_date(record.date)))
    if record.place:
        rows.append(("Place", record.place))
    if record.facilitators:
        rows.append(("Facilitators", ", ".join(record.facilitators)))
    rows.append(("Instrument", instrument_name(report.instrument)))
    rows.append(("Responses", str(report.collation.responses)))
    return rows


def action_when(action: Action) -> str:
    """By when: a date as people write it ("30 June 2025"), or the text as written."""
    return when_text(action.when) if action.when else NONE


def credit(instrument: Instrument) -> str:
    """Who to credit for the instrument, on one line (attribution, else source title, else publisher)."""
    source = instrument.source
    return " ".join((source.attribution or source.title or source.publisher).split())


def instrument_name(instrument: Instrument) -> str:
    """``Title (version 1.0)``: the instrument as people know it, without its internal id."""
    return f"{instrument.title} (version {instrument.version})"
