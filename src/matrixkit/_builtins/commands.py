"""The core's commands, registered: their names, help and arguments. What each one does is in
:mod:`matrixkit._builtins.catalogue` (instruments and plugins: ``tools``, ``show``, ``validate``, ``schema``,
``plugins``, ``formats``, ``rules``) and :mod:`matrixkit._builtins.workshop_commands` (a workshop: ``sheet``,
``assess``, ``score``, ``map``, ``collate``, ``report``, ``compare``), each imported when one of its commands runs
(:class:`~matrixkit.registry.Deferred`): building the parser of every command needs none of the collation, report
and reader modules.
"""

from __future__ import annotations

import argparse

from matrixkit.cli import add_output_arguments, add_read_arguments
from matrixkit.hookspecs import hookimpl
from matrixkit.registry import CommandRegister, Deferred
from matrixkit.rules import DEFAULT_RULE


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


def _configure_tools(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def _configure_show(parser: argparse.ArgumentParser) -> None:
    _add_instrument(parser)
    add_output_arguments(parser, "sheet")


def _configure_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="instrument TOML files")


def _configure_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def _configure_schema(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")


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


def _configure_score(parser: argparse.ArgumentParser) -> None:
    _add_instrument(parser)
    parser.add_argument("response", metavar="RESPONSE", help="a response file (TOML, JSON, CSV, XLSX, ...)")
    parser.add_argument(
        "--participant", "-p", metavar="ID", help="the participant to score when the file holds several responses"
    )
    _add_rule(parser)
    add_output_arguments(parser, "record")
    add_read_arguments(parser)


def _configure_map(parser: argparse.ArgumentParser) -> None:
    _add_instrument(parser)
    parser.add_argument("file", metavar="FILE", help="a response table (CSV, XLSX, ODS) whose columns to map")
    parser.add_argument("-o", "--output", metavar="MAP.toml", help="write the mapping file here (default: print it)")
    parser.add_argument("--encoding", metavar="NAME", help="the encoding of a CSV file (default: recognised)")
    parser.add_argument("--sheet", metavar="NAME", help="the sheet of a workbook (default: the first)")
    parser.add_argument("--force", action="store_true", help="overwrite the output file if it exists")


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


def _configure_compare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("before", metavar="BEFORE", help="the earlier round: a collation file or a workshop record")
    parser.add_argument("after", metavar="AFTER", help="the later round: a collation file or a workshop record")
    _add_rule(parser)
    add_output_arguments(parser, "comparison")


@hookimpl
def matrixkit_register_commands(register: CommandRegister) -> None:
    register.command(
        "tools",
        run=Deferred("matrixkit._builtins.catalogue:run_tools"),
        configure=_configure_tools,
        help="list the installed instruments",
    )
    register.command(
        "show",
        run=Deferred("matrixkit._builtins.catalogue:run_show"),
        configure=_configure_show,
        help="show an instrument: its matrix, or its resolved definition as JSON or TOML",
    )
    register.command(
        "validate",
        run=Deferred("matrixkit._builtins.catalogue:run_validate"),
        configure=_configure_validate,
        help="check instrument files, listing every problem",
    )
    register.command(
        "schema",
        run=Deferred("matrixkit._builtins.catalogue:run_schema"),
        configure=_configure_schema,
        help="print the JSON Schema of instrument files (for editors)",
    )
    register.command(
        "plugins",
        run=Deferred("matrixkit._builtins.catalogue:run_plugins"),
        configure=_configure_json,
        help="list the loaded plugins",
    )
    register.command(
        "formats",
        run=Deferred("matrixkit._builtins.catalogue:run_formats"),
        configure=_configure_json,
        help="list the output formats, what each renders and whether it is available",
    )
    register.command(
        "rules",
        run=Deferred("matrixkit._builtins.catalogue:run_rules"),
        configure=_configure_json,
        help="list the consensus rules",
    )
    register.command(
        "sheet",
        run=Deferred("matrixkit._builtins.workshop_commands:run_sheet"),
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
        run=Deferred("matrixkit._builtins.workshop_commands:run_assess"),
        configure=_configure_assess,
        help="assess interactively in the terminal, domain by domain, and write a response file",
    )
    register.command(
        "score",
        run=Deferred("matrixkit._builtins.workshop_commands:run_score"),
        configure=_configure_score,
        help="one person's record sheet from a response file",
    )
    register.command(
        "map",
        run=Deferred("matrixkit._builtins.workshop_commands:run_map"),
        configure=_configure_map,
        help="write a mapping file for a response table (which column is what), pre-filled with best guesses",
    )
    register.command(
        "collate",
        run=Deferred("matrixkit._builtins.workshop_commands:run_collate"),
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
        run=Deferred("matrixkit._builtins.workshop_commands:run_report"),
        configure=_configure_report,
        help="render a workshop record (decisions and actions) with its collation",
    )
    register.command(
        "compare",
        run=Deferred("matrixkit._builtins.workshop_commands:run_compare"),
        configure=_configure_compare,
        help="compare two rounds (collations or workshop records) of one instrument",
    )
