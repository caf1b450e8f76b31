"""The contract test kit: checks that everything a plugin registers works with matrixkit.

A plugin package enables the checks by subclassing the contract classes in its own tests; pytest collects the
inherited ``test_*`` methods::

    # tests/test_contract.py of a plugin distribution
    from matrixkit.testing.contract import ExporterContract, InstrumentContract


    class TestInstruments(InstrumentContract):
        distribution = "matrixkit-my-tools"      # check what this installed distribution registers


    class TestExporters(ExporterContract):
        plugins = (my_package.exporters,)         # or name plugin modules directly

Each class builds a registry of the core's built-ins plus the plugin under test only (no other installed
plugin), so a passing contract does not depend on what else happens to be installed. Instruments that extend
an instrument of another distribution name it in :attr:`PluginContract.requires`.

The checks are also plain functions (:func:`check_instrument`, :func:`check_exporter`, ...) that raise
:class:`AssertionError` with a message naming the plugin and the thing that failed; use them from any test
framework. Requires ``maturity-matrixkit[testing]`` (pytest and hypothesis).
"""

from __future__ import annotations

import csv
import html.parser
import inspect
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from matrixkit.checks import exporter_problems, rule_problems
from matrixkit.cli import Context, main
from matrixkit.collation import Tally, collate
from matrixkit.exporting import KINDS, Exporter, render_as, write_atomic
from matrixkit.format import dump_instrument, instrument_from_document, instrument_to_dict, loads_instrument
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import (
    WorkshopReport,
    build_collation_report,
    build_comparison,
    build_record_sheet,
    build_workshop_report,
)
from matrixkit.responses import Response
from matrixkit.rules import ConsensusRule, LowerMedianRule
from matrixkit.testing import strategies
from matrixkit.workshop import Action, DomainDecision, WorkshopRecord

__all__ = [
    "PROBE",
    "CliResult",
    "ExporterContract",
    "InstrumentContract",
    "PluginContract",
    "RuleContract",
    "check_exporter_description",
    "check_exporter_escapes",
    "check_exporter_writes_atomically",
    "check_instrument",
    "check_registered_instruments",
    "check_rule_description",
    "check_rule_suggestion",
    "distribution_plugins",
    "example_subject",
    "exporter_subjects",
    "plugin_registry",
    "probe_instrument",
    "run_cli",
]

#: Hostile text that must never reach an HTML, SVG or XML output as markup. An exporter that escapes its input
#: shows it as text; one that does not produces an element carrying the ``data-matrixkit-probe`` attribute.
PROBE = '<b data-matrixkit-probe="1">probe</b><script>alert(1)</script>'

_MARKUP_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml", "application/xml", "text/xml")
_CSV_TYPES = ("text/csv", "text/tab-separated-values")


class ContractError(AssertionError):
    """A contract check failed; the message names what and why."""


def _fail(message: str) -> ContractError:
    return ContractError(message)


# -- building the registry of one plugin ------------------------------------------------------------


def distribution_plugins(name: str) -> list[object]:
    """The loaded plugin objects of every ``matrixkit`` entry point that the installed distribution ``name`` declares.

    Raises :class:`AssertionError` when the distribution is not installed or declares no entry point in the
    ``matrixkit`` group (a plugin that pip installed but matrixkit would never find).
    """
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        raise _fail(f"distribution {name!r} is not installed (pip install it, e.g. 'pip install -e .')") from None
    points = sorted((ep for ep in dist.entry_points if ep.group == "matrixkit"), key=lambda ep: ep.name)
    if not points:
        raise _fail(
            f"distribution {name!r} declares no entry point in the 'matrixkit' group; add one to its pyproject.toml:"
            '\n[project.entry-points.matrixkit]\nmy-plugin = "my_package.plugin"'
        )
    plugins = []
    for ep in points:
        try:
            plugins.append(ep.load())
        except Exception as exc:  # a broken import is exactly what the contract must report
            raise _fail(f"entry point {ep.name!r} ({ep.value}) of {name!r} cannot be loaded: {exc!r}") from exc
    return plugins


def plugin_registry(*plugins: object, distributions: Sequence[str] = ()) -> Registry:
    """A registry of the core's built-ins, ``plugins`` and the entry points of ``distributions`` — nothing else."""
    loaded = list(plugins)
    for name in distributions:
        loaded += distribution_plugins(name)
    return Registry.for_plugins(*_unique(loaded))


def _unique(items: list[object]) -> list[object]:
    seen: set[int] = set()
    result = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            result.append(item)
    return result


@attrs.frozen
class CliResult:
    """What a ``matrixkit`` command run in-process returned and printed."""

    status: int
    out: str
    err: str


def run_cli(argv: Sequence[str], *, registry: Registry | None = None) -> CliResult:
    """Run the ``matrixkit`` command line in-process against ``registry`` and capture what it prints.

    Without ``registry`` the command sees the installed, enabled plugins (as on a terminal).
    """
    out, err = io.StringIO(), io.StringIO()
    try:
        status = main(list(argv), context=Context(registry=registry, stdout=out, stderr=err))
    except SystemExit as exc:  # --help and --version exit through argparse
        status = exc.code if isinstance(exc.code, int) else 1
    return CliResult(status, out.getvalue(), err.getvalue())


# -- instruments ---------------------------------------------------------------------------------------


def check_instrument(instrument: Instrument) -> None:
    """Check that an instrument survives the round trips matrixkit makes.

    - TOML: ``loads_instrument(dump_instrument(x)) == x`` (what ``matrixkit show ID --format toml`` writes is a
      valid instrument file describing the same instrument);
    - JSON: the resolved instrument as JSON (``--format json``) loads back to an equal instrument.
    """
    text = dump_instrument(instrument)
    try:
        again = loads_instrument(text, name=f"{instrument.id} (dumped as TOML)")
    except Exception as exc:
        raise _fail(f"instrument {instrument.id!r}: its TOML dump does not load back: {exc}") from exc
    if again != instrument:
        raise _fail(f"instrument {instrument.id!r}: the TOML round trip changed it:\n{_difference(instrument, again)}")
    data = json.loads(json.dumps(instrument_to_dict(instrument), ensure_ascii=False))
    try:
        from_json = instrument_from_document(data, file=f"{instrument.id} (dumped as JSON)")
    except Exception as exc:
        raise _fail(f"instrument {instrument.id!r}: its JSON form does not load back: {exc}") from exc
    if from_json != instrument:
        raise _fail(
            f"instrument {instrument.id!r}: the JSON round trip changed it:\n{_difference(instrument, from_json)}"
        )


def _difference(before: Instrument, after: Instrument) -> str:
    lines = []
    for field in attrs.fields(Instrument):
        old, new = getattr(before, field.name), getattr(after, field.name)
        if old != new:
            lines.append(f"  {field.name}: {old!r}\n  became {new!r}")
    return "\n".join(lines) or "  (no field differs, but the instruments compare unequal)"


def check_registered_instruments(registry: Registry, *, plugin_names: Sequence[str] | None = None) -> list[Instrument]:
    """Load every instrument in ``registry``; check that each is valid, resolves (variants) and round-trips.

    ``plugin_names`` limits the round-trip checks to instruments registered by those plugins (the bases that
    ``requires`` brings in are loaded but not checked). Returns the instruments checked.
    Raises :class:`AssertionError` listing every broken file at once.
    """
    catalog = registry.instruments
    loaded = catalog.load_all()
    if catalog.problems:
        listing = "\n".join(f"  {p}" for p in catalog.problems)
        raise _fail(f"{len(catalog.problems)} problem(s) with registered instruments:\n{listing}")
    checked = []
    failures = []
    for instrument, entry in loaded:
        if plugin_names is not None and entry.plugin.name not in plugin_names:
            continue
        if instrument.based_on is not None and instrument.based_on not in catalog.ids() + list(_all_ids(registry)):
            failures.append(f"variant {instrument.id!r} names a base {instrument.based_on!r} that is not registered")
        try:
            check_instrument(instrument)
        except AssertionError as exc:
            failures.append(str(exc))
        checked.append(instrument)
    if failures:
        raise _fail("\n".join(failures))
    return checked


def _all_ids(registry: Registry) -> Iterator[str]:
    # Disabled instruments still serve as bases of variants.
    yield from registry.instruments.all_ids()


# -- exporters -----------------------------------------------------------------------------------------


def check_exporter_description(exporter: Exporter) -> None:
    """Check what an exporter must describe itself with (the checks the registry runs when it is registered:
    :func:`matrixkit.checks.exporter_problems`), that it implements every kind it lists, and its
    ``availability()``."""
    name = getattr(exporter, "name", None)
    problems = exporter_problems(exporter)
    for kind in sorted(set(getattr(exporter, "kinds", ())) & set(KINDS)):
        method_name = f"render_{kind.replace('-', '_')}"
        method = getattr(type(exporter), method_name, None)
        if method is not None and method is getattr(Exporter, method_name):
            problems.append(f"kinds includes {kind!r} but {method_name}() is not implemented")
    if not problems:
        hint = exporter.availability()
        if hint is not None and (not isinstance(hint, str) or not hint.strip() or "\n" in hint.strip()):
            problems.append(f"availability() must return None or a one-line install hint, not {hint!r}")
    if problems:
        raise _fail(f"exporter {name!r}: " + "; ".join(problems))


def is_markup(exporter: Exporter) -> bool:
    """Whether the exporter writes markup (HTML, SVG, XML) that must escape every text it shows."""
    return exporter.media_type.split(";")[0].strip() in _MARKUP_TYPES or exporter.extension in (".html", ".svg")


def is_spreadsheet_text(exporter: Exporter) -> bool:
    """Whether the exporter writes CSV/TSV, which spreadsheets open and must not see formulas in."""
    return exporter.media_type.split(";")[0].strip() in _CSV_TYPES or exporter.extension in (".csv", ".tsv")


class _ProbeFinder(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.injected: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        if any(name == "data-matrixkit-probe" for name, _ in attrs_):
            self.injected.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(1)" in data:
            self.scripts.append(data)


def probe_instrument(instrument: Instrument, probe: str = PROBE) -> Instrument:
    """The instrument with ``probe`` written into every text a person reads: titles, descriptors, guidance."""
    domains = [
        attrs.evolve(
            d,
            title=f"{d.title} {probe}",
            descriptors=tuple(f"{t} {probe}" for t in d.descriptors),
            short_title=f"{probe} short" if d.short_title is not None else None,
            guidance=f"{probe} guidance",
        )
        for d in instrument.domains
    ]
    levels = [attrs.evolve(lv, label=f"{lv.label} {probe}", description=probe) for lv in instrument.levels]
    groups = [attrs.evolve(g, title=f"{g.title} {probe}", description=probe) for g in instrument.groups]
    guidance = [attrs.evolve(s, title=f"{s.title} {probe}", text=probe, items=(probe,)) for s in instrument.guidance]
    source = attrs.evolve(instrument.source, title=probe, attribution=probe, licence=probe, citation=probe)
    return attrs.evolve(
        instrument,
        title=f"{instrument.title} {probe}",
        description=probe,
        levels=levels,
        domains=domains,
        groups=groups,
        guidance=guidance,
        source=source,
    )


def check_exporter_escapes(exporter: Exporter, kind: str, subject: object) -> None:
    """Render ``subject`` (whose texts carry :data:`PROBE`) and check the output neutralises the hostile text.

    Markup outputs (HTML, SVG, XML) must show the probe as text: parsed with :mod:`html.parser`, no element
    carries the probe's attribute and no script runs ``alert(1)``. CSV/TSV outputs must not start a text cell
    with ``=``, ``+``, ``-``, ``@``, tab or carriage return (spreadsheets run those as formulas; OWASP CSV
    injection). Other formats are not checked.
    """
    data = render_as(exporter, kind, subject)
    if is_markup(exporter):
        text = data.decode("utf-8", errors="replace")
        finder = _ProbeFinder()
        finder.feed(text)
        finder.close()
        if finder.injected or finder.scripts or PROBE in text:
            raise _fail(
                f"exporter {exporter.name!r} ({kind}) writes input text into its markup unescaped: "
                f"{len(finder.injected)} injected element(s), {len(finder.scripts)} injected script(s)"
            )
    elif is_spreadsheet_text(exporter):
        delimiter = "\t" if exporter.extension == ".tsv" else ","
        text = data.decode("utf-8-sig", errors="replace")
        for row_number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            for cell in row:
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(cell):
                    raise _fail(
                        f"exporter {exporter.name!r} ({kind}): row {row_number} has a cell a spreadsheet would "
                        f"run as a formula: {cell[:40]!r} (prefix text cells starting with = + - @ tab CR with ')"
                    )


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def check_exporter_writes_atomically(exporter: Exporter, kind: str, subject: object) -> None:
    """Check that rendering has no side effect on the file system and that writing the output is atomic.

    The exporter must return its output as bytes, not write files itself: matrixkit writes them, through a
    temporary file renamed over the target. Writing the rendered bytes over an existing file replaces it
    completely and leaves no temporary file behind.
    """
    with tempfile.TemporaryDirectory(prefix="matrixkit-contract-") as folder:
        here = Path(folder)
        target = here / f"out{exporter.extension}"
        target.write_bytes(b"previous content")
        before = os.getcwd()
        os.chdir(here)
        try:
            data = render_as(exporter, kind, subject)
        finally:
            os.chdir(before)
        stray = sorted(p.name for p in here.iterdir() if p != target)
        if stray:
            raise _fail(f"exporter {exporter.name!r} ({kind}) wrote files while rendering: {stray}")
        write_atomic(target, data)
        if target.read_bytes() != data:
            raise _fail(f"exporter {exporter.name!r} ({kind}): the written file differs from the rendered bytes")
        leftovers = sorted(p.name for p in here.iterdir() if p != target)
        if leftovers:
            raise _fail(f"exporter {exporter.name!r} ({kind}): writing left {leftovers} behind")


# -- pytest base classes ----------------------------------------------------------------------------


class PluginContract:
    """What the contract classes share: which plugin to check and the registry built for it.

    Set exactly one of :attr:`distribution` (an installed distribution: its ``matrixkit`` entry points are
    loaded, which also checks that they are declared and import) or :attr:`plugins` (plugin objects or modules).
    """

    #: Name of the installed distribution to check (e.g. ``"matrixkit-my-tools"``).
    distribution: ClassVar[str | None] = None
    #: Plugin objects or modules to check, when not checking a distribution.
    plugins: ClassVar[Sequence[object]] = ()
    #: Other installed distributions to load too (e.g. the one providing the base of your variants).
    requires: ClassVar[Sequence[str]] = ()
    #: Hypothesis examples per property (raise it in CI, lower it while iterating).
    max_examples: ClassVar[int] = 25
    #: Shrink a failing example to a minimal one (slower to fail, easier to read).
    shrink: ClassVar[bool] = True

    _registries: ClassVar[dict[type, Registry]] = {}

    @classmethod
    def plugin_objects(cls) -> list[object]:
        """The plugin objects under test."""
        if cls.distribution is None and not cls.plugins:
            raise _fail(f"{cls.__name__}: set 'distribution' (an installed distribution) or 'plugins' (modules)")
        found = list(cls.plugins)
        if cls.distribution is not None:
            found += distribution_plugins(cls.distribution)
        return _unique(found)

    @classmethod
    def registry(cls) -> Registry:
        """The registry of the built-ins, the plugin under test and :attr:`requires` (built once per class)."""
        if cls not in PluginContract._registries:
            PluginContract._registries[cls] = plugin_registry(*cls.plugin_objects(), distributions=cls.requires)
        return PluginContract._registries[cls]

    @classmethod
    def plugin_names(cls) -> list[str]:
        """Names under which the plugins under test are registered in :meth:`registry`."""
        registry = cls.registry()
        own = {id(p) for p in cls.plugin_objects()}
        return [name for name, plugin in registry.host.objects.items() if id(plugin) in own]

    @classmethod
    def _settings(cls) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        phases = tuple(Phase) if cls.shrink else tuple(p for p in Phase if p is not Phase.shrink)
        return settings(
            max_examples=cls.max_examples,
            deadline=None,
            phases=phases,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )


def _select(contract: type[PluginContract], table: dict[str, Any], names: Sequence[str], what: str) -> list[Any]:
    """The registered things under test: those named, else those of the plugin (and the built-ins if asked)."""
    own = set(contract.plugin_names()) if contract.plugins or contract.distribution else set()
    builtin = bool(getattr(contract, "include_builtin", False))
    chosen = []
    for name, named in sorted(table.items()):
        if (name in names) if names else (named.plugin.name in own or (builtin and named.plugin.builtin)):
            chosen.append(named.obj)
    missing = sorted(set(names) - {getattr(obj, "name", None) for obj in chosen})
    if missing:
        raise _fail(f"{what} {missing} are not registered (registered: {sorted(table)})")
    return chosen


class InstrumentContract(PluginContract):
    """Checks the instruments a plugin registers: every file loads and validates, every variant resolves against
    its base, and every instrument survives the TOML and JSON round trips."""

    #: Instrument ids the plugin must register (checked in addition to "at least one").
    expected_ids: ClassVar[Sequence[str]] = ()

    def own_instruments(self) -> list[Instrument]:
        return check_registered_instruments(self.registry(), plugin_names=self.plugin_names())

    def test_registers_instruments(self) -> None:
        instruments = self.own_instruments()
        if not instruments:
            raise _fail(f"{type(self).__name__}: the plugin registers no instrument")
        missing = sorted(set(self.expected_ids) - {i.id for i in instruments})
        if missing:
            raise _fail(f"instruments {missing} are not registered (registered: {sorted(i.id for i in instruments)})")

    def test_instruments_validate_resolve_and_round_trip(self) -> None:
        # check_registered_instruments raises listing every broken file and every failed round trip.
        self.own_instruments()

    def test_variants_keep_their_base_scale(self) -> None:
        registry = self.registry()
        for instrument in self.own_instruments():
            if instrument.based_on is None:
                continue
            base = registry.instruments.base(instrument.based_on)
            if instrument.levels != base.levels:
                raise _fail(f"variant {instrument.id!r} does not keep the levels of its base {base.id!r}")

    def test_instruments_show_in_every_core_format(self) -> None:
        registry = self.registry()
        for instrument in self.own_instruments():
            for name in ("text", "json", "toml"):
                data = render_as(registry.exporter(name), "sheet", instrument)
                if instrument.id not in data.decode("utf-8"):
                    raise _fail(f"'matrixkit show {instrument.id} --format {name}' does not name the instrument")


def _probe_record(record: WorkshopRecord) -> WorkshopRecord:
    action = Action(what=PROBE, who=PROBE, when="2030-01-31", measure=PROBE)
    domains = {
        key: attrs.evolve(decision, priorities=PROBE, notes=PROBE, actions=(action,))
        for key, decision in record.domains.items()
    }
    return attrs.evolve(
        record, title=PROBE, place=PROBE, notes=PROBE, facilitators=(PROBE,), domains=domains, actions=(action,)
    )


@st.composite
def exporter_subjects(draw: st.DrawFn, kind: str, *, probe: bool = False, max_domains: int = 6) -> object:
    """Generated subjects an exporter renders as ``kind``: an instrument (``sheet``, ``collation-sheet``), a
    :class:`~matrixkit.report.RecordSheet` (``record``), a :class:`~matrixkit.report.CollationReport`
    (``collation``), a :class:`~matrixkit.report.WorkshopReport` (``report``, sometimes with a comparison with
    an earlier round; ``summary``) or a :class:`~matrixkit.report.Comparison` (``comparison``), of generated
    instruments of any shape. With ``probe``, every text a person reads (titles, descriptors, sector names,
    participants, comments, decisions and actions) carries :data:`PROBE`.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    instrument = draw(strategies.instruments(max_domains=max_domains, hostile=not probe))
    if probe:
        instrument = probe_instrument(instrument)
    if kind in ("sheet", "collation-sheet"):
        return instrument
    if kind == "record":
        sheet = draw(strategies.record_sheets(instrument))
        if probe:
            entries = [attrs.evolve(e, comment=PROBE) for e in sheet.entries]
            sheet = attrs.evolve(sheet, participant=PROBE, attributes={"sector": PROBE}, entries=entries)
        return sheet
    sectors = (PROBE, "civic") if probe else strategies.SECTORS
    rule = draw(strategies.rules())
    if kind == "collation":
        by = draw(st.sampled_from([None, "sector"]))
        collation = draw(strategies.collations(instrument, by=by, max_responses=12, sectors=sectors))
        title = PROBE if probe else draw(st.just("") | strategies.texts(max_size=30))
        return build_collation_report(collation, rule, title=title, sources=[PROBE] if probe else ["table-1.csv"])

    def workshop() -> object:
        record = draw(strategies.workshop_records(instrument))
        if probe:
            record = _probe_record(record)
        collation = draw(strategies.collations(instrument, by=record.by, max_responses=12, sectors=sectors))
        report = build_collation_report(collation, rule, title=record.title, sources=list(record.inputs))
        return build_workshop_report(record, report)

    if kind == "comparison":
        before, after = workshop(), workshop()
        assert isinstance(before, WorkshopReport) and isinstance(after, WorkshopReport)
        return build_comparison(before, after)
    report = workshop()
    if kind == "report" and draw(st.booleans()):
        earlier = workshop()
        assert isinstance(earlier, WorkshopReport) and isinstance(report, WorkshopReport)
        report = attrs.evolve(report, comparison=build_comparison(earlier, report))
    return report


def example_subject(kind: str) -> object:
    """A small, fixed subject of ``kind``: two levels, one domain, three people from two sectors."""
    instrument = _small_instrument()
    if kind in ("sheet", "collation-sheet"):
        return instrument
    people = [("A", "high", "civic"), ("B", "low", "vcse"), ("C", None, "vcse")]
    responses = [
        Response.build(instrument, who, {"only": level}, attributes={"sector": sector}, comments={"only": "Why"})
        for who, level, sector in people
    ]
    rule = LowerMedianRule()
    if kind == "record":
        return build_record_sheet(responses[0], instrument, rule)
    report = build_collation_report(collate(instrument, responses, "sector"), rule, title="Table 1")
    if kind == "collation":
        return report
    if kind not in ("report", "summary", "comparison"):
        raise ValueError(f"unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    action = Action(what="Agree who leads", who="The board", when="2030-06-30", measure="A named lead")
    decision = DomainDecision(agreed="low", target="high", priority=1, priorities="A lead", actions=(action,))
    record = WorkshopRecord(
        instrument=instrument.id, title="Contract workshop", by="sector", domains={"only": decision}
    )
    workshop = build_workshop_report(record, report)
    if kind == "comparison":
        return build_comparison(workshop, workshop)
    return workshop


class ExporterContract(PluginContract):
    """Checks the exporters a plugin registers: they describe themselves; render any generated subject of every
    kind they list (blank sheets of any instrument, record sheets, collations split or not, workshop reports);
    escape hostile text (HTML, SVG, XML and CSV outputs); and render without side effects, so that matrixkit
    writes their output atomically.

    Exporters whose optional dependencies are missing (``availability()`` is not None) are described but not
    rendered: install the plugin's extras where the contract runs.
    """

    #: Names of the exporters to check; all that the plugin registers when empty.
    exporter_names: ClassVar[Sequence[str]] = ()
    #: Check exporters registered by the core too (for the core's own tests).
    include_builtin: ClassVar[bool] = False

    @classmethod
    def exporters(cls) -> list[Exporter]:
        """The exporters under test."""
        return _select(cls, cls.registry().exporters, cls.exporter_names, "exporters")

    @classmethod
    def plugin_objects(cls) -> list[object]:
        if cls.include_builtin and cls.distribution is None and not cls.plugins:
            return []
        return super().plugin_objects()

    def available(self, kind: str) -> list[Exporter]:
        """The exporters under test that render ``kind`` and whose dependencies are installed."""
        return [e for e in self.exporters() if kind in e.kinds and e.availability() is None]

    def test_registers_exporters(self) -> None:
        if not self.exporters():
            raise _fail(f"{type(self).__name__}: the plugin registers no exporter")

    def test_exporters_describe_themselves(self) -> None:
        for exporter in self.exporters():
            check_exporter_description(exporter)

    def _skip_unless_available(self, kind: str) -> list[Exporter]:
        exporters = self.available(kind)
        if not exporters:
            rendering = [e.name for e in self.exporters() if kind in e.kinds]
            why = (
                f"{', '.join(rendering)} cannot be used here (install the plugin's extras)"
                if rendering
                else "no exporter under test renders it"
            )
            pytest.skip(f"nothing to check for the kind {kind!r}: {why}")
        return exporters

    def _renders_anything(self, kind: str) -> None:
        exporters = self._skip_unless_available(kind)

        @self._settings()
        @given(subject=exporter_subjects(kind))
        def property_(subject: object) -> None:
            for exporter in exporters:
                if not render_as(exporter, kind, subject):
                    raise _fail(f"exporter {exporter.name!r} rendered an empty {kind}")

        property_()

    def _escapes(self, kind: str) -> None:
        # Only markup (HTML, SVG, XML) and CSV/TSV outputs have text to escape; see check_exporter_escapes.
        exporters = [e for e in self._skip_unless_available(kind) if is_markup(e) or is_spreadsheet_text(e)]
        if not exporters:
            pytest.skip(f"no exporter under test writes markup or CSV for the kind {kind!r}: nothing to escape")

        @self._settings()
        @given(subject=exporter_subjects(kind, probe=True, max_domains=4))
        def property_(subject: object) -> None:
            for exporter in exporters:
                check_exporter_escapes(exporter, kind, subject)

        property_()

    def test_renders_any_instrument_as_a_sheet(self) -> None:
        self._renders_anything("sheet")

    def test_renders_any_record_sheet(self) -> None:
        self._renders_anything("record")

    def test_renders_any_collation(self) -> None:
        self._renders_anything("collation")

    def test_renders_any_workshop_report(self) -> None:
        self._renders_anything("report")

    def test_renders_any_collation_sheet(self) -> None:
        self._renders_anything("collation-sheet")

    def test_renders_any_summary(self) -> None:
        self._renders_anything("summary")

    def test_renders_any_comparison(self) -> None:
        self._renders_anything("comparison")

    def test_sheets_escape_hostile_text(self) -> None:
        self._escapes("sheet")

    def test_record_sheets_escape_hostile_text(self) -> None:
        self._escapes("record")

    def test_collations_escape_hostile_text(self) -> None:
        self._escapes("collation")

    def test_workshop_reports_escape_hostile_text(self) -> None:
        self._escapes("report")

    def test_collation_sheets_escape_hostile_text(self) -> None:
        self._escapes("collation-sheet")

    def test_summaries_escape_hostile_text(self) -> None:
        self._escapes("summary")

    def test_comparisons_escape_hostile_text(self) -> None:
        self._escapes("comparison")

    def test_output_is_written_atomically(self) -> None:
        checked = 0
        for kind in KINDS:
            for exporter in self.available(kind):
                check_exporter_writes_atomically(exporter, kind, example_subject(kind))
                checked += 1
        if not checked:
            pytest.skip("no exporter under test can be used here (install the plugin's extras)")


# -- consensus rules -----------------------------------------------------------------------------------


def check_rule_description(rule: ConsensusRule) -> None:
    """Check a rule's ``name`` (kebab-case, typed after ``--rule``), one-line ``description`` and ``suggest``
    method (the checks the registry runs when it is registered: :func:`matrixkit.checks.rule_problems`)."""
    problems = rule_problems(rule)
    if problems:
        raise _fail(f"rule {getattr(rule, 'name', None)!r}: " + "; ".join(problems))


def check_rule_suggestion(rule: ConsensusRule, tally: Tally, instrument: Instrument) -> int | None:
    """Check one suggestion against the properties every consensus rule has; return it.

    - nothing is proposed when no one answered;
    - a proposal is a level index (an ``int``, not a bool) between the lowest and the highest answer given;
    - when everyone who answered chose the same level, that level is proposed;
    - the same tally gives the same proposal (a rule keeps no state between calls).
    """
    suggestion = rule.suggest(tally, instrument)
    where = f"rule {rule.name!r} on counts {list(tally.counts)} (+{tally.missing} missing)"
    if suggestion is not None and (isinstance(suggestion, bool) or not isinstance(suggestion, int)):
        raise _fail(f"{where}: suggested {suggestion!r}, not a level index (int) or None")
    answered = [i for i, n in enumerate(tally.counts) if n]
    if not answered:
        if suggestion is not None:
            raise _fail(f"{where}: suggested level {suggestion} although no one answered")
        return None
    if suggestion is not None and not answered[0] <= suggestion <= answered[-1]:
        raise _fail(
            f"{where}: suggested level {suggestion}, outside the answers given (levels {answered[0]}–{answered[-1]})"
        )
    if len(answered) == 1 and suggestion != answered[0]:
        raise _fail(f"{where}: everyone who answered chose level {answered[0]}, but it suggested {suggestion!r}")
    again = rule.suggest(tally, instrument)
    if again != suggestion:
        raise _fail(f"{where}: suggested {suggestion!r}, then {again!r} for the same tally")
    return suggestion


@st.composite
def _instrument_and_tally(draw: st.DrawFn) -> tuple[Instrument, Tally]:
    instrument = draw(strategies.instruments(max_domains=1, hostile=False))
    return instrument, draw(strategies.tallies(len(instrument.levels)))


@st.composite
def _unanimous(draw: st.DrawFn) -> tuple[Instrument, Tally]:
    instrument = draw(strategies.instruments(max_domains=1, hostile=False))
    counts = [0] * len(instrument.levels)
    counts[draw(st.integers(0, len(counts) - 1))] = draw(st.integers(1, 200))
    return instrument, Tally(counts, draw(st.integers(0, 20)))


class RuleContract(PluginContract):
    """Checks the consensus rules a plugin registers: names and descriptions, and the properties of every rule
    (:func:`check_rule_suggestion`) over generated tallies of generated scales (2 to 7 levels, any scores)."""

    #: Names of the rules to check; all that the plugin registers when empty.
    rule_names: ClassVar[Sequence[str]] = ()
    #: Check the core's own rules too (for the core's own tests).
    include_builtin: ClassVar[bool] = False

    @classmethod
    def plugin_objects(cls) -> list[object]:
        if cls.include_builtin and cls.distribution is None and not cls.plugins:
            return []
        return super().plugin_objects()

    @classmethod
    def rules(cls) -> list[ConsensusRule]:
        """The rules under test."""
        return _select(cls, cls.registry().rules, cls.rule_names, "rules")

    def test_registers_rules(self) -> None:
        if not self.rules():
            raise _fail(f"{type(self).__name__}: the plugin registers no consensus rule")

    def test_rules_describe_themselves(self) -> None:
        for rule in self.rules():
            check_rule_description(rule)

    def test_suggestions_lie_within_the_answers(self) -> None:
        rules = self.rules()

        @self._settings()
        @given(case=_instrument_and_tally())
        def property_(case: tuple[Instrument, Tally]) -> None:
            for rule in rules:
                check_rule_suggestion(rule, case[1], case[0])

        property_()

    def test_unanimity_gives_that_level(self) -> None:
        rules = self.rules()

        @self._settings()
        @given(case=_unanimous())
        def property_(case: tuple[Instrument, Tally]) -> None:
            for rule in rules:
                check_rule_suggestion(rule, case[1], case[0])

        property_()

    def test_no_answers_no_suggestion(self) -> None:
        instrument = _small_instrument()
        for rule in self.rules():
            check_rule_suggestion(rule, Tally.empty(len(instrument.levels)), instrument)
            check_rule_suggestion(rule, Tally((0, 0), 5), instrument)


def _small_instrument() -> Instrument:
    return loads_instrument(
        inspect.cleandoc(
            """
            format = 1
            id = "contract-check"
            title = "Contract check"
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
            title = "The only domain"
            descriptors = ["Not yet", "Done"]
            """
        ),
        name="contract-check",
    )
