"""matrixkit's contract test kit, applied to this distribution's entry points (skipped until the kit exists)."""

from __future__ import annotations

import pytest

contract = pytest.importorskip("matrixkit.testing.contract", reason="matrixkit.testing.contract is not available")


class TestPitInstruments(contract.InstrumentContract):  # type: ignore[misc,name-defined]
    distribution = "matrixkit-pit-tools"
    expected_ids = (
        "pit-a",
        "pit-b",
        "pit-c",
        "pit-d",
        "pit-a-single-agency",
        "pit-b-single-agency",
        "pit-c-single-agency",
        "pit-d-single-agency",
        "pit-a-pcn-phm",
    )
