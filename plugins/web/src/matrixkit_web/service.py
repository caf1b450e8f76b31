"""The rules shared by the API and the pages: what a workshop and a response may contain.

Both the JSON API and the HTML forms check their input here, so a limit or a message is the same whichever way
a person reaches the tool. Problems are collected per field (``{"choices.leadership": "…"}``) so a form can show
all of them at once and the API can list them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from matrixkit.errors import MatrixkitError

if TYPE_CHECKING:
    from matrixkit.model import Instrument
    from matrixkit.registry import Registry
    from matrixkit_web.store import Workshop

__all__ = [
    "LIMITS",
    "Problems",
    "ResponseInput",
    "WorkshopInput",
    "check_attributes",
    "check_response",
    "check_workshop",
    "split_lines",
]

#: Longest text accepted per field (characters).
LIMITS = {
    "title": 200,
    "place": 200,
    "name": 100,
    "participant": 100,
    "attribute": 100,
    "comment": 2000,
    "notes": 4000,
    "action": 1000,
    "who": 200,
    "when": 100,
    "list": 50,
}

_ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
#: Attributes a response may carry besides sector and table.
MAX_ATTRIBUTES = 8


class Problems(MatrixkitError):
    """Input problems, field → message."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.problems.items()))


def split_lines(text: str) -> list[str]:
    """Sectors or tables typed one per line (commas also separate), blanks and duplicates dropped."""
    items: list[str] = []
    for part in re.split(r"[\n,]", text):
        cleaned = " ".join(part.split())
        if cleaned and cleaned.casefold() not in (i.casefold() for i in items):
            items.append(cleaned)
    return items


@attrs.frozen
class WorkshopInput:
    instrument: Instrument
    title: str
    rule: str
    date: str | None = None
    place: str | None = None
    sectors: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()


def check_workshop(
    registry: Registry,
    *,
    instrument: str,
    title: str,
    date: str | dt.date | None = None,
    place: str | None = None,
    sectors: Iterable[str] = (),
    tables: Iterable[str] = (),
    rule: str | None = None,
) -> WorkshopInput:
    """A checked workshop; raises :class:`Problems`."""
    problems: dict[str, str] = {}
    found: Instrument | None = None
    if not instrument:
        problems["instrument"] = "Choose the instrument (maturity matrix) the workshop will use"
    elif instrument not in registry.instruments:
        known = ", ".join(registry.instruments.ids()) or "none installed"
        problems["instrument"] = f"There is no installed instrument {instrument!r} (installed: {known})"
    else:
        try:
            found = registry.instrument(instrument)
        except MatrixkitError as exc:
            problems["instrument"] = f"The instrument {instrument!r} cannot be used: {exc}"
    title = " ".join(title.split())
    if not title:
        problems["title"] = "Enter a title for the workshop"
    elif len(title) > LIMITS["title"]:
        problems["title"] = f"The title must be {LIMITS['title']} characters or fewer"
    date_text: str | None = None
    if isinstance(date, dt.date):
        date_text = date.isoformat()
    elif date:
        try:
            date_text = dt.date.fromisoformat(date.strip()).isoformat()
        except ValueError:
            problems["date"] = "The date must be a real date, like 2025-03-14"
    place = " ".join((place or "").split()) or None
    if place and len(place) > LIMITS["place"]:
        problems["place"] = f"The place must be {LIMITS['place']} characters or fewer"
    lists: dict[str, list[str]] = {}
    for name, values in (("sectors", sectors), ("tables", tables)):
        cleaned: list[str] = []
        for value in values:
            value = " ".join(value.split())
            if value and value.casefold() not in (c.casefold() for c in cleaned):
                cleaned.append(value)
        if len(cleaned) > LIMITS["list"]:
            problems[name] = f"Give {LIMITS['list']} {name} or fewer"
        elif any(len(v) > LIMITS["attribute"] for v in cleaned):
            problems[name] = f"Each of the {name} must be {LIMITS['attribute']} characters or fewer"
        lists[name] = cleaned
    rule_name = rule or "median"
    if rule_name not in registry.rules:
        problems["rule"] = f"There is no consensus rule {rule_name!r} (known: {', '.join(sorted(registry.rules))})"
    if problems:
        raise Problems(problems)
    assert found is not None
    return WorkshopInput(
        instrument=found,
        title=title,
        rule=rule_name,
        date=date_text,
        place=place,
        sectors=tuple(lists["sectors"]),
        tables=tuple(lists["tables"]),
    )


def check_attributes(
    workshop: Workshop, attributes: Mapping[str, str], *, prefix: str = "attributes."
) -> dict[str, str]:
    """A participant's attributes, checked: ``sector`` and ``table`` must be among the workshop's own (when it
    lists any) and are written as the workshop spells them; other attributes are short text. Blank values are
    dropped. Raises :class:`Problems`."""
    problems: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    if len(attributes) > MAX_ATTRIBUTES:
        raise Problems({prefix.rstrip("."): f"Give {MAX_ATTRIBUTES} attributes or fewer"})
    for name, value in attributes.items():
        field = f"{prefix}{name}"
        if not _ATTRIBUTE_NAME.match(name):
            problems[field] = "Attribute names are lowercase words (letters, digits, - and _), like 'sector'"
            continue
        value = " ".join(value.split())
        if not value:
            continue
        if len(value) > LIMITS["attribute"]:
            problems[field] = f"Must be {LIMITS['attribute']} characters or fewer"
            continue
        allowed = {"sector": workshop.sectors, "table": workshop.tables}.get(name)
        if allowed:
            match = [a for a in allowed if a.casefold() == value.casefold()]
            if not match:
                what = "sectors" if name == "sector" else "tables"
                problems[field] = f"{value!r} is not one of this workshop's {what}: {', '.join(allowed)}"
                continue
            value = match[0]
        cleaned[name] = value
    if problems:
        raise Problems(problems)
    return cleaned


@attrs.frozen
class ResponseInput:
    participant: str
    attributes: dict[str, str]
    #: domain → (level key or None, comment or None)
    answers: dict[str, tuple[str | None, str | None]]


def check_response(
    workshop: Workshop,
    instrument: Instrument,
    *,
    participant: str,
    attributes: Mapping[str, str],
    choices: Mapping[str, object],
    comments: Mapping[str, str],
) -> ResponseInput:
    """A checked whole response (API): known domains, levels on the scale, text within limits.

    Raises :class:`Problems` listing every problem (``choices.<domain>``, ``comments.<domain>``, ...).
    """
    problems: dict[str, str] = {}
    participant = " ".join(participant.split())
    if not participant:
        problems["participant"] = "Give the participant's id (a name, initials or a code)"
    elif len(participant) > LIMITS["participant"]:
        problems["participant"] = f"Must be {LIMITS['participant']} characters or fewer"
    try:
        cleaned_attributes = check_attributes(workshop, attributes)
    except Problems as exc:
        problems.update(exc.problems)
        cleaned_attributes = {}
    known = instrument.domain_keys
    shown = ", ".join(known)
    answers: dict[str, tuple[str | None, str | None]] = {}
    for key, value in choices.items():
        if key not in known:
            problems[f"choices.{key}"] = f"unknown domain {key!r} of {instrument.id} (domains: {shown})"
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            answers[key] = (None, None)
            continue
        try:
            index = instrument.level_index(value)
        except ValueError as exc:
            problems[f"choices.{key}"] = str(exc)
            continue
        answers[key] = (instrument.levels[index].key, None)
    for key, text in comments.items():
        if key not in known:
            problems[f"comments.{key}"] = f"comment on unknown domain {key!r} of {instrument.id} (domains: {shown})"
            continue
        if len(text) > LIMITS["comment"]:
            problems[f"comments.{key}"] = f"Comments must be {LIMITS['comment']} characters or fewer"
            continue
        if text.strip():
            level = answers.get(key, (None, None))[0]
            answers[key] = (level, text.strip())
    if problems:
        raise Problems(problems)
    return ResponseInput(participant=participant, attributes=cleaned_attributes, answers=answers)
