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
framework. Requires ``matrixkit[testing]`` (pytest and hypothesis).
"""

from __future__ import annotations

import html.parser
import inspect
import json
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
from hypothesis import HealthCheck, given, settings

from matrixkit.exporting import KINDS, Exporter, render, write_atomic
from matrixkit.format import dump_instrument, instrument_from_document, instrument_to_dict, loads_instrument
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.testing import strategies

__all__ = [
    "PROBE",
    "CliResult",
    "ExporterContract",
    "InstrumentContract",
    "PluginContract",
    "check_exporter_description",
    "check_exporter_escapes",
    "check_exporter_writes_atomically",
    "check_instrument",
    "check_registered_instruments",
    "distribution_plugins",
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
    from importlib.metadata import PackageNotFoundError, distribution

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
    import io

    from matrixkit.cli import Context, main

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
    yield from registry.instruments._entries


# -- exporters -----------------------------------------------------------------------------------------

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")


def check_exporter_description(exporter: Exporter) -> None:
    """Check the class attributes an exporter must describe itself with, and its ``availability()``."""
    name = getattr(exporter, "name", None)
    problems = []
    if not isinstance(name, str) or not _NAME_RE.match(name):
        problems.append(f"name {name!r} must be lowercase (letters, digits, '-', '+', '.'), as typed after --format")
    extension = getattr(exporter, "extension", None)
    if not isinstance(extension, str) or not re.match(r"^\.[A-Za-z0-9][A-Za-z0-9.]*$", extension):
        problems.append(f"extension {extension!r} must start with a dot, e.g. '.csv'")
    if not isinstance(exporter.media_type, str) or "/" not in exporter.media_type:
        problems.append(f"media_type {exporter.media_type!r} is not a media type like 'text/csv'")
    if not isinstance(exporter.description, str) or not exporter.description.strip():
        problems.append("description is empty (it is shown by 'matrixkit formats')")
    elif "\n" in exporter.description.strip():
        problems.append("description must be one line")
    kinds = exporter.kinds
    if not kinds:
        problems.append(f"kinds is empty; it lists what the exporter renders, a subset of {list(KINDS)}")
    unknown = set(kinds) - set(KINDS)
    if unknown:
        problems.append(f"kinds {sorted(unknown)} are not among {list(KINDS)}")
    for kind in sorted(set(kinds) & set(KINDS)):
        method = getattr(type(exporter), f"render_{kind}", None)
        if method is None or method is getattr(Exporter, f"render_{kind}"):
            problems.append(f"kinds includes {kind!r} but render_{kind}() is not implemented")
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
    data = render(exporter, kind, subject)
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
        import csv
        import io

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
    import os

    with tempfile.TemporaryDirectory(prefix="matrixkit-contract-") as folder:
        here = Path(folder)
        target = here / f"out{exporter.extension}"
        target.write_bytes(b"previous content")
        before = os.getcwd()
        os.chdir(here)
        try:
            data = render(exporter, kind, subject)
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
        return [name for name, plugin in registry.pm.list_name_plugin() if id(plugin) in own]

    @classmethod
    def _settings(cls) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return settings(
            max_examples=cls.max_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )


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
            base = registry.instruments._base(instrument.based_on)
            if instrument.levels != base.levels:
                raise _fail(f"variant {instrument.id!r} does not keep the levels of its base {base.id!r}")

    def test_instruments_show_in_every_core_format(self) -> None:
        registry = self.registry()
        for instrument in self.own_instruments():
            for name in ("text", "json", "toml"):
                data = render(registry.exporter(name), "sheet", instrument)
                if instrument.id not in data.decode("utf-8"):
                    raise _fail(f"'matrixkit show {instrument.id} --format {name}' does not name the instrument")


class ExporterContract(PluginContract):
    """Checks the exporters a plugin registers: they describe themselves, render any generated instrument as a
    blank sheet, escape hostile text (HTML, SVG, XML and CSV outputs), and render without side effects so that
    matrixkit writes their output atomically.

    Exporters whose optional dependencies are missing (``availability()`` is not None) are described but not
    rendered: install the plugin's extras where the contract runs.
    """

    #: Names of the exporters to check; all that the plugin registers when empty.
    exporter_names: ClassVar[Sequence[str]] = ()
    #: Check exporters registered by the core too (for the core's own tests).
    include_builtin: ClassVar[bool] = False

    @classmethod
    def exporters(cls) -> list[Exporter]:
        registry = cls.registry()
        own = set(cls.plugin_names()) if cls.plugins or cls.distribution else set()
        chosen = []
        for name, named in sorted(registry.exporters.items()):
            if cls.exporter_names:
                if name in cls.exporter_names:
                    chosen.append(named.obj)
            elif named.plugin.name in own or (cls.include_builtin and named.plugin.builtin):
                chosen.append(named.obj)
        missing = sorted(set(cls.exporter_names) - {e.name for e in chosen})
        if missing:
            raise _fail(f"exporters {missing} are not registered (registered: {sorted(registry.exporters)})")
        return chosen

    @classmethod
    def plugin_objects(cls) -> list[object]:
        if cls.include_builtin and cls.distribution is None and not cls.plugins:
            return []
        return super().plugin_objects()

    def available(self, kind: str) -> list[Exporter]:
        return [e for e in self.exporters() if kind in e.kinds and e.availability() is None]

    def test_registers_exporters(self) -> None:
        if not self.exporters():
            raise _fail(f"{type(self).__name__}: the plugin registers no exporter")

    def test_exporters_describe_themselves(self) -> None:
        for exporter in self.exporters():
            check_exporter_description(exporter)

    def test_renders_any_instrument_as_a_sheet(self) -> None:
        exporters = self.available("sheet")
        if not exporters:
            return

        @self._settings()
        @given(instrument=strategies.instruments(max_domains=8))
        def property_(instrument: Instrument) -> None:
            for exporter in exporters:
                data = render(exporter, "sheet", instrument)
                if not data:
                    raise _fail(f"exporter {exporter.name!r} rendered an empty sheet for {instrument.id!r}")

        property_()

    def test_sheets_escape_hostile_text(self) -> None:
        # Only markup (HTML, SVG, XML) and CSV/TSV outputs have text to escape; see check_exporter_escapes.
        exporters = [e for e in self.available("sheet") if is_markup(e) or is_spreadsheet_text(e)]
        if not exporters:
            return

        @self._settings()
        @given(instrument=strategies.instruments(max_domains=4, hostile=False))
        def property_(instrument: Instrument) -> None:
            probed = probe_instrument(instrument)
            for exporter in exporters:
                check_exporter_escapes(exporter, "sheet", probed)

        property_()

    def test_sheets_are_written_atomically(self) -> None:
        for exporter in self.available("sheet"):
            check_exporter_writes_atomically(exporter, "sheet", _small_instrument())


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
