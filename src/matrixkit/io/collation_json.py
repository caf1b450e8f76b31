"""The collation JSON: written from a :class:`~matrixkit.report.CollationReport`, read back into a
:class:`~matrixkit.collation.Collation` for pooling and comparing. This module is the one reader and the one
writer of it (``docs/reference/collation-json.md``, a contract).

Reading takes only the counts (``instrument``, ``responses``, ``by``, ``groups`` and per domain ``key``,
``counts``, ``missing``, ``by.*.counts``, ``by.*.missing``, ``comments``); every statistic in the file is
ignored and recomputed. Keys it does not know are ignored, as the format promises; values of the wrong kind are
located problems. The document is structured by the one converter (:mod:`matrixkit.convert`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import attrs

from matrixkit.collation import Collation, IncompatibleCollationsError, Tally, TallySet
from matrixkit.convert import structure
from matrixkit.errors import Problem, ValidationError
from matrixkit.frozen import FrozenDict, freeze
from matrixkit.model import Domain, Instrument, Level
from matrixkit.report import CollationReport, Stats

__all__ = [
    "COLLATION_FORMAT",
    "CollationDocument",
    "collation_from_document",
    "collation_to_dict",
    "instrument_of_document",
    "instrument_summary",
    "is_collation_document",
    "level_key",
    "level_score",
    "parse_collation",
    "rounded",
    "stats_dict",
]

#: Identifies a collation document (the ``format`` key of the collation JSON).
COLLATION_FORMAT = "matrixkit-collation/1"


# -- writing -----------------------------------------------------------------------------------------------


def rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def level_key(level: Level | None) -> str | None:
    return None if level is None else level.key


def level_score(level: Level | None) -> int | None:
    return None if level is None else level.score


def instrument_summary(instrument: Instrument) -> dict[str, Any]:
    """Identification of the instrument with its levels (``key``, ``label``, ``score``)."""
    data = instrument.summary()
    data["levels"] = [{"key": lv.key, "label": lv.label, "score": lv.score} for lv in instrument.levels]
    return data


def stats_dict(stats: Stats, instrument: Instrument) -> dict[str, Any]:
    """The statistics of one tally as the collation JSON writes them."""
    return {
        "counts": {lv.key: n for lv, n in zip(instrument.levels, stats.counts, strict=True)},
        "answered": stats.answered,
        "missing": stats.missing,
        "suggested": level_score(stats.suggested),
        "suggested_level": level_key(stats.suggested),
        "agreement": rounded(stats.agreement),
        "within_one": rounded(stats.within_one),
        "polarised": stats.polarised,
        "median": level_score(stats.median),
        "mean": rounded(stats.mean),
        "flags": list(stats.flags),
    }


def collation_to_dict(report: CollationReport) -> dict[str, Any]:
    """The collation JSON of a collation report (a contract: ``docs/reference/collation-json.md``).

    ``suggested`` is a level *score*, ``counts`` are keyed by level key with zeros included, and ``by`` is
    present when split.
    """
    instrument = report.instrument
    domains = []
    for result in report.domains:
        entry: dict[str, Any] = {"key": result.domain.key, "title": result.domain.title}
        entry.update(stats_dict(result, instrument))
        entry["lowest"] = level_score(result.lowest)
        entry["highest"] = level_score(result.highest)
        if report.by is not None:
            entry["by"] = {g.name: {"responses": g.responses, **stats_dict(g, instrument)} for g in result.groups}
            entry["between_share"] = rounded(result.between_share)
        if result.comments:
            entry["comments"] = list(result.comments)
        domains.append(entry)
    data: dict[str, Any] = {
        "format": COLLATION_FORMAT,
        "instrument": instrument_summary(instrument),
        "rule": report.rule,
        "responses": report.responses,
    }
    if report.title:
        data["title"] = report.title
    data["discuss_below"] = report.discuss_below
    if report.by is not None:
        data["by"] = report.by
        data["groups"] = dict(report.group_sizes)
    if report.sources:
        data["sources"] = list(report.sources)
    data["domains"] = domains
    if report.warnings:
        data["warnings"] = list(report.warnings)
    if report.notes:
        data["notes"] = list(report.notes)
    return data


# -- reading ---------------------------------------------------------------------------------------------


@attrs.frozen
class LevelEntry:
    key: str
    label: str
    score: int


@attrs.frozen
class InstrumentEntry:
    id: str
    version: str | None = None
    title: str = ""
    fingerprint: str | None = None
    levels: tuple[LevelEntry, ...] = ()


@attrs.frozen
class TallyEntry:
    counts: FrozenDict[str, int] = attrs.field(converter=freeze)
    missing: int


@attrs.frozen
class DomainEntry:
    key: str
    counts: FrozenDict[str, int] = attrs.field(converter=freeze)
    missing: int
    title: str = ""
    by: FrozenDict[str, TallyEntry] | None = None
    comments: tuple[str, ...] = ()


@attrs.frozen
class CollationDocument:
    """What the collation JSON holds that is read back (the counts)."""

    instrument: InstrumentEntry
    responses: int
    domains: tuple[DomainEntry, ...]
    format: str | None = None
    by: str | None = None
    groups: FrozenDict[str, int] = attrs.field(factory=FrozenDict, converter=freeze)
    title: str = ""
    rule: str | None = None


def is_collation_document(doc: object) -> bool:
    """True when a parsed JSON/TOML document is a collation (as written by ``matrixkit collate``)."""
    return (
        isinstance(doc, Mapping)
        and isinstance(doc.get("instrument"), Mapping)
        and isinstance(doc.get("domains"), list)
        and "responses" in doc
    )


#: A tally read from a document, shared with every equal tally read before it (tallies are immutable). Tables of
#: a few people, split by sector, repeat the same small tallies over and over — 68,400 tallies in a thousand
#: tables of twenty hold 2,280 distinct ones — and each object kept for a table's own result is one more for the
#: cycle collector to walk; sharing them took pooling a thousand tables from 1.12 s to 0.89 s. The counts are
#: whole numbers by then (the converter refuses anything else), so an equal key is an equal tally; a tally that
#: fails its checks raises and is not kept. Bounded, so a long-running server holds at most this many.
_shared_tally = functools.lru_cache(maxsize=4096)(Tally)


def parse_collation(doc: object, *, file: str | None = None) -> CollationDocument:
    """The counts of a collation document; raises :class:`ValidationError` locating every problem."""
    try:
        return structure(doc, CollationDocument, lenient=True)
    except ValidationError as exc:
        raise exc.located(file) from None


def collation_from_document(
    parsed: CollationDocument, instrument: Instrument, *, file: str | None = None, strict: bool = True
) -> Collation:
    """A :class:`Collation` of ``instrument`` from a parsed collation document.

    The document must be of ``instrument`` (same id and, when ``strict``, the same version and fingerprint):
    :class:`IncompatibleCollationsError` otherwise. Raises :class:`ValidationError` listing every problem of its
    counts.
    """
    where = file or "collation"
    ident = parsed.instrument
    if ident.id != instrument.id:
        raise IncompatibleCollationsError(
            f"{where}: collates {ident.id!r}, not {instrument.id!r}; collations of different instruments cannot be "
            "pooled"
        )
    if strict and ident.version is not None and ident.version != instrument.version:
        raise IncompatibleCollationsError(
            f"{where}: collates version {ident.version} of {instrument.id}, not version {instrument.version}; "
            "collations of different versions cannot be pooled"
        )
    if strict and ident.fingerprint is not None and ident.fingerprint != instrument.fingerprint:
        raise IncompatibleCollationsError(
            f"{where}: the levels or descriptors of {instrument.id} {instrument.version} differ from the installed "
            "instrument's; collations of different questions cannot be pooled"
        )
    problems: list[Problem] = []

    def problem(message: str, field: str) -> None:
        problems.append(Problem(message, file=file, field=field))

    level_keys = instrument.level_keys
    level_set = set(level_keys)

    def tally(counts: FrozenDict[str, int], missing: int, field: str) -> Tally | None:
        if counts.keys() != level_set:
            problem(f"expected counts for exactly the levels {', '.join(level_keys)}", f"{field}.counts")
            return None
        try:
            return _shared_tally(tuple([counts[k] for k in level_keys]), missing)
        except ValidationError as exc:
            problems.extend(p.under(field).located(file) for p in exc.problems)
            return None

    entries: dict[str, tuple[int, DomainEntry]] = {}
    for i, entry in enumerate(parsed.domains):
        if entry.key not in instrument.domain_keys:
            problem(f"unknown domain {entry.key!r} of {instrument.id}", f"domains[{i}].key")
        elif entry.key in entries:
            problem(f"domain {entry.key!r} appears twice", f"domains[{i}].key")
        else:
            entries[entry.key] = (i, entry)
    for key in instrument.domain_keys:
        if key not in entries:
            problem(f"domain {key!r} of {instrument.id} is missing", "domains")
    overall: list[Tally] = []
    groups: dict[str, list[Tally]] = {name: [] for name in parsed.groups}
    comments: dict[str, tuple[str, ...]] = {}
    for key in instrument.domain_keys:
        if key not in entries:
            continue
        i, entry = entries[key]
        field = f"domains[{i}]"
        found = tally(entry.counts, entry.missing, field)
        if found is not None:
            if found.total != parsed.responses:
                problem(f"{found.answered} answered + {found.missing} missing ≠ {parsed.responses} responses", field)
            overall.append(found)
        if entry.comments:
            comments[key] = entry.comments
        if parsed.by is None:
            if entry.by:
                problem("per-group counts but no 'by' attribute", f"{field}.by")
            continue
        if entry.by is None:
            problem(f"expected per-group counts (the collation is split by {parsed.by!r})", f"{field}.by")
            continue
        if set(entry.by) != set(parsed.groups):
            problem("the groups differ from the top-level 'groups'", f"{field}.by")
            continue
        for name, part in entry.by.items():
            part_tally = tally(part.counts, part.missing, f"{field}.by.{name}")
            if part_tally is not None:
                groups[name].append(part_tally)
    ValidationError.collect(problems)
    try:
        group_sets = {name: TallySet(parsed.groups[name], tallies) for name, tallies in groups.items()}
        return Collation(instrument, TallySet(parsed.responses, overall), parsed.by, group_sets, comments)
    except ValidationError as exc:
        raise exc.located(file) from None


def instrument_of_document(parsed: CollationDocument, *, file: str | None = None) -> Instrument:
    """A stand-in instrument built from what a collation document records (levels, domain keys and titles),
    for reading a collation of an instrument version that is not installed (comparing rounds): the descriptors
    are not in the file and are replaced by a note."""
    ident = parsed.instrument
    if not ident.levels:
        raise ValidationError(
            Problem("the collation does not record its levels (instrument.levels)", file=file, field="instrument")
        )
    try:
        levels = [Level(key=lv.key, label=lv.label, score=lv.score) for lv in ident.levels]
        domains = [
            Domain(key=d.key, title=d.title or d.key, descriptors=["(not recorded)"] * len(levels))
            for d in parsed.domains
        ]
        return Instrument(
            id=ident.id, title=ident.title or ident.id, version=ident.version or "?", levels=levels, domains=domains
        )
    except ValidationError as exc:
        raise exc.located(file) from None
