"""Shared fixtures: the shipped instrument files, loaded and resolved without the plugin machinery, and the
toolkit's text.

The tests run under pytest's ``--import-mode=importlib`` (the repository's setting), so test modules share
nothing but these fixtures and the package itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from matrixkit_pit_tools._register import instrument_file

from matrixkit.format import read_instrument as load_instrument
from matrixkit.model import Instrument

SEED_NAME = "001_0bf79d064a966a9f.txt"
#: The repository's root (tests/ -> pit_tools/ -> plugins/ -> root).
REPO_ROOT = Path(__file__).resolve().parents[3]


def _load(ident: str) -> Instrument:
    return load_instrument(Path(str(instrument_file(ident))), lookup=_load)


@pytest.fixture(scope="session")
def instrument() -> Callable[[str], Instrument]:
    """Load a shipped instrument by id, resolving ``extends`` from the other shipped files."""
    cache: dict[str, Instrument] = {}

    def get(ident: str) -> Instrument:
        if ident not in cache:
            cache[ident] = _load(ident)
        return cache[ident]

    return get


@pytest.fixture(scope="session")
def instrument_path() -> Callable[[str], Path]:
    """The TOML file of a shipped instrument."""
    return lambda ident: Path(str(instrument_file(ident)))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The PIT toolkit's text: ``$MATRIXKIT_SEEDS/<name>`` if that variable is set, else
    ``../shared/seeds/<name>`` beside the repository. Skips, saying why, when the file is absent."""
    folder = os.environ.get("MATRIXKIT_SEEDS")
    path = Path(folder) / SEED_NAME if folder else REPO_ROOT / ".." / "shared" / "seeds" / SEED_NAME
    if not path.is_file():
        pytest.skip(
            f"the PIT toolkit text is not available at {path} (set MATRIXKIT_SEEDS to the folder holding "
            f"{SEED_NAME} to run the fidelity checks)"
        )
    return path.read_text(encoding="utf-8")
