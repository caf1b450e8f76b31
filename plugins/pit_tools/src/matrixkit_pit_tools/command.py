"""Entry point ``pit-profile``: the ``matrixkit pit-profile`` command.

``matrixkit pit-profile RECORD... -o profile.pdf`` reads the workshop records of any of the four PIT tools and
writes the partnership profile (:mod:`matrixkit_pit_tools.profile`): the toolkit's triangle shaded by the agreed
levels, and a summary per tool, as PDF, HTML or Word, or the picture alone as SVG or PNG. The format comes from
the output's extension unless ``--format`` names it.

The profile is not one of matrixkit's kinds of subject, so the format is resolved here rather than by
:meth:`matrixkit.cli.Context.write`, by the same rules: the output's extension names it, ``--format`` must agree
with the extension, a binary format is never printed on a terminal, and the file is written atomically.

This module is loaded by every ``matrixkit`` command, so it imports nothing heavy: the profile, matplotlib and
the exporters are imported when the command runs. They come with the ``profile`` extra
(``pip install "maturity-matrixkit-pit-tools[profile]"``); without it the command says so and exits 1.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from matrixkit import hookimpl
from matrixkit.errors import MatrixkitError

if TYPE_CHECKING:
    import argparse

    from matrixkit.cli import Context
    from matrixkit.registry import CommandRegister

__all__ = ["FORMATS", "matrixkit_register_commands"]

#: The formats of the profile and their extensions.
FORMATS = {"pdf": ".pdf", "html": ".html", "docx": ".docx", "svg": ".svg", "png": ".png"}
#: The formats that are text, which may be written to a terminal.
TEXT_FORMATS = frozenset({"html", "svg"})
#: What each format needs besides maturity-matrixkit-exporters (top-level import names).
_NEEDS = {"pdf": ("typst", "matplotlib"), "html": ("jinja2", "matplotlib"), "docx": ("docx", "matplotlib")}


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("records", nargs="+", metavar="RECORD", help="workshop records (TOML) of Tools A, B, C, D")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (.pdf, .html, .docx, .svg or .png), atomically"
    )
    parser.add_argument(
        "--format", "-f", choices=sorted(FORMATS), help="the format (default: from the extension of -o)"
    )


def output_format(output: str | None, named: str | None) -> str:
    """The format named, else the one whose extension ``output`` has; an error naming what would work."""
    if named is not None:
        return named
    if output in (None, "-"):
        raise MatrixkitError("give -o FILE (.pdf, .html, .docx, .svg or .png) or --format to write to standard output")
    suffix = Path(str(output)).suffix.lower()
    for name, extension in FORMATS.items():
        if suffix == extension:
            return name
    raise MatrixkitError(
        f"{output}: the profile is written as {', '.join(FORMATS.values())}; "
        f"{'no extension' if not suffix else repr(suffix)} is none of them (or name one with --format)"
    )


def _available(fmt: str) -> None:
    missing = [
        name
        for name in ("matrixkit_exporters", "matplotlib", *_NEEDS.get(fmt, ()))
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise MatrixkitError(
            f"pit-profile as {fmt} is unavailable: install maturity-matrixkit-pit-tools[profile] "
            f"(missing: {', '.join(missing)})"
        )


def _run(args: argparse.Namespace, ctx: Context) -> int:
    from matrixkit.api import workshop_report

    fmt = output_format(args.output, args.format)
    if args.output not in (None, "-") and args.format is not None:
        suffix = Path(args.output).suffix.lower()
        if suffix and suffix != FORMATS[fmt]:
            raise MatrixkitError(f"{args.output}: --format {fmt} writes {FORMATS[fmt]} files, not {suffix}")
    if args.output in (None, "-") and fmt not in TEXT_FORMATS and getattr(ctx.stdout, "isatty", lambda: False)():
        raise MatrixkitError(f"format {fmt!r} is binary: write it to a file with -o FILE")
    _available(fmt)
    from matrixkit_pit_tools.profile import build_profile, render

    reports = [(path, workshop_report(path, registry=ctx.registry)) for path in args.records]
    profile = build_profile(reports)
    for source, report in reports:
        for warning in report.warnings:
            ctx.warn(f"{source}: {warning}")
    ctx.write_output(render(profile, fmt), args.output)
    return 0


@hookimpl
def matrixkit_register_commands(register: CommandRegister) -> None:
    register.command(
        "pit-profile",
        run=_run,
        configure=_configure,
        help="the PIT partnership profile: the triangle shaded by each tool's agreed levels",
        description=(
            "Draw the Population Intervention Triangle from the workshop records of Tools A-D (any of them): "
            "the centre (Tool A) and the three seams (Tools B, C, D), each domain in the level its workshop "
            "agreed, with a summary table per tool. Written as PDF, HTML or Word (.docx), or the picture alone "
            "as SVG or PNG; the format comes from the output's extension."
        ),
    )
