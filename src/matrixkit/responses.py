"""Responses: one person's answers to an instrument.

A :class:`Response` holds a participant id, optional attributes (sector, organisation, table, role, ...), one
choice per domain (the *index* of the chosen level, 0 = lowest, or ``None`` for not answered / don't know),
optional comments per domain, and the id (and version) of the instrument answered. It is immutable and
hashable: its mappings are :class:`~matrixkit.frozen.FrozenDict` objects.

A response on its own cannot know whether its choices fit an instrument; :meth:`Response.build` reads the
answers people wrote against one (any spelling :meth:`Instrument.read_answer
<matrixkit.model.Instrument.read_answer>` accepts), and :meth:`Response.problems` lists what does not fit.
Response *files* (TOML, JSON, CSV, spreadsheets) are read in :mod:`matrixkit.io`.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence

import attrs

from matrixkit.errors import Problem, ValidationError
from matrixkit.frozen import FrozenDict, freeze
from matrixkit.model import AnswerError, Between, Instrument, text_problems

__all__ = ["AnswerReader", "Response", "participant_key", "participant_keys", "strict_answers"]

#: Reads one answer (a cell's text or a value) to one domain as a level index or None; raises ValueError.
AnswerReader = Callable[[object, str], "int | None"]


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


#: Characters that are invisible in a name: zero-width space, non-joiner and joiner, word joiner, invisible
#: operators, the byte-order mark (zero-width no-break space), soft hyphen, Mongolian vowel separator, and the
#: bidirectional marks, embeddings, overrides and isolates.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def participant_key(participant: str) -> str:
    """How participant ids are compared, here and in the web tool: as people read them — Unicode-normalised
    (NFKC: full-width ``Ａ`` is ``A``), case-folded, invisible characters (zero-width, soft hyphen, bidirectional
    controls) removed, runs of spaces collapsed to one, surrounding space stripped: ``'ANN '``, ``'Ann'`` and
    ``'Ann'`` followed by a zero-width space are one participant. The web tool also compares confusable
    look-alikes from other scripts (Cyrillic ``о`` for Latin ``o``)."""
    text = unicodedata.normalize("NFKC", participant).casefold()
    return " ".join(_INVISIBLE.sub("", text).split())


def participant_keys(participants: Sequence[str]) -> list[str]:
    """:func:`participant_key` of each participant, for a whole column of ids: the column is looked at as one
    text first, and when no id holds anything but printable ASCII with single spaces — as in most files — each
    key is the id case-folded and stripped, which is what :func:`participant_key` gives for such text."""
    if not participants:
        return []
    column = " ".join(participants)
    if column.isascii() and column.isprintable() and "  " not in column and column.strip() == column:
        # No id has space around it (it would make two spaces in a row, or one at either end) and none holds a
        # line break: the ids lower-cased as one text (for ASCII the same as case-folding), split where joined.
        return "\n".join(participants).lower().split("\n")
    return list(map(participant_key, participants))


@attrs.frozen
class Response:
    """One participant's answers: a level (by index) or none per domain, with attributes and comments."""

    participant: str = attrs.field(metadata=_doc("Identifier of the participant (a name, an initial, a code)."))
    instrument: str = attrs.field(metadata=_doc("Id of the instrument answered."))
    choices: FrozenDict[str, int | None] = attrs.field(
        converter=freeze,
        metadata=_doc(
            "Domain key → index of the chosen level (0 = lowest) or None when not answered. Domains absent "
            "from the mapping were not answered either."
        ),
    )
    version: str | None = attrs.field(default=None, metadata=_doc("Version of the instrument answered, if known."))
    attributes: FrozenDict[str, str] = attrs.field(
        factory=FrozenDict,
        converter=freeze,
        metadata=_doc("Attributes of the participant: `sector`, `organisation`, `table`, `role`, ..."),
    )
    comments: FrozenDict[str, str] = attrs.field(
        factory=FrozenDict, converter=freeze, metadata=_doc("Domain key → the participant's comment on that domain.")
    )
    completed: datetime.datetime | None = attrs.field(
        default=None, metadata=_doc("When the person completed it (a form export's completion time), if known.")
    )
    origin: str | None = attrs.field(
        default=None,
        eq=False,
        metadata=_doc("Where it was read from (``table-1.csv:7``, ``form.xlsx:Form1!7``); not part of equality."),
    )

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if not isinstance(self.participant, str) or not self.participant.strip():
            problems.append(Problem("must be non-empty text", field="participant"))
        else:
            problems += text_problems(self.participant, "participant")
        if not isinstance(self.instrument, str) or not self.instrument:
            problems.append(Problem("must be an instrument id", field="instrument"))
        for key, index in self.choices.items():
            if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
                problems.append(Problem(f"level index must be a whole number ≥ 0, found {index!r}", field=key))
        attributes: dict[str, object] = dict(self.attributes)  # checked: a caller may pass anything
        for name, value in attributes.items():
            if not isinstance(value, str):
                problems.append(Problem(f"attribute values are text, found {value!r}", field=f"attributes.{name}"))
            else:
                problems += text_problems(value, f"attributes.{name}")
        comments: dict[str, object] = dict(self.comments)
        for key, text in comments.items():
            if not isinstance(text, str):
                problems.append(Problem(f"comments are text, found {text!r}", field=f"comments.{key}"))
            else:
                problems += text_problems(text, f"comments.{key}", multiline=True)
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
            yield Problem(f"a response to {self.instrument!r}, not to {instrument.id!r}", field="instrument")
        elif self.version is not None and self.version != instrument.version:
            yield Problem(
                f"a response to version {self.version} of {instrument.id}, not to version {instrument.version}",
                field="version",
            )
        known = set(instrument.domain_keys)
        for key, index in self.choices.items():
            if key not in known:
                yield Problem(f"unknown domain {key!r} ({known_domains(instrument)})", field=f"choices.{key}")
            elif index is not None and index >= len(instrument.levels):
                yield Problem(
                    f"level index {index} is off the scale of {instrument.id} ({len(instrument.levels)} levels)",
                    field=f"choices.{key}",
                )
        for key in self.comments:
            if key not in known:
                yield Problem(
                    f"comment on unknown domain {key!r} ({known_domains(instrument)})", field=f"comments.{key}"
                )

    @classmethod
    def build(
        cls,
        instrument: Instrument,
        participant: str,
        choices: Mapping[str, object],
        *,
        attributes: Mapping[str, str] | None = None,
        comments: Mapping[str, str] | None = None,
        read: AnswerReader | None = None,
        completed: datetime.datetime | None = None,
        origin: str | None = None,
    ) -> Response:
        """A response to ``instrument`` from the answers people wrote: level scores, keys, labels, aliases,
        descriptors (any spelling :meth:`~matrixkit.model.Instrument.read_answer` accepts), or None/"" (blank).

        ``read`` reads one answer (default: :func:`strict_answers`, which refuses a mark across two levels).
        Every domain of the instrument gets an entry (None when not given). Raises :class:`ValidationError`
        listing every problem, each with its field (``choices.<domain>``).
        """
        reader = read if read is not None else strict_answers(instrument)
        problems: list[Problem] = []
        parsed: dict[str, int | None] = dict.fromkeys(instrument.domain_keys)
        known = set(instrument.domain_keys)
        for key, value in choices.items():
            if key not in known:
                problems.append(
                    Problem(f"unknown domain {key!r} ({known_domains(instrument)})", field=f"choices.{key}")
                )
                continue
            try:
                parsed[key] = reader(value, key)
            except ValueError as exc:
                problems.append(Problem(str(exc), field=f"choices.{key}", hint=getattr(exc, "hint", "")))
        clean_comments = {k: v.strip() for k, v in (comments or {}).items() if isinstance(v, str) and v.strip()}
        for key in clean_comments:
            if key not in known:
                problems.append(
                    Problem(f"comment on unknown domain {key!r} ({known_domains(instrument)})", field=f"comments.{key}")
                )
        ValidationError.collect(problems)
        return cls(
            participant=participant,
            instrument=instrument.id,
            version=instrument.version,
            choices=parsed,
            attributes=dict(attributes or {}),
            comments=clean_comments,
            completed=completed,
            origin=origin,
        )


def strict_answers(instrument: Instrument) -> AnswerReader:
    """Read answers with :meth:`Instrument.read_answer`, refusing a mark across two levels (with advice)."""

    def read(value: object, domain: str) -> int | None:
        answer = instrument.read_answer(value, domain)
        if isinstance(answer, Between):
            low, high = instrument.levels[answer.lower], instrument.levels[answer.higher]
            dated = f" (the date a spreadsheet made of {answer.written!r})" if answer.written else ""
            raise AnswerError(
                f"{str(value).strip()!r}{dated} marks two levels ({low.score} {low.label} and {high.score} "
                f"{high.label})",
                "decide which one the person meant and write it, or read the file with --between lower, higher or skip",
            )
        return answer

    return read


def known_domains(instrument: Instrument) -> str:
    """``pit-a has: leadership, ...`` (the first twelve domain keys), for messages."""
    keys = instrument.domain_keys
    shown = ", ".join(keys[:12]) + (", ..." if len(keys) > 12 else "")
    return f"{instrument.id} has: {shown}"
