"""The one cattrs converter of matrixkit, and the translation of its errors into located problems.

Every document that crosses a file or wire boundary — instruments and variants, response files, collation JSON,
workshop records, mapping files, the configuration — is structured by the converter :func:`make_converter`
builds, with every hook registered there and nowhere else. Never use cattrs' global converter: plugins may
configure it differently.

Structuring is strict: a string field accepts only a string (not a number that happens to print), an integer
field only an integer (not a boolean or a float), a list field only a list (never a string split into
letters), unknown keys are errors, and a union is resolved by the kind of value found (text, number, list,
table, date). Every problem found in a document is reported, each with the path of the field it concerns.

Hooks raise :class:`FieldError` for a value of the wrong kind; :func:`problems_from` maps each exception *type*
to a problem (never by reading its message).
"""

from __future__ import annotations

import datetime
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from matrixkit.errors import Problem, ValidationError
from matrixkit.frozen import FrozenDict

__all__ = [
    "FieldError",
    "converter",
    "describe",
    "lenient_converter",
    "make_converter",
    "problems_from",
    "structure",
    "unstructure",
]

T = TypeVar("T")


class FieldError(ValueError):
    """A value of the wrong kind; the message says what was expected and what was found."""


def describe(value: Any) -> str:
    """How a value found in a document is named in messages: ``text ('abc')``, ``a number (3)``, ``a list``."""
    kind = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        tuple: "a list",
        dict: "a table",
        datetime.date: "a date",
        datetime.datetime: "a date and time",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)
    if kind in ("a list", "a table", "nothing"):
        return kind
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kind} ({shown})"


# -- the kinds of value a union member accepts ----------------------------------------------------------


def _accepts(member: Any, value: Any) -> bool:
    """Whether ``value``'s kind fits the union member ``member`` (a type or a generic alias)."""
    origin = typing.get_origin(member) or member
    if member is type(None):
        return value is None
    if origin is str:
        return isinstance(value, str)
    if origin is bool:
        return isinstance(value, bool)
    if origin is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if origin in (tuple, list):
        return isinstance(value, list | tuple)
    if origin in (dict, FrozenDict, Mapping) or attrs.has(origin):
        return isinstance(value, Mapping)
    if origin is datetime.date:
        return isinstance(value, datetime.date)
    return False


_KIND_NAMES: dict[Any, str] = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    tuple: "a list",
    list: "a list",
    dict: "a table",
    FrozenDict: "a table",
    datetime.date: "a date",
}


def _expected(members: tuple[Any, ...]) -> str:
    names = []
    for member in members:
        if member is type(None):
            continue
        origin = typing.get_origin(member) or member
        name = "a table" if attrs.has(origin) else _KIND_NAMES.get(origin, getattr(origin, "__name__", str(origin)))
        if name not in names:
            names.append(name)
    return " or ".join(names)


def make_converter(*, forbid_extra_keys: bool = True) -> cattrs.Converter:
    """A new converter with every hook matrixkit uses (the module's :data:`converter` is one).

    ``forbid_extra_keys=False`` makes the converter of documents whose format promises that readers ignore keys
    they do not know (the collation JSON: :data:`lenient_converter`); it is as strict about everything else.
    """
    conv = cattrs.Converter(forbid_extra_keys=forbid_extra_keys, detailed_validation=True)

    def structure_str(value: Any, _: type) -> str:
        if not isinstance(value, str):
            raise FieldError(f"expected text, found {describe(value)}")
        return value

    def structure_int(value: Any, _: type) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError(f"expected a whole number, found {describe(value)}")
        return value

    def structure_float(value: Any, _: type) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldError(f"expected a number, found {describe(value)}")
        return float(value)

    def structure_bool(value: Any, _: type) -> bool:
        if not isinstance(value, bool):
            raise FieldError(f"expected true or false, found {describe(value)}")
        return value

    def structure_date(value: Any, _: type) -> datetime.date:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise FieldError(f"expected a date like 2025-03-14, found {describe(value)}")

    def structure_datetime(value: Any, _: type) -> datetime.datetime:
        # A TOML date-time keeps its time (the date hook would drop it); JSON has it as ISO text.
        if isinstance(value, datetime.datetime):
            return value
        if isinstance(value, datetime.date):
            return datetime.datetime.combine(value, datetime.time())
        if isinstance(value, str):
            try:
                return datetime.datetime.fromisoformat(value.strip())
            except ValueError:
                pass
        raise FieldError(f"expected a date and time like 2025-03-14T10:15:00, found {describe(value)}")

    def is_homogeneous_tuple(tp: Any) -> bool:
        args = typing.get_args(tp)
        return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis

    def tuple_hook_factory(tp: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
        element = typing.get_args(tp)[0]
        element_hook = conv.get_structure_hook(element)

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            # A string is iterable but never a list of things: refuse it instead of splitting it into letters.
            if not isinstance(value, list | tuple):
                raise FieldError(f"expected a list, found {describe(value)}")
            items, errors = [], []
            for index, item in enumerate(value):
                try:
                    items.append(element_hook(item, element))
                except Exception as exc:
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        IterableValidationNote(f"Structuring {tp!r} @ index {index}", index, element),
                    ]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
            return tuple(items)

        return structure_tuple

    def is_frozen_dict(tp: Any) -> bool:
        return bool(typing.get_origin(tp) is FrozenDict or tp is FrozenDict)

    def frozen_dict_hook_factory(tp: Any) -> Callable[[Any, Any], FrozenDict[Any, Any]]:
        key_type, value_type = typing.get_args(tp) or (str, Any)
        key_hook = conv.get_structure_hook(key_type)
        value_hook = conv.get_structure_hook(value_type)

        def structure_frozen_dict(value: Any, _: Any) -> FrozenDict[Any, Any]:
            if not isinstance(value, dict | Mapping):  # a dict first: the ABC's check is slower
                raise FieldError(f"expected a table, found {describe(value)}")
            items, errors = {}, []
            for key, item in value.items():
                try:
                    items[key_hook(key, key_type)] = value_hook(item, value_type)
                except Exception as exc:
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        IterableValidationNote(f"Structuring {tp!r} @ key {key!r}", str(key), value_type),
                    ]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
            return FrozenDict(items)

        return structure_frozen_dict

    def is_union_of_kinds(tp: Any) -> bool:
        if typing.get_origin(tp) not in (typing.Union, types.UnionType):
            return False
        members = [m for m in typing.get_args(tp) if m is not type(None)]
        return len(members) > 1

    def union_hook_factory(tp: Any) -> Callable[[Any, Any], Any]:
        members = typing.get_args(tp)

        def structure_union(value: Any, _: Any) -> Any:
            for member in members:
                if _accepts(member, value):
                    return None if member is type(None) else conv.structure(value, member)
            raise FieldError(f"expected {_expected(members)}, found {describe(value)}")

        return structure_union

    conv.register_structure_hook_factory(is_homogeneous_tuple, tuple_hook_factory)
    conv.register_structure_hook_factory(is_frozen_dict, frozen_dict_hook_factory)
    conv.register_structure_hook_factory(is_union_of_kinds, union_hook_factory)
    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(float, structure_float)
    conv.register_structure_hook(bool, structure_bool)
    conv.register_structure_hook(datetime.date, structure_date)
    conv.register_structure_hook(datetime.datetime, structure_datetime)

    def unstructure_frozen_dict(mapping: FrozenDict[Any, Any]) -> dict[Any, Any]:
        return {conv.unstructure(k): conv.unstructure(v) for k, v in mapping.items()}

    conv.register_unstructure_hook_func(is_frozen_dict, unstructure_frozen_dict)
    conv.register_unstructure_hook(datetime.date, lambda d: d)
    return conv


#: The converter. Import it only inside matrixkit; it is not public API.
converter = make_converter()
#: The converter of documents whose readers must ignore keys they do not know (the collation JSON).
lenient_converter = make_converter(forbid_extra_keys=False)


def _join(path: str, part: str) -> str:
    if part.startswith("["):
        return f"{path}{part}"
    return f"{path}.{part}" if path else part


def problems_from(exc: BaseException, path: str = "") -> Iterator[Problem]:
    """Turn a (possibly nested) cattrs or validation exception into located problems, by exception type."""
    if isinstance(exc, ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            name = getattr(note, "name", None)
            yield from problems_from(sub, _join(path, str(name)) if name else path)
        for sub in without:
            yield from problems_from(sub, path)
    elif isinstance(exc, IterableValidationError):
        with_inotes, without = exc.group_exceptions()
        for sub, inote in with_inotes:
            index = getattr(inote, "index", None)
            if isinstance(index, int):
                yield from problems_from(sub, _join(path, f"[{index}]"))
            else:
                yield from problems_from(sub, _join(path, str(index)) if index is not None else path)
        for sub in without:
            yield from problems_from(sub, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        allowed = sorted(a.name for a in getattr(exc.cl, "__attrs_attrs__", ()))
        for key in sorted(exc.extra_fields):
            yield Problem(f"unknown key (expected one of: {', '.join(allowed)})", field=_join(path, key))
    elif isinstance(exc, ValidationError):
        for problem in exc.problems:
            yield problem.under(path)
    elif isinstance(exc, FieldError):
        yield Problem(str(exc), field=path or None)
    elif isinstance(exc, KeyError):
        yield Problem("required key missing", field=path or None)
    elif isinstance(exc, cattrs.StructureHandlerNotFoundError):
        yield Problem(f"unsupported value: {exc}", field=path or None)
    else:
        yield Problem(f"invalid value: {exc}", field=path or None)


def structure(data: Any, cls: type[T], path: str = "", *, lenient: bool = False) -> T:
    """Structure ``data`` as ``cls`` (ignoring unknown keys when ``lenient``); raise :class:`ValidationError`
    listing every problem."""
    if attrs.has(cls) and not isinstance(data, Mapping):
        raise ValidationError(Problem(f"expected a table, found {describe(data)}", field=path or None))
    try:
        return (lenient_converter if lenient else converter).structure(data, cls)
    except (cattrs.BaseValidationError, ValidationError, FieldError, TypeError, ValueError, KeyError) as exc:
        raise ValidationError(list(problems_from(exc, path))) from exc


def unstructure(obj: Any) -> Any:
    """Plain data (dicts, lists, strings, numbers, dates, None) for ``obj``."""
    return converter.unstructure(obj)
