"""Load: 200 simulated participants submitting at once to a real server on 127.0.0.1; none may be lost, and all
must still be there after the server restarts. Latency figures go to ``artifacts/web/load-*.json`` (and, from a
recorded run, to ``benchmarks/web-load.md`` and ``docs/web.md``); there are no timing asserts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from matrixkit_web.loadtest import run

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "web"
PARTICIPANTS = 200


def _record(name: str, result: dict[str, object]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"load-{name}.json").write_text(json.dumps(result, indent=2))


def _check(result: dict[str, object]) -> None:
    assert result["participants"] == PARTICIPANTS
    assert result["errors"] == 0
    assert result["all_kept"] is True
    assert result["all_kept_after_restart"] is True


@pytest.mark.parametrize("mode", ["api", "form"])
def test_200_participants_at_once_on_sqlite(mode: str, tmp_path: Path) -> None:
    result = run(participants=PARTICIPANTS, mode=mode, db=str(tmp_path / "load.sqlite"))
    _record(f"sqlite-{mode}", result)
    _check(result)
    assert result["requests"] == PARTICIPANTS * (1 if mode == "api" else 14)


@pytest.mark.postgres
def test_200_participants_at_once_on_postgresql(postgres_url: str) -> None:
    result = run(participants=PARTICIPANTS, mode="api", db=postgres_url)
    _record("postgresql-api", result)
    _check(result)
