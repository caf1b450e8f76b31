"""``matrixkit new-plugin``: the generated distribution, name checks, and (slow) a real install and test run."""

from __future__ import annotations

import ast
import os
import subprocess
import tomllib
import venv
from pathlib import Path

import pytest

from matrixkit import __version__
from matrixkit._builtins.scaffold import plugin_files, plugin_names, scaffold_plugin
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
        "src/matrixkit_community_tools/instruments/community-tools.toml",
        "src/matrixkit_community_tools/py.typed",
        "tests/test_cli.py",
        "tests/test_contract.py",
    ]
    for line in made:
        assert line in result.out
    project = tomllib.loads((target / "pyproject.toml").read_text())
    assert project["project"]["name"] == "matrixkit-community-tools"
    assert project["project"]["entry-points"]["matrixkit"] == {"community-tools": "matrixkit_community_tools"}
    major, minor = __version__.split(".")[:2]
    assert project["project"]["dependencies"] == [f"matrixkit>={major}.{minor},<1"]
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/matrixkit_community_tools"]
    instrument = load_instrument(target / "src/matrixkit_community_tools/instruments/community-tools.toml")
    assert instrument.id == "community-tools"
    for source in target.rglob("*.py"):
        ast.parse(source.read_text(), filename=str(source))
    assert "$" not in "".join(p.read_text() for p in target.rglob("*") if p.is_file())


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
    files = plugin_files(plugin_names("matrixkit-my-tools"))
    assert "src/matrixkit_my_tools/instruments/my-tools.toml" in files


def _venv_bin(env: Path, name: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / name


@pytest.mark.slow
def test_scaffold_installs_lists_and_passes_its_own_tests(tmp_path: Path) -> None:
    """The contract of the scaffold: pip install DIR → instrument in ``matrixkit tools``; pytest in DIR passes."""
    plugin = tmp_path / "matrixkit-harbour-tools"
    scaffold_plugin(plugin)
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

    run(python, "-m", "pip", "install", "--quiet", f"{ROOT}[testing]", str(plugin))
    tools = run(_venv_bin(env, "matrixkit"), "tools", "--json")
    assert '"id": "harbour-tools"' in tools.stdout
    assert '"plugin": "harbour-tools"' in tools.stdout
    shown = run(python, "-m", "matrixkit", "show", "harbour-tools")
    assert "Community engagement" in shown.stdout
    tests = run(python, "-m", "pytest", "-p", "no:cacheprovider", cwd=plugin)
    assert " passed" in tests.stdout and "failed" not in tests.stdout and "skipped" not in tests.stdout
