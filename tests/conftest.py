"""Shared fixtures of the core tests. They use no installed plugin: registries are built from the built-ins
plus test plugins, so these tests pass with the core installed alone."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from matrixkit import hookimpl
from matrixkit.cli import Context, main
from matrixkit.config import Config
from matrixkit.registry import Registry

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_config(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's own matrixkit.toml or environment."""
    for name in (
        "MATRIXKIT_PATH",
        "MATRIXKIT_CONFIG",
        "MATRIXKIT_DISABLE_PLUGINS",
        "MATRIXKIT_LOAD_PLUGINS",
        "MATRIXKIT_DISABLE_INSTRUMENTS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def generic_file(tmp_path: Path) -> Path:
    """A copy of the six-level, twelve-domain test instrument."""
    target = tmp_path / "digital-maturity.toml"
    shutil.copy(DATA / "digital-maturity.toml", target)
    return target


class GenericToolsPlugin:
    """A test plugin registering the generic six-level instrument."""

    __name__ = "generic-tools"

    @hookimpl
    def matrixkit_register_instruments(self, register):  # type: ignore[no-untyped-def]
        register.instrument(DATA / "digital-maturity.toml")


@pytest.fixture
def registry() -> Registry:
    return Registry.for_plugins(GenericToolsPlugin())


@attrs.define
class CliResult:
    status: int
    out: str
    err: str


def run_in_process(argv: list[str], registry: Registry) -> CliResult:
    """Run the CLI in-process against ``registry`` and capture its output."""
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, context=Context(registry=registry, stdout=out, stderr=err))
    return CliResult(status, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(registry: Registry) -> Callable[..., CliResult]:
    """Run the CLI in-process against ``registry`` and capture its output."""

    def run(*argv: str, registry_: Registry | None = None) -> CliResult:
        return run_in_process(list(argv), registry_ or registry)

    return run


@pytest.fixture
def empty_config() -> Config:
    return Config()
