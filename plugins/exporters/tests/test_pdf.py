"""PDF read back with pypdf: A4 landscape, pages, text, tags (PDF/UA-1), escaping."""

from __future__ import annotations

import io

import attrs
import pypdf
import pytest
from workshop_data import FORMULA, HOSTILE, hostile_instrument, hostile_record, hostile_report

from matrixkit.exporting import render_as as render
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import CollationReport, RecordSheet, WorkshopReport

A4_LANDSCAPE = (841.89, 595.28)  # points


def read(data: bytes) -> tuple[pypdf.PdfReader, str]:
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return reader, " ".join(text.split())


def test_blank_sheet_is_one_a4_landscape_page_of_matrix_then_guidance(
    registry: Registry, instrument: Instrument
) -> None:
    reader, text = read(render(registry.exporter("pdf"), "sheet", instrument))
    assert len(reader.pages) == 2  # the matrix, then the guidance
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_LANDSCAPE, abs=0.5)
    first = " ".join((reader.pages[0].extract_text() or "").split())
    for expected in ["Partnership maturity matrix", "Name", "Organisation", "Sector", "Emerging (1)", "Thriving (4)"]:
        assert expected in first
    for domain in instrument.domains:
        assert domain.title.split()[0] in first
    assert "How to use the matrix" in text
    assert reader.metadata is not None and reader.metadata.title == "Record sheet: Partnership maturity matrix"


def test_a_matrix_longer_than_a_page_never_splits_a_row(registry: Registry, instrument: Instrument) -> None:
    # Sixteen domains with long descriptors take two or three pages; each row must stay whole on one page, or
    # a descriptor would be ringed in two halves. Words are numbered so that every descriptor is unique.
    from matrixkit.model import Domain

    words = iter(range(100_000))

    def descriptor() -> str:
        return " ".join(f"w{next(words)}" for _ in range(28))

    domains = tuple(
        Domain(key=f"d{i}", title=f"Domain{i}", descriptors=tuple(descriptor() for _ in instrument.levels))
        for i in range(16)
    )
    long = attrs.evolve(instrument, domains=domains, groups=(), guidance=())
    reader, _ = read(render(registry.exporter("pdf"), "sheet", long))
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    assert len([p for p in pages if "Domain0" in p or "Domain15" in p]) >= 2  # the matrix did take two pages
    for domain in domains:
        (page,) = [p for p in pages if f"{domain.title} " in p]
        for text in domain.descriptors:
            assert text in page, f"{domain.title}: a descriptor is split across pages"


def test_pdf_is_tagged_with_a_language(registry: Registry, instrument: Instrument) -> None:
    reader, _ = read(render(registry.exporter("pdf"), "sheet", instrument))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()  # claims PDF/UA-1


def test_names_in_other_scripts_keep_pdf_ua(registry: Registry, instrument: Instrument) -> None:
    unusual = attrs.evolve(instrument, title="Zoë, Ærø, Ελλάδα, Москва, عربي, עברית")
    reader, text = read(render(registry.exporter("pdf"), "sheet", unusual))
    assert b"pdfuaid" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert "Ελλάδα" in text and "Москва" in text


def test_without_a_font_for_some_character_the_pdf_is_tagged_without_the_ua_claim(
    registry: Registry, instrument: Instrument
) -> None:
    unusual = attrs.evolve(instrument, title="Unassigned \u0378 code point")
    reader, text = read(render(registry.exporter("pdf"), "sheet", unusual))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert "code point" in text
    assert b"pdfuaid" not in root["/Metadata"].get_object().get_data()  # no claim it cannot keep


def test_report_text_and_pages(registry: Registry, report: WorkshopReport) -> None:
    reader, text = read(render(registry.exporter("pdf"), "report", report))
    assert 3 <= len(reader.pages) <= 8
    for expected in [
        "Partnership workshop, spring round",
        "Agreed levels and priorities",
        "Board development session to agree a joint vision",
        "Repeat the workshop in six months",
        "Collation sheet",
        "Domains to discuss",
        "By sector",
        "Each input on its own",
    ]:
        assert expected in text, expected


def test_collation_and_record(registry: Registry, collation: CollationReport, record: RecordSheet) -> None:
    _, text = read(render(registry.exporter("pdf"), "collation", collation))
    assert "Partnership workshop, all tables" in text and "Charts" in text
    _, text = read(render(registry.exporter("pdf"), "record", record))
    assert "Record sheet: p13" in text
    assert "✓ System leaders own health inequalities" in text


def test_the_same_input_gives_the_same_pdf(registry: Registry, collation: CollationReport) -> None:
    exporter = registry.exporter("pdf")
    assert render(exporter, "collation", collation) == render(exporter, "collation", collation)


@pytest.mark.parametrize("kind", ["sheet", "record", "report"])
def test_hostile_text_is_printed_as_text(kind: str, registry: Registry) -> None:
    instrument = hostile_instrument()
    subject = {"sheet": instrument, "record": hostile_record(instrument), "report": hostile_report(instrument)}[kind]
    _, text = read(render(registry.exporter("pdf"), kind, subject))
    assert "<script>alert(1)</script>" in text.replace(" ", "") or HOSTILE in text
    if kind != "sheet":
        assert FORMULA.replace(" ", "") in text.replace(" ", "")
