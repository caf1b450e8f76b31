"""Set-up steps of the benchmarks that need matrixkit itself; ``run.py`` runs them in a child process.

On Linux a child's peak resident memory (``ru_maxrss``) is never below its parent's at the time it was
started, so ``run.py`` stays small and imports neither matrixkit nor pandas: what needs them happens here.

    python benchmarks/_setup.py scale OUT.json                 # pit-a's levels and domain keys
    python benchmarks/_setup.py tables ALL.csv DIR PER_TABLE   # one collation JSON per table of ALL.csv
    python benchmarks/_setup.py xlsx RESPONSES.csv OUT.xlsx    # the responses as a workbook (XlsxWriter)
    python benchmarks/_setup.py floor                          # the floor under any listing (see floor())
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

INSTRUMENT = "pit-a"


def scale(out: Path) -> None:
    from matrixkit.registry import get_registry

    instrument = get_registry().instrument(INSTRUMENT)
    data = {
        "levels": [{"key": lv.key, "label": lv.label, "score": lv.score} for lv in instrument.levels],
        "domains": list(instrument.domain_keys),
    }
    out.write_text(json.dumps(data, indent=2), encoding="utf-8")


def tables(everyone: Path, folder: Path, per_table: int) -> None:
    """Split ``everyone`` into tables of ``per_table`` participants (in file order) and write each table's
    collation JSON with ``matrixkit collate ... --by sector -o table-NNNN.json`` (run in this process)."""
    from matrixkit.cli import Context, main

    with open(everyone, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    ctx = Context(stderr=io.StringIO())  # small tables warn that small groups can identify people
    for start in range(0, len(rows), per_table):
        name = f"table-{start // per_table:04d}"
        source = folder / f"{name}.csv"
        with open(source, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *rows[start : start + per_table]])
        argv = ["collate", INSTRUMENT, str(source), "--by", "sector", "--format", "json"]
        if main([*argv, "-o", str(folder / f"{name}.json")], context=ctx) != 0:
            raise SystemExit(f"could not collate {source}")
        source.unlink()


def floor() -> None:
    """What any listing of the installed instruments costs before its own code runs: importing the libraries
    matrixkit requires (and argparse, importlib.metadata), then parsing the PIT plugin's instrument files with
    tomli, matrixkit's TOML parser. Started as a child process by the start-up benchmark, as a row beside
    ``matrixkit tools``."""
    import argparse  # noqa: F401
    import importlib.metadata
    import importlib.util

    import attrs  # noqa: F401
    import cattrs  # noqa: F401
    import pluggy  # noqa: F401
    import tomli

    spec = importlib.util.find_spec("matrixkit_pit_tools")  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the PIT tools plugin is not installed")
    files = sorted(Path(spec.submodule_search_locations[0]).rglob("*.toml"))
    for path in files:
        tomli.loads(path.read_text(encoding="utf-8"))
    if not files:
        raise SystemExit("no instrument files found")


def xlsx(source: Path, out: Path) -> None:
    """The responses of ``source`` as the first sheet of a workbook, numbers as numbers (as Excel keeps them)."""
    import xlsxwriter

    temporary = out.with_suffix(".tmp.xlsx")
    book = xlsxwriter.Workbook(str(temporary), {"constant_memory": True})
    sheet = book.add_worksheet("Responses")
    with open(source, encoding="utf-8", newline="") as handle:
        for r, row in enumerate(csv.reader(handle)):
            for c, cell in enumerate(row):
                if cell.isdigit() and r:
                    sheet.write_number(r, c, int(cell))
                elif cell:
                    sheet.write_string(r, c, cell)
    book.close()
    temporary.replace(out)


def main(argv: list[str]) -> int:
    if argv[:1] == ["scale"] and len(argv) == 2:
        scale(Path(argv[1]))
    elif argv[:1] == ["tables"] and len(argv) == 4:
        tables(Path(argv[1]), Path(argv[2]), int(argv[3]))
    elif argv[:1] == ["xlsx"] and len(argv) == 3:
        xlsx(Path(argv[1]), Path(argv[2]))
    elif argv == ["floor"]:
        floor()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
