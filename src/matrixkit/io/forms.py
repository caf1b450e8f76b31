"""Which sheet of a workbook holds the responses, and responses laid out as a *form*: one person's answers down
a sheet — matrixkit's own blank sheet (``matrixkit sheet ID -o x.xlsx``) and record sheet filled in, or any sheet
with a domain on each row and a column for the level chosen.

**Choosing the sheet** (:func:`open_sheet`): ``--sheet NAME`` reads that sheet; otherwise the first visible
sheet when its header names a domain (a form export's ``Form1``, a spreadsheet of responses); otherwise the first
other visible sheet whose header names a domain and that has rows of answers (the *Responses* sheet of
matrixkit's blank sheet, typed into by a facilitator); otherwise a form (below); otherwise the first sheet, whose
problems are then reported.

**A form** is read from the visible sheets in order, up to the first that has a *domain table*:

- a column naming a domain on each of its rows (by key or title, as headings are matched: see
  :mod:`matrixkit.io.wide`), under a heading row that has an *answer* column — ``Your level``, ``Level``,
  ``Your answer``, ``Answer``, ``Score``, ``Rating`` or ``Grade`` (the first of these found) — and perhaps a
  ``Comment`` (or ``Notes``) column;
- *fields* above the table, or on the sheets before it: a label with its value in the next cell to the right
  (``Name | Ann Smith``), where the label is one a response table's heading could be — the participant (Name,
  Email, ...) or an attribute named by its word (Organisation, Sector, Table, Role, Date).

The form becomes a one-row :class:`FormTable`: its header is the fields' labels, the domains as written and a
comment heading per domain, its row what was written beside them; the response table reader
(:class:`~matrixkit.io.wide.WideReading`) then reads it like any other, so headings, answers and problems are
matched, read and reported the one way. Each problem names the cell it is about (``Matrix!F7``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from matrixkit.errors import Problem
from matrixkit.io.options import ReadOptions
from matrixkit.io.tables import Table, Workbook, column_letter
from matrixkit.io.wide import Column, domains_named, heading_key, layout
from matrixkit.model import Instrument

__all__ = ["ANSWER_HEADINGS", "COMMENT_HEADINGS", "FormTable", "open_sheet", "read_form"]

#: Headings of the column a form's answers are in, in order of preference.
ANSWER_HEADINGS: tuple[str, ...] = (
    "your level",
    "level",
    "level chosen",
    "chosen level",
    "your answer",
    "answer",
    "your score",
    "score",
    "rating",
    "grade",
)
#: Headings of a form's comment column.
COMMENT_HEADINGS = frozenset({"comment", "comments", "your comment", "your comments", "notes", "note"})
#: Rows of a sheet looked at for a form (a form is a page or two, not a table of thousands).
FORM_ROWS = 500


def _holds_domains(table: Table, instrument: Instrument, options: ReadOptions) -> bool:
    """Whether the table's header has a column for some domain (matched the one way, :func:`layout`)."""
    found = layout(table.header, instrument, options, lambda column: {})
    return bool(found.of_kind("domain"))


def _has_rows(table: Table) -> bool:
    return next(iter(table.chunks()), None) is not None


def open_sheet(path: str | os.PathLike[str], instrument: Instrument, options: ReadOptions) -> Table:
    """The table of responses in a workbook: the sheet named by ``options.sheet``, or the one found as the
    module's documentation says (a form read as a one-row table)."""
    workbook = Workbook(path)
    if options.sheet is not None:
        table = workbook.table(options.sheet)
        if _holds_domains(table, instrument, options):
            return table
        return read_form(workbook, [options.sheet], instrument, options) or table
    first = workbook.table(workbook.visible[0])
    if _holds_domains(first, instrument, options):
        return first
    for sheet in workbook.visible[1:]:
        other = workbook.table(sheet)
        if _holds_domains(other, instrument, options) and _has_rows(other):
            return workbook.table(sheet)
    return read_form(workbook, workbook.visible, instrument, options) or first


@attrs.frozen
class _Cell:
    """A heading (or label) and the value written for it, each at its cell."""

    heading: str
    heading_at: str
    value: str
    value_at: str


@attrs.frozen
class _DomainTable:
    header_row: int  # index in the sheet's rows
    rows: tuple[tuple[int, int], ...]  # (row index, column index of the domain's name)
    answer: int
    comment: int | None


def _find_table(rows: list[list[str]], instrument: Instrument) -> _DomainTable | None:
    """The domain table of a sheet's rows, if it has one with an answer column."""
    hits: dict[int, list[int]] = {}
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            if not text:
                continue
            found, how = domains_named(text, instrument)
            if len(found) == 1 and how == "exact":
                hits.setdefault(c, []).append(r)
            break  # a domain's name starts its row
    if not hits:
        return None
    column = max(hits, key=lambda c: (len(hits[c]), -c))
    domain_rows = hits[column]
    for r in range(domain_rows[0] - 1, -1, -1):
        keys = [heading_key(text) for text in rows[r]]
        answer = next((keys.index(h) for h in ANSWER_HEADINGS if h in keys), None)
        if answer is None or answer <= column:
            continue
        comment = next((c for c, key in enumerate(keys) if key in COMMENT_HEADINGS and c > column), None)
        return _DomainTable(r, tuple((row, column) for row in domain_rows if row > r), answer, comment)
    return None


def _fields(
    rows: list[list[str]], sheet: str, first_row: int, first_column: int, instrument: Instrument, options: ReadOptions
) -> Iterator[_Cell]:
    """The labelled values of a sheet's rows (see the module's documentation)."""
    for r, cells in enumerate(rows):
        filled = [c for c, text in enumerate(cells) if text]
        if not filled or len(filled) > 2 or (len(filled) == 2 and filled[1] != filled[0] + 1):
            continue
        label = cells[filled[0]].strip().rstrip(":").strip()
        if len(label) > 40 or not _is_field(label, instrument, options):
            continue
        value_column = filled[0] + 1
        value = cells[value_column] if value_column < len(cells) else ""
        yield _Cell(
            label,
            f"{sheet}!{column_letter(first_column + filled[0])}{first_row + r}",
            value,
            f"{sheet}!{column_letter(first_column + value_column)}{first_row + r}",
        )


def _is_field(label: str, instrument: Instrument, options: ReadOptions) -> bool:
    columns = layout([label], instrument, options, lambda c: {}).columns
    return bool(columns) and _field_column(columns[0])


def _field_column(column: Column) -> bool:
    if column.kind in ("participant", "completed", "instrument", "version"):
        return True
    return column.kind == "attribute" and column.how in ("word", "mapping")


def read_form(
    workbook: Workbook, sheets: Sequence[str], instrument: Instrument, options: ReadOptions
) -> FormTable | None:
    """The form laid out on ``sheets`` (in order, up to the first with a domain table), or None when none has
    a domain table with an answer column."""
    fields: dict[str, _Cell] = {}
    for sheet in sheets:
        rows, first_row, first_column = workbook.cells(sheet, FORM_ROWS)
        table = _find_table(rows, instrument)
        above = rows[: table.header_row] if table is not None else rows
        for found in _fields(above, sheet, first_row, first_column, instrument, options):
            fields.setdefault(heading_key(found.heading), found)
        if table is not None:
            return FormTable(
                workbook.name, sheet, [*fields.values(), *_answers(rows, sheet, first_row, first_column, table)]
            )
    return None


def _answers(rows: list[list[str]], sheet: str, first_row: int, first_column: int, table: _DomainTable) -> list[_Cell]:
    """Each domain of a domain table with the answer beside it, then the comments (one heading per domain)."""

    def at(r: int, c: int) -> str:
        return f"{sheet}!{column_letter(first_column + c)}{first_row + r}"

    def text(r: int, c: int) -> str:
        return rows[r][c] if c < len(rows[r]) else ""

    cells = [_Cell(text(r, c), at(r, c), text(r, table.answer), at(r, table.answer)) for r, c in table.rows]
    if table.comment is not None:
        heading = text(table.header_row, table.comment)
        cells += [
            _Cell(
                f"{heading}: {text(r, c)}",
                at(table.header_row, table.comment),
                text(r, table.comment),
                at(r, table.comment),
            )
            for r, c in table.rows
        ]
    return cells


class FormTable:
    """A form as a table of one response (the :class:`~matrixkit.io.tables.Table` protocol): row 1 is the
    header (the labels and domains as written), row 2 what was written beside them; every column is located at
    the cell it came from."""

    def __init__(self, name: str, sheet: str, cells: Sequence[_Cell]) -> None:
        self.name = name
        self.sheet = sheet
        self.problems: list[Problem] = []
        self.header = [cell.heading for cell in cells]
        self._cells = list(cells)

    @property
    def header_row(self) -> int:
        return 1

    def chunks(self) -> Iterator[tuple[list[list[str]], list[int]]]:
        row = [cell.value for cell in self._cells]
        if any(row):
            yield [row], [2]

    def where(self, row: int, column: int | None = None) -> dict[str, Any]:
        if column is None:
            return {"cell": self.sheet}
        cell = self._cells[column]
        return {"cell": cell.heading_at if row == self.header_row else cell.value_at}
