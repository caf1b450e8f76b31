"""The documents people read, as format-neutral blocks: what the PDF, Word and HTML exporters lay out.

:mod:`matrixkit_exporters.documents` arranges a sheet, a record, a collation or a workshop report into a
:class:`Document` — headings, paragraphs, tables whose cells may carry a level's colour, charts with their text
alternatives, the instrument's matrix — and each of those exporters renders the same document in its own medium.
So every format for people shows the same words, figures and order; an exporter decides only how things look
(and escapes text its own way: nothing here is markup).

Text in blocks is plain text as people wrote it. Levels are referred to by index into the instrument's levels
(0 = lowest); the renderer takes the colour from the instrument.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from matrixkit.model import Instrument

__all__ = [
    "Block",
    "Bullets",
    "Cell",
    "Chart",
    "Definitions",
    "Document",
    "Fields",
    "Heading",
    "Matrix",
    "MatrixRow",
    "Paragraph",
    "Part",
    "Row",
    "Table",
    "Warning",
]

Align = Literal["left", "right", "center"]


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


@attrs.frozen
class Cell:
    """A table cell: text, optionally in a level's colour, emphasised, marked or with a small second line."""

    text: str = ""
    level: int | None = None
    bold: bool = False
    #: Outlined: the one figure in a column that matters (the count at the suggested level).
    mark: bool = False
    align: Align = "left"
    #: A second line in small type under the text (e.g. "agreement 0.69").
    note: str = ""
    #: Grey text: shown for reference (the statements a person did not choose).
    muted: bool = False
    colspan: int = 1


@attrs.frozen
class Row:
    """A table row. The first cell is the row's header when the table has ``row_headers``.

    ``write_in`` gives a row room to write in by hand (in millimetres of height); ``group`` marks a row that is a
    group's heading (one cell across the table).
    """

    cells: tuple[Cell, ...] = attrs.field(converter=_tuple)
    write_in: float = 0.0
    group: bool = False


@attrs.frozen
class Heading:
    """A heading; level 1 is the document's title (there is one), 2 its sections, 3 and 4 below."""

    level: int
    text: str


@attrs.frozen
class Paragraph:
    """A paragraph, with an optional bold ``label`` before it (``Notes:``) and a style."""

    text: str
    label: str = ""
    style: Literal["normal", "muted", "small", "instructions"] = "normal"


@attrs.frozen
class Bullets:
    """A bulleted list of plain-text items."""

    items: tuple[str, ...] = attrs.field(converter=_tuple)


@attrs.frozen
class Definitions:
    """Terms and what they mean, e.g. the details of a workshop (Date, Place) or the meaning of each flag."""

    items: tuple[tuple[str, str], ...] = attrs.field(converter=_tuple)


@attrs.frozen
class Warning:
    """Something the reader must not miss (small groups that could identify people, version changes)."""

    text: str


@attrs.frozen
class Table:
    """A table with one header row and a caption (read out by screen readers, shown as its title).

    ``widths`` are relative column widths (one per column); 0 lets the column take the width of its content.
    ``wide``: the table needs a landscape page (a Word document turns the page for it).
    """

    caption: str
    header: tuple[Cell, ...] = attrs.field(converter=_tuple)
    rows: tuple[Row, ...] = attrs.field(converter=_tuple)
    widths: tuple[float, ...] = attrs.field(converter=_tuple)
    row_headers: bool = True
    wide: bool = False
    #: Type size relative to the body (1 = body text); tables with many columns use smaller type.
    scale: float = 1.0
    #: Keep the table on one page when it fits (a collation sheet is read as one picture).
    keep: bool = False

    def __attrs_post_init__(self) -> None:
        columns = sum(c.colspan for c in self.header)
        if len(self.widths) != columns:
            raise ValueError(f"table {self.caption!r}: {len(self.widths)} widths for {columns} columns")


@attrs.frozen
class MatrixRow:
    """One domain of the matrix: its title, its descriptors, and (on a record sheet) the one chosen."""

    title: str
    descriptors: tuple[str, ...] = attrs.field(converter=_tuple)
    #: The title of the domain's group, or None.
    group: str | None = None
    #: True for a group's first domain: the group's heading is printed above it, on the same page (and again,
    #: "continued", above the group's first domain on a later page).
    opens_group: bool = False
    chosen: int | None = None
    notes: str = ""


@attrs.frozen
class Matrix:
    """The instrument's matrix: levels across, one row per domain, a last column for notes.

    A blank matrix (``marked`` False) is a handout: people ring one statement per row with a pen, so its cells are
    roomy and each page repeats the level headings. A marked matrix shows each person's chosen statement.
    """

    caption: str
    rows: tuple[MatrixRow, ...] = attrs.field(converter=_tuple)
    notes_heading: str = "Notes"
    marked: bool = False


@attrs.frozen
class Fields:
    """Boxes to write in by hand (Name, Organisation, Sector, Table, Date)."""

    labels: tuple[str, ...] = attrs.field(converter=_tuple)


@attrs.frozen(eq=False)
class Chart:
    """A chart (a matplotlib figure) with its text alternative and a caption; ``height``: the most it takes on a
    printed page, in millimetres."""

    figure: Figure
    alt: str
    caption: str
    height: float = 120.0


Block = Heading | Paragraph | Bullets | Definitions | Warning | Table | Matrix | Fields | Chart


@attrs.frozen
class Part:
    """A run of blocks; ``new_page`` starts it on a new page; ``landscape`` asks for landscape pages (Word)."""

    blocks: tuple[Block, ...] = attrs.field(converter=_tuple)
    new_page: bool = False
    landscape: bool = True


@attrs.frozen
class Document:
    """A document for people: title, parts, and what goes in the file's properties and page footers."""

    instrument: Instrument
    #: The document's title (the file's title property; the first heading says it on the page).
    title: str
    parts: tuple[Part, ...] = attrs.field(converter=_tuple)
    #: One small line at the foot of every page: who to credit (the instrument's attribution).
    footer: str = ""
    #: The file's subject property: what the document is, the instrument's id, version, source and licence.
    subject: str = ""
    keywords: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    #: The file's author property (the instrument's publisher, else matrixkit).
    author: str = "matrixkit"

    @property
    def blocks(self) -> tuple[Block, ...]:
        """Every block, in order."""
        return tuple(block for part in self.parts for block in part.blocks)
