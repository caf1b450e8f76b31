"""Workshop record files (TOML): reading, checking against the instrument, and writing.

The model is :class:`matrixkit.workshop.WorkshopRecord`; ``docs/reference/workshop-record.md`` describes the
file. Every problem is reported at once, located by line (the ``[domains.KEY]`` table, or the key in it).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Mapping
from typing import Any

import tomli_w

from matrixkit.convert import structure
from matrixkit.errors import Problem, ValidationError
from matrixkit.format import locate_line, parse_toml, read_toml
from matrixkit.model import Instrument
from matrixkit.workshop import WORKSHOP_FORMAT, Action, WorkshopRecord

__all__ = [
    "dump_workshop",
    "is_workshop_document",
    "load_workshop",
    "loads_workshop",
    "workshop_from_document",
    "workshop_to_dict",
]


def is_workshop_document(doc: object) -> bool:
    """True when a parsed TOML document looks like a workshop record (an instrument id and a title)."""
    return isinstance(doc, Mapping) and isinstance(doc.get("instrument"), str) and "title" in doc


def _locate(text: str, field: str | None) -> int | None:
    return _locate_domain_line(text, field) or locate_line(text, field)


def workshop_from_document(doc: Mapping[str, Any], *, file: str | None = None, text: str = "") -> WorkshopRecord:
    """Build a workshop record from a parsed TOML (or JSON) document; every problem located in ``file``."""
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
        data["version"] = str(data["version"])  # `version = 1.0` written as a TOML number
    record: WorkshopRecord | None = None
    try:
        record = structure(data, WorkshopRecord)
    except ValidationError as exc:
        problems += exc.problems
    ValidationError.collect([p.located(file, _locate(text, p.field)) for p in problems])
    assert record is not None
    return record


def loads_workshop(text: str, *, name: str = "<string>") -> WorkshopRecord:
    """Read a workshop record from TOML text."""
    return workshop_from_document(parse_toml(text, name), file=name, text=text)


def load_workshop(
    path: str | os.PathLike[str],
    instrument: Instrument | Callable[[str], Instrument] | None = None,
) -> WorkshopRecord:
    """Read a workshop record file; when ``instrument`` (or a lookup by id) is given, check the record against
    it and return it with levels normalised to level keys. Raises :class:`ValidationError` listing every
    problem, each located in the file."""
    name = os.fspath(path)
    doc, text = read_toml(path)
    record = workshop_from_document(doc, file=name, text=text)
    if instrument is None:
        return record
    inst = instrument(record.instrument) if callable(instrument) else instrument
    problems = record.problems(inst)
    if problems:
        raise ValidationError(p.located(name, _locate(text, p.field)) for p in problems)
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
    for key in ("who", "when", "measure", "status", "note"):
        value = getattr(action, key)
        if value:
            data[key] = value
    return data


def workshop_to_dict(record: WorkshopRecord, *, dates: bool = True) -> dict[str, Any]:
    """The record as plain data (``format`` first, empty fields left out); with ``dates=False`` dates are ISO
    strings (for JSON)."""

    def date(value: datetime.date | str) -> datetime.date | str:
        return value if dates or not isinstance(value, datetime.date) else value.isoformat()

    data: dict[str, Any] = {"format": WORKSHOP_FORMAT, "instrument": record.instrument}
    if record.version is not None:
        data["version"] = record.version
    data["title"] = record.title
    if record.date is not None:
        data["date"] = date(record.date)
    for key in ("place", "facilitators", "inputs", "by", "rule", "notes", "previous"):
        value = getattr(record, key)
        if value:
            data[key] = list(value) if isinstance(value, tuple) else value
    if record.labels:
        data["labels"] = dict(record.labels)
    if record.actions:
        data["actions"] = [{**_action_dict(a), **({"when": date(a.when)} if a.when else {})} for a in record.actions]
    if record.domains:
        domains: dict[str, Any] = {}
        for key, decision in record.domains.items():
            entry: dict[str, Any] = {}
            for name in ("agreed", "target", "priority", "priorities", "notes"):
                value = getattr(decision, name)
                if value not in (None, ""):
                    entry[name] = value
            if decision.actions:
                entry["actions"] = [
                    {**_action_dict(a), **({"when": date(a.when)} if a.when else {})} for a in decision.actions
                ]
            domains[key] = entry
        data["domains"] = domains
    return data


def dump_workshop(record: WorkshopRecord) -> str:
    """The record as TOML text that :func:`loads_workshop` reads back to an equal record."""
    # Single-line strings with escapes: a multi-line TOML string would turn "\r\n" into "\n".
    return tomli_w.dumps(workshop_to_dict(record), multiline_strings=False)
