"""The PIT partnership profile: the toolkit's triangle, shaded by the levels each tool's workshop agreed.

The Population Intervention Triangle has three segments — civic-level interventions at the top, community-based
interventions on the left of the base, service-based interventions on the right — and place-based planning in a
circle at the centre. Tool A assesses the centre; Tools B, C and D the three seams between the segments: B the
civic–community seam (the left side), C the community–service seam (the base), D the civic–service seam (the right
side).

:func:`build_profile` takes the workshop reports of any subset of the four tools (their single-agency and
topic-based variants count as their tool) and :func:`triangle_figure` draws the triangle: the centre and each
seam split into one cell per domain, filled with the level the workshop agreed for it, and labelled with the
tool's overall level — the lower median of its agreed levels, the statistic matrixkit's default consensus rule
uses (computed by matrixkit's own functions). :func:`profile_document` adds a summary table per tool and
renders through maturity-matrixkit-exporters (PDF, HTML, Word); the picture alone is SVG or PNG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from matrixkit.errors import MatrixkitError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matrixkit_exporters.blocks import Document

    from matrixkit.model import Instrument, Level
    from matrixkit.report import WorkshopReport

__all__ = ["TOOLS", "Profile", "ToolProfile", "build_profile", "profile_document", "render", "triangle_figure"]


@attrs.frozen
class Tool:
    """One of the four tools and its place in the triangle."""

    letter: str
    id: str
    place: str
    #: What the toolkit calls the part of the triangle the tool assesses.
    focus: str
    #: The same, short enough for the picture.
    short: str


#: The four tools, in the toolkit's order.
TOOLS: tuple[Tool, ...] = (
    Tool("A", "pit-a", "centre", "Place-based planning, at the centre of the triangle", "place-based planning"),
    Tool("B", "pit-b", "left", "The civic–community seam: strengthen community action", "civic–community seam"),
    Tool(
        "C",
        "pit-c",
        "base",
        "The community–service seam: service engagement with communities",
        "community–service seam",
    ),
    Tool("D", "pit-d", "right", "The civic–service seam: civic–service integration", "civic–service seam"),
)

#: The segments' colours in the toolkit's diagram (orange, green, purple) as pale tints, and the centre's blue.
CIVIC, COMMUNITY, SERVICE, CENTRE_EDGE = "#fbd9b5", "#cfe8c7", "#ddd0e8", "#1f5fa8"
NOT_AGREED_HATCH = "////"
NOT_ASSESSED = "#d9d9d9"


@attrs.frozen
class ToolProfile:
    """One tool's workshop: which record, its agreed level per domain, and its overall level."""

    tool: Tool
    source: str
    report: WorkshopReport
    #: The agreed level of each domain, in the instrument's order (None: nothing agreed).
    agreed: tuple[Level | None, ...]
    #: The lower median of the agreed levels (None when nothing was agreed).
    overall: Level | None

    @property
    def instrument(self) -> Instrument:
        return self.report.instrument

    def counts(self) -> tuple[int, ...]:
        """How many domains were agreed at each level."""
        levels = self.instrument.levels
        return tuple(sum(1 for a in self.agreed if a == level) for level in levels)


@attrs.frozen
class Profile:
    """The tools assessed (by letter), and the levels they share."""

    tools: dict[str, ToolProfile]
    levels: tuple[Level, ...]

    @property
    def instrument(self) -> Instrument:
        """The first tool's instrument (its levels, colours and source are every tool's)."""
        return next(iter(self.tools.values())).instrument


def tool_of(instrument: Instrument) -> Tool | None:
    """The PIT tool an instrument is, or is adapted from (``pit-a-single-agency`` is Tool A), or None."""
    for ident in (instrument.id, instrument.based_on):
        for tool in TOOLS:
            if ident == tool.id:
                return tool
    return None


def _overall(agreed: Sequence[Level | None], instrument: Instrument) -> Level | None:
    from matrixkit.collation import Tally
    from matrixkit.rules import lower_median

    indices = [None if a is None else instrument.levels.index(a) for a in agreed]
    index = lower_median(Tally.of(indices, len(instrument.levels)))
    return None if index is None else instrument.levels[index]


def build_profile(reports: Sequence[tuple[str, WorkshopReport]]) -> Profile:
    """The profile of the workshop reports given as (file name, report) pairs: one per tool, any subset.

    Raises :class:`~matrixkit.errors.MatrixkitError` for a record of another instrument, two records of one tool,
    or tools whose levels differ.
    """
    if not reports:
        raise MatrixkitError("give the workshop record of at least one PIT tool (A, B, C or D)")
    tools: dict[str, ToolProfile] = {}
    for source, report in reports:
        instrument = report.instrument
        tool = tool_of(instrument)
        if tool is None:
            raise MatrixkitError(
                f"{source}: the record is of {instrument.id!r}, not of a PIT tool (pit-a, pit-b, pit-c, pit-d or "
                "one of their variants)"
            )
        if tool.letter in tools:
            raise MatrixkitError(
                f"{source}: a second record of Tool {tool.letter} (the first is {tools[tool.letter].source}); "
                "give one record per tool, e.g. each tool's latest round"
            )
        agreed = tuple(d.agreed for d in report.decisions)
        tools[tool.letter] = ToolProfile(
            tool=tool, source=source, report=report, agreed=agreed, overall=_overall(agreed, instrument)
        )
    ordered = {t.letter: tools[t.letter] for t in TOOLS if t.letter in tools}
    first = next(iter(ordered.values()))
    for profile in ordered.values():
        if profile.instrument.level_keys != first.instrument.level_keys:
            raise MatrixkitError(
                f"{profile.source}: its levels ({', '.join(profile.instrument.level_keys)}) are not those of "
                f"{first.source} ({', '.join(first.instrument.level_keys)}); the tools of one profile share levels"
            )
    return Profile(tools=ordered, levels=first.instrument.levels)


# -- the picture ----------------------------------------------------------------------------------------------

_H = math.sqrt(3)
_TOP, _LEFT, _RIGHT = (0.0, _H), (-1.0, 0.0), (1.0, 0.0)
_CENTRE = (0.0, _H / 3)
_MID = {"left": (-0.5, _H / 2), "base": (0.0, 0.0), "right": (0.5, _H / 2)}
_RADIUS = 0.27
#: How far a seam's band reaches beyond the triangle's side, and its width.
_OUTSIDE = 0.42
_BAND = 0.17


def _level_name(level: Level | None) -> str:
    return "no agreed level" if level is None else f"{level.label} ({level.score})"


def _cell(ax: Axes, points: list[tuple[float, float]], level: Level | None, assessed: bool) -> None:
    from matplotlib.patches import Polygon

    if not assessed:
        ax.add_patch(Polygon(points, closed=True, facecolor=NOT_ASSESSED, edgecolor="#8c8c8c", linewidth=0.6))
    elif level is None:
        ax.add_patch(
            Polygon(
                points, closed=True, facecolor="#ffffff", edgecolor="#404040", hatch=NOT_AGREED_HATCH, linewidth=0.8
            )
        )
    else:
        ax.add_patch(Polygon(points, closed=True, facecolor=level.colour, edgecolor="#262626", linewidth=0.8))


def _label(
    ax: Axes, tool: Tool, profile: ToolProfile | None, at: tuple[float, float], to: tuple[float, float] | None = None
) -> None:
    """The tool's name, part of the triangle and overall level, in a box filled with that level's colour; with
    ``to``, an arrow from the box to that point."""
    from matrixkit_exporters.colour import text_colour

    level = profile.overall if profile else None
    fill = level.colour if level is not None else ("#ffffff" if profile else NOT_ASSESSED)
    text = f"Tool {tool.letter}: {tool.short}\n" + (_level_name(level) if profile else "not assessed")
    ax.annotate(
        text,
        xy=to or at,
        xytext=at,
        ha="center",
        va="center",
        fontsize=9.5,
        color=text_colour(fill),
        bbox={"boxstyle": "round,pad=0.45", "facecolor": fill, "edgecolor": "#262626", "linewidth": 1.0},
        arrowprops={"arrowstyle": "-", "color": "#262626", "linewidth": 1.2} if to else None,
        zorder=6,
    )


def _seam(ax: Axes, profile: ToolProfile | None, tool: Tool, cells: int) -> None:
    """A band along the seam from the centre's circle out past the triangle's side, one cell per domain."""
    cx, cy = _CENTRE
    mx, my = _MID[tool.place]
    length = math.hypot(mx - cx, my - cy)
    ux, uy = (mx - cx) / length, (my - cy) / length
    nx, ny = -uy * _BAND / 2, ux * _BAND / 2
    start, end = _RADIUS + 0.03, length + _OUTSIDE
    step = (end - start) / cells
    for k in range(cells):
        a, b = start + k * step, start + (k + 1) * step
        points = [
            (cx + ux * a + nx, cy + uy * a + ny),
            (cx + ux * b + nx, cy + uy * b + ny),
            (cx + ux * b - nx, cy + uy * b - ny),
            (cx + ux * a - nx, cy + uy * a - ny),
        ]
        _cell(ax, points, profile.agreed[k] if profile else None, profile is not None)
    _label(ax, tool, profile, (cx + ux * (end + 0.24), cy + uy * (end + 0.24)))


def _centre(ax: Axes, profile: ToolProfile | None, cells: int) -> None:
    """Tool A: a ring of cells, one per domain (clockwise from the top), around a disc in the overall level."""
    from matplotlib.patches import Circle, Wedge

    cx, cy = _CENTRE
    for k in range(cells):
        start = 90 - 360 * (k + 1) / cells
        level = profile.agreed[k] if profile else None
        if profile is None:
            style = {"facecolor": NOT_ASSESSED, "edgecolor": "#8c8c8c"}
        elif level is None:
            style = {"facecolor": "#ffffff", "edgecolor": "#404040", "hatch": NOT_AGREED_HATCH}
        else:
            style = {"facecolor": level.colour, "edgecolor": "#262626"}
        ax.add_patch(Wedge((cx, cy), _RADIUS, start, start + 360 / cells, width=_RADIUS * 0.5, linewidth=0.8, **style))
    overall = profile.overall if profile else None
    disc = overall.colour if overall is not None else ("#ffffff" if profile else NOT_ASSESSED)
    ax.add_patch(Circle((cx, cy), _RADIUS * 0.5, facecolor=disc, edgecolor="#262626", linewidth=0.8, zorder=4))
    ax.text(cx, cy, "A", ha="center", va="center", fontsize=12, fontweight="bold", zorder=5, color=_ink(disc))
    ax.add_patch(Circle((cx, cy), _RADIUS, fill=False, edgecolor=CENTRE_EDGE, linewidth=2.6, zorder=5))
    _label(ax, TOOLS[0], profile, (-1.2, -0.62), (cx - _RADIUS * 0.75, cy - _RADIUS * 0.65))


def _ink(fill: str) -> str:
    from matrixkit_exporters.colour import text_colour

    return text_colour(fill)


def triangle_figure(profile: Profile) -> Figure:
    """The triangle, its three segments, the centre (Tool A) and the three seams (Tools B, C, D), each split into
    one cell per domain in the level its workshop agreed (hatched where none was agreed; grey where the tool was
    not assessed), with the tool's overall level beside it."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Polygon
    from matrixkit_exporters.charts import chart_style

    with chart_style():
        fig = Figure(figsize=(9.0, 8.2), layout="constrained")
        ax = fig.add_subplot()
        ml, mb, mr = _MID["left"], _MID["base"], _MID["right"]
        for points, colour in (
            ([_TOP, mr, _CENTRE, ml], CIVIC),
            ([_LEFT, ml, _CENTRE, mb], COMMUNITY),
            ([_RIGHT, mb, _CENTRE, mr], SERVICE),
        ):
            ax.add_patch(Polygon(points, closed=True, facecolor=colour, edgecolor="#595959", linewidth=1.2))
        ax.add_patch(Polygon([_TOP, _LEFT, _RIGHT], closed=True, fill=False, edgecolor="#262626", linewidth=1.8))
        ax.text(0, _H * 0.76, "Civic-level\ninterventions", ha="center", va="center", fontsize=10, fontweight="bold")
        ax.text(-0.55, 0.2, "Community-based\ninterventions", ha="center", va="center", fontsize=10, fontweight="bold")
        ax.text(0.55, 0.2, "Service-based\ninterventions", ha="center", va="center", fontsize=10, fontweight="bold")
        default = len(profile.instrument.domains)
        for tool in TOOLS[1:]:
            found = profile.tools.get(tool.letter)
            _seam(ax, found, tool, len(found.agreed) if found else default)
        a = profile.tools.get("A")
        _centre(ax, a, len(a.agreed) if a else default)
        handles = [
            Patch(facecolor=level.colour, edgecolor="#262626", label=_level_name(level)) for level in profile.levels
        ]
        handles.append(Patch(facecolor="#ffffff", edgecolor="#404040", hatch=NOT_AGREED_HATCH, label="no agreed level"))
        if len(profile.tools) < len(TOOLS):
            handles.append(Patch(facecolor=NOT_ASSESSED, edgecolor="#8c8c8c", label="not assessed"))
        ax.legend(handles=handles, loc="upper left", frameon=False, fontsize=9, title="Agreed level", title_fontsize=9)
        ax.set_xlim(-1.75, 1.75)
        ax.set_ylim(-0.85, _H + 0.15)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title("PIT partnership profile: agreed levels", loc="left", fontweight="bold", fontsize=12)
    return fig


def describe(profile: Profile) -> str:
    """A text alternative for the picture: each tool's place, overall level and agreed level per domain."""
    parts = ["The Population Intervention Triangle, shaded by the levels each tool's workshop agreed."]
    for tool in TOOLS:
        found = profile.tools.get(tool.letter)
        if found is None:
            parts.append(f"Tool {tool.letter} ({tool.focus}): not assessed.")
            continue
        domains = "; ".join(
            f"{d.label}: {a.label if a is not None else 'no agreed level'}"
            for d, a in zip(found.instrument.domains, found.agreed, strict=True)
        )
        parts.append(f"Tool {tool.letter} ({tool.focus}): overall {_level_name(found.overall)}. {domains}.")
    return " ".join(parts)


# -- the document ---------------------------------------------------------------------------------------------


def profile_document(profile: Profile) -> Document:
    """The picture, a summary table (one row per tool) and each tool's agreed levels."""
    from matrixkit_exporters.blocks import (
        Block,
        Cell,
        Chart,
        Definitions,
        Document,
        Heading,
        Paragraph,
        Part,
        Row,
        Table,
    )
    from matrixkit_exporters.layout import credit, plural

    from matrixkit.text import long_date

    levels = profile.levels

    def level_cell(level: Level | None, *, bold: bool = False) -> Cell:
        return Cell(_level_name(level), level=None if level is None else levels.index(level), bold=bold)

    records = []
    for assessed in profile.tools.values():
        when = f", {long_date(assessed.report.date)}" if assessed.report.date else ""
        records.append((f"Tool {assessed.tool.letter}", f"{assessed.report.title}{when}"))
    header = [Cell("Tool"), Cell("Workshop"), Cell("Overall level")]
    header += [Cell(f"{lv.label} ({lv.score})", level=j, align="right") for j, lv in enumerate(levels)]
    header += [Cell("No agreed level", align="right"), Cell("Priorities for action")]
    rows = []
    for tool in TOOLS:
        found = profile.tools.get(tool.letter)
        if found is None:
            rows.append(
                Row(
                    [Cell(f"Tool {tool.letter}", bold=True), Cell("not assessed", muted=True)]
                    + [Cell("") for _ in range(len(levels) + 3)]
                )
            )
            continue
        report = found.report
        priorities = "; ".join(f"{d.priority}. {d.domain.title}" for d in report.priorities) or "–"
        rows.append(
            Row(
                [
                    Cell(f"Tool {tool.letter}", bold=True, note=found.instrument.title.split(": ", 1)[-1]),
                    Cell(report.title, note=long_date(report.date) if report.date else ""),
                    level_cell(found.overall, bold=True),
                    *(Cell(str(n), align="right") for n in found.counts()),
                    Cell(str(sum(1 for a in found.agreed if a is None)), align="right"),
                    Cell(priorities),
                ]
            )
        )
    widths = [1.4, 2.4, 1.4] + [0.8] * len(levels) + [0.8, 2.6]
    blocks = [
        Heading(1, "PIT partnership profile"),
        Definitions(records),
        Paragraph(
            "Tool A assesses place-based planning, at the centre of the triangle; Tools B, C and D the seams between "
            "its segments. Each cell is one domain, filled with the level the tool's workshop agreed for it; a "
            "tool's overall level is the lower median of its agreed levels."
        ),
        Chart(
            triangle_figure(profile),
            describe(profile),
            "The Population Intervention Triangle, by agreed level.",
            height=132.0,
        ),
    ]
    summary = [
        Heading(2, "Each tool"),
        Table(
            "Each tool's workshop: overall level, domains agreed at each level, and priorities",
            header,
            rows,
            widths,
            wide=True,
            scale=0.95,
        ),
    ]
    details: list[Block] = []
    for found in profile.tools.values():
        details.append(Heading(3, f"Tool {found.tool.letter}: {found.tool.focus}"))
        details.append(
            Table(
                f"{found.instrument.title}: agreed level per domain",
                [Cell("Domain"), Cell("Agreed level"), Cell("Priority", align="right")],
                [
                    Row(
                        [
                            Cell(d.domain.title, bold=True),
                            level_cell(d.agreed),
                            Cell(str(d.priority) if d.priority is not None else "–", align="right"),
                        ]
                    )
                    for d in found.report.decisions
                ],
                [3.0, 1.6, 0.8],
                keep=True,
            )
        )
    parts = [
        Part(blocks),
        Part(summary, new_page=True),
        Part([Heading(2, "Agreed levels per domain"), *details], new_page=True, landscape=False),
    ]
    instrument = profile.instrument
    names = ", ".join(f"Tool {letter}" for letter in profile.tools)
    return Document(
        instrument=instrument,
        title="PIT partnership profile",
        parts=parts,
        footer=credit(instrument),
        subject=f"PIT partnership profile ({names}; {plural(len(profile.tools), 'tool')}) · "
        + " · ".join(f"{f.instrument.id} {f.instrument.version}" for f in profile.tools.values()),
        keywords=("Population Intervention Triangle", *(f.instrument.id for f in profile.tools.values())),
        author=" ".join(instrument.source.publisher.split()) or "matrixkit",
    )


def render(profile: Profile, fmt: str) -> bytes:
    """The profile in ``fmt`` (pdf, html, docx: the document; svg, png: the picture alone)."""
    from matrixkit_exporters import charts

    if fmt in ("svg", "png"):
        return charts.figure_bytes(triangle_figure(profile), fmt, description=describe(profile))  # type: ignore[arg-type]
    document = profile_document(profile)
    if fmt == "pdf":
        from matrixkit_exporters.pdf import render_document
    elif fmt == "html":
        from matrixkit_exporters.html import render_document
    elif fmt == "docx":
        from matrixkit_exporters.word import render_document
    else:
        raise MatrixkitError(f"the profile cannot be written as {fmt!r} (it can be: pdf, html, docx, svg, png)")
    return render_document(document)
