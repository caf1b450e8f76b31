"""Plain-text rendering of record sheets, collation sheets, workshop reports and comparisons for a terminal.

Everything shown comes from the report objects (:mod:`matrixkit.report`); nothing is computed here but layout.
"""

from __future__ import annotations

import datetime
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
from matrixkit.text import long_date, terminal_width, when_text
from matrixkit.workshop import Action

__all__ = [
    "comparison_lines",
    "render_collation",
    "render_collation_sheet",
    "render_comparison",
    "render_record",
    "render_report",
    "render_summary",
]


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
    if report.notes:
        lines += ["", "Notes on the inputs:", *[line for note in report.notes for line in _wrap(note, width, "  ")]]
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
        details.append(f"Date: {long_date(record.date)}")
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
    if report.collation.notes:
        lines += [
            "",
            "Notes on the inputs:",
            *[line for note in report.collation.notes for line in _wrap(note, width, "  ")],
        ]
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
            lines += _action_lines(action, width)
    if report.actions:
        lines += ["", "Partnership-wide actions"]
        for action in report.actions:
            lines += _action_lines(action, width)
    if report.comparison is not None:
        lines += ["", *comparison_lines(report.comparison, width, heading="Progress since the previous round")]
    if report.warnings and not report.collation.warnings:
        lines += ["", "Warnings:", *_warnings(report.warnings, width)]
    return "\n".join(lines) + "\n"


def _action_lines(action: Action, width: int) -> list[str]:
    lines = _wrap(f"- {action.what}", width, "  ")
    extra = "; ".join(
        x
        for x in (f"who: {action.who}" if action.who else "", f"by: {when_text(action.when)}" if action.when else "")
        if x
    )
    if extra:
        lines += _wrap(extra, width, "    ")
    if action.measure:
        lines += _wrap(f"measured by: {action.measure}", width, "    ")
    if action.status:
        lines += _wrap(f"status: {action.status_label}" + (f" ({action.note})" if action.note else ""), width, "    ")
    return lines


def render_summary(report: WorkshopReport, width: int | None = None) -> str:
    """A one-page summary for a partnership board: agreed levels, then the top priorities with owners and dates."""
    width = width or terminal_width()
    record = report.record
    lines = _heading(f"{record.title}: summary")
    when = f"{long_date(record.date)}, " if record.date else ""
    lines += _wrap(
        f"{when}{report.collation.responses} partners assessed {report.instrument.title}. Levels agreed at the "
        "workshop (suggested, where none was agreed):",
        width,
    )
    rows = []
    for d in report.decisions:
        level, kind = (d.agreed, "agreed") if d.agreed is not None else (d.result.suggested, "suggested")
        rows.append(
            [_cut(d.domain.label, 36), _level(level), kind if level is not None else "", _num(d.result.agreement)]
        )
    lines += ["", *_table(rows, ["Domain", "Level", "", "Agreement"], [False, False, False, True])]
    top = report.priorities[:5]
    if top:
        lines += ["", "Top priorities for action"]
        for d in top:
            lines += _wrap(f"{d.priority}. {d.domain.title}: {d.priorities or 'no priority text recorded'}", width)
            for action in d.actions:
                lines += _action_lines(action, width)
    if report.comparison is not None:
        moved = [c for c in report.comparison.domains if c.level_change]
        if moved:
            changes = ", ".join(f"{c.domain.label} {_signed(c.level_change)}" for c in moved)
            lines += ["", *_wrap(f"Since {report.comparison.before_title}: {changes}.", width)]
    return "\n".join(lines) + "\n"


def render_collation_sheet(instrument: Instrument, width: int | None = None) -> str:
    """The blank Workshop Collation Sheet: levels as rows, one column per domain, Consensus and Proposed
    Priorities for Action rows to fill in."""
    width = width or terminal_width()
    lines = _heading(f"Workshop Collation Sheet: {instrument.title}")
    lines += _wrap("Table: ________   Date: ________   Count how many people marked each level, per domain.", width)
    numbers = [str(i) for i in range(1, len(instrument.domains) + 1)]
    rows = [[f"{lv.label} ({lv.score})", *["____"] * len(numbers)] for lv in instrument.levels]
    rows.append([f"Consensus ({instrument.levels[0].score}–{instrument.levels[-1].score})", *["____"] * len(numbers)])
    lines += ["", *_table(rows, ["Level", *numbers], [False] + [True] * len(numbers))]
    lines += ["", "Domains:"]
    lines += [f"  {n}. {d.title}" for n, d in zip(numbers, instrument.domains, strict=True)]
    lines += ["", "Proposed Priorities for Action:"]
    lines += [
        f"  {n}. {d.label}: ________________________________" for n, d in zip(numbers, instrument.domains, strict=True)
    ]
    return "\n".join(lines) + "\n"


def _signed(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:+d}" if value else "0"
    return f"{value:+.{digits}f}"


def comparison_lines(comparison: Comparison, width: int, heading: str | None = None) -> list[str]:
    """Two rounds side by side: the level shown (and whether agreed or suggested), mean, agreement and how the
    distribution moved, per domain; then the earlier round's actions with their status."""
    instrument = comparison.instrument
    lines = _heading(heading or f"Comparison: {instrument.title} ({instrument.id})")

    def dated(title: str, date: datetime.date | None) -> str:
        return f"{title}, {long_date(date)}" if date is not None else title

    lines.append(
        f"Before: {dated(comparison.before_title, comparison.before_date)} ({comparison.before_responses} responses)"
    )
    lines.append(
        f"After:  {dated(comparison.after_title, comparison.after_date)} ({comparison.after_responses} responses)"
    )
    lines.append("")
    rows = []
    for c in comparison.domains:
        rows.append(
            [
                _cut(c.domain.label, 30),
                _level(c.shown_before) + (f" ({c.shown_before_kind})" if c.shown_before_kind else ""),
                _level(c.shown_after) + (f" ({c.shown_after_kind})" if c.shown_after_kind else ""),
                _signed(c.level_change),
                f"{_num(c.before.agreement)} → {_num(c.after.agreement)}",
                _pct(c.distribution_shift),
            ]
        )
    lines += _table(
        rows,
        ["Domain", "Before", "After", "Change", "Agreement", "Shift"],
        [False, False, False, True, True, True],
    )
    lines += [""]
    lines += _wrap(
        "Before/After: the agreed level where a workshop record gives one, else the suggested level; the change "
        "is counted between the levels shown. Shift: how much of the distribution of answers moved (0% = the "
        "same, 100% = no overlap).",
        width,
    )
    earlier = [(c.domain.title, a) for c in comparison.domains for a in c.actions_before]
    earlier += [("Partnership-wide", a) for a in comparison.actions_before]
    if earlier:
        lines += ["", "Actions from the earlier round"]
        shown = None
        for title, action in earlier:
            if title != shown:
                lines += _wrap(f"{title}:", width, "  ")
                shown = title
            lines += _action_lines(action, width)
    if comparison.only_before:
        lines.append("Only in the earlier round: " + ", ".join(comparison.only_before))
    if comparison.only_after:
        lines.append("Only in the later round: " + ", ".join(comparison.only_after))
    if comparison.warnings:
        lines += ["", "Warnings:", *_warnings(comparison.warnings, width)]
    return lines


def render_comparison(comparison: Comparison, width: int | None = None) -> str:
    """Two rounds side by side (see :func:`comparison_lines`)."""
    return "\n".join(comparison_lines(comparison, width or terminal_width())) + "\n"
