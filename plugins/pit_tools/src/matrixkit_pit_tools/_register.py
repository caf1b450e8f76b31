"""What the entry-point modules share: where the instrument files are and how they are registered."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from matrixkit_pit_tools import INSTRUMENT_IDS

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from matrixkit.registry import InstrumentRegister

__all__ = ["instrument_file", "register_plugin"]


def instrument_file(ident: str) -> Traversable:
    """The TOML file of the instrument ``ident`` shipped with this package."""
    return files("matrixkit_pit_tools") / "instruments" / f"{ident}.toml"


def register_plugin(register: InstrumentRegister, plugin: str) -> None:
    """Register the instrument files that belong to the entry point named ``plugin``."""
    for ident in INSTRUMENT_IDS[plugin]:
        register.instrument(instrument_file(ident))
