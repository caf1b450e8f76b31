"""End to end in Debian's headless Chromium (Playwright): a facilitator runs a workshop with three participants.

Every page visited is checked with axe-core (WCAG 2.0/2.1/2.2 A and AA rules plus best practices): no serious or
critical violation is allowed; every finding is written to ``artifacts/web/axe.json``. Screenshots of every page
go to ``artifacts/web/screenshots/`` (kept by CI as artefacts for review). One participant uses the keyboard
only. The browser reports Content Security Policy violations to the console; any of them fails the test.

Playwright never downloads a browser here: it drives ``/usr/bin/chromium`` (``apt-get install chromium``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "artifacts" / "web"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# The three participants: (name, sector, table, level index per domain (None = not sure), keyboard only).
PEOPLE = [
    ("Ann", "Local authority", "Table 1", [1, 1, 2, 0, 1, 2, 1, 3, 1, None], False),
    ("", "NHS", "Table 1", [2, 1, 2, 0, 3, 2, 1, 3, 2, 1], True),
    ("Chris", "Voluntary sector", "Table 2", [3, 2, 2, 0, 0, 1, 1, 3, 2, 1], False),
]


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
        _unavailable("Playwright is not installed (pip install maturity-matrixkit-web[test])")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _axe_source() -> str:
    try:
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        _unavailable("axe-core is not installed (pip install axe-playwright-python)")
        raise


class Audit:
    """Runs axe-core on pages, takes screenshots, and collects CSP violations reported by the browser."""

    def __init__(self) -> None:
        self.source = _axe_source()
        self.results: dict[str, list[dict[str, Any]]] = {}
        self.csp: list[str] = []
        (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)

    def watch(self, page: Any) -> Any:
        def on_console(message: Any) -> None:
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
                self.csp.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        return page

    def check(self, page: Any, name: str) -> None:
        """axe-core on the page as it is now, and a full-page screenshot."""
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"{name}.png"), full_page=True)
        # page.evaluate runs through the DevTools protocol, so the page's CSP does not block axe itself.
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(self.source)
        result = page.evaluate(
            "async (tags) => await axe.run(document, "
            "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:10],
            }
            for v in result["violations"]
        ]
        # WCAG 1.4.10 Reflow: at 320 CSS pixels wide nothing may need scrolling sideways (wide tables scroll
        # inside their own region, which the criterion allows).
        size = page.viewport_size
        page.set_viewport_size({"width": 320, "height": 640})
        width = page.evaluate("() => document.documentElement.scrollWidth")
        page.set_viewport_size(size)
        if width > 320:
            violations.append(
                {"id": "reflow-320", "impact": "serious", "help": f"page is {width}px wide at 320px", "nodes": []}
            )
        self.results[f"{name} ({page.url})"] = violations

    def serious(self) -> dict[str, list[dict[str, Any]]]:
        found = {
            name: [v for v in violations if v["impact"] in ("serious", "critical")]
            for name, violations in self.results.items()
        }
        return {name: v for name, v in found.items() if v}

    def save(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "axe.json").write_text(json.dumps(self.results, indent=2))


def go(page: Any, selector: str) -> None:
    """Click something that loads a new page, and wait for that page."""
    with page.expect_navigation():
        page.click(selector)


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus: proves it is reachable with the keyboard alone."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key on {page.url}")


def answer_with_mouse(page: Any, levels: list[int | None]) -> None:
    for i, level in enumerate(levels):
        if level is None:
            page.check("#level-not-sure")
        else:
            page.check("#level" if level == 0 else f"#level-{level + 1}")
        if i == 0:
            page.fill("#comment", "Health colleagues see more progress than the council does.")
        go(page, "button[value=continue]")


def answer_with_keyboard(page: Any, levels: list[int | None]) -> None:
    for level in levels:
        page.keyboard.press("Tab")  # leave wherever the focus is after the page loaded
        tab_to(page, "input[name=level]")
        # Arrow keys move the choice within the radio group: down from the first level to the wanted one.
        position = 4 if level is None else level
        if not page.evaluate("() => document.activeElement.checked"):
            page.keyboard.press("Space")
        for _ in range(position):
            page.keyboard.press("ArrowDown")
        tab_to(page, "button[value=continue]")
        with page.expect_navigation():
            page.keyboard.press("Enter")


def test_workshop_end_to_end(browser: Any, live_server: Any, registry: Any, tmp_path: Path) -> None:
    import openpyxl

    base = live_server.url
    audit = Audit()
    instrument = registry.instrument("pit-a")
    facilitator_context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    fac = audit.watch(facilitator_context.new_page())

    # -- the facilitator creates the workshop ------------------------------------------------------
    fac.goto(base + "/")
    audit.check(fac, "01-home")
    go(fac, "a:has-text('Create a workshop')")
    audit.check(fac, "02-new")
    go(fac, "button:has-text('Create workshop')")  # nothing filled in: errors
    assert fac.locator(".error-summary").is_visible()
    assert fac.evaluate("() => document.activeElement.classList.contains('error-summary')")
    audit.check(fac, "03-new-errors")
    fac.check("#instrument")
    fac.fill("#title", "Spring partnership workshop")
    fac.fill("#date", "2025-03-14")
    fac.fill("#place", "Town hall")
    fac.fill("#sectors", "Local authority\nNHS\nVoluntary sector")
    fac.fill("#tables", "Table 1\nTable 2")
    go(fac, "button:has-text('Create workshop')")
    assert re.search(r"/w/[0-9a-f]+/links$", fac.url)
    audit.check(fac, "04-links")
    join_code = fac.inner_text("#join-code")
    facilitator_link = fac.input_value("#facilitator-link")
    workshop_id = fac.url.split("/")[-2]
    go(fac, "a:has-text('Go to the dashboard')")
    audit.check(fac, "05-dashboard-empty")

    # -- three participants answer in their own browsers ----------------------------------------------
    participants = []
    for number, (name, sector, table, levels, keyboard) in enumerate(PEOPLE, 1):
        context = browser.new_context(viewport={"width": 1000, "height": 900})
        page = audit.watch(context.new_page())
        participants.append((context, page))
        page.goto(base + "/")
        if keyboard:
            tab_to(page, "a.button-start")
            page.keyboard.press("Enter")
            page.wait_for_url("**/join")
            tab_to(page, "#code")
            page.keyboard.type(join_code.lower().replace("-", ""))  # forgiving about case and hyphen
            page.keyboard.press("Enter")
            page.wait_for_url("**/join?code=*")
            tab_to(page, "#name")  # left blank: anonymous
            tab_to(page, "input[name=sector]")
            page.keyboard.press("Space")  # first sector...
            page.keyboard.press("ArrowDown")  # ...then the second: NHS
            tab_to(page, "input[name=table]")
            page.keyboard.press("Space")
            tab_to(page, "form[action='/join'] button[type=submit]")
            with page.expect_navigation():
                page.keyboard.press("Enter")
        else:
            go(page, "a:has-text('Join a workshop')")
            if number == 1:
                audit.check(page, "10-join-code")
                page.fill("#code", "WRONG")
                go(page, "button:has-text('Continue')")
                audit.check(page, "11-join-code-error")
            page.fill("#code", join_code)
            go(page, "button:has-text('Continue')")
            if number == 1:
                audit.check(page, "12-join-details")
            page.fill("#name", name)
            page.check(f"input[name=sector][value='{sector}']")
            page.check(f"input[name=table][value='{table}']")
            go(page, "button:has-text('Start answering')")
        assert page.url.endswith(f"/w/{workshop_id}/answer")
        if number == 1:
            audit.check(page, "13-task-list")
        go(page, ".task-list a >> nth=0")
        if number == 1:
            audit.check(page, "14-question")
            go(page, "button[value=continue]")  # nothing chosen: an error
            audit.check(page, "15-question-error")
        if keyboard:
            answer_with_keyboard(page, levels)
        else:
            answer_with_mouse(page, levels)
        assert page.url.endswith(f"/w/{workshop_id}/check")
        if number == 1:
            audit.check(page, "16-check-answers")
        if number == len(PEOPLE):
            # The dashboard refreshes itself (htmx): the third submission appears without reloading.
            fac.goto(f"{base}/w/{workshop_id}/dashboard")
            assert fac.inner_text("#submitted-count") == "2"
        if keyboard:
            tab_to(page, "form[action$='/submit'] button")
            with page.expect_navigation():
                page.keyboard.press("Enter")
        else:
            go(page, "button:has-text('Submit answers')")
        assert page.url.endswith(f"/w/{workshop_id}/done")
        if number == 1:
            audit.check(page, "17-submitted")
            page.goto(f"{base}/w/{workshop_id}/later")
            audit.check(page, "18-save-and-return")
            go(page, "button:has-text('Get my personal link')")
            personal_link = page.input_value("#return-link")
            assert personal_link.startswith(f"{base}/resume/")
            audit.check(page, "18b-personal-link-shown-once")
            page.reload()
            assert page.locator("#return-link").count() == 0  # shown once
            page.goto(f"{base}/w/{workshop_id}/details")
            audit.check(page, "19-change-details")

    fac.wait_for_function("() => document.querySelector('#submitted-count').textContent.trim() === '3'", timeout=15000)
    # Live updates can be paused (WCAG 2.2.2): while paused, the figures stay as they are.
    assert fac.is_visible("#live-toggle")
    fac.click("#live-toggle")
    assert fac.get_attribute("#live-toggle", "aria-pressed") == "true"
    late = audit.watch(browser.new_context().new_page())
    late.goto(f"{base}/join?code={join_code}")
    late.check("input[name=sector][value='NHS']")
    late.check("input[name=table][value='Table 2']")
    go(late, "button:has-text('Start answering')")
    go(late, ".task-list a >> nth=0")
    late.check("#level-2")
    go(late, "button[value=continue]")
    late.goto(f"{base}/w/{workshop_id}/check")
    go(late, "button:has-text('Submit answers')")
    fac.wait_for_timeout(5000)  # more than two refresh periods
    assert fac.inner_text("#submitted-count") == "3"
    fac.click("#live-toggle")  # resume
    fac.wait_for_function("() => document.querySelector('#submitted-count').textContent.trim() === '4'", timeout=15000)
    PEOPLE_AND_LATE = [*PEOPLE, ("", "NHS", "Table 2", [1] + [None] * 9, False)]

    # -- the dashboard shows the collation of the three --------------------------------------------
    fac.reload()
    audit.check(fac, "20-dashboard")
    for i, domain in enumerate(instrument.domains):
        row = fac.locator(f"#row-{domain.key} td")
        counts = [int(row.nth(j).inner_text()) for j in range(len(instrument.levels) + 1)]
        expected = [sum(1 for p in PEOPLE_AND_LATE if p[3][i] == level) for level in range(len(instrument.levels))]
        expected.append(sum(1 for p in PEOPLE_AND_LATE if p[3][i] is None))
        assert counts == expected, domain.key
    # Three people at three levels of Leadership: agreement is low, so it is flagged for discussion.
    assert "Leadership" in fac.inner_text("#discuss-list")
    go(fac, ".tabs-link:has-text('By sector')")
    audit.check(fac, "21-dashboard-by-sector")
    go(fac, ".tabs-link:has-text('By table')")
    audit.check(fac, "22-dashboard-by-table")

    # -- pooling the tables gives the whole room ------------------------------------------------------
    go(fac, ".sub-nav a:has-text('Pool tables')")
    fac.check("input[name=table][value='Table 1']")
    fac.check("input[name=table][value='Table 2']")
    go(fac, "button:has-text('Pool these tables')")
    assert "(4 responses)" in fac.inner_text(".table-caption")
    audit.check(fac, "23-pool")

    # -- decisions, priorities and actions ---------------------------------------------------------------
    go(fac, ".sub-nav a:has-text('Decisions')")
    audit.check(fac, "24-decisions")
    go(fac, "#domain-leadership a:has-text('Record')")
    audit.check(fac, "25-decide")
    fac.check("input[name=agreed][value=developing]")
    fac.select_option("#target", "maturing")
    fac.fill("#priority", "1")
    fac.fill("#priorities", "A joint vision for health inequalities, owned by the board")
    fac.fill("#notes", "Health colleagues rated this higher than the council.")
    go(fac, "button:has-text('Save decisions')")
    assert "Developing" in fac.inner_text("#domain-leadership")
    go(fac, "#domain-leadership a:has-text('Record')")
    fac.fill("#what", "Board session to agree a joint vision")
    fac.fill("#who", "Director of Public Health")
    fac.fill("#when", "2025-06-30")
    fac.fill("#measure", "Vision adopted and cited in partners' plans")
    go(fac, "button:has-text('Add action')")
    assert "Board session to agree a joint vision" in fac.inner_text("#action-list")
    audit.check(fac, "26-decide-with-action")
    fac.goto(f"{base}/w/{workshop_id}/decisions/evaluation")
    fac.fill("#priority", "1")  # rank 1 is taken by leadership
    go(fac, "button:has-text('Save decisions')")
    assert "already given to another domain" in fac.inner_text(".error-summary")
    audit.check(fac, "27-decide-error")
    fac.fill("#priority", "2")
    fac.check("input[name=agreed][value=developing]")
    go(fac, "button:has-text('Save decisions')")

    # -- close the workshop ------------------------------------------------------------------------------
    go(fac, ".sub-nav a:has-text('Close')")
    audit.check(fac, "28-close")
    go(fac, "button:has-text('Close the workshop')")
    assert "Closed" in fac.inner_text("h1")
    audit.check(fac, "29-dashboard-closed")
    _, first_page = participants[0]
    first_page.goto(f"{base}/w/{workshop_id}/answer")
    assert "This workshop is closed" in first_page.inner_text(".notification-banner")
    audit.check(first_page, "30-participant-closed")

    # -- download the XLSX report and read it back ------------------------------------------------
    go(fac, ".sub-nav a:has-text('Download')")
    audit.check(fac, "31-downloads")
    with fac.expect_download() as download_info:
        fac.click("a[href$='/download/xlsx?kind=report']")
    download = download_info.value
    target = ARTIFACTS / "workshop-report.xlsx"
    download.save_as(str(target))
    book = openpyxl.load_workbook(target)
    rows = [[c for c in row] for ws in book.worksheets for row in ws.iter_rows(values_only=True)]
    priorities = "A joint vision for health inequalities, owned by the board"

    def has_level(row: list[Any], level: str) -> bool:  # written as "Developing (2)" or "developing"
        return any(isinstance(c, str) and c.strip().lower().startswith(level) for c in row)

    # The row of Leadership's decisions: agreed level Developing, target Maturing, rank 1, the priorities.
    leadership = next(r for r in rows if "Leadership" in r and priorities in r)
    assert has_level(leadership, "developing"), leadership
    assert has_level(leadership, "maturing"), leadership
    assert 1 in leadership
    assert any("Evaluation" in r and 2 in r and has_level(r, "developing") for r in rows)
    action = next(r for r in rows if "Board session to agree a joint vision" in r)
    assert "Director of Public Health" in action
    assert "Vision adopted and cited in partners' plans" in action
    text = [str(c) for r in rows for c in r if c]
    assert any("Spring partnership workshop" in t for t in text)

    # -- compare with an earlier round; a new browser with the secret link --------------------------
    go(fac, ".sub-nav a:has-text('Compare rounds')")
    audit.check(fac, "32-compare")
    other = audit.watch(browser.new_context().new_page())
    other.goto(facilitator_link)
    assert other.url.endswith(f"/w/{workshop_id}/dashboard")
    assert facilitator_link.split("/")[-1] not in other.url  # the token left the address bar
    other.goto(f"{base}/w/no-such-workshop/dashboard")
    audit.check(other, "33-not-found")

    # -- a participant's browser opening the facilitator link is asked first (never switched on a GET) ----
    _, participant_page = participants[0]
    participant_page.goto(facilitator_link)
    assert "Continue only if it is yours" in participant_page.inner_text("main")
    assert participant_page.url.startswith(base + "/facilitate/")
    audit.check(participant_page, "34-confirm-switch")
    participant_page.goto(f"{base}/w/{workshop_id}/dashboard")
    assert "You need the facilitator link" in participant_page.inner_text("h1")

    # -- data protection: remove a participant, delete the workshop (each after a confirmation page) ---------
    fac.goto(f"{base}/w/{workshop_id}/dashboard")
    go(fac, "#people a:has-text('Remove') >> nth=0")
    audit.check(fac, "35-remove-participant")
    go(fac, "button:has-text('Remove')")
    assert fac.url.endswith(f"/w/{workshop_id}/dashboard#people")
    assert fac.locator("#people tbody tr").count() == len(PEOPLE_AND_LATE) - 1
    go(fac, ".sub-nav a:has-text('Reopen')")
    go(fac, "a:has-text('Delete the workshop')")
    audit.check(fac, "36-delete-workshop")
    go(fac, "button:has-text('Delete the workshop and all its data')")
    assert "Workshop deleted" in fac.inner_text("h1")
    audit.check(fac, "37-deleted")

    audit.save()
    assert not audit.csp, audit.csp
    assert not audit.serious(), json.dumps(audit.serious(), indent=2)
    for context, _ in participants:
        context.close()
    facilitator_context.close()


def test_the_accessibility_check_finds_violations(browser: Any) -> None:
    """The harness itself: axe-core, injected as in the end-to-end test, reports a page's real problems."""
    audit = Audit()
    page = browser.new_page()
    page.set_content('<html><body><img src="x.png"><input type="text"><p style="color:#ccc">faint</p></body></html>')
    audit.check(page, "00-harness-self-test")
    found = {v["id"] for v in audit.results[next(iter(audit.results))]}
    assert {"image-alt", "label", "html-has-lang"} <= found
    assert audit.serious()
    page.close()


def test_pages_work_without_javascript(browser: Any, live_server: Any) -> None:
    """With JavaScript off, a participant still joins, answers and submits (plain HTML forms)."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    api = context.request.post(f"{live_server.url}/api/workshops", data={"instrument": "pit-a", "title": "No JS"})
    workshop = api.json()
    page.goto(f"{live_server.url}/join?code={workshop['join_code']}")
    go(page, "button:has-text('Start answering')")
    go(page, ".task-list a >> nth=0")
    page.check("#level-3")
    go(page, "button[value=continue]")
    page.goto(f"{live_server.url}/w/{workshop['id']}/check")
    go(page, "button:has-text('Submit answers')")
    assert "Answers submitted" in page.inner_text("h1")
    collation = context.request.get(
        f"{live_server.url}/api/workshops/{workshop['id']}/collation",
        headers={"Authorization": f"Bearer {workshop['facilitator_token']}"},
    ).json()
    assert collation["domains"][0]["counts"]["maturing"] == 1
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "40-no-javascript-submitted.png"), full_page=True)
    context.close()
