"""The core's response readers (CSV, spreadsheets, TOML, JSON), registered through the same hook as a plugin's."""

from __future__ import annotations

from matrixkit.hookspecs import hookimpl
from matrixkit.io.readers import CsvReader, SpreadsheetReader
from matrixkit.io.response_files import JsonReader, TomlReader
from matrixkit.registry import ReaderRegister


@hookimpl
def matrixkit_register_readers(register: ReaderRegister) -> None:
    for reader in (CsvReader(), SpreadsheetReader(), TomlReader(), JsonReader()):
        register.reader(reader)
