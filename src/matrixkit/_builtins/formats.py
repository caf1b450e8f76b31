"""The core's own output formats: ``json``, ``toml`` and ``text``.

What renders a record, a collation, a report or a comparison is imported when one is rendered
(:class:`~matrixkit.registry.Deferred`), so registering the formats costs no more than this module.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import tomli_w

from matrixkit.exporting import Exporter
from matrixkit.format import dump_instrument, instrument_to_dict
from matrixkit.hookspecs import hookimpl
from matrixkit.model import Instrument
from matrixkit.registry import Deferred, ExporterRegister
from matrixkit.text import render_matrix

if TYPE_CHECKING:
    from matrixkit.report import CollationReport, Comparison, RecordSheet, WorkshopReport

_DATA = "matrixkit.io.data"
_TEXT = "matrixkit._builtins.text_reports"
_record_data: Callable[[RecordSheet], dict[str, Any]] = Deferred(f"{_DATA}:record_sheet_to_dict")
_collation_data: Callable[[CollationReport], dict[str, Any]] = Deferred("matrixkit.io.collation_json:collation_to_dict")
_report_data: Callable[[WorkshopReport], dict[str, Any]] = Deferred(f"{_DATA}:workshop_report_to_dict")
_comparison_data: Callable[[Comparison], dict[str, Any]] = Deferred(f"{_DATA}:comparison_to_dict")
_collation_sheet_text: Callable[[Instrument], str] = Deferred(f"{_TEXT}:render_collation_sheet")
_record_text: Callable[[RecordSheet], str] = Deferred(f"{_TEXT}:render_record")
_collation_text: Callable[[CollationReport], str] = Deferred(f"{_TEXT}:render_collation")
_report_text: Callable[[WorkshopReport], str] = Deferred(f"{_TEXT}:render_report")
_summary_text: Callable[[WorkshopReport], str] = Deferred(f"{_TEXT}:render_summary")
_comparison_text: Callable[[Comparison], str] = Deferred(f"{_TEXT}:render_comparison")

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
        return self.dump(_record_data(record))

    def render_collation(self, report: CollationReport) -> bytes:
        return self.dump(_collation_data(report))

    def render_report(self, report: WorkshopReport) -> bytes:
        return self.dump(_report_data(report))

    def render_comparison(self, comparison: Comparison) -> bytes:
        return self.dump(_comparison_data(comparison))


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
        return _collation_sheet_text(instrument).encode("utf-8")

    def render_record(self, record: RecordSheet) -> bytes:
        return _record_text(record).encode("utf-8")

    def render_collation(self, report: CollationReport) -> bytes:
        return _collation_text(report).encode("utf-8")

    def render_report(self, report: WorkshopReport) -> bytes:
        return _report_text(report).encode("utf-8")

    def render_summary(self, report: WorkshopReport) -> bytes:
        return _summary_text(report).encode("utf-8")

    def render_comparison(self, comparison: Comparison) -> bytes:
        return _comparison_text(comparison).encode("utf-8")


@hookimpl
def matrixkit_register_exporters(register: ExporterRegister) -> None:
    register.exporter(JsonExporter())
    register.exporter(TomlExporter())
    register.exporter(TextExporter())
