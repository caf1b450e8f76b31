"""Responses as they really arrive (issue 13): the files of tests/data/intake — made by make_fixtures.py to look
like what Microsoft Forms, Google Forms, Excel, matrixkit's own sheets and typed-up paper sheets produce — read
through the command line and through :mod:`matrixkit.api` (the web tool's upload reads through the same
:func:`matrixkit.services.read_responses`).

The expected levels below are written from what each person chose when the files were made (their digits, 1-4,
0 = not answered), not from the readers' code. The instruments are the PIT tools' files, registered by a test
plugin, so these tests need no installed plugin.
"""

from __future__ import annotations

import io
import json
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

import matrixkit
from matrixkit import hookimpl
from matrixkit.cli import Context, main
from matrixkit.config import load_config
from matrixkit.io.mapping import read_mapping
from matrixkit.io.options import ReadOptions
from matrixkit.io.response_files import write_responses
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.responses import Response

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "intake"
PIT = ROOT / "plugins" / "pit_tools" / "src" / "matrixkit_pit_tools" / "instruments"


class PitFiles:
    """The PIT tools' instrument files, registered without the plugin."""

    __name__ = "pit-files"

    @hookimpl
    def matrixkit_register_instruments(self, register):  # type: ignore[no-untyped-def]
        for name in ("pit-a", "pit-b"):
            register.instrument(PIT / f"{name}.toml")


@pytest.fixture(scope="module")
def pit_registry() -> Registry:
    return Registry.for_plugins(PitFiles())


@pytest.fixture
def registry(pit_registry: Registry) -> Registry:
    """The registry the ``cli`` fixture runs against."""
    return pit_registry


@pytest.fixture(autouse=True)
def _fixtures_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the fixtures in the working directory: messages name files as a user sees them."""
    for path in FIXTURES.iterdir():
        if path.suffix in (".csv", ".xlsx", ".ods", ".txt"):
            shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def pit_a(pit_registry: Registry) -> Instrument:
    return pit_registry.instrument("pit-a")


@pytest.fixture(scope="module")
def pit_b(pit_registry: Registry) -> Instrument:
    return pit_registry.instrument("pit-b")


def levels(digits: str) -> tuple[int | None, ...]:
    """Level indices from a person's digits (1 = the lowest level, 0 = not answered)."""
    return tuple(int(d) - 1 if d != "0" else None for d in digits)


def read(path: str, instrument: Instrument, registry: Registry, **options: object) -> list[Response]:
    return matrixkit.read_responses(path, instrument, registry=registry, options=ReadOptions(**options))  # type: ignore[arg-type]


def by_name(responses: list[Response], instrument: Instrument) -> dict[str, tuple[int | None, ...]]:
    return {r.participant: r.indices(instrument) for r in responses}


def problems(err: str) -> list[str]:
    """The problem lines of an error report (without the headline and the hints)."""
    return [line.strip() for line in err.splitlines()[1:] if line.startswith("  ") and not line.startswith("    ")]


Cli = Callable[..., "object"]

#: What each person chose in ms-forms.xlsx (Ben twice: first on the 10th, then revised on the 11th).
MS_FORMS = {
    "Ann Smith": "2232122312",
    "Ben Okafor": "3333221212",
    "Cal Jones": "1121110101",
    "Dee Patel": "2222222222",
    "Eve Brown": "2331222321",
    "Fay Ali": "2212131122",
}
BEN_FIRST = "3232221212"


# -- Microsoft Forms --------------------------------------------------------------------------------------------


def test_microsoft_forms_xlsx_reads_labels_and_whole_descriptor_sentences(
    pit_a: Instrument, pit_registry: Registry
) -> None:
    responses = read("ms-forms.xlsx", pit_a, pit_registry, duplicates="latest")
    assert by_name(responses, pit_a) == {name: levels(d) for name, d in MS_FORMS.items()}
    ann = next(r for r in responses if r.participant == "Ann Smith")
    assert ann.attributes == {"sector": "Civic", "organisation": "Borough Council"}
    assert ann.comments == {"leadership": "New board since May."}
    assert ann.completed is not None and ann.completed.isoformat() == "2025-03-10T09:09:28"
    assert ann.origin == "ms-forms.xlsx:Form1!E2"


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_responses_read_from_a_form_write_and_read_back_with_their_completion_times(
    pit_a: Instrument, pit_registry: Registry, suffix: str
) -> None:
    responses = read("ms-forms.xlsx", pit_a, pit_registry, duplicates="latest")
    Path(f"all{suffix}").write_bytes(write_responses(responses, pit_a, suffix))
    again = read(f"all{suffix}", pit_a, pit_registry)
    assert [(r.participant, r.indices(pit_a), r.completed, r.attributes, r.comments) for r in again] == [
        (r.participant, r.indices(pit_a), r.completed, r.attributes, r.comments) for r in responses
    ]
    assert again[0].completed is not None and again[0].completed.time().isoformat() == "09:09:28"


def test_microsoft_forms_csv_collates_as_the_xlsx(cli) -> None:  # type: ignore[no-untyped-def]
    # The same export saved by Excel as CSV UTF-8 (byte-order mark, CRLF, UK dates), sorted newest first.
    from_xlsx = cli("collate", "pit-a", "ms-forms.xlsx", "--duplicates", "latest")
    from_csv = cli("collate", "pit-a", "ms-forms.csv", "--duplicates", "latest")
    assert from_xlsx.status == from_csv.status == 0, from_xlsx.err + from_csv.err
    xlsx, csv = json.loads(from_xlsx.out), json.loads(from_csv.out)
    assert xlsx["responses"] == csv["responses"] == 6
    # Comments come in the order of the rows, which differs; everything else is the same.
    comments = [sorted(domain.pop("comments", [])) for data in (xlsx, csv) for domain in data["domains"]]
    assert xlsx["domains"] == csv["domains"] and comments[:10] == comments[10:]
    leadership = xlsx["domains"][0]
    assert leadership["counts"] == {"emerging": 1, "developing": 4, "maturing": 1, "thriving": 0}
    assert comments[0] == ["New board since May.", "Revised after the board.", "We are not at the table."]
    notes = xlsx["notes"]
    assert 'ms-forms.xlsx: columns not used: "ID", "Start time", "Email", "Last modified time"' in notes
    assert "1 response(s) of participants given more than once were left out (the latest of each kept)" in notes


def test_duplicates_are_refused_naming_both_cells_then_kept_by_completion_time(  # type: ignore[no-untyped-def]
    cli, pit_a: Instrument, pit_registry: Registry, tmp_path: Path
) -> None:
    result = cli("collate", "pit-a", "ms-forms.xlsx", "-o", "out.json")
    assert result.status == 1 and result.out == ""
    assert result.err.splitlines() == [
        "matrixkit: error: ms-forms.xlsx:Form1!E7: participant 'Ben Okafor' is given twice (also "
        "ms-forms.xlsx:Form1!E3)",
        "  hint: keep one of the responses, or read with --duplicates latest or first; if they are two people, tell "
        "them apart (e.g. add their organisation to the name)",
    ]
    assert not (tmp_path / "out.json").exists()
    # The CSV is sorted newest first: "latest" and "first" go by the completion time, not the order of the rows.
    for file in ("ms-forms.xlsx", "ms-forms.csv"):
        latest = by_name(read(file, pit_a, pit_registry, duplicates="latest"), pit_a)
        first = by_name(read(file, pit_a, pit_registry, duplicates="first"), pit_a)
        assert latest["Ben Okafor"] == levels(MS_FORMS["Ben Okafor"]), file
        assert first["Ben Okafor"] == levels(BEN_FIRST), file
        assert len(latest) == len(first) == 6


def test_an_anonymous_form_is_named_by_its_id_column(cli, pit_a: Instrument, pit_registry: Registry) -> None:  # type: ignore[no-untyped-def]
    # Anonymous Microsoft Forms: Email says "anonymous", Name is blank; the ID column names each response.
    responses = read("ms-forms-anonymous.xlsx", pit_a, pit_registry)
    assert [r.participant for r in responses] == ["1", "2", "3", "4", "5"]
    result = cli("collate", "pit-a", "ms-forms-anonymous.xlsx")
    assert result.status == 0, result.err
    note = '5 response(s) with no "Name" (blank or anonymous) named by "Email" or "ID"'
    assert f"matrixkit: note: ms-forms-anonymous.xlsx: {note}" in result.err


def test_spreadsheet_problems_name_the_sheet_the_cell_and_the_column(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "out.json").write_text("earlier")
    result = cli("collate", "pit-a", "ms-forms-mistakes.xlsx", "-o", "out.json")
    assert result.status == 1 and result.out == ""
    lines = result.err.splitlines()
    assert lines[0] == "matrixkit: error: 3 problems:"
    assert problems(result.err) == [
        "ms-forms-mistakes.xlsx:Form1!G3: column \"1. Leadership - where is your partnership?\": 'Developping' is "
        "not a level of pit-a (1–4 or emerging/developing/maturing/thriving)",
        "ms-forms-mistakes.xlsx:Form1!I5: column \"3. Prioritisation: how are priorities agreed?\": '2/3' marks two "
        "levels (2 Developing and 3 Maturing)",
        'ms-forms-mistakes.xlsx:Form1!J6: column "4. Scoping Whole System - which statement fits best?": '
        "'Maturing or Thriving' marks two levels (3 Maturing and 4 Thriving)",
    ]
    hints = [line.strip() for line in lines if line.startswith("    hint: ")]
    assert hints == [
        "hint: write a level's score, name or descriptor, or say what the answer means in a mapping file (--map)",
        "hint: decide which one the person meant and write it, or read the file with --between lower, higher or skip",
        "hint: decide which one the person meant and write it, or read the file with --between lower, higher or skip",
    ]
    assert (tmp_path / "out.json").read_text() == "earlier"


# -- marks across two levels ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("between", "prioritisation", "scoping"),
    [("lower", 1, 2), ("higher", 2, 3), ("skip", None, None)],
)
def test_between_lower_higher_or_skip(  # type: ignore[no-untyped-def]
    cli, pit_a: Instrument, pit_registry: Registry, between: str, prioritisation: int | None, scoping: int | None
) -> None:
    mapping = Path("typo.toml")
    mapping.write_text('format = 1\n[answers]\n"Developping" = "developing"\n')
    responses = read("ms-forms-mistakes.xlsx", pit_a, pit_registry, between=between, mapping=read_mapping(mapping))
    dee = next(r for r in responses if r.participant == "Dee Patel")
    eve = next(r for r in responses if r.participant == "Eve Brown")
    assert dee.choices["prioritisation"] == prioritisation  # "2/3"
    assert eve.choices["scoping-whole-system"] == scoping  # "Maturing or Thriving"
    assert next(r for r in responses if r.participant == "Ben Okafor").choices["leadership"] == 1
    result = cli("collate", "pit-a", "ms-forms-mistakes.xlsx", "--between", between, "--map", "typo.toml")
    assert result.status == 0, result.err
    read_as = {"lower": "the lower level", "higher": "the higher level", "skip": "not answered"}[between]
    note = f"ms-forms-mistakes.xlsx: 2 mark(s) across two levels (like '2/3') read as {read_as}"
    assert note in json.loads(result.out)["notes"]
    assert f"matrixkit: note: {note}" in result.err


# -- Google Forms -----------------------------------------------------------------------------------------------

#: What each person chose in google-forms.csv (Tool B), with their sector as they typed it.
GOOGLE = {
    "Gita Rao": ("Civic", "2213221231"),
    "Hal Evans": ("VCSE", "1112110121"),
    "Ivy Chen": ("civic ", "2223221222"),
    "Jo Marsh": ("Health", "3322232230"),
    "Ken Ito": ("CIVIC", "2212122112"),
    "Lea Roy": ("vcse", "1111111111"),
}


def test_google_forms_grid_columns_and_numbered_labels(pit_b: Instrument, pit_registry: Registry) -> None:
    responses = read("google-forms.csv", pit_b, pit_registry)
    assert by_name(responses, pit_b) == {name: levels(d) for name, (_, d) in GOOGLE.items()}
    gita = responses[0]
    assert gita.attributes == {"sector": "Civic", "organisation": "District Council"}
    assert gita.completed is not None and gita.completed.isoformat() == "2025-03-12T10:15:32"
    assert responses[-1].completed is not None and responses[-1].completed.hour == 14


def test_by_matches_the_column_however_written_and_groups_show_as_first_written(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("collate", "pit-b", "google-forms.csv", "--by", "Sector")
    assert result.status == 0, result.err
    data = json.loads(result.out)
    # "Civic", "civic " and "CIVIC" are one group, named as first written; "VCSE" and "vcse" too.
    assert data["by"] == "Sector"
    assert data["groups"] == {"Civic": 3, "Health": 1, "VCSE": 2}
    assert data["domains"][0]["by"]["Civic"]["counts"] == {"emerging": 0, "developing": 3, "maturing": 0, "thriving": 0}
    shouted = json.loads(cli("collate", "pit-b", "google-forms.csv", "--by", "SECTOR").out)
    assert (shouted["groups"], shouted["domains"]) == (data["groups"], data["domains"])


def test_groups_of_response_files_show_as_first_written_too(cli) -> None:  # type: ignore[no-untyped-def]
    people = [("Al", "vcse"), ("Bo", "Civic "), ("Cy", "VCSE"), ("Di", "CIVIC"), ("Ed", "Health")]
    Path("r.toml").write_text(
        'format = 1\ninstrument = "pit-a"\n'
        + "".join(
            f'\n[[responses]]\nparticipant = "{who}"\nattributes = {{ sector = "{sector}" }}\n'
            "choices = { leadership = 2 }\n"
            for who, sector in people
        )
    )
    result = cli("collate", "pit-a", "r.toml", "--by", "Sector")
    assert result.status == 0, result.err
    assert json.loads(result.out)["groups"] == {"vcse": 2, "Civic": 2, "Health": 1}


def test_by_an_attribute_no_input_has_is_an_error_with_a_suggestion(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("collate", "pit-b", "google-forms.csv", "--by", "sectr", "-o", "out.json")
    assert result.status == 1 and result.out == ""
    assert result.err.splitlines() == [
        "matrixkit: error: no input has the attribute 'sectr' (they have: organisation, sector)",
        "  hint: did you mean --by 'sector'?",
    ]
    assert not (tmp_path / "out.json").exists()
    nothing_close = cli("collate", "pit-b", "google-forms.csv", "--by", "postcode")
    assert nothing_close.status == 1
    assert "hint: split by a column of the files, e.g. sector or table" in nothing_close.err


def test_a_form_in_its_own_words_is_refused_grouped_then_collates_with_the_mapping_map_writes(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    refused = cli("collate", "pit-b", "google-forms-own-words.csv")
    assert refused.status == 1
    # 60 cells, 2 of them blank: the headline counts every problem, one line per distinct answer, the fix once.
    lines = refused.err.splitlines()
    assert lines[0] == "matrixkit: error: 58 problems:"
    scale = "is not a level of pit-b (1–4 or emerging/developing/maturing/thriving)"
    assert sorted(problems(refused.err)) == [
        f"google-forms-own-words.csv: 'Getting there' {scale}: 26 cells in 10 columns (lines 2–6)",
        f"google-forms-own-words.csv: 'Just starting' {scale}: 25 cells in 10 columns (lines 2–4, 6–7)",
        f"google-forms-own-words.csv: 'Well on the way' {scale}: 7 cells in 5 columns (lines 2, 4–5)",
    ]
    assert sum(line.startswith("    hint: ") for line in lines) == 3

    written = cli("map", "pit-b", "google-forms-own-words.csv", "-o", "own-words.toml")
    assert written.status == 0, written.err
    assert "Wrote own-words.toml. Check every line, then: matrixkit collate pit-b google-forms-own-words.csv" in (
        written.out
    )
    text = (tmp_path / "own-words.toml").read_text()
    assert '"Your name" = "participant"   # identifies the person' in text
    assert '"Timestamp" = "completed"' in text
    assert '# "Getting there" = ""   # 26 cells in 10 columns' in text
    # As written, the mapping reads (every column guessed right) but leaves the answers to the facilitator.
    tomllib.loads(text)
    assert cli("collate", "pit-b", "google-forms-own-words.csv", "--map", "own-words.toml").err.startswith(
        "matrixkit: error: 58 problems:"
    )
    again = cli("map", "pit-b", "google-forms-own-words.csv", "-o", "own-words.toml")
    assert again.status == 1 and "own-words.toml exists; give --force to overwrite it" in again.err
    assert (tmp_path / "own-words.toml").read_text() == text

    corrected = (
        text.replace('# "Just starting" = ""', '"Just starting" = "emerging"')
        .replace('# "Getting there" = ""', '"Getting there" = 2')
        .replace('# "Well on the way" = ""', '"Well on the way" = "Maturing"')
    )
    (tmp_path / "own-words.toml").write_text(corrected)
    mapped = cli("collate", "pit-b", "google-forms-own-words.csv", "--map", "own-words.toml", "--by", "sector")
    assert mapped.status == 0, mapped.err
    direct = cli("collate", "pit-b", "google-forms.csv", "--by", "sector")
    mapped_data, direct_data = json.loads(mapped.out), json.loads(direct.out)
    assert mapped_data["domains"] == direct_data["domains"]
    assert mapped_data["groups"] == direct_data["groups"]


def test_map_guesses_near_spellings_and_reads_workbooks_through_the_readers(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    written = cli("map", "pit-a", "ms-forms-mistakes.xlsx", "-o", "mistakes.toml")
    assert written.status == 0, written.err
    text = (tmp_path / "mistakes.toml").read_text()
    assert '"Start time" = "ignore"   # form bookkeeping: not used' in text
    assert '"13. Any comments on leadership?" = "comment:leadership"   # the heading contains the word' in text
    assert (
        '"Developping" = "developing"   # a guess: check it; 1 cell in "1. Leadership - where is your partnership?"'
        in (text)
    )
    assert '# "2/3" = ""   # 1 cell in "3. Prioritisation: how are priorities agreed?"; a mark across two levels: ' in (
        text
    )
    collated = cli("collate", "pit-a", "ms-forms-mistakes.xlsx", "--map", "mistakes.toml", "--between", "higher")
    assert collated.status == 0, collated.err
    assert json.loads(collated.out)["domains"][0]["counts"]["developing"] == 4
    form = cli("map", "pit-a", "sheet-ann.xlsx")
    assert form.status == 0 and '"Name" = "participant"' in form.out and '"Evaluation" = "evaluation"' in form.out
    Path("r.toml").write_text('format = 1\nparticipant = "A"\n')
    refused = cli("map", "pit-a", "r.toml")
    assert refused.status == 1
    assert "r.toml: a toml file names its domains itself; 'map' maps the columns of a response table" in refused.err
    assert "no such file" in cli("map", "pit-a", "nowhere.csv").err


def test_a_mapping_file_names_columns_and_is_checked(cli, pit_a: Instrument, pit_registry: Registry) -> None:  # type: ignore[no-untyped-def]
    # Email as the participant (Name then is not used), the leadership comment column kept as an attribute.
    Path("email.toml").write_text(
        'format = 1\ninstrument = "pit-a"\n[columns]\n"Email" = "participant"\n'
        '"13. Any comments on leadership?" = "attribute:remark"\n'
    )
    responses = read(
        "ms-forms.xlsx", pit_a, pit_registry, mapping=read_mapping("email.toml", pit_a), duplicates="latest"
    )
    assert [r.participant for r in responses][:2] == ["ann.smith@borough.gov.uk", "cal@voluntaryaction.org.uk"]
    assert responses[0].attributes["remark"] == "New board since May." and not responses[0].comments
    Path("bad.toml").write_text(
        'format = 1\ninstrument = "pit-b"\n[columns]\n"Email" = "person"\n[answers]\n"Getting there" = "5"\n'
    )
    result = cli("collate", "pit-a", "ms-forms.xlsx", "--map", "bad.toml", "-o", "out.json")
    assert result.status == 1 and not Path("out.json").exists()
    assert problems(result.err) == [
        "bad.toml:2: instrument: written for 'pit-b', not 'pit-a'",
        "bad.toml:4: columns.'Email': 'person' is not something a column can hold",
        "bad.toml:6: answers.'Getting there': '5' is not a level of pit-a (1–4 or emerging/developing/maturing/"
        "thriving)",
    ]


# -- Excel on a European locale ------------------------------------------------------------------------------------


def test_excel_semicolon_csv_in_windows_1252(cli, pit_a: Instrument, pit_registry: Registry) -> None:  # type: ignore[no-untyped-def]
    responses = read("excel-semicolon.csv", pit_a, pit_registry)
    # Empty columns after the last heading and empty rows at the end are ignored; "Ł" has no cp1252 spelling,
    # so Excel wrote "?".
    assert by_name(responses, pit_a) == {
        "Zoë Lefèvre": levels("2232122312"),
        "José Muñoz": levels("3222202322"),
        "Renée Ødegård": levels("1121111211"),
        "?ukasz Nowak": levels("2332223323"),
    }
    assert responses[0].attributes == {"organisation": "Mairie partner", "sector": "Civic"}
    assert read("excel-semicolon.csv", pit_a, pit_registry, encoding="cp1252") == responses
    result = cli("collate", "pit-a", "excel-semicolon.csv")
    assert result.status == 0, result.err
    assert result.err == ""  # nothing to note: every column is used


def test_excel_unicode_text_is_utf_16_with_tabs(pit_a: Instrument, pit_registry: Registry) -> None:
    responses = read("excel-unicode.txt", pit_a, pit_registry)
    semicolon = read("excel-semicolon.csv", pit_a, pit_registry)
    assert [r.participant for r in responses] == ["Zoë Lefèvre", "José Muñoz", "Renée Ødegård", "Łukasz Nowak"]
    assert [r.indices(pit_a) for r in responses] == [r.indices(pit_a) for r in semicolon]


def test_a_wrong_or_unknown_encoding_is_a_located_error(cli) -> None:  # type: ignore[no-untyped-def]
    wrong = cli("collate", "pit-a", "excel-semicolon.csv", "--encoding", "utf-8", "-o", "out.json")
    assert wrong.status == 1 and not Path("out.json").exists()
    assert wrong.err.splitlines() == [
        "matrixkit: error: excel-semicolon.csv:2: not valid utf-8 text (invalid continuation byte)",
        "  hint: check --encoding (utf-8, cp1252, latin-1, utf-16)",
    ]
    unknown = cli("collate", "pit-a", "excel-semicolon.csv", "--encoding", "klingon")
    assert unknown.status == 1
    assert unknown.err.strip() == (
        "matrixkit: error: --encoding klingon: not an encoding Python knows (e.g. utf-8, cp1252)"
    )


# -- paper sheets typed up ------------------------------------------------------------------------------------------


def test_paper_marks_in_every_spelling(cli, pit_a: Instrument, pit_registry: Registry) -> None:  # type: ignore[no-untyped-def]
    refused = cli("collate", "pit-a", "paper-typed.csv")
    assert refused.status == 1
    assert problems(refused.err) == [
        "paper-typed.csv:2: column \"Target Setting\": '2/3' marks two levels (2 Developing and 3 Maturing)",
        "paper-typed.csv:3: column \"Prioritisation\": '2-3' marks two levels (2 Developing and 3 Maturing)",
        "paper-typed.csv:4: column \"Business Planning\": '2 or 3' marks two levels (2 Developing and 3 Maturing)",
        "paper-typed.csv:5: participant 'Sam Patel' is given twice (also paper-typed.csv:3)",
    ]
    responses = read("paper-typed.csv", pit_a, pit_registry, between="higher", duplicates="first")
    # "Level 2", "L2", "2", "Bronze", "Developing (2)", "2/3" (higher: 3), "3 ", "2.0", "Silver", "2"
    assert by_name(responses, pit_a)["Mo Khan"] == (1, 1, 1, 1, 1, 2, 2, 1, 2, 1)
    assert by_name(responses, pit_a)["Sam Patel"] == levels("3333333224")
    assert by_name(responses, pit_a)["Nia Hughes"] == levels("1111013111")
    latest = read("paper-typed.csv", pit_a, pit_registry, between="lower", duplicates="latest")
    assert by_name(latest, pit_a)["Sam Patel"] == levels("2222222222")  # no completion time: the later row
    assert latest[0].attributes == {"table": "1", "sector": "Civic", "notes": "Ringed two boxes on Target Setting"}
    result = cli("collate", "pit-a", "paper-typed.csv", "--between", "lower", "--duplicates", "latest", "--by", "table")
    assert result.status == 0, result.err
    data = json.loads(result.out)
    assert data["responses"] == 4 and data["groups"] == {"1": 1, "2": 3}
    assert "paper-typed.csv: 3 mark(s) across two levels (like '2/3') read as the lower level" in data["notes"]


def test_paper_marks_typed_into_libreoffice(cli, pit_a: Instrument, pit_registry: Registry) -> None:  # type: ignore[no-untyped-def]
    # Calc turned "2/3" into a date (and " 3 " and "2.0" into numbers): read as the mark it was, and said so.
    refused = cli("collate", "pit-a", "paper-typed.ods")
    assert refused.status == 1
    found = problems(refused.err)
    assert [line.split(": ")[0] for line in found] == [  # in the order of the rows
        "paper-typed.ods:paper-typed!I2",
        "paper-typed.ods:paper-typed!F3",
        "paper-typed.ods:paper-typed!J4",
        "paper-typed.ods:paper-typed!A5",
    ]
    assert found[0].startswith('paper-typed.ods:paper-typed!I2: column "Target Setting": \'20')
    assert found[0].endswith("(the date a spreadsheet made of '2/3') marks two levels (2 Developing and 3 Maturing)")
    options = {"between": "higher", "duplicates": "first"}
    from_ods = by_name(read("paper-typed.ods", pit_a, pit_registry, **options), pit_a)
    from_csv = by_name(read("paper-typed.csv", pit_a, pit_registry, **options), pit_a)
    assert from_ods == from_csv


@pytest.mark.parametrize(
    ("cell", "lower", "higher"),
    [("2025-03-02", 1, 2), ("2026-02-03 00:00:00", 1, 2), ("02-Mar", 1, 2), ("Mar-4", 2, 3), ("2025-01-04", 0, 3)],
)
def test_a_date_a_spreadsheet_made_of_a_mark_is_that_mark(
    pit_a: Instrument, cell: str, lower: int, higher: int
) -> None:
    answer = pit_a.read_answer(cell, "leadership")
    assert (answer.lower, answer.higher) == (lower, higher)  # type: ignore[union-attr]
    assert answer.written == f"{lower + 1}/{higher + 1}"  # type: ignore[union-attr]


@pytest.mark.parametrize("cell", ["2025-03-03", "2025-05-02", "2025-03-02 10:30:00", "12-Mar", "02-Xyz"])
def test_other_dates_are_not_levels(pit_a: Instrument, cell: str) -> None:
    with pytest.raises(ValueError, match="is not a level of pit-a"):
        pit_a.read_answer(cell, "leadership")


def test_a_question_on_two_domains_or_a_second_column_for_one_is_refused_naming_the_columns(cli) -> None:  # type: ignore[no-untyped-def]
    titles = "Leadership,Needs Assessment,Prioritisation,Scoping Whole System,Intervention Selection,Target Setting"
    header = f"Name,{titles},Business Planning,Information Governance,Programme Management,Evaluation"
    Path("two.csv").write_text(f"{header},How do leadership and evaluation work together?\nAl,1,1,1,1,1,1,1,1,1,1,x\n")
    two = cli("collate", "pit-a", "two.csv")
    assert two.status == 1
    assert two.err.splitlines() == [
        'matrixkit: error: two.csv:1: column 12 "How do leadership and evaluation work together?" could answer '
        "several domains (evaluation, leadership)",
        "  hint: name the domain in a mapping file (matrixkit map), or rename the column to the domain's key",
    ]
    Path("again.csv").write_text(f"{header},Anything else about leadership?\nAl,1,1,1,1,1,1,1,1,1,1,More money\n")
    again = cli("collate", "pit-a", "again.csv")
    assert again.status == 1
    assert 'columns 2 "Leadership" and 12 "Anything else about leadership?" both hold domain \'leadership\'' in (
        again.err
    )
    Path("fix.toml").write_text('format = 1\n[columns]\n"Anything else about leadership?" = "comment:leadership"\n')
    fixed = cli("collate", "pit-a", "again.csv", "--map", "fix.toml")
    assert fixed.status == 0, fixed.err
    assert json.loads(fixed.out)["domains"][0]["comments"] == ["More money"]


# -- matrixkit's own sheets, filled in --------------------------------------------------------------------------------


def test_own_blank_sheets_and_record_sheet_filled_in_collate_as_they_are(  # type: ignore[no-untyped-def]
    cli, pit_a: Instrument, pit_registry: Registry
) -> None:
    ann = read("sheet-ann.xlsx", pit_a, pit_registry)
    assert by_name(ann, pit_a) == {"Ann Smith": levels("2232122312")}
    assert ann[0].attributes == {
        "organisation": "Borough Council",
        "sector": "Civic",
        "table": "1",
        "date": "12/03/2025",
    }
    assert ann[0].origin == "sheet-ann.xlsx:Record sheet!B4"
    ben = read("sheet-ben.xlsx", pit_a, pit_registry)  # "bronze" typed, Evaluation left empty
    assert by_name(ben, pit_a) == {"Ben Okafor": levels("3222221210")}
    cal = read("record-cal.xlsx", pit_a, pit_registry)  # written by 'matrixkit score ... -o record-cal.xlsx'
    assert by_name(cal, pit_a) == {"Cal Jones": levels("1121110101")}
    assert cal[0].comments == {"leadership": "We are not at the table."}
    assert cal[0].attributes == {"organisation": "Voluntary Action", "sector": "VCSE", "table": "2"}
    result = cli("collate", "pit-a", "sheet-ann.xlsx", "sheet-ben.xlsx", "record-cal.xlsx", "--by", "table")
    assert result.status == 0, result.err
    data = json.loads(result.out)
    assert data["responses"] == 3 and data["groups"] == {"1": 2, "2": 1}


def test_the_responses_sheet_of_the_blank_sheet_is_found(cli, pit_a: Instrument, pit_registry: Registry) -> None:  # type: ignore[no-untyped-def]
    responses = read("sheet-responses.xlsx", pit_a, pit_registry)
    assert by_name(responses, pit_a) == {
        "Ann Smith": levels("2232122312"),
        "Ben Okafor": levels("3232221212"),
        "Cal Jones": levels("1121110101"),
    }
    assert responses[0].origin == "sheet-responses.xlsx:Responses!A2"
    both = cli("collate", "pit-a", "sheet-ann.xlsx", "sheet-responses.xlsx")
    assert both.status == 1
    assert both.err.splitlines()[0] == (
        "matrixkit: error: sheet-responses.xlsx:Responses!A2: participant 'Ann Smith' is given twice (also "
        "sheet-ann.xlsx:Record sheet!B4)"
    )


def test_a_form_s_problems_name_its_cells(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("collate", "pit-a", "sheet-typo.xlsx")
    assert result.status == 1
    assert result.err.splitlines() == [
        "matrixkit: error: 2 problems:",
        '  sheet-typo.xlsx:Record sheet!B4: column "Name": no participant id',
        "    hint: fill it in, or delete the row",
        "  sheet-typo.xlsx:Matrix!F14: column \"Evaluation\": 'Develping' is not a level of pit-a (1–4 or "
        "emerging/developing/maturing/thriving)",
        "    hint: write a level's score, name or descriptor, or say what the answer means in a mapping file (--map)",
    ]


def test_sheet_chooses_the_sheet(cli, pit_a: Instrument, pit_registry: Registry) -> None:  # type: ignore[no-untyped-def]
    # The Matrix sheet alone: a form with no name on it, so the response is named by where it is.
    [matrix] = read("sheet-ann.xlsx", pit_a, pit_registry, sheet="Matrix")
    assert matrix.participant == "sheet-ann.xlsx:Matrix" and matrix.indices(pit_a) == levels("2232122312")
    assert len(read("sheet-responses.xlsx", pit_a, pit_registry, sheet="Responses")) == 3
    missing = cli("collate", "pit-a", "ms-forms.xlsx", "--sheet", "Sheet1")
    assert missing.status == 1
    assert missing.err.splitlines() == [
        "matrixkit: error: ms-forms.xlsx: no sheet named 'Sheet1' (sheets: Form1)",
        "  hint: check --sheet",
    ]
    blank = cli("collate", "pit-a", "sheet-ann.xlsx", "--sheet", "Record sheet")
    assert blank.status == 1
    assert "sheet-ann.xlsx:Record sheet!A1: no column for domain(s) leadership," in blank.err


# -- the terminal assessment --------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _assess(registry: Registry, argv: list[str], answers: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    ctx = Context(registry=registry, stdout=out, stderr=err, stdin=_Terminal("\n".join(answers) + "\n"))
    return main(["assess", *argv], context=ctx), out.getvalue(), err.getvalue()


def test_assess_never_overwrites_without_asking_or_force(pit_registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "me.toml").write_text("mine")
    status, out, _ = _assess(pit_registry, ["pit-a", "-o", "me.toml", "-p", "Zoë"], ["n"])
    assert status == 1 and "me.toml exists. Overwrite it? [y/N]" in out and "Nothing written." in out
    assert (tmp_path / "me.toml").read_text() == "mine"
    status, out, _ = _assess(pit_registry, ["pit-a", "-o", "me.toml", "-p", "Zoë"], [""])  # Enter: no
    assert status == 1 and (tmp_path / "me.toml").read_text() == "mine"
    answers = ["Civic", "", "", *["Bronze"] * 10, "y"]
    status, out, err = _assess(pit_registry, ["pit-a", "-o", "me.toml", "-p", "Zoë", "--force"], answers)
    assert status == 0, err
    assert "Overwrite" not in out
    saved = tomllib.loads((tmp_path / "me.toml").read_text())
    assert saved["choices"] == dict.fromkeys(saved["choices"], "developing") and len(saved["choices"]) == 10
    assert saved["attributes"] == {"sector": "Civic"}


def test_assess_asks_for_the_attributes_the_workshop_splits_by(tmp_path: Path) -> None:
    (tmp_path / "matrixkit.toml").write_text('[assess]\nask = ["table", "Sector"]\n')
    registry = Registry.for_plugins(PitFiles(), config=load_config(environ={}, cwd=tmp_path))
    status, out, err = _assess(registry, ["pit-a", "-o", "a.toml", "-p", "Al"], ["3", "vcse", *["2"] * 10, "y"])
    assert status == 0, err
    assert "Your table (Enter to leave out): " in out and "Your sector (Enter to leave out): " in out
    assert "Your organisation" not in out
    assert tomllib.loads((tmp_path / "a.toml").read_text())["attributes"] == {"table": "3", "sector": "vcse"}
    status, out, err = _assess(registry, ["pit-a", "-o", "b.toml", "-p", "Bo", "--ask", "role"], ["", *["1"] * 10, "y"])
    assert status == 0, err
    assert "Your role (Enter to leave out): " in out and "Your table" not in out


def test_assess_wraps_to_the_terminal_width(pit_registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    for columns in (60, 90):
        monkeypatch.setenv("COLUMNS", str(columns))
        argv = ["pit-a", "-o", f"w{columns}.toml", "-p", "W", "--set", "sector=x", "--set", "organisation=y"]
        status, out, err = _assess(pit_registry, [*argv, "--set", "table=1"], ["q"])
        assert status == 1 and "abandoned" in err
        shown = [line for line in out.splitlines() if not line.startswith("Choice")]
        assert max(map(len, shown)) <= columns - 2
        assert max(map(len, shown)) >= columns - 12  # descriptors fill the width, not a fixed one
