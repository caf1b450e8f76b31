"""The public API: every exported name resolves and is documented; ``import matrixkit`` stays light; the
embedding functions do what the command line does."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

import matrixkit
from matrixkit.errors import MatrixkitError, UnknownNameError, ValidationError
from matrixkit.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
API_PAGE = ROOT / "docs" / "reference" / "api.md"

# domains of tests/data/digital-maturity.toml, in order; six levels scored 0-5.
KEYS = [
    "governance",
    "data-quality",
    "staff-skills",
    "funding",
    "user-voice",
    "evaluation",
    "procurement",
    "digital-tools",
    "risk",
    "communication",
    "learning",
    "equity",
]


def _csv(path: Path, rows: list[tuple[str, str, list[str]]]) -> Path:
    lines = ["participant,sector," + ",".join(KEYS)]
    lines += [f"{who},{sector}," + ",".join(cells) for who, sector, cells in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def tables(tmp_path: Path) -> list[Path]:
    one = _csv(
        tmp_path / "table-1.csv",
        [("A1", "civic", ["2"] * 12), ("A2", "health", ["3"] * 11 + [""]), ("A3", "civic", ["managed"] * 12)],
    )
    two = _csv(tmp_path / "table-2.csv", [("B1", "health", ["0"] * 12), ("B2", "vcse", ["5"] * 12)])
    return [one, two]


# -- the exported names ----------------------------------------------------------------------------------


def test_every_exported_name_resolves() -> None:
    for name in matrixkit.__all__:
        assert getattr(matrixkit, name) is not None, name
    assert set(matrixkit.__all__) == {"__version__", "hookimpl", *matrixkit._EXPORTS}
    assert set(dir(matrixkit)) >= set(matrixkit.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        matrixkit.nonsense  # noqa: B018


def test_exported_names_come_from_the_module_that_defines_them() -> None:
    for name, module in matrixkit._EXPORTS.items():
        assert getattr(sys.modules.get(module) or __import__(module, fromlist=["_"]), name) is getattr(matrixkit, name)


def test_every_exported_name_is_documented() -> None:
    page = API_PAGE.read_text(encoding="utf-8")
    for name in matrixkit.__all__:
        if name == "__version__":
            continue
        obj = getattr(matrixkit, name)
        assert inspect.getdoc(obj), f"matrixkit.{name} has no docstring"
        assert f"matrixkit.{name}" in page, f"matrixkit.{name} is not in docs/reference/api.md"


def test_public_functions_are_fully_annotated() -> None:
    for name in matrixkit.__all__:
        obj = getattr(matrixkit, name)
        if inspect.isfunction(obj) and obj.__module__ == "matrixkit.api":
            signature = inspect.signature(obj)
            assert signature.return_annotation is not inspect.Signature.empty, name
            for param in signature.parameters.values():
                assert param.annotation is not inspect.Parameter.empty, f"{name}({param.name})"


def test_import_matrixkit_is_light() -> None:
    code = (
        "import sys, matrixkit; from matrixkit import hookimpl; "
        "print(sorted(m for m in sys.modules if m.startswith(('matrixkit', 'attrs', 'cattrs', 'hypothesis'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['matrixkit', 'matrixkit.hookspecs']"


def test_python_dash_m_matrixkit_works() -> None:
    done = subprocess.run([sys.executable, "-m", "matrixkit", "--version"], capture_output=True, text=True, check=False)
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and lines[0].startswith(f"matrixkit {matrixkit.__version__}"), done.stdout
    assert lines[-1].startswith("Python ")


# -- the embedding functions -----------------------------------------------------------------------------


def test_get_and_load_instruments(registry: Registry, data_dir: Path, tmp_path: Path) -> None:
    instrument = matrixkit.get_instrument("digital-maturity", registry=registry)
    assert len(instrument.levels) == 6 and len(instrument.domains) == 12
    assert matrixkit.load_instrument(data_dir / "digital-maturity.toml", registry=registry) == instrument
    variant = tmp_path / "variant.toml"
    variant.write_text('format = 1\nid = "dm-short"\nextends = "digital-maturity"\nremove_domains = ["risk"]\n')
    short = matrixkit.load_instrument(variant, registry=registry)
    assert short.based_on == "digital-maturity" and "risk" not in short.domain_keys
    with pytest.raises(UnknownNameError, match="digital-maturity"):
        matrixkit.get_instrument("nope", registry=registry)


def test_read_collate_merge_analyse(registry: Registry, tables: list[Path]) -> None:
    instrument = matrixkit.get_instrument("digital-maturity", registry=registry)
    first = matrixkit.read_responses(tables[0], instrument, registry=registry)
    second = matrixkit.read_responses(tables[1], instrument, registry=registry)
    assert [r.participant for r in first + second] == ["A1", "A2", "A3", "B1", "B2"]
    pooled = matrixkit.merge(
        matrixkit.collate(instrument, first, by="sector"), matrixkit.collate(instrument, second, by="sector")
    )
    assert pooled == matrixkit.collate(instrument, first + second, by="sector")
    assert pooled == matrixkit.collate_files(tables, instrument, by="sector", registry=registry)
    equity = pooled.tally("equity")
    # A1 2, A3 managed (score 4), B1 0, B2 5 answered equity; A2 left it blank.
    assert equity.counts == (1, 0, 1, 0, 1, 1) and equity.missing == 1
    assert matrixkit.suggest(equity, instrument, registry=registry).key == "repeatable"  # type: ignore[union-attr]
    assert matrixkit.suggest(equity, instrument, rule="median-high", registry=registry).key == "managed"  # type: ignore[union-attr]
    report = matrixkit.analyse(pooled, rule="cautious", title="Plenary", registry=registry)
    assert report.rule == "cautious" and report.title == "Plenary" and report.by == "sector"
    assert report.domain("equity").suggested.key == "absent"  # type: ignore[union-attr]


def test_read_responses_reports_every_problem(registry: Registry, tmp_path: Path) -> None:
    instrument = matrixkit.get_instrument("digital-maturity", registry=registry)
    bad = _csv(tmp_path / "bad.csv", [("A1", "civic", ["9"] + ["2"] * 11), ("A1", "civic", ["2"] * 12)])
    with pytest.raises(ValidationError) as info:
        matrixkit.read_responses(bad, instrument, registry=registry)
    text = str(info.value)
    assert "bad.csv" in text and "'9' is not a level" in text.replace('"', "'") and "given twice" in text
    with pytest.raises(ValidationError, match="no such file"):
        matrixkit.read_responses(tmp_path / "missing.csv", instrument, registry=registry)


def test_render_and_write(registry: Registry, tables: list[Path], tmp_path: Path) -> None:
    instrument = matrixkit.get_instrument("digital-maturity", registry=registry)
    report = matrixkit.analyse(matrixkit.collate_files(tables, instrument, registry=registry), registry=registry)
    data = json.loads(matrixkit.render(report, "json", registry=registry))
    assert data["responses"] == 5 and data["instrument"]["id"] == "digital-maturity"
    sheet = matrixkit.render(instrument, "toml", registry=registry).decode()
    assert matrixkit.load_instrument(_write(tmp_path / "again.toml", sheet), registry=registry) == instrument
    target = matrixkit.write(report, tmp_path / "collation.json", registry=registry)
    assert json.loads(target.read_text()) == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.toml", "collation.json", "table-1.csv", "table-2.csv"]
    responses = matrixkit.read_responses(tables[0], instrument, registry=registry)
    record = matrixkit.score(responses[0], instrument, registry=registry)
    assert b"A1" in matrixkit.render(record, "text", registry=registry)


def test_render_refuses_what_it_cannot(registry: Registry, tables: list[Path], tmp_path: Path) -> None:
    instrument = matrixkit.get_instrument("digital-maturity", registry=registry)
    collation = matrixkit.collate_files(tables, instrument, registry=registry)
    with pytest.raises(TypeError, match=r"analyse\(collation\)"):
        matrixkit.render(collation, "json", registry=registry)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cannot render a str"):
        matrixkit.render("text", "json", registry=registry)  # type: ignore[arg-type]
    with pytest.raises(UnknownNameError, match="unknown format 'pdf'"):
        matrixkit.render(instrument, "pdf", registry=registry)
    with pytest.raises(MatrixkitError, match=r"no installed format writes \.docx files"):
        matrixkit.write(instrument, tmp_path / "sheet.docx", registry=registry)
    with pytest.raises(MatrixkitError, match="between 0 and 1"):
        matrixkit.analyse(collation, discuss_below=2, registry=registry)


def test_workshop_report(registry: Registry, tables: list[Path], tmp_path: Path) -> None:
    record = tmp_path / "workshop.toml"
    record.write_text(
        'format = 1\ninstrument = "digital-maturity"\ntitle = "Spring workshop"\n'
        'inputs = ["table-1.csv", "table-2.csv"]\nby = "sector"\n\n'
        '[domains.equity]\nagreed = "defined"\npriority = 1\npriorities = "Publish who is missed"\n',
        encoding="utf-8",
    )
    report = matrixkit.workshop_report(record, registry=registry)
    assert report.title == "Spring workshop" and report.collation.responses == 5
    assert [d.domain.key for d in report.priorities] == ["equity"]
    assert report.priorities[0].agreed.key == "defined"  # type: ignore[union-attr]
    assert matrixkit.workshop_report(record, rule="mode", registry=registry).collation.rule == "mode"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_collate_inputs_gives_the_notes_and_the_sheet_the_command_line_writes(  # type: ignore[no-untyped-def]
    registry: Registry, tmp_path: Path, cli
) -> None:
    table = tmp_path / "form.csv"
    table.write_text(
        "participant,sector,Your email," + ",".join(KEYS) + "\n"
        "A1,civic,a1@example.org," + ",".join(["2/3"] + ["2"] * 11) + "\n"
        "A2,health,a2@example.org," + ",".join(["3"] * 12) + "\n",
        encoding="utf-8",
    )
    instrument = matrixkit.get_instrument("digital-maturity", registry=registry)
    options = matrixkit.ReadOptions(between="lower")
    result = matrixkit.collate_inputs([table], instrument, by="sector", registry=registry, options=options)
    assert result.collation == matrixkit.collate_files(
        [table], instrument, by="sector", registry=registry, options=options
    )
    assert [name for name, _ in result.parts] == [str(table)]
    assert any("across two levels" in note and "lower" in note for note in result.notes), result.notes
    assert all(note.startswith(f"{table}: ") for note in result.notes)
    # The sheet the API builds from them is the one `matrixkit collate` writes, notes and sources included.
    report = matrixkit.analyse(result.collation, sources=[table.name], notes=result.notes, registry=registry)
    assert list(report.notes) == list(result.notes) and list(report.sources) == [table.name]
    written = cli("collate", "digital-maturity", str(table), "--by", "sector", "--between", "lower")
    assert written.status == 0, written.err
    assert json.loads(matrixkit.render(report, "json", registry=registry)) == json.loads(written.out)
