#!/usr/bin/env python3
"""matrixkit's performance benchmarks: collation against pandas and DuckDB, reading workbooks against
pandas.read_excel, start-up against pip and pytest, pooling.

    python benchmarks/run.py                 # N = 10k, 100k, 1M; writes benchmarks/results/
    python benchmarks/run.py --quick         # a small smoke run (CI): N = 2k, few repeats
    python3 tasks.py bench [ARGS]            # the same, in the project's environment

Run it with the Python of an environment where matrixkit and its PIT plugin are installed (``.venv``) and
pandas (``pip install -r requirements-bench.txt``). Everything is measured in child processes started the
way a person would start them, alternately (matrixkit, pandas, pandas, matrixkit, ...) so that a busy machine
slows all of them alike; each figure is the median of the repeats, and ratios are taken within this one run.
Time is wall-clock; CPU time (user + system) and peak resident memory come from ``os.wait4`` on the child.

1. **Collation.** Synthetic responses to PIT Tool A (deterministic seed: 10 domains; ``participant``,
   ``sector`` and ``table`` columns; about 3% blank cells; cells written as scores, level keys and labels in
   varied case) for each N. ``matrixkit collate pit-a FILE.csv --by sector --format json`` against two pandas
   baselines doing the same counting (``benchmarks/pandas_baseline.py``: an idiomatic one and a tuned one with
   categorical columns) and DuckDB (``benchmarks/duckdb_baseline.py``: ``read_csv`` with every column as text,
   ``GROUP BY``). The counts of all of them are checked to be equal.
2. **Workbooks.** The same responses as an XLSX workbook (10k and 100k rows): ``matrixkit collate`` of the
   workbook against the pandas baseline reading it with ``pandas.read_excel``; counts checked equal.
3. **Start-up.** ``matrixkit tools`` and ``matrixkit --version`` against ``pip --version``, with
   ``pytest --version`` beside them, ``python -c pass``, and the floor under any listing on matrixkit's
   required libraries (``_setup.py floor``: import them and parse the PIT instrument files, nothing else);
   every run with an empty cache directory (``XDG_CACHE_HOME``) of its own.
4. **Pooling.** 1,000 table collations (JSON written by ``matrixkit collate``) pooled by
   ``matrixkit collate pit-a tables/*.json --by sector``; checked equal to collating all responses at once.

Children run without ``PYTHONDONTWRITEBYTECODE`` (some sandboxes set it), so that byte code is cached as in
any installed package; a warm-up run of each command precedes the measured ones.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
SEED = 20240607
INSTRUMENT = "pit-a"
SECTORS = ("NHS", "Local authority", "Voluntary and community", "Police", "Housing", "Education")
#: Share of cells written as a level key and as a level label (the rest are scores or blank).
KEY_SHARE, LABEL_SHARE, BLANK_SHARE = 0.05, 0.05, 0.03


def say(text: str = "") -> None:
    print(text, flush=True)


# -- running children --------------------------------------------------------------------------------


class Run:
    """One child process: wall-clock and CPU seconds, peak resident memory (MB), exit status."""

    def __init__(self, wall: float, cpu: float, rss_mb: float, status: int) -> None:
        self.wall, self.cpu, self.rss_mb, self.status = wall, cpu, rss_mb, status


def child_environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def run_child(argv: Sequence[str], stdout: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``argv``; standard output to ``stdout`` (a file) or nowhere."""
    out = open(stdout, "wb") if stdout is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.PIPE, env=env)
        assert process.stderr is not None
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout is not None and not isinstance(out, int):
            out.close()
    rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(argv)}\n{errors.decode(errors='replace')}")
    return Run(wall, usage.ru_utime + usage.ru_stime, rss, process.returncode)


def alternate(commands: dict[str, dict[str, Any]], repeat: int) -> dict[str, list[Run]]:
    """Run every command once to warm up, then ``repeat`` rounds of all of them in turn."""
    for spec in commands.values():
        run_child(spec["argv"], spec.get("stdout"), spec.get("env"))
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for i in range(repeat):
        names = list(commands) if i % 2 == 0 else list(reversed(commands))
        for name in names:
            spec = commands[name]
            runs[name].append(run_child(spec["argv"], spec.get("stdout"), spec.get("env")))
    return runs


def summary(runs: list[Run]) -> dict[str, Any]:
    return {
        "wall_s": statistics.median(r.wall for r in runs),
        "cpu_s": statistics.median(r.cpu for r in runs),
        "peak_rss_mb": max(r.rss_mb for r in runs),
        "runs": len(runs),
        "wall_each_s": [round(r.wall, 4) for r in runs],
    }


def matrixkit_command() -> list[str]:
    script = Path(sys.executable).parent / ("matrixkit.exe" if os.name == "nt" else "matrixkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "matrixkit"]


# -- data ----------------------------------------------------------------------------------------------


def instrument_scale(folder: Path) -> tuple[Path, list[str], list[tuple[str, str, int]]]:
    """The instrument's levels and domains (written by a child process, for the pandas baseline too)."""
    path = folder / f"{INSTRUMENT}-scale.json"
    if not path.exists():
        run_child([sys.executable, str(HERE / "_setup.py"), "scale", str(path)], env=child_environment())
    scale = json.loads(path.read_text(encoding="utf-8"))
    levels = [(lv["key"], lv["label"], lv["score"]) for lv in scale["levels"]]
    return path, list(scale["domains"]), levels


def generate(path: Path, n: int, domains: list[str], levels: list[tuple[str, str, int]], *, seed: int = SEED) -> None:
    """``n`` synthetic responses (deterministic for a seed); tables of about 20 people."""
    if path.exists():
        return
    rng = random.Random(seed)
    tables = max(1, n // 20)
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["participant", "sector", "table", *domains])
        for i in range(n):
            lean = rng.random() * 1.5  # some people rate everything higher
            row = [f"P{i:07d}", rng.choice(SECTORS), f"T{rng.randrange(tables):05d}"]
            for _ in domains:
                r = rng.random()
                if r < BLANK_SHARE:
                    row.append("")
                    continue
                key, label, score = levels[min(len(levels) - 1, int(rng.random() * 3 + lean))]
                r = rng.random()
                if r < KEY_SHARE:
                    row.append(key)
                elif r < KEY_SHARE + LABEL_SHARE:
                    row.append(label if r < KEY_SHARE + LABEL_SHARE / 2 else label.upper())
                else:
                    row.append(str(score))
            writer.writerow(row)
    temporary.replace(path)


# -- checks ----------------------------------------------------------------------------------------------


def counts_of_matrixkit(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {
        "responses": doc["responses"],
        "domains": {
            d["key"]: {
                "counts": d["counts"],
                "missing": d["missing"],
                "by": {g: {"counts": v["counts"], "missing": v["missing"]} for g, v in sorted(d["by"].items())},
            }
            for d in doc["domains"]
        },
    }


def check_same(name: str, expected: dict[str, Any], got_path: Path) -> None:
    got = json.loads(got_path.read_text(encoding="utf-8"))
    if got != expected:
        raise SystemExit(f"{name} counted differently from matrixkit ({got_path})")


# -- the benchmarks -------------------------------------------------------------------------------------------


def bench_collation(sizes: list[int], repeat: int, pandas: bool, duckdb: bool, work: Path) -> list[dict[str, Any]]:
    scale, domains, levels = instrument_scale(work)
    rows = []
    for n in sizes:
        data = DATA / f"pit-a-responses-{n}-seed{SEED}.csv"
        say(f"\n## Collation, N = {n:,} ({data.name})")
        generate(data, n, domains, levels)
        mk_out, pd_out, tuned_out = work / f"matrixkit-{n}.json", work / f"pandas-{n}.json", work / f"tuned-{n}.json"
        commands: dict[str, dict[str, Any]] = {
            "matrixkit": {
                "argv": [*matrixkit_command(), "collate", INSTRUMENT, str(data), "--by", "sector", "--format", "json"],
                "stdout": mk_out,
                "env": child_environment(),
            }
        }
        if pandas:
            baseline = [sys.executable, str(HERE / "pandas_baseline.py"), str(data), str(scale), "--by", "sector"]
            commands["pandas"] = {"argv": baseline, "stdout": pd_out, "env": child_environment()}
            commands["pandas-tuned"] = {
                "argv": [*baseline, "--variant", "tuned"],
                "stdout": tuned_out,
                "env": child_environment(),
            }
        if duckdb:
            commands["duckdb"] = {
                "argv": [sys.executable, str(HERE / "duckdb_baseline.py"), str(data), str(scale), "--by", "sector"],
                "stdout": work / f"duckdb-{n}.json",
                "env": child_environment(),
            }
        runs = alternate(commands, repeat)
        expected = counts_of_matrixkit(mk_out)
        if pandas:
            check_same("pandas", expected, pd_out)
            check_same("pandas (tuned)", expected, tuned_out)
        if duckdb:
            check_same("duckdb", expected, work / f"duckdb-{n}.json")
        row: dict[str, Any] = {"n": n, "file_mb": round(data.stat().st_size / 1e6, 1)}
        for name, measured in runs.items():
            row[name] = summary(measured)
        for name in ("pandas", "pandas-tuned", "duckdb"):
            if name in row:
                row[f"ratio_vs_{name}"] = {
                    "wall": row["matrixkit"]["wall_s"] / row[name]["wall_s"],
                    "cpu": row["matrixkit"]["cpu_s"] / row[name]["cpu_s"],
                }
        say(format_collation_row(row))
        rows.append(row)
    return rows


def format_collation_row(row: dict[str, Any]) -> str:
    lines = []
    for name in ("matrixkit", "pandas", "pandas-tuned", "duckdb"):
        if name in row:
            s = row[name]
            per = s["wall_s"] / row["n"] * 1e6
            lines.append(
                f"  {name:13s} {s['wall_s']:7.3f} s wall  {s['cpu_s']:7.3f} s cpu  {s['peak_rss_mb']:7.1f} MB peak  "
                f"{per:6.2f} µs/response"
            )
    for name in ("pandas", "pandas-tuned", "duckdb"):
        if f"ratio_vs_{name}" in row:
            r = row[f"ratio_vs_{name}"]
            lines.append(f"  matrixkit / {name}: {r['wall']:.2f}x wall, {r['cpu']:.2f}x cpu")
    return "\n".join(lines)


def bench_workbooks(sizes: list[int], repeat: int, pandas: bool, work: Path) -> list[dict[str, Any]]:
    """``matrixkit collate`` of an XLSX workbook against pandas reading the same workbook."""
    scale, domains, levels = instrument_scale(work)
    rows = []
    for n in sizes:
        source = DATA / f"pit-a-responses-{n}-seed{SEED}.csv"
        generate(source, n, domains, levels)
        data = source.with_suffix(".xlsx")
        if not data.exists():
            run_child(
                [sys.executable, str(HERE / "_setup.py"), "xlsx", str(source), str(data)], env=child_environment()
            )
        say(f"\n## Workbook, N = {n:,} ({data.name})")
        mk_out, pd_out = work / f"matrixkit-xlsx-{n}.json", work / f"pandas-xlsx-{n}.json"
        commands: dict[str, dict[str, Any]] = {
            "matrixkit": {
                "argv": [*matrixkit_command(), "collate", INSTRUMENT, str(data), "--by", "sector", "--format", "json"],
                "stdout": mk_out,
                "env": child_environment(),
            }
        }
        if pandas:
            commands["pandas.read_excel"] = {
                "argv": [sys.executable, str(HERE / "pandas_baseline.py"), str(data), str(scale), "--by", "sector"],
                "stdout": pd_out,
                "env": child_environment(),
            }
        runs = alternate(commands, repeat)
        if pandas:
            check_same("pandas.read_excel", counts_of_matrixkit(mk_out), pd_out)
        row: dict[str, Any] = {"n": n, "file_mb": round(data.stat().st_size / 1e6, 1)}
        for name, measured in runs.items():
            row[name] = summary(measured)
        if pandas:
            row["ratio_vs_pandas.read_excel"] = {
                "wall": row["matrixkit"]["wall_s"] / row["pandas.read_excel"]["wall_s"],
                "cpu": row["matrixkit"]["cpu_s"] / row["pandas.read_excel"]["cpu_s"],
            }
        for name in runs:
            x = row[name]
            say(f"  {name:18s} {x['wall_s']:7.3f} s wall  {x['cpu_s']:7.3f} s cpu  {x['peak_rss_mb']:7.1f} MB peak")
        if pandas:
            say(f"  matrixkit / pandas.read_excel: {row['ratio_vs_pandas.read_excel']['wall']:.2f}x wall")
        rows.append(row)
    return rows


def bench_startup(repeat: int, work: Path) -> dict[str, Any]:
    """Start-up against the tools people already run: every run with an empty cache directory of its own."""
    say("\n## Start-up")
    bin_dir = Path(sys.executable).parent
    commands: dict[str, dict[str, Any]] = {
        "python -c pass": {"argv": [sys.executable, "-c", "pass"]},
        "pip --version": {"argv": [sys.executable, "-m", "pip", "--version"]},
        "pytest --version": {"argv": [str(bin_dir / "pytest"), "--version"]},
        "matrixkit --version": {"argv": [*matrixkit_command(), "--version"]},
        "matrixkit tools": {"argv": [*matrixkit_command(), "tools"]},
        # The floor under any listing on the required libraries: import them, parse the instrument files.
        "libraries + TOML": {"argv": [sys.executable, str(HERE / "_setup.py"), "floor"]},
    }
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for i in range(repeat + 1):  # the first round warms up (byte code written), then alternating rounds
        names = list(commands) if i % 2 == 0 else list(reversed(commands))
        for name in names:
            cache = work / f"cache-{name.replace(' ', '-')}-{i}"
            cache.mkdir()
            measured = run_child(commands[name]["argv"], env=child_environment(XDG_CACHE_HOME=str(cache)))
            if i:
                runs[name].append(measured)
            shutil.rmtree(cache, ignore_errors=True)
    result: dict[str, Any] = {name: summary(r) for name, r in runs.items()}
    pip = result["pip --version"]
    for name in commands:
        result[name]["ratio_to_pip_wall"] = result[name]["wall_s"] / pip["wall_s"]
        result[name]["ratio_to_pip_cpu"] = result[name]["cpu_s"] / pip["cpu_s"]
    for name in commands:
        x = result[name]
        say(
            f"  {name:22s} {x['wall_s'] * 1000:7.1f} ms wall  {x['cpu_s'] * 1000:7.1f} ms cpu  "
            f"{x['ratio_to_pip_wall']:.2f}x pip --version (wall), {x['ratio_to_pip_cpu']:.2f}x (cpu)"
        )
    return result


def bench_pooling(tables: int, repeat: int, work: Path) -> dict[str, Any]:
    say(f"\n## Pooling {tables:,} table collations")
    _, domains, levels = instrument_scale(work)
    per_table = 20
    data = DATA / f"pit-a-tables-{tables}x{per_table}-seed{SEED}"
    everyone = data / "all.csv"
    if not (data / "done").exists():
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        generate(everyone, tables * per_table, domains, levels, seed=SEED + 1)
        setup = [sys.executable, str(HERE / "_setup.py"), "tables", str(everyone), str(data), str(per_table)]
        run_child(setup, env=child_environment())
        (data / "done").write_text("", encoding="utf-8")
    files = sorted(str(p) for p in data.glob("table-*.json"))
    pooled = work / "pooled.json"
    direct = work / "direct.json"
    base = [*matrixkit_command(), "collate", INSTRUMENT]
    commands = {
        "pool": {
            "argv": [*base, *files, "--by", "sector", "--format", "json"],
            "stdout": pooled,
            "env": child_environment(),
        },
    }
    runs = alternate(commands, repeat)
    run_child([*base, str(everyone), "--by", "sector", "--format", "json"], direct, child_environment())
    if counts_of_matrixkit(pooled) != counts_of_matrixkit(direct):
        raise SystemExit("pooling the tables did not give the collation of all responses")
    result = {"tables": len(files), "responses": tables * per_table, **summary(runs["pool"])}
    say(
        f"  {len(files):,} files ({result['responses']:,} responses): {result['wall_s']:.3f} s wall, "
        f"{result['cpu_s']:.3f} s cpu, {result['peak_rss_mb']:.1f} MB peak (equal to collating all responses)"
    )
    return result


# -- the report -------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line)
    except (OSError, StopIteration):
        info["cpu"] = platform.processor() or None
    try:
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        kb = int(next(line.split()[1] for line in meminfo.splitlines() if line.startswith("MemTotal")))
        info["memory_gb"] = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        info["memory_gb"] = None
    from importlib.metadata import PackageNotFoundError, version

    for name in ("maturity-matrixkit", "pandas", "duckdb"):  # not imported here: see _setup.py
        try:
            info[name] = version(name)
        except PackageNotFoundError:
            info[name] = None
    return info


def marginal(previous: dict[str, Any] | None, row: dict[str, Any]) -> str:
    """Microseconds per extra response between two rows of the collation table."""
    if previous is None or row["n"] == previous["n"]:
        return "–"
    extra = row["matrixkit"]["wall_s"] - previous["matrixkit"]["wall_s"]
    return f"{extra / (row['n'] - previous['n']) * 1e6:.2f}"


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"# matrixkit benchmarks ({results['date']})",
        "",
        f"Machine: {m['cpus']} CPUs ({m.get('cpu')}), {m.get('memory_gb')} GB memory, {m['platform']}; "
        f"Python {m['python']}, pandas {m.get('pandas')}, DuckDB {m.get('duckdb')}, matrixkit "
        f"{m.get('maturity-matrixkit')}; load average at start "
        f"{m.get('load_average')}.",
        "",
        f"Command: `{results['command']}`",
        "",
        "## Collation: `matrixkit collate pit-a FILE.csv --by sector --format json`",
        "",
        "| N | matrixkit | pandas | pandas (tuned) | DuckDB | matrixkit / pandas | matrixkit / tuned | "
        "matrixkit / DuckDB | peak RSS matrixkit | peak RSS pandas | peak RSS tuned | peak RSS DuckDB | "
        "µs per response (matrixkit) | marginal µs per response |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    previous: dict[str, Any] | None = None
    for row in results["collation"]:
        mk = row["matrixkit"]
        pd_ = row.get("pandas")
        tuned = row.get("pandas-tuned")
        duck = row.get("duckdb")

        def cell(s: dict[str, float] | None, key: str, fmt: str) -> str:
            return fmt.format(s[key]) if s else "–"

        r1, r2, r3 = row.get("ratio_vs_pandas"), row.get("ratio_vs_pandas-tuned"), row.get("ratio_vs_duckdb")
        ratio1 = f"{r1['wall']:.2f}×" if r1 else "–"
        ratio2 = f"{r2['wall']:.2f}×" if r2 else "–"
        ratio3 = f"{r3['wall']:.2f}×" if r3 else "–"
        lines.append(
            f"| {row['n']:,} | {mk['wall_s']:.3f} s | {cell(pd_, 'wall_s', '{:.3f} s')} | "
            f"{cell(tuned, 'wall_s', '{:.3f} s')} | {cell(duck, 'wall_s', '{:.3f} s')} | {ratio1} | "
            f"{ratio2} | {ratio3} | {mk['peak_rss_mb']:.0f} MB | "
            f"{cell(pd_, 'peak_rss_mb', '{:.0f} MB')} | {cell(tuned, 'peak_rss_mb', '{:.0f} MB')} | "
            f"{cell(duck, 'peak_rss_mb', '{:.0f} MB')} | "
            f"{mk['wall_s'] / row['n'] * 1e6:.2f} | {marginal(previous, row)} |"
        )
        previous = row
    lines += [
        "",
        "Times are medians of wall-clock time (CPU-time ratios are in results.json); they include starting the "
        "command. The marginal cost per response is the difference in time over the difference in N from the "
        "row above: constant when the time grows linearly.",
        "",
    ]
    w = results.get("workbooks")
    if w:
        lines += [
            "## Workbooks: `matrixkit collate pit-a FILE.xlsx --by sector`",
            "",
            "| N | file | matrixkit | pandas.read_excel | matrixkit / pandas | peak RSS matrixkit | peak RSS pandas |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in w:
            mk, pd_ = row["matrixkit"], row.get("pandas.read_excel")
            ratio = row.get("ratio_vs_pandas.read_excel")
            pandas_wall = f"{pd_['wall_s']:.3f} s" if pd_ else "–"
            pandas_rss = f"{pd_['peak_rss_mb']:.0f} MB" if pd_ else "–"
            ratio_text = f"{ratio['wall']:.2f}×" if ratio else "–"
            lines.append(
                f"| {row['n']:,} | {row['file_mb']} MB | {mk['wall_s']:.3f} s | {pandas_wall} | {ratio_text} | "
                f"{mk['peak_rss_mb']:.0f} MB | {pandas_rss} |"
            )
        lines.append("")
    s = results.get("startup")
    if s:
        lines += [
            "## Start-up, against the tools people already run",
            "",
            "Every run with an empty cache directory of its own (`XDG_CACHE_HOME`); medians of alternating runs.",
            "",
            "| command | wall | CPU | ratio to `pip --version` (wall / CPU) |",
            "|---|---:|---:|---:|",
        ]
        for name, x in s.items():
            shown = "import the required libraries, parse the instrument files" if name == "libraries + TOML" else name
            lines.append(
                f"| `{shown}` | {x['wall_s'] * 1000:.1f} ms | {x['cpu_s'] * 1000:.1f} ms | "
                f"{x['ratio_to_pip_wall']:.2f}× / {x['ratio_to_pip_cpu']:.2f}× |"
            )
        lines.append("")
    p = results.get("pooling")
    if p:
        lines += [
            "## Pooling table collations",
            "",
            f"{p['tables']:,} collation JSON files ({p['responses']:,} responses) pooled by `matrixkit collate "
            f"pit-a tables/*.json --by sector`: {p['wall_s']:.3f} s wall, {p['cpu_s']:.3f} s CPU, "
            f"{p['peak_rss_mb']:.0f} MB peak.",
            "",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small smoke run (N = 2,000; 50 tables)")
    parser.add_argument("--sizes", help="comma-separated numbers of responses (default 10000,100000,1000000)")
    parser.add_argument("--repeat", type=int, help="measured runs per command (default 5; 2 with --quick)")
    parser.add_argument("--tables", type=int, help="table collations to pool (default 1000; 50 with --quick)")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baselines")
    parser.add_argument("--no-duckdb", action="store_true", help="skip the DuckDB baseline")
    parser.add_argument("--workbooks", help="comma-separated rows of the XLSX benchmark (default 10000,100000)")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"where to write results (default {RESULTS})")
    args = parser.parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else ([2000] if args.quick else [10**4, 10**5, 10**6])
    repeat = args.repeat or (2 if args.quick else 5)
    tables = args.tables or (50 if args.quick else 1000)
    pandas = not args.no_pandas
    duckdb = not args.no_duckdb
    workbooks = (
        [int(x) for x in args.workbooks.split(",")] if args.workbooks else ([500] if args.quick else [10**4, 10**5])
    )
    from importlib.util import find_spec

    for wanted, name in ((pandas, "pandas"), (duckdb, "duckdb")):
        if wanted and find_spec(name) is None:
            say(f"{name} is not installed: pip install -r requirements-bench.txt (or run with --no-{name})")
            return 2
    DATA.mkdir(parents=True, exist_ok=True)
    work = DATA / f"work-{os.getpid()}"  # outputs of this run (removed at the end); inputs are kept in DATA
    work.mkdir(parents=True)
    try:
        return _run(args, sizes, workbooks, repeat, tables, pandas, duckdb, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(
    args: argparse.Namespace,
    sizes: list[int],
    workbooks: list[int],
    repeat: int,
    tables: int,
    pandas: bool,
    duckdb: bool,
    work: Path,
) -> int:
    command = "python benchmarks/run.py" + (" " + " ".join(args.argv)).rstrip()
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "machine": machine(),
    }
    m = results["machine"]
    say(f"# matrixkit benchmarks: {m['cpus']} CPUs, {m.get('memory_gb')} GB, Python {m['python']}")
    say(f"  load average {m.get('load_average')}; matrixkit: {' '.join(matrixkit_command())}")
    started = time.perf_counter()
    results["collation"] = bench_collation(sizes, repeat, pandas, duckdb, work)
    results["workbooks"] = bench_workbooks(workbooks, repeat, pandas, work)
    results["startup"] = bench_startup(3 if args.quick else 15, work)
    results["pooling"] = bench_pooling(tables, repeat, work)
    results["seconds"] = round(time.perf_counter() - started, 1)
    args.results.mkdir(parents=True, exist_ok=True)
    stem = "results-quick" if args.quick else "results"
    (args.results / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (args.results / f"{stem}.md").write_text(markdown(results), encoding="utf-8")
    say(f"\nWritten {args.results / stem}.json and .md ({results['seconds']} s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    say(f"(this script's own peak: {peak / 1024:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
