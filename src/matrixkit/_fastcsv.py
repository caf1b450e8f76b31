"""Streaming collation of wide CSV files: the fast path of ``matrixkit collate``.

The reference path (:class:`matrixkit.readers.CsvReader` → :class:`~matrixkit.responses.Response` →
:class:`~matrixkit.collation.Collator`) builds and checks one object per participant. That is clear and
gives located messages, but costs microseconds per cell. :func:`tally_csv` reaches the same collation by
counting instead:

1. the file is opened, its header read and its columns laid out by the reference reader's own code, and its
   rows parsed by the same :mod:`csv` reader, a chunk of rows at a time (memory stays flat);
2. a chunk is sorted by the ``--by`` column and transposed (``zip(*rows)``), so each group's cells of a
   domain are one slice of a column, counted by :class:`collections.Counter` in C — no per-cell Python code;
3. only the *distinct* cell strings are turned into levels at the end (a few dozen, whatever the size of the
   file), with the reference reader's rules;
4. participants are checked for duplicates as 64-bit hashes of their case-folded ids, 8 bytes each
   (:mod:`matrixkit.participants`), never as a dict of every id.

Whenever the file has anything to report — an unknown level, a ragged row, a duplicate participant, a missing
column, bad encoding, no rows — :func:`tally_csv` returns ``None`` and the caller reads the file with the
reference path, which finds and words every problem. The fast path therefore never needs error messages of
its own, and its result is, by construction and by test (``tests/test_fastcsv.py``), the reference's.
"""

from __future__ import annotations

import codecs
import collections
import csv
import gc
import io
import os
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from itertools import chain, islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any, BinaryIO

from matrixkit.participants import HashedParticipants, ParticipantIndex

if TYPE_CHECKING:
    from matrixkit.collation import Collation
    from matrixkit.model import Instrument

__all__ = ["CHUNK_ROWS", "tally_csv"]

#: Rows parsed and counted at a time: small enough to stay in the CPU caches, large enough to amortise calls.
CHUNK_ROWS = 1000


def _count_into(counter: Counter[str], items: Iterable[str]) -> None:  # pragma: no cover - fallback only
    counter.update(items)


#: ``Counter.update`` without its per-call checks (CPython's C helper), when available.
_count: Callable[[Counter[str], Iterable[str]], None] = getattr(collections, "_count_elements", _count_into)


#: Bytes read at a time (then cut after the last line break).
BLOCK_BYTES = 1 << 18


def _lines(handle: BinaryIO) -> Iterator[str]:
    """The file's lines as the reference reader sees them (split after ``\\n`` only, UTF-8, a BOM dropped from the
    first), decoded a block at a time; a decoding error declines (the reference reports its line)."""

    def blocks() -> Iterator[io.StringIO]:
        tail = b""
        first = True
        while True:
            block = handle.read(BLOCK_BYTES)
            if not block:
                break
            block = tail + block
            cut = block.rfind(b"\n") + 1
            if not cut:
                tail = block
                continue
            tail, block = block[cut:], block[:cut]
            if first:
                block, first = block.removeprefix(codecs.BOM_UTF8), False
            yield io.StringIO(block.decode("utf-8"), newline="\n")
        if tail:
            yield io.StringIO((tail.removeprefix(codecs.BOM_UTF8) if first else tail).decode("utf-8"), newline="\n")

    # chain: the lines of each block are handed to the csv reader without a Python frame per line
    return chain.from_iterable(blocks())


class _Declined(Exception):
    """The file has something to report (or something unusual): the reference path must read it."""


def tally_csv(
    path: str | os.PathLike[str],
    instrument: Instrument,
    by: str | None = None,
    *,
    seen: MutableMapping[str, str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Collation | None:
    """The collation of a wide CSV file, streamed; ``None`` when the reference path must read the file.

    :param path: the CSV file.
    :param instrument: the instrument answered.
    :param by: split the collation by this attribute (as :class:`~matrixkit.collation.Collator` does).
    :param seen: participants counted from other files (case-folded id → file), checked and updated as
        :func:`matrixkit.collation.collate_file` does; a :class:`~matrixkit.participants.ParticipantIndex`
        keeps this file's participants as hashes.
    :param chunk_rows: rows per chunk (tests use small chunks to cross chunk boundaries).
    :returns: the collation, equal to the reference path's; ``None`` when the file has a problem to report
        (the reference path then reports it) — nothing in ``seen`` is changed in that case.
    """
    was_enabled = gc.isenabled()
    # Chunks allocate many short-lived lists that reference counting frees; the cycle collector would only
    # rescan them (measured: about twice the time with it on).
    gc.disable()
    try:
        return _CsvTally(path, instrument, by, chunk_rows).run(seen)
    except (_Declined, OSError, UnicodeDecodeError, csv.Error):
        return None
    finally:
        if was_enabled:
            gc.enable()


class _CsvTally:
    def __init__(self, path: str | os.PathLike[str], instrument: Instrument, by: str | None, chunk_rows: int) -> None:
        self.path = path
        self.name = os.fspath(path)
        self.instrument = instrument
        self.by = by
        self.chunk_rows = max(1, chunk_rows)

    # -- reading -----------------------------------------------------------------------------------

    def _open(self) -> tuple[Any, Iterator[str], str, list[str], Any]:
        """The open file, its lines after the header, its delimiter, header and layout (the reference code)."""
        from matrixkit.readers import _Layout, _Problems, _sniff_delimiter

        handle = open(self.path, "rb")  # noqa: SIM115 - closed by the caller
        try:
            lines = _lines(handle)
            header_line = next(lines, "")
            if not header_line.strip():
                raise _Declined
            delimiter = _sniff_delimiter(header_line)
            header = next(csv.reader([header_line], delimiter=delimiter))
            problems = _Problems(self.name)
            layout = _Layout.from_header(header, self.instrument, problems)
            if problems.items:
                raise _Declined
        except BaseException:
            handle.close()
            raise
        return handle, lines, delimiter, header, layout

    def _read_ids(self) -> Iterator[str]:
        """The case-folded participant ids of the (valid) file, read again: to confirm equal hashes. Should the
        file have changed since it was counted, the ids read up to the change."""
        try:
            handle, lines, delimiter, _, layout = self._open()
        except (_Declined, OSError, UnicodeDecodeError, csv.Error):
            return
        column = layout.participant
        with handle:
            try:
                for row in csv.reader(lines, delimiter=delimiter):
                    if any(cell.strip() for cell in row):
                        yield row[column].strip().casefold()
            except (OSError, UnicodeDecodeError, csv.Error, IndexError):
                return

    def _clean(self, rows: list[list[str]], width: int, participant: int) -> list[list[str]]:
        """Rows of a chunk that needs care: blank rows dropped, blank trailing cells cut (as the reference
        reader does); any other ragged row, or a row without a participant, declines."""
        kept = []
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != width:
                if len(row) > width and not any(cell.strip() for cell in row[width:]):
                    row = row[:width]
                else:
                    raise _Declined
            if not row[participant].strip():
                raise _Declined
            kept.append(row)
        return kept

    def run(self, seen: MutableMapping[str, str] | None) -> Collation:
        handle, lines, delimiter, header, layout = self._open()
        width = len(header)
        p = layout.participant
        domain_columns = [column for column, _ in layout.domains]
        group_column = next((column for column, name in layout.attributes if name == self.by), None)
        sort_key = itemgetter(group_column) if group_column is not None else None
        # raw group cell → one Counter per domain (of raw cell strings)
        counters: dict[str | None, list[Counter[str]]] = {}
        group_rows: Counter[str | None] = Counter()
        checks: list[Counter[str]] = [Counter() for _ in layout.checks]
        comments: dict[str, list[str]] = {key: [] for _, key in layout.comments}
        hashed = HashedParticipants(self.name, self._read_ids)
        rows_read = 0
        with handle:
            reader = csv.reader(lines, delimiter=delimiter)
            while True:
                rows = list(islice(reader, self.chunk_rows))
                if not rows:
                    break
                if set(map(len, rows)) != {width}:
                    rows = self._clean(rows, width, p)
                    if not rows:
                        continue
                if sort_key is not None:
                    rows.sort(key=sort_key)
                columns = list(zip(*rows, strict=True))
                keys = list(map(str.casefold, map(str.strip, columns[p])))
                if "" in keys:
                    rows = self._clean(rows, width, p)
                    if not rows:
                        continue
                    columns = list(zip(*rows, strict=True))
                    keys = list(map(str.casefold, map(str.strip, columns[p])))
                hashed.add(map(hash, keys))
                rows_read += len(rows)
                cells = [columns[c] for c in domain_columns]
                if group_column is None:
                    self._count_group(counters, None, cells, 0, len(rows))
                    group_rows[None] += len(rows)
                else:
                    groups = columns[group_column]
                    lo, n = 0, len(groups)
                    while lo < n:
                        raw = groups[lo]
                        hi = bisect_right(groups, raw, lo)
                        self._count_group(counters, raw, cells, lo, hi)
                        group_rows[raw] += hi - lo
                        lo = hi
                for counter, (column, _) in zip(checks, layout.checks, strict=True):
                    _count(counter, columns[column])
                for column, key in layout.comments:
                    comments[key].extend(filter(None, map(str.strip, columns[column])))
        if rows_read == 0:
            raise _Declined
        for counter, (_, expected) in zip(checks, layout.checks, strict=True):
            if any(cell.strip() and cell.strip() != expected for cell in counter):
                raise _Declined
        collation = self._collation(layout, counters, group_rows, rows_read, comments)
        self._check_participants(hashed, seen)
        return collation

    @staticmethod
    def _count_group(
        counters: dict[str | None, list[Counter[str]]],
        raw: str | None,
        cells: list[tuple[str, ...]],
        lo: int,
        hi: int,
    ) -> None:
        per_domain = counters.get(raw)
        if per_domain is None:
            per_domain = counters[raw] = [Counter() for _ in cells]
        if lo == 0 and hi == len(cells[0]):
            for counter, column in zip(per_domain, cells, strict=True):
                _count(counter, column)
        else:
            for counter, column in zip(per_domain, cells, strict=True):
                _count(counter, column[lo:hi])

    # -- results -----------------------------------------------------------------------------------

    def _collation(
        self,
        layout: Any,
        counters: dict[str | None, list[Counter[str]]],
        group_rows: Counter[str | None],
        rows_read: int,
        comments: dict[str, list[str]],
    ) -> Collation:
        from matrixkit.collation import NOT_GIVEN, Collation, Tally, TallySet

        instrument = self.instrument
        n_levels = len(instrument.levels)
        position = {key: i for i, key in enumerate(instrument.domain_keys)}
        order = [position[key] for _, key in layout.domains]
        classify = _CellLevels(instrument)
        # group name → per domain (instrument order) counts per level, then missing last
        totals: dict[str | None, list[list[int]]] = {}
        sizes: Counter[str | None] = Counter()
        for raw, per_domain in counters.items():
            name: str | None = None
            if self.by is not None:
                name = (raw or "").strip() or NOT_GIVEN
            rows = totals.get(name)
            if rows is None:
                rows = totals[name] = [[0] * (n_levels + 1) for _ in instrument.domains]
            sizes[name] += group_rows[raw]
            for i, counter in zip(order, per_domain, strict=True):
                row = rows[i]
                for cell, count in counter.items():
                    index = classify(cell)
                    row[n_levels if index is None else index] += count

        def tally_set(rows: list[list[int]], responses: int) -> TallySet:
            return TallySet(responses, tuple(Tally(tuple(row[:-1]), row[-1]) for row in rows))

        if self.by is None:
            overall = tally_set(totals[None], rows_read)
            return Collation(instrument, overall, None, {}, comments)
        groups = {str(name): tally_set(rows, sizes[name]) for name, rows in totals.items()}
        overall_rows = [[0] * (n_levels + 1) for _ in instrument.domains]
        for rows in totals.values():
            for total_row, row in zip(overall_rows, rows, strict=True):
                for j, count in enumerate(row):
                    total_row[j] += count
        return Collation(instrument, tally_set(overall_rows, rows_read), self.by, groups, comments)

    def _check_participants(self, hashed: HashedParticipants, seen: MutableMapping[str, str] | None) -> None:
        """Decline on a participant repeated in the file or counted from another file; else record them."""
        if isinstance(seen, ParticipantIndex):
            if seen.hashed_overlap(hashed):
                raise _Declined
            seen.add_hashed(hashed)
            return
        if hashed.has_duplicates():
            raise _Declined
        if seen is None:
            return
        ids = list(self._read_ids())
        if any(folded in seen and seen[folded] != self.name for folded in ids):
            raise _Declined
        for folded in ids:
            seen[folded] = self.name


class _CellLevels:
    """A distinct cell string → level index, or None for not answered, by the reference reader's rules;
    declines on a cell that is not a level (the reference path reports it, with its line)."""

    def __init__(self, instrument: Instrument) -> None:
        from matrixkit.readers import _level_lookup

        self.levels = _level_lookup(instrument)
        self.cache: dict[str, int | None] = {}

    def __call__(self, raw: str) -> int | None:
        try:
            return self.cache[raw]
        except KeyError:
            pass
        from matrixkit.readers import NOT_ANSWERED, _normalise, whole_number_text

        cell = raw.strip()
        try:
            index = self.levels.get(_normalise(cell))
            if index is None and (whole := whole_number_text(cell)) is not None:
                index = self.levels.get(whole)
        except (ValueError, OverflowError):
            raise _Declined from None
        if index is None and cell.casefold() not in NOT_ANSWERED:
            raise _Declined
        self.cache[raw] = index
        return index
