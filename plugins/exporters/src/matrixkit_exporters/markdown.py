"""Markdown (GitHub / GitLab flavoured): every kind — blank sheets, record sheets, the Workshop Collation Sheet
(blank and filled), workshop reports, the board summary and progress between rounds.

Each is written by :func:`render_document` from the same document (:mod:`matrixkit_exporters.documents`) as the
HTML, PDF and Word files: what a report says is decided once, for every format. Charts, which a Markdown file
cannot show, are given by their caption and text alternative.

All user text goes through :func:`inline`, which backslash-escapes everything Markdown (and GitHub's HTML, math
and table syntax) would interpret, so that a title like ``<script>`` or ``*bold*`` prints as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

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
from matrixkit_exporters.layout import level_heading

__all__ = ["cell_text", "inline", "render_document", "table"]

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


def cell_text(text: str) -> str:
    """``text`` where nothing can start a line — a table cell, a heading's text after its ``#``: Markdown's inline
    syntax escaped, and a leading "1." or "-" left as written."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str] | None = None) -> list[str]:
    """A pipe table; cells are given already escaped. ``align`` per column: ``l``, ``r`` or ``c``."""
    marks = {"l": "---", "r": "--:", "c": ":-:"}
    align = align or ["l"] * len(headers)
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines += ["| " + " | ".join(cell if cell else " " for cell in row) + " |" for row in rows]
    return lines


def _finish(lines: list[str]) -> bytes:
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


# -- documents ---------------------------------------------------------------------------------------------

_ALIGN = {"left": "l", "right": "r", "center": "c"}


def _cell(cell: Cell) -> str:
    # A cell's lines (one action per line) stay lines: a pipe table cell can only break with <br>.
    text = "<br>".join(cell_text(line) for line in cell.text.splitlines() if line.strip())
    if cell.bold and text:
        text = f"**{text}**"
    if cell.note:
        text = f"{text}<br>{cell_text(cell.note)}" if text else cell_text(cell.note)
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
            rows.append([f"**{cell_text(row.cells[0].text)}**"] + [""] * (columns - 1))
        else:
            rows.append(_spread(row.cells) + [""] * (columns - sum(c.colspan for c in row.cells)))
    return [f"**{cell_text(block.caption)}**", "", *table(_spread(block.header), rows, align)]


def _matrix_block(block: Matrix, document: Document) -> list[str]:
    levels = document.instrument.levels
    headers = ["Domain", *(cell_text(level_heading(lv.label, lv.score)) for lv in levels)]
    headers.append(cell_text(block.notes_heading))
    rows = []
    for row in block.rows:
        if row.opens_group and row.group:
            rows.append([f"**{cell_text(row.group)}**"] + [""] * (len(levels) + 1))
        cells = [f"**{cell_text(row.title)}**"]
        for i, descriptor in enumerate(row.descriptors):
            chosen = block.marked and row.chosen == i
            cells.append(f"**✓ chosen** {cell_text(descriptor)}" if chosen else cell_text(descriptor))
        rows.append([*cells, cell_text(row.notes)])
    return [f"**{cell_text(block.caption)}**", "", *table(headers, rows)]


def _block(block: object, document: Document) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * block.level} {cell_text(block.text)}"]
    if isinstance(block, Paragraph):
        text = inline(block.text)
        if block.style == "instructions":
            text = f"*{text}*"
        return [f"**{cell_text(block.label)}:** {text}" if block.label else text]
    if isinstance(block, Bullets):
        return [f"- {inline(item)}" for item in block.items]
    if isinstance(block, Definitions):
        return ["  \n".join(f"{inline(term)}: {cell_text(value)}" for term, value in block.items)]
    if isinstance(block, Warning):
        return [f"> **Warning:** {cell_text(block.text)}"]
    if isinstance(block, Table):
        return _table_block(block)
    if isinstance(block, Matrix):
        return _matrix_block(block, document)
    if isinstance(block, Fields):
        return ["  \n".join(f"{inline(label)}: ______________________" for label in block.labels)]
    if isinstance(block, Chart):
        # No pictures in a Markdown file: the chart's caption and its text alternative, which says what it shows.
        return [f"*{cell_text(block.caption)}* {cell_text(block.alt)}"]
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
        lines += ["", f"Source: {cell_text(document.footer)}"]
    return _finish(lines)
