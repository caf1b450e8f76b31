"""The workshop record: what a workshop collated and what it decided.

A workshop record is a TOML file kept by the facilitator::

    format = 1
    instrument = "my-tool"
    version = "1.0"                       # optional: the instrument version used
    title = "Partnership workshop"
    date = 2025-03-14
    place = "Town hall"
    facilitators = ["A. Facilitator"]
    inputs = ["table-1.csv", "table-2.csv"]   # response files or collation JSON, relative to this file
    by = "sector"                         # optional: show the collation split by this attribute
    rule = "median"                       # optional: the consensus rule (default median)
    previous = "../round-1/workshop.toml" # optional: the previous round, compared in the report

    [labels]                              # optional: display names of inputs and groups
    "table-1.csv" = "Table 1 (Riverside)"
    vcse = "Voluntary and community sector"

    [domains.leadership]
    agreed = "developing"                 # the agreed consensus level: a level key, score or label
    target = "maturing"                   # optional: the level aimed for by the next round
    priority = 1                          # optional: rank among the priorities for action (1 = first)
    priorities = "Joint HI vision owned by the board."   # proposed priorities for action discussed
    notes = "Health colleagues rated this higher."

    [[domains.leadership.actions]]
    what = "Board session to agree a joint health-inequalities vision"
    who = "Director of Public Health"
    when = 2025-06-30                     # by when: a date, or text such as "Autumn 2025"
    measure = "Vision adopted by the board and cited in partners' plans"
    status = "in-progress"                # optional, when reassessing: not-started, in-progress or done
    note = "First session held in May"    # optional: a note on the status

This module holds the model; :mod:`matrixkit.io.workshop_file` reads and writes the file. See
``docs/reference/workshop-record.md``.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from matrixkit.errors import Problem, ValidationError
from matrixkit.frozen import FrozenDict, freeze
from matrixkit.model import Instrument, text_problems

__all__ = ["ACTION_STATUSES", "WORKSHOP_FORMAT", "Action", "DomainDecision", "WorkshopRecord"]

#: The version of the workshop record format.
WORKSHOP_FORMAT = 1
#: The statuses an action may be given when the partnership reassesses, with how they are shown.
ACTION_STATUSES: dict[str, str] = {"not-started": "Not started", "in-progress": "In progress", "done": "Done"}


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


def _text(value: object, field: str, *, required: bool = False, multiline: bool = False) -> list[Problem]:
    if required and (not isinstance(value, str) or not value.strip()):
        return [Problem("must be non-empty text", field=field)]
    return text_problems(value, field, multiline=multiline)


def _when(value: datetime.date | str) -> datetime.date | str:
    """A date written as text (``"2025-06-30"`` in JSON) is a date; other text stays text."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


@attrs.frozen
class Action:
    """An action agreed at the workshop: what, who, by when, how progress will be measured, and (when the
    partnership reassesses) how far it got."""

    what: str = attrs.field(metadata=_doc("What will be done."))
    who: str = attrs.field(default="", metadata=_doc("Who is responsible (a person, role or organisation)."))
    when: datetime.date | str = attrs.field(
        default="",
        converter=_when,
        metadata=_doc("By when: a date (`2025-06-30`) or text such as `Autumn 2025`."),
    )
    measure: str = attrs.field(default="", metadata=_doc("How progress will be measured."))
    status: str | None = attrs.field(
        default=None,
        metadata=_doc("How far it got, when reassessing: `not-started`, `in-progress` or `done`."),
    )
    note: str = attrs.field(default="", metadata=_doc("A note on the status (what happened, what is next)."))

    def __attrs_post_init__(self) -> None:
        problems = _text(self.what, "what", required=True, multiline=True)
        for name in ("who", "measure", "note"):
            problems += _text(getattr(self, name), name, multiline=True)
        if isinstance(self.when, str):
            problems += _text(self.when, "when")
        if self.status is not None and self.status not in ACTION_STATUSES:
            problems.append(
                Problem(
                    f"unknown status {self.status!r} (expected one of: {', '.join(ACTION_STATUSES)})", field="status"
                )
            )
        ValidationError.collect(problems)

    @property
    def status_label(self) -> str:
        """The status as shown to people ("In progress"), or "" when none was recorded."""
        return ACTION_STATUSES.get(self.status or "", "")


@attrs.frozen
class DomainDecision:
    """What the workshop decided about one domain."""

    agreed: str | int | None = attrs.field(
        default=None, metadata=_doc("The agreed consensus level (a level key; a score or label is accepted).")
    )
    target: str | int | None = attrs.field(
        default=None, metadata=_doc("The level aimed for by the next round (a level key, score or label).")
    )
    priority: int | None = attrs.field(
        default=None, metadata=_doc("Rank of the domain among the priorities for action (1 = first).")
    )
    priorities: str = attrs.field(default="", metadata=_doc("The proposed priorities for action discussed."))
    notes: str = attrs.field(default="", metadata=_doc("Notes of the discussion (where views differed, why)."))
    actions: tuple[Action, ...] = attrs.field(default=(), converter=_tuple, metadata=_doc("Actions agreed."))

    def __attrs_post_init__(self) -> None:
        problems = _text(self.priorities, "priorities", multiline=True) + _text(self.notes, "notes", multiline=True)
        if self.priority is not None and self.priority < 1:
            problems.append(Problem("must be 1 or more (1 = first priority)", field="priority"))
        ValidationError.collect(problems)


@attrs.frozen
class WorkshopRecord:
    """A workshop: which instrument, when and where, what was collated, and the decisions per domain."""

    instrument: str = attrs.field(metadata=_doc("Id of the instrument used."))
    title: str = attrs.field(metadata=_doc("Title of the workshop."))
    date: datetime.date | None = attrs.field(default=None, metadata=_doc("Date of the workshop (`2025-03-14`)."))
    place: str = attrs.field(default="", metadata=_doc("Where it took place."))
    version: str | None = attrs.field(
        default=None, metadata=_doc("The instrument version used; checked against the installed one when given.")
    )
    facilitators: tuple[str, ...] = attrs.field(default=(), converter=_tuple, metadata=_doc("Who facilitated."))
    inputs: tuple[str, ...] = attrs.field(
        default=(),
        converter=_tuple,
        metadata=_doc(
            "Response files (any registered reader) or collation JSON files, relative to the record file. "
            "Their collation is the workshop's."
        ),
    )
    by: str | None = attrs.field(
        default=None, metadata=_doc("Attribute to split the collation by in the report (e.g. `sector`).")
    )
    rule: str | None = attrs.field(default=None, metadata=_doc("Consensus rule for suggestions (default `median`)."))
    notes: str = attrs.field(default="", metadata=_doc("General notes of the workshop."))
    previous: str | None = attrs.field(
        default=None,
        metadata=_doc(
            "The previous round's workshop record, relative to this file: the report then shows the progress "
            "between the rounds and the earlier round's actions."
        ),
    )
    labels: FrozenDict[str, str] = attrs.field(
        factory=FrozenDict,
        converter=freeze,
        metadata=_doc(
            'Display names of inputs (by file name, e.g. `"table-1.csv" = "Table 1 (Riverside)"`) and of '
            'groups (by attribute value, e.g. `vcse = "Voluntary and community sector"`).'
        ),
    )
    domains: FrozenDict[str, DomainDecision] = attrs.field(
        factory=FrozenDict, converter=freeze, metadata=_doc("Domain key → the decisions about that domain.")
    )
    actions: tuple[Action, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Actions that concern the whole partnership, not one domain.")
    )

    def __attrs_post_init__(self) -> None:
        problems = _text(self.instrument, "instrument", required=True) + _text(self.title, "title", required=True)
        problems += _text(self.place, "place") + _text(self.notes, "notes", multiline=True)
        for i, name in enumerate(self.facilitators):
            problems += _text(name, f"facilitators[{i}]")
        for i, name in enumerate(self.inputs):
            problems += _text(name, f"inputs[{i}]", required=True)
        for name, label in self.labels.items():
            problems += _text(label, f"labels.{name}", required=True)
        ValidationError.collect(problems)

    def decision(self, domain: str) -> DomainDecision:
        """The decisions about ``domain`` (empty when the record says nothing about it)."""
        return self.domains.get(domain, DomainDecision())

    def input_paths(self, base: str | os.PathLike[str]) -> list[Path]:
        """The input files, resolved relative to the directory ``base``."""
        root = Path(base)
        return [root / name for name in self.inputs]

    def problems(self, instrument: Instrument) -> list[Problem]:
        """What does not fit ``instrument``: another id, unknown domains, unknown levels, repeated ranks."""
        problems: list[Problem] = []
        if self.instrument != instrument.id:
            problems.append(Problem(f"the record is of {self.instrument!r}, not {instrument.id!r}", field="instrument"))
            return problems
        known = instrument.domain_keys
        ranks: dict[int, str] = {}
        for key, decision in self.domains.items():
            if key not in known:
                problems.append(Problem(f"unknown domain {key!r} (known: {', '.join(known)})", field=f"domains.{key}"))
                continue
            for name in ("agreed", "target"):
                value = getattr(decision, name)
                if value is not None:
                    try:
                        instrument.level_index(value)
                    except ValueError as exc:
                        problems.append(Problem(str(exc), field=f"domains.{key}.{name}"))
            if decision.priority is not None:
                if decision.priority in ranks:
                    problems.append(
                        Problem(
                            f"priority {decision.priority} is also given to {ranks[decision.priority]!r}",
                            field=f"domains.{key}.priority",
                        )
                    )
                ranks[decision.priority] = key
        return problems

    def warnings(self, instrument: Instrument) -> list[str]:
        """What is worth saying but does not stop a report: the workshop used another version."""
        if self.version is not None and self.version != instrument.version:
            return [
                f"the workshop used version {self.version} of {instrument.id}; version {instrument.version} is "
                "installed: its inputs are read against the installed version"
            ]
        return []

    def normalised(self, instrument: Instrument) -> WorkshopRecord:
        """The same record with agreed and target levels written as level keys (check :meth:`problems` first)."""
        domains = {}
        for key, decision in self.domains.items():
            changes: dict[str, Any] = {}
            for name in ("agreed", "target"):
                value = getattr(decision, name)
                if value is not None:
                    changes[name] = instrument.levels[instrument.level_index(value)].key
            domains[key] = attrs.evolve(decision, **changes)
        return attrs.evolve(self, domains=domains)

    def label(self, name: str) -> str:
        """The display name of an input file or a group: the record's label, else a readable name derived from
        it (``table-1.csv`` → ``Table 1``)."""
        return self.labels.get(name) or display_name(name)


def display_name(name: str) -> str:
    """A readable name for an input file or group value: the file's stem with separators as spaces and a capital
    first letter (``table-1.csv`` → ``Table 1``, ``round_2/tables.json`` → ``Tables``); other names as they are."""
    path = Path(name)
    if path.suffix.lower() in (".csv", ".tsv", ".json", ".toml", ".xlsx", ".ods", ".xls"):
        stem = " ".join(path.stem.replace("_", " ").replace("-", " ").split())
        return stem[:1].upper() + stem[1:] if stem else name
    return name
