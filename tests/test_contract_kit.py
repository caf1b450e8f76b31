"""The contract test kit: it passes on the core's own built-ins and catches broken plugins."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import ClassVar

import attrs
import pytest

from matrixkit import hookimpl
from matrixkit.collation import Tally
from matrixkit.exporting import Exporter
from matrixkit.exporting import render_as as render
from matrixkit.format import loads_instrument
from matrixkit.model import Instrument
from matrixkit.rules import lower_median
from matrixkit.testing.contract import (
    PROBE,
    ContractError,
    ExporterContract,
    InstrumentContract,
    RuleContract,
    check_exporter_description,
    check_exporter_escapes,
    check_exporter_writes_atomically,
    check_instrument,
    check_registered_instruments,
    check_rule_description,
    check_rule_suggestion,
    distribution_plugins,
    example_subject,
    plugin_registry,
    probe_instrument,
    run_cli,
)

DATA = Path(__file__).parent / "data"

TWO_LEVELS = inspect.cleandoc(
    """
    format = 1
    id = "tiny"
    title = "Tiny"
    version = "1.0"

    [[levels]]
    key = "low"
    label = "Low"
    score = 1

    [[levels]]
    key = "high"
    label = "High"
    score = 2

    [[domains]]
    key = "only"
    title = "Only"
    descriptors = ["Not yet", "Done"]
    """
)


class GenericTools:
    __name__ = "generic-tools"

    @hookimpl
    def matrixkit_register_instruments(self, register):  # type: ignore[no-untyped-def]
        register.instrument(DATA / "digital-maturity.toml")


# -- the kit applied to the core's own things (these run as part of the core's tests) -----------------


class TestBuiltinExporters(ExporterContract):
    include_builtin = True


class TestGenericInstrument(InstrumentContract):
    plugins = (GenericTools(),)
    expected_ids = ("digital-maturity",)


def test_text_sheet_with_a_level_label_wider_than_the_terminal() -> None:
    """Found by the contract kit's hostile-text probe: descriptors were wrapped to a negative width."""
    from matrixkit.text import render_matrix

    instrument = loads_instrument(TWO_LEVELS.replace('label = "Low"', f'label = "{"Low " * 30}"'))
    assert "Not yet" in render_matrix(instrument, width=80)


# -- the kit catches what is broken ----------------------------------------------------------------------


def _variant_plugin(tmp_path: Path, base: str) -> object:
    (tmp_path / "variant.toml").write_text(
        f'format = 1\nid = "tiny-local"\nextends = "{base}"\ntitle = "Tiny, adapted"\n', encoding="utf-8"
    )

    class Variants:
        __name__ = "variants"

        @hookimpl
        def matrixkit_register_instruments(self, register):  # type: ignore[no-untyped-def]
            register.instrument(tmp_path / "variant.toml")

    return Variants()


def test_a_variant_of_an_unregistered_base_fails(tmp_path: Path) -> None:
    registry = plugin_registry(_variant_plugin(tmp_path, "not-installed"))
    with pytest.raises(ContractError, match="unknown base instrument 'not-installed'"):
        check_registered_instruments(registry)


def test_a_variant_resolves_when_its_base_is_registered(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "tiny.toml").write_text(TWO_LEVELS, encoding="utf-8")

    class Base:
        __name__ = "base"

        @hookimpl
        def matrixkit_register_instruments(self, register):  # type: ignore[no-untyped-def]
            register.directory(tmp_path / "base")

    variants = _variant_plugin(tmp_path, "tiny")
    checked = check_registered_instruments(plugin_registry(Base(), variants), plugin_names=["variants"])
    assert [i.id for i in checked] == ["tiny-local"]
    assert checked[0].based_on == "tiny"


def test_a_broken_file_fails_with_its_location(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(TWO_LEVELS.replace('["Not yet", "Done"]', '["Only one"]'))

    class Broken:
        __name__ = "broken"

        @hookimpl
        def matrixkit_register_instruments(self, register):  # type: ignore[no-untyped-def]
            register.instrument(tmp_path / "broken.toml")

    with pytest.raises(ContractError, match=r"broken\.toml.*1 descriptors for 2 levels"):
        check_registered_instruments(plugin_registry(Broken()))


def test_an_instrument_that_does_not_round_trip_fails() -> None:
    @attrs.frozen
    class Odd(Instrument):
        pass

    good = loads_instrument(TWO_LEVELS)
    odd = Odd(**{f.name: getattr(good, f.name) for f in attrs.fields(Instrument)})
    with pytest.raises(ContractError, match="round trip changed it"):
        check_instrument(odd)
    check_instrument(good)


def test_a_missing_distribution_is_reported() -> None:
    with pytest.raises(ContractError, match="is not installed"):
        distribution_plugins("matrixkit-no-such-distribution")


def test_a_distribution_without_entry_points_is_reported() -> None:
    with pytest.raises(ContractError, match="declares no entry point"):
        distribution_plugins("attrs")


def test_a_contract_class_must_name_its_plugin() -> None:
    class TestNothing(InstrumentContract):
        pass

    with pytest.raises(ContractError, match="set 'distribution'"):
        TestNothing().test_registers_instruments()


def test_a_plugin_without_instruments_fails_the_instrument_contract() -> None:
    class Empty:
        __name__ = "empty"

    class TestEmpty(InstrumentContract):
        plugins = (Empty(),)

    with pytest.raises(ContractError, match="registers no instrument"):
        TestEmpty().test_registers_instruments()


class CarelessHtml(Exporter):
    """Writes titles into HTML without escaping them."""

    name = "careless-html"
    extension = ".html"
    media_type = "text/html"
    description = "HTML that forgets to escape"
    kinds: ClassVar[frozenset[str]] = frozenset({"sheet"})

    def render_sheet(self, instrument: Instrument) -> bytes:
        return f"<html><body><h1>{instrument.title}</h1></body></html>".encode()


class CarefulHtml(CarelessHtml):
    name = "careful-html"
    description = "HTML that escapes"

    def render_sheet(self, instrument: Instrument) -> bytes:
        import html

        return f"<html><body><h1>{html.escape(instrument.title)}</h1></body></html>".encode()


class FormulaCsv(Exporter):
    name = "formula-csv"
    extension = ".csv"
    media_type = "text/csv"
    description = "CSV that lets formulas through"
    kinds: ClassVar[frozenset[str]] = frozenset({"sheet"})

    def render_sheet(self, instrument: Instrument) -> bytes:
        return "".join(f'"{d.title}",{len(d.descriptors)}\n' for d in instrument.domains).encode()


class FileWriter(CarefulHtml):
    name = "file-writer"

    def render_sheet(self, instrument: Instrument) -> bytes:
        data = super().render_sheet(instrument)
        Path("side-effect.html").write_bytes(data)
        return data


def test_unescaped_html_is_caught() -> None:
    probed = probe_instrument(loads_instrument(TWO_LEVELS))
    assert PROBE in probed.title and all(PROBE in d for d in probed.domains[0].descriptors)
    with pytest.raises(ContractError, match="unescaped"):
        check_exporter_escapes(CarelessHtml(), "sheet", probed)
    check_exporter_escapes(CarefulHtml(), "sheet", probed)


def test_csv_formulas_are_caught() -> None:
    instrument = loads_instrument(TWO_LEVELS)
    hostile = attrs.evolve(instrument, domains=[attrs.evolve(instrument.domains[0], title="=1+1")])
    with pytest.raises(ContractError, match="formula"):
        check_exporter_escapes(FormulaCsv(), "sheet", hostile)
    check_exporter_escapes(FormulaCsv(), "sheet", instrument)


def test_an_exporter_that_writes_files_itself_is_caught() -> None:
    with pytest.raises(ContractError, match="wrote files while rendering"):
        check_exporter_writes_atomically(FileWriter(), "sheet", loads_instrument(TWO_LEVELS))
    check_exporter_writes_atomically(CarefulHtml(), "sheet", loads_instrument(TWO_LEVELS))


def test_exporter_descriptions_are_checked() -> None:
    class Sloppy(Exporter):
        name = "Sloppy Format"
        extension = "txt"
        media_type = "text"
        description = ""
        kinds: ClassVar[frozenset[str]] = frozenset({"sheet", "poster"})

    with pytest.raises(ContractError) as info:
        check_exporter_description(Sloppy())
    message = str(info.value)
    for part in (
        "kebab-case 'name'",
        "an 'extension' like '.pdf'",
        "a 'media_type' like",
        "one-line 'description'",
        "poster",
    ):
        assert part in message
    assert "render_sheet() is not implemented" in message
    check_exporter_description(CarefulHtml())


def test_exporter_contract_fails_on_a_careless_plugin() -> None:
    class CarelessPlugin:
        __name__ = "careless"

        @hookimpl
        def matrixkit_register_exporters(self, register):  # type: ignore[no-untyped-def]
            register.exporter(CarelessHtml())

    class TestCareless(ExporterContract):
        plugins = (CarelessPlugin(),)
        max_examples = 5
        shrink = False

    assert [e.name for e in TestCareless.exporters()] == ["careless-html"]
    with pytest.raises(ContractError, match="unescaped"):
        TestCareless().test_sheets_escape_hostile_text()


def test_run_cli_captures_output_and_status() -> None:
    registry = plugin_registry(GenericTools())
    listed = run_cli(["tools"], registry=registry)
    assert listed.status == 0 and "digital-maturity" in listed.out
    missing = run_cli(["show", "no-such-tool"], registry=registry)
    assert missing.status == 1 and "unknown instrument 'no-such-tool'" in missing.err
    assert run_cli(["--version"], registry=registry).status == 0


class TestBuiltinRules(RuleContract):
    include_builtin = True


class Stubborn:
    """Always proposes the top level: outside the answers, and not unanimity's level."""

    name = "stubborn"
    description = "always the top level"

    def suggest(self, tally, instrument):  # type: ignore[no-untyped-def]
        return len(instrument.levels) - 1


class Coin:
    """Proposes nothing when people agree."""

    name = "coin"
    description = "nothing when everyone agrees"

    def suggest(self, tally, instrument):  # type: ignore[no-untyped-def]
        return None if sum(1 for n in tally.counts if n) == 1 else lower_median(tally)


def test_a_rule_outside_the_answers_is_caught() -> None:
    instrument = loads_instrument(TWO_LEVELS)
    with pytest.raises(ContractError, match="outside the answers given"):
        check_rule_suggestion(Stubborn(), Tally((3, 0), 0), instrument)  # type: ignore[arg-type]
    with pytest.raises(ContractError, match="although no one answered"):
        check_rule_suggestion(Stubborn(), Tally((0, 0), 2), instrument)  # type: ignore[arg-type]
    assert check_rule_suggestion(Stubborn(), Tally((1, 1), 0), instrument) == 1  # type: ignore[arg-type]


def test_a_rule_ignoring_unanimity_is_caught() -> None:
    with pytest.raises(ContractError, match="everyone who answered chose level 1"):
        check_rule_suggestion(Coin(), Tally((0, 4), 1), loads_instrument(TWO_LEVELS))  # type: ignore[arg-type]


def test_rule_contract_fails_on_a_bad_plugin() -> None:
    class Bad:
        __name__ = "bad-rules"

        @hookimpl
        def matrixkit_register_rules(self, register):  # type: ignore[no-untyped-def]
            register.rule(Coin())

    class TestBad(RuleContract):
        plugins = (Bad(),)
        max_examples = 30
        shrink = False

    assert [r.name for r in TestBad.rules()] == ["coin"]
    TestBad().test_rules_describe_themselves()
    with pytest.raises(ContractError, match="everyone who answered"):
        TestBad().test_unanimity_gives_that_level()


def test_rule_descriptions_are_checked() -> None:
    class Nameless:
        name = "Two Words"
        description = "line one\nline two"

    with pytest.raises(ContractError) as info:
        check_rule_description(Nameless())  # type: ignore[arg-type]
    message = str(info.value)
    assert "kebab-case" in message and "one-line 'description'" in message and "a method 'suggest'" in message


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report"])
def test_example_subjects_render_in_the_core_formats(kind: str) -> None:
    from matrixkit._builtins.formats import JsonExporter

    data = render(JsonExporter(), kind, example_subject(kind))
    assert b"contract-check" in data or b"Contract" in data


class CarelessReports(CarelessHtml):
    name = "careless-reports"
    kinds: ClassVar[frozenset[str]] = frozenset({"collation", "report"})

    def render_collation(self, report):  # type: ignore[no-untyped-def]
        rows = "".join(f"<tr><td>{name}</td></tr>" for name in report.groups)
        return f"<table>{rows}</table>".encode()

    def render_report(self, report):  # type: ignore[no-untyped-def]
        import html

        actions = "".join(f"<li>{a.what}</li>" for a in report.actions)
        return f"<h1>{html.escape(report.title)}</h1><ul>{actions}</ul>".encode()


def test_hostile_sector_names_and_actions_are_probed() -> None:
    class Plugin:
        __name__ = "careless-reports"

        @hookimpl
        def matrixkit_register_exporters(self, register):  # type: ignore[no-untyped-def]
            register.exporter(CarelessReports())

    class TestCarelessReports(ExporterContract):
        plugins = (Plugin(),)
        max_examples = 40
        shrink = False

    with pytest.raises(ContractError, match="unescaped"):
        TestCarelessReports().test_collations_escape_hostile_text()
    with pytest.raises(ContractError, match="unescaped"):
        TestCarelessReports().test_workshop_reports_escape_hostile_text()
    TestCarelessReports().test_renders_any_collation()
