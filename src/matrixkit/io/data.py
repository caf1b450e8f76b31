"""Plain data (dicts, lists, strings, numbers) of matrixkit's results, for the ``json`` and ``toml`` formats:
record sheets, workshop reports and comparisons of rounds. The collation JSON is written (and read) by
:mod:`matrixkit.io.collation_json`; a workshop report embeds it.

Numbers are rounded to four decimals; levels appear as scores (and keys where a key is more useful); dates as
ISO text in JSON.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from matrixkit.io.collation_json import collation_to_dict, instrument_summary, level_key, level_score, rounded
from matrixkit.report import Comparison, RecordSheet, RecordSummary, WorkshopReport
from matrixkit.workshop import Action

__all__ = [
    "actions_data",
    "comparison_to_dict",
    "record_sheet_to_dict",
    "workshop_report_to_dict",
]


def record_sheet_to_dict(sheet: RecordSheet) -> dict[str, Any]:
    """A record sheet as plain data: the person's level (score and key) per domain and the overall figures."""
    instrument = sheet.instrument

    def summary(s: RecordSummary) -> dict[str, Any]:
        return {
            "domains": s.domains,
            "counts": {lv.key: n for lv, n in zip(instrument.levels, s.counts, strict=True)},
            "answered": s.answered,
            "missing": s.missing,
            "mean": rounded(s.mean),
            "median": level_score(s.median),
            "overall": level_score(s.overall),
        }

    data: dict[str, Any] = {
        "instrument": instrument_summary(instrument),
        "participant": sheet.participant,
        "attributes": dict(sheet.attributes),
        "rule": sheet.rule,
        "domains": [
            {
                "key": e.domain.key,
                "title": e.domain.title,
                "group": e.domain.group,
                "level": level_key(e.level),
                "score": level_score(e.level),
                **({"comment": e.comment} if e.comment else {}),
            }
            for e in sheet.entries
        ],
        "overall": summary(sheet.overall),
    }
    if sheet.groups:
        data["groups"] = {group.key: {"title": group.title, **summary(s)} for group, s in sheet.groups}
    return data


def _when(value: datetime.date | str) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else value


def actions_data(actions: Sequence[Action]) -> list[dict[str, Any]]:
    """Actions as plain data (``status`` and ``note`` only when recorded)."""
    result = []
    for a in actions:
        entry: dict[str, Any] = {"what": a.what, "who": a.who, "when": _when(a.when), "measure": a.measure}
        if a.status is not None:
            entry["status"] = a.status
        if a.note:
            entry["note"] = a.note
        result.append(entry)
    return result


def workshop_report_to_dict(report: WorkshopReport) -> dict[str, Any]:
    """A workshop report as plain data: the record's details, decisions per domain and the collation JSON."""
    record = report.record
    data: dict[str, Any] = {
        "title": record.title,
        "date": record.date.isoformat() if record.date else None,
        "place": record.place,
        "facilitators": list(record.facilitators),
        "instrument": instrument_summary(report.instrument),
        "notes": record.notes,
        "decisions": [
            {
                "key": d.domain.key,
                "title": d.domain.title,
                "suggested": level_score(d.result.suggested),
                "agreed": level_score(d.agreed),
                "agreed_level": level_key(d.agreed),
                "target": level_score(d.target),
                "priority": d.priority,
                "priorities": d.priorities,
                "notes": d.notes,
                "actions": actions_data(d.actions),
            }
            for d in report.decisions
        ],
        "actions": actions_data(report.actions),
        "collation": collation_to_dict(report.collation),
    }
    if report.inputs:
        data["inputs"] = [{"label": c.title, **collation_to_dict(c)} for c in report.inputs]
    if report.comparison is not None:
        data["comparison"] = comparison_to_dict(report.comparison)
    if report.warnings:
        data["warnings"] = list(report.warnings)
    return data


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """A comparison of rounds as plain data."""
    instrument = comparison.instrument
    return {
        "instrument": instrument_summary(instrument),
        "before": {
            "title": comparison.before_title,
            "date": comparison.before_date.isoformat() if comparison.before_date else None,
            "responses": comparison.before_responses,
        },
        "after": {
            "title": comparison.after_title,
            "date": comparison.after_date.isoformat() if comparison.after_date else None,
            "responses": comparison.after_responses,
        },
        "domains": [
            {
                "key": c.domain.key,
                "title": c.domain.title,
                "shown": {
                    "before": level_score(c.shown_before),
                    "before_kind": c.shown_before_kind,
                    "after": level_score(c.shown_after),
                    "after_kind": c.shown_after_kind,
                },
                "suggested": {"before": level_score(c.before.suggested), "after": level_score(c.after.suggested)},
                "level_change": c.level_change,
                "mean": {
                    "before": rounded(c.before.mean),
                    "after": rounded(c.after.mean),
                    "change": rounded(c.mean_change),
                },
                "agreement": {
                    "before": rounded(c.before.agreement),
                    "after": rounded(c.after.agreement),
                    "change": rounded(c.agreement_change),
                },
                "counts": {
                    "before": {
                        lv.key: n for lv, n in zip(comparison.before_instrument.levels, c.before.counts, strict=True)
                    },
                    "after": {lv.key: n for lv, n in zip(instrument.levels, c.after.counts, strict=True)},
                },
                "distribution_shift": rounded(c.distribution_shift),
                "actions_before": actions_data(c.actions_before),
            }
            for c in comparison.domains
        ],
        "only_before": list(comparison.only_before),
        "only_after": list(comparison.only_after),
        "actions_before": actions_data(comparison.actions_before),
        "warnings": list(comparison.warnings),
    }
