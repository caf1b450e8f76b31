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

    def __init__(self, folder: str = "screenshots") -> None:
        self.source = _axe_source()
        self.results: dict[str, list[dict[str, Any]]] = {}
        self.csp: list[str] = []
        self.folder = ARTIFACTS / folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def watch(self, page: Any) -> Any:
        def on_console(message: Any) -> None:
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
                self.csp.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        return page

    def check(self, page: Any, name: str) -> None:
        """axe-core on the page as it is now, and a full-page screenshot."""
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)
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

    def save(self, name: str = "axe.json") -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / name).write_text(json.dumps(self.results, indent=2))


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
    # The secret link first, on a page of its own; the join code on the next (never the two together).
    assert re.search(r"/w/[0-9a-f]+/facilitator-link$", fac.url)
    audit.check(fac, "04-facilitator-link")
    facilitator_link = fac.input_value("#facilitator-link")
    assert fac.locator("#join-code").count() == 0
    go(fac, "a:has-text('I have copied it')")
    audit.check(fac, "04b-links")
    assert fac.locator("#facilitator-link").count() == 0
    join_code = fac.inner_text("#join-code")
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
    # The action in the same form: nothing typed above is lost.
    fac.fill("#action-1-what", "Board session to agree a joint vision")
    fac.fill("#action-1-who", "Director of Public Health")
    fac.fill("#action-1-when", "2025-06-30")
    fac.fill("#action-1-measure", "Vision adopted and cited in partners' plans")
    go(fac, "button[value=save]")
    assert "Saved." in fac.inner_text(".notification-banner")
    assert fac.input_value("#action-1-what") == "Board session to agree a joint vision"
    audit.check(fac, "26-decide-with-action")
    go(fac, "a.back-link")
    assert "Developing" in fac.inner_text("#domain-leadership")
    fac.goto(f"{base}/w/{workshop_id}/decisions/evaluation")
    fac.fill("#priority", "1")  # rank 1 is taken by leadership
    go(fac, "button[value=save]")
    assert "already given to another domain" in fac.inner_text(".error-summary")
    audit.check(fac, "27-decide-error")
    fac.fill("#priority", "2")
    fac.check("input[name=agreed][value=developing]")
    go(fac, "button[value=save]")

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
    fac.goto(f"{base}/w/{workshop_id}/participants")
    go(fac, "#people a:has-text('Remove') >> nth=0")
    audit.check(fac, "35-remove-participant")
    go(fac, "button:has-text('Remove')")
    assert fac.url.endswith(f"/w/{workshop_id}/participants")
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


# -- a whole room (issue 15) -------------------------------------------------------------------------------

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
# The room: (name, sector, table, level index per domain; None = not sure). Eve submits with no answers.
ROOM = [
    ("Ann", "NHS", "Table 1", [1, 1, 2, 0, 1, 2, 1, 3, 1, 2]),
    ("Bob", "Local authority", "Table 1", [1, 2, 2, 1, 1, 2, 1, 2, 1, 2]),
    ("Cat", "Voluntary sector", "Table 1", [3, 2, 1, 1, 2, 2, 2, 2, 1, 1]),
]


def nothing_clipped(page: Any) -> list[str]:
    """Elements wider than their box at this size: the page itself, and any table region that scrolls
    sideways (at 1280 px and more, nothing should)."""
    return list(
        page.evaluate(
            """() => {
                const found = [];
                if (document.documentElement.scrollWidth > window.innerWidth) found.push('page');
                document.querySelectorAll('.table-scroll, .present-live, .present-row-bar').forEach((el, i) => {
                    if (el.scrollWidth > el.clientWidth + 1) found.push(el.className + ' #' + i);
                });
                return found;
            }"""
        )
    )


def answer_all(page: Any, levels: list[int | None]) -> None:
    for level in levels:
        page.check("#level-not-sure" if level is None else ("#level" if level == 0 else f"#level-{level + 1}"))
        go(page, "button[value=continue]")


def test_a_whole_room(browser: Any, live_server: Any, tmp_path: Path) -> None:
    """Facilitator, three phone participants, one who submits nothing and one paper sheet: present, reveal,
    second look, decisions with actions, the report downloaded. axe-core, reflow at 320 px and CSP on every
    page; screenshots of each step in artifacts/web/room/."""
    from pypdf import PdfReader

    base = live_server.url
    audit = Audit("room")
    wide = browser.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
    fac = audit.watch(wide.new_page())

    # -- the facilitator creates the workshop: the secret link alone, then the join code with its QR code ------
    fac.goto(base + "/new")
    fac.check("#instrument")
    fac.fill("#title", "Spring partnership workshop")
    fac.fill("#sectors", "Local authority\nNHS\nVoluntary sector")
    fac.fill("#tables", "Table 1\nTable 2")
    go(fac, "button:has-text('Create workshop')")
    audit.check(fac, "01-facilitator-link")
    secret = fac.input_value("#facilitator-link")
    go(fac, "a:has-text('I have copied it')")
    audit.check(fac, "02-join-code")
    workshop_id = fac.url.split("/")[-2]
    code = fac.inner_text("#join-code")
    join_link = fac.input_value("#join-link")
    assert fac.locator(".join-qr svg.qr-code").is_visible()

    # -- the presenter view, on the projector: updates itself, nothing secret ---------------------------------
    presenter = audit.watch(wide.new_page())
    live_answers: list[int] = []
    presenter.on("response", lambda r: live_answers.append(r.status) if "/present/live" in r.url else None)
    presenter.goto(f"{base}/w/{workshop_id}/dashboard")
    go(presenter, "#present")
    assert presenter.url.endswith(f"/w/{workshop_id}/present")
    assert presenter.inner_text("#present-code") == code
    assert presenter.locator(".present-qr svg").is_visible()
    content = presenter.content()
    assert secret not in content and secret.rsplit("/", 1)[-1] not in content and "csrf_token" not in content
    audit.check(presenter, "03-presenter-empty")
    assert nothing_clipped(presenter) == []

    # -- three phones join through the QR code's link and answer; a fourth submits nothing -----------------------
    phones = []
    for number, (name, sector, table, levels) in enumerate(ROOM, 1):
        context = browser.new_context(**PHONE)
        page = audit.watch(context.new_page())
        phones.append(page)
        page.goto(join_link)
        page.fill("#name", name)
        page.check(f"input[name=sector][value='{sector}']")
        page.check(f"input[name=table][value='{table}']")
        go(page, "button:has-text('Start answering')")
        start = page.locator("#start")
        assert start.inner_text().strip() == "Start"
        if number == 1:
            audit.check(page, "04-phone-start")
        go(page, "#start")
        if number == 1:
            # "Save and continue" is in reach without scrolling, on a phone.
            box = page.locator(".sticky-actions button").bounding_box()
            assert box is not None and box["y"] + box["height"] <= 667
            # ...and never hides what has the keyboard focus (WCAG 2.4.11): Tab into the levels, arrow down to the
            # last one.
            tab_to(page, "input[name=level]")
            for _ in range(3):
                page.keyboard.press("ArrowDown")
            assert page.evaluate("() => document.activeElement.id") == "level-4"
            focused = page.locator("#level-4").bounding_box()
            bar = page.locator(".sticky-actions").bounding_box()
            assert focused is not None and bar is not None and focused["y"] + focused["height"] <= bar["y"]
            page.click(".progress-overview summary")
            audit.check(page, "05-phone-question")
        answer_all(page, levels)
        assert page.url.endswith("/check")
        go(page, "button:has-text('Submit answers')")
        if number == 1:
            audit.check(page, "06-phone-submitted")
    eve_context = browser.new_context(**PHONE)
    eve = audit.watch(eve_context.new_page())
    eve.goto(join_link)
    eve.fill("#name", "Eve")
    eve.check("input[name=sector][value='NHS']")
    eve.check("input[name=table][value='Table 2']")
    go(eve, "button:has-text('Start answering')")
    eve.goto(f"{base}/w/{workshop_id}/check")
    go(eve, "button:has-text('Submit answers')")
    assert "Submit with no answers?" in eve.inner_text("h1")
    audit.check(eve, "07-phone-confirm-no-answers")
    go(eve, "button:has-text('Submit with no answers')")
    assert "Answers submitted" in eve.inner_text("h1")

    # The presenter view caught up by itself, through conditional requests (304 while nothing changed).
    presenter.wait_for_function(
        "() => document.querySelector('#present-submitted').textContent.trim() === '4'", timeout=20000
    )
    presenter.wait_for_timeout(4500)  # two more refreshes with nothing new
    assert 304 in live_answers and 200 in live_answers
    audit.check(presenter, "08-presenter-live")
    assert presenter.locator(".present-rows .stacked-bar").count() == 10

    # -- a paper sheet, typed in ----------------------------------------------------------------------------
    fac.goto(f"{base}/w/{workshop_id}/paper")
    audit.check(fac, "09-paper")
    # An upload the readers refuse: the located problems on the page, nothing entered.
    bad = tmp_path / "room sheets.csv"
    bad.write_text("participant,table,leadership\nFay,Table 2,Level 9\n", encoding="utf-8")
    fac.set_input_files("#sheets", str(bad))
    go(fac, "button:has-text('Upload and enter the sheets')")
    assert "room sheets.csv" in fac.inner_text("#upload-problems")
    assert fac.evaluate("() => document.activeElement.classList.contains('error-summary')")
    audit.check(fac, "09b-paper-upload-refused")
    fac.fill("#name", "Dee")
    fac.check("input[name=sector][value='Local authority']")
    fac.check("input[name=table][value='Table 2']")
    fac.check("#level-leadership-3")  # Maturing
    fac.check("#level-evaluation-2")  # Developing
    fac.fill("#comment-leadership", "Filled in on paper at the back of the room")
    go(fac, "button:has-text('Enter this sheet')")
    assert "The sheet of Dee is entered" in fac.inner_text(".notification-banner")
    fac.goto(f"{base}/w/{workshop_id}/participants")
    assert "Paper" in fac.inner_text("#people tbody tr:has-text('Dee')")
    assert "Submitted, no answers" in fac.inner_text("#people tbody tr:has-text('Eve')")
    audit.check(fac, "10-participants")
    # Managing the day: the merge page (compare two, without merging them here) and the tables and sectors.
    go(fac, "#people tbody tr:has-text('Dee') a:has-text('Merge')")
    fac.select_option("#other", label="Eve (Table 2)")
    go(fac, "button:has-text('Compare their answers')")
    assert fac.locator("#merge-answers").is_visible()
    audit.check(fac, "10b-merge")
    fac.goto(f"{base}/w/{workshop_id}/setup")
    fac.fill("#new-tables", "Table 3")
    go(fac, "button:has-text('Save tables and sectors')")
    assert fac.input_value("#table-3") == "Table 3"
    audit.check(fac, "10c-tables-and-sectors")

    # -- the dashboard uses a wide screen: the data on the first screen, nothing clipped ---------------------------
    for width, height in ((1920, 1080), (1280, 800)):
        fac.set_viewport_size({"width": width, "height": height})
        for view in ("", "?by=table", "?by=sector"):
            fac.goto(f"{base}/w/{workshop_id}/dashboard{view}")
            assert nothing_clipped(fac) == [], (width, view)
            table = fac.locator("#live .collation-table").bounding_box()
            assert table is not None and table["y"] < height, (width, view)  # the figures start on the first screen
        fac.screenshot(path=str(audit.folder / f"11-dashboard-by-sector-{width}.png"))
    fac.set_viewport_size({"width": 1920, "height": 1080})
    fac.goto(f"{base}/w/{workshop_id}/dashboard?by=table")
    audit.check(fac, "12-dashboard-by-table")
    assert fac.inner_text("#submitted-count") == "5"

    # -- show the room and open a second look at Leadership --------------------------------------------------
    go(fac, "a:has-text('Show the room and look again')")
    audit.check(fac, "13-look-again")
    fac.check("#look-leadership-again")
    go(fac, "button:has-text('Save and show the room')")
    presenter.wait_for_selector("text=Look again: where do we differ?", timeout=20000)
    audit.check(presenter, "14-presenter-look-again")
    ann, bob, _cat = phones
    # The phones learn of it by themselves (a light poll, 304 until something changes).
    ann.wait_for_selector("#room-status .notification-banner", timeout=30000)
    audit.check(ann, "15a-phone-news")
    go(ann, "#room-status a")
    audit.check(ann, "15-phone-room")
    assert "Is it an individual or a sectoral or organisational view?" in ann.inner_text("main")
    assert ann.locator("svg.spread-chart").count() == 2  # the room's spread and Table 1's (3 people)
    ann.check("#look-leadership-3")  # Developing → Maturing
    go(ann, "button:has-text('Save my second look')")
    assert "Your second look is saved" in ann.inner_text(".notification-banner")
    audit.check(ann, "16-phone-second-look-saved")
    # Bob keeps his answer, with the keyboard only.
    bob.goto(f"{base}/w/{workshop_id}/room")
    tab_to(bob, "input[name=look-leadership]:checked")
    tab_to(bob, ".sticky-actions button")
    with bob.expect_navigation():
        bob.keyboard.press("Enter")
    assert "Your second look is saved" in bob.inner_text(".notification-banner")

    fac.goto(f"{base}/w/{workshop_id}/dashboard")
    assert "Leadership: 1 of 2 changed" in fac.inner_text("#shift-list")
    audit.check(fac, "17-dashboard-shift")
    fac.set_viewport_size({"width": 1280, "height": 800})
    fac.goto(f"{base}/w/{workshop_id}/dashboard?by=table")  # the widest collation: groups and the shift
    assert nothing_clipped(fac) == []
    fac.screenshot(path=str(audit.folder / "17b-dashboard-shift-by-table-1280.png"), full_page=True)
    fac.set_viewport_size({"width": 1920, "height": 1080})

    # -- decisions: one form, action rows added without losing anything ---------------------------------------
    fac.goto(f"{base}/w/{workshop_id}/decisions/leadership")
    assert "Second look: 2 looked again and 1 changed their answer" in fac.inner_text("#shift")
    fac.check("input[name=agreed][value=developing]")
    fac.fill("#notes", "Health colleagues rated this higher than the council.")
    fac.fill("#action-1-what", "Board session to agree a joint vision")
    fac.fill("#action-1-who", "Director of Public Health")
    tab_to(fac, "button[value=add]")
    with fac.expect_navigation():
        fac.keyboard.press("Enter")
    assert fac.input_value("#notes") == "Health colleagues rated this higher than the council."
    assert fac.input_value("#action-1-who") == "Director of Public Health"
    fac.fill("#action-2-what", "Share the table's evidence with the board")
    fac.fill("#action-2-when", "Autumn 2025")
    audit.check(fac, "18-decide-two-actions")
    go(fac, "button[value=next]")
    assert fac.url.endswith(f"/w/{workshop_id}/decisions/needs-assessment")
    fac.goto(f"{base}/w/{workshop_id}/decisions")
    assert "Developing" in fac.inner_text("#domain-leadership") and "2" in fac.inner_text("#domain-leadership")

    # -- download the report: the format chosen, one button --------------------------------------------------
    fac.goto(f"{base}/w/{workshop_id}/downloads")
    audit.check(fac, "19-downloads")
    fac.check("#format-pdf")
    with fac.expect_download() as info:
        fac.click("#download-report")
    target = ARTIFACTS / "room" / "workshop-report.pdf"
    info.value.save_as(str(target))
    assert target.read_bytes().startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(str(target)).pages)
    assert "Spring partnership workshop" in text and "Board session to agree a joint vision" in text
    assert "Second look. After seeing the room" in text and "1 of 2 changed their answer" in text
    with fac.expect_download() as info:
        fac.click(f"a[href='/w/{workshop_id}/download/xlsx?kind=report']")
    info.value.save_as(str(ARTIFACTS / "room" / "workshop-report.xlsx"))
    assert nothing_clipped(fac) == []

    audit.save("axe-room.json")
    assert not audit.csp, audit.csp
    assert not audit.serious(), json.dumps(audit.serious(), indent=2)
    for page in [*phones, eve]:
        page.context.close()
    wide.close()


def test_the_room_forms_work_without_javascript(browser: Any, live_server: Any) -> None:
    """With JavaScript off: looking again, the second look, a typed paper sheet and the decisions form with
    an action row added (nothing typed lost) all work as plain forms."""
    base = live_server.url
    fac = browser.new_context(java_script_enabled=False).new_page()
    fac.goto(base + "/new")
    fac.check("#instrument")
    fac.fill("#title", "No JS room")
    go(fac, "button:has-text('Create workshop')")
    workshop_id = fac.url.split("/")[-2]
    fac.goto(f"{base}/w/{workshop_id}/links")
    code = fac.inner_text("#join-code")
    phones = []
    for name, level in (("Ann", "#level-2"), ("Bob", "#level-2"), ("Cat", "#level-3")):
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{base}/join?code={code}")
        page.fill("#name", name)
        go(page, "button:has-text('Start answering')")
        go(page, "#start")
        page.check(level)
        go(page, "button[value=continue]")
        page.goto(f"{base}/w/{workshop_id}/check")
        go(page, "button:has-text('Submit answers')")
        phones.append(page)
    fac.goto(f"{base}/w/{workshop_id}/look-again")
    fac.check("#look-leadership-again")
    go(fac, "button:has-text('Save and show the room')")
    ann = phones[0]
    ann.goto(f"{base}/w/{workshop_id}/answer")
    assert "Have a second look" in ann.inner_text("#room-status")
    go(ann, "#room-status a")
    ann.check("#look-leadership-3")
    go(ann, "button:has-text('Save my second look')")
    assert "Your second look is saved" in ann.inner_text("main")
    fac.goto(f"{base}/w/{workshop_id}/paper")
    fac.fill("#name", "Dee")
    fac.check("#level-leadership-4")
    go(fac, "button:has-text('Enter this sheet')")
    fac.goto(f"{base}/w/{workshop_id}/decisions/leadership")
    fac.fill("#notes", "Typed before adding a row")
    fac.fill("#action-1-what", "First action")
    go(fac, "button[value=add]")
    assert fac.input_value("#notes") == "Typed before adding a row"
    fac.fill("#action-2-what", "Second action")
    go(fac, "button[value=save]")
    assert fac.input_value("#action-2-what") == "Second action"
    fac.goto(f"{base}/w/{workshop_id}/dashboard")
    assert fac.inner_text("#submitted-count") == "4"
    assert "1 of 1 changed" in fac.inner_text("#shift-list")
    fac.screenshot(path=str(ARTIFACTS / "room" / "30-no-javascript-dashboard.png"), full_page=True)
    for page in [fac, *phones]:
        page.context.close()
