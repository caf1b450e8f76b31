"""Tables of text cells, as spreadsheets and form tools export them: CSV in any common encoding and delimiter,
and workbooks (XLSX, XLSM, ODS, XLS) through python-calamine.

A :class:`Table` has a header (the first row with any text in it) and yields its other rows a chunk at a time,
each row a list of stripped cell texts exactly as wide as the header, with the row's number in the file (its
line in a CSV file, its row in a sheet). :meth:`Table.where` turns a row and a column into the location
problems are reported at: ``line=7`` for CSV, ``cell="Form1!C7"`` for a sheet.

CSV: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's "Unicode text"), and otherwise Windows
code page 1252 (Excel's "CSV" on a European locale; Latin-1 bytes that cp1252 leaves undefined are read as
Latin-1), unless an encoding is named. The delimiter — ``,`` ``;`` or tab — is the most frequent of them in the
header outside quotes. Empty columns after the last heading and empty rows are ignored.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import gc
import io
import os
import re
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from matrixkit.errors import MatrixkitError, Problem, ValidationError

if TYPE_CHECKING:
    from matrixkit.io.options import ReadOptions

__all__ = [
    "CHUNK_ROWS",
    "CsvTable",
    "SheetTable",
    "Table",
    "Workbook",
    "column_letter",
    "open_csv",
    "open_workbook",
]

#: Rows handed on at a time: enough to amortise the calls made per chunk, and fewer than the garbage collector's
#: first threshold (700 allocations on CPython 3.11), so that a chunk's rows are freed before they can set off a
#: collection. Measured on 1M responses: 1,000-row chunks set off ~1,900 collections, 15 of them of every object
#: in the process, and took 25% longer than 500-row chunks, which set off none.
CHUNK_ROWS = max(100, min(1000, gc.get_threshold()[0] * 5 // 7))
#: Bytes looked at to recognise an encoding.
_SNIFF_BYTES = 1 << 16


class Table(Protocol):
    """A table of text cells with a header row."""

    #: The file's name as given (for messages).
    name: str
    #: The header's cells (stripped), without the empty columns after the last heading.
    header: list[str]
    #: Problems of rows left out (a value beyond the last heading), complete once :meth:`chunks` is exhausted.
    problems: list[Problem]

    def chunks(self) -> Iterator[tuple[list[list[str]], list[int]]]:
        """The rows after the header, a chunk at a time, with each row's number; rows of empty cells left out.
        Cells are as written (a CSV cell may have spaces around its text)."""
        ...

    def where(self, row: int, column: int | None = None) -> dict[str, Any]:
        """The location of a row (and column) as :class:`~matrixkit.errors.Problem` keyword arguments."""
        ...

    @property
    def header_row(self) -> int:
        """The number of the header row."""
        ...


def column_letter(index: int) -> str:
    """The spreadsheet column name of a 0-based column index: 0 → ``A``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _fit(row: list[str], width: int) -> list[str] | None:
    """The row as wide as the header: short rows padded with blanks, empty cells after the last heading dropped;
    None when a cell beyond the header holds something."""
    if len(row) == width:
        return row
    if len(row) < width:
        return row + [""] * (width - len(row))
    if any(cell.strip() for cell in row[width:]):
        return None
    return row[:width]


def _row_numbers(rows: list[list[str]], first: int) -> list[int]:
    """The line each row starts on, the first on line ``first``: a row spans one line more for each line break
    inside its cells."""
    numbers = []
    line = first
    for row in rows:
        numbers.append(line)
        line += 1 + sum(cell.count("\n") for cell in row)
    return numbers


def _header(cells: list[str]) -> list[str]:
    header = [cell.strip() for cell in cells]
    while header and not header[-1]:
        header.pop()
    return header


# -- CSV -------------------------------------------------------------------------------------------------


def _detect_encoding(head: bytes) -> str:
    """The encoding of a CSV file from its first bytes (see the module's documentation)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return "latin-1"
        return "cp1252"
    return "utf-8"


def _undecodable_line(path: str, encoding: str) -> int | None:
    """The number of the first line of ``path`` that ``encoding`` cannot decode (read again, once it failed)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    try:
        with open(path, "rb") as handle:
            while block := handle.read(_SNIFF_BYTES):
                try:
                    line += decoder.decode(block).count("\n")
                except UnicodeDecodeError as exc:
                    return line + decoder.decode(block[: exc.start]).count("\n") if exc.start else line
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _sniff_delimiter(line: str) -> str:
    """The most frequent of ``,`` ``;`` and tab outside quotes (``,`` on a tie or when there is none)."""
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


class CsvTable:
    """A CSV (or tab-separated) file, read as a stream."""

    def __init__(self, path: str | os.PathLike[str], encoding: str | None = None) -> None:
        self.name = os.fspath(path)
        self.problems: list[Problem] = []
        try:
            self._handle: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by close() or at the end of chunks()
        except OSError as exc:
            raise ValidationError(Problem(f"cannot read file: {exc.strerror or exc}", file=self.name)) from exc
        try:
            head = self._handle.read(_SNIFF_BYTES)
            self._handle.seek(0)
            self.encoding = encoding or _detect_encoding(head)
            self._named = encoding is not None
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise MatrixkitError(
                    f"--encoding {encoding}: not an encoding Python knows (e.g. utf-8, cp1252)"
                ) from None
            self._text = io.TextIOWrapper(self._handle, encoding=self.encoding, newline="")
            self._lines = 0
            first, self._header_line = self._first_line()
            self.delimiter = _sniff_delimiter(first)
            self._reader = csv.reader(chain((first,), self._text), delimiter=self.delimiter)
            self.header = _header(self._next_row() or [])
        except BaseException:
            self._handle.close()
            raise

    @property
    def header_row(self) -> int:
        return self._header_line

    def _decode_error(self, exc: UnicodeDecodeError) -> ValidationError:
        line = _undecodable_line(self.name, self.encoding) or self._lines + 1
        if self._named:
            message = f"not valid {self.encoding} text ({exc.reason})"
            hint = "check --encoding (utf-8, cp1252, latin-1, utf-16)"
        else:
            message = f"not valid {self.encoding} text ({exc.reason}), though the start of the file was"
            hint = "save it as 'CSV UTF-8', or name its encoding with --encoding (e.g. cp1252)"
        return ValidationError(Problem(message, file=self.name, line=line, hint=hint))

    def _first_line(self) -> tuple[str, int]:
        """The first line with any text (the header), and its number."""
        try:
            for number, line in enumerate(self._text, 1):
                self._lines = number
                if line.strip().strip(",;\t").strip():
                    return line, number
        except UnicodeDecodeError as exc:
            raise self._decode_error(exc) from None
        raise ValidationError(
            Problem(
                "empty file: expected a header row (participant, one column per domain)",
                file=self.name,
                line=1,
            )
        )

    def _next_row(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError as exc:
            raise self._decode_error(exc) from None
        except csv.Error as exc:
            raise ValidationError(
                Problem(f"not valid CSV: {exc}", file=self.name, line=self._header_line + self._reader.line_num - 1)
            ) from None

    def chunks(self) -> Iterator[tuple[list[list[str]], list[int]]]:
        width = len(self.header)
        offset = self._header_line - 1
        reader = self._reader
        try:
            while True:
                before = reader.line_num
                rows = list(islice(reader, CHUNK_ROWS))
                if not rows:
                    break
                first = offset + before + 1
                if reader.line_num - before == len(rows):  # one line a row: numbered without looking at them
                    numbers = list(range(first, first + len(rows)))
                else:  # a quoted cell holds a line break
                    numbers = _row_numbers(rows, first)
                if set(map(len, rows)) != {width}:
                    rows, numbers = self._fit_rows(rows, numbers, width)
                if rows:
                    yield rows, numbers
        except UnicodeDecodeError as exc:
            self._lines = offset + reader.line_num
            raise self._decode_error(exc) from None
        except csv.Error as exc:
            raise ValidationError(
                Problem(f"not valid CSV: {exc}", file=self.name, line=offset + reader.line_num)
            ) from None
        finally:
            self.close()

    def _fit_rows(self, rows: list[list[str]], numbers: list[int], width: int) -> tuple[list[list[str]], list[int]]:
        """Rows made as wide as the header (see :func:`_fit`); blank lines dropped, rows with a value beyond the
        last heading dropped and recorded in :attr:`problems`."""
        kept, kept_numbers = [], []
        for row, number in zip(rows, numbers, strict=True):
            if not row:
                continue
            fitted = _fit(row, width)
            if fitted is None:
                self.problems.append(
                    Problem(
                        f"this row has {len(row)} cells, the header has {width}",
                        file=self.name,
                        line=number,
                        hint="a value after the last heading: give that column a heading, or check the delimiter",
                    )
                )
                continue
            kept.append(fitted)
            kept_numbers.append(number)
        return kept, kept_numbers

    def where(self, row: int, column: int | None = None) -> dict[str, Any]:
        return {"line": row}

    def close(self) -> None:
        self._handle.close()


def open_csv(path: str | os.PathLike[str], options: ReadOptions) -> CsvTable:
    """A CSV file as a table (its encoding recognised unless ``options.encoding`` names it)."""
    return CsvTable(path, options.encoding)


# -- workbooks -----------------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """A workbook cell as the text a person sees: whole numbers without ``.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


class Workbook:
    """An open workbook (python-calamine reads it): its sheets as :class:`SheetTable` objects, or as cell texts."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        # python-calamine is an optional dependency (maturity-matrixkit[spreadsheets]): imported when a workbook
        # is read, never by the rest of matrixkit.
        try:
            import python_calamine
        except ImportError:
            raise MatrixkitError(
                f"{os.fspath(path)}: reading spreadsheets needs python-calamine; install "
                "maturity-matrixkit[spreadsheets] (or save the sheet as CSV UTF-8)"
            ) from None
        self.name = os.fspath(path)
        try:
            self._book = python_calamine.CalamineWorkbook.from_path(self.name)
        except (OSError, python_calamine.CalamineError, ValueError) as exc:
            raise ValidationError(
                Problem(f"cannot read this workbook: {exc}", file=self.name, hint="is it an XLSX, XLS or ODS file?")
            ) from None
        #: Every sheet's name, in the workbook's order.
        self.sheets: list[str] = list(self._book.sheet_names)
        #: The sheets a person sees (hidden ones left out), in order.
        self.visible: list[str] = [
            m.name for m in self._book.sheets_metadata if str(m.visible).endswith("Visible")
        ] or self.sheets
        if not self.visible:
            raise ValidationError(Problem("the workbook has no sheets", file=self.name))

    def check(self, sheet: str) -> str:
        """``sheet`` when the workbook has it; else a problem naming the sheets it has."""
        if sheet not in self.sheets:
            raise ValidationError(
                Problem(
                    f"no sheet named {sheet!r} (sheets: {', '.join(self.sheets)})", file=self.name, hint="check --sheet"
                )
            )
        return sheet

    def data(self, sheet: str) -> Any:
        """python-calamine's sheet named ``sheet``."""
        return self._book.get_sheet_by_name(self.check(sheet))

    def table(self, sheet: str) -> SheetTable:
        """The sheet as a table (its first row with text is the header)."""
        return SheetTable(self.name, self.check(sheet), workbook=self)

    def cells(self, sheet: str, limit: int = CHUNK_ROWS) -> tuple[list[list[str]], int, int]:
        """At most ``limit`` rows of a sheet as the texts a person sees, with the number of the first row
        (1-based) and the index of the first column (0 = ``A``): a small sheet laid out as a form."""
        data = self.data(sheet)
        start = data.start or (0, 0)
        rows = [[_cell_text(c) for c in cells] for cells in islice(data.iter_rows(), limit)]
        return rows, start[0] + 1, start[1]


class SheetTable:
    """One sheet of a workbook (the first visible one, or the one named)."""

    def __init__(
        self, path: str | os.PathLike[str], sheet: str | None = None, *, workbook: Workbook | None = None
    ) -> None:
        book = workbook if workbook is not None else Workbook(path)
        self.name = os.fspath(path)
        self.problems: list[Problem] = []
        self.sheet = book.check(sheet) if sheet is not None else book.visible[0]
        self._data = book.data(self.sheet)
        self._rows = iter(self._data.iter_rows())
        self._row = self._data.start[0] if self._data.start else 0
        self._first_column = self._data.start[1] if self._data.start else 0
        self._header_row = 0
        for cells in self._rows:
            self._row += 1
            texts = [_cell_text(c) for c in cells]
            if any(texts):
                self.header = _header(texts)
                self._header_row = self._row
                break
        else:
            raise ValidationError(
                Problem(f"sheet {self.sheet!r} is empty: expected a header row", file=self.name, hint="check --sheet")
            )

    @property
    def header_row(self) -> int:
        return self._header_row

    def chunks(self) -> Iterator[tuple[list[list[str]], list[int]]]:
        width = len(self.header)
        rows: list[list[str]] = []
        numbers: list[int] = []
        for cells in self._rows:
            self._row += 1
            fitted = _fit([_cell_text(c) for c in cells], width)
            if fitted is None:
                self.problems.append(
                    Problem(
                        "this row has text after the last heading "
                        f"(column {column_letter(self._first_column + width)})",
                        file=self.name,
                        cell=f"{self.sheet}!{self._row}",
                        hint="give that column a heading, or clear it",
                    )
                )
                continue
            if not any(fitted):
                continue
            rows.append(fitted)
            numbers.append(self._row)
            if len(rows) >= CHUNK_ROWS:
                yield rows, numbers
                rows, numbers = [], []
        if rows:
            yield rows, numbers

    def where(self, row: int, column: int | None = None) -> dict[str, Any]:
        if column is None:
            return {"cell": f"{self.sheet}!{row}"}
        return {"cell": f"{self.sheet}!{column_letter(self._first_column + column)}{row}"}


def open_workbook(path: str | os.PathLike[str], options: ReadOptions) -> SheetTable:
    """A workbook's sheet (``options.sheet``, else the first visible one) as a table."""
    if not Path(path).is_file():
        raise ValidationError(Problem("no such file", file=os.fspath(path)))
    return SheetTable(path, options.sheet)
