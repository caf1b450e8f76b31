"""Mapping files (``--map FILE.toml``): which column of a response table is what, and which answers mean which
level, for the files matrixkit cannot match by itself.

::

    format = 1
    instrument = "pit-a"                    # optional: the instrument the mapping was written for

    [columns]                               # heading, exactly as in the file → what it holds
    "Name" = "participant"
    "Completion time" = "completed"
    "1. How would you describe leadership in your partnership?" = "leadership"
    "Which sector do you work in?" = "attribute:sector"
    "Anything else about leadership?" = "comment:leadership"
    "Email" = "ignore"

    [answers]                               # an answer as people wrote it → a level (key, score or label)
    "Just getting started" = "emerging"

``matrixkit map ID FILE -o map.toml`` (:func:`matrixkit.io.wide.suggest_mapping`) writes one pre-filled
with a file's headings and the best guesses, for the facilitator to correct. See ``docs/collecting-responses.md``.
"""

from __future__ import annotations

import os

import attrs

from matrixkit.convert import structure
from matrixkit.errors import Problem, ValidationError
from matrixkit.format import locate_problems, read_toml
from matrixkit.frozen import FrozenDict, freeze
from matrixkit.model import Instrument, normalise_answer

__all__ = ["MAPPING_FORMAT", "ROLES", "ColumnMapping", "read_mapping"]

#: The version of the mapping file format.
MAPPING_FORMAT = 1
#: Column targets other than a domain key, ``attribute:NAME`` and ``comment:DOMAIN``.
ROLES: dict[str, str] = {
    "participant": "identifies the participant (a name, an email, an id)",
    "completed": "when the response was completed (a form's completion time), for --duplicates latest",
    "ignore": "not used",
}


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@attrs.frozen
class ColumnMapping:
    """What the columns of a response table hold, and answers that name levels."""

    columns: FrozenDict[str, str] = attrs.field(
        factory=FrozenDict,
        converter=freeze,
        metadata=_doc(
            "Heading → `participant`, `completed`, `ignore`, a domain key, `attribute:NAME` or `comment:DOMAIN`."
        ),
    )
    answers: FrozenDict[str, str | int] = attrs.field(
        factory=FrozenDict,
        converter=freeze,
        metadata=_doc("An answer as written → the level it means (a level key, score or label)."),
    )
    instrument: str | None = attrs.field(default=None, metadata=_doc("The instrument it was written for."))

    def target(self, heading: str) -> str | None:
        """What the column headed ``heading`` holds according to the mapping (headings compared ignoring case
        and spacing), or None when the mapping does not say."""
        return self._by_heading.get(_key(heading))

    @property
    def _by_heading(self) -> dict[str, str]:
        return {_key(heading): target for heading, target in self.columns.items()}

    def problems(self, instrument: Instrument) -> list[Problem]:
        """Targets that are not roles, domains of ``instrument`` or attributes; answers that name no level."""
        problems: list[Problem] = []
        domains = set(instrument.domain_keys)
        for heading, target in self.columns.items():
            kind, _, name = target.partition(":")
            if target in ROLES or target in domains:
                continue
            if kind == "attribute" and name.strip():
                continue
            if kind == "comment" and name in domains:
                continue
            problems.append(
                Problem(
                    f"{target!r} is not something a column can hold",
                    field=f"columns.{heading!r}",
                    hint=f"use {', '.join(ROLES)}, a domain key of {instrument.id} "
                    f"({', '.join(instrument.domain_keys)}), attribute:NAME or comment:DOMAIN",
                )
            )
        for answer, level in self.answers.items():
            try:
                instrument.level_index(level)
            except ValueError as exc:
                problems.append(
                    Problem(
                        str(exc),
                        field=f"answers.{answer!r}",
                        hint=f"give a level's key, score or label: {', '.join(instrument.level_keys)}",
                    )
                )
        return problems

    def answer_indices(self, instrument: Instrument) -> dict[str, int]:
        """Normalised answer → level index (check :meth:`problems` first)."""
        return {normalise_answer(answer): instrument.level_index(level) for answer, level in self.answers.items()}


def _key(heading: str) -> str:
    return " ".join(heading.split()).casefold()


@attrs.frozen
class _MappingFile:
    format: int
    columns: FrozenDict[str, str] = attrs.field(factory=FrozenDict, converter=freeze)
    answers: FrozenDict[str, str | int] = attrs.field(factory=FrozenDict, converter=freeze)
    instrument: str | None = None


def read_mapping(path: str | os.PathLike[str], instrument: Instrument | None = None) -> ColumnMapping:
    """Read a mapping file; with ``instrument``, check its targets and answers against it. Raises
    :class:`ValidationError` listing every problem, located in the file."""
    name = os.fspath(path)
    doc, text = read_toml(path)
    try:
        parsed = structure(doc, _MappingFile)
    except ValidationError as exc:
        raise locate_problems(exc.problems, name, text) from None
    if parsed.format != MAPPING_FORMAT:
        raise ValidationError(
            Problem(f"unsupported format {parsed.format!r}; this matrixkit reads format {MAPPING_FORMAT}", file=name)
        )
    mapping = ColumnMapping(columns=parsed.columns, answers=parsed.answers, instrument=parsed.instrument)
    if instrument is not None:
        problems = []
        if mapping.instrument is not None and mapping.instrument != instrument.id:
            problems.append(
                Problem(
                    f"written for {mapping.instrument!r}, not {instrument.id!r}",
                    field="instrument",
                    hint=f"use a mapping file for {instrument.id} (matrixkit map {instrument.id} FILE writes one)",
                )
            )
        problems += mapping.problems(instrument)
        if problems:
            raise locate_problems(tuple(problems), name, text)
    return mapping
