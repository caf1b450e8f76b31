"""Helpers shared by the web plugin's test files: test settings and the steps of the HTML pages.

A module of its own (the tests run with ``--import-mode=importlib``, where test files cannot import each other);
``conftest.py`` puts this directory on ``sys.path``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient
from matrixkit_web.app import Settings

#: The domain keys of PIT Tool A (the instrument the tests' workshops use), in its order.
DOMAINS = [
    "leadership",
    "needs-assessment",
    "prioritisation",
    "scoping-whole-system",
    "intervention-selection",
    "target-setting",
    "business-planning",
    "information-governance",
    "programme-management",
    "evaluation",
]

#: Limits far above what any test does (tests of the limits set their own).
ROOMY = {"limit_failed": "100000 per hour", "limit_create": "100000 per hour"}


def settings_for(db_url: str, **changes: Any) -> Settings:
    """The settings of a test application: the defaults, with limits no test reaches unless it sets them."""
    return Settings(db=db_url, **{**ROOMY, **changes})


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


class Tags(HTMLParser):
    """Collects the tags of a page (to check that hostile text never became markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))


def scripts_of(page: str) -> list[dict[str, str | None]]:
    parser = Tags()
    parser.feed(page)
    return parser.scripts


#: The secret facilitator link of each workshop made by :func:`create_in_browser` (shown once, when it is made).
FACILITATOR_LINKS: dict[str, str] = {}


def facilitator_link_on(page: str) -> str | None:
    match = re.search(r'id="facilitator-link" type="text" value="([^"]+)"', page)
    return match.group(1) if match else None


def create_in_browser(client: TestClient, **fields: str) -> str:
    """Create a workshop through the form; returns its id (the client's session is now its facilitator; the
    secret link, shown once on its own page, is kept in FACILITATOR_LINKS)."""
    page = client.get("/new").text
    data = {"csrf_token": csrf(page), "instrument": "pit-a", "title": "Workshop", "rule": "median", **fields}
    response = client.post("/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    # The secret link is shown once, on a page of its own (never beside the join code).
    match = re.fullmatch(r"/w/([0-9a-f]+)/facilitator-link", response.headers["location"])
    assert match
    secret = client.get(response.headers["location"]).text
    link = facilitator_link_on(secret)
    assert link and "/facilitate/" in link
    FACILITATOR_LINKS[match.group(1)] = link
    assert facilitator_link_on(client.get(response.headers["location"]).text) is None  # shown only once
    return match.group(1)


def facilitator_token(workshop_id: str) -> str:
    return FACILITATOR_LINKS[workshop_id].rsplit("/", 1)[-1]


def join_code_of(client: TestClient, workshop_id: str) -> str:
    page = client.get(f"/w/{workshop_id}/links").text
    match = re.search(r'id="join-code">([A-Z0-9-]+)<', page)
    assert match
    return match.group(1)


def join(client: TestClient, code: str, **fields: str) -> str:
    page = client.get(f"/join?code={code}")
    assert page.status_code == 200, page.text
    response = client.post(
        "/join", data={"csrf_token": csrf(page.text), "code": code, **fields}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    return location


def answer(
    client: TestClient, workshop_id: str, domain: str, level: str, comment: str = "", action: str = "continue"
) -> Any:
    page = client.get(f"/w/{workshop_id}/answer/{domain}").text
    data = {"csrf_token": csrf(page), "level": level, "comment": comment, "action": action}
    return client.post(f"/w/{workshop_id}/answer/{domain}", data=data, follow_redirects=False)


def submit(client: TestClient, workshop_id: str) -> Any:
    page = client.get(f"/w/{workshop_id}/check").text
    return client.post(f"/w/{workshop_id}/submit", data={"csrf_token": csrf(page)}, follow_redirects=False)


def new_store(url: str) -> Any:
    """A :class:`~matrixkit_web.store.Store` on a migrated database at ``url``."""
    from matrixkit_web.db import Database
    from matrixkit_web.store import Store

    database = Database(url)
    database.migrate()
    return Store(database)


def make_workshop(store: Any, **extra: object) -> str:
    """A workshop of pit-a made through the store (sectors NHS and Council, tables 1 and 2 unless changed)."""
    values: dict[str, object] = {
        "instrument": "pit-a",
        "instrument_version": "1.0",
        "instrument_fingerprint": "f" * 16,
        "title": "W",
        "rule": "median",
        "sectors": ("NHS", "Council"),
        "tables": ("1", "2"),
    }
    values.update(extra)
    workshop, _token, _session = store.create_workshop(**values)
    workshop_id: str = workshop.id
    return workshop_id
