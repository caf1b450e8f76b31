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

See ``docs/reference/workshop-record.md``. :func:`load_workshop` reads and checks one against its instrument
(every problem reported at once, with its line); :func:`dump_workshop` writes one back.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from matrixkit._convert import converter, structure
from matrixkit.errors import Problem, ValidationError
from matrixkit.model import Instrument

__all__ = [
    "WORKSHOP_FORMAT",
    "Action",
    "DomainDecision",
    "WorkshopRecord",
    "dump_workshop",
    "load_workshop",
    "loads_workshop",
    "workshop_from_document",
    "workshop_to_dict",
]

#: The version of the workshop record format.
WORKSHOP_FORMAT = 1


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


def _text(value: object, field: str) -> list[Problem]:
    if not isinstance(value, str) or not value.strip():
        return [Problem("must be non-empty text", field=field)]
    return []


@attrs.frozen
class Action:
    """An action agreed at the workshop: what, who, by when, and how progress will be measured."""

    what: str = attrs.field(metadata=_doc("What will be done."))
    who: str = attrs.field(default="", metadata=_doc("Who is responsible (a person, role or organisation)."))
    when: str = attrs.field(
        default="", metadata=_doc("By when: an ISO date (`2025-06-30`, a TOML date is accepted) or text.")
    )
    measure: str = attrs.field(default="", metadata=_doc("How progress will be measured."))

    def __attrs_post_init__(self) -> None:
        ValidationError.collect(_text(self.what, "what"))


@attrs.frozen
class DomainDecision:
    """What the workshop decided about one domain."""

    agreed: str | None = attrs.field(
        default=None, metadata=_doc("The agreed consensus level (a level key; a score or label is accepted).")
    )
    target: str | None = attrs.field(
        default=None, metadata=_doc("The level aimed for by the next round (a level key, score or label).")
    )
    priority: int | None = attrs.field(
        default=None, metadata=_doc("Rank of the domain among the priorities for action (1 = first).")
    )
    priorities: str = attrs.field(default="", metadata=_doc("The proposed priorities for action discussed."))
    notes: str = attrs.field(default="", metadata=_doc("Notes of the discussion (where views differed, why)."))
    actions: tuple[Action, ...] = attrs.field(default=(), converter=_tuple, metadata=_doc("Actions agreed."))

    def __attrs_post_init__(self) -> None:
        if self.priority is not None and self.priority < 1:
            raise ValidationError(Problem("must be 1 or more (1 = first priority)", field="priority"))


def _decisions(value: Mapping[str, DomainDecision]) -> dict[str, DomainDecision]:
    return dict(value)


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
    domains: dict[str, DomainDecision] = attrs.field(
        factory=dict, converter=_decisions, metadata=_doc("Domain key → the decisions about that domain.")
    )
    actions: tuple[Action, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Actions that concern the whole partnership, not one domain.")
    )

    def __attrs_post_init__(self) -> None:
        problems = _text(self.instrument, "instrument") + _text(self.title, "title")
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


# -- structuring: TOML values to the model ---------------------------------------------------------


def _structure_date(value: Any, _: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise TypeError(f"expected a date like 2025-03-14, found {value!r}")


def _structure_when(value: Any) -> str:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a date like 2025-06-30 or text, found {value!r}")


def _structure_level_ref(value: Any, _: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a level key, score or label, found {value!r}")


converter.register_structure_hook(datetime.date, _structure_date)


def _structure_action(data: Any, _: Any) -> Action:
    if not isinstance(data, Mapping):
        raise TypeError("expected a table with what, who, when, measure")
    problems: list[Problem] = []
    allowed = ("what", "who", "when", "measure")
    for key in data:
        if key not in allowed:
            problems.append(Problem(f"unknown key (expected one of: {', '.join(allowed)})", field=str(key)))
    values: dict[str, str] = {}
    for key in allowed:
        if key not in data:
            continue
        value = data[key]
        if key == "when":
            try:
                values[key] = _structure_when(value)
            except TypeError as exc:
                problems.append(Problem(str(exc), field=key))
        elif isinstance(value, str):
            values[key] = value
        else:
            problems.append(Problem(f"expected text, found {value!r}", field=key))
    if "what" not in data:
        problems.append(Problem("required key missing", field="what"))
    ValidationError.collect(problems)
    return Action(**values)


def _structure_decision(data: Any, _: Any) -> DomainDecision:
    if not isinstance(data, Mapping):
        raise TypeError("expected a table of decisions (agreed, priorities, actions, ...)")
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    allowed = ("agreed", "target", "priority", "priorities", "notes", "actions")
    for key in data:
        if key not in allowed:
            problems.append(Problem(f"unknown key (expected one of: {', '.join(allowed)})", field=str(key)))
    for key in ("agreed", "target"):
        if key in data:
            try:
                values[key] = _structure_level_ref(data[key], None)
            except TypeError as exc:
                problems.append(Problem(str(exc), field=key))
    if "priority" in data:
        value = data["priority"]
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem(f"expected a whole number (1 = first priority), found {value!r}", field="priority"))
        else:
            values["priority"] = value
    for key in ("priorities", "notes"):
        if key in data:
            if isinstance(data[key], str):
                values[key] = data[key]
            else:
                problems.append(Problem(f"expected text, found {data[key]!r}", field=key))
    if "actions" in data:
        actions = data["actions"]
        if not isinstance(actions, list):
            problems.append(Problem("expected a list of actions ([[domains.KEY.actions]])", field="actions"))
        else:
            parsed = []
            for i, item in enumerate(actions):
                try:
                    parsed.append(_structure_action(item, None))
                except ValidationError as exc:
                    problems += [p.under(f"actions[{i}]") for p in exc.problems]
                except TypeError as exc:
                    problems.append(Problem(str(exc), field=f"actions[{i}]"))
            values["actions"] = tuple(parsed)
    ValidationError.collect(problems)
    try:
        return DomainDecision(**values)
    except ValidationError as exc:
        raise ValidationError(exc.problems) from None


converter.register_structure_hook(Action, _structure_action)
converter.register_structure_hook(DomainDecision, _structure_decision)


def workshop_from_document(doc: Mapping[str, Any], *, file: str | None = None, text: str = "") -> WorkshopRecord:
    """Build a workshop record from a parsed TOML (or JSON) document; every problem located in ``file``."""
    from matrixkit.format import _locate_line

    data = dict(doc)
    problems: list[Problem] = []
    version = data.pop("format", None)
    if version is None:
        problems.append(Problem(f"missing 'format = {WORKSHOP_FORMAT}' (the version of the record format)"))
    elif version != WORKSHOP_FORMAT:
        problems.append(
            Problem(f"unsupported format {version!r}; this matrixkit reads format {WORKSHOP_FORMAT}", field="format")
        )
    if isinstance(data.get("version"), int | float) and not isinstance(data.get("version"), bool):
        data["version"] = str(data["version"])
    record: WorkshopRecord | None = None
    try:
        record = structure(data, WorkshopRecord)
    except ValidationError as exc:
        problems += exc.problems
    located = [p.located(file, _locate_domain_line(text, p.field) or _locate_line(text, p.field)) for p in problems]
    ValidationError.collect(located)
    assert record is not None
    return record


def loads_workshop(text: str, *, name: str = "<string>") -> WorkshopRecord:
    """Read a workshop record from TOML text."""
    from matrixkit.format import parse_toml

    return workshop_from_document(parse_toml(text, name), file=name, text=text)


def load_workshop(
    path: str | os.PathLike[str],
    instrument: Instrument | Callable[[str], Instrument] | None = None,
) -> WorkshopRecord:
    """Read a workshop record file; when ``instrument`` (or a lookup by id) is given, check the record against
    it and return it with levels normalised to level keys. Raises :class:`ValidationError` listing every
    problem, each located in the file."""
    from matrixkit.format import _locate_line, read_toml

    name = os.fspath(path)
    doc, text = read_toml(path)
    record = workshop_from_document(doc, file=name, text=text)
    if instrument is None:
        return record
    inst = instrument(record.instrument) if callable(instrument) else instrument
    problems = record.problems(inst)
    if problems:
        raise ValidationError(
            p.located(name, _locate_domain_line(text, p.field) or _locate_line(text, p.field)) for p in problems
        )
    return record.normalised(inst)


def _locate_domain_line(text: str, field: str | None) -> int | None:
    """The line of ``[domains.KEY]`` (or the key inside it) for a field ``domains.KEY[.name]``."""
    if not field or not field.startswith("domains."):
        return None
    parts = field.split(".")
    header = f"[domains.{parts[1]}]"
    lines = text.splitlines()
    for i, line in enumerate(lines, 1):
        if line.strip().replace(" ", "") == header:
            if len(parts) > 2:
                for j in range(i, min(len(lines), i + 30)):
                    stripped = lines[j].strip()
                    if stripped.startswith("["):
                        break
                    if stripped.split("=")[0].strip() == parts[2]:
                        return j + 1
            return i
    return None


# -- writing ---------------------------------------------------------------------------------------


def _action_dict(action: Action) -> dict[str, Any]:
    data: dict[str, Any] = {"what": action.what}
    for key in ("who", "when", "measure"):
        value = getattr(action, key)
        if value:
            data[key] = value
    return data


def workshop_to_dict(record: WorkshopRecord, *, dates: bool = True) -> dict[str, Any]:
    """The record as plain data (``format`` first, empty fields left out); with ``dates=False`` the date is an
    ISO string (for JSON)."""
    data: dict[str, Any] = {"format": WORKSHOP_FORMAT, "instrument": record.instrument}
    if record.version is not None:
        data["version"] = record.version
    data["title"] = record.title
    if record.date is not None:
        data["date"] = record.date if dates else record.date.isoformat()
    for key in ("place", "facilitators", "inputs", "by", "rule", "notes"):
        value = getattr(record, key)
        if value:
            data[key] = list(value) if isinstance(value, tuple) else value
    if record.actions:
        data["actions"] = [_action_dict(a) for a in record.actions]
    if record.domains:
        domains: dict[str, Any] = {}
        for key, decision in record.domains.items():
            entry: dict[str, Any] = {}
            for name in ("agreed", "target", "priority", "priorities", "notes"):
                value = getattr(decision, name)
                if value not in (None, ""):
                    entry[name] = value
            if decision.actions:
                entry["actions"] = [_action_dict(a) for a in decision.actions]
            domains[key] = entry
        data["domains"] = domains
    return data


def dump_workshop(record: WorkshopRecord) -> str:
    """The record as TOML text that :func:`loads_workshop` reads back to an equal record."""
    import tomli_w

    # Single-line strings with escapes: a multi-line TOML string would turn "\r\n" into "\n".
    return tomli_w.dumps(workshop_to_dict(record), multiline_strings=False)
