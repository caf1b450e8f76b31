"""The core's commands: arguments and printing only (the work is in :mod:`matrixkit.services`).

Instruments and plugins: ``tools``, ``show``, ``validate``, ``schema``, ``plugins``, ``formats``, ``rules``.
A workshop: ``sheet``, ``assess``, ``score``, ``map``, ``collate``, ``report``, ``compare``.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matrixkit import services
from matrixkit.assess import AssessmentAborted, TerminalDialogue, run_assessment
from matrixkit.cli import Context, add_output_arguments, add_read_arguments
from matrixkit.errors import MatrixkitError, Problem, ValidationError
from matrixkit.exporting import KINDS
from matrixkit.hookspecs import hookimpl
from matrixkit.io.readers import reader_for
from matrixkit.io.response_files import write_responses
from matrixkit.io.wide import WideReading, suggest_mapping
from matrixkit.registry import CommandRegister
from matrixkit.rules import DEFAULT_RULE
from matrixkit.schema import instrument_schema

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


def _json(ctx: Context, data: Any) -> None:
    ctx.print(json.dumps(data, indent=2, ensure_ascii=False))


def _add_instrument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instrument", metavar="ID", help="an instrument id, or the path of an instrument file")


def _add_rule(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rule", metavar="NAME", help=f"consensus rule (default: {DEFAULT_RULE}; see 'matrixkit rules')"
    )


def _add_discuss(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--discuss-below",
        type=float,
        default=None,
        metavar="X",
        help="flag domains whose agreement is below X (0–1) for discussion (default 0.7)",
    )


def _warn_all(ctx: Context, warnings: Sequence[str]) -> None:
    for warning in warnings:
        ctx.warn(warning)


# -- instruments and plugins -------------------------------------------------------------------------


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
        _json(ctx, records)
        return 0
    if not records:
        ctx.print(NO_INSTRUMENTS)
        return 0
    rows = [[r["id"], r["title"], r["version"], r["plugin"]] for r in records]
    ctx.print(table_lines(rows, ["ID", "TITLE", "VERSION", "PLUGIN"]))
    return 0


def _configure_show(parser: argparse.ArgumentParser) -> None:
    _add_instrument(parser)
    add_output_arguments(parser, "sheet")


def _run_show(args: argparse.Namespace, ctx: Context) -> int:
    instrument = ctx.instrument(args.instrument)
    _warn_all(ctx, instrument.warnings())
    ctx.write("sheet", instrument, format=args.format, output=args.output)
    return 0


def _configure_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="instrument TOML files")


def _run_validate(args: argparse.Namespace, ctx: Context) -> int:
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


def _configure_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def _run_plugins(args: argparse.Namespace, ctx: Context) -> int:
    infos = ctx.registry.plugins()
    records = [
        {"name": i.name, "distribution": i.distribution, "version": i.version, "builtin": i.builtin} for i in infos
    ]
    blocked = ctx.registry.blocked_plugins()
    if args.json:
        _json(ctx, {"plugins": records, "disabled": blocked})
        return 0
    rows = [[i.name, i.distribution or "", i.version or "", "yes" if i.builtin else ""] for i in infos]
    ctx.print(table_lines(rows, ["PLUGIN", "DISTRIBUTION", "VERSION", "BUILT-IN"]))
    if blocked:
        ctx.print(f"\nDisabled by configuration: {', '.join(blocked)}")
    if ctx.registry.config.file:
        ctx.print(f"Configuration: {ctx.registry.config.file}")
    return 0


def _configure_schema(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")


def _run_schema(args: argparse.Namespace, ctx: Context) -> int:
    data = json.dumps(instrument_schema(), indent=2, ensure_ascii=False) + "\n"
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


def _run_formats(args: argparse.Namespace, ctx: Context) -> int:
    records = format_records(ctx)
    if args.json:
        _json(ctx, records)
        return 0
    rows = [
        [r["name"], r["extension"], ", ".join(r["kinds"]), "yes" if r["available"] else f"no: {r['hint']}", r["plugin"]]
        for r in records
    ]
    ctx.print(table_lines(rows, ["FORMAT", "EXT", "RENDERS", "AVAILABLE", "PLUGIN"]))
    return 0


def _run_rules(args: argparse.Namespace, ctx: Context) -> int:
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
        _json(ctx, records)
        return 0
    width = max((len(r["name"]) for r in records), default=4)
    for r in records:
        ctx.print(f"{r['name'].ljust(width)}  {r['description']}")
    return 0


# -- a workshop -------------------------------------------------------------------------------------------


def _configure_sheet(parser: argparse.ArgumentParser) -> None:
    _add_instrument(parser)
    parser.add_argument(
        "--collation",
        action="store_true",
        help="the blank Workshop Collation Sheet for a table to fill in (levels as rows, a column per domain)",
    )
    parser.add_argument(
        "--guidance", action="store_true", help="add the instrument's guidance and prompts as a section of their own"
    )
    add_output_arguments(parser, "sheet")


def _run_sheet(args: argparse.Namespace, ctx: Context) -> int:
    instrument = ctx.instrument(args.instrument)
    _warn_all(ctx, instrument.warnings())
    if args.collation:
        ctx.write("collation-sheet", instrument, format=args.format, output=args.output)
        return 0
    subject = instrument if args.guidance else instrument.without_guidance()
    ctx.write("sheet", subject, format=args.format, output=args.output)
    return 0


def _configure_assess(parser: argparse.ArgumentParser) -> None:
    _add_instrument(parser)
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the response file to write (.toml or .json)"
    )
    parser.add_argument("--participant", "-p", metavar="NAME", help="your name or id (asked when not given)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="ATTR=VALUE",
        help="an attribute of yours, e.g. --set sector=vcse (repeatable; not asked again)",
    )
    parser.add_argument(
        "--ask",
        metavar="ATTRS",
        help="the attributes to ask for, comma-separated (default: [assess] ask in matrixkit.toml, else "
        "sector,organisation,table)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


def _attributes(pairs: Sequence[str]) -> dict[str, str]:
    attributes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise MatrixkitError(f"--set expects ATTR=VALUE, not {pair!r}")
        attributes[name.strip().lower()] = value.strip()
    return attributes


def _run_assess(args: argparse.Namespace, ctx: Context) -> int:
    instrument = ctx.instrument(args.instrument)
    suffix = Path(args.output).suffix.lower()
    if suffix not in (".toml", ".json"):
        raise MatrixkitError(f"{args.output}: write the response as .toml or .json")
    if not ctx.stdin.isatty():
        raise MatrixkitError(
            "'assess' is interactive and standard input is not a terminal; run it in a terminal (to score an "
            "existing response file, use 'matrixkit score')"
        )
    dialogue = TerminalDialogue(ctx.stdin, ctx.stdout)
    if Path(args.output).exists() and not args.force and not dialogue.confirm(f"{args.output} exists. Overwrite it?"):
        ctx.print("Nothing written.")
        return 1
    asked = [a.strip().lower() for a in args.ask.split(",") if a.strip()] if args.ask else list(ctx.registry.config.ask)
    try:
        response = run_assessment(
            instrument,
            dialogue,
            participant=args.participant,
            attributes=_attributes(args.set),
            ask=asked,
        )
    except AssessmentAborted as exc:
        print(f"matrixkit: {exc}; nothing written", file=ctx.stderr)
        return 1
    ctx.write_output(write_responses([response], instrument, suffix), args.output)
    ctx.print(f"Saved to {args.output}. Score it with: matrixkit score {instrument.id} {args.output}")
    return 0


def _configure_score(parser: argparse.ArgumentParser) -> None:
    _add_instrument(parser)
    parser.add_argument("response", metavar="RESPONSE", help="a response file (TOML, JSON, CSV, XLSX, ...)")
    parser.add_argument(
        "--participant", "-p", metavar="ID", help="the participant to score when the file holds several responses"
    )
    _add_rule(parser)
    add_output_arguments(parser, "record")
    add_read_arguments(parser)


def _run_score(args: argparse.Namespace, ctx: Context) -> int:
    instrument = ctx.instrument(args.instrument)
    services.exporter_for(ctx.registry, "record", args.format, args.output)  # refuse a bad -o before reading
    sheet = services.score_response(
        args.response,
        instrument,
        ctx.registry,
        participant=args.participant,
        rule=args.rule,
        options=ctx.read_options(args, instrument),
    )
    ctx.write("record", sheet, format=args.format, output=args.output)
    return 0


def _configure_map(parser: argparse.ArgumentParser) -> None:
    _add_instrument(parser)
    parser.add_argument("file", metavar="FILE", help="a response table (CSV, XLSX, ODS) whose columns to map")
    parser.add_argument("-o", "--output", metavar="MAP.toml", help="write the mapping file here (default: print it)")
    parser.add_argument("--encoding", metavar="NAME", help="the encoding of a CSV file (default: recognised)")
    parser.add_argument("--sheet", metavar="NAME", help="the sheet of a workbook (default: the first)")
    parser.add_argument("--force", action="store_true", help="overwrite the output file if it exists")


def _run_map(args: argparse.Namespace, ctx: Context) -> int:
    instrument = ctx.instrument(args.instrument)
    options = ctx.read_options(args, instrument)
    if args.output and Path(args.output).exists() and not args.force:
        raise MatrixkitError(f"{args.output} exists; give --force to overwrite it, or another name")
    if not Path(args.file).is_file():
        raise ValidationError(Problem("no such file", file=args.file))
    reader = reader_for(args.file, [r.obj for r in ctx.registry.readers.values()])
    reading = reader.read(args.file, instrument, options)
    if not isinstance(reading, WideReading):
        raise MatrixkitError(
            f"{args.file}: a {reader.name} file names its domains itself; 'map' maps the columns of a response "
            "table (CSV, XLSX, ODS)"
        )
    text = suggest_mapping(reading.table, instrument, options)
    ctx.write_output(text.encode("utf-8"), args.output)
    if args.output:
        ctx.print(
            f"Wrote {args.output}. Check every line, then: matrixkit collate {instrument.id} {args.file} "
            f"--map {args.output}"
        )
    return 0


def _configure_collate(parser: argparse.ArgumentParser) -> None:
    _add_instrument(parser)
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="response files (CSV, XLSX, ODS, TOML, JSON, or any installed reader's) or collation files written "
        "earlier",
    )
    parser.add_argument("--by", metavar="ATTR", help="split the collation by this attribute (e.g. sector)")
    _add_rule(parser)
    _add_discuss(parser)
    parser.add_argument("--title", default="", help="a title for the collation sheet (e.g. 'Table 2')")
    add_output_arguments(parser, "collation", default="json")
    add_read_arguments(parser)


def _run_collate(args: argparse.Namespace, ctx: Context) -> int:
    instrument = ctx.instrument(args.instrument)
    services.exporter_for(ctx.registry, "collation", args.format, args.output, default="json")
    result = services.collate_inputs(
        args.inputs, instrument, ctx.registry, by=args.by, options=ctx.read_options(args, instrument)
    )
    if result.collation.responses == 0:
        raise MatrixkitError("no responses to collate")
    report = services.analyse(
        result.collation,
        ctx.registry,
        rule=args.rule,
        discuss_below=args.discuss_below,
        title=args.title,
        sources=[os.path.basename(str(p)) for p in args.inputs],
        notes=result.notes,
    )
    _warn_all(ctx, report.warnings)
    for note in report.notes:
        ctx.note(note)
    ctx.write("collation", report, format=args.format, output=args.output, default="json")
    return 0


def _configure_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workshop", metavar="WORKSHOP.toml", help="a workshop record (see docs/reference)")
    parser.add_argument(
        "--instrument", metavar="ID_OR_FILE", help="the instrument, when it is a file rather than an installed id"
    )
    parser.add_argument(
        "--summary", action="store_true", help="a one-page summary for a board: agreed levels, top priorities"
    )
    _add_rule(parser)
    _add_discuss(parser)
    add_output_arguments(parser, "report")
    add_read_arguments(parser)


def _run_report(args: argparse.Namespace, ctx: Context) -> int:
    kind = "summary" if args.summary else "report"
    services.exporter_for(ctx.registry, kind, args.format, args.output)
    report = services.workshop_report(
        args.workshop,
        ctx.registry,
        instrument=args.instrument,
        rule=args.rule,
        discuss_below=args.discuss_below,
        options=ctx.read_options(args),
    )
    _warn_all(ctx, report.warnings)
    for note in report.collation.notes:
        ctx.note(note)
    ctx.write(kind, report, format=args.format, output=args.output)
    return 0


def _configure_compare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("before", metavar="BEFORE", help="the earlier round: a collation file or a workshop record")
    parser.add_argument("after", metavar="AFTER", help="the later round: a collation file or a workshop record")
    _add_rule(parser)
    add_output_arguments(parser, "comparison")


def _run_compare(args: argparse.Namespace, ctx: Context) -> int:
    services.exporter_for(ctx.registry, "comparison", args.format, args.output)
    comparison = services.compare_rounds(args.before, args.after, ctx.registry, rule=args.rule)
    _warn_all(ctx, comparison.warnings)
    ctx.write("comparison", comparison, format=args.format, output=args.output)
    return 0


@hookimpl
def matrixkit_register_commands(register: CommandRegister) -> None:
    register.command("tools", run=_run_tools, configure=_configure_tools, help="list the installed instruments")
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
    register.command("plugins", run=_run_plugins, configure=_configure_json, help="list the loaded plugins")
    register.command(
        "formats",
        run=_run_formats,
        configure=_configure_json,
        help="list the output formats, what each renders and whether it is available",
    )
    register.command("rules", run=_run_rules, configure=_configure_json, help="list the consensus rules")
    register.command(
        "sheet",
        run=_run_sheet,
        configure=_configure_sheet,
        help="write a blank matrix sheet (or, with --collation, a blank Workshop Collation Sheet) to mark up",
        description=(
            "Write the blank matrix sheet of an instrument for people to mark up in a workshop: one row per\n"
            "domain, one descriptor cell per level, boxes for name, organisation, sector, table and date. With\n"
            "--collation, the blank Workshop Collation Sheet each table fills in. The format comes from the\n"
            "extension of -o. For example:\n\n"
            "  matrixkit sheet pit-a -o pit-a-sheet.pdf\n"
            "  matrixkit sheet pit-a --collation -o pit-a-collation-sheet.xlsx"
        ),
    )
    register.command(
        "assess",
        run=_run_assess,
        configure=_configure_assess,
        help="assess interactively in the terminal, domain by domain, and write a response file",
    )
    register.command(
        "score", run=_run_score, configure=_configure_score, help="one person's record sheet from a response file"
    )
    register.command(
        "map",
        run=_run_map,
        configure=_configure_map,
        help="write a mapping file for a response table (which column is what), pre-filled with best guesses",
    )
    register.command(
        "collate",
        run=_run_collate,
        configure=_configure_collate,
        help="collate response files (and earlier collations) into a workshop collation sheet",
        description=(
            "Collate response files and pool collation files written earlier into one collation: counts per\n"
            "level, suggested level, agreement and flags per domain (JSON by default; the format comes from\n"
            "the extension of -o)."
        ),
    )
    register.command(
        "report",
        run=_run_report,
        configure=_configure_report,
        help="render a workshop record (decisions and actions) with its collation",
    )
    register.command(
        "compare",
        run=_run_compare,
        configure=_configure_compare,
        help="compare two rounds (collations or workshop records) of one instrument",
    )
