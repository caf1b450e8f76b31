"""Response readers: the file formats partners' answers arrive in.

A reader is any object satisfying :class:`Reader` — a ``name``, the file ``extensions`` it reads, a one-line
``description`` and ``read(path, instrument, options)`` returning a :class:`Reading`. It is registered with the
:func:`~matrixkit.hookspecs.matrixkit_register_readers` hook and chosen by the input file's extension. The same
readers serve the command line, :mod:`matrixkit.api` and the web tool's uploads.

A :class:`Reading` is one pass over one file: :meth:`~Reading.blocks` yields the checked responses as
:class:`~matrixkit.io.wide.ResponseBlock` columns, and :attr:`~Reading.problems` holds every problem found
(each located by line or cell, column and what was expected), complete once the blocks are exhausted. A reader
of a table format returns a :class:`~matrixkit.io.wide.WideReading` over its own
:class:`~matrixkit.io.tables.Table`; a reader of anything else returns a :class:`ResponsesReading` over the
:class:`~matrixkit.responses.Response` objects it builds.

Built in (``docs/reference/responses.md``):

``csv``
    wide CSV as spreadsheets and forms export it (see :mod:`matrixkit.io.wide` for how columns and answers
    are matched, :mod:`matrixkit.io.tables` for encodings and delimiters).
``spreadsheet``
    XLSX, XLSM, XLS and ODS workbooks: the sheet of responses (the first, or ``--sheet``), read the same way,
    or a form filled in — matrixkit's own blank sheet and record sheet (see :mod:`matrixkit.io.forms`); needs
    ``maturity-matrixkit[spreadsheets]``.
``toml`` / ``json``
    response files holding one response or many (``responses = [...]``), see :mod:`matrixkit.io.response_files`.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import ClassVar, Protocol, runtime_checkable

import attrs

from matrixkit.collation import UNANSWERED
from matrixkit.errors import MatrixkitError, Problem, ProblemLog, ValidationError
from matrixkit.io.forms import open_sheet
from matrixkit.io.options import ReadOptions
from matrixkit.io.tables import CHUNK_ROWS, open_csv
from matrixkit.io.wide import ResponseBlock, WideReading
from matrixkit.model import Instrument
from matrixkit.responses import Response

__all__ = [
    "CsvReader",
    "Reader",
    "Reading",
    "Rejected",
    "ResponsesReading",
    "SpreadsheetReader",
    "reader_for",
]


@runtime_checkable
class Reading(Protocol):
    """One pass over one response file."""

    @property
    def name(self) -> str:
        """The file's name as given."""
        ...

    @property
    def problems(self) -> ProblemLog:
        """Every problem found so far (complete once :meth:`blocks` is exhausted)."""
        ...

    def blocks(self, sort_by: str | None = None) -> Iterator[ResponseBlock]:
        """The checked responses, a block at a time (responses with problems are left out); a reading may hand
        each block's responses in the order of the attribute ``sort_by`` (a help to counting, not a promise)."""
        ...

    def notes(self) -> list[str]:
        """What is worth telling the person about how the file was read (columns not used, marks across two
        levels read under ``--between``)."""
        ...


@runtime_checkable
class Reader(Protocol):
    """A response file format."""

    @property
    def name(self) -> str:
        """Kebab-case name of the format, e.g. ``csv``."""
        ...

    @property
    def extensions(self) -> tuple[str, ...]:
        """File name extensions with the dot, lowercase, e.g. ``(".csv",)``."""
        ...

    @property
    def description(self) -> str:
        """One line saying what the format is."""
        ...

    def read(self, path: str | os.PathLike[str], instrument: Instrument, options: ReadOptions) -> Reading:
        """A reading of ``path`` (opening the file may raise :class:`~matrixkit.errors.ValidationError`)."""
        ...


def reader_for(path: str | os.PathLike[str], readers: Sequence[Reader]) -> Reader:
    """The reader whose extensions match ``path`` (the longest matching extension wins).

    Raises :class:`MatrixkitError` naming the extensions that can be read.
    """
    name = os.fspath(path).lower()
    best: tuple[int, Reader] | None = None
    for reader in readers:
        for ext in reader.extensions:
            if name.endswith(ext.lower()) and (best is None or len(ext) > best[0]):
                best = (len(ext), reader)
    if best is None:
        known = sorted({ext for r in readers for ext in r.extensions})
        raise MatrixkitError(
            f"{os.fspath(path)}: no reader for this kind of file (readable: {', '.join(known) or 'none'})"
        )
    return best[1]


@attrs.frozen
class Rejected:
    """A response that could not be read: whose it was, where, and why (its problems)."""

    participant: str
    where: str
    problems: tuple[Problem, ...]


class ResponsesReading:
    """A reading made of :class:`~matrixkit.responses.Response` objects (for readers of formats that are not
    tables): each response is checked against the instrument, and the ones that fit are handed on as blocks.

    ``responses`` yields ``(where, response)`` pairs (``where`` names it in messages, e.g. ``responses[3]``),
    :class:`Rejected` responses (still counted when looking for duplicates), or problems found while reading.
    """

    def __init__(
        self, name: str, instrument: Instrument, responses: Iterable[tuple[str, Response] | Rejected | Problem]
    ) -> None:
        self.name = name
        self.instrument = instrument
        self.problems = ProblemLog()
        self._responses = responses

    def notes(self) -> list[str]:
        return []

    def blocks(self, sort_by: str | None = None) -> Iterator[ResponseBlock]:
        instrument = self.instrument
        keys = instrument.domain_keys
        items = iter(self._responses)
        position = 0
        while True:
            chunk = list(islice(items, CHUNK_ROWS))
            if not chunk:
                return
            kept: list[tuple[int, str, Response]] = []
            rejected: list[tuple[str, int]] = []
            wheres: dict[int, str] = {}
            for item in chunk:
                if isinstance(item, Problem):
                    self.problems.add(item.located(self.name))
                    continue
                position += 1
                if isinstance(item, Rejected):
                    self.problems.extend(p.located(self.name) for p in item.problems)
                    rejected.append((item.participant, position))
                    wheres[position] = item.where
                    continue
                where, response = item
                found = [p.under(where).located(self.name) for p in response.problems(instrument)]
                wheres[position] = where
                if found:
                    self.problems.extend(found)
                    rejected.append((response.participant, position))
                else:
                    kept.append((position, where, response))
            if not kept and not rejected:
                continue
            names = {name for _, _, r in kept for name in r.attributes}
            comment_keys = {key for _, _, r in kept for key in r.comments}

            def origin(row: int, wheres: dict[int, str] = wheres) -> str:
                return f"{self.name}: {wheres.get(row, row)}"

            yield ResponseBlock(
                file=self.name,
                instrument=instrument,
                rows=[p for p, _, _ in kept],
                participants=[r.participant for _, _, r in kept],
                choices=[
                    bytes(UNANSWERED if (c := r.choices.get(key)) is None else c for _, _, r in kept) for key in keys
                ],
                attributes={name: [r.attributes.get(name, "") for _, _, r in kept] for name in sorted(names)},
                comments={key: [r.comments.get(key, "") for _, _, r in kept] for key in sorted(comment_keys)},
                completed=[r.completed for _, _, r in kept] if any(r.completed for _, _, r in kept) else None,
                origin=origin,
                rejected=rejected,
            )


class CsvReader:
    """Wide CSV: one row per participant, one column per domain (see :mod:`matrixkit.io.wide`)."""

    name: ClassVar[str] = "csv"
    extensions: ClassVar[tuple[str, ...]] = (".csv", ".tsv", ".txt")
    description: ClassVar[str] = (
        "wide CSV or tab-separated text from a spreadsheet or form: one row per participant, a column per domain"
    )

    def read(self, path: str | os.PathLike[str], instrument: Instrument, options: ReadOptions) -> Reading:
        return WideReading(open_csv(path, options), instrument, options)


class SpreadsheetReader:
    """Workbooks (XLSX, XLSM, XLS, ODS), one sheet read like a wide CSV file; python-calamine reads them."""

    name: ClassVar[str] = "spreadsheet"
    extensions: ClassVar[tuple[str, ...]] = (".xlsx", ".xlsm", ".xls", ".ods")
    description: ClassVar[str] = "a workbook's sheet (XLSX, XLS, ODS), like wide CSV; --sheet NAME picks the sheet"

    def availability(self) -> str | None:
        """None when workbooks can be read; otherwise what to install."""
        if importlib.util.find_spec("python_calamine") is None:
            return "install maturity-matrixkit[spreadsheets]"
        return None

    def read(self, path: str | os.PathLike[str], instrument: Instrument, options: ReadOptions) -> Reading:
        if not os.path.isfile(path):
            raise ValidationError(Problem("no such file", file=os.fspath(path)))
        return WideReading(open_sheet(path, instrument, options), instrument, options)
