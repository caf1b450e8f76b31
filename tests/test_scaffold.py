"""``matrixkit new-plugin``: the generated distribution, name checks, and (slow) a real install and test run."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from matrixkit import __version__
from matrixkit._builtins.scaffold import PARTS, plugin_files, plugin_names, scaffold_plugin
from matrixkit.format import read_instrument as load_instrument

ROOT = Path(__file__).resolve().parent.parent


def test_generates_a_complete_distribution(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "matrixkit-community-tools"
    result = cli("new-plugin", str(target))
    assert result.status == 0, result.err
    made = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert made == [
        ".gitignore",
        "README.md",
        "pyproject.toml",
        "src/matrixkit_community_tools/__init__.py",
        "src/matrixkit_community_tools/instruments/__init__.py",
        "src/matrixkit_community_tools/instruments/community-tools.toml",
        "src/matrixkit_community_tools/plugin.py",
        "src/matrixkit_community_tools/py.typed",
        "tests/conftest.py",
        "tests/test_instruments.py",
    ]
    for line in made:
        assert line in result.out
    project = tomllib.loads((target / "pyproject.toml").read_text())
    assert project["project"]["name"] == "matrixkit-community-tools"
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/matrixkit_community_tools/__init__.py"
    assert project["project"]["entry-points"]["matrixkit"] == {"community-tools": "matrixkit_community_tools.plugin"}
    major, minor = __version__.split(".")[:2]
    assert project["project"]["dependencies"] == [f"maturity-matrixkit>={major}.{minor},<{int(major) + 1}"]
    assert project["project"]["optional-dependencies"]["test"] == [
        f"maturity-matrixkit[testing]>={major}.{minor},<{int(major) + 1}"
    ]
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/matrixkit_community_tools"]
    instrument = load_instrument(target / "src/matrixkit_community_tools/instruments/community-tools.toml")
    assert instrument.id == "community-tools"
    for source in target.rglob("*.py"):
        ast.parse(source.read_text(), filename=str(source))
    assert "$" not in "".join(p.read_text() for p in target.rglob("*") if p.is_file())
    plugin = (target / "src/matrixkit_community_tools/plugin.py").read_text()
    assert "from matrixkit_community_tools.instruments import matrixkit_register_instruments" in plugin
    assert "exporter" not in plugin and "## The exporter" not in (target / "README.md").read_text()


def test_every_part_brings_its_module_tests_and_readme_section(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "matrixkit-harbour-tools"
    result = cli("new-plugin", str(target), "--with", "command,reader, rule,exporter,instrument")
    assert result.status == 0, result.err
    made = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    package = "src/matrixkit_harbour_tools"
    for module, test in [
        ("instruments/__init__.py", "test_instruments.py"),
        ("exporter.py", "test_exporter.py"),
        ("rule.py", "test_rule.py"),
        ("reader.py", "test_reader.py"),
        ("command.py", "test_command.py"),
    ]:
        assert f"{package}/{module}" in made and f"tests/{test}" in made
    plugin = (target / package / "plugin.py").read_text()
    for hook in PARTS.values():
        assert f"import {hook[1]}" in plugin and f'"{hook[1]}",' in plugin
    readme = (target / "README.md").read_text()
    sections = [line for line in readme.splitlines() if line.startswith("## ")]
    assert sections == [
        "## Install",
        "## Develop",
        "## The instrument",
        "## The exporter",
        "## The consensus rule",
        "## The response reader",
        "## The command",
    ]
    for name in ["harbour-tools-tsv", "harbour-tools-majority", "harbour-tools-long", "harbour-tools-column"]:
        assert f"`{name}`" in readme or f"matrixkit {name}" in readme
        assert name in result.out
    assert "$" not in "".join(p.read_text() for p in target.rglob("*") if p.is_file())


@pytest.mark.parametrize("parts", ["instrument,widget", "", " , "])
def test_unknown_or_no_parts_are_refused(cli, tmp_path: Path, parts: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("new-plugin", str(tmp_path / "out"), "--with", parts)
    assert result.status == 1
    assert "--with" in result.err and "instrument, exporter, rule, reader, command" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_generated_code_is_lint_clean(tmp_path: Path) -> None:
    """What the scaffold writes passes ruff with this project's rules and mypy --strict, so an author starts
    from clean code."""
    ruff = pytest.importorskip("ruff")
    del ruff
    target = tmp_path / "matrixkit-clean-tools"
    scaffold_plugin(target, parts=tuple(PARTS))
    config = ["--config", str(ROOT / "pyproject.toml")]
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *config, "."],
            cwd=target,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    pytest.importorskip("mypy")
    cache = ["--cache-dir", str(tmp_path / "mypy-cache")]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *cache, "src", "tests"],
        cwd=target,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_name_option_overrides_the_directory_name(tmp_path: Path) -> None:
    names, written = scaffold_plugin(tmp_path / "anything", "health-equity-tools")
    assert (names.name, names.package, names.entry_point, names.instrument_id) == (
        "health-equity-tools",
        "health_equity_tools",
        "health-equity-tools",
        "health-equity-tools",
    )
    assert tmp_path / "anything" / "src" / "health_equity_tools" / "__init__.py" in written


def test_an_existing_empty_directory_is_fine(tmp_path: Path) -> None:
    target = tmp_path / "matrixkit-x"
    target.mkdir()
    scaffold_plugin(target)
    assert (target / "pyproject.toml").is_file()


def test_refuses_a_non_empty_directory_and_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "matrixkit-x"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = cli("new-plugin", str(target))
    assert result.status == 1
    assert "is not empty" in result.err and "Traceback" not in result.err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_refuses_a_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "plugin"
    target.write_text("")
    result = cli("new-plugin", str(target))
    assert result.status == 1 and "not a directory" in result.err


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("My-Tools", "not lowercase kebab-case"),
        ("2fa-tools", "not lowercase kebab-case"),
        ("my_tools", "not lowercase kebab-case"),
        ("tools-", "not lowercase kebab-case"),
        ("matrixkit", "taken by matrixkit"),
        ("maturity-matrixkit", "taken by matrixkit"),
        ("maturity-matrixkit-extras", "taken by matrixkit"),
        ("json", "clashes with Python's own"),
        ("class", "clashes with Python's own"),
    ],
)
def test_validates_the_name(cli, tmp_path: Path, name: str, message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("new-plugin", str(tmp_path / "out"), "--name", name)
    assert result.status == 1
    assert message in result.err
    assert not (tmp_path / "out").exists()


def test_a_directory_name_that_cannot_be_a_name_asks_for_one(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("new-plugin", str(tmp_path / "3 Tools!"))
    assert result.status == 1 and "give one with --name" in result.err


def test_directory_names_are_normalised() -> None:
    assert plugin_names("matrixkit-a").entry_point == "a"
    assert plugin_names("harbour-tools").entry_point == "harbour-tools"
    files = plugin_files(plugin_names("matrixkit-my-tools"))
    assert "src/matrixkit_my_tools/instruments/my-tools.toml" in files


def _venv_bin(env: Path, name: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / name


@pytest.mark.slow
def test_scaffold_installs_lists_and_passes_its_own_tests(tmp_path: Path) -> None:
    """The contract of the scaffold: pip install DIR (with every part) → each part is listed by matrixkit;
    pytest in DIR passes, nothing skipped."""
    plugin = tmp_path / "matrixkit-harbour-tools"
    scaffold_plugin(plugin, parts=tuple(PARTS))
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = _venv_bin(env, "python")
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("MATRIXKIT_", "PYTHON", "VIRTUAL_ENV"))}
    clean_env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    clean_env["XDG_CACHE_HOME"] = str(tmp_path / "cache")

    def run(*cmd: str | Path, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(c) for c in cmd], cwd=cwd, env=clean_env, capture_output=True, text=True, timeout=900, check=False
        )
        assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        return done

    # The core from this checkout (not editable), then the plugin with its test extra, as its README says.
    run(python, "-m", "pip", "install", "--quiet", f"{ROOT}[testing]")
    run(python, "-m", "pip", "install", "--quiet", f"{plugin}[test]")
    matrixkit = _venv_bin(env, "matrixkit")
    tools = run(matrixkit, "tools", "--json")
    assert '"id": "harbour-tools"' in tools.stdout and '"plugin": "harbour-tools"' in tools.stdout
    plugins = run(matrixkit, "plugins").stdout
    assert any(line.split()[:2] == ["harbour-tools", "matrixkit-harbour-tools"] for line in plugins.splitlines())
    formats = run(matrixkit, "formats").stdout
    assert any(line.split()[:2] == ["harbour-tools-tsv", ".tsv"] for line in formats.splitlines()), formats
    rules = run(matrixkit, "rules").stdout
    assert any(line.startswith("harbour-tools-majority ") for line in rules.splitlines()), rules
    helped = run(matrixkit, "--help").stdout
    assert "harbour-tools-column" in helped
    shown = run(python, "-m", "matrixkit", "harbour-tools-column", "harbour-tools", "leading")
    assert "Community insight" in shown.stdout
    tests = run(python, "-m", "pytest", "-p", "no:cacheprovider", "-rs", cwd=plugin)
    assert " passed" in tests.stdout and "failed" not in tests.stdout
    # The exporter contract skips, saying so, the kinds the example exporter does not render; nothing else skips.
    skips = [line for line in tests.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("no exporter under test renders it" in line for line in skips), skips
