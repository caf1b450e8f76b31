"""Markdown (GitHub / GitLab flavoured): blank sheets, record sheets, collation sheets, workshop reports, the
board summary and the blank Workshop Collation Sheet.

The summary and the blank collation sheet are written from the same document (:mod:`matrixkit_exporters.documents`)
as the HTML, PDF and Word files, by :func:`render_document`.

All user text goes through :func:`inline`, which backslash-escapes everything Markdown (and GitHub's HTML, math
and table syntax) would interpret, so that a title like ``<script>`` or ``*bold*`` prints as written.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from matrixkit.text import long_date
from matrixkit_exporters import documents
from matrixkit_exporters.blocks import (
    Bullets,
    Cell,
    Chart,
    Definitions,
    Document,
    Fields,
    Heading,
    Matrix,
    Paragraph,
    Table,
    Warning,
)
from matrixkit_exporters.documents import NO_STATUS, change_text
from matrixkit_exporters.layout import (
    NONE,
    SHEET_FIELDS,
    SHEET_INSTRUCTIONS,
    action_when,
    agreement,
    collation_title,
    decimal,
    flag_explanations,
    group_label,
    instrument_heading,
    instrument_name,
    level_heading,
    level_name,
    percent,
    plural,
    report_meta,
    rule_text,
    sections,
    used_flags,
)

if TYPE_CHECKING:
    from matrixkit.model import Instrument, Level
    from matrixkit.report import CollationReport, Comparison, RecordSheet, RecordSummary, Stats, WorkshopReport
    from matrixkit.workshop import Action

__all__ = [
    "inline",
    "render_collation",
    "render_collation_sheet",
    "render_comparison",
    "render_document",
    "render_record",
    "render_report",
    "render_sheet",
    "render_summary",
    "table",
]

# Characters with a meaning anywhere in a line: emphasis, code, links, HTML, tables, strikethrough, entities,
# math ($ on GitHub) and the backslash itself.
_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|~&$])")
# What makes the start of a line a heading, list item, quote, rule or setext underline.
_LINE_START = re.compile(r"^(\s*)([#+\-=>:]|\d+(?=[.)]))")


def inline(text: str) -> str:
    """``text`` on one line, with Markdown syntax escaped."""
    one_line = " ".join(str(text).split())
    escaped = _SPECIAL.sub(r"\\\1", one_line)
    match = _LINE_START.match(escaped)
    if match:
        prefix, token = match.group(1), match.group(2)
        if token.isdigit():  # "1." or "2)": escape the punctuation after the number
            end = match.end()
            escaped = escaped[:end] + "\\" + escaped[end:]
        else:
            escaped = prefix + "\\" + escaped[len(prefix) :]
    return escaped


def paragraphs(text: str) -> list[str]:
    """Escaped paragraphs of a text whose paragraphs are separated by blank lines."""
    return [inline(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str] | None = None) -> list[str]:
    """A pipe table; cells are given already escaped. ``align`` per column: ``l``, ``r`` or ``c``."""
    marks = {"l": "---", "r": "--:", "c": ":-:"}
    align = align or ["l"] * len(headers)
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines += ["| " + " | ".join(cell if cell else " " for cell in row) + " |" for row in rows]
    return lines


def _source(instrument: Instrument) -> list[str]:
    source = instrument.source
    credit = source.attribution or source.title
    lines = []
    if credit:
        lines.append(f"Source: {inline(credit)}")
    if source.licence:
        lines.append(f"Licence: {inline(source.licence)}")
    return ["", "  \n".join(lines)] if lines else []


def _matrix(instrument: Instrument, *, mark_column: str | None) -> list[str]:
    lines: list[str] = []
    headers = ["Domain"] + [inline(level_heading(lv.label, lv.score)) for lv in instrument.levels]
    if mark_column:
        headers.append(mark_column)
    for section in sections(instrument):
        if section.group is not None:
            lines += ["", f"### {inline(section.group.title)}"]
            if section.group.description:
                lines += ["", *paragraphs(section.group.description)]
        rows = []
        for domain in section.domains:
            cells = [f"**{inline(domain.title)}**"] + [inline(d) for d in domain.descriptors]
            if mark_column:
                cells.append("")
            rows.append(cells)
        lines += ["", *table(headers, rows)]
    return lines


def _guidance(instrument: Instrument) -> list[str]:
    lines: list[str] = []
    for section in instrument.guidance:
        lines += ["", f"## {inline(section.title)}"]
        for paragraph in paragraphs(section.text):
            lines += ["", paragraph]
        if section.items:
            lines.append("")
            lines += [f"- {inline(item)}" for item in section.items]
    return lines


def render_sheet(instrument: Instrument) -> bytes:
    """The blank matrix as a record sheet: boxes for the person, the descriptors, a column for the level."""
    lines = [f"# {inline(instrument_heading(instrument))}", "", "Record sheet"]
    if instrument.description:
        lines += ["", *paragraphs(instrument.description)]
    lines += ["", *table(["About you", ""], [[f"**{field}**", ""] for field in SHEET_FIELDS])]
    lines += ["", inline(SHEET_INSTRUCTIONS)]
    scale = ", ".join(inline(level_heading(lv.label, lv.score)) for lv in instrument.levels)
    lines += ["", f"Levels, lowest first: {scale}."]
    lines += _matrix(instrument, mark_column="Your level")
    lines += _guidance(instrument)
    lines += _source(instrument)
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


def _finish(lines: list[str]) -> bytes:
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


# -- collation ---------------------------------------------------------------------------------------------


def _stats_cells(stats: Stats) -> list[str]:
    return [
        *(str(n) for n in stats.counts),
        str(stats.missing),
        inline(level_name(stats.suggested)),
        agreement(stats.agreement),
        percent(stats.within_one),
        inline(", ".join(stats.flags)),
    ]


def _stats_headers(report: CollationReport, first: str) -> tuple[list[str], list[str]]:
    levels = report.instrument.levels
    headers = [first, *(inline(level_heading(lv.label, lv.score)) for lv in levels)]
    headers += ["Not answered", f"Suggested ({inline(report.rule)})", "Agreement", "Within one level", "Flags"]
    return headers, ["l"] + ["r"] * (len(levels) + 1) + ["l", "r", "r", "l"]


def _collation_body(report: CollationReport, depth: int) -> list[str]:
    """The collation sections, headings starting at level ``depth``."""
    h = "#" * depth
    lines: list[str] = []
    for warning in report.warnings:
        lines += ["", f"> **Warning:** {inline(warning)}"]
    headers, align = _stats_headers(report, "Domain")
    rows = [[f"**{inline(r.domain.title)}**", *_stats_cells(r)] for r in report.domains]
    lines += ["", f"{h} Collation sheet", "", *table(headers, rows, align)]
    discuss = report.to_discuss
    if discuss:
        lines += ["", f"{h} Domains to discuss", ""]
        for r in discuss:
            extra = "; answers polarised between the extremes" if r.polarised else ""
            lines.append(
                f"- **{inline(r.domain.title)}**: agreement {agreement(r.agreement)} (below "
                f"{decimal(report.discuss_below)}), answers from {inline(level_name(r.lowest))} to "
                f"{inline(level_name(r.highest))}{extra}"
            )
    if report.by is not None:
        lines += ["", f"{h} By {inline(report.by)}", ""]
        lines.append(
            "The share of the disagreement that lies between the groups rather than within them (0%: all within "
            "groups, individual views; 100%: all between groups, sectoral views)."
        )
        share_rows = [[f"**{inline(r.domain.title)}**", percent(r.between_share)] for r in report.domains]
        lines += ["", *table(["Domain", "Between groups"], share_rows, ["l", "r"])]
        for name in report.groups:
            g_headers, g_align = _stats_headers(report, "Domain")
            g_rows = [[f"**{inline(r.domain.title)}**", *_stats_cells(r.group(name))] for r in report.domains]
            lines += ["", f"{h}# {inline(group_label(report, name))}", "", *table(g_headers, g_rows, g_align)]
    commented = [r for r in report.domains if r.comments]
    if commented:
        lines += ["", f"{h} Comments"]
        for r in commented:
            lines += ["", f"{h}# {inline(r.domain.title)}", ""]
            lines += [f"- {inline(c)}" for c in r.comments]
    lines += ["", f"{h} Reading the figures", ""]
    lines.append(f"- **Agreement**: {inline(report.agreement_explained)}")
    lines.append("- **Within one level**: The share of the answers at the suggested level or next to it.")
    meanings = flag_explanations(used_flags(report))
    lines += [f"- **Flag “{inline(flag)}”**: {inline(meaning)}" for flag, meaning in meanings]
    return lines


def _collation_meta(report: CollationReport) -> list[str]:
    instrument = report.instrument
    parts = [
        f"Instrument: {inline(instrument_heading(instrument))}",
        f"Responses: {report.responses}",
        f"Rule: {inline(rule_text(report))}",
    ]
    if report.by is not None:
        groups = ", ".join(inline(group_label(report, g)) for g in report.groups)
        parts.append(f"Split by {inline(report.by)}: {groups}")
    if report.sources:
        parts.append("Sources: " + ", ".join(inline(s) for s in report.sources))
    return ["", "  \n".join(parts)]


def render_collation(report: CollationReport) -> bytes:
    """The collation sheet: counts per level, suggestion, agreement and flags per domain; groups; comments."""
    lines = [f"# {inline(collation_title(report))}", *_collation_meta(report)]
    lines += _collation_body(report, 2)
    lines += _source(report.instrument)
    return _finish(lines)


# -- workshop report ---------------------------------------------------------------------------------------


def _actions_table(actions: tuple[Action, ...]) -> list[str]:
    rows = [[inline(a.what), inline(a.who or NONE), inline(action_when(a)), inline(a.measure or NONE)] for a in actions]
    return table(["What", "Who", "By when", "How progress will be measured"], rows)


def render_report(report: WorkshopReport) -> bytes:
    """The workshop report: agreed levels and priorities, actions, then the collation it rests on."""
    record = report.record
    lines = [f"# {inline(report.title)}", "", "  \n".join(f"{k}: {inline(v)}" for k, v in report_meta(report))]
    if record.notes:
        lines += ["", *paragraphs(record.notes)]
    for warning in report.warnings:
        lines += ["", f"> **Warning:** {inline(warning)}"]
    rule = inline(report.collation.rule)
    rows = []
    for d in report.decisions:
        agreed = inline(level_name(d.agreed))
        if d.differs_from_suggestion:
            agreed += " (differs from the suggestion)"
        rows.append(
            [
                f"**{inline(d.domain.title)}**",
                inline(level_name(d.result.suggested)),
                agreement(d.result.agreement),
                agreed,
                inline(level_name(d.target)),
                str(d.priority) if d.priority is not None else NONE,
                inline(d.priorities) if d.priorities else NONE,
            ]
        )
    headers = ["Domain", f"Suggested ({rule})", "Agreement", "Agreed level", "Target", "Priority"]
    headers.append("Proposed priorities for action")
    lines += ["", "## Agreed levels and priorities", "", *table(headers, rows, ["l", "l", "r", "l", "l", "r", "l"])]
    if report.priorities:
        lines += ["", "## Priorities for action"]
        for d in report.priorities:
            lines += ["", f"### {d.priority}. {inline(d.domain.title)}"]
            if d.priorities:
                lines += ["", *paragraphs(d.priorities)]
            if d.notes:
                lines += ["", f"Notes: {inline(d.notes)}"]
            if d.actions:
                lines += ["", *_actions_table(d.actions)]
    others = [d for d in report.decisions if d.priority is None and (d.actions or d.notes)]
    if others:
        lines += ["", "## Other decisions"]
        for d in others:
            lines += ["", f"### {inline(d.domain.title)}"]
            if d.notes:
                lines += ["", f"Notes: {inline(d.notes)}"]
            if d.actions:
                lines += ["", *_actions_table(d.actions)]
    if report.actions:
        lines += ["", "## Actions for the whole partnership", "", *_actions_table(report.actions)]
    # Not the collation's own title: in a report that is the workshop's, already the document's title.
    lines += ["", "## Collation of all responses", *_collation_meta(report.collation)]
    lines += _collation_body(report.collation, 3)
    inputs = report.inputs
    if inputs:
        headers = [
            "Domain",
            *(inline(report.label(c.title) if c.title else f"Input {i}") for i, c in enumerate(inputs, 1)),
        ]
        rows = [
            [f"**{inline(r.domain.title)}**"]
            + [f"{inline(level_name(c.domains[i].suggested))}, {agreement(c.domains[i].agreement)}" for c in inputs]
            for i, r in enumerate(report.collation.domains)
        ]
        lines += [
            "",
            "## Each table on its own",
            "",
            "Suggested level and agreement of each table, collated on its own.",
        ]
        lines += ["", *table(headers, rows)]
    lines += _source(report.instrument)
    return _finish(lines)


# -- record sheet ------------------------------------------------------------------------------------------


def _summary_row(name: str, summary: RecordSummary) -> list[str]:
    return [
        name,
        *(str(n) for n in summary.counts),
        str(summary.missing),
        decimal(summary.mean),
        inline(level_name(summary.median)),
        inline(level_name(summary.overall)),
    ]


def render_record(record: RecordSheet) -> bytes:
    """One person's record sheet: their level and comment per domain, then overall figures."""
    instrument = record.instrument
    lines = [f"# Record sheet: {inline(record.participant)}", ""]
    meta = [f"Instrument: {inline(instrument_heading(instrument))}"]
    meta += [f"{inline(k.capitalize())}: {inline(v)}" for k, v in sorted(record.attributes.items())]
    lines.append("  \n".join(meta))
    rows = []
    for e in record.entries:
        descriptor = e.domain.descriptors[e.index] if e.index is not None else "Not answered"
        title = f"**{inline(e.domain.title)}**"
        rows.append([title, inline(level_name(e.level)), inline(descriptor), inline(e.comment)])
    lines += ["", "## Levels", "", *table(["Domain", "Level", "Statement chosen", "Comment"], rows)]
    headers = ["", *(inline(level_heading(lv.label, lv.score)) for lv in instrument.levels)]
    headers += ["Not answered", "Mean score", "Median", f"Overall ({inline(record.rule)})"]
    summary = [_summary_row("**All domains**", record.overall)]
    summary += [_summary_row(f"**{inline(group.title)}**", s) for group, s in record.groups]
    align = ["l"] + ["r"] * (len(instrument.levels) + 2) + ["l", "l"]
    lines += ["", "## Summary", "", "Number of domains at each level.", "", *table(headers, summary, align)]
    lines += _source(instrument)
    return _finish(lines)


# -- progress between rounds -------------------------------------------------------------------------------


def _round(title: str, date: datetime.date | None, responses: int) -> str:
    when = f", {long_date(date)}" if date is not None else ""
    return f"{inline(title)}{when} ({plural(responses, 'response')})"


def _shown(level: Level | None, kind: str | None) -> str:
    return inline(level_name(level)) + (f" ({kind})" if kind else "")


def render_comparison(comparison: Comparison) -> bytes:
    """Progress between rounds: the level shown then and now (agreed where recorded, else suggested), the change,
    agreement then and now, and the earlier round's actions with their status."""
    lines = ["# Progress between rounds", ""]
    meta = [
        f"Then: {_round(comparison.before_title, comparison.before_date, comparison.before_responses)}",
        f"Now: {_round(comparison.after_title, comparison.after_date, comparison.after_responses)}",
        f"Instrument: {inline(instrument_name(comparison.instrument))}",
    ]
    lines.append("  \n".join(meta))
    for warning in comparison.warnings:
        lines += ["", f"> **Warning:** {inline(warning)}"]
    rows = [
        [
            f"**{inline(d.domain.title)}**",
            _shown(d.shown_before, d.shown_before_kind),
            _shown(d.shown_after, d.shown_after_kind),
            change_text(d.level_change),
            agreement(d.before.agreement),
            agreement(d.after.agreement),
        ]
        for d in comparison.domains
    ]
    headers = ["Domain", "Then", "Now", "Change", "Agreement then", "Agreement now"]
    lines += ["", "## Level per domain, then and now", "", *table(headers, rows, ["l", "l", "l", "l", "r", "r"])]
    lines += [
        "",
        "The level shown is the agreed level where the workshop recorded one, otherwise the level suggested from "
        "the answers; the change is the level shown now less the level shown then.",
    ]
    if comparison.only_before:
        lines += ["", f"Only in the earlier round: {inline(', '.join(comparison.only_before))}."]
    if comparison.only_after:
        lines += ["", f"Only in the later round: {inline(', '.join(comparison.only_after))}."]
    actions = [(d.domain.title, a) for d in comparison.domains for a in d.actions_before]
    actions += [("Whole partnership", a) for a in comparison.actions_before]
    if actions:
        rows = [
            [
                inline(domain),
                inline(a.what),
                inline(a.who or NONE),
                inline(action_when(a)),
                inline(a.status_label or NO_STATUS),
                inline(a.note),
            ]
            for domain, a in actions
        ]
        lines += ["", "## Actions from the earlier round", ""]
        lines += table(["Domain", "What", "Who", "By when", "Status", "Note"], rows)
    lines += _source(comparison.instrument)
    return _finish(lines)


# -- documents (the summary, the blank collation sheet) ------------------------------------------------------

_ALIGN = {"left": "l", "right": "r", "center": "c"}


def _cell(cell: Cell) -> str:
    # A cell's lines (one action per line) stay lines: a pipe table cell can only break with <br>.
    text = "<br>".join(inline(line) for line in cell.text.splitlines() if line.strip())
    if cell.bold and text:
        text = f"**{text}**"
    if cell.note:
        text = f"{text}<br>{inline(cell.note)}" if text else inline(cell.note)
    return text


def _spread(cells: Sequence[Cell]) -> list[str]:
    """Cells as pipe-table cells: a cell across several columns is followed by empty ones (Markdown tables have
    no spans)."""
    out: list[str] = []
    for cell in cells:
        out += [_cell(cell)] + [""] * (cell.colspan - 1)
    return out


def _table_block(block: Table) -> list[str]:
    columns = sum(c.colspan for c in block.header)
    align: list[str] = []
    for c in block.header:
        align += [_ALIGN[c.align]] * c.colspan
    rows = []
    for row in block.rows:
        if row.group:
            rows.append([f"**{inline(row.cells[0].text)}**"] + [""] * (columns - 1))
        else:
            rows.append(_spread(row.cells) + [""] * (columns - sum(c.colspan for c in row.cells)))
    return [f"**{inline(block.caption)}**", "", *table(_spread(block.header), rows, align)]


def _matrix_block(block: Matrix, document: Document) -> list[str]:
    levels = document.instrument.levels
    headers = ["Domain", *(inline(level_heading(lv.label, lv.score)) for lv in levels), inline(block.notes_heading)]
    rows = []
    for row in block.rows:
        if row.opens_group and row.group:
            rows.append([f"**{inline(row.group)}**"] + [""] * (len(levels) + 1))
        cells = [f"**{inline(row.title)}**"]
        for i, descriptor in enumerate(row.descriptors):
            chosen = block.marked and row.chosen == i
            cells.append(f"**✓ chosen** {inline(descriptor)}" if chosen else inline(descriptor))
        rows.append([*cells, inline(row.notes)])
    return [f"**{inline(block.caption)}**", "", *table(headers, rows)]


def _block(block: object, document: Document) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * block.level} {inline(block.text)}"]
    if isinstance(block, Paragraph):
        text = inline(block.text)
        if block.style == "instructions":
            text = f"*{text}*"
        return [f"**{inline(block.label)}:** {text}" if block.label else text]
    if isinstance(block, Bullets):
        return [f"- {inline(item)}" for item in block.items]
    if isinstance(block, Definitions):
        return ["  \n".join(f"{inline(term)}: {inline(value)}" for term, value in block.items)]
    if isinstance(block, Warning):
        return [f"> **Warning:** {inline(block.text)}"]
    if isinstance(block, Table):
        return _table_block(block)
    if isinstance(block, Matrix):
        return _matrix_block(block, document)
    if isinstance(block, Fields):
        return ["  \n".join(f"{inline(label)}: ______________________" for label in block.labels)]
    if isinstance(block, Chart):
        # No pictures in a Markdown file: the chart's caption and its text alternative, which says what it shows.
        return [f"*{inline(block.caption)}* {inline(block.alt)}"]
    raise TypeError(f"a Markdown document cannot show a {type(block).__name__}")


def render_document(document: Document) -> bytes:
    """A document for people (the blocks the HTML, PDF and Word files are made of) as Markdown."""
    lines: list[str] = []
    for part in document.parts:
        for block in part.blocks:
            if lines:
                lines.append("")
            lines += _block(block, document)
    if document.footer:
        lines += ["", f"Source: {inline(document.footer)}"]
    return _finish(lines)


def render_summary(report: WorkshopReport) -> bytes:
    """The one-page board summary: agreed levels, top priorities with who leads them and by when."""
    return render_document(documents.summary(report))


def render_collation_sheet(instrument: Instrument) -> bytes:
    """The blank Workshop Collation Sheet, for a table to fill in by hand (or in a shared Markdown file)."""
    return render_document(documents.collation_sheet(instrument))
