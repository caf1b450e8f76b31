"""PDF, A4 landscape, typeset by typst: the printable blank matrix, record sheets, collation and workshop reports.

Why typst: it installs from PyPI as one self-contained wheel (no system packages, unlike WeasyPrint's Pango
or LaTeX), typesets tables that break across pages with repeated headers, embeds SVG charts, and writes
*tagged* PDF that meets PDF/UA-1 (the accessibility standard) — the document is compiled with ``ua-1``, so typst
checks that it has a title, alternative text for every chart and a proper structure.

The layout lives in ``templates/document.typ``. This module only arranges what a report already holds into a
JSON document (``sys.inputs.data``) — strings, level indices, figures already formatted — so that no text from
a person or a file is ever read as typst markup. The charts (matplotlib SVG) go in as their own inputs.

Fonts: DejaVu Sans from matplotlib's own package data (a dependency of this extra), so the same input gives the
same PDF on every machine; it covers Latin, Greek, Cyrillic, Arabic and Hebrew. Installed system fonts serve
only as fallbacks for characters it lacks (a name in Bengali or Chinese, say). When no font has a glyph for
some character, PDF/UA-1 cannot be met and the document is written as a tagged PDF without that claim.
"""

from __future__ import annotations

import atexit
import datetime
import importlib.util
import json
import re
import shutil
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from matrixkit.errors import MatrixkitError
from matrixkit_exporters import charts
from matrixkit_exporters.colour import text_colour
from matrixkit_exporters.layout import (
    NONE,
    SHEET_FIELDS,
    SHEET_INSTRUCTIONS,
    action_when,
    agreement,
    collation_title,
    decimal,
    flag_meanings,
    group_label,
    instrument_heading,
    level_heading,
    level_name,
    percent,
    report_meta,
    rule_text,
    sections,
    used_flags,
)
from matrixkit_exporters.safety import printable

if TYPE_CHECKING:
    from matrixkit.model import Instrument, Level
    from matrixkit.report import CollationReport, RecordSheet, Stats, WorkshopReport
    from matrixkit.workshop import Action

__all__ = ["render_collation", "render_record", "render_report", "render_sheet"]

DIFFERS = " (differs from the suggestion)"
#: Fixed creation date: the same input gives the same bytes.
TIMESTAMP = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


_CONTROL = re.compile("[\x7f-\x9f]")


def _clean(value: Any) -> Any:
    """Every string in the document with control characters (which no font can show) replaced by U+FFFD."""
    if isinstance(value, str):
        return _CONTROL.sub("\ufffd", printable(value))
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _instrument(instrument: Instrument) -> dict[str, Any]:
    source = instrument.source
    lines = []
    if source.attribution or source.title:
        lines.append(f"Source: {' '.join((source.attribution or source.title).split())}")
    if source.licence:
        lines.append(f"Licence: {' '.join(source.licence.split())}")
    return {
        "title": instrument.title,
        "heading": instrument_heading(instrument),
        "sections": [
            {
                "group": section.group.title if section.group is not None else None,
                "domains": [{"title": d.title, "descriptors": list(d.descriptors)} for d in section.domains],
            }
            for section in sections(instrument)
        ],
        "guidance": [
            {"title": s.title, "paragraphs": _paragraphs(s.text), "items": list(s.items)} for s in instrument.guidance
        ],
        "source": lines,
    }


def _levels(instrument: Instrument) -> list[dict[str, str]]:
    return [
        {
            "heading": level_heading(level.label, level.score),
            "colour": level.colour,
            "ink": text_colour(level.colour),
        }
        for level in instrument.levels
    ]


def _level(level: Level | None, instrument: Instrument) -> dict[str, Any]:
    return {"text": level_name(level), "level": None if level is None else instrument.levels.index(level)}


def _stats_row(title: str, stats: Stats, instrument: Instrument) -> dict[str, Any]:
    return {
        "title": title,
        "counts": list(stats.counts),
        "missing": stats.missing,
        "suggested": _level(stats.suggested, instrument),
        "agreement": agreement(stats.agreement),
        "within": percent(stats.within_one),
        "flags": list(stats.flags),
    }


def _collation(report: CollationReport) -> dict[str, Any]:
    instrument = report.instrument
    by = None
    if report.by is not None:
        by = {
            "name": report.by,
            "groups": [group_label(report, g) for g in report.groups],
            "rows": [
                {
                    "title": r.domain.title,
                    "cells": [
                        {**_level(r.group(g).suggested, instrument), "agreement": agreement(r.group(g).agreement)}
                        for g in report.groups
                    ],
                    "between": percent(r.between_share),
                }
                for r in report.domains
            ],
            "tables": [
                {
                    "label": group_label(report, g),
                    "rows": [_stats_row(r.domain.title, r.group(g), instrument) for r in report.domains],
                }
                for g in report.groups
            ],
        }
    discuss = [
        f"{r.domain.title}: agreement {agreement(r.agreement)} (below {decimal(report.discuss_below)}), answers from "
        f"{level_name(r.lowest)} to {level_name(r.highest)}" + ("; polarised" if r.polarised else "")
        for r in report.to_discuss
    ]
    subtitle = f"{report.responses} responses · rule: {rule_text(report)}"
    if report.sources:
        subtitle += " · sources: " + ", ".join(report.sources)
    return {
        "title": collation_title(report),
        "subtitle": subtitle,
        "rule": report.rule,
        "warnings": list(report.warnings),
        "rows": [_stats_row(r.domain.title, r, instrument) for r in report.domains],
        "discuss": discuss,
        "by": by,
        "comments": [{"title": r.domain.title, "items": list(r.comments)} for r in report.domains if r.comments],
        "flag_meanings": [list(pair) for pair in flag_meanings(used_flags(report))],
    }


def _collation_meta(report: CollationReport) -> list[list[str]]:
    rows = [
        ["Instrument", instrument_heading(report.instrument)],
        ["Responses", str(report.responses)],
        ["Rule", rule_text(report)],
    ]
    if report.by is not None:
        rows.append(["Split by", f"{report.by}: " + ", ".join(group_label(report, g) for g in report.groups)])
    if report.sources:
        rows.append(["Sources", ", ".join(report.sources)])
    return rows


def _actions(actions: tuple[Action, ...]) -> list[dict[str, str]]:
    return [
        {"what": a.what, "who": a.who or NONE, "when": action_when(a), "measure": a.measure or NONE} for a in actions
    ]


# -- compiling ------------------------------------------------------------------------------------------------


#: The DejaVu Sans faces taken from matplotlib's package data.
_FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")


@cache
def _font_folder() -> str | None:
    """A folder holding only the DejaVu Sans faces from matplotlib's package data (a dependency of the pdf extra).

    Not matplotlib's font folder itself: it also holds the Last Resort font, whose placeholder glyphs typst
    would pick over an installed font that really has the characters (a Bengali or Chinese name, say).
    """
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - pdf requires matplotlib
        return None
    source = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    if not all((source / face).is_file() for face in _FACES):  # pragma: no cover - matplotlib always ships them
        return None
    folder = Path(tempfile.mkdtemp(prefix="matrixkit-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for face in _FACES:
        shutil.copyfile(source / face, folder / face)
    return str(folder)


def _font_paths() -> list[str]:
    folder = _font_folder()
    return [folder] if folder is not None else []


def _compile(kind: str, instrument: Instrument, title: str, content: dict[str, Any], images: dict[str, bytes]) -> bytes:
    import typst

    document = {
        "kind": kind,
        "title": title,
        "footer": f"{instrument_heading(instrument)} · matrixkit",
        "levels": _levels(instrument),
        "instrument": _instrument(instrument),
        **content,
    }
    source = resources.files("matrixkit_exporters").joinpath("templates", "document.typ").read_bytes()
    inputs = {"data": json.dumps(_clean(document), ensure_ascii=False)}
    inputs.update({name: svg.decode("utf-8") for name, svg in images.items()})
    pdf: bytes | None = None
    # PDF/UA-1 demands a glyph for every character. Text in a script that no installed font covers cannot meet
    # it: that document is written as a tagged PDF without the PDF/UA-1 claim (the characters show as boxes).
    for standards in (["ua-1"], []):
        try:
            pdf, _warnings = typst.compile_with_warnings(
                source,
                font_paths=cast(Any, _font_paths()),  # the stub ties the type of font paths to that of the input
                sys_inputs=inputs,
                pdf_standards=cast(Any, standards),
                pdf_tags=True,
                timestamp=TIMESTAMP,
            )
            break
        except typst.TypstError as exc:
            if standards and exc.message.startswith("PDF/UA-1 error"):
                continue
            # Anything else is a bug of this module's layout: report it as such.
            raise MatrixkitError(f"typst could not typeset the PDF: {exc.message}") from exc
    if not isinstance(pdf, bytes):  # pragma: no cover - compile returns bytes for a single PDF
        raise MatrixkitError("typst returned no PDF")
    return pdf


def _svg(fig: Any, description: str) -> bytes:
    return charts.figure_bytes(fig, "svg", description=description)


# -- the four kinds -------------------------------------------------------------------------------------------


def render_sheet(instrument: Instrument) -> bytes:
    """The printable blank matrix: name and sector boxes, one row per domain, a descriptor cell per level to ring."""
    content = {"fields": list(SHEET_FIELDS), "instructions": SHEET_INSTRUCTIONS}
    return _compile("sheet", instrument, f"Record sheet: {instrument.title}", content, {})


def render_record(record: RecordSheet) -> bytes:
    instrument = record.instrument
    series = [charts.Series(record.participant, [e.index for e in record.entries])]
    description = charts.describe_profile(instrument, series)
    summaries = [("All domains", record.overall)] + [(group.title, s) for group, s in record.groups]
    content = {
        "participant": record.participant,
        "meta": [["Instrument", instrument_heading(instrument)]]
        + [[name.capitalize(), value] for name, value in sorted(record.attributes.items())],
        "chosen": [e.index for e in record.entries],
        "comments": [e.comment for e in record.entries],
        "rule": record.rule,
        "summary": [
            {
                "name": name,
                "counts": list(s.counts),
                "missing": s.missing,
                "mean": decimal(s.mean),
                "median": _level(s.median, instrument),
                "overall": _level(s.overall, instrument),
            }
            for name, s in summaries
        ],
        "charts": {"profile": description},
    }
    images = {"profile": _svg(charts.record_chart(record), description)}
    return _compile("record", instrument, f"Record sheet: {record.participant}", content, images)


def _chart_inputs(report: CollationReport, series: list[charts.Series]) -> tuple[dict[str, str], dict[str, bytes]]:
    distribution, profile = charts.collation_charts(report, series)
    texts = {
        "distribution": charts.describe_distribution(report),
        "profile": charts.describe_profile(report.instrument, series),
    }
    images = {
        "distribution": _svg(distribution, texts["distribution"]),
        "profile": _svg(profile, texts["profile"]),
    }
    return texts, images


def render_collation(report: CollationReport) -> bytes:
    texts, images = _chart_inputs(report, charts.collation_series(report))
    content = {"meta": _collation_meta(report), "collation": _collation(report), "charts": texts}
    return _compile("collation", report.instrument, collation_title(report), content, images)


def render_report(report: WorkshopReport) -> bytes:
    instrument = report.instrument
    collation = report.collation
    texts, images = _chart_inputs(collation, charts.report_series(report))

    def decision(d: Any) -> dict[str, Any]:
        return {
            "heading": f"{d.priority}. {d.domain.title}" if d.priority is not None else d.domain.title,
            "paragraphs": _paragraphs(d.priorities),
            "notes": " ".join(d.notes.split()),
            "actions": _actions(d.actions),
        }

    inputs = None
    if report.inputs:
        inputs = {
            "names": [f"{c.title or f'input {i}'} ({c.responses})" for i, c in enumerate(report.inputs, 1)],
            "rows": [
                {
                    "title": r.domain.title,
                    "cells": [
                        {**_level(c.domains[i].suggested, instrument), "agreement": agreement(c.domains[i].agreement)}
                        for c in report.inputs
                    ],
                }
                for i, r in enumerate(collation.domains)
            ],
        }
    content = {
        "meta": [list(pair) for pair in report_meta(report)],
        "notes": _paragraphs(report.record.notes),
        "warnings": list(report.warnings),
        "decisions": [
            {
                "title": d.domain.title,
                "suggested": _level(d.result.suggested, instrument),
                "agreement": agreement(d.result.agreement),
                "agreed": {
                    **_level(d.agreed, instrument),
                    "text": level_name(d.agreed)
                    + (" (differs from the suggestion)" if d.differs_from_suggestion else ""),
                },
                "target": _level(d.target, instrument),
                "priority": str(d.priority) if d.priority is not None else NONE,
                "priorities": " ".join(d.priorities.split()) or NONE,
            }
            for d in report.decisions
        ],
        "priorities": [decision(d) for d in report.priorities],
        "others": [decision(d) for d in report.decisions if d.priority is None and (d.actions or d.notes)],
        "actions": _actions(report.actions),
        "collation": _collation(collation),
        "inputs": inputs,
        "charts": texts,
    }
    return _compile("report", instrument, report.title, content, images)
