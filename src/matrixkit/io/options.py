"""How response files are read: encoding, sheet, a column mapping, marks across two levels, duplicates.

:class:`ReadOptions` is passed to every reader; the command line's ``--encoding``, ``--sheet``, ``--map``,
``--between`` and ``--duplicates`` fill it, and so do :func:`matrixkit.api.read_responses` and the web tool's
upload. :func:`answer_reader` is how an answer becomes a level under these options, for every reader.
"""

from __future__ import annotations

from typing import Literal

import attrs

from matrixkit.io.mapping import ColumnMapping
from matrixkit.model import Between, Instrument, normalise_answer
from matrixkit.responses import AnswerReader, strict_answers

__all__ = ["BETWEEN_POLICIES", "DUPLICATE_POLICIES", "AnswerPolicy", "ReadOptions", "answer_reader"]

BetweenPolicy = Literal["refuse", "lower", "higher", "skip"]
DuplicatePolicy = Literal["refuse", "latest", "first"]
#: What ``--between`` accepts: refuse a mark across two levels, or take the lower, the higher, or no answer.
BETWEEN_POLICIES: tuple[str, ...] = ("refuse", "lower", "higher", "skip")
#: What ``--duplicates`` accepts: refuse a participant given twice, or keep the latest or the first response.
DUPLICATE_POLICIES: tuple[str, ...] = ("refuse", "latest", "first")


@attrs.frozen
class ReadOptions:
    """How to read response files."""

    #: The encoding of CSV files (recognised when None: UTF-8, UTF-16 with BOM, else cp1252).
    encoding: str | None = None
    #: The sheet of a workbook to read (the first visible one when None).
    sheet: str | None = None
    #: Which column is what, and answers that name levels (``--map``).
    mapping: ColumnMapping | None = None
    #: A mark across two levels ("2/3"): refused, or read as the lower or higher level, or as no answer.
    between: BetweenPolicy = attrs.field(default="refuse", validator=attrs.validators.in_(BETWEEN_POLICIES))
    #: A participant found twice: refused, or only the latest (by completion time, else file order) or the
    #: first response kept.
    duplicates: DuplicatePolicy = attrs.field(default="refuse", validator=attrs.validators.in_(DUPLICATE_POLICIES))


class AnswerPolicy:
    """How one answer (a cell's text, or a value of a response file) becomes a level index or None under
    ``options``: the mapping file's answers first, then :meth:`Instrument.read_answer`; a mark across two levels
    resolved by ``options.between``."""

    def __init__(self, instrument: Instrument, options: ReadOptions) -> None:
        self.instrument = instrument
        self.between = options.between
        self._strict = strict_answers(instrument)
        self._mapped = options.mapping.answer_indices(instrument) if options.mapping is not None else {}

    def read_marked(self, value: object, domain: str) -> tuple[int | None, bool]:
        """The level index (or None) and whether the answer was a mark across two levels; raises ValueError."""
        if isinstance(value, str) and self._mapped:
            found = self._mapped.get(normalise_answer(value))
            if found is not None:
                return found, False
        if self.between == "refuse":
            return self._strict(value, domain), False
        answer = self.instrument.read_answer(value, domain)
        if isinstance(answer, Between):
            if self.between == "lower":
                return answer.lower, True
            if self.between == "higher":
                return answer.higher, True
            return None, True
        return answer, False

    def read(self, value: object, domain: str) -> int | None:
        """The level index (or None) of one answer; raises ValueError."""
        return self.read_marked(value, domain)[0]


def answer_reader(instrument: Instrument, options: ReadOptions) -> AnswerReader:
    """:meth:`AnswerPolicy.read` for ``instrument`` under ``options`` (what :meth:`Response.build` takes)."""
    return AnswerPolicy(instrument, options).read
