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


def headings(reader: pypdf.PdfReader) -> list[str]:
    """Every heading's text, from the document's outline (typst writes one bookmark per heading)."""
    found: list[str] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append(" ".join(str(getattr(item, "title", "")).split()))

    walk(reader.outline)
    return found


def last_lines(reader: pypdf.PdfReader) -> list[str]:
    """The last line of each page above the footer (the footer is the page's last line of text)."""
    lines = []
    for page in reader.pages:
        text = [" ".join(line.split()) for line in (page.extract_text() or "").splitlines() if line.strip()]
        assert text and text[-1].endswith(f"of {len(reader.pages)}"), "the footer numbers the pages"
        lines.append(text[-2] if len(text) > 1 else "")
    return lines


def assert_no_heading_ends_a_page(reader: pypdf.PdfReader) -> None:
    titles = set(headings(reader))
    assert titles
    for number, line in enumerate(last_lines(reader), 1):
        assert line not in titles, f"page {number} ends with the heading {line!r}"


def test_blank_sheet_is_the_matrix_on_a4_landscape_then_the_guidance_on_its_own(
    registry: Registry, instrument: Instrument
) -> None:
    reader, _ = read(render(registry.exporter("pdf"), "sheet", instrument))
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    assert len(pages) == 2  # the matrix, then the guidance (the instrument carries guidance)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_LANDSCAPE, abs=0.5)
    for expected in ["Partnership maturity matrix", "Name", "Organisation", "Sector", "Emerging (1)", "Thriving (4)"]:
        assert expected in pages[0]
    for domain in instrument.domains:
        assert domain.title.split()[0] in pages[0]
    assert pages[1].startswith("Guidance How to use the matrix")
    assert reader.metadata is not None and reader.metadata.title == "Record sheet: Partnership maturity matrix"


def test_without_guidance_the_blank_sheet_is_the_matrix_alone(registry: Registry, instrument: Instrument) -> None:
    bare = attrs.evolve(instrument, guidance=(), domains=[attrs.evolve(d, guidance="") for d in instrument.domains])
    reader, text = read(render(registry.exporter("pdf"), "sheet", bare))
    assert len(reader.pages) == 1
    assert "Guidance" not in text


def test_the_handout_credits_its_source_in_the_footer_and_keeps_licence_and_ids_in_the_properties(
    registry: Registry, instrument: Instrument
) -> None:
    reader, text = read(render(registry.exporter("pdf"), "sheet", instrument))
    assert "Licence" not in text and "CC0" not in text
    assert "partnership 1.2" not in text and "(partnership" not in text
    for page in reader.pages:
        footer = " ".join((page.extract_text() or "").split()).rsplit("Written for the matrixkit tests.", 1)
        assert len(footer) == 2 and footer[1].strip().startswith("Page ")
    meta = reader.metadata
    assert meta is not None
    assert "Licence: CC0" in str(meta.subject) and "partnership 1.2" in str(meta.subject)
    assert "Written for the matrixkit tests." in str(meta.subject)
    assert "partnership" in str(meta.get("/Keywords"))


PIT_TOOLS = ("pit-a", "pit-b", "pit-c", "pit-d")


@pytest.mark.parametrize("tool", PIT_TOOLS)
def test_each_pit_tool_hands_out_on_two_pages_breaking_between_domains(tool: str, registry: Registry) -> None:
    """What ``matrixkit sheet pit-a -o sheet.pdf`` prints: the toolkit's four matrices, each on at most two A4
    landscape pages, a group heading never last on a page, no licence line, no internal ids."""
    pytest.importorskip("matrixkit_pit_tools", reason="the PIT tools plugin is not installed")
    from matrixkit.api import get_instrument

    full = get_instrument(tool)
    bare = full.without_guidance()  # what the command hands the exporter without --guidance
    reader, text = read(render(registry.exporter("pdf"), "sheet", bare))
    assert len(reader.pages) <= 2
    assert "Licence" not in text and "publishers' terms" not in text
    assert f"{tool} {full.version}" not in text and f"({tool}" not in text
    # Compared without spaces: text extraction may join or split words where lines wrap.
    pages = ["".join((page.extract_text() or "").split()) for page in reader.pages]
    for domain in full.domains:
        squeezed = ["".join(d.split()) for d in domain.descriptors]
        (page,) = [p for p in pages if squeezed[0] in p]
        for descriptor in squeezed:
            assert descriptor in page, f"{domain.title}: a row is split across pages"
    groups = {g.title for g in full.groups}
    for number, line in enumerate(last_lines(reader), 1):
        assert line.split(" (continued)")[0] not in groups, f"page {number} ends with a group heading"
    assert_no_heading_ends_a_page(reader)


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
    assert root["/Lang"] == "en-GB"
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
    assert 3 <= len(reader.pages) <= 10
    for expected in [
        "Partnership workshop, spring round",
        "Agreed levels and priorities",
        "Board development session to agree a joint vision",
        "Repeat the workshop in six months",
        "Workshop Collation Sheet",
        "Consensus (1–4), agreed",
        "Proposed Priorities for Action",
        "Domains to discuss",
        "By sector",
        "Each table on its own",
        "Table 2 (6 people)",
        "14 March 2025",
        "30 September 2025",
        "Agreement shows how closely people's answers cluster",
        "talk it through",
    ]:
        assert expected in text, expected
    for unwanted in ["2025-03-14", "table-2.csv", "Licence"]:
        assert unwanted not in text, unwanted
    assert text.count("Partnership workshop, spring round") == 1  # the title is not repeated mid-document
    assert_no_heading_ends_a_page(reader)
    # The charts carry alternative text (PDF/UA): each names the levels it shows.
    assert b"Dot chart of the level per domain" in render(registry.exporter("pdf"), "report", report)


def test_collation_and_record(registry: Registry, collation: CollationReport, record: RecordSheet) -> None:
    reader, text = read(render(registry.exporter("pdf"), "collation", collation))
    assert "Partnership workshop, all tables" in text and "Charts" in text
    assert "Workshop Collation Sheet" in text and "Consensus (1–4), suggested (median)" in text
    assert_no_heading_ends_a_page(reader)
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
