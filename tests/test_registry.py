"""Plugin discovery, registration, duplicates, configuration and MATRIXKIT_PATH."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from matrixkit import hookimpl
from matrixkit.config import Config, load_config
from matrixkit.errors import MatrixkitError, PluginError, RegistryError, UnknownNameError, ValidationError
from matrixkit.registry import Deferred, PluginHost, Registry, load

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
    registry = Registry(PluginHost(config=Config()))
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
        PluginHost(config=Config())


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
        RegistryError, match=r"consensus rule 'same' is registered twice: by plugin '(first|second)' and by plugin"
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
        PluginError,
        match=r"plugin 'broken' failed while running its hook matrixkit_register_exporters: RuntimeError: boom",
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
    assert "matrixkit.toml:2: plugins.disabled: unknown key (expected one of: disable, only)" in text
    assert "matrixkit.toml:3: colours: unknown key (expected one of: assess, instruments, plugins)" in text


def test_missing_named_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MATRIXKIT_CONFIG", str(tmp_path / "none.toml"))
    with pytest.raises(ValidationError, match="MATRIXKIT_CONFIG names a file that does not exist"):
        load_config()


def test_disabled_plugin_is_not_loaded(site: Path) -> None:
    make_distribution(
        site, "mk-test-off", "mk_test_off", "off-tools", PLUGIN_BODY.format(path=str(DATA / "digital-maturity.toml"))
    )
    registry = Registry(PluginHost(config=Config(disabled_plugins=frozenset({"off-tools"}))))
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
    registry = Registry(PluginHost(config=Config()))
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


# -- the plugin host ---------------------------------------------------------------------------------


class _Exporter:
    name = "shout"
    extension = ".shout"
    media_type = "text/plain"
    description = "Everything in capitals"
    kinds = frozenset({"sheet"})

    def availability(self) -> None:
        return None

    def render_sheet(self, instrument):  # type: ignore[no-untyped-def]
        return instrument.title.upper().encode()


def test_hooks_are_called_through_pluggy_wrappers_and_tracing_included() -> None:
    seen: list[str] = []

    class Wrapping:
        __name__ = "wrapping"

        @hookimpl(wrapper=True)
        def matrixkit_register_exporters(self, register):  # type: ignore[no-untyped-def]
            seen.append("before")
            result = yield
            seen.append("after")
            return result

    class Plain:
        __name__ = "plain"

        @hookimpl
        def matrixkit_register_exporters(self, register):  # type: ignore[no-untyped-def]
            seen.append("plain")
            register.exporter(_Exporter())

    registry = Registry.for_plugins(Wrapping(), Plain())
    traced: list[str] = []
    registry.pm.trace.root.setwriter(traced.append)
    registry.pm.enable_tracing()
    assert registry.exporters["shout"].plugin.name == "plain"
    assert seen == ["before", "plain", "after"]
    assert any("matrixkit_register_exporters" in line for line in traced)


def test_hook_arguments_are_passed_by_name() -> None:
    class NoArguments:
        __name__ = "no-arguments"

        @hookimpl
        def matrixkit_register_rules(self):  # type: ignore[no-untyped-def]
            return None

    registry = Registry.for_plugins(NoArguments())
    assert "median" in registry.rules


def test_a_bad_object_is_refused_naming_its_plugin_and_the_rest_keeps_working() -> None:
    class NoMediaType(_Exporter):
        name = "broken"
        media_type = None  # type: ignore[assignment]

    class Bad:
        __name__ = "bad-exporters"

        @hookimpl
        def matrixkit_register_exporters(self, register):  # type: ignore[no-untyped-def]
            register.exporter(NoMediaType())
            register.exporter(_Exporter())

    registry = Registry.for_plugins(Bad())
    assert sorted(registry.exporters) == ["json", "shout", "text", "toml"]
    [problem] = registry.plugin_problems()
    assert "plugin 'bad-exporters' registered exporter 'broken', which was refused" in problem
    assert "needs a 'media_type'" in problem


def test_a_rule_that_raises_is_reported_naming_its_plugin(registry: Registry) -> None:
    class Failing:
        name = "failing"
        description = "always fails"

        def suggest(self, tally, instrument):  # type: ignore[no-untyped-def]
            raise ZeroDivisionError("oops")

    class Rules:
        __name__ = "failing-rules"

        @hookimpl
        def matrixkit_register_rules(self, register):  # type: ignore[no-untyped-def]
            register.rule(Failing())

    from matrixkit.collation import Tally

    rule = Registry.for_plugins(Rules()).rule("failing")
    instrument = registry.instrument("digital-maturity")
    with pytest.raises(PluginError, match=r"plugin 'failing-rules' failed while suggesting a level.*ZeroDivisionError"):
        rule.suggest(Tally.of([1, 2], len(instrument.levels)), instrument)


def test_the_registry_is_safe_under_concurrent_first_use() -> None:
    from concurrent.futures import ThreadPoolExecutor

    registry = Registry.for_plugins(GenericToolsPlugin())
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: registry.instrument("digital-maturity").id, range(32)))
    assert found == ["digital-maturity"] * 32
    assert registry.instruments.problems == []


def test_a_variant_whose_base_comes_from_a_disabled_plugin_says_so(site: Path, tmp_path: Path) -> None:
    make_distribution(
        site, "mk-test-base", "mk_test_base", "base-tools", PLUGIN_BODY.format(path=str(DATA / "digital-maturity.toml"))
    )
    (tmp_path / "local.toml").write_text(VARIANT.format(id="local", base="digital-maturity"))
    config = Config(disabled_plugins=frozenset({"base-tools"}), instrument_path=(tmp_path,))
    registry = Registry(PluginHost(config=config))
    with pytest.raises(ValidationError, match=r"plugins disabled by configuration: base-tools"):
        registry.instrument("local")


def test_a_variant_with_its_base_id_gets_the_same_message_from_validate_and_show(tmp_path: Path) -> None:
    from .conftest import run_in_process

    (tmp_path / "self.toml").write_text(VARIANT.format(id="digital-maturity", base="digital-maturity"))
    config = Config(instrument_path=(tmp_path,))
    registry = Registry.for_plugins(GenericToolsPlugin(), config=config)
    message = "a variant needs its own id, not its base's ('digital-maturity')"
    assert any(message in str(p) for p in registry.instruments.problems)
    validated = run_in_process(["validate", str(tmp_path / "self.toml")], registry)
    assert validated.status == 1 and message in validated.out


def test_a_reader_whose_reading_raises_is_reported_naming_its_plugin(tmp_path: Path) -> None:
    from matrixkit import services
    from matrixkit.errors import ProblemLog

    class Broken:
        """A reading that fails part-way, as a plugin's bug would."""

        def __init__(self, path: str) -> None:
            self.name = path
            self.problems = ProblemLog()

        def blocks(self, sort_by=None):  # type: ignore[no-untyped-def]
            raise KeyError("column 7")
            yield

        def notes(self) -> list[str]:
            return []

    class Reader:
        name = "odd"
        extensions = (".odd",)
        description = "a reader that fails while reading"

        def read(self, path, instrument, options):  # type: ignore[no-untyped-def]
            return Broken(str(path))

    class Readers:
        __name__ = "odd-readers"

        @hookimpl
        def matrixkit_register_readers(self, register):  # type: ignore[no-untyped-def]
            register.reader(Reader())

    registry = Registry.for_plugins(GenericToolsPlugin(), Readers())
    instrument = registry.instrument("digital-maturity")
    (tmp_path / "answers.odd").write_text("whatever")
    for call in (
        lambda: services.read_responses(tmp_path / "answers.odd", instrument, registry),
        lambda: services.collate_inputs([str(tmp_path / "answers.odd")], instrument, registry),
    ):
        with pytest.raises(PluginError, match=r"plugin 'odd-readers' failed while reading .*answers\.odd.*KeyError"):
            call()


# -- deferred functions: what a command or a format needs, imported when it runs ------------------------------


def test_a_deferred_function_is_imported_when_called_and_a_bad_reference_refused_at_once() -> None:
    dumps = Deferred("json:dumps")
    assert dumps({"a": 1}) == '{"a": 1}'
    assert load("os.path:join") is __import__("os").path.join
    with pytest.raises(
        ValueError, match=re.escape("'json.dumps' is not a reference of the form 'package.module:name'")
    ):
        Deferred("json.dumps")
    missing = Deferred("matrixkit_no_such_module:run")  # a reference is not looked at until it is called
    with pytest.raises(ModuleNotFoundError):
        missing()


def test_a_command_whose_deferred_run_fails_to_import_is_reported_naming_its_plugin(
    cli,  # type: ignore[no-untyped-def]
) -> None:
    class Commands:
        __name__ = "lazy-commands"

        @hookimpl
        def matrixkit_register_commands(self, register):  # type: ignore[no-untyped-def]
            register.command("lazy", run=Deferred("matrixkit_no_such_module:run"), help="runs elsewhere")

    result = cli("lazy", registry_=Registry.for_plugins(Commands()))
    assert result.status != 0
    assert "plugin 'lazy-commands'" in result.err and "matrixkit_no_such_module" in result.err
    assert "internal error" not in result.err


def test_every_builtin_command_runs_a_function_that_exists(registry: Registry) -> None:
    builtin = {name: r.obj for name, r in registry.commands.items() if r.plugin.builtin}
    assert {"tools", "show", "validate", "collate", "report", "compare", "map", "assess", "score"} <= set(builtin)
    for name, command in builtin.items():
        run = load(command.run.reference) if isinstance(command.run, Deferred) else command.run
        assert callable(run), name
        inspect.signature(run).bind("args", "context")


def test_listing_instruments_imports_no_collation_report_or_reader_module() -> None:
    # What `matrixkit tools` needs is the registry and the instrument format: the modules that count, report and
    # read responses are imported when a command that uses them runs (start-up is measured in benchmarks/).
    code = (
        "import sys, io, contextlib\n"
        "from matrixkit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    status = main(['tools'])\n"
        "heavy = ['matrixkit.services', 'matrixkit.report', 'matrixkit.collation', 'matrixkit.io.wide',\n"
        "         'matrixkit.io.readers', 'matrixkit.io.collation_json', 'matrixkit.workshop']\n"
        "print(status, sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0 []", done.stdout + done.stderr
