"""Pictures for people to review: HTML rendered by headless Chromium, every PDF page by pdftoppm, Word and Excel
files printed to PDF by LibreOffice and then rendered, charts as PNG.

No pixel is asserted beyond "a page, not blank"; the pictures are kept under ``artifacts/exporters/`` (gitignored;
CI keeps them as build artefacts) so that someone can look at what a facilitator would print. Without Chromium,
pdftoppm or LibreOffice these tests skip, except in CI (``CI=true``), where a missing tool is a failure:
.ci/system-deps.sh installs them.
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


def _pages(document: Path, prefix: Path) -> list[Path]:
    """Every page of a PDF as PNG at 100 dpi: ``prefix-1.png``, ``prefix-2.png``, ..."""
    pdftoppm = _pdftoppm()
    for old in prefix.parent.glob(f"{prefix.name}-*.png"):
        old.unlink()
    subprocess.run(
        [pdftoppm, "-png", "-r", "100", str(document), str(prefix)], check=True, capture_output=True, timeout=120
    )
    pictures = sorted(prefix.parent.glob(f"{prefix.name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert pictures
    return pictures


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report"])
def test_pdf_pages_with_pdftoppm(
    kind: str,
    registry: Registry,
    artifacts: Path,
    tmp_path: Path,
    instrument: Instrument,
    record: RecordSheet,
    collation: CollationReport,
    report: WorkshopReport,
) -> None:
    subject = {"sheet": instrument, "record": record, "collation": collation, "report": report}[kind]
    document = tmp_path / f"{kind}.pdf"
    document.write_bytes(render(registry.exporter("pdf"), kind, subject))
    for picture in _pages(document, artifacts / f"pdf-{kind}"):
        _check_picture(picture, 1100, 780)  # A4 landscape at 100 dpi: 1169 × 827
        with Image.open(picture) as image:
            assert image.width > image.height


@pytest.mark.parametrize("tool", ["pit-a", "pit-b", "pit-c", "pit-d"])
def test_pit_handouts_with_pdftoppm(tool: str, registry: Registry, artifacts: Path, tmp_path: Path) -> None:
    """The four PIT tools' blank sheets as a facilitator prints them (``matrixkit sheet pit-a -o sheet.pdf``)."""
    pytest.importorskip("matrixkit_pit_tools", reason="the PIT tools plugin is not installed")
    from matrixkit.api import get_instrument

    bare = get_instrument(tool).without_guidance()
    document = tmp_path / f"{tool}.pdf"
    document.write_bytes(render(registry.exporter("pdf"), "sheet", bare))
    assert len(_pages(document, artifacts / f"pdf-sheet-{tool}")) <= 2


def _soffice() -> str:
    found = tool("soffice") or tool("libreoffice")
    if found is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")
    return found


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report"])
def test_office_files_printed_by_libreoffice(
    fmt: str,
    kind: str,
    registry: Registry,
    artifacts: Path,
    tmp_path: Path,
    instrument: Instrument,
    record: RecordSheet,
    collation: CollationReport,
    report: WorkshopReport,
) -> None:
    """Word and Excel files as they print: LibreOffice converts them to PDF, pdftoppm renders each page."""
    soffice = _soffice()
    subject = {"sheet": instrument, "record": record, "collation": collation, "report": report}[kind]
    source = tmp_path / f"{kind}.{fmt}"
    source.write_bytes(render(registry.exporter(fmt), kind, subject))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    printed = tmp_path / f"{kind}.pdf"
    assert printed.is_file(), "LibreOffice could not open the file"
    for picture in _pages(printed, artifacts / f"{fmt}-{kind}"):
        _check_picture(picture, 780, 780)


def _print_office(source: Path, tmp_path: Path) -> Path:
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    printed = source.with_suffix(".pdf")
    assert printed.is_file(), "LibreOffice could not open the file"
    return printed


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [
        (kind, fmt)
        for kind in ("collation-sheet", "summary", "comparison", "second-round")
        for fmt in ("pdf", "docx", "xlsx", "html")
        if (kind, fmt) not in (("summary", "xlsx"), ("second-round", "xlsx"))
    ],
)
def test_the_new_kinds(
    fmt: str,
    kind: str,
    registry: Registry,
    artifacts: Path,
    tmp_path: Path,
    instrument: Instrument,
    second_round: WorkshopReport,
) -> None:
    """Pictures of the blank Workshop Collation Sheet, the one-page board summary (of a second round, with its
    change since the first), progress between rounds, and the second round's full report."""
    assert second_round.comparison is not None
    subject: object = {
        "collation-sheet": instrument,
        "summary": second_round,
        "comparison": second_round.comparison,
        "second-round": second_round,
    }[kind]
    data = render(registry.exporter(fmt), "report" if kind == "second-round" else kind, subject)
    source = tmp_path / f"{kind}.{fmt}"
    source.write_bytes(data)
    if fmt == "html":
        printed = tmp_path / f"{kind}-printed.pdf"
        subprocess.run(
            [
                _chromium(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={tmp_path / 'profile'}",
                f"--print-to-pdf={printed}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    elif fmt == "pdf":
        printed = source
    else:
        printed = _print_office(source, tmp_path)
    pictures = _pages(printed, artifacts / f"{fmt}-{kind}")
    if kind in ("collation-sheet", "summary"):
        assert len(pictures) == 1, f"the {kind} takes {len(pictures)} pages"
    for picture in pictures:
        _check_picture(picture, 780, 780)
