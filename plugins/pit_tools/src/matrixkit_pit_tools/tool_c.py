"""Entry point ``pit-c``: PIT Tool C and its single-agency variant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matrixkit import hookimpl
from matrixkit_pit_tools._register import register_plugin

if TYPE_CHECKING:
    from matrixkit.registry import InstrumentRegister


@hookimpl
def matrixkit_register_instruments(register: InstrumentRegister) -> None:
    register_plugin(register, "pit-c")
