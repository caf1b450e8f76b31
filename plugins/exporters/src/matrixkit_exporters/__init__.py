"""maturity-matrixkit-exporters: the artefacts a facilitator hands out and takes to the board.

Blank matrices to mark up, individual record sheets, workshop collation sheets and workshop reports, as CSV,
Markdown, HTML, XLSX, PDF and Word, with the charts (how people placed each domain, the level per domain) as SVG
and PNG.

The plugin module (:mod:`matrixkit_exporters.plugin`) registers the formats; the libraries that write the
heavier ones (XlsxWriter, typst, matplotlib, Jinja2, python-docx) are optional extras imported only when that
format is written.
"""

from __future__ import annotations

__version__ = "0.2.0"

__all__ = ["__version__"]
