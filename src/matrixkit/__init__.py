"""matrixkit: a framework for maturity-matrix instruments.

Define an instrument (levels × domains of descriptors) in TOML or Python, collect responses, collate them into
tallies, propose consensus levels, measure agreement, and render sheets and reports through plugins.

The names in :data:`__all__` are the public API (``docs/reference/api.md``): the model, the results exporters
render, everything a plugin author needs (the ``hookimpl`` marker, the register objects, the interfaces of what
is registered, the command-line context) and the embedding functions of :mod:`matrixkit.api`. Each is imported
from its module on first use (PEP 562), so ``import matrixkit`` — and ``from matrixkit import hookimpl`` in a
plugin — loads only what is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    # Writing a plugin: the marker, the register objects, the interfaces of what is registered.
    "hookimpl": "matrixkit.hookspecs",
    "InstrumentRegister": "matrixkit.registry",
    "RuleRegister": "matrixkit.registry",
    "ExporterRegister": "matrixkit.registry",
    "ReaderRegister": "matrixkit.registry",
    "CommandRegister": "matrixkit.registry",
    "Command": "matrixkit.registry",
    "Deferred": "matrixkit.registry",
    "PluginInfo": "matrixkit.registry",
    "Registered": "matrixkit.registry",
    "Registry": "matrixkit.registry",
    "get_registry": "matrixkit.registry",
    "ConsensusRule": "matrixkit.rules",
    "Exporter": "matrixkit.exporting",
    "KINDS": "matrixkit.exporting",
    "UnavailableFormatError": "matrixkit.exporting",
    "Reader": "matrixkit.io.readers",
    "Reading": "matrixkit.io.readers",
    "ResponsesReading": "matrixkit.io.readers",
    "WideReading": "matrixkit.io.wide",
    "ResponseBlock": "matrixkit.io.wide",
    "Table": "matrixkit.io.tables",
    "ReadOptions": "matrixkit.io.options",
    "Context": "matrixkit.cli",
    "add_output_arguments": "matrixkit.cli",
    "add_read_arguments": "matrixkit.cli",
    # The instrument model.
    "Instrument": "matrixkit.model",
    "Level": "matrixkit.model",
    "Domain": "matrixkit.model",
    "Group": "matrixkit.model",
    "GuidanceSection": "matrixkit.model",
    "Source": "matrixkit.model",
    "Between": "matrixkit.model",
    "FrozenDict": "matrixkit.frozen",
    # Responses, counts and the results exporters render.
    "Response": "matrixkit.responses",
    "Tally": "matrixkit.collation",
    "TallySet": "matrixkit.collation",
    "Collation": "matrixkit.collation",
    "Collator": "matrixkit.collation",
    "Stats": "matrixkit.report",
    "DomainResult": "matrixkit.report",
    "GroupResult": "matrixkit.report",
    "CollationReport": "matrixkit.report",
    "RecordEntry": "matrixkit.report",
    "RecordSummary": "matrixkit.report",
    "RecordSheet": "matrixkit.report",
    "DomainDecisionResult": "matrixkit.report",
    "WorkshopReport": "matrixkit.report",
    "DomainComparison": "matrixkit.report",
    "Comparison": "matrixkit.report",
    "FLAGS": "matrixkit.report",
    "WorkshopRecord": "matrixkit.workshop",
    "DomainDecision": "matrixkit.workshop",
    "Action": "matrixkit.workshop",
    # Errors.
    "MatrixkitError": "matrixkit.errors",
    "ValidationError": "matrixkit.errors",
    "UnknownNameError": "matrixkit.errors",
    "RegistryError": "matrixkit.errors",
    "PluginError": "matrixkit.errors",
    "Problem": "matrixkit.errors",
    "IncompatibleCollationsError": "matrixkit.collation",
    # The embedding functions.
    "get_instrument": "matrixkit.api",
    "load_instrument": "matrixkit.api",
    "read_responses": "matrixkit.api",
    "collate": "matrixkit.api",
    "collate_files": "matrixkit.api",
    "collate_inputs": "matrixkit.api",
    "CollationResult": "matrixkit.services",
    "merge": "matrixkit.api",
    "suggest": "matrixkit.api",
    "analyse": "matrixkit.api",
    "score": "matrixkit.api",
    "workshop_report": "matrixkit.api",
    "compare": "matrixkit.api",
    "render": "matrixkit.api",
    "write": "matrixkit.api",
}

__all__ = [
    "FLAGS",
    "KINDS",
    "Action",
    "Between",
    "Collation",
    "CollationReport",
    "CollationResult",
    "Collator",
    "Command",
    "CommandRegister",
    "Comparison",
    "ConsensusRule",
    "Context",
    "Deferred",
    "Domain",
    "DomainComparison",
    "DomainDecision",
    "DomainDecisionResult",
    "DomainResult",
    "Exporter",
    "ExporterRegister",
    "FrozenDict",
    "Group",
    "GroupResult",
    "GuidanceSection",
    "IncompatibleCollationsError",
    "Instrument",
    "InstrumentRegister",
    "Level",
    "MatrixkitError",
    "PluginError",
    "PluginInfo",
    "Problem",
    "ReadOptions",
    "Reader",
    "ReaderRegister",
    "Reading",
    "RecordEntry",
    "RecordSheet",
    "RecordSummary",
    "Registered",
    "Registry",
    "RegistryError",
    "Response",
    "ResponseBlock",
    "ResponsesReading",
    "RuleRegister",
    "Source",
    "Stats",
    "Table",
    "Tally",
    "TallySet",
    "UnavailableFormatError",
    "UnknownNameError",
    "ValidationError",
    "WideReading",
    "WorkshopRecord",
    "WorkshopReport",
    "__version__",
    "add_output_arguments",
    "add_read_arguments",
    "analyse",
    "collate",
    "collate_files",
    "collate_inputs",
    "compare",
    "get_instrument",
    "get_registry",
    "hookimpl",
    "load_instrument",
    "merge",
    "read_responses",
    "render",
    "score",
    "suggest",
    "workshop_report",
    "write",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'matrixkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from matrixkit.api import (
        analyse,
        collate,
        collate_files,
        collate_inputs,
        compare,
        get_instrument,
        load_instrument,
        merge,
        read_responses,
        render,
        score,
        suggest,
        workshop_report,
        write,
    )
    from matrixkit.cli import Context, add_output_arguments, add_read_arguments
    from matrixkit.collation import Collation, Collator, IncompatibleCollationsError, Tally, TallySet
    from matrixkit.errors import (
        MatrixkitError,
        PluginError,
        Problem,
        RegistryError,
        UnknownNameError,
        ValidationError,
    )
    from matrixkit.exporting import KINDS, Exporter, UnavailableFormatError
    from matrixkit.frozen import FrozenDict
    from matrixkit.hookspecs import hookimpl
    from matrixkit.io.options import ReadOptions
    from matrixkit.io.readers import Reader, Reading, ResponsesReading
    from matrixkit.io.tables import Table
    from matrixkit.io.wide import ResponseBlock, WideReading
    from matrixkit.model import Between, Domain, Group, GuidanceSection, Instrument, Level, Source
    from matrixkit.registry import (
        Command,
        CommandRegister,
        Deferred,
        ExporterRegister,
        InstrumentRegister,
        PluginInfo,
        ReaderRegister,
        Registered,
        Registry,
        RuleRegister,
        get_registry,
    )
    from matrixkit.report import (
        FLAGS,
        CollationReport,
        Comparison,
        DomainComparison,
        DomainDecisionResult,
        DomainResult,
        GroupResult,
        RecordEntry,
        RecordSheet,
        RecordSummary,
        Stats,
        WorkshopReport,
    )
    from matrixkit.responses import Response
    from matrixkit.rules import ConsensusRule
    from matrixkit.services import CollationResult
    from matrixkit.workshop import Action, DomainDecision, WorkshopRecord
