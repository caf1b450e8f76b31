"""Entry point ``pit-a-pcn-phm``: Tool A adapted for population health management in a primary care network.

The variant extends ``pit-a``; it resolves when the ``pit-a`` entry point is loaded (or when any other plugin
registers an instrument with that id). Disabling only the *instrument* ``pit-a`` in ``matrixkit.toml``
keeps this variant working; disabling the *plugin* ``pit-a`` removes its base.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matrixkit import hookimpl
from matrixkit_pit_tools._register import register_plugin

if TYPE_CHECKING:
    from matrixkit.registry import InstrumentRegister


@hookimpl
def matrixkit_register_instruments(register: InstrumentRegister) -> None:
    register_plugin(register, "pit-a-pcn-phm")
