"""What the entry-point modules share: where the instrument files are and how they are registered."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from matrixkit_pit_tools import INSTRUMENT_IDS

if TYPE_CHECKING:
    from matrixkit.registry import InstrumentRegister

__all__ = ["instrument_file", "register_plugin"]


#: The instrument files shipped with this package. A plain path rather than ``importlib.resources.files``: the
#: package is installed as files (never imported from a zip), and importing importlib.resources would cost every
#: ``matrixkit`` command about 8 ms of start-up.
INSTRUMENTS = Path(__file__).with_name("instruments")


def instrument_file(ident: str) -> Path:
    """The TOML file of the instrument ``ident`` shipped with this package."""
    return INSTRUMENTS / f"{ident}.toml"


def register_plugin(register: InstrumentRegister, plugin: str) -> None:
    """Register the instrument files that belong to the entry point named ``plugin``."""
    for ident in INSTRUMENT_IDS[plugin]:
        register.instrument(instrument_file(ident))
