"""The workshop's jobs, each in one place: read responses, collate files, build reports, compare rounds. The
command line (:mod:`matrixkit.cli`), the embedding API (:mod:`matrixkit.api`) and the web tool call these; they
print nothing and return the objects the exporters render. Choosing a format and rendering with it are in
:mod:`matrixkit.lookup`, the light end of this layer that every command needs to start.

Every function that needs plugins takes the :class:`~matrixkit.registry.Registry` to use. Errors a person can fix
raise :class:`~matrixkit.errors.MatrixkitError`, or :class:`~matrixkit.errors.ValidationError` listing every
located problem of every input at once. An exception raised by a plugin's own code (a reader, a rule, an
exporter) is reported as a :class:`~matrixkit.errors.PluginError` naming the plugin.
"""

from __future__ import annotations

import datetime
import difflib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from matrixkit.collation import Collation, Collator, IncompatibleCollationsError, group_key, merge_all
from matrixkit.errors import MatrixkitError, Problem, ProblemLog, ValidationError
from matrixkit.io.collation_json import (
    CollationDocument,
    collation_from_document,
    instrument_of_document,
    is_collation_document,
    parse_collation,
)
from matrixkit.io.options import ReadOptions
from matrixkit.io.participants import ParticipantLedger
from matrixkit.io.readers import Reading, reader_for
from matrixkit.io.response_files import read_document, responses_reading
from matrixkit.io.wide import ResponseBlock, name_key
from matrixkit.io.workshop_file import is_workshop_document, load_workshop, workshop_from_document
from matrixkit.lookup import get_instrument
from matrixkit.model import Instrument
from matrixkit.registry import PluginInfo, Registry
from matrixkit.report import (
    CollationReport,
    Comparison,
    RecordSheet,
    WorkshopReport,
    build_collation_report,
    build_comparison,
    build_record_sheet,
    build_workshop_report,
)
from matrixkit.responses import Response, participant_key
from matrixkit.rules import DEFAULT_RULE, DISCUSS_BELOW, ConsensusRule

__all__ = [
    "CollationResult",
    "analyse",
    "collate_inputs",
    "compare_rounds",
    "load_round",
    "read_responses",
    "score_response",
    "subject_kind",
    "workshop_report",
]


# -- instruments and rules ----------------------------------------------------------------------------


def _rule(registry: Registry, rule: str | ConsensusRule | None) -> ConsensusRule:
    if rule is None or isinstance(rule, str):
        return registry.rule(rule or DEFAULT_RULE)
    return rule


def _threshold(value: float | None) -> float:
    if value is None:
        return DISCUSS_BELOW
    if not 0.0 <= value <= 1.0:
        raise MatrixkitError(f"--discuss-below must be between 0 and 1, not {value}")
    return value


# -- reading inputs ---------------------------------------------------------------------------------------


@attrs.define
class _Input:
    """One input file of a collation: a reading of responses, or a collation written earlier."""

    name: str
    reading: Reading | None = None
    #: A collation written earlier, turned into counts as soon as it is read: its document is not kept.
    collation: Collation | None = None
    #: The plugin whose reader made :attr:`reading` (its failures are reported naming it).
    plugin: PluginInfo | None = None


def _check_options(options: ReadOptions, instrument: Instrument) -> None:
    """A mapping file must fit the instrument read for."""
    if options.mapping is not None:
        ValidationError.collect(options.mapping.problems(instrument))


def _open_input(path: str, instrument: Instrument, registry: Registry, options: ReadOptions) -> _Input:
    """An input file, opened by the reader its extension names; a ``.json``/``.toml`` collation is read as one."""
    if not Path(path).is_file():
        raise ValidationError(Problem("no such file", file=path))
    if Path(path).suffix.lower() in (".json", ".toml"):
        doc, text = read_document(path)
        if is_collation_document(doc):
            parsed = parse_collation(doc, file=path)
            return _Input(path, collation=collation_from_document(parsed, instrument, file=path))
        return _Input(path, reading=responses_reading(doc, path, text, instrument, options))
    found = reader_for(path, [r.obj for r in registry.readers.values()])
    plugin = next(r.plugin for r in registry.readers.values() if r.obj is found)
    with registry.blame(plugin, f"opening {path} with the reader {found.name!r}"):
        return _Input(path, reading=found.read(path, instrument, options), plugin=plugin)


def _blocks(item: _Input, sort_by: str | None = None) -> Iterator[ResponseBlock]:
    """The blocks of an input's reading; an exception raised in a plugin's reader is reported naming it."""
    assert item.reading is not None
    if item.plugin is None:
        yield from item.reading.blocks(sort_by)
        return
    with Registry.blame(item.plugin, f"reading {item.name}"):
        yield from item.reading.blocks(sort_by)


def _attribute(block: ResponseBlock, by: str) -> str | None:
    """The name under which ``block`` holds the attribute ``by`` (compared as headings are)."""
    wanted = name_key(by)
    return next((name for name in block.attributes if name_key(name) == wanted), None)


def read_responses(
    path: str | os.PathLike[str],
    instrument: Instrument,
    registry: Registry,
    options: ReadOptions | None = None,
) -> list[Response]:
    """Every response in one file, read by the reader its extension names (CSV, spreadsheets, TOML, JSON, ...).

    Raises :class:`ValidationError` listing every problem of the file (columns, answers, duplicates, ...).
    """
    name = os.fspath(path)
    options = options or ReadOptions()
    _check_options(options, instrument)
    opened = _open_input(name, instrument, registry, options)
    if opened.reading is None:
        raise ValidationError(Problem("this is a collation, not a file of responses", file=name))
    reading = opened.reading
    responses: list[Response] = []
    entries: list[_Entry] = []
    for block in _blocks(opened):
        found = list(block.responses())
        responses += found
        if block.participants is not None:
            entries += _in_order(block, found)
    drop = _dedupe(entries, options, reading.problems)
    reading.problems.raise_if_any()
    if not responses:
        raise ValidationError(
            Problem(
                "no responses in the file",
                file=name,
                hint="check it is the file people filled in (in a workbook, --sheet chooses the sheet)",
            )
        )
    return [r for r in responses if r.origin not in drop]


@attrs.frozen
class _Entry:
    """A participant's response, as far as duplicates are concerned: who, where, completed when."""

    key: str
    participant: str
    origin: str
    completed: datetime.datetime | None = None

    @classmethod
    def of(cls, response: Response) -> _Entry:
        return cls(
            participant_key(response.participant), response.participant, response.origin or "", response.completed
        )

    @classmethod
    def rejected(cls, block: ResponseBlock, participant: str, row: int) -> _Entry:
        return cls(participant_key(participant), participant, block.origin(row))


def _in_order(block: ResponseBlock, responses: Sequence[Response]) -> list[_Entry]:
    """The entries of a block's responses (one per row of the block) and of its rejected rows, in row order."""
    ordered = [(row, _Entry.of(r)) for row, r in zip(block.rows, responses, strict=True)]
    ordered += [(row, _Entry.rejected(block, p, row)) for p, row in block.rejected]
    return [entry for _, entry in sorted(ordered, key=lambda pair: pair[0])]


def _location(origin: str) -> dict[str, Any]:
    """A response's origin (``t.csv:7``, ``f.xlsx:Form1!E7``, ``r.toml: responses[2]``) as Problem keywords."""
    file, sep, where = origin.rpartition(":")
    if not sep:
        return {"file": origin or None}
    where = where.strip()
    if where.isdigit():
        return {"file": file, "line": int(where)}
    if "!" in where:
        return {"file": file, "cell": where}
    return {"file": file, "field": where or None}


def _dedupe(entries: Sequence[_Entry], options: ReadOptions, problems: ProblemLog) -> set[str]:
    """The origins of the responses to leave out, given duplicates and ``options.duplicates`` (problems logged
    when duplicates are refused)."""
    groups: dict[str, list[_Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.key, []).append(entry)
    dropped: set[str] = set()
    for found in groups.values():
        if len(found) < 2:
            continue
        if options.duplicates == "refuse":
            first = found[0]
            for later in found[1:]:
                problems.add(
                    Problem(
                        f"participant {later.participant!r} is given twice (also {first.origin})",
                        **_location(later.origin),
                        hint="keep one of the responses, or read with --duplicates latest or first; if they are "
                        "two people, tell them apart (e.g. add their organisation to the name)",
                    )
                )
            continue
        timed = sorted(
            (e for e in found if e.completed is not None), key=lambda e: e.completed or datetime.datetime.min
        )
        if options.duplicates == "latest":
            keep = timed[-1] if timed else found[-1]
        else:
            keep = timed[0] if timed else found[0]
        dropped.update(e.origin for e in found if e is not keep)
    return dropped


# -- collating ----------------------------------------------------------------------------------------


@attrs.frozen
class CollationResult:
    """What collating input files gives: the pooled collation, each input's own, and notes on the reading."""

    collation: Collation = attrs.field(metadata={"doc": "The collation of all the inputs, pooled."})
    parts: tuple[tuple[str, Collation], ...] = attrs.field(
        metadata={"doc": "Each input's name (as given) and its own collation, in the order given."}
    )
    notes: tuple[str, ...] = attrs.field(
        default=(),
        metadata={"doc": "How the inputs were read, one note each, naming the file (what `matrixkit collate` prints)."},
    )


def collate_inputs(
    paths: Sequence[str | os.PathLike[str]],
    instrument: Instrument,
    registry: Registry,
    *,
    by: str | None = None,
    options: ReadOptions | None = None,
) -> CollationResult:
    """Collate response files and pool collation files written earlier, as ``matrixkit collate`` does.

    Every file is read before any error is raised; :class:`ValidationError` then lists the problems of all of
    them. Naming one file twice is an error; so is a participant counted twice (within a file or across files)
    unless ``options.duplicates`` says which response to keep; so is ``by`` naming an attribute no input has.
    """
    options = options or ReadOptions()
    _check_options(options, instrument)
    names = [os.fspath(p) for p in paths]
    problems = ProblemLog()
    seen: dict[tuple[int, int], str] = {}
    inputs: list[_Input] = []
    for name in names:
        # A file is the same file by its device and inode, however it is named (a link, another path to it).
        try:
            stat = os.stat(name)
        except OSError:
            pass  # opening it says what is wrong
        else:
            if (identity := (stat.st_dev, stat.st_ino)) in seen:
                problems.add(Problem(f"the same file as {seen[identity]}: it would be counted twice", file=name))
                continue
            seen[identity] = name
        try:
            inputs.append(_open_input(name, instrument, registry, options))
        except (ValidationError, IncompatibleCollationsError) as exc:
            problems.extend(exc.problems if isinstance(exc, ValidationError) else [Problem(str(exc))])
    ledger = ParticipantLedger()
    parts, notes, attributes = _count(inputs, instrument, registry, by, ledger, problems, drop=None)
    if by is not None and not problems:
        _check_by(by, attributes, problems)
    suspects = ledger.suspects()
    drop = _duplicates(inputs, instrument, registry, options, suspects, problems) if suspects else set()
    problems.raise_if_any()
    if drop:
        reopened = [_open_input(i.name, instrument, registry, options) for i in inputs]
        parts, notes, _ = _count(reopened, instrument, registry, by, ParticipantLedger(), problems, drop=drop)
        problems.raise_if_any()
        kept = "latest" if options.duplicates == "latest" else "first"
        notes = [
            *notes,
            f"{len(drop)} response(s) of participants given more than once were left out (the {kept} of each kept)",
        ]
    pooled = merge_all((c for _, c in parts), instrument, by)
    return CollationResult(pooled, tuple(parts), tuple(notes))


def _count(
    inputs: list[_Input],
    instrument: Instrument,
    registry: Registry,
    by: str | None,
    ledger: ParticipantLedger,
    problems: ProblemLog,
    drop: set[str] | None,
) -> tuple[list[tuple[str, Collation]], list[str], set[str]]:
    """Each input's collation (responses at ``drop`` origins left out), notes, and the attributes found."""
    parts: list[tuple[str, Collation]] = []
    notes: list[str] = []
    attributes: set[str] = set()
    for item in inputs:
        if item.collation is not None:
            collation = item.collation
            parts.append((item.name, _split_as(collation, by, item.name, problems)))
            if collation.by is not None:
                attributes.add(collation.by)
            continue
        assert item.reading is not None
        reading = item.reading
        collator = Collator(instrument, by)
        for block in _blocks(item, by):
            if drop:
                block = block.keep([block.origin(row) not in drop for row in block.rows])
            if block.participants is not None:
                ledger.add(block.participants)
                ledger.add([p for p, _ in block.rejected])
            attributes.update(block.attributes)
            groups = block.attributes.get(name) if by is not None and (name := _attribute(block, by)) else None
            written = block.first_written if groups is not None else None
            collator.add_columns(block.choices, groups, block.comments, written)
        problems.extend(reading.problems.problems())
        if not reading.problems:
            collation = collator.collation()
            if collation.responses == 0:
                problems.add(Problem("no responses: the file has a header but no rows of answers", file=item.name))
            parts.append((item.name, collation))
        notes += [f"{item.name}: {note}" for note in reading.notes()]
    return parts, notes, attributes


def _split_as(collation: Collation, by: str | None, name: str, problems: ProblemLog) -> Collation:
    """A collation input as this collation is split: unsplit without ``by``, else split by the same attribute."""
    if by is None:
        return collation.unsplit()
    if collation.by is None or group_key(collation.by) != group_key(by):
        split = "nothing" if collation.by is None else repr(collation.by)
        problems.add(
            Problem(
                f"this collation is split by {split}, not by {by!r}",
                file=name,
                hint=f"collate its responses again with --by {by}, or pool without --by",
            )
        )
        return collation.unsplit()
    if collation.by == by:
        return collation
    return Collation(collation.instrument, collation.overall, by, collation.groups, collation.comments)


def _check_by(by: str, attributes: set[str], problems: ProblemLog) -> None:
    """``by`` must name an attribute some input has."""
    wanted = name_key(by)
    if any(name_key(name) == wanted for name in attributes):
        return
    known = sorted({name_key(name) for name in attributes})
    close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
    hint = f"did you mean --by {close[0]!r}?" if close else "split by a column of the files, e.g. sector or table"
    problems.add(Problem(f"no input has the attribute {by!r} (they have: {', '.join(known) or 'none'})", hint=hint))
    problems.raise_if_any()


def _duplicates(
    inputs: list[_Input],
    instrument: Instrument,
    registry: Registry,
    options: ReadOptions,
    suspects: set[int],
    problems: ProblemLog,
) -> set[str]:
    """Read the inputs again for the suspected participants: real duplicates are refused (problems logged) or,
    with ``options.duplicates``, the origins of the responses to leave out are returned."""
    entries: list[_Entry] = []
    for item in inputs:
        if item.reading is None:
            continue
        reopened = _open_input(item.name, instrument, registry, options)
        assert reopened.reading is not None
        for block in _blocks(reopened):
            if block.participants is None:
                continue
            kept = block.keep([hash(participant_key(p)) in suspects for p in block.participants])
            entries += [e for e in _in_order(kept, list(kept.responses())) if hash(e.key) in suspects]
    return _dedupe(entries, options, problems)


# -- reports ---------------------------------------------------------------------------------------------


def analyse(
    collation: Collation,
    registry: Registry,
    *,
    rule: str | ConsensusRule | None = None,
    discuss_below: float | None = None,
    title: str = "",
    sources: Sequence[str] = (),
    notes: Sequence[str] = (),
    labels: dict[str, str] | None = None,
) -> CollationReport:
    """A collation sheet: per domain (and group) the counts, the rule's suggestion, agreement and flags."""
    return build_collation_report(
        collation,
        _rule(registry, rule),
        discuss_below=_threshold(discuss_below),
        title=title,
        sources=sources,
        notes=notes,
        labels=labels,
    )


def score_response(
    path: str | os.PathLike[str],
    instrument: Instrument,
    registry: Registry,
    *,
    participant: str | None = None,
    rule: str | ConsensusRule | None = None,
    options: ReadOptions | None = None,
) -> RecordSheet:
    """One person's record sheet from a response file (``participant`` chooses one when it holds several)."""
    name = os.fspath(path)
    responses = read_responses(name, instrument, registry, options)
    if participant is not None:
        wanted = participant_key(participant)
        chosen = [r for r in responses if participant_key(r.participant) == wanted]
        if not chosen:
            shown = ", ".join(r.participant for r in responses[:20]) + (", ..." if len(responses) > 20 else "")
            raise MatrixkitError(f"{name}: no participant {participant!r} (found: {shown})")
        response = chosen[0]
    elif len(responses) == 1:
        response = responses[0]
    else:
        raise MatrixkitError(
            f"{name} holds {len(responses)} responses; choose one with --participant "
            f"(e.g. --participant {responses[0].participant!r})"
        )
    return build_record_sheet(response, instrument, _rule(registry, rule))


def workshop_report(
    path: str | os.PathLike[str],
    registry: Registry,
    *,
    instrument: str | None = None,
    rule: str | ConsensusRule | None = None,
    discuss_below: float | None = None,
    options: ReadOptions | None = None,
    _visited: tuple[Path, ...] = (),
) -> WorkshopReport:
    """Read a workshop record, collate its inputs and put its decisions beside the collation, as ``matrixkit
    report`` does; with ``previous`` in the record, the comparison with that round too."""
    name = os.fspath(path)
    doc, text = read_document(name) if Path(name).is_file() else (None, "")
    if doc is None:
        raise ValidationError(Problem("no such file", file=name))
    draft = workshop_from_document(doc, file=name, text=text)  # type: ignore[arg-type]
    inst = get_instrument(registry, instrument or draft.instrument)
    record = load_workshop(name, inst)
    if not record.inputs:
        raise ValidationError(
            Problem("the record lists no inputs (response or collation files to collate)", file=name, field="inputs")
        )
    chosen = _rule(registry, rule or record.rule)
    threshold = _threshold(discuss_below)
    base = Path(name).parent
    inputs = [str(p) for p in record.input_paths(base)]
    result = collate_inputs(inputs, inst, registry, by=record.by, options=options)
    report = build_collation_report(
        result.collation,
        chosen,
        discuss_below=threshold,
        title=record.title,
        sources=list(record.inputs),
        notes=result.notes,
        labels=dict(record.labels),
    )
    per_input = [
        build_collation_report(
            part.unsplit(),
            chosen,
            discuss_below=threshold,
            title=record.label(label),
            sources=[label],
            labels=dict(record.labels),
        )
        for label, (_, part) in zip(record.inputs, result.parts, strict=True)
    ]
    current = build_workshop_report(
        record,
        report,
        inputs=per_input if len(per_input) > 1 else (),
        warnings=record.warnings(inst),
    )
    if record.previous is None:
        return current
    here = Path(name).resolve()
    previous = (base / record.previous).resolve()
    if previous == here or previous in _visited:
        raise ValidationError(Problem("the previous rounds lead back to this record", file=name, field="previous"))
    if not previous.is_file():
        raise ValidationError(
            Problem(f"the previous round's record {record.previous!r} does not exist", file=name, field="previous")
        )
    earlier = workshop_report(
        previous, registry, rule=rule, discuss_below=discuss_below, options=options, _visited=(*_visited, here)
    )
    return attrs.evolve(current, comparison=build_comparison(earlier, current))


# -- comparing rounds ----------------------------------------------------------------------------------


def load_round(
    path: str | os.PathLike[str], registry: Registry, *, rule: str | None = None
) -> CollationReport | WorkshopReport:
    """One round to compare: a workshop record (its report), or a collation file (its counts analysed again by
    ``rule``, else by the rule it names when installed, else the default rule). A collation of an instrument
    version that is not installed is read against the levels and domains recorded in it, with a warning."""
    name = os.fspath(path)
    if not Path(name).is_file():
        raise ValidationError(Problem("no such file", file=name))
    if Path(name).suffix.lower() not in (".json", ".toml"):
        raise ValidationError(
            Problem("neither a collation (from 'matrixkit collate') nor a workshop record", file=name)
        )
    doc, _ = read_document(name)
    if is_workshop_document(doc):
        return workshop_report(name, registry, rule=rule)
    if not is_collation_document(doc):
        raise ValidationError(
            Problem("neither a collation (from 'matrixkit collate') nor a workshop record", file=name)
        )
    parsed = parse_collation(doc, file=name)
    instrument, warnings = _instrument_of_round(parsed, registry, name)
    collation = collation_from_document(parsed, instrument, file=name, strict=False)
    named = rule or (parsed.rule if parsed.rule in registry.rules else None)
    return build_collation_report(
        collation.unsplit(),
        _rule(registry, named),
        title=parsed.title or os.path.basename(name),
        warnings=warnings,
    )


def _instrument_of_round(parsed: CollationDocument, registry: Registry, name: str) -> tuple[Instrument, list[str]]:
    ident = parsed.instrument
    try:
        installed = registry.instrument(ident.id)
    except MatrixkitError:
        installed = None
    if (
        installed is not None
        and ident.version == installed.version
        and ident.fingerprint in (None, installed.fingerprint)
    ):
        return installed, []
    warning = (
        f"{name}: {ident.id} {ident.version} is not the installed instrument; using the levels and domains "
        "recorded in the file"
    )
    return instrument_of_document(parsed, file=name), [warning]


def compare_rounds(
    before: str | os.PathLike[str], after: str | os.PathLike[str], registry: Registry, *, rule: str | None = None
) -> Comparison:
    """Two rounds (collation files or workshop records) of one instrument, compared domain by domain."""
    first, second = load_round(before, registry, rule=rule), load_round(after, registry, rule=rule)
    if first.instrument.id != second.instrument.id:
        raise MatrixkitError(
            f"the rounds are of different instruments ({first.instrument.id} and {second.instrument.id})"
        )
    comparison = build_comparison(
        first,
        second,
        before_name="" if isinstance(first, WorkshopReport) else os.path.basename(os.fspath(before)),
        after_name="" if isinstance(second, WorkshopReport) else os.path.basename(os.fspath(after)),
    )
    warnings = [*_round_warnings(first), *_round_warnings(second), *comparison.warnings]
    return attrs.evolve(comparison, warnings=tuple(dict.fromkeys(warnings)))


def _round_warnings(round_: CollationReport | WorkshopReport) -> tuple[str, ...]:
    return round_.warnings


# -- output -------------------------------------------------------------------------------------------------


def subject_kind(subject: object) -> str:
    """The kind an object renders as: an instrument a blank ``sheet``, a record sheet a ``record``, a collation
    report a ``collation``, a workshop report a ``report``, a comparison a ``comparison``."""
    kinds: list[tuple[type, str]] = [
        (Instrument, "sheet"),
        (RecordSheet, "record"),
        (CollationReport, "collation"),
        (WorkshopReport, "report"),
        (Comparison, "comparison"),
    ]
    for cls, kind in kinds:
        if isinstance(subject, cls):
            return kind
    if isinstance(subject, Collation):
        raise TypeError("a Collation holds counts only: analyse(collation) gives the CollationReport to render")
    raise TypeError(
        f"cannot render a {type(subject).__name__}: expected an Instrument, RecordSheet, CollationReport, "
        "WorkshopReport or Comparison"
    )
