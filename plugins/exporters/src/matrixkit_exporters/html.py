"""HTML: one self-contained, printable, accessible file per sheet, record, collation or report.

Built with Jinja2 templates (``templates/*.html.j2``) with autoescaping on for everything: every piece of text
from an instrument, a response or a workshop record is escaped; only the charts, which matplotlib writes as SVG
with its own escaping, are inserted as markup (and checked to be SVG). No JavaScript, no external resources:
the styles are inline and the charts are inline SVG. ``@page`` sets A4 landscape for printing; colours print
(``print-color-adjust: exact``). Level colours come from the instrument and each gets a text colour chosen for
contrast (:func:`matrixkit_exporters.colour.text_colour`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from matrixkit_exporters.colour import edge_colour, text_colour
from matrixkit_exporters.layout import SHEET_FIELDS, SHEET_INSTRUCTIONS, instrument_heading, level_heading, sections
from matrixkit_exporters.safety import printable

if TYPE_CHECKING:
    import jinja2

    from matrixkit.model import Instrument

__all__ = ["render_sheet"]


def _finalize(value: object) -> object:
    # Runs on every {{ expression }} before autoescaping: drop characters no HTML document may contain.
    return printable(value) if isinstance(value, str) else value


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
    env.filters["edge"] = edge_colour
    env.globals["level_heading"] = level_heading
    return env


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _common(instrument: Instrument) -> dict[str, Any]:
    return {
        "instrument": instrument,
        "heading": instrument_heading(instrument),
        "levels": instrument.levels,
        "sections": sections(instrument),
        "paragraphs": _paragraphs,
    }


def _render(template: str, **context: Any) -> bytes:
    return environment().get_template(template).render(**context).encode("utf-8")


def render_sheet(instrument: Instrument) -> bytes:
    """The blank matrix as a record sheet: boxes for the person, a descriptor to ring per row, a notes column."""
    return _render(
        "sheet.html.j2",
        title=f"Record sheet: {instrument.title}",
        fields=SHEET_FIELDS,
        instructions=SHEET_INSTRUCTIONS,
        **_common(instrument),
    )
