"""The instrument model: levels, domains, groups, guidance and the instrument that holds them.

An *instrument* is a maturity matrix: an ordered scale of *levels* (columns, lowest first) and a list of
*domains* (rows), each domain holding one *descriptor* statement per level. Nothing here knows a particular
toolkit: any number of levels (at least two) with any strictly increasing integer scores, any number of
domains, optional domain groups.

All classes are frozen attrs classes. Each checks itself on construction and raises
:class:`~matrixkit.errors.ValidationError` listing *every* problem it found, so an invalid instrument cannot
exist in memory. Field documentation lives in ``metadata["doc"]``; the file-format reference and the JSON
Schema are generated from it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any

import attrs

from matrixkit.errors import Problem, ValidationError

__all__ = [
    "KEY_PATTERN",
    "Domain",
    "Group",
    "GuidanceSection",
    "Instrument",
    "Level",
    "Source",
]

#: Ids and keys are lowercase kebab-case: ``leadership``, ``pit-a``, ``needs-assessment-2``.
KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_KEY_RE = re.compile(KEY_PATTERN)
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


def _check_key(value: object, field: str, what: str = "key") -> list[Problem]:
    if not isinstance(value, str) or not _KEY_RE.match(value):
        return [
            Problem(
                f"{what} {value!r} is not lowercase kebab-case (letters a-z, digits and single hyphens, "
                "e.g. 'needs-assessment')",
                field=field,
            )
        ]
    return []


def _check_text(value: object, field: str) -> list[Problem]:
    if not isinstance(value, str) or not value.strip():
        return [Problem("must be non-empty text", field=field)]
    return []


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)


@attrs.frozen
class Level:
    """One column of the matrix: a step on the maturity scale."""

    key: str = attrs.field(metadata=_doc("Identifier of the level, lowercase kebab-case (e.g. `developing`)."))
    label: str = attrs.field(metadata=_doc("Name shown to people (e.g. `Developing`)."))
    score: int = attrs.field(
        metadata=_doc("Numeric score of the level; scores increase strictly from the lowest level.")
    )
    colour: str = attrs.field(
        default="#ffffff",
        metadata=_doc("Fill colour as `#rrggbb`, used by sheets and reports (e.g. `#cd7f32` for bronze)."),
    )
    description: str = attrs.field(default="", metadata=_doc("Optional explanation of what the level means."))

    def __attrs_post_init__(self) -> None:
        problems = _check_key(self.key, "key") + _check_text(self.label, "label")
        if isinstance(self.score, bool) or not isinstance(self.score, int):
            problems.append(Problem(f"score must be a whole number, found {self.score!r}", field="score"))
        if not isinstance(self.colour, str) or not _COLOUR_RE.match(self.colour):
            problems.append(Problem(f"colour {self.colour!r} is not a hex colour like '#cd7f32'", field="colour"))
        _raise_if(problems)


@attrs.frozen
class Group:
    """A named group of domains (e.g. a theme of the matrix); domains refer to it by key."""

    key: str = attrs.field(metadata=_doc("Identifier of the group, lowercase kebab-case."))
    title: str = attrs.field(metadata=_doc("Name shown to people."))
    description: str = attrs.field(default="", metadata=_doc("Optional explanation of the group."))

    def __attrs_post_init__(self) -> None:
        _raise_if(_check_key(self.key, "key") + _check_text(self.title, "title"))


@attrs.frozen
class Domain:
    """One row of the matrix: an aspect being assessed, with one descriptor per level."""

    key: str = attrs.field(metadata=_doc("Identifier of the domain, lowercase kebab-case."))
    title: str = attrs.field(metadata=_doc("Row title as printed in the matrix."))
    descriptors: tuple[str, ...] = attrs.field(
        converter=_tuple,
        metadata=_doc("One descriptor statement per level, in the same order as the levels (lowest first)."),
    )
    group: str | None = attrs.field(
        default=None, metadata=_doc("Optional key of the group this domain belongs to; must be declared.")
    )
    short_title: str | None = attrs.field(
        default=None, metadata=_doc("Optional shorter title, e.g. the name used on a collation sheet.")
    )
    guidance: str = attrs.field(default="", metadata=_doc("Optional notes for people assessing this domain."))

    def __attrs_post_init__(self) -> None:
        problems = _check_key(self.key, "key") + _check_text(self.title, "title")
        for i, text in enumerate(self.descriptors):
            problems += _check_text(text, f"descriptors[{i}]")
        if self.group is not None:
            problems += _check_key(self.group, "group", "group key")
        _raise_if(problems)

    @property
    def label(self) -> str:
        """The short title when there is one, else the title."""
        return self.short_title or self.title


@attrs.frozen
class GuidanceSection:
    """A section of guidance carried with the instrument (purpose, how to use it, workshop prompts, ...)."""

    key: str = attrs.field(metadata=_doc("Identifier of the section, lowercase kebab-case (e.g. `how-to-use`)."))
    title: str = attrs.field(metadata=_doc("Heading of the section."))
    text: str = attrs.field(default="", metadata=_doc("Body text; paragraphs separated by blank lines."))
    items: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Optional list of points (prompts, steps, timings).")
    )

    def __attrs_post_init__(self) -> None:
        problems = _check_key(self.key, "key") + _check_text(self.title, "title")
        if not self.text.strip() and not self.items:
            problems.append(Problem("a guidance section needs text or items", field="text"))
        _raise_if(problems)


@attrs.frozen
class Source:
    """Where the instrument comes from and how to credit it."""

    title: str = attrs.field(default="", metadata=_doc("Title of the source document."))
    publisher: str = attrs.field(default="", metadata=_doc("Who published it."))
    url: str = attrs.field(default="", metadata=_doc("Where to find it."))
    licence: str = attrs.field(default="", metadata=_doc("Licence or terms of reuse."))
    attribution: str = attrs.field(default="", metadata=_doc("Attribution to show with any output."))
    citation: str = attrs.field(default="", metadata=_doc("How to cite it."))
    notes: str = attrs.field(default="", metadata=_doc("Anything else (adaptations, editorial fixes)."))


@attrs.frozen
class Instrument:
    """A maturity matrix: ordered levels (columns) by domains (rows), with metadata and guidance."""

    id: str = attrs.field(metadata=_doc("Identifier of the instrument, lowercase kebab-case (e.g. `my-tool`)."))
    title: str = attrs.field(metadata=_doc("Title of the instrument."))
    version: str = attrs.field(metadata=_doc("Version of the instrument's content (e.g. `1.0`)."))
    levels: tuple[Level, ...] = attrs.field(
        converter=_tuple, metadata=_doc("The levels, lowest first; at least two, scores strictly increasing.")
    )
    domains: tuple[Domain, ...] = attrs.field(
        converter=_tuple, metadata=_doc("The domains (rows), in the order they are assessed; at least one.")
    )
    description: str = attrs.field(default="", metadata=_doc("What the instrument is for."))
    short_title: str | None = attrs.field(default=None, metadata=_doc("Optional short title."))
    groups: tuple[Group, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Optional domain groups, in display order.")
    )
    guidance: tuple[GuidanceSection, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Guidance sections shown with the matrix.")
    )
    source: Source = attrs.field(factory=Source, metadata=_doc("Source, licence and citation."))
    based_on: str | None = attrs.field(
        default=None,
        metadata=_doc(
            "Id of the instrument this one was adapted from. Set when a variant (`extends = ...`) is "
            "resolved; informational only."
        ),
    )

    def __attrs_post_init__(self) -> None:
        _raise_if(list(self.problems()))

    def problems(self) -> Iterator[Problem]:
        """Cross-field problems (the fields themselves were checked by their own classes)."""
        yield from instrument_problems(
            self.id,
            self.title,
            self.version,
            list(enumerate(self.levels)),
            list(enumerate(self.domains)),
            list(enumerate(self.groups)),
            list(enumerate(self.guidance)),
        )
        if self.based_on is not None:
            yield from _check_key(self.based_on, "based_on", "base id")

    # -- lookups ---------------------------------------------------------------------------------

    @cached_property
    def _level_lookup(self) -> dict[str, int]:
        lookup: dict[str, int] = {}
        for i, level in enumerate(self.levels):
            lookup[str(level.score)] = i
            lookup[level.key.casefold()] = i
            lookup[level.label.strip().casefold()] = i
        return lookup

    @property
    def level_keys(self) -> tuple[str, ...]:
        return tuple(level.key for level in self.levels)

    @property
    def scores(self) -> tuple[int, ...]:
        return tuple(level.score for level in self.levels)

    @property
    def span(self) -> int:
        """Highest minus lowest score: the width ``d`` of the scale."""
        return self.levels[-1].score - self.levels[0].score

    @property
    def domain_keys(self) -> tuple[str, ...]:
        return tuple(domain.key for domain in self.domains)

    def domain(self, key: str) -> Domain:
        for domain in self.domains:
            if domain.key == key:
                return domain
        raise KeyError(key)

    def group(self, key: str) -> Group:
        for group in self.groups:
            if group.key == key:
                return group
        raise KeyError(key)

    def level_index(self, value: object) -> int:
        """The index (0 = lowest) of the level named by a score, a key or a label (case-insensitive).

        Raises :class:`ValueError` with a message naming what is accepted.
        """
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a level of {self.id} ({self.describe_scale()})")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip().casefold() if isinstance(value, str | int) else None
        if text is not None and text in self._level_lookup:
            return self._level_lookup[text]
        raise ValueError(f"{value!r} is not a level of {self.id} ({self.describe_scale()})")

    def describe_scale(self) -> str:
        """A short description of accepted level values, e.g. ``1–4 or emerging/developing/...``."""
        scores = self.scores
        contiguous = all(b - a == 1 for a, b in itertools.pairwise(scores))
        numbers = f"{scores[0]}–{scores[-1]}" if contiguous else "/".join(str(s) for s in scores)
        return f"{numbers} or {'/'.join(self.level_keys)}"

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the levels and the domains' keys and descriptors.

        Two instruments with the same fingerprint ask the same questions on the same scale, whatever their
        titles or guidance; rounds compare safely when fingerprints match.
        """
        import hashlib  # here: every command imports this module, few need a fingerprint
        import json

        payload = {
            "levels": [[lv.key, lv.score] for lv in self.levels],
            "domains": [[d.key, list(d.descriptors)] for d in self.domains],
        }
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()
        return digest[:16]

    def domains_in_group(self, group: str) -> tuple[Domain, ...]:
        return tuple(d for d in self.domains if d.group == group)

    def summary(self) -> dict[str, Any]:
        """Identification used in collations and reports."""
        return {"id": self.id, "version": self.version, "title": self.title, "fingerprint": self.fingerprint}


def instrument_problems(
    ident: object,
    title: object,
    version: object,
    levels: list[tuple[int, Level]],
    domains: list[tuple[int, Domain]],
    groups: list[tuple[int, Group]],
    guidance: list[tuple[int, GuidanceSection]],
    *,
    level_count: int | None = None,
) -> Iterator[Problem]:
    """The cross-field problems of an instrument's parts, each with its index in the file.

    Works on partial data too (parts that failed their own checks left out, ``level_count`` giving how many
    levels the file declares), so that a file with a broken level still gets its descriptors counted.
    """
    yield from _check_key(ident, "id", "id")
    yield from _check_text(title, "title")
    if isinstance(version, str):
        yield from _check_text(version, "version")
    n_levels = len(levels) if level_count is None else level_count
    if n_levels < 2:
        yield Problem(f"at least 2 levels are needed, found {n_levels}", field="levels")
    yield from _check_unique_indexed([(i, lv.key) for i, lv in levels], "level key", "levels")
    yield from _check_unique_indexed([(i, lv.label.casefold()) for i, lv in levels], "level label", "levels")
    for (_, lower), (j, upper) in itertools.pairwise(levels):
        if upper.score <= lower.score:
            yield Problem(
                f"scores must increase strictly from the lowest level: {upper.key!r} scores "
                f"{upper.score}, not above {lower.key!r} ({lower.score})",
                field=f"levels[{j}].score",
            )
    if not domains and level_count is None:
        yield Problem("at least 1 domain is needed", field="domains")
    yield from _check_unique_indexed([(i, d.key) for i, d in domains], "domain key", "domains")
    yield from _check_unique_indexed([(i, g.key) for i, g in groups], "group key", "groups")
    yield from _check_unique_indexed([(i, s.key) for i, s in guidance], "guidance key", "guidance")
    group_keys = {g.key for _, g in groups}
    for i, domain in domains:
        if len(domain.descriptors) != n_levels:
            yield Problem(
                f"{len(domain.descriptors)} descriptors for {n_levels} levels (one descriptor per level, lowest first)",
                field=f'domains[{i}] "{domain.key}"',
            )
        if domain.group is not None and domain.group not in group_keys:
            declared = ", ".join(sorted(group_keys)) or "none declared"
            yield Problem(
                f"group {domain.group!r} is not declared in [[groups]] (declared: {declared})",
                field=f'domains[{i}] "{domain.key}".group',
            )


def _check_unique_indexed(keys: list[tuple[int, str]], what: str, field: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for i, key in keys:
        if key in seen:
            problems.append(Problem(f"duplicate {what} {key!r} (also {field}[{seen[key]}])", field=f"{field}[{i}]"))
        else:
            seen[key] = i
    return problems
