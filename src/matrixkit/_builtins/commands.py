"""The core's commands about instruments and plugins: ``tools``, ``show``, ``validate``, ``plugins``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from matrixkit.errors import Problem, ValidationError
from matrixkit.hookspecs import hookimpl

if TYPE_CHECKING:
    from matrixkit.cli import Context
    from matrixkit.model import Instrument
    from matrixkit.registry import CommandRegister

NO_INSTRUMENTS = (
    "No instruments are installed.\n"
    "Install a plugin that provides some, e.g. 'pip install maturity-matrixkit-pit-tools', or put instrument TOML "
    "files in a directory and point MATRIXKIT_PATH at it."
)


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


# -- tools -----------------------------------------------------------------------------------------


def _configure_tools(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def _run_tools(args: argparse.Namespace, ctx: Context) -> int:
    loaded = ctx.registry.instruments.load_all()
    ctx.warn_registry_problems()
    records: list[dict[str, Any]] = [
        {
            "id": inst.id,
            "title": inst.title,
            "version": inst.version,
            "plugin": entry.plugin.name,
            "distribution": entry.plugin.distribution,
            "based_on": inst.based_on,
            "levels": len(inst.levels),
            "domains": len(inst.domains),
        }
        for inst, entry in loaded
    ]
    if args.json:
        ctx.print(json.dumps(records, indent=2, ensure_ascii=False))
        return 0
    if not records:
        ctx.print(NO_INSTRUMENTS)
        return 0
    rows = [[r["id"], r["title"], r["version"], r["plugin"]] for r in records]
    ctx.print(_table(rows, ["ID", "TITLE", "VERSION", "PLUGIN"]))
    return 0


# -- show ------------------------------------------------------------------------------------------


def _configure_show(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instrument", metavar="ID", help="an instrument id, or the path of an instrument file")
    parser.add_argument(
        "--format",
        "-f",
        default="text",
        help="text (default), json, toml, or any format that renders sheets (see 'matrixkit formats')",
    )
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")


def _run_show(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit.exporting import render

    instrument = ctx.instrument(args.instrument)
    exporter = ctx.registry.exporter(args.format)
    ctx.write_output(render(exporter, "sheet", instrument), args.output)
    return 0


# -- validate --------------------------------------------------------------------------------------


def _configure_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="instrument TOML files")


def _run_validate(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit.format import instrument_from_document, read_toml

    # Every file is checked on its own; a variant's base is looked up among the files given first
    # (so a base and its variants validate together), then among the installed instruments.
    documents: dict[str, tuple[dict[str, Any], str]] = {}
    by_id: dict[str, str] = {}
    problems: list[Problem] = []
    for name in dict.fromkeys(args.files):
        try:
            doc, text = read_toml(name)
        except ValidationError as exc:
            problems += exc.problems
            continue
        documents[name] = (doc, text)
        ident = doc.get("id")
        if isinstance(ident, str):
            if ident in by_id:
                problems.append(Problem(f"id {ident!r} is also used by {by_id[ident]}", file=name, field="id"))
            else:
                by_id[ident] = name
    resolved: dict[str, Instrument] = {}
    failed: dict[str, ValidationError] = {}
    resolving: list[str] = []

    def lookup(ident: str) -> Instrument:
        if ident not in by_id:
            return ctx.registry.instruments._base(ident)
        name = by_id[ident]
        if ident in resolving:
            cycle = " -> ".join([*resolving[resolving.index(ident) :], ident])
            raise ValidationError(Problem(f"variants extend each other in a cycle: {cycle}", field="extends"))
        load(name)
        if name in failed:
            raise KeyError(f"{name} has problems")
        return resolved[name]

    def load(name: str) -> None:
        if name in resolved or name in failed:
            return
        doc, text = documents[name]
        ident = doc.get("id")
        resolving.append(str(ident))
        try:
            resolved[name] = instrument_from_document(doc, lookup=lookup, file=name, text=text)
        except ValidationError as exc:
            failed[name] = exc.located(name)
        finally:
            resolving.pop()

    for name in documents:
        load(name)
        if name in failed:
            problems += failed[name].problems
    unique = list(dict.fromkeys(problems))
    for problem in unique:
        ctx.print(str(problem))
    total = len(dict.fromkeys(args.files))
    invalid = len({p.file for p in unique})
    if unique:
        ctx.print(f"{invalid} of {total} file(s) invalid, {len(unique)} problem(s)")
        return 1
    ctx.print(f"{total} file(s) valid")
    return 0


# -- plugins ---------------------------------------------------------------------------------------


def _configure_plugins(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def _run_plugins(args: argparse.Namespace, ctx: Context) -> int:
    infos = ctx.registry.plugins()
    records = [
        {"name": i.name, "distribution": i.distribution, "version": i.version, "builtin": i.builtin} for i in infos
    ]
    config = ctx.registry.config
    blocked = ctx.registry.blocked_plugins()
    if args.json:
        ctx.print(json.dumps({"plugins": records, "disabled": blocked}, indent=2))
        return 0
    rows = [[i.name, i.distribution or "", i.version or "", "yes" if i.builtin else ""] for i in infos]
    ctx.print(_table(rows, ["PLUGIN", "DISTRIBUTION", "VERSION", "BUILT-IN"]))
    if blocked:
        ctx.print(f"\nDisabled by configuration: {', '.join(blocked)}")
    if config.file:
        ctx.print(f"Configuration: {config.file}")
    return 0


# -- schema ----------------------------------------------------------------------------------------


def _configure_schema(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")


def _run_schema(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit.schema import instrument_schema

    data = json.dumps(instrument_schema(), indent=2, ensure_ascii=False) + "\n"
    ctx.write_output(data.encode("utf-8"), args.output)
    return 0


@hookimpl
def matrixkit_register_commands(register: CommandRegister) -> None:
    register.command(
        "tools",
        run=_run_tools,
        configure=_configure_tools,
        help="list the installed instruments",
    )
    register.command(
        "show",
        run=_run_show,
        configure=_configure_show,
        help="show an instrument: its matrix, or its resolved definition as JSON or TOML",
    )
    register.command(
        "validate",
        run=_run_validate,
        configure=_configure_validate,
        help="check instrument files, listing every problem",
    )
    register.command(
        "schema",
        run=_run_schema,
        configure=_configure_schema,
        help="print the JSON Schema of instrument files (for editors)",
    )
    register.command(
        "plugins",
        run=_run_plugins,
        configure=_configure_plugins,
        help="list the loaded plugins",
    )
