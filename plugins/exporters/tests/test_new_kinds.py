"""The blank Workshop Collation Sheet and the one-page board summary, in every format that renders them, read back
with independent readers (pypdf, python-docx, openpyxl, html.parser)."""

from __future__ import annotations

import io
from typing import Any

import docx
import openpyxl
import pypdf
import pytest
from matrixkit_exporters import html, pdf, word, xlsx
from workshop_data import FORMULA, HOSTILE, hostile_instrument, hostile_report

from matrixkit.model import Instrument
from matrixkit.report import WorkshopReport

MODULES: dict[str, Any] = {"pdf": pdf, "html": html, "docx": word, "xlsx": xlsx}


def text_of_pdf(data: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def test_blank_collation_sheet_pdf_is_one_page_in_the_toolkit_shape(instrument: Instrument) -> None:
    reader, text = text_of_pdf(pdf.render_collation_sheet(instrument))
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
    document = docx.Document(io.BytesIO(word.render_collation_sheet(instrument)))
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
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.render_collation_sheet(instrument)))
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
    text = html.render_collation_sheet(instrument).decode("utf-8")
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
    reader, text = text_of_pdf(pdf.render_summary(subject))
    assert len(reader.pages) == 1
    assert "Agreed levels" in text and "Top priorities for action" in text
    for d in subject.priorities[:3]:
        assert d.domain.title in text
        for action in d.actions:
            assert " ".join(action.who.split()) in text
    assert subject.date is not None and f"{subject.date.day} " in text and str(subject.date.year) in text
    assert subject.date.isoformat() not in text


def test_summary_docx_and_html(report: WorkshopReport) -> None:
    document = docx.Document(io.BytesIO(word.render_summary(report)))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert headings == [
        "Partnership workshop, spring round",
        "Agreed levels",
        "Top priorities for action",
        "For the whole partnership",
    ]
    assert document.sections[0].page_width < document.sections[0].page_height  # a portrait board paper
    page = html.render_summary(report).decode("utf-8")
    assert "30 June 2025" in page and "Director of Public Health" in page


@pytest.mark.parametrize("fmt", ["pdf", "html", "docx"])
def test_hostile_text_in_the_summary_stays_text(fmt: str) -> None:
    workshop = hostile_report(hostile_instrument())
    data = MODULES[fmt].render_summary(workshop)
    if fmt == "pdf":
        _, text = text_of_pdf(data)
        assert FORMULA.replace(" ", "") in text.replace(" ", "")
    elif fmt == "html":
        assert HOSTILE not in data.decode("utf-8") and "&lt;script&gt;" in data.decode("utf-8")
    else:
        document = docx.Document(io.BytesIO(data))
        texts = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        assert FORMULA in texts
