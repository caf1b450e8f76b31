"""Tallies and collations: counting answers, and the algebra that pools them.

A :class:`Tally` counts, for one domain, how many people chose each level, and how many did not answer. A
:class:`TallySet` holds one tally per domain of an instrument for one set of responses. A :class:`Collation`
is the tally set of all responses, optionally split into groups by one attribute (``--by sector``).

Only counts are stored. Count vectors under addition form a commutative monoid whose identity is the zero
vector, so collations :meth:`merge <Collation.merge>` in any order and tables pool *exactly* into the plenary:
``collate(A ∪ B) == collate(A).merge(collate(B))``. Every statistic (median, agreement, ...) is computed from
merged counts afterwards (:mod:`matrixkit.rules`, :mod:`matrixkit.report`), never stored and re-averaged.

Collations written as JSON (:func:`matrixkit.report.collation_report_to_dict`) are read back with
:func:`collation_from_dict`; the statistics in the file are ignored and recomputed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from matrixkit.errors import MatrixkitError, Problem, ValidationError
from matrixkit.model import Instrument
from matrixkit.participants import ParticipantIndex

if TYPE_CHECKING:
    from matrixkit.readers import Reader
    from matrixkit.responses import Response

__all__ = [
    "NOT_GIVEN",
    "Collation",
    "Collator",
    "IncompatibleCollationsError",
    "Tally",
    "TallySet",
    "collate",
    "collate_file",
    "collate_files",
    "collation_from_dict",
    "instrument_from_collation_dict",
    "is_collation_document",
    "merge_all",
]

#: The group of responses that lack the attribute a collation is split by.
NOT_GIVEN = "(not given)"


class IncompatibleCollationsError(MatrixkitError):
    """Collations that cannot be pooled: different instruments, versions, questions, or splits."""


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _counts(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(value)


def _check_count(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(Problem(f"{what} must be a whole number ≥ 0, found {value!r}"))


@attrs.frozen
class Tally:
    """The answers to one domain: how many chose each level (lowest first), and how many did not answer."""

    counts: tuple[int, ...] = attrs.field(
        converter=_counts, metadata=_doc("Number of people per level, in the order of the instrument's levels.")
    )
    missing: int = attrs.field(default=0, metadata=_doc("Number of people who did not answer (or did not know)."))

    def __attrs_post_init__(self) -> None:
        if type(self.missing) is int and self.missing >= 0 and all(type(n) is int and n >= 0 for n in self.counts):
            return  # the common case, checked quickly (pooling builds hundreds of thousands of tallies)
        for n in self.counts:
            _check_count(n, "a count")
        _check_count(self.missing, "missing")

    @classmethod
    def empty(cls, levels: int) -> Tally:
        """The zero tally for a scale of ``levels`` levels (the identity of :meth:`merge`)."""
        return cls((0,) * levels, 0)

    @classmethod
    def of(cls, indices: Iterable[int | None], levels: int) -> Tally:
        """The tally of a list of answers (level indices, None = not answered)."""
        counts = [0] * levels
        missing = 0
        for index in indices:
            if index is None:
                missing += 1
            else:
                counts[index] += 1
        return cls(counts, missing)

    @property
    def answered(self) -> int:
        """How many people chose a level."""
        return sum(self.counts)

    @property
    def total(self) -> int:
        """How many responses the tally covers: answered + missing."""
        return self.answered + self.missing

    @property
    def levels(self) -> int:
        """The number of levels of the scale."""
        return len(self.counts)

    def merge(self, other: Tally) -> Tally:
        """The tally of both sets of answers (counts added)."""
        if len(self.counts) != len(other.counts):
            raise IncompatibleCollationsError(
                f"cannot add a tally of {len(other.counts)} levels to one of {len(self.counts)} levels"
            )
        return Tally(tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)), self.missing + other.missing)

    __add__ = merge

    def answers(self) -> list[int]:
        """The answered level indices in ascending order (one entry per person)."""
        return [i for i, n in enumerate(self.counts) for _ in range(n)]


def _tallies(value: Iterable[Tally]) -> tuple[Tally, ...]:
    return tuple(value)


@attrs.frozen
class TallySet:
    """The tallies of one set of responses: how many responses, and one :class:`Tally` per domain."""

    responses: int = attrs.field(metadata=_doc("Number of responses counted."))
    tallies: tuple[Tally, ...] = attrs.field(
        converter=_tallies, metadata=_doc("One tally per domain, in the instrument's domain order.")
    )

    def __attrs_post_init__(self) -> None:
        _check_count(self.responses, "responses")
        for tally in self.tallies:
            if tally.total != self.responses:
                raise ValidationError(
                    Problem(
                        f"a domain counts {tally.answered} answered + {tally.missing} missing = {tally.total}, "
                        f"not the {self.responses} responses"
                    )
                )

    @classmethod
    def empty(cls, instrument: Instrument) -> TallySet:
        """No responses: zero tallies for every domain."""
        zero = Tally.empty(len(instrument.levels))
        return cls(0, (zero,) * len(instrument.domains))

    def merge(self, other: TallySet) -> TallySet:
        """Both sets of responses counted together."""
        if len(self.tallies) != len(other.tallies):
            raise IncompatibleCollationsError(
                f"cannot add tallies of {len(other.tallies)} domains to tallies of {len(self.tallies)} domains"
            )
        return TallySet(
            self.responses + other.responses,
            tuple(a.merge(b) for a, b in zip(self.tallies, other.tallies, strict=True)),
        )

    __add__ = merge


def _groups(value: Mapping[str, TallySet]) -> dict[str, TallySet]:
    return {key: value[key] for key in sorted(value)}


def _comments(value: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(sorted(texts)) for key, texts in sorted(value.items()) if texts}


@attrs.frozen
class Collation:
    """Tallies of every domain for a set of responses to one instrument, optionally split by one attribute.

    Build one with :func:`collate` or a :class:`Collator`; pool several with :meth:`merge` or :func:`merge_all`.
    Equal collations have equal counts, whatever order the responses came in.
    """

    instrument: Instrument = attrs.field(metadata=_doc("The instrument answered."))
    overall: TallySet = attrs.field(metadata=_doc("Tallies of all responses."))
    by: str | None = attrs.field(default=None, metadata=_doc("The attribute the responses are split by, if any."))
    groups: dict[str, TallySet] = attrs.field(
        factory=dict,
        converter=_groups,
        metadata=_doc(
            f"Group (attribute value) → tallies of that group's responses, sorted by name; responses without "
            f"the attribute are in the group {NOT_GIVEN!r}. Empty unless ``by`` is set."
        ),
    )
    comments: dict[str, tuple[str, ...]] = attrs.field(
        factory=dict,
        converter=_comments,
        metadata=_doc("Domain key → the comments made on it, sorted (anonymous: no participant ids)."),
    )

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        n_domains, n_levels = len(self.instrument.domains), len(self.instrument.levels)
        sets = [("overall", self.overall)] + [(f"groups.{k}", v) for k, v in self.groups.items()]
        for where, tally_set in sets:
            if len(tally_set.tallies) != n_domains:
                problems.append(Problem(f"{len(tally_set.tallies)} tallies for {n_domains} domains", field=where))
            elif any(t.levels != n_levels for t in tally_set.tallies):
                problems.append(Problem(f"tallies must count {n_levels} levels", field=where))
        if self.by is None and self.groups:
            problems.append(Problem("groups without a 'by' attribute", field="groups"))
        if self.by is not None and not problems:
            # The groups' tallies must add up to the overall ones (summed as plain integers: this runs for every
            # collation read while pooling).
            responses = sum(tally_set.responses for tally_set in self.groups.values())
            total = [[0] * (n_levels + 1) for _ in range(n_domains)]
            for tally_set in self.groups.values():
                for row, tally in zip(total, tally_set.tallies, strict=True):
                    for j, count in enumerate(tally.counts):
                        row[j] += count
                    row[n_levels] += tally.missing
            overall = [[*tally.counts, tally.missing] for tally in self.overall.tallies]
            if responses != self.overall.responses or total != overall:
                problems.append(Problem("the groups' tallies do not add up to the overall tallies", field="groups"))
        unknown = [k for k in self.comments if k not in self.instrument.domain_keys]
        problems += [Problem("comments on an unknown domain", field=f"comments.{k}") for k in unknown]
        ValidationError.collect(problems)

    # -- construction ------------------------------------------------------------------------------

    @classmethod
    def empty(cls, instrument: Instrument, by: str | None = None) -> Collation:
        """No responses: the identity of :meth:`merge` for collations of ``instrument`` split by ``by``."""
        return cls(instrument, TallySet.empty(instrument), by)

    # -- lookups -----------------------------------------------------------------------------------

    @property
    def responses(self) -> int:
        """How many responses were collated."""
        return self.overall.responses

    def tally(self, domain: str, group: str | None = None) -> Tally:
        """The tally of ``domain`` (overall, or of one group)."""
        index = self.instrument.domain_keys.index(domain)
        tally_set = self.overall if group is None else self.groups[group]
        return tally_set.tallies[index]

    def group_sizes(self) -> dict[str, int]:
        """Group → number of responses."""
        return {name: tally_set.responses for name, tally_set in self.groups.items()}

    # -- algebra -----------------------------------------------------------------------------------

    def compatible(self, other: Collation) -> list[str]:
        """Why ``other`` cannot be pooled with this collation (empty when it can)."""
        a, b = self.instrument, other.instrument
        reasons = []
        if a.id != b.id:
            reasons.append(f"they collate different instruments ({a.id} and {b.id})")
        elif a.version != b.version:
            reasons.append(f"they collate different versions of {a.id} ({a.version} and {b.version})")
        elif a.fingerprint != b.fingerprint:
            reasons.append(f"the levels or descriptors of {a.id} {a.version} differ between them")
        if self.by != other.by:
            reasons.append(
                f"one is split by {_by_name(self.by)} and the other by {_by_name(other.by)}; collate both the same way"
            )
        return reasons

    def merge(self, other: Collation) -> Collation:
        """The collation of both sets of responses: counts added overall and group by group.

        Associative and commutative, with :meth:`empty` as identity. Raises
        :class:`IncompatibleCollationsError` for collations of different instruments, versions or splits.
        """
        reasons = self.compatible(other)
        if reasons:
            raise IncompatibleCollationsError("cannot pool these collations: " + "; ".join(reasons))
        groups = dict(self.groups)
        for name, tally_set in other.groups.items():
            groups[name] = groups[name].merge(tally_set) if name in groups else tally_set
        comments = {k: list(v) for k, v in self.comments.items()}
        for key, texts in other.comments.items():
            comments.setdefault(key, []).extend(texts)
        return Collation(self.instrument, self.overall.merge(other.overall), self.by, groups, comments)

    __add__ = merge

    def unsplit(self) -> Collation:
        """The same collation without its split by group."""
        return Collation(self.instrument, self.overall, None, {}, self.comments)


def _by_name(by: str | None) -> str:
    return "nothing" if by is None else repr(by)


def merge_all(collations: Iterable[Collation], instrument: Instrument, by: str | None = None) -> Collation:
    """Pool any number of collations of ``instrument`` split by ``by`` (none gives the empty collation).

    Equal to merging them one by one with :meth:`Collation.merge` (and raising the same errors), but the counts
    are added as plain integers and checked once, so pooling a thousand table collations takes milliseconds.
    """
    pool = _Pool(instrument, by)
    for collation in collations:
        pool.add(collation)
    return pool.collation()


class _Pool:
    """Counts being pooled, as plain integers: per domain the count of each level, then the missing count."""

    def __init__(self, instrument: Instrument, by: str | None) -> None:
        self.instrument = instrument
        self.by = by
        self._identity = Collation.empty(instrument, by)
        self._levels = len(instrument.levels)
        self._level_keys = instrument.level_keys
        self._level_set = set(self._level_keys)
        self._positions = {key: i for i, key in enumerate(instrument.domain_keys)}
        self._overall = self._zero()
        self._responses = 0
        self._groups: dict[str, tuple[list[list[int]], list[int]]] = {}
        self._comments: dict[str, list[str]] = {}

    def _zero(self) -> list[list[int]]:
        return [[0] * (self._levels + 1) for _ in self._positions]

    def _group(self, name: str) -> tuple[list[list[int]], list[int]]:
        found = self._groups.get(name)
        if found is None:
            found = self._groups[name] = (self._zero(), [0])
        return found

    def add(self, collation: Collation) -> None:
        """Add a collation, checked as :meth:`Collation.merge` checks it."""
        reasons = self._identity.compatible(collation)
        if reasons:
            raise IncompatibleCollationsError("cannot pool these collations: " + "; ".join(reasons))
        self._add_set(self._overall, collation.overall)
        self._responses += collation.overall.responses
        for name, tally_set in collation.groups.items():
            rows, size = self._group(name)
            self._add_set(rows, tally_set)
            size[0] += tally_set.responses
        for key, texts in collation.comments.items():
            self._comments.setdefault(key, []).extend(texts)

    def _add_set(self, rows: list[list[int]], tally_set: TallySet) -> None:
        n_levels = self._levels
        for row, tally in zip(rows, tally_set.tallies, strict=True):
            for j, count in enumerate(tally.counts):
                row[j] += count
            row[n_levels] += tally.missing

    def _counts(self, item: object) -> list[int] | None:
        """A tally of a collation document (``{"counts": {...}, "missing": n}``) as counts then missing, or None
        when it is not exactly what :func:`collation_from_dict` accepts."""
        if type(item) is not dict:
            return None
        counts, missing = item.get("counts"), item.get("missing")
        if type(counts) is not dict or type(missing) is not int or missing < 0 or counts.keys() != self._level_set:
            return None
        row = [counts[k] for k in self._level_keys]
        if not all(type(n) is int and n >= 0 for n in row):
            return None
        row.append(missing)
        return row

    def add_document(self, doc: object) -> bool:
        """Add the counts of a collation document without building its objects, when it is exactly what
        :func:`collation_from_dict` reads without a problem and :func:`collate_file` pools as is (same instrument,
        version and fingerprint, split by this pool's attribute or unsplit here). False otherwise: nothing is
        added, and the document must go the full way, which reports its problems."""
        instrument, positions = self.instrument, self._positions
        if type(doc) is not dict:
            return False
        ident, responses, by, domains = doc.get("instrument"), doc.get("responses"), doc.get("by"), doc.get("domains")
        if type(ident) is not dict or ident.get("id") != instrument.id:
            return False
        version, fingerprint = ident.get("version"), ident.get("fingerprint")
        if (version is not None and str(version) != instrument.version) or fingerprint not in (
            None,
            instrument.fingerprint,
        ):
            return False
        if type(responses) is not int or responses < 0 or (by is not None and type(by) is not str):
            return False
        if (self.by is not None and by != self.by) or type(domains) is not list or len(domains) != len(positions):
            return False
        sizes = doc.get("groups", {}) if by is not None else {}
        if type(sizes) is not dict or not all(type(n) is int and n >= 0 for n in sizes.values()):
            return False
        overall: list[list[int]] = [[] for _ in positions]
        groups: dict[str, list[list[int]]] = {name: [[] for _ in positions] for name in sizes}
        comments: list[tuple[str, list[str]]] = []
        for entry in domains:
            if type(entry) is not dict:
                return False
            key = entry.get("key")
            i = positions.get(key) if type(key) is str else None
            if i is None or overall[i]:
                return False
            row = self._counts(entry)
            texts = entry.get("comments", [])
            if row is None or sum(row) != responses or type(texts) is not list:
                return False
            if not all(type(t) is str for t in texts):
                return False
            overall[i] = row
            if texts:
                comments.append((str(key), texts))
            split = entry.get("by")
            if by is None:
                if split:
                    return False
                continue
            if type(split) is not dict or split.keys() != sizes.keys():
                return False
            for name, part in split.items():
                part_row = self._counts(part)
                if part_row is None or sum(part_row) != sizes[name]:
                    return False
                groups[name][i] = part_row
        if by is not None:  # the groups' tallies add up to the overall ones (Collation's own check)
            if sum(sizes.values()) != responses:
                return False
            for i, row in enumerate(overall):
                if (
                    groups
                    and [sum(column) for column in zip(*(rows[i] for rows in groups.values()), strict=True)] != row
                ):
                    return False
        # everything is checked: add
        self._add_rows(self._overall, overall)
        self._responses += responses
        if self.by is not None:
            for name, part_rows in groups.items():
                rows, size = self._group(name)
                self._add_rows(rows, part_rows)
                size[0] += sizes[name]
        for key, texts in comments:
            self._comments.setdefault(key, []).extend(texts)
        return True

    @staticmethod
    def _add_rows(totals: list[list[int]], rows: list[list[int]]) -> None:
        for total, row in zip(totals, rows, strict=True):
            for j, count in enumerate(row):
                total[j] += count

    def collation(self) -> Collation:
        def as_tally_set(rows: list[list[int]], size: int) -> TallySet:
            return TallySet(size, tuple(Tally(tuple(row[:-1]), row[-1]) for row in rows))

        return Collation(
            self.instrument,
            as_tally_set(self._overall, self._responses),
            self.by,
            {name: as_tally_set(rows, size[0]) for name, (rows, size) in self._groups.items()},
            self._comments,
        )


class Collator:
    """Counts responses one at a time (streaming: nothing but the counts is kept).

    ``add`` takes a :class:`~matrixkit.responses.Response`; ``add_indices`` takes the chosen level indices in
    the instrument's domain order, for readers that parse straight to indices.
    """

    def __init__(self, instrument: Instrument, by: str | None = None, *, keep_comments: bool = True) -> None:
        self.instrument = instrument
        self.by = by
        self.keep_comments = keep_comments
        self._levels = len(instrument.levels)
        self._keys = instrument.domain_keys
        self._overall = self._zero()
        self._groups: dict[str, list[list[int]]] = {}
        self._responses = 0
        self._group_responses: dict[str, int] = {}
        self._comments: dict[str, list[str]] = {}

    def _zero(self) -> list[list[int]]:
        # One row per domain: counts per level, then the missing count last.
        return [[0] * (self._levels + 1) for _ in self._keys]

    def add(self, response: Response) -> None:
        """Count one response (its choices must fit the instrument: see :meth:`Response.problems`)."""
        group = None
        if self.by is not None:
            group = response.attributes.get(self.by, "").strip() or NOT_GIVEN
        self.add_indices([response.choices.get(key) for key in self._keys], group)
        if self.keep_comments:
            for key, text in response.comments.items():
                if text.strip():
                    self._comments.setdefault(key, []).append(text.strip())

    def add_indices(self, indices: Sequence[int | None], group: str | None = None) -> None:
        """Count one response given as level indices (None = not answered) in domain order."""
        missing = self._levels
        rows = self._overall
        for row, index in zip(rows, indices, strict=True):
            row[missing if index is None else index] += 1
        self._responses += 1
        if self.by is not None:
            name = group if group else NOT_GIVEN
            group_rows = self._groups.get(name)
            if group_rows is None:
                group_rows = self._groups[name] = self._zero()
                self._group_responses[name] = 0
            for row, index in zip(group_rows, indices, strict=True):
                row[missing if index is None else index] += 1
            self._group_responses[name] += 1

    def _tally_set(self, rows: list[list[int]], responses: int) -> TallySet:
        return TallySet(responses, tuple(Tally(row[:-1], row[-1]) for row in rows))

    def collation(self) -> Collation:
        """The collation of everything added so far."""
        groups = {name: self._tally_set(rows, self._group_responses[name]) for name, rows in self._groups.items()}
        return Collation(
            self.instrument, self._tally_set(self._overall, self._responses), self.by, groups, self._comments
        )


def collate(instrument: Instrument, responses: Iterable[Response], by: str | None = None) -> Collation:
    """The collation of ``responses`` (already checked against ``instrument``), split by attribute ``by``."""
    collator = Collator(instrument, by)
    for response in responses:
        collator.add(response)
    return collator.collation()


# -- reading collation JSON back -------------------------------------------------------------------


def collation_from_dict(
    data: object, instrument: Instrument, *, file: str | None = None, strict: bool = True
) -> Collation:
    """Read the counts of a collation document (as written by ``matrixkit collate``) back into a Collation.

    The document must be of ``instrument`` (same id and, when ``strict``, the same version and fingerprint);
    statistics in it are ignored. Raises :class:`ValidationError` listing every problem, located in ``file``,
    or :class:`IncompatibleCollationsError` when it collates another instrument or version.
    """
    problems: list[Problem] = []

    def problem(message: str, field: str | None = None) -> None:
        problems.append(Problem(message, file=file, field=field))

    if not isinstance(data, Mapping):
        raise ValidationError(Problem("expected a collation (a JSON object)", file=file))
    ident = data.get("instrument")
    if not isinstance(ident, Mapping) or not isinstance(ident.get("id"), str):
        raise ValidationError(Problem("expected an 'instrument' object with an 'id'", file=file, field="instrument"))
    if ident["id"] != instrument.id:
        raise IncompatibleCollationsError(
            f"{file or 'collation'}: collates {ident['id']!r}, not {instrument.id!r}; "
            "collations of different instruments cannot be pooled"
        )
    version = ident.get("version")
    if strict and version is not None and str(version) != instrument.version:
        raise IncompatibleCollationsError(
            f"{file or 'collation'}: collates version {version} of {instrument.id}, not version "
            f"{instrument.version}; collations of different versions cannot be pooled"
        )
    fingerprint = ident.get("fingerprint")
    if strict and fingerprint is not None and fingerprint != instrument.fingerprint:
        raise IncompatibleCollationsError(
            f"{file or 'collation'}: the levels or descriptors of {instrument.id} {instrument.version} differ from "
            "the installed instrument's; collations of different questions cannot be pooled"
        )
    responses = data.get("responses")
    if isinstance(responses, bool) or not isinstance(responses, int) or responses < 0:
        problem(f"expected the number of responses, found {responses!r}", "responses")
        responses = None
    by = data.get("by")
    if by is not None and not isinstance(by, str):
        problem("expected the attribute name or null", "by")
        by = None
    domains = data.get("domains")
    if not isinstance(domains, list):
        problem("expected a list of domains", "domains")
        raise ValidationError(problems)

    level_keys = instrument.level_keys
    by_key: dict[str, tuple[int, Mapping[str, Any]]] = {}
    for i, entry in enumerate(domains):
        where = f"domains[{i}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("key"), str):
            problem("expected an object with a 'key'", where)
            continue
        key = entry["key"]
        if key not in instrument.domain_keys:
            problem(f"unknown domain {key!r} of {instrument.id}", f"{where}.key")
        elif key in by_key:
            problem(f"domain {key!r} appears twice", f"{where}.key")
        else:
            by_key[key] = (i, entry)
    for key in instrument.domain_keys:
        if key not in by_key:
            problem(f"domain {key!r} of {instrument.id} is missing", "domains")

    level_set = set(level_keys)

    def read_tally(counts: object, missing: object, where: str) -> Tally | None:
        # A tally as `matrixkit collate` writes it is taken quickly (pooling reads tens of thousands of them).
        if type(counts) is dict and type(missing) is int and missing >= 0 and counts.keys() == level_set:
            values = [counts[k] for k in level_keys]
            if all(type(n) is int and n >= 0 for n in values):
                return Tally(values, missing)
        ok = True
        if not isinstance(counts, Mapping):
            problem("expected an object of level key: count", f"{where}.counts")
            return None
        if set(counts) != set(level_keys):
            problem(f"expected counts for exactly the levels {', '.join(level_keys)}", f"{where}.counts")
            ok = False
        values = []
        for k in level_keys:
            n = counts.get(k, 0)
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                problem(f"expected a whole number ≥ 0, found {n!r}", f"{where}.counts.{k}")
                ok = False
            values.append(n)
        if isinstance(missing, bool) or not isinstance(missing, int) or missing < 0:
            problem(f"expected a whole number ≥ 0, found {missing!r}", f"{where}.missing")
            ok = False
        return Tally(values, missing) if ok else None  # type: ignore[arg-type]

    overall: list[Tally] = []
    group_tallies: dict[str, list[Tally]] = {}
    group_sizes = data.get("groups", {}) if by is not None else {}
    if not isinstance(group_sizes, Mapping):
        problem("expected an object of group: number of responses", "groups")
        group_sizes = {}
    for key in instrument.domain_keys:
        if key not in by_key:
            continue
        i, entry = by_key[key]
        where = f"domains[{i}]"
        tally = read_tally(entry.get("counts"), entry.get("missing"), where)
        if tally is not None:
            if responses is not None and tally.total != responses:
                problem(
                    f"{tally.answered} answered + {tally.missing} missing ≠ {responses} responses",
                    where,
                )
            overall.append(tally)
        if by is None:
            if entry.get("by"):
                problem("per-group counts but no 'by' attribute", f"{where}.by")
            continue
        split = entry.get("by")
        if not isinstance(split, Mapping):
            problem(f"expected per-group counts (the collation is split by {by!r})", f"{where}.by")
            continue
        if set(split) != set(group_sizes):
            problem("the groups differ from the top-level 'groups'", f"{where}.by")
        for name, part in split.items():
            part_where = f"{where}.by.{name}"
            if not isinstance(part, Mapping):
                problem("expected counts and missing", part_where)
                continue
            part_tally = read_tally(part.get("counts"), part.get("missing"), part_where)
            if part_tally is not None:
                group_tallies.setdefault(name, []).append(part_tally)

    group_sets: dict[str, TallySet] = {}
    if not problems and responses is not None:
        for name, size in group_sizes.items():
            if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                problem(f"expected a whole number ≥ 0, found {size!r}", f"groups.{name}")
                continue
            try:
                group_sets[name] = TallySet(size, group_tallies.get(name, []))
            except ValidationError as exc:
                problems += [Problem(p.message, file=file, field=f"groups.{name}") for p in exc.problems]
    comment_map: dict[str, list[str]] = {}
    for key in instrument.domain_keys:
        if key in by_key:
            texts = by_key[key][1].get("comments", [])
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                problem("expected a list of texts", f"domains[{by_key[key][0]}].comments")
            elif texts:
                comment_map[key] = texts
    ValidationError.collect(problems)
    assert responses is not None
    try:
        return Collation(instrument, TallySet(responses, overall), by, group_sets, comment_map)
    except ValidationError as exc:
        raise ValidationError(p.located(file) for p in exc.problems) from exc


def instrument_from_collation_dict(data: Mapping[str, Any], *, file: str | None = None) -> Instrument:
    """A stand-in instrument built from what a collation document records (levels, domain keys and titles).

    For reading a collation of an instrument version that is not installed (comparing rounds): the
    descriptors are not in the file and are replaced by a note.
    """
    from matrixkit.model import Domain, Level

    ident = data.get("instrument")
    problems: list[Problem] = []
    levels: list[Level] = []
    domains: list[Domain] = []
    if not isinstance(ident, Mapping) or not isinstance(ident.get("levels"), list):
        raise ValidationError(
            Problem("the collation does not record its levels (instrument.levels)", file=file, field="instrument")
        )
    try:
        for item in ident["levels"]:
            levels.append(Level(key=item["key"], label=item["label"], score=item["score"]))
        for item in data.get("domains", []):
            domains.append(
                Domain(
                    key=item["key"],
                    title=item.get("title") or item["key"],
                    descriptors=["(not recorded)"] * len(levels),
                )
            )
        return Instrument(
            id=str(ident.get("id")),
            title=str(ident.get("title") or ident.get("id")),
            version=str(ident.get("version") or "?"),
            levels=levels,
            domains=domains,
        )
    except (KeyError, TypeError) as exc:
        problems.append(Problem(f"cannot read the recorded instrument: {exc}", file=file, field="instrument"))
    except ValidationError as exc:
        problems += [p.located(file) for p in exc.problems]
    raise ValidationError(problems)


# -- collating files -------------------------------------------------------------------------------


def is_collation_document(doc: object) -> bool:
    """True when a parsed JSON/TOML document is a collation (as written by ``matrixkit collate``)."""
    return (
        isinstance(doc, Mapping)
        and isinstance(doc.get("instrument"), Mapping)
        and isinstance(doc.get("domains"), list)
        and "responses" in doc
    )


def read_document(path: str | os.PathLike[str]) -> object | None:
    """The parsed document of a ``.json`` or ``.toml`` file, or None for other files."""
    from matrixkit.format import read_toml
    from matrixkit.readers import read_json

    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return read_json(path)
    if suffix == ".toml":
        return read_toml(path)[0]
    return None


def collate_file(
    path: str | os.PathLike[str],
    instrument: Instrument,
    readers: Mapping[str, Reader],
    by: str | None = None,
    *,
    seen: MutableMapping[str, str] | None = None,
) -> Collation:
    """The collation of one input file: a response file (read by the reader its extension names) or a
    collation written earlier (pooled as is; with ``by`` it must be split by the same attribute, without
    ``by`` its split is dropped).

    ``seen`` (participant id, case-folded → file) is updated and checked for participants already counted
    from other files. Raises :class:`ValidationError` listing every problem of the file, located.
    """
    from matrixkit.readers import reader_for

    name = os.fspath(path)
    if not Path(path).is_file():
        raise ValidationError(Problem("no such file", file=name))
    doc = read_document(path) if Path(path).suffix.lower() in (".json", ".toml") else None
    if doc is not None and is_collation_document(doc):
        collation = collation_from_dict(doc, instrument, file=name)
        if by is None:
            return collation.unsplit()
        if collation.by != by:
            raise ValidationError(
                Problem(
                    f"this collation is split by {_by_name(collation.by)}, not by {by!r}: collate its responses "
                    f"again with --by {by}, or pool without --by",
                    file=name,
                )
            )
        return collation
    reader = reader_for(path, dict(readers))
    tally = getattr(reader, "tally", None)
    if tally is not None:
        # A reader's streaming fast path (e.g. CsvReader.tally): None when the file has problems to report,
        # which the reference path below finds and words.
        fast: Collation | None = tally(path, instrument, by, seen=seen)
        if fast is not None:
            return fast
    collator = Collator(instrument, by)
    problems: list[Problem] = []
    seen = {} if seen is None else seen
    try:
        for response in reader.read(path, instrument):
            response_problems = list(response.problems(instrument))
            if response_problems:
                problems += [p.located(name) for p in response_problems]
                continue
            folded = response.participant.strip().casefold()
            if folded in seen and seen[folded] != name:
                problems.append(Problem(f"participant {response.participant!r} is also in {seen[folded]}", file=name))
                continue
            seen[folded] = name
            collator.add(response)
    except ValidationError as exc:
        problems += exc.problems
    # The reader's problems (by line) first, then those found across files.
    ValidationError.collect(sorted(problems, key=lambda p: (p.line is None, p.line or 0)))
    return collator.collation()


def collate_files(
    paths: Sequence[str | os.PathLike[str]],
    instrument: Instrument,
    readers: Mapping[str, Reader],
    by: str | None = None,
    *,
    parts: bool = True,
) -> tuple[Collation, list[Collation]]:
    """Collate and pool input files (response files and earlier collations): the pooled collation and the
    collation of each file. Every file is read even after one fails; then :class:`ValidationError` lists all
    the problems. Naming one file twice is an error (it would be counted twice).

    With ``parts=False`` the list of each file's collation is left empty, and collation JSON files as
    ``matrixkit collate`` writes them are pooled without building their objects (pooling a thousand table
    collations is then mostly reading JSON); the pooled collation and every error are the same.
    """
    problems: list[Problem] = []
    each: list[Collation] = []
    pool = _Pool(instrument, by)
    seen: MutableMapping[str, str] = ParticipantIndex()  # compact when a reader tallies a whole file at once
    resolved: dict[Path, str] = {}
    for path in paths:
        name = os.fspath(path)
        real = Path(path).resolve()
        if real in resolved:
            problems.append(Problem(f"the same file as {resolved[real]}: it would be counted twice", file=name))
            continue
        resolved[real] = name
        if not parts and _pooled_as_document(path, pool):
            continue
        try:
            each.append(collate_file(path, instrument, readers, by, seen=seen))
        except ValidationError as exc:
            problems += exc.problems
    ValidationError.collect(problems)
    for collation in each:
        pool.add(collation)
    return pool.collation(), each if parts else []


def _pooled_as_document(path: str | os.PathLike[str], pool: _Pool) -> bool:
    """Whether ``path`` is a collation JSON file that ``pool`` took as is (else it goes the full way)."""
    if Path(path).suffix.lower() != ".json":
        return False
    from matrixkit.readers import read_json

    try:
        doc = read_json(path)
    except ValidationError:
        return False
    return pool.add_document(doc)
