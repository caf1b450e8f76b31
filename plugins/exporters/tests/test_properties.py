"""Hypothesis: every exporter renders any generated subject of any generated instrument, and what it writes
reads back with an independent reader (csv, html.parser, XML, openpyxl, pypdf, python-docx, Pillow).

Instruments, collations, records and workshop reports come from ``matrixkit.testing.strategies``: any number of
levels and domains, any scores, hostile and non-ASCII text, empty and split collations. (matrixkit's contract
kit, in test_contract.py, checks rendering and escaping too; these tests add the readers.)
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser

import docx
import openpyxl
import pypdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matrixkit_exporters import plugin
from matrixkit_exporters.colour import contrast_ratio, text_colour
from matrixkit_exporters.documents import change_text
from matrixkit_exporters.safety import FORMULA_TRIGGERS
from PIL import Image

from matrixkit.exporting import KINDS
from matrixkit.exporting import render_as as render
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import Comparison, WorkshopReport
from matrixkit.testing.contract import exporter_subjects
from matrixkit.testing.strategies import (
    collation_reports,
    colours,
    instruments,
    record_sheets,
    workshop_reports,
)

REGISTRY = Registry.for_plugins(plugin)
SETTINGS = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


class _Strict(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"


def read_back(name: str, data: bytes) -> None:
    """Open the output with a reader that has nothing to do with the writer."""
    assert data
    if name == "csv":
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows and all(len(row) == len(rows[0]) for row in rows)
        for row in rows:
            for cell in row:
                if cell[:1] in FORMULA_TRIGGERS:
                    float(cell)  # only numbers may start like a formula
    elif name == "md":
        data.decode("utf-8")
    elif name == "html":
        parser = _Strict()
        parser.feed(data.decode("utf-8"))
        parser.close()
        assert parser.scripts == 0
    elif name == "svg":
        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
        assert not [e for e in root.iter() if e.tag.endswith("script")]
    elif name == "png":
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG"
    elif name == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(data))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f"
    elif name == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert len(reader.pages) >= 1
        assert reader.pages[0].extract_text() is not None
    elif name == "docx":
        document = docx.Document(io.BytesIO(data))
        assert document.paragraphs[0].style is not None
        assert document.paragraphs[0].style.name == "Heading 1"
        assert document.tables
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            body = archive.read("word/document.xml")
        assert b"<w:hyperlink" not in body and b"<w:instrText" not in body and b"<w:fldSimple" not in body
    else:  # pragma: no cover - a new format needs a reader here
        raise AssertionError(f"no reader for {name}")


def exporters(kind: str) -> list[str]:
    return [
        name
        for name, named in sorted(REGISTRY.exporters.items())
        if named.plugin.name == "matrixkit_exporters.plugin" and kind in named.obj.kinds
    ]


def check(kind: str, subject: object) -> None:
    for name in exporters(kind):
        read_back(name, render(REGISTRY.exporter(name), kind, subject))


def test_the_plugin_renders_every_kind() -> None:
    assert {kind for kind in KINDS if exporters(kind)} == set(KINDS)


@SETTINGS
@given(instruments(max_domains=8))
def test_any_blank_sheet(instrument: Instrument) -> None:
    check("sheet", instrument)


@SETTINGS
@given(st.data())
def test_any_record_sheet(data: st.DataObject) -> None:
    instrument = data.draw(instruments(max_domains=8))
    check("record", data.draw(record_sheets(instrument)))


@SETTINGS
@given(st.data())
def test_any_collation(data: st.DataObject) -> None:
    instrument = data.draw(instruments(max_domains=8))
    check("collation", data.draw(collation_reports(instrument)))


@SETTINGS
@given(st.data())
def test_any_workshop_report(data: st.DataObject) -> None:
    instrument = data.draw(instruments(max_domains=8))
    check("report", data.draw(workshop_reports(instrument)))


@SETTINGS
@given(exporter_subjects("collation-sheet", max_domains=8))
def test_any_blank_collation_sheet(instrument: Instrument) -> None:
    check("collation-sheet", instrument)


@SETTINGS
@given(exporter_subjects("summary"))
def test_any_summary(report: WorkshopReport) -> None:
    check("summary", report)


@SETTINGS
@given(exporter_subjects("comparison"))
def test_any_comparison(comparison: Comparison) -> None:
    check("comparison", comparison)


@SETTINGS
@given(exporter_subjects("comparison"))
def test_the_change_shown_is_now_less_then_of_the_levels_shown(comparison: Comparison) -> None:
    """What every format says a domain moved is the position of the level it shows now less that of the level it
    shows then — agreed where recorded, otherwise suggested, on both sides — never a mix."""
    rows = list(
        csv.DictReader(io.StringIO(render(REGISTRY.exporter("csv"), "comparison", comparison).decode("utf-8-sig")))
    )
    markdown = render(REGISTRY.exporter("md"), "comparison", comparison).decode("utf-8")
    assert len(rows) == len(comparison.domains)
    for row, d in zip(rows, comparison.domains, strict=True):
        before_keys = comparison.before_instrument.level_keys
        after_keys = comparison.instrument.level_keys
        for side, shown, kind in (
            ("before", d.shown_before, d.shown_before_kind),
            ("after", d.shown_after, d.shown_after_kind),
        ):
            assert row[f"{side}_level"] == (shown.key if shown else "")
            assert row[f"{side}_level_kind"] == (kind or "")
        if row["before_level"] and row["after_level"]:
            expected = after_keys.index(row["after_level"]) - before_keys.index(row["before_level"])
            assert int(row["level_change"]) == expected
            # A change is in bold; no change is not.
            shown = change_text(expected) if expected == 0 else f"**{change_text(expected)}**"
            assert f"| {shown} |" in markdown
        else:
            assert row["level_change"] == ""


@given(colours)
def test_the_text_colour_on_any_fill_meets_wcag_aa(fill: str) -> None:
    assert contrast_ratio(fill, text_colour(fill)) >= 4.5
