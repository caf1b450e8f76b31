"""HTML: one self-contained, printable, accessible file per sheet, record, collation or report.

Built with Jinja2 templates (``templates/*.html.j2``) with autoescaping on for everything: every piece of text
from an instrument, a response or a workshop record is escaped; only the charts, which matplotlib writes as SVG
with its own escaping, are inserted as markup. No JavaScript, no external resources: the styles are inline and
the charts are inline SVG, each with a text alternative. ``@page`` sets A4 landscape for printing; colours print
(``print-color-adjust: exact``). Level colours come from the instrument, and each gets the text colour (black or
white) with the better contrast (:func:`matrixkit_exporters.colour.text_colour`). Tables have captions and
``<th scope>`` headers.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from matrixkit_exporters import charts
from matrixkit_exporters.colour import edge_colour, text_colour
from matrixkit_exporters.layout import (
    NONE,
    SHEET_FIELDS,
    SHEET_INSTRUCTIONS,
    action_when,
    agreement,
    collation_title,
    decimal,
    flag_meanings,
    group_label,
    instrument_heading,
    level_heading,
    level_name,
    percent,
    report_meta,
    rule_text,
    sections,
    used_flags,
)
from matrixkit_exporters.safety import printable

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup
    from matplotlib.figure import Figure

    from matrixkit.model import Instrument, Level
    from matrixkit.report import CollationReport, GroupResult, RecordSheet, WorkshopReport

__all__ = ["render_collation", "render_record", "render_report", "render_sheet"]


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
    env.filters["edge"] = edge_colour
    env.filters["decimal"] = decimal
    env.filters["agreement"] = agreement
    env.filters["percent"] = percent
    env.filters["level_name"] = level_name
    env.filters["when"] = action_when
    env.globals.update(
        NONE=NONE,
        level_heading=level_heading,
        group_label=group_label,
        rule_text=rule_text,
        collation_title=collation_title,
        instrument_heading=instrument_heading,
        group_results=_group_results,
    )
    return env


def _group_results(report: CollationReport, name: str) -> list[GroupResult]:
    return [result.group(name) for result in report.domains]


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _common(instrument: Instrument) -> dict[str, Any]:
    levels = instrument.levels

    def level_class(level: Level | None) -> str:
        return "" if level is None else f"lv-{levels.index(level)}"

    return {
        "instrument": instrument,
        "heading": instrument_heading(instrument),
        "levels": levels,
        "sections": sections(instrument),
        "paragraphs": _paragraphs,
        "level_class": level_class,
    }


def _render(template: str, **context: Any) -> bytes:
    return environment().get_template(template).render(**context).encode("utf-8")


class _Charts:
    """Inline SVG charts of one page, each with its own id prefix."""

    def __init__(self) -> None:
        self.count = 0

    def svg(self, fig: Figure, description: str) -> Markup:
        from markupsafe import Markup

        self.count += 1
        data = charts.figure_bytes(fig, "svg", description=description)
        # matplotlib writes the SVG and escapes the text in it; it is the one piece of markup not escaped here.
        return Markup(charts.inline_svg(data, f"chart{self.count}"))  # noqa: S704


def _collation_context(report: CollationReport, page: _Charts, series: list[charts.Series] | None = None) -> Any:
    chosen = series or charts.collation_series(report)
    distribution, profile = charts.collation_charts(report, chosen)
    return {
        "c": report,
        "flags": flag_meanings(used_flags(report)),
        "distribution_svg": page.svg(distribution, charts.describe_distribution(report)),
        "profile_svg": page.svg(profile, charts.describe_profile(report.instrument, chosen)),
        "profile_names": [s.name for s in chosen],
    }


def render_sheet(instrument: Instrument) -> bytes:
    """The blank matrix as a record sheet: boxes for the person, a descriptor to ring per row, a notes column."""
    return _render(
        "sheet.html.j2",
        title=f"Record sheet: {instrument.title}",
        fields=SHEET_FIELDS,
        instructions=SHEET_INSTRUCTIONS,
        **_common(instrument),
    )


def render_record(record: RecordSheet) -> bytes:
    """One person's record: the matrix with their chosen statement marked, comments, figures and profile."""
    page = _Charts()
    series = [charts.Series(record.participant, [e.index for e in record.entries])]
    profile = page.svg(charts.record_chart(record), charts.describe_profile(record.instrument, series))
    return _render(
        "record.html.j2",
        title=f"Record sheet: {record.participant}",
        record=record,
        summary_rows=[("All domains", record.overall)] + [(group.title, s) for group, s in record.groups],
        profile_svg=profile,
        **_common(record.instrument),
    )


def render_collation(report: CollationReport) -> bytes:
    """The collation sheet with charts, domains to discuss, the view by group, comments and flags."""
    return _render(
        "collation.html.j2",
        title=collation_title(report),
        **_collation_context(report, _Charts()),
        **_common(report.instrument),
    )


def render_report(report: WorkshopReport) -> bytes:
    """The workshop report: agreed levels, priorities and actions, charts, then the collation it rests on."""
    context = _collation_context(report.collation, _Charts(), charts.report_series(report))
    others = [d for d in report.decisions if d.priority is None and (d.actions or d.notes)]
    return _render(
        "report.html.j2",
        title=report.title,
        report=report,
        meta=report_meta(report),
        others=others,
        **context,
        **_common(report.instrument),
    )
