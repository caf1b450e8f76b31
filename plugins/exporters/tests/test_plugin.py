"""The plugin: what it registers, that registering imports no heavy library, install hints, the CLI commands.

matrixkit's contract kit runs over every exporter in test_contract.py.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from matrixkit_exporters import plugin

from matrixkit.cli import Context, main
from matrixkit.exporting import KINDS
from matrixkit.exporting import render_as as render
from matrixkit.registry import Registry

FORMATS = {"csv", "md", "html", "xlsx", "pdf", "docx", "svg", "png"}
HEAVY = ("xlsxwriter", "typst", "matplotlib", "jinja2", "numpy", "markupsafe", "PIL", "docx", "lxml")


def run(argv: list[str], registry: Registry) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, context=Context(registry=registry, stdout=out, stderr=err))
    return status, out.getvalue(), err.getvalue()


def test_formats_json_lists_every_format_of_the_plugin(registry: Registry) -> None:
    status, out, err = run(["formats", "--json"], registry)
    assert status == 0, err
    records = {r["name"]: r for r in json.loads(out)}
    assert set(records) >= FORMATS
    for name in FORMATS:
        record = records[name]
        assert record["plugin"] == "test_plugin" or record["plugin"].endswith("plugin")
        assert record["available"] is True, record["hint"]
        assert record["hint"] is None
        assert record["extension"] == f".{name}"
        assert set(record["kinds"]) <= set(KINDS)
    assert records["csv"]["kinds"] == ["sheet", "record", "collation", "report", "comparison"]
    for people in ("pdf", "html", "docx"):  # the formats for people render every kind
        assert records[people]["kinds"] == list(KINDS)
    assert records["xlsx"]["kinds"] == ["sheet", "collation-sheet", "record", "collation", "report", "comparison"]
    assert records["svg"]["kinds"] == ["record", "collation", "report", "comparison"]


def test_registering_and_listing_formats_imports_no_rendering_library() -> None:
    """The entry point is loaded by every matrixkit command: it must stay light (llm's lazy plugins)."""
    code = f"""
import io, json, sys
from matrixkit.cli import Context, main
from matrixkit.registry import Registry
from matrixkit_exporters import plugin
out = io.StringIO()
status = main(["formats", "--json"], context=Context(registry=Registry.for_plugins(plugin), stdout=out))
assert status == 0
names = {{r["name"] for r in json.loads(out.getvalue())}}
loaded = sorted(m for m in {HEAVY!r} if m in sys.modules)
print(json.dumps({{"names": sorted(names), "loaded": loaded}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    assert set(data["names"]) >= FORMATS
    assert data["loaded"] == []


def test_the_installed_entry_point_loads_the_plugin_module() -> None:
    from importlib.metadata import entry_points

    points = [ep for ep in entry_points(group="matrixkit") if ep.value == "matrixkit_exporters.plugin"]
    assert [ep.name for ep in points] == ["exporters"]
    assert points[0].load() is plugin


@pytest.mark.parametrize(
    ("fmt", "missing", "extra"),
    [
        ("xlsx", "xlsxwriter", "xlsx"),
        ("pdf", "typst", "pdf"),
        ("png", "matplotlib", "charts"),
        ("html", "jinja2", "html"),
        ("docx", "docx", "docx"),
    ],
)
def test_a_missing_extra_makes_the_format_unavailable_with_an_install_hint(
    fmt: str, missing: str, extra: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.util

    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == missing else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    registry = Registry.for_plugins(plugin)
    status, out, _ = run(["formats", "--json"], registry)
    record = {r["name"]: r for r in json.loads(out)}[fmt]
    assert record["available"] is False
    assert record["hint"].startswith(f"install maturity-matrixkit-exporters[{extra}]")

    instrument = str(Path(__file__).parent / "data" / "partnership.toml")
    target = tmp_path / f"sheet.{fmt}"
    status, out, err = run(["sheet", instrument, "--format", fmt, "-o", str(target)], registry)
    if fmt == "png":  # charts do not render blank sheets: said before anything else
        assert status == 1
        assert "cannot render a sheet" in err
    else:
        assert status == 1
        lines = err.strip().splitlines()
        assert len(lines) == 1
        assert lines[0] == f"matrixkit: error: format {fmt!r} is unavailable: {record['hint']}"
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["html", "pdf", "xlsx", "docx", "md", "csv"])
def test_sheet_command_writes_each_format(fmt: str, registry: Registry, tmp_path: Path) -> None:
    instrument = str(Path(__file__).parent / "data" / "partnership.toml")
    target = tmp_path / f"blank.{fmt}"
    status, out, err = run(["sheet", instrument, "--format", fmt, "-o", str(target)], registry)
    assert (status, out, err) == (0, "", "")
    blank = registry_instrument(instrument).without_guidance()  # guidance only with --guidance
    assert target.read_bytes() == render(registry.exporter(fmt), "sheet", blank)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_sheet_command_takes_the_format_from_the_output_extension(registry: Registry, tmp_path: Path) -> None:
    instrument = str(Path(__file__).parent / "data" / "partnership.toml")
    target = tmp_path / "blank.pdf"
    status, _, err = run(["sheet", instrument, "-o", str(target)], registry)
    assert status == 0, err
    assert target.read_bytes().startswith(b"%PDF-")


def registry_instrument(path: str) -> Any:
    from matrixkit.format import read_instrument as load_instrument

    return load_instrument(path)


def test_every_format_renders_every_kind_it_lists(
    registry: Registry, instrument: Any, record: Any, collation: Any, report: Any
) -> None:
    subjects = {"sheet": instrument, "record": record, "collation": collation, "report": report}
    for name in sorted(FORMATS):
        exporter = registry.exporter(name)
        for kind in ("sheet", "record", "collation", "report"):
            if kind in exporter.kinds:
                assert render(exporter, kind, subjects[kind])
            else:
                with pytest.raises(Exception, match="cannot render"):
                    render(exporter, kind, subjects[kind])
