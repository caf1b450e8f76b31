"""The ``new-plugin`` command: create a plugin distribution ready to install, test and publish.

The files come from the templates shipped in ``matrixkit/_templates/plugin`` (package data): a
``pyproject.toml`` declaring the ``matrixkit`` entry point, a plugin module that registers every instrument
file of its ``instruments`` folder, one example instrument, a README, and tests that run the contract test kit
(:mod:`matrixkit.testing.contract`). ``pip install DIR`` makes the example instrument appear in
``matrixkit tools``; ``pytest`` inside DIR passes as generated.
"""

from __future__ import annotations

import keyword
import re
import string
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from matrixkit.errors import MatrixkitError
from matrixkit.hookspecs import hookimpl

if TYPE_CHECKING:
    import argparse
    from importlib.resources.abc import Traversable

    from matrixkit.cli import Context
    from matrixkit.registry import CommandRegister

__all__ = ["PluginNames", "plugin_files", "plugin_names", "scaffold_plugin"]

PLUGIN_NAME = "builtin:scaffold"

#: A distribution name the scaffold accepts: lowercase kebab-case starting with a letter, so that the import
#: package (hyphens → underscores) is a valid Python name.
NAME_PATTERN = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
_NAME_RE = re.compile(NAME_PATTERN)
_TEMPLATE_SUFFIX = ".tmpl"
_RENAMES = {"gitignore": ".gitignore"}


class PluginNames:
    """The names derived from a plugin's distribution name."""

    def __init__(self, name: str) -> None:
        #: Distribution name (``pip install NAME``), e.g. ``matrixkit-community-tools``.
        self.name = name
        #: Import package, e.g. ``matrixkit_community_tools``.
        self.package = name.replace("-", "_")
        #: Entry point (plugin) name: the distribution name without a ``matrixkit-`` prefix.
        self.entry_point = name.removeprefix("matrixkit-")
        #: Id of the example instrument.
        self.instrument_id = self.entry_point


def plugin_names(name: str) -> PluginNames:
    """Check a distribution name and derive the others from it; raise MatrixkitError saying what is wrong."""
    if not _NAME_RE.match(name):
        raise MatrixkitError(
            f"plugin name {name!r} is not lowercase kebab-case starting with a letter (e.g. 'matrixkit-my-tools')"
        )
    names = PluginNames(name)
    if name == "matrixkit" or names.entry_point == "matrixkit":
        raise MatrixkitError(f"plugin name {name!r} is taken by matrixkit itself; choose another")
    if keyword.iskeyword(names.package) or names.package in sys.stdlib_module_names:
        raise MatrixkitError(
            f"plugin name {name!r} would make an import package {names.package!r} that clashes with Python's own; "
            f"choose another, e.g. 'matrixkit-{name}'"
        )
    return names


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


def plugin_files(names: PluginNames) -> dict[str, str]:
    """The files of a new plugin distribution: relative path (``/``-separated) → text."""
    from matrixkit import __version__

    major_minor = ".".join(__version__.split(".")[:2])
    next_major = int(__version__.split(".")[0]) + 1
    values = {
        "name": names.name,
        "package": names.package,
        "entry_point": names.entry_point,
        "instrument_id": names.instrument_id,
        "requirement": f"matrixkit>={major_minor},<{next_major}",
        "test_requirement": f"maturity-matrixkit[testing]>={major_minor},<{next_major}",
    }
    result = {}
    from importlib.resources import files  # here, not at the top: every command imports this module

    for parts, template in _walk(files("matrixkit") / "_templates" / "plugin"):
        target = [
            part.replace("__package__", names.package).replace("__instrument__", names.instrument_id) for part in parts
        ]
        target[-1] = target[-1].removesuffix(_TEMPLATE_SUFFIX)
        target[-1] = _RENAMES.get(target[-1], target[-1])
        text = string.Template(template.read_text(encoding="utf-8")).substitute(values)
        result["/".join(target)] = text
    return result


def scaffold_plugin(directory: str | Path, name: str | None = None) -> tuple[PluginNames, list[Path]]:
    """Create a plugin distribution in ``directory`` (missing or empty); return its names and the files written.

    Raises :class:`MatrixkitError` when the directory is not empty or the name is not usable.
    """
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise MatrixkitError(f"{folder} exists and is not a directory")
    if folder.is_dir() and any(folder.iterdir()):
        raise MatrixkitError(f"{folder} is not empty; give a new or empty directory")
    names = plugin_names(name if name is not None else _name_from_directory(folder))
    contents = plugin_files(names)
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
    return names, written


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="where to create the plugin (a new or empty directory)")
    parser.add_argument(
        "--name",
        help="distribution name, lowercase kebab-case (default: made from DIR's name); the import package and "
        "the entry point are derived from it",
    )


def _run(args: argparse.Namespace, ctx: Context) -> int:
    folder = Path(args.directory)
    names, written = scaffold_plugin(folder, args.name)
    ctx.print(f"Created the plugin distribution {names.name!r} in {folder}:")
    for path in written:
        ctx.print(f"  {path.relative_to(folder).as_posix()}")
    ctx.print(
        f"\nIt registers the instrument {names.instrument_id!r} through the entry point {names.entry_point!r}.\n"
        "Next: install it with its test dependencies, see the instrument listed, run its tests:\n"
        f'  pip install -e "{folder}[test]"\n'
        "  matrixkit tools\n"
        f"  cd {folder} && pytest"
    )
    return 0


@hookimpl
def matrixkit_register_commands(register: CommandRegister) -> None:
    register.command(
        "new-plugin",
        run=_run,
        configure=_configure,
        help="create a plugin distribution (pyproject, example instrument, README, contract tests)",
        description=(
            "Create a plugin distribution in DIR: a pyproject.toml with the 'matrixkit' entry point, a plugin\n"
            "module registering the instrument files of its instruments/ folder, one example instrument, a\n"
            "README, and tests that run matrixkit's contract test kit. 'pip install DIR' makes the instrument\n"
            "appear in 'matrixkit tools'; 'pytest' inside DIR passes as generated. DIR must be new or empty."
        ),
    )
