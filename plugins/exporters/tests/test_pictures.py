"""Pictures for people to review: HTML rendered by headless Chromium, PDF pages by pdftoppm, charts as PNG.

No pixel is asserted; the pictures are kept under ``artifacts/exporters/`` (gitignored; CI keeps them as build
artefacts) so that someone can look at what a facilitator would print. Without Chromium or pdftoppm these tests
skip, except in CI (``CI=true``), where a missing tool is a failure: .ci/system-deps.sh installs them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image
from workshop_data import tool

from matrixkit.exporting import render_as as render
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import CollationReport, RecordSheet, WorkshopReport


def _chromium() -> str:
    found = tool("chromium") or tool("chromium-browser") or tool("google-chrome")
    if found is None:
        pytest.skip("headless Chromium is not installed (/usr/bin/chromium); install it to render HTML to PNG")
    return found


def _pdftoppm() -> str:
    found = tool("pdftoppm")
    if found is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; install it to render PDF pages to PNG")
    return found


def _check_picture(path: Path, min_width: int, min_height: int) -> None:
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width >= min_width and image.height >= min_height
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 16, "a blank picture"


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report"])
def test_html_in_headless_chromium(
    kind: str,
    registry: Registry,
    artifacts: Path,
    tmp_path: Path,
    instrument: Instrument,
    record: RecordSheet,
    collation: CollationReport,
    report: WorkshopReport,
) -> None:
    chromium = _chromium()
    subject = {"sheet": instrument, "record": record, "collation": collation, "report": report}[kind]
    page = tmp_path / f"{kind}.html"
    page.write_bytes(render(registry.exporter("html"), kind, subject))
    picture = artifacts / f"html-{kind}.png"
    picture.unlink(missing_ok=True)
    subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1240,1754",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={picture}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    _check_picture(picture, 1000, 1000)


@pytest.mark.parametrize("kind", ["sheet", "record", "report"])
def test_pdf_first_page_with_pdftoppm(
    kind: str,
    registry: Registry,
    artifacts: Path,
    tmp_path: Path,
    instrument: Instrument,
    record: RecordSheet,
    report: WorkshopReport,
) -> None:
    pdftoppm = _pdftoppm()
    subject = {"sheet": instrument, "record": record, "report": report}[kind]
    document = tmp_path / f"{kind}.pdf"
    document.write_bytes(render(registry.exporter("pdf"), kind, subject))
    prefix = artifacts / f"pdf-{kind}-page1"
    subprocess.run(
        [pdftoppm, "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(document), str(prefix)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    picture = prefix.with_suffix(".png")
    _check_picture(picture, 1100, 780)  # A4 landscape at 100 dpi: 1169 × 827
    with Image.open(picture) as image:
        assert image.width > image.height


def test_chart_pictures(registry: Registry, artifacts: Path, report: WorkshopReport) -> None:
    picture = artifacts / "charts-report.png"
    picture.write_bytes(render(registry.exporter("png"), "report", report))
    _check_picture(picture, 900, 500)
    (artifacts / "charts-report.svg").write_bytes(render(registry.exporter("svg"), "report", report))


@pytest.mark.parametrize("kind", ["sheet", "report"])
def test_html_prints_on_a4_landscape(
    kind: str,
    registry: Registry,
    artifacts: Path,
    tmp_path: Path,
    instrument: Instrument,
    report: WorkshopReport,
) -> None:
    """What a facilitator gets from the browser's Print: the @page rule makes it A4 landscape."""
    import io

    import pypdf

    chromium = _chromium()
    pdftoppm = _pdftoppm()
    page = tmp_path / f"{kind}.html"
    page.write_bytes(render(registry.exporter("html"), kind, {"sheet": instrument, "report": report}[kind]))
    printed = tmp_path / f"{kind}.pdf"
    subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={printed}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    reader = pypdf.PdfReader(io.BytesIO(printed.read_bytes()))
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((842, 595), abs=2)
    prefix = artifacts / f"html-printed-{kind}-page1"
    subprocess.run(
        [pdftoppm, "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(printed), str(prefix)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    _check_picture(prefix.with_suffix(".png"), 1100, 780)
