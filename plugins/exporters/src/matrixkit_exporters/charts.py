"""Charts with matplotlib: the distribution of levels per domain, and the levels per domain (a dot chart).

The functions take plain data — labels, level colours, counts, level indices — so that every exporter draws the
same pictures from what its report already holds (charts never compute statistics): ``svg``/``png`` files,
inline SVG in HTML, images in PDF.

Why matplotlib: it writes both SVG and PNG with no system packages (pygal needs cairo for PNG, plotly needs a
browser), and keeps SVG text as text (searchable, accessible). It is imported
only inside these functions, and used through :class:`matplotlib.figure.Figure` (never ``pyplot``): no global
state, no GUI backend, safe in threads and servers.

Pictures are deterministic (fixed SVG ids, no dates) so that the same report gives the same bytes. Text from
users is drawn literally: mathtext (``$...$``) is switched off.
"""

from __future__ import annotations

import datetime
import io
import re
import textwrap
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal
from xml.sax.saxutils import escape, quoteattr

import attrs

from matrixkit_exporters.colour import edge_colour, text_colour
from matrixkit_exporters.safety import printable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from matrixkit.model import Instrument, Level
    from matrixkit.report import CollationReport, Comparison, RecordSheet, WorkshopReport

__all__ = [
    "ChartLevel",
    "Series",
    "chart_style",
    "distribution_chart",
    "figure_bytes",
    "inline_svg",
    "levels_chart",
    "summary_chart",
]

ImageFormat = Literal["svg", "png"]

#: Okabe–Ito colours (distinguishable with colour-blindness) for the series of a levels chart.
SERIES_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
#: Fill of the "not answered" part of a bar.
MISSING_COLOUR = "#e6e6e6"
INK = "#1a1a1a"


@attrs.frozen
class ChartLevel:
    """A level as a chart needs it: its label and fill colour."""

    label: str
    colour: str


def _values(values: Iterable[int | None]) -> tuple[int | None, ...]:
    return tuple(values)


@attrs.frozen
class Series:
    """One series of a levels chart: a name and, per domain, a level index (0 = lowest) or None."""

    name: str
    values: tuple[int | None, ...] = attrs.field(converter=_values)


def _clean(text: str, width: int) -> str:
    one_line = " ".join(printable(text).split())
    return "\n".join(textwrap.wrap(one_line, width=width, max_lines=3, placeholder="…")) or one_line


@contextmanager
def chart_style() -> Iterator[None]:
    """matplotlib's settings for every chart: text drawn literally (no mathtext), SVG text kept as text, stable
    SVG ids, DejaVu Sans, dark grey axes; warnings about missing glyphs silenced."""
    import matplotlib as mpl

    rc: Any = {
        "text.parse_math": False,  # user text is text, never mathtext
        "text.usetex": False,
        "svg.fonttype": "none",
        "svg.hashsalt": "matrixkit",  # stable ids
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],
        "font.size": 9,
        "axes.edgecolor": "#595959",
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "text.color": INK,
        "figure.dpi": 100,
    }
    with mpl.rc_context(rc), warnings.catch_warnings():
        # A label in a script the bundled font lacks is drawn with boxes: not an error for a report.
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        warnings.filterwarnings("ignore", message="Matplotlib currently does not support")
        # Very long labels leave no room: the chart is still drawn, only not laid out tightly.
        warnings.filterwarnings("ignore", message="constrained_layout not applied")
        yield


def distribution_chart(
    domains: Sequence[str],
    levels: Sequence[ChartLevel],
    counts: Sequence[Sequence[int]],
    missing: Sequence[int] | None = None,
    *,
    title: str = "How people placed each domain",
) -> Figure:
    """Stacked horizontal bars: per domain (top to bottom), how many people chose each level (left to right).

    :param domains: the domains' labels, in instrument order.
    :param levels: the levels, lowest first.
    :param counts: per domain, the number of people per level.
    :param missing: per domain, how many did not answer (drawn as a pale last segment); None to leave out.
    """
    from matplotlib.figure import Figure

    n = len(domains)
    with chart_style():
        fig = Figure(figsize=(10.0, 1.4 + 0.45 * max(n, 1)), layout="constrained")
        _draw_distribution(fig.add_subplot(), domains, levels, counts, missing, title)
    return fig


def _draw_distribution(
    ax: object,
    domains: Sequence[str],
    levels: Sequence[ChartLevel],
    counts: Sequence[Sequence[int]],
    missing: Sequence[int] | None,
    title: str,
) -> None:
    from matplotlib.axes import Axes
    from matplotlib.ticker import MaxNLocator

    assert isinstance(ax, Axes)
    n = len(domains)
    rows = list(range(n))
    left = [0] * n
    totals = [sum(c) + (missing[i] if missing else 0) for i, c in enumerate(counts)]
    widest = max(totals, default=0) or 1
    for j, level in enumerate(levels):
        widths = [row[j] for row in counts]
        ax.barh(
            rows,
            widths,
            left=left,
            height=0.7,
            color=level.colour,
            edgecolor=edge_colour(level.colour),
            linewidth=0.8,
            label=_clean(level.label, 24),
        )
        for i, w in enumerate(widths):
            if w and w / widest >= 0.04:
                ax.text(left[i] + w / 2, i, str(w), ha="center", va="center", color=text_colour(level.colour))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    if missing is not None and any(missing):
        ax.barh(
            rows,
            list(missing),
            left=left,
            height=0.7,
            color=MISSING_COLOUR,
            edgecolor="#595959",
            linewidth=0.8,
            hatch="//",
            label="Not answered",
        )
    ax.set_yticks(rows, [_clean(d, 28) for d in domains])
    ax.invert_yaxis()
    ax.set_xlim(0, widest)
    ax.set_xlabel("People")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(_clean(title, 80), loc="left", fontweight="bold")
    if levels:
        ax.legend(
            loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8, title="Level", title_fontsize=8
        )


#: How each series of a levels chart is drawn: (marker, size, filled). The first series (e.g. the agreed level) is
#: a large filled disc, the next an open diamond, then an open triangle...: told apart by shape and fill as well
#: as colour, and each series sits on its own line within a domain's row, so that none hides another.
SERIES_MARKERS = (("o", 110, True), ("D", 70, False), ("^", 80, False), ("s", 60, False), ("v", 80, False))


def levels_chart(
    domains: Sequence[str],
    levels: Sequence[ChartLevel],
    series: Sequence[Series],
    *,
    title: str = "Levels per domain",
    arrows: bool = False,
) -> Figure:
    """Levels per domain as a dot chart: one row per domain, the levels as coloured columns (lowest left), one
    marker per series (agreed, suggested, target, or a group's level) on its own line within the row.

    A series without a level for a domain (None) shows nothing there. With ``arrows``, an arrow goes from the
    first series' marker to the second's in each row where both have a level and they differ (then → now).
    """
    from matplotlib.figure import Figure

    n = len(domains)
    with chart_style():
        fig = Figure(figsize=(10.0, 1.6 + 0.5 * max(n, 1) * (1 + 0.15 * max(len(series) - 2, 0))), layout="constrained")
        _draw_levels(fig.add_subplot(), domains, levels, series, title, arrows=arrows)
    return fig


def _draw_levels(
    ax: object,
    domains: Sequence[str],
    levels: Sequence[ChartLevel],
    series: Sequence[Series],
    title: str,
    *,
    arrows: bool = False,
) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    n, m, k = len(domains), len(levels), len(series)
    for j, level in enumerate(levels):
        ax.axvspan(j - 0.5, j + 0.5, color=level.colour, alpha=0.45, linewidth=0, zorder=0)
    for j in range(1, m):
        ax.axvline(j - 0.5, color="#8c8c8c", linewidth=0.6, zorder=1)
    for i in range(1, n):
        ax.axhline(i - 0.5, color="#bfbfbf", linewidth=0.6, zorder=1)
    step = min(0.24, 0.72 / max(k, 1))
    for s, line in enumerate(series):
        marker, size, filled = SERIES_MARKERS[s % len(SERIES_MARKERS)]
        colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
        offset = (s - (k - 1) / 2) * step
        points = [(v, row + offset) for row, v in enumerate(line.values) if v is not None]
        ax.scatter(
            [x for x, _ in points],
            [y for _, y in points],
            marker=marker,
            s=size,
            facecolors=colour if filled else "#ffffff",
            edgecolors=colour,
            linewidths=2.0,
            label=_clean(line.name, 30),
            zorder=3 + s,
        )
    if arrows and k >= 2:
        for row, (start, end) in enumerate(zip(series[0].values, series[1].values, strict=True)):
            if start is None or end is None or start == end:
                continue
            y0, y1 = row + (0 - (k - 1) / 2) * step, row + (1 - (k - 1) / 2) * step
            ax.annotate(
                "",
                xy=(end, y1),
                xytext=(start, y0),
                arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1.4, "shrinkA": 7, "shrinkB": 7},
                zorder=2,
            )
    ax.set_xlim(-0.5, m - 0.5)
    ax.set_ylim(max(n, 1) - 0.5, -0.5)
    ax.set_xticks(range(m), [_clean(lv.label, 16) for lv in levels])
    ax.tick_params(axis="x", top=True, labeltop=True, bottom=True, labelbottom=True, length=0)
    ax.set_yticks(range(n), [_clean(d, 30) for d in domains])
    ax.tick_params(axis="y", length=0)
    ax.set_title(_clean(title, 80), loc="left", fontweight="bold")
    if series:
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize=9,
            labelspacing=1.0,
            borderaxespad=0.0,
        )


def summary_chart(
    domains: Sequence[str],
    levels: Sequence[ChartLevel],
    counts: Sequence[Sequence[int]],
    missing: Sequence[int] | None,
    series: Sequence[Series],
    *,
    title: str = "",
) -> Figure:
    """Both charts side by side in one figure: what the ``svg`` and ``png`` formats write."""
    from matplotlib.figure import Figure

    n = len(domains)
    with chart_style():
        fig = Figure(figsize=(16.0, max(5.6, 1.6 + 0.5 * n)), layout="constrained")
        if title:
            fig.suptitle(_clean(title, 110), fontweight="bold", x=0.01, ha="left")
        grid = fig.add_gridspec(1, 2, width_ratios=[1.1, 1])
        _draw_distribution(
            fig.add_subplot(grid[0, 0]), domains, levels, counts, missing, "How people placed each domain"
        )
        _draw_levels(fig.add_subplot(grid[0, 1]), domains, levels, series, "Levels per domain")
    return fig


def figure_bytes(fig: Figure, fmt: ImageFormat, *, description: str = "", text_as_paths: bool = False) -> bytes:
    """The figure as SVG or PNG bytes.

    SVG gets ``role="img"``, an ``aria-label`` and a ``<title>`` from ``description`` (screen readers read it).
    ``text_as_paths`` draws SVG text as outlines, for renderers that lack the font (PDF embedding).
    """
    buffer = io.BytesIO()
    with chart_style():
        import matplotlib as mpl

        with mpl.rc_context({"svg.fonttype": "path" if text_as_paths else "none"}):
            if fmt == "svg":
                fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
            else:
                fig.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    data = buffer.getvalue()
    if fmt == "svg":
        data = _label_svg(data.decode("utf-8"), description).encode("utf-8")
    return data


def _label_svg(svg: str, description: str) -> str:
    """Give the root ``<svg>`` an accessible name: ``role="img"``, ``aria-label`` and a ``<title>``."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    text = " ".join(printable(description).split())
    opening = svg[start:end]
    labelled = f'{opening} role="img" aria-label={quoteattr(text)}>' if text else f'{opening} role="img">'
    title = f"<title>{escape(text)}</title>" if text else ""
    return svg[:start] + labelled + title + svg[end + 1 :]


def inline_svg(svg: bytes, prefix: str) -> str:
    """SVG bytes as an element to put inside HTML: no XML declaration or doctype, and every id prefixed with
    ``prefix`` so that several charts in one page keep their ids (and clip paths) apart."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :].strip()
    text = re.sub(r'\bid="', f'id="{prefix}-', text)
    text = text.replace("url(#", f"url(#{prefix}-")
    return re.sub(r'(xlink:)?href="#', lambda m: f"{m.group(0)}{prefix}-", text)


# -- the charts of a report ----------------------------------------------------------------------------------
# Adapters from the report objects to the drawing functions above: they read figures, they compute none.

#: Most series drawn on one levels chart; more markers per row than this are unreadable.
MAX_SERIES = 5


def chart_levels(instrument: Instrument) -> list[ChartLevel]:
    """The instrument's levels as charts need them."""
    return [ChartLevel(level.label, level.colour) for level in instrument.levels]


def _domain_labels(instrument: Instrument) -> list[str]:
    return [domain.label for domain in instrument.domains]


def _index(level: Level | None, instrument: Instrument) -> int | None:
    return None if level is None else instrument.levels.index(level)


def collation_series(report: CollationReport) -> list[Series]:
    """The suggested level per domain, and each group's when the collation is split (up to a few groups)."""
    series = [Series(f"Suggested ({report.rule})", [d.suggested_index for d in report.domains])]
    if report.by is not None and 1 < len(report.groups) < MAX_SERIES:
        for name in report.groups:
            series.append(Series(name, [d.group(name).suggested_index for d in report.domains]))
    return series


def report_series(report: WorkshopReport) -> list[Series]:
    """Agreed, suggested and (when any is set) target levels per domain."""
    instrument = report.instrument
    series = [
        Series("Agreed", [_index(d.agreed, instrument) for d in report.decisions]),
        Series(f"Suggested ({report.collation.rule})", [d.result.suggested_index for d in report.decisions]),
    ]
    if any(d.target is not None for d in report.decisions):
        series.append(Series("Target", [_index(d.target, instrument) for d in report.decisions]))
    return series


def collation_charts(report: CollationReport, series: Sequence[Series] | None = None) -> tuple[Figure, Figure]:
    """(distribution, levels) charts of a collation; ``series`` defaults to :func:`collation_series`."""
    instrument = report.instrument
    levels = chart_levels(instrument)
    distribution = distribution_chart(
        _domain_labels(instrument),
        levels,
        [d.counts for d in report.domains],
        [d.missing for d in report.domains],
        title=f"How {report.responses} people placed each domain",
    )
    by_level = levels_chart(_domain_labels(instrument), levels, series or collation_series(report))
    return distribution, by_level


def record_chart(record: RecordSheet) -> Figure:
    """One person's level per domain."""
    instrument = record.instrument
    return levels_chart(
        _domain_labels(instrument),
        chart_levels(instrument),
        [Series(record.participant, [e.index for e in record.entries])],
        title=f"Levels chosen by {record.participant}",
    )


def _summary(report: CollationReport, series: Sequence[Series], title: str) -> Figure:
    instrument = report.instrument
    return summary_chart(
        _domain_labels(instrument),
        chart_levels(instrument),
        [d.counts for d in report.domains],
        [d.missing for d in report.domains],
        series,
        title=title,
    )


def describe_distribution(report: CollationReport) -> str:
    """A text alternative for the distribution chart."""
    return (
        f"Stacked bar chart: for each of {len(report.domains)} domains, how many of {report.responses} people "
        "chose each level; the collation sheet table gives the same counts."
    )


def describe_levels(instrument: Instrument, series: Sequence[Series]) -> str:
    """A text alternative for the levels chart, naming each series' level per domain."""
    parts = []
    for line in series:
        levels = [
            f"{domain.label}: {instrument.levels[v].label if v is not None else 'none'}"
            for domain, v in zip(instrument.domains, line.values, strict=True)
        ]
        parts.append(f"{line.name}: " + "; ".join(levels))
    return "Dot chart of the level per domain. " + ". ".join(parts) + "."


def render_record(record: RecordSheet, fmt: ImageFormat) -> bytes:
    instrument = record.instrument
    series = [Series(record.participant, [e.index for e in record.entries])]
    return figure_bytes(record_chart(record), fmt, description=describe_levels(instrument, series))


def render_collation(report: CollationReport, fmt: ImageFormat) -> bytes:
    series = collation_series(report)
    fig = _summary(report, series, _title(report.title or report.instrument.title, report.responses))
    description = describe_distribution(report) + " " + describe_levels(report.instrument, series)
    return figure_bytes(fig, fmt, description=description)


def render_report(report: WorkshopReport, fmt: ImageFormat) -> bytes:
    series = report_series(report)
    fig = _summary(report.collation, series, _title(report.title, report.collation.responses))
    description = describe_distribution(report.collation) + " " + describe_levels(report.instrument, series)
    return figure_bytes(fig, fmt, description=description)


def _title(name: str, responses: int) -> str:
    return f"{name} ({responses} {'response' if responses == 1 else 'responses'})"


def comparison_series(comparison: Comparison) -> list[Series]:
    """The level shown per domain then and now (agreed where recorded, otherwise suggested), named by the rounds'
    dates where known (titles are long for a legend)."""
    from matrixkit.text import long_date

    def name(side: str, title: str, date: datetime.date | None) -> str:
        return f"{side} ({long_date(date)})" if date is not None else f"{side}: {title}"

    before = [
        None if d.shown_before is None else comparison.before_instrument.levels.index(d.shown_before)
        for d in comparison.domains
    ]
    after = [_index(d.shown_after, comparison.instrument) for d in comparison.domains]
    return [
        Series(name("Then", comparison.before_title, comparison.before_date), before),
        Series(name("Now", comparison.after_title, comparison.after_date), after),
    ]


def comparison_chart(comparison: Comparison) -> Figure:
    """Then and now per domain, with an arrow where the level shown changed."""
    return levels_chart(
        [d.domain.label for d in comparison.domains],
        chart_levels(comparison.instrument),
        comparison_series(comparison),
        title="Then and now",
        arrows=True,
    )


def describe_comparison(comparison: Comparison) -> str:
    """A text alternative for the then-and-now chart."""
    parts = [
        f"{d.domain.label}: {d.shown_before.label if d.shown_before else 'none'} then, "
        f"{d.shown_after.label if d.shown_after else 'none'} now"
        for d in comparison.domains
    ]
    return (
        "Dot chart of the level shown per domain, then and now, with an arrow where it changed. "
        + "; ".join(parts)
        + "."
    )


def render_comparison(comparison: Comparison, fmt: ImageFormat) -> bytes:
    return figure_bytes(comparison_chart(comparison), fmt, description=describe_comparison(comparison))
