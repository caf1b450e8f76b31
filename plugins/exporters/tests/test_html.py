"""HTML read back with html.parser: structure, accessibility, escaping, level colours from the instrument."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import attrs
import pytest
from matrixkit_exporters.colour import contrast_ratio
from workshop_data import FORMULA, HOSTILE, hostile_instrument, hostile_record, hostile_report

from matrixkit.errors import ValidationError
from matrixkit.exporting import render_as as render
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import CollationReport, RecordSheet, WorkshopReport


class Page(HTMLParser):
    """Collects what the tests look at: elements, attributes, text, and the text of table cells."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.style = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs_)))
        if tag not in ("meta", "br", "input", "col", "link", "img"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style":
            self.style += data
        else:
            self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]

    @property
    def body_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def page(data: bytes) -> Page:
    text = data.decode("utf-8")
    assert text.startswith("<!doctype html>")
    return Page(text)


def subjects(
    instrument: Instrument, record: RecordSheet, collation: CollationReport, report: WorkshopReport
) -> dict[str, object]:
    return {"sheet": instrument, "record": record, "collation": collation, "report": report}


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report"])
def test_structure_is_accessible_and_self_contained(
    kind: str,
    registry: Registry,
    instrument: Instrument,
    record: RecordSheet,
    collation: CollationReport,
    report: WorkshopReport,
) -> None:
    data = render(registry.exporter("html"), kind, subjects(instrument, record, collation, report)[kind])
    doc = page(data)
    assert doc.all("html")[0]["lang"] == "en-GB"
    assert doc.all("title") and doc.all("h1")
    assert len(doc.all("h1")) == 1
    assert doc.all("script") == []  # no JavaScript
    # Nothing that looks usable but cannot be saved: a blank sheet is printed and ringed.
    assert [t for t, _ in doc.tags if t in ("input", "button", "select", "textarea", "form")] == []
    assert doc.all("link") == [] and doc.all("img") == []  # nothing fetched from elsewhere
    assert not re.search(rb"""(src|href)=["']?(https?:)?//""", data)
    tables = doc.all("table")
    assert tables and len(doc.all("caption")) == len(tables)  # every table has a caption
    headers = doc.all("th")
    assert headers and all(h.get("scope") in ("col", "row", "colgroup") for h in headers)
    assert "@page { size: A4 landscape" in doc.style


def test_collation_and_report_carry_their_charts_inline_with_text_alternatives(
    registry: Registry, collation: CollationReport, report: WorkshopReport, record: RecordSheet
) -> None:
    for subject, kind, count in [(collation, "collation", 2), (report, "report", 2), (record, "record", 1)]:
        doc = page(render(registry.exporter("html"), kind, subject))
        svgs = doc.all("svg")
        assert len(svgs) == count, kind
        for svg in svgs:
            assert svg["role"] == "img"
            assert svg["aria-label"]
        ids = [a["id"] for _, a in doc.tags if a.get("id")]
        assert len(ids) == len(set(ids)), "duplicate ids between charts"


def test_report_shows_decisions_actions_flags_and_the_sector_view(registry: Registry, report: WorkshopReport) -> None:
    doc = page(render(registry.exporter("html"), "report", report))
    text = doc.body_text
    for expected in [
        "Partnership workshop, spring round",
        "Agreed levels and priorities",
        "A joint health-inequalities vision owned by the board, with named champions.",
        "Board development session to agree a joint vision",
        "Director of Public Health",
        "Repeat the workshop in six months",
        "By sector",
        "civic (6 people)",
        "83%",  # leadership: most of the disagreement lies between sectors
        "discuss",
        "Each table on its own",
        "Table 2 (6 people)",
        "We never hear from the board.",
        "14 March 2025",  # the workshop's date, and the actions' dates, as UK long dates
        "30 June 2025",
        "Agreement shows how closely people's answers cluster",  # agreement and each flag explained beside the table
        "Agreement is below the threshold, or answers are polarised: talk it through.",
    ]:
        assert expected in text, expected
    for unwanted in ["2025-03-14", "2025-06-30", "table-2.csv", "Licence", "(partnership 1.2)"]:
        assert unwanted not in text, unwanted
    # The workshop's title is the page's title and first heading, and is not repeated further down.
    assert text.count("Partnership workshop, spring round") == 2


def test_cells_of_one_level_keep_their_borders(registry: Registry, report: WorkshopReport) -> None:
    """Neighbouring cells of one level must not merge into one block of colour: the level classes set the fill and
    the text colour only, never the border, which stays the grey of every cell."""
    doc = page(render(registry.exporter("html"), "report", report))
    rules = re.findall(r"\.lv-\d+ \{([^}]*)\}", doc.style)
    assert rules and all("border" not in rule for rule in rules)
    assert re.search(r"th, td \{ border: 1px solid var\(--rule\)", doc.style)


def test_the_blank_sheet_is_a_handout_credited_in_one_line(registry: Registry, instrument: Instrument) -> None:
    data = render(registry.exporter("html"), "sheet", instrument)
    doc = page(data)
    text = doc.body_text
    assert "Licence" not in text and "CC0" not in text  # the licence is in the page's description, not on it
    assert "(partnership 1.2)" not in text  # no internal ids on a handout
    assert text.endswith("Written for the matrixkit tests.")  # the one footer line
    described = [a["content"] for a in doc.all("meta") if a.get("name") == "description"]
    assert described and "Licence: CC0" in (described[0] or "") and "partnership 1.2" in (described[0] or "")
    for label in ["Name", "Organisation", "Sector", "Table", "Date"]:
        assert label in text


def test_level_colours_come_from_the_instrument_with_readable_text(registry: Registry, instrument: Instrument) -> None:
    palette = ["#123456", "#fedcba", "#00aa00", "#ff00ff"]
    recoloured = attrs.evolve(
        instrument, levels=[attrs.evolve(lv, colour=c) for lv, c in zip(instrument.levels, palette, strict=True)]
    )
    doc = page(render(registry.exporter("html"), "sheet", recoloured))
    found = re.findall(r"\.lv-(\d+) \{ background-color: (#[0-9a-f]{6}); color: (#[0-9a-f]{6});", doc.style)
    assert [bg for _, bg, _ in found] == palette
    for _, background, ink in found:
        assert contrast_ratio(background, ink) >= 4.5
    level_headers = [a for t, a in doc.tags if t == "th" and (a.get("class") or "").startswith("lv-")]
    assert len(level_headers) == len(palette)


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report"])
def test_hostile_text_appears_only_escaped(kind: str, registry: Registry) -> None:
    instrument = hostile_instrument()
    workshop = hostile_report(instrument)
    subject = {
        "sheet": instrument,
        "record": hostile_record(instrument),
        "collation": workshop.collation,
        "report": workshop,
    }[kind]
    data = render(registry.exporter("html"), kind, subject)
    text = data.decode("utf-8")
    assert HOSTILE not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    doc = page(data)
    assert doc.all("script") == []
    assert HOSTILE in doc.body_text  # shown to the reader as text
    if kind in ("record", "report"):
        assert FORMULA in doc.body_text


def test_control_characters_never_reach_the_document(registry: Registry, instrument: Instrument) -> None:
    # The model refuses them in an instrument; responses' comments and attributes likewise.
    with pytest.raises(ValidationError, match="control character"):
        attrs.evolve(instrument, title="Bell\x07 and null\x00 and form feed\x0c")
