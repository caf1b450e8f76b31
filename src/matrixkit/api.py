"""The embedding API: matrixkit's engine called from another Python program.

Every function here is also available from the package itself (``import matrixkit``; ``matrixkit.collate``).
Functions that need plugins (instruments, readers, rules, exporters) take an optional ``registry``; without
one they use the installed, enabled plugins — what the ``matrixkit`` command sees. Pass
:meth:`Registry.for_plugins(...) <matrixkit.registry.Registry.for_plugins>` to use exactly the plugins you name
(the built-ins are always there).

The flow is the command line's, one step per function::

    instrument = matrixkit.get_instrument("pit-a")
    collation = matrixkit.collate_files(["table-1.csv", "table-2.csv"], instrument, by="sector")
    report = matrixkit.analyse(collation, rule="median")
    matrixkit.write(report, "collation.html")

Errors a person can fix (a broken file, an unknown id, an unavailable format) raise
:class:`~matrixkit.errors.MatrixkitError` or its subclass :class:`~matrixkit.errors.ValidationError`, whose
``problems`` list every located problem.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from matrixkit.errors import MatrixkitError, Problem, ValidationError

if TYPE_CHECKING:
    from matrixkit.collation import Collation, Tally
    from matrixkit.exporting import Exporter
    from matrixkit.model import Instrument, Level
    from matrixkit.registry import Registry
    from matrixkit.report import CollationReport, RecordSheet, WorkshopReport
    from matrixkit.responses import Response
    from matrixkit.rules import ConsensusRule

__all__ = [
    "Subject",
    "analyse",
    "collate",
    "collate_files",
    "get_instrument",
    "load_instrument",
    "merge",
    "read_responses",
    "render",
    "score",
    "suggest",
    "workshop_report",
    "write",
]

#: What an exporter renders: a blank sheet (an instrument), a record sheet, a collation or a workshop report.
Subject: TypeAlias = "Instrument | RecordSheet | CollationReport | WorkshopReport"


def _registry(registry: Registry | None) -> Registry:
    if registry is not None:
        return registry
    from matrixkit.registry import get_registry

    return get_registry()


def _rule(rule: str | ConsensusRule, registry: Registry | None) -> ConsensusRule:
    if isinstance(rule, str):
        return _registry(registry).rule(rule)
    return rule


# -- instruments -----------------------------------------------------------------------------------------


def get_instrument(ident: str, *, registry: Registry | None = None) -> Instrument:
    """The instrument registered as ``ident`` (variants resolved).

    Raises :class:`~matrixkit.errors.UnknownNameError` listing the known ids, or
    :class:`~matrixkit.errors.ValidationError` when its file is broken.
    """
    return _registry(registry).instrument(ident)


def load_instrument(path: str | os.PathLike[str], *, registry: Registry | None = None) -> Instrument:
    """Load and validate an instrument file; a variant (``extends = "..."``) resolves against ``registry``.

    Raises :class:`~matrixkit.errors.ValidationError` listing every problem of the file, each located.
    """
    from matrixkit import format as fmt

    catalog = _registry(registry).instruments
    return fmt.load_instrument(path, lookup=catalog._base)


# -- responses and collations ----------------------------------------------------------------------


def read_responses(
    path: str | os.PathLike[str], instrument: Instrument, *, registry: Registry | None = None
) -> list[Response]:
    """Every response in one file, read by the reader registered for its extension (CSV, TOML, JSON, ...).

    Every response is checked against ``instrument``; raises :class:`~matrixkit.errors.ValidationError`
    listing every problem of the file (unknown columns, levels off the scale, duplicate participants, ...).
    """
    from matrixkit.readers import reader_for

    if not Path(path).is_file():
        raise ValidationError(Problem("no such file", file=os.fspath(path)))
    readers = {name: named.obj for name, named in _registry(registry).readers.items()}
    responses = list(reader_for(path, readers).read(path, instrument))
    ValidationError.collect([p.located(os.fspath(path)) for r in responses for p in r.problems(instrument)])
    return responses


def collate(instrument: Instrument, responses: Iterable[Response], *, by: str | None = None) -> Collation:
    """Count ``responses`` per domain and level; with ``by``, also per value of that attribute (e.g. sector).

    The responses must fit the instrument (as :func:`read_responses` returns them).
    """
    from matrixkit import collation

    return collation.collate(instrument, responses, by)


def collate_files(
    paths: Sequence[str | os.PathLike[str]],
    instrument: Instrument,
    *,
    by: str | None = None,
    registry: Registry | None = None,
) -> Collation:
    """Collate response files and pool collation JSON files written earlier, as ``matrixkit collate`` does.

    Every file is read before any error is raised; :class:`~matrixkit.errors.ValidationError` then lists the
    problems of all of them. A participant counted in two files is an error.
    """
    from matrixkit import collation

    readers = {name: named.obj for name, named in _registry(registry).readers.items()}
    pooled, _ = collation.collate_files(paths, instrument, readers, by)
    return pooled


def merge(first: Collation, *others: Collation) -> Collation:
    """Pool collations: counts added overall and group by group (order does not matter).

    Raises :class:`~matrixkit.collation.IncompatibleCollationsError` for collations of different instruments,
    versions or splits.
    """
    result = first
    for other in others:
        result = result.merge(other)
    return result


# -- rules and reports ---------------------------------------------------------------------------------


def suggest(
    tally: Tally, instrument: Instrument, *, rule: str | ConsensusRule = "median", registry: Registry | None = None
) -> Level | None:
    """The level a consensus rule proposes for one domain's tally (None when it proposes nothing)."""
    index = _rule(rule, registry).suggest(tally, instrument)
    return instrument.levels[index] if index is not None else None


def analyse(
    collation: Collation,
    *,
    rule: str | ConsensusRule = "median",
    discuss_below: float | None = None,
    title: str = "",
    registry: Registry | None = None,
) -> CollationReport:
    """A collation sheet: per domain (and group) the counts, the rule's suggestion, agreement and flags.

    ``discuss_below`` is the agreement below which a domain is flagged ``discuss`` (default 0.7). The result is
    what exporters render and what the collation JSON holds.
    """
    from matrixkit.report import build_collation_report
    from matrixkit.rules import DISCUSS_BELOW

    threshold = DISCUSS_BELOW if discuss_below is None else discuss_below
    if not 0.0 <= threshold <= 1.0:
        raise MatrixkitError(f"discuss_below must be between 0 and 1, not {threshold}")
    return build_collation_report(collation, _rule(rule, registry), discuss_below=threshold, title=title)


def score(
    response: Response,
    instrument: Instrument,
    *,
    rule: str | ConsensusRule = "median",
    registry: Registry | None = None,
) -> RecordSheet:
    """One person's record sheet: their level per domain and overall figures."""
    from matrixkit.report import build_record_sheet

    return build_record_sheet(response, instrument, _rule(rule, registry))


def workshop_report(
    path: str | os.PathLike[str], *, rule: str | None = None, registry: Registry | None = None
) -> WorkshopReport:
    """Read a workshop record, collate its inputs and put its decisions beside the collation, as
    ``matrixkit report`` does. ``rule`` (a registered rule's name) overrides the record's own ``rule``."""
    from matrixkit._builtins.collation_commands import build_report_from_record
    from matrixkit.cli import Context

    return build_report_from_record(Context(registry=_registry(registry)), os.fspath(path), rule_name=rule)


# -- output --------------------------------------------------------------------------------------------


def _kind(subject: object) -> str:
    from matrixkit.collation import Collation
    from matrixkit.model import Instrument
    from matrixkit.report import CollationReport, RecordSheet, WorkshopReport

    kinds: list[tuple[type, str]] = [
        (Instrument, "sheet"),
        (RecordSheet, "record"),
        (CollationReport, "collation"),
        (WorkshopReport, "report"),
    ]
    for cls, kind in kinds:
        if isinstance(subject, cls):
            return kind
    if isinstance(subject, Collation):
        raise TypeError("a Collation holds counts only: analyse(collation) gives the CollationReport to render")
    raise TypeError(
        f"cannot render a {type(subject).__name__}: expected an Instrument, RecordSheet, CollationReport or "
        "WorkshopReport"
    )


def _exporter(registry: Registry, name: str, kind: str) -> Exporter:
    exporter = registry.exporter(name)
    if kind not in exporter.kinds:
        raise exporter._unsupported(kind)
    return exporter


def render(subject: Subject, format: str, *, registry: Registry | None = None) -> bytes:
    """``subject`` rendered by the exporter named ``format`` (``json``, ``toml``, ``text`` or a plugin's).

    The subject decides what is rendered: an instrument renders a blank sheet, a
    :class:`~matrixkit.report.RecordSheet` a record sheet, a :class:`~matrixkit.report.CollationReport` a
    collation sheet, a :class:`~matrixkit.report.WorkshopReport` a workshop report. Raises
    :class:`~matrixkit.errors.UnknownNameError` for an unknown format,
    :class:`~matrixkit.exporting.UnavailableFormatError` when its optional dependencies are missing.
    """
    from matrixkit import exporting

    kind = _kind(subject)
    return exporting.render(_exporter(_registry(registry), format, kind), kind, subject)


def write(
    subject: Subject,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    registry: Registry | None = None,
) -> Path:
    """Render ``subject`` and write it to ``path`` atomically (a temporary file renamed into place).

    Without ``format``, the exporter is the one whose extension matches ``path`` and that renders this kind of
    subject. Returns the path written.
    """
    from matrixkit import exporting

    kind = _kind(subject)
    reg = _registry(registry)
    target = Path(path)
    if format is None:
        suffix = target.suffix.lower()
        matching = sorted(
            name for name, named in reg.exporters.items() if named.obj.extension == suffix and kind in named.obj.kinds
        )
        if not matching:
            raise MatrixkitError(f"{target}: no format writes {kind}s to {suffix or 'files without an extension'}")
        format = matching[0]
    exporting.write_atomic(target, exporting.render(_exporter(reg, format, kind), kind, subject))
    return target
