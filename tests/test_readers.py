"""Response readers: the wide CSV reader as spreadsheets export it, TOML and JSON response files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matrixkit.errors import MatrixkitError, ValidationError
from matrixkit.format import read_instrument as load_instrument
from matrixkit.io.options import ReadOptions
from matrixkit.io.readers import CsvReader, Reader, SpreadsheetReader, reader_for
from matrixkit.io.response_files import JsonReader, TomlReader
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.responses import Response
from matrixkit.services import read_responses

BUILTIN = [CsvReader(), SpreadsheetReader(), TomlReader(), JsonReader()]
REGISTRY = Registry.for_plugins()

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


def read(path: Path, instrument: Instrument, **options: str) -> list[Response]:
    return read_responses(path, instrument, REGISTRY, ReadOptions(**options))  # type: ignore[arg-type]


def problems_of(path: Path, instrument: Instrument) -> list[str]:
    with pytest.raises(ValidationError) as info:
        read(path, instrument)
    return [str(p) for p in info.value.problems]


def test_builtin_readers_satisfy_the_protocol() -> None:
    for reader in BUILTIN:
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
        "workshop.csv:7: column \"funding\": '6' is not a level of digital-maturity "
        "(0–5 or absent/initial/repeatable/defined/managed/optimising); write a level's score, name or "
        "descriptor, or say what the answer means in a mapping file (--map)"
    ]


def test_lists_every_problem_with_its_line(tmp_path: Path, dm: Instrument) -> None:
    good = ",".join("1" * 12)
    path = write(
        tmp_path,
        "bad.csv",
        f"participant,{KEYS}\n"
        f"P1,{good}\n"
        f"P3,1,1\n"  # too few cells: the rest are blank, not answered
        f"p1,{good}\n"  # duplicate (case-insensitive)
        f",{good}\n"  # no participant
        f'P4,"multi\nline",{",".join("9" * 11)}\n',  # an unknown level on line 6, eleven more
    )
    with pytest.raises(ValidationError) as info:
        read(path, dm)
    found = [str(p) for p in info.value.problems]
    assert found[0].startswith("bad.csv:4: participant 'p1' is given twice (also bad.csv:2)")
    assert found[1] == 'bad.csv:5: column "participant": no participant id; fill it in, or delete the row'
    assert found[2].startswith("bad.csv:6: column \"governance\": 'multi\\nline' is not a level")
    assert found[3].startswith("bad.csv: '9' is not a level") and ": 11 cells in 11 columns (line 6)" in found[3]
    assert info.value.total == 1 + 1 + 11 + 1
    ragged = write(tmp_path, "ragged.csv", f"participant,{KEYS}\nP2,{good},1,1\n")
    assert problems_of(ragged, dm)[0].startswith("ragged.csv:2: this row has 15 cells, the header has 13")


def test_short_rows_are_read_as_blanks(tmp_path: Path, dm: Instrument) -> None:
    path = write(tmp_path, "t.csv", f"participant,{KEYS}\nP3,1,1\n")
    assert read(path, dm)[0].indices(dm) == (1, 1) + (None,) * 10


def test_trailing_empty_cells_are_not_ragged(tmp_path: Path, dm: Instrument) -> None:
    path = write(tmp_path, "t.csv", f"participant,{KEYS}\nP1,{','.join('1' * 12)},,\n")
    assert len(read(path, dm)) == 1


def test_header_problems(tmp_path: Path, dm: Instrument) -> None:
    misspelt = write(tmp_path, "a.csv", f"participant,governence,{KEYS.split(',', 1)[1]}\nP1,{','.join('1' * 12)}\n")
    assert problems_of(misspelt, dm) == [
        'a.csv:1: no column for domain(s) governance of digital-maturity; did you mean column 2 "governence" '
        "for 'governance'?"
    ]
    missing = write(tmp_path, "c.csv", "participant,governance,sector\nP1,1,civic\n")
    assert any("no column for domain(s) data-quality" in p for p in problems_of(missing, dm))
    repeated = write(tmp_path, "d.csv", f"participant,{KEYS},Governance\n")
    assert any('columns 2 "governance" and 14 "Governance" both hold domain' in p for p in problems_of(repeated, dm))
    blank_heading = write(tmp_path, "e.csv", f"participant,,{KEYS}\n")
    assert any("column 2 has no heading" in p for p in problems_of(blank_heading, dm))


def test_without_a_participant_column_responses_are_anonymous(tmp_path: Path, dm: Instrument) -> None:
    path = write(tmp_path, "anon.csv", f"{KEYS}\n{','.join('1' * 12)}\n{','.join('2' * 12)}\n")
    responses = read(path, dm)
    assert [r.participant for r in responses] == ["anon.csv:2", "anon.csv:3"]


def test_empty_and_header_only_files(tmp_path: Path, dm: Instrument) -> None:
    assert problems_of(write(tmp_path, "empty.csv", ""), dm) == [
        "empty.csv:1: empty file: expected a header row (participant, one column per domain)"
    ]
    assert problems_of(write(tmp_path, "blank.csv", "\n\n"), dm)[0].startswith("blank.csv:1: empty file")
    only = problems_of(write(tmp_path, "h.csv", f"participant,{KEYS}\n"), dm)
    assert only == [
        "h.csv: no responses in the file; check it is the file people filled in (in a workbook, --sheet chooses the "
        "sheet)"
    ]


def test_windows_1252_is_recognised_and_a_wrong_encoding_named(tmp_path: Path, dm: Instrument) -> None:
    content = f"participant;{KEYS.replace(',', ';')};;\r\nZoë;{';'.join('1' * 12)};;\r\n".encode("cp1252")
    [response] = read(write(tmp_path, "excel.csv", content), dm)
    assert response.participant == "Zoë"
    late = f"participant,{KEYS}\n" + "".join(f"P{i},{','.join('1' * 12)}\n" for i in range(3000))
    content = late.encode() + f"P\xe9x,{','.join('1' * 12)}\n".encode("latin-1")
    found = problems_of(write(tmp_path, "latin.csv", content), dm)
    assert len(found) == 1
    assert found[0].startswith("latin.csv:3002: not valid utf-8 text") and "--encoding" in found[0]
    named = read(write(tmp_path, "named.csv", content), dm, encoding="latin-1")
    assert named[-1].participant == "Péx"


def test_responses_for_another_instrument(tmp_path: Path, dm: Instrument) -> None:
    path = write(tmp_path, "t.csv", f"participant,instrument,{KEYS}\nP1,pit-a,{','.join('1' * 12)}\n")
    assert problems_of(path, dm) == [
        "t.csv:2: column \"instrument\": a response to instrument 'pit-a', not 'digital-maturity'; collate it with "
        "the instrument it answers, or correct the cell"
    ]


def test_repeated_problems_are_grouped_and_all_counted(tmp_path: Path, dm: Instrument) -> None:
    rows = "".join(f"P{i},{','.join(['2 - Defined'] + ['1'] * 11)}\n" for i in range(200))
    with pytest.raises(ValidationError) as info:
        read(write(tmp_path, "many.csv", f"participant,{KEYS}\n{rows}"), dm)
    assert info.value.total == 200
    [problem] = info.value.problems
    assert str(problem).startswith(
        "many.csv: column \"governance\": '2 - Defined' names two different levels of digital-maturity"
    )
    assert ": 200 cells (lines 2–201)" in str(problem)


def test_toml_and_json_response_files(tmp_path: Path, dm: Instrument) -> None:
    toml_path = write(
        tmp_path,
        "r.toml",
        'format = 1\ninstrument = "digital-maturity"\n\n[[responses]]\nparticipant = "A"\n'
        'attributes = { sector = "civic" }\nchoices = { governance = 2, risk = "Managed" }\n\n'
        '[[responses]]\nparticipant = "B"\nchoices = { governance = "absent" }\n',
    )
    responses = read(toml_path, dm)
    assert [(r.participant, r.choices["governance"]) for r in responses] == [("A", 2), ("B", 0)]
    json_path = write(tmp_path, "r.json", json.dumps([{"participant": "C", "choices": {"learning": 5}}]))
    [from_json] = read(json_path, dm)
    assert from_json.choices["learning"] == 5


def test_toml_and_json_problems_are_located(tmp_path: Path, dm: Instrument) -> None:
    toml_path = write(
        tmp_path,
        "r.toml",
        '[[responses]]\nparticipant = "A"\nchoices = { governance = 2 }\n\n'
        '[[responses]]\nparticipant = "B"\nchoices = { governance = 8 }\n',
    )
    with pytest.raises(ValidationError) as info:
        read(toml_path, dm)
    assert str(info.value) == (
        "r.toml:7: responses[1].choices.governance: '8' is not a level of digital-maturity "
        "(0–5 or absent/initial/repeatable/defined/managed/optimising); write a level's score, name or "
        "descriptor, or say what the answer means in a mapping file (--map)"
    )
    broken = write(tmp_path, "b.json", '{"participant": "A",\n "choices": {,}}')
    with pytest.raises(ValidationError, match=r"b.json:2: column 14: JSON syntax error"):
        read(broken, dm)
    with pytest.raises(ValidationError, match="empty file"):
        read(write(tmp_path, "e.json", ""), dm)
    unknown = write(tmp_path, "u.toml", 'participant = "A"\nchoice = { governance = 2 }\n')
    with pytest.raises(ValidationError, match=r"u.toml:2: choice: unknown key"):
        read(unknown, dm)


def test_reader_for_chooses_by_extension() -> None:
    assert reader_for("T1.CSV", BUILTIN).name == "csv"
    assert reader_for("x/y.json", BUILTIN).name == "json"
    assert reader_for("form.XLSX", BUILTIN).name == "spreadsheet"
    with pytest.raises(MatrixkitError, match=r"no reader for this kind of file \(readable: .csv, .json, .ods"):
        reader_for("answers.sav", BUILTIN)


def test_spreadsheet_whole_numbers_and_absurdly_long_ones(tmp_path: Path, dm: Instrument) -> None:
    row = ["1"] * 12
    row[0], row[1] = "3.0", "+2.00"
    ok = write(tmp_path, "ok.csv", f"participant,{KEYS}\nP1,{','.join(row)}\n")
    [response] = read(ok, dm)
    assert response.choices["governance"] == 3 and response.choices["data-quality"] == 2
    row[2] = "9" * 400 + ".0"
    row[3] = "9" * 5000 + ".0"
    bad = write(tmp_path, "bad.csv", f"participant,{KEYS}\nP1,{','.join(row)}\n")
    with pytest.raises(ValidationError) as info:
        read(bad, dm)
    assert info.value.total == 2
    [problem] = [str(p) for p in info.value.problems]  # the same message, shortened: one group of two cells
    assert (
        problem.startswith('bad.csv: column "staff-skills", column "funding": \'99999')
        and "2 cells (line 2)" in problem
    )
    assert len(problem) < 400


def test_control_characters_in_kept_texts_are_refused_where_they_are(tmp_path: Path, dm: Instrument) -> None:
    """A response refuses control characters in its participant, attributes and comments: a file holding one is
    refused naming the line and column (tab and line breaks are allowed in comments), as every reader must."""
    path = write(
        tmp_path,
        "t.csv",
        f"participant,sector,{KEYS},comment: governance\n"
        'P1,civic,0,1,2,3,4,5,0,1,2,3,4,5,"Two\nlines\tand a tab"\n'
        "P\x002,civic,0,1,2,3,4,5,0,1,2,3,4,5,\n"
        "P3,he\u202ealth,0,1,2,3,4,5,0,1,2,3,4,5,ok\x07\n",
    )
    assert problems_of(path, dm) == [
        't.csv:4: column "participant": contains the control character NUL at position 2; remove it',
        't.csv:5: column "sector": contains the bidirectional control character U+202E at position 3; remove it: it '
        "can make the text display differently from what it says",
        't.csv:5: column "comment: governance": contains the control character U+0007 at position 3; remove it',
    ]
