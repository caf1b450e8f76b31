"""The core's own output formats: ``json``, ``toml`` and ``text``."""

from __future__ import annotations

import datetime
import json
from typing import Any, ClassVar

import tomli_w

from matrixkit._builtins import text_reports
from matrixkit.exporting import Exporter
from matrixkit.format import dump_instrument, instrument_to_dict
from matrixkit.hookspecs import hookimpl
from matrixkit.io.collation_json import collation_to_dict
from matrixkit.io.data import comparison_to_dict, record_sheet_to_dict, workshop_report_to_dict
from matrixkit.model import Instrument
from matrixkit.registry import ExporterRegister
from matrixkit.report import CollationReport, Comparison, RecordSheet, WorkshopReport
from matrixkit.text import render_matrix

_DATA_KINDS = frozenset({"sheet", "record", "collation", "report", "comparison"})
_ALL_KINDS = frozenset({"sheet", "collation-sheet", "record", "collation", "report", "summary", "comparison"})


def _json_default(value: object) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps_json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n").encode("utf-8")


def _toml_safe(value: Any) -> Any:
    """Plain data TOML can hold: None values (meaning "none") are left out; lists of lists stay as they are."""
    if isinstance(value, dict):
        return {str(k): _toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_toml_safe(v) for v in value if v is not None]
    return value


def dumps_toml(data: dict[str, Any]) -> bytes:
    return tomli_w.dumps(_toml_safe(data)).encode("utf-8")


class _DataExporter(Exporter):
    """A format that writes the plain data of each subject; subclasses say how to serialise it."""

    kinds: ClassVar[frozenset[str]] = _DATA_KINDS

    def dump(self, data: dict[str, Any]) -> bytes:
        raise NotImplementedError

    def render_sheet(self, instrument: Instrument) -> bytes:
        return self.dump(instrument_to_dict(instrument))

    def render_record(self, record: RecordSheet) -> bytes:
        return self.dump(record_sheet_to_dict(record))

    def render_collation(self, report: CollationReport) -> bytes:
        return self.dump(collation_to_dict(report))

    def render_report(self, report: WorkshopReport) -> bytes:
        return self.dump(workshop_report_to_dict(report))

    def render_comparison(self, comparison: Comparison) -> bytes:
        return self.dump(comparison_to_dict(comparison))


class JsonExporter(_DataExporter):
    name = "json"
    extension = ".json"
    media_type = "application/json"
    description = "JSON: the fully resolved instrument, or the data of a record, collation, report or comparison"

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
        return dump_instrument(instrument).encode("utf-8")


class TextExporter(Exporter):
    name = "text"
    extension = ".txt"
    media_type = "text/plain"
    description = "Plain text for the terminal"
    kinds: ClassVar[frozenset[str]] = _ALL_KINDS

    def render_sheet(self, instrument: Instrument) -> bytes:
        return render_matrix(instrument).encode("utf-8")

    def render_collation_sheet(self, instrument: Instrument) -> bytes:
        return text_reports.render_collation_sheet(instrument).encode("utf-8")

    def render_record(self, record: RecordSheet) -> bytes:
        return text_reports.render_record(record).encode("utf-8")

    def render_collation(self, report: CollationReport) -> bytes:
        return text_reports.render_collation(report).encode("utf-8")

    def render_report(self, report: WorkshopReport) -> bytes:
        return text_reports.render_report(report).encode("utf-8")

    def render_summary(self, report: WorkshopReport) -> bytes:
        return text_reports.render_summary(report).encode("utf-8")

    def render_comparison(self, comparison: Comparison) -> bytes:
        return text_reports.render_comparison(comparison).encode("utf-8")


@hookimpl
def matrixkit_register_exporters(register: ExporterRegister) -> None:
    register.exporter(JsonExporter())
    register.exporter(TomlExporter())
    register.exporter(TextExporter())
