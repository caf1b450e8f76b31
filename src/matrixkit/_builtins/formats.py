"""The core's own output formats: ``json``, ``toml`` and ``text``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from matrixkit.exporting import Exporter
from matrixkit.hookspecs import hookimpl

if TYPE_CHECKING:
    from matrixkit.model import Instrument
    from matrixkit.registry import ExporterRegister


def dumps_json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class JsonExporter(Exporter):
    name = "json"
    extension = ".json"
    media_type = "application/json"
    description = "JSON: the fully resolved instrument, or the data of a record, collation or report"
    kinds: ClassVar[frozenset[str]] = frozenset({"sheet"})

    def render_sheet(self, instrument: Instrument) -> bytes:
        from matrixkit.format import instrument_to_dict

        return dumps_json(instrument_to_dict(instrument))


class TomlExporter(Exporter):
    name = "toml"
    extension = ".toml"
    media_type = "application/toml"
    description = "TOML: the fully resolved instrument (a valid instrument file), or a record, collation or report"
    kinds: ClassVar[frozenset[str]] = frozenset({"sheet"})

    def render_sheet(self, instrument: Instrument) -> bytes:
        from matrixkit.format import dump_instrument

        return dump_instrument(instrument).encode("utf-8")


class TextExporter(Exporter):
    name = "text"
    extension = ".txt"
    media_type = "text/plain"
    description = "Plain text for the terminal"
    kinds: ClassVar[frozenset[str]] = frozenset({"sheet"})

    def render_sheet(self, instrument: Instrument) -> bytes:
        from matrixkit.text import render_matrix

        return render_matrix(instrument).encode("utf-8")


@hookimpl
def matrixkit_register_exporters(register: ExporterRegister) -> None:
    register.exporter(JsonExporter())
    register.exporter(TomlExporter())
    register.exporter(TextExporter())
