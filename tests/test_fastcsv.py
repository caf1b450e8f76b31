"""The streaming CSV tally (matrixkit._fastcsv) gives exactly the reference path's collation, and the same errors.

The reference path is CsvReader.read → Response → Collator, one object per participant. The fast path must
agree with it on every file: when the reference collates a file, the fast path returns an equal collation;
when the reference reports problems, the fast path declines (returns None) so that the reference reports them.
Files are generated with blanks, "not answered" words, scores, whole-number floats, level keys and labels in
any case and spacing, attributes with stray spaces, comments, check columns, blank and over-long rows, BOM,
CRLF, every delimiter and quoting style — and corrupted in the ways the issue lists (unknown level, ragged row,
duplicate participant within and across files, unknown column, bad encoding, no rows...).
"""

from __future__ import annotations

import csv
import io
import os
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matrixkit._fastcsv as fastcsv
from matrixkit._fastcsv import tally_csv
from matrixkit.collation import Collation, collate_file, collate_files
from matrixkit.errors import ValidationError
from matrixkit.format import load_instrument
from matrixkit.model import Instrument
from matrixkit.participants import HashedParticipants, ParticipantIndex
from matrixkit.readers import CsvReader, builtin_readers
from matrixkit.responses import Response
from matrixkit.testing.strategies import instruments

DATA = Path(__file__).parent / "data"
#: More examples for a long local run: MATRIXKIT_FASTCSV_EXAMPLES=2000 pytest tests/test_fastcsv.py
SETTINGS = settings(
    max_examples=int(os.environ.get("MATRIXKIT_FASTCSV_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class ReferenceCsvReader:
    """The CSV reader without its fast path: what the fast path must agree with."""

    name = "csv"
    extensions: ClassVar[tuple[str, ...]] = (".csv", ".tsv")
    description = "reference"

    def read(self, path: str, instrument: Instrument) -> Iterator[Response]:
        return CsvReader().read(path, instrument)


REFERENCE = {"csv": ReferenceCsvReader()}
FAST = {r.name: r for r in builtin_readers()}
CORRUPTIONS = (
    "unknown-level",
    "out-of-scale",
    "ragged-short",
    "ragged-long",
    "duplicate",
    "duplicate-case",
    "no-participant",
    "unknown-column",
    "missing-domain",
    "bad-byte",
    "lone-cr",
    "wrong-instrument",
    "empty",
    "header-only",
    "float-overflow",
)


def _cell(draw: st.DrawFn, instrument: Instrument) -> str:
    level = draw(st.sampled_from(instrument.levels))
    kind = draw(st.sampled_from(["score", "score", "key", "label", "blank", "na", "float", "padded"]))
    if kind == "score":
        return str(level.score)
    if kind == "key":
        return draw(st.sampled_from([level.key, level.key.upper(), level.key.title()]))
    if kind == "label":
        return draw(st.sampled_from([level.label, level.label.upper(), level.label.lower()]))
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "  "]))
    if kind == "na":
        return draw(st.sampled_from(["n/a", "N/A", "-", "?", "na", "Don't know", "dont know"]))
    if kind == "float":
        return draw(st.sampled_from([f"{level.score}.0", f"{level.score}.00", f" {level.score}.0 "]))
    return f"  {level.key}  "


@st.composite
def csv_files(draw: st.DrawFn, instrument: Instrument, ids: list[str] | None = None) -> tuple[bytes, str | None]:
    """A wide CSV file (bytes) for ``instrument``, and the corruption it carries (None for a clean file)."""
    corruption = draw(st.one_of(st.none(), st.none(), st.sampled_from(CORRUPTIONS)))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    domains = list(instrument.domains)
    if corruption == "missing-domain" and len(domains) > 1:
        domains = domains[1:]
    headings: list[tuple[str, str]] = [("participant", draw(st.sampled_from(["participant", "Participant "])))]
    for domain in domains:
        heading = draw(st.sampled_from([domain.key, domain.key.upper(), domain.title]))
        headings.append((f"domain:{domain.key}", heading))
    extras = draw(st.lists(st.sampled_from(["sector", "table", "comment", "instrument", "version"]), unique=True))
    for extra in extras:
        if extra == "comment":
            headings.append(("comment", f"comment: {domains[0].key}"))
        else:
            headings.append((extra, draw(st.sampled_from([extra, extra.title()]))))
    if corruption == "unknown-column":
        headings.append(("unknown", domains[0].key + "x"))
    order = draw(st.permutations(range(len(headings))))
    headings = [headings[i] for i in order]
    n = draw(st.integers(0, 30))
    if ids is None:
        ids = [f"p{i}" for i in range(n)]
    ids = ids[:n]
    rows: list[list[str]] = []
    for ident in ids:
        row = []
        for what, _ in headings:
            if what == "participant":
                row.append(draw(st.sampled_from([ident, ident.upper(), f" {ident} "])))
            elif what.startswith("domain:"):
                row.append(_cell(draw, instrument))
            elif what == "sector":
                row.append(draw(st.sampled_from(["NHS", " NHS ", "Local authority", "", "vcse", "(not given)"])))
            elif what == "table":
                row.append(draw(st.sampled_from(["1", "2", " 2", ""])))
            elif what == "comment":
                row.append(draw(st.sampled_from(["", "  ", "Good, but slow", 'Say "more"', "line\nbreak"])))
            elif what == "instrument":
                row.append(draw(st.sampled_from([instrument.id, "", " "])))
            elif what == "version":
                row.append(draw(st.sampled_from([instrument.version, ""])))
            else:
                row.append(draw(st.sampled_from(["", "x"])))
        if draw(st.integers(0, 9)) == 0:
            row += ["", " "]  # blank trailing cells, as spreadsheets export them
        rows.append(row)
    for _ in range(draw(st.integers(0, 2))):  # blank rows are skipped
        rows.insert(draw(st.integers(0, len(rows))), draw(st.sampled_from([[], [""] * len(headings), [" "]])))
    _corrupt(draw, corruption, rows, headings, instrument)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    if corruption != "empty":
        writer.writerow([heading for _, heading in headings])
        if corruption != "header-only":
            writer.writerows(rows)
    text = out.getvalue()
    if corruption == "lone-cr" and newline in text:
        text = text.replace(newline, "\r", 2)
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if corruption == "bad-byte" and rows:
        at = data.find(b"\n") + 1
        data = data[:at] + b"\xff" + data[at:]
    return data, corruption


def _corrupt(
    draw: st.DrawFn, corruption: str | None, rows: list[list[str]], headings: list[tuple[str, str]], inst: Instrument
) -> None:
    if not rows or corruption is None:
        return
    i = draw(st.integers(0, len(rows) - 1))
    if len(rows[i]) < len(headings):  # a blank row: corrupt a row of its own
        rows[i] = [f"z{i}"] * len(headings)
    columns = {what: j for j, (what, _) in enumerate(headings)}
    domain_columns = [j for what, j in columns.items() if what.startswith("domain:")]
    if corruption == "unknown-level" and domain_columns:
        rows[i][draw(st.sampled_from(domain_columns))] = draw(st.sampled_from(["banana", "maybe", "1.5"]))
    elif corruption == "out-of-scale" and domain_columns:
        rows[i][draw(st.sampled_from(domain_columns))] = str(inst.levels[-1].score + 1)
    elif corruption == "float-overflow" and domain_columns:
        rows[i][draw(st.sampled_from(domain_columns))] = "9" * 400 + ".0"
    elif corruption == "ragged-short":
        rows[i] = rows[i][:-1] if len(rows[i]) > 1 else ["a", "b", "c"]
    elif corruption == "ragged-long":
        rows[i] = [*rows[i][: len(headings)], "surprise"]
    elif corruption in ("duplicate", "duplicate-case") and len(rows) > 1:
        j = draw(st.integers(0, len(rows) - 1))
        participant = columns["participant"]
        if rows[j] and len(rows[j]) > participant and i != j:
            rows[i] = list(rows[i])
            rows[i][participant] = (
                rows[j][participant].strip().swapcase() if corruption == "duplicate-case" else (rows[j][participant])
            )
    elif corruption == "no-participant":
        rows[i][columns["participant"]] = " "
        rows[i][domain_columns[0] if domain_columns else 0] = "1"
    elif corruption == "wrong-instrument" and "instrument" in columns:
        rows[i][columns["instrument"]] = "another-tool"


Outcome = Collation | tuple[str, list[str]]


def _outcome(paths: list[str], instrument: Instrument, by: str | None, readers: dict[str, Any]) -> Outcome:
    """The pooled collation, or the kind of error and its messages."""
    try:
        return collate_files(paths, instrument, readers, by)[0]
    except ValidationError as exc:
        return ("ValidationError", [str(p) for p in exc.problems])
    except Exception as exc:  # the reference's own failures (e.g. OverflowError on a 400-digit score)
        return (type(exc).__name__, [str(exc)])


def _reference(paths: list[str], instrument: Instrument, by: str | None) -> Outcome:
    return _outcome(paths, instrument, by, REFERENCE)


def _fast(paths: list[str], instrument: Instrument, by: str | None) -> Outcome:
    return _outcome(paths, instrument, by, FAST)


BY = st.sampled_from([None, "sector", "table", "Sector", "participant", "comment", "nowhere"])
SMALL = instruments(max_levels=6, max_domains=4)


@SETTINGS
@given(st.data())
def test_a_file_collates_as_the_reference_path_or_is_declined(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    content, corruption = data.draw(csv_files(instrument))
    by = data.draw(BY)
    chunk = data.draw(st.sampled_from([1, 2, 3, 7, 1000]))
    block = data.draw(st.sampled_from([1, 5, 64, 1 << 20]))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.csv"
        path.write_bytes(content)
        try:
            expected: Collation | None = collate_file(path, instrument, REFERENCE, by)
        except Exception:  # a ValidationError, or the reference's own failure: the fast path must decline
            expected = None
        saved = fastcsv.BLOCK_BYTES
        fastcsv.BLOCK_BYTES = block
        try:
            got = tally_csv(path, instrument, by, chunk_rows=chunk)
        finally:
            fastcsv.BLOCK_BYTES = saved
    assert got == expected, f"corruption {corruption}"


@SETTINGS
@given(st.data())
def test_files_pool_and_fail_as_the_reference_path(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    pool = [f"p{i}" for i in range(60)]
    files = []
    for _ in range(data.draw(st.integers(1, 3))):
        # overlapping participant ids across files make cross-file duplicates
        ids = data.draw(st.lists(st.sampled_from(pool), unique=True, max_size=30))
        files.append(data.draw(csv_files(instrument, ids))[0])
    by = data.draw(BY)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, content in enumerate(files):
            path = Path(folder) / f"table-{i}.csv"
            path.write_bytes(content)
            paths.append(str(path))
        assert _fast(paths, instrument, by) == _reference(paths, instrument, by)


def _generated(path: Path, rows: int, seed: int, instrument: Instrument, prefix: str = "P") -> None:
    rng = random.Random(seed)
    sectors = ["NHS", "Local authority", "VCSE", " Housing ", ""]
    lines = ["participant,sector,table," + ",".join(d.title for d in instrument.domains)]
    for i in range(rows):
        cells = []
        for _ in instrument.domains:
            level = rng.choice(instrument.levels)
            cells.append(rng.choice([str(level.score), level.key, level.label.upper(), "", " n/a "]))
        lines.append(f"{prefix}{i:05d},{rng.choice(sectors)},T{i % 7}," + ",".join(cells))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")


@pytest.fixture
def generic() -> Instrument:
    return load_instrument(DATA / "digital-maturity.toml")


@pytest.mark.parametrize("by", [None, "sector", "table"])
def test_thousands_of_rows_across_chunks(tmp_path: Path, generic: Instrument, by: str | None) -> None:
    path = tmp_path / "big.csv"
    _generated(path, 5000, 1, generic)
    expected = collate_file(path, generic, REFERENCE, by)
    assert tally_csv(path, generic, by) == expected
    assert tally_csv(path, generic, by, chunk_rows=333) == expected
    assert collate_file(path, generic, FAST, by) == expected


def test_a_duplicate_across_files_is_reported_as_the_reference_does(tmp_path: Path, generic: Instrument) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    _generated(first, 3000, 2, generic)
    _generated(second, 10, 3, generic, prefix="Q")
    text = second.read_text(encoding="utf-8-sig").replace("Q00004,", "p02999,", 1)
    second.write_text(text, encoding="utf-8")
    fast = _fast([str(first), str(second)], generic, "sector")
    assert fast == _reference([str(first), str(second)], generic, "sector")
    assert fast == ("ValidationError", [f"{second}: participant 'p02999' is also in {first}"])


def test_a_plain_dict_of_participants_is_checked_and_filled(tmp_path: Path, generic: Instrument) -> None:
    path = tmp_path / "a.csv"
    _generated(path, 50, 4, generic)
    seen: dict[str, str] = {}
    assert tally_csv(path, generic, None, seen=seen) is not None
    assert len(seen) == 50
    assert seen["p00007"] == str(path)
    other = tmp_path / "b.csv"
    _generated(other, 5, 5, generic, prefix="Q")
    assert tally_csv(other, generic, None, seen=seen) is not None
    assert len(seen) == 55
    again = tmp_path / "c.csv"
    _generated(again, 5, 6, generic)
    assert tally_csv(again, generic, None, seen=seen) is None  # P00000... again: the reference reports it
    assert len(seen) == 55


def test_the_fast_path_is_used_by_collate_file(tmp_path: Path, generic: Instrument) -> None:
    path = tmp_path / "a.csv"
    _generated(path, 20, 6, generic)

    class Exploding(ReferenceCsvReader):
        def read(self, path: str, instrument: Instrument) -> Iterator[Response]:
            raise AssertionError("the reference path should not be needed")

        def tally(self, path: str, instrument: Instrument, by: str | None = None, **kwargs: Any) -> Collation | None:
            return tally_csv(path, instrument, by, **kwargs)

    assert collate_file(path, generic, {"csv": Exploding()}, "sector") == collate_file(
        path, generic, REFERENCE, "sector"
    )


# -- the participant index ---------------------------------------------------------------------------


def _hashed(name: str, ids: list[str], claimed: list[str] | None = None) -> HashedParticipants:
    """A file's participants; ``claimed`` hashes other ids than the file holds (a simulated hash collision)."""
    part = HashedParticipants(name, lambda: iter(ids))
    part.add(hash(i) for i in (ids if claimed is None else claimed))
    return part


def test_participant_index_behaves_as_a_dict() -> None:
    index = ParticipantIndex()
    index["ann"] = "a.csv"
    part = _hashed("b.csv", [f"id{i}" for i in range(5000)])
    assert not index.hashed_overlap(part)
    index.add_hashed(part)
    assert "ann" in index and index["ann"] == "a.csv"
    assert "id4999" in index and index["id4999"] == "b.csv"
    assert "nobody" not in index and index.get("nobody") is None
    assert len(index) == 5001
    assert sorted(index)[:2] == ["ann", "id0"]
    assert index.hashed_overlap(_hashed("c.csv", ["id17"]))
    assert index.hashed_overlap(_hashed("d.csv", ["ann"]))
    assert index.hashed_overlap(_hashed("e.csv", ["x", "x"]))
    assert not index.hashed_overlap(_hashed("f.csv", ["x", "y"]))
    del index["ann"]
    assert "ann" not in index
    with pytest.raises(TypeError):
        del index["id3"]
    with pytest.raises(KeyError):
        del index["nobody"]


def test_a_hash_collision_is_not_a_duplicate() -> None:
    index = ParticipantIndex()
    # the file claims the hash of "bob" but holds "robert": equal hashes, different people
    index.add_hashed(_hashed("a.csv", ["robert"], claimed=["bob"]))
    assert "bob" not in index
    with pytest.raises(KeyError):
        _ = index["bob"]
