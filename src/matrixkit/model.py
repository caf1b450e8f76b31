"""The instrument model: levels, domains, groups, guidance and the instrument that holds them.

An *instrument* is a maturity matrix: an ordered scale of *levels* (columns, lowest first) and a list of
*domains* (rows), each domain holding one *descriptor* statement per level. Nothing here knows a particular
toolkit: any number of levels (at least two) with any strictly increasing integer scores, any number of
domains, optional domain groups.

All classes are frozen attrs classes. Each checks itself on construction and raises
:class:`~matrixkit.errors.ValidationError` listing *every* problem it found, so an invalid instrument cannot
exist in memory. Field documentation lives in ``metadata["doc"]``; the file-format reference and the JSON
Schema are generated from it.

**Reading an answer.** :meth:`Instrument.read_answer` is the one place where text written by a person (a
spreadsheet cell, a form export, a typed answer, a web form) becomes a level; every reader and the web tool use
it. Case, surrounding space, repeated spaces and one trailing full stop are ignored. It accepts, in this order
of precedence:

1. a blank or "not answered" cell (:data:`NOT_ANSWERED`): no level;
2. a level's *score* (``2``, also ``2.0`` as spreadsheets write it);
3. a level's *key* (``developing``; hyphens may be spaces), *label* (``Developing``) or one of its *aliases*
   (``Bronze``);
4. a score and a name of the same level together: ``Level 2``, ``L2``, ``2 - Developing``, ``2. Developing``,
   ``Developing (2)``;
5. the whole descriptor text of the level, in the domain being answered;
6. a mark across two levels (``2/3``, ``2-3``, ``2 or 3``, ``Developing/Maturing``): a :class:`Between`,
   which the caller resolves (``--between lower|higher|skip``) or refuses. A date whose day and month are the
   scores of two levels (``2025-03-02`` from a workbook's date cell, or ``02-Mar`` as Excel shows it) is such a
   mark that a spreadsheet turned into a date when ``2/3`` was typed into it.

The precedence only matters for an instrument whose names overlap, and such instruments are refused: a key,
label or alias of one level that reads as another level (its score, key, label, alias or "Level N" form) is
an error of the instrument, so every answer means one level.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any

import attrs

from matrixkit.errors import Problem, ValidationError

__all__ = [
    "KEY_PATTERN",
    "LEGIBLE_LEVELS",
    "MAX_LEVELS",
    "NOT_ANSWERED",
    "AnswerError",
    "Between",
    "Domain",
    "Group",
    "GuidanceSection",
    "Instrument",
    "Level",
    "Source",
    "has_refused_characters",
    "normalise_answer",
    "text_problems",
]

#: Ids and keys are lowercase kebab-case: ``leadership``, ``pit-a``, ``needs-assessment-2``.
KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_KEY_RE = re.compile(KEY_PATTERN)
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Answers read as "not answered" (after normalising): blank, a dash, a question mark, "n/a", "don't know".
NOT_ANSWERED: frozenset[str] = frozenset(
    {"", "-", "–", "—", "?", "n/a", "na", "n.a", "don't know", "dont know", "don\u2019t know", "not answered"}
)
#: The most levels an instrument may have: a response's choice in a domain is counted as one byte, the level's
#: index, with one more value for "not answered" (:data:`matrixkit.collation.UNANSWERED`).
MAX_LEVELS = 255
#: More levels than this do not fit legibly across a printed A4 landscape sheet (columns under 4 cm).
LEGIBLE_LEVELS = 6

# Characters never allowed in an instrument's text: C0/C1 controls (Unicode category Cc; tab and line breaks only
# in long texts) and the bidirectional overrides and isolates, which can make text display differently from
# what it is.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_FORBIDDEN_IN_LONG_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
#: The ASCII characters each pattern refuses, as bytes: ASCII text is checked by deleting them (``bytes.translate``
#: looks at a column of cells about six times faster than the pattern does).
_ASCII_FORBIDDEN = bytes(c for c in range(128) if _FORBIDDEN.match(chr(c)))
_ASCII_FORBIDDEN_IN_LONG_TEXT = bytes(c for c in range(128) if _FORBIDDEN_IN_LONG_TEXT.match(chr(c)))


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


def text_problems(value: object, field: str, *, multiline: bool = False) -> list[Problem]:
    """Problems of a text that people will read: NUL and other control characters (tab and line breaks are
    allowed in ``multiline`` texts), bidirectional overrides."""
    if not isinstance(value, str):
        return []
    found = (_FORBIDDEN_IN_LONG_TEXT if multiline else _FORBIDDEN).search(value)
    if found is None:
        return []
    char, position = found.group(), found.start()
    if unicodedata.category(char) != "Cc":
        return [
            Problem(
                f"contains the bidirectional control character U+{ord(char):04X} at position {position + 1}",
                field=field,
                hint="remove it: it can make the text display differently from what it says",
            )
        ]
    name = "NUL" if char == "\0" else f"U+{ord(char):04X}"
    kind = "a line break" if char in "\n\r" else f"the control character {name}"
    return [Problem(f"contains {kind} at position {position + 1}", field=field, hint="remove it")]


def has_refused_characters(texts: Iterable[str], *, multiline: bool = False) -> bool:
    """Whether any of ``texts`` holds a character :func:`text_problems` refuses: one scan of them all, for
    checking whole columns of a file before looking for the cell."""
    text = " ".join(texts)
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _ASCII_FORBIDDEN_IN_LONG_TEXT if multiline else _ASCII_FORBIDDEN)) != len(data)
    return (_FORBIDDEN_IN_LONG_TEXT if multiline else _FORBIDDEN).search(text) is not None


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


def _check_text(value: object, field: str, *, multiline: bool = False) -> list[Problem]:
    if not isinstance(value, str) or not value.strip():
        return [Problem("must be non-empty text", field=field)]
    return text_problems(value, field, multiline=multiline)


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)


def normalise_answer(text: str) -> str:
    """An answer as compared with level names: Unicode-normalised (NFKC), case-folded, spaces collapsed, one
    trailing full stop dropped."""
    folded = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    return folded[:-1].rstrip() if folded.endswith(".") and not folded.endswith("..") else folded


class AnswerError(ValueError):
    """An answer that names no level (or two): the message says what was found and what is accepted, ``hint``
    how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


#: The hint given with an answer that names no level.
NOT_A_LEVEL_HINT = "write a level's score, name or descriptor, or say what the answer means in a mapping file (--map)"


@attrs.frozen
class Between:
    """A mark across two levels (``2/3`` on a paper sheet): the lower and the higher level's index."""

    lower: int
    higher: int
    #: How the mark was written when the answer holds something else: ``2/3`` for the date a spreadsheet made of it.
    written: str = ""


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
    aliases: tuple[str, ...] = attrs.field(
        default=(),
        converter=_tuple,
        metadata=_doc(
            "Other names people may write for the level in responses (e.g. `Bronze`); compared like labels, "
            "ignoring case. An alias may not read as another level."
        ),
    )

    def __attrs_post_init__(self) -> None:
        problems = _check_key(self.key, "key") + _check_text(self.label, "label")
        if isinstance(self.score, bool) or not isinstance(self.score, int):
            problems.append(Problem(f"score must be a whole number, found {self.score!r}", field="score"))
        if not isinstance(self.colour, str) or not _COLOUR_RE.match(self.colour):
            problems.append(Problem(f"colour {self.colour!r} is not a hex colour like '#cd7f32'", field="colour"))
        problems += text_problems(self.description, "description", multiline=True)
        for i, alias in enumerate(self.aliases):
            problems += _check_text(alias, f"aliases[{i}]")
        _raise_if(problems)

    def names(self) -> list[tuple[str, str]]:
        """The (normalised) names an answer may give this level, each with the field it comes from: its
        score, key (also with spaces for hyphens), label, aliases and the "Level N" / "LN" forms."""
        names = [
            (str(self.score), "score"),
            (normalise_answer(self.key), "key"),
            (normalise_answer(self.key.replace("-", " ")), "key"),
            (normalise_answer(self.label), "label"),
            (f"level {self.score}", "score"),
            (f"l{self.score}", "score"),
        ]
        names += [(normalise_answer(alias), f"aliases[{i}]") for i, alias in enumerate(self.aliases)]
        return list(dict((name, (name, source)) for name, source in reversed(names)).values())[::-1]


@attrs.frozen
class Group:
    """A named group of domains (e.g. a theme of the matrix); domains refer to it by key."""

    key: str = attrs.field(metadata=_doc("Identifier of the group, lowercase kebab-case."))
    title: str = attrs.field(metadata=_doc("Name shown to people."))
    description: str = attrs.field(default="", metadata=_doc("Optional explanation of the group."))

    def __attrs_post_init__(self) -> None:
        problems = _check_key(self.key, "key") + _check_text(self.title, "title")
        _raise_if(problems + text_problems(self.description, "description", multiline=True))


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
            problems += _check_text(text, f"descriptors[{i}]", multiline=True)
        if self.group is not None:
            problems += _check_key(self.group, "group", "group key")
        if self.short_title is not None:
            problems += _check_text(self.short_title, "short_title")
        problems += text_problems(self.guidance, "guidance", multiline=True)
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
        problems += text_problems(self.text, "text", multiline=True)
        for i, item in enumerate(self.items):
            problems += _check_text(item, f"items[{i}]", multiline=True)
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

    def __attrs_post_init__(self) -> None:
        problems = []
        for field in attrs.fields(Source):
            problems += text_problems(getattr(self, field.name), field.name, multiline=True)
        _raise_if(problems)


#: The answer to one domain as read from a person's text: a level index, None (not answered) or a mark
#: across two levels.
Answer = int | None | Between

_SCORE_AND_NAME = re.compile(r"^(?:level\s*|l)?([+-]?\d+)\s*(?:[-–—:.)]\s*|\s+)(.+)$")
_NAME_AND_SCORE = re.compile(r"^(.+?)\s*[(\[]\s*(?:level\s*|l)?([+-]?\d+)\s*[)\]]$")
_WHOLE = re.compile(r"^([+-]?\d+)(?:\.0*)?$")
_BETWEEN = re.compile(r"^(.+?)\s*(?:/|\bor\b|\bto\b|[-–—]|&)\s*(.+)$")
# A date a spreadsheet made of "2/3": ISO (a workbook's date cell, midnight) or Excel's "02-Mar" / "Mar-02".
_ISO_DATE = re.compile(r"^\d{4}-(\d{2})-(\d{2})(?:[ t]00:00(?::00)?)?$")
_SHOWN_DATE = re.compile(r"^(?:(\d{1,2})-([a-z]{3})|([a-z]{3})-(\d{1,2}))$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _number(digits: str) -> str:
    """A whole number written with a sign or leading zeros, as a level's score is written (``+02`` → ``2``);
    absurdly long numbers (no score has 30 digits) stay as written."""
    return str(int(digits)) if len(digits) <= 30 else digits


@attrs.frozen
class Instrument:
    """A maturity matrix: ordered levels (columns) by domains (rows), with metadata and guidance."""

    id: str = attrs.field(metadata=_doc("Identifier of the instrument, lowercase kebab-case (e.g. `my-tool`)."))
    title: str = attrs.field(metadata=_doc("Title of the instrument."))
    version: str = attrs.field(metadata=_doc("Version of the instrument's content (e.g. `1.0`)."))
    levels: tuple[Level, ...] = attrs.field(
        converter=_tuple, metadata=_doc("The levels, lowest first; from two to 255, scores strictly increasing.")
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
        yield from text_problems(self.description, "description", multiline=True)
        if self.short_title is not None:
            yield from _check_text(self.short_title, "short_title")
        if self.based_on is not None:
            yield from _check_key(self.based_on, "based_on", "base id")

    def warnings(self) -> list[str]:
        """What is worth saying about a valid instrument (``validate`` and ``show`` print it)."""
        found = []
        if len(self.levels) > LEGIBLE_LEVELS:
            found.append(
                f"{self.id} has {len(self.levels)} levels: a printed A4 sheet shows at most {LEGIBLE_LEVELS} "
                "legibly (narrower columns shrink the descriptors); consider fewer levels or a spreadsheet or web "
                "form for this instrument"
            )
        return found

    # -- lookups ---------------------------------------------------------------------------------

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

    @cached_property
    def _domain_index(self) -> dict[str, int]:
        return {domain.key: i for i, domain in enumerate(self.domains)}

    def domain_position(self, key: str) -> int:
        """The position of domain ``key`` (0 = first); KeyError when there is none."""
        return self._domain_index[key]

    def domain(self, key: str) -> Domain:
        return self.domains[self._domain_index[key]]

    def group(self, key: str) -> Group:
        for group in self.groups:
            if group.key == key:
                return group
        raise KeyError(key)

    def domains_in_group(self, group: str) -> tuple[Domain, ...]:
        return tuple(d for d in self.domains if d.group == group)

    @cached_property
    def _names(self) -> dict[str, int]:
        """Normalised level name → index. Built lowest level first; names shared by two levels (refused by
        :func:`instrument_problems`) keep the first."""
        names: dict[str, int] = {}
        for i, level in enumerate(self.levels):
            for name, _ in level.names():
                names.setdefault(name, i)
        return names

    @cached_property
    def _descriptors(self) -> dict[str, dict[str, int]]:
        return {
            d.key: {normalise_answer(text): i for i, text in reversed(list(enumerate(d.descriptors)))}
            for d in self.domains
        }

    def _name_index(self, text: str) -> int | None:
        """The level a normalised text names (steps 2–4 of the module's precedence), or None."""
        found = self._names.get(text)
        if found is not None:
            return found
        whole = _WHOLE.match(text)
        if whole:
            return self._names.get(_number(whole.group(1)))
        for pattern, score_group, name_group in ((_SCORE_AND_NAME, 1, 2), (_NAME_AND_SCORE, 2, 1)):
            match = pattern.match(text)
            if match:
                by_score = self._names.get(_number(match.group(score_group)))
                by_name = self._names.get(match.group(name_group).strip())
                if by_score is not None and by_score == by_name:
                    return by_score
        return None

    def read_answer(self, text: object, domain: str | None = None) -> Answer:
        """The answer a person's text gives (see the module's precedence): a level index (0 = lowest), None
        for not answered, or a :class:`Between` for a mark across two levels.

        ``text`` may be a string or a number (a spreadsheet's cell). Raises :class:`AnswerError` (a
        ValueError) naming what is accepted when it names no level.
        """
        if text is None:
            return None
        if isinstance(text, bool):
            raise AnswerError(f"{text!r} is not a level of {self.id} ({self.describe_scale()})", NOT_A_LEVEL_HINT)
        if isinstance(text, float) and text.is_integer():
            text = int(text)
        raw = str(text)
        folded = normalise_answer(raw)
        if folded in NOT_ANSWERED:
            return None
        index = self._name_index(folded)
        if index is not None:
            return index
        if domain is not None:
            descriptors = self._descriptors.get(domain)
            if descriptors is not None and folded in descriptors:
                return descriptors[folded]
        shown = raw.strip() if len(raw.strip()) <= 40 else f"{raw.strip()[:37]}..."
        split = _BETWEEN.match(folded)
        if split:
            first, second = split.group(1).strip(), split.group(2).strip()
            low, high = self._name_index(first), self._name_index(second)
            same_kind = bool(_WHOLE.match(first)) == bool(_WHOLE.match(second))
            if low is not None and high is not None and low != high:
                if same_kind:
                    return Between(min(low, high), max(low, high))
                a, b = self.levels[low], self.levels[high]
                raise AnswerError(
                    f"{shown!r} names two different levels of {self.id}: {a.score} {a.label} and {b.score} {b.label}",
                    "write one level",
                )
        dated = self._dated_mark(folded)
        if dated is not None:
            return dated
        raise AnswerError(f"{shown!r} is not a level of {self.id} ({self.describe_scale()})", NOT_A_LEVEL_HINT)

    def _dated_mark(self, folded: str) -> Between | None:
        """The mark across two levels a spreadsheet turned into a date (day and month two levels' scores)."""
        iso = _ISO_DATE.match(folded)
        shown = _SHOWN_DATE.match(folded) if iso is None else None
        if iso is not None:
            month, day = int(iso.group(1)), int(iso.group(2))
        elif shown is not None and (shown.group(2) or shown.group(3)) in _MONTHS:
            month = _MONTHS.index(shown.group(2) or shown.group(3)) + 1
            day = int(shown.group(1) or shown.group(4))
        else:
            return None
        low, high = self._names.get(str(day)), self._names.get(str(month))
        if low is None or high is None or low == high:
            return None
        low, high = min(low, high), max(low, high)
        return Between(low, high, f"{self.levels[low].score}/{self.levels[high].score}")

    def level_index(self, value: object) -> int:
        """The index (0 = lowest) of the one level named by a score, key, label or alias (as
        :meth:`read_answer` reads them). Raises :class:`ValueError` for anything else, blanks and marks across
        two levels included."""
        answer = self.read_answer(value)
        if isinstance(answer, int):
            return answer
        if isinstance(answer, Between):
            raise ValueError(f"{str(value).strip()!r} names two levels of {self.id}; give one")
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
        payload = {
            "levels": [[lv.key, lv.score] for lv in self.levels],
            "domains": [[d.key, list(d.descriptors)] for d in self.domains],
        }
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()
        return digest[:16]

    def summary(self) -> dict[str, Any]:
        """Identification used in collations and reports."""
        return {"id": self.id, "version": self.version, "title": self.title, "fingerprint": self.fingerprint}

    def without_guidance(self) -> Instrument:
        """The same matrix without its guidance sections and per-domain notes (for sheets that print only the
        matrix)."""
        domains = tuple(attrs.evolve(d, guidance="") if d.guidance else d for d in self.domains)
        return attrs.evolve(self, guidance=(), domains=domains)


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
    if n_levels > MAX_LEVELS:
        yield Problem(
            f"at most {MAX_LEVELS} levels are allowed, found {n_levels}",
            field="levels",
            hint="a maturity matrix has a handful of levels: merge levels, or split the instrument",
        )
    yield from _check_unique_indexed([(i, lv.key) for i, lv in levels], "level key", "levels")
    yield from _check_unique_indexed([(i, lv.label.casefold()) for i, lv in levels], "level label", "levels")
    yield from ambiguous_names(levels)
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


def ambiguous_names(levels: list[tuple[int, Level]]) -> Iterator[Problem]:
    """A key, label or alias of one level that reads as another level: an answer giving it would be ambiguous."""
    owner: dict[str, tuple[int, Level, str]] = {}
    for i, level in levels:
        for name, source in level.names():
            if name in NOT_ANSWERED:
                yield Problem(
                    f"{source} {name!r} of level {level.key!r} reads as not answered",
                    field=f"levels[{i}].{source}",
                    hint=f"answers {', '.join(repr(n) for n in sorted(NOT_ANSWERED) if n)} and blanks mean no answer; "
                    "name the level otherwise",
                )
                continue
            other = owner.get(name)
            if other is None:
                owner[name] = (i, level, source)
                continue
            j, first, first_source = other
            kind, first_kind = source.split("[")[0], first_source.split("[")[0]
            if j == i or (kind == first_kind and kind in ("key", "label", "score")):
                continue  # the same level; duplicate keys, labels and scores have messages of their own
            # Blame the alias (an extra name, easily changed), not the other level's own score, key or label.
            blamed, named = ((j, first, first_source), (i, level, kind))
            if not (first_kind == "aliases" and kind != "aliases"):
                blamed, named = ((i, level, source), (j, first, first_kind))
            at, culprit, culprit_source = blamed
            holder_at, holder, holder_kind = named
            what = "alias" if holder_kind == "aliases" else holder_kind
            yield Problem(
                f"{culprit_source} {name!r} of level {culprit.key!r} reads as level {holder.key!r} "
                f"(levels[{holder_at}], its {what}): an answer {name!r} would be ambiguous",
                field=f"levels[{at}].{culprit_source}",
                hint="give each level names that no other level's score, key, label or alias can be read as",
            )
