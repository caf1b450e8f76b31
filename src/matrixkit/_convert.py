"""The one private cattrs converter of matrixkit, and the translation of its errors into located problems.

Never use cattrs' global converter: plugins may configure it differently. Every model that crosses a file or
wire boundary (instruments, variants, responses, collations, workshop records) goes through :data:`converter`.

Structuring is strict: a string field accepts only a string (not a number that happens to print), an integer
field only an integer (not a boolean or a float), unknown keys are errors, and every problem found in a
document is reported, each with the path of the field it concerns.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from matrixkit.errors import Problem, ValidationError

__all__ = ["converter", "problems_from", "structure", "unstructure"]

T = TypeVar("T")


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)

    def structure_str(value: Any, _: type) -> str:
        if not isinstance(value, str):
            raise TypeError(f"expected text, found {_describe(value)}")
        return value

    def structure_int(value: Any, _: type) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected a whole number, found {_describe(value)}")
        return value

    def structure_float(value: Any, _: type) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected a number, found {_describe(value)}")
        return float(value)

    def structure_bool(value: Any, _: type) -> bool:
        if not isinstance(value, bool):
            raise TypeError(f"expected true or false, found {_describe(value)}")
        return value

    def is_homogeneous_tuple(tp: Any) -> bool:
        args = typing.get_args(tp)
        return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis

    def tuple_hook_factory(tp: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
        element = typing.get_args(tp)[0]
        element_hook = conv.get_structure_hook(element)

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            # A string is iterable but never a list of things: refuse it instead of splitting it into letters.
            if not isinstance(value, list | tuple):
                raise TypeError(f"expected a list, found {_describe(value)}")
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

    conv.register_structure_hook_factory(is_homogeneous_tuple, tuple_hook_factory)
    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(float, structure_float)
    conv.register_structure_hook(bool, structure_bool)
    return conv


def _describe(value: Any) -> str:
    kind = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        tuple: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kind} ({shown})" if kind not in ("a list", "a table") else kind


#: The converter. Import it only inside matrixkit; it is not public API.
converter = _make_converter()


def _join(path: str, part: str) -> str:
    if part.startswith("["):
        return f"{path}{part}"
    return f"{path}.{part}" if path else part


def problems_from(exc: BaseException, path: str = "") -> Iterator[Problem]:
    """Turn a (possibly nested) cattrs or validation exception into located problems."""
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
    elif isinstance(exc, KeyError):
        yield Problem("required key missing", field=path or None)
    elif isinstance(exc, TypeError | ValueError) and str(exc).startswith(("expected", "must")):
        yield Problem(str(exc), field=path or None)
    elif isinstance(exc, TypeError):
        # attrs raises TypeError for missing required arguments when structuring bypasses cattrs' checks.
        yield Problem(f"invalid value: {exc}", field=path or None)
    elif isinstance(exc, ValueError):
        yield Problem(str(exc), field=path or None)
    elif isinstance(exc, cattrs.StructureHandlerNotFoundError):
        yield Problem(f"unsupported value: {exc}", field=path or None)
    else:
        yield Problem(f"invalid value: {exc}", field=path or None)


def structure(data: Any, cls: type[T], path: str = "") -> T:
    """Structure ``data`` as ``cls``; raise :class:`ValidationError` listing every problem."""
    if not isinstance(data, dict) and hasattr(cls, "__attrs_attrs__"):
        raise ValidationError(Problem(f"expected a table, found {_describe(data)}", field=path or None))
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, ValidationError, TypeError, ValueError, KeyError) as exc:
        raise ValidationError(list(problems_from(exc, path))) from exc


def unstructure(obj: Any) -> Any:
    """Plain data (dicts, lists, strings, numbers, None) for ``obj``."""
    return converter.unstructure(obj)
