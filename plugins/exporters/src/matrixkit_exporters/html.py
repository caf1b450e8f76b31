"""HTML: one self-contained, printable, accessible file per sheet, record, collation or report.

What a document says comes from :mod:`matrixkit_exporters.documents` (shared with the PDF and Word exporters);
this module renders its blocks with Jinja2 templates (``templates/document.html.j2``, ``blocks.html.j2``) with
autoescaping on for everything: every piece of text from an instrument, a response or a workshop record is
escaped; only the charts, which matplotlib writes as SVG with its own escaping, are inserted as markup.

No JavaScript, no form controls, no external resources: the styles are inline and the charts are inline SVG, each
with a text alternative. A blank sheet is a handout to print and ring (people who answer on screen use the web
tool or the XLSX sheet), so it shows nothing that looks clickable. ``@page`` sets A4 landscape for printing, with
page numbers; colours print (``print-color-adjust: exact``). Level colours come from the instrument, and each
gets the text colour (black or white) with the better contrast
(:func:`matrixkit_exporters.colour.text_colour`); every cell keeps a grey border, so neighbouring cells of one
level never merge. Tables have captions and ``<th scope>`` headers; the source is credited in one footer line and
the instrument's id, version, source and licence are in the page's ``<meta>`` description.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from matrixkit_exporters import charts
from matrixkit_exporters.colour import text_colour
from matrixkit_exporters.layout import level_heading
from matrixkit_exporters.safety import printable

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

    from matrixkit_exporters.blocks import Chart, Document, Heading

__all__ = ["render_document"]


def _finalize(value: object) -> object:
    # Runs on every {{ expression }} before autoescaping: drop characters no HTML document may contain from
    # text. Markup (macros' output, the charts) is already safe and must stay Markup, or it would be escaped.
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


@cache
def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("matrixkit_exporters", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["ink"] = text_colour
    env.globals.update(level_heading=level_heading, block_type=lambda block: type(block).__name__.lower())
    return env


class _Page:
    """Per page: inline SVG charts with their own id prefixes, and unique heading ids."""

    def __init__(self) -> None:
        self.charts = 0
        self.anchors: set[str] = set()

    def chart_svg(self, chart: Chart) -> Markup:
        from markupsafe import Markup

        self.charts += 1
        data = charts.figure_bytes(chart.figure, "svg", description=chart.alt)
        # matplotlib writes the SVG and escapes the text in it; it is the one piece of markup not escaped here.
        return Markup(charts.inline_svg(data, f"chart{self.charts}"))  # noqa: S704

    def anchor(self, heading: Heading) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", heading.text.lower()).strip("-") or "section"
        name, number = base, 2
        while name in self.anchors:
            name, number = f"{base}-{number}", number + 1
        self.anchors.add(name)
        return name


def render_document(document: Document) -> bytes:
    """The document as one self-contained HTML page."""
    page = _Page()
    html = (
        environment()
        .get_template("document.html.j2")
        .render(
            document=document,
            levels=document.instrument.levels,
            chart_svg=page.chart_svg,
            anchor=page.anchor,
        )
    )
    return html.encode("utf-8")
