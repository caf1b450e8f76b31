"""Instruments from the directories on ``MATRIXKIT_PATH`` (and ``[instruments].path`` in matrixkit.toml).

This is the zero-packaging way to use a locally adapted tool: put a TOML file in a directory, point
``MATRIXKIT_PATH`` at the directory, and the instrument is listed as if a plugin had registered it. A broken
file is reported as a warning and skipped; the other instruments stay available.
"""

from __future__ import annotations

from matrixkit.hookspecs import hookimpl
from matrixkit.registry import InstrumentRegister

PLUGIN_NAME = "MATRIXKIT_PATH"


@hookimpl
def matrixkit_register_instruments(register: InstrumentRegister) -> None:
    for directory in register.config.instrument_path:
        register.directory(directory)
