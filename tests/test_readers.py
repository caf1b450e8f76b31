"""Response readers: the wide CSV reader as spreadsheets export it, TOML and JSON response files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matrixkit.errors import MatrixkitError, ValidationError
from matrixkit.format import load_instrument
from matrixkit.model import Instrument
from matrixkit.readers import MAX_PROBLEMS, CsvReader, JsonReader, Reader, TomlReader, builtin_readers, reader_for

DATA = Path(__file__).parent / "data"
KEYS = (
    "governance,data-quality,staff-skills,funding,user-voice,evaluation,procurement,digital-tools,risk,"
    "communication,learning,equity"
)


@pytest.fixture(scope="module")
def dm() -> Instrument:
    return load_instrument(DATA / "digital-maturity.toml")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are named relative to the working directory, so messages read as a user sees them."""
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    (tmp_path / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return Path(name)


def read(path: Path, instrument: Instrument) -> list:  # type: ignore[type-arg]
    return list(CsvReader().read(path, instrument))


def problems_of(path: Path, instrument: Instrument) -> list[str]:
    with pytest.raises(ValidationError) as info:
        read(path, instrument)
    return [str(p) for p in info.value.problems]


def test_builtin_readers_satisfy_the_protocol() -> None:
    for reader in builtin_readers():
        assert isinstance(reader, Reader)
        assert reader.extensions and all(e.startswith(".") for e in reader.extensions)


def test_reads_a_plain_csv(tmp_path: Path, dm: Instrument) -> None:
    path = write(
        tmp_path,
        "t.csv",
        f"participant,Sector,Table,{KEYS},comment: governance\n"
        "P1,vcse,1,0,1,2,3,4,5,Absent,initial,REPEATABLE,defined,,managed,No board yet\n",
    )
    [response] = read(path, dm)
    assert response.participant == "P1"
    assert response.attributes == {"sector": "vcse", "table": "1"}
    assert response.indices(dm) == (0, 1, 2, 3, 4, 5, 0, 1, 2, 3, None, 4)
    assert response.comments == {"governance": "No board yet"}
    assert response.instrument == dm.id


def test_accepts_what_spreadsheets_export(tmp_path: Path, dm: Instrument) -> None:
    header = "participant;" + KEYS.replace(",", ";")
    body = "P1;" + ";".join(["2"] * 12) + "\r\nP2;" + ";".join(["2.0"] * 11) + ";\r\n\r\n"
    path = write(tmp_path, "excel.csv", b"\xef\xbb\xbf" + (header + "\r\n" + body).encode("utf-8"))
    responses = read(path, dm)
    assert [r.participant for r in responses] == ["P1", "P2"]
    assert responses[1].indices(dm) == (2,) * 11 + (None,)
    tabbed = write(tmp_path, "t.tsv", "participant\t" + KEYS.replace(",", "\t") + "\nP1\t" + "\t".join("1" * 12))
    assert read(tabbed, dm)[0].indices(dm) == (1,) * 12


def test_headers_by_exact_title_and_quoted_cells(tmp_path: Path, dm: Instrument) -> None:
    titles = ",".join(f'"{d.title.upper()}"' for d in dm.domains)
    path = write(
        tmp_path, "t.csv", f'participant,organisation,{titles}\n"Smith, J.","Org ""A""",{",".join("3" * 12)}\n'
    )
    [response] = read(path, dm)
    assert response.participant == "Smith, J."
    assert response.attributes == {"organisation": 'Org "A"'}
    assert response.indices(dm) == (3,) * 12


def test_not_answered_markers(tmp_path: Path, dm: Instrument) -> None:
    cells = ["", "-", "?", "n/a", "N/A", "don't know", "1", "1", "1", "1", "1", "1"]
    path = write(tmp_path, "t.csv", f"participant,{KEYS}\nP1,{','.join(cells)}\n")
    assert read(path, dm)[0].indices(dm) == (None,) * 6 + (1,) * 6


def test_the_example_message_of_the_issue(tmp_path: Path, dm: Instrument) -> None:
    row = ["1"] * 12
    row[3] = "6"
    path = write(tmp_path, "workshop.csv", f"participant,{KEYS}\n" + "\n" * 5 + f"P1,{','.join(row)}\n")
    assert problems_of(path, dm) == [
        'workshop.csv:7: column "funding": "6" is not a level of digital-maturity '
        "(0–5 or absent/initial/repeatable/defined/managed/optimising)"
    ]


def test_lists_every_problem_with_its_line(tmp_path: Path, dm: Instrument) -> None:
    good = ",".join("1" * 12)
    path = write(
        tmp_path,
        "bad.csv",
        f"participant,{KEYS}\n"
        f"P1,{good}\n"
        f"P2,{good},1,1\n"  # ragged: two cells too many
        f"P3,1,1\n"  # ragged: too few
        f"p1,{good}\n"  # duplicate (case-insensitive)
        f",{good}\n"  # no participant
        f'P4,"multi\nline",{",".join("9" * 11)}\n',  # an unknown level on line 7, eleven more
    )
    found = problems_of(path, dm)
    assert found[0] == "bad.csv:3: this row has 15 cells, the header has 13"
    assert found[1] == "bad.csv:4: this row has 3 cells, the header has 13"
    assert found[2] == "bad.csv:5: duplicate participant 'p1' (also line 2)"
    assert found[3] == 'bad.csv:6: column "participant": no participant id'
    assert found[4].startswith('bad.csv:7: column "governance": "multi\nline" is not a level')
    assert len(found) == 5 + 11


def test_trailing_empty_cells_are_not_ragged(tmp_path: Path, dm: Instrument) -> None:
    path = write(tmp_path, "t.csv", f"participant,{KEYS}\nP1,{','.join('1' * 12)},,\n")
    assert len(read(path, dm)) == 1


def test_header_problems(tmp_path: Path, dm: Instrument) -> None:
    misspelt = write(tmp_path, "a.csv", f"participant,governence,{KEYS.split(',', 1)[1]}\nP1,{','.join('1' * 12)}\n")
    assert problems_of(misspelt, dm) == [
        "a.csv:1: column 2 \"governence\" is not a domain of digital-maturity (did you mean 'governance'?)"
    ]
    no_participant = write(tmp_path, "b.csv", f"name,{KEYS}\nP1,{','.join('1' * 12)}\n")
    assert any('no "participant" column' in p for p in problems_of(no_participant, dm))
    missing = write(tmp_path, "c.csv", "participant,governance,sector\nP1,1,civic\n")
    assert any("no column for domain(s) data-quality" in p for p in problems_of(missing, dm))
    repeated = write(tmp_path, "d.csv", f"participant,{KEYS},Governance\n")
    assert any("repeats column 2" in p for p in problems_of(repeated, dm))
    blank_heading = write(tmp_path, "e.csv", f"participant,,{KEYS}\n")
    assert any("column 2 has no heading" in p for p in problems_of(blank_heading, dm))


def test_empty_and_header_only_files(tmp_path: Path, dm: Instrument) -> None:
    assert problems_of(write(tmp_path, "empty.csv", ""), dm) == [
        "empty.csv:1: empty file: expected a header row (participant, one column per domain)"
    ]
    assert problems_of(write(tmp_path, "blank.csv", "\n\n"), dm)[0].startswith("blank.csv:1: empty file")
    only = problems_of(write(tmp_path, "h.csv", f"participant,{KEYS}\n"), dm)
    assert only == ["h.csv:2: no responses: the file has a header row but no rows of answers"]


def test_undecodable_file_names_the_line(tmp_path: Path, dm: Instrument) -> None:
    content = f"participant,{KEYS}\nP1,{','.join('1' * 12)}\nP\xe92,{','.join('1' * 12)}\n".encode("latin-1")
    found = problems_of(write(tmp_path, "latin.csv", content), dm)
    assert len(found) == 1
    assert found[0].startswith("latin.csv:3: not UTF-8 text")
    assert "CSV UTF-8" in found[0]


def test_responses_for_another_instrument(tmp_path: Path, dm: Instrument) -> None:
    path = write(tmp_path, "t.csv", f"participant,instrument,{KEYS}\nP1,pit-a,{','.join('1' * 12)}\n")
    assert problems_of(path, dm) == [
        "t.csv:2: column \"instrument\": a response to instrument 'pit-a', not 'digital-maturity'"
    ]


def test_problems_are_capped(tmp_path: Path, dm: Instrument) -> None:
    rows = "".join(f"P{i},{','.join('x' * 12)}\n" for i in range(MAX_PROBLEMS))
    found = problems_of(write(tmp_path, "many.csv", f"participant,{KEYS}\n{rows}"), dm)
    assert len(found) == MAX_PROBLEMS + 1
    assert found[-1] == f"many.csv: ... and {12 * MAX_PROBLEMS - MAX_PROBLEMS} more problems"


def test_valid_rows_are_yielded_then_every_problem_raised(tmp_path: Path, dm: Instrument) -> None:
    good = ",".join("1" * 12)
    path = write(tmp_path, "t.csv", f"participant,{KEYS}\nP1,{good}\nP2,x{good}\nP3,{good}\nP4,{good},1\n")
    seen = []
    with pytest.raises(ValidationError) as info:
        for response in CsvReader().read(path, dm):
            seen.append(response.participant)
    assert seen == ["P1", "P3"]
    assert [p.line for p in info.value.problems] == [3, 5]


def test_toml_and_json_response_files(tmp_path: Path, dm: Instrument) -> None:
    toml_path = write(
        tmp_path,
        "r.toml",
        'format = 1\ninstrument = "digital-maturity"\n\n[[responses]]\nparticipant = "A"\n'
        'attributes = { sector = "civic" }\nchoices = { governance = 2, risk = "Managed" }\n\n'
        '[[responses]]\nparticipant = "B"\nchoices = { governance = "absent" }\n',
    )
    responses = list(TomlReader().read(toml_path, dm))
    assert [(r.participant, r.choices["governance"]) for r in responses] == [("A", 2), ("B", 0)]
    json_path = write(tmp_path, "r.json", json.dumps([{"participant": "C", "choices": {"learning": 5}}]))
    [from_json] = JsonReader().read(json_path, dm)
    assert from_json.choices["learning"] == 5


def test_toml_and_json_problems_are_located(tmp_path: Path, dm: Instrument) -> None:
    toml_path = write(
        tmp_path,
        "r.toml",
        '[[responses]]\nparticipant = "A"\nchoices = { governance = 2 }\n\n'
        '[[responses]]\nparticipant = "B"\nchoices = { governance = 8 }\n',
    )
    with pytest.raises(ValidationError) as info:
        list(TomlReader().read(toml_path, dm))
    assert str(info.value) == (
        "r.toml:7: responses[1].choices.governance: 8 is not a level of digital-maturity "
        "(0–5 or absent/initial/repeatable/defined/managed/optimising)"
    )
    broken = write(tmp_path, "b.json", '{"participant": "A",\n "choices": {,}}')
    with pytest.raises(ValidationError, match=r"b.json:2: column 14: JSON syntax error"):
        list(JsonReader().read(broken, dm))
    with pytest.raises(ValidationError, match="empty file"):
        list(JsonReader().read(write(tmp_path, "e.json", ""), dm))


def test_reader_for_chooses_by_extension() -> None:
    readers = {r.name: r for r in builtin_readers()}
    assert reader_for("T1.CSV", readers).name == "csv"
    assert reader_for("x/y.json", readers).name == "json"
    with pytest.raises(MatrixkitError, match=r"no reader for this kind of file \(readable: .csv, .json"):
        reader_for("answers.xlsx", readers)


def test_spreadsheet_whole_numbers_and_absurdly_long_ones(tmp_path: Path, dm: Instrument) -> None:
    row = ["1"] * 12
    row[0], row[1] = "3.0", "+2.00"
    ok = write(tmp_path, "ok.csv", f"participant,{KEYS}\nP1,{','.join(row)}\n")
    [response] = read(ok, dm)
    assert response.choices["governance"] == 3 and response.choices["data-quality"] == 2
    row[2] = "9" * 400 + ".0"
    row[3] = "9" * 5000 + ".0"
    bad = write(tmp_path, "bad.csv", f"participant,{KEYS}\nP1,{','.join(row)}\n")
    problems = problems_of(bad, dm)
    assert len(problems) == 2
    assert all(p.startswith("bad.csv:2: column ") and "is not a level of digital-maturity" in p for p in problems)
    assert all(len(p) < 200 for p in problems)
