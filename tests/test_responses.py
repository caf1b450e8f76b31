"""The response model and its plain-data form (TOML/JSON response files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrixkit.errors import ValidationError
from matrixkit.format import read_instrument as load_instrument
from matrixkit.io.response_files import response_to_dict, responses_to_document
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.responses import Response, participant_key, participant_keys
from matrixkit.services import read_responses

DATA = Path(__file__).parent / "data"


def from_document(doc: object, dm: Instrument, tmp_path: Path) -> list[Response]:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    return read_responses(path, dm, Registry.for_plugins())


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
    assert "'6' is not a level of digital-maturity (0–5 or absent/" in str(info.value)


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


def test_plain_data_round_trip(dm: Instrument, tmp_path: Path) -> None:
    response = Response.build(
        dm, "Zoë", {"governance": 2, "risk": 5}, attributes={"sector": "health"}, comments={"risk": "ok"}
    )
    data = response_to_dict(response, dm)
    assert data["choices"] == {"governance": "repeatable", "risk": "optimising"}
    assert from_document(data, dm, tmp_path) == [response]


def test_responses_are_immutable_and_hashable(dm: Instrument) -> None:
    response = Response.build(dm, "Ana", {"governance": 1}, attributes={"sector": "vcse"})
    assert len({response, Response.build(dm, "Ana", {"governance": 1}, attributes={"sector": "vcse"})}) == 1
    with pytest.raises(TypeError):
        response.choices["governance"] = 2  # type: ignore[index]


def test_documents_hold_one_or_many_responses(dm: Instrument, tmp_path: Path) -> None:
    one = {"participant": "A", "choices": {"governance": 1}}
    assert [r.participant for r in from_document(one, dm, tmp_path)] == ["A"]
    many = {"instrument": dm.id, "responses": [one, {"participant": "B", "choices": {"risk": "Managed"}}]}
    assert [r.participant for r in from_document(many, dm, tmp_path)] == ["A", "B"]
    assert [r.participant for r in from_document([one], dm, tmp_path)] == ["A"]
    written = responses_to_document(from_document(many, dm, tmp_path), dm)
    assert from_document(written, dm, tmp_path) == from_document(many, dm, tmp_path)


def test_document_problems_are_located(dm: Instrument, tmp_path: Path) -> None:
    doc = {
        "responses": [
            {"participant": "A", "choices": {"governance": 7}},
            {"participant": "a", "choices": {}},
            {"choices": {"unknown": 1}, "colour": "red"},
            "nonsense",
        ]
    }
    with pytest.raises(ValidationError) as info:
        from_document(doc, dm, tmp_path)
    text = str(info.value)
    assert "responses[0].choices.governance: '7' is not a level" in text
    assert "participant 'a' is given twice (also " in text
    assert "responses[2].participant: required key missing" in text
    assert "responses[2].colour: unknown key" in text
    assert "responses[3]: expected a table" in text


def test_document_for_another_instrument_is_rejected(dm: Instrument, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="a response to 'pit-x', not to 'digital-maturity'"):
        from_document({"instrument": "pit-x", "responses": [{"participant": "A", "choices": {}}]}, dm, tmp_path)
    with pytest.raises(ValidationError, match="no responses"):
        from_document({"responses": []}, dm, tmp_path)


def test_participants_compare_as_people_read_them() -> None:
    same = [
        "Ana Lee",
        " ana lee ",
        "ANA  LEE",
        "Ana\tLee",
        "Ana\u200b Lee",
        "Ａna Lee",
        "Ana Lee\u00ad",
    ]
    assert {participant_key(name) for name in same} == {"ana lee"}
    assert participant_key("Ana\u200b") == participant_key("\u202eAna") == "ana"
    assert participant_key("Ana Lee") != participant_key("AnaLee")
    assert participant_keys(same) == ["ana lee"] * len(same)


# Columns of ASCII only (spaces, a tab, runs of spaces: most files), and columns that also hold full-width and
# other compatibility forms, invisible characters, letters whose case folds to several (ß, ŉ) and combining marks.
_ASCII = [*"aAzZ09 -.'\t", "  "]
_ANY = [*_ASCII, "Ａ", "ｚ", "ﬁ", "\u200b", "\u00ad", "\u202e", "\ufeff", "ß", "ŉ", "\u0301", "é", "\u00a0"]
_COLUMNS = st.sampled_from([_ASCII, _ANY]).flatmap(
    lambda chars: st.lists(st.lists(st.sampled_from(chars), max_size=8).map("".join), max_size=6)
)


@given(_COLUMNS)
def test_a_column_of_ids_is_keyed_as_each_id_is(ids: list[str]) -> None:
    assert participant_keys(ids) == [participant_key(i) for i in ids]
