"""The structural checks of what plugins register: each object's name, attributes and methods.

The registry runs them on every registration and refuses (naming the plugin) an object that fails, so one bad
exporter cannot break ``matrixkit formats`` for everyone; the contract test kit
(:mod:`matrixkit.testing.contract`) runs the same checks, and then checks behaviour.

Each function returns the list of what is wrong (empty when nothing is).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

from matrixkit.exporting import KINDS
from matrixkit.model import KEY_PATTERN

__all__ = ["command_problems", "exporter_problems", "reader_problems", "rule_problems"]

_NAME_RE = re.compile(KEY_PATTERN)


def _name_problems(obj: object, what: str) -> list[str]:
    name = getattr(obj, "name", None)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        return [f"{what} needs a kebab-case 'name' (like 'my-format'), has {name!r}"]
    return []


def _text_problems(obj: object, attribute: str, what: str) -> list[str]:
    value = getattr(obj, attribute, None)
    if not isinstance(value, str) or not value.strip() or "\n" in value.strip():
        return [f"{what} needs a one-line '{attribute}' text, has {value!r}"]
    return []


def _callable_problems(obj: object, attribute: str, what: str, parameters: int) -> list[str]:
    method = getattr(obj, attribute, None)
    if not callable(method):
        return [f"{what} needs a method '{attribute}'"]
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):
        return []
    try:
        signature.bind(*range(parameters))
    except TypeError:
        return [f"{what}'s '{attribute}' must accept {parameters} argument(s), its signature is {signature}"]
    return []


def rule_problems(rule: object) -> list[str]:
    """What is wrong with a consensus rule (``name``, ``description``, ``suggest(tally, instrument)``)."""
    what = "a consensus rule"
    return (
        _name_problems(rule, what)
        + _text_problems(rule, "description", what)
        + _callable_problems(rule, "suggest", what, 2)
    )


def exporter_problems(exporter: object) -> list[str]:
    """What is wrong with an exporter (name, extension, media type, description, kinds, availability, and a
    render method for each kind)."""
    what = "an exporter"
    problems = _name_problems(exporter, what) + _text_problems(exporter, "description", what)
    extension = getattr(exporter, "extension", None)
    if not isinstance(extension, str) or not re.fullmatch(r"\.[a-z0-9]+(\.[a-z0-9]+)*", extension):
        problems.append(f"{what} needs an 'extension' like '.pdf', has {extension!r}")
    media = getattr(exporter, "media_type", None)
    if not isinstance(media, str) or "/" not in media:
        problems.append(f"{what} needs a 'media_type' like 'application/pdf', has {media!r}")
    kinds = getattr(exporter, "kinds", None)
    if not isinstance(kinds, set | frozenset) or not kinds or not all(isinstance(k, str) for k in kinds):
        problems.append(f"{what} needs 'kinds', a non-empty set of kinds it renders (of: {', '.join(KINDS)})")
    else:
        unknown = sorted(k for k in kinds if k not in KINDS)
        if unknown:
            problems.append(f"{what} lists unknown kinds {unknown} (known: {', '.join(KINDS)})")
        for kind in sorted(k for k in kinds if k in KINDS):
            problems += _callable_problems(exporter, f"render_{kind.replace('-', '_')}", what, 1)
    problems += _callable_problems(exporter, "availability", what, 0)
    return problems


def reader_problems(reader: object) -> list[str]:
    """What is wrong with a reader (``name``, ``extensions``, ``description``, ``read(path, instrument,
    options)``)."""
    what = "a reader"
    problems = _name_problems(reader, what) + _text_problems(reader, "description", what)
    extensions = getattr(reader, "extensions", None)
    if (
        not isinstance(extensions, tuple | list)
        or not extensions
        or not all(isinstance(e, str) and re.fullmatch(r"\.[a-z0-9]+(\.[a-z0-9]+)*", e) for e in extensions)
    ):
        problems.append(f"{what} needs 'extensions', a tuple like ('.csv',) in lowercase, has {extensions!r}")
    return problems + _callable_problems(reader, "read", what, 3)


def command_problems(name: object, run: object, configure: object) -> list[str]:
    """What is wrong with a command (a kebab-case name, ``run(args, context)``, ``configure(parser)`` or None)."""
    what = "a command"
    problems = []
    if not isinstance(name, str) or not _NAME_RE.match(name):
        problems.append(f"{what} needs a kebab-case name, has {name!r}")
    problems += _function_problems(run, "run", what, 2)
    if configure is not None:
        problems += _function_problems(configure, "configure", what, 1)
    return problems


def _function_problems(function: object, label: str, what: str, parameters: int) -> list[str]:
    if not callable(function):
        return [f"{what}'s '{label}' must be callable"]
    checked: Callable[..., object] = function
    try:
        inspect.signature(checked).bind(*range(parameters))
    except TypeError:
        return [f"{what}'s '{label}' must accept {parameters} argument(s)"]
    except ValueError:
        return []
    return []
