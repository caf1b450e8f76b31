"""Issue 16's findings, each reproduced: who owns answers, look-alike names, secrets in logs and URLs, identity
switches, control characters, abuse limits, data protection, and the application's start in every worker.

API and page tests run on SQLite and on a real PostgreSQL (the ``db_url`` fixture runs each test twice).
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matrixkit_web.app import create_app
from matrixkit_web.db import Database
from matrixkit_web.loadtest import Server
from matrixkit_web.security import redact
from web_helpers import FACILITATOR_LINKS, create_in_browser, csrf, join, join_code_of, settings_for

from matrixkit import hookimpl
from matrixkit.registry import Registry

MakeClient = Callable[..., TestClient]
CreateWorkshop = Callable[..., dict[str, Any]]
ROOT = Path(__file__).resolve().parents[3]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submit(client: TestClient, w: dict[str, Any], participant: str, choices: dict[str, Any], **extra: Any) -> Any:
    body = {"join_code": w["join_code"], "participant": participant, "choices": choices, **extra}
    return client.post(f"/api/workshops/{w['id']}/responses", json=body)


def collation(client: TestClient, w: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = client.get(
        f"/api/workshops/{w['id']}/collation", headers=auth(w["facilitator_token"])
    ).json()
    return data


# -- 1. participants own their answers; names compare as people read them -----------------------------


def test_ann_with_a_space_no_longer_replaces_anns_answers(client: TestClient, create_workshop: CreateWorkshop) -> None:
    w = create_workshop(client)
    first = submit(client, w, "Ann", {"leadership": "thriving"})
    assert first.status_code == 201
    token = first.json()["edit_token"]
    assert len(token) >= 22  # ≥ 128 random bits, URL-safe base64
    attack = submit(client, w, "ANN ", {"leadership": "emerging"})
    assert attack.status_code == 403
    assert "edit_token" in attack.json()["detail"]
    wrong = submit(client, w, "ANN ", {"leadership": "emerging"}, edit_token="x" * 43)
    assert wrong.status_code == 403
    data = collation(client, w)
    assert data["responses"] == 1 and data["domains"][0]["counts"]["thriving"] == 1  # nothing changed
    own = submit(client, w, "ANN ", {"leadership": "maturing"}, edit_token=token)
    assert own.status_code == 201 and own.json()["revision"] == 2 and own.json()["participant"] == "Ann"
    assert collation(client, w)["domains"][0]["counts"]["maturing"] == 1


@pytest.mark.parametrize(
    "look_alike",
    ["Bob\u200b", "B\u043eb", "bob", " BOB ", "\u202eBob", "Ｂｏｂ"],
    ids=["zero-width-space", "cyrillic-o", "lower", "spaces", "bidi-override", "full-width"],
)
def test_look_alike_names_are_the_same_person(
    make_client: MakeClient, create_workshop: CreateWorkshop, look_alike: str
) -> None:
    api = make_client()
    w = create_workshop(api)
    assert submit(api, w, "Bob", {"leadership": 2}).status_code == 201
    assert submit(api, w, look_alike, {"leadership": 4}).status_code == 403  # not a new person
    assert collation(api, w)["responses"] == 1
    # The browser compares names the same way.
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    code = join_code_of(facilitator, workshop_id)
    join(make_client(), code, name="Bob")
    twin = make_client()
    page = twin.get(f"/join?code={code}").text
    taken = twin.post("/join", data={"csrf_token": csrf(page), "code": code, "name": look_alike})
    assert taken.status_code == 400 and "already joined as" in taken.text


# -- 2. secrets out of URLs and logs; no identity switch on a GET ------------------------------------------


def test_the_access_log_never_holds_a_token(tmp_path: Path) -> None:
    """A real ``matrixkit serve``: its log after a facilitator link, a return link, a join code and the API."""
    server = Server(str(tmp_path / "log.sqlite"))
    server.start()
    try:
        base = server.url
        w = httpx.post(f"{base}/api/workshops", json={"instrument": "pit-a", "title": "Log"}).json()
        token = w["facilitator_token"]
        with httpx.Client(base_url=base, follow_redirects=True) as browser:
            assert browser.get(f"/facilitate/{token}").status_code == 200  # followed to the dashboard
            browser.get(f"/join?code={w['join_code']}")
            browser.get("/resume/" + "A" * 43)
        edit = httpx.post(
            f"{base}/api/workshops/{w['id']}/responses",
            json={"join_code": w["join_code"], "participant": "Ann", "choices": {"leadership": 1}},
        ).json()["edit_token"]
        httpx.get(f"{base}/api/workshops/{w['id']}/collation", headers=auth(token))
        time.sleep(0.5)
        log = server.output()
    finally:
        server.stop()
        server.log.close()
    assert '"GET /facilitate/[redacted]" 303' in log
    assert "/join?code=[redacted]" in log
    for secret in (token, edit, w["join_code"], w["join_code"].replace("-", ""), "A" * 43):
        assert secret not in log


def test_redaction() -> None:
    assert redact("/facilitate/abc") == "/facilitate/[redacted]"
    assert redact("/resume/abc/x") == "/resume/[redacted]/x"
    assert redact("/w/0123456789abcdef/dashboard", "by=table") == "/w/0123456789abcdef/dashboard?by=table"
    assert "Zx" not in redact("/anything/" + "Zx" * 20)


def test_a_link_never_switches_a_signed_in_browser_on_a_get(make_client: MakeClient) -> None:
    """The finding: a page elsewhere sent a participant to an attacker's /resume/<token> and her browser became
    the attacker's participant. Now she is asked, and only a POST with her session's CSRF token switches."""
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    code = join_code_of(facilitator, workshop_id)
    attacker, victim = make_client(), make_client()
    join(attacker, code, name="Mallory")
    page = attacker.get(f"/w/{workshop_id}/later").text
    shown = attacker.post(f"/w/{workshop_id}/return-link", data={"csrf_token": csrf(page), "next": "later"}).text
    link = re.search(r'value="http://127\.0\.0\.1:8000(/resume/[^"]+)"', shown)
    assert link
    join(victim, code, name="Ann")
    opened = victim.get(link.group(1), follow_redirects=False)
    assert opened.status_code == 200 and "Continue only if it is yours" in opened.text
    assert "Ann, a participant in" in opened.text and "Mallory" in opened.text
    assert "Ann" in victim.get(f"/w/{workshop_id}/answer").text  # still Ann
    # A forged POST (no CSRF token of her session) is refused...
    forged = victim.post("/resume", data={"token": link.group(1).rsplit("/", 1)[-1]})
    assert forged.status_code == 403
    # ...and one with the attacker's own CSRF token too: tokens are bound to the session.
    attackers_token = csrf(attacker.get(f"/w/{workshop_id}/later").text)
    other = victim.post("/resume", data={"token": link.group(1).rsplit("/", 1)[-1], "csrf_token": attackers_token})
    assert other.status_code == 403
    # Only her own confirmation switches.
    confirmed = victim.post(
        "/resume", data={"token": link.group(1).rsplit("/", 1)[-1], "csrf_token": csrf(opened.text)}
    )
    assert confirmed.status_code == 200 and "Mallory" in victim.get(f"/w/{workshop_id}/answer").text
    # The same for facilitator links: a participant's browser is asked before facilitating.
    participant = make_client()
    join(participant, code)
    facilitating = participant.get(FACILITATOR_LINKS[workshop_id].removeprefix("http://127.0.0.1:8000"))
    assert "Continue only if it is yours" in facilitating.text
    assert participant.get(f"/w/{workshop_id}/dashboard").status_code == 401
    # A browser signed in to nothing exchanges the link for a session and leaves the token behind.
    fresh = make_client()
    moved = fresh.get(FACILITATOR_LINKS[workshop_id].removeprefix("http://127.0.0.1:8000"), follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/w/{workshop_id}/dashboard"
    assert "mk_session=" in moved.headers["set-cookie"]
    assert FACILITATOR_LINKS[workshop_id].rsplit("/", 1)[-1] not in moved.headers["set-cookie"]


def test_a_csrf_token_from_before_sign_in_is_worth_nothing_after(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    person = make_client()
    page = person.get(f"/join?code={join_code_of(facilitator, workshop_id)}").text
    before = csrf(page)
    join(person, join_code_of(facilitator, workshop_id), name="Ann")  # signing in changes the session value
    form = {"csrf_token": before, "level": "developing", "action": "continue"}
    assert person.post(f"/w/{workshop_id}/answer/leadership", data=form).status_code == 403


def test_absolute_urls_come_from_the_public_url_not_the_host_header(db_url: str, registry: Registry) -> None:
    app = create_app(settings_for(db_url, public_url="https://workshops.example.org"), registry=registry)
    with TestClient(app, base_url="http://evil.example") as client:
        w = client.post("/api/workshops", json={"instrument": "pit-a", "title": "x"}, headers={"host": "evil.example"})
        assert w.json()["facilitator_url"].startswith("https://workshops.example.org/facilitate/")
        assert w.json()["join_url"].startswith("https://workshops.example.org/join?code=")
        assert "evil" not in w.text


# -- 3. control characters: 422 on every field and every database ------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"participant": "Ann\x00"}, "participant"),
        ({"comments": {"leadership": "a\x00b"}}, "comments.leadership"),
        ({"comments": {"leadership": "bell\x07"}}, "comments.leadership"),
        ({"attributes": {"table": "1\x00"}}, "attributes.table"),
        ({"attributes": {"x\x00": "1"}}, "attributes"),
        ({"choices": {"leadership": "thriving\x00"}}, "choices.leadership"),
        ({"choices": {"leader\x00ship": 1}}, "choices"),
        ({"join_code": "\x00"}, "join_code"),
        ({"edit_token": "\x00"}, "edit_token"),
        ({"participant": "Ann\tB"}, "participant"),
    ],
)
def test_nul_and_control_characters_are_refused_with_422(
    client: TestClient, create_workshop: CreateWorkshop, change: dict[str, Any], field: str
) -> None:
    """The finding: NUL in any text field gave 500 on PostgreSQL while SQLite stored it."""
    w = create_workshop(client)
    body = {"join_code": w["join_code"], "participant": "Ann", "choices": {"leadership": 1}, **change}
    response = client.post(f"/api/workshops/{w['id']}/responses", json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"] and "control character" in response.json()["detail"]
    assert collation(client, w)["responses"] == 0


def test_tab_and_newline_are_allowed_in_long_text(client: TestClient, create_workshop: CreateWorkshop) -> None:
    w = create_workshop(client)
    ok = submit(client, w, "Ann", {"leadership": 1}, comments={"leadership": "line one\n\tline two"})
    assert ok.status_code == 201
    assert collation(client, w)["domains"][0]["comments"] == ["line one\n\tline two"]


def test_control_characters_in_workshops_forms_and_addresses(make_client: MakeClient) -> None:
    client = make_client()
    bad = client.post("/api/workshops", json={"instrument": "pit-a", "title": "T\x00"})
    assert bad.status_code == 422 and "title" in bad.json()["detail"]
    for path in ("/api/workshops/%00/collation", "/join?code=%00", "/w/%00/dashboard", "/static/%00", "/x%01y"):
        assert client.get(path).status_code == 422, path
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    page = facilitator.get(f"/w/{workshop_id}/decisions/leadership").text
    posted = facilitator.post(
        f"/w/{workshop_id}/decisions/leadership", data={"csrf_token": csrf(page), "notes": "a\x00b"}
    )
    assert posted.status_code == 422 and "notes" in posted.text
    newline = facilitator.post(
        f"/w/{workshop_id}/decisions/leadership",
        data={"csrf_token": csrf(page), "notes": "one\ntwo"},
        follow_redirects=False,
    )
    assert newline.status_code == 303
    person = make_client()
    code = join_code_of(facilitator, workshop_id)
    page = person.get(f"/join?code={code}").text
    named = person.post("/join", data={"csrf_token": csrf(page), "code": code, "name": "Ann\x00"})
    assert named.status_code == 422 and "'name'" in html.unescape(named.text)


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    participant=TEXT,
    comment=TEXT,
    table=TEXT,
    choice=TEXT | st.integers(-5, 10),
    code=TEXT,
    path=TEXT,
)
def test_any_text_anywhere_gets_a_4xx_or_201_never_5xx(
    client: TestClient,
    create_workshop: CreateWorkshop,
    participant: str,
    comment: str,
    table: str,
    choice: str | int,
    code: str,
    path: str,
) -> None:
    """Random text (control characters and NUL included) in every field and in the address, on SQLite and on
    PostgreSQL."""
    w = create_workshop(client)
    body = {
        "join_code": w["join_code"],
        "participant": participant,
        "choices": {"leadership": choice},
        "comments": {"leadership": comment},
        "attributes": {"table": table},
    }
    response = client.post(f"/api/workshops/{w['id']}/responses", json=body)
    assert response.status_code in (201, 403, 409, 422), response.text
    wrong = client.post(f"/api/workshops/{w['id']}/responses", json={**body, "join_code": code})
    assert wrong.status_code < 500, wrong.text
    assert client.get("/join?code=" + quote(code, safe="")).status_code < 500
    assert client.get(f"/w/{quote(path, safe='')}/dashboard").status_code < 500
    assert client.get(f"/api/workshops/{quote(path, safe='')}/collation").status_code < 500


# -- 4. abuse limits that never hit a room -----------------------------------------------------------------


def test_join_code_guessing_is_limited_with_retry_after(db_url: str, registry: Registry) -> None:
    app = create_app(settings_for(db_url, limit_failed="5 per minute"), registry=registry)
    with TestClient(app) as client:
        w = client.post("/api/workshops", json={"instrument": "pit-a", "title": "x"}).json()
        body = {"participant": "Eve", "choices": {"leadership": 1}}
        statuses = [
            client.post(f"/api/workshops/{w['id']}/responses", json={**body, "join_code": f"WRONG{i:03d}"}).status_code
            for i in range(7)
        ]
        assert statuses[:5] == [403] * 5 and statuses[5:] == [429, 429]
        limited = client.post(f"/api/workshops/{w['id']}/responses", json={**body, "join_code": w["join_code"]})
        assert limited.status_code == 429  # even a right guess, or limiting would not stop guessing
        assert 0 < int(limited.headers["retry-after"]) <= 60
        page = client.get("/join?code=ABCD-EFGH")
        assert page.status_code == 429 and "retry-after" in page.headers and "Too many" in page.text
        assert client.get("/facilitate/" + "x" * 43).status_code == 429
    # Another address is not affected (the counters are per client address).
    with TestClient(app, client=("203.0.113.9", 5000)) as other:
        ok = other.post(f"/api/workshops/{w['id']}/responses", json={**body, "join_code": w["join_code"]})
        assert ok.status_code == 201


def test_a_room_of_500_behind_one_address_is_never_limited(db_url: str, registry: Registry) -> None:
    """500 people on one council network submit at once: none is limited, whatever the limits."""
    app = create_app(settings_for(db_url, limit_failed="3 per hour", limit_create="3 per hour"), registry=registry)
    with TestClient(app) as client:
        w = client.post("/api/workshops", json={"instrument": "pit-a", "title": "Room"}).json()

        def one(i: int) -> int:
            return submit(client, w, f"person {i}", {"leadership": 1 + i % 4}).status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(one, range(500)))
        assert statuses == [201] * 500
        assert collation(client, w)["responses"] == 500


def test_workshop_creation_is_limited_per_address(db_url: str, registry: Registry) -> None:
    app = create_app(settings_for(db_url, limit_create="2 per hour"), registry=registry)
    with TestClient(app) as client:
        made = [client.post("/api/workshops", json={"instrument": "pit-a", "title": "x"}) for _ in range(3)]
        assert [r.status_code for r in made] == [201, 201, 429]
        assert int(made[2].headers["retry-after"]) > 60


def test_the_admin_token_guards_workshop_creation(db_url: str, registry: Registry) -> None:
    from matrixkit_web.security import hash_token

    admin = "an-admin-token-of-some-length"
    app = create_app(settings_for(db_url, admin_token_hash=hash_token(admin)), registry=registry)
    body = {"instrument": "pit-a", "title": "x"}
    with TestClient(app) as client:
        assert client.post("/api/workshops", json=body).status_code == 401
        assert client.post("/api/workshops", json=body, headers=auth("wrong")).status_code == 403
        assert client.post("/api/workshops", json=body, headers=auth(admin)).status_code == 201
        page = client.get("/new").text
        assert 'name="admin_token"' in page
        form = {"csrf_token": csrf(page), "instrument": "pit-a", "title": "x", "rule": "median"}
        refused = client.post("/new", data=form)
        assert refused.status_code == 403 and "Enter the admin token" in refused.text
        assert client.post("/new", data={**form, "admin_token": "wrong"}).status_code == 403
        made = client.post("/new", data={**form, "admin_token": admin}, follow_redirects=False)
        assert made.status_code == 303
        assert admin not in client.get(made.headers["location"]).text


# -- 5. data protection ------------------------------------------------------------------------------------


def test_delete_a_participant_and_a_workshop_and_export_everything(
    client: TestClient, create_workshop: CreateWorkshop
) -> None:
    w = create_workshop(client, tables=["1"])
    submit(client, w, "Ann", {"leadership": 2}, comments={"leadership": "ours"}, attributes={"table": "1"})
    submit(client, w, "Bob", {"leadership": 4})
    exported = client.get(f"/api/workshops/{w['id']}/export", headers=auth(w["facilitator_token"]))
    assert exported.status_code == 200
    data = exported.json()
    assert data["workshop"]["title"] == "Test workshop" and data["workshop"]["tables"] == ["1"]
    ann = next(p for p in data["participants"] if p["participant"] == "Ann")
    assert ann["answers"] == [{"domain": "leadership", "level": "developing", "comment": "ours"}]
    assert ann["attributes"] == {"table": "1"} and ann["joined_in"] == "api"
    assert w["facilitator_token"] not in exported.text
    assert client.get(f"/api/workshops/{w['id']}/export").status_code == 401
    submit(client, w, "A/B", {"leadership": 1})
    slash = f"/api/workshops/{w['id']}/participants/A%2FB"
    assert client.delete(slash, headers=auth(w["facilitator_token"])).status_code == 204
    url = f"/api/workshops/{w['id']}/participants/ANN%20"  # names compare as they do everywhere
    assert client.delete(url).status_code == 401
    assert client.delete(url, headers=auth(w["facilitator_token"])).status_code == 204
    assert client.delete(url, headers=auth(w["facilitator_token"])).status_code == 404
    assert collation(client, w)["responses"] == 1
    other = create_workshop(client)
    assert client.delete(f"/api/workshops/{w['id']}", headers=auth(other["facilitator_token"])).status_code == 403
    assert client.delete(f"/api/workshops/{w['id']}", headers=auth(w["facilitator_token"])).status_code == 204
    assert client.get(f"/api/workshops/{w['id']}/collation", headers=auth(w["facilitator_token"])).status_code == 404
    assert client.get(f"/api/workshops/{other['id']}", headers=auth(other["facilitator_token"])).status_code == 200


def test_delete_in_the_browser_asks_first(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    code = join_code_of(facilitator, workshop_id)
    person = make_client()
    join(person, code, name="Ann")
    dashboard = facilitator.get(f"/w/{workshop_id}/dashboard").text
    remove = re.search(rf'href="(/w/{workshop_id}/participants/\d+/delete)"', dashboard)
    assert remove
    confirm = facilitator.get(remove.group(1))
    assert "Remove Ann?" in confirm.text
    assert facilitator.post(remove.group(1), data={}).status_code == 403  # CSRF
    facilitator.post(remove.group(1), data={"csrf_token": csrf(confirm.text)})
    assert "Ann" not in facilitator.get(f"/w/{workshop_id}/dashboard").text
    assert person.get(f"/w/{workshop_id}/answer").status_code == 403  # her sign-in went with her
    export = facilitator.get(f"/w/{workshop_id}/export")
    assert export.status_code == 200 and export.json()["participants"] == []
    page = facilitator.get(f"/w/{workshop_id}/delete")
    assert "Delete this workshop?" in page.text
    deleted = facilitator.post(f"/w/{workshop_id}/delete", data={"csrf_token": csrf(page.text)})
    assert deleted.status_code == 200 and "Workshop deleted" in deleted.text
    assert facilitator.get(f"/w/{workshop_id}/dashboard").status_code == 404
    assert person.get(f"/join?code={code}").status_code == 400


def test_retention_purges_workshops_closed_long_ago(db_url: str, registry: Registry) -> None:
    import datetime as dt

    import sqlalchemy as sa
    from matrixkit_web import db as tables
    from matrixkit_web.app import purge

    app = create_app(settings_for(db_url, retention_days=30), registry=registry)
    with TestClient(app) as client:
        old, recent, still_open = (
            client.post("/api/workshops", json={"instrument": "pit-a", "title": t}).json() for t in "abc"
        )
        for w in (old, recent, still_open):
            submit(client, w, "Ann", {"leadership": 1})
        for w in (old, recent):
            client.post(f"/api/workshops/{w['id']}/close", headers=auth(w["facilitator_token"]))
        mk = app.state.mk
        with mk.store.db.write() as conn:
            conn.execute(
                tables.workshops.update()
                .where(tables.workshops.c.id == old["id"])
                .values(closed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=31))
            )
        assert purge(mk)["workshops"] == 1
        assert mk.store.workshop(old["id"]) is None
        assert mk.store.workshop(recent["id"]) is not None and mk.store.workshop(still_open["id"]) is not None
        with mk.store.db.read() as conn:
            left = conn.execute(sa.select(sa.func.count()).select_from(tables.participants)).scalar()
        assert left == 2  # the old workshop's participant went with it


# -- 7. every worker starts complete -------------------------------------------------------------------


class SlowInstruments:
    """A plugin whose instruments take a while to register: widens the window in which a registry being
    built on first use looks empty to a second thread."""

    @hookimpl
    def matrixkit_register_instruments(self, register: Any) -> None:
        time.sleep(0.5)


def test_concurrent_first_requests_see_the_whole_catalogue(db_url: str) -> None:
    """The finding: just after start, concurrent first requests saw an empty instrument catalogue (409/422
    'unknown instrument pit-a'). The application builds the catalogue before serving."""
    import matrixkit_pit_tools.tool_a as pit_a

    registry = Registry.for_plugins(SlowInstruments(), pit_a)
    app = create_app(settings_for(db_url), registry=registry, database=Database(db_url))
    with TestClient(app) as client:
        barrier = threading.Barrier(8)

        def first(_i: int) -> int:
            barrier.wait()
            return client.post("/api/workshops", json={"instrument": "pit-a", "title": "x"}).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(first, range(8))) == [201] * 8
