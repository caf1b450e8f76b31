#!/usr/bin/env python3
"""Run the bundled Tool A workshop end to end with the ``matrixkit`` command line.

The Northbridge Health Inequalities Partnership assessed Tool A (Place Based Working) at a workshop of
eighteen partners — six civic, six VCSE, six health — at three mixed tables, and again six months later. This
script does what the facilitators did, printing every command before running it:

1. collate each table's sheet (as the tables did);
2. pool the three table collations into the plenary collation (over the refreshment break);
3. collate by sector ("is this an individual or a sectoral view?");
4. print one partner's record sheet;
5. write the workshop report in every installed format that renders reports;
6. do the same for the second round, then compare the rounds.

Outputs go to ``examples/output/`` (or the directory given with ``--output``). Needs matrixkit and the PIT tools
plugin (``pip install -e . -e plugins/pit_tools``; ``python3 tasks.py example`` does it all).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKSHOP = HERE / "pit-a-workshop"
ROUNDS = ("round-1", "round-2")
TABLES = ("table-1.csv", "table-2.csv", "table-3.csv")
INSTRUMENT = "pit-a"


class CommandFailed(Exception):
    """A matrixkit command exited non-zero."""


def show(path: Path) -> str:
    """A path as short as possible for printing: relative to the working directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def matrixkit(*args: str | Path, capture: bool = False) -> str:
    """Run ``matrixkit ARGS`` (this Python's), printing the command; raise CommandFailed on failure."""
    shown = " ".join(shlex.quote(show(a) if isinstance(a, Path) else a) for a in args)
    print(f"\n$ matrixkit {shown}", flush=True)
    command = [sys.executable, "-m", "matrixkit", *(str(a) for a in args)]
    result = subprocess.run(command, text=True, capture_output=capture, check=False)  # noqa: S603
    if capture and result.stderr:
        print(result.stderr, end="", file=sys.stderr)
    if result.returncode != 0:
        raise CommandFailed(f"'matrixkit {shown}' exited with status {result.returncode}")
    return result.stdout if capture else ""


def report_formats() -> tuple[list[tuple[str, str]], list[str]]:
    """Ask the registry which formats render reports: (name, extension) of the available ones, and notes on
    the unavailable ones."""
    from matrixkit.registry import get_registry

    available, notes = [], []
    for name, named in sorted(get_registry().exporters.items()):
        exporter = named.obj
        if "report" not in exporter.kinds:
            continue
        hint = exporter.availability()
        if hint is None:
            available.append((name, exporter.extension))
        else:
            notes.append(f"{name}: skipped, unavailable ({hint})")
    return available, notes


def run_round(name: str, out: Path, formats: list[tuple[str, str]]) -> None:
    source = WORKSHOP / name
    target = out / name
    target.mkdir(parents=True, exist_ok=True)
    label = name.replace("-", " ").capitalize()
    print(f"\n=== {label}: {source.relative_to(HERE.parent)} ===")

    # 1. Each table collates its own sheet.
    table_collations = []
    for table in TABLES:
        collation = target / table.replace(".csv", ".json")
        matrixkit(
            "collate",
            INSTRUMENT,
            source / table,
            "--title",
            f"{label}, {table[:-4].replace('-', ' ')}",
            "-o",
            collation,
        )
        table_collations.append(collation)

    # 2. The facilitators pool the table collations into the plenary (exactly the collation of everyone).
    plenary = target / "plenary.json"
    matrixkit("collate", INSTRUMENT, *table_collations, "--title", f"{label}, plenary", "-o", plenary)
    matrixkit("collate", INSTRUMENT, *table_collations, "--title", f"{label}, plenary", "--format", "text")

    # 3. Is it an individual or a sectoral view? Collate by sector.
    by_sector = target / "by-sector.json"
    tables = [source / t for t in TABLES]
    matrixkit("collate", INSTRUMENT, *tables, "--by", "sector", "-o", by_sector)
    matrixkit("collate", INSTRUMENT, *tables, "--by", "sector", "--format", "text", "-o", target / "by-sector.txt")

    # 4. One partner's own record sheet.
    matrixkit("score", INSTRUMENT, source / "table-1.csv", "--participant", "V01", "-o", target / "record-V01.txt")

    # 5. The workshop report, in every installed format that renders reports.
    for fmt, extension in formats:
        matrixkit("report", source / "workshop.toml", "--format", fmt, "-o", target / f"report{extension}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=HERE / "output", help="where to write (examples/output)")
    args = parser.parse_args(argv)
    out: Path = args.output.resolve()
    out.mkdir(parents=True, exist_ok=True)

    try:
        tools = json.loads(matrixkit("tools", "--json", capture=True))
        if INSTRUMENT not in {t["id"] for t in tools}:
            print(
                f"\nThe example needs the {INSTRUMENT} instrument: pip install -e plugins/pit_tools "
                "(or run 'python3 tasks.py example').",
                file=sys.stderr,
            )
            return 1
        matrixkit("rules")
        formats, notes = report_formats()
        print("\nReport formats: " + ", ".join(name for name, _ in formats))
        for note in notes:
            print(f"  note: {note}")

        for name in ROUNDS:
            run_round(name, out, formats)

        print("\n=== Six months on: comparing the rounds ===")
        first, second = WORKSHOP / "round-1" / "workshop.toml", WORKSHOP / "round-2" / "workshop.toml"
        matrixkit("compare", first, second)
        matrixkit("compare", first, second, "--format", "json", "-o", out / "comparison.json")
    except CommandFailed as exc:
        print(f"\nexample failed: {exc}", file=sys.stderr)
        return 1

    written = sorted(p for p in out.rglob("*") if p.is_file())
    print(f"\nDone: {len(written)} files in {show(out)}:")
    for path in written:
        print(f"  {show(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
