"""Fixtures for the exporters' tests (the data they are built from is in ``workshop_data.py``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The test modules import workshop_data; with --import-mode=importlib the tests folder is not on sys.path.
sys.path.insert(0, str(Path(__file__).parent))

from workshop_data import (
    ARTIFACTS,
    collation_report,
    hostile_instrument,
    load,
    record_sheet,
    round_two,
    workshop_report,
)

from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import CollationReport, Comparison, RecordSheet, WorkshopReport


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return load("partnership.toml")


@pytest.fixture(scope="session")
def collation(instrument: Instrument) -> CollationReport:
    return collation_report(instrument)


@pytest.fixture(scope="session")
def unsplit(instrument: Instrument) -> CollationReport:
    return collation_report(instrument, by=None, title="Table 1")


@pytest.fixture(scope="session")
def report(instrument: Instrument) -> WorkshopReport:
    return workshop_report(instrument)


@pytest.fixture(scope="session")
def second_round(instrument: Instrument) -> WorkshopReport:
    """The second round's report, compared with the first (whose actions have statuses)."""
    return round_two(instrument)


@pytest.fixture(scope="session")
def comparison(second_round: WorkshopReport) -> Comparison:
    assert second_round.comparison is not None
    return second_round.comparison


@pytest.fixture(scope="session")
def record(instrument: Instrument) -> RecordSheet:
    return record_sheet(instrument)


@pytest.fixture(scope="session")
def hostile() -> Instrument:
    return hostile_instrument()


@pytest.fixture(scope="session")
def registry() -> Registry:
    from matrixkit_exporters import plugin

    return Registry.for_plugins(plugin)


@pytest.fixture(scope="session")
def artifacts() -> Iterator[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield ARTIFACTS
