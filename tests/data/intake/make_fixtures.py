#!/usr/bin/env python3
"""Write the response files of tests/data/intake: what partners hand a facilitator, with the quirks of each tool.

    .venv/bin/python tests/data/intake/make_fixtures.py        # from the repository's root, in the dev venv

The files are committed; this script is how they were made and how to make them again after a change (it needs
the development environment: matrixkit, the PIT tools, the exporters plugin and openpyxl). Each file is built
the way the tool that makes it writes it:

- ``ms-forms.xlsx``: a Microsoft Forms export ("Open results in Excel"): sheet ``Form1``; ID, Start time,
  Completion time, Email, Name, Last modified time, then one column per question, headed by the question text;
  answers are the option's text — a level's label, or the whole descriptor sentence when the form offered those;
  dates as Excel date cells; one person submitted twice.
- ``ms-forms.csv``: the same export saved by Excel as "CSV UTF-8" (byte-order mark, CRLF, dates as Excel shows
  them on a UK locale), after someone sorted it newest first.
- ``ms-forms-anonymous.xlsx``: an anonymous form: Email says "anonymous", Name is blank.
- ``ms-forms-mistakes.xlsx``: the export with the kind of cells that go wrong (a typo, a mark across two levels).
- ``google-forms.csv``: a Google Forms CSV download (Tool B): Timestamp like ``2025/03/12 10:15:32 am GMT``,
  Email address, a multiple-choice grid exported one column per row as ``Question [Row]``, answers like
  ``2 - Developing``; sector typed freely ("Civic", "civic ", "CIVIC").
- ``google-forms-own-words.csv``: a Google form whose author wrote their own scale ("Just starting", ...): no
  answer is a level until a mapping file says what each means.
- ``excel-semicolon.csv``: typed into Excel on a European locale and saved as "CSV (semicolon delimited)":
  Windows-1252, ``;``, CRLF, empty columns after the last heading and empty rows at the end, accented names.
- ``paper-typed.csv``: paper sheets typed up afterwards: "Level 2", "L2", "Bronze", "Developing (2)", marks
  across two levels ("2/3", "2-3", "2 or 3"), " 3 ", "2.0", and the same name twice; ``paper-typed.ods``: the
  same typed into LibreOffice Calc (made with ``soffice`` when it is installed), which turned "2/3" into a date.
- ``excel-unicode.txt``: the Excel sheet saved as "Unicode Text": UTF-16 with a byte-order mark, tab-separated.
- ``sheet-ann.xlsx``, ``sheet-ben.xlsx``: matrixkit's own blank sheet (``matrixkit sheet pit-a -o x.xlsx``)
  filled in by one person each: the boxes on the Record sheet, "Your level" chosen (or typed) on the Matrix;
  ``sheet-typo.xlsx``: one with a misspelt level and no name.
- ``sheet-responses.xlsx``: the same blank sheet with everyone's answers typed into its Responses sheet.
- ``record-cal.xlsx``: a record sheet (``matrixkit score pit-a cal.toml -o record-cal.xlsx``) as it was written.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from matrixkit.collation import collate
from matrixkit.lookup import render_with
from matrixkit.registry import get_registry
from matrixkit.report import build_record_sheet
from matrixkit.responses import Response
from matrixkit.rules import DEFAULT_RULE
from matrixkit.services import analyse

HERE = Path(__file__).resolve().parent
#: Fixed document times, so that writing the files again changes only what changed.
WHEN = datetime.datetime(2025, 3, 12, 9, 0, 0)

registry = get_registry()
PIT_A = registry.instrument("pit-a")
PIT_B = registry.instrument("pit-b")

# -- Microsoft Forms ------------------------------------------------------------------------------------------

#: The question of each Tool A domain, as a form author would write it.
MS_QUESTIONS = {
    "leadership": "Leadership - where is your partnership?",
    "needs-assessment": "Needs Assessment - how are needs understood?",
    "prioritisation": "Prioritisation: how are priorities agreed?",
    "scoping-whole-system": "Scoping Whole System - which statement fits best?",
    "intervention-selection": "Intervention Selection - how are interventions chosen?",
    "target-setting": "Target Setting - which statement fits best?",
    "business-planning": "Business Planning - which statement fits best?",
    "information-governance": "Information Governance - how is data shared?",
    "programme-management": "Programme Management - which statement fits best?",
    "evaluation": "Evaluation - how is the work evaluated?",
}
#: Questions 1-5 offered the levels' labels, 6-10 the whole descriptor sentences.
MS_SENTENCES = ("target-setting", "business-planning", "information-governance", "programme-management", "evaluation")

#: (ID, started, minutes taken, email, name, sector, organisation, levels 1-4 per domain or 0 for skipped,
#: comment on leadership)
MS_ROWS: list[tuple[int, str, int, str, str, str, str, str, str]] = [
    (1, "2025-03-10 09:02:11", 7, "ann.smith@borough.gov.uk", "Ann Smith", "Civic", "Borough Council",
     "2232122312", "New board since May."),
    (2, "2025-03-10 09:15:40", 11, "ben.okafor@nhs.net", "Ben Okafor", "Health", "City ICB", "3232221212", ""),
    (3, "2025-03-10 10:01:05", 5, "cal@voluntaryaction.org.uk", "Cal Jones", "VCSE", "Voluntary Action",
     "1121110101", "We are not at the table."),
    (4, "2025-03-10 13:44:59", 9, "dee.patel@borough.gov.uk", "Dee Patel", "Civic", "Borough Council",
     "2222222222", ""),
    (5, "2025-03-11 08:30:00", 14, "eve@cityhousing.org.uk", "Eve Brown", "Housing", "City Housing",
     "2331222321", ""),
    # Ben again, the next day: he changed his mind on two domains (--duplicates latest keeps this one).
    (6, "2025-03-11 11:20:32", 4, "ben.okafor@nhs.net", "Ben Okafor", "Health", "City ICB", "3333221212",
     "Revised after the board."),
    (7, "2025-03-11 16:05:17", 6, "fay.ali@police.uk", "Fay Ali", "Police", "Constabulary", "2212131122", ""),
]  # fmt: skip

MS_HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Last modified time",
    *(f"{n}. {MS_QUESTIONS[key]}" for n, key in enumerate(PIT_A.domain_keys, 1)),
    "11. Which sector do you work in?",
    "12. Your organisation",
    "13. Any comments on leadership?",
]


def _ms_answer(key: str, digit: str) -> str:
    level = int(digit)
    if level == 0:
        return ""
    if key in MS_SENTENCES:
        return PIT_A.domain(key).descriptors[level - 1]
    return PIT_A.levels[level - 1].label


def _ms_values(row: tuple[int, str, int, str, str, str, str, str, str]) -> list[object]:
    ident, started, minutes, email, name, sector, organisation, levels, comment = row
    start = datetime.datetime.fromisoformat(started)
    done = start + datetime.timedelta(minutes=minutes, seconds=17)
    answers = [_ms_answer(key, digit) for key, digit in zip(PIT_A.domain_keys, levels, strict=True)]
    return [ident, start, done, email, name, None, *answers, sector, organisation, comment]


def _workbook(sheet: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append([None if value == "" else value for value in row])
    for col in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 24
    for cells in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in cells:
            cell.number_format = "m/d/yy h:mm:ss"
    return book


def _save(book: openpyxl.Workbook, name: str, creator: str | None = None) -> None:
    book.properties.created = book.properties.modified = WHEN
    if creator is not None:
        book.properties.creator = creator
    book.save(HERE / name)


def ms_forms() -> None:
    rows = [_ms_values(row) for row in MS_ROWS]
    _save(_workbook("Form1", MS_HEADER, rows), "ms-forms.xlsx", "Microsoft Forms")

    # Saved by Excel as CSV UTF-8 on a UK locale, after sorting newest first: dates as Excel shows them.
    def shown(value: object) -> str:
        if isinstance(value, datetime.datetime):
            return value.strftime("%d/%m/%Y %H:%M")
        return "" if value is None else str(value)

    ordered = sorted(rows, key=lambda values: values[2], reverse=True)  # type: ignore[arg-type,return-value]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(MS_HEADER)
    writer.writerows([shown(v) for v in values] for values in ordered)
    (HERE / "ms-forms.csv").write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))

    anonymous = []
    for values in rows[:5]:
        copy = list(values)
        copy[3], copy[4] = "anonymous", None
        anonymous.append(copy)
    _save(_workbook("Form1", MS_HEADER, anonymous), "ms-forms-anonymous.xlsx", "Microsoft Forms")

    mistakes = [list(values) for values in rows[:5]]
    mistakes[1][6] = "Developping"  # a typo in row 3, column G (question 1)
    mistakes[3][8] = "2/3"  # a mark across two levels in row 5, column I (question 3)
    mistakes[4][9] = "Maturing or Thriving"  # and in row 6, column J (question 4)
    _save(_workbook("Form1", MS_HEADER, mistakes), "ms-forms-mistakes.xlsx", "Microsoft Forms")


# -- Google Forms ---------------------------------------------------------------------------------------------

GOOGLE_QUESTION = "How would you rate your partnership on each of these?"
#: (timestamp, email, name, sector as typed, organisation, levels 1-4 per Tool B domain, 0 = no answer)
GOOGLE_ROWS = [
    ("2025/03/12 10:15:32 am GMT", "gita@district.gov.uk", "Gita Rao", "Civic", "District Council", "2213221231"),
    ("2025/03/12 10:17:03 am GMT", "hal@cvs.org.uk", "Hal Evans", "VCSE", "CVS", "1112110121"),
    ("2025/03/12 10:21:45 am GMT", "ivy@district.gov.uk", "Ivy Chen", "civic ", "District Council", "2223221222"),
    ("2025/03/12 10:30:12 am GMT", "jo@icb.nhs.uk", "Jo Marsh", "Health", "ICB", "3322232230"),
    ("2025/03/12 11:02:58 am GMT", "ken@district.gov.uk", "Ken Ito", "CIVIC", "District Council", "2212122112"),
    ("2025/03/12 2:14:09 pm GMT", "lea@foodbank.org.uk", "Lea Roy", "vcse", "Food Bank", "1111111111"),
]
#: The scale as a Google form author might write it (for google-forms-own-words.csv): no level has these names.
OWN_WORDS = ("Just starting", "Getting there", "Well on the way", "Leading the way")


def google_forms() -> None:
    def write(name: str, answer: object) -> None:
        header = [
            "Timestamp",
            "Email address",
            "Your name",
            "Which sector do you work in?",
            "Organisation",
            *(f"{GOOGLE_QUESTION} [{domain.title}]" for domain in PIT_B.domains),
        ]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for when, email, person, sector, organisation, levels in GOOGLE_ROWS:
            cells = [answer(int(d)) if d != "0" else "" for d in levels]  # type: ignore[operator]
            writer.writerow([when, email, person, sector, organisation, *cells])
        (HERE / name).write_text(out.getvalue(), encoding="utf-8", newline="")

    write("google-forms.csv", lambda n: f"{n} - {PIT_B.levels[n - 1].label}")
    write("google-forms-own-words.csv", lambda n: OWN_WORDS[n - 1])


# -- Excel on a European locale ---------------------------------------------------------------------------------

EXCEL_ROWS = [
    ("Zoë Lefèvre", "Mairie partner", "Civic", "2;2;3;2;1;2;2;3;1;2"),
    ("José Muñoz", "Health centre", "Health", "3;2;2;2;2;;2;3;2;2"),
    ("Renée Ødegård", "Asociación", "VCSE", "1;1;2;1;1;1;1;2;1;1"),
    ("Łukasz Nowak", "Housing", "Housing", "2;3;3;2;2;2;3;3;2;3"),
]


def excel_semicolon() -> None:
    titles = [domain.title for domain in PIT_A.domains]
    lines = ["Name;Organisation;Sector;" + ";".join(titles) + ";;;"]
    lines += [f"{name};{org};{sector};{levels};;;" for name, org, sector, levels in EXCEL_ROWS]
    lines += [";" * (len(titles) + 5)] * 3  # rows Excel keeps because a cell was once touched
    text = "\r\n".join(lines) + "\r\n"
    # "Łukasz" has no Windows-1252 spelling: Excel writes what the code page has.
    (HERE / "excel-semicolon.csv").write_bytes(text.encode("cp1252", errors="replace"))


# -- paper sheets typed up ---------------------------------------------------------------------------------------

PAPER_HEADER = ["Name", "Table", "Sector", *(domain.title for domain in PIT_A.domains), "Notes"]
PAPER_ROWS = [
    ["Mo Khan", "1", "Civic", "Level 2", "L2", "2", "Bronze", "Developing (2)", "2/3", "3 ", "2.0", "Silver", "2",
     "Ringed two boxes on Target Setting"],
    ["Sam Patel", "1", "Health", "3", "3", "2-3", "3", "Maturing", "3", "L3", "2", "2", "Gold", ""],
    ["Nia Hughes", "2", "VCSE", "1", "White", "1", "1", "", "1", "2 or 3", "1", "1", "1", "Left Intervention blank"],
    ["Sam Patel", "2", "VCSE", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "Another Sam, from the food bank"],
    ["Oli Grant", "2", "Civic", "L3", "3", "3", "Level 3", "3", "3", "3", "3", "3", "3", ""],
]  # fmt: skip


def paper_typed() -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PAPER_HEADER)
    writer.writerows(PAPER_ROWS)
    (HERE / "paper-typed.csv").write_text(out.getvalue(), encoding="utf-8", newline="")
    # Typed into LibreOffice Calc and saved as ODS: Calc makes a date of "2/3" (and numbers of "3 " and "2.0").
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice (LibreOffice) not found: paper-typed.ods left as it is", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [soffice, "--headless", "--infilter=CSV:44,34,76,1", "--convert-to", "ods", "--outdir", folder,
             str(HERE / "paper-typed.csv")],
            check=True,
            capture_output=True,
        )  # fmt: skip
        shutil.copy(Path(folder) / "paper-typed.ods", HERE / "paper-typed.ods")


def unicode_text() -> None:
    """Excel's "Unicode Text" (File > Save as): UTF-16 with a byte-order mark, tab-separated, CRLF."""
    rows = [["Name", "Sector", *(domain.title for domain in PIT_A.domains)]]
    rows += [[name, sector, *levels.split(";")] for name, _, sector, levels in EXCEL_ROWS]
    text = "".join("\t".join(row) + "\r\n" for row in rows)
    (HERE / "excel-unicode.txt").write_bytes(text.encode("utf-16"))


# -- matrixkit's own sheets, filled in ------------------------------------------------------------------------------


def _render(kind: str, subject: object) -> bytes:
    exporter = registry.exporters["xlsx"]
    return render_with(registry, exporter, kind, subject)


def _find(ws: object, text: str, column: int = 1) -> int:
    """The row whose cell in ``column`` holds ``text``."""
    for row in ws.iter_rows(min_col=column, max_col=column):  # type: ignore[attr-defined]
        if row[0].value == text:
            return int(row[0].row)
    raise LookupError(f"{text!r} not found in {ws.title}")  # type: ignore[attr-defined]


def _fill_sheet(name: str, fields: dict[str, str], levels: dict[str, str]) -> None:
    """A person's copy of the blank sheet: boxes on the Record sheet, "Your level" on the Matrix."""
    blank = HERE / name
    blank.write_bytes(_render("sheet", PIT_A.without_guidance()))
    book = openpyxl.load_workbook(blank)
    record = book["Record sheet"]
    for field, value in fields.items():
        record.cell(_find(record, field), 2, value)
    matrix = book["Matrix"]
    header = _find(matrix, "Domain")
    column = next(c.column for c in matrix[header] if c.value == "Your level")
    for domain in PIT_A.domains:
        if domain.key in levels:
            matrix.cell(_find(matrix, domain.title), column, levels[domain.key])
    _save(book, name)


def own_sheets() -> None:
    _fill_sheet(
        "sheet-ann.xlsx",
        {"Name": "Ann Smith", "Organisation": "Borough Council", "Sector": "Civic", "Table": "1", "Date": "12/03/2025"},
        {key: PIT_A.levels[int(d) - 1].label for key, d in zip(PIT_A.domain_keys, "2232122312", strict=True)},
    )
    # Ben chose from the drop-down, typed "bronze" once and left Evaluation empty.
    bens = {key: PIT_A.levels[int(d) - 1].label for key, d in zip(PIT_A.domain_keys, "323222121", strict=False)}
    bens["prioritisation"] = "bronze"
    _fill_sheet("sheet-ben.xlsx", {"Name": "Ben Okafor", "Sector": "Health", "Table": "1"}, bens)
    # Dee typed her levels, one misspelt, and wrote no name.
    dees = {key: PIT_A.levels[int(d) - 1].label for key, d in zip(PIT_A.domain_keys, "2222222222", strict=True)}
    dees["evaluation"] = "Develping"
    _fill_sheet("sheet-typo.xlsx", {"Sector": "Civic"}, dees)

    # A facilitator typed everyone's answers into the Responses sheet instead.
    path = HERE / "sheet-responses.xlsx"
    path.write_bytes(_render("sheet", PIT_A.without_guidance()))
    book = openpyxl.load_workbook(path)
    sheet = book["Responses"]
    for person, sector, table, levels in (
        ("Ann Smith", "Civic", 1, "2232122312"),
        ("Ben Okafor", "Health", 1, "3232221212"),
        ("Cal Jones", "VCSE", 2, "1121110101"),
    ):
        sheet.append([person, sector, table, *(int(d) if d != "0" else None for d in levels)])
    _save(book, "sheet-responses.xlsx")

    cal = Response.build(
        PIT_A,
        "Cal Jones",
        dict(zip(PIT_A.domain_keys, [1, 1, 2, 1, 1, 1, None, 1, None, 1], strict=True)),
        attributes={"sector": "VCSE", "organisation": "Voluntary Action", "table": "2"},
        comments={"leadership": "We are not at the table."},
    )
    record = build_record_sheet(cal, PIT_A, registry.rule(DEFAULT_RULE))
    (HERE / "record-cal.xlsx").write_bytes(_render("record", record))


def _steady(path: Path) -> None:
    """The workbook with fixed times on its parts (a ZIP archive), so that making it again gives the same bytes."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2025-03-12T09:00:00Z", data)
            steady = zipfile.ZipInfo(info.filename, date_time=WHEN.timetuple()[:6])
            steady.compress_type = info.compress_type  # an ODS file's "mimetype" stays first and stored
            archive.writestr(steady, data)


#: The samples of docs/collecting-responses.md (the docs tests run each page in a copy of examples/).
EXAMPLES = HERE.parents[2] / "examples" / "collecting-responses"
SAMPLES = (
    "sheet-ann.xlsx",
    "sheet-ben.xlsx",
    "ms-forms.xlsx",
    "google-forms.csv",
    "google-forms-own-words.csv",
    "excel-semicolon.csv",
)
#: Five people who answered Tool A online, at table 3 (for the web tool's collation, pooled with paper sheets).
ONLINE = [
    ("Pat", "Civic", "2232222322"),
    ("Raj", "Health", "3222232212"),
    ("Sue", "VCSE", "1121111211"),
    ("Tom", "Civic", "2222122222"),
    ("Uma", "Housing", "2332223323"),
]


#: Table 1's paper sheets as typed up for the guide: answers as people wrote them, and Kim's sheet typed twice.
PAPER_SHEETS = [
    ["Name", "Sector", *(domain.title for domain in PIT_A.domains)],
    ["Kim Lee", "Civic", "2", "2", "3", "2", "2/3", "2", "2", "3", "2", "2"],
    ["Ali Shah", "Health", "Level 3", "L3", "3", "Silver", "2", "3", "2", "3", "3", "2"],
    ["Bea Cole", "VCSE", "1", "Emerging", "2", "1", "1", "", "1", "White", "1", "1"],
    ["Dan Ryan", "Civic", "Developing (2)", "Bronze", "2", "2", "2", "2", "3", "2", "2", "3"],
    ["Kim Lee", "Civic", "2", "2", "3", "2", "2/3", "2", "2", "3", "2", "2"],
]


def examples() -> None:
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for name in SAMPLES:
        shutil.copy(HERE / name, EXAMPLES / name)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(PAPER_SHEETS)
    (EXAMPLES / "paper-sheets.csv").write_text(out.getvalue(), encoding="utf-8", newline="")
    # The web tool's dashboard downloads the collation as JSON: the same JSON as 'matrixkit collate' writes for
    # the same answers (plugins/web's tests check that), written here by the core for five online answers.
    responses = [
        Response.build(PIT_A, who, dict(zip(PIT_A.domain_keys, map(int, digits), strict=True)),
                       attributes={"sector": sector, "table": "3"})
        for who, sector, digits in ONLINE
    ]  # fmt: skip
    report = analyse(collate(PIT_A, responses), registry, title="Online (table 3)")
    (EXAMPLES / "web-collation.json").write_bytes(
        render_with(registry, registry.exporters["json"], "collation", report)
    )


def main() -> int:
    ms_forms()
    google_forms()
    excel_semicolon()
    paper_typed()
    own_sheets()
    unicode_text()
    for path in [*HERE.glob("*.xlsx"), *HERE.glob("*.ods")]:
        _steady(path)
    examples()
    print(f"wrote {len(list(HERE.glob('*.*'))) - 1} files in {HERE} and {len(SAMPLES) + 2} in {EXAMPLES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
