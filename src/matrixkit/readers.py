"""Response readers: the file formats partners' answers arrive in.

A reader is any object satisfying :class:`Reader` — a ``name``, the file ``extensions`` it reads, a one-line
``description`` and ``read(path, instrument)`` yielding :class:`~matrixkit.responses.Response` objects. It is
registered with the :func:`~matrixkit.hookspecs.matrixkit_register_readers` hook and chosen by the input
file's extension. ``read`` checks every response against the instrument and, when anything is wrong, raises
:class:`~matrixkit.errors.ValidationError` listing *all* the problems of the file, each located
(``workshop.csv:7: column "prioritisation": "5" is not a level of ...``). Readers may yield responses before
they raise: callers must not write anything until the iterator is exhausted without error.

Built in (``docs/reference/responses.md``):

``csv``
    "wide" CSV as spreadsheets export it: one row per participant; a ``participant`` column; one column per
    domain headed by the domain key or exact title; ``comment: <domain>`` columns for comments; every other
    column an attribute (``sector``, ``table``, ...). Cells hold a level score, key or label
    (case-insensitive), or are blank (not answered). UTF-8 with or without BOM, CRLF or LF, ``,`` ``;`` or
    tab delimiters (detected from the header).
``toml`` / ``json``
    response files holding one response or many (``responses = [...]``).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import json
import os
import re
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from matrixkit.errors import MatrixkitError, Problem, ValidationError
from matrixkit.responses import Response, duplicate_problems, responses_from_document

if TYPE_CHECKING:
    from matrixkit.collation import Collation
    from matrixkit.model import Instrument

__all__ = [
    "MAX_PROBLEMS",
    "NOT_ANSWERED",
    "CsvReader",
    "JsonReader",
    "Reader",
    "TomlReader",
    "builtin_readers",
    "reader_for",
]

#: Cell values read as "not answered" besides a blank cell (compared case-insensitively).
NOT_ANSWERED: frozenset[str] = frozenset({"", "-", "?", "n/a", "na", "don't know", "dont know"})
#: A reader stops collecting problems after this many (and says how many more it found).
MAX_PROBLEMS = 1000


@runtime_checkable
class Reader(Protocol):
    """A response file format.

    A reader may also offer ``tally(path, instrument, by=None, *, seen=None)``: a fast path returning the
    file's :class:`~matrixkit.collation.Collation` directly (equal to collating what ``read`` yields), or None
    when the file must be read response by response; :func:`matrixkit.collation.collate_file` prefers it.
    """

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

    def read(self, path: str | os.PathLike[str], instrument: Instrument) -> Iterator[Response]:
        """Yield the responses in ``path``; raise ValidationError listing every located problem."""
        ...


def reader_for(path: str | os.PathLike[str], readers: dict[str, Reader]) -> Reader:
    """The reader whose extensions match ``path`` (the longest matching extension wins).

    Raises :class:`MatrixkitError` naming the extensions that can be read.
    """
    name = os.fspath(path).lower()
    best: tuple[int, Reader] | None = None
    for reader in readers.values():
        for ext in reader.extensions:
            if name.endswith(ext.lower()) and (best is None or len(ext) > best[0]):
                best = (len(ext), reader)
    if best is None:
        known = sorted({ext for r in readers.values() for ext in r.extensions})
        raise MatrixkitError(
            f"{os.fspath(path)}: no reader for this kind of file (readable: {', '.join(known) or 'none'})"
        )
    return best[1]


class _Problems:
    """Collects located problems up to a cap, counting the rest."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []
        self.more = 0

    def add(self, message: str, line: int | None = None, field: str | None = None) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(message, file=self.file, line=line, field=field))
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.items:
            problems = list(self.items)
            if self.more:
                problems.append(Problem(f"... and {self.more} more problems", file=self.file))
            raise ValidationError(problems)


_FLOAT_WHOLE = re.compile(r"^[+-]?\d+\.0*$")


def whole_number_text(cell: str) -> str | None:
    """``"3"`` for a spreadsheet's ``"3.0"`` (any number of zeros), else None; never raises, however long."""
    if not _FLOAT_WHOLE.match(cell):
        return None
    try:
        return str(int(cell.split(".", 1)[0]))
    except ValueError:  # more digits than int() converts
        return None


def _level_lookup(instrument: Instrument) -> dict[str, int]:
    """Cell text (normalised) → level index. Should a label equal another level's key or score, or a key
    another level's score, scores win over keys and keys over labels."""
    lookup: dict[str, int] = {}
    for i, level in enumerate(instrument.levels):
        lookup[_normalise(level.label)] = i
    for i, level in enumerate(instrument.levels):
        lookup[level.key.casefold()] = i
    for i, level in enumerate(instrument.levels):
        lookup[str(level.score)] = i
    return lookup


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


class CsvReader:
    """Wide CSV: one row per participant, one column per domain (see the module documentation)."""

    name: ClassVar[str] = "csv"
    extensions: ClassVar[tuple[str, ...]] = (".csv", ".tsv")
    description: ClassVar[str] = (
        "wide CSV: a participant column, one column per domain (key or title), other columns are attributes"
    )

    def read(self, path: str | os.PathLike[str], instrument: Instrument) -> Iterator[Response]:
        file = os.fspath(path)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise ValidationError(Problem(f"cannot read file: {exc.strerror or exc}", file=file)) from exc
        with handle:
            yield from self._read(_decoded_lines(handle, file), file, instrument)

    def tally(
        self,
        path: str | os.PathLike[str],
        instrument: Instrument,
        by: str | None = None,
        *,
        seen: MutableMapping[str, str] | None = None,
    ) -> Collation | None:
        """The collation of the file, streamed and counted without building responses
        (:mod:`matrixkit._fastcsv`); None when the file has problems to report, for :meth:`read` to word."""
        from matrixkit._fastcsv import tally_csv

        return tally_csv(path, instrument, by, seen=seen)

    def read_text(self, text: str, instrument: Instrument, name: str = "<text>") -> list[Response]:
        """Read CSV text (for tests and embedding)."""
        lines = io.StringIO(text.removeprefix("\ufeff"), newline="")
        return list(self._read(iter(lines), name, instrument))

    def _read(self, lines: Iterator[str], file: str, instrument: Instrument) -> Iterator[Response]:
        problems = _Problems(file)
        header_line = next(lines, "")
        if not header_line.strip():
            raise ValidationError(
                Problem("empty file: expected a header row (participant, one column per domain)", file=file, line=1)
            )
        delimiter = _sniff_delimiter(header_line)
        header = next(csv.reader([header_line], delimiter=delimiter))
        layout = _Layout.from_header(header, instrument, problems)
        problems.raise_if_any()
        reader = csv.reader(lines, delimiter=delimiter)
        levels = _level_lookup(instrument)
        scale = instrument.describe_scale()
        seen: dict[str, int] = {}
        width = len(header)
        line = 2
        rows = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except ValidationError as exc:  # an undecodable line: nothing after it can be trusted
                raise ValidationError([*problems.items, *exc.problems]) from None
            except csv.Error as exc:
                problems.add(f"not valid CSV: {exc}", line)
                break
            start, line = line, reader.line_num + 2
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if len(row) != width:
                extra = row[width:]
                if len(row) > width and not any(cell.strip() for cell in extra):
                    row = row[:width]
                else:
                    problems.add(f"this row has {len(row)} cells, the header has {width}", start)
                    continue
            participant = row[layout.participant].strip()
            if not participant:
                problems.add("no participant id", start, 'column "participant"')
                continue
            folded = participant.casefold()
            if folded in seen:
                problems.add(f"duplicate participant {participant!r} (also line {seen[folded]})", start)
                continue
            seen[folded] = start
            indices: dict[str, int | None] = {}
            ok = True
            for column, key in layout.domains:
                cell = row[column].strip()
                index = levels.get(_normalise(cell))
                if index is None and (whole := whole_number_text(cell)) is not None:
                    index = levels.get(whole)
                if index is None:
                    if cell.casefold() in NOT_ANSWERED:
                        indices[key] = None
                        continue
                    shown = cell if len(cell) <= 40 else f"{cell[:37]}..."
                    problems.add(
                        f'"{shown}" is not a level of {instrument.id} ({scale})',
                        start,
                        f'column "{header[column].strip()}"',
                    )
                    ok = False
                    continue
                indices[key] = index
            for column, expected in layout.checks:
                cell = row[column].strip()
                if cell and cell != expected:
                    what = "instrument" if expected == instrument.id else "version"
                    problems.add(
                        f"a response to {what} {cell!r}, not {expected!r}", start, f'column "{header[column].strip()}"'
                    )
                    ok = False
            if not ok:
                continue
            attributes = {name: row[column].strip() for column, name in layout.attributes if row[column].strip()}
            comments = {key: row[column].strip() for column, key in layout.comments if row[column].strip()}
            yield Response(
                participant=participant,
                instrument=instrument.id,
                version=instrument.version,
                choices=indices,
                attributes=attributes,
                comments=comments,
            )
        if rows == 0:
            problems.add("no responses: the file has a header row but no rows of answers", 2)
        problems.raise_if_any()


def _decoded_lines(handle: IO[bytes], file: str) -> Iterator[str]:
    """The lines of a binary file as text (UTF-8, a BOM dropped), each decoded on its own so that an
    undecodable byte is reported on its line."""
    for number, raw in enumerate(handle, 1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _decode_error(file, number, exc) from exc


def _decode_error(file: str, line: int, exc: UnicodeDecodeError) -> ValidationError:
    return ValidationError(
        Problem(
            f"not UTF-8 text ({exc.reason} at byte {exc.start} of the line); save the file as 'CSV UTF-8'",
            file=file,
            line=line,
        )
    )


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header row: the most frequent of ``,`` ``;`` and tab outside quotes (``,`` on a tie)."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


class _Layout:
    """What each column of a wide CSV holds."""

    def __init__(self) -> None:
        self.participant = -1
        self.domains: list[tuple[int, str]] = []
        self.comments: list[tuple[int, str]] = []
        self.attributes: list[tuple[int, str]] = []
        self.checks: list[tuple[int, str]] = []

    @classmethod
    def from_header(cls, header: list[str], instrument: Instrument, problems: _Problems) -> _Layout:
        layout = cls()
        names: dict[str, str] = {}  # heading → domain key; keys win over another domain's identical title
        for domain in instrument.domains:
            names[_normalise(domain.title)] = domain.key
        for domain in instrument.domains:
            names[domain.key.casefold()] = domain.key
        seen: dict[str, int] = {}
        for column, raw in enumerate(header):
            cell = raw.strip()
            folded = _normalise(cell)
            where = f'column {column + 1} "{cell}"'
            if not folded:
                problems.add(f"column {column + 1} has no heading", 1)
                continue
            comment = re.match(r"^comments?\s*:\s*(.+)$", folded)
            target = (
                f"comment:{names.get(comment.group(1), comment.group(1))}" if comment else names.get(folded, folded)
            )
            if target in seen:
                problems.add(f"{where} repeats column {seen[target] + 1}", 1)
                continue
            seen[target] = column
            if folded == "participant":
                layout.participant = column
            elif folded in ("instrument", "version"):
                layout.checks.append((column, instrument.id if folded == "instrument" else instrument.version))
            elif comment:
                key = names.get(comment.group(1))
                if key is None:
                    problems.add(
                        f"{where}: a comment column for an unknown domain{_suggest(comment.group(1), instrument)}", 1
                    )
                else:
                    layout.comments.append((column, key))
            elif folded in names:
                layout.domains.append((column, names[folded]))
            else:
                hint = _suggest(folded, instrument)
                if hint:
                    problems.add(f"{where} is not a domain of {instrument.id}{hint}", 1)
                else:
                    layout.attributes.append((column, folded))
        if layout.participant < 0:
            problems.add('no "participant" column (one row per participant, identified in that column)', 1)
        found = {key for _, key in layout.domains}
        missing = [key for key in instrument.domain_keys if key not in found]
        if missing and not any(p.line == 1 and "not a domain" in p.message for p in problems.items):
            problems.add(
                f"no column for domain(s) {', '.join(missing)} of {instrument.id} (head a column with the domain "
                "key or title; leave its cells blank if no one answered)",
                1,
            )
        return layout


def _suggest(name: str, instrument: Instrument) -> str:
    """`` (did you mean ...?)`` when ``name`` looks like a misspelt domain key or title, else empty."""
    candidates = {d.key: d.key for d in instrument.domains}
    candidates.update({_normalise(d.title): d.key for d in instrument.domains})
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    if close:
        return f" (did you mean {candidates[close[0]]!r}?)"
    return ""


class TomlReader:
    """TOML response files: one response, or ``[[responses]]`` tables."""

    name: ClassVar[str] = "toml"
    extensions: ClassVar[tuple[str, ...]] = (".toml",)
    description: ClassVar[str] = "TOML response file: one response, or many as [[responses]]"

    def read(self, path: str | os.PathLike[str], instrument: Instrument) -> Iterator[Response]:
        from matrixkit.format import _locate_line, read_toml

        file = os.fspath(path)
        doc, text = read_toml(path)
        try:
            responses = responses_from_document(doc, instrument)
        except ValidationError as exc:
            raise ValidationError(p.located(file, _locate_line(text, p.field)) for p in exc.problems) from None
        yield from responses


class JsonReader:
    """JSON response files: one response object, ``{"responses": [...]}`` or a list of responses."""

    name: ClassVar[str] = "json"
    extensions: ClassVar[tuple[str, ...]] = (".json",)
    description: ClassVar[str] = 'JSON response file: one response, {"responses": [...]} or a list'

    def read(self, path: str | os.PathLike[str], instrument: Instrument) -> Iterator[Response]:
        file = os.fspath(path)
        doc = read_json(path)
        try:
            responses = responses_from_document(doc, instrument)
        except ValidationError as exc:
            raise exc.located(file) from None
        yield from responses


def read_json(path: str | os.PathLike[str]) -> object:
    """Parse a JSON file, turning read, decoding and syntax errors into located problems."""
    file = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(Problem(f"cannot read file: {exc.strerror or exc}", file=file)) from exc
    if not raw.strip():
        raise ValidationError(Problem("empty file", file=file))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValidationError(Problem("not UTF-8 text; save the file as UTF-8", file=file, line=line)) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            Problem(f"column {exc.colno}: JSON syntax error: {exc.msg}", file=file, line=exc.lineno)
        ) from exc


def builtin_readers() -> list[Reader]:
    """The core's readers."""
    return [CsvReader(), TomlReader(), JsonReader()]


def check_duplicates(responses: list[tuple[str, Response]]) -> None:
    """Raise when a participant id appears twice (``where`` names the file of each)."""
    ValidationError.collect(duplicate_problems(responses))
