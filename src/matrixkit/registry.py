"""The plugin manager and the registry of what plugins provide.

:func:`get_plugin_manager` builds a pluggy manager: the hook specifications, the core's built-in plugins,
then (unless told not to) the external plugins found through entry points in the ``matrixkit`` group,
filtered by the configuration (:mod:`matrixkit.config`). Nothing is built at import time.

:class:`Registry` asks the plugins for their registrations lazily, one kind at a time (instruments, rules,
exporters, readers, commands), the first time that kind is needed, and labels each registration with the
plugin (and distribution) that made it. A duplicate id or name is an error naming both plugins — never
last-wins.

Instruments registered as files are parsed when instruments are first needed, validated and resolved
(variants applied) when first used. A broken instrument file is recorded in :attr:`InstrumentCatalog.problems`
and skipped; it does not hide the other instruments.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
import pluggy

from matrixkit import __version__, hookspecs
from matrixkit.config import Config, load_config
from matrixkit.errors import MatrixkitError, Problem, RegistryError, UnknownNameError, ValidationError
from matrixkit.model import Instrument

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from matrixkit._entrypoints import EntryPoint
    from matrixkit.cli import Command
    from matrixkit.exporting import Exporter
    from matrixkit.readers import Reader
    from matrixkit.rules import ConsensusRule

__all__ = [
    "BUILTIN_PLUGINS",
    "CommandRegister",
    "ExporterRegister",
    "InstrumentCatalog",
    "InstrumentEntry",
    "InstrumentRegister",
    "PluginInfo",
    "ReaderRegister",
    "Registry",
    "RuleRegister",
    "get_plugin_manager",
    "get_registry",
]

#: The core's own plugins, registered through the same hooks as external ones.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "matrixkit._builtins.commands",
    "matrixkit._builtins.formats",
    "matrixkit._builtins.export_commands",
    "matrixkit._builtins.path",
    "matrixkit._builtins.scaffold",
    "matrixkit._builtins.rules",
    "matrixkit._builtins.readers",
    "matrixkit._builtins.collation_commands",
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


# -- the plugin manager ----------------------------------------------------------------------------


def get_plugin_manager(
    *,
    load_entrypoints: bool = True,
    blocked: tuple[str, ...] = (),
    config: Config | None = None,
    plugins: tuple[object, ...] = (),
) -> pluggy.PluginManager:
    """Build a plugin manager.

    :param load_entrypoints: load external plugins from entry points in the ``matrixkit`` group.
    :param blocked: names of plugins not to load, in addition to the configuration's.
    :param config: the configuration; read from file and environment when omitted.
    :param plugins: extra plugin objects to register (tests use this instead of entry points).
    """
    import importlib

    pm = pluggy.PluginManager("matrixkit")
    pm.add_hookspecs(hookspecs)
    pm._matrixkit_info = {}  # type: ignore[attr-defined]
    pm._matrixkit_problems = []  # type: ignore[attr-defined]
    for module_name in BUILTIN_PLUGINS:
        module = importlib.import_module(module_name)
        name = getattr(module, "PLUGIN_NAME", "builtin:" + module_name.rsplit(".", 1)[-1])
        _register(pm, module, name, PluginInfo(name, "maturity-matrixkit", __version__, True))
    if load_entrypoints:
        cfg = config if config is not None else load_config()
        for name in blocked:
            pm.set_blocked(name)
        for ep in _entry_points():
            if name_blocked(pm, ep.name) or not cfg.plugin_enabled(ep.name):
                pm.set_blocked(ep.name)
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                # One broken plugin must not take the others (or `matrixkit --version`) down with it.
                pm._matrixkit_problems.append(  # type: ignore[attr-defined]
                    f"plugin {ep.name!r} ({ep.value}, distribution {_dist_name(ep)}) could not be loaded: "
                    f"{type(exc).__name__}: {exc}; disable it with MATRIXKIT_DISABLE_PLUGINS={ep.name}"
                )
                pm.set_blocked(ep.name)
                continue
            _register(pm, plugin, ep.name, PluginInfo(ep.name, ep.dist_name, ep.dist_version))
    for i, plugin in enumerate(plugins):
        name = getattr(plugin, "__name__", None) or f"plugin-{i}"
        _register(pm, plugin, name, PluginInfo(name))
    pm.check_pending()
    return pm


def name_blocked(pm: pluggy.PluginManager, name: str) -> bool:
    return pm.is_blocked(name)


def _register(pm: pluggy.PluginManager, plugin: object, name: str, info: PluginInfo) -> None:
    pm.register(plugin, name=name)
    pm._matrixkit_info[name] = info  # type: ignore[attr-defined]


def _entry_points() -> list[EntryPoint]:
    """Entry points of the ``matrixkit`` group; a name declared twice is an error naming both.

    Found by :mod:`matrixkit._entrypoints`, which gives importlib.metadata's answer without importing it.
    """
    from matrixkit._entrypoints import entry_points

    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in found:
            first = found[ep.name]
            if first.value == ep.value and _dist_name(first) == _dist_name(ep):
                continue  # the same distribution seen twice on sys.path
            raise RegistryError(
                f"two plugins are named {ep.name!r}: {first.value} (distribution {_dist_name(first)}) and "
                f"{ep.value} (distribution {_dist_name(ep)}); uninstall one or disable it in matrixkit.toml"
            )
        found[ep.name] = ep
    return sorted(found.values(), key=lambda ep: ep.name)


def _dist_name(ep: EntryPoint) -> str:
    return ep.dist_name if ep.dist_name is not None else "unknown"


def plugin_info(pm: pluggy.PluginManager, name: str) -> PluginInfo:
    info: dict[str, PluginInfo] = getattr(pm, "_matrixkit_info", {})
    return info.get(name) or PluginInfo(name)


# -- registration objects --------------------------------------------------------------------------

T = TypeVar("T")


@attrs.define
class _Named(Generic[T]):
    obj: T
    plugin: PluginInfo


class _NamedRegister(Generic[T]):
    """Shared duplicate checking of the name-keyed registers."""

    kind = "thing"

    def __init__(self, table: dict[str, _Named[T]], plugin: PluginInfo) -> None:
        self._table, self.plugin = table, plugin

    def _add(self, name: object, obj: T) -> None:
        if not isinstance(name, str) or not name:
            raise RegistryError(f"{self.plugin} registered a {self.kind} without a name: {obj!r}")
        if name in self._table:
            other = self._table[name].plugin
            raise RegistryError(
                f"{self.kind} {name!r} is registered twice: by {other} and by {self.plugin}; "
                "uninstall or disable one of them"
            )
        self._table[name] = _Named(obj, self.plugin)


class RuleRegister(_NamedRegister["ConsensusRule"]):
    """Passed to :func:`~matrixkit.hookspecs.matrixkit_register_rules`."""

    kind = "consensus rule"

    def rule(self, rule: ConsensusRule) -> None:
        self._add(getattr(rule, "name", None), rule)


class ExporterRegister(_NamedRegister["Exporter"]):
    """Passed to :func:`~matrixkit.hookspecs.matrixkit_register_exporters`."""

    kind = "exporter"

    def exporter(self, exporter: Exporter) -> None:
        self._add(getattr(exporter, "name", None), exporter)


class ReaderRegister(_NamedRegister["Reader"]):
    """Passed to :func:`~matrixkit.hookspecs.matrixkit_register_readers`."""

    kind = "reader"

    def reader(self, reader: Reader) -> None:
        self._add(getattr(reader, "name", None), reader)


class CommandRegister(_NamedRegister["Command"]):
    """Passed to :func:`~matrixkit.hookspecs.matrixkit_register_commands`."""

    kind = "command"

    def command(
        self,
        name: str,
        *,
        run: Callable[..., int],
        configure: Callable[[Any], None] | None = None,
        help: str = "",
        description: str = "",
    ) -> None:
        from matrixkit.cli import Command

        self._add(name, Command(name=name, run=run, configure=configure, help=help, description=description))


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

    def __init__(self, catalog: InstrumentCatalog, plugin: PluginInfo, config: Config) -> None:
        self._catalog, self.plugin = catalog, plugin
        #: The effective configuration (the built-in MATRIXKIT_PATH plugin reads its directories here).
        self.config = config

    def instrument(self, item: Instrument | str | os.PathLike[str] | Traversable) -> None:
        """Register an instrument object or an instrument TOML file."""
        if isinstance(item, Instrument):
            self._catalog._add(
                InstrumentEntry(item.id, self.plugin, f"object from {self.plugin.name}", instrument=item)
            )
            return
        self._catalog._add_file(item, self.plugin)

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
                self._catalog._add_file(child, self.plugin)


class InstrumentCatalog:
    """The registered instruments, loaded and resolved on demand."""

    def __init__(self, disabled: frozenset[str] = frozenset()) -> None:
        self._entries: dict[str, InstrumentEntry] = {}
        self.disabled = disabled
        #: Problems with registered instruments that were skipped (broken files): warnings, not errors.
        self.problems: list[Problem] = []
        self._resolving: list[str] = []

    # registration
    def _add(self, entry: InstrumentEntry) -> None:
        if entry.id in self._entries:
            other = self._entries[entry.id]
            raise RegistryError(
                f"instrument {entry.id!r} is registered twice: by {other.plugin} ({other.origin}) and by "
                f"{entry.plugin} ({entry.origin}); give one of them another id, or disable one plugin"
            )
        self._entries[entry.id] = entry

    def _add_file(self, path: str | os.PathLike[str] | Traversable, plugin: PluginInfo) -> None:
        from matrixkit.format import parse_toml

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
        self._add(InstrumentEntry(ident, plugin, name, document=doc, text=raw.decode("utf-8", "replace")))

    # lookups
    def __contains__(self, ident: object) -> bool:
        return ident in self._entries and ident not in self.disabled

    def ids(self) -> list[str]:
        """Ids of the enabled instruments, in registration order."""
        return [i for i in self._entries if i not in self.disabled]

    def entry(self, ident: str) -> InstrumentEntry:
        if ident not in self._entries:
            raise UnknownNameError("instrument", ident, self.ids(), "run 'matrixkit tools' to list them")
        if ident in self.disabled:
            raise MatrixkitError(f"instrument {ident!r} is disabled by configuration")
        return self._entries[ident]

    def get(self, ident: str) -> Instrument:
        """The validated, resolved instrument; raises UnknownNameError, ValidationError or MatrixkitError."""
        self.entry(ident)
        return self._load(ident)

    def _base(self, ident: str) -> Instrument:
        # Bases may be disabled instruments: disabling hides a tool, it does not break its variants.
        if ident not in self._entries:
            raise KeyError(f"known: {', '.join(sorted(self._entries)) or 'none'}")
        return self._load(ident)

    def _load(self, ident: str) -> Instrument:
        entry = self._entries[ident]
        if entry.instrument is not None:
            return entry.instrument
        if ident in self._resolving:
            cycle = " -> ".join([*self._resolving[self._resolving.index(ident) :], ident])
            raise ValidationError(Problem(f"variants extend each other in a cycle: {cycle}", field="extends"))
        from matrixkit.format import instrument_from_document

        assert entry.document is not None
        self._resolving.append(ident)
        try:
            instrument = instrument_from_document(entry.document, lookup=self._base, file=entry.origin, text=entry.text)
        except ValidationError as exc:
            raise exc.located(entry.origin) from None
        finally:
            self._resolving.pop()
        if instrument.id != ident:  # pragma: no cover - the id is read from the same document
            raise RegistryError(f"{entry.origin}: id changed while loading")
        entry.instrument = instrument
        return instrument

    def load_all(self) -> list[tuple[Instrument, InstrumentEntry]]:
        """Every enabled instrument that loads; the others' problems are added to :attr:`problems`."""
        loaded = []
        for ident in self.ids():
            try:
                loaded.append((self._load(ident), self._entries[ident]))
            except ValidationError as exc:
                self.problems.extend(exc.problems)
        return loaded

    def __iter__(self) -> Iterator[Instrument]:
        return iter(inst for inst, _ in self.load_all())


# -- the registry ----------------------------------------------------------------------------------


class Registry:
    """What the active plugins provide, collected lazily per kind."""

    def __init__(self, pm: pluggy.PluginManager | None = None, config: Config | None = None) -> None:
        self.config = config if config is not None else load_config()
        self.pm = pm if pm is not None else get_plugin_manager(config=self.config)
        self._cache: dict[str, Any] = {}

    @classmethod
    def for_plugins(cls, *plugins: object, config: Config | None = None) -> Registry:
        """A registry of the built-ins plus ``plugins`` only (no entry points): for tests and embedding."""
        cfg = config if config is not None else Config()
        return cls(get_plugin_manager(load_entrypoints=False, plugins=plugins, config=cfg), cfg)

    def _call(self, hook_name: str, make_register: Callable[[PluginInfo], Any]) -> None:
        hook = getattr(self.pm.hook, hook_name)
        for impl in hook.get_hookimpls():  # registration order
            info = plugin_info(self.pm, impl.plugin_name)
            register = make_register(info)
            try:
                impl.function(*[register for _ in impl.argnames])
            except MatrixkitError:
                raise
            except Exception as exc:
                raise RegistryError(f"{info} failed in {hook_name}: {type(exc).__name__}: {exc}") from exc

    def _named(self, kind: str, hook: str, register_cls: type[_NamedRegister[Any]]) -> dict[str, _Named[Any]]:
        if kind not in self._cache:
            table: dict[str, _Named[Any]] = {}
            self._call(hook, lambda info: register_cls(table, info))
            self._cache[kind] = table
        table_: dict[str, _Named[Any]] = self._cache[kind]
        return table_

    @property
    def instruments(self) -> InstrumentCatalog:
        if "instruments" not in self._cache:
            catalog = InstrumentCatalog(self.config.disabled_instruments)
            self._cache["instruments"] = catalog
            self._call("matrixkit_register_instruments", lambda info: InstrumentRegister(catalog, info, self.config))
        catalog_: InstrumentCatalog = self._cache["instruments"]
        return catalog_

    def instrument(self, ident: str) -> Instrument:
        return self.instruments.get(ident)

    def _lookup(self, kind: str, hook: str, register_cls: type[_NamedRegister[Any]], name: str) -> Any:
        table = self._named(kind, hook, register_cls)
        if name not in table:
            raise UnknownNameError(register_cls.kind, name, table)
        return table[name].obj

    @property
    def rules(self) -> dict[str, _Named[ConsensusRule]]:
        return self._named("rules", "matrixkit_register_rules", RuleRegister)

    def rule(self, name: str) -> ConsensusRule:
        rule: ConsensusRule = self._lookup("rules", "matrixkit_register_rules", RuleRegister, name)
        return rule

    @property
    def exporters(self) -> dict[str, _Named[Exporter]]:
        return self._named("exporters", "matrixkit_register_exporters", ExporterRegister)

    def exporter(self, name: str) -> Exporter:
        exporter: Exporter = self._lookup("exporters", "matrixkit_register_exporters", ExporterRegister, name)
        return exporter

    @property
    def readers(self) -> dict[str, _Named[Reader]]:
        return self._named("readers", "matrixkit_register_readers", ReaderRegister)

    def reader(self, name: str) -> Reader:
        reader: Reader = self._lookup("readers", "matrixkit_register_readers", ReaderRegister, name)
        return reader

    @property
    def commands(self) -> dict[str, _Named[Command]]:
        return self._named("commands", "matrixkit_register_commands", CommandRegister)

    def plugins(self) -> list[PluginInfo]:
        """The loaded plugins, built-ins first."""
        infos = [plugin_info(self.pm, name) for name, plugin in self.pm.list_name_plugin() if plugin is not None]
        return sorted(infos, key=lambda i: (not i.builtin, i.name))

    def plugin_problems(self) -> list[str]:
        """Plugins that were found but could not be loaded (each message says how to disable it)."""
        problems: list[str] = getattr(self.pm, "_matrixkit_problems", [])
        return list(problems)

    def blocked_plugins(self) -> list[str]:
        """Names of installed plugins that configuration kept from loading."""
        return sorted(name for name, plugin in self.pm.list_name_plugin() if plugin is None)


_default: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry of installed, enabled plugins (built on first use)."""
    global _default
    if _default is None:
        _default = Registry()
    return _default


def reset_registry() -> None:
    """Forget the process-wide registry (after changing configuration or installing plugins)."""
    global _default
    _default = None
