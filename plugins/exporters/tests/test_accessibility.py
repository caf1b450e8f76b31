"""Every HTML output checked with axe-core in Debian's headless Chromium: no violation of any impact.

axe-core (shipped by axe-playwright-python) is injected into each page and run with the WCAG 2.0/2.1/2.2 A and AA
rules and the best-practice rules; every finding is written to ``artifacts/exporters/axe.json``. Playwright drives
``/usr/bin/chromium`` and never downloads a browser. Without Chromium or Playwright these tests skip, except in CI
(``CI=true``), where they fail.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from workshop_data import hostile_instrument, hostile_record, hostile_report

from matrixkit.exporting import render_as as render
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import CollationReport, RecordSheet, WorkshopReport

CHROMIUM = Path("/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install maturity-matrixkit-exporters[test])")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def axe() -> str:
    try:
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        _unavailable("axe-core is not installed (pip install axe-playwright-python)")
        raise


@pytest.fixture(scope="module")
def findings(artifacts: Path) -> Iterator[dict[str, Any]]:
    found: dict[str, Any] = {}
    yield found
    (artifacts / "axe.json").write_text(json.dumps(found, indent=2), encoding="utf-8")


def violations(page: Any, axe: str) -> list[dict[str, Any]]:
    """axe-core's violations of the page as loaded, for the rules tagged :data:`AXE_TAGS`."""
    page.evaluate(axe)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    found: list[dict[str, Any]] = result["violations"]
    return found


def audit(browser: Any, axe: str, html: bytes, path: Path) -> list[dict[str, Any]]:
    path.write_bytes(html)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(path.as_uri())
        found = violations(page, axe)
    finally:
        page.close()
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in found
    ]


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report"])
def test_every_html_output_is_axe_clean(
    kind: str,
    browser: Any,
    axe: str,
    findings: dict[str, Any],
    tmp_path: Path,
    registry: Registry,
    instrument: Instrument,
    record: RecordSheet,
    collation: CollationReport,
    report: WorkshopReport,
) -> None:
    subject = {"sheet": instrument, "record": record, "collation": collation, "report": report}[kind]
    violations = audit(browser, axe, render(registry.exporter("html"), kind, subject), tmp_path / f"{kind}.html")
    findings[kind] = violations
    assert violations == []


@pytest.mark.parametrize("kind", ["sheet", "record", "report"])
def test_hostile_text_keeps_the_page_axe_clean(
    kind: str, browser: Any, axe: str, findings: dict[str, Any], tmp_path: Path, registry: Registry
) -> None:
    hostile = hostile_instrument()
    subject = {"sheet": hostile, "record": hostile_record(hostile), "report": hostile_report(hostile)}[kind]
    violations = audit(browser, axe, render(registry.exporter("html"), kind, subject), tmp_path / f"{kind}.html")
    findings[f"hostile {kind}"] = violations
    assert violations == []


@pytest.mark.parametrize("kind", ["collation-sheet", "summary", "comparison", "second-round"])
def test_the_new_kinds_are_axe_clean(
    kind: str,
    browser: Any,
    axe: str,
    findings: dict[str, Any],
    tmp_path: Path,
    registry: Registry,
    instrument: Instrument,
    second_round: WorkshopReport,
) -> None:
    subject: object = {
        "collation-sheet": instrument,
        "summary": second_round,
        "comparison": second_round.comparison,
        "second-round": second_round,
    }[kind]
    html = render(registry.exporter("html"), "report" if kind == "second-round" else kind, subject)
    violations = audit(browser, axe, html, tmp_path / f"{kind}.html")
    findings[kind] = violations
    assert violations == []


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report", "collation-sheet", "summary", "comparison"])
def test_every_html_output_reflows_at_320_css_pixels(
    kind: str,
    browser: Any,
    axe: str,
    findings: dict[str, Any],
    artifacts: Path,
    tmp_path: Path,
    registry: Registry,
    instrument: Instrument,
    record: RecordSheet,
    collation: CollationReport,
    second_round: WorkshopReport,
) -> None:
    """On a phone (WCAG 1.4.10, 320 CSS pixels) the page never scrolls sideways: a wide table scrolls within its
    own region, which the keyboard can reach (axe's scrollable-region-focusable rule runs at that width)."""
    subject: object = {
        "sheet": instrument,
        "record": record,
        "collation": collation,
        "report": second_round,
        "collation-sheet": instrument,
        "summary": second_round,
        "comparison": second_round.comparison,
    }[kind]
    path = tmp_path / f"{kind}.html"
    path.write_bytes(render(registry.exporter("html"), kind, subject))
    page = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        page.goto(path.as_uri())
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        regions = page.locator(".table-scroll").count()
        page.screenshot(path=str(artifacts / f"{kind}-320.png"), full_page=True)
        found = violations(page, axe)
    finally:
        page.close()
    findings[f"{kind} at 320 px"] = [v["id"] for v in found]
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    assert regions > 0  # every one of these outputs has a table
    assert found == []
