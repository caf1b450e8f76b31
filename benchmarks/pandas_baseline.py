"""The pandas baseline of the collation benchmark: the same counts as ``matrixkit collate --by sector``.

    python benchmarks/pandas_baseline.py RESPONSES.csv SCALE.json --by sector [--variant idiomatic|tuned]

``SCALE.json`` (written by ``run.py``) gives the instrument's levels (key, label, score) and domain keys. The
script reads the CSV with ``pandas.read_csv``, counts each domain's cell values overall and per group of the
``--by`` column, maps the distinct cell values to levels (score, key or label, case-insensitive; blank = not
answered) and prints the counts as JSON. Two variants:

``idiomatic``
    what most pandas code looks like: every column read as text, ``value_counts`` per domain overall and
    ``groupby(by)[domain].value_counts()`` per group.
``tuned``
    what a pandas expert would write: columns read as ``category`` and counted with
    ``groupby([by, domain], observed=True).size()`` (overall = the sum of the groups).

A workbook (``.xlsx``, ``.ods``) is read with ``pandas.read_excel`` (the idiomatic variant, every column as text).

It checks nothing (no duplicate participants, no unknown columns): less work than matrixkit does.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import pandas as pd


def level_lookup(scale: dict[str, Any]) -> dict[str, str | None]:
    lookup: dict[str, str | None] = {"": None}
    for level in scale["levels"]:
        lookup[" ".join(str(level["label"]).split()).casefold()] = level["key"]
        lookup[str(level["key"]).casefold()] = level["key"]
        lookup[str(level["score"])] = level["key"]
    return lookup


def fold(raw_counts: dict[Any, int], lookup: dict[str, str | None], keys: list[str]) -> dict[str, Any]:
    """Counts of raw cell values → counts per level key and missing."""
    counts = dict.fromkeys(keys, 0)
    missing = 0
    for raw, n in raw_counts.items():
        level = lookup.get(" ".join(str(raw).split()).casefold(), "?")
        if level == "?":
            raise SystemExit(f"not a level: {raw!r}")
        if level is None:
            missing += int(n)
        else:
            counts[level] += int(n)
    return {"counts": counts, "missing": missing}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv")
    parser.add_argument("scale")
    parser.add_argument("--by", required=True)
    parser.add_argument("--variant", choices=("idiomatic", "tuned"), default="idiomatic")
    args = parser.parse_args()
    with open(args.scale, encoding="utf-8") as handle:
        scale = json.load(handle)
    lookup = level_lookup(scale)
    keys = [level["key"] for level in scale["levels"]]
    domains: list[str] = scale["domains"]
    result: dict[str, Any] = {"domains": {}}
    if args.variant == "idiomatic":
        if args.csv.endswith((".xlsx", ".ods")):
            df = pd.read_excel(args.csv, dtype=str, keep_default_na=False)
        else:
            df = pd.read_csv(args.csv, dtype=str, keep_default_na=False)
        for domain in domains:
            overall = df[domain].value_counts().to_dict()
            per_group: dict[str, dict[Any, int]] = {}
            for (group, raw), n in df.groupby(args.by)[domain].value_counts().items():
                per_group.setdefault(str(group), {})[raw] = int(n)
            result["domains"][domain] = {
                **fold(overall, lookup, keys),
                "by": {group: fold(raw, lookup, keys) for group, raw in sorted(per_group.items())},
            }
    else:
        columns = pd.read_csv(args.csv, nrows=0).columns
        dtypes = {c: ("category" if c != "participant" else str) for c in columns}
        df = pd.read_csv(args.csv, dtype=dtypes, keep_default_na=False)
        for domain in domains:
            per_group = {}
            overall_raw: dict[Any, int] = {}
            for (group, raw), n in df.groupby([args.by, domain], observed=True).size().items():
                per_group.setdefault(str(group), {})[raw] = int(n)
                overall_raw[raw] = overall_raw.get(raw, 0) + int(n)
            result["domains"][domain] = {
                **fold(overall_raw, lookup, keys),
                "by": {group: fold(raw, lookup, keys) for group, raw in sorted(per_group.items())},
            }
    result["responses"] = len(df)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
