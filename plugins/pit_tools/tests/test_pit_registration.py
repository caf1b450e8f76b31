"""Registration: each tool is its own plugin, so one tool can be switched off alone."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import matrixkit_pit_tools
import pytest
from matrixkit_pit_tools import INSTRUMENT_IDS, pcn, tool_a, tool_b, tool_c, tool_d

from matrixkit.config import Config, load_config
from matrixkit.registry import PluginHost, Registry

MODULES = {"pit-a": tool_a, "pit-b": tool_b, "pit-c": tool_c, "pit-d": tool_d, "pit-a-pcn-phm": pcn}
PLUGINS = tuple(INSTRUMENT_IDS)
ALL_IDS = tuple(ident for ids in INSTRUMENT_IDS.values() for ident in ids)
PCN = "pit-a-pcn-phm"


def test_each_entry_point_module_registers_its_own_files() -> None:
    assert set(PLUGINS) == set(MODULES)
    assert len(ALL_IDS) == len(set(ALL_IDS)) == 9
    for plugin, module in MODULES.items():
        registry = Registry.for_plugins(*(m for p, m in MODULES.items() if p == plugin or p == "pit-a"))
        expected = set(INSTRUMENT_IDS[plugin]) | set(INSTRUMENT_IDS["pit-a"])
        assert set(registry.instruments.ids()) == expected, module.__name__
        assert registry.instruments.problems == []


def test_all_instruments_load_through_the_registry() -> None:
    registry = Registry.for_plugins(*MODULES.values())
    assert sorted(registry.instruments.ids()) == sorted(ALL_IDS)
    for ident in ALL_IDS:
        assert registry.instrument(ident).id == ident
    assert registry.instrument(PCN).based_on == "pit-a"
    assert registry.instruments.problems == []


def test_instrument_files_ship_inside_the_package() -> None:
    folder = Path(matrixkit_pit_tools.__file__).parent / "instruments"
    assert sorted(p.stem for p in folder.glob("*.toml")) == sorted(ALL_IDS)


# -- through the installed distribution's entry points ---------------------------------------------------------


def _installed() -> None:
    try:
        dist = distribution("maturity-matrixkit-pit-tools")
    except PackageNotFoundError:  # pragma: no cover - depends on the environment
        pytest.skip("maturity-matrixkit-pit-tools is not installed (pip install -e plugins/pit_tools)")
    names = {ep.name: ep.value for ep in dist.entry_points if ep.group == "matrixkit"}
    # One entry point per tool, and one for the pit-profile command.
    assert names == {name: MODULES[name].__name__ for name in PLUGINS} | {"pit-profile": "matrixkit_pit_tools.command"}


def _loaded(config: Config) -> set[str]:
    """Ids of the instruments that load, with this package's entry points only (others' are not ours)."""
    registry = Registry(PluginHost(config=config))
    return {instrument.id for instrument in registry.instruments}


ONLY_OURS = frozenset(PLUGINS)


def test_all_tools_load_from_entry_points() -> None:
    _installed()
    assert _loaded(Config(only_plugins=ONLY_OURS)) == set(ALL_IDS)


@pytest.mark.parametrize("plugin", PLUGINS)
def test_disabling_one_tool_removes_it_and_only_it(plugin: str) -> None:
    _installed()
    everything = _loaded(Config(only_plugins=ONLY_OURS))
    remaining = _loaded(Config(only_plugins=ONLY_OURS, disabled_plugins=frozenset({plugin})))
    removed = set(INSTRUMENT_IDS[plugin])
    if plugin == "pit-a":
        # The PCN example extends pit-a: without the pit-a plugin its base is not registered at all.
        removed.add(PCN)
    assert everything - remaining == removed


@pytest.mark.parametrize("how", ["environment", "file"])
def test_disabling_by_configuration(how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _installed()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-user-config"))
    environ = {"MATRIXKIT_LOAD_PLUGINS": ",".join(PLUGINS)}
    if how == "environment":
        environ["MATRIXKIT_DISABLE_PLUGINS"] = "pit-c"
    else:
        (tmp_path / "matrixkit.toml").write_text('[plugins]\ndisable = ["pit-c"]\n', encoding="utf-8")
    config = load_config(environ=environ, cwd=tmp_path)
    assert _loaded(config) == set(ALL_IDS) - {"pit-c", "pit-c-single-agency"}


def test_disabling_only_an_instrument_keeps_its_variants() -> None:
    _installed()
    config = Config(only_plugins=ONLY_OURS, disabled_instruments=frozenset({"pit-a"}))
    registry = Registry(PluginHost(config=config))
    assert "pit-a" not in registry.instruments.ids()
    assert {i.id for i in registry.instruments} == set(ALL_IDS) - {"pit-a"}
    assert registry.instrument(PCN).based_on == "pit-a"
