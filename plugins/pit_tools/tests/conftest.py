"""Shared fixtures: the shipped instrument files, loaded and resolved without the plugin machinery."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pit_support import SEED_NAME, load, seed_path

from matrixkit.model import Instrument


@pytest.fixture(scope="session")
def instrument() -> Callable[[str], Instrument]:
    cache: dict[str, Instrument] = {}

    def get(ident: str) -> Instrument:
        if ident not in cache:
            cache[ident] = load(ident)
        return cache[ident]

    return get


@pytest.fixture(scope="session")
def seed_text() -> str:
    path = seed_path()
    if not path.is_file():
        pytest.skip(
            f"the PIT toolkit text is not available at {path} (set MATRIXKIT_SEEDS to the folder holding "
            f"{SEED_NAME} to run the fidelity checks)"
        )
    return path.read_text(encoding="utf-8")
