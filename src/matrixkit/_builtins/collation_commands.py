"""The core's commands about responses: ``assess``, ``score``, ``collate``, ``report``, ``compare``, ``rules``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matrixkit.errors import MatrixkitError, Problem, ValidationError
from matrixkit.hookspecs import hookimpl

if TYPE_CHECKING:
    from matrixkit.cli import Context
    from matrixkit.collation import Collation
    from matrixkit.exporting import Exporter
    from matrixkit.model import Instrument
    from matrixkit.registry import CommandRegister, Registry
    from matrixkit.report import CollationReport, WorkshopReport
    from matrixkit.responses import Response
    from matrixkit.rules import ConsensusRule

#: At most this many problems are printed; the rest are counted.
SHOWN_PROBLEMS = 50


def capped(exc: ValidationError, limit: int = SHOWN_PROBLEMS) -> ValidationError:
    """The same error with at most ``limit`` problems, and a last line saying how many more there are."""
    problems = list(exc.problems)
    if len(problems) <= limit:
        return exc
    more = len(problems) - limit
    return ValidationError([*problems[:limit], Problem(f"... and {more} more problem{'s' if more > 1 else ''}")])


def _exporter_for(ctx: Context, name: str, kind: str) -> Exporter:
    """The exporter ``name``, checked to render ``kind`` and to be available, before any work is done."""
    from matrixkit.exporting import UnavailableFormatError

    exporter = ctx.registry.exporter(name)
    if kind not in exporter.kinds:
        raise exporter._unsupported(kind)
    hint = exporter.availability()
    if hint is not None:
        raise UnavailableFormatError(f"format {exporter.name!r} is unavailable: {hint}")
    return exporter


def _rule(ctx: Context, name: str | None) -> ConsensusRule:
    from matrixkit.rules import DEFAULT_RULE

    return ctx.registry.rule(name or DEFAULT_RULE)


def _readers(registry: Registry) -> dict[str, Any]:
    return {name: named.obj for name, named in registry.readers.items()}


def _add_output(parser: argparse.ArgumentParser, default: str, what: str) -> None:
    parser.add_argument(
        "--format",
        "-f",
        default=default,
        help=f"output format: {default} (default) or any format that renders {what} (see 'matrixkit formats')",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")


def _add_rule(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rule", metavar="NAME", help="consensus rule (default: median; see 'matrixkit rules')")


# -- collate ---------------------------------------------------------------------------------------


def _configure_collate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instrument", metavar="ID", help="an instrument id, or the path of an instrument file")
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="response files (CSV, TOML, JSON, or any installed reader's) or collation files written earlier",
    )
    parser.add_argument("--by", metavar="ATTR", help="split the collation by this attribute (e.g. sector)")
    _add_rule(parser)
    parser.add_argument(
        "--discuss-below",
        type=float,
        default=None,
        metavar="X",
        help="flag domains whose agreement is below X (0–1) for discussion (default 0.7)",
    )
    parser.add_argument("--title", default="", help="a title for the collation sheet (e.g. 'Table 2')")
    _add_output(parser, "json", "collations")


def _discuss_below(value: float | None) -> float:
    from matrixkit.rules import DISCUSS_BELOW

    if value is None:
        return DISCUSS_BELOW
    if not 0.0 <= value <= 1.0:
        raise MatrixkitError(f"--discuss-below must be between 0 and 1, not {value}")
    return value


def collate_inputs(
    ctx: Context,
    instrument: Instrument,
    inputs: Sequence[str | os.PathLike[str]],
    by: str | None,
    *,
    parts: bool = True,
) -> tuple[Collation, list[Collation]]:
    """Collate and pool input files; all problems of all files in one error (capped). ``parts=False``: the
    collation of each file is not needed (see :func:`matrixkit.collation.collate_files`)."""
    from matrixkit.collation import collate_files

    try:
        return collate_files(inputs, instrument, _readers(ctx.registry), by, parts=parts)
    except ValidationError as exc:
        raise capped(exc) from None


def _warn_all(ctx: Context, warnings: Sequence[str]) -> None:
    for warning in warnings:
        ctx.warn(warning)


def _run_collate(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit.exporting import render
    from matrixkit.report import build_collation_report

    instrument = ctx.instrument(args.instrument)
    rule = _rule(ctx, args.rule)
    exporter = _exporter_for(ctx, args.format, "collation")
    discuss_below = _discuss_below(args.discuss_below)
    collation, _ = collate_inputs(ctx, instrument, args.inputs, args.by, parts=False)
    if collation.responses == 0:
        raise MatrixkitError("no responses to collate")
    report = build_collation_report(
        collation,
        rule,
        discuss_below=discuss_below,
        title=args.title,
        sources=[os.path.basename(str(p)) for p in args.inputs],
    )
    _warn_all(ctx, report.warnings)
    ctx.write_output(render(exporter, "collation", report), args.output)
    return 0


# -- score -----------------------------------------------------------------------------------------


def _configure_score(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instrument", metavar="ID", help="an instrument id, or the path of an instrument file")
    parser.add_argument("response", metavar="RESPONSE", help="a response file (TOML, JSON, CSV, ...)")
    parser.add_argument(
        "--participant", "-p", metavar="ID", help="the participant to score when the file holds several responses"
    )
    _add_rule(parser)
    _add_output(parser, "text", "record sheets")


def read_responses(ctx: Context, instrument: Instrument, path: str) -> list[Response]:
    """Every response in one file (read by the reader its extension names)."""
    from matrixkit.readers import reader_for

    if not Path(path).is_file():
        raise ValidationError(Problem("no such file", file=path))
    reader = reader_for(path, _readers(ctx.registry))
    try:
        responses = list(reader.read(path, instrument))
    except ValidationError as exc:
        raise capped(exc) from None
    problems = [p.located(path) for r in responses for p in r.problems(instrument)]
    if problems:
        raise capped(ValidationError(problems))
    return responses


def _run_score(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit.exporting import render
    from matrixkit.report import build_record_sheet

    instrument = ctx.instrument(args.instrument)
    rule = _rule(ctx, args.rule)
    exporter = _exporter_for(ctx, args.format, "record")
    responses = read_responses(ctx, instrument, args.response)
    if args.participant is not None:
        wanted = args.participant.strip().casefold()
        chosen = [r for r in responses if r.participant.strip().casefold() == wanted]
        if not chosen:
            raise MatrixkitError(
                f"{args.response}: no participant {args.participant!r} (found: "
                f"{', '.join(r.participant for r in responses[:20])}{', ...' if len(responses) > 20 else ''})"
            )
        response = chosen[0]
    elif len(responses) == 1:
        response = responses[0]
    else:
        raise MatrixkitError(
            f"{args.response} holds {len(responses)} responses; choose one with --participant "
            f"(e.g. --participant {responses[0].participant!r})"
        )
    sheet = build_record_sheet(response, instrument, rule)
    ctx.write_output(render(exporter, "record", sheet), args.output)
    return 0


# -- report ----------------------------------------------------------------------------------------


def _configure_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workshop", metavar="WORKSHOP.toml", help="a workshop record (see docs/reference)")
    parser.add_argument(
        "--instrument", metavar="ID_OR_FILE", help="the instrument, when it is a file rather than an installed id"
    )
    _add_rule(parser)
    parser.add_argument(
        "--discuss-below", type=float, default=None, metavar="X", help="agreement below which to flag 'discuss'"
    )
    _add_output(parser, "text", "reports")


def build_report_from_record(
    ctx: Context,
    path: str,
    *,
    instrument_ref: str | None = None,
    rule_name: str | None = None,
    discuss_below: float | None = None,
) -> WorkshopReport:
    """Read a workshop record, collate its inputs, and put the decisions beside the collation."""
    from matrixkit.format import read_toml
    from matrixkit.report import build_collation_report, build_workshop_report
    from matrixkit.workshop import load_workshop, workshop_from_document

    doc, text = read_toml(path)
    draft = workshop_from_document(doc, file=path, text=text)
    instrument = ctx.instrument(instrument_ref or draft.instrument)
    record = load_workshop(path, instrument)
    if not record.inputs:
        raise ValidationError(
            Problem("the record lists no inputs (response or collation files to collate)", file=path, field="inputs")
        )
    rule = _rule(ctx, rule_name or record.rule)
    threshold = _discuss_below(discuss_below)
    base = Path(path).parent
    inputs = [str(p) for p in record.input_paths(base)]
    collation, parts = collate_inputs(ctx, instrument, inputs, record.by)
    report = build_collation_report(
        collation, rule, discuss_below=threshold, title=record.title, sources=list(record.inputs)
    )
    per_input = [
        build_collation_report(part.unsplit(), rule, discuss_below=threshold, title=name, sources=[name])
        for name, part in zip(record.inputs, parts, strict=True)
    ]
    return build_workshop_report(
        record, report, inputs=per_input if len(parts) > 1 else (), warnings=record.warnings(instrument)
    )


def _run_report(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit.exporting import render

    exporter = _exporter_for(ctx, args.format, "report")
    report = build_report_from_record(
        ctx, args.workshop, instrument_ref=args.instrument, rule_name=args.rule, discuss_below=args.discuss_below
    )
    _warn_all(ctx, report.warnings)
    ctx.write_output(render(exporter, "report", report), args.output)
    return 0


# -- compare ---------------------------------------------------------------------------------------


def _configure_compare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("before", metavar="BEFORE", help="the earlier round: a collation file or a workshop record")
    parser.add_argument("after", metavar="AFTER", help="the later round: a collation file or a workshop record")
    _add_rule(parser)
    parser.add_argument("--format", "-f", choices=("text", "json"), default="text", help="text (default) or json")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def _load_round(ctx: Context, path: str, rule: ConsensusRule | None) -> CollationReport | WorkshopReport:
    from matrixkit.collation import collation_from_dict, is_collation_document, read_document
    from matrixkit.report import build_collation_report
    from matrixkit.rules import LowerMedianRule

    if not Path(path).is_file():
        raise ValidationError(Problem("no such file", file=path))
    doc = read_document(path)
    if isinstance(doc, dict) and isinstance(doc.get("instrument"), str) and "title" in doc:
        report = build_report_from_record(ctx, path, rule_name=rule.name if rule else None)
        return report
    if doc is None or not is_collation_document(doc):
        raise ValidationError(
            Problem("neither a collation (from 'matrixkit collate') nor a workshop record", file=path)
        )
    assert isinstance(doc, dict)
    instrument = _instrument_of_collation(ctx, doc, path)
    collation = collation_from_dict(doc, instrument, file=path, strict=False)
    rule_name = doc.get("rule") if rule is None else None
    chosen = rule or (
        ctx.registry.rule(rule_name)
        if isinstance(rule_name, str) and rule_name in ctx.registry.rules
        else LowerMedianRule()
    )
    return build_collation_report(collation.unsplit(), chosen, title=doc.get("title") or os.path.basename(path))


def _instrument_of_collation(ctx: Context, doc: dict[str, Any], path: str) -> Instrument:
    """The installed instrument a collation is of; a stand-in built from the file when its version is not."""
    from matrixkit.collation import instrument_from_collation_dict

    ident = doc["instrument"]
    installed: Instrument | None = None
    try:
        installed = ctx.registry.instrument(str(ident.get("id")))
    except MatrixkitError:
        installed = None
    if (
        installed is not None
        and str(ident.get("version")) == installed.version
        and ident.get("fingerprint") in (None, installed.fingerprint)
    ):
        return installed
    ctx.warn(
        f"{path}: {ident.get('id')} {ident.get('version')} is not the installed instrument; using the levels and "
        "domains recorded in the file"
    )
    return instrument_from_collation_dict(doc, file=path)


def _round_name(report: CollationReport | WorkshopReport, path: str) -> str:
    """A workshop record is named by its title and date (from the report); a collation by its file."""
    from matrixkit.report import WorkshopReport

    return "" if isinstance(report, WorkshopReport) else os.path.basename(path)


def _run_compare(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit._builtins.text_reports import render_comparison
    from matrixkit.report import build_comparison, comparison_to_dict

    rule = _rule(ctx, args.rule) if args.rule else None
    before = _load_round(ctx, args.before, rule)
    after = _load_round(ctx, args.after, rule)
    if before.instrument.id != after.instrument.id:
        raise MatrixkitError(
            f"the rounds are of different instruments ({before.instrument.id} and {after.instrument.id})"
        )
    comparison = build_comparison(
        before,
        after,
        before_name=_round_name(before, args.before),
        after_name=_round_name(after, args.after),
    )
    _warn_all(ctx, comparison.warnings)
    if args.format == "json":
        data = (json.dumps(comparison_to_dict(comparison), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    else:
        data = render_comparison(comparison).encode("utf-8")
    ctx.write_output(data, args.output)
    return 0


# -- rules -----------------------------------------------------------------------------------------


def _configure_rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def _run_rules(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit.rules import DEFAULT_RULE

    rules = ctx.registry.rules
    records: list[dict[str, Any]] = [
        {
            "name": name,
            "description": named.obj.description,
            "plugin": named.plugin.name,
            "default": name == DEFAULT_RULE,
        }
        for name, named in rules.items()
    ]
    if args.json:
        ctx.print(json.dumps(records, indent=2, ensure_ascii=False))
        return 0
    width = max((len(r["name"]) for r in records), default=4)
    for r in records:
        ctx.print(f"{r['name'].ljust(width)}  {r['description']}")
    return 0


# -- assess ----------------------------------------------------------------------------------------


def _configure_assess(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instrument", metavar="ID", help="an instrument id, or the path of an instrument file")
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the response file to write (.toml or .json)"
    )
    parser.add_argument("--participant", "-p", metavar="NAME", help="your name or id (asked when not given)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="ATTR=VALUE",
        help="an attribute of yours, e.g. --set sector=vcse (repeatable)",
    )


def _attributes(pairs: Sequence[str]) -> dict[str, str]:
    attributes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise MatrixkitError(f"--set expects ATTR=VALUE, not {pair!r}")
        attributes[name.strip().lower()] = value.strip()
    return attributes


def _run_assess(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit.assess import AssessmentAborted, run_assessment, write_response

    instrument = ctx.instrument(args.instrument)
    suffix = Path(args.output).suffix.lower()
    if suffix not in (".toml", ".json"):
        raise MatrixkitError(f"{args.output}: write the response as .toml or .json")
    attributes = _attributes(args.set)
    stdin = ctx.stdin
    if not stdin.isatty():
        print(
            "matrixkit: error: 'assess' is interactive and standard input is not a terminal; run it in a "
            "terminal (to score an existing response file, use 'matrixkit score')",
            file=ctx.stderr,
        )
        return 1
    ask = _terminal_input(stdin, ctx)
    try:
        response = run_assessment(instrument, ask, ctx.print, participant=args.participant, attributes=attributes)
    except AssessmentAborted as exc:
        print(f"matrixkit: {exc}; nothing written", file=ctx.stderr)
        return 1
    ctx.write_output(write_response(response, instrument, suffix), args.output)
    ctx.print(f"Saved to {args.output}. Score it with: matrixkit score {instrument.id} {args.output}")
    return 0


def _terminal_input(stdin: Any, ctx: Context) -> Callable[[str], str]:
    def ask(prompt: str) -> str:
        if stdin is sys.stdin and ctx.stdout is sys.stdout:
            return input(prompt)
        ctx.stdout.write(prompt)
        ctx.stdout.flush()
        line: str = stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return ask


@hookimpl
def matrixkit_register_commands(register: CommandRegister) -> None:
    register.command(
        "collate",
        run=_run_collate,
        configure=_configure_collate,
        help="collate response files (and earlier collations) into a workshop collation sheet",
        description=(
            "Collate response files and pool collation files written earlier into one collation: counts per "
            "level, suggested level, agreement and flags per domain (JSON by default)."
        ),
    )
    register.command(
        "score",
        run=_run_score,
        configure=_configure_score,
        help="print one person's record sheet from a response file",
    )
    register.command(
        "assess",
        run=_run_assess,
        configure=_configure_assess,
        help="assess interactively in the terminal, domain by domain, and write a response file",
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
    register.command(
        "rules",
        run=_run_rules,
        configure=_configure_rules,
        help="list the consensus rules",
    )
