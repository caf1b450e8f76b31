"""Tallies, collations, merging and the collation JSON read back for pooling."""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs
import pytest

from matrixkit.collation import (
    NOT_GIVEN,
    UNANSWERED,
    Collation,
    Collator,
    IncompatibleCollationsError,
    Tally,
    TallySet,
    collate,
    merge_all,
)
from matrixkit.errors import ValidationError
from matrixkit.format import read_instrument as load_instrument
from matrixkit.io.collation_json import (
    collation_from_document,
    collation_to_dict,
    instrument_of_document,
    is_collation_document,
    parse_collation,
)
from matrixkit.io.participants import ParticipantLedger
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import build_collation_report
from matrixkit.responses import Response, participant_key
from matrixkit.rules import LowerMedianRule
from matrixkit.services import collate_inputs

DATA = Path(__file__).parent / "data"
REGISTRY = Registry.for_plugins()


def collation_from_dict(
    doc: object, instrument: Instrument, *, file: str | None = None, strict: bool = True
) -> Collation:
    return collation_from_document(parse_collation(doc, file=file), instrument, file=file, strict=strict)


def collate_files(
    paths: list[Path], instrument: Instrument, by: str | None = None
) -> tuple[Collation, list[Collation]]:
    result = collate_inputs(paths, instrument, REGISTRY, by=by)
    return result.collation, [c for _, c in result.parts]


@pytest.fixture(scope="module")
def dm() -> Instrument:
    return load_instrument(DATA / "digital-maturity.toml")


def response(dm: Instrument, pid: str, level: int | None, sector: str | None = None, **extra: int | None) -> Response:
    choices = dict.fromkeys(dm.domain_keys, level)
    choices.update(extra)
    return Response(
        participant=pid,
        instrument=dm.id,
        choices=choices,
        attributes={"sector": sector} if sector else {},
    )


def test_tally_basics() -> None:
    tally = Tally.of([0, 2, None, 2], 4)
    assert tally == Tally((1, 0, 2, 0), 1)
    assert (tally.answered, tally.total, tally.levels) == (3, 4, 4)
    assert tally.answers() == [0, 2, 2]
    assert tally + Tally.empty(4) == tally
    with pytest.raises(IncompatibleCollationsError):
        tally + Tally.empty(3)
    with pytest.raises(ValidationError):
        Tally((1, -1))


def test_tally_set_checks_its_totals(dm: Instrument) -> None:
    with pytest.raises(ValidationError, match="not the 3 responses"):
        TallySet(3, [Tally((1, 1), 0)])


def test_collate_counts_overall_and_by_group(dm: Instrument) -> None:
    responses = [
        response(dm, "a", 0, "civic"),
        response(dm, "b", 5, "civic", governance=None),
        response(dm, "c", 2, "vcse"),
        response(dm, "d", 2),
    ]
    collation = collate(dm, responses, by="sector")
    assert collation.responses == 4
    assert collation.tally("governance") == Tally((1, 0, 2, 0, 0, 0), 1)
    assert collation.tally("governance", "civic") == Tally((1, 0, 0, 0, 0, 0), 1)
    assert collation.group_sizes() == {NOT_GIVEN: 1, "civic": 2, "vcse": 1}
    assert collate(dm, responses).groups == {}


def test_collator_takes_indices_directly(dm: Instrument) -> None:
    collator = Collator(dm, by="table")
    collator.add_indices([1] * 12, "t1")
    collator.add_indices([None] * 12, None)
    collation = collator.collation()
    assert collation.tally("risk") == Tally((0, 1, 0, 0, 0, 0), 1)
    assert set(collation.groups) == {"t1", NOT_GIVEN}


def test_counting_columns_refuses_a_code_that_is_no_level(dm: Instrument) -> None:
    collator = Collator(dm)
    collator.add_columns([bytes([0, len(dm.levels)])] + [bytes([UNANSWERED, 0])] * (len(dm.domains) - 1))
    with pytest.raises(ValueError, match=rf"level codes \[{len(dm.levels)}\] in the answers to"):
        collator.collation()
    with pytest.raises(ValueError, match="1 columns of answers given for"):
        Collator(dm).add_columns([b"\x00"])


def test_comments_are_kept_anonymous_and_sorted(dm: Instrument) -> None:
    a = attrs.evolve(response(dm, "a", 1), comments={"risk": "zeta"})
    b = attrs.evolve(response(dm, "b", 1), comments={"risk": "alpha"})
    assert collate(dm, [a, b]).comments == {"risk": ("alpha", "zeta")}
    assert collate(dm, [a]).merge(collate(dm, [b])) == collate(dm, [b, a])


def test_merge_refuses_incompatible_collations(dm: Instrument) -> None:
    base = collate(dm, [response(dm, "a", 1, "civic")])
    newer = attrs.evolve(dm, version="3.0")
    with pytest.raises(IncompatibleCollationsError, match="different versions of digital-maturity"):
        base.merge(collate(newer, [response(newer, "b", 1)]))
    other = attrs.evolve(dm, id="other-tool")
    with pytest.raises(IncompatibleCollationsError, match="different instruments"):
        base.merge(collate(other, []))
    reworded = attrs.evolve(dm, domains=[attrs.evolve(dm.domains[0], descriptors=["x"] * 6), *dm.domains[1:]])
    with pytest.raises(IncompatibleCollationsError, match=r"levels or descriptors of digital-maturity 2\.1 differ"):
        base.merge(collate(reworded, []))
    with pytest.raises(IncompatibleCollationsError, match="split by nothing"):
        base.merge(collate(dm, [], by="sector"))


def test_merge_all_and_unsplit(dm: Instrument) -> None:
    parts = [collate(dm, [response(dm, str(i), i % 6, f"s{i % 2}")], by="sector") for i in range(5)]
    pooled = merge_all(parts, dm, "sector")
    assert pooled.responses == 5
    assert pooled.unsplit() == merge_all([p.unsplit() for p in parts], dm)
    assert merge_all([], dm) == Collation.empty(dm)


def test_collation_rejects_inconsistent_groups(dm: Instrument) -> None:
    one = TallySet(1, [Tally.of([1], 6)] * 12)
    with pytest.raises(ValidationError, match="do not add up"):
        Collation(dm, one, "sector", {"a": one, "b": one})
    with pytest.raises(ValidationError, match="without a 'by'"):
        Collation(dm, one, None, {"a": one})


def _json(collation: Collation) -> dict:  # type: ignore[type-arg]
    report = build_collation_report(collation, LowerMedianRule())
    return json.loads(json.dumps(collation_to_dict(report)))


def test_collation_json_reads_back(dm: Instrument) -> None:
    responses = [response(dm, "a", 0, "civic"), response(dm, "b", 5, "vcse", risk=None), response(dm, "c", None)]
    for by in (None, "sector"):
        collation = collate(dm, responses, by=by)
        doc = _json(collation)
        assert is_collation_document(doc)
        assert collation_from_dict(doc, dm) == collation


def test_collation_json_tampering_is_caught(dm: Instrument) -> None:
    doc = _json(collate(dm, [response(dm, "a", 1, "civic"), response(dm, "b", 2, "vcse")], by="sector"))
    doc["domains"][0]["counts"]["initial"] = 5
    doc["domains"][1]["counts"]["extra-level"] = 0
    doc["domains"][2]["by"]["civic"]["missing"] = -1
    del doc["domains"][3]
    with pytest.raises(ValidationError) as info:
        collation_from_dict(doc, dm, file="c.json")
    text = str(info.value)
    assert "c.json: domains[0]: 6 answered + 0 missing ≠ 2 responses" in text
    assert "c.json: domains[1].counts: expected counts for exactly the levels" in text
    assert "c.json: domains[2].by.civic.missing: expected a whole number ≥ 0, found -1" in text
    assert "domain 'funding' of digital-maturity is missing" in text


def test_equal_tallies_read_from_documents_are_one_object(dm: Instrument) -> None:
    doc = _json(collate(dm, [response(dm, "a", 1, "civic"), response(dm, "b", 2, "vcse")], by="sector"))
    first, second = collation_from_dict(doc, dm), collation_from_dict(json.loads(json.dumps(doc)), dm)
    assert first == second
    assert all(a is b for a, b in zip(first.overall.tallies, second.overall.tallies, strict=True))
    assert first.groups["civic"].tallies[0] is second.groups["civic"].tallies[0]
    # A tally that fails its checks is refused every time, whatever equal-looking tallies were read before it.
    for _ in range(2):
        bad = json.loads(json.dumps(doc))
        bad["domains"][0]["by"]["civic"]["counts"]["initial"] = -1
        bad["domains"][0]["by"]["civic"]["missing"] = 2
        with pytest.raises(ValidationError, match=r"domains\[0\]\.by\.civic\.counts\[1\]: expected a whole number"):
            collation_from_dict(bad, dm, file="c.json")


def test_collation_json_of_another_instrument_or_version(dm: Instrument) -> None:
    doc = _json(collate(dm, [response(dm, "a", 1)]))
    with pytest.raises(IncompatibleCollationsError, match=r"collates version 2\.1 of digital-maturity, not version 9"):
        collation_from_dict(doc, attrs.evolve(dm, version="9"))
    with pytest.raises(IncompatibleCollationsError, match="not 'x'"):
        collation_from_dict(doc, attrs.evolve(dm, id="x"))
    # A stand-in from what the file records, for comparing with rounds of versions no longer installed.
    standin = instrument_of_document(parse_collation(doc))
    assert standin.level_keys == dm.level_keys and standin.domain_keys == dm.domain_keys
    assert collation_from_dict(doc, standin, strict=False).responses == 1


def test_collate_files_pools_responses_and_collations(tmp_path: Path, dm: Instrument) -> None:
    header = "participant,sector," + ",".join(dm.domain_keys)
    (tmp_path / "t1.csv").write_text(f"{header}\nA,civic,{','.join('1' * 12)}\nB,vcse,{','.join('2' * 12)}\n")
    (tmp_path / "t2.csv").write_text(f"{header}\nC,civic,{','.join('3' * 12)}\n")
    first, _ = collate_files([tmp_path / "t1.csv"], dm, "sector")
    (tmp_path / "t1.json").write_text(json.dumps(_json(first)))
    from_raw, parts = collate_files([tmp_path / "t1.csv", tmp_path / "t2.csv"], dm, "sector")
    pooled, _ = collate_files([tmp_path / "t1.json", tmp_path / "t2.csv"], dm, "sector")
    assert pooled == from_raw
    assert len(parts) == 2
    unsplit, _ = collate_files([tmp_path / "t1.json", tmp_path / "t2.csv"], dm)
    assert unsplit == from_raw.unsplit()
    with pytest.raises(ValidationError, match="split by 'sector', not by 'table'"):
        collate_files([tmp_path / "t1.json"], dm, "table")


def test_collate_files_reports_every_file(tmp_path: Path, dm: Instrument) -> None:
    header = "participant," + ",".join(dm.domain_keys)
    (tmp_path / "a.csv").write_text(f"{header}\nA,{','.join('1' * 12)}\n")
    (tmp_path / "b.csv").write_text(f"{header}\na,{','.join('1' * 12)}\n")
    (tmp_path / "c.csv").write_text(f"{header}\nC,{','.join('7' * 12)}\n")
    with pytest.raises(ValidationError) as info:
        collate_files(
            [tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv", tmp_path / "a.csv", tmp_path / "z.csv"],
            dm,
        )
    text = str(info.value)
    assert "b.csv:2: participant 'a' is given twice (also " in text and "a.csv:2)" in text
    assert "'7' is not a level of digital-maturity" in text and ": 12 cells in 12 columns (line 2)" in text
    assert info.value.total == 15
    assert "the same file as" in text
    assert "z.csv: no such file" in text


def test_collate_files_refuses_one_file_under_two_names(tmp_path: Path, dm: Instrument) -> None:
    header = "participant," + ",".join(dm.domain_keys)
    (tmp_path / "a.csv").write_text(f"{header}\nA,{','.join('1' * 12)}\n")
    (tmp_path / "sub").mkdir()
    os.link(tmp_path / "a.csv", tmp_path / "hard.csv")
    (tmp_path / "soft.csv").symlink_to(tmp_path / "a.csv")
    names = [tmp_path / "a.csv", tmp_path / "sub" / ".." / "a.csv", tmp_path / "hard.csv", tmp_path / "soft.csv"]
    with pytest.raises(ValidationError) as info:
        collate_files(names, dm)
    assert info.value.total == 3
    assert all(f"{name}: the same file as {names[0]}" in str(info.value) for name in names[1:])


def test_participants_of_files_compare_as_people_read_them(tmp_path: Path, dm: Instrument) -> None:
    header = "participant," + ",".join(dm.domain_keys)
    row = ",".join("1" * 12)
    (tmp_path / "a.csv").write_text(f"{header}\nKim Lee,{row}\nBen,{row}\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(f"{header}\nKIM  LEE,{row}\nＢen,{row}\nBen\u200b,{row}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        collate_files([tmp_path / "a.csv", tmp_path / "b.csv"], dm)
    text = str(info.value)
    assert "b.csv:2: participant 'KIM  LEE' is given twice (also " in text
    assert "b.csv:3: participant 'Ｂen' is given twice (also " in text
    assert "b.csv:4: participant 'Ben\\u200b' is given twice (also " in text  # the invisible character shown
    assert info.value.total == 3


def test_participant_ledger_finds_every_repeated_id_across_buckets() -> None:
    ids = [f"Person {i}" for i in range(5000)]
    ledger = ParticipantLedger()
    ledger.add(ids[:3000])
    ledger.add([])
    ledger.add(ids[3000:])
    assert len(ledger) == 5000
    assert ledger.suspects() == set()
    repeated = ["PERSON 7", "person 4321", " Person  4999 "]  # as people read them: the same three
    ledger.add(repeated)
    assert ledger.suspects() == {hash(participant_key(p)) for p in repeated}
    assert len({hash(participant_key(p)) >> 58 for p in ids}) == 64  # the ids fill every bucket
