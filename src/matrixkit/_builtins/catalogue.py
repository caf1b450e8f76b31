"""What the core's commands about instruments and plugins do: ``tools``, ``show``, ``validate``, ``schema``,
``plugins``, ``formats``, ``rules`` (registered in :mod:`matrixkit._builtins.commands`). Listing and showing need
the registry and the instrument format only.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import Any

from matrixkit.cli import Context
from matrixkit.errors import ValidationError
from matrixkit.exporting import KINDS
from matrixkit.registry import Deferred
from matrixkit.rules import DEFAULT_RULE

#: The JSON Schema of instrument files (:func:`matrixkit.schema.instrument_schema`), built when asked for.
_instrument_schema: Callable[[], dict[str, Any]] = Deferred("matrixkit.schema:instrument_schema")

NO_INSTRUMENTS = (
    "No instruments are installed.\n"
    "Install a plugin that provides some, e.g. 'pip install maturity-matrixkit-pit-tools', or put instrument TOML "
    "files in a directory and point MATRIXKIT_PATH at it."
)


def table_lines(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """Rows under headers in aligned columns (for listings)."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def print_json(ctx: Context, data: Any) -> None:
    ctx.print(json.dumps(data, indent=2, ensure_ascii=False))


def warn_all(ctx: Context, warnings: Sequence[str]) -> None:
    for warning in warnings:
        ctx.warn(warning)


def run_tools(args: argparse.Namespace, ctx: Context) -> int:
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
        print_json(ctx, records)
        return 0
    if not records:
        ctx.print(NO_INSTRUMENTS)
        return 0
    rows = [[r["id"], r["title"], r["version"], r["plugin"]] for r in records]
    ctx.print(table_lines(rows, ["ID", "TITLE", "VERSION", "PLUGIN"]))
    return 0


def run_show(args: argparse.Namespace, ctx: Context) -> int:
    instrument = ctx.instrument(args.instrument)
    warn_all(ctx, instrument.warnings())
    ctx.write("sheet", instrument, format=args.format, output=args.output)
    return 0


def run_validate(args: argparse.Namespace, ctx: Context) -> int:
    # Each file is checked as the registry checks it; a variant's base is looked up among the files given first
    # (so a base and its variants validate together), then among the installed instruments.
    names = list(dict.fromkeys(args.files))
    catalog, problems = ctx.registry.instruments.with_files(names)
    valid = []
    for ident in catalog.ids():
        try:
            instrument = catalog.load(ident)
        except ValidationError as exc:
            problems += exc.problems
            continue
        valid.append(instrument)
    unique = list(dict.fromkeys(problems))
    for problem in unique:
        ctx.print(str(problem))
    for instrument in valid:
        for warning in instrument.warnings():
            ctx.print(f"warning: {warning}")
    invalid = len({p.file for p in unique})
    if unique:
        ctx.print(f"{invalid} of {len(names)} file(s) invalid, {len(unique)} problem(s)")
        return 1
    ctx.print(f"{len(names)} file(s) valid")
    return 0


def run_plugins(args: argparse.Namespace, ctx: Context) -> int:
    infos = ctx.registry.plugins()
    records = [
        {"name": i.name, "distribution": i.distribution, "version": i.version, "builtin": i.builtin} for i in infos
    ]
    blocked = ctx.registry.blocked_plugins()
    if args.json:
        print_json(ctx, {"plugins": records, "disabled": blocked})
        return 0
    rows = [[i.name, i.distribution or "", i.version or "", "yes" if i.builtin else ""] for i in infos]
    ctx.print(table_lines(rows, ["PLUGIN", "DISTRIBUTION", "VERSION", "BUILT-IN"]))
    if blocked:
        ctx.print(f"\nDisabled by configuration: {', '.join(blocked)}")
    if ctx.registry.config.file:
        ctx.print(f"Configuration: {ctx.registry.config.file}")
    return 0


def run_schema(args: argparse.Namespace, ctx: Context) -> int:
    data = json.dumps(_instrument_schema(), indent=2, ensure_ascii=False) + "\n"
    ctx.write_output(data.encode("utf-8"), args.output)
    return 0


def format_records(ctx: Context) -> list[dict[str, Any]]:
    """One record per registered exporter, in name order: what ``formats --json`` prints."""
    records = []
    for name, registered in sorted(ctx.registry.exporters.items()):
        exporter = registered.obj
        with ctx.registry.blame(registered.plugin, f"checking whether the format {name!r} is available"):
            hint = exporter.availability()
        records.append(
            {
                "name": name,
                "extension": exporter.extension,
                "media_type": exporter.media_type,
                "kinds": [k for k in KINDS if k in exporter.kinds],
                "available": hint is None,
                "hint": hint,
                "description": exporter.description,
                "plugin": registered.plugin.name,
                "distribution": registered.plugin.distribution,
            }
        )
    return records


def run_formats(args: argparse.Namespace, ctx: Context) -> int:
    records = format_records(ctx)
    if args.json:
        print_json(ctx, records)
        return 0
    rows = [
        [r["name"], r["extension"], ", ".join(r["kinds"]), "yes" if r["available"] else f"no: {r['hint']}", r["plugin"]]
        for r in records
    ]
    ctx.print(table_lines(rows, ["FORMAT", "EXT", "RENDERS", "AVAILABLE", "PLUGIN"]))
    return 0


def run_rules(args: argparse.Namespace, ctx: Context) -> int:
    records: list[dict[str, Any]] = [
        {
            "name": name,
            "description": registered.obj.description,
            "plugin": registered.plugin.name,
            "default": name == DEFAULT_RULE,
        }
        for name, registered in ctx.registry.rules.items()
    ]
    if args.json:
        print_json(ctx, records)
        return 0
    width = max((len(r["name"]) for r in records), default=4)
    for r in records:
        ctx.print(f"{r['name'].ljust(width)}  {r['description']}")
    return 0
