"""The DuckDB baseline of the collation benchmark: the same counts as ``matrixkit collate --by sector``.

    python benchmarks/duckdb_baseline.py RESPONSES.csv SCALE.json --by sector

``SCALE.json`` (written by ``run.py``) gives the instrument's levels and domain keys. DuckDB reads the CSV with
``read_csv`` (every column as text, in parallel on all cores), counts each domain's cell values per group of the
``--by`` column with one ``GROUP BY`` per domain, and the distinct cell values are mapped to levels in Python
(score, key or label, case-insensitive; blank = not answered), as the pandas baseline does. It checks nothing
(no duplicate participants, no unknown columns): less work than matrixkit does.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import duckdb
from pandas_baseline import fold, level_lookup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv")
    parser.add_argument("scale")
    parser.add_argument("--by", required=True)
    args = parser.parse_args()
    with open(args.scale, encoding="utf-8") as handle:
        scale = json.load(handle)
    lookup = level_lookup(scale)
    keys = [level["key"] for level in scale["levels"]]
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE responses AS SELECT * FROM read_csv(?, all_varchar = true, header = true)", [args.csv]
    )
    result: dict[str, Any] = {"domains": {}}
    by = args.by
    for domain in scale["domains"]:
        rows = connection.execute(
            f'SELECT "{by}", coalesce("{domain}", \'\'), count(*) FROM responses GROUP BY ALL'
        ).fetchall()
        per_group: dict[str, dict[Any, int]] = {}
        overall: dict[Any, int] = {}
        for group, raw, n in rows:
            per_group.setdefault(str(group), {})[raw] = int(n)
            overall[raw] = overall.get(raw, 0) + int(n)
        result["domains"][domain] = {
            **fold(overall, lookup, keys),
            "by": {group: fold(raw, lookup, keys) for group, raw in sorted(per_group.items())},
        }
    [(count,)] = connection.execute("SELECT count(*) FROM responses").fetchall()
    result["responses"] = int(count)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
