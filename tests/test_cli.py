"""The command line: contracts of tools/show/validate/plugins/schema, and failures without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from matrixkit import __version__
from matrixkit.config import Config
from matrixkit.format import loads_instrument
from matrixkit.registry import Registry


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as info:
        cli("--version")
    assert info.value.code == 0


def test_tools_lists_instruments(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tools")
    assert result.status == 0
    assert "digital-maturity" in result.out and "generic-tools" in result.out


def test_tools_json_contract(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tools", "--json")
    records = json.loads(result.out)
    assert records == [
        {
            "id": "digital-maturity",
            "title": "Digital maturity self-assessment",
            "version": "2.1",
            "plugin": "generic-tools",
            "distribution": None,
            "based_on": None,
            "levels": 6,
            "domains": 12,
        }
    ]


def test_tools_with_nothing_installed_says_how_to_get_some(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tools", registry_=Registry.for_plugins(config=Config()))
    assert result.status == 0
    assert "No instruments are installed" in result.out and "MATRIXKIT_PATH" in result.out
    assert json.loads(cli("tools", "--json", registry_=Registry.for_plugins(config=Config())).out) == []


def test_show_text_is_readable(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "digital-maturity")
    assert result.status == 0
    assert "Digital maturity self-assessment (digital-maturity 2.1)" in result.out
    assert "[Foundations]" in result.out and "[Delivery]" in result.out
    assert "Optimising (5)" in result.out
    assert all(len(line) <= 120 for line in result.out.splitlines())


def test_show_json_contract(cli) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(cli("show", "digital-maturity", "--format", "json").out)
    assert {"id", "title", "version", "levels", "domains"} <= data.keys()
    assert data["levels"][0] == {
        "key": "absent",
        "label": "Absent",
        "score": 0,
        "colour": "#f7f7f7",
        "description": "",
        "aliases": [],
    }
    assert {"key", "title", "group", "descriptors"} <= data["domains"][0].keys()
    assert len(data["domains"]) == 12


def test_show_toml_is_a_valid_instrument_file(cli, registry) -> None:  # type: ignore[no-untyped-def]
    text = cli("show", "digital-maturity", "--format", "toml").out
    assert tomllib.loads(text)["id"] == "digital-maturity"
    assert loads_instrument(text) == registry.instrument("digital-maturity")


def test_show_a_file_and_write_it(cli, tmp_path: Path, generic_file: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.json"
    result = cli("show", str(generic_file), "--format", "json", "-o", str(out))
    assert result.status == 0 and result.out == ""
    assert json.loads(out.read_text())["id"] == "digital-maturity"


def test_validate_ok_and_problems(cli, tmp_path: Path, generic_file: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("validate", str(generic_file)).status == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(generic_file.read_text().replace('version = "2.1"', "version = 2").replace("score = 3", "score = 1"))
    result = cli("validate", str(generic_file), str(bad))
    assert result.status == 1
    lines = [line for line in result.out.splitlines() if line.startswith(str(bad))]
    assert len(lines) == 3, result.out
    assert any(":4: version: expected text" in line for line in lines)
    assert any("levels[3].score: scores must increase strictly" in line for line in lines)
    assert any("id 'digital-maturity' is also used by" in line for line in lines)
    assert "1 of 2 file(s) invalid, 3 problem(s)" in result.out


def test_validate_refuses_an_alias_that_reads_as_another_level(cli, tmp_path: Path, generic_file: Path) -> None:  # type: ignore[no-untyped-def]
    text = generic_file.read_text()
    ok = tmp_path / "ok.toml"
    ok.write_text(text.replace('label = "Defined"', 'label = "Defined"\naliases = ["Silver"]', 1))
    assert cli("validate", str(ok)).status == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('label = "Defined"', 'label = "Defined"\naliases = ["Silver", "Managed"]', 1))
    result = cli("validate", str(bad))
    assert result.status == 1
    [line] = [line for line in result.out.splitlines() if line.startswith(str(bad))]
    assert "levels[3].aliases[1]: aliases[1] 'managed' of level 'defined' reads as level 'managed'" in line
    assert "1 of 1 file(s) invalid, 1 problem(s)" in result.out


def test_validate_resolves_variants_among_the_files_given(cli, tmp_path: Path, generic_file: Path) -> None:  # type: ignore[no-untyped-def]
    base = tmp_path / "base.toml"
    base.write_text(generic_file.read_text().replace('id = "digital-maturity"', 'id = "local-base"'))
    variant = tmp_path / "variant.toml"
    variant.write_text('format = 1\nid = "local-variant"\nextends = "local-base"\nremove_domains = ["risk"]\n')
    assert cli("validate", str(variant), str(base)).status == 0
    missing = tmp_path / "orphan.toml"
    missing.write_text('format = 1\nid = "orphan"\nextends = "nowhere"\n')
    result = cli("validate", str(missing))
    assert result.status == 1 and "unknown base instrument 'nowhere'" in result.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "nope"], "unknown instrument 'nope' (known: digital-maturity)"),
        (["show", "missing/file.toml"], "missing/file.toml: cannot read file"),
        (["show", "digital-maturity", "--format", "nope"], "unknown format 'nope'"),
        (["show", "digital-maturity", "-o", "/nonexistent-dir/x.txt"], "does not exist"),
    ],
)
def test_failures_are_messages_not_tracebacks(cli, argv, message) -> None:  # type: ignore[no-untyped-def]
    result = cli(*argv)
    assert result.status == 1
    assert message in result.err
    assert "Traceback" not in result.err


def test_no_command_prints_help(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli()
    assert result.status == 2 and "commands" in result.out


def test_plugins_lists_builtins(cli) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(cli("plugins", "--json").out)
    names = {p["name"] for p in data["plugins"]}
    assert {"builtin:commands", "builtin:formats", "MATRIXKIT_PATH", "generic-tools"} <= names


def test_schema_command_matches_the_committed_schema(cli) -> None:  # type: ignore[no-untyped-def]
    committed = Path(__file__).parents[1] / "docs" / "instrument.schema.json"
    assert json.loads(cli("schema").out) == json.loads(committed.read_text()), (
        "docs/instrument.schema.json is stale: run 'matrixkit schema -o docs/instrument.schema.json'"
    )


def run_module(
    *args: str, env_extra: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "matrixkit", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


def test_python_dash_m_and_debug(tmp_path: Path) -> None:
    result = run_module("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith(f"matrixkit {__version__}"), result.stdout
    quiet = run_module("show", str(tmp_path / "none.toml"), cwd=tmp_path)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr and "cannot read file" in quiet.stderr
    loud = run_module("--debug", "show", str(tmp_path / "none.toml"), cwd=tmp_path)
    assert loud.returncode != 0 and "Traceback" in loud.stderr


def test_bad_configuration_is_reported_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "matrixkit.toml").write_text("[plugins\n")
    result = run_module("tools", cwd=tmp_path)
    assert result.returncode == 1
    assert "matrixkit.toml:1" in result.stderr and "Traceback" not in result.stderr


def test_output_files_get_the_usual_permissions(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import stat

    out = tmp_path / "sheet.txt"
    old = os.umask(0o022)
    try:
        assert cli("show", "digital-maturity", "-o", str(out)).status == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    out.chmod(0o600)
    assert cli("show", "digital-maturity", "-o", str(out)).status == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.txt"]


def test_help_and_usage_errors_go_to_the_context_streams() -> None:
    """argparse's own printing (help, usage, errors) is captured like everything else a command prints."""
    from matrixkit.testing.contract import run_cli

    shown = run_cli(["tools", "--help"])
    assert shown.status == 0
    assert shown.out.startswith("usage: matrixkit tools") and shown.err == ""
    wrong = run_cli(["collate", "pit-a"])
    assert wrong.status == 2 and wrong.out == ""
    assert wrong.err.startswith("usage: matrixkit collate")
    assert "error: the following arguments are required" in wrong.err
    version = run_cli(["--debug", "--version"])
    assert version.status == 0 and version.out.startswith("matrixkit ") and version.err == ""
