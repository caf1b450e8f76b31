"""Plugin discovery, registration, duplicates, configuration and MATRIXKIT_PATH."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from matrixkit import hookimpl
from matrixkit.config import Config, load_config
from matrixkit.errors import MatrixkitError, RegistryError, UnknownNameError, ValidationError
from matrixkit.registry import Registry, get_plugin_manager

from .conftest import DATA, GenericToolsPlugin

VARIANT = """\
format = 1
id = "{id}"
extends = "{base}"
title = "Variant {id}"
"""


def make_distribution(root: Path, dist: str, module: str, entry_name: str, body: str) -> None:
    """An installed distribution, as importlib.metadata sees one: a module and a dist-info with entry points."""
    (root / f"{module}.py").write_text(textwrap.dedent(body))
    info = root / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[matrixkit]\n{entry_name} = {module}\n")


PLUGIN_BODY = """
    from pathlib import Path
    from matrixkit import hookimpl

    @hookimpl
    def matrixkit_register_instruments(register):
        register.instrument(Path({path!r}))
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    yield root
    for name in [m for m in sys.modules if m.startswith("mk_test_")]:
        del sys.modules[name]


def test_discovers_plugins_through_installed_entry_points(site: Path) -> None:
    make_distribution(
        site,
        "mk-test-tools",
        "mk_test_tools",
        "test-tools",
        PLUGIN_BODY.format(path=str(DATA / "digital-maturity.toml")),
    )
    registry = Registry(get_plugin_manager(config=Config()), Config())
    assert "digital-maturity" in registry.instruments.ids()
    entry = registry.instruments.entry("digital-maturity")
    assert entry.plugin.name == "test-tools"
    assert entry.plugin.distribution == "mk-test-tools"
    assert registry.instrument("digital-maturity").title == "Digital maturity self-assessment"


def test_two_distributions_with_the_same_entry_point_name(site: Path) -> None:
    body = PLUGIN_BODY.format(path=str(DATA / "digital-maturity.toml"))
    make_distribution(site, "mk-test-one", "mk_test_one", "same-name", body)
    make_distribution(site, "mk-test-two", "mk_test_two", "same-name", body)
    with pytest.raises(
        RegistryError, match=r"two plugins are named 'same-name'.*mk-test-one.*mk-test-two|mk-test-two.*mk-test-one"
    ):
        get_plugin_manager(config=Config())


def test_duplicate_instrument_ids_name_both_plugins() -> None:
    class Again:
        __name__ = "again"

        @hookimpl
        def matrixkit_register_instruments(self, register):  # type: ignore[no-untyped-def]
            register.instrument(DATA / "digital-maturity.toml")

    registry = Registry.for_plugins(GenericToolsPlugin(), Again())
    with pytest.raises(RegistryError) as info:
        registry.instruments  # noqa: B018
    message = str(info.value)
    assert "instrument 'digital-maturity' is registered twice" in message
    assert "plugin 'generic-tools'" in message and "plugin 'again'" in message


def test_duplicate_rule_names_name_both_plugins() -> None:
    class Rule:
        name = "same"
        description = "a rule"

        def suggest(self, tally, instrument):  # type: ignore[no-untyped-def]
            return None

    def plugin(label: str) -> object:
        class P:
            __name__ = label

            @hookimpl
            def matrixkit_register_rules(self, register):  # type: ignore[no-untyped-def]
                register.rule(Rule())

        return P()

    registry = Registry.for_plugins(plugin("first"), plugin("second"))
    with pytest.raises(
        RegistryError, match=r"consensus rule 'same' is registered twice: by plugin 'first'.* by plugin 'second'"
    ):
        registry.rules  # noqa: B018


def test_a_misspelled_hook_fails_loudly() -> None:
    class Typo:
        __name__ = "typo"

        @hookimpl
        def matrixkit_register_instrument(self, register):  # type: ignore[no-untyped-def]
            pass

    with pytest.raises(Exception, match="matrixkit_register_instrument"):
        Registry.for_plugins(Typo())


def test_a_plugin_that_fails_while_registering_is_named() -> None:
    class Broken:
        __name__ = "broken"

        @hookimpl
        def matrixkit_register_exporters(self, register):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    with pytest.raises(
        RegistryError, match=r"plugin 'broken' failed in matrixkit_register_exporters: RuntimeError: boom"
    ):
        Registry.for_plugins(Broken()).exporters  # noqa: B018


def test_instrument_objects_and_variants_across_plugins(tmp_path: Path) -> None:
    variant = tmp_path / "local.toml"
    variant.write_text(VARIANT.format(id="local", base="digital-maturity"))

    class Variants:
        __name__ = "variants"

        @hookimpl
        def matrixkit_register_instruments(self, register):  # type: ignore[no-untyped-def]
            register.instrument(variant)

    registry = Registry.for_plugins(Variants(), GenericToolsPlugin())
    local = registry.instrument("local")
    assert local.based_on == "digital-maturity"
    assert local.domain_keys == registry.instrument("digital-maturity").domain_keys


def test_variant_cycle_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(VARIANT.format(id="cyc-a", base="cyc-b"))
    (tmp_path / "b.toml").write_text(VARIANT.format(id="cyc-b", base="cyc-a"))
    registry = Registry.for_plugins(config=Config(instrument_path=(tmp_path,)))
    with pytest.raises(ValidationError, match=r"variants extend each other in a cycle: cyc-a -> cyc-b -> cyc-a"):
        registry.instrument("cyc-a")


def test_unknown_instrument_lists_the_known_ones(registry: Registry) -> None:
    with pytest.raises(UnknownNameError, match=r"unknown instrument 'nope' \(known: digital-maturity\)"):
        registry.instrument("nope")


# -- MATRIXKIT_PATH ---------------------------------------------------------------------------------


def test_matrixkit_path_with_one_good_and_one_broken_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good, other = tmp_path / "good", tmp_path / "other"
    good.mkdir()
    other.mkdir()
    (good / "digital-maturity.toml").write_text((DATA / "digital-maturity.toml").read_text())
    (good / "broken.toml").write_text('format = 1\nid = "broken"\ntitle = "Broken"\nversion = "1"\nlevels = 3\n')
    (other / "syntax.toml").write_text("format = 1\nid = \n")
    (other / "notes.txt").write_text("not an instrument")
    monkeypatch.setenv("MATRIXKIT_PATH", f"{good}{__import__('os').pathsep}{other}")
    config = load_config()
    registry = Registry.for_plugins(config=config)
    instruments = [inst.id for inst in registry.instruments]
    assert instruments == ["digital-maturity"]
    problems = [str(p) for p in registry.instruments.problems]
    assert any(p.startswith(f"{good / 'broken.toml'}") and "levels" in p for p in problems), problems
    assert any(p.startswith(f"{other / 'syntax.toml'}:2") for p in problems), problems
    assert registry.instruments.entry("digital-maturity").plugin.name == "MATRIXKIT_PATH"


def test_matrixkit_path_directory_that_does_not_exist(tmp_path: Path) -> None:
    registry = Registry.for_plugins(config=Config(instrument_path=(tmp_path / "missing",)))
    assert list(registry.instruments) == []
    assert "not a directory" in str(registry.instruments.problems[0])


# -- configuration ----------------------------------------------------------------------------------


def test_config_file_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "matrixkit.toml").write_text(
        '[plugins]\ndisable = ["pit-c"]\n[instruments]\ndisable = ["x"]\npath = ["tools"]\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MATRIXKIT_DISABLE_PLUGINS", "other, more")
    config = load_config()
    assert config.file == tmp_path / "matrixkit.toml"
    assert config.disabled_plugins == {"pit-c", "other", "more"}
    assert config.disabled_instruments == {"x"}
    assert config.instrument_path == (tmp_path / "tools",)
    assert not config.plugin_enabled("pit-c") and config.plugin_enabled("pit-a")


def test_allow_list_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MATRIXKIT_LOAD_PLUGINS", "pit-a")
    config = load_config()
    assert config.plugin_enabled("pit-a") and not config.plugin_enabled("exporters")
    monkeypatch.setenv("MATRIXKIT_LOAD_PLUGINS", "")
    assert not load_config().plugin_enabled("pit-a")


def test_bad_config_file_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "matrixkit.toml").write_text('[plugins]\ndisabled = ["x"]\n[colours]\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError) as info:
        load_config()
    text = str(info.value)
    assert "matrixkit.toml: plugins.disabled: unknown key (expected: disable, only)" in text
    assert "unknown section [colours]" in text


def test_missing_named_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MATRIXKIT_CONFIG", str(tmp_path / "none.toml"))
    with pytest.raises(ValidationError, match="MATRIXKIT_CONFIG names a file that does not exist"):
        load_config()


def test_disabled_plugin_is_not_loaded(site: Path) -> None:
    make_distribution(
        site, "mk-test-off", "mk_test_off", "off-tools", PLUGIN_BODY.format(path=str(DATA / "digital-maturity.toml"))
    )
    registry = Registry(get_plugin_manager(config=Config(disabled_plugins=frozenset({"off-tools"}))), Config())
    assert "digital-maturity" not in registry.instruments.ids()
    assert "off-tools" in registry.blocked_plugins()
    assert "mk_test_off" not in sys.modules


def test_disabled_instrument_is_hidden_but_still_a_base(tmp_path: Path) -> None:
    (tmp_path / "local.toml").write_text(VARIANT.format(id="local", base="digital-maturity"))
    config = Config(disabled_instruments=frozenset({"digital-maturity"}), instrument_path=(tmp_path,))
    registry = Registry.for_plugins(GenericToolsPlugin(), config=config)
    assert registry.instruments.ids() == ["local"]
    with pytest.raises(MatrixkitError, match="disabled by configuration"):
        registry.instrument("digital-maturity")
    assert registry.instrument("local").based_on == "digital-maturity"


def test_a_plugin_that_cannot_be_imported_is_reported_and_skipped(site: Path) -> None:
    make_distribution(
        site, "mk-test-ok", "mk_test_ok", "ok-tools", PLUGIN_BODY.format(path=str(DATA / "digital-maturity.toml"))
    )
    make_distribution(site, "mk-test-bad", "mk_test_bad", "bad-tools", "import mk_test_no_such_module\n")
    registry = Registry(get_plugin_manager(config=Config()), Config())
    assert "digital-maturity" in registry.instruments.ids()
    [problem] = [p for p in registry.plugin_problems() if "bad-tools" in p]
    assert "could not be loaded: ModuleNotFoundError" in problem
    assert "MATRIXKIT_DISABLE_PLUGINS=bad-tools" in problem


def test_user_config_dir_follows_the_given_environment(tmp_path: Path) -> None:
    folder = tmp_path / "xdg" / "matrixkit"
    folder.mkdir(parents=True)
    (folder / "matrixkit.toml").write_text('[instruments]\ndisable = ["quiet"]\n')
    config = load_config(environ={"XDG_CONFIG_HOME": str(tmp_path / "xdg")}, cwd=tmp_path)
    assert config.disabled_instruments == {"quiet"}
