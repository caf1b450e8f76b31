"""The intake fixtures (tests/data/intake: what Microsoft Forms, Google Forms, Excel, matrixkit's own sheets and
typed-up paper sheets produce) uploaded as paper sheets: each is entered as :func:`matrixkit.read_responses`
reads it with the same choices — the web's counts are the command line's and the API's (issue 13)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import create_in_browser, csrf, facilitator_token

import matrixkit
from matrixkit.io.options import ReadOptions
from matrixkit.registry import Registry

MakeClient = Callable[..., TestClient]
INTAKE = Path(__file__).resolve().parents[3] / "tests" / "data" / "intake"

CASES = [
    ("ms-forms.xlsx", "pit-a", {"duplicates": "latest"}),
    ("ms-forms.csv", "pit-a", {"duplicates": "first"}),
    ("ms-forms-anonymous.xlsx", "pit-a", {}),
    ("google-forms.csv", "pit-b", {}),
    ("excel-semicolon.csv", "pit-a", {}),
    ("excel-unicode.txt", "pit-a", {}),
    ("paper-typed.csv", "pit-a", {"between": "lower", "duplicates": "latest"}),
    ("paper-typed.ods", "pit-a", {"between": "higher", "duplicates": "first"}),
    ("sheet-responses.xlsx", "pit-a", {}),
    ("record-cal.xlsx", "pit-a", {}),
]


def upload(client: TestClient, workshop_id: str, path: Path, **choices: str) -> Any:
    page = client.get(f"/w/{workshop_id}/paper").text
    return client.post(
        f"/w/{workshop_id}/paper/upload",
        data={"csrf_token": csrf(page), **choices},
        files={"sheets": (path.name, path.read_bytes(), "application/octet-stream")},
        follow_redirects=False,
    )


def collation(client: TestClient, workshop_id: str) -> Any:
    headers = {"Authorization": f"Bearer {facilitator_token(workshop_id)}"}
    return client.get(f"/api/workshops/{workshop_id}/collation", headers=headers).json()


def expected_counts(path: Path, instrument_id: str, registry: Registry, choices: dict[str, str]) -> dict[str, Any]:
    """Counts per domain and level key, from the responses the API reads (the command line's readers)."""
    instrument = registry.instrument(instrument_id)
    responses = matrixkit.read_responses(path, instrument, registry=registry, options=ReadOptions(**choices))  # type: ignore[arg-type]
    counts = {d.key: {level.key: 0 for level in instrument.levels} for d in instrument.domains}
    for response in responses:
        for domain, index in zip(instrument.domains, response.indices(instrument), strict=True):
            if index is not None:
                counts[domain.key][instrument.levels[index].key] += 1
    return {"responses": len(responses), "counts": counts}


@pytest.mark.parametrize(("name", "instrument", "choices"), CASES, ids=[case[0] for case in CASES])
def test_an_intake_fixture_uploads_as_the_readers_read_it(
    make_client: MakeClient, registry: Registry, name: str, instrument: str, choices: dict[str, str]
) -> None:
    path = INTAKE / name
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, instrument=instrument)
    entered = upload(facilitator, workshop_id, path, **choices)
    assert entered.status_code == 303, entered.text
    shown = collation(facilitator, workshop_id)
    expected = expected_counts(path, instrument, registry, choices)
    assert shown["responses"] == expected["responses"] > 0
    assert {d["key"]: d["counts"] for d in shown["domains"]} == expected["counts"]


def test_a_duplicate_or_a_mark_across_two_levels_is_refused_until_chosen(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator)
    refused = upload(facilitator, workshop_id, INTAKE / "ms-forms.xlsx")
    assert refused.status_code == 422
    assert "ms-forms.xlsx:Form1!E7" in refused.text and "Ben Okafor" in refused.text
    assert 'id="upload-choices-hint"' in refused.text
    marks = upload(facilitator, workshop_id, INTAKE / "paper-typed.csv", duplicates="first")
    assert marks.status_code == 422 and "marks two levels" in marks.text
    assert 'value="first" checked' in marks.text  # the choice made is kept on the page
    unknown = upload(facilitator, workshop_id, INTAKE / "paper-typed.csv", between="average")
    assert unknown.status_code == 400 and "Choose one of the options" in unknown.text
    assert collation(facilitator, workshop_id)["responses"] == 0
