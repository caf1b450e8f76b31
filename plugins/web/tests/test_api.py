"""The JSON API's contracts, against SQLite and a real PostgreSQL (the ``db_url`` fixture runs each test twice)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matrixkit_web import db
from matrixkit_web.security import hash_token
from web_helpers import DOMAINS

from matrixkit.cli import Context, main
from matrixkit.collation import collate
from matrixkit.io.collation_json import collation_to_dict
from matrixkit.io.response_files import responses_to_document
from matrixkit.registry import Registry
from matrixkit.report import build_collation_report
from matrixkit.responses import Response

CreateWorkshop = Callable[..., dict[str, Any]]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submit(
    client: TestClient, workshop: dict[str, Any], participant: str, choices: dict[str, Any], **extra: Any
) -> Any:
    body = {"join_code": workshop["join_code"], "participant": participant, "choices": choices, **extra}
    return client.post(f"/api/workshops/{workshop['id']}/responses", json=body)


# -- creating workshops ----------------------------------------------------------------------------


def test_create_workshop_returns_id_token_and_code(client: TestClient, db_url: str) -> None:
    response = client.post(
        "/api/workshops",
        json={"instrument": "pit-a", "title": "Spring workshop", "sectors": ["NHS", "Council"], "tables": ["1", "2"]},
    )
    assert response.status_code == 201
    data = response.json()
    assert {"id", "facilitator_token", "join_code", "facilitator_url", "join_url"} <= set(data)
    assert len(data["facilitator_token"]) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    assert len(data["join_code"].replace("-", "")) == 8
    assert data["facilitator_url"].endswith("/facilitate/" + data["facilitator_token"])
    # The token is stored hashed: the database never holds it.
    engine = sa.create_engine(db.normalise_url(db_url))
    with engine.connect() as conn:
        row = conn.execute(sa.select(db.workshops).where(db.workshops.c.id == data["id"])).one()
        dumped = json.dumps([str(v) for v in row])
    engine.dispose()
    assert data["facilitator_token"] not in dumped
    assert row.facilitator_token_hash == hash_token(data["facilitator_token"])


def test_tokens_and_codes_differ_between_workshops(client: TestClient, create_workshop: CreateWorkshop) -> None:
    made = [create_workshop(client) for _ in range(5)]
    assert len({w["facilitator_token"] for w in made}) == 5
    assert len({w["join_code"] for w in made}) == 5
    assert len({w["id"] for w in made}) == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument": "no-such-tool", "title": "x"}, "instrument"),
        ({"instrument": "pit-a", "title": "   "}, "title"),
        ({"instrument": "pit-a", "title": "x" * 201}, "title"),
        ({"instrument": "pit-a", "title": "x", "rule": "no-such-rule"}, "rule"),
        ({"instrument": "pit-a", "title": "x", "sectors": ["s"] * 51}, "sectors"),
        ({"instrument": "pit-a", "title": "x", "surprise": 1}, "surprise"),
        ({"instrument": "pit-a"}, "title"),
    ],
)
def test_create_workshop_rejects_bad_input(client: TestClient, body: dict[str, Any], field: str) -> None:
    response = client.post("/api/workshops", json=body)
    assert response.status_code == 422
    assert field in response.json()["detail"]


# -- responses -------------------------------------------------------------------------------------


def test_submit_and_revise_replaces_never_duplicates(client: TestClient, create_workshop: CreateWorkshop) -> None:
    w = create_workshop(client, sectors=["NHS", "Council"], tables=["1", "2"])
    first = submit(client, w, "Ann", {"leadership": 2, "needs-assessment": "maturing"}, attributes={"sector": "nhs"})
    assert first.status_code == 201
    edit_token = first.json().pop("edit_token")
    assert first.json() == {
        "workshop": w["id"],
        "participant": "Ann",
        "revision": 1,
        "replaced": False,
        "answered": 2,
        "edit_token": edit_token,  # an addition: the contract's other fields are as they were
    }
    again = submit(
        client,
        w,
        " ann ",
        {"leadership": "thriving"},
        attributes={"sector": "Council", "table": "2"},
        edit_token=edit_token,
    )
    assert again.status_code == 201
    assert again.json()["revision"] == 2
    assert again.json()["replaced"] is True
    assert again.json()["edit_token"] is None
    collation = client.get(f"/api/workshops/{w['id']}/collation?by=sector", headers=auth(w["facilitator_token"])).json()
    assert collation["responses"] == 1
    leadership = collation["domains"][0]
    assert leadership["key"] == "leadership"
    assert leadership["counts"] == {"emerging": 0, "developing": 0, "maturing": 0, "thriving": 1}
    # The earlier answer to needs-assessment was replaced too: the revision holds only what was sent again.
    assert collation["domains"][1]["counts"] == {"emerging": 0, "developing": 0, "maturing": 0, "thriving": 0}
    assert collation["domains"][1]["missing"] == 1
    assert collation["groups"] == {"Council": 1}  # the sector as the workshop spells it


def test_collation_is_the_cores_and_the_clis(
    client: TestClient, create_workshop: CreateWorkshop, registry: Registry, tmp_path: Path
) -> None:
    w = create_workshop(client, sectors=["NHS", "Council", "VCSE"], tables=["1", "2"])
    people = [
        ("p1", "NHS", "1", {"leadership": 1, "needs-assessment": 2, "prioritisation": 2}, {"leadership": "early days"}),
        ("p2", "NHS", "2", {"leadership": 2, "needs-assessment": 2, "prioritisation": None}, {}),
        ("p3", "Council", "1", {"leadership": 4, "needs-assessment": 3, "evaluation": "thriving"}, {}),
        ("p4", "Council", "2", {"leadership": 1, "needs-assessment": "developing"}, {"evaluation": "unclear"}),
        ("p5", "VCSE", "1", {"leadership": 4, "needs-assessment": 1, "prioritisation": 3}, {}),
    ]
    for name, sector, table, choices, comments in people:
        response = submit(client, w, name, choices, attributes={"sector": sector, "table": table}, comments=comments)
        assert response.status_code == 201, response.text
    instrument = registry.instrument("pit-a")
    expected_responses = [
        Response.build(instrument, name, choices, attributes={"sector": sector, "table": table}, comments=comments)
        for name, sector, table, choices, comments in people
    ]
    for by in (None, "sector", "table"):
        url = f"/api/workshops/{w['id']}/collation" + (f"?by={by}" if by else "")
        got = client.get(url, headers=auth(w["facilitator_token"]))
        assert got.status_code == 200
        # The core's own computation of the same responses...
        core = collation_to_dict(
            build_collation_report(collate(instrument, expected_responses, by), registry.rule("median"))
        )
        assert got.json() == core
        # ...and what `matrixkit collate` prints for them (only the input file names, "sources", differ).
        path = tmp_path / "responses.json"
        path.write_text(json.dumps(responses_to_document(expected_responses, instrument)))
        out = tmp_path / "cli.json"
        args = ["collate", "pit-a", str(path), "-o", str(out), *(["--by", by] if by else [])]
        assert main(args, context=Context(registry=registry)) == 0
        cli = json.loads(out.read_text())
        cli.pop("sources", None)
        assert got.json() == cli


def test_empty_collation(client: TestClient, create_workshop: CreateWorkshop) -> None:
    w = create_workshop(client)
    data = client.get(f"/api/workshops/{w['id']}/collation", headers=auth(w["facilitator_token"])).json()
    assert data["responses"] == 0
    assert all(d["suggested"] is None and d["agreement"] is None for d in data["domains"])


# -- authorisation ---------------------------------------------------------------------------------


def test_collation_needs_the_facilitator_token(client: TestClient, create_workshop: CreateWorkshop) -> None:
    a = create_workshop(client)
    b = create_workshop(client)
    url = f"/api/workshops/{a['id']}/collation"
    missing = client.get(url)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert client.get(url, headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get(url, headers=auth("not-the-token")).status_code == 403
    # Another workshop's token never opens this one.
    assert client.get(url, headers=auth(b["facilitator_token"])).status_code == 403
    assert client.get(url, headers=auth(b["join_code"])).status_code == 403
    assert client.get(url, headers=auth(a["facilitator_token"])).status_code == 200
    assert client.get(url, headers=auth("x" * 5000)).status_code == 403
    assert client.get("/api/workshops/nope/collation", headers=auth(a["facilitator_token"])).status_code == 404


def test_join_code_of_another_workshop_is_refused(client: TestClient, create_workshop: CreateWorkshop) -> None:
    a = create_workshop(client)
    b = create_workshop(client)
    body = {"join_code": b["join_code"], "participant": "Ann", "choices": {"leadership": 1}}
    response = client.post(f"/api/workshops/{a['id']}/responses", json=body)
    assert response.status_code == 403
    assert "join code" in response.json()["detail"]
    # The join code is forgiving about case and the hyphen.
    body["join_code"] = a["join_code"].replace("-", "").lower()
    assert client.post(f"/api/workshops/{a['id']}/responses", json=body).status_code == 201


# -- bad requests: always 4xx with a message, never 5xx ----------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"choices": {"no-such-domain": 1}}, 422, "unknown domain 'no-such-domain'"),
        (
            {"choices": {"leadership": 5}},
            422,
            "'5' is not a level of pit-a (1–4 or emerging/developing/maturing/thriving)",
        ),
        ({"choices": {"leadership": 0}}, 422, "not a level"),
        ({"choices": {"leadership": "brilliant"}}, 422, "not a level"),
        ({"choices": {"leadership": True}}, 422, "choices.leadership"),
        ({"choices": {"leadership": 2.5}}, 422, "choices.leadership"),
        ({"choices": {"leadership": [1]}}, 422, "choices.leadership"),
        ({"choices": "leadership=1"}, 422, "choices"),
        ({"comments": {"leadership": "x" * 2001}}, 422, "comments.leadership"),
        ({"comments": {"nowhere": "hello"}}, 422, "comment on unknown domain 'nowhere'"),
        ({"participant": "x" * 101}, 422, "participant"),
        ({"participant": "   "}, 422, "participant"),
        ({"attributes": {"sector": "Elsewhere"}}, 422, "not one of this workshop's sectors"),
        ({"attributes": {"sector": "x" * 101}}, 422, "attributes.sector"),
        ({"attributes": {"Bad Name": "x"}}, 422, "attributes.Bad Name"),
        ({"attributes": {"sector": 3}}, 422, "attributes.sector"),
        ({"join_code": "WRONG-CODE"}, 403, "join code"),
        ({"extra": 1}, 422, "extra"),
    ],
)
def test_bad_responses_are_refused_clearly(
    client: TestClient, create_workshop: CreateWorkshop, change: dict[str, Any], status: int, words: str
) -> None:
    w = create_workshop(client, sectors=["NHS", "Council"])
    body = {"join_code": w["join_code"], "participant": "Ann", "choices": {"leadership": 1}, **change}
    response = client.post(f"/api/workshops/{w['id']}/responses", json=body)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    # Nothing was stored.
    data = client.get(f"/api/workshops/{w['id']}/collation", headers=auth(w["facilitator_token"])).json()
    assert data["responses"] == 0


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"[1, 2, 3]", {"content-type": "application/json"}),
        (b'"a string"', {"content-type": "application/json"}),
        (b"null", {"content-type": "application/json"}),
        (b"{not json", {"content-type": "application/json"}),
        (b"\xff\xfe\x00", {"content-type": "application/json"}),
        (b"participant=Ann", {"content-type": "application/x-www-form-urlencoded"}),
        (b"", {}),
    ],
)
def test_non_object_bodies_are_refused(
    client: TestClient, create_workshop: CreateWorkshop, content: bytes, headers: dict[str, str]
) -> None:
    w = create_workshop(client)
    response = client.post(f"/api/workshops/{w['id']}/responses", content=content, headers=headers)
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_oversized_body_is_refused_before_reading(client: TestClient, create_workshop: CreateWorkshop) -> None:
    w = create_workshop(client)
    big = {"join_code": w["join_code"], "participant": "Ann", "choices": {"leadership": 1}, "comments": {}}
    big["comments"] = {f"d{i}": "x" * 2000 for i in range(200)}  # ~400 kB
    response = client.post(f"/api/workshops/{w['id']}/responses", json=big)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_streamed_oversized_body_is_refused(client: TestClient, create_workshop: CreateWorkshop) -> None:
    w = create_workshop(client)

    def chunks() -> Any:
        yield b'{"join_code": "x", "participant": "'
        for _ in range(100):
            yield b"x" * 4096
        yield b'", "choices": {}}'

    response = client.post(
        f"/api/workshops/{w['id']}/responses", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_closed_workshop_refuses_answers(client: TestClient, create_workshop: CreateWorkshop) -> None:
    w = create_workshop(client)
    assert submit(client, w, "Ann", {"leadership": 1}).status_code == 201
    closed = client.post(f"/api/workshops/{w['id']}/close", headers=auth(w["facilitator_token"]))
    assert closed.status_code == 200
    late = submit(client, w, "Bob", {"leadership": 2})
    assert late.status_code == 409
    assert "closed" in late.json()["detail"]
    revision = submit(client, w, "Ann", {"leadership": 4})
    assert revision.status_code == 409
    data = client.get(f"/api/workshops/{w['id']}/collation", headers=auth(w["facilitator_token"])).json()
    assert data["responses"] == 1
    assert data["domains"][0]["counts"]["emerging"] == 1


def test_unknown_workshop(client: TestClient) -> None:
    body = {"join_code": "ABCD-EFGH", "participant": "Ann", "choices": {}}
    assert client.post("/api/workshops/does-not-exist/responses", json=body).status_code == 404
    assert client.post(f"/api/workshops/{'x' * 500}/responses", json=body).status_code == 404


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    participant=JSON,
    choices=JSON | st.dictionaries(st.sampled_from([*DOMAINS, "x"]), JSON, max_size=5),
    comments=JSON,
    attributes=JSON,
)
def test_any_json_gets_a_4xx_or_201_never_5xx(
    client: TestClient,
    create_workshop: CreateWorkshop,
    participant: object,
    choices: object,
    comments: object,
    attributes: object,
) -> None:
    w = create_workshop(client)
    body = {"join_code": w["join_code"], "participant": participant, "choices": choices}
    body.update({"comments": comments, "attributes": attributes})
    response = client.post(f"/api/workshops/{w['id']}/responses", json=body)
    assert response.status_code in (201, 403, 409, 413, 422), response.text
    assert response.json()


# -- the rest of the API -------------------------------------------------------------------------------


def test_decisions_and_report(client: TestClient, create_workshop: CreateWorkshop) -> None:
    w = create_workshop(client)
    submit(client, w, "Ann", {"leadership": 2})
    url = f"/api/workshops/{w['id']}/decisions/leadership"
    body = {"agreed": "developing", "target": 3, "priority": 1, "priorities": "A shared vision", "notes": "n"}
    assert client.put(url, json=body).status_code == 401
    ok = client.put(url, json=body, headers=auth(w["facilitator_token"]))
    assert ok.status_code == 200, ok.text
    clash = client.put(
        f"/api/workshops/{w['id']}/decisions/evaluation", json={"priority": 1}, headers=auth(w["facilitator_token"])
    )
    assert clash.status_code == 409
    bad = client.put(url, json={"agreed": 7}, headers=auth(w["facilitator_token"]))
    assert bad.status_code == 422
    report = client.get(f"/api/workshops/{w['id']}/report", headers=auth(w["facilitator_token"])).json()
    leadership = report["decisions"][0]
    assert leadership["agreed"] == 2
    assert leadership["target"] == 3
    assert leadership["priority"] == 1
    assert leadership["priorities"] == "A shared vision"
    assert report["collation"]["responses"] == 1


def test_workshop_details(client: TestClient, create_workshop: CreateWorkshop) -> None:
    w = create_workshop(client, tables=["A"])
    submit(client, w, "Ann", {"leadership": 2}, attributes={"table": "a"})
    data = client.get(f"/api/workshops/{w['id']}", headers=auth(w["facilitator_token"])).json()
    assert data["participants"] == 1
    assert data["submitted"] == 1
    assert data["tables"] == ["A"]
    assert data["join_code"] == w["join_code"]


def test_openapi_document(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/workshops",
        "/api/workshops/{workshop_id}/responses",
        "/api/workshops/{workshop_id}/collation",
    } <= set(spec["paths"])
    assert spec["paths"]["/api/workshops"]["post"]["responses"]["201"]
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    # HTML pages are not part of the API document.
    assert "/join" not in spec["paths"]


def test_security_headers(client: TestClient) -> None:
    for path in ("/", "/api/instruments", "/openapi.json", "/static/app.css", "/no-such-page"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"


def test_a_workshop_whose_instrument_is_gone_gets_a_clear_answer(db_url: str, registry: Registry) -> None:
    from matrixkit_web.app import Settings, create_app

    with TestClient(create_app(Settings(db=db_url), registry=registry)) as before:
        w = before.post("/api/workshops", json={"instrument": "pit-a", "title": "x"}).json()
    # The server restarts without the PIT tools installed.
    with TestClient(create_app(Settings(db=db_url), registry=Registry.for_plugins())) as after:
        response = after.get(f"/api/workshops/{w['id']}/collation", headers=auth(w["facilitator_token"]))
        assert response.status_code == 409
        assert "pit-a" in response.json()["detail"]
        page = after.get(f"/facilitate/{w['facilitator_token']}")
        assert page.status_code == 409
        assert "pit-a" in page.text
