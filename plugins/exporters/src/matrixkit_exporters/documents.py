"""What each document for people says, in which order: sheets, record sheets, collations and workshop reports.

Each function arranges one subject into a :class:`~matrixkit_exporters.blocks.Document`, which the PDF, Word and
HTML exporters lay out, each in its own medium. Nothing here computes a statistic: figures come from the report
objects, formatted by :mod:`matrixkit_exporters.layout`.

The Workshop Collation Sheet keeps the toolkit's shape: the levels as rows (lowest first), one column per domain,
then a Consensus row and a Proposed Priorities for Action row; agreement, and what each flag means, beneath it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from matrixkit.report import AGREEMENT_EXPLAINED
from matrixkit.rules import DISCUSS_BELOW
from matrixkit.text import long_date
from matrixkit_exporters import charts
from matrixkit_exporters.blocks import (
    Block,
    Bullets,
    Cell,
    Chart,
    Definitions,
    Document,
    Fields,
    Heading,
    Matrix,
    MatrixRow,
    Paragraph,
    Part,
    Row,
    Table,
    Warning,
)
from matrixkit_exporters.layout import (
    NONE,
    SHEET_FIELDS,
    SHEET_INSTRUCTIONS,
    action_when,
    agreement,
    collation_title,
    credit,
    decimal,
    flag_explanations,
    group_label,
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
    from matrixkit.report import (
        CollationReport,
        Comparison,
        DomainDecisionResult,
        RecordSheet,
        RecordSummary,
        Stats,
        WorkshopReport,
    )
    from matrixkit.workshop import Action

__all__ = [
    "change_text",
    "collation",
    "collation_sheet",
    "collation_tables",
    "comparison",
    "record",
    "report",
    "sheet",
    "summary",
]

#: Tables of actions up to this many rows are kept on one page (longer ones break between rows).
KEEP_ROWS = 12
#: Shown for an action whose status the record does not give.
NO_STATUS = "Not recorded"
#: The height (mm) of a chart that opens a page of its own: the page less its heading and caption.
CHART_PAGE = 158.0
#: Most domains side by side in one collation sheet table; more continue in a second table below.
MAX_DOMAIN_COLUMNS = 10
#: Room to write in, in millimetres: a count in a blank collation sheet, the consensus, the proposed priorities
#: (less in a filled-in collation, whose page holds more).
WRITE_IN = 12.0
WRITE_IN_CONSENSUS = 14.0
WRITE_IN_PRIORITIES = 40.0
WRITE_IN_PRIORITIES_FILLED = 28.0


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _index(level: Level | None, instrument: Instrument) -> int | None:
    return None if level is None else instrument.levels.index(level)


def _level_cell(level: Level | None, instrument: Instrument, *, bold: bool = False, note: str = "") -> Cell:
    return Cell(level_name(level), level=_index(level, instrument), bold=bold, note=note)


def _document(instrument: Instrument, title: str, what: str, parts: Sequence[Part]) -> Document:
    """A document with the file properties every document carries: what it is, the instrument (with its id and
    version), the source and its licence. These stay out of the pages, where one small footer line credits the
    source."""
    source = instrument.source
    subject = [what, f"{instrument.title} ({instrument.id} {instrument.version})"]
    if credit(instrument):
        subject.append(f"Source: {credit(instrument)}")
    if source.url:
        subject.append(source.url)
    if source.licence:
        subject.append(f"Licence: {' '.join(source.licence.split())}")
    return Document(
        instrument=instrument,
        title=title,
        parts=tuple(parts),
        footer=credit(instrument),
        subject=" · ".join(subject),
        keywords=(instrument.id, f"version {instrument.version}", "maturity matrix", "matrixkit"),
        author=" ".join(source.publisher.split()) or "matrixkit",
    )


def _guidance(instrument: Instrument) -> list[Block]:
    """The instrument's guidance and each domain's notes, when the instrument carries them."""
    blocks: list[Block] = []
    noted = [d for d in instrument.domains if d.guidance]
    if not instrument.guidance and not noted:
        return blocks
    blocks.append(Heading(2, "Guidance"))
    for section in instrument.guidance:
        blocks.append(Heading(3, section.title))
        blocks += [Paragraph(p) for p in _paragraphs(section.text)]
        if section.items:
            blocks.append(Bullets(section.items))
    if noted:
        blocks.append(Heading(3, "Notes on the domains"))
        blocks.append(Definitions([(d.title, " ".join(d.guidance.split())) for d in noted]))
    return blocks


def _matrix_rows(
    instrument: Instrument, chosen: Sequence[int | None] | None = None, notes: Sequence[str] = ()
) -> list[MatrixRow]:
    rows = []
    i = 0
    for section in sections(instrument):
        for k, domain in enumerate(section.domains):
            rows.append(
                MatrixRow(
                    domain.title,
                    domain.descriptors,
                    group=section.group.title if section.group is not None else None,
                    opens_group=section.group is not None and k == 0,
                    chosen=chosen[i] if chosen is not None else None,
                    notes=notes[i] if i < len(notes) else "",
                )
            )
            i += 1
    return rows


# -- the blank sheet ------------------------------------------------------------------------------------------


def sheet(instrument: Instrument) -> Document:
    """The handout: boxes for the person, what to do, the matrix to ring; the guidance only when the instrument
    carries it (``matrixkit sheet --guidance``), as its own section on a new page."""
    first = Part(
        [
            Heading(1, instrument.title),
            Fields(SHEET_FIELDS),
            Paragraph(SHEET_INSTRUCTIONS, style="instructions"),
            Matrix(f"{instrument.title}: ring one statement in each row", _matrix_rows(instrument)),
        ]
    )
    parts = [first]
    guidance = _guidance(instrument)
    if guidance:
        parts.append(Part(guidance, new_page=True, landscape=False))
    return _document(instrument, f"Record sheet: {instrument.title}", "Blank record sheet", parts)


# -- one person's record --------------------------------------------------------------------------------------


def _summary_table(record: RecordSheet) -> Table:
    instrument = record.instrument
    levels = instrument.levels
    header = [Cell("Domains")] + [Cell(level_heading(lv.label, lv.score), level=j) for j, lv in enumerate(levels)]
    header += [Cell("Not answered"), Cell("Mean score"), Cell("Median"), Cell(f"Overall ({record.rule})")]
    summaries: list[tuple[str, RecordSummary]] = [("All domains", record.overall)]
    summaries += [(group.title, s) for group, s in record.groups]
    rows = [
        Row(
            [
                Cell(name, bold=True),
                *(Cell(str(n), align="right") for n in s.counts),
                Cell(str(s.missing), align="right"),
                Cell(decimal(s.mean), align="right"),
                _level_cell(s.median, instrument),
                _level_cell(s.overall, instrument, bold=True),
            ]
        )
        for name, s in summaries
    ]
    widths = [2.0] + [1.0] * (len(levels) + 2) + [1.6, 1.6]
    return Table("Number of domains at each level", header, rows, widths)


def record(record: RecordSheet) -> Document:
    """One person's record: the matrix with the statements they chose, their comments, figures and chart."""
    instrument = record.instrument
    meta = [("Instrument", instrument_name(instrument))]
    meta += [(name.capitalize(), value) for name, value in sorted(record.attributes.items())]
    chosen = [e.index for e in record.entries]
    series = [charts.Series(record.participant, chosen)]
    blocks: list[Block] = [
        Heading(1, f"Record sheet: {record.participant}"),
        Definitions(meta),
        Matrix(
            f"{instrument.title}: the statement chosen in each row is marked",
            _matrix_rows(instrument, chosen, [e.comment for e in record.entries]),
            notes_heading="Comment",
            marked=True,
        ),
    ]
    # The summary and its chart start a page: the chart is half a page high.
    summary: list[Block] = [
        Heading(2, "Summary"),
        _summary_table(record),
        Chart(
            charts.record_chart(record),
            charts.describe_levels(instrument, series),
            f"The level {record.participant} chose in each domain.",
        ),
    ]
    parts = [Part(blocks), Part(summary, new_page=True)]
    return _document(instrument, f"Record sheet: {record.participant}", "Record sheet", parts)


# -- the Workshop Collation Sheet -----------------------------------------------------------------------------


def _chunks(n: int) -> list[range]:
    """Domain columns cut into tables of at most :data:`MAX_DOMAIN_COLUMNS`, as evenly as possible."""
    count = -(-n // MAX_DOMAIN_COLUMNS) or 1
    size = -(-n // count) if n else 0
    return [range(start, min(start + size, n)) for start in range(0, n, size)] if n else [range(0)]


def consensus_label(instrument: Instrument) -> str:
    """``Consensus (1–4)``: the row where the workshop writes (or reads) the level it settled on."""
    first, last = instrument.levels[0].score, instrument.levels[-1].score
    return f"Consensus ({first}–{last})"


def collation_tables(
    instrument: Instrument,
    results: Sequence[Stats] | None,
    *,
    caption: str,
    rule: str = "",
    decisions: Sequence[DomainDecisionResult] | None = None,
    priorities: bool = True,
) -> list[Table]:
    """The toolkit's Workshop Collation Sheet: levels as rows, one column per domain.

    ``results`` None gives the blank sheet that a table fills in by hand: a box per level and domain for the
    count, a Consensus row and a Proposed Priorities for Action row. With results, the counts per level (the
    suggested level's count outlined), not answered, the Consensus row (the suggested level; in a workshop report
    the agreed level, with the suggestion in the next row), agreement, within one level, flags, and the proposed
    priorities (blank in a collation, for the workshop to fill in; from the record in a report; left out with
    ``priorities`` False, as in one group's sheet).
    """
    levels = instrument.levels
    tables = []
    chunks = _chunks(len(instrument.domains))
    for chunk in chunks:
        domains = [instrument.domains[i] for i in chunk]
        part = f" (domains {chunk.start + 1}–{chunk.stop})" if len(chunks) > 1 else ""
        header = [Cell("Level")] + [Cell(d.label, align="center") for d in domains]
        rows: list[Row] = []
        for j, level in enumerate(levels):
            first = Cell(level_heading(level.label, level.score), level=j, bold=True)
            if results is None:
                rows.append(Row([first, *(Cell("") for _ in chunk)], write_in=WRITE_IN))
                continue
            cells = [first]
            for i in chunk:
                stats = results[i]
                shown = decisions[i].agreed if decisions is not None else stats.suggested
                marked = shown is not None and levels.index(shown) == j
                cells.append(
                    Cell(str(stats.counts[j]), level=j if marked else None, bold=marked, mark=marked, align="center")
                )
            rows.append(Row(cells))
        if results is None:
            rows.append(
                Row(
                    [Cell(consensus_label(instrument), bold=True), *(Cell("") for _ in chunk)],
                    write_in=WRITE_IN_CONSENSUS,
                )
            )
        else:
            rows.append(
                Row([Cell("Not answered", bold=True)] + [Cell(str(results[i].missing), align="center") for i in chunk])
            )
            if decisions is not None:
                rows.append(
                    Row(
                        [Cell(f"{consensus_label(instrument)}, agreed", bold=True)]
                        + [_level_cell(decisions[i].agreed, instrument, bold=True) for i in chunk]
                    )
                )
                rows.append(
                    Row(
                        [Cell(f"Suggested ({rule})", bold=True)]
                        + [_level_cell(results[i].suggested, instrument) for i in chunk]
                    )
                )
            else:
                rows.append(
                    Row(
                        [Cell(f"{consensus_label(instrument)}, suggested ({rule})", bold=True)]
                        + [_level_cell(results[i].suggested, instrument, bold=True) for i in chunk]
                    )
                )
            rows.append(
                Row(
                    [Cell("Agreement (0–1)", bold=True)]
                    + [Cell(agreement(results[i].agreement), align="center") for i in chunk]
                )
            )
            rows.append(
                Row(
                    [Cell("Within one level", bold=True)]
                    + [Cell(percent(results[i].within_one), align="center") for i in chunk]
                )
            )
            rows.append(
                Row([Cell("Flags", bold=True)] + [Cell(", ".join(results[i].flags), align="center") for i in chunk])
            )
        if priorities:
            texts = [decisions[i].priorities if decisions is not None else "" for i in chunk]
            rows.append(
                Row(
                    [Cell("Proposed Priorities for Action", bold=True)] + [Cell(" ".join(t.split())) for t in texts],
                    write_in=0
                    if any(texts)
                    else (WRITE_IN_PRIORITIES if results is None else WRITE_IN_PRIORITIES_FILLED),
                )
            )
        widths = [1.5] + [1.0] * len(domains)
        tables.append(Table(caption + part, header, rows, widths, wide=True, scale=0.95, keep=True))
    return tables


#: The boxes at the top of a blank Workshop Collation Sheet.
COLLATION_FIELDS = ("Table", "Facilitator", "Date", "Number of sheets")


def collation_sheet(instrument: Instrument) -> Document:
    """The blank Workshop Collation Sheet a table fills in by hand: a box per level and domain for the number of
    sheets that chose it, a Consensus row and a Proposed Priorities for Action row, on one A4 landscape page."""
    scores = f"{instrument.levels[0].score}–{instrument.levels[-1].score}"
    intro = next((s for s in instrument.guidance if s.key == "collation-sheet"), None)
    blocks: list[Block] = [Heading(1, f"Workshop Collation Sheet: {instrument.title}"), Fields(COLLATION_FIELDS)]
    if intro is not None:
        # The instrument's own words for its collation sheet (the toolkit's, for the PIT tools).
        blocks += [Paragraph(p) for p in _paragraphs(intro.text)]
    blocks.append(
        Paragraph(
            "For each domain, count the sheets that chose each level and write the number in its box. Talk through "
            f"where views differ, agree the consensus level ({scores}) and the proposed priorities for action.",
            style="instructions",
        )
    )
    blocks += collation_tables(instrument, None, caption="Number of sheets at each level, per domain")
    return _document(
        instrument, f"Workshop Collation Sheet: {instrument.title}", "Blank workshop collation sheet", [Part(blocks)]
    )


def _reading(report: CollationReport, *, rule: bool = True) -> list[Block]:
    """What agreement and the flags in a table mean, in plain English: beneath every table that shows them."""
    blocks: list[Block] = []
    items = []
    if rule:
        described = f": {report.rule_description}" if report.rule_description else ""
        items.append(
            (
                "Suggested level",
                f"Proposed from the answers by the “{report.rule}” rule{described}. The workshop decides the agreed "
                "level.",
            )
        )
    items.append(("Agreement", report.agreement_explained))
    items.append(("Within one level", "The share of the answers at the suggested level or next to it."))
    items += [(f"Flag “{flag}”", text) for flag, text in flag_explanations(used_flags(report))]
    blocks.append(Definitions(items))
    return blocks


def _discuss(report: CollationReport) -> list[Block]:
    items = []
    for r in report.to_discuss:
        text = (
            f"{r.domain.title}: agreement {agreement(r.agreement)} (below {decimal(report.discuss_below)}); "
            f"answers from {level_name(r.lowest)} to {level_name(r.highest)}"
        )
        if r.polarised:
            text += "; views split between the extremes"
        items.append(text + ".")
    return [Bullets(items)] if items else []


def _group_table(report: CollationReport) -> Table:
    instrument = report.instrument
    header = [Cell("Domain")] + [Cell(group_label(report, g)) for g in report.groups] + [Cell("Between groups")]
    rows = [
        Row(
            [Cell(r.domain.title, bold=True)]
            + [
                _level_cell(r.group(g).suggested, instrument, note=f"agreement {agreement(r.group(g).agreement)}")
                for g in report.groups
            ]
            + [Cell(percent(r.between_share), align="right")]
        )
        for r in report.domains
    ]
    widths = [2.0] + [1.2] * len(report.groups) + [1.0]
    return Table(
        f"Suggested level and agreement by {report.by}", header, rows, widths, wide=len(report.groups) > 3, keep=True
    )


def _sheet_blocks(
    report: CollationReport, depth: int, decisions: Sequence[DomainDecisionResult] | None = None
) -> list[Block]:
    """Warnings, the Workshop Collation Sheet (with the workshop's ``decisions`` when given) and what its figures
    mean."""
    blocks: list[Block] = [Warning(w) for w in report.warnings]
    blocks.append(Heading(depth, "Workshop Collation Sheet"))
    blocks += collation_tables(
        report.instrument,
        report.domains,
        caption="Number of people at each level, per domain",
        rule=report.rule,
        decisions=decisions,
    )
    return blocks + _reading(report)


def _chart_blocks(report: CollationReport, series: Sequence[charts.Series], heading: Heading) -> list[Block]:
    """A heading and the two charts: the level per domain of each series, and how people placed each domain."""
    distribution, by_level = charts.collation_charts(report, series)
    return [
        heading,
        Chart(
            by_level,
            charts.describe_levels(report.instrument, series),
            "Level per domain: " + ", ".join(s.name for s in series) + ".",
            height=CHART_PAGE,
        ),
        Chart(
            distribution,
            charts.describe_distribution(report),
            "How many people chose each level, per domain (hatched: not answered).",
        ),
    ]


def _details_blocks(report: CollationReport, depth: int) -> list[Block]:
    """Domains to discuss, the view by group (each group's own sheet), and comments."""
    instrument = report.instrument
    blocks: list[Block] = []
    discuss = _discuss(report)
    if discuss:
        blocks += [Heading(depth, "Domains to discuss"), *discuss]
    if report.by is not None:
        blocks += [
            Heading(depth, f"By {report.by}"),
            Paragraph(
                "The suggested level and agreement of each group, and how much of the disagreement lies between "
                "the groups rather than within them (0%: individual views; 100%: the groups see it differently)."
            ),
            _group_table(report),
        ]
        for name in report.groups:
            blocks.append(Heading(depth + 1, group_label(report, name)))
            blocks += collation_tables(
                instrument,
                [r.group(name) for r in report.domains],
                caption=f"Answers of {name}: number of people at each level",
                rule=report.rule,
                priorities=False,
            )
    commented = [r for r in report.domains if r.comments]
    if commented:
        blocks.append(Heading(depth, "Comments"))
        for r in commented:
            blocks += [Heading(depth + 1, r.domain.title), Bullets(r.comments)]
    return blocks


def _collation_meta(report: CollationReport) -> list[tuple[str, str]]:
    rows = [
        ("Instrument", instrument_name(report.instrument)),
        ("Responses", str(report.responses)),
        ("Suggested level", rule_text(report)),
    ]
    if report.by is not None:
        rows.append((f"By {report.by}", ", ".join(group_label(report, g) for g in report.groups)))
    if report.sources:
        rows.append(("Sources", ", ".join(report.label(s) for s in report.sources)))
    return rows


def collation(report: CollationReport) -> Document:
    """A collation: the Workshop Collation Sheet filled in, what its figures mean, charts, the view by group."""
    title = collation_title(report)
    first: list[Block] = [Heading(1, title), Definitions(_collation_meta(report)), *_sheet_blocks(report, 2)]
    # The charts start a page: a chart is half a page high, and its heading goes with it.
    rest = _chart_blocks(report, charts.collation_series(report), Heading(2, "Charts")) + _details_blocks(report, 2)
    return _document(report.instrument, title, "Workshop collation", [Part(first), Part(rest, new_page=True)])


# -- the workshop report --------------------------------------------------------------------------------------


def _actions_table(actions: Sequence[Action], caption: str) -> Table:
    """What, who, by when and how progress will be measured; and how far each got, once the record says so."""
    header = [Cell("What"), Cell("Who"), Cell("By when"), Cell("How progress will be measured")]
    widths = [3.0, 2.0, 1.4, 3.0]
    tracked = any(a.status for a in actions)
    if tracked:
        header.append(Cell("Status"))
        widths.append(1.6)
    rows = []
    for a in actions:
        cells = [Cell(a.what), Cell(a.who or NONE), Cell(action_when(a)), Cell(a.measure or NONE)]
        if tracked:
            cells.append(Cell(a.status_label or NO_STATUS, note=" ".join(a.note.split()), bold=a.status == "done"))
        rows.append(Row(cells))
    return Table(caption, header, rows, widths, row_headers=False, keep=len(rows) <= KEEP_ROWS)


def _decisions_table(report: WorkshopReport) -> Table:
    instrument = report.instrument
    header = [
        Cell("Domain"),
        Cell(f"Suggested ({report.collation.rule})"),
        Cell("Agreement", align="right"),
        Cell("Agreed level"),
        Cell("Target"),
        Cell("Priority", align="right"),
        Cell("Flags"),
    ]
    rows = [
        Row(
            [
                Cell(d.domain.title, bold=True),
                _level_cell(d.result.suggested, instrument),
                Cell(agreement(d.result.agreement), align="right"),
                _level_cell(
                    d.agreed,
                    instrument,
                    bold=True,
                    note="differs from the suggestion" if d.differs_from_suggestion else "",
                ),
                _level_cell(d.target, instrument),
                Cell(str(d.priority) if d.priority is not None else NONE, align="right"),
                Cell(", ".join(d.result.flags)),
            ]
        )
        for d in report.decisions
    ]
    return Table(
        "Per domain: the suggested level, how far people agreed, the level the workshop agreed, the target and the "
        "priority",
        header,
        rows,
        [2.3, 1.5, 1.25, 1.7, 1.4, 1.05, 1.4],
        scale=0.9,
    )


def _decision_blocks(d: DomainDecisionResult, heading: str) -> list[Block]:
    blocks: list[Block] = [Heading(3, heading)]
    blocks += [Paragraph(p) for p in _paragraphs(d.priorities)]
    if d.notes:
        blocks.append(Paragraph(" ".join(d.notes.split()), label="Notes"))
    if d.actions:
        blocks.append(_actions_table(d.actions, f"Actions for {d.domain.title}"))
    return blocks


def _inputs_table(report: WorkshopReport) -> Table:
    instrument = report.instrument
    header = [Cell("Domain")] + [
        Cell(f"{report.label(c.title) if c.title else f'Input {i}'} ({plural(c.responses, 'person', 'people')})")
        for i, c in enumerate(report.inputs, 1)
    ]
    rows = [
        Row(
            [Cell(r.domain.title, bold=True)]
            + [
                _level_cell(c.domains[i].suggested, instrument, note=f"agreement {agreement(c.domains[i].agreement)}")
                for c in report.inputs
            ]
        )
        for i, r in enumerate(report.collation.domains)
    ]
    widths = [2.0] + [1.2] * len(report.inputs)
    return Table(
        "Suggested level and agreement of each table, collated on its own",
        header,
        rows,
        widths,
        wide=len(report.inputs) > 4,
    )


def report(report: WorkshopReport) -> Document:
    """The workshop report: decisions first (agreed levels, charts, priorities, actions), then the collation it
    rests on, then each table on its own."""
    collation = report.collation
    first: list[Block] = [Heading(1, report.title), Definitions(report_meta(report))]
    first += [Paragraph(p) for p in _paragraphs(report.record.notes)]
    first += [Warning(w) for w in report.warnings]
    first += [Heading(2, "Agreed levels and priorities"), _decisions_table(report), *_reading(collation)]
    # The charts start a page: a chart is half a page high, and its heading goes with it.
    decided = _chart_blocks(collation, charts.report_series(report), Heading(2, "Agreed and suggested levels"))
    if report.priorities:
        decided.append(Heading(2, "Priorities for action"))
        for d in report.priorities:
            decided += _decision_blocks(d, f"{d.priority}. {d.domain.title}")
    others = [d for d in report.decisions if d.priority is None and (d.actions or d.notes)]
    if others:
        decided.append(Heading(2, "Other decisions"))
        for d in others:
            decided += _decision_blocks(d, d.domain.title)
    if report.actions:
        decided += [
            Heading(2, "Actions for the whole partnership"),
            _actions_table(report.actions, "Actions that concern the whole partnership"),
        ]
    parts = [Part(first, landscape=False), Part(decided, new_page=True, landscape=False)]
    if report.comparison is not None:
        previous = report.comparison
        progress: list[Block] = [
            Heading(2, "Progress since the previous round"),
            Paragraph(
                f"Compared with {_round_name(previous.before_title, previous.before_date)} "
                f"({plural(previous.before_responses, 'response')}).",
                style="muted",
            ),
        ]
        parts.append(Part(progress + _comparison_blocks(previous, 3), new_page=True, landscape=False))
    body: list[Block] = [
        Heading(2, "Collation of all responses"),
        Paragraph(
            f"{plural(collation.responses, 'response')}; suggested level: {rule_text(collation)}.", style="muted"
        ),
    ]
    body += _sheet_blocks(collation, 3, report.decisions) + _details_blocks(collation, 3)
    parts.append(Part(body, new_page=True))
    if report.inputs:
        parts.append(
            Part(
                [
                    Heading(2, "Each table on its own"),
                    Paragraph("The suggested level and agreement of each table's answers, collated on their own."),
                    _inputs_table(report),
                ],
                landscape=len(report.inputs) > 4,
            )
        )
    return _document(report.instrument, report.title, "Workshop report", parts)


# -- the one-page board summary -------------------------------------------------------------------------------

#: Most priorities a one-page summary lists (the rest are in the full report).
SUMMARY_PRIORITIES = 5


def _action_lines(actions: Sequence[Action]) -> str:
    """Each action on its own line: what, who, by when."""
    lines = []
    for a in actions:
        parts = [" ".join(a.what.split())]
        if a.who:
            parts.append(" ".join(a.who.split()))
        if a.when:
            parts.append(f"by {action_when(a)}")
        lines.append(" — ".join(parts))
    return "\n".join(lines)


def summary(report: WorkshopReport) -> Document:
    """The one-page board summary: the level agreed for each domain, and the top priorities with their actions,
    who leads them and by when."""
    instrument = report.instrument
    meta = [(label, value) for label, value in report_meta(report) if label != "Facilitators"]
    previous = report.comparison
    if previous is not None:
        meta.append(("Previous round", _round_name(previous.before_title, previous.before_date)))
    blocks: list[Block] = [Heading(1, report.title), Definitions(meta)]
    header = [Cell("Domain"), Cell("Agreed level"), Cell("Target"), Cell("Priority", align="right")]
    changes = {d.domain.key: d for d in previous.domains} if previous is not None else {}
    if previous is not None:
        header.append(Cell("Since the previous round"))
    rows = []
    for d in report.decisions:
        cells = [
            Cell(d.domain.title, bold=True),
            _level_cell(d.agreed, instrument, bold=True),
            _level_cell(d.target, instrument),
            Cell(str(d.priority) if d.priority is not None else NONE, align="right"),
        ]
        if previous is not None:
            change = changes.get(d.domain.key)
            cells.append(Cell(change_text(change.level_change) if change is not None else "new domain"))
        rows.append(Row(cells))
    blocks += [
        Heading(2, "Agreed levels"),
        Table(
            "The level the workshop agreed for each domain, and the level aimed for"
            + ("; the change since the previous round" if previous is not None else ""),
            header,
            rows,
            [3, 2, 2, 1] + ([2] if previous is not None else []),
        ),
    ]
    ranked = report.priorities[:SUMMARY_PRIORITIES]
    if ranked:
        header = [Cell("Priority", align="right"), Cell("Domain"), Cell("Proposed priorities"), Cell("Actions")]
        rows = [
            Row(
                [
                    Cell(str(d.priority), align="right", bold=True),
                    Cell(d.domain.title, bold=True),
                    Cell(" ".join(d.priorities.split()) or NONE),
                    Cell(_action_lines(d.actions) or NONE),
                ]
            )
            for d in ranked
        ]
        blocks += [
            Heading(2, "Top priorities for action"),
            Table(
                "The top priorities: what was proposed, and each action with who leads it and by when",
                header,
                rows,
                [1.0, 2.0, 3.0, 4.0],
                row_headers=False,
            ),
        ]
    if report.actions:
        blocks += [
            Heading(2, "For the whole partnership"),
            Bullets(_action_lines(report.actions).split("\n")),
        ]
    if previous is not None:
        earlier = [a for d in previous.domains for a in d.actions_before] + list(previous.actions_before)
        if earlier:
            counted = [
                plural(sum(1 for a in earlier if a.status == status), "action") + f" {label.lower()}"
                for status, label in (("done", "Done"), ("in-progress", "In progress"), ("not-started", "Not started"))
            ]
            unknown = sum(1 for a in earlier if not a.status)
            if unknown:
                counted.append(f"{unknown} with no status recorded")
            blocks.append(Paragraph("; ".join(counted) + ".", label="The previous round's actions"))
    blocks.append(
        Paragraph(
            f"Agreed at the workshop from the answers of {plural(report.collation.responses, 'person', 'people')}; "
            "the full report shows how people placed each domain and how far they agreed.",
            style="muted",
        )
    )
    return _document(
        instrument, f"Summary: {report.title}", "Workshop summary for the board", [Part(blocks, landscape=False)]
    )


# -- progress between rounds ----------------------------------------------------------------------------------


def change_text(change: int | None) -> str:
    """``up 1 level``, ``down 2 levels``, ``no change``, or :data:`NONE`."""
    if change is None:
        return NONE
    if change == 0:
        return "no change"
    return f"{'up' if change > 0 else 'down'} {plural(abs(change), 'level')}"


def _round_name(title: str, date: datetime.date | None) -> str:
    return f"{title}, {long_date(date)}" if date is not None else title


def _shown_cell(level: Level | None, kind: str | None, instrument: Instrument, colours: int) -> Cell:
    """A level shown in a comparison, with what it is (agreed or suggested). ``instrument`` is the round's own;
    the colour is the document's level at the same position (``colours`` levels)."""
    index = _index(level, instrument)
    return Cell(
        level_name(level),
        level=index if index is not None and index < colours else None,
        bold=kind == "agreed",
        note=kind or "",
    )


def _comparison_table(comparison: Comparison) -> Table:
    instrument = comparison.instrument
    header = [
        Cell("Domain"),
        Cell("Then"),
        Cell("Now"),
        Cell("Change"),
        Cell("Agreement then", align="right"),
        Cell("Agreement now", align="right"),
    ]
    rows = [
        Row(
            [
                Cell(d.domain.title, bold=True),
                _shown_cell(d.shown_before, d.shown_before_kind, comparison.before_instrument, len(instrument.levels)),
                _shown_cell(d.shown_after, d.shown_after_kind, instrument, len(instrument.levels)),
                Cell(change_text(d.level_change), bold=d.level_change not in (None, 0)),
                Cell(agreement(d.before.agreement), align="right"),
                Cell(agreement(d.after.agreement), align="right"),
            ]
        )
        for d in comparison.domains
    ]
    return Table(
        "Per domain: the level shown in each round (agreed where recorded, otherwise suggested), the change, and "
        "how far people agreed then and now",
        header,
        rows,
        [2.6, 1.6, 1.6, 1.3, 1.1, 1.1],
    )


def _status_actions_table(rows: list[tuple[str, Action]], caption: str) -> Table:
    header = [Cell("Domain"), Cell("What"), Cell("Who"), Cell("By when"), Cell("Status"), Cell("Note")]
    body = [
        Row(
            [
                Cell(domain, bold=True),
                Cell(a.what),
                Cell(a.who or NONE),
                Cell(action_when(a)),
                Cell(a.status_label or NO_STATUS, bold=a.status == "done", muted=not a.status_label),
                Cell(" ".join(a.note.split())),
            ]
        )
        for domain, a in rows
    ]
    return Table(caption, header, body, [1.8, 3.0, 1.8, 1.3, 1.1, 2.4], row_headers=False, keep=len(body) <= KEEP_ROWS)


def _comparison_blocks(comparison: Comparison, depth: int) -> list[Block]:
    """The comparison's sections, headings from level ``depth``."""
    blocks: list[Block] = [Warning(w) for w in comparison.warnings]
    blocks += [Heading(depth, "Level per domain, then and now"), _comparison_table(comparison)]
    blocks.append(
        Definitions(
            [
                (
                    "Level shown",
                    "The level the workshop agreed, where it recorded one; otherwise the level suggested from the "
                    "answers (marked “suggested”). The same rule on both sides.",
                ),
                ("Change", "The level shown now, less the level shown then."),
                ("Agreement", AGREEMENT_EXPLAINED.format(threshold=DISCUSS_BELOW)),
            ]
        )
    )
    before, after = comparison.before_title, comparison.after_title
    blocks += [
        Heading(depth, "Then and now"),
        Chart(
            charts.comparison_chart(comparison),
            charts.describe_comparison(comparison),
            f"Level per domain: then ({before}) and now ({after}).",
        ),
    ]
    rows = [(d.domain.title, a) for d in comparison.domains for a in d.actions_before]
    rows += [("Whole partnership", a) for a in comparison.actions_before]
    if rows:
        blocks += [
            Heading(depth, "Actions from the earlier round"),
            _status_actions_table(rows, f"The actions agreed at {before}, and how far they have come"),
        ]
    return blocks


def comparison(comparison: Comparison) -> Document:
    """Progress between two rounds: the level shown in each (the same rule on both sides) and the change, a
    before/after chart, agreement then and now, and the earlier round's actions with their status."""
    before = _round_name(comparison.before_title, comparison.before_date)
    after = _round_name(comparison.after_title, comparison.after_date)
    meta = [
        ("Earlier round", f"{before} ({plural(comparison.before_responses, 'response')})"),
        ("Later round", f"{after} ({plural(comparison.after_responses, 'response')})"),
        ("Instrument", instrument_name(comparison.instrument)),
    ]
    if comparison.only_before:
        meta.append(("Only in the earlier round", ", ".join(comparison.only_before)))
    if comparison.only_after:
        meta.append(("Only in the later round", ", ".join(comparison.only_after)))
    blocks: list[Block] = [Heading(1, "Progress between rounds"), Definitions(meta)]
    blocks += _comparison_blocks(comparison, 2)
    return _document(
        comparison.instrument, f"Progress: {comparison.after_title}", "Progress between rounds", [Part(blocks)]
    )
