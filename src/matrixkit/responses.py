"""Responses: one person's answers to an instrument.

A :class:`Response` holds a participant id, optional attributes (sector, organisation, table, role, ...), one
choice per domain (the *index* of the chosen level, 0 = lowest, or ``None`` for not answered / don't know),
optional comments per domain, and the id (and version) of the instrument answered.

A response on its own cannot know whether its choices fit an instrument; :meth:`Response.build` checks them
against one (and parses level scores, keys or labels), and :meth:`Response.problems` lists what does not fit.

In files (TOML and JSON response files, see ``docs/reference/responses.md``) choices are written as level
*keys*, which stay readable and survive a change of scores; any score, key or label is accepted on reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from matrixkit.errors import Problem, ValidationError

if TYPE_CHECKING:
    from matrixkit.model import Instrument

__all__ = ["Response", "response_from_dict", "response_to_dict", "responses_from_document", "responses_to_document"]

#: The version of the response file format.
RESPONSES_FORMAT = 1


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _choices(value: Mapping[str, int | None]) -> dict[str, int | None]:
    return dict(value)


def _texts(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value)


@attrs.frozen
class Response:
    """One participant's answers: a level (by index) or none per domain, with attributes and comments."""

    participant: str = attrs.field(metadata=_doc("Identifier of the participant (a name, an initial, a code)."))
    instrument: str = attrs.field(metadata=_doc("Id of the instrument answered."))
    choices: dict[str, int | None] = attrs.field(
        converter=_choices,
        metadata=_doc(
            "Domain key → index of the chosen level (0 = lowest) or None when not answered. Domains absent "
            "from the mapping were not answered either."
        ),
    )
    version: str | None = attrs.field(default=None, metadata=_doc("Version of the instrument answered, if known."))
    attributes: dict[str, str] = attrs.field(
        factory=dict,
        converter=_texts,
        metadata=_doc("Attributes of the participant: `sector`, `organisation`, `table`, `role`, ..."),
    )
    comments: dict[str, str] = attrs.field(
        factory=dict, converter=_texts, metadata=_doc("Domain key → the participant's comment on that domain.")
    )

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if not isinstance(self.participant, str) or not self.participant.strip():
            problems.append(Problem("must be non-empty text", field="participant"))
        if not isinstance(self.instrument, str) or not self.instrument:
            problems.append(Problem("must be an instrument id", field="instrument"))
        for key, index in self.choices.items():
            if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
                problems.append(Problem(f"level index must be a whole number ≥ 0, found {index!r}", field=key))
        attributes: dict[str, object] = dict(self.attributes)
        for name, value in attributes.items():
            if not isinstance(value, str):
                problems.append(Problem(f"attribute values are text, found {value!r}", field=f"attributes.{name}"))
        comments: dict[str, object] = dict(self.comments)
        for key, text in comments.items():
            if not isinstance(text, str):
                problems.append(Problem(f"comments are text, found {text!r}", field=f"comments.{key}"))
        ValidationError.collect(problems)

    def level(self, domain: str) -> int | None:
        """The index of the level chosen for ``domain``, or None when not answered."""
        return self.choices.get(domain)

    def indices(self, instrument: Instrument) -> tuple[int | None, ...]:
        """The chosen level indices in the instrument's domain order (None = not answered)."""
        return tuple(self.choices.get(key) for key in instrument.domain_keys)

    @property
    def answered(self) -> int:
        """How many domains have a level chosen."""
        return sum(1 for index in self.choices.values() if index is not None)

    def problems(self, instrument: Instrument) -> Iterator[Problem]:
        """What does not fit ``instrument``: another instrument, unknown domains, levels off the scale."""
        if self.instrument != instrument.id:
            yield Problem(
                f"a response to {self.instrument!r}, not to {instrument.id!r}",
                field="instrument",
            )
        elif self.version is not None and self.version != instrument.version:
            yield Problem(
                f"a response to version {self.version} of {instrument.id}, not to version {instrument.version}",
                field="version",
            )
        known = set(instrument.domain_keys)
        for key, index in self.choices.items():
            if key not in known:
                yield Problem(f"unknown domain {key!r} ({_known(instrument)})", field=f"choices.{key}")
            elif index is not None and index >= len(instrument.levels):
                yield Problem(
                    f"level index {index} is off the scale of {instrument.id} ({len(instrument.levels)} levels)",
                    field=f"choices.{key}",
                )
        for key in self.comments:
            if key not in known:
                yield Problem(f"comment on unknown domain {key!r} ({_known(instrument)})", field=f"comments.{key}")

    @classmethod
    def build(
        cls,
        instrument: Instrument,
        participant: str,
        choices: Mapping[str, object],
        *,
        attributes: Mapping[str, str] | None = None,
        comments: Mapping[str, str] | None = None,
    ) -> Response:
        """A response to ``instrument`` from choices given as level scores, keys, labels, or None/"" (blank).

        Every domain of the instrument gets an entry (None when not given). Raises :class:`ValidationError`
        listing every problem, each with its field (``choices.<domain>``).
        """
        problems: list[Problem] = []
        parsed: dict[str, int | None] = dict.fromkeys(instrument.domain_keys)
        known = set(instrument.domain_keys)
        for key, value in choices.items():
            if key not in known:
                problems.append(Problem(f"unknown domain {key!r} ({_known(instrument)})", field=f"choices.{key}"))
                continue
            try:
                parsed[key] = parse_level(instrument, value)
            except ValueError as exc:
                problems.append(Problem(str(exc), field=f"choices.{key}"))
        clean_comments = {k: v for k, v in (comments or {}).items() if isinstance(v, str) and v.strip()}
        for key in clean_comments:
            if key not in known:
                problems.append(
                    Problem(f"comment on unknown domain {key!r} ({_known(instrument)})", field=f"comments.{key}")
                )
        ValidationError.collect(problems)
        return cls(
            participant=participant,
            instrument=instrument.id,
            version=instrument.version,
            choices=parsed,
            attributes=dict(attributes or {}),
            comments=clean_comments,
        )


def parse_level(instrument: Instrument, value: object) -> int | None:
    """A level index from a score, key or label (case-insensitive); None for None or blank text.

    Raises :class:`ValueError` with a message naming the accepted values.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return instrument.level_index(value)


def _known(instrument: Instrument) -> str:
    keys = instrument.domain_keys
    shown = ", ".join(keys[:12]) + (", ..." if len(keys) > 12 else "")
    return f"{instrument.id} has: {shown}"


# -- plain data (TOML / JSON response files) -------------------------------------------------------

_RESPONSE_KEYS = ("participant", "instrument", "version", "attributes", "choices", "comments")


def response_to_dict(response: Response, instrument: Instrument | None = None) -> dict[str, Any]:
    """Plain data for one response: choices as level keys when ``instrument`` is given, else as indices.

    Unanswered domains are left out (absent = not answered), so the data is valid TOML.
    """
    data: dict[str, Any] = {"participant": response.participant, "instrument": response.instrument}
    if response.version is not None:
        data["version"] = response.version
    if response.attributes:
        data["attributes"] = dict(response.attributes)
    choices: dict[str, Any] = {}
    for key, index in response.choices.items():
        if index is None:
            continue
        choices[key] = instrument.levels[index].key if instrument is not None else index
    data["choices"] = choices
    if response.comments:
        data["comments"] = dict(response.comments)
    return data


def response_from_dict(data: object, instrument: Instrument, *, path: str = "") -> Response:
    """Read one response from plain data, choices as scores, keys or labels; check it against ``instrument``.

    Raises :class:`ValidationError` with every problem located under ``path`` (e.g. ``responses[2]``).
    """

    def at(field: str) -> str:
        if not path:
            return field
        return f"{path}.{field}"

    if not isinstance(data, Mapping):
        raise ValidationError(Problem("expected a table with participant and choices", field=path or None))
    problems: list[Problem] = []
    for key in data:
        if key not in _RESPONSE_KEYS:
            problems.append(Problem(f"unknown key (expected one of: {', '.join(_RESPONSE_KEYS)})", field=at(str(key))))
    participant = data.get("participant")
    if isinstance(participant, int) and not isinstance(participant, bool):
        participant = str(participant)
    if not isinstance(participant, str) or not participant.strip():
        problems.append(Problem("required: the participant's id as text", field=at("participant")))
    ident = data.get("instrument", instrument.id)
    if ident != instrument.id:
        problems.append(Problem(f"a response to {ident!r}, not to {instrument.id!r}", field=at("instrument")))
    version = data.get("version")
    if version is not None and not isinstance(version, str | int | float):
        problems.append(Problem("expected text", field=at("version")))
    elif version is not None and str(version) != instrument.version:
        problems.append(
            Problem(
                f"a response to version {version} of {instrument.id}, not to version {instrument.version}",
                field=at("version"),
            )
        )
    attributes = _text_table(data.get("attributes", {}), at("attributes"), problems, numbers_ok=True)
    comments = _text_table(data.get("comments", {}), at("comments"), problems)
    choices = data.get("choices", {})
    if not isinstance(choices, Mapping):
        problems.append(Problem("expected a table of domain = level", field=at("choices")))
        choices = {}
    try:
        response = Response.build(
            instrument,
            participant if isinstance(participant, str) else "?",
            choices,
            attributes=attributes,
            comments=comments,
        )
    except ValidationError as exc:
        problems += [p.under(path) for p in exc.problems]
        response = None
    ValidationError.collect(problems)
    assert response is not None
    return response


def _text_table(value: object, field: str, problems: list[Problem], *, numbers_ok: bool = False) -> dict[str, str]:
    if not isinstance(value, Mapping):
        problems.append(Problem("expected a table of name = text", field=field))
        return {}
    out: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, str):
            out[str(key)] = item
        elif numbers_ok and isinstance(item, int | float) and not isinstance(item, bool):
            out[str(key)] = str(item)
        else:
            problems.append(Problem("expected text", field=f"{field}.{key}"))
    return out


def responses_from_document(doc: object, instrument: Instrument) -> list[Response]:
    """Responses from a parsed TOML/JSON document: one response (a table with ``participant``), a table with
    ``responses = [...]``, or (JSON) a bare list of responses. Raises :class:`ValidationError` listing every
    problem, each with its field path (``responses[3].choices.leadership``)."""
    items: list[tuple[str, object]]
    if isinstance(doc, list):
        items = [(f"[{i}]", item) for i, item in enumerate(doc)]
    elif isinstance(doc, Mapping) and "responses" in doc:
        extra = [k for k in doc if k not in ("responses", "format", "instrument", "version")]
        problems = [Problem("unknown key beside 'responses'", field=str(k)) for k in extra]
        listed = doc["responses"]
        if not isinstance(listed, list):
            raise ValidationError([*problems, Problem("expected a list of responses", field="responses")])
        ValidationError.collect(problems)
        defaults = {k: doc[k] for k in ("instrument", "version") if k in doc}
        items = [
            (f"responses[{i}]", {**defaults, **item} if isinstance(item, Mapping) else item)
            for i, item in enumerate(listed)
        ]
    elif isinstance(doc, Mapping):
        body = {k: v for k, v in doc.items() if k != "format"}
        items = [("", body)]
    else:
        raise ValidationError(Problem("expected a response (a table) or a list of responses"))
    if not items:
        raise ValidationError(Problem("no responses in the file"))
    read: list[Response] = []
    problems = []
    seen: dict[str, str] = {}
    for path, item in items:
        try:
            read.append(response_from_dict(item, instrument, path=path))
        except ValidationError as exc:
            problems += exc.problems
        participant = item.get("participant") if isinstance(item, Mapping) else None
        if isinstance(participant, str | int) and not isinstance(participant, bool):
            key = str(participant).strip().casefold()
            if key in seen:
                problems.append(
                    Problem(f"duplicate participant {str(participant)!r} (also {seen[key]})", field=path or None)
                )
            else:
                seen[key] = path or "above"
    ValidationError.collect(problems)
    return read


def duplicate_problems(responses: Iterable[tuple[str, Response]]) -> list[Problem]:
    """A problem for every response whose participant id was already seen (ids compared case-insensitively)."""
    seen: dict[str, str] = {}
    problems = []
    for where, response in responses:
        key = response.participant.strip().casefold()
        if key in seen:
            problems.append(
                Problem(f"duplicate participant {response.participant!r} (also {seen[key]})", field=where or None)
            )
        else:
            seen[key] = where or "above"
    return problems


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
