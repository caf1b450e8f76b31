"""A pytest plugin with fixtures for testing matrixkit plugins. Opt in from a test module or ``conftest.py``::

    pytest_plugins = ["matrixkit.testing.pytest_plugin"]

It is not registered globally (no ``pytest11`` entry point): installing matrixkit changes no one's test run.

Fixtures:

``matrixkit_isolated`` (autouse once enabled)
    removes the ``MATRIXKIT_*`` environment variables and points the user configuration directory at an empty
    temporary folder, so that a developer's own ``matrixkit.toml`` or ``MATRIXKIT_PATH`` cannot change a test.
``matrixkit_cli``
    runs the ``matrixkit`` command line in-process and returns a :class:`~matrixkit.testing.contract.CliResult`
    (``status``, ``out``, ``err``); pass ``registry=`` to run it against a registry of your choosing.
``matrixkit_registry``
    a factory: ``matrixkit_registry(*plugins, distributions=[...])`` builds a registry of the core's built-ins
    plus exactly those plugins (:func:`~matrixkit.testing.contract.plugin_registry`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from matrixkit.registry import Registry, reset_registry
from matrixkit.testing.contract import CliResult, plugin_registry, run_cli

__all__ = ["matrixkit_cli", "matrixkit_isolated", "matrixkit_registry"]

_VARIABLES = (
    "MATRIXKIT_PATH",
    "MATRIXKIT_CONFIG",
    "MATRIXKIT_DISABLE_PLUGINS",
    "MATRIXKIT_LOAD_PLUGINS",
    "MATRIXKIT_DISABLE_INSTRUMENTS",
)


@pytest.fixture(autouse=True)
def matrixkit_isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's matrixkit configuration or ``MATRIXKIT_*`` variables."""
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("matrixkit-config")))
    monkeypatch.setenv("APPDATA", str(tmp_path_factory.mktemp("matrixkit-appdata")))
    reset_registry()


@pytest.fixture
def matrixkit_cli() -> Callable[..., CliResult]:
    """Run ``matrixkit ARGS...`` in-process: ``matrixkit_cli("tools", "--json", registry=...)``."""

    def run(*argv: str, registry: Registry | None = None) -> CliResult:
        return run_cli(argv, registry=registry)

    return run


@pytest.fixture
def matrixkit_registry() -> Callable[..., Registry]:
    """Build a registry of the built-ins plus the given plugin objects and installed distributions."""

    def build(*plugins: object, distributions: Sequence[str] = ()) -> Registry:
        return plugin_registry(*plugins, distributions=distributions)

    return build
