"""The opt-in pytest plugin of the contract kit, run in a separate pytest session (pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TEST_MODULE = '''
import os
from pathlib import Path

from matrixkit import hookimpl

pytest_plugins = ["matrixkit.testing.pytest_plugin"]

TOML = """format = 1
id = "tiny"
title = "Tiny"
version = "1.0"
levels = [{key = "low", label = "Low", score = 1}, {key = "high", label = "High", score = 2}]
domains = [{key = "only", title = "Only", descriptors = ["Not yet", "Done"]}]
"""


class Tiny:
    __name__ = "tiny-tools"

    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def matrixkit_register_instruments(self, register):
        register.directory(self.folder)


def test_environment_is_isolated():
    assert not any(name.startswith("MATRIXKIT_") for name in os.environ)
    assert Path(os.environ["XDG_CONFIG_HOME"]).is_dir()
    assert not any(Path(os.environ["XDG_CONFIG_HOME"]).iterdir())


def test_cli_and_registry_fixtures(matrixkit_cli, matrixkit_registry, tmp_path):
    (tmp_path / "tiny.toml").write_text(TOML)
    registry = matrixkit_registry(Tiny(tmp_path))
    listed = matrixkit_cli("tools", "--json", registry=registry)
    assert listed.status == 0 and '"id": "tiny"' in listed.out
    failed = matrixkit_cli("show", "nope", registry=registry)
    assert failed.status == 1 and "unknown instrument 'nope'" in failed.err
'''


def test_the_plugin_isolates_and_provides_fixtures(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATRIXKIT_DISABLE_PLUGINS", "everything")
    monkeypatch.setenv("MATRIXKIT_PATH", "/nowhere")
    pytester.makepyfile(test_using_plugin=TEST_MODULE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_plugin_is_not_active_without_opting_in(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_without="def test_fixture_missing(matrixkit_cli):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'matrixkit_cli' not found*"])
