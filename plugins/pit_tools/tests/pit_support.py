"""Helpers for the PIT tools tests: where the files and the toolkit text are, and the rules they follow."""

from __future__ import annotations

import os
import re
from pathlib import Path

from matrixkit.format import load_instrument
from matrixkit.model import Instrument

#: The repository's root (tests/ -> pit_tools/ -> plugins/ -> root).
REPO_ROOT = Path(__file__).resolve().parents[3]
INSTRUMENTS = Path(__file__).resolve().parents[1] / "src" / "matrixkit_pit_tools" / "instruments"
SEED_NAME = "001_0bf79d064a966a9f.txt"

TOOLS = ("pit-a", "pit-b", "pit-c", "pit-d")
SINGLE_AGENCY = tuple(f"{tool}-single-agency" for tool in TOOLS)
PCN = "pit-a-pcn-phm"
ALL_IDS = (*TOOLS, *SINGLE_AGENCY, PCN)


def slug(text: str) -> str:
    """The domain-key rule: lowercase, each run of characters other than a-z/0-9 becomes one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def normalise(text: str) -> str:
    """Whitespace normalised: every run of whitespace (including no-break spaces) becomes one space."""
    return " ".join(text.split())


def load(ident: str) -> Instrument:
    """Load a shipped instrument, resolving ``extends`` from the other shipped files."""
    return load_instrument(INSTRUMENTS / f"{ident}.toml", lookup=load)


def seed_path() -> Path:
    """Where the toolkit's text is: ``$MATRIXKIT_SEEDS/<name>`` if set, else ``../shared/seeds/<name>``."""
    folder = os.environ.get("MATRIXKIT_SEEDS")
    if folder:
        return Path(folder) / SEED_NAME
    return REPO_ROOT / ".." / "shared" / "seeds" / SEED_NAME
