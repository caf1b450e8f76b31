"""Word documents read back with python-docx and as XML: headings, tables, level colours, landscape sections for
matrices, alternative text, page numbers, properties, and nothing a person typed turned into a field or a link."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from workshop_data import FORMULA, HOSTILE, hostile_instrument, hostile_record, hostile_report

from matrixkit.exporting import render_as as render
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import CollationReport, RecordSheet, WorkshopReport

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes) -> docx.document.Document:
    assert data.startswith(b"PK")
    return docx.Document(io.BytesIO(data))


def part_xml(data: bytes, name: str = "word/document.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


def headings(document: docx.document.Document) -> list[tuple[int, str]]:
    return [
        (int(p.style.name.split()[-1]), p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading ")
    ]


def fills(table: docx.table.Table) -> list[str]:
    return [shading.get(qn("w:fill")) for shading in table._tbl.iter(qn("w:shd"))]


def text_of(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


def test_report_uses_word_headings_tables_in_level_colours_and_charts_with_alt_text(
    registry: Registry, report: WorkshopReport
) -> None:
    data = render(registry.exporter("docx"), "report", report)
    document = read(data)
    found = headings(document)
    assert found[0] == (1, "Partnership workshop, spring round")
    assert [text for level, text in found if level == 1] == ["Partnership workshop, spring round"]
    for expected in ["Agreed levels and priorities", "Agreed and suggested levels", "Priorities for action"]:
        assert (2, expected) in found
    assert (3, "Workshop Collation Sheet") in found
    assert len(document.tables) >= 8
    colours = {level.colour.lstrip("#").upper() for level in report.instrument.levels}
    assert colours - {"FFFFFF"} <= {fill for table in document.tables for fill in fills(table)}
    text = text_of(document)
    for expected in [
        "14 March 2025",
        "30 June 2025",
        "Table 2 (6 people)",
        "Agreement shows how closely people's answers cluster",
    ]:
        assert expected in text, expected
    assert "2025-03-14" not in text and "table-2.csv" not in text
    pictures = document.inline_shapes
    assert len(pictures) == 2
    for picture in pictures:
        described = picture._inline.docPr.get("descr")
        assert described and described.startswith(("Dot chart", "Stacked bar chart"))
    # Every table has a title for screen readers, a header row repeated on each page, rows kept whole.
    for table in document.tables:
        properties = table._tbl.tblPr
        assert properties.find(qn("w:tblCaption")) is not None
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_text_parts_are_portrait_and_matrices_landscape(
    registry: Registry, report: WorkshopReport, instrument: Instrument
) -> None:
    document = read(render(registry.exporter("docx"), "report", report))
    orientations = [s.orientation for s in document.sections]
    assert orientations[0] == WD_ORIENT.PORTRAIT
    assert WD_ORIENT.LANDSCAPE in orientations  # the collation sheet, ten domains across
    for section in document.sections:
        wide = section.orientation == WD_ORIENT.LANDSCAPE
        assert (section.page_width > section.page_height) == wide
    sheet = read(render(registry.exporter("docx"), "sheet", instrument))
    assert sheet.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert round(sheet.sections[0].page_width.mm) == 297 and round(sheet.sections[0].page_height.mm) == 210


def test_blank_sheet_is_an_editable_matrix_with_boxes_and_no_licence(
    registry: Registry, instrument: Instrument
) -> None:
    data = render(registry.exporter("docx"), "sheet", instrument)
    document = read(data)
    fields, matrix = document.tables[0], document.tables[1]
    assert [c.text for c in fields.rows[0].cells] == ["Name", "Organisation", "Sector", "Table", "Date"]
    header = [c.text for c in matrix.rows[0].cells]
    assert header == ["Domain", "Emerging (1)", "Developing (2)", "Maturing (3)", "Thriving (4)", "Notes"]
    texts = [row.cells[0].text for row in matrix.rows[1:]]
    assert "Planning together" in texts  # a group's heading row, across the table
    assert instrument.domains[0].descriptors[0] in [c.text for c in matrix.rows[2].cells]
    text = text_of(document)
    assert "Licence" not in text and "(partnership 1.2)" not in text
    properties = document.core_properties
    assert properties.title == "Record sheet: Partnership maturity matrix"
    assert "Licence: CC0" in properties.subject or "Licence: CC0" in properties.comments
    assert "partnership" in properties.keywords
    assert headings(document)[0] == (1, "Partnership maturity matrix")
    assert (2, "Guidance") in headings(document)  # the instrument carries guidance: it gets its own section


def test_every_page_numbers_itself_and_credits_the_source(registry: Registry, report: WorkshopReport) -> None:
    data = render(registry.exporter("docx"), "report", report)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [name for name in archive.namelist() if name.startswith("word/footer")]
    assert len(names) == 1  # one footer, shared by every section
    footer = part_xml(data, names[0])
    assert "Written for the matrixkit tests." in footer
    assert re.findall(r"<w:instrText[^>]*>\s*(\w+)\s*</w:instrText>", footer) == ["PAGE", "NUMPAGES"]


def test_record_marks_the_chosen_statements(registry: Registry, record: RecordSheet) -> None:
    document = read(render(registry.exporter("docx"), "record", record))
    text = text_of(document)
    assert "✓ System leaders own health inequalities" in text
    assert headings(document)[0] == (1, "Record sheet: p13")


def test_collation_is_the_toolkit_collation_sheet(registry: Registry, collation: CollationReport) -> None:
    document = read(render(registry.exporter("docx"), "collation", collation))
    sheet = next(t for t in document.tables if t.rows[0].cells[0].text == "Level")
    first_column = [row.cells[0].text for row in sheet.rows]
    assert first_column[1:5] == ["Emerging (1)", "Developing (2)", "Maturing (3)", "Thriving (4)"]
    assert "Consensus (1–4), suggested (median)" in first_column
    assert first_column[-1] == "Proposed Priorities for Action"
    assert [c.text for c in sheet.rows[0].cells][1:] == [d.label for d in collation.instrument.domains]


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report"])
def test_hostile_text_stays_text_never_a_field_or_a_link(kind: str, registry: Registry) -> None:
    instrument = hostile_instrument()
    workshop = hostile_report(instrument)
    subject = {
        "sheet": instrument,
        "record": hostile_record(instrument),
        "collation": workshop.collation,
        "report": workshop,
    }[kind]
    data = render(registry.exporter("docx"), kind, subject)
    document = read(data)
    text = text_of(document)
    assert HOSTILE in text
    if kind in ("record", "report"):
        assert FORMULA in text  # shown as written, not run
    body = part_xml(data)
    assert "<w:hyperlink" not in body and "<w:fldSimple" not in body and "<w:instrText" not in body
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        relations = archive.read("word/_rels/document.xml.rels").decode("utf-8")
    assert 'TargetMode="External"' not in relations


def test_the_same_input_gives_the_same_document(registry: Registry, report: WorkshopReport) -> None:
    exporter = registry.exporter("docx")
    assert render(exporter, "report", report) == render(exporter, "report", report)


def test_long_titles_and_sources_fit_word_s_property_limits(registry: Registry, instrument: Instrument) -> None:
    import attrs

    long = "A very long source title, " * 30
    wordy = attrs.evolve(
        instrument,
        title="T" * 300,
        source=attrs.evolve(instrument.source, attribution=long, licence=long, title=long, publisher=long),
    )
    document = read(render(registry.exporter("docx"), "sheet", wordy))
    properties = document.core_properties
    for value in (properties.title, properties.subject, properties.author, properties.comments):
        assert 0 < len(value) <= 255
    assert headings(document)[0] == (1, "T" * 300)  # the page keeps the whole title
