"""CSV: tables a spreadsheet or a script can take further, safe against formula injection.

- ``sheet``: a blank response template — the ``participant``, ``sector`` and ``table`` columns, then one column
  per domain headed by its key — that the core's CSV reader accepts once filled in;
- ``record``: one row per domain with the person's level and comment;
- ``collation``: one row per domain (and, when split, per group and domain) with the counts per level (one
  column per level key), not answered, the suggested level, agreement, within-one share, polarisation, flags;
- ``report``: the collation's rows for all responses plus the agreed level, target, priority, proposed
  priorities for action, notes and actions of each domain;
- ``comparison``: one row per domain with the level shown in each round (and whether it was agreed or
  suggested), the change, and agreement and mean score then and now.

Every text cell goes through :func:`~matrixkit_exporters.safety.neutralise_formula` (OWASP: a cell starting with
``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``); numbers are written as numbers. UTF-8 with a byte
order mark, so that spreadsheet programs read accents correctly; CRLF line ends (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from matrixkit.text import when_text
from matrixkit_exporters.safety import neutralise_formula, printable

if TYPE_CHECKING:
    from matrixkit.model import Instrument, Level
    from matrixkit.report import CollationReport, Comparison, RecordSheet, Stats, WorkshopReport
    from matrixkit.workshop import Action

__all__ = ["render_collation", "render_comparison", "render_record", "render_report", "render_sheet"]

Cell = str | int | float | None


def _cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return round(value, 4) if isinstance(value, float) else value
    return neutralise_formula(printable(value))


def _write(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(c) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _key(level: Level | None) -> str | None:
    return None if level is None else level.key


def _score(level: Level | None) -> int | None:
    return None if level is None else level.score


def render_sheet(instrument: Instrument) -> bytes:
    """A blank response template for the CSV reader: a header row only."""
    return _write(["participant", "sector", "table", *instrument.domain_keys], [])


def render_record(record: RecordSheet) -> bytes:
    header = ["participant", "domain", "domain_title", "group", "level", "level_label", "score", "comment"]
    rows = [
        [
            record.participant,
            e.domain.key,
            e.domain.title,
            e.domain.group,
            _key(e.level),
            None if e.level is None else e.level.label,
            _score(e.level),
            e.comment,
        ]
        for e in record.entries
    ]
    return _write(header, rows)


def _stats_header(instrument: Instrument) -> list[str]:
    return [
        *instrument.level_keys,
        "not_answered",
        "answered",
        "suggested",
        "suggested_level",
        "agreement",
        "within_one",
        "polarised",
        "flags",
    ]


def _stats_row(stats: Stats) -> list[Cell]:
    return [
        *stats.counts,
        stats.missing,
        stats.answered,
        _score(stats.suggested),
        _key(stats.suggested),
        stats.agreement,
        stats.within_one,
        stats.polarised,
        " ".join(stats.flags),
    ]


def render_collation(report: CollationReport) -> bytes:
    instrument = report.instrument
    header = ["group", "domain", "domain_title", "responses", *_stats_header(instrument), "between_share"]
    rows: list[list[Cell]] = []
    for result in report.domains:
        row = [result.domain.key, result.domain.title, result.responses, *_stats_row(result), result.between_share]
        rows.append(["(all)", *row])
    for name in report.groups:
        for result in report.domains:
            group = result.group(name)
            rows.append([name, result.domain.key, result.domain.title, group.responses, *_stats_row(group), None])
    return _write(header, rows)


def _actions(actions: Sequence[Action]) -> str:
    return "\n".join(
        " | ".join(part for part in (a.what, a.who, when_text(a.when), a.measure) if part) for a in actions
    )


def render_report(report: WorkshopReport) -> bytes:
    instrument = report.instrument
    header = ["domain", "domain_title", "responses", *_stats_header(instrument)]
    header += ["agreed", "agreed_level", "target", "target_level", "priority", "priorities", "notes", "actions"]
    rows = [
        [
            d.domain.key,
            d.domain.title,
            d.result.responses,
            *_stats_row(d.result),
            _score(d.agreed),
            _key(d.agreed),
            _score(d.target),
            _key(d.target),
            d.priority,
            d.priorities,
            d.notes,
            _actions(d.actions),
        ]
        for d in report.decisions
    ]
    return _write(header, rows)


def render_comparison(comparison: Comparison) -> bytes:
    """One row per domain: the level shown in each round (score, key, and whether agreed or suggested), the
    change, and agreement and mean score then and now."""
    header = ["domain", "domain_title"]
    for side in ("before", "after"):
        header += [f"{side}_level_score", f"{side}_level", f"{side}_level_kind", f"{side}_agreement", f"{side}_mean"]
    header += ["level_change", "agreement_change", "mean_change", "distribution_shift"]
    rows: list[list[Cell]] = []
    for d in comparison.domains:
        row: list[Cell] = [d.domain.key, d.domain.title]
        for shown, kind, result in (
            (d.shown_before, d.shown_before_kind, d.before),
            (d.shown_after, d.shown_after_kind, d.after),
        ):
            row += [_score(shown), _key(shown), kind, result.agreement, result.mean]
        row += [d.level_change, d.agreement_change, d.mean_change, d.distribution_shift]
        rows.append(row)
    return _write(header, rows)
