"""The embedding API: matrixkit's engine called from another Python program.

Every function here is also available from the package itself (``import matrixkit``; ``matrixkit.collate``).
Functions that need plugins (instruments, readers, rules, exporters) take an optional ``registry``; without
one they use the installed, enabled plugins — what the ``matrixkit`` command sees. Pass
:meth:`Registry.for_plugins(...) <matrixkit.registry.Registry.for_plugins>` to use exactly the plugins you name
(the built-ins are always there). Each function is the command line's own step (:mod:`matrixkit.services`).

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
from typing import TypeAlias

from matrixkit import lookup, services
from matrixkit.collation import Collation, Tally, merge_all
from matrixkit.collation import collate as _collate
from matrixkit.exporting import write_atomic
from matrixkit.format import read_instrument
from matrixkit.io.options import ReadOptions
from matrixkit.model import Instrument, Level
from matrixkit.registry import Registry, get_registry
from matrixkit.report import CollationReport, Comparison, RecordSheet, WorkshopReport, build_record_sheet
from matrixkit.responses import Response
from matrixkit.rules import ConsensusRule
from matrixkit.services import CollationResult

__all__ = [
    "Subject",
    "analyse",
    "collate",
    "collate_files",
    "collate_inputs",
    "compare",
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

#: What an exporter renders: an instrument (a blank sheet), a record sheet, a collation report, a workshop
#: report or a comparison of rounds.
Subject: TypeAlias = Instrument | RecordSheet | CollationReport | WorkshopReport | Comparison


def _registry(registry: Registry | None) -> Registry:
    return registry if registry is not None else get_registry()


def _rule(rule: str | ConsensusRule, registry: Registry | None) -> ConsensusRule:
    return _registry(registry).rule(rule) if isinstance(rule, str) else rule


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
    return read_instrument(path, lookup=_registry(registry).instruments.base)


# -- responses and collations ----------------------------------------------------------------------


def read_responses(
    path: str | os.PathLike[str],
    instrument: Instrument,
    *,
    registry: Registry | None = None,
    options: ReadOptions | None = None,
) -> list[Response]:
    """Every response in one file, read by the reader registered for its extension (CSV, XLSX, ODS, TOML, JSON,
    ...), as ``options`` say (encoding, sheet, mapping file, marks across two levels, duplicates).

    Raises :class:`~matrixkit.errors.ValidationError` listing every problem of the file (unknown columns,
    answers that are not levels, duplicate participants, ...).
    """
    return services.read_responses(path, instrument, _registry(registry), options)


def collate(instrument: Instrument, responses: Iterable[Response], *, by: str | None = None) -> Collation:
    """Count ``responses`` per domain and level; with ``by``, also per value of that attribute (e.g. sector).

    The responses must fit the instrument (as :func:`read_responses` returns them).
    """
    return _collate(instrument, responses, by)


def collate_files(
    paths: Sequence[str | os.PathLike[str]],
    instrument: Instrument,
    *,
    by: str | None = None,
    registry: Registry | None = None,
    options: ReadOptions | None = None,
) -> Collation:
    """Collate response files and pool collation JSON files written earlier, as ``matrixkit collate`` does.

    Every file is read before any error is raised; :class:`~matrixkit.errors.ValidationError` then lists the
    problems of all of them. A participant counted in two files is an error (unless ``options.duplicates``
    says which response to keep). What the command line prints beside the collation — how the files were read
    — comes with :func:`collate_inputs`.
    """
    return collate_inputs(paths, instrument, by=by, registry=registry, options=options).collation


def collate_inputs(
    paths: Sequence[str | os.PathLike[str]],
    instrument: Instrument,
    *,
    by: str | None = None,
    registry: Registry | None = None,
    options: ReadOptions | None = None,
) -> CollationResult:
    """:func:`collate_files`, with what ``matrixkit collate`` prints beside the collation: the notes on how the
    files were read (columns not used as domains, responses named by another identity column, marks across two
    levels read under ``options.between``, responses left out under ``options.duplicates``) and each input's
    own collation. Pass the notes, with the files' names as ``sources``, to :func:`analyse` for the collation
    sheet the command line writes.
    """
    return services.collate_inputs(paths, instrument, _registry(registry), by=by, options=options)


def merge(first: Collation, *others: Collation) -> Collation:
    """Pool collations: counts added overall and group by group (order does not matter).

    Raises :class:`~matrixkit.collation.IncompatibleCollationsError` for collations of different instruments,
    versions or splits.
    """
    return merge_all([first, *others], first.instrument, first.by)


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
    sources: Sequence[str] = (),
    notes: Sequence[str] = (),
    registry: Registry | None = None,
) -> CollationReport:
    """A collation sheet: per domain (and group) the counts, the rule's suggestion, agreement and flags.

    ``discuss_below`` is the agreement below which a domain is flagged ``discuss`` (default 0.7); ``sources``
    names the inputs and ``notes`` says how they were read (:attr:`CollationResult.notes`), as the sheet
    ``matrixkit collate`` writes does. The result is what exporters render and what the collation JSON holds.
    """
    return services.analyse(
        collation,
        _registry(registry),
        rule=rule,
        discuss_below=discuss_below,
        title=title,
        sources=sources,
        notes=notes,
    )


def score(
    response: Response,
    instrument: Instrument,
    *,
    rule: str | ConsensusRule = "median",
    registry: Registry | None = None,
) -> RecordSheet:
    """One person's record sheet: their level per domain and overall figures."""
    return build_record_sheet(response, instrument, _rule(rule, registry))


def workshop_report(
    path: str | os.PathLike[str], *, rule: str | None = None, registry: Registry | None = None
) -> WorkshopReport:
    """Read a workshop record, collate its inputs and put its decisions beside the collation, as ``matrixkit
    report`` does (with the previous round's comparison when the record names one). ``rule`` (a registered
    rule's name) overrides the record's own ``rule``."""
    return services.workshop_report(path, _registry(registry), rule=rule)


def compare(
    before: str | os.PathLike[str],
    after: str | os.PathLike[str],
    *,
    rule: str | None = None,
    registry: Registry | None = None,
) -> Comparison:
    """Two rounds (collation files or workshop records) of one instrument compared domain by domain, as
    ``matrixkit compare`` does."""
    return services.compare_rounds(before, after, _registry(registry), rule=rule)


# -- output --------------------------------------------------------------------------------------------


def render(subject: Subject, format: str, *, registry: Registry | None = None) -> bytes:
    """``subject`` rendered by the exporter named ``format`` (``json``, ``toml``, ``text`` or a plugin's).

    The subject decides what is rendered: an instrument renders a blank sheet, a
    :class:`~matrixkit.report.RecordSheet` a record sheet, a :class:`~matrixkit.report.CollationReport` a
    collation sheet, a :class:`~matrixkit.report.WorkshopReport` a workshop report, a
    :class:`~matrixkit.report.Comparison` a comparison. Raises :class:`~matrixkit.errors.UnknownNameError` for
    an unknown format, :class:`~matrixkit.exporting.UnavailableFormatError` when its optional dependencies are
    missing.
    """
    reg = _registry(registry)
    kind = services.subject_kind(subject)
    return lookup.render_with(reg, lookup.exporter_for(reg, kind, format), kind, subject)


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
    reg = _registry(registry)
    kind = services.subject_kind(subject)
    exporter = lookup.exporter_for(reg, kind, format, path)
    target = Path(path)
    write_atomic(target, lookup.render_with(reg, exporter, kind, subject))
    return target
