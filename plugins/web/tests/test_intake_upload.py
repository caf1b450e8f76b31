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
from matrixkit.io.mapping import read_mapping
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


def upload(
    client: TestClient, workshop_id: str, path: Path, mapping: tuple[str, str] | None = None, **choices: str
) -> Any:
    """Upload a file of sheets, with a mapping file (its name and text) when given."""
    page = client.get(f"/w/{workshop_id}/paper").text
    files = [("sheets", (path.name, path.read_bytes(), "application/octet-stream"))]
    if mapping is not None:
        files.append(("mapping", (mapping[0], mapping[1].encode("utf-8"), "application/toml")))
    return client.post(
        f"/w/{workshop_id}/paper/upload",
        data={"csrf_token": csrf(page), **choices},
        files=files,
        follow_redirects=False,
    )


def collation(client: TestClient, workshop_id: str) -> Any:
    headers = {"Authorization": f"Bearer {facilitator_token(workshop_id)}"}
    return client.get(f"/api/workshops/{workshop_id}/collation", headers=headers).json()


def expected_counts(
    path: Path, instrument_id: str, registry: Registry, choices: dict[str, str], mapping: Path | None = None
) -> dict[str, Any]:
    """Counts per domain and level key, from the responses the API reads (the command line's readers)."""
    instrument = registry.instrument(instrument_id)
    mapped = read_mapping(mapping, instrument) if mapping is not None else None
    options = ReadOptions(**choices, mapping=mapped)  # type: ignore[arg-type]
    responses = matrixkit.read_responses(path, instrument, registry=registry, options=options)
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


OWN_WORDS = """format = 1
instrument = "pit-b"

[answers]
"Just starting" = "emerging"
"Getting there" = "developing"
"Well on the way" = "maturing"
"""


def test_a_form_in_its_own_words_uploads_with_its_mapping_file(
    make_client: MakeClient, registry: Registry, tmp_path: Path
) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, instrument="pit-b")
    path = INTAKE / "google-forms-own-words.csv"
    refused = upload(facilitator, workshop_id, path)
    assert refused.status_code == 422
    assert "google-forms-own-words.csv: &#39;Getting there&#39; is not a level of pit-b" in refused.text
    assert 'id="upload-problems"' in refused.text and 'id="mapping-problems"' not in refused.text

    entered = upload(facilitator, workshop_id, path, mapping=("own-words.toml", OWN_WORDS))
    assert entered.status_code == 303, entered.text
    (tmp_path / "own-words.toml").write_text(OWN_WORDS, encoding="utf-8")
    expected = expected_counts(path, "pit-b", registry, {}, mapping=tmp_path / "own-words.toml")
    shown = collation(facilitator, workshop_id)
    assert shown["responses"] == expected["responses"] == 6
    assert {d["key"]: d["counts"] for d in shown["domains"]} == expected["counts"]
    # The same answers as the form that used the levels' own names.
    assert expected["counts"] == expected_counts(INTAKE / "google-forms.csv", "pit-b", registry, {})["counts"]


def test_a_mapping_file_that_does_not_fit_is_refused_naming_its_line(make_client: MakeClient) -> None:
    facilitator = make_client()
    workshop_id = create_in_browser(facilitator, instrument="pit-b")
    path = INTAKE / "google-forms-own-words.csv"
    wrong = OWN_WORDS.replace('"Getting there" = "developing"', '"Getting there" = "brilliant"')
    refused = upload(facilitator, workshop_id, path, mapping=("own-words.toml", wrong))
    assert refused.status_code == 422
    assert "own-words.toml cannot be used (1 problem, listed below): nothing was entered" in refused.text
    assert 'id="mapping-problems"' in refused.text and "own-words.toml:6:" in refused.text
    assert "matrixkit-upload-" not in refused.text  # the server's own paths are never shown
    not_toml = upload(facilitator, workshop_id, path, mapping=("own-words.txt", OWN_WORDS))
    assert not_toml.status_code == 400 and "The file must be one of: a mapping file (.toml)" in not_toml.text
    assert collation(facilitator, workshop_id)["responses"] == 0
