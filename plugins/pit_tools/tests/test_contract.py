"""matrixkit's contract test kit over everything the installed distribution maturity-matrixkit-pit-tools registers.

The kit builds a registry of the core's built-ins and this distribution's entry points only, so these checks
also prove that every entry point is declared and importable, that every shipped file loads on its own, and
that every variant (single-agency, PCN) resolves against a base from this same distribution.
"""

from __future__ import annotations

from matrixkit_pit_tools import INSTRUMENT_IDS

from matrixkit.testing.contract import InstrumentContract


class TestPitTools(InstrumentContract):
    distribution = "maturity-matrixkit-pit-tools"
    expected_ids = tuple(ident for idents in INSTRUMENT_IDS.values() for ident in idents)
