"""The plugin host: the pluggy plugin manager, and the registry of what plugins provide.

:class:`PluginHost` builds a pluggy manager: the hook specifications, the core's built-in plugins, then
(unless told not to) the external plugins found through entry points in the ``matrixkit`` group, filtered by
the configuration (:mod:`matrixkit.config`). A plugin that fails to import is reported and skipped. Nothing is
built at import time.

:class:`Registry` asks the plugins for their registrations lazily, one kind at a time (instruments, rules,
exporters, readers, commands), the first time that kind is needed. Hooks are called through pluggy, so hook
wrappers, tracing and arguments by name behave as pluggy documents; while each plugin's own implementation
runs, the register objects know which plugin is calling and label every registration with the plugin and its
distribution. Every registered object is checked (:mod:`matrixkit.checks`) as it is registered: a bad one is
refused with a message naming the plugin and distribution, and everything else keeps working. A duplicate id or
name is an error naming both plugins — never last-wins.

The registry is safe to share between threads: each kind is collected once, under a lock.

Instruments registered as files are parsed when instruments are first needed, validated and resolved
(variants applied) when first used. A broken instrument file is recorded in :attr:`InstrumentCatalog.problems`
and skipped; it does not hide the other instruments.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import inspect
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
import pluggy

from matrixkit import __version__, hookspecs
from matrixkit.checks import command_problems, exporter_problems, reader_problems, rule_problems
from matrixkit.config import Config, load_config
from matrixkit.errors import MatrixkitError, PluginError, Problem, RegistryError, UnknownNameError, ValidationError
from matrixkit.exporting import Exporter
from matrixkit.format import instrument_from_document, parse_toml, read_toml
from matrixkit.model import Instrument
from matrixkit.rules import ConsensusRule

if TYPE_CHECKING:
    import argparse
    from importlib.resources.abc import Traversable

    from matrixkit.collation import Tally
    from matrixkit.io.readers import Reader

__all__ = [
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "Command",
    "CommandRegister",
    "Deferred",
    "ExporterRegister",
    "InstrumentCatalog",
    "InstrumentEntry",
    "InstrumentRegister",
    "PluginHost",
    "PluginInfo",
    "ReaderRegister",
    "Registered",
    "Registry",
    "RuleRegister",
    "get_registry",
    "load",
    "reset_registry",
]

#: The core's own plugins, registered through the same hooks as external ones.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "matrixkit._builtins.formats",
    "matrixkit._builtins.rules",
    "matrixkit._builtins.readers",
    "matrixkit._builtins.path",
    "matrixkit._builtins.commands",
    "matrixkit._builtins.scaffold",
)

#: Entry point group of external plugins.
ENTRY_POINT_GROUP = "matrixkit"


@attrs.frozen
class PluginInfo:
    """Who registered something: the plugin name and the distribution that ships it."""

    name: str
    distribution: str | None = None
    version: str | None = None
    builtin: bool = False

    def __str__(self) -> str:
        if self.distribution:
            return f"plugin {self.name!r} (distribution {self.distribution} {self.version or ''})".replace(" )", ")")
        return f"plugin {self.name!r}"


#: The plugin whose hook implementation is running (set by the labelling wrapper around each implementation).
_calling: contextvars.ContextVar[PluginInfo | None] = contextvars.ContextVar("matrixkit_calling", default=None)


def _labelled(function: Callable[..., Any], info: PluginInfo, hook: str) -> Callable[..., Any]:
    """``function`` (a hook implementation) made to run with ``info`` as the calling plugin, an exception it
    raises reported naming the plugin. The wrapper keeps the signature (pluggy reads the argument names through
    ``__wrapped__``) and the generator nature of hook wrappers."""
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def wrapper_impl(*args: Any) -> Any:
            token = _calling.set(info)
            try:
                return (yield from function(*args))
            finally:
                _calling.reset(token)

        return wrapper_impl

    @functools.wraps(function)
    def impl(*args: Any) -> Any:
        token = _calling.set(info)
        try:
            return function(*args)
        except MatrixkitError:
            raise
        except Exception as exc:
            if info.builtin:
                raise
            raise PluginError(str(info), f"running its hook {hook}", exc) from exc
        finally:
            _calling.reset(token)

    return impl


class _Labelled:
    """A plugin as the plugin manager sees it: the plugin's hook implementations, each labelled."""

    def __init__(self, plugin: object, info: PluginInfo, pm: pluggy.PluginManager) -> None:
        self.plugin = plugin
        names: Iterable[str] = dir(plugin)
        if inspect.ismodule(plugin):
            # A module's attributes are plain values: only those carrying the marker can be hook implementations
            # (pluggy's own check, which reads each attribute statically, is then asked about these alone).
            marker = f"{hookspecs.PROJECT}_impl"
            names = [name for name, value in vars(plugin).items() if hasattr(value, marker)]
        for name in names:
            options = pm.parse_hookimpl_opts(plugin, name)
            if options is None:
                continue
            function = getattr(plugin, name)
            labelled = _labelled(function, info, str(options.get("specname") or name))
            setattr(labelled, f"{hookspecs.PROJECT}_impl", options)
            setattr(self, name, labelled)

    def __dir__(self) -> list[str]:
        # What pluggy looks through for hook implementations when the plugin is registered: the labelled ones
        # alone, not the two dozen methods every object has (pluggy reads each name it is given statically).
        return [name for name in vars(self) if name != "plugin"]


class PluginHost:
    """The plugin manager with the plugins it holds, and what is known about each (kept here, not on the
    manager): its :class:`PluginInfo`, plugins that could not be loaded, plugins blocked by configuration."""

    def __init__(
        self,
        *,
        load_entrypoints: bool = True,
        blocked: tuple[str, ...] = (),
        config: Config | None = None,
        plugins: tuple[object, ...] = (),
    ) -> None:
        """
        :param load_entrypoints: load external plugins from entry points in the ``matrixkit`` group.
        :param blocked: names of plugins not to load, in addition to the configuration's.
        :param config: the configuration; read from file and environment when omitted.
        :param plugins: extra plugin objects to register (tests use this instead of entry points).
        """
        self.config = config if config is not None else load_config()
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        #: Plugin name → the plugin object itself (a module, usually).
        self.objects: dict[str, object] = {}
        #: Plugins found but not loaded, or registrations refused: one message each, naming the plugin.
        self.problems: list[str] = []
        self.blocked: list[str] = []
        for module_name in BUILTIN_PLUGINS:
            module = importlib.import_module(module_name)
            name = getattr(module, "PLUGIN_NAME", "builtin:" + module_name.rsplit(".", 1)[-1])
            self.add(module, PluginInfo(name, "maturity-matrixkit", __version__, True))
        if load_entrypoints:
            # A distribution's name and version come from its metadata file, parsed on every read of either:
            # read once per distribution (the entry points of one distribution share its object).
            identities: dict[int, tuple[str, str]] = {}
            for ep in self._entry_points():
                if ep.name in blocked or not self.config.plugin_enabled(ep.name):
                    self.blocked.append(ep.name)
                    continue
                distribution = version = None
                if ep.dist is not None:
                    if id(ep.dist) not in identities:
                        metadata = ep.dist.metadata
                        identities[id(ep.dist)] = (metadata["Name"], metadata["Version"])
                    distribution, version = identities[id(ep.dist)]
                try:
                    plugin = ep.load()
                except Exception as exc:  # one broken plugin must not take the others down with it
                    self.problems.append(
                        f"plugin {ep.name!r} ({ep.value}, distribution {distribution or 'unknown'}) could not be "
                        f"loaded: {type(exc).__name__}: {exc}; disable it with MATRIXKIT_DISABLE_PLUGINS={ep.name}"
                    )
                    continue
                self.add(plugin, PluginInfo(ep.name, distribution, version))
        for i, plugin in enumerate(plugins):
            name = getattr(plugin, "__name__", None) or f"plugin-{i}"
            self.add(plugin, PluginInfo(name))
        self.pm.check_pending()

    def add(self, plugin: object, info: PluginInfo) -> None:
        """Register ``plugin`` under ``info.name``, its hook implementations labelled with ``info``."""
        if info.name in self.infos:
            first = self.infos[info.name]
            raise RegistryError(f"two plugins are named {info.name!r}: {first} and {info}; uninstall or disable one")
        self.pm.register(_Labelled(plugin, info, self.pm), name=info.name)
        self.infos[info.name] = info
        self.objects[info.name] = plugin

    @staticmethod
    def _entry_points() -> list[EntryPoint]:
        """Entry points of the ``matrixkit`` group, by name; a name declared twice is an error naming both."""
        found: dict[str, EntryPoint] = {}
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in found:
                first = found[ep.name]
                first_dist = first.dist.name if first.dist is not None else "unknown"
                dist = ep.dist.name if ep.dist is not None else "unknown"
                if first.value == ep.value and first_dist == dist:
                    continue  # the same distribution seen twice on sys.path
                raise RegistryError(
                    f"two plugins are named {ep.name!r}: {first.value} (distribution {first_dist}) and "
                    f"{ep.value} (distribution {dist}); uninstall one or disable it in matrixkit.toml"
                )
            found[ep.name] = ep
        return sorted(found.values(), key=lambda ep: ep.name)

    def plugins(self) -> list[PluginInfo]:
        """The loaded plugins, built-ins first."""
        return sorted(self.infos.values(), key=lambda i: (not i.builtin, i.name))


# -- registration objects --------------------------------------------------------------------------

T = TypeVar("T")


@attrs.frozen
class Registered(Generic[T]):
    """A registered object and the plugin that registered it."""

    obj: T
    plugin: PluginInfo


def _reference_parts(reference: str) -> tuple[str, str]:
    module, _, name = reference.partition(":")
    if not module or not name:
        raise ValueError(f"{reference!r} is not a reference of the form 'package.module:name'")
    return module, name


def load(reference: str) -> Any:
    """The object ``reference`` names, as an entry point names one: ``"package.module:name"`` (``name`` may be
    dotted), its module imported now — by :meth:`importlib.metadata.EntryPoint.load`. Raises :class:`ValueError`
    for a reference not of that form."""
    _reference_parts(reference)
    return EntryPoint(name=reference, value=reference, group=ENTRY_POINT_GROUP).load()


@attrs.frozen
class Deferred:
    """A function named by reference (``"package.module:function"``) and imported when first called — how a plugin
    keeps what its commands or formats need to run out of every start of ``matrixkit``, as entry points keep
    plugins out until they are loaded. The core's own commands and formats are registered this way, so that
    ``matrixkit tools`` does not import the collation, report and reader modules."""

    reference: str = attrs.field(
        metadata={"doc": "The function, as `package.module:function` (the name may be dotted: `module:Class.method`)."}
    )

    @reference.validator
    def _check(self, attribute: attrs.Attribute[str], value: str) -> None:
        _reference_parts(value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return load(self.reference)(*args, **kwargs)


@attrs.frozen
class Command:
    """A sub-command of the ``matrixkit`` command line, registered by a plugin."""

    name: str
    run: Callable[[argparse.Namespace, Any], int]
    configure: Callable[[argparse.ArgumentParser], None] | None = None
    help: str = ""
    description: str = ""


def _caller() -> PluginInfo:
    """The plugin whose hook implementation is running (registrations made outside a hook are the host's)."""
    info = _calling.get()
    return info if info is not None else PluginInfo("(not a plugin)")


class _NamedRegister(Generic[T]):
    """Shared checks of the name-keyed registers: each object checked, duplicates refused naming both."""

    kind = "thing"

    def __init__(self, table: dict[str, Registered[T]], host: PluginHost) -> None:
        self._table, self._host = table, host

    @property
    def plugin(self) -> PluginInfo:
        """The plugin whose hook implementation is running."""
        return _caller()

    def _add(self, name: object, obj: T, problems: list[str]) -> None:
        plugin = self.plugin
        if problems:
            self._host.problems.append(
                f"{plugin} registered {self.kind} {name!r}, which was refused: {'; '.join(problems)}"
            )
            return
        assert isinstance(name, str)
        if name in self._table:
            other = self._table[name].plugin
            raise RegistryError(
                f"{self.kind} {name!r} is registered twice: by {other} and by {plugin}; "
                "uninstall or disable one of them"
            )
        self._table[name] = Registered(obj, plugin)


class RuleRegister(_NamedRegister[ConsensusRule]):
    """Passed to :func:`~matrixkit.hookspecs.matrixkit_register_rules`."""

    kind = "consensus rule"

    def rule(self, rule: ConsensusRule) -> None:
        """Register a consensus rule (see :class:`matrixkit.rules.ConsensusRule`)."""
        self._add(getattr(rule, "name", None), rule, rule_problems(rule))


class ExporterRegister(_NamedRegister[Exporter]):
    """Passed to :func:`~matrixkit.hookspecs.matrixkit_register_exporters`."""

    kind = "exporter"

    def exporter(self, exporter: Exporter) -> None:
        """Register an exporter (see :class:`matrixkit.exporting.Exporter`)."""
        self._add(getattr(exporter, "name", None), exporter, exporter_problems(exporter))


class ReaderRegister(_NamedRegister["Reader"]):
    """Passed to :func:`~matrixkit.hookspecs.matrixkit_register_readers`."""

    kind = "reader"

    def reader(self, reader: Reader) -> None:
        """Register a response reader (see :class:`matrixkit.io.readers.Reader`)."""
        self._add(getattr(reader, "name", None), reader, reader_problems(reader))


class CommandRegister(_NamedRegister[Command]):
    """Passed to :func:`~matrixkit.hookspecs.matrixkit_register_commands`."""

    kind = "command"

    def command(
        self,
        name: str,
        *,
        run: Callable[..., int],
        configure: Callable[[argparse.ArgumentParser], None] | None = None,
        help: str = "",
        description: str = "",
    ) -> None:
        """Add the sub-command ``matrixkit NAME``: ``configure(parser)`` adds its arguments, ``run(args,
        context)`` does the work and returns the exit status."""
        command = Command(name=name, run=run, configure=configure, help=help, description=description)
        self._add(name, command, command_problems(name, run, configure))


# -- instruments -----------------------------------------------------------------------------------


@attrs.define
class InstrumentEntry:
    """One registered instrument: where it came from and (once loaded) the instrument."""

    id: str
    plugin: PluginInfo
    origin: str
    document: dict[str, Any] | None = None
    text: str = ""
    instrument: Instrument | None = None

    @property
    def extends(self) -> str | None:
        value = self.document.get("extends") if self.document is not None else None
        return value if isinstance(value, str) else None


class InstrumentRegister:
    """Passed to :func:`~matrixkit.hookspecs.matrixkit_register_instruments`."""

    def __init__(self, catalog: InstrumentCatalog, host: PluginHost) -> None:
        self._catalog, self._host = catalog, host
        #: The effective configuration (the built-in MATRIXKIT_PATH plugin reads its directories here).
        self.config = host.config

    @property
    def plugin(self) -> PluginInfo:
        """The plugin whose hook implementation is running."""
        return _caller()

    def instrument(self, item: Instrument | str | os.PathLike[str] | Traversable) -> None:
        """Register an instrument object or an instrument TOML file."""
        if isinstance(item, Instrument):
            self._catalog.add(InstrumentEntry(item.id, self.plugin, f"object from {self.plugin.name}", instrument=item))
            return
        self._catalog.add_file(item, self.plugin)

    def directory(self, path: str | os.PathLike[str] | Traversable) -> None:
        """Register every ``*.toml`` file of a directory (not recursive), in name order."""
        folder: Path | Traversable = path if not isinstance(path, str | os.PathLike) else Path(path)
        if not folder.is_dir():
            self._catalog.problems.append(
                Problem(f"not a directory (registered by {self.plugin})", file=os.fspath(str(path)))
            )
            return
        for child in sorted(folder.iterdir(), key=lambda p: p.name):
            if child.name.endswith(".toml") and child.is_file():
                self._catalog.add_file(child, self.plugin)


class InstrumentCatalog:
    """The registered instruments, loaded and resolved on demand (one at a time: loading is locked)."""

    def __init__(self, disabled: frozenset[str] = frozenset(), blocked_plugins: tuple[str, ...] = ()) -> None:
        self._entries: dict[str, InstrumentEntry] = {}
        self.disabled = disabled
        self.blocked_plugins = blocked_plugins
        #: Problems with registered instruments that were skipped (broken files): warnings, not errors.
        self.problems: list[Problem] = []
        self._resolving: list[str] = []
        self._lock = threading.RLock()

    # registration
    def add(self, entry: InstrumentEntry) -> None:
        """Add an entry; an id registered twice is an error naming both."""
        if entry.id in self._entries:
            other = self._entries[entry.id]
            raise RegistryError(
                f"instrument {entry.id!r} is registered twice: by {other.plugin} ({other.origin}) and by "
                f"{entry.plugin} ({entry.origin}); give one of them another id, or disable one plugin"
            )
        self._entries[entry.id] = entry

    def add_file(self, path: str | os.PathLike[str] | Traversable, plugin: PluginInfo) -> None:
        """Parse an instrument file and add it (broken files are recorded in :attr:`problems`)."""
        name = str(path)
        try:
            raw = Path(path).read_bytes() if isinstance(path, str | os.PathLike) else path.read_bytes()
            doc = parse_toml(raw, name)
        except OSError as exc:
            self.problems.append(Problem(f"cannot read instrument file: {exc}", file=name))
            return
        except ValidationError as exc:
            self.problems.extend(exc.problems)
            return
        ident = doc.get("id")
        if not isinstance(ident, str) or not ident:
            self.problems.append(Problem("an instrument file needs an 'id'", file=name, field="id"))
            return
        if doc.get("extends") == ident:
            # Not a second registration of its base: the one message `validate` gives for the same file.
            self.problems.append(
                Problem(f"a variant needs its own id, not its base's ({ident!r})", file=name, field="id")
            )
            return
        self.add(InstrumentEntry(ident, plugin, name, document=doc, text=raw.decode("utf-8", "replace")))

    # lookups
    def __contains__(self, ident: object) -> bool:
        return ident in self._entries and ident not in self.disabled

    def ids(self) -> list[str]:
        """Ids of the enabled instruments, sorted."""
        return sorted(i for i in self._entries if i not in self.disabled)

    def entry(self, ident: str) -> InstrumentEntry:
        if ident not in self._entries:
            raise UnknownNameError("instrument", ident, self.ids(), "run 'matrixkit tools' to list them")
        if ident in self.disabled:
            raise MatrixkitError(f"instrument {ident!r} is disabled by configuration")
        return self._entries[ident]

    def get(self, ident: str) -> Instrument:
        """The validated, resolved instrument; raises UnknownNameError, ValidationError or MatrixkitError."""
        self.entry(ident)
        return self.load(ident)

    def base(self, ident: str) -> Instrument:
        """An instrument as the base of a variant: disabled instruments too (disabling hides a tool, it does not
        break its variants). Raises KeyError saying what is known (and which plugins are disabled)."""
        if ident not in self._entries:
            known = ", ".join(sorted(self._entries)) or "none"
            detail = f"known: {known}"
            if self.blocked_plugins:
                detail += (
                    f"; plugins disabled by configuration: {', '.join(self.blocked_plugins)} — if the base comes from "
                    "one of them, enable that plugin (disabling an instrument instead keeps it available as a base)"
                )
            raise KeyError(detail)
        return self.load(ident)

    def all_ids(self) -> list[str]:
        """Ids of every registered instrument, disabled ones too (they remain bases of variants), sorted."""
        return sorted(self._entries)

    def load(self, ident: str) -> Instrument:
        """The instrument registered as ``ident``, validated and resolved (disabled or not)."""
        with self._lock:
            entry = self._entries[ident]
            if entry.instrument is not None:
                return entry.instrument
            if ident in self._resolving:
                cycle = " -> ".join([*self._resolving[self._resolving.index(ident) :], ident])
                raise ValidationError(Problem(f"variants extend each other in a cycle: {cycle}", field="extends"))
            assert entry.document is not None
            self._resolving.append(ident)
            try:
                instrument = instrument_from_document(
                    entry.document, lookup=self.base, file=entry.origin, text=entry.text
                )
            except ValidationError as exc:
                raise exc.located(entry.origin) from None
            finally:
                self._resolving.pop()
            entry.instrument = instrument
            return instrument

    def load_all(self) -> list[tuple[Instrument, InstrumentEntry]]:
        """Every enabled instrument that loads; the others' problems are added to :attr:`problems`."""
        loaded = []
        for ident in self.ids():
            try:
                loaded.append((self.load(ident), self._entries[ident]))
            except ValidationError as exc:
                self.problems.extend(p for p in exc.problems if p not in self.problems)
        return loaded

    def with_files(self, paths: list[str]) -> tuple[InstrumentCatalog, list[Problem]]:
        """A catalog of the instrument files ``paths`` in front of this one's instruments (a variant's base is
        looked up among the files first), for checking files before they are installed (``validate``), with
        the problems of reading them."""
        layered = _LayeredCatalog(self)
        problems: list[Problem] = []
        files = PluginInfo("(files given)")
        for name in dict.fromkeys(paths):
            try:
                doc, text = read_toml(name)
            except ValidationError as exc:
                problems += exc.problems
                continue
            ident = doc.get("id")
            if not isinstance(ident, str) or not ident:
                problems.append(Problem("an instrument file needs an 'id'", file=name, field="id"))
                continue
            key = ident
            if ident in layered._entries:
                problems.append(
                    Problem(f"id {ident!r} is also used by {layered._entries[ident].origin}", file=name, field="id")
                )
                key = f"{ident} ({name})"  # still checked, under a name of its own
            layered._entries[key] = InstrumentEntry(ident, files, name, document=doc, text=text)
        return layered, problems

    def __iter__(self) -> Iterator[Instrument]:
        return iter(inst for inst, _ in self.load_all())


class _LayeredCatalog(InstrumentCatalog):
    """Instrument files given on the command line in front of the installed catalog."""

    def __init__(self, below: InstrumentCatalog) -> None:
        super().__init__(frozenset(), below.blocked_plugins)
        self._below = below

    def base(self, ident: str) -> Instrument:
        if ident in self._entries:
            return self.load(ident)
        return self._below.base(ident)


# -- the registry ----------------------------------------------------------------------------------


class Registry:
    """What the active plugins provide, collected lazily per kind (once, under a lock)."""

    def __init__(self, host: PluginHost | None = None, config: Config | None = None) -> None:
        self.host = host if host is not None else PluginHost(config=config)
        self.config = self.host.config
        self._collected: dict[str, Any] = {}
        self._lock = threading.RLock()

    @classmethod
    def for_plugins(cls, *plugins: object, config: Config | None = None) -> Registry:
        """A registry of the built-ins plus ``plugins`` only (no entry points): for tests and embedding."""
        return cls(PluginHost(load_entrypoints=False, plugins=plugins, config=config or Config()))

    @property
    def pm(self) -> pluggy.PluginManager:
        """The plugin manager."""
        return self.host.pm

    def _collect(self, kind: str, build: Callable[[], Any]) -> Any:
        found = self._collected.get(kind)
        if found is not None:
            return found
        with self._lock:
            if kind not in self._collected:
                self._collected[kind] = build()
            return self._collected[kind]

    def _named(self, kind: str, hook: str, register_cls: type[_NamedRegister[Any]]) -> dict[str, Registered[Any]]:
        def build() -> dict[str, Registered[Any]]:
            table: dict[str, Registered[Any]] = {}
            getattr(self.pm.hook, hook)(register=register_cls(table, self.host))
            return table

        table: dict[str, Registered[Any]] = self._collect(kind, build)
        return table

    @property
    def instruments(self) -> InstrumentCatalog:
        def build() -> InstrumentCatalog:
            catalog = InstrumentCatalog(self.config.disabled_instruments, tuple(self.host.blocked))
            self.pm.hook.matrixkit_register_instruments(register=InstrumentRegister(catalog, self.host))
            return catalog

        catalog: InstrumentCatalog = self._collect("instruments", build)
        return catalog

    def instrument(self, ident: str) -> Instrument:
        """The instrument registered as ``ident`` (validated, variants resolved)."""
        return self.instruments.get(ident)

    def _lookup(self, kind: str, hook: str, register_cls: type[_NamedRegister[Any]], name: str) -> Registered[Any]:
        table = self._named(kind, hook, register_cls)
        if name not in table:
            raise UnknownNameError(register_cls.kind, name, table)
        return table[name]

    @property
    def rules(self) -> dict[str, Registered[ConsensusRule]]:
        return self._named("rules", "matrixkit_register_rules", RuleRegister)

    def rule(self, name: str) -> ConsensusRule:
        """The consensus rule ``name``; an exception raised in its ``suggest`` is reported naming its plugin."""
        found: Registered[ConsensusRule] = self._lookup("rules", "matrixkit_register_rules", RuleRegister, name)
        return found.obj if found.plugin.builtin else _BlamedRule(found.obj, found.plugin)

    @property
    def exporters(self) -> dict[str, Registered[Exporter]]:
        return self._named("exporters", "matrixkit_register_exporters", ExporterRegister)

    def exporter(self, name: str) -> Exporter:
        """The exporter registered as ``name`` (``exporters[name]`` has it with its plugin)."""
        found: Registered[Exporter] = self._lookup("exporters", "matrixkit_register_exporters", ExporterRegister, name)
        return found.obj

    @property
    def readers(self) -> dict[str, Registered[Reader]]:
        return self._named("readers", "matrixkit_register_readers", ReaderRegister)

    @property
    def commands(self) -> dict[str, Registered[Command]]:
        return self._named("commands", "matrixkit_register_commands", CommandRegister)

    def plugins(self) -> list[PluginInfo]:
        """The loaded plugins, built-ins first."""
        return self.host.plugins()

    def plugin_problems(self) -> list[str]:
        """Plugins found but not loaded, and registrations refused (each message names the plugin)."""
        return list(self.host.problems)

    def blocked_plugins(self) -> list[str]:
        """Names of installed plugins that configuration kept from loading."""
        return sorted(self.host.blocked)

    @staticmethod
    @contextlib.contextmanager
    def blame(plugin: PluginInfo, doing: str) -> Iterator[None]:
        """Report an exception raised by a plugin's code as a :class:`PluginError` naming the plugin (errors a
        plugin raises on purpose, :class:`MatrixkitError`, pass as they are; the core's own code is not blamed)."""
        try:
            yield
        except MatrixkitError:
            raise
        except Exception as exc:
            if plugin.builtin:
                raise
            raise PluginError(str(plugin), doing, exc) from exc


class _BlamedRule:
    """A plugin's consensus rule whose failures name the plugin."""

    def __init__(self, rule: ConsensusRule, plugin: PluginInfo) -> None:
        self._rule, self._plugin = rule, plugin
        self.name = rule.name
        self.description = rule.description

    def suggest(self, tally: Tally, instrument: Instrument) -> int | None:
        with Registry.blame(self._plugin, f"suggesting a level by the rule {self.name!r}"):
            index = self._rule.suggest(tally, instrument)
        if index is not None and (
            isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(instrument.levels)
        ):
            raise PluginError(
                str(self._plugin),
                f"suggesting a level by the rule {self.name!r}",
                ValueError(f"it proposed {index!r}, not a level index of {instrument.id} or None"),
            )
        return index


_default: Registry | None = None
_default_lock = threading.Lock()


def get_registry() -> Registry:
    """The process-wide registry of installed, enabled plugins (built on first use, once)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Registry()
    return _default


def reset_registry() -> None:
    """Forget the process-wide registry (after changing configuration or installing plugins)."""
    global _default
    with _default_lock:
        _default = None
