"""JSON Schema of the instrument file format, generated from the attrs models the loader uses.

Editors (VS Code with Even Better TOML, JetBrains IDEs) use it to complete and check instrument files. It is
generated, not written by hand, so it cannot drift from the loader: ``docs/instrument.schema.json`` is the
output of :func:`instrument_schema` and a test fails when the committed file is stale. Regenerate it with
``matrixkit schema -o docs/instrument.schema.json``.

The schema checks shape and types. A few rules need the whole document and are checked by the loader only
(one descriptor per level, declared groups, unique keys, strictly increasing scores).
"""

from __future__ import annotations

import types
import typing
from typing import Any

import attrs

from matrixkit.format import FORMAT_VERSION, AddedDomain, DescriptorChange, DomainChange, VariantSpec
from matrixkit.frozen import FrozenDict
from matrixkit.model import KEY_PATTERN, MAX_LEVELS, Domain, Group, GuidanceSection, Instrument, Level, Source

__all__ = ["instrument_schema"]

_KEY_FIELDS = {"key", "id", "group", "extends", "based_on", "after"}
_KEY_LIST_FIELDS = {"remove_domains", "remove_groups", "remove_guidance"}
_MIN_ITEMS: dict[tuple[type, str], int] = {(Instrument, "levels"): 2, (Instrument, "domains"): 1}
_MAX_ITEMS: dict[tuple[type, str], int] = {(Instrument, "levels"): MAX_LEVELS}
_MODELS: tuple[type, ...] = (
    Instrument,
    Level,
    Group,
    Domain,
    GuidanceSection,
    Source,
    VariantSpec,
    DomainChange,
    AddedDomain,
)


def _type_schema(cls: type, name: str, tp: Any) -> dict[str, Any]:
    if tp == DescriptorChange:
        return {
            "anyOf": [
                {"type": "array", "items": {"type": "string", "minLength": 1}},
                {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}},
            ]
        }
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = _type_schema(cls, name, options[0]) if len(options) == 1 else {}
        return {"anyOf": [inner, {"type": "null"}]} if type(None) in args else inner
    if origin is tuple:
        schema: dict[str, Any] = {"type": "array", "items": _type_schema(cls, name, args[0])}
        if name in _KEY_LIST_FIELDS:
            schema["items"] = {"type": "string", "pattern": KEY_PATTERN}
        if (cls, name) in _MIN_ITEMS:
            schema["minItems"] = _MIN_ITEMS[(cls, name)]
        if (cls, name) in _MAX_ITEMS:
            schema["maxItems"] = _MAX_ITEMS[(cls, name)]
        return schema
    if origin in (dict, FrozenDict):
        return {"type": "object", "additionalProperties": _type_schema(cls, name, args[1])}
    if attrs.has(tp):
        return {"$ref": f"#/$defs/{tp.__name__}"}
    if tp is str:
        if name in _KEY_FIELDS:
            return {"type": "string", "pattern": KEY_PATTERN}
        if name == "colour":
            return {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}
        return {"type": "string"}
    if tp is int:
        return {"type": "integer"}
    raise TypeError(f"no JSON Schema for {cls.__name__}.{name}: {tp!r}")  # pragma: no cover - a new field type


def _model_schema(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        schema = _type_schema(cls, field.name, hints[field.name])
        doc = field.metadata.get("doc")
        if doc:
            schema = {"description": doc, **schema}
        if field.default is attrs.NOTHING:
            required.append(field.name)
            if schema.get("type") == "string" and "pattern" not in schema:
                schema["minLength"] = 1
        properties[field.name] = schema
    result: dict[str, Any] = {"type": "object"}
    if cls.__doc__:
        result["description"] = " ".join(cls.__doc__.split())
    result["properties"] = properties
    if required:
        result["required"] = required
    result["additionalProperties"] = False
    return result


def _file_schema(cls: type) -> dict[str, Any]:
    schema = _model_schema(cls)
    schema["properties"] = {
        "format": {"description": "Version of the file format itself.", "const": FORMAT_VERSION},
        **schema["properties"],
    }
    schema["required"] = ["format", *schema.get("required", [])]
    return schema


def instrument_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an instrument file: a whole instrument or a variant."""
    defs = {cls.__name__: _model_schema(cls) for cls in _MODELS}
    defs["InstrumentFile"] = _file_schema(Instrument)
    defs["VariantFile"] = _file_schema(VariantSpec)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"matrixkit instrument file (format {FORMAT_VERSION})",
        "description": (
            "A maturity-matrix instrument: levels (columns, lowest first) and domains (rows) with one descriptor "
            "per level; or, with 'extends', a variant that changes another instrument."
        ),
        "type": "object",
        "if": {"required": ["extends"]},
        "then": {"$ref": "#/$defs/VariantFile"},
        "else": {"$ref": "#/$defs/InstrumentFile"},
        "$defs": defs,
    }
