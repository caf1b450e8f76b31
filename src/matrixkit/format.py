"""The instrument file format (TOML): reading, validating, resolving variants and writing.

A file holds either a whole instrument::

    format = 1
    id = "my-tool"
    title = "My tool"
    version = "1.0"

    [[levels]]                 # lowest first
    key = "low"
    label = "Low"
    score = 1

    [[domains]]
    key = "leadership"
    title = "Leadership"
    descriptors = ["...", "..."]   # one per level

or a *variant* of another instrument, which names its base with ``extends`` and says only what differs::

    format = 1
    id = "my-tool-local"
    extends = "my-tool"
    title = "My tool, adapted for our borough"
    remove_domains = ["funding"]

    [change_domains.leadership]
    title = "Board leadership"
    descriptors.low = "Our board ..."        # change one level's descriptor by level key

    [[add_domains]]
    key = "data-sharing"
    title = "Data sharing"
    after = "leadership"                     # optional; the end by default
    descriptors = ["...", "..."]

See ``docs/reference/instrument-format.md`` for the whole reference. Every problem in a file is reported at
once, each naming the file, the line where it can be found and the field.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs
import tomli
import tomli_w

from matrixkit.convert import structure, unstructure
from matrixkit.errors import Problem, ValidationError
from matrixkit.frozen import FrozenDict, freeze
from matrixkit.model import Domain, Group, GuidanceSection, Instrument, Level, Source, instrument_problems

__all__ = [
    "FORMAT_VERSION",
    "AddedDomain",
    "DomainChange",
    "VariantSpec",
    "dump_instrument",
    "instrument_from_document",
    "instrument_to_dict",
    "loads_instrument",
    "locate_line",
    "locate_problems",
    "parse_toml",
    "read_instrument",
    "read_toml",
    "resolve_variant",
]

#: The version of the instrument file format this matrixkit reads and writes.
FORMAT_VERSION = 1

#: Looks up an instrument by id (for ``extends``); raises :class:`KeyError` or a MatrixkitError when unknown.
Lookup = Callable[[str], Instrument]

DescriptorChange = tuple[str, ...] | FrozenDict[str, str] | None


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@attrs.frozen
class DomainChange:
    """What a variant changes in one domain of its base (``[change_domains.<key>]``)."""

    title: str | None = attrs.field(default=None, metadata=_doc("New row title."))
    short_title: str | None = attrs.field(default=None, metadata=_doc("New short title."))
    group: str | None = attrs.field(default=None, metadata=_doc("Move the domain to this group."))
    guidance: str | None = attrs.field(default=None, metadata=_doc("New guidance for the domain."))
    descriptors: DescriptorChange = attrs.field(
        default=None,
        metadata=_doc(
            "Either a full list (one per level) or a table of level key = new descriptor, changing only "
            "the levels named."
        ),
    )


@attrs.frozen
class AddedDomain:
    """A domain a variant adds (``[[add_domains]]``): a domain plus where to put it."""

    key: str = attrs.field(metadata=_doc("Key of the new domain."))
    title: str = attrs.field(metadata=_doc("Row title."))
    descriptors: tuple[str, ...] = attrs.field(metadata=_doc("One descriptor per level, lowest first."))
    group: str | None = attrs.field(default=None, metadata=_doc("Optional group key."))
    short_title: str | None = attrs.field(default=None, metadata=_doc("Optional short title."))
    guidance: str = attrs.field(default="", metadata=_doc("Optional guidance."))
    after: str | None = attrs.field(
        default=None, metadata=_doc("Put the new domain after this domain key; at the end when omitted.")
    )

    def to_domain(self) -> Domain:
        return Domain(
            key=self.key,
            title=self.title,
            descriptors=self.descriptors,
            group=self.group,
            short_title=self.short_title,
            guidance=self.guidance,
        )


@attrs.frozen
class VariantSpec:
    """A variant file: an instrument described as changes to a base instrument."""

    id: str = attrs.field(metadata=_doc("Id of the variant (a new id, not the base's)."))
    extends: str = attrs.field(metadata=_doc("Id of the base instrument."))
    title: str | None = attrs.field(default=None, metadata=_doc("Title; the base's when omitted."))
    short_title: str | None = attrs.field(default=None, metadata=_doc("Short title."))
    version: str | None = attrs.field(default=None, metadata=_doc("Version; the base's when omitted."))
    description: str | None = attrs.field(default=None, metadata=_doc("Description; the base's when omitted."))
    source: Source | None = attrs.field(default=None, metadata=_doc("Source; the base's when omitted."))
    remove_domains: tuple[str, ...] = attrs.field(default=(), metadata=_doc("Keys of base domains to drop."))
    change_domains: FrozenDict[str, DomainChange] = attrs.field(
        factory=FrozenDict, converter=freeze, metadata=_doc("Changes to base domains, by domain key.")
    )
    add_domains: tuple[AddedDomain, ...] = attrs.field(default=(), metadata=_doc("New domains."))
    groups: tuple[Group, ...] = attrs.field(
        default=(), metadata=_doc("Groups to add, or to replace (same key as a base group).")
    )
    remove_groups: tuple[str, ...] = attrs.field(default=(), metadata=_doc("Keys of base groups to drop."))
    guidance: tuple[GuidanceSection, ...] = attrs.field(
        default=(), metadata=_doc("Guidance sections to add, or to replace (same key as a base section).")
    )
    remove_guidance: tuple[str, ...] = attrs.field(default=(), metadata=_doc("Keys of base guidance sections to drop."))


# Keys a variant may not carry, with what to do instead.
_VARIANT_FORBIDDEN = {
    "levels": "a variant keeps its base's levels so that results stay comparable; remove [[levels]]",
    "domains": "a variant changes its base's domains with remove_domains, [change_domains.KEY] and "
    "[[add_domains]]; remove [[domains]]",
    "based_on": "'based_on' is set by matrixkit when a variant is resolved; use 'extends'",
}


# -- reading ----------------------------------------------------------------------------------------


def read_toml(path: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """Read a TOML file; return its document and its text.

    Raises :class:`ValidationError` naming the file (and the line and column of a syntax error).
    """
    name = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(Problem(f"cannot read file: {exc.strerror or exc}", file=name)) from exc
    return parse_toml(raw, name), raw.decode("utf-8-sig", errors="replace")


def parse_toml(raw: bytes | str, name: str) -> dict[str, Any]:
    """Parse TOML text, turning decoding and syntax errors into located problems."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                Problem(
                    f"not UTF-8 text (byte {exc.start}); save the file as UTF-8",
                    file=name,
                    line=raw[: exc.start].count(b"\n") + 1,
                )
            ) from exc
    else:
        text = raw
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise ValidationError(
            Problem(f"column {exc.colno}: TOML syntax error: {exc.msg}", file=name, line=exc.lineno)
        ) from exc


def locate_line(text: str, field: str | None) -> int | None:
    """Best-effort line of a field path such as ``domains[3].descriptors`` in a TOML text."""
    if not field or not text:
        return None
    found = re.match(r"""(\w+)(?:\[(\d+)\])?(?:\.(\w+|'[^']*'|"[^"]*"))?""", field)
    if not found:
        return None
    table, index, sub = found.group(1), found.group(2), found.group(3)
    lines = text.splitlines()
    if index is not None:
        header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
        hits = [i for i, line in enumerate(lines, 1) if header.match(line)]
        if int(index) >= len(hits):
            return None
        start = hits[int(index)]
        if sub is not None:
            key = _key_line(sub)
            for i in range(start, len(lines)):
                if lines[i].lstrip().startswith("["):
                    break
                if key.match(lines[i]):
                    return i + 1
        return start
    if sub is not None:
        header = re.compile(rf"^\s*\[\s*{re.escape(table)}\.{re.escape(sub)}\s*[\].]")
        for i, line in enumerate(lines, 1):
            if header.match(line):
                return i
        # `sub = ...` inside the `[table]` table
        inside = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
        key = _key_line(sub)
        for i, line in enumerate(lines, 1):
            if inside.match(line):
                for j in range(i, len(lines)):
                    if lines[j].lstrip().startswith("["):
                        break
                    if key.match(lines[j]):
                        return j + 1
                return i
    key = re.compile(rf"^\s*{re.escape(table)}\s*=")
    table_header = re.compile(rf"^\s*\[+\s*{re.escape(table)}\s*[\].]")
    for i, line in enumerate(lines, 1):
        if key.match(line) or table_header.match(line):
            return i
    return None


def _key_line(key: str) -> re.Pattern[str]:
    """A line setting ``key`` (a bare key, or one quoted as problems name it: ``'Name'``), bare or quoted."""
    name = key[1:-1] if key[:1] in ("'", '"') else key
    quoted = re.escape(name)
    return re.compile(rf"""^\s*(?:{quoted}|"{quoted}"|'{quoted}')\s*[=.]""")


def locate_problems(problems: tuple[Problem, ...], file: str | None, text: str) -> ValidationError:
    """The problems of a TOML document, each located in ``file`` at the line of its field (best effort)."""
    return ValidationError(p.located(file, locate_line(text, p.field)) for p in problems)


def instrument_from_document(
    doc: Mapping[str, Any],
    *,
    lookup: Lookup | None = None,
    file: str | None = None,
    text: str = "",
) -> Instrument:
    """Build an instrument from a parsed TOML (or JSON) document, resolving ``extends`` with ``lookup``.

    Raises :class:`ValidationError` listing every problem, each located in ``file``.
    """
    try:
        return _from_document(doc, lookup)
    except ValidationError as exc:
        raise locate_problems(exc.problems, file, text) from exc


def _from_document(doc: Mapping[str, Any], lookup: Lookup | None) -> Instrument:
    if not isinstance(doc, Mapping):
        raise ValidationError(Problem("expected a table of instrument fields"))
    data = dict(doc)
    problems: list[Problem] = []
    version = data.pop("format", None)
    if version is None:
        problems.append(Problem(f"missing 'format = {FORMAT_VERSION}' (the version of the file format)"))
    elif version != FORMAT_VERSION:
        problems.append(
            Problem(
                f"unsupported format {version!r}; this matrixkit reads format {FORMAT_VERSION}",
                field="format",
            )
        )
    if "extends" in data:
        for key, advice in _VARIANT_FORBIDDEN.items():
            if key in data:
                problems.append(Problem(advice, field=key))
                data.pop(key)
        try:
            spec = structure(data, VariantSpec)
        except ValidationError as exc:
            raise ValidationError(problems + list(exc.problems)) from exc
        if spec.extends == spec.id:
            problems.append(Problem(f"a variant needs its own id, not its base's ({spec.extends!r})", field="id"))
        ValidationError.collect(problems)
        if lookup is None:
            raise ValidationError(Problem(f"cannot resolve 'extends = {spec.extends!r}' here", field="extends"))
        try:
            base = lookup(spec.extends)
        except KeyError as exc:
            raise ValidationError(
                Problem(f"unknown base instrument {spec.extends!r}{_known_hint(exc)}", field="extends")
            ) from exc
        return resolve_variant(spec, base)
    try:
        instrument = structure(data, Instrument)
    except ValidationError as exc:
        found = problems + list(exc.problems)
        raise ValidationError(found + [p for p in _partial_problems(data) if p not in found]) from exc
    ValidationError.collect(problems)
    return instrument


def _partial_problems(data: dict[str, Any]) -> list[Problem]:
    """Cross-field problems of a document whose structuring failed, from the parts that did structure."""

    def parts(key: str, cls: type[Any]) -> list[tuple[int, Any]]:
        items = data.get(key, [])
        good = []
        for i, item in enumerate(items if isinstance(items, list) else []):
            with contextlib.suppress(ValidationError):
                good.append((i, structure(item, cls)))
        return good

    levels = data.get("levels")
    return list(
        instrument_problems(
            data.get("id"),
            data.get("title", "?"),
            data.get("version"),
            parts("levels", Level),
            parts("domains", Domain),
            parts("groups", Group),
            parts("guidance", GuidanceSection),
            level_count=len(levels) if isinstance(levels, list) else 0,
        )
    )


def _known_hint(exc: KeyError) -> str:
    detail = exc.args[0] if exc.args and isinstance(exc.args[0], str) and " " in exc.args[0] else ""
    return f" ({detail})" if detail else ""


def read_instrument(path: str | os.PathLike[str], *, lookup: Lookup | None = None) -> Instrument:
    """Read and validate an instrument (or variant) file; ``lookup`` finds the base of a variant."""
    doc, text = read_toml(path)
    return instrument_from_document(doc, lookup=lookup, file=os.fspath(path), text=text)


def loads_instrument(text: str, *, name: str = "<string>", lookup: Lookup | None = None) -> Instrument:
    """Load and validate an instrument from TOML text."""
    return instrument_from_document(parse_toml(text, name), lookup=lookup, file=name, text=text)


# -- variants ---------------------------------------------------------------------------------------


def resolve_variant(spec: VariantSpec, base: Instrument) -> Instrument:
    """Apply a variant's changes to its base; raise :class:`ValidationError` listing every problem."""
    problems: list[Problem] = []
    base_keys = set(base.domain_keys)
    removed = set()
    for i, key in enumerate(spec.remove_domains):
        if key not in base_keys:
            problems.append(_unknown_domain(key, base, f"remove_domains[{i}]"))
        removed.add(key)
    domains: list[Domain] = [d for d in base.domains if d.key not in removed]
    level_keys = base.level_keys
    for key, change in spec.change_domains.items():
        where = f"change_domains.{key}"
        if key not in base_keys:
            problems.append(_unknown_domain(key, base, where))
            continue
        if key in removed:
            problems.append(Problem(f"domain {key!r} is both removed and changed", field=where))
            continue
        index = next(i for i, d in enumerate(domains) if d.key == key)
        domain = domains[index]
        updates: dict[str, Any] = {
            name: value
            for name in ("title", "short_title", "group", "guidance")
            if (value := getattr(change, name)) is not None
        }
        if isinstance(change.descriptors, FrozenDict):
            new = list(domain.descriptors)
            for level_key, text in change.descriptors.items():
                if level_key not in level_keys:
                    problems.append(
                        Problem(
                            f"{level_key!r} is not a level key of {base.id} (levels: {', '.join(level_keys)})",
                            field=f"{where}.descriptors",
                        )
                    )
                else:
                    new[level_keys.index(level_key)] = text
            updates["descriptors"] = tuple(new)
        elif change.descriptors is not None:
            updates["descriptors"] = change.descriptors
        try:
            domains[index] = attrs.evolve(domain, **updates)
        except ValidationError as exc:
            problems += [p.under(where) for p in exc.problems]
    for i, added in enumerate(spec.add_domains):
        where = f"add_domains[{i}]"
        if any(d.key == added.key for d in domains):
            problems.append(
                Problem(
                    f"domain {added.key!r} already exists in {base.id}; change it with "
                    f"[change_domains.{added.key}] or remove it first",
                    field=where,
                )
            )
            continue
        try:
            domain = added.to_domain()
        except ValidationError as exc:
            problems += [p.under(where) for p in exc.problems]
            continue
        if added.after is None:
            domains.append(domain)
        else:
            position = next((j for j, d in enumerate(domains) if d.key == added.after), None)
            if position is None:
                problems.append(_unknown_domain(added.after, base, f"{where}.after", also_added=domains))
                continue
            domains.insert(position + 1, domain)
    groups = _merge_by_key(base.groups, spec.groups, spec.remove_groups, "remove_groups", problems)
    guidance = _merge_by_key(base.guidance, spec.guidance, spec.remove_guidance, "remove_guidance", problems)
    ValidationError.collect(problems)
    return Instrument(
        id=spec.id,
        title=spec.title if spec.title is not None else base.title,
        short_title=spec.short_title if spec.short_title is not None else base.short_title,
        version=spec.version if spec.version is not None else base.version,
        description=spec.description if spec.description is not None else base.description,
        source=spec.source if spec.source is not None else base.source,
        levels=base.levels,
        domains=domains,
        groups=groups,
        guidance=guidance,
        based_on=base.id,
    )


def _unknown_domain(key: str, base: Instrument, field: str, also_added: list[Domain] | None = None) -> Problem:
    known = [d.key for d in also_added] if also_added is not None else list(base.domain_keys)
    return Problem(f"{key!r} is not a domain of {base.id} (domains: {', '.join(known)})", field=field)


_Keyed = TypeVar("_Keyed", Group, GuidanceSection)


def _merge_by_key(
    base: tuple[_Keyed, ...],
    new: tuple[_Keyed, ...],
    remove: tuple[str, ...],
    field: str,
    problems: list[Problem],
) -> list[_Keyed]:
    keys = {item.key for item in base}
    for i, key in enumerate(remove):
        if key not in keys:
            has = ", ".join(sorted(keys)) or "nothing"
            problems.append(Problem(f"{key!r} is not in the base (it has: {has})", field=f"{field}[{i}]"))
    merged = {item.key: item for item in base if item.key not in remove}
    for item in new:
        merged[item.key] = item
    return list(merged.values())


# -- writing ----------------------------------------------------------------------------------------


def _prune(value: Any) -> Any:
    """Drop None and empty values (all of which are defaults) so that TOML stays readable."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {}, ())}
    if isinstance(value, list | tuple):
        return [_prune(v) for v in value]
    return value


def instrument_to_dict(instrument: Instrument, *, compact: bool = False) -> dict[str, Any]:
    """The instrument as plain data with ``format`` first; ``compact`` drops empty and default fields."""
    plain = unstructure(instrument)
    data: dict[str, Any] = {"format": FORMAT_VERSION}
    data.update((key, plain.pop(key)) for key in _KEY_ORDER if key in plain)
    data.update(plain)
    return _prune(data) if compact else data


# Key order of written files: identification first, then the matrix, then the long texts.
_KEY_ORDER = (
    "id",
    "title",
    "short_title",
    "version",
    "description",
    "based_on",
    "levels",
    "groups",
    "domains",
)


def dump_instrument(instrument: Instrument) -> str:
    """The instrument as TOML text that :func:`loads_instrument` reads back to an equal instrument."""
    return tomli_w.dumps(instrument_to_dict(instrument, compact=True), multiline_strings=False)
