"""The core's commands about output formats: ``formats`` (what can be written) and ``sheet`` (blank matrices).

``matrixkit formats`` lists every registered exporter with what it renders and whether it can be used now
(an exporter whose optional libraries are missing is listed as unavailable, with its install hint).

``matrixkit sheet ID --format FMT -o FILE`` writes the blank matrix and record sheet that people mark up in a
workshop. The format defaults to the one whose extension matches ``-o`` (``-o sheet.pdf`` → ``pdf``), and to
``text`` on standard output. Output is written atomically: on any error nothing is left behind.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matrixkit.errors import MatrixkitError, UnknownNameError
from matrixkit.exporting import KINDS
from matrixkit.hookspecs import hookimpl

if TYPE_CHECKING:
    from matrixkit.cli import Context
    from matrixkit.exporting import Exporter
    from matrixkit.registry import CommandRegister, Registry

#: Said when a format is not registered: the formats beyond the core's own come from a plugin.
MORE_FORMATS = "run 'matrixkit formats' to list them; more formats: pip install maturity-matrixkit-exporters"

#: Media types that are safe to print on a terminal.
_TEXT_MEDIA = ("text/", "application/json", "application/toml", "image/svg+xml")


def format_records(registry: Registry) -> list[dict[str, Any]]:
    """One record per registered exporter, in name order: what ``formats --json`` prints."""
    records = []
    for name, named in sorted(registry.exporters.items()):
        exporter = named.obj
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
                "plugin": named.plugin.name,
                "distribution": named.plugin.distribution,
            }
        )
    return records


def _configure_formats(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def _run_formats(args: argparse.Namespace, ctx: Context) -> int:
    records = format_records(ctx.registry)
    if args.json:
        ctx.print(json.dumps(records, indent=2, ensure_ascii=False))
        return 0
    from matrixkit._builtins.commands import _table

    rows = [
        [
            r["name"],
            r["extension"],
            ", ".join(r["kinds"]),
            "yes" if r["available"] else f"no: {r['hint']}",
            r["plugin"],
        ]
        for r in records
    ]
    ctx.print(_table(rows, ["FORMAT", "EXT", "RENDERS", "AVAILABLE", "PLUGIN"]))
    return 0


def exporter_for(registry: Registry, name: str | None, output: str | None, kind: str) -> Exporter:
    """The exporter named ``name``; when ``name`` is None, the one whose extension matches ``output`` (preferring
    one that renders ``kind``), or ``text`` when writing to standard output."""
    table = registry.exporters
    if name is None:
        if output in (None, "-"):
            name = "text"
        else:
            assert output is not None
            suffix = Path(output).suffix.lower()
            matching = [n for n, e in sorted(table.items()) if e.obj.extension.lower() == suffix]
            if not matching:
                raise MatrixkitError(
                    f"{output}: no format writes {suffix or 'extension-less'} files; choose one with --format "
                    f"({MORE_FORMATS})"
                )
            renders = [n for n in matching if kind in table[n].obj.kinds]
            name = (renders or matching)[0]  # a format that cannot render the kind is reported by render()
    if name not in table:
        raise UnknownNameError("format", name, table, MORE_FORMATS)
    return table[name].obj


def check_terminal(exporter: Exporter, output: str | None, ctx: Context) -> None:
    """Refuse to print a binary format on a terminal."""
    if output not in (None, "-"):
        return
    is_tty = getattr(ctx.stdout, "isatty", lambda: False)()
    if is_tty and not exporter.media_type.startswith(_TEXT_MEDIA):
        raise MatrixkitError(f"format {exporter.name!r} is binary: write it to a file with -o FILE")


def _configure_sheet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instrument", metavar="ID", help="an instrument id, or the path of an instrument file")
    parser.add_argument(
        "--format",
        "-f",
        help="html, pdf, xlsx, md, ... (see 'matrixkit formats'); default: from the extension of -o, or text",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to this file (atomically) instead of stdout")


def _run_sheet(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit.exporting import render

    instrument = ctx.instrument(args.instrument)
    exporter = exporter_for(ctx.registry, args.format, args.output, "sheet")
    check_terminal(exporter, args.output, ctx)
    ctx.write_output(render(exporter, "sheet", instrument), args.output)
    return 0


@hookimpl
def matrixkit_register_commands(register: CommandRegister) -> None:
    register.command(
        "formats",
        run=_run_formats,
        configure=_configure_formats,
        help="list the output formats, what each renders and whether it is available",
    )
    register.command(
        "sheet",
        run=_run_sheet,
        configure=_configure_sheet,
        help="write a blank matrix and record sheet for people to mark up in a workshop",
        description=(
            "Write the blank matrix and record sheet of an instrument: one row per domain, one descriptor cell\n"
            "per level to ring, and boxes for the person's name and sector. For example:\n\n"
            "  matrixkit sheet pit-a -o pit-a-sheet.pdf\n"
            "  matrixkit sheet pit-a --format html -o pit-a-sheet.html"
        ),
    )
