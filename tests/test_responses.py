"""The response model and its plain-data form (TOML/JSON response files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from matrixkit.errors import ValidationError
from matrixkit.format import load_instrument
from matrixkit.model import Instrument
from matrixkit.responses import (
    Response,
    duplicate_problems,
    response_from_dict,
    response_to_dict,
    responses_from_document,
    responses_to_document,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def dm() -> Instrument:
    return load_instrument(DATA / "digital-maturity.toml")


def test_build_parses_scores_keys_and_labels_and_fills_unanswered(dm: Instrument) -> None:
    response = Response.build(
        dm,
        "Ana",
        {"governance": 0, "data-quality": "Defined", "staff-skills": "MANAGED", "funding": "", "risk": None},
        attributes={"sector": "vcse"},
        comments={"governance": "No board yet", "risk": "  "},
    )
    assert response.choices["governance"] == 0
    assert response.choices["data-quality"] == 3
    assert response.choices["staff-skills"] == 4
    assert response.choices["funding"] is None
    assert set(response.choices) == set(dm.domain_keys)
    assert response.answered == 3
    assert response.comments == {"governance": "No board yet"}
    assert response.version == dm.version
    assert list(response.problems(dm)) == []
    assert response.indices(dm)[:3] == (0, 3, 4)


def test_build_lists_every_problem(dm: Instrument) -> None:
    with pytest.raises(ValidationError) as info:
        Response.build(dm, "Ana", {"governance": 6, "nope": 1, "risk": "great"}, comments={"zzz": "hi"})
    fields = sorted(p.field or "" for p in info.value.problems)
    assert fields == ["choices.governance", "choices.nope", "choices.risk", "comments.zzz"]
    assert "6 is not a level of digital-maturity (0–5 or absent/" in str(info.value)


def test_model_rejects_bad_values() -> None:
    with pytest.raises(ValidationError):
        Response(participant=" ", instrument="x", choices={})
    with pytest.raises(ValidationError):
        Response(participant="a", instrument="x", choices={"d": -1})
    with pytest.raises(ValidationError):
        Response(participant="a", instrument="x", choices={"d": True})


def test_problems_against_another_instrument_or_version(dm: Instrument) -> None:
    other = Response(participant="a", instrument="other", choices={})
    assert "not to 'digital-maturity'" in str(next(iter(other.problems(dm))))
    old = Response(participant="a", instrument=dm.id, version="0.9", choices={"governance": 9})
    messages = [p.message for p in old.problems(dm)]
    assert any("version 0.9" in m for m in messages)
    assert any("off the scale" in m for m in messages)


def test_plain_data_round_trip(dm: Instrument) -> None:
    response = Response.build(
        dm, "Zoë", {"governance": 2, "risk": 5}, attributes={"sector": "health"}, comments={"risk": "ok"}
    )
    data = response_to_dict(response, dm)
    assert data["choices"] == {"governance": "repeatable", "risk": "optimising"}
    assert response_from_dict(data, dm) == response


def test_documents_hold_one_or_many_responses(dm: Instrument) -> None:
    one = {"participant": "A", "choices": {"governance": 1}}
    assert [r.participant for r in responses_from_document(one, dm)] == ["A"]
    many = {"instrument": dm.id, "responses": [one, {"participant": "B", "choices": {"risk": "Managed"}}]}
    assert [r.participant for r in responses_from_document(many, dm)] == ["A", "B"]
    assert [r.participant for r in responses_from_document([one], dm)] == ["A"]
    written = responses_to_document(responses_from_document(many, dm), dm)
    assert responses_from_document(written, dm) == responses_from_document(many, dm)


def test_document_problems_are_located(dm: Instrument) -> None:
    doc = {
        "responses": [
            {"participant": "A", "choices": {"governance": 7}},
            {"participant": "a", "choices": {}},
            {"choices": {"unknown": 1}, "colour": "red"},
            "nonsense",
        ]
    }
    with pytest.raises(ValidationError) as info:
        responses_from_document(doc, dm)
    text = str(info.value)
    assert "responses[0].choices.governance: 7 is not a level" in text
    assert "responses[1]: duplicate participant 'a' (also responses[0])" in text
    assert "responses[2].participant: required" in text
    assert "responses[2].choices.unknown: unknown domain" in text
    assert "responses[2].colour: unknown key" in text
    assert "responses[3]: expected a table" in text


def test_document_for_another_instrument_is_rejected(dm: Instrument) -> None:
    with pytest.raises(ValidationError, match="a response to 'pit-x', not to 'digital-maturity'"):
        responses_from_document({"instrument": "pit-x", "responses": [{"participant": "A", "choices": {}}]}, dm)
    with pytest.raises(ValidationError, match="no responses"):
        responses_from_document({"responses": []}, dm)


def test_duplicates_are_case_insensitive() -> None:
    a = Response(participant="Ana", instrument="x", choices={})
    b = Response(participant=" ana ", instrument="x", choices={})
    assert len(duplicate_problems([("f1", a), ("f2", b)])) == 1
