"""The kinds added for issue 14 — the blank Workshop Collation Sheet, the one-page board summary and progress between
rounds — in every format that renders them, read back with independent readers (pypdf, python-docx, openpyxl,
csv); and the commands that write them, the format taken from the output's extension."""

from __future__ import annotations

import csv
import io
from typing import Any

import docx
import openpyxl
import pypdf
import pytest
from workshop_data import FORMULA, HOSTILE, hostile_instrument, hostile_report

from matrixkit.exporting import render_as
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import Comparison, WorkshopReport

REGISTRY: Any = None


@pytest.fixture(autouse=True)
def _registry(registry: Registry) -> None:
    global REGISTRY
    REGISTRY = registry


def render(fmt: str, kind: str, subject: object) -> bytes:
    return render_as(REGISTRY.exporter(fmt), kind, subject)


def text_of_pdf(data: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def test_blank_collation_sheet_pdf_is_one_page_in_the_toolkit_shape(instrument: Instrument) -> None:
    reader, text = text_of_pdf(render("pdf", "collation-sheet", instrument))
    assert len(reader.pages) == 1
    for expected in ["Workshop Collation Sheet", "Table", "Facilitator", "Number of sheets", "Consensus (1–4)"]:
        assert expected in text
    assert "Proposed Priorities for Action" in text
    order = [text.index(f"{lv.label} ({lv.score})") for lv in instrument.levels]
    assert order == sorted(order)  # levels as rows, lowest first
    for domain in instrument.domains:
        assert domain.label.split()[0] in text
    assert "Licence" not in text


def test_blank_collation_sheet_docx_is_a_table_to_fill_in(instrument: Instrument) -> None:
    document = docx.Document(io.BytesIO(render("docx", "collation-sheet", instrument)))
    sheet = next(t for t in document.tables if t.rows[0].cells[0].text == "Level")
    assert [c.text for c in sheet.rows[0].cells][1:] == [d.label for d in instrument.domains]
    first = [row.cells[0].text for row in sheet.rows]
    assert first[1:] == [f"{lv.label} ({lv.score})" for lv in instrument.levels] + [
        "Consensus (1–4)",
        "Proposed Priorities for Action",
    ]
    assert all(cell.text == "" for row in sheet.rows[1:] for cell in row.cells[1:])  # blank boxes
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape


def test_blank_collation_sheet_xlsx_takes_whole_numbers_and_a_level_per_domain(instrument: Instrument) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render("xlsx", "collation-sheet", instrument)))
    ws = wb["Workshop Collation Sheet"]
    header = next(c.row for c in ws["A"] if c.value == "Level")
    assert [ws.cell(header, j).value for j in range(2, 2 + len(instrument.domains))] == [
        d.label for d in instrument.domains
    ]
    kinds = {v.type for v in ws.data_validations.dataValidation}
    assert kinds == {"whole", "list"}
    whole = next(v for v in ws.data_validations.dataValidation if v.type == "whole")
    assert whole.operator == "greaterThanOrEqual" and whole.formula1 == "0"
    assert int(ws.page_setup.scale or 100) >= 80 and ws.print_title_rows


def test_blank_collation_sheet_html(instrument: Instrument) -> None:
    text = render("html", "collation-sheet", instrument).decode("utf-8")
    assert "<h1>Workshop Collation Sheet: Partnership maturity matrix</h1>" in text
    assert 'class="write-in"' in text and "<input" not in text


@pytest.fixture(scope="module")
def example() -> WorkshopReport:
    pytest.importorskip("matrixkit_pit_tools", reason="the PIT tools plugin is not installed")
    from pathlib import Path

    from matrixkit.api import workshop_report

    root = Path(__file__).resolve().parents[3]
    return workshop_report(root / "examples" / "pit-a-workshop" / "round-1" / "workshop.toml")


@pytest.mark.parametrize("which", ["fixture", "example"])
def test_the_summary_is_one_page_of_agreed_levels_and_priorities_with_owners_and_dates(
    which: str, report: WorkshopReport, request: pytest.FixtureRequest
) -> None:
    subject = report if which == "fixture" else request.getfixturevalue("example")
    reader, text = text_of_pdf(render("pdf", "summary", subject))
    assert len(reader.pages) == 1
    assert "Agreed levels" in text and "Top priorities for action" in text
    for d in subject.priorities[:3]:
        assert d.domain.title in text
        for action in d.actions:
            assert " ".join(action.who.split()) in text
    assert subject.date is not None and f"{subject.date.day} " in text and str(subject.date.year) in text
    assert subject.date.isoformat() not in text


def test_summary_docx_and_html(report: WorkshopReport) -> None:
    document = docx.Document(io.BytesIO(render("docx", "summary", report)))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert headings == [
        "Partnership workshop, spring round",
        "Agreed levels",
        "Top priorities for action",
        "For the whole partnership",
    ]
    assert document.sections[0].page_width < document.sections[0].page_height  # a portrait board paper
    page = render("html", "summary", report).decode("utf-8")
    assert "30 June 2025" in page and "Director of Public Health" in page


@pytest.mark.parametrize("fmt", ["pdf", "html", "docx"])
def test_hostile_text_in_the_summary_stays_text(fmt: str) -> None:
    workshop = hostile_report(hostile_instrument())
    data = render(fmt, "summary", workshop)
    if fmt == "pdf":
        _, text = text_of_pdf(data)
        assert FORMULA.replace(" ", "") in text.replace(" ", "")
    elif fmt == "html":
        assert HOSTILE not in data.decode("utf-8") and "&lt;script&gt;" in data.decode("utf-8")
    else:
        document = docx.Document(io.BytesIO(data))
        texts = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        assert FORMULA in texts


# -- progress between rounds ---------------------------------------------------------------------------------


def test_comparison_pdf_shows_the_levels_shown_the_change_and_the_earlier_actions(comparison: Comparison) -> None:
    reader, text = text_of_pdf(render("pdf", "comparison", comparison))
    assert text.count("Progress between rounds") == 1
    for expected in [
        "Level per domain, then and now",
        "14 March 2025",
        "24 September 2025",
        "up 1 level",  # leadership: agreed developing, then agreed maturing
        "down 1 level",  # evaluation: suggested developing then, agreed emerging now
        "suggested",
        "Then and now",
        "Actions from the earlier round",
        "Done",
        "Vision adopted by the board in July.",
        "In progress",
        "Not started",
        "Not recorded",  # the whole partnership's action has no status
    ]:
        assert expected in text, expected
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_comparison_docx_html_xlsx_md_csv(comparison: Comparison) -> None:
    document = docx.Document(io.BytesIO(render("docx", "comparison", comparison)))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Domain")
    leadership = [c.text for c in table.rows[1].cells]
    assert leadership[:4] == ["Leadership", "Developing (2)\nagreed", "Maturing (3)\nagreed", "up 1 level"]
    (chart,) = document.inline_shapes
    assert (chart._inline.docPr.get("descr") or "").startswith("Dot chart of the level shown per domain, then and now")
    page = render("html", "comparison", comparison).decode("utf-8")
    assert "<h1>Progress between rounds</h1>" in page and "Not started" in page
    wb = openpyxl.load_workbook(io.BytesIO(render("xlsx", "comparison", comparison)))
    ws = wb["Progress"]
    header = next(c.row for c in ws["A"] if c.value == "Domain")
    assert [ws.cell(header + 1, j).value for j in range(1, 7)] == [
        "Leadership",
        "Developing (2)",
        "agreed",
        "Maturing (3)",
        "agreed",
        1,
    ]
    assert ws.cell(header + 1, 6).number_format == "+0;-0;0"
    statuses = [c.value for c in wb["Earlier actions"]["E"]]
    assert {"Done", "In progress", "Not started", "Not recorded"} <= set(statuses)
    markdown = render("md", "comparison", comparison).decode("utf-8")
    # The level shown each side, with which it is under it; an agreed level and a change in bold.
    evaluation_row = "| **Evaluation** | Developing (2)<br>suggested | **Emerging (1)**<br>agreed | **down 1 level** |"
    assert evaluation_row in markdown
    rows = list(csv.DictReader(io.StringIO(render("csv", "comparison", comparison).decode("utf-8-sig"))))
    evaluation = rows[-1]
    assert (evaluation["before_level_kind"], evaluation["after_level_kind"], evaluation["level_change"]) == (
        "suggested",
        "agreed",
        "-1",
    )


def test_a_second_round_report_carries_the_progress_since_the_first(second_round: WorkshopReport) -> None:
    _, text = text_of_pdf(render("pdf", "report", second_round))
    assert "Progress since the previous round" in text and "Actions from the earlier round" in text
    _, summary = text_of_pdf(render("pdf", "summary", second_round))
    assert "Since the previous round" in summary and "up 1 level" in summary
    assert "The previous round's actions: 1 action done; 1 action in progress; 1 action not started" in summary
    document = docx.Document(io.BytesIO(render("docx", "report", second_round)))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert "Progress since the previous round" in headings


@pytest.mark.parametrize("fmt", ["pdf", "html", "docx", "xlsx", "md", "csv"])
def test_hostile_text_in_a_comparison_stays_text(fmt: str) -> None:
    from matrixkit.report import build_comparison

    workshop = hostile_report(hostile_instrument())
    data = render(fmt, "comparison", build_comparison(workshop, workshop))
    if fmt == "pdf":
        _, text = text_of_pdf(data)
        assert FORMULA.replace(" ", "") in text.replace(" ", "")
    elif fmt == "html":
        assert HOSTILE not in data.decode("utf-8")
    elif fmt == "docx":
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            body = archive.read("word/document.xml")
        assert b"<w:hyperlink" not in body and b"<w:instrText" not in body
    elif fmt == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(data))
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert all(c.data_type != "f" for c in cells)
        assert any(c.value == FORMULA for c in cells)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert any(HOSTILE in cell for row in rows for cell in row)
        for cell in (cell for row in rows[1:] for cell in row):
            if cell[:1] in ("=", "+", "-", "@"):
                float(cell)  # only numbers (a change of -1) may start like a formula
    else:
        assert "\\<script\\>" in data.decode("utf-8")


# -- the commands ---------------------------------------------------------------------------------------------


def _cli(argv: list[str], registry: Registry) -> tuple[int, str]:
    from matrixkit.cli import Context, main

    out, err = io.StringIO(), io.StringIO()
    status = main(argv, context=Context(registry=registry, stdout=out, stderr=err))
    return status, err.getvalue()


@pytest.fixture(scope="module")
def rounds() -> tuple[Any, Any]:
    pytest.importorskip("matrixkit_pit_tools", reason="the PIT tools plugin is not installed")
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "examples" / "pit-a-workshop"
    return root / "round-1" / "workshop.toml", root / "round-2" / "workshop.toml"


def test_the_commands_write_each_new_kind_as_the_extension_says(rounds: tuple[Any, Any], tmp_path: Any) -> None:
    from matrixkit.registry import get_registry

    registry = get_registry()
    first, second = rounds
    cases = [
        (["report", str(first)], "report.pdf", b"%PDF-"),
        (["report", str(first), "--summary"], "summary.pdf", b"%PDF-"),
        (["report", str(first), "--summary"], "summary.docx", b"PK"),
        (["sheet", "pit-a", "--collation"], "collation.xlsx", b"PK"),
        (["sheet", "pit-a", "--collation"], "collation.pdf", b"%PDF-"),
        (["compare", str(first), str(second)], "progress.pdf", b"%PDF-"),
        (["compare", str(first), str(second)], "progress.md", b"# Progress between rounds"),
        (["compare", str(first), str(second)], "progress.docx", b"PK"),
    ]
    for argv, name, start in cases:
        target = tmp_path / name
        status, err = _cli([*argv, "-o", str(target)], registry)
        assert status == 0, err
        assert target.read_bytes().startswith(start), name
    _, text = text_of_pdf((tmp_path / "report.pdf").read_bytes())
    assert "Northbridge" in text and "12 March 2025" in text
