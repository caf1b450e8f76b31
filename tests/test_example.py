"""The bundled example workshop (examples/pit-a-workshop): its data is valid and tells the story it claims.

Needs the PIT tools plugin (Tool A); skipped by ``tasks.py core-test``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from matrixkit.cli import Context, main
from matrixkit.registry import Registry
from matrixkit.services import collate_inputs

pytestmark = pytest.mark.needs_plugins

EXAMPLE = Path(__file__).resolve().parent.parent / "examples"
WORKSHOP = EXAMPLE / "pit-a-workshop"
TABLES = ("table-1.csv", "table-2.csv", "table-3.csv")


@pytest.fixture(scope="module")
def registry() -> Registry:
    tool_a = pytest.importorskip("matrixkit_pit_tools.tool_a")
    return Registry.for_plugins(tool_a)


def run(registry: Registry, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), context=Context(registry=registry, stdout=out, stderr=err))
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("round_", ["round-1", "round-2"])
def test_each_round_has_eighteen_partners_from_three_sectors(registry: Registry, round_: str) -> None:
    instrument = registry.instrument("pit-a")
    paths = [WORKSHOP / round_ / t for t in TABLES]
    result = collate_inputs(paths, instrument, registry, by="sector")
    pooled = result.collation
    assert pooled.responses == 18
    assert [p.responses for _, p in result.parts] == [6, 6, 6]
    assert pooled.group_sizes() == {"civic": 6, "health": 6, "vcse": 6}
    assert all(t.answered >= 15 for t in pooled.overall.tallies)
    missing = sum(t.missing for t in pooled.overall.tallies)
    assert 0 < missing < 10  # a few blanks, not many


def test_round_1_tells_its_story(registry: Registry) -> None:
    status, out, err = run(
        registry, "collate", "pit-a", *(str(WORKSHOP / "round-1" / t) for t in TABLES), "--by", "sector"
    )
    assert status == 0, err
    domains = {d["key"]: d for d in json.loads(out)["domains"]}
    prioritisation = domains["prioritisation"]
    assert prioritisation["polarised"] and "discuss" in prioritisation["flags"]
    assert prioritisation["between_share"] > 0.9  # a sectoral view
    assert prioritisation["by"]["civic"]["suggested"] == 4 and prioritisation["by"]["vcse"]["suggested"] == 1
    assert domains["leadership"]["between_share"] > 0.5
    assert domains["information-governance"]["by"]["health"]["suggested"] == 3
    assert "discuss" not in domains["intervention-selection"]["flags"]
    assert domains["evaluation"]["suggested"] == 1


def test_the_rounds_compare_as_the_record_says(registry: Registry) -> None:
    status, out, err = run(
        registry,
        "compare",
        str(WORKSHOP / "round-1" / "workshop.toml"),
        str(WORKSHOP / "round-2" / "workshop.toml"),
        "--format",
        "json",
    )
    assert status == 0, err
    changes = {d["key"]: d for d in json.loads(out)["domains"]}
    assert changes["leadership"]["shown"] == {"before": 2, "before_kind": "agreed", "after": 3, "after_kind": "agreed"}
    assert changes["prioritisation"]["shown"]["before"] == 1 and changes["prioritisation"]["shown"]["after"] == 2
    assert changes["prioritisation"]["agreement"]["change"] > 0.3
    assert changes["information-governance"]["level_change"] == 1
    assert changes["evaluation"]["level_change"] == 0


@pytest.mark.slow
def test_run_example_end_to_end(tmp_path: Path) -> None:
    pytest.importorskip("matrixkit_pit_tools")
    result = subprocess.run(
        [sys.executable, str(EXAMPLE / "run_example.py"), "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "$ matrixkit collate pit-a" in result.stdout
    for round_ in ("round-1", "round-2"):
        plenary = json.loads((tmp_path / round_ / "plenary.json").read_text())
        assert plenary["responses"] == 18
        assert (tmp_path / round_ / "report.json").is_file()
        assert (tmp_path / round_ / "report.txt").is_file()
    assert json.loads((tmp_path / "comparison.json").read_text())["domains"]
