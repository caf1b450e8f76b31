"""Charts: SVG read back as XML, PNG read back with Pillow; the level colours; deterministic output."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from matrixkit_exporters import charts
from PIL import Image
from workshop_data import HOSTILE, hostile_instrument, hostile_report

from matrixkit.exporting import render_as as render
from matrixkit.registry import Registry
from matrixkit.report import CollationReport, RecordSheet, WorkshopReport

SVG = "{http://www.w3.org/2000/svg}"


def test_svg_is_well_formed_accessible_and_in_the_level_colours(registry: Registry, collation: CollationReport) -> None:
    data = render(registry.exporter("svg"), "collation", collation)
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label", "").startswith("Stacked bar chart")
    assert root.find(f"{SVG}title") is not None
    text = data.decode("utf-8")
    for level in collation.instrument.levels:
        assert f"fill: {level.colour}" in text
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Leadership" in texts  # text stays text: searchable and read aloud
    assert "Emerging" in texts


def test_png_is_a_picture(registry: Registry, report: WorkshopReport, record: RecordSheet) -> None:
    for kind, subject in [("report", report), ("record", record)]:
        image = Image.open(io.BytesIO(render(registry.exporter("png"), kind, subject)))
        assert image.format == "PNG"
        assert image.width >= 900 and image.height >= 500


def test_charts_are_deterministic(registry: Registry, collation: CollationReport) -> None:
    for name in ("svg", "png"):
        exporter = registry.exporter(name)
        assert render(exporter, "collation", collation) == render(exporter, "collation", collation)


def test_hostile_labels_are_escaped_and_not_mathtext(registry: Registry) -> None:
    instrument = hostile_instrument()
    report = hostile_report(instrument)
    data = render(registry.exporter("svg"), "report", report)
    root = ET.fromstring(data)  # well-formed: nothing broke out of its text node
    assert [e for e in root.iter() if e.tag.endswith("script")] == []
    assert HOSTILE not in data.decode("utf-8")
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert any("<script>" in t for t in texts)


def test_dollar_signs_are_drawn_literally() -> None:
    levels = [charts.ChartLevel("$low$", "#ffffff"), charts.ChartLevel("high", "#000000")]
    fig = charts.distribution_chart(["costs $x^2$", "b"], levels, [[1, 2], [0, 3]], [0, 1])
    root = ET.fromstring(charts.figure_bytes(fig, "svg"))
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "costs $x^2$" in texts and "$low$" in texts


def test_level_series_follow_the_report(report: WorkshopReport, collation: CollationReport) -> None:
    series = charts.report_series(report)
    assert [s.name for s in series] == ["Agreed", "Suggested (median)", "Target"]
    assert series[0].values[3] == 0  # business planning agreed at the lowest level
    assert series[0].values[5] is None  # evaluation: nothing agreed, no marker there
    by_group = charts.collation_series(collation)
    assert [s.name for s in by_group] == ["Suggested (median)", "civic", "community", "service"]
    assert by_group[3].values[0] == 3  # service placed leadership at the top


@pytest.mark.parametrize("n", [1, 2, 3, 12])
def test_any_number_of_domains_draws(n: int) -> None:
    levels = [charts.ChartLevel(f"L{i}", "#cccccc") for i in range(6)]
    domains = [f"Domain {i}" for i in range(n)]
    fig = charts.summary_chart(domains, levels, [[1] * 6] * n, [0] * n, [charts.Series("s", [2] * n)])
    assert charts.figure_bytes(fig, "png").startswith(b"\x89PNG")


def test_agreed_and_suggested_levels_are_told_apart_and_never_hide_each_other(report: WorkshopReport) -> None:
    """Where the agreed and the suggested level are the same, both markers stay visible: each series has its own
    marker shape, fill and colour, and its own line within the domain's row."""
    from matplotlib.collections import PathCollection

    _, by_level = charts.collation_charts(report.collation, charts.report_series(report))
    ax = by_level.axes[0]
    markers = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [m.get_label() for m in markers] == ["Agreed", "Suggested (median)", "Target"]
    agreed, suggested = (m.get_offsets() for m in markers[:2])
    # Leadership (row 0): both at Developing (x = 1), on different lines of the row.
    assert agreed[0][0] == suggested[0][0] == 1
    assert abs(agreed[0][1] - suggested[0][1]) >= 0.2
    assert markers[0].get_facecolor()[0].tolist() != markers[1].get_facecolor()[0].tolist()  # filled vs open
    assert markers[0].get_paths()[0] != markers[1].get_paths()[0]  # disc vs diamond


def test_charts_are_drawn_large_enough_to_read() -> None:
    levels = [charts.ChartLevel(f"L{i}", "#cccccc") for i in range(4)]
    domains = [f"Domain {i}" for i in range(10)]
    for fig in (
        charts.levels_chart(domains, levels, [charts.Series("a", [1] * 10), charts.Series("b", [2] * 10)]),
        charts.distribution_chart(domains, levels, [[1, 2, 3, 4]] * 10, [0] * 10),
    ):
        width, height = fig.get_size_inches()
        assert width >= 10 and height >= 0.45 * len(domains)  # about half an inch per domain at print size


def test_then_and_now_draws_an_arrow_only_where_the_level_changed() -> None:
    from matplotlib.text import Annotation

    levels = [charts.ChartLevel(f"L{i}", "#cccccc") for i in range(4)]
    series = [charts.Series("then", [1, 1, 0, None]), charts.Series("now", [2, 1, 1, 3])]
    fig = charts.levels_chart(["a", "b", "c", "d"], levels, series, arrows=True)
    found = [t for t in fig.axes[0].texts if isinstance(t, Annotation)]
    assert sorted((a.xyann[0], a.xy[0]) for a in found) == [(0, 1), (1, 2)]  # a and c moved; b same; d had no level
