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

__all__ = ["EXPORTERS", "PluginExporter"]

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

    def render_sheet(self, instrument: Instrument) -> bytes:
        data: bytes = self._module().render_sheet(instrument)
        return data

    def render_collation_sheet(self, instrument: Instrument) -> bytes:
        data: bytes = self._module().render_collation_sheet(instrument)
        return data

    def render_record(self, record: RecordSheet) -> bytes:
        data: bytes = self._module().render_record(record)
        return data

    def render_collation(self, report: CollationReport) -> bytes:
        data: bytes = self._module().render_collation(report)
        return data

    def render_report(self, report: WorkshopReport) -> bytes:
        data: bytes = self._module().render_report(report)
        return data

    def render_summary(self, report: WorkshopReport) -> bytes:
        data: bytes = self._module().render_summary(report)
        return data

    def render_comparison(self, comparison: Comparison) -> bytes:
        data: bytes = self._module().render_comparison(comparison)
        return data


#: Kinds every format for people renders (PDF, HTML, Word).
DOCUMENT_KINDS = frozenset({"sheet", "collation-sheet", "record", "collation", "report", "summary", "comparison"})


class CsvExporter(PluginExporter):
    name = "csv"
    extension = ".csv"
    media_type = "text/csv"
    description = "CSV tables (formula-safe): collation rows per domain and group, reports, records, blank templates"
    kinds: ClassVar[frozenset[str]] = frozenset({"sheet", "record", "collation", "report", "comparison"})
    module = "csvout"


class MarkdownExporter(PluginExporter):
    name = "md"
    extension = ".md"
    media_type = "text/markdown"
    description = "Markdown (GitHub/GitLab): record sheets, collation sheets, workshop reports, summaries, progress"
    kinds: ClassVar[frozenset[str]] = DOCUMENT_KINDS
    module = "markdown"


class HtmlExporter(PluginExporter):
    name = "html"
    extension = ".html"
    media_type = "text/html"
    description = "One self-contained, printable, accessible HTML file with level colours and inline charts"
    kinds: ClassVar[frozenset[str]] = DOCUMENT_KINDS
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


class PdfExporter(PluginExporter):
    name = "pdf"
    extension = ".pdf"
    media_type = "application/pdf"
    description = "Tagged (PDF/UA-1) A4 landscape PDF: handouts, collation sheets, board papers with charts"
    kinds: ClassVar[frozenset[str]] = DOCUMENT_KINDS
    module = "pdf"
    requires = ("typst", "matplotlib")
    extra = "pdf"


class DocxExporter(PluginExporter):
    name = "docx"
    extension = ".docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    description = "Word document to edit: real tables in the level colours, heading styles, charts with alt text"
    kinds: ClassVar[frozenset[str]] = DOCUMENT_KINDS
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

    def render_record(self, record: RecordSheet) -> bytes:
        data: bytes = self._module().render_record(record, self.name)
        return data

    def render_collation(self, report: CollationReport) -> bytes:
        data: bytes = self._module().render_collation(report, self.name)
        return data

    def render_report(self, report: WorkshopReport) -> bytes:
        data: bytes = self._module().render_report(report, self.name)
        return data

    def render_comparison(self, comparison: Comparison) -> bytes:
        data: bytes = self._module().render_comparison(comparison, self.name)
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
