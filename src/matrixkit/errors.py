"""Errors that matrixkit reports to people, each carrying where the problem is.

Every problem a user can cause (a malformed file, an unknown key, an out-of-range level, a duplicate) is
reported as a :class:`Problem`: a *location* (file, line or spreadsheet cell, field path), a *message* saying
what was found and what was expected, and optionally a *hint* saying how to fix it. Functions that validate
collect all problems of an input before raising one :class:`ValidationError`, so a person fixes a file in one
pass rather than one error at a time. :class:`ProblemLog` collects the problems of a large input compactly,
grouping repeats of one problem ("'2 - Developing' is not a level: 60 cells, rows 2–61").

An exception raised inside a plugin's own code is reported as a :class:`PluginError` naming the plugin and its
distribution, never as an internal error of matrixkit.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "MatrixkitError",
    "PluginError",
    "Problem",
    "ProblemLog",
    "RegistryError",
    "UnknownNameError",
    "ValidationError",
]


@attrs.frozen
class Problem:
    """One located problem: ``file:line: field: message; hint``.

    ``cell`` locates a problem in a spreadsheet (``Form1!C7``) where text files have a ``line``. ``count`` is
    how many individual problems the entry stands for when repeats of one problem were grouped.
    """

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    cell: str | None = None
    hint: str = ""
    count: int = 1

    def located(self, file: str | None = None, line: int | None = None) -> Problem:
        """The same problem, with a file (and line) filled in where it had none."""
        return attrs.evolve(
            self,
            file=self.file if self.file is not None else file,
            line=self.line if self.line is not None else line,
        )

    def under(self, prefix: str) -> Problem:
        """The same problem, with its field path nested under ``prefix``."""
        if not prefix:
            return self
        field = prefix if not self.field else f"{prefix}{'' if self.field.startswith('[') else '.'}{self.field}"
        return attrs.evolve(self, field=field)

    @property
    def where(self) -> str:
        """The location as printed: ``file:line``, ``file:Sheet!C7``, ``line 3`` or empty."""
        position = self.cell if self.cell is not None else (str(self.line) if self.line is not None else None)
        if self.file is not None:
            return self.file if position is None else f"{self.file}:{position}"
        if self.cell is not None:
            return self.cell
        return f"line {self.line}" if self.line is not None else ""

    def __str__(self) -> str:
        parts = [p for p in (self.where, self.field) if p]
        text = f"{': '.join(parts)}: {self.message}" if parts else self.message
        return f"{text}; {self.hint}" if self.hint else text


class MatrixkitError(Exception):
    """Base of every error matrixkit raises on purpose; the CLI prints it without a traceback."""


class ValidationError(MatrixkitError):
    """One or more located problems with an input. ``problems`` lists them all (repeats may be grouped, each
    group's :attr:`Problem.count` saying how many it stands for); :attr:`total` counts every problem."""

    def __init__(self, problems: Iterable[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def total(self) -> int:
        """How many individual problems were found (grouped repeats counted one by one)."""
        return sum(p.count for p in self.problems)

    def located(self, file: str | None = None, line: int | None = None) -> ValidationError:
        return ValidationError(p.located(file, line) for p in self.problems)

    def under(self, prefix: str) -> ValidationError:
        return ValidationError(p.under(prefix) for p in self.problems)

    @classmethod
    def collect(cls, problems: Sequence[Problem]) -> None:
        """Raise when ``problems`` is not empty."""
        if problems:
            raise cls(problems)


class RegistryError(MatrixkitError):
    """A plugin registered something inconsistent (a duplicate id, a bad object)."""


class PluginError(MatrixkitError):
    """Plugin code failed: the message names the plugin, its distribution and what it was doing."""

    def __init__(self, plugin: str, doing: str, exc: BaseException) -> None:
        self.plugin, self.doing = plugin, doing
        super().__init__(
            f"{plugin} failed while {doing}: {type(exc).__name__}: {exc} (a problem in that plugin: run again "
            "with --debug for the traceback and report it to the plugin's authors, or disable the plugin)"
        )


class UnknownNameError(MatrixkitError):
    """A name (instrument id, rule, exporter, reader) that nothing registered; the message lists the known ones."""

    def __init__(self, kind: str, name: str, known: Iterable[str], hint: str = "") -> None:
        self.kind, self.name = kind, name
        known = sorted(known)
        choices = ", ".join(known) if known else "none installed"
        message = f"unknown {kind} {name!r} (known: {choices})"
        if hint:
            message += f"; {hint}"
        super().__init__(message)


class _Group:
    """The repeats of one problem: the first occurrence, how many, and the lines (or cells) where they are."""

    __slots__ = ("added", "cells", "count", "fields", "first", "lines")

    def __init__(self, first: Problem) -> None:
        self.first = first
        self.added = 0
        self.count = 0
        self.lines = array("l")
        self.cells: list[str] = []
        self.fields: list[str] = []


#: How many cells of a grouped problem are named before "..." (lines are shown as ranges).
_SHOWN_CELLS = 5
#: How many fields (columns) of a grouped problem are named; beyond this they are counted.
_SHOWN_FIELDS = 3


class ProblemLog:
    """The problems of one input, collected compactly: repeats of one message (same file, message and hint)
    are kept as one group with their lines, so a file with a million bad cells costs a few bytes per cell.

    ``problems()`` gives one :class:`Problem` per group, in the order each was first found.
    """

    def __init__(self) -> None:
        self._groups: dict[tuple[str | None, str, str], _Group] = {}

    def add(self, problem: Problem) -> None:
        key = (problem.file, problem.message, problem.hint)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(problem)
        group.count += problem.count
        group.added += 1
        if problem.line is not None:
            group.lines.append(problem.line)
        if problem.cell is not None and len(group.cells) <= _SHOWN_CELLS:
            group.cells.append(problem.cell)
        if problem.field is not None and problem.field not in group.fields:
            group.fields.append(problem.field)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def __len__(self) -> int:
        return sum(group.count for group in self._groups.values())

    def __bool__(self) -> bool:
        return bool(self._groups)

    def problems(self) -> list[Problem]:
        """One problem per group, ordered by file (in the order files were first seen) and line."""
        files: dict[str | None, int] = {}
        for file, _, _ in self._groups:
            files.setdefault(file, len(files))
        ordered = sorted(
            self._groups.values(),
            key=lambda g: (files[g.first.file], min(g.lines) if g.lines else _row(g.cells) or g.first.line or 0),
        )
        result = []
        for group in ordered:
            if group.added == 1:
                result.append(group.first)
                continue
            where: list[str] = []
            if group.lines:
                lines = sorted(set(group.lines))
                where.append(f"{'line' if len(lines) == 1 else 'lines'} {_ranges(lines)}")
            if group.cells:
                shown = ", ".join(group.cells[:_SHOWN_CELLS])
                where.append(f"cells {shown}{', ...' if group.count > _SHOWN_CELLS else ''}")
            # A few fields are named; more (an answer repeated across a form's questions) are counted.
            field = ", ".join(group.fields) if 0 < len(group.fields) <= _SHOWN_FIELDS else None
            unit = "cells" if group.fields or group.cells else "times"
            if len(group.fields) > _SHOWN_FIELDS:
                unit += f" in {len(group.fields)} columns"
            message = f"{group.first.message}: {group.count} {unit}" + (f" ({'; '.join(where)})" if where else "")
            result.append(
                Problem(message, file=group.first.file, field=field, hint=group.first.hint, count=group.count)
            )
        return result

    def raise_if_any(self) -> None:
        if self._groups:
            raise ValidationError(self.problems())


def _row(cells: Sequence[str]) -> int | None:
    """The row of the first cell (``Form1!C7`` → 7), to order a sheet's problems as its rows are."""
    if not cells:
        return None
    digits = cells[0][len(cells[0].rstrip("0123456789")) :]
    return int(digits) if digits else None


def _ranges(numbers: Sequence[int], limit: int = 8) -> str:
    """``2–7, 9, 12–14`` for sorted numbers; at most ``limit`` ranges, then ``...``."""
    spans: list[str] = []
    for _, run in itertools.groupby(enumerate(numbers), key=lambda pair: pair[1] - pair[0]):
        values = [n for _, n in run]
        spans.append(str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}")
        if len(spans) > limit:
            return ", ".join(spans[:limit]) + ", ..."
    return ", ".join(spans)
