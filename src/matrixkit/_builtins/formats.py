"""The core's own output formats: ``json``, ``toml`` and ``text``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from matrixkit.exporting import Exporter
from matrixkit.hookspecs import hookimpl

if TYPE_CHECKING:
    from matrixkit.model import Instrument
    from matrixkit.registry import ExporterRegister
    from matrixkit.report import CollationReport, RecordSheet, WorkshopReport

_ALL_KINDS = frozenset({"sheet", "record", "collation", "report"})


def dumps_json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _toml_safe(value: Any) -> Any:
    """Plain data TOML can hold: None values (meaning "none") are left out; lists of lists stay as they are."""
    if isinstance(value, dict):
        return {str(k): _toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_toml_safe(v) for v in value if v is not None]
    return value


def dumps_toml(data: dict[str, Any]) -> bytes:
    import tomli_w

    return tomli_w.dumps(_toml_safe(data)).encode("utf-8")


class _DataExporter(Exporter):
    """A format that writes the plain data of each subject; subclasses say how to serialise it."""

    kinds: ClassVar[frozenset[str]] = _ALL_KINDS

    def dump(self, data: dict[str, Any]) -> bytes:
        raise NotImplementedError

    def render_sheet(self, instrument: Instrument) -> bytes:
        from matrixkit.format import instrument_to_dict

        return self.dump(instrument_to_dict(instrument))

    def render_record(self, record: RecordSheet) -> bytes:
        from matrixkit.report import record_sheet_to_dict

        return self.dump(record_sheet_to_dict(record))

    def render_collation(self, report: CollationReport) -> bytes:
        from matrixkit.report import collation_report_to_dict

        return self.dump(collation_report_to_dict(report))

    def render_report(self, report: WorkshopReport) -> bytes:
        from matrixkit.report import workshop_report_to_dict

        return self.dump(workshop_report_to_dict(report))


class JsonExporter(_DataExporter):
    name = "json"
    extension = ".json"
    media_type = "application/json"
    description = "JSON: the fully resolved instrument, or the data of a record, collation or report"

    def dump(self, data: dict[str, Any]) -> bytes:
        return dumps_json(data)


class TomlExporter(_DataExporter):
    name = "toml"
    extension = ".toml"
    media_type = "application/toml"
    description = "TOML: the fully resolved instrument (a valid instrument file), or a record, collation or report"

    def dump(self, data: dict[str, Any]) -> bytes:
        return dumps_toml(data)

    def render_sheet(self, instrument: Instrument) -> bytes:
        # An instrument file a person may edit: empty and default fields left out.
        from matrixkit.format import dump_instrument

        return dump_instrument(instrument).encode("utf-8")


class TextExporter(Exporter):
    name = "text"
    extension = ".txt"
    media_type = "text/plain"
    description = "Plain text for the terminal"
    kinds: ClassVar[frozenset[str]] = _ALL_KINDS

    def render_sheet(self, instrument: Instrument) -> bytes:
        from matrixkit.text import render_matrix

        return render_matrix(instrument).encode("utf-8")

    def render_record(self, record: RecordSheet) -> bytes:
        from matrixkit._builtins.text_reports import render_record

        return render_record(record).encode("utf-8")

    def render_collation(self, report: CollationReport) -> bytes:
        from matrixkit._builtins.text_reports import render_collation

        return render_collation(report).encode("utf-8")

    def render_report(self, report: WorkshopReport) -> bytes:
        from matrixkit._builtins.text_reports import render_report

        return render_report(report).encode("utf-8")


@hookimpl
def matrixkit_register_exporters(register: ExporterRegister) -> None:
    register.exporter(JsonExporter())
    register.exporter(TomlExporter())
    register.exporter(TextExporter())
