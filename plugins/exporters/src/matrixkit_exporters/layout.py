"""Layout shared by the formats: how a matrix is divided into sections, and the words printed on sheets.

No statistics here: only the arrangement of what the instrument (or a report) already holds.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import TYPE_CHECKING

import attrs

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
    "agreement_meaning",
    "collation_title",
    "credit",
    "decimal",
    "display_name",
    "flag_explanations",
    "group_label",
    "instrument_heading",
    "instrument_name",
    "level_heading",
    "level_name",
    "long_date",
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


def instrument_heading(instrument: Instrument) -> str:
    """``Title (id version)``."""
    return f"{instrument.title} ({instrument.id} {instrument.version})"


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
    """``civic (6 people)``."""
    sizes = dict(report.group_sizes)
    return f"{name} ({plural(sizes.get(name, 0), 'person', 'people')})"


def agreement_meaning(discuss_below: float) -> str:
    """What the agreement figure means, in plain English, for the reader of a report."""
    return (
        "Agreement runs from 0 to 1: 1.00 when everyone chose the same level, 0 when people split evenly "
        "between the lowest and the highest level; answers spread over neighbouring levels score in between. "
        f"Below {decimal(discuss_below)} a domain is flagged to discuss."
    )


def _flag_texts(discuss_below: float) -> dict[str, str]:
    from matrixkit.report import MANY_MISSING_SHARE
    from matrixkit.rules import POLARISED_SHARE

    return {
        "discuss": (
            f"Talk it through: agreement is below {decimal(discuss_below)}, or views are split between the extremes."
        ),
        "polarised": (
            f"Views are split: at least {percent(POLARISED_SHARE)} of the answers are at the lowest level and at "
            f"least {percent(POLARISED_SHARE)} at the highest."
        ),
        "unanswered": "No one chose a level.",
        "many-missing": (
            f"At least {percent(MANY_MISSING_SHARE)} of the people left it blank or did not know, so the figures "
            "rest on fewer answers."
        ),
        "no-suggestion": "People answered, but the rule could not propose one level.",
    }


def flag_explanations(flags: Iterable[str], discuss_below: float) -> list[tuple[str, str]]:
    """(flag, plain-English explanation) for the flags given, in the order of :data:`matrixkit.report.FLAGS`
    (a flag this module has no words for keeps the core's own meaning)."""
    from matrixkit.report import FLAGS

    used = set(flags)
    texts = _flag_texts(discuss_below)
    return [(flag, texts.get(flag, meaning)) for flag, meaning in FLAGS.items() if flag in used]


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
    """By when: a date as a UK long date (``30 June 2025``), text as written, :data:`NONE` when not given."""
    when: object = action.when
    if isinstance(when, datetime.date):
        return long_date(when)
    if isinstance(when, str) and _ISO_DATE.match(when):
        try:
            return long_date(datetime.date.fromisoformat(when))
        except ValueError:
            return when
    return str(when) if when else NONE


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(date: datetime.date) -> str:
    """A UK long date, ``12 March 2025``, whatever the locale (documents for people, not machines)."""
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def display_name(name: str) -> str:
    """The name people know a table (or an input file) by: ``Table 1`` for ``table-1.csv``."""
    stem = PurePath(name).stem if PurePath(name).suffix else name
    words = " ".join(re.split(r"[-_\s]+", stem)).strip()
    return words[:1].upper() + words[1:] if words else name


def credit(instrument: Instrument) -> str:
    """Who to credit for the instrument, on one line (attribution, else source title, else publisher)."""
    source = instrument.source
    return " ".join((source.attribution or source.title or source.publisher).split())


def instrument_name(instrument: Instrument) -> str:
    """``Title (version 1.0)``: the instrument as people know it, without its internal id."""
    return f"{instrument.title} (version {instrument.version})"
