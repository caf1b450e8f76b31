"""Errors that matrixkit reports to people, each carrying where the problem is.

Every problem a user can cause (a malformed file, an unknown key, an out-of-range level, a duplicate) is
reported as a :class:`Problem`: a *location* (file, line and/or field path) and a *message* saying what was
found and what was expected. Functions that validate collect all problems of an input before raising one
:class:`ValidationError`, so a person fixes a file in one pass rather than one error at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "MatrixkitError",
    "Problem",
    "RegistryError",
    "UnknownNameError",
    "ValidationError",
]


@attrs.frozen
class Problem:
    """One located problem: ``file:line: field: message``."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

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

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
        elif self.line is not None:
            where = f"line {self.line}"
        parts = [p for p in (where, self.field) if p]
        return f"{': '.join(parts)}: {self.message}" if parts else self.message


class MatrixkitError(Exception):
    """Base of every error matrixkit raises on purpose; the CLI prints it without a traceback."""


class ValidationError(MatrixkitError):
    """One or more located problems with an input. ``problems`` lists them all."""

    def __init__(self, problems: Iterable[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

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
