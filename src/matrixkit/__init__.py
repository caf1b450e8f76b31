"""matrixkit: a framework for maturity-matrix instruments.

Define an instrument (levels × domains of descriptors) in TOML or Python, collect responses, collate them into
tallies, propose consensus levels, measure agreement, and render sheets and reports through plugins.

The names in :data:`__all__` are the public API (``docs/reference/api.md``): the model, the results exporters
render, the plugin interfaces and the embedding functions of :mod:`matrixkit.api`. They are imported on first
use, so ``import matrixkit`` (and ``from matrixkit import hookimpl`` in a plugin) stays cheap.
"""

from __future__ import annotations

# Nothing is imported here: the command line starts with this package (matrixkit._launch answers `matrixkit tools`
# from its cache in little more than Python's own start-up), so even pluggy and typing wait until first use.
TYPE_CHECKING = False

__version__ = "0.2.0"

# Public name -> the module that defines it (imported when the name is first used).
_EXPORTS: dict[str, str] = {
    # The plugin marker: `from matrixkit import hookimpl`.
    "hookimpl": "matrixkit.hookspecs",
    # The instrument model.
    "Instrument": "matrixkit.model",
    "Level": "matrixkit.model",
    "Domain": "matrixkit.model",
    "Group": "matrixkit.model",
    "GuidanceSection": "matrixkit.model",
    "Source": "matrixkit.model",
    # Responses, counts and the results exporters render.
    "Response": "matrixkit.responses",
    "Tally": "matrixkit.collation",
    "Collation": "matrixkit.collation",
    "CollationReport": "matrixkit.report",
    "RecordSheet": "matrixkit.report",
    "WorkshopReport": "matrixkit.report",
    "WorkshopRecord": "matrixkit.workshop",
    # Plugin interfaces and the registry.
    "ConsensusRule": "matrixkit.rules",
    "Exporter": "matrixkit.exporting",
    "Reader": "matrixkit.readers",
    "Registry": "matrixkit.registry",
    "get_registry": "matrixkit.registry",
    # Errors.
    "MatrixkitError": "matrixkit.errors",
    "ValidationError": "matrixkit.errors",
    "UnknownNameError": "matrixkit.errors",
    "Problem": "matrixkit.errors",
    # The embedding functions.
    "get_instrument": "matrixkit.api",
    "load_instrument": "matrixkit.api",
    "read_responses": "matrixkit.api",
    "collate": "matrixkit.api",
    "collate_files": "matrixkit.api",
    "merge": "matrixkit.api",
    "suggest": "matrixkit.api",
    "analyse": "matrixkit.api",
    "score": "matrixkit.api",
    "workshop_report": "matrixkit.api",
    "render": "matrixkit.api",
    "write": "matrixkit.api",
}

__all__ = [
    "Collation",
    "CollationReport",
    "ConsensusRule",
    "Domain",
    "Exporter",
    "Group",
    "GuidanceSection",
    "Instrument",
    "Level",
    "MatrixkitError",
    "Problem",
    "Reader",
    "RecordSheet",
    "Registry",
    "Response",
    "Source",
    "Tally",
    "UnknownNameError",
    "ValidationError",
    "WorkshopRecord",
    "WorkshopReport",
    "__version__",
    "analyse",
    "collate",
    "collate_files",
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
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from typing import Any

    from matrixkit.api import (
        analyse,
        collate,
        collate_files,
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
    from matrixkit.collation import Collation, Tally
    from matrixkit.errors import MatrixkitError, Problem, UnknownNameError, ValidationError
    from matrixkit.exporting import Exporter
    from matrixkit.hookspecs import hookimpl
    from matrixkit.model import Domain, Group, GuidanceSection, Instrument, Level, Source
    from matrixkit.readers import Reader
    from matrixkit.registry import Registry, get_registry
    from matrixkit.report import CollationReport, RecordSheet, WorkshopReport
    from matrixkit.responses import Response
    from matrixkit.rules import ConsensusRule
    from matrixkit.workshop import WorkshopRecord
