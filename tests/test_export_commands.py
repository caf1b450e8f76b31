"""The core's ``formats`` and ``sheet`` commands, with no plugin installed (core exporters and test plugins only)."""

from __future__ import annotations

import io
import json
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest

from matrixkit import hookimpl
from matrixkit.cli import Context, main
from matrixkit.exporting import Exporter
from matrixkit.model import Instrument
from matrixkit.registry import Registry

DATA = Path(__file__).parent / "data"
INSTRUMENT = str(DATA / "digital-maturity.toml")


def run(argv: list[str], *plugins: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, context=Context(registry=Registry.for_plugins(*plugins), stdout=out, stderr=err))
    return status, out.getvalue(), err.getvalue()


class ShoutExporter(Exporter):
    """A test format that renders sheets: the instrument's title in capitals."""

    name = "shout"
    extension = ".shout"
    media_type = "text/plain"
    description = "Titles in capitals"
    kinds: ClassVar[frozenset[str]] = frozenset({"sheet", "collation"})

    def render_sheet(self, instrument: Instrument) -> bytes:
        return instrument.title.upper().encode("utf-8")


class MissingExporter(Exporter):
    """A test format whose library is not installed."""

    name = "fancy"
    extension = ".fancy"
    media_type = "application/x-fancy"
    description = "Needs a library that is not installed"
    kinds: ClassVar[frozenset[str]] = frozenset({"sheet"})

    def availability(self) -> str | None:
        return "install fancy-exporters[fancy]"

    def render_sheet(self, instrument: Instrument) -> bytes:  # pragma: no cover - never called when unavailable
        raise AssertionError("an unavailable exporter must not be asked to render")


def _plugin(*exporters: Exporter) -> Any:
    @hookimpl
    def matrixkit_register_exporters(register: Any) -> None:
        for exporter in exporters:
            register.exporter(exporter)

    module = types.ModuleType("test_formats_plugin")
    module.matrixkit_register_exporters = matrixkit_register_exporters  # type: ignore[attr-defined]
    return module


# -- formats ---------------------------------------------------------------------------------------


def test_formats_json_lists_the_core_exporters_with_the_contract_fields() -> None:
    status, out, err = run(["formats", "--json"])
    assert status == 0, err
    records = json.loads(out)
    by_name = {r["name"]: r for r in records}
    assert {"json", "toml", "text"} <= set(by_name)
    for record in records:
        assert {"name", "extension", "kinds", "available", "hint", "description", "plugin"} <= set(record)
        assert isinstance(record["kinds"], list)
        assert isinstance(record["available"], bool)
    assert by_name["json"]["extension"] == ".json"
    assert by_name["json"]["available"] is True
    assert by_name["json"]["hint"] is None
    assert "sheet" in by_name["json"]["kinds"]
    assert by_name["json"]["plugin"] == "builtin:formats"


def test_formats_lists_plugin_exporters_and_unavailable_ones_with_their_hint() -> None:
    plugin = _plugin(ShoutExporter(), MissingExporter())
    status, out, _ = run(["formats", "--json"], plugin)
    assert status == 0
    by_name = {r["name"]: r for r in json.loads(out)}
    assert by_name["shout"]["kinds"] == ["sheet", "collation"]  # in the order of KINDS
    assert by_name["shout"]["plugin"] == "test_formats_plugin"
    assert by_name["fancy"]["available"] is False
    assert by_name["fancy"]["hint"] == "install fancy-exporters[fancy]"

    status, out, _ = run(["formats"], plugin)
    assert status == 0
    lines = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert "no: install fancy-exporters[fancy]" in lines["fancy"]
    assert "sheet, collation" in lines["shout"]
    assert lines["json"].split()[:2] == ["json", ".json"]


# -- sheet -----------------------------------------------------------------------------------------


def test_sheet_writes_the_named_format_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "sheet.json"
    status, out, err = run(["sheet", INSTRUMENT, "--format", "json", "-o", str(target)])
    assert (status, out, err) == (0, "", "")
    data = json.loads(target.read_text("utf-8"))
    assert data["id"] == "digital-maturity"
    assert len(data["levels"]) == 6


def test_sheet_format_defaults_from_the_output_extension(tmp_path: Path) -> None:
    target = tmp_path / "sheet.shout"
    status, _, err = run(["sheet", INSTRUMENT, "-o", str(target)], _plugin(ShoutExporter()))
    assert status == 0, err
    assert target.read_bytes() == b"DIGITAL MATURITY SELF-ASSESSMENT"


def test_sheet_output_with_an_unknown_extension_asks_for_a_format(tmp_path: Path) -> None:
    target = tmp_path / "sheet.weird"
    status, _, err = run(["sheet", INSTRUMENT, "-o", str(target)])
    assert status == 1
    assert "no installed format writes .weird files; a sheet can be written as .json, .toml, .txt" in err
    assert not target.exists()


def test_sheet_output_whose_format_cannot_render_sheets_says_so(tmp_path: Path) -> None:
    class CollationOnly(ShoutExporter):
        name = "tally"
        extension = ".tally"
        kinds: ClassVar[frozenset[str]] = frozenset({"collation"})

    target = tmp_path / "sheet.tally"
    status, _, err = run(["sheet", INSTRUMENT, "-o", str(target)], _plugin(CollationOnly()))
    assert status == 1
    assert "the tally format cannot render a sheet" in err
    assert not target.exists()


def test_sheet_without_format_or_output_prints_text() -> None:
    status, out, _ = run(["sheet", INSTRUMENT])
    assert status == 0
    assert out.startswith("Digital maturity self-assessment (digital-maturity 2.1)")


def test_sheet_with_an_unknown_format_says_where_more_formats_come_from(tmp_path: Path) -> None:
    target = tmp_path / "sheet.pdf"
    status, _, err = run(["sheet", INSTRUMENT, "--format", "pdf", "-o", str(target)])
    assert status == 1
    assert "unknown format 'pdf'" in err
    assert "pip install maturity-matrixkit-exporters" in err
    assert "Traceback" not in err
    assert not target.exists()


def test_sheet_with_an_unavailable_format_prints_one_line_with_the_install_hint(tmp_path: Path) -> None:
    target = tmp_path / "sheet.fancy"
    status, _, err = run(["sheet", INSTRUMENT, "-f", "fancy", "-o", str(target)], _plugin(MissingExporter()))
    assert status == 1
    assert err.strip().splitlines() == [
        "matrixkit: error: format 'fancy' is unavailable: install fancy-exporters[fancy]"
    ]
    assert list(tmp_path.iterdir()) == []


def test_sheet_with_a_format_that_cannot_render_sheets_fails_cleanly(tmp_path: Path) -> None:
    class CollationOnly(ShoutExporter):
        name = "tally"
        extension = ".tally"
        kinds: ClassVar[frozenset[str]] = frozenset({"collation"})

    status, _, err = run(["sheet", INSTRUMENT, "-f", "tally", "-o", str(tmp_path / "x")], _plugin(CollationOnly()))
    assert status == 1
    assert "cannot render a sheet" in err
    assert list(tmp_path.iterdir()) == []


def test_sheet_failing_while_rendering_leaves_an_existing_file_untouched(tmp_path: Path) -> None:
    class Broken(ShoutExporter):
        name = "broken"

        def render_sheet(self, instrument: Instrument) -> bytes:
            raise RuntimeError("boom")

    target = tmp_path / "sheet.shout"
    target.write_bytes(b"previous")
    status, _, err = run(["sheet", INSTRUMENT, "-f", "broken", "-o", str(target)], _plugin(Broken()))
    assert status == 1
    assert "failed while rendering a sheet as broken: RuntimeError: boom" in err
    assert "internal error" not in err
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.shout"]


def test_sheet_refuses_to_print_a_binary_format_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    class Binary(ShoutExporter):
        name = "bin"
        media_type = "application/octet-stream"

    out, err = Tty(), io.StringIO()
    registry = Registry.for_plugins(_plugin(Binary()))
    status = main(["sheet", INSTRUMENT, "-f", "bin"], context=Context(registry=registry, stdout=out, stderr=err))
    assert status == 1
    assert "binary" in err.getvalue()
    assert out.getvalue() == ""


def test_sheet_with_an_unknown_instrument_fails_without_traceback() -> None:
    status, _, err = run(["sheet", "no-such-tool", "-f", "json"])
    assert status == 1
    assert "unknown instrument 'no-such-tool'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["formats", "sheet"])
def test_commands_have_help(command: str) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"], context=Context(registry=Registry.for_plugins(), stdout=out))
    assert exc.value.code == 0


def test_choose_format_is_the_one_rule_for_formats() -> None:
    """The rules `Context.write` follows, for commands rendering something of their own (the PIT profile)."""
    from matrixkit.errors import MatrixkitError, UnknownNameError
    from matrixkit.exporting import choose_format

    able = {"pdf": ".pdf", "svg": ".svg"}
    assert choose_format(able, "out/Profile.PDF", what="the profile") == "pdf"
    assert choose_format(able, None, "svg", what="the profile") == "svg"
    assert choose_format(able, "-", what="the profile", default="svg") == "svg"
    assert choose_format(able, "notes.txt", "pdf", what="the profile") == "pdf"  # .txt is no format's extension
    with pytest.raises(MatrixkitError, match=r"give -o FILE \(\.pdf, \.svg\) or --format to write the profile"):
        choose_format(able, None, what="the profile")
    with pytest.raises(UnknownNameError, match="unknown format 'png' \\(known: pdf, svg\\); pip install it"):
        choose_format(able, "x.png", "png", what="the profile", hint="pip install it")
    with pytest.raises(MatrixkitError, match=r"x\.svg: \.svg is the extension of the svg format, and --format pdf"):
        choose_format(able, "x.svg", "pdf", what="the profile")
    known = {**able, "json": ".json"}
    with pytest.raises(MatrixkitError, match=r"x\.json: the json format cannot render the profile; the profile can"):
        choose_format(able, "x.json", what="the profile", known=known)
