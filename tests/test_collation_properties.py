"""Properties of collation, pooling, rules, agreement, round trips and readers, on generated instruments.

Instruments come from :func:`matrixkit.testing.strategies.instruments`: any number of levels (scores with gaps,
possibly negative), any number of domains, hostile text. Responses, tallies and workshop records come from
:mod:`matrixkit.testing.strategies` too.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import tempfile
import tomllib
import unicodedata
from pathlib import Path
from unittest import mock

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matrixkit._builtins.formats import TomlExporter
from matrixkit.collation import UNANSWERED, Collation, Collator, Tally, collate, merge_all
from matrixkit.errors import ValidationError
from matrixkit.io.collation_json import collation_from_document, collation_to_dict, parse_collation
from matrixkit.io.options import ReadOptions
from matrixkit.io.response_files import responses_to_document
from matrixkit.io.workshop_file import dump_workshop, loads_workshop, workshop_from_document, workshop_to_dict
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import build_collation_report
from matrixkit.responses import Response
from matrixkit.rules import LowerMedianRule, consensus, lower_median
from matrixkit.services import collate_inputs, read_responses
from matrixkit.testing.strategies import (
    collations,
    instruments,
    response_lists,
    tallies,
    workshop_records,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL = instruments(max_levels=6, max_domains=5)
REGISTRY = Registry.for_plugins()


def collation_from_dict(doc: object, instrument: Instrument, file: str | None = None) -> Collation:
    return collation_from_document(parse_collation(doc, file=file), instrument, file=file)


def _split(draw: st.DrawFn, items: list[Response], parts: int) -> list[list[Response]]:
    cuts = sorted(draw(st.lists(st.integers(0, len(items)), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, len(items)]
    return [items[a:b] for a, b in itertools.pairwise(bounds)]


# -- 1. counts add up ------------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_counts_add_up(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    responses = data.draw(response_lists(instrument))
    collation = collate(instrument, responses, by="sector")
    assert collation.responses == len(responses)
    for tally_set in [collation.overall, *collation.groups.values()]:
        for tally in tally_set.tallies:
            assert tally.answered + tally.missing == tally_set.responses
            assert sum(tally.counts) == tally.answered
    assert sum(collation.group_sizes().values()) == collation.responses
    for i in range(len(instrument.domains)):
        summed = Tally.empty(len(instrument.levels))
        for part in collation.groups.values():
            summed = summed + part.tallies[i]
        assert summed == collation.overall.tallies[i]
    report = build_collation_report(collation, LowerMedianRule())
    for result in report.domains:
        assert result.answered + result.missing == report.responses
        assert sum(g.responses for g in result.groups) == report.responses


# -- 2. order invariance ---------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_any_order_gives_the_same_collation(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    responses = data.draw(response_lists(instrument))
    shuffled = data.draw(st.permutations(responses))
    by = data.draw(st.sampled_from([None, "sector", "table"]))
    assert collate(instrument, shuffled, by) == collate(instrument, responses, by)


@SETTINGS
@given(st.data())
def test_counting_columns_equals_counting_responses_one_by_one(data: st.DataObject) -> None:
    """What the readers of response tables do (level codes a column of bytes per domain, blocks of any size,
    sorted by group or not, buffers counted when full) gives the collation of adding the responses one at a
    time."""
    instrument = data.draw(SMALL)
    responses = data.draw(response_lists(instrument))
    by = data.draw(st.sampled_from([None, "sector", "table"]))
    blocks = _split(data.draw, responses, data.draw(st.integers(1, 4)))
    count_at = data.draw(st.sampled_from([1, 3, 1 << 16]))
    collator = Collator(instrument, by)
    with mock.patch("matrixkit.collation._COUNT_AT", count_at):
        for block in blocks:
            if data.draw(st.booleans()):
                block = sorted(block, key=lambda r: r.attributes.get(by or "", ""))
            collator.add_columns(
                [
                    bytes(UNANSWERED if (c := r.choices.get(key)) is None else c for r in block)
                    for key in instrument.domain_keys
                ],
                [r.attributes.get(by, "") for r in block] if by is not None else None,
                {key: [r.comments.get(key, "") for r in block] for key in instrument.domain_keys},
            )
        counted = collator.collation()
    assert counted == collate(instrument, responses, by)


# -- 3. merging and pooling ------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_merge_is_a_commutative_monoid(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    by = data.draw(st.sampled_from([None, "sector"]))
    a, b, c = (data.draw(collations(instrument, by=by, max_responses=8)) for _ in range(3))
    empty = Collation.empty(instrument, by)
    assert a.merge(b) == b.merge(a)
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    assert a.merge(empty) == a == empty.merge(a)


@SETTINGS
@given(st.data())
def test_collating_parts_then_merging_equals_collating_all(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    responses = data.draw(response_lists(instrument))
    parts = _split(data.draw, responses, data.draw(st.integers(1, 4)))
    by = data.draw(st.sampled_from([None, "sector"]))
    merged = merge_all((collate(instrument, part, by) for part in parts), instrument, by)
    assert merged == collate(instrument, responses, by)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_pooling_collation_files_equals_collating_the_responses(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    responses = data.draw(response_lists(instrument, max_size=15))
    parts = _split(data.draw, responses, data.draw(st.integers(1, 3)))
    by = data.draw(st.sampled_from([None, "sector"]))
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, part in enumerate(parts):
            report = build_collation_report(collate(instrument, part, by), LowerMedianRule())
            path = Path(tmp) / f"table-{i}.json"
            path.write_text(json.dumps(collation_to_dict(report)), encoding="utf-8")
            paths.append(path)
        pooled = collate_inputs(paths, instrument, REGISTRY, by=by).collation
    assert pooled == collate(instrument, responses, by)


# -- 4. the median rule ----------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_median_is_an_answered_level_between_min_and_max(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    tally = data.draw(tallies(len(instrument.levels)))
    suggested = LowerMedianRule().suggest(tally, instrument)
    if tally.answered == 0:
        assert suggested is None
        return
    assert suggested is not None
    assert tally.counts[suggested] > 0
    answered = [i for i, n in enumerate(tally.counts) if n]
    assert answered[0] <= suggested <= answered[-1]


@SETTINGS
@given(st.data())
def test_median_of_unanimous_answers_is_that_level(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    level = data.draw(st.integers(0, len(instrument.levels) - 1))
    n = data.draw(st.integers(1, 50))
    counts = [0] * len(instrument.levels)
    counts[level] = n
    assert LowerMedianRule().suggest(Tally(counts, data.draw(st.integers(0, 5))), instrument) == level


@SETTINGS
@given(st.data())
def test_merged_median_lies_between_the_parts_medians(data: st.DataObject) -> None:
    levels = data.draw(st.integers(2, 7))
    a = data.draw(tallies(levels).filter(lambda t: t.answered > 0))
    b = data.draw(tallies(levels).filter(lambda t: t.answered > 0))
    ma, mb, merged = lower_median(a), lower_median(b), lower_median(a + b)
    assert ma is not None and mb is not None and merged is not None
    assert min(ma, mb) <= merged <= max(ma, mb)


@SETTINGS
@given(st.data())
def test_moving_one_answer_up_never_lowers_the_median(data: st.DataObject) -> None:
    levels = data.draw(st.integers(2, 7))
    tally = data.draw(tallies(levels).filter(lambda t: any(t.counts[:-1])))
    source = data.draw(st.sampled_from([i for i, n in enumerate(tally.counts[:-1]) if n]))
    target = data.draw(st.integers(source + 1, levels - 1))
    counts = list(tally.counts)
    counts[source] -= 1
    counts[target] += 1
    before, after = lower_median(tally), lower_median(Tally(counts, tally.missing))
    assert before is not None and after is not None and after >= before


# -- 5. agreement ----------------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_agreement_is_in_0_1_and_1_only_when_unanimous(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    tally = data.draw(tallies(len(instrument.levels)))
    value = consensus(tally, instrument)
    if tally.answered == 0:
        assert value is None
        return
    assert value is not None and 0.0 <= value <= 1.0
    unanimous = sum(1 for n in tally.counts if n) == 1
    assert (value == 1.0) == unanimous


@SETTINGS
@given(st.data())
def test_agreement_is_0_for_an_even_split_between_the_extremes(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    n = data.draw(st.integers(1, 100))
    counts = [0] * len(instrument.levels)
    counts[0] = counts[-1] = n
    assert consensus(Tally(counts), instrument) == pytest.approx(0.0, abs=1e-12)


@SETTINGS
@given(st.data())
def test_agreement_ignores_order_and_a_shift_of_the_scale(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    responses = data.draw(response_lists(instrument, max_size=15))
    shuffled = data.draw(st.permutations(responses))
    shift = data.draw(st.integers(-1000, 1000))
    try:
        moved = attrs.evolve(instrument, levels=[attrs.evolve(lv, score=lv.score + shift) for lv in instrument.levels])
    except ValidationError:
        # The shifted scores made a key or label of one level readable as another's score: not an instrument.
        assume(False)
    original = collate(instrument, responses)
    for i in range(len(instrument.domains)):
        value = consensus(original.overall.tallies[i], instrument)
        assert consensus(collate(instrument, shuffled).overall.tallies[i], instrument) == value
        assert consensus(original.overall.tallies[i], moved) == value


# -- 6. round trips --------------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_collation_json_and_toml_round_trip(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    collation = data.draw(collations(instrument, by=data.draw(st.sampled_from([None, "sector"]))))
    report = build_collation_report(collation, LowerMedianRule())
    as_json = json.loads(json.dumps(collation_to_dict(report)))
    assert collation_from_dict(as_json, instrument) == collation
    as_toml = tomllib.loads(TomlExporter().render_collation(report).decode("utf-8"))
    assert collation_from_dict(as_toml, instrument) == collation


@SETTINGS
@given(st.data())
def test_workshop_record_toml_and_json_round_trip(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    record = data.draw(workshop_records(instrument))
    assert loads_workshop(dump_workshop(record)) == record
    as_json = json.loads(json.dumps(workshop_to_dict(record, dates=False)))
    assert workshop_from_document(as_json) == record
    assert record.problems(instrument) == []


# -- 7. readers ------------------------------------------------------------------------------------
#
# The oracle below is written from the documented reading of answers (matrixkit.model's docstring), not from the
# reader's code: case, Unicode compatibility forms, spacing and one trailing full stop are ignored; a level is
# named by its score, key, label, an alias, "Level N", "LN", "N - Label", "Label (N)" or its descriptor text.

_RESERVED = {
    "participant", "instrument", "version", "sector", "table", "name", "email", "id", "respondent", "timestamp",
    "completed", "organisation", "role",
}  # fmt: skip


def _fold(text: str) -> str:
    folded = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    return folded[:-1].rstrip() if folded.endswith(".") and not folded.endswith("..") else folded


def _spellings(instrument: Instrument, domain_key: str, index: int) -> list[str]:
    """Every documented way of writing level ``index`` as an answer to ``domain_key`` (the descriptor only when
    no other level's name or descriptor reads the same)."""
    level = instrument.levels[index]
    forms = [
        str(level.score),
        f"{level.score}.0",
        f" {level.key.upper()} ",
        level.key.replace("-", " "),
        level.label,
        *([level.label.upper() + "."] if _fold(level.label.upper() + ".") == _fold(level.label) else []),
        f"Level {level.score}",
        f"L{level.score}",
        f"{level.score} - {level.label}",
        f"{level.label} ({level.score})",
        *level.aliases,
    ]
    descriptor = instrument.domain(domain_key).descriptors[index]
    others = {
        _fold(text)
        for i, other in enumerate(instrument.levels)
        for text in (
            [str(other.score), other.key, other.key.replace("-", " "), other.label, *other.aliases]
            + ([instrument.domain(domain_key).descriptors[i]] if i != index else [])
        )
    }
    if _fold(descriptor) not in others and _fold(descriptor) not in ("", "-", "?", "n/a", "na"):
        forms.append(descriptor)
    return forms


@SETTINGS
@given(st.data())
def test_any_spelling_of_a_level_reads_back_to_that_level(data: st.DataObject) -> None:
    instrument = data.draw(SMALL)
    domain = data.draw(st.sampled_from(instrument.domains))
    index = data.draw(st.integers(0, len(instrument.levels) - 1))
    spelling = data.draw(st.sampled_from(_spellings(instrument, domain.key, index)))
    assert instrument.read_answer(spelling, domain.key) == index


def _usable(instrument: Instrument) -> bool:
    headings = {_fold(d.key.replace("-", " ")) for d in instrument.domains}
    headings |= {_fold(d.title) for d in instrument.domains}
    return not (headings & _RESERVED) and not any("comment" in h or "notes" in h for h in headings)


def _write_csv(instrument: Instrument, responses: list[Response], cells: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    keys = instrument.domain_keys
    writer.writerow(["participant", "sector", "table", *keys, *(f"comment: {k}" for k in keys)])
    for r, row in zip(responses, cells, strict=True):
        writer.writerow(
            [
                r.participant,
                r.attributes.get("sector", ""),
                r.attributes.get("table", ""),
                *row,
                *(r.comments.get(k, "") for k in keys),
            ]
        )
    return out.getvalue()


def _cells(data: st.DataObject, instrument: Instrument, response: Response) -> list[str]:
    return [
        ""
        if (index := response.choices[key]) is None
        else data.draw(st.sampled_from(_spellings(instrument, key, index)))
        for key in instrument.domain_keys
    ]


@SETTINGS
@given(st.data())
def test_generated_csv_parses_to_the_responses_that_produced_it(data: st.DataObject) -> None:
    instrument = data.draw(SMALL.filter(_usable))
    responses = data.draw(response_lists(instrument, min_size=1, max_size=12))
    assume(all(r.participant == r.participant.strip() for r in responses))
    cells = [_cells(data, instrument, r) for r in responses]
    text = _write_csv(instrument, responses, cells, data.draw(st.sampled_from([",", ";", "\t"])))
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gen.csv"
        path.write_bytes(text.encode(encoding))
        read = read_responses(path, instrument, REGISTRY)
    assert read == responses


_CORRUPTIONS = ("bad-level", "ragged", "duplicate", "bad-heading", "empty", "no-rows", "bad-bytes", "no-participant")


@SETTINGS
@given(st.data())
def test_corrupt_csv_is_rejected_with_located_messages(data: st.DataObject) -> None:
    instrument = data.draw(SMALL.filter(_usable))
    responses = data.draw(response_lists(instrument, min_size=1, max_size=6))
    assume(all(r.participant == r.participant.strip() for r in responses))
    cells = [_cells(data, instrument, r) for r in responses]
    text = _write_csv(instrument, responses, cells, ",")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    kind = data.draw(st.sampled_from(_CORRUPTIONS), label="kind")
    row = data.draw(st.integers(1, len(rows) - 1))
    column = 3 + data.draw(st.integers(0, len(instrument.domains) - 1))
    raw: bytes
    if kind == "bad-level":
        token = data.draw(st.sampled_from(["zz-none", "999999", "-999999", "1.5", "great"]))
        assume(
            not any(
                _fold(token) in map(_fold, _spellings(instrument, key, i))
                for key in instrument.domain_keys
                for i in range(len(instrument.levels))
            )
        )
        rows[row][column] = token
    elif kind == "ragged":
        rows[row] = [*rows[row], "x"]
    elif kind == "duplicate":
        rows.append(list(rows[row]))
    elif kind == "bad-heading":
        rows[0][column] = rows[0][column] + "x"
    elif kind == "no-participant":
        rows[row][0] = " "
    if kind == "empty":
        raw = b""
    elif kind == "no-rows":
        raw = text.splitlines(keepends=True)[0].encode("utf-8")
    else:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        raw = out.getvalue().encode("utf-8")
        if kind == "bad-bytes":
            lines = raw.split(b"\n")
            lines[row] = lines[row] + b"\xff\xfe"
            raw = b"\n".join(lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bad.csv"
        path.write_bytes(raw)
        # Bytes that are not UTF-8 make a file read as Windows-1252 unless it is said to be UTF-8.
        options = ReadOptions(encoding="utf-8" if kind == "bad-bytes" else None)
        with pytest.raises(ValidationError) as info:
            read_responses(path, instrument, REGISTRY, options)
    assert info.value.problems
    for problem in info.value.problems:
        assert problem.file == str(path)
        assert problem.message
        if problem.message != "no responses in the file":
            assert problem.line is not None or problem.count > 1, problem


# -- hostile documents never raise anything but a located MatrixkitError ------------------------------

_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(-1, 3), max_size=3),
)


def _paths(doc: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found += _paths(value, (*prefix, i))
    return found


def _mutate(data: st.DataObject, doc: object, times: int) -> object:
    for _ in range(times):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            return data.draw(_JUNK)
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]  # type: ignore[index]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(_JUNK)  # type: ignore[index]
    return doc


@SETTINGS
@given(st.data())
def test_damaged_collation_documents_fail_cleanly(data: st.DataObject) -> None:
    from matrixkit.errors import MatrixkitError

    instrument = data.draw(SMALL)
    collation = data.draw(collations(instrument, by=data.draw(st.sampled_from([None, "sector"])), max_responses=6))
    doc = json.loads(json.dumps(collation_to_dict(build_collation_report(collation, LowerMedianRule()))))
    damaged = _mutate(data, doc, data.draw(st.integers(1, 4)))
    try:
        result = collation_from_dict(damaged, instrument, file="c.json")
    except MatrixkitError as exc:
        assert str(exc)
    else:
        assert isinstance(result, Collation)


@SETTINGS
@given(st.data())
def test_damaged_workshop_and_response_documents_fail_cleanly(data: st.DataObject) -> None:
    from matrixkit.errors import MatrixkitError

    instrument = data.draw(SMALL)
    record = workshop_to_dict(data.draw(workshop_records(instrument)), dates=False)
    damaged = _mutate(data, json.loads(json.dumps(record)), data.draw(st.integers(1, 4)))
    try:
        workshop_from_document(damaged if isinstance(damaged, dict) else {"x": damaged}, file="w.toml")
    except MatrixkitError as exc:
        assert all(p.file == "w.toml" for p in getattr(exc, "problems", ()))
    responses = data.draw(response_lists(instrument, min_size=1, max_size=4))
    doc = json.loads(json.dumps(responses_to_document(responses, instrument)))
    damaged = _mutate(data, doc, data.draw(st.integers(1, 4)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.json"
        path.write_text(json.dumps(damaged))
        try:
            read_responses(path, instrument, REGISTRY)
        except MatrixkitError as exc:
            assert str(exc)
