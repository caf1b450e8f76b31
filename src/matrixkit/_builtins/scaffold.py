"""The ``new-plugin`` command: create a plugin distribution ready to install, test and publish.

The files come from the templates shipped in ``matrixkit/_templates/plugin`` (package data): ``base/`` holds
what every plugin has (a ``pyproject.toml`` declaring the ``matrixkit`` entry point, the plugin module, a
README, the tests' ``conftest.py``), and one folder per *part* holds that part's module and its tests, which
run the contract test kit (:mod:`matrixkit.testing.contract`):

``instrument``  an example instrument file and the hook registering every file of its folder;
``exporter``    a tab-separated values format for blank sheets and collations;
``rule``        a consensus rule (the level a majority chose);
``reader``      a response reader for "long" CSV (one row per answer);
``command``     a ``matrixkit`` sub-command (one level's column of a matrix).

``pip install DIR`` makes every part appear (``matrixkit tools``, ``formats``, ``rules``, ``plugins``,
``--help``); ``pytest`` inside DIR passes as generated.
"""

from __future__ import annotations

import keyword
import re
import string
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from matrixkit import __version__
from matrixkit.errors import MatrixkitError
from matrixkit.hookspecs import hookimpl

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from importlib.resources.abc import Traversable

    from matrixkit.cli import Context
    from matrixkit.registry import CommandRegister

__all__ = ["PARTS", "PluginNames", "parse_parts", "plugin_files", "plugin_names", "scaffold_plugin"]

PLUGIN_NAME = "builtin:scaffold"

#: A distribution name the scaffold accepts: lowercase kebab-case starting with a letter, so that the import
#: package (hyphens → underscores) is a valid Python name.
NAME_PATTERN = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
_NAME_RE = re.compile(NAME_PATTERN)
_TEMPLATE_SUFFIX = ".tmpl"
_README_PART = "README.part.md" + _TEMPLATE_SUFFIX
_RENAMES = {"gitignore": ".gitignore"}
#: Prefixes dropped from a distribution name to make the plugin (entry point) name.
_PREFIXES = ("maturity-matrixkit-", "matrixkit-")
#: Names that belong to matrixkit itself.
_TAKEN = frozenset({"matrixkit", "maturity-matrixkit"})

#: The parts a plugin can have, in the order they are generated: part → (module, hook, what it is).
PARTS: dict[str, tuple[str, str, str]] = {
    "instrument": ("instruments", "matrixkit_register_instruments", "an instrument"),
    "exporter": ("exporter", "matrixkit_register_exporters", "an output format"),
    "rule": ("rule", "matrixkit_register_rules", "a consensus rule"),
    "reader": ("reader", "matrixkit_register_readers", "a response reader"),
    "command": ("command", "matrixkit_register_commands", "a command"),
}
DEFAULT_PARTS: tuple[str, ...] = ("instrument",)


class PluginNames:
    """The names derived from a plugin's distribution name."""

    def __init__(self, name: str) -> None:
        #: Distribution name (``pip install NAME``), e.g. ``matrixkit-community-tools``.
        self.name = name
        #: Import package, e.g. ``matrixkit_community_tools``.
        self.package = name.replace("-", "_")
        #: Entry point (plugin) name: the distribution name without a ``matrixkit-`` prefix.
        self.entry_point = next((name.removeprefix(p) for p in _PREFIXES if name.startswith(p)), name)
        #: Id of the example instrument.
        self.instrument_id = self.entry_point
        #: Names of the example exporter, rule, reader and command (prefixed by the plugin's name, so that two
        #: plugins made with this command can be installed side by side).
        self.exporter = f"{self.entry_point}-tsv"
        self.rule = f"{self.entry_point}-majority"
        self.reader = f"{self.entry_point}-long"
        self.command = f"{self.entry_point}-column"


def plugin_names(name: str) -> PluginNames:
    """Check a distribution name and derive the others from it; raise MatrixkitError saying what is wrong."""
    if not _NAME_RE.match(name):
        raise MatrixkitError(
            f"plugin name {name!r} is not lowercase kebab-case starting with a letter (e.g. 'matrixkit-my-tools')"
        )
    names = PluginNames(name)
    if name in _TAKEN or names.entry_point in _TAKEN or name.startswith("maturity-matrixkit"):
        raise MatrixkitError(f"plugin name {name!r} is taken by matrixkit itself; choose another")
    if keyword.iskeyword(names.package) or names.package in sys.stdlib_module_names:
        raise MatrixkitError(
            f"plugin name {name!r} would make an import package {names.package!r} that clashes with Python's own; "
            f"choose another, e.g. 'matrixkit-{name}'"
        )
    return names


def parse_parts(text: str) -> tuple[str, ...]:
    """``"rule,exporter"`` → the parts in generation order; raise MatrixkitError for an unknown or empty list."""
    chosen = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = sorted(chosen - set(PARTS))
    if unknown:
        raise MatrixkitError(f"--with: unknown part(s) {', '.join(map(repr, unknown))} (parts: {', '.join(PARTS)})")
    if not chosen:
        raise MatrixkitError(f"--with: name at least one part ({', '.join(PARTS)})")
    return tuple(part for part in PARTS if part in chosen)


def _name_from_directory(directory: Path) -> str:
    name = re.sub(r"[\s_]+", "-", directory.resolve().name.strip().lower())
    if not _NAME_RE.match(name):
        raise MatrixkitError(
            f"cannot make a plugin name from the directory name {directory.resolve().name!r}; give one with --name"
        )
    return name


def _walk(folder: Traversable, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Traversable]]:
    found = []
    for child in sorted(folder.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            if child.name != "__pycache__":
                found += _walk(child, (*prefix, child.name))
        elif child.name.endswith(_TEMPLATE_SUFFIX):
            found.append(((*prefix, child.name), child))
    return found


def _description(parts: Sequence[str]) -> str:
    if tuple(parts) == ("instrument",):
        return "Maturity-matrix instruments for matrixkit."
    things = [PARTS[part][2] for part in parts]
    listed = things[0] if len(things) == 1 else ", ".join(things[:-1]) + " and " + things[-1]
    return f"{listed[:1].upper()}{listed[1:]} for matrixkit."


def _parts_table(names: PluginNames, parts: Sequence[str]) -> str:
    rows = {
        "instrument": ("instrument", names.instrument_id, f"src/{names.package}/instruments/"),
        "exporter": ("format", names.exporter, f"src/{names.package}/exporter.py"),
        "rule": ("consensus rule", names.rule, f"src/{names.package}/rule.py"),
        "reader": ("response reader", names.reader, f"src/{names.package}/reader.py"),
        "command": ("command", f"matrixkit {names.command}", f"src/{names.package}/command.py"),
    }
    return "\n".join(f"| {rows[p][0]} | `{rows[p][1]}` | `{rows[p][2]}` |" for p in parts)


def plugin_files(names: PluginNames, parts: Sequence[str] = DEFAULT_PARTS) -> dict[str, str]:
    """The files of a new plugin distribution with ``parts``: relative path (``/``-separated) → text."""
    from importlib.resources import files  # here, not at the top: every command imports this module

    parts = parse_parts(",".join(parts))
    major_minor = ".".join(__version__.split(".")[:2])
    next_major = int(__version__.split(".")[0]) + 1
    modules = [PARTS[part] for part in parts]
    values = {
        "name": names.name,
        "package": names.package,
        "entry_point": names.entry_point,
        "instrument_id": names.instrument_id,
        "exporter_name": names.exporter,
        "rule_name": names.rule,
        "reader_name": names.reader,
        "command_name": names.command,
        "description": _description(parts),
        "requirement": f"maturity-matrixkit>={major_minor},<{next_major}",
        "test_requirement": f"maturity-matrixkit[testing]>={major_minor},<{next_major}",
        "imports": "\n".join(sorted(f"from {names.package}.{module} import {hook}" for module, hook, _ in modules)),
        "names": "\n".join(f'    "{hook}",' for hook in sorted(hook for _, hook, _ in modules)),
        "parts_table": _parts_table(names, parts),
    }
    root = files("matrixkit") / "_templates" / "plugin"
    templates = [(relative, template) for folder in ("base", *parts) for relative, template in _walk(root / folder)]
    # Each part's README section goes into the README's $readme_parts; every other template is a file.
    sections = [
        string.Template(template.read_text(encoding="utf-8")).substitute(values).strip("\n")
        for relative, template in templates
        if relative == (_README_PART,)
    ]
    values["readme_parts"] = "\n\n".join(sections)
    result = {}
    for relative, template in templates:
        if relative == (_README_PART,):
            continue
        target = [
            part.replace("__package__", names.package).replace("__instrument__", names.instrument_id)
            for part in relative
        ]
        target[-1] = _RENAMES.get(target[-1].removesuffix(_TEMPLATE_SUFFIX), target[-1].removesuffix(_TEMPLATE_SUFFIX))
        text = string.Template(template.read_text(encoding="utf-8")).substitute(values)
        result["/".join(target)] = text.rstrip("\n") + "\n" if text.strip() else text
    return result


def scaffold_plugin(
    directory: str | Path, name: str | None = None, parts: Sequence[str] = DEFAULT_PARTS
) -> tuple[PluginNames, list[Path]]:
    """Create a plugin distribution with ``parts`` in ``directory`` (missing or empty); return its names and the
    files written.

    Raises :class:`MatrixkitError` when the directory is not empty, the name is not usable or a part is unknown.
    """
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise MatrixkitError(f"{folder} exists and is not a directory")
    if folder.is_dir() and any(folder.iterdir()):
        raise MatrixkitError(f"{folder} is not empty; give a new or empty directory")
    names = plugin_names(name if name is not None else _name_from_directory(folder))
    contents = plugin_files(names, parts)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for relative, text in contents.items():
            path = folder.joinpath(*relative.split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise MatrixkitError(f"{folder}: cannot write the plugin: {exc.strerror or exc}") from exc
    return names, sorted(written)


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="where to create the plugin (a new or empty directory)")
    parser.add_argument(
        "--name",
        help="distribution name, lowercase kebab-case (default: made from DIR's name); the import package and "
        "the entry point are derived from it",
    )
    parser.add_argument(
        "--with",
        dest="parts",
        metavar="PARTS",
        default=",".join(DEFAULT_PARTS),
        help=f"the parts to generate, separated by commas: {', '.join(PARTS)}",
    )


def _run(args: argparse.Namespace, ctx: Context) -> int:
    folder = Path(args.directory)
    parts = parse_parts(args.parts)
    names, written = scaffold_plugin(folder, args.name, parts)
    ctx.print(f"Created the plugin distribution {names.name!r} in {folder}:")
    for path in written:
        ctx.print(f"  {path.relative_to(folder).as_posix()}")
    added = {
        "instrument": f"the instrument {names.instrument_id!r} (matrixkit tools)",
        "exporter": f"the format {names.exporter!r} (matrixkit formats)",
        "rule": f"the consensus rule {names.rule!r} (matrixkit rules)",
        "reader": f"the response reader {names.reader!r} for *.long.csv files",
        "command": f"the command 'matrixkit {names.command}' (matrixkit --help)",
    }
    ctx.print(f"\nThrough the entry point {names.entry_point!r} (matrixkit plugins) it adds:")
    for part in parts:
        ctx.print(f"  {added[part]}")
    ctx.print(
        "Next: install it with its test dependencies, see what it adds, run its tests:\n"
        f'  pip install -e "{folder}[test]"\n'
        "  matrixkit plugins\n"
        f"  cd {folder} && pytest"
    )
    return 0


@hookimpl
def matrixkit_register_commands(register: CommandRegister) -> None:
    register.command(
        "new-plugin",
        run=_run,
        configure=_configure,
        help="create a plugin distribution (pyproject, the parts you choose, README, contract tests)",
        description=(
            "Create a plugin distribution in DIR: a pyproject.toml with the 'matrixkit' entry point, a plugin\n"
            "module, a README, and for each part chosen with --with (instrument, exporter, rule, reader,\n"
            "command) a working example with tests that run matrixkit's contract test kit. 'pip install DIR'\n"
            "makes each part appear ('matrixkit tools', 'formats', 'rules', 'plugins'); 'pytest' inside DIR\n"
            "passes as generated. DIR must be new or empty."
        ),
    )
