"""XLSX read back with openpyxl: the Workshop Collation Sheet layout, level fills, text never a formula."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from matrixkit_exporters.colour import text_colour
from matrixkit_exporters.xlsx import COLLATION_SHEET, sheet_name
from openpyxl.worksheet.worksheet import Worksheet
from workshop_data import FORMULA, HOSTILE, hostile_instrument, hostile_record, hostile_report

from matrixkit.exporting import render_as as render
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import CollationReport, RecordSheet, WorkshopReport
from matrixkit.services import read_responses


def book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def find_row(ws: Worksheet, label: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            return row[0].row
    raise AssertionError(f"no row {label!r}")


def fill(cell: object) -> str:
    return str(cell.fill.fgColor.rgb)[-6:].lower()  # type: ignore[attr-defined]


def test_collation_sheet_has_domains_across_levels_down_consensus_and_priorities(
    registry: Registry, collation: CollationReport
) -> None:
    wb = book(render(registry.exporter("xlsx"), "collation", collation))
    assert wb.sheetnames[0] == COLLATION_SHEET
    ws = wb[COLLATION_SHEET]
    instrument = collation.instrument
    header = find_row(ws, "Level")
    assert [ws.cell(header, 1 + j).value for j in range(1, len(instrument.domains) + 1)] == [
        d.label for d in instrument.domains
    ]
    for i, level in enumerate(instrument.levels):
        row = header + 1 + i
        name = ws.cell(row, 1)
        assert name.value == f"{level.label} ({level.score})"
        assert fill(name) == level.colour.lstrip("#")
        assert str(name.font.color.rgb)[-6:].lower() == text_colour(level.colour).lstrip("#")
        counts = [ws.cell(row, 1 + j).value for j in range(1, len(instrument.domains) + 1)]
        assert counts == [d.counts[i] for d in collation.domains]
    consensus = find_row(ws, "Consensus (1–4), suggested (median)")
    for j, result in enumerate(collation.domains, 2):
        cell = ws.cell(consensus, j)
        assert cell.value == f"{result.suggested.label} ({result.suggested.score})"  # type: ignore[union-attr]
        assert fill(cell) == result.suggested.colour.lstrip("#")  # type: ignore[union-attr]
    agreement = find_row(ws, "Agreement (0–1)")
    assert ws.cell(agreement, 2).value == pytest.approx(collation.domains[0].agreement)
    assert ws.cell(agreement, 2).number_format == "0.000"  # 0.696 must not read 0.70
    priorities = find_row(ws, "Proposed Priorities for Action")
    assert priorities > consensus
    assert ws.cell(priorities, 2).value is None  # left for the workshop to fill in


def test_collation_has_a_sheet_per_group_and_the_matrix(registry: Registry, collation: CollationReport) -> None:
    wb = book(render(registry.exporter("xlsx"), "collation", collation))
    assert {"By sector", "sector – civic", "sector – community", "sector – service", "Matrix", "About"} <= set(
        wb.sheetnames
    )
    civic = wb["sector – civic"]
    header = find_row(civic, "Level")
    leadership = [civic.cell(header + 1 + i, 2).value for i in range(4)]
    assert leadership == list(collation.domains[0].group("civic").counts)
    matrix = wb["Matrix"]
    texts = {c.value for row in matrix.iter_rows() for c in row if isinstance(c.value, str)}
    for domain in collation.instrument.domains:
        assert domain.title in texts
        assert set(domain.descriptors) <= texts
    assert "Planning together" in texts  # group rows


def test_report_fills_consensus_with_the_agreed_level_and_the_priorities_row(
    registry: Registry, report: WorkshopReport
) -> None:
    wb = book(render(registry.exporter("xlsx"), "report", report))
    ws = wb[COLLATION_SHEET]
    agreed = find_row(ws, "Consensus (1–4), agreed")
    business = ws.cell(agreed, 5)  # business planning: agreed emerging though the rule suggested developing
    assert business.value == "Emerging (1)"
    assert fill(business) == "ffffff"
    assert ws.cell(agreed, 7).value == "–"  # evaluation: nothing agreed
    suggested = find_row(ws, "Suggested (median)")
    assert ws.cell(suggested, 5).value == "Developing (2)"
    priorities = find_row(ws, "Proposed Priorities for Action")
    assert ws.cell(priorities, 2).value.startswith("A joint health-inequalities vision")
    rank = find_row(ws, "Priority (1 = first)")
    assert [ws.cell(rank, j).value for j in range(2, 8)] == [1, None, 2, None, None, 3]
    actions = wb["Actions"]
    header = find_row(actions, "Domain")
    rows = [[c.value for c in row] for row in actions.iter_rows(min_row=header + 1)]
    first = ["Leadership", "Board development session to agree a joint vision", "Director of Public Health"]
    assert rows[0][:3] == first
    assert rows[-1][0] == "(whole partnership)"
    assert {"Table 1", "Table 2", "Table 3", "Decisions"} <= set(wb.sheetnames)


def test_blank_sheet_has_level_drop_downs_and_a_responses_sheet(registry: Registry, instrument: Instrument) -> None:
    wb = book(render(registry.exporter("xlsx"), "sheet", instrument))
    assert wb.sheetnames == ["Record sheet", "Matrix", "Responses"]
    responses = wb["Responses"]
    assert [c.value for c in responses[1]] == ["participant", "sector", "table", *instrument.domain_keys]
    validations = responses.data_validations.dataValidation
    assert validations and all(v.formula1 == '"Emerging,Developing,Maturing,Thriving"' for v in validations)
    record = wb["Record sheet"]
    assert [record.cell(r, 1).value for r in range(4, 9)] == ["Name", "Organisation", "Sector", "Table", "Date"]


def test_record_marks_the_chosen_statements(registry: Registry, record: RecordSheet) -> None:
    wb = book(render(registry.exporter("xlsx"), "record", record))
    ws = wb["Record"]
    assert ws["A1"].value == "Record sheet: p13"
    assert (ws["A4"].value, ws["B4"].value) == ("Name", "p13")
    row = find_row(ws, "Leadership")
    assert ws.cell(row, 2).value == "Thriving (4)"
    assert fill(ws.cell(row, 2)) == "ffd700"
    assert ws.cell(row, 3).value == 4
    assert ws.cell(row, 5).value == "Strong at board level; less so in services."
    matrix = wb["Matrix"]
    chosen = [c.value for row in matrix.iter_rows() for c in row if isinstance(c.value, str) and c.value[0] == "✓"]
    assert len(chosen) == len(record.entries)


def test_the_blank_sheet_filled_in_and_the_record_sheet_read_back(
    registry: Registry, instrument: Instrument, record: RecordSheet, tmp_path: Path
) -> None:
    # What a person does with the blank sheet: the boxes on the Record sheet, "Your level" on the Matrix; and
    # what a facilitator does: everyone's answers on the Responses sheet. matrixkit reads each as it is.
    blank = book(render(registry.exporter("xlsx"), "sheet", instrument))
    form = blank["Record sheet"]
    form.cell(find_row(form, "Name"), 2, "Ann")
    form.cell(find_row(form, "Sector"), 2, "Civic")
    matrix = blank["Matrix"]
    header = find_row(matrix, "Domain")
    column = next(c.column for c in matrix[header] if c.value == "Your level")
    chosen = {d.key: instrument.levels[i % len(instrument.levels)] for i, d in enumerate(instrument.domains)}
    for domain in instrument.domains:
        matrix.cell(find_row(matrix, domain.title), column, chosen[domain.key].label)
    blank.save(tmp_path / "ann.xlsx")
    [ann] = read_responses(tmp_path / "ann.xlsx", instrument, registry)
    assert (ann.participant, dict(ann.attributes)) == ("Ann", {"sector": "Civic"})
    assert ann.indices(instrument) == tuple(instrument.levels.index(chosen[k]) for k in instrument.domain_keys)

    typed = book(render(registry.exporter("xlsx"), "sheet", instrument))
    typed["Responses"].append(["Ben", "VCSE", 2, *(lv.score for lv in chosen.values())])
    typed.save(tmp_path / "typed.xlsx")
    [ben] = read_responses(tmp_path / "typed.xlsx", instrument, registry)
    assert ben.participant == "Ben" and ben.indices(instrument) == ann.indices(instrument)

    (tmp_path / "record.xlsx").write_bytes(render(registry.exporter("xlsx"), "record", record))
    [again] = read_responses(tmp_path / "record.xlsx", instrument, registry)
    assert again.participant == record.participant
    assert again.indices(instrument) == tuple(entry.index for entry in record.entries)
    assert dict(again.attributes) == {k.lower(): v for k, v in record.attributes.items()}
    assert dict(again.comments) == {e.domain.key: e.comment for e in record.entries if e.comment}


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report"])
def test_hostile_text_is_a_string_cell_never_a_formula(kind: str, registry: Registry) -> None:
    instrument = hostile_instrument()
    workshop = hostile_report(instrument)
    subject = {
        "sheet": instrument,
        "record": hostile_record(instrument),
        "collation": workshop.collation,
        "report": workshop,
    }[kind]
    data = render(registry.exporter("xlsx"), kind, subject)
    wb = book(data)
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and (FORMULA in cell.value or HOSTILE in cell.value):
                    assert cell.data_type == "s"
                    found.append(cell.value)
    assert found, "the hostile text should be in the workbook, as text"
    if kind != "sheet":
        assert any(value == FORMULA for value in found)  # written exactly, as a string


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("sector – civic", "sector – civic"),
        ("a/b\\c?d*e[f]g:h", "a b c d e f g h"),
        ("x" * 40, "x" * 31),
        ("'quoted'", "quoted"),
        ("", "Sheet"),
    ],
)
def test_sheet_names_are_valid(wanted: str, expected: str) -> None:
    assert sheet_name(wanted, set()) == expected


def test_sheet_names_are_unique_ignoring_case() -> None:
    taken: set[str] = set()
    names = [sheet_name(n, taken) for n in ["Civic", "civic", "CIVIC", "y" * 40, "y" * 40]]
    assert names[:3] == ["Civic", "civic (2)", "CIVIC (3)"]
    assert names[3] == "y" * 31 and names[4] == "y" * 27 + " (2)"
    assert all(len(n) <= 31 for n in names)


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report"])
def test_every_sheet_prints_on_a4_landscape_with_titles_page_numbers_and_no_type_under_8_points(
    kind: str,
    registry: Registry,
    instrument: Instrument,
    record: RecordSheet,
    collation: CollationReport,
    report: WorkshopReport,
) -> None:
    subject = {"sheet": instrument, "record": record, "collation": collation, "report": report}[kind]
    wb = book(render(registry.exporter("xlsx"), kind, subject))
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape" and str(setup.paperSize) == "9", ws.title  # A4
        fit = ws.sheet_properties.pageSetUpPr
        assert fit is None or not fit.fitToPage, f"{ws.title}: shrinks to fit a page"
        scale = int(setup.scale or 100)
        assert 80 <= scale <= 100, ws.title
        sizes = {cell.font.sz for row in ws.iter_rows() for cell in row if cell.value is not None}
        assert min(sizes) * scale / 100 >= 8, f"{ws.title}: prints below 8 points"
        assert "&P" in (ws.oddFooter.right.text or "") and "&N" in (ws.oddFooter.right.text or ""), ws.title
        assert ws.oddHeader.left.text, ws.title
        texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
        assert "Licence" not in texts and "(partnership 1.2)" not in texts, ws.title
    table_sheets = [ws for ws in wb.worksheets if ws.title in ("Matrix", COLLATION_SHEET, "Decisions", "Responses")]
    assert table_sheets
    for ws in table_sheets:
        assert ws.print_title_rows, f"{ws.title}: its header row is not repeated on every printed page"
    assert "Licence: CC0" in (wb.properties.description or "")


def test_a_long_matrix_breaks_between_rows_instead_of_shrinking(registry: Registry, instrument: Instrument) -> None:
    import attrs

    from matrixkit.model import Domain

    domains = tuple(
        Domain(key=f"d{i}", title=f"Domain {i}", descriptors=tuple("word " * 60 for _ in instrument.levels))
        for i in range(30)
    )
    long = attrs.evolve(instrument, domains=domains, groups=())
    wb = book(render(registry.exporter("xlsx"), "sheet", long))
    matrix = wb["Matrix"]
    assert int(matrix.page_setup.scale or 100) >= 80
    assert matrix.print_title_rows  # the level headings on every page
    heights = [matrix.row_dimensions[r].height for r in range(5, 35)]
    assert all(h is not None and h > 60 for h in heights)  # rows grown to hold their wrapped text
