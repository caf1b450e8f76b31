"""The HTML pages without JavaScript: plain forms, CSRF, cookies, escaping, and who can see what."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import (
    FACILITATOR_LINKS,
    answer,
    create_in_browser,
    csrf,
    facilitator_token,
    join,
    join_code_of,
    scripts_of,
    submit,
)

from matrixkit.registry import Registry

MakeClient = Callable[..., TestClient]
CreateWorkshop = Callable[..., dict[str, Any]]
HOSTILE = '<script>alert("x")</script>'


def test_start_and_static_pages(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200
    assert "Join a workshop" in home.text
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
    css = client.get("/levels/pit-a.css")
    assert ".level-2 { background-color: #c0c0c0;" in css.text  # silver, from the instrument
    assert client.get("/levels/nope.css").status_code == 404


def test_full_flow_without_javascript(make_client: MakeClient, registry: Registry) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(
        facilitator, title="Spring workshop", sectors="NHS\nCouncil", tables="Table 1\nTable 2"
    )
    links = facilitator.get(f"/w/{workshop_id}/links")
    assert "Make a new facilitator link" in links.text  # the secret link was shown once, at creation
    code = join_code_of(facilitator, workshop_id)

    ann = make_client()
    assert join(ann, code, name="Ann", sector="NHS", table="Table 1") == f"/w/{workshop_id}/answer"
    cookie = next(c for c in ann.cookies.jar if c.name == "mk_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    # Answer the first domain, with a comment; the next page is the next domain.
    first = answer(ann, workshop_id, "leadership", "developing", comment="We are getting there")
    assert first.headers["location"] == f"/w/{workshop_id}/answer/needs-assessment"
    answer(ann, workshop_id, "needs-assessment", "not-sure")
    later = answer(ann, workshop_id, "prioritisation", "", action="later")
    assert later.headers["location"] == f"/w/{workshop_id}/later"
    assert "Get my personal link" in ann.get(f"/w/{workshop_id}/later").text
    # Not yet submitted: the dashboard counts nobody.
    assert "Collation of 0 submitted responses" in facilitator.get(f"/w/{workshop_id}/dashboard").text
    check = ann.get(f"/w/{workshop_id}/check").text
    assert "You have not answered 8 of 10 questions" in check
    assert submit(ann, workshop_id).headers["location"] == f"/w/{workshop_id}/done"
    assert "Answers submitted" in ann.get(f"/w/{workshop_id}/done").text

    bob = make_client()
    join(bob, code, sector="Council", table="Table 2")  # anonymous
    answer(bob, workshop_id, "leadership", "thriving")
    submit(bob, workshop_id)

    dashboard = facilitator.get(f"/w/{workshop_id}/dashboard?by=sector").text
    assert "Collation of 2 submitted responses" in dashboard
    assert "Anonymous" in dashboard and "Ann" in dashboard
    assert 'hx-get="/w/' in dashboard  # the live part refreshes itself where JavaScript runs
    live = facilitator.get(f"/w/{workshop_id}/dashboard/live?by=table")
    assert live.status_code == 200 and 'id="live"' in live.text
    # The collation the dashboard shows is the API's.
    token = facilitator_token(workshop_id)
    api = facilitator.get(f"/api/workshops/{workshop_id}/collation", headers={"Authorization": f"Bearer {token}"})
    leadership = api.json()["domains"][0]
    assert leadership["counts"] == {"emerging": 0, "developing": 1, "maturing": 0, "thriving": 1}
    assert "We are getting there" in leadership["comments"]

    # A revision replaces Ann's answer.
    answer(ann, workshop_id, "leadership", "maturing")
    submit(ann, workshop_id)
    api = facilitator.get(f"/api/workshops/{workshop_id}/collation", headers={"Authorization": f"Bearer {token}"})
    assert api.json()["responses"] == 2
    assert api.json()["domains"][0]["counts"] == {"emerging": 0, "developing": 0, "maturing": 1, "thriving": 1}

    # Pooling the two tables gives the whole room.
    pooled = facilitator.get(f"/w/{workshop_id}/pool?table=Table+1&table=Table+2").text
    assert "Pooled collation of Table 1, Table 2 (2 responses)" in pooled

    # Decisions: agreed level, priority, an action.
    page = facilitator.get(f"/w/{workshop_id}/decisions/leadership").text
    saved = facilitator.post(
        f"/w/{workshop_id}/decisions/leadership",
        data={"csrf_token": csrf(page), "agreed": "maturing", "priority": "1", "priorities": "Joint vision"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    added = facilitator.post(
        f"/w/{workshop_id}/decisions/leadership/actions",
        data={
            "csrf_token": csrf(page),
            "what": "Board session",
            "who": "DPH",
            "when": "2025-06-30",
            "measure": "Vision",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    report = facilitator.get(f"/api/workshops/{workshop_id}/report", headers={"Authorization": f"Bearer {token}"})
    decision = report.json()["decisions"][0]
    assert decision["agreed"] == 3 and decision["priority"] == 1
    assert decision["actions"] == [{"what": "Board session", "who": "DPH", "when": "2025-06-30", "measure": "Vision"}]

    # Close: participants can no longer change anything.
    page = facilitator.get(f"/w/{workshop_id}/close").text
    facilitator.post(f"/w/{workshop_id}/close", data={"csrf_token": csrf(page), "action": "close"})
    assert "This workshop is closed" in ann.get(f"/w/{workshop_id}/answer").text
    assert ann.get(f"/w/{workshop_id}/answer/evaluation", follow_redirects=False).status_code == 303
    late = ann.post(
        f"/w/{workshop_id}/answer/evaluation",
        data={"csrf_token": csrf(ann.get("/new").text), "level": "thriving", "action": "continue"},
        follow_redirects=False,
    )
    assert late.headers["location"] == f"/w/{workshop_id}/check"
    api = facilitator.get(f"/api/workshops/{workshop_id}/collation", headers={"Authorization": f"Bearer {token}"})
    assert api.json()["domains"][-1]["counts"]["thriving"] == 0
    carol = make_client()
    closed = carol.get(f"/join?code={code}")
    assert "That workshop is closed" in closed.text


def test_downloads_every_available_format(make_client: MakeClient, registry: Registry) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, tables="A\nB")
    code = join_code_of(facilitator, workshop_id)
    person = make_client()
    join(person, code, table="A")
    answer(person, workshop_id, "leadership", "developing")
    submit(person, workshop_id)
    page = facilitator.get(f"/w/{workshop_id}/downloads").text
    offered = set(re.findall(rf"/w/{workshop_id}/download/([a-z0-9-]+)\?kind=(report|collation)", page))
    assert ("json", "collation") in offered
    for name, kind in sorted(offered):
        exporter = registry.exporter(name)
        response = facilitator.get(f"/w/{workshop_id}/download/{name}?kind={kind}&by=table")
        assert response.status_code == 200, (name, kind, response.text[:300])
        assert response.headers["content-type"].startswith(exporter.media_type.split(";")[0])
        assert response.headers["content-disposition"].endswith(f'{exporter.extension}"')
        assert response.content
    assert facilitator.get(f"/w/{workshop_id}/download/nope").status_code == 404
    assert facilitator.get(f"/w/{workshop_id}/download/json?kind=sheet").status_code == 400


def test_forms_need_the_csrf_token(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    code = join_code_of(facilitator, workshop_id)
    # Without a token, with a wrong one, or with another browser's token: refused.
    for data in ({}, {"csrf_token": "0" * 64}):
        response = facilitator.post("/new", data={"instrument": "pit-a", "title": "x", **data})
        assert response.status_code == 403
        assert "expired" in response.text
    other = make_client()
    other_token = csrf(other.get("/new").text)
    response = facilitator.post("/new", data={"instrument": "pit-a", "title": "x", "csrf_token": other_token})
    assert response.status_code == 403
    stranger = make_client()
    response = stranger.post("/join", data={"code": code, "name": "Eve"})
    assert response.status_code == 403
    page = facilitator.get(f"/w/{workshop_id}/close").text
    assert facilitator.post(f"/w/{workshop_id}/close", data={"action": "close"}).status_code == 403
    assert "Close the workshop" in facilitator.get(f"/w/{workshop_id}/close").text
    assert (
        facilitator.post(f"/w/{workshop_id}/close", data={"action": "close", "csrf_token": csrf(page)}).status_code
        == 200
    )


def test_cookies_are_httponly_and_samesite(client: TestClient) -> None:
    response = client.get("/new")
    header = response.headers["set-cookie"]
    assert "mk_session=" in header
    assert "HttpOnly" in header
    assert "SameSite=lax" in header.replace("Lax", "lax")
    assert "Secure" not in header  # plain HTTP on loopback
    secure = TestClient(client.app, base_url="https://testserver")
    assert "Secure" in secure.get("/new").headers["set-cookie"]


def test_one_workshops_codes_never_reach_another(make_client: MakeClient) -> None:
    fac_a = make_client()
    a = create_in_browser(fac_a, title="A")
    fac_b = make_client()
    b = create_in_browser(fac_b, title="B")
    person = make_client()
    join(person, join_code_of(fac_a, a))
    # The participant of A is nobody in B.
    assert person.get(f"/w/{b}/answer").status_code == 403
    # A's facilitator cannot open B's dashboard, nor can a browser holding A's facilitator token as a cookie.
    assert fac_a.get(f"/w/{b}/dashboard").status_code == 401
    fac_a.cookies.set("mk_session", facilitator_token(a))
    assert fac_a.get(f"/w/{a}/dashboard").status_code == 401
    assert fac_a.get(f"/w/{b}/dashboard").status_code == 401
    # Participants never reach the facilitator's pages.
    for path in ("dashboard", "dashboard/live", "pool", "decisions", "downloads", "compare", "links", "close"):
        assert person.get(f"/w/{a}/{path}").status_code == 401


def test_participants_never_see_others_answers(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    code = join_code_of(facilitator, workshop_id)
    ann, bob = make_client(), make_client()
    join(ann, code, name="Ann")
    join(bob, code, name="Bob")
    answer(ann, workshop_id, "leadership", "thriving", comment="Ann's secret comment")
    submit(ann, workshop_id)
    for path in ("answer", "answer/leadership", "check", "later"):
        page = bob.get(f"/w/{workshop_id}/{path}").text
        assert "Ann" not in page
        assert "secret comment" not in page
    assert "Not answered" in bob.get(f"/w/{workshop_id}/check").text


def test_everything_a_person_types_is_escaped(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, title=HOSTILE, place=HOSTILE, sectors=HOSTILE, tables=HOSTILE)
    code = join_code_of(facilitator, workshop_id)
    person = make_client()
    join(person, code, name=HOSTILE, sector=HOSTILE, table=HOSTILE)
    answer(person, workshop_id, "leadership", "developing", comment=HOSTILE)
    submit(person, workshop_id)
    page = facilitator.get(f"/w/{workshop_id}/decisions/leadership").text
    facilitator.post(
        f"/w/{workshop_id}/decisions/leadership/actions",
        data={"csrf_token": csrf(page), "what": HOSTILE, "who": HOSTILE, "when": HOSTILE, "measure": HOSTILE},
    )
    pages = {
        "participant": [
            person.get(f"/w/{workshop_id}/{p}").text for p in ("answer", "check", "done", "answer/leadership")
        ],
        "facilitator": [
            facilitator.get(f"/w/{workshop_id}/{p}").text
            for p in (
                "dashboard",
                "dashboard?by=sector",
                "dashboard?by=table",
                "decisions",
                "decisions/leadership",
                "links",
            )
        ],
    }
    for texts in pages.values():
        for text in texts:
            assert HOSTILE not in text
            assert HOSTILE in html.unescape(text)  # shown, as text
            assert all(s.get("src", "").startswith("/static/") for s in scripts_of(text))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter a title for the workshop"),
        ({"instrument": ""}, "Choose the instrument"),
        ({"instrument": "nope"}, "There is no installed instrument"),
        ({"date": "31/02/2025"}, "The date must be a real date"),
        ({"title": "x" * 201}, "200 characters or fewer"),
    ],
)
def test_create_form_errors(client: TestClient, fields: dict[str, str], message: str) -> None:
    page = client.get("/new").text
    data = {"csrf_token": csrf(page), "instrument": "pit-a", "title": "T", **fields}
    response = client.post("/new", data=data)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text
    assert response.text.count("Error:") >= 2  # the page title and the field's message


def test_join_errors(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, sectors="NHS")
    code = join_code_of(facilitator, workshop_id)
    person = make_client()
    assert "No workshop has that join code" in person.get("/join?code=ZZZZ-ZZZZ").text
    assert person.get("/join?code=ZZZZ-ZZZZ").status_code == 400
    page = person.get(f"/join?code={code.lower()}").text  # codes are not case-sensitive
    missing = person.post("/join", data={"csrf_token": csrf(page), "code": code, "name": "Ann"})
    assert missing.status_code == 400 and "Select the sector you work in" in missing.text
    wrong = person.post("/join", data={"csrf_token": csrf(page), "code": code, "sector": "Elsewhere"})
    assert wrong.status_code == 400 and "not one of this workshop" in wrong.text
    join(person, code, name="Ann", sector="NHS")
    twin = make_client()
    page = twin.get(f"/join?code={code}").text
    taken = twin.post("/join", data={"csrf_token": csrf(page), "code": code, "name": "ann", "sector": "NHS"})
    assert taken.status_code == 400 and "already joined as" in taken.text


def test_answer_errors(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    person = make_client()
    join(person, join_code_of(facilitator, workshop_id))
    none_chosen = answer(person, workshop_id, "leadership", "")
    assert none_chosen.status_code == 400
    assert "Select the level that best describes Leadership" in none_chosen.text
    off_scale = answer(person, workshop_id, "leadership", "brilliant")
    assert off_scale.status_code == 400
    too_long = answer(person, workshop_id, "leadership", "developing", comment="x" * 2001)
    assert too_long.status_code == 400 and "2000 characters or fewer" in too_long.text
    assert person.get(f"/w/{workshop_id}/answer/no-such-domain").status_code == 404


def test_resume_link_signs_in_another_browser(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    person = make_client()
    join(person, join_code_of(facilitator, workshop_id), name="Ann")
    answer(person, workshop_id, "leadership", "maturing")
    page = person.get(f"/w/{workshop_id}/later").text
    made = person.post(
        f"/w/{workshop_id}/return-link", data={"csrf_token": csrf(page), "next": "later"}, follow_redirects=False
    )
    assert made.status_code == 303 and made.headers["location"] == f"/w/{workshop_id}/later#return-link"
    shown = person.get(f"/w/{workshop_id}/later").text
    # The link starts with the configured public address (not the Host header of the request).
    link = re.search(r'value="(http://127\.0\.0\.1:8000/resume/[^"]+)"', shown)
    assert link
    assert "/resume/" not in person.get(f"/w/{workshop_id}/later").text  # shown once
    laptop = make_client()
    response = laptop.get(link.group(1).removeprefix("http://127.0.0.1:8000"), follow_redirects=False)
    assert response.headers["location"] == f"/w/{workshop_id}/answer"  # the token left the address
    assert "Maturing" in laptop.get(f"/w/{workshop_id}/answer").text
    assert laptop.get("/resume/not-a-token").status_code == 404
    # A new link replaces the old one.
    page = person.get(f"/w/{workshop_id}/later").text
    person.post(f"/w/{workshop_id}/return-link", data={"csrf_token": csrf(page), "next": "later"})
    assert make_client().get(link.group(1).removeprefix("http://127.0.0.1:8000")).status_code == 404


def test_facilitator_link_and_compare_rounds(make_client: MakeClient) -> None:
    first_browser = make_client()
    earlier = create_in_browser(first_browser, title="Round 1")
    earlier_link = re.match(r"(.*)", FACILITATOR_LINKS[earlier])
    assert earlier_link
    person = make_client()
    join(person, join_code_of(first_browser, earlier))
    answer(person, earlier, "leadership", "emerging")
    submit(person, earlier)

    # Another browser opens the secret link: the token moves to a cookie and the URL loses it.
    second_browser = make_client()
    response = second_browser.get(earlier_link.group(1).removeprefix("http://127.0.0.1:8000"), follow_redirects=False)
    assert response.headers["location"] == f"/w/{earlier}/dashboard"
    assert second_browser.get(f"/w/{earlier}/dashboard").status_code == 200
    assert second_browser.get("/facilitate/wrong").status_code == 404

    later = create_in_browser(second_browser, title="Round 2")
    person2 = make_client()
    join(person2, join_code_of(second_browser, later))
    answer(person2, later, "leadership", "maturing")
    submit(person2, later)
    page = second_browser.get(f"/w/{later}/compare").text
    bad = second_browser.post(
        f"/w/{later}/compare", data={"csrf_token": csrf(page), "earlier": "http://x/facilitate/nope"}
    )
    assert bad.status_code == 400 and "not a facilitator link" in bad.text
    own_link = re.match(r"(.*)", FACILITATOR_LINKS[later])
    assert own_link
    itself = second_browser.post(f"/w/{later}/compare", data={"csrf_token": csrf(page), "earlier": own_link.group(1)})
    assert itself.status_code == 400 and "this workshop" in itself.text
    ok = second_browser.post(f"/w/{later}/compare", data={"csrf_token": csrf(page), "earlier": earlier_link.group(1)})
    assert ok.status_code == 200
    assert "Round 1" in ok.text
    row = re.search(r"<th scope=\"row\">Leadership</th>(.*?)</tr>", ok.text, re.S)
    assert row and "Emerging" in row.group(1) and "Maturing" in row.group(1) and "up 2" in row.group(1)


def test_error_pages_are_html_for_pages_and_json_for_the_api(client: TestClient) -> None:
    page = client.get("/w/nope/dashboard")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = client.get("/api/workshops/nope/collation")
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    assert client.get("/no/such/page").status_code == 404
    bad_by = client.get("/w/x/dashboard?by=%3Cscript%3E")
    assert bad_by.status_code in (400, 404)
