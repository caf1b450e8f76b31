"""CSV read back with the csv module: layout, numbers as numbers, formula injection neutralised (OWASP)."""

from __future__ import annotations

import csv
import io

import attrs
import pytest
from matrixkit_exporters.safety import FORMULA_TRIGGERS, neutralise_formula
from workshop_data import FORMULA, HOSTILE, hostile_instrument, hostile_record, hostile_report

from matrixkit.collation import collate
from matrixkit.exporting import render_as as render
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import CollationReport, RecordSheet, WorkshopReport, build_collation_report
from matrixkit.responses import Response
from matrixkit.rules import LowerMedianRule


def rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())  # spreadsheets read the accents right
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_text_starting_with_a_formula_trigger_gets_a_quote(trigger: str) -> None:
    assert neutralise_formula(f"{trigger}SUM(A1)") == f"'{trigger}SUM(A1)"


@pytest.mark.parametrize("text", ["", "Leadership", "a=b", "x-1", "'already quoted", " =padded"])
def test_other_text_is_unchanged(text: str) -> None:
    assert neutralise_formula(text) == text


def test_collation_has_one_row_per_domain_then_per_group_and_domain(
    collation: CollationReport, registry: Registry
) -> None:
    table = rows(render(registry.exporter("csv"), "collation", collation))
    domains = collation.instrument.domain_keys
    assert [r["domain"] for r in table] == list(domains) * (1 + len(collation.groups))
    assert [r["group"] for r in table[: len(domains)]] == ["(all)"] * len(domains)
    first = table[0]
    result = collation.domains[0]
    assert [int(first[k]) for k in collation.instrument.level_keys] == list(result.counts)
    assert int(first["not_answered"]) == result.missing
    assert int(first["suggested"]) == result.suggested.score  # type: ignore[union-attr]
    assert first["suggested_level"] == result.suggested.key  # type: ignore[union-attr]
    assert float(first["agreement"]) == pytest.approx(result.agreement, abs=1e-4)
    assert first["flags"] == " ".join(result.flags)
    civic = next(r for r in table if r["group"] == "civic" and r["domain"] == "leadership")
    assert [int(civic[k]) for k in collation.instrument.level_keys] == list(result.group("civic").counts)


def test_report_rows_carry_the_decisions(report: WorkshopReport, registry: Registry) -> None:
    table = rows(render(registry.exporter("csv"), "report", report))
    leadership = table[0]
    assert leadership["agreed_level"] == "developing"
    assert leadership["target_level"] == "maturing"
    assert leadership["priority"] == "1"
    assert leadership["priorities"].startswith("A joint health-inequalities vision")
    assert "Director of Public Health" in leadership["actions"]
    assert table[5]["agreed"] == ""  # evaluation: nothing agreed


def test_blank_sheet_is_a_template_the_csv_reader_accepts(instrument: Instrument, registry: Registry) -> None:
    data = render(registry.exporter("csv"), "sheet", instrument)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header == ["participant", "sector", "table", *instrument.domain_keys]


def _neutralised(table: list[dict[str, str]]) -> list[str]:
    bad = []
    for row in table:
        for value in [*row.values(), *row.keys()]:
            if value and value[0] in FORMULA_TRIGGERS:
                try:
                    float(value)
                except ValueError:
                    bad.append(value)
    return bad


def test_hostile_text_in_every_kind_comes_out_neutralised(registry: Registry) -> None:
    instrument = hostile_instrument()
    exporter = registry.exporter("csv")
    report = hostile_report(instrument)
    for kind, subject in [
        ("record", hostile_record(instrument)),
        ("collation", report.collation),
        ("report", report),
    ]:
        table = rows(render(exporter, kind, subject))
        assert _neutralised(table) == [], kind
    record = rows(render(exporter, "record", hostile_record(instrument)))
    assert record[0]["participant"] == "'" + FORMULA  # the participant's =HYPERLINK(...) is text
    assert record[0]["comment"] == "'" + FORMULA
    assert record[0]["domain_title"] == f"Leadership {HOSTILE}"  # not a formula: unchanged
    decisions = rows(render(exporter, "report", report))
    assert decisions[0]["priorities"] == "'" + FORMULA  # the priority text =HYPERLINK(...) is text
    assert decisions[0]["notes"] == f"{HOSTILE} -1"
    groups = {r["group"] for r in rows(render(exporter, "collation", report.collation))}
    assert HOSTILE in groups


def test_negative_scores_stay_numbers() -> None:
    """Numbers are never prefixed: a scale scored -2..1 writes -2 as the number -2."""
    from workshop_data import load

    base = load("partnership.toml")
    levels = [attrs.evolve(lv, score=lv.score - 3) for lv in base.levels]
    instrument = attrs.evolve(base, levels=levels)
    answers = [Response("a", instrument.id, dict.fromkeys(instrument.domain_keys, 0))]
    report = build_collation_report(collate(instrument, answers), LowerMedianRule())
    from matrixkit_exporters import csvout

    table = rows(csvout.render_collation(report))
    assert table[0]["suggested"] == "-2"
    record = rows(csvout.render_record(_record(instrument, answers[0])))
    assert record[0]["score"] == "-2"


def _record(instrument: Instrument, response: Response) -> RecordSheet:
    from matrixkit.report import build_record_sheet

    return build_record_sheet(response, instrument, LowerMedianRule())
