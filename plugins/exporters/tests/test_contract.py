"""matrixkit's contract test kit over every exporter the installed distribution maturity-matrixkit-exporters registers.

Every exporter is checked for every kind it lists (blank sheet, record sheet, collation, workshop report):
it renders any generated subject of any generated instrument, escapes a hostile probe in every text (HTML and
SVG parsed, CSV checked for formula prefixes), and writes nothing itself. Exporters whose extra is not
installed are only checked to describe themselves; run with the ``[all]`` extra to check them all.

Rendering charts and PDFs takes a good part of a second per example, so the properties run fewer examples
than the kit's default and do not shrink a failure (the failing example is printed as found).
"""

from __future__ import annotations

from matrixkit.testing.contract import ExporterContract


class TestExporters(ExporterContract):
    distribution = "maturity-matrixkit-exporters"
    max_examples = 5
    shrink = False
