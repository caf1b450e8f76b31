"""The core's response readers (CSV, spreadsheets, TOML, JSON), registered through the same hook as a plugin's.

The readers' modules are imported when readers are first needed (the hook is called then), not when the plugin
is loaded: listing instruments or writing a blank sheet reads no responses.
"""

from __future__ import annotations

from matrixkit.hookspecs import hookimpl
from matrixkit.registry import ReaderRegister, load

#: The core's readers, by reference ("module:class"), in the order they are registered.
READERS = (
    "matrixkit.io.readers:CsvReader",
    "matrixkit.io.readers:SpreadsheetReader",
    "matrixkit.io.response_files:TomlReader",
    "matrixkit.io.response_files:JsonReader",
)


@hookimpl
def matrixkit_register_readers(register: ReaderRegister) -> None:
    for reference in READERS:
        register.reader(load(reference)())
