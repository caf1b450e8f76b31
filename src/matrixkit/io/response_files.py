"""Response files in TOML and JSON: reading, writing, and telling them apart from collation files.

A response file holds one response::

    format = 1
    participant = "Ann"
    instrument = "pit-a"
    version = "1.0"                 # optional
    completed = 2025-03-12T10:15:00 # optional
    [attributes]
    sector = "civic"
    [choices]
    leadership = "developing"       # any spelling of a level (score, key, label, alias, ...)
    [comments]
    leadership = "Improving since the new board."

or many, as ``[[responses]]`` tables (``instrument`` and ``version`` may be given once at the top), or in JSON
also a bare list of responses. Documents are structured by the one converter
(:mod:`matrixkit.convert`): unknown keys and values of the wrong kind are located problems.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import attrs
import tomli_w

from matrixkit.convert import structure
from matrixkit.errors import Problem, ValidationError
from matrixkit.format import locate_line, read_toml
from matrixkit.frozen import FrozenDict, freeze
from matrixkit.io.options import AnswerPolicy, ReadOptions
from matrixkit.io.readers import Reading, Rejected, ResponsesReading
from matrixkit.model import Instrument
from matrixkit.responses import Response

__all__ = [
    "RESPONSES_FORMAT",
    "JsonReader",
    "TomlReader",
    "read_document",
    "read_json",
    "response_to_dict",
    "responses_reading",
    "responses_to_document",
    "write_responses",
]

#: The version of the response file format.
RESPONSES_FORMAT = 1

Scalar = str | int | float


@attrs.frozen
class ResponseDocument:
    """One response as written in a file (answers as people wrote them, read against the instrument later)."""

    participant: str | int
    instrument: str | None = None
    version: Scalar | None = None
    attributes: FrozenDict[str, Scalar] = attrs.field(factory=FrozenDict, converter=freeze)
    choices: FrozenDict[str, Scalar | None] = attrs.field(factory=FrozenDict, converter=freeze)
    comments: FrozenDict[str, str] = attrs.field(factory=FrozenDict, converter=freeze)
    completed: datetime.datetime | None = None
    format: int | None = None


@attrs.frozen
class ResponsesDocument:
    """Many responses, with the instrument (and version) given once."""

    responses: tuple[Any, ...]  # each checked as a ResponseDocument, so that every problem is located
    format: int | None = None
    instrument: str | None = None
    version: Scalar | None = None


def read_json(path: str | os.PathLike[str]) -> object:
    """Parse a JSON file, turning read, decoding and syntax errors into located problems."""
    file = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(Problem(f"cannot read file: {exc.strerror or exc}", file=file)) from exc
    if not raw or raw.isspace():  # (isspace stops at the first other byte; strip would copy the file)
        raise ValidationError(Problem("empty file", file=file))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValidationError(Problem("not UTF-8 text; save the file as UTF-8", file=file, line=line)) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            Problem(f"column {exc.colno}: JSON syntax error: {exc.msg}", file=file, line=exc.lineno)
        ) from exc


def read_document(path: str | os.PathLike[str]) -> tuple[object, str]:
    """The parsed document of a ``.json`` or ``.toml`` file and its text (for locating problems; empty for
    JSON, whose problems are located by field)."""
    if Path(path).suffix.lower() == ".toml":
        return read_toml(path)
    return read_json(path), ""


def _version(value: Scalar | None) -> str | None:
    return None if value is None else str(value)


def _responses(
    doc: object, instrument: Instrument, options: ReadOptions, locate: Any
) -> Iterator[tuple[str, Response] | Rejected | Problem]:
    """The responses of a parsed response-file document, or the problems found building them."""
    items: list[tuple[str, object]]
    defaults: dict[str, Any] = {}
    if isinstance(doc, list):
        items = [(f"[{i}]", item) for i, item in enumerate(doc)]
    elif isinstance(doc, Mapping) and "responses" in doc:
        try:
            many = structure(doc, ResponsesDocument)
        except ValidationError as exc:
            yield from (locate(p) for p in exc.problems)
            return
        defaults = {k: v for k, v in (("instrument", many.instrument), ("version", many.version)) if v is not None}
        items = [
            (f"responses[{i}]", {**defaults, **item} if isinstance(item, Mapping) else item)
            for i, item in enumerate(many.responses)
        ]
    elif isinstance(doc, Mapping):
        items = [("", doc)]
    else:
        yield Problem("expected a response (a table) or a list of responses")
        return
    if not items:
        yield Problem("no responses in the file")
        return
    policy = AnswerPolicy(instrument, options)
    for where, item in items:
        try:
            parsed = structure(item, ResponseDocument, where)
        except ValidationError as exc:
            yield from (locate(p) for p in exc.problems)
            continue
        problems = []
        if parsed.instrument is not None and parsed.instrument != instrument.id:
            problems.append(
                Problem(f"a response to {parsed.instrument!r}, not to {instrument.id!r}", field="instrument")
            )
        version = _version(parsed.version)
        if version is not None and version != instrument.version:
            problems.append(
                Problem(
                    f"a response to version {version} of {instrument.id}, not to version {instrument.version}",
                    field="version",
                )
            )
        participant = str(parsed.participant).strip()
        if not participant:
            problems.append(Problem("required: the participant's id as text", field="participant"))
        try:
            response = Response.build(
                instrument,
                participant or "?",
                parsed.choices,
                attributes={k: str(v) for k, v in parsed.attributes.items()},
                comments=parsed.comments,
                read=policy.read,
                completed=parsed.completed,
            )
        except ValidationError as exc:
            problems += exc.problems
            response = None
        if problems:
            located = tuple(locate(p.under(where)) for p in problems)
            yield Rejected(participant, where or "the response", located) if participant else located[0]
            if not participant:
                yield from located[1:]
        elif response is not None:
            yield where or "the response", response


def responses_reading(
    doc: object, name: str, text: str, instrument: Instrument, options: ReadOptions
) -> ResponsesReading:
    """A reading of a parsed response-file document (``text`` locates problems in TOML files)."""

    def locate(problem: Problem) -> Problem:
        return problem.located(name, locate_line(text, problem.field) if text else None)

    reading = ResponsesReading(name, instrument, _responses(doc, instrument, options, locate))
    return reading


class TomlReader:
    """TOML response files: one response, or ``[[responses]]`` tables."""

    name: ClassVar[str] = "toml"
    extensions: ClassVar[tuple[str, ...]] = (".toml",)
    description: ClassVar[str] = "TOML response file: one response, or many as [[responses]]"

    def read(self, path: str | os.PathLike[str], instrument: Instrument, options: ReadOptions) -> Reading:
        doc, text = read_toml(path)
        return responses_reading(doc, os.fspath(path), text, instrument, options)


class JsonReader:
    """JSON response files: one response object, ``{"responses": [...]}`` or a list of responses."""

    name: ClassVar[str] = "json"
    extensions: ClassVar[tuple[str, ...]] = (".json",)
    description: ClassVar[str] = 'JSON response file: one response, {"responses": [...]} or a list'

    def read(self, path: str | os.PathLike[str], instrument: Instrument, options: ReadOptions) -> Reading:
        return responses_reading(read_json(path), os.fspath(path), "", instrument, options)


# -- writing ---------------------------------------------------------------------------------------


def response_to_dict(response: Response, instrument: Instrument | None = None) -> dict[str, Any]:
    """Plain data for one response: choices as level keys when ``instrument`` is given, else as indices.

    Unanswered domains are left out (absent = not answered), so the data is valid TOML.
    """
    data: dict[str, Any] = {"participant": response.participant, "instrument": response.instrument}
    if response.version is not None:
        data["version"] = response.version
    if response.completed is not None:
        data["completed"] = response.completed
    if response.attributes:
        data["attributes"] = dict(response.attributes)
    data["choices"] = {
        key: (instrument.levels[index].key if instrument is not None else index)
        for key, index in response.choices.items()
        if index is not None
    }
    if response.comments:
        data["comments"] = dict(response.comments)
    return data


def responses_to_document(responses: Iterable[Response], instrument: Instrument) -> dict[str, Any]:
    """A response-file document (for TOML or JSON) holding ``responses``."""
    return {
        "format": RESPONSES_FORMAT,
        "instrument": instrument.id,
        "version": instrument.version,
        "responses": [
            {k: v for k, v in response_to_dict(r, instrument).items() if k not in ("instrument", "version")}
            for r in responses
        ],
    }


def _json_default(value: object) -> str:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_responses(responses: Iterable[Response], instrument: Instrument, suffix: str = ".toml") -> bytes:
    """A response file (TOML, or JSON when ``suffix`` is ``.json``): one response as it is, several as a list."""
    listed = list(responses)
    if len(listed) == 1:
        data = {"format": RESPONSES_FORMAT, **response_to_dict(listed[0], instrument)}
    else:
        data = responses_to_document(listed, instrument)
    if suffix == ".json":
        return (json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n").encode("utf-8")
    return tomli_w.dumps(data).encode("utf-8")
