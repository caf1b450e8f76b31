"""The live room's pages without a browser (issue 15): the presenter view and what it must never show, live
views answering conditional requests, looking again, managing the day, paper sheets through the CLI's readers,
the decisions form, downloads, the participant's flow, and the comparison rule. Each runs on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import (
    DOMAINS,
    answer,
    create_in_browser,
    csrf,
    facilitator_token,
    join,
    join_code_of,
    submit,
)

MakeClient = Callable[..., TestClient]


def people(make_client: MakeClient, workshop_id: str, code: str, answers: list[tuple[str, str, str]]) -> list[Any]:
    """Participants who join (name, table) and submit one answer to Leadership each; their clients."""
    clients = []
    for name, table, level in answers:
        client = make_client()
        join(client, code, name=name, table=table)
        answer(client, workshop_id, "leadership", level)
        submit(client, workshop_id)
        clients.append(client)
    return clients


def api(client: TestClient, workshop_id: str, path: str) -> Any:
    headers = {"Authorization": f"Bearer {facilitator_token(workshop_id)}"}
    return client.get(f"/api/workshops/{workshop_id}/{path}", headers=headers).json()


# -- the presenter view ----------------------------------------------------------------------------


def test_the_presenter_view_shows_the_room_and_nothing_secret(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, title="Spring", tables="1\n2")
    code = join_code_of(facilitator, workshop_id)
    page = facilitator.get(f"/w/{workshop_id}/present")
    assert page.status_code == 200
    html = page.text
    assert code in html
    assert '<svg class="qr-code" role="img" aria-label="QR code' in html
    assert "<path" in html  # the QR code is drawn in the page: no outside service
    assert "127.0.0.1:8000/join" in html
    assert "The charts appear once 3 people have submitted" in html
    # Nothing secret: no facilitator link or token, no form (a CSRF token is a secret), no names.
    token = facilitator_token(workshop_id)
    assert token not in html and "/facilitate/" not in html
    assert "<form" not in html and "csrf_token" not in html
    assert csrf(facilitator.get(f"/w/{workshop_id}/look-again").text) not in html
    people(
        make_client, workshop_id, code, [("Ann", "1", "developing"), ("Bob", "1", "maturing"), ("Cy", "2", "emerging")]
    )
    html = facilitator.get(f"/w/{workshop_id}/present").text
    assert 'id="present-submitted">3<' in html
    assert "Ann" not in html and "Bob" not in html
    assert 'aria-label="Leadership: 1 Emerging, 1 Developing, 1 Maturing, 0 Thriving' in html
    # Names only when the facilitator turns them on (on the facilitator's own page).
    look = facilitator.get(f"/w/{workshop_id}/look-again").text
    facilitator.post(f"/w/{workshop_id}/look-again", data={"csrf_token": csrf(look), "names": "yes"})
    html = facilitator.get(f"/w/{workshop_id}/present").text
    assert "Ann, Bob, Cy" in html
    # Only the facilitator may open it.
    stranger = make_client()
    assert stranger.get(f"/w/{workshop_id}/present").status_code == 401
    assert stranger.get(f"/w/{workshop_id}/present/live").status_code == 401
    assert stranger.get("/w/0000000000000000/present").status_code == 404


def test_the_join_code_page_never_shows_the_facilitator_link(make_client: MakeClient) -> None:
    facilitator = make_client()
    response = facilitator.post(
        "/new",
        data={"csrf_token": csrf(facilitator.get("/new").text), "instrument": "pit-a", "title": "W", "rule": "median"},
        follow_redirects=False,
    )
    secret_page = response.headers["location"]
    assert secret_page.endswith("/facilitator-link")
    workshop_id = secret_page.split("/")[2]
    secret = facilitator.get(secret_page).text
    assert "/facilitate/" in secret and "join-code" not in secret
    links = facilitator.get(f"/w/{workshop_id}/links").text
    assert 'id="join-code"' in links and "/facilitate/" not in links
    assert "qr-code" in links


def test_live_views_answer_304_until_something_shown_changes(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, tables="1\n2")
    code = join_code_of(facilitator, workshop_id)
    for path in ("dashboard/live", "dashboard/live?by=table", "present/live"):
        first = facilitator.get(f"/w/{workshop_id}/{path}")
        etag = first.headers["etag"]
        assert first.status_code == 200 and etag.startswith('"') and etag.endswith('"')
        again = facilitator.get(f"/w/{workshop_id}/{path}", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    plain = facilitator.get(f"/w/{workshop_id}/dashboard/live").headers["etag"]
    by_table = facilitator.get(f"/w/{workshop_id}/dashboard/live?by=table").headers["etag"]
    assert plain != by_table  # each view has its own
    # A submission changes what is shown: the old ETag no longer matches.
    people(make_client, workshop_id, code, [("Ann", "1", "developing")])
    changed = facilitator.get(f"/w/{workshop_id}/dashboard/live", headers={"If-None-Match": plain})
    assert changed.status_code == 200 and changed.headers["etag"] != plain
    assert 'id="submitted-count">1<' in changed.text
    # The page embeds the ETag of what it shows, for the script to send back.
    page = facilitator.get(f"/w/{workshop_id}/dashboard").text
    assert f'data-etag="{changed.headers["etag"].replace(chr(34), "&#34;")}"' in page


# -- looking again ---------------------------------------------------------------------------------


def test_show_the_room_and_look_again(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, tables="1\n2")
    code = join_code_of(facilitator, workshop_id)
    clients = people(
        make_client,
        workshop_id,
        code,
        [("Ann", "1", "developing"), ("Bob", "1", "developing"), ("Cy", "1", "maturing"), ("Di", "2", "thriving")],
    )
    late = make_client()
    join(late, code, name="Ed", table="2")  # has not submitted
    page = facilitator.get(f"/w/{workshop_id}/look-again").text
    assert facilitator.post(f"/w/{workshop_id}/look-again", data={"show": "leadership"}).status_code == 403
    bad = facilitator.post(f"/w/{workshop_id}/look-again", data={"csrf_token": csrf(page), "show": "nope"})
    assert bad.status_code == 400
    saved = facilitator.post(
        f"/w/{workshop_id}/look-again",
        data={"csrf_token": csrf(page), "show": "evaluation", "look": "leadership"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    ann = clients[0]
    # Ann's pages say so; the room page shows the room's spread and her table's (3 people), with the prompts.
    assert "Have a second look" in ann.get(f"/w/{workshop_id}/done").text
    room = ann.get(f"/w/{workshop_id}/room").text
    assert "Is it an individual or a sectoral or organisational view?" in room
    assert 'aria-label="Leadership, the room: 0 Emerging, 2 Developing, 1 Maturing, 1 Thriving' in room
    assert 'aria-label="Leadership, 1: 0 Emerging, 2 Developing, 1 Maturing, 0 Thriving' in room
    assert "Evaluation" in room and 'name="look-evaluation"' not in room  # shown, but no second look
    # Di's table has fewer than three people: its spread is not shown.
    di = clients[3]
    room_di = di.get(f"/w/{workshop_id}/room").text
    assert "Fewer than 3 people at 2 have submitted" in room_di
    assert "Leadership, 2:" not in room_di
    # Someone who has not submitted sees nothing of the room (it must not sway a first answer).
    assert "Have a second look" not in late.get(f"/w/{workshop_id}/answer").text
    waiting = late.get(f"/w/{workshop_id}/room").text
    assert "once you have submitted" in waiting and "the room:" not in waiting
    # Ann changes her answer; Bob keeps his.
    assert ann.post(f"/w/{workshop_id}/room", data={"look-leadership": "maturing"}).status_code == 403
    moved = ann.post(
        f"/w/{workshop_id}/room",
        data={"csrf_token": csrf(room), "look-leadership": "maturing"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    bob_room = clients[1].get(f"/w/{workshop_id}/room").text
    clients[1].post(f"/w/{workshop_id}/room", data={"csrf_token": csrf(bob_room), "look-leadership": "developing"})
    assert "first look: " in ann.get(f"/w/{workshop_id}/room").text
    # The collation counts the second look; the first is kept and the shift is shown.
    collation = api(facilitator, workshop_id, "collation")
    assert collation["domains"][0]["counts"] == {"emerging": 0, "developing": 1, "maturing": 2, "thriving": 1}
    dashboard = facilitator.get(f"/w/{workshop_id}/dashboard").text
    assert "Leadership: 1 of 2 changed" in dashboard
    assert "First look → second look" in dashboard
    decide = facilitator.get(f"/w/{workshop_id}/decisions/leadership").text
    assert "Second look: 2 looked again and 1 changed their answer" in decide
    # Every report format prints the record's notes: the shift is there, in words.
    report = facilitator.get(f"/w/{workshop_id}/download/json?kind=report").json()
    assert "participants looked again at Leadership" in report["notes"]
    assert (
        "Leadership, first look → second look: 1 of 2 changed their answer; suggested level Developing → "
        "Maturing; agreement 0.56 → 0.70" in report["notes"]
    )
    assert "Leadership, first look" in facilitator.get(f"/w/{workshop_id}/download/md?kind=report").text
    looks = facilitator.get(f"/w/{workshop_id}/download/json?kind=looks")
    assert looks.status_code == 200
    assert looks.json()["domains"][0]["counts"]["after"]["maturing"] == 2
    assert looks.json()["before"]["title"] == "First look"
    by_table = facilitator.get(f"/w/{workshop_id}/download/text?kind=looks&by=table")
    assert by_table.status_code == 200 and "First look" in by_table.text
    # Ending the second look: the form is gone and a late post changes nothing.
    page = facilitator.get(f"/w/{workshop_id}/look-again").text
    facilitator.post(f"/w/{workshop_id}/look-again", data={"csrf_token": csrf(page), "op": "end"})
    late_look = ann.post(f"/w/{workshop_id}/room", data={"csrf_token": csrf(room), "look-leadership": "emerging"})
    assert late_look.status_code == 409
    assert api(facilitator, workshop_id, "collation")["domains"][0]["counts"]["emerging"] == 0


def test_the_room_is_isolated_per_workshop(make_client: MakeClient) -> None:
    one, two = make_client(), make_client()
    a = create_in_browser(one)
    b = create_in_browser(two)
    ann = make_client()
    join(ann, join_code_of(one, a), name="Ann")
    for path in ("present", "present/live", "look-again", "participants", "paper", "setup", "links", "downloads"):
        assert one.get(f"/w/{b}/{path}").status_code == 401, path
    person = re.search(rf"/w/{a}/participants/(\d+)/merge", one.get(f"/w/{a}/participants").text)
    assert person
    assert two.get(f"/w/{b}/participants/{person.group(1)}/merge").status_code == 404
    page = two.get(f"/w/{b}/look-again").text
    merged = two.post(f"/w/{b}/participants/merge", data={"csrf_token": csrf(page), "pair": [person.group(1)] * 2})
    assert merged.status_code == 400
    assert ann.get(f"/w/{b}/room").status_code == 403
    assert ann.get(f"/w/{b}/room/status").status_code == 403


def test_every_new_form_needs_its_csrf_token(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    for path in (
        "look-again",
        "room",
        "paper",
        "participants/merge",
        "setup",
        "join-code",
        "facilitator-link",
        "decisions/leadership",
    ):
        assert facilitator.post(f"/w/{workshop_id}/{path}", data={"x": "1"}).status_code == 403, path
    upload = facilitator.post(
        f"/w/{workshop_id}/paper/upload", files={"sheets": ("s.csv", b"participant\nAnn\n", "text/csv")}
    )
    assert upload.status_code == 403


# -- managing the day ------------------------------------------------------------------------------


def test_a_new_join_code_and_new_tables(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, tables="Table 1\nTable 2", sectors="NHS")
    old = join_code_of(facilitator, workshop_id)
    ann = make_client()
    join(ann, old, name="Ann", table="Table 1", sector="NHS")
    page = facilitator.get(f"/w/{workshop_id}/links").text
    facilitator.post(f"/w/{workshop_id}/join-code", data={"csrf_token": csrf(page)})
    new = join_code_of(facilitator, workshop_id)
    assert new != old
    assert "A new join code is made" in facilitator.get(f"/w/{workshop_id}/links?code=new").text
    assert make_client().get(f"/join?code={old}").status_code == 400  # the old code stops working
    assert make_client().get(f"/join?code={new}").status_code == 200
    assert answer(ann, workshop_id, "leadership", "developing").status_code == 303  # Ann carries on
    # Rename Table 1 (Ann follows) and add Table 3 and a sector.
    setup = facilitator.get(f"/w/{workshop_id}/setup").text
    assert "1 person chose it" in setup
    duplicate = facilitator.post(
        f"/w/{workshop_id}/setup",
        data={"csrf_token": csrf(setup), "table-1": "Table 2", "table-2": "Table 2", "sector-1": "NHS"},
    )
    assert duplicate.status_code == 400 and "already one of the tables" in duplicate.text
    saved = facilitator.post(
        f"/w/{workshop_id}/setup",
        data={
            "csrf_token": csrf(setup),
            "table-1": "The window table",
            "table-2": "Table 2",
            "new-tables": "Table 3",
            "sector-1": "NHS",
            "new-sectors": "Voluntary sector",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    joining = make_client().get(f"/join?code={new}").text
    assert "The window table" in joining and "Table 3" in joining and "Voluntary sector" in joining
    assert "The window table" in ann.get(f"/w/{workshop_id}/answer").text


def test_reopen_from_the_dashboard(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    page = facilitator.get(f"/w/{workshop_id}/close").text
    facilitator.post(f"/w/{workshop_id}/close", data={"csrf_token": csrf(page), "action": "close"})
    dashboard = facilitator.get(f"/w/{workshop_id}/dashboard").text
    assert "Reopen the workshop" in dashboard
    facilitator.post(f"/w/{workshop_id}/close", data={"csrf_token": csrf(dashboard), "action": "reopen"})
    assert "Open" in facilitator.get(f"/w/{workshop_id}/dashboard").text
    assert make_client().get(f"/join?code={join_code_of(facilitator, workshop_id)}").status_code == 200


def test_merge_a_duplicate_in_the_browser(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    code = join_code_of(facilitator, workshop_id)
    first, again = make_client(), make_client()
    join(first, code, name="Ann")
    answer(first, workshop_id, "leadership", "developing")
    submit(first, workshop_id)
    join(again, code, name="Ann (phone)")
    answer(again, workshop_id, "evaluation", "thriving")
    listed = facilitator.get(f"/w/{workshop_id}/participants").text
    ids = re.findall(rf"/w/{workshop_id}/participants/(\d+)/merge", listed)
    ann, phone = ids
    choose = facilitator.get(f"/w/{workshop_id}/participants/{ann}/merge").text
    assert "Who else is Ann?" in choose and "Ann (phone)" in choose
    compare = facilitator.get(f"/w/{workshop_id}/participants/{ann}/merge?other={phone}").text
    assert "Merge into one participant" in compare
    merged = facilitator.post(
        f"/w/{workshop_id}/participants/merge",
        data={"csrf_token": csrf(compare), "pair": [ann, phone], "keep": ann},
        follow_redirects=False,
    )
    assert merged.status_code == 303
    page = facilitator.get(merged.headers["location"]).text
    assert "Merged: Ann is now one participant" in page and "Ann (phone)" not in page
    collation = api(facilitator, workshop_id, "collation")
    assert collation["responses"] == 1
    assert collation["domains"][-1]["counts"]["thriving"] == 1  # the duplicate's answer filled the gap
    assert again.get(f"/w/{workshop_id}/answer").status_code == 200  # the phone carries on as Ann


# -- paper sheets ------------------------------------------------------------------------------------


def test_a_typed_paper_sheet_is_marked_paper(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, tables="1\n2", sectors="NHS\nCouncil")
    page = facilitator.get(f"/w/{workshop_id}/paper").text
    bad = facilitator.post(
        f"/w/{workshop_id}/paper",
        data={"csrf_token": csrf(page), "name": "Dee", "table": "9", "level-leadership": "developing"},
    )
    assert bad.status_code == 400 and "not one of this workshop" in bad.text
    assert 'value="Dee"' in bad.text  # what was typed is kept
    entered = facilitator.post(
        f"/w/{workshop_id}/paper",
        data={
            "csrf_token": csrf(page),
            "name": "Dee",
            "table": "1",
            "sector": "NHS",
            "level-leadership": "developing",
            "level-evaluation": "not-sure",
            "comment-leadership": "Written in the margin",
        },
        follow_redirects=False,
    )
    assert entered.status_code == 303
    assert "The sheet of Dee is entered" in facilitator.get(entered.headers["location"]).text
    listed = facilitator.get(f"/w/{workshop_id}/participants").text
    row = re.search(r'<tr id="person-\d+">\s*<td>Dee</td>(.*?)</tr>', listed, re.S)
    assert row and "Paper" in row.group(1) and "Submitted" in row.group(1)
    collation = api(facilitator, workshop_id, "collation")
    assert collation["responses"] == 1 and "Written in the margin" in collation["domains"][0]["comments"]
    export = api(facilitator, workshop_id, "export")
    assert export["participants"][0]["joined_in"] == "paper"
    assert 'id="paper-count">1<' in facilitator.get(f"/w/{workshop_id}/dashboard").text
    taken = facilitator.post(f"/w/{workshop_id}/paper", data={"csrf_token": csrf(page), "name": "DEE"})
    assert taken.status_code == 400 and "already taken" in taken.text


def upload(client: TestClient, workshop_id: str, name: str, content: bytes) -> Any:
    page = client.get(f"/w/{workshop_id}/paper").text
    return client.post(
        f"/w/{workshop_id}/paper/upload",
        data={"csrf_token": csrf(page)},
        files={"sheets": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


def test_uploaded_paper_sheets_are_read_by_the_cli_readers(make_client: MakeClient, tmp_path: Any) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, tables="Table 1\nTable 2", sectors="NHS\nCouncil")
    blank = facilitator.get(f"/w/{workshop_id}/download/csv?kind=sheet")
    assert blank.status_code == 200
    header = blank.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("participant,sector,table,leadership")
    good = (header + "\nDee,NHS,Table 1,Developing,2,Level 3,,,,,,,\nEd,Council,Table 2,maturing,,,,,,,,,\n").encode()
    # Located problems from the readers, 4xx, nothing entered; the file's own name, never the server's path.
    wrong = upload(facilitator, workshop_id, "room 2.csv", good.replace(b"Level 3", b"Level 9"))
    assert wrong.status_code == 422
    assert "room 2.csv:2" in wrong.text and "prioritisation" in wrong.text
    assert "matrixkit-upload" not in wrong.text and "/tmp" not in wrong.text
    misfit = upload(facilitator, workshop_id, "sheets.csv", good.replace(b"Table 2", b"Table 9"))
    assert misfit.status_code == 422 and "Table 9" in misfit.text and "sheets.csv:3" in misfit.text
    assert upload(facilitator, workshop_id, "notes.pdf", b"%PDF-1.7").status_code == 400
    assert upload(facilitator, workshop_id, "notes.txt", b"hello").status_code == 422  # not Excel's Unicode text
    assert upload(facilitator, workshop_id, "empty.csv", b"").status_code == 400
    junk = upload(facilitator, workshop_id, "junk.xlsx", b"PK\x03\x04 this is not a workbook")
    assert 400 <= junk.status_code < 500
    assert api(facilitator, workshop_id, "collation")["responses"] == 0
    # The good file: two paper participants.
    entered = upload(facilitator, workshop_id, "sheets.csv", good)
    assert entered.status_code == 303, entered.text
    listed = facilitator.get(entered.headers["location"]).text
    assert "2 paper sheets entered" in listed and listed.count(">Paper</strong>") == 2
    collation = api(facilitator, workshop_id, "collation")
    assert collation["responses"] == 2
    assert collation["domains"][0]["counts"] == {"emerging": 0, "developing": 1, "maturing": 1, "thriving": 0}
    assert collation["domains"][2]["counts"]["maturing"] == 1  # "Level 3"
    # The same names again: refused, naming them.
    again = upload(facilitator, workshop_id, "sheets.csv", good)
    assert again.status_code == 409 and "&#39;Dee&#39; is already taken" in again.text
    # An Excel workbook goes through the same readers.
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["participant", "table", *DOMAINS])
    sheet.append(["Fay", "Table 2", "Thriving", *[None] * 8, "Level 1"])
    path = tmp_path / "sheets.xlsx"
    book.save(path)
    xlsx = upload(facilitator, workshop_id, "sheets.xlsx", path.read_bytes())
    assert xlsx.status_code == 303, xlsx.text
    assert api(facilitator, workshop_id, "collation")["responses"] == 3


# -- decisions -----------------------------------------------------------------------------------------


def test_one_decisions_form_keeps_everything_typed(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    page = facilitator.get(f"/w/{workshop_id}/decisions/leadership").text
    assert page.count('name="action-') and 'name="actions" value="1"' in page  # one blank row to start
    typed = {
        "csrf_token": csrf(page),
        "agreed": "developing",
        "notes": "Health rated it higher",
        "actions": "1",
        "action-1-what": "Board session",
        "action-1-who": "DPH",
    }
    # Add another action row: nothing is lost, nothing is saved yet.
    more = facilitator.post(f"/w/{workshop_id}/decisions/leadership", data={**typed, "op": "add"})
    assert more.status_code == 200
    assert 'name="actions" value="2"' in more.text
    assert "Health rated it higher" in more.text and 'value="DPH"' in more.text and "Board session" in more.text
    assert 'value="developing" checked' in more.text
    assert api(facilitator, workshop_id, "report")["decisions"][0]["agreed"] is None
    # An error keeps every row as typed.
    second = {"action-2-who": "Council lead", "action-2-when": "Autumn", "actions": "2"}
    error = facilitator.post(f"/w/{workshop_id}/decisions/leadership", data={**typed, **second, "op": "save"})
    assert error.status_code == 400 and "Say what will be done (action 2)" in error.text
    assert 'value="Council lead"' in error.text and "Board session" in error.text
    # Save and go to the next domain: everything in one go.
    second["action-2-what"] = "Shared plan"
    saved = facilitator.post(
        f"/w/{workshop_id}/decisions/leadership", data={**typed, **second, "op": "next"}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/w/{workshop_id}/decisions/needs-assessment"
    decision = api(facilitator, workshop_id, "report")["decisions"][0]
    assert decision["agreed"] == 2 and decision["notes"] == "Health rated it higher"
    assert [a["what"] for a in decision["actions"]] == ["Board session", "Shared plan"]
    # Remove one row (ticked) and change the other.
    page = facilitator.get(f"/w/{workshop_id}/decisions/leadership").text
    ids = re.findall(r'name="action-(\d)-id" value="(\d+)"', page)
    assert [n for n, _ in ids] == ["1", "2", "3"][: len(ids)] and len([i for _, i in ids if i]) == 2
    rows = {
        "actions": "3",
        "action-1-id": ids[0][1],
        "action-1-what": "Board away day",
        "action-2-id": ids[1][1],
        "action-2-what": "Shared plan",
        "action-2-remove": "yes",
    }
    kept = facilitator.post(
        f"/w/{workshop_id}/decisions/leadership",
        data={"csrf_token": csrf(page), "agreed": "developing", "op": "save", **rows},
        follow_redirects=False,
    )
    assert kept.headers["location"] == f"/w/{workshop_id}/decisions/leadership?saved=1"
    assert "Saved." in facilitator.get(kept.headers["location"]).text
    actions = api(facilitator, workshop_id, "report")["decisions"][0]["actions"]
    assert [a["what"] for a in actions] == ["Board away day"]
    last = facilitator.get(f"/w/{workshop_id}/decisions/evaluation").text
    assert "Save and finish" in last and "Save and go to the next domain" not in last


# -- downloads ---------------------------------------------------------------------------------------


def test_download_the_report_in_the_format_chosen(make_client: MakeClient, registry: Any) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, title="Board paper")
    page = facilitator.get(f"/w/{workshop_id}/downloads").text
    assert "Download the report" in page and "All downloads" in page
    form = re.search(r'<form action="(/w/[0-9a-f]+/download)" method="get"', page)
    assert form
    offered = re.findall(r'name="format" type="radio" value="([a-z0-9]+)"', page)
    assert offered[0] == "pdf" and "xlsx" in offered and "json" not in offered  # documents; the rest below
    for name in offered:
        exporter = registry.exporter(name)
        if exporter.availability():
            continue
        response = facilitator.get(f"{form.group(1)}?format={name}&by=table")
        assert response.status_code == 200, (name, response.text[:200])
        assert response.headers["content-disposition"] == (
            f'attachment; filename="board-paper-report-by-table{exporter.extension}"'
        )
    assert facilitator.get(f"{form.group(1)}?format=").status_code == 400
    assert facilitator.get(f"{form.group(1)}?format=nope").status_code == 404
    assert make_client().get(f"{form.group(1)}?format=pdf").status_code == 401
    assert facilitator.get(f"/w/{workshop_id}/download/json?kind=looks").status_code == 409  # no second look yet
    sheet = facilitator.get(f"/w/{workshop_id}/download/pdf?kind=sheet")
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    for kind in ("summary", "collation-sheet"):  # the board's one page; the tables' blank collation sheet
        if f"download/pdf?kind={kind}" in page:
            done = facilitator.get(f"/w/{workshop_id}/download/pdf?kind={kind}")
            assert done.status_code == 200 and done.content.startswith(b"%PDF"), kind
    assert facilitator.get(f"/w/{workshop_id}/download/json?kind=summary").status_code == 400  # json has none


# -- participants ------------------------------------------------------------------------------------


def test_start_continue_and_a_submission_with_no_answers(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    code = join_code_of(facilitator, workshop_id)
    ann = make_client()
    join(ann, code, name="Ann")
    start = ann.get(f"/w/{workshop_id}/answer").text
    assert re.search(rf'href="/w/{workshop_id}/answer/leadership"[^>]*id="start">Start', start)
    answer(ann, workshop_id, "leadership", "developing")
    going = ann.get(f"/w/{workshop_id}/answer").text
    assert re.search(rf'href="/w/{workshop_id}/answer/needs-assessment"[^>]*id="start">Continue', going)
    question = ann.get(f"/w/{workshop_id}/answer/prioritisation").text
    assert "All questions: 1 of 10 answered" in question
    assert f'href="/w/{workshop_id}/answer/evaluation"' in question  # a link to each domain
    assert 'class="sticky-actions"' in question

    bob = make_client()
    join(bob, code, name="Bob")
    answer(bob, workshop_id, "leadership", "not-sure")
    check = bob.get(f"/w/{workshop_id}/check").text
    asked = bob.post(f"/w/{workshop_id}/submit", data={"csrf_token": csrf(check)}, follow_redirects=False)
    assert asked.status_code == 200 and "Submit with no answers?" in asked.text
    assert api(facilitator, workshop_id, "collation")["responses"] == 0  # not submitted yet
    done = bob.post(
        f"/w/{workshop_id}/submit",
        data={"csrf_token": csrf(asked.text), "confirm": "no-answers"},
        follow_redirects=False,
    )
    assert done.headers["location"] == f"/w/{workshop_id}/done"
    listed = facilitator.get(f"/w/{workshop_id}/participants").text
    assert re.search(r"<td>Bob</td>.*?Submitted, no answers", listed, re.S)
    assert "1 of them submitted with no answers" in facilitator.get(f"/w/{workshop_id}/dashboard").text


# -- the comparison rule ----------------------------------------------------------------------------


def test_a_round_with_an_agreed_level_against_one_without_goes_up(make_client: MakeClient) -> None:
    """The finding: round 1 agreed Developing, round 2 only suggested Maturing, and the page said "down 1"
    (the change came from both suggested levels). The change is now from the levels shown: up 1."""
    first = make_client()
    earlier = create_in_browser(first, title="Round 1")
    code = join_code_of(first, earlier)
    # Round 1 suggests Maturing, but the room agreed Developing.
    people(make_client, earlier, code, [("Ann", "", "maturing"), ("Bob", "", "maturing"), ("Cy", "", "thriving")])
    page = first.get(f"/w/{earlier}/decisions/leadership").text
    first.post(
        f"/w/{earlier}/decisions/leadership",
        data={"csrf_token": csrf(page), "agreed": "developing", "actions": "0", "op": "save"},
    )
    second = make_client()
    later = create_in_browser(second, title="Round 2")
    people(
        make_client,
        later,
        join_code_of(second, later),
        [("Di", "", "maturing"), ("Ed", "", "maturing"), ("Fay", "", "developing")],
    )
    from web_helpers import FACILITATOR_LINKS

    compare = second.get(f"/w/{later}/compare").text
    shown = second.post(
        f"/w/{later}/compare", data={"csrf_token": csrf(compare), "earlier": FACILITATOR_LINKS[earlier]}
    )
    row = re.search(r'<th scope="row">Leadership</th>(.*?)</tr>', shown.text, re.S)
    assert row, shown.text[:500]
    cells = re.sub(r"<[^>]+>", " ", row.group(1))
    assert "Developing" in cells and "(agreed)" in cells
    assert "Maturing" in cells and "(suggested)" in cells
    assert "up 1" in cells and "down" not in cells
    data = json.loads(second.get(f"/w/{later}/download/json?kind=rounds").text)
    assert data["domains"][0]["level_change"] == 1


def test_shares_round_down_as_the_reports_do() -> None:
    """A domain flagged for agreement below 70% never shows 70% on the dashboard (the reports print 0.69)."""
    from matrixkit_web.pages import environment

    percent = environment().filters["percent"]
    assert percent(0.696) == "69%" and percent(0.70) == "70%" and percent(1.0) == "100%" and percent(0.9999) == "99%"
    assert percent(None) == "–"
