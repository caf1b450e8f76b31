"""Word documents (.docx) with python-docx: board papers that local government and the NHS edit in Word.

What a document says comes from :mod:`matrixkit_exporters.documents` (shared with the PDF and HTML exporters);
this module lays its blocks out as an ordinary, editable Word document:

- headings use Word's built-in *Heading 1–4* styles, so the navigation pane and a table of contents work;
- tables are real Word tables (style *Table Grid*) with a repeated header row, rows that do not split across
  pages, cells shaded in the instrument's level colours with black or white text (whichever contrasts more), and
  a title and description (Word's alternative text for tables);
- the matrix and the Workshop Collation Sheet sit in landscape sections; text parts of a report stay portrait;
- charts are PNG pictures with alternative text (Word's *Alt Text*: the picture's description);
- each page's footer credits the source in one line and numbers the pages (PAGE and NUMPAGES fields — the only
  fields in the document); the instrument's id, version, source and licence go in the file's properties.

Text is always written as text runs: nothing a person typed becomes a field code, a hyperlink or markup, and
characters that XML cannot hold are replaced with U+FFFD.
"""

from __future__ import annotations

import datetime
import io
from typing import TYPE_CHECKING, Any

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
    Paragraph,
    Table,
    Warning,
)
from matrixkit_exporters.colour import text_colour
from matrixkit_exporters.layout import level_heading
from matrixkit_exporters.safety import printable

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.section import Section
    from docx.table import Table as WordTable
    from docx.table import _Cell as WordCell
    from docx.text.paragraph import Paragraph as WordParagraph


__all__ = ["render_document"]

#: A4 in millimetres, and the margins.
A4 = (210.0, 297.0)
MARGIN = 15.0
#: Grey of table header rows and group rows, and of borders.
HEAD_FILL = "ECECEC"
GREY = "595959"
BODY_PT = 10.0
#: Fixed dates in the file's properties and package: the same input gives the same bytes.
TIMESTAMP = datetime.datetime(2000, 1, 1)


def _text(value: str) -> str:
    return printable(value)


#: Word's limit on the length of a document property.
PROPERTY_LIMIT = 255


def _property(value: str) -> str:
    """A document property: one line of text within Word's limit (shortened with an ellipsis)."""
    text = " ".join(printable(value).split())
    return text if len(text) <= PROPERTY_LIMIT else text[: PROPERTY_LIMIT - 1] + "…"


class _Writer:
    """Writes one Word document: sections for the parts, blocks into them."""

    def __init__(self, document: Document) -> None:
        import docx

        self.source = document
        self.levels = document.instrument.levels
        self.doc: WordDocument = docx.Document()
        self._styles()
        properties = self.doc.core_properties
        properties.title = _property(document.title)
        properties.subject = _property(document.subject)
        properties.author = _property(document.author)
        properties.keywords = _property(", ".join(document.keywords))
        properties.comments = _property(document.subject)
        properties.language = "en-GB"
        properties.created = properties.modified = properties.last_printed = TIMESTAMP
        properties.revision = 1
        properties.last_modified_by = "matrixkit"
        self.charts = 0
        self._landscape = True

    # -- styles, sections, footer -------------------------------------------------------------------------

    def _styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt, RGBColor

        normal = self.doc.styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(BODY_PT)
        normal.paragraph_format.space_after = Pt(4)
        self._language(normal.element)
        sizes = {1: 18, 2: 14, 3: 12, 4: 11}
        for level, size in sizes.items():
            style = self.doc.styles[f"Heading {level}"]
            style.font.name = "Arial"
            style.font.size = Pt(size)
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.paragraph_format.keep_with_next = True
        caption = self.doc.styles["Caption"]
        caption.font.name = "Arial"
        caption.font.size = Pt(9)
        caption.font.italic = False
        caption.font.bold = True
        caption.font.color.rgb = RGBColor(0, 0, 0)
        caption.paragraph_format.keep_with_next = True
        if "Table Text" not in [s.name for s in self.doc.styles]:
            table_text = self.doc.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
            table_text.base_style = normal
            table_text.font.size = Pt(9)
            table_text.paragraph_format.space_after = Pt(0)

    def _language(self, element: Any) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        rpr = element.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "en-GB")
        rpr.append(lang)

    def _layout(self, section: Section, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm

        short, long = Mm(A4[0]), Mm(A4[1])
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(MARGIN))

    def page_mm(self) -> tuple[float, float]:
        """The current section's writable width and height, in millimetres."""
        short, long = A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN
        return (long, short) if self._landscape else (short, long)

    def width_mm(self) -> float:
        return self.page_mm()[0]

    def _footer(self) -> None:
        from docx.shared import Pt

        footer = self.doc.sections[0].footer
        paragraph = footer.paragraphs[0]
        paragraph.style = self.doc.styles["Footer"]
        if self.source.footer:
            paragraph.add_run(_text(self.source.footer) + "  ·  ")
        paragraph.add_run("Page ")
        self._field(paragraph, "PAGE")
        paragraph.add_run(" of ")
        self._field(paragraph, "NUMPAGES")
        for run in paragraph.runs:
            run.font.size = Pt(8)

    def _field(self, paragraph: WordParagraph, name: str) -> None:
        """A page-number field of our own (never text from a person)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        run = paragraph.add_run()
        begin = OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        code = OxmlElement("w:instrText")
        code.set(qn("xml:space"), "preserve")
        code.text = f" {name} "
        separate = OxmlElement("w:fldChar")
        separate.set(qn("w:fldCharType"), "separate")
        run._r.append(begin)
        run._r.append(code)
        run._r.append(separate)
        shown = paragraph.add_run("1")
        end_run = paragraph.add_run()
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        end_run._r.append(end)
        del shown

    # -- the document -------------------------------------------------------------------------------------

    def write(self) -> bytes:
        from docx.enum.section import WD_SECTION

        for k, part in enumerate(self.source.parts):
            if k == 0:
                self._layout(self.doc.sections[0], part.landscape)
            elif part.new_page or part.landscape != self._landscape:
                self._layout(self.doc.add_section(WD_SECTION.NEW_PAGE), part.landscape)
            self._landscape = part.landscape
            for block in part.blocks:
                self._block(block)
        self._footer()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _fixed_times(buffer.getvalue())

    def _block(self, block: Block) -> None:
        if isinstance(block, Heading):
            self.doc.add_heading(_text(block.text), level=block.level)
        elif isinstance(block, Paragraph):
            self._paragraph(block)
        elif isinstance(block, Bullets):
            for item in block.items:
                self.doc.add_paragraph(_text(item), style="List Bullet")
        elif isinstance(block, Definitions):
            for term, text in block.items:
                paragraph = self.doc.add_paragraph()
                paragraph.add_run(_text(term) + ": ").bold = True
                paragraph.add_run(_text(text))
        elif isinstance(block, Warning):
            paragraph = self.doc.add_paragraph()
            paragraph.add_run("Warning: ").bold = True
            paragraph.add_run(_text(block.text))
            _shade(paragraph._p.get_or_add_pPr(), "FFF4E5")
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Matrix):
            self._matrix(block)
        elif isinstance(block, Fields):
            self._fields(block)
        elif isinstance(block, Chart):
            self._chart(block)

    def _paragraph(self, block: Paragraph) -> None:
        from docx.shared import Pt, RGBColor

        paragraph = self.doc.add_paragraph()
        if block.label:
            paragraph.add_run(_text(block.label) + ": ").bold = True
        run = paragraph.add_run(_text(block.text))
        if block.style == "instructions":
            run.italic = True
        elif block.style in ("muted", "small"):
            run.font.color.rgb = RGBColor.from_string(GREY)
            if block.style == "small":
                run.font.size = Pt(8.5)

    # -- tables -------------------------------------------------------------------------------------------

    def _caption(self, text: str) -> None:
        self.doc.add_paragraph(_text(text), style="Caption")

    def _new_table(self, rows: int, widths: list[float], caption: str) -> WordTable:
        from docx.shared import Mm

        table: WordTable = self.doc.add_table(rows=rows, cols=len(widths))
        table.style = self.doc.styles["Table Grid"]
        table.autofit = False
        total = sum(widths) or 1.0
        usable = self.width_mm()
        for column, weight in zip(table.columns, widths, strict=True):
            width = Mm(usable * weight / total)
            column.width = width
            for cell in column.cells:
                cell.width = width
        _table_alt_text(table, caption)
        return table

    def _fill(
        self, cell: WordCell, c: Cell, *, header: bool = False, bold_first: bool = False, size: float = 9.0
    ) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor

        paragraph = cell.paragraphs[0]
        paragraph.style = self.doc.styles["Table Text"]
        paragraph.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
        }[c.align]
        ink: str | None = None
        if c.level is not None:
            colour = self.levels[c.level].colour
            _shade(cell._tc.get_or_add_tcPr(), colour.lstrip("#"))
            ink = text_colour(colour).lstrip("#")
        elif header:
            _shade(cell._tc.get_or_add_tcPr(), HEAD_FILL)
        run = paragraph.add_run(_text(c.text))
        run.font.size = Pt(size)
        run.bold = c.bold or header or bold_first
        if ink:
            run.font.color.rgb = RGBColor.from_string(ink.upper())
        elif c.muted:
            run.font.color.rgb = RGBColor.from_string(GREY)
        if c.note:
            paragraph.add_run().add_break()
            note = paragraph.add_run(_text(c.note))
            note.font.size = Pt(max(size - 1.0, 8.0))
            if ink:
                note.font.color.rgb = RGBColor.from_string(ink.upper())
        if c.mark:
            _borders(cell, 18)

    def _table(self, t: Table) -> None:
        from docx.shared import Mm

        size = max(9.0 * t.scale, 8.0)
        self._caption(t.caption)
        table = self._new_table(1 + len(t.rows), list(t.widths), t.caption)
        _header_row(table.rows[0])
        column = 0
        for c in t.header:
            cell = table.cell(0, column)
            if c.colspan > 1:
                cell = cell.merge(table.cell(0, column + c.colspan - 1))
            self._fill(cell, c, header=True, size=size)
            column += c.colspan
        for r, row in enumerate(t.rows, 1):
            _keep_row(table.rows[r])
            if row.write_in:
                table.rows[r].height = Mm(row.write_in)
            column = 0
            for k, c in enumerate(row.cells):
                cell = table.cell(r, column)
                if c.colspan > 1:
                    cell = cell.merge(table.cell(r, column + c.colspan - 1))
                if row.group:
                    _shade(cell._tc.get_or_add_tcPr(), HEAD_FILL)
                self._fill(cell, c, bold_first=row.group or (k == 0 and t.row_headers), size=size)
                column += c.colspan
        if t.keep:
            # Word keeps a table on one page when every row but the last is kept with the next.
            for word_row in table.rows[:-1]:
                for word_cell in word_row.cells:
                    _keep_with_next(word_cell)
        self.doc.add_paragraph()

    def _matrix(self, m: Matrix) -> None:
        from docx.shared import Pt, RGBColor

        n = len(self.levels)
        self._caption(m.caption)
        rows = len(m.rows) + sum(1 for r in m.rows if r.opens_group)
        table = self._new_table(1 + rows, [1.4] + [2.0] * n + [1.2], m.caption)
        _header_row(table.rows[0])
        header = [Cell("Domain")] + [
            Cell(level_heading(lv.label, lv.score), level=j) for j, lv in enumerate(self.levels)
        ]
        for col, c in enumerate([*header, Cell(m.notes_heading)]):
            self._fill(table.cell(0, col), c, header=True)
        r = 1
        for row in m.rows:
            if row.opens_group and row.group is not None:
                cell = table.cell(r, 0).merge(table.cell(r, n + 1))
                _shade(cell._tc.get_or_add_tcPr(), HEAD_FILL)
                self._fill(cell, Cell(row.group, bold=True))
                _keep_with_next(cell)
                r += 1
            _keep_row(table.rows[r])
            self._fill(table.cell(r, 0), Cell(row.title, bold=True))
            for j, descriptor in enumerate(row.descriptors):
                chosen = m.marked and row.chosen == j
                if chosen:
                    self._fill(table.cell(r, j + 1), Cell(f"✓ {descriptor}", level=j, bold=True, mark=True))
                else:
                    self._fill(table.cell(r, j + 1), Cell(descriptor, muted=m.marked))
            self._fill(table.cell(r, n + 1), Cell(row.notes))
            r += 1
        for paragraph in (p for row in table.rows for cell in row.cells for p in cell.paragraphs):
            for run in paragraph.runs:
                run.font.size = Pt(8.5)
                if run.font.color.rgb is None:
                    run.font.color.rgb = RGBColor(0, 0, 0)
        self.doc.add_paragraph()

    def _fields(self, f: Fields) -> None:
        from docx.shared import Mm

        table = self._new_table(2, [1.0] * len(f.labels), "About you: boxes to write in")
        for col, label in enumerate(f.labels):
            self._fill(table.cell(0, col), Cell(label, bold=True))
        table.rows[1].height = Mm(9)
        self.doc.add_paragraph()

    def _chart(self, chart: Chart) -> None:
        from docx.shared import Mm

        self.charts += 1
        picture = charts.figure_bytes(chart.figure, "png")
        width = min(self.width_mm(), 250.0)
        # Keep the chart within the page's height (less a caption's room).
        height_room = min(self.page_mm()[1] - 25, chart.height)
        size = chart.figure.get_size_inches()
        if width * size[1] / size[0] > height_room:
            width = height_room * size[0] / size[1]
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.keep_with_next = True
        run = paragraph.add_run()
        shape = run.add_picture(io.BytesIO(picture), width=Mm(width))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", _text(chart.alt))
        doc_pr.set("title", _text(chart.caption))
        self.doc.add_paragraph(_text(chart.caption), style="Caption").paragraph_format.keep_with_next = False


# -- low-level Word XML ---------------------------------------------------------------------------------------
# Word is strict about the order of the children of a properties element (the schema's sequence); each element
# is inserted at its place in that sequence.

_ORDER = {
    "tcPr": (
        "cnfStyle",
        "tcW",
        "gridSpan",
        "hMerge",
        "vMerge",
        "tcBorders",
        "shd",
        "noWrap",
        "tcMar",
        "textDirection",
        "tcFitText",
        "vAlign",
        "hideMark",
    ),
    "trPr": (
        "cnfStyle",
        "divId",
        "gridBefore",
        "gridAfter",
        "wBefore",
        "wAfter",
        "cantSplit",
        "trHeight",
        "tblHeader",
        "tblCellSpacing",
        "jc",
        "hidden",
    ),
    "pPr": (
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "framePr",
        "widowControl",
        "numPr",
        "suppressLineNumbers",
        "pBdr",
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ),
    "tblPr": (
        "tblStyle",
        "tblpPr",
        "tblOverlap",
        "bidiVisual",
        "tblStyleRowBandSize",
        "tblStyleColBandSize",
        "tblW",
        "jc",
        "tblCellSpacing",
        "tblInd",
        "tblBorders",
        "shd",
        "tblLayout",
        "tblCellMar",
        "tblLook",
        "tblCaption",
        "tblDescription",
    ),
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _insert(properties: Any, child: Any) -> None:
    """Put ``child`` into ``properties`` at its place in the schema's sequence, replacing one of its kind."""
    order = _ORDER[_local(properties.tag)]
    name = _local(child.tag)
    for old in [e for e in properties if _local(e.tag) == name]:
        properties.remove(old)
    rank = order.index(name)
    for position, existing in enumerate(properties):
        tag = _local(existing.tag)
        if tag in order and order.index(tag) > rank:
            properties.insert(position, child)
            return
    properties.append(child)


def _shade(properties: Any, fill: str) -> None:
    """Shade a cell (``w:tcPr``) or a paragraph (``w:pPr``) with ``fill`` (``RRGGBB``)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill.upper())
    _insert(properties, shading)


def _borders(cell: WordCell, size: int) -> None:
    """A thick black outline around one cell (the count at the suggested level, the chosen statement)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), str(size))
        edge.set(qn("w:color"), "000000")
        borders.append(edge)
    _insert(properties, borders)


def _header_row(row: Any) -> None:
    """Repeat the row at the top of every page the table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    _insert(properties, header)
    _keep_row(row)


def _keep_row(row: Any) -> None:
    """A row never splits across pages."""
    from docx.oxml import OxmlElement

    _insert(row._tr.get_or_add_trPr(), OxmlElement("w:cantSplit"))


def _keep_with_next(cell: WordCell) -> None:
    for paragraph in cell.paragraphs:
        paragraph.paragraph_format.keep_with_next = True


def _table_alt_text(table: WordTable, caption: str) -> None:
    """Word's alternative text for a table: ``w:tblCaption`` (title) and ``w:tblDescription``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    title = OxmlElement("w:tblCaption")
    title.set(qn("w:val"), _text(caption)[:255])
    description = OxmlElement("w:tblDescription")
    description.set(qn("w:val"), _text(caption))
    _insert(properties, title)
    _insert(properties, description)


def _fixed_times(package: bytes) -> bytes:
    """The same package with every member dated :data:`TIMESTAMP`: the same input gives the same bytes."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member))
    return out.getvalue()


# -- the kinds ------------------------------------------------------------------------------------------------


def render_document(document: Document) -> bytes:
    """The document as a Word file."""
    return _Writer(document).write()
