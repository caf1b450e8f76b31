"""Which plugins and instruments are active: ``matrixkit.toml`` and environment variables.

An organisation installs the plugins it wants and can still switch single plugins or instruments off. The
configuration file is the first found of:

1. the file named by ``MATRIXKIT_CONFIG`` (an error if it does not exist);
2. ``matrixkit.toml`` in the working directory;
3. ``matrixkit/matrixkit.toml`` in the user configuration directory (``$XDG_CONFIG_HOME`` or ``~/.config``;
   ``%APPDATA%`` on Windows).

Its shape::

    [plugins]
    disable = ["pit-c"]            # plugin names as listed by `matrixkit plugins`
    only = ["pit-a", "exporters"]  # optional allow-list: load no other external plugin

    [instruments]
    disable = ["pit-d-single-agency"]
    path = ["./local-tools"]       # directories of instrument TOML files, relative to this file

    [assess]
    ask = ["sector", "organisation"]   # attributes `matrixkit assess` asks for (default: sector, organisation, table)

Environment variables add to it: ``MATRIXKIT_DISABLE_PLUGINS`` and ``MATRIXKIT_DISABLE_INSTRUMENTS``
(comma-separated names, added to the lists above), ``MATRIXKIT_LOAD_PLUGINS`` (comma-separated allow-list
replacing ``only``; set but empty loads no external plugin) and ``MATRIXKIT_PATH`` (directories separated by
``os.pathsep``, searched before the configured ``path``).

Built-in plugins (the core's own) cannot be disabled. A disabled instrument is hidden from listings and cannot
be used directly, but remains available as the base of a variant (``extends``), so disabling a partnership tool
does not break its adaptations.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import attrs

from matrixkit.convert import structure
from matrixkit.errors import Problem, ValidationError
from matrixkit.format import locate_problems, read_toml

__all__ = ["Config", "find_config_file", "load_config"]


#: The attributes ``matrixkit assess`` asks for unless configured otherwise: what workshops split by.
DEFAULT_ASK: tuple[str, ...] = ("sector", "organisation", "table")


def _split(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


@attrs.frozen
class Config:
    """The effective configuration: where it came from and what it enables."""

    disabled_plugins: frozenset[str] = frozenset()
    only_plugins: frozenset[str] | None = None
    disabled_instruments: frozenset[str] = frozenset()
    instrument_path: tuple[Path, ...] = ()
    file: Path | None = None
    #: The attributes ``matrixkit assess`` asks for (``[assess] ask``).
    ask: tuple[str, ...] = DEFAULT_ASK

    def plugin_enabled(self, name: str) -> bool:
        if name in self.disabled_plugins:
            return False
        return self.only_plugins is None or name in self.only_plugins

    def why_disabled(self, name: str) -> str:
        source = str(self.file) if self.file else "environment"
        if name in self.disabled_plugins:
            return f"disabled by configuration ({source} or MATRIXKIT_DISABLE_PLUGINS)"
        return f"not in the allow-list ({source} [plugins].only or MATRIXKIT_LOAD_PLUGINS)"


def user_config_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if sys.platform == "win32":
        base = env.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / "matrixkit"
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "matrixkit"


def find_config_file(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    named = env.get("MATRIXKIT_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise ValidationError(Problem("MATRIXKIT_CONFIG names a file that does not exist", file=named))
        return path
    local = (cwd or Path.cwd()) / "matrixkit.toml"
    if local.is_file():
        return local
    user = user_config_dir(env) / "matrixkit.toml"
    return user if user.is_file() else None


@attrs.frozen
class _PluginsSection:
    disable: tuple[str, ...] = ()
    only: tuple[str, ...] | None = None


@attrs.frozen
class _InstrumentsSection:
    disable: tuple[str, ...] = ()
    path: tuple[str, ...] = ()


@attrs.frozen
class _AssessSection:
    ask: tuple[str, ...] = DEFAULT_ASK


@attrs.frozen
class _ConfigFile:
    plugins: _PluginsSection = attrs.field(factory=_PluginsSection)
    instruments: _InstrumentsSection = attrs.field(factory=_InstrumentsSection)
    assess: _AssessSection = attrs.field(factory=_AssessSection)


def _read_file(path: Path) -> _ConfigFile:
    name = str(path)
    doc, text = read_toml(path)
    try:
        return structure(doc, _ConfigFile)
    except ValidationError as exc:
        raise locate_problems(exc.problems, name, text) from None


def load_config(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Config:
    """The configuration from the config file (if any) and the environment."""
    env = os.environ if environ is None else environ
    file = find_config_file(env, cwd)
    data = _read_file(file) if file else _ConfigFile()
    plugins, instruments = data.plugins, data.instruments
    only: frozenset[str] | None = frozenset(plugins.only) if plugins.only is not None else None
    if "MATRIXKIT_LOAD_PLUGINS" in env:
        only = frozenset(_split(env["MATRIXKIT_LOAD_PLUGINS"]))
    path: list[Path] = [Path(p) for p in env.get("MATRIXKIT_PATH", "").split(os.pathsep) if p.strip()]
    if file is not None:
        path += [(file.parent / p) for p in instruments.path]
    return Config(
        disabled_plugins=frozenset(plugins.disable) | frozenset(_split(env.get("MATRIXKIT_DISABLE_PLUGINS"))),
        only_plugins=only,
        disabled_instruments=frozenset(instruments.disable)
        | frozenset(_split(env.get("MATRIXKIT_DISABLE_INSTRUMENTS"))),
        instrument_path=tuple(path),
        file=file,
        ask=tuple(name.strip().lower() for name in data.assess.ask if name.strip()),
    )
