"""What the core's workshop commands do: ``sheet``, ``assess``, ``score``, ``map``, ``collate``, ``report``,
``compare`` (registered in :mod:`matrixkit._builtins.commands`): arguments in, the services' results printed or
written.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from matrixkit import lookup, services
from matrixkit._builtins.catalogue import warn_all
from matrixkit.assess import AssessmentAborted, TerminalDialogue, run_assessment
from matrixkit.cli import Context
from matrixkit.errors import MatrixkitError, Problem, ValidationError
from matrixkit.io.readers import reader_for
from matrixkit.io.response_files import write_responses
from matrixkit.io.wide import WideReading, suggest_mapping


def run_sheet(args: argparse.Namespace, ctx: Context) -> int:
    instrument = ctx.instrument(args.instrument)
    warn_all(ctx, instrument.warnings())
    if args.collation:
        ctx.write("collation-sheet", instrument, format=args.format, output=args.output)
        return 0
    subject = instrument if args.guidance else instrument.without_guidance()
    ctx.write("sheet", subject, format=args.format, output=args.output)
    return 0


def _attributes(pairs: Sequence[str]) -> dict[str, str]:
    attributes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise MatrixkitError(f"--set expects ATTR=VALUE, not {pair!r}")
        attributes[name.strip().lower()] = value.strip()
    return attributes


def run_assess(args: argparse.Namespace, ctx: Context) -> int:
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


def run_score(args: argparse.Namespace, ctx: Context) -> int:
    instrument = ctx.instrument(args.instrument)
    lookup.exporter_for(ctx.registry, "record", args.format, args.output)  # refuse a bad -o before reading
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


def run_map(args: argparse.Namespace, ctx: Context) -> int:
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


def run_collate(args: argparse.Namespace, ctx: Context) -> int:
    instrument = ctx.instrument(args.instrument)
    lookup.exporter_for(ctx.registry, "collation", args.format, args.output, default="json")
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
    warn_all(ctx, report.warnings)
    for note in report.notes:
        ctx.note(note)
    ctx.write("collation", report, format=args.format, output=args.output, default="json")
    return 0


def run_report(args: argparse.Namespace, ctx: Context) -> int:
    kind = "summary" if args.summary else "report"
    lookup.exporter_for(ctx.registry, kind, args.format, args.output)
    report = services.workshop_report(
        args.workshop,
        ctx.registry,
        instrument=args.instrument,
        rule=args.rule,
        discuss_below=args.discuss_below,
        options=ctx.read_options(args),
    )
    warn_all(ctx, report.warnings)
    for note in report.collation.notes:
        ctx.note(note)
    ctx.write(kind, report, format=args.format, output=args.output)
    return 0


def run_compare(args: argparse.Namespace, ctx: Context) -> int:
    lookup.exporter_for(ctx.registry, "comparison", args.format, args.output)
    comparison = services.compare_rounds(args.before, args.after, ctx.registry, rule=args.rule)
    warn_all(ctx, comparison.warnings)
    ctx.write("comparison", comparison, format=args.format, output=args.output)
    return 0
