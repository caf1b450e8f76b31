"""XLSX workbooks with XlsxWriter, laid out like the toolkit's Workshop Collation Sheet.

The collation sheet has the domains across and the levels down, with the number of people per level, then a
Consensus row, agreement and flags, and a Proposed Priorities for Action row (blank in a collation, for the
workshop to fill in; filled from the record in a workshop report). Level names and the consensus are filled with
the instrument's level colours, in a text colour chosen for contrast. Other sheets: the full matrix of
descriptors, one sheet per group when the collation is split (e.g. by sector), the inputs (tables) on their own,
decisions and actions, comments, and what the figures mean.

Every sheet prints on A4 landscape with its heading rows (and first column) repeated on every page, the document's
title in the page header and, in the footer, one line of credit and "Page n of m". Sheets print at 100% when their
columns fit the page width, and never below 80% (10-point text never prints under 8 points): a sheet too wide for
that continues on further pages, and long sheets break between rows, rather than shrinking to fit one page. The
instrument's id, version, source and licence are in the workbook's properties, not on the sheets.

Every text from people and files is written with ``write_string`` — never as a formula, whatever it starts with
— and the workbook is opened with ``strings_to_formulas``, ``strings_to_urls`` and ``strings_to_numbers`` off as
a second guard. Numbers are written as numbers.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from matrixkit.text import long_date
from matrixkit_exporters.colour import edge_colour, text_colour
from matrixkit_exporters.documents import COLLATION_FIELDS, NO_STATUS, consensus_label
from matrixkit_exporters.layout import (
    NONE,
    SHEET_FIELDS,
    SHEET_INSTRUCTIONS,
    action_when,
    collation_title,
    credit,
    flag_explanations,
    group_label,
    instrument_name,
    level_heading,
    level_name,
    report_meta,
    rule_text,
    used_flags,
)
from matrixkit_exporters.safety import printable

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

    from matrixkit.model import Instrument, Level
    from matrixkit.report import (
        CollationReport,
        Comparison,
        DomainDecisionResult,
        RecordSheet,
        Stats,
        WorkshopReport,
    )
    from matrixkit.workshop import Action

__all__ = [
    "render_collation",
    "render_collation_sheet",
    "render_comparison",
    "render_record",
    "render_report",
    "render_sheet",
    "sheet_name",
]

#: Excel's limit on the length of a sheet name, and the characters a name cannot hold.
_NAME_LIMIT = 31
_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")

COLLATION_SHEET = "Workshop Collation Sheet"
#: The font size of every cell, and the smallest print scale (percent): 10 points never print under 8.
FONT_SIZE = 10
MIN_SCALE = 80
#: A4 landscape, less the left and right margins (0.4 inch each), in pixels at 96 per inch. A column ``w``
#: characters wide takes about ``w * CHAR_PIXELS + 5`` pixels: Excel's unit is the default font's digit width
#: (7 pixels for Calibri 11); LibreOffice's is a little wider (7.6), so the estimate takes 7.7 and both fit.
PRINTABLE_PIXELS = (11.69 - 0.8) * 96
CHAR_PIXELS = 7.7


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A valid, unused sheet name close to ``wanted`` (Excel: ≤ 31 characters, no ``[]:*?/\\``, unique
    ignoring case, not starting or ending with an apostrophe)."""
    base = _NAME_FORBIDDEN.sub(" ", printable(wanted)).strip().strip("'").strip() or "Sheet"
    name = base[:_NAME_LIMIT].rstrip("'")
    number = 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = base[: _NAME_LIMIT - len(suffix)].rstrip("'") + suffix
        number += 1
    taken.add(name.casefold())
    return name


class Book:
    """A workbook being written: formats shared by all sheets, level fills, unique sheet names."""

    def __init__(self, instrument: Instrument, title: str) -> None:
        import xlsxwriter

        self.buffer = io.BytesIO()
        self.wb: Workbook = xlsxwriter.Workbook(
            self.buffer,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.instrument = instrument
        self.names: set[str] = set()
        # Row heights: XlsxWriter cannot measure text, and spreadsheet programs do not grow a row to fit wrapped
        # text written by another program, so the heights are estimated from the column widths.
        self.widths: dict[str, dict[int, float]] = {}
        self.lines: dict[str, dict[int, int]] = {}
        self.fixed: dict[str, set[int]] = {}
        source = instrument.source
        about = [f"{instrument.title} ({instrument.id} {instrument.version})"]
        if credit(instrument):
            about.append(f"Source: {credit(instrument)}")
        if source.licence:
            about.append(f"Licence: {' '.join(source.licence.split())}")
        self.document_title = title
        self.wb.set_properties(
            {
                "title": printable(title),
                "subject": printable(about[0]),
                "author": printable(" ".join(source.publisher.split()) or "matrixkit"),
                "keywords": printable(f"{instrument.id}, version {instrument.version}, maturity matrix"),
                "creator": "matrixkit",
                "comments": printable(" · ".join(about)),
            }
        )
        self.wb.set_calc_mode("auto")
        base = {"font_name": "Arial", "font_size": FONT_SIZE, "valign": "top"}
        cell = {**base, "border": 1, "border_color": "#808080", "text_wrap": True}
        self.title = self.wb.add_format({**base, "bold": True, "font_size": 14})
        self.subtitle = self.wb.add_format({**base, "italic": True, "font_color": "#404040"})
        self.text = self.wb.add_format(cell)
        self.plain = self.wb.add_format({**base, "text_wrap": True})
        self.head = self.wb.add_format({**cell, "bold": True, "bg_color": "#e8e8e8", "font_color": "#000000"})
        self.row_head = self.wb.add_format({**cell, "bold": True})
        self.number = self.wb.add_format({**cell, "num_format": "0", "align": "center"})
        self.decimal = self.wb.add_format({**cell, "num_format": "0.00", "align": "center"})
        # Three decimals: 0.696 must not read 0.70 beside a flag for agreement below 0.70.
        self.agreement = self.wb.add_format({**cell, "num_format": "0.000", "align": "center"})
        self.percent = self.wb.add_format({**cell, "num_format": "0%", "align": "center"})
        # A change of level: +1, -1 or 0.
        self.change = self.wb.add_format({**cell, "num_format": "+0;-0;0", "align": "center", "bold": True})
        self.blank = self.wb.add_format(cell)
        self.tall = self.wb.add_format({**cell, "bg_color": "#fffbe6", "font_color": "#000000"})
        self.warning = self.wb.add_format({**base, "bold": True, "font_color": "#8a3b00", "text_wrap": True})
        self.fills: list[Format] = []
        self.fills_bold: list[Format] = []
        self.fills_number: list[Format] = []
        for level in instrument.levels:
            fill = {"bg_color": level.colour, "font_color": text_colour(level.colour)}
            border = {"border_color": edge_colour(level.colour)} if level.colour.lower() == "#ffffff" else {}
            self.fills.append(self.wb.add_format({**cell, **fill}))
            self.fills_bold.append(self.wb.add_format({**cell, **fill, **border, "bold": True}))
            self.fills_number.append(
                self.wb.add_format({**cell, **fill, "bold": True, "num_format": "0", "align": "center", "border": 2})
            )

    # -- writing cells -------------------------------------------------------------------------------------

    def sheet(self, wanted: str) -> Worksheet:
        ws: Worksheet = self.wb.add_worksheet(sheet_name(wanted, self.names))
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        ws.set_header(f"&L&8{_header_text(self.document_title)}&R&8&A", {"margin": 0.3})
        footer = _header_text(credit(self.instrument))
        ws.set_footer(f"&L&8{footer}&R&8Page &P of &N", {"margin": 0.3})
        ws.set_page_view(0)
        return ws

    def width(self, ws: Worksheet, first: int, last: int, width: float) -> None:
        """Set the width of columns ``first`` to ``last`` (in characters)."""
        ws.set_column(first, last, width)
        widths = self.widths.setdefault(ws.get_name(), {})
        for col in range(first, last + 1):
            widths[col] = width

    def height(self, ws: Worksheet, row: int, points: float) -> None:
        """Set a row's height (in points); it is then not estimated."""
        ws.set_row(row, points)
        self.fixed.setdefault(ws.get_name(), set()).add(row)

    def string(self, ws: Worksheet, row: int, col: int, value: str | None, fmt: Format | None = None) -> None:
        """Text from anywhere: always a string cell (never a formula), never a forbidden character."""
        fmt = fmt if fmt is not None else self.text
        if value is None or value == "":
            ws.write_blank(row, col, None, fmt if fmt is not self.text else self.blank)
            return
        text = printable(value)
        ws.write_string(row, col, text, fmt)
        if getattr(fmt, "text_wrap", 0):
            width = self.widths.get(ws.get_name(), {}).get(col, 8.43)
            lines = self.lines.setdefault(ws.get_name(), {})
            lines[row] = max(lines.get(row, 1), _lines(text, width))

    def num(self, ws: Worksheet, row: int, col: int, value: float | None, fmt: Format | None = None) -> None:
        if value is None:
            ws.write_string(row, col, NONE, fmt if fmt is not None else self.number)
        else:
            ws.write_number(row, col, value, fmt if fmt is not None else self.number)

    def optional(self, ws: Worksheet, row: int, col: int, value: int | None) -> None:
        """A number, or an empty cell."""
        if value is None:
            self.string(ws, row, col, "")
        else:
            self.num(ws, row, col, value)

    def level(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        level: Level | None,
        bold: bool = False,
        of: Instrument | None = None,
    ) -> None:
        """A level's name, filled with its colour (the level of ``of``, e.g. an earlier round's instrument, is
        filled with the colour at the same position)."""
        if level is None:
            self.string(ws, row, col, NONE)
            return
        index = (of or self.instrument).levels.index(level)
        if index >= len(self.fills):
            self.string(ws, row, col, level_name(level))
            return
        formats = self.fills_bold if bold else self.fills
        self.string(ws, row, col, level_name(level), formats[index])

    def heading(self, ws: Worksheet, title: str, subtitle: str = "") -> int:
        """Title (and subtitle) at the top of a sheet; returns the next free row."""
        self.string(ws, 0, 0, title, self.title)
        self.height(ws, 0, 22)
        if subtitle:
            self.string(ws, 1, 0, subtitle, self.subtitle)
            return 3
        return 2

    def titles(self, ws: Worksheet, header: int, *, column: bool = True) -> None:
        """Freeze the panes below the ``header`` row (and after the first column) and print them as titles on
        every page."""
        ws.freeze_panes(header + 1, 1 if column else 0)
        ws.repeat_rows(header)
        if column:
            ws.repeat_columns(0)

    def print_scale(self, ws: Worksheet) -> int:
        """The largest scale (80–100%) at which the sheet's columns fit the page width: wider sheets continue on
        further pages (first column repeated) rather than print below 8 points."""
        widths = self.widths.get(ws.get_name(), {})
        if not widths:
            return 100
        last = max(widths)
        pixels = sum(CHAR_PIXELS * widths.get(col, 8.43) + 5 for col in range(last + 1))
        return max(MIN_SCALE, min(100, math.floor(100 * PRINTABLE_PIXELS / pixels)))

    def close(self) -> bytes:
        for ws in self.wb.worksheets():
            ws.set_print_scale(self.print_scale(ws))
            name = ws.get_name()
            for row, count in self.lines.get(name, {}).items():
                if count > 1 and row not in self.fixed.get(name, set()):
                    ws.set_row(row, min(13.0 * count + 3, 409))  # 409 points: Excel's tallest row
        self.wb.close()
        return self.buffer.getvalue()


def _header_text(text: str) -> str:
    """Text for a page header or footer: one line, ``&`` doubled (a lone ``&`` starts a code), within Excel's
    limit of 255 characters for the whole header."""
    one_line = " ".join(printable(text).split()).replace("&", "&&")
    return one_line if len(one_line) <= 180 else one_line[:179] + "…"


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (an estimate for Arial 10, whose average
    letter is narrower than the ``0`` that column widths are measured in; erring towards a line too many)."""
    per_line = max(int(width * 1.1), 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


# -- the Workshop Collation Sheet ------------------------------------------------------------------------------


def _collation_grid(
    book: Book,
    ws: Worksheet,
    top: int,
    report: CollationReport,
    results: Sequence[Stats],
    decisions: Sequence[DomainDecisionResult] | None = None,
    *,
    chart: bool = True,
) -> int:
    """Domains across, levels down, then the consensus and priority rows. Returns the next free row."""
    instrument = report.instrument
    levels = instrument.levels
    n = len(instrument.domains)
    book.width(ws, 0, 0, 22)
    book.width(ws, 1, n, 13)
    book.string(ws, top, 0, "Level", book.head)
    for j, domain in enumerate(instrument.domains, 1):
        book.string(ws, top, j, domain.label, book.head)
    book.height(ws, top, 30)
    row = top + 1
    first_count_row = row
    for i, level in enumerate(levels):
        book.string(ws, row, 0, level_heading(level.label, level.score), book.fills_bold[i])
        for j, stats in enumerate(results, 1):
            highlighted = (decisions[j - 1].agreed if decisions else stats.suggested) == level
            book.num(ws, row, j, stats.counts[i], book.fills_number[i] if highlighted else book.number)
        row += 1
    book.string(ws, row, 0, "Not answered", book.row_head)
    for j, stats in enumerate(results, 1):
        book.num(ws, row, j, stats.missing)
    row += 1
    book.string(ws, row, 0, "Answered", book.row_head)
    for j, stats in enumerate(results, 1):
        book.num(ws, row, j, stats.answered)
    row += 1
    if decisions is not None:
        book.string(ws, row, 0, f"{consensus_label(instrument)}, agreed", book.row_head)
        for j, d in enumerate(decisions, 1):
            book.level(ws, row, j, d.agreed, bold=True)
        row += 1
        book.string(ws, row, 0, f"Suggested ({report.rule})", book.row_head)
        for j, stats in enumerate(results, 1):
            book.level(ws, row, j, stats.suggested)
    else:
        book.string(ws, row, 0, f"{consensus_label(instrument)}, suggested ({report.rule})", book.row_head)
        for j, stats in enumerate(results, 1):
            book.level(ws, row, j, stats.suggested, bold=True)
    row += 1
    book.string(ws, row, 0, "Agreement (0–1)", book.row_head)
    for j, stats in enumerate(results, 1):
        book.num(ws, row, j, stats.agreement, book.agreement)
    row += 1
    book.string(ws, row, 0, "Within one level", book.row_head)
    for j, stats in enumerate(results, 1):
        book.num(ws, row, j, stats.within_one, book.percent)
    row += 1
    book.string(ws, row, 0, "Flags", book.row_head)
    for j, stats in enumerate(results, 1):
        book.string(ws, row, j, ", ".join(stats.flags))
    row += 1
    if decisions is not None:
        book.string(ws, row, 0, "Priority (1 = first)", book.row_head)
        for j, d in enumerate(decisions, 1):
            book.optional(ws, row, j, d.priority)
        row += 1
    book.string(ws, row, 0, "Proposed Priorities for Action", book.row_head)
    for j in range(1, n + 1):
        text = decisions[j - 1].priorities if decisions is not None else ""
        book.string(ws, row, j, text, book.tall)
    book.height(ws, row, 90)
    row += 1
    if chart and n:
        # The chart prints on a page of its own, after the sheet (a page break above it).
        ws.set_h_pagebreaks([row + 1])
        _distribution_chart(book, ws, top, first_count_row, len(levels), n, row + 1)
        row += 22
    return row + 1


def _distribution_chart(book: Book, ws: Worksheet, top: int, first: int, levels: int, n: int, at: int) -> None:
    """A native stacked bar chart of the counts, in the level colours (it stays live if counts are edited)."""
    chart = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    if chart is None:  # pragma: no cover - XlsxWriter returns None only for unknown chart types
        return
    sheet = ws.get_name()
    for i, level in enumerate(book.instrument.levels[:levels]):
        chart.add_series(
            {
                "name": [sheet, first + i, 0],
                "categories": [sheet, top, 1, top, n],
                "values": [sheet, first + i, 1, first + i, n],
                "fill": {"color": level.colour},
                "border": {"color": "#595959"},
                "gap": 60,
            }
        )
    chart.set_title({"name": "How people placed each domain", "name_font": {"size": 11}})
    chart.set_x_axis({"name": "People", "major_gridlines": {"visible": True, "line": {"color": "#d9d9d9"}}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": min(36 * n + 150, 620)})
    ws.insert_chart(at, 0, chart)


def _notes(book: Book, ws: Worksheet, row: int, lines: Sequence[str]) -> int:
    for line in lines:
        book.string(ws, row, 0, line, book.warning)
        row += 1
    return row + (1 if lines else 0)


def _collation_meta(report: CollationReport) -> str:
    parts = [instrument_name(report.instrument), f"{report.responses} responses", f"rule: {rule_text(report)}"]
    if report.by is not None:
        parts.append(f"split by {report.by}")
    return " · ".join(parts)


def _matrix_sheet(book: Book, chosen: Sequence[int | None] | None = None, comments: Sequence[str] = ()) -> None:
    """The full matrix of descriptors; with ``chosen``, one person's statements filled and marked."""
    instrument = book.instrument
    ws = book.sheet("Matrix")
    top = book.heading(ws, instrument.title, instrument_name(instrument))
    book.width(ws, 0, 0, 20)
    book.width(ws, 1, len(instrument.levels), 30)
    book.string(ws, top, 0, "Domain", book.head)
    for i, level in enumerate(instrument.levels, 1):
        book.string(ws, top, i, level_heading(level.label, level.score), book.fills_bold[i - 1])
    extra = len(instrument.levels) + 1
    book.string(ws, top, extra, "Comment" if chosen is not None else "Your level", book.head)
    book.width(ws, extra, extra, 18)
    row = top + 1
    current: str | None = None
    for d, domain in enumerate(instrument.domains):
        if domain.group is not None and domain.group != current:
            book.string(ws, row, 0, instrument.group(domain.group).title, book.head)
            for col in range(1, extra + 1):
                ws.write_blank(row, col, None, book.head)
            row += 1
        current = domain.group
        book.string(ws, row, 0, domain.title, book.row_head)
        for i, descriptor in enumerate(domain.descriptors, 1):
            picked = chosen is not None and chosen[d] == i - 1
            text = f"✓ {descriptor}" if picked else descriptor
            book.string(ws, row, i, text, book.fills_bold[i - 1] if picked else book.text)
        if chosen is not None:
            book.string(ws, row, extra, comments[d] if d < len(comments) else "")
        else:
            book.string(ws, row, extra, "")
            _level_validation(book, ws, row, extra)
        row += 1
    book.titles(ws, top)
    _source_lines(book, ws, row + 1)


def _level_validation(
    book: Book, ws: Worksheet, row: int, col: int, last_row: int | None = None, last_col: int | None = None
) -> None:
    """A drop-down of the levels (labels when they fit Excel's list limits, else keys) in a range of cells."""
    labels = [lv.label for lv in book.instrument.levels]
    keys = list(book.instrument.level_keys)
    usable = all("," not in lab and '"' not in lab and lab == printable(lab) for lab in labels)
    choices = labels if usable and len(",".join(labels)) <= 250 else keys
    if len(",".join(choices)) > 250:
        return  # Excel cannot list them; the cell stays free text
    ws.data_validation(
        row,
        col,
        last_row if last_row is not None else row,
        last_col if last_col is not None else col,
        {"validate": "list", "source": choices, "error_type": "warning", "ignore_blank": True},
    )


def _source_lines(book: Book, ws: Worksheet, row: int) -> None:
    """The source, credited (its licence is in the workbook's properties)."""
    if credit(book.instrument):
        book.string(ws, row, 0, f"Source: {credit(book.instrument)}", book.subtitle)


def _about_sheet(book: Book, report: CollationReport, extra: Sequence[tuple[str, str]] = ()) -> None:
    ws = book.sheet("About")
    book.width(ws, 0, 0, 26)
    book.width(ws, 1, 1, 100)
    top = book.heading(ws, "About these figures")
    rows: list[tuple[str, str]] = [
        *extra,
        ("Instrument", instrument_name(report.instrument)),
        ("Responses", str(report.responses)),
        ("Rule", rule_text(report)),
        ("Discuss below agreement", f"{report.discuss_below:g}"),
    ]
    if report.by is not None:
        rows.append(("Split by", f"{report.by}: " + ", ".join(group_label(report, g) for g in report.groups)))
    rows += [("Source file", s) for s in report.sources]
    rows += [("Warning", w) for w in report.warnings]
    rows += [
        ("Agreement", report.agreement_explained),
        ("Within one level", "The share of the answers at the suggested level or next to it."),
    ]
    rows += [(f"Flag “{flag}”", text) for flag, text in flag_explanations(used_flags(report))]
    for i, (label, value) in enumerate(rows):
        book.string(ws, top + i, 0, label, book.row_head)
        book.string(ws, top + i, 1, value)
    _source_lines(book, ws, top + len(rows) + 1)


def _groups_sheets(book: Book, report: CollationReport) -> None:
    if report.by is None:
        return
    ws = book.sheet(f"By {report.by}")
    top = book.heading(
        ws,
        f"By {report.by}",
        "Suggested level and agreement per group; share of the disagreement "
        "between groups (0% = individual views, 100% = sectoral views)",
    )
    book.width(ws, 0, 0, 26)
    book.width(ws, 1, 2 * len(report.groups) + 1, 15)
    book.string(ws, top, 0, "Domain", book.head)
    for k, name in enumerate(report.groups):
        book.string(ws, top, 1 + 2 * k, group_label(report, name), book.head)
        book.string(ws, top, 2 + 2 * k, "Agreement", book.head)
    share_col = 1 + 2 * len(report.groups)
    book.string(ws, top, share_col, "Between groups", book.head)
    for r, result in enumerate(report.domains, top + 1):
        book.string(ws, r, 0, result.domain.title, book.row_head)
        for k, name in enumerate(report.groups):
            group = result.group(name)
            book.level(ws, r, 1 + 2 * k, group.suggested)
            book.num(ws, r, 2 + 2 * k, group.agreement, book.agreement)
        book.num(ws, r, share_col, result.between_share, book.percent)
    book.titles(ws, top)
    for name in report.groups:
        gs = book.sheet(f"{report.by} – {name}")
        start = book.heading(gs, f"{report.by}: {group_label(report, name)}", _collation_meta(report))
        _collation_grid(book, gs, start, report, [r.group(name) for r in report.domains], chart=False)
        book.titles(gs, start)


def _comments_sheet(book: Book, report: CollationReport) -> None:
    commented = [r for r in report.domains if r.comments]
    if not commented:
        return
    ws = book.sheet("Comments")
    top = book.heading(ws, "Comments", "Anonymous comments, by domain")
    book.width(ws, 0, 0, 26)
    book.width(ws, 1, 1, 100)
    book.string(ws, top, 0, "Domain", book.head)
    book.string(ws, top, 1, "Comment", book.head)
    row = top + 1
    for result in commented:
        for comment in result.comments:
            book.string(ws, row, 0, result.domain.title, book.row_head)
            book.string(ws, row, 1, comment)
            row += 1


def render_collation(report: CollationReport) -> bytes:
    book = Book(report.instrument, collation_title(report))
    ws = book.sheet(COLLATION_SHEET)
    top = book.heading(ws, collation_title(report), _collation_meta(report))
    top = _notes(book, ws, top, [f"Warning: {w}" for w in report.warnings])
    _collation_grid(book, ws, top, report, report.domains)
    book.titles(ws, top)
    _groups_sheets(book, report)
    _comments_sheet(book, report)
    _matrix_sheet(book)
    _about_sheet(book, report)
    return book.close()


# -- workshop report -------------------------------------------------------------------------------------------


def _actions_rows(book: Book, ws: Worksheet, row: int, domain: str, actions: Sequence[Action]) -> int:
    for action in actions:
        book.string(ws, row, 0, domain, book.row_head)
        book.string(ws, row, 1, action.what)
        book.string(ws, row, 2, action.who)
        book.string(ws, row, 3, action_when(action) if action.when else "")
        book.string(ws, row, 4, action.measure)
        row += 1
    return row


def render_report(report: WorkshopReport) -> bytes:
    collation = report.collation
    book = Book(report.instrument, report.title)
    meta = " · ".join(f"{label}: {value}" for label, value in report_meta(report))
    ws = book.sheet(COLLATION_SHEET)
    top = book.heading(ws, report.title, meta)
    top = _notes(book, ws, top, [f"Warning: {w}" for w in report.warnings])
    _collation_grid(book, ws, top, collation, collation.domains, report.decisions)
    book.titles(ws, top)

    ds = book.sheet("Decisions")
    start = book.heading(ds, "Agreed levels and priorities", meta)
    headers = ["Domain", f"Suggested ({collation.rule})", "Agreement", "Agreed level", "Target", "Priority"]
    headers += ["Proposed priorities for action", "Notes"]
    widths = [20, 14, 10, 14, 12, 8, 34, 34]
    for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
        book.string(ds, start, col, header, book.head)
        book.width(ds, col, col, width)
    for r, d in enumerate(report.decisions, start + 1):
        book.string(ds, r, 0, d.domain.title, book.row_head)
        book.level(ds, r, 1, d.result.suggested)
        book.num(ds, r, 2, d.result.agreement, book.agreement)
        book.level(ds, r, 3, d.agreed, bold=True)
        book.level(ds, r, 4, d.target)
        book.optional(ds, r, 5, d.priority)
        book.string(ds, r, 6, d.priorities)
        book.string(ds, r, 7, d.notes)
    book.titles(ds, start)

    acts = [(d.domain.title, d.actions) for d in report.decisions if d.actions]
    if report.actions:
        acts.append(("(whole partnership)", report.actions))
    if acts:
        act = book.sheet("Actions")
        start = book.heading(act, "Actions", meta)
        for col, (header, width) in enumerate(
            zip(
                ["Domain", "What", "Who", "By when", "How progress will be measured"], [22, 40, 22, 16, 40], strict=True
            )
        ):
            book.string(act, start, col, header, book.head)
            book.width(act, col, col, width)
        row = start + 1
        for domain, actions in acts:
            row = _actions_rows(book, act, row, domain, actions)
        book.titles(act, start, column=False)

    _groups_sheets(book, collation)
    for i, part in enumerate(report.inputs, 1):
        name = report.label(part.title) if part.title else f"Input {i}"
        ps = book.sheet(name)
        start = book.heading(ps, name, _collation_meta(part))
        _collation_grid(book, ps, start, part, part.domains, chart=False)
        book.titles(ps, start)
    _comments_sheet(book, collation)
    _matrix_sheet(book)
    extra = [(label, value) for label, value in report_meta(report) if label not in ("Instrument", "Responses")]
    if report.record.notes:
        extra.append(("Notes", " ".join(report.record.notes.split())))
    _about_sheet(book, collation, [("Workshop", report.title), *extra])
    return book.close()


# -- blank sheet and record ------------------------------------------------------------------------------------


def render_sheet(instrument: Instrument) -> bytes:
    """The blank matrix with a level drop-down per row, and a Responses sheet to type everyone's answers into
    (the layout the CSV reader accepts once saved as CSV)."""
    book = Book(instrument, f"Record sheet: {instrument.title}")
    ws = book.sheet("Record sheet")
    top = book.heading(ws, instrument.title, "Record sheet")
    book.width(ws, 0, 0, 24)
    book.width(ws, 1, 1, 40)
    for i, field in enumerate(SHEET_FIELDS):
        book.string(ws, top + i, 0, field, book.row_head)
        book.string(ws, top + i, 1, "")
    note = top + len(SHEET_FIELDS) + 1
    book.height(ws, note, 30)
    ws.merge_range(note, 0, note, 4, "", book.plain)
    book.string(ws, note, 0, SHEET_INSTRUCTIONS, book.plain)
    _matrix_sheet(book)
    rs = book.sheet("Responses")
    headers = ["participant", "sector", "table", *instrument.domain_keys]
    for col, header in enumerate(headers):
        book.string(rs, 0, col, header, book.head)
    book.width(rs, 0, len(headers) - 1, 16)
    for col in range(3, len(headers)):
        _level_validation(book, rs, 1, col, last_row=500)
    book.titles(rs, 0)
    return book.close()


def render_record(record: RecordSheet) -> bytes:
    instrument = record.instrument
    book = Book(instrument, f"Record sheet: {record.participant}")
    ws = book.sheet("Record")
    top = book.heading(ws, f"Record sheet: {record.participant}", instrument_name(instrument))
    # Name first, as on the blank sheet: the record sheet is a filled-in form that matrixkit reads back.
    fields = [("Name", record.participant), *((n.capitalize(), v) for n, v in sorted(record.attributes.items()))]
    for i, (name, value) in enumerate(fields):
        book.string(ws, top + i, 0, name, book.row_head)
        book.string(ws, top + i, 1, value)
    row = top + len(fields) + 1
    headers = ["Domain", "Level", "Score", "Statement chosen", "Comment"]
    for col, (header, width) in enumerate(zip(headers, [26, 18, 8, 60, 40], strict=True)):
        book.string(ws, row, col, header, book.head)
        book.width(ws, col, col, width)
    for r, entry in enumerate(record.entries, row + 1):
        book.string(ws, r, 0, entry.domain.title, book.row_head)
        book.level(ws, r, 1, entry.level, bold=True)
        book.num(ws, r, 2, entry.level.score if entry.level is not None else None)
        statement = entry.domain.descriptors[entry.index] if entry.index is not None else "Not answered"
        book.string(ws, r, 3, statement)
        book.string(ws, r, 4, entry.comment)
    book.titles(ws, row)
    ws = book.sheet("Summary")
    row = book.heading(ws, "Summary: number of domains at each level", f"Record sheet: {record.participant}")
    book.width(ws, 0, 0, 24)
    book.width(ws, 1, len(instrument.levels) + 2, 13)
    book.width(ws, len(instrument.levels) + 3, len(instrument.levels) + 4, 18)
    heads = ["", *(level_heading(lv.label, lv.score) for lv in instrument.levels)]
    heads += ["Not answered", "Mean score", "Median", f"Overall ({record.rule})"]
    for col, header in enumerate(heads):
        fmt = book.fills_bold[col - 1] if 1 <= col <= len(instrument.levels) else book.head
        book.string(ws, row, col, header, fmt)
    summaries = [("All domains", record.overall)] + [(group.title, s) for group, s in record.groups]
    for name, summary in summaries:
        row += 1
        book.string(ws, row, 0, name, book.row_head)
        col = 1
        for count in summary.counts:
            book.num(ws, row, col, count)
            col += 1
        book.num(ws, row, col, summary.missing)
        book.num(ws, row, col + 1, summary.mean, book.decimal)
        book.level(ws, row, col + 2, summary.median)
        book.level(ws, row, col + 3, summary.overall, bold=True)
    _matrix_sheet(book, [e.index for e in record.entries], [e.comment for e in record.entries])
    return book.close()


# -- the blank Workshop Collation Sheet ------------------------------------------------------------------------


def render_collation_sheet(instrument: Instrument) -> bytes:
    """The blank Workshop Collation Sheet: domains across, levels down, a box per level and domain for the number
    of sheets (whole numbers only), a Consensus row with a level drop-down and a Proposed Priorities for Action
    row; boxes for the table, facilitator, date and number of sheets above it."""
    book = Book(instrument, f"Workshop Collation Sheet: {instrument.title}")
    ws = book.sheet(COLLATION_SHEET)
    top = book.heading(ws, f"Workshop Collation Sheet: {instrument.title}")
    for i, field in enumerate(COLLATION_FIELDS):
        book.string(ws, top + i, 0, field, book.row_head)
        book.string(ws, top + i, 1, "")
    note = top + len(COLLATION_FIELDS) + 1
    n = len(instrument.domains)
    ws.merge_range(note, 0, note, min(n, 8), "", book.plain)
    scores = f"{instrument.levels[0].score}–{instrument.levels[-1].score}"
    book.string(
        ws,
        note,
        0,
        "For each domain, count the sheets that chose each level and type the number in its box. Agree the "
        f"consensus level ({scores}) and the proposed priorities for action.",
        book.plain,
    )
    book.height(ws, note, 30)
    header = note + 2
    book.width(ws, 0, 0, 22)
    book.width(ws, 1, n, 13)
    book.string(ws, header, 0, "Level", book.head)
    for j, domain in enumerate(instrument.domains, 1):
        book.string(ws, header, j, domain.label, book.head)
    book.height(ws, header, 30)
    row = header + 1
    for i, level in enumerate(instrument.levels):
        book.string(ws, row, 0, level_heading(level.label, level.score), book.fills_bold[i])
        for j in range(1, n + 1):
            ws.write_blank(row, j, None, book.number)
        book.height(ws, row, 24)
        row += 1
    ws.data_validation(
        header + 1,
        1,
        row - 1,
        n,
        {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "error_title": "A number of sheets",
            "error_message": "Type how many sheets chose this level: a whole number, 0 or more.",
        },
    )
    book.string(ws, row, 0, consensus_label(instrument), book.row_head)
    for j in range(1, n + 1):
        book.string(ws, row, j, "")
    _level_validation(book, ws, row, 1, last_col=n)
    book.height(ws, row, 24)
    row += 1
    book.string(ws, row, 0, "Proposed Priorities for Action", book.row_head)
    for j in range(1, n + 1):
        book.string(ws, row, j, "", book.tall)
    book.height(ws, row, 110)
    book.titles(ws, header)
    _source_lines(book, ws, row + 2)
    return book.close()


# -- progress between rounds -------------------------------------------------------------------------------------


def render_comparison(comparison: Comparison) -> bytes:
    """Progress between rounds: per domain the level shown then and now (agreed where recorded, else suggested,
    with which it is), the change and agreement then and now; the earlier round's actions with their status."""
    instrument = comparison.instrument
    book = Book(instrument, f"Progress: {comparison.after_title}")
    ws = book.sheet("Progress")
    before = comparison.before_title + (f", {long_date(comparison.before_date)}" if comparison.before_date else "")
    after = comparison.after_title + (f", {long_date(comparison.after_date)}" if comparison.after_date else "")
    top = book.heading(ws, "Progress between rounds", f"Then: {before} · Now: {after}")
    ws.merge_range(top, 0, top, 7, "", book.plain)
    book.string(
        ws,
        top,
        0,
        "The level shown is the agreed level where the workshop recorded one, otherwise the suggested level; the "
        "change is the level shown now less the level shown then.",
        book.plain,
    )
    book.height(ws, top, 28)
    top += 2
    top = _notes(book, ws, top, [f"Warning: {w}" for w in comparison.warnings])
    headers = ["Domain", "Then", "Then is", "Now", "Now is", "Change", "Agreement then", "Agreement now"]
    widths = [26, 16, 10, 16, 10, 14, 12, 12]
    for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
        book.string(ws, top, col, header, book.head)
        book.width(ws, col, col, width)
    for row, d in enumerate(comparison.domains, top + 1):
        book.string(ws, row, 0, d.domain.title, book.row_head)
        book.level(ws, row, 1, d.shown_before, bold=d.shown_before_kind == "agreed", of=comparison.before_instrument)
        book.string(ws, row, 2, d.shown_before_kind or "")
        book.level(ws, row, 3, d.shown_after, bold=d.shown_after_kind == "agreed")
        book.string(ws, row, 4, d.shown_after_kind or "")
        if d.level_change is None:
            book.string(ws, row, 5, NONE)
        else:
            book.num(ws, row, 5, d.level_change, book.change)
        book.num(ws, row, 6, d.before.agreement, book.agreement)
        book.num(ws, row, 7, d.after.agreement, book.agreement)
    book.titles(ws, top)
    rows = [(d.domain.title, a) for d in comparison.domains for a in d.actions_before]
    rows += [("(whole partnership)", a) for a in comparison.actions_before]
    if rows:
        acts = book.sheet("Earlier actions")
        start = book.heading(acts, "Actions from the earlier round", before)
        heads = ["Domain", "What", "Who", "By when", "Status", "Note"]
        for col, (header, width) in enumerate(zip(heads, [22, 40, 20, 16, 13, 30], strict=True)):
            book.string(acts, start, col, header, book.head)
            book.width(acts, col, col, width)
        for r, (domain, action) in enumerate(rows, start + 1):
            book.string(acts, r, 0, domain, book.row_head)
            book.string(acts, r, 1, action.what)
            book.string(acts, r, 2, action.who)
            book.string(acts, r, 3, action_when(action) if action.when else "")
            book.string(acts, r, 4, action.status_label or NO_STATUS)
            book.string(acts, r, 5, action.note)
        book.titles(acts, start, column=False)
    return book.close()
