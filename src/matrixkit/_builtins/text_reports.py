"""Plain-text rendering of record sheets, collation sheets, workshop reports and comparisons for a terminal.

Everything shown comes from the report objects (:mod:`matrixkit.report`); nothing is computed here but layout.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from matrixkit.model import Instrument, Level
from matrixkit.report import (
    FLAGS,
    CollationReport,
    Comparison,
    DomainResult,
    RecordSheet,
    RecordSummary,
    Stats,
    WorkshopReport,
)
from matrixkit.text import terminal_width

__all__ = ["render_collation", "render_comparison", "render_record", "render_report"]


def _table(rows: Sequence[Sequence[str]], headers: Sequence[str], right: Sequence[bool] | None = None) -> list[str]:
    right = right or [False] * len(headers)
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]

    def fmt(row: Sequence[str]) -> str:
        cells = [str(c).rjust(w) if r else str(c).ljust(w) for c, w, r in zip(row, widths, right, strict=True)]
        return "  ".join(cells).rstrip()

    return [fmt(headers), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _level(level: Level | None) -> str:
    return "—" if level is None else f"{level.score} {level.label}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width=width, initial_indent=indent, subsequent_indent=indent)


def _legend(instrument: Instrument) -> str:
    return "Levels: " + ", ".join(f"{lv.score} = {lv.label}" for lv in instrument.levels) + "; ? = not answered."


def _warnings(warnings: Sequence[str], width: int) -> list[str]:
    lines: list[str] = []
    for warning in warnings:
        wrapped = _wrap(warning, width - 4)
        lines += ["  ! " + wrapped[0], *("    " + line for line in wrapped[1:])]
    return lines


def _heading(text: str) -> list[str]:
    return [text, "=" * len(text)]


def _counts_table(report: CollationReport, agreed: dict[str, Level | None] | None = None) -> list[str]:
    instrument = report.instrument
    headers = ["Domain", *(str(lv.score) for lv in instrument.levels), "?", "Suggested", "Agreement", "±1"]
    if agreed is not None:
        headers.append("Agreed")
    headers.append("Flags")
    rows = []
    for d in report.domains:
        row = [
            _cut(d.domain.label, 30),
            *(str(n) for n in d.counts),
            str(d.missing),
            _level(d.suggested),
            _num(d.agreement),
            _pct(d.within_one),
        ]
        if agreed is not None:
            row.append(_level(agreed.get(d.domain.key)))
        row.append(", ".join(d.flags))
        rows.append(row)
    right = [False] + [True] * (len(instrument.levels) + 1) + [False, True, True]
    if agreed is not None:
        right.append(False)
    right.append(False)
    return _table(rows, headers, right)


def _groups_table(report: CollationReport) -> list[str]:
    headers = ["Domain", *(f"{name} (n={size})" for name, size in report.group_sizes), "Between"]
    rows = []
    for d in report.domains:
        cells = []
        for name in report.groups:
            g = d.group(name)
            cells.append("—" if g.suggested is None else f"{g.suggested.score} ({_num(g.agreement)})")
        rows.append([_cut(d.domain.label, 30), *cells, _pct(d.between_share)])
    right = [False] + [True] * (len(report.groups) + 1)
    return _table(rows, headers, right)


def _flags_legend(domains: Sequence[Stats]) -> list[str]:
    used = [f for f in FLAGS if any(f in d.flags for d in domains)]
    return [f"  {flag}: {FLAGS[flag]}" for flag in used]


def _comments(domains: Sequence[DomainResult], width: int) -> list[str]:
    lines: list[str] = []
    for d in domains:
        if d.comments:
            lines.append(f"{d.domain.title}:")
            for comment in d.comments:
                lines += _wrap(comment, width, "  - ")
    return lines


def collation_lines(report: CollationReport, width: int, agreed: dict[str, Level | None] | None = None) -> list[str]:
    """The body of a collation sheet (without the title)."""
    lines = [f"{report.responses} responses. Rule: {report.rule} ({report.rule_description})."]
    lines += _wrap(
        f"Agreement is Tastle–Wierman consensus (1 = unanimous); ±1 is the share within one level of the "
        f"suggestion; domains below {report.discuss_below:g} are flagged 'discuss'.",
        width,
    )
    lines += [_legend(report.instrument), ""]
    lines += _counts_table(report, agreed)
    if report.by is not None:
        lines += ["", f"By {report.by}: suggested level (agreement) per group; 'Between' is the share of the"]
        lines += ["disagreement that lies between groups rather than within them.", ""]
        lines += _groups_table(report)
    flags = _flags_legend(report.domains)
    if flags:
        lines += ["", "Flags:", *flags]
    discuss = report.to_discuss
    if discuss:
        lines += ["", "To discuss: " + ", ".join(d.domain.title for d in discuss) + "."]
    comments = _comments(report.domains, width)
    if comments:
        lines += ["", "Comments", "--------", *comments]
    if report.warnings:
        lines += ["", "Warnings:", *_warnings(report.warnings, width)]
    return lines


def render_collation(report: CollationReport, width: int | None = None) -> str:
    """A collation sheet for the terminal: counts per level, suggestion, agreement and flags per domain."""
    width = width or terminal_width()
    instrument = report.instrument
    title = report.title or f"Collation sheet: {instrument.title}"
    lines = _heading(f"{title} ({instrument.id} {instrument.version})")
    if report.sources:
        lines += _wrap("Inputs: " + ", ".join(report.sources), width)
    lines += collation_lines(report, width)
    return "\n".join(lines) + "\n"


def _summary_line(name: str, s: RecordSummary) -> str:
    return (
        f"{name}: {s.answered} of {s.domains} domains answered; overall {_level(s.overall)}, "
        f"median {_level(s.median)}, mean {_num(s.mean)}"
    )


def render_record(sheet: RecordSheet, width: int | None = None) -> str:
    """One person's record sheet: their level per domain, then overall figures."""
    width = width or terminal_width()
    instrument = sheet.instrument
    lines = _heading(f"Record sheet: {instrument.title} ({instrument.id} {instrument.version})")
    who = sheet.participant
    if sheet.attributes:
        who += " (" + ", ".join(f"{k}: {v}" for k, v in sheet.attributes.items()) + ")"
    lines += [f"Participant: {who}", ""]
    rows = [[_cut(e.domain.label, 34), _level(e.level), e.comment] for e in sheet.entries]
    table = _table(rows, ["Domain", "Level", "Comment"])
    lines += [line if len(line) <= width else _cut(line, width) for line in table]
    lines += ["", _summary_line("Overall", sheet.overall)]
    counts = ", ".join(f"{lv.label} {n}" for lv, n in zip(instrument.levels, sheet.overall.counts, strict=True))
    lines.append(f"Domains per level: {counts}; not answered {sheet.overall.missing}.")
    for group, summary in sheet.groups:
        lines.append(_summary_line(group.title, summary))
    lines += ["", f"(The overall level is proposed by the rule '{sheet.rule}' across the domains.)"]
    return "\n".join(lines) + "\n"


def render_report(report: WorkshopReport, width: int | None = None) -> str:
    """A workshop report: details, the collation with agreed levels, then priorities and actions."""
    width = width or terminal_width()
    record = report.record
    instrument = report.instrument
    lines = _heading(record.title)
    details = [f"Instrument: {instrument.title} ({instrument.id} {instrument.version})"]
    if record.date:
        details.append(f"Date: {record.date.isoformat()}")
    if record.place:
        details.append(f"Place: {record.place}")
    if record.facilitators:
        details.append("Facilitators: " + ", ".join(record.facilitators))
    lines += details
    if record.notes:
        lines += ["", *_wrap(record.notes, width)]
    lines += ["", "Collation and agreed levels", "---------------------------"]
    agreed = {d.domain.key: d.agreed for d in report.decisions}
    lines += collation_lines(report.collation, width, agreed)
    if report.inputs:
        lines += ["", "Per input", "---------"]
        for part in report.inputs:
            suggested = ", ".join(f"{d.domain.key} {d.suggested.score if d.suggested else '—'}" for d in part.domains)
            lines += _wrap(f"{part.title} ({part.responses} responses): {suggested}", width)
    lines += ["", "Decisions", "---------"]
    ordered = list(report.priorities) + [d for d in report.decisions if d.priority is None]
    for d in ordered:
        if not (d.agreed or d.priorities or d.notes or d.actions or d.target):
            continue
        head = d.domain.title
        if d.priority is not None:
            head = f"Priority {d.priority}: {head}"
        lines.append(head)
        lines.append(
            f"  agreed {_level(d.agreed)} (suggested {_level(d.result.suggested)})"
            + (f"; aiming for {_level(d.target)}" if d.target else "")
        )
        if d.priorities:
            lines += _wrap(f"Priorities for action: {d.priorities}", width, "  ")
        if d.notes:
            lines += _wrap(f"Notes: {d.notes}", width, "  ")
        for action in d.actions:
            lines += _action_lines(action.what, action.who, action.when, action.measure, width)
    if report.actions:
        lines += ["", "Partnership-wide actions"]
        for action in report.actions:
            lines += _action_lines(action.what, action.who, action.when, action.measure, width)
    if report.warnings and not report.collation.warnings:
        lines += ["", "Warnings:", *_warnings(report.warnings, width)]
    return "\n".join(lines) + "\n"


def _action_lines(what: str, who: str, when: str, measure: str, width: int) -> list[str]:
    lines = _wrap(f"- {what}", width, "  ")
    extra = "; ".join(x for x in (f"who: {who}" if who else "", f"by: {when}" if when else "") if x)
    if extra:
        lines += _wrap(extra, width, "    ")
    if measure:
        lines += _wrap(f"measured by: {measure}", width, "    ")
    return lines


def _signed(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:+d}" if value else "0"
    return f"{value:+.{digits}f}"


def render_comparison(comparison: Comparison, width: int | None = None) -> str:
    """Two rounds side by side: level, mean, agreement and distribution changes per domain."""
    width = width or terminal_width()
    instrument = comparison.instrument
    lines = _heading(f"Comparison: {instrument.title} ({instrument.id})")
    lines.append(f"Before: {comparison.before_title} ({comparison.before_responses} responses)")
    lines.append(f"After:  {comparison.after_title} ({comparison.after_responses} responses)")
    lines.append("")
    rows = []
    for c in comparison.domains:
        before = c.agreed_before or c.before.suggested
        after = c.agreed_after or c.after.suggested
        rows.append(
            [
                _cut(c.domain.label, 30),
                _level(before),
                _level(after),
                _signed(c.level_change),
                f"{_num(c.before.mean)} → {_num(c.after.mean)}",
                f"{_num(c.before.agreement)} → {_num(c.after.agreement)}",
                _pct(c.distribution_shift),
            ]
        )
    lines += _table(
        rows,
        ["Domain", "Before", "After", "Change", "Mean", "Agreement", "Shift"],
        [False, False, False, True, True, True, True],
    )
    lines += [""]
    lines += _wrap(
        "Before/After: the agreed level where a workshop record gives one, else the suggested level. Shift: how "
        "much of the distribution of answers moved (total variation distance, 0% = the same, 100% = no overlap).",
        width,
    )
    if comparison.only_before:
        lines.append("Only in the earlier round: " + ", ".join(comparison.only_before))
    if comparison.only_after:
        lines.append("Only in the later round: " + ", ".join(comparison.only_after))
    if comparison.warnings:
        lines += ["", "Warnings:", *_warnings(comparison.warnings, width)]
    return "\n".join(lines) + "\n"
