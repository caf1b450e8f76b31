"""Wide response tables — one row per participant, one column per domain — as spreadsheets, Microsoft Forms,
Google Forms and typed-up paper sheets produce them, read in one streaming pass.

**Columns** are matched to what they mean (:func:`layout`), headings compared ignoring case, punctuation,
numbering ("1.", "Q3)") and spacing:

- a *domain*: the heading is the domain's key or title (or short title), or a question containing the title
  ("1. Leadership - where is your partnership?"); a Google Forms grid row ("Question [Leadership]") by the text
  in brackets. A heading containing the titles of two domains, or two columns answering one domain, is an error
  naming the columns.
- the *participant*: ``participant``, else the first of these a form export has, in this order: a name
  (``Name``, ``Full name``, ``Your name``), ``Respondent``, an email (``Email``, ``Email address``), an id
  (``ID``, ``Respondent ID``, ``Response ID``). A blank identity cell, or one saying ``anonymous`` (as Microsoft
  Forms writes for anonymous responses), is taken from the next of these columns the file has (an anonymous
  Microsoft Forms export is named by its ID column). With none, the responses are anonymous and named by their
  row. A column a mapping file names as the participant is the only one used.
- when it was *completed*: ``Completion time``, ``Timestamp``, ``Submitted``, ... (used by
  ``--duplicates latest``).
- a *comment* on a domain: a heading with "comment" (or "notes") and the domain's title or key.
- ``instrument`` and ``version``: checked against the instrument when not blank.
- an *attribute*: ``sector``, ``organisation``, ``table``, ``role``, ``date`` (a heading that is or contains the
  word),
  and every other column, named by its heading (``--by`` can split by any of them); columns that look like form
  bookkeeping (start time, last modified, other identity columns) are ignored. Columns that are not domains are
  listed in a note.

A mapping file (``--map``) overrides any of this for the headings it names.

**Answers** are read by :class:`~matrixkit.io.options.AnswerPolicy` (the instrument's one reading of answers,
the mapping file's answers, ``--between``): each distinct cell text once, whatever the size of the file; every
cell then becomes its level's code (one byte: the level's index, or
:data:`~matrixkit.collation.UNANSWERED`) by a lookup in the table of texts read so far.

Rows come a chunk at a time from a :class:`~matrixkit.io.tables.Table` and leave as :class:`ResponseBlock`
columns, with every problem of the chunk collected (located by row and column) in the same pass.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from itertools import islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

import attrs
import tomli_w

from matrixkit.collation import UNANSWERED
from matrixkit.errors import Problem, ProblemLog
from matrixkit.io.mapping import MAPPING_FORMAT
from matrixkit.io.options import AnswerPolicy, ReadOptions
from matrixkit.io.tables import Table
from matrixkit.model import Between, Instrument, has_refused_characters, normalise_answer, text_problems
from matrixkit.responses import Response

__all__ = [
    "Column",
    "Layout",
    "ResponseBlock",
    "WideReading",
    "domains_named",
    "heading_key",
    "layout",
    "name_key",
    "parse_completed",
    "suggest_mapping",
]

#: Headings that identify the participant, in order of preference (after ``participant`` itself).
IDENTITY_HEADINGS: tuple[tuple[str, ...], ...] = (
    ("participant",),
    ("name", "full name", "your name", "respondent name", "participant name"),
    ("respondent",),
    ("email", "email address", "e mail", "e mail address", "your email"),
    ("id", "respondent id", "response id", "participant id"),
)
#: What an identity cell holds when a form did not record who answered (Microsoft Forms: "anonymous").
ANONYMOUS = frozenset({"anonymous", "Anonymous", "ANONYMOUS"})
_NO_ID = ANONYMOUS | {""}
#: Headings of the time a form was completed.
COMPLETED_HEADINGS = frozenset(
    {
        "completion time",
        "completed",
        "completed at",
        "timestamp",
        "submitted",
        "submitted at",
        "submission time",
        "end time",
        "end date",
        "date submitted",
    }
)
#: Headings of form bookkeeping columns, ignored.
IGNORED_HEADINGS = frozenset(
    {
        "start time",
        "started",
        "start date",
        "last modified time",
        "last modified",
        "language",
        "ip address",
        "response type",
        "total points",
        "quiz feedback",
        "points",
        "feedback",
    }
)
#: Attributes recognised by a word in the heading, with their name.
ATTRIBUTE_WORDS: dict[str, str] = {
    "sector": "sector",
    "organisation": "organisation",
    "organization": "organisation",
    "table": "table",
    "role": "role",
    "date": "date",
}

_NUMBERING = re.compile(r"^(?:q(?:uestion)?\s*)?\d+(?:\.\d+)*\s*[.):\-–]?\s+")
_GRID = re.compile(r"^(.*?)\s*\[([^\[\]]+)\]\s*$")
_NON_WORD = re.compile(r"[^\w]+")


def heading_key(text: str) -> str:
    """A heading as compared: numbering like ``1.`` or ``Q3)`` at the start dropped, then as :func:`name_key`."""
    return name_key(_NUMBERING.sub("", unicodedata.normalize("NFKC", text).casefold().strip()))


def name_key(text: str) -> str:
    """A name (a domain's key or title, an attribute) as compared: Unicode-normalised, case-folded, punctuation
    and underscores as spaces, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).replace("_", " ").split())


def _contains(heading: str, phrase: str) -> bool:
    return bool(phrase) and f" {phrase} " in f" {heading} "


@attrs.frozen
class Column:
    """What one column holds: ``kind`` is participant, domain, comment, attribute, completed, instrument,
    version or ignore; ``target`` the domain key or attribute name."""

    index: int
    heading: str
    kind: str
    target: str | None = None
    #: How the column was recognised: "mapping", "exact", "question", "grid", "word", "identity", "other".
    how: str = "exact"


@attrs.frozen
class Layout:
    """The columns of a response table, matched to what they hold."""

    columns: tuple[Column, ...]
    #: Problems of the header (ambiguous or missing columns).
    problems: tuple[Problem, ...] = ()

    def of_kind(self, kind: str) -> list[Column]:
        return [c for c in self.columns if c.kind == kind]

    @property
    def participant(self) -> Column | None:
        found = self.of_kind("participant")
        return found[0] if found else None

    @property
    def completed(self) -> Column | None:
        found = self.of_kind("completed")
        return found[0] if found else None

    def attribute_names(self) -> list[str]:
        return [c.target for c in self.of_kind("attribute") if c.target]

    def note(self) -> str | None:
        """Which columns are not domains and how they are used (None when all are domains or the participant)."""
        parts = []
        for kind, what in (("attribute", "attributes"), ("ignore", "ignored"), ("completed", "completion time")):
            found = self.of_kind(kind)
            if found:
                parts.append(f"{what}: " + ", ".join(f'"{c.heading}"' for c in found))
        return "; ".join(parts) or None


def _domain_names(instrument: Instrument) -> list[tuple[str, str, bool]]:
    """(name key, domain key, is the domain's key) for every name of every domain: key, title, short title."""
    names = []
    for domain in instrument.domains:
        names.append((name_key(domain.key), domain.key, True))
        for text in (domain.title, domain.short_title or ""):
            key = name_key(text)
            if key:
                names.append((key, domain.key, False))
    return names


def _match_domain(text: str, names: list[tuple[str, str, bool]]) -> tuple[set[str], str]:
    """The domains a heading names: a domain's key exactly (keys win over another domain's title), a title
    exactly, or the longest title contained in a question."""
    by_key = {domain for name, domain, is_key in names if is_key and name == text}
    if by_key:
        return by_key, "exact"
    exact = {domain for name, domain, _ in names if name == text}
    if exact:
        return exact, "exact"
    contained = [(name, domain) for name, domain, _ in names if _contains(text, name)]
    # A title inside a longer one found in the same question ("Working" inside "Partnership working") does not
    # count beside it; two titles side by side ("Leadership and Evaluation") are two domains.
    found = {
        domain
        for name, domain in contained
        if not any(other != domain and _contains(longer, name) and longer != name for longer, other in contained)
    }
    return found, "question" if found else ""


_COMMENT_WORDS = frozenset({"comment", "comments", "notes"})
_FILLER_WORDS = frozenset({"any", "on", "about", "for", "your", "other", "further"})


def domains_named(text: str, instrument: Instrument) -> tuple[set[str], str]:
    """The domains a heading (or a cell naming a domain) names, and how: "exact" (a key or title) or "question"
    (a question containing a title) — as :func:`layout` matches headings."""
    return _match_domain(heading_key(text), _domain_names(instrument))


def _commented_domain(key: str, names: list[tuple[str, str, bool]]) -> str | None:
    """The domain a comment column ("comment: leadership", "Any comments on leadership?") is about, if one."""
    words = key.split()
    for dropped in (_COMMENT_WORDS, _COMMENT_WORDS | _FILLER_WORDS):
        rest = " ".join(w for w in words if w not in dropped)
        found, _ = _match_domain(rest, names) if rest else (set(), "")
        if len(found) == 1:
            return found.pop()
    return None


def layout(
    header: Sequence[str], instrument: Instrument, options: ReadOptions, where: Callable[[int], dict[str, Any]]
) -> Layout:
    """Match the columns of ``header`` to what they hold (see the module's documentation). ``where(column)``
    gives the location of a heading for problems."""
    names = _domain_names(instrument)
    mapping = options.mapping
    problems: list[Problem] = []
    columns: list[Column] = []
    identity: list[tuple[int, Column]] = []
    for index, heading in enumerate(header):
        location = where(index)
        key = heading_key(heading)
        if mapping is not None and (target := mapping.target(heading)) is not None:
            columns.append(_mapped(index, heading, target))
            continue
        if not key:
            problems.append(
                Problem(
                    f"column {index + 1} has no heading",
                    **location,
                    hint="give it a heading (a domain, participant or attribute), or delete the column",
                )
            )
            continue
        grid = _GRID.match(heading.strip())
        if grid:
            found, _ = _match_domain(name_key(grid.group(2)), names)
            if len(found) == 1:
                columns.append(Column(index, heading, "domain", found.pop(), "grid"))
                continue
        exact, how = _match_domain(key, names)
        if len(exact) == 1 and how == "exact" and key != "participant":
            columns.append(Column(index, heading, "domain", exact.pop(), "exact"))
            continue
        rank = next((r for r, group in enumerate(IDENTITY_HEADINGS) if key in group), None)
        if rank is not None:
            identity.append((rank, Column(index, heading, "participant", None, "identity")))
            continue
        if key in COMPLETED_HEADINGS:
            columns.append(Column(index, heading, "completed", None, "exact"))
            continue
        if key in ("instrument", "version"):
            columns.append(Column(index, heading, key, None, "exact"))
            continue
        if key in IGNORED_HEADINGS:
            columns.append(Column(index, heading, "ignore", None, "exact"))
            continue
        words = set(key.split())
        found, how = _match_domain(key, names)
        if words & _COMMENT_WORDS:
            commented = _commented_domain(key, names)
            if commented is not None:
                columns.append(Column(index, heading, "comment", commented, "word"))
                continue
        if len(found) == 1:
            columns.append(Column(index, heading, "domain", found.pop(), how))
            continue
        if len(found) > 1:
            titles = ", ".join(sorted(found))
            problems.append(
                Problem(
                    f'column {index + 1} "{heading}" could answer several domains ({titles})',
                    **location,
                    hint="name the domain in a mapping file (matrixkit map), or rename the column to the domain's key",
                )
            )
            continue
        attribute = next((ATTRIBUTE_WORDS[w] for w in key.split() if w in ATTRIBUTE_WORDS), None)
        if attribute is not None and (key == attribute or len(words) <= 6):
            columns.append(Column(index, heading, "attribute", attribute, "word"))
            continue
        columns.append(Column(index, heading, "attribute", key, "other"))
    if identity:
        identity.sort(key=lambda pair: (pair[0], pair[1].index))
        mapped = any(c.kind == "participant" for c in columns)
        if not mapped:
            columns.append(identity[0][1])
        columns += [attrs.evolve(c, kind="ignore", how="identity") for _, c in identity[0 if mapped else 1 :]]
    columns.sort(key=lambda c: c.index)
    problems += _layout_problems(columns, instrument, header, where)
    return Layout(tuple(columns), tuple(problems))


def _mapped(index: int, heading: str, target: str) -> Column:
    kind, _, name = target.partition(":")
    if target in ("participant", "completed", "ignore"):
        return Column(index, heading, target, None, "mapping")
    if kind in ("attribute", "comment"):
        return Column(index, heading, kind, name.strip() if kind == "comment" else name_key(name), "mapping")
    return Column(index, heading, "domain", target, "mapping")


def _layout_problems(
    columns: list[Column], instrument: Instrument, header: Sequence[str], where: Callable[[int], dict[str, Any]]
) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple[str, str | None], Column] = {}
    for column in columns:
        if column.kind not in ("domain", "comment", "attribute", "participant", "completed", "instrument", "version"):
            continue
        identity = (column.kind, column.target)
        if identity in seen:
            first = seen[identity]
            what = {
                "domain": f"domain {column.target!r}",
                "comment": f"comments on {column.target!r}",
                "attribute": f"attribute {column.target!r}",
            }.get(column.kind, column.kind)
            problems.append(
                Problem(
                    f'columns {first.index + 1} "{first.heading}" and {column.index + 1} "{column.heading}" both hold '
                    f"{what}",
                    **where(column.index),
                    hint="keep one, or say in a mapping file which is which (matrixkit map writes one to edit)",
                )
            )
        else:
            seen[identity] = column
    found = {c.target for c in columns if c.kind == "domain"}
    missing = [key for key in instrument.domain_keys if key not in found]
    if missing:
        others = [c for c in columns if c.kind == "attribute" and c.how == "other"]
        hints = []
        for key in missing:
            domain = instrument.domain(key)
            close = difflib.get_close_matches(
                heading_key(domain.title), [heading_key(c.heading) for c in others], n=1, cutoff=0.6
            )
            if close:
                column = next(c for c in others if heading_key(c.heading) == close[0])
                hints.append(f'did you mean column {column.index + 1} "{column.heading}" for {key!r}?')
        problems.append(
            Problem(
                f"no column for domain(s) {', '.join(missing)} of {instrument.id}",
                **where(0),
                hint=" ".join(hints)
                or "head a column with the domain's key or title (leave its cells blank if no one answered), or map "
                "it in a mapping file (matrixkit map)",
            )
        )
    return problems


# -- completion times ---------------------------------------------------------------------------------

_COMPLETED_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)


def parse_completed(text: str) -> datetime.datetime | None:
    """A completion time as forms export it (ISO; ``31/01/2025 14:05:00``; Google's ``2025/01/31 2:05:00 pm
    GMT``; ...); None when blank or not recognised. Day-first for slashed dates, as UK exports write them."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        pass
    cleaned = re.sub(r"\s+(?:GMT|UTC|BST)(?:[+-]\d+)?$", "", text, flags=re.IGNORECASE)
    for pattern in _COMPLETED_FORMATS:
        try:
            return datetime.datetime.strptime(cleaned.upper(), pattern)
        except ValueError:
            continue
    return None


# -- reading ----------------------------------------------------------------------------------------


@attrs.define
class ResponseBlock:
    """Checked responses of one input, as columns: what the readers of response tables produce and
    :meth:`matrixkit.collation.Collator.add_columns` counts.

    ``choices[d]`` holds every response's answer to the ``d``-th domain as a byte: the index of the level
    chosen, or :data:`~matrixkit.collation.UNANSWERED`.
    """

    file: str
    instrument: Instrument
    #: Where each response is (a line number, or a row of a sheet).
    rows: list[int]
    #: Each response's participant id (None when the table identifies no one).
    participants: list[str] | None
    choices: list[bytes]
    attributes: dict[str, Sequence[str]]
    comments: dict[str, Sequence[str]]
    completed: Sequence[datetime.datetime | None] | None = None
    #: How a row is named in messages (``table-1.csv:7``).
    origin: Callable[[int], str] = attrs.field(default=str)
    #: Rows left out for their problems, as (participant, row): still counted when looking for duplicates.
    rejected: list[tuple[str, int]] = attrs.field(factory=list)
    #: When the rows were sorted by an attribute, its distinct values in the order they were written.
    first_written: Sequence[str] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def participant(self, i: int) -> str:
        """The participant of the ``i``-th response (the row's location when the table is anonymous)."""
        if self.participants is None:
            return self.origin(self.rows[i])
        return self.participants[i]

    def responses(self) -> Iterator[Response]:
        """The block as :class:`~matrixkit.responses.Response` objects."""
        keys = self.instrument.domain_keys
        for i in range(len(self.rows)):
            yield Response(
                participant=self.participant(i),
                instrument=self.instrument.id,
                version=self.instrument.version,
                choices={key: None if (c := self.choices[d][i]) == UNANSWERED else c for d, key in enumerate(keys)},
                attributes={name: v.strip() for name, values in self.attributes.items() if (v := values[i]).strip()},
                comments={key: t.strip() for key, texts in self.comments.items() if (t := texts[i]).strip()},
                completed=self.completed[i] if self.completed is not None else None,
                origin=self.origin(self.rows[i]),
            )

    def keep(self, wanted: Sequence[bool]) -> ResponseBlock:
        """The block with only the responses whose ``wanted`` entry is true."""
        pick = [i for i, keep in enumerate(wanted) if keep]

        def take(values: Sequence[Any]) -> list[Any]:
            return [values[i] for i in pick]

        return attrs.evolve(
            self,
            rows=take(self.rows),
            participants=take(self.participants) if self.participants is not None else None,
            choices=[bytes(map(column.__getitem__, pick)) for column in self.choices],
            attributes={name: take(values) for name, values in self.attributes.items()},
            comments={key: take(values) for key, values in self.comments.items()},
            completed=take(self.completed) if self.completed is not None else None,
        )


class WideReading:
    """One pass over a response table: :meth:`blocks` yields checked blocks and collects every problem in
    :attr:`problems`; :attr:`between_marks` counts the marks across two levels read under ``--between``."""

    def __init__(self, table: Table, instrument: Instrument, options: ReadOptions) -> None:
        self.table = table
        self.instrument = instrument
        self.options = options
        self.problems = ProblemLog()
        self.between_marks = 0
        self.layout = layout(table.header, instrument, options, lambda column: table.where(table.header_row, column))
        self.problems.extend(
            Problem(p.message, file=table.name, line=p.line, cell=p.cell, hint=p.hint) for p in self.layout.problems
        )
        self._policy = AnswerPolicy(instrument, options)
        order = {key: i for i, key in enumerate(instrument.domain_keys)}
        self._domains = sorted(self.layout.of_kind("domain"), key=lambda c: order.get(c.target or "", -1))
        # Per domain: the level code of each distinct answer read so far, and the answers refused (with why).
        self._codes: list[dict[str, int]] = [{} for _ in self._domains]
        self._refused: list[dict[str, ValueError]] = [{} for _ in self._domains]
        self._marked: list[set[str]] = [set() for _ in self._domains]
        # Identity columns after the participant's, in the documented order: where a blank id is taken from.
        ranks = {key: rank for rank, group in enumerate(IDENTITY_HEADINGS) for key in group}
        self._fallbacks = sorted(
            (c for c in self.layout.of_kind("ignore") if c.how == "identity"),
            key=lambda c: (ranks.get(heading_key(c.heading), len(ranks)), c.index),
        )
        #: Responses whose participant came from a fallback identity column.
        self.named_by_fallback = 0
        self.rows_read = 0

    @property
    def name(self) -> str:
        return self.table.name

    def origin(self, row: int) -> str:
        """Where a response is, as messages name it: ``table-1.csv:7``, or its participant's cell in a sheet
        (``form.xlsx:Form1!E7``; the row, ``Form1!7``, when the table names no participant)."""
        participant = self.layout.participant
        location = self.table.where(row, participant.index if participant is not None else None)
        return f"{self.table.name}:{location.get('cell', location.get('line'))}"

    def notes(self) -> list[str]:
        """Columns not used as domains (other than the participant and known attributes), and how many marks
        across two levels were read under ``--between``."""
        found = []
        ignored = [c.heading for c in self.layout.of_kind("ignore")]
        kept = [c.heading for c in self.layout.of_kind("attribute") if c.how == "other"]
        if kept:
            found.append("columns kept as attributes (not domains): " + ", ".join(f'"{h}"' for h in kept))
        if self.named_by_fallback and (participant := self.layout.participant) is not None:
            others = " or ".join(f'"{c.heading}"' for c in self._fallbacks)
            found.append(
                f'{self.named_by_fallback} response(s) with no "{participant.heading}" (blank or anonymous) named '
                f"by {others}"
            )
            ignored = [h for h in ignored if h not in {c.heading for c in self._fallbacks}]
        if ignored:
            found.append("columns not used: " + ", ".join(f'"{h}"' for h in ignored))
        if self.between_marks:
            how = {"lower": "the lower level", "higher": "the higher level", "skip": "not answered"}
            found.append(
                f"{self.between_marks} mark(s) across two levels (like '2/3') read as {how[self.options.between]}"
            )
        return found

    def _no_id_hint(self) -> str:
        if self._fallbacks:
            return f"fill it in (or {' or '.join(repr(c.heading) for c in self._fallbacks)}), or delete the row"
        return "fill it in, or delete the row"

    def _problem(self, message: str, row: int, column: Column | None = None, hint: str = "") -> None:
        field = f'column "{column.heading}"' if column is not None else None
        location = self.table.where(row, column.index if column is not None else None)
        self.problems.add(Problem(message, file=self.table.name, field=field, hint=hint, **location))

    def blocks(self, sort_by: str | None = None) -> Iterator[ResponseBlock]:
        """The checked responses, a block per chunk of rows, each block's rows in the order of the attribute
        ``sort_by`` (when the table has it: counting split by it then takes one pass). A row with any problem is
        left out (and its problems recorded); read :attr:`problems` when the iterator is exhausted."""
        if self.layout.problems:
            return
        participant = self.layout.participant
        completed = self.layout.completed
        checks = [c for c in self.layout.columns if c.kind in ("instrument", "version")]
        attributes = self.layout.of_kind("attribute")
        comments = self.layout.of_kind("comment")
        wanted = name_key(sort_by) if sort_by is not None else None
        sort_column = next((c.index for c in attributes if c.target is not None and name_key(c.target) == wanted), None)
        for rows, numbers in self.table.chunks():
            first_written = None
            if sort_column is not None:
                # Each row carries its number through the sort (the consume idiom: no Python frame per row).
                carried = cast("list[list[Any]]", rows)
                deque(map(list.append, carried, numbers), maxlen=0)
                rows.sort(key=itemgetter(sort_column))
                columns = list(zip(*rows, strict=True))
                numbers = cast("list[int]", list(columns.pop()))
                first_written = _first_written(columns[sort_column], numbers)
            else:
                columns = list(zip(*rows, strict=True))
            width = len(columns)  # a sorted row also carries its number after its cells
            good = [True] * len(rows)
            ids: list[str] | None = None
            if participant is None:
                for i, row in enumerate(rows):
                    if not any(cell.strip() for cell in islice(row, width)):
                        good[i] = False  # a row of blank cells
            else:
                ids = list(map(str.strip, columns[participant.index]))
                if not _NO_ID.isdisjoint(ids):
                    for i, text in enumerate(ids):
                        if text and text not in ANONYMOUS:
                            continue
                        if not any(cell.strip() for cell in islice(rows[i], width)):
                            good[i] = False  # a row of blank cells
                            continue
                        found = (columns[c.index][i].strip() for c in self._fallbacks)
                        ids[i] = next((f for f in found if f and f not in ANONYMOUS), "")
                        self.named_by_fallback += bool(ids[i])
                        if not ids[i]:
                            self._problem("no participant id", numbers[i], participant, self._no_id_hint())
                            good[i] = False
            self._check_texts(participant, attributes, comments, columns, numbers, good)
            choices = [
                self._choices(d, column, columns[column.index], numbers, good) for d, column in enumerate(self._domains)
            ]
            for column in checks:
                expected = self.instrument.id if column.kind == "instrument" else self.instrument.version
                for i, cell in enumerate(columns[column.index]):
                    if cell.strip() and cell.strip() != expected:
                        self._problem(
                            f"a response to {column.kind} {cell.strip()!r}, not {expected!r}",
                            numbers[i],
                            column,
                            "collate it with the instrument it answers, or correct the cell"
                            if column.kind == "instrument"
                            else "check it was answered on this version of the matrix, or correct the cell",
                        )
                        good[i] = False
            times = None
            if completed is not None:
                times = [parse_completed(cell) for cell in columns[completed.index]]
            block = ResponseBlock(
                file=self.table.name,
                instrument=self.instrument,
                rows=numbers,
                participants=ids,
                choices=choices,
                attributes={c.target or "": columns[c.index] for c in attributes},
                comments={c.target or "": columns[c.index] for c in comments},
                completed=times,
                origin=self.origin,
                first_written=first_written,
            )
            if not all(good):
                rejected = [(ids[i], numbers[i]) for i in range(len(rows)) if not good[i] and ids and ids[i]]
                block = attrs.evolve(block.keep(good), rejected=rejected)
            self.rows_read += len(block)
            if len(block) or block.rejected:
                yield block
        self.problems.extend(self.table.problems)

    def _check_texts(
        self,
        participant: Column | None,
        attributes: Sequence[Column],
        comments: Sequence[Column],
        columns: Sequence[Sequence[str]],
        numbers: list[int],
        good: list[bool],
    ) -> None:
        """Refuse control characters and bidirectional controls in the texts a response keeps (as a response
        would): each column scanned once, the cells looked at only when it holds one."""
        singles = (participant, *self._fallbacks, *attributes) if participant is not None else attributes
        checked = [(c, False) for c in singles if c is not None] + [(c, True) for c in comments]
        for column, multiline in checked:
            cells = columns[column.index]
            if not has_refused_characters(cells, multiline=multiline):
                continue
            for i, cell in enumerate(cells):
                for problem in text_problems(cell.strip(), column.heading, multiline=multiline):
                    self._problem(problem.message, numbers[i], column, problem.hint)
                    good[i] = False

    def _choices(self, d: int, column: Column, cells: Sequence[str], numbers: list[int], good: list[bool]) -> bytes:
        """The level codes of a domain's cells: each distinct answer is read (by the answer policy) the first
        time it is met; a cell that cannot be read is a problem, its row not good."""
        codes = self._codes[d]
        try:
            # itemgetter looks the cells up in C, a quarter faster than map(codes.__getitem__, cells); given one
            # cell it returns the value, not a tuple of one.
            choices = bytes(itemgetter(*cells)(codes)) if len(cells) > 1 else bytes([codes[c] for c in cells])
        except KeyError:  # an answer not met before, or one refused
            choices = self._read_new(d, column, cells, numbers, good)
        if self._marked[d]:
            marked = self._marked[d]
            self.between_marks += sum(1 for i, cell in enumerate(cells) if cell in marked and good[i])
        return choices

    def _read_new(self, d: int, column: Column, cells: Sequence[str], numbers: list[int], good: list[bool]) -> bytes:
        codes, refused = self._codes[d], self._refused[d]
        key = column.target or ""
        for raw in set(cells).difference(codes, refused):
            try:
                index, marked = self._policy.read_marked(raw, key)
            except ValueError as exc:
                refused[raw] = exc
                continue
            codes[raw] = UNANSWERED if index is None else index
            if marked:
                self._marked[d].add(raw)
        if not refused.keys().isdisjoint(cells):
            for i, cell in enumerate(cells):
                if cell in refused:
                    self._problem(str(refused[cell]), numbers[i], column, getattr(refused[cell], "hint", ""))
                    good[i] = False
        # A refused cell's row is left out of the block: its code does not count.
        return bytes(map(codes.get, cells, repeat(UNANSWERED)))


def _first_written(values: Sequence[str], numbers: Sequence[int]) -> list[str]:
    """The distinct ``values`` in the order they were written, from the values sorted (stably) and the number of
    the row each came from: the first of a run of equal values is where that value was first written."""
    firsts = []
    lo, n = 0, len(values)
    while lo < n:
        firsts.append((numbers[lo], values[lo]))
        lo = bisect_right(values, values[lo], lo)
    return [value for _, value in sorted(firsts)]


def suggest_mapping(table: Table, instrument: Instrument, options: ReadOptions) -> str:
    """A mapping file (TOML text) for ``table``: every heading with what matrixkit takes it to hold, and every
    distinct answer it cannot read as a level — with a guess from its spelling when one level's name (or
    descriptor) is close, else left for the facilitator to fill in."""
    found = layout(table.header, instrument, options, lambda column: table.where(table.header_row, column))
    policy = AnswerPolicy(instrument, options)
    unread: Counter[str] = Counter()
    columns_of: dict[str, list[str]] = {}
    readable: dict[tuple[str, str], bool] = {}
    domains = found.of_kind("domain")
    for rows, _ in table.chunks():
        for column in domains:
            key = column.target or ""
            for cell, count in Counter(row[column.index].strip() for row in rows).items():
                if (key, cell) not in readable:
                    try:
                        policy.read(cell, key)
                        readable[key, cell] = True
                    except ValueError:
                        readable[key, cell] = False
                if readable[key, cell]:
                    continue
                unread[cell] += count
                headings = columns_of.setdefault(cell, [])
                if column.heading not in headings:
                    headings.append(column.heading)
    reasons = {
        "mapping": "from the mapping file given",
        "exact": "the heading names it",
        "question": "the question contains the domain's title",
        "grid": "the grid row names the domain",
        "word": "the heading contains the word",
        "identity": "identifies the person",
        "other": "not recognised: kept as an attribute",
    }
    lines = [
        f"# Mapping of {Path(table.name).name} for {instrument.id} ({instrument.title}), written by 'matrixkit map'.",
        "# Check every line: a column can hold participant, completed, ignore, a domain key, attribute:NAME or",
        f"# comment:DOMAIN. The domains of {instrument.id}:",
        *(f"#   {domain.key} ({domain.title})" for domain in instrument.domains),
        f"# Then: matrixkit collate {instrument.id} {Path(table.name).name} --map THIS_FILE",
        "",
        f"format = {MAPPING_FORMAT}",
        f"instrument = {_toml_string(instrument.id)}",
        "",
        "[columns]",
    ]
    by_index = {c.index: c for c in found.columns}
    written: set[str] = set()
    for index, heading in enumerate(table.header):
        matched = by_index.get(index)
        same = " ".join(heading.split()).casefold() in written
        written.add(" ".join(heading.split()).casefold())
        if matched is None or same:
            why = "a heading used twice: rename one in the file" if same else "not matched: give it a target"
            lines.append(f"# {_toml_string(heading)} = ?   ({why})")
            continue
        target = {
            "domain": matched.target,
            "comment": f"comment:{matched.target}",
            "attribute": f"attribute:{matched.target}",
        }.get(matched.kind, matched.kind)
        reason = "form bookkeeping: not used" if matched.kind == "ignore" and matched.how == "exact" else None
        lines.append(
            f"{_toml_string(heading)} = {_toml_string(target or matched.kind)}   # {reason or reasons[matched.how]}"
        )
    for problem in found.problems:
        lines.append(f"# problem: {problem.message}" + (f" ({problem.hint})" if problem.hint else ""))
    lines += ["", "[answers]"]
    if not unread:
        lines.append(f"# Every answer in the file reads as a level of {instrument.id}.")
        return "\n".join(lines) + "\n"
    lines += [
        f"# Answers that are not a level of {instrument.id}: give each the level it means (a level key, score or",
        "# label) and remove its '#'. A guess from the spelling is filled in already: check it.",
    ]
    for answer, count in unread.most_common():
        headings = columns_of[answer]
        where = f'"{headings[0]}"' if len(headings) == 1 else f"{len(headings)} columns"
        cells = f"{count} cell{'s' if count != 1 else ''} in {where}"
        guess = _guess(answer, instrument, [c.target or "" for c in domains if c.heading in headings])
        try:
            if isinstance(instrument.read_answer(answer), Between):
                cells += "; a mark across two levels: or read the file with --between lower, higher or skip"
        except ValueError:
            pass
        if guess is None:
            lines.append(f'# {_toml_string(answer)} = ""   # {cells}')
        else:
            lines.append(f"{_toml_string(answer)} = {_toml_string(guess)}   # a guess: check it; {cells}")
    return "\n".join(lines) + "\n"


def _guess(answer: str, instrument: Instrument, domains: Sequence[str]) -> str | None:
    """The key of the level whose name (or, in one of ``domains``, descriptor) ``answer`` is a near spelling
    of, when one is close enough to guess."""
    folded = normalise_answer(answer)
    names = {name: level.key for level in instrument.levels for name, _ in level.names() if len(name) > 2}
    close = difflib.get_close_matches(folded, list(names), n=1, cutoff=0.8)
    if close:
        return names[close[0]]
    descriptors = {
        normalise_answer(text): instrument.levels[i].key
        for key in domains
        for i, text in enumerate(instrument.domain(key).descriptors)
    }
    close = difflib.get_close_matches(folded, list(descriptors), n=1, cutoff=0.9)
    return descriptors[close[0]] if close else None


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string (tomli-w's quoting)."""
    return tomli_w.dumps({"x": text}).split("=", 1)[1].strip()
