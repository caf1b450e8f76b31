"""The core's response readers (CSV, TOML, JSON), registered through the same hook as a plugin's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matrixkit.hookspecs import hookimpl

if TYPE_CHECKING:
    from matrixkit.registry import ReaderRegister


@hookimpl
def matrixkit_register_readers(register: ReaderRegister) -> None:
    from matrixkit.readers import builtin_readers

    for reader in builtin_readers():
        register.reader(reader)
