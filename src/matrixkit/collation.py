"""Tallies and collations: counting answers, and the algebra that pools them. No file is read here.

A :class:`Tally` counts, for one domain, how many people chose each level, and how many did not answer. A
:class:`TallySet` holds one tally per domain of an instrument for one set of responses. A :class:`Collation`
is the tally set of all responses, optionally split into groups by one attribute (``--by sector``).

Only counts are stored. Count vectors under addition form a commutative monoid whose identity is the zero
vector, so collations :meth:`merge <Collation.merge>` in any order and tables pool *exactly* into the plenary:
``collate(A ∪ B) == collate(A).merge(collate(B))``. Every statistic (median, agreement, ...) is computed from
merged counts afterwards (:mod:`matrixkit.rules`, :mod:`matrixkit.report`), never stored and re-averaged.

Group names (the values of the ``by`` attribute) are compared ignoring case and spacing — "Civic", "civic"
and " CIVIC " are one group — and shown as first written (:func:`group_key`).

:class:`Collator` counts responses one at a time, or whole columns of answers at once
(:meth:`Collator.add_columns`, what the readers of response tables use); :func:`merge_all` pools many
collations. Collation JSON is read and written by :mod:`matrixkit.io.collation_json`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from matrixkit.errors import MatrixkitError, Problem, ValidationError
from matrixkit.frozen import FrozenDict
from matrixkit.model import Instrument

if TYPE_CHECKING:
    from matrixkit.responses import Response

__all__ = [
    "NOT_GIVEN",
    "UNANSWERED",
    "Collation",
    "Collator",
    "IncompatibleCollationsError",
    "Tally",
    "TallySet",
    "collate",
    "group_key",
    "merge_all",
]

#: The group of responses that lack the attribute a collation is split by.
NOT_GIVEN = "(not given)"
#: The level code of "not answered" in the columns :meth:`Collator.add_columns` counts (a level's code is its
#: index; :data:`matrixkit.model.MAX_LEVELS` keeps every index below it).
UNANSWERED = 255
#: A domain's buffered level codes are counted when this many have been kept (bounding the memory they take).
_COUNT_AT = 1 << 16


class IncompatibleCollationsError(MatrixkitError):
    """Collations that cannot be pooled: different instruments, versions, questions, or splits."""


def group_key(name: str) -> str:
    """How group names are compared: spaces collapsed, case-folded (``" Civic "`` and ``"CIVIC"`` are one group)."""
    return " ".join(name.split()).casefold()


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _counts(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(value)


def _count_problem(value: object, field: str) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return Problem(f"expected a whole number ≥ 0, found {value!r}", field=field)
    return None


@attrs.frozen
class Tally:
    """The answers to one domain: how many chose each level (lowest first), and how many did not answer."""

    counts: tuple[int, ...] = attrs.field(
        converter=_counts, metadata=_doc("Number of people per level, in the order of the instrument's levels.")
    )
    missing: int = attrs.field(default=0, metadata=_doc("Number of people who did not answer (or did not know)."))

    def __attrs_post_init__(self) -> None:
        # One pass over the counts without a call per count: a tally is built for every domain of every group
        # of every collation read or pooled.
        bad = [i for i, n in enumerate(self.counts) if not isinstance(n, int) or isinstance(n, bool) or n < 0]
        missing = self.missing
        if bad or not isinstance(missing, int) or isinstance(missing, bool) or missing < 0:
            found = [_count_problem(self.counts[i], f"counts[{i}]") for i in bad]
            found.append(_count_problem(missing, "missing"))
            ValidationError.collect([p for p in found if p is not None])

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
        problem = _count_problem(self.responses, "responses")
        if problem is not None:
            raise ValidationError(problem)
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

    @classmethod
    def of_rows(cls, responses: int, rows: Sequence[Sequence[int]]) -> TallySet:
        """From per-domain rows of counts per level followed by the missing count."""
        return cls(responses, tuple(Tally(row[:-1], row[-1]) for row in rows))

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


def _groups(value: Mapping[str, TallySet]) -> FrozenDict[str, TallySet]:
    return FrozenDict((key, value[key]) for key in sorted(value))


def _comments(value: Mapping[str, Iterable[str]]) -> FrozenDict[str, tuple[str, ...]]:
    return FrozenDict((key, tuple(sorted(texts))) for key, texts in sorted(value.items()) if texts)


@attrs.frozen
class Collation:
    """Tallies of every domain for a set of responses to one instrument, optionally split by one attribute.

    Build one with :func:`collate` or a :class:`Collator`; pool several with :meth:`merge` or :func:`merge_all`.
    Equal collations have equal counts, whatever order the responses came in.
    """

    instrument: Instrument = attrs.field(metadata=_doc("The instrument answered."))
    overall: TallySet = attrs.field(metadata=_doc("Tallies of all responses."))
    by: str | None = attrs.field(default=None, metadata=_doc("The attribute the responses are split by, if any."))
    groups: FrozenDict[str, TallySet] = attrs.field(
        factory=FrozenDict,
        converter=_groups,
        metadata=_doc(
            f"Group (attribute value) → tallies of that group's responses, sorted by name; responses without "
            f"the attribute are in the group {NOT_GIVEN!r}. Empty unless ``by`` is set."
        ),
    )
    comments: FrozenDict[str, tuple[str, ...]] = attrs.field(
        factory=FrozenDict,
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
        keys = [group_key(name) for name in self.groups]
        if len(set(keys)) != len(keys):
            problems.append(Problem("two groups differ only in case or spacing", field="groups"))
        if self.by is not None and not problems and not self._groups_add_up():
            problems.append(Problem("the groups' tallies do not add up to the overall tallies", field="groups"))
        unknown = [k for k in self.comments if k not in self.instrument.domain_keys]
        problems += [Problem("comments on an unknown domain", field=f"comments.{k}") for k in unknown]
        ValidationError.collect(problems)

    def _groups_add_up(self) -> bool:
        """Whether the groups' responses, counts and missing answers sum to the overall ones (summed as plain
        integers, domain by domain: no tallies are built)."""
        groups = list(self.groups.values())
        if sum(g.responses for g in groups) != self.overall.responses:
            return False
        for d, tally in enumerate(self.overall.tallies):
            parts = [g.tallies[d] for g in groups]
            if sum(t.missing for t in parts) != tally.missing:
                return False
            summed = tuple(map(sum, zip(*(t.counts for t in parts), strict=True))) if parts else (0,) * tally.levels
            if summed != tally.counts:
                return False
        return True

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
        index = self.instrument.domain_position(domain)
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
        if (self.by is None) != (other.by is None) or (
            self.by is not None and other.by is not None and group_key(self.by) != group_key(other.by)
        ):
            reasons.append(
                f"one is split by {_by_name(self.by)} and the other by {_by_name(other.by)}; collate both the same way"
            )
        return reasons

    def merge(self, other: Collation) -> Collation:
        """The collation of both sets of responses: counts added overall and group by group.

        Associative and commutative, with :meth:`empty` as identity. Raises
        :class:`IncompatibleCollationsError` for collations of different instruments, versions or splits.
        """
        return merge_all([self, other], self.instrument, self.by)

    __add__ = merge

    def unsplit(self) -> Collation:
        """The same collation without its split by group."""
        return Collation(self.instrument, self.overall, None, {}, self.comments)


def _by_name(by: str | None) -> str:
    return "nothing" if by is None else repr(by)


def merge_all(collations: Iterable[Collation], instrument: Instrument, by: str | None = None) -> Collation:
    """Pool any number of collations of ``instrument`` split by ``by`` (none gives the empty collation): counts
    added overall and group by group, groups whose names differ only in case or spacing pooled under the name
    first seen. Raises :class:`IncompatibleCollationsError` for collations that cannot be pooled."""
    identity = Collation.empty(instrument, by)
    n_levels = len(instrument.levels)
    overall = [[0] * (n_levels + 1) for _ in instrument.domains]
    responses = 0
    groups: dict[str, tuple[str, list[list[int]], list[int]]] = {}
    comments: dict[str, list[str]] = {}
    for collation in collations:
        reasons = identity.compatible(collation)
        if reasons:
            raise IncompatibleCollationsError("cannot pool these collations: " + "; ".join(reasons))
        _add_set(overall, collation.overall)
        responses += collation.responses
        for name, tally_set in collation.groups.items():
            entry = groups.get(group_key(name))
            if entry is None:
                entry = groups[group_key(name)] = (name, [[0] * (n_levels + 1) for _ in instrument.domains], [0])
            _add_set(entry[1], tally_set)
            entry[2][0] += tally_set.responses
        for key, texts in collation.comments.items():
            comments.setdefault(key, []).extend(texts)
    return Collation(
        instrument,
        TallySet.of_rows(responses, overall),
        by,
        {name: TallySet.of_rows(size[0], rows) for name, rows, size in groups.values()},
        comments,
    )


def _add_set(rows: list[list[int]], tally_set: TallySet) -> None:
    for row, tally in zip(rows, tally_set.tallies, strict=True):
        for j, count in enumerate(tally.counts):
            row[j] += count
        row[-1] += tally.missing


class Collator:
    """Counts responses (one at a time, or whole columns of answers at once); nothing but the counts is kept.

    ``by`` names the attribute to split by; the groups are its values, compared with :func:`group_key` and
    named as first written; responses without it are in :data:`NOT_GIVEN`.
    """

    def __init__(self, instrument: Instrument, by: str | None = None, *, keep_comments: bool = True) -> None:
        self.instrument = instrument
        self.by = by
        self.keep_comments = keep_comments
        self._levels = len(instrument.levels)
        self._keys = instrument.domain_keys
        self._overall = self._zero()
        self._responses = 0
        # group key → (name as first written, per-domain rows, [responses])
        self._groups: dict[str, tuple[str, list[list[int]], list[int]]] = {}
        self._comments: dict[str, list[str]] = {}
        # Level codes given to add_columns, not counted yet: group → a buffer per domain; responses per group.
        self._pending: dict[str | None, list[bytearray]] = {}
        self._sizes: dict[str, int] = {}

    def _zero(self) -> list[list[int]]:
        # One row per domain: counts per level, then the missing count last.
        return [[0] * (self._levels + 1) for _ in self._keys]

    def _group(self, value: str | None) -> tuple[str, list[list[int]], list[int]]:
        name = " ".join(value.split()) if value else ""
        key = group_key(name) if name else group_key(NOT_GIVEN)
        entry = self._groups.get(key)
        if entry is None:
            entry = self._groups[key] = (name or NOT_GIVEN, self._zero(), [0])
        return entry

    def add(self, response: Response) -> None:
        """Count one response (its choices must fit the instrument: see :meth:`Response.problems`)."""
        group = response.attributes.get(self.by) if self.by is not None else None
        self.add_indices([response.choices.get(key) for key in self._keys], group)
        if self.keep_comments:
            for key, text in response.comments.items():
                if text.strip():
                    self._comments.setdefault(key, []).append(text.strip())

    def add_indices(self, indices: Sequence[int | None], group: str | None = None) -> None:
        """Count one response given as level indices (None = not answered) in domain order."""
        missing = self._levels
        for row, index in zip(self._overall, indices, strict=True):
            row[missing if index is None else index] += 1
        self._responses += 1
        if self.by is not None:
            _, rows, size = self._group(group)
            for row, index in zip(rows, indices, strict=True):
                row[missing if index is None else index] += 1
            size[0] += 1

    def add_columns(
        self,
        choices: Sequence[bytes],
        groups: Sequence[str] | None = None,
        comments: Mapping[str, Sequence[str]] | None = None,
        first_written: Iterable[str] | None = None,
    ) -> None:
        """Count many responses at once, given as columns: for each domain (in order) a bytes object holding
        every response's level index (:data:`UNANSWERED` when not answered); ``groups`` gives each response's
        value of the ``by`` attribute. Equal to adding the responses one by one; fastest when the responses come
        sorted by group (then ``first_written`` gives the distinct values of ``groups`` in the order they were
        written, so that a group is named as first written, not as sorted first). A code that is neither a
        level's index nor :data:`UNANSWERED` raises :class:`ValueError` when the codes are counted (when a
        group's buffers are full, at the latest when the collation is made), before any of them is added.
        """
        n = len(choices[0]) if choices else 0
        if not n:
            return
        columns: Sequence[bytes] = choices
        if self.by is None:
            self._append(None, columns, 0, n)
        else:
            values: Sequence[str] = groups if groups is not None else ("",) * n
            present = set(values)
            seen = first_written if first_written is not None else dict.fromkeys(values)
            for value in seen:
                if value in present:
                    self._group(value)  # each group named as first written
            ordered = sorted(values)
            if ordered != list(values):  # not grouped yet: put the responses in group order
                order = sorted(range(n), key=values.__getitem__)
                columns = [bytes(map(column.__getitem__, order)) for column in columns]
            lo = 0
            while lo < n:
                hi = bisect_right(ordered, ordered[lo], lo)
                self._append(ordered[lo], columns, lo, hi)
                lo = hi
        self._responses += n
        if self.keep_comments and comments:
            for key, texts in comments.items():
                self._comments.setdefault(key, []).extend(t.strip() for t in texts if t.strip())

    def _append(self, group: str | None, columns: Sequence[bytes], lo: int, hi: int) -> None:
        """Keep the level codes of rows ``lo``..``hi`` (one group) to count: each domain's codes are appended to
        the group's buffer for it, and a buffer is counted (a byte value at a time) when it has grown large."""
        buffers = self._pending.get(group)
        if buffers is None:
            buffers = self._pending[group] = [bytearray() for _ in self._keys]
        if len(columns) != len(buffers):
            raise ValueError(f"{len(columns)} columns of answers given for {len(buffers)} domains")
        whole = lo == 0 and hi == len(columns[0])
        for buffer, column in zip(buffers, columns, strict=True):
            buffer += column if whole else column[lo:hi]
        if group is not None:
            self._sizes[group] = self._sizes.get(group, 0) + hi - lo
        if len(buffers[0]) >= _COUNT_AT:
            self._count(group, buffers)

    def _count(self, group: str | None, buffers: list[bytearray]) -> None:
        """Add the level codes in ``buffers`` (one per domain) to the counts, overall and of ``group``; empty
        them."""
        missing = self._levels
        counted = []
        for d, buffer in enumerate(buffers):  # every domain checked before any count is added
            counts = [buffer.count(k) for k in range(missing)]
            counts.append(buffer.count(UNANSWERED))
            if sum(counts) != len(buffer):
                bad = sorted(set(buffer) - {*range(missing), UNANSWERED})
                raise ValueError(
                    f"level codes {bad} in the answers to {self._keys[d]!r}: {self.instrument.id} has "
                    f"{missing} levels (codes 0 to {missing - 1}, {UNANSWERED} for not answered)"
                )
            counted.append(counts)
        group_rows = self._group(group)[1] if self.by is not None else None
        for d, counts in enumerate(counted):
            for rows in (self._overall, group_rows):
                if rows is not None:
                    row = rows[d]
                    for position, count in enumerate(counts):
                        row[position] += count
            del buffers[d][:]

    def _settle(self) -> None:
        """Count the level codes kept by :meth:`add_columns` (overall and per group)."""
        for group, buffers in self._pending.items():
            self._count(group, buffers)
        for group, size in self._sizes.items():
            self._group(group)[2][0] += size
        self._pending.clear()
        self._sizes.clear()

    def collation(self) -> Collation:
        """The collation of everything added so far."""
        self._settle()
        return Collation(
            self.instrument,
            TallySet.of_rows(self._responses, self._overall),
            self.by,
            {name: TallySet.of_rows(size[0], rows) for name, rows, size in self._groups.values()},
            self._comments,
        )


def collate(instrument: Instrument, responses: Iterable[Response], by: str | None = None) -> Collation:
    """The collation of ``responses`` (already checked against ``instrument``), split by attribute ``by``."""
    collator = Collator(instrument, by)
    for response in responses:
        collator.add(response)
    return collator.collation()
