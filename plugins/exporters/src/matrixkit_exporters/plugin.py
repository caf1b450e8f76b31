"""The ``exporters`` plugin: registers the formats of maturity-matrixkit-exporters.

This module is what the entry point loads, so it imports nothing but the standard library and matrixkit:
each format's module — and the library that writes it — is imported when something is rendered.
``availability()`` checks that a format's libraries are installed with :func:`importlib.util.find_spec`,
which does not import them.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import TYPE_CHECKING, ClassVar

from matrixkit import hookimpl
from matrixkit.exporting import Exporter

if TYPE_CHECKING:
    from matrixkit.model import Instrument
    from matrixkit.registry import ExporterRegister
    from matrixkit.report import CollationReport, Comparison, RecordSheet, WorkshopReport

__all__ = ["EXPORTERS", "DocumentExporter", "PluginExporter"]

PLUGIN_NAME = "exporters"
DISTRIBUTION = "maturity-matrixkit-exporters"


class PluginExporter(Exporter):
    """An exporter whose rendering lives in ``module`` (imported on first use) and needs ``requires``.

    ``module`` provides one ``render_<kind>(subject) -> bytes`` function per kind in :attr:`kinds`.
    """

    #: Module (under :mod:`matrixkit_exporters`) with the ``render_<kind>`` functions.
    module: ClassVar[str]
    #: Top-level import names of the libraries the format needs.
    requires: ClassVar[tuple[str, ...]] = ()
    #: The extra of maturity-matrixkit-exporters that installs them.
    extra: ClassVar[str | None] = None

    def availability(self) -> str | None:
        missing = [name for name in self.requires if importlib.util.find_spec(name) is None]
        if not missing:
            return None
        return f"install {DISTRIBUTION}[{self.extra}] (missing: {', '.join(missing)})"

    def _module(self) -> ModuleType:
        return importlib.import_module(f"matrixkit_exporters.{self.module}")

    def _render(self, kind: str, subject: object) -> bytes:
        """``module.render_<kind>(subject)``."""
        data: bytes = getattr(self._module(), f"render_{kind.replace('-', '_')}")(subject)
        return data

    def render_sheet(self, instrument: Instrument) -> bytes:
        return self._render("sheet", instrument)

    def render_collation_sheet(self, instrument: Instrument) -> bytes:
        return self._render("collation-sheet", instrument)

    def render_record(self, record: RecordSheet) -> bytes:
        return self._render("record", record)

    def render_collation(self, report: CollationReport) -> bytes:
        return self._render("collation", report)

    def render_report(self, report: WorkshopReport) -> bytes:
        return self._render("report", report)

    def render_summary(self, report: WorkshopReport) -> bytes:
        return self._render("summary", report)

    def render_comparison(self, comparison: Comparison) -> bytes:
        return self._render("comparison", comparison)


#: Kinds every format for people renders (Markdown, HTML, PDF, Word).
DOCUMENT_KINDS = frozenset({"sheet", "collation-sheet", "record", "collation", "report", "summary", "comparison"})


class DocumentExporter(PluginExporter):
    """A format for people: every kind is written by ``module.render_document`` from the document that
    :mod:`matrixkit_exporters.documents` builds for it (``documents.sheet``, ``documents.collation_sheet``, ...),
    so what a sheet or report says is decided once, for every such format."""

    kinds: ClassVar[frozenset[str]] = DOCUMENT_KINDS

    def _render(self, kind: str, subject: object) -> bytes:
        documents = importlib.import_module("matrixkit_exporters.documents")
        document = getattr(documents, kind.replace("-", "_"))(subject)
        data: bytes = self._module().render_document(document)
        return data


class CsvExporter(PluginExporter):
    name = "csv"
    extension = ".csv"
    media_type = "text/csv"
    description = "CSV tables (formula-safe): collation rows per domain and group, reports, records, blank templates"
    kinds: ClassVar[frozenset[str]] = frozenset({"sheet", "record", "collation", "report", "comparison"})
    module = "csvout"


class MarkdownExporter(DocumentExporter):
    name = "md"
    extension = ".md"
    media_type = "text/markdown"
    description = "Markdown (GitHub/GitLab): record sheets, collation sheets, workshop reports, summaries, progress"
    module = "markdown"


class HtmlExporter(DocumentExporter):
    name = "html"
    extension = ".html"
    media_type = "text/html"
    description = "One self-contained, printable, accessible HTML file with level colours and inline charts"
    module = "html"
    requires = ("jinja2", "matplotlib")
    extra = "html"


class XlsxExporter(PluginExporter):
    name = "xlsx"
    extension = ".xlsx"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    description = "Excel workbook laid out like the Workshop Collation Sheet, in the level colours"
    kinds: ClassVar[frozenset[str]] = frozenset(
        {"sheet", "collation-sheet", "record", "collation", "report", "comparison"}
    )
    module = "xlsx"
    requires = ("xlsxwriter",)
    extra = "xlsx"


class PdfExporter(DocumentExporter):
    name = "pdf"
    extension = ".pdf"
    media_type = "application/pdf"
    description = "Tagged (PDF/UA-1) A4 landscape PDF: handouts, collation sheets, board papers with charts"
    module = "pdf"
    requires = ("typst", "matplotlib")
    extra = "pdf"


class DocxExporter(DocumentExporter):
    name = "docx"
    extension = ".docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    description = "Word document to edit: real tables in the level colours, heading styles, charts with alt text"
    module = "word"
    requires = ("docx", "matplotlib")
    extra = "docx"


class ChartExporter(PluginExporter):
    """The charts of a collation or report (how people placed each domain, and the level per domain), or the level
    per domain of one person."""

    kinds: ClassVar[frozenset[str]] = frozenset({"record", "collation", "report", "comparison"})
    module = "charts"
    requires = ("matplotlib",)
    extra = "charts"

    def _render(self, kind: str, subject: object) -> bytes:
        data: bytes = getattr(self._module(), f"render_{kind}")(subject, self.name)
        return data


class SvgExporter(ChartExporter):
    name = "svg"
    extension = ".svg"
    media_type = "image/svg+xml"
    description = "SVG charts: how people placed each domain (stacked bars) and the level per domain (dots)"


class PngExporter(ChartExporter):
    name = "png"
    extension = ".png"
    media_type = "image/png"
    description = "PNG charts: how people placed each domain (stacked bars) and the level per domain (dots)"


#: The exporters this plugin registers, in the order ``matrixkit formats`` lists them.
EXPORTERS: tuple[type[PluginExporter], ...] = (
    CsvExporter,
    MarkdownExporter,
    HtmlExporter,
    XlsxExporter,
    PdfExporter,
    DocxExporter,
    SvgExporter,
    PngExporter,
)


@hookimpl
def matrixkit_register_exporters(register: ExporterRegister) -> None:
    for exporter in EXPORTERS:
        register.exporter(exporter())
