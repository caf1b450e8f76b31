"""The benchmark script keeps working: a small run of ``benchmarks/run.py --quick`` (no timing asserts)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.needs_plugins]


def test_quick_benchmark_runs(tmp_path: Path) -> None:
    missing = [name for name in ("pandas", "duckdb") if importlib.util.find_spec(name) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} needed by the benchmarks in CI: pip install -r requirements-bench.txt")
        pytest.skip(f"{missing} not installed (pip install -r requirements-bench.txt)")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--results", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((tmp_path / "results-quick.json").read_text(encoding="utf-8"))
    (row,) = results["collation"]
    assert {"matrixkit", "pandas", "pandas-tuned", "duckdb", "ratio_vs_pandas", "ratio_vs_duckdb"} <= set(row)
    assert row["matrixkit"]["peak_rss_mb"] > 0
    (book,) = results["workbooks"]
    assert {"matrixkit", "pandas.read_excel", "ratio_vs_pandas.read_excel"} <= set(book)
    assert {"pip --version", "pytest --version", "matrixkit --version", "matrixkit tools"} <= set(results["startup"])
    assert results["pooling"]["tables"] == 50
    assert "| N |" in (tmp_path / "results-quick.md").read_text(encoding="utf-8")
