"""Markdown: golden files for each kind, and escaping of everything Markdown would interpret.

Regenerate the golden files after an intended change with ``MATRIXKIT_REGENERATE_GOLDENS=1 pytest ...``, then
read the diff before committing it.
"""

from __future__ import annotations

import os
import re

import pytest
from matrixkit_exporters.markdown import inline
from workshop_data import GOLDEN, HOSTILE, hostile_instrument, hostile_record, hostile_report

from matrixkit.exporting import render_as as render
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import CollationReport, RecordSheet, WorkshopReport

REGENERATE = os.environ.get("MATRIXKIT_REGENERATE_GOLDENS") == "1"


@pytest.mark.parametrize("kind", ["sheet", "record", "collation", "report", "summary", "collation-sheet"])
def test_matches_the_golden_file(
    kind: str,
    registry: Registry,
    instrument: Instrument,
    record: RecordSheet,
    collation: CollationReport,
    report: WorkshopReport,
    second_round: WorkshopReport,
) -> None:
    subject = {
        "sheet": instrument,
        "record": record,
        "collation": collation,
        "report": report,
        "summary": second_round,
        "collation-sheet": instrument,
    }[kind]
    data = render(registry.exporter("md"), kind, subject).decode("utf-8")
    golden = GOLDEN / f"{kind}.md"
    if REGENERATE:
        # A regenerating run never passes: the new file must be read (git diff) and the test run again.
        changed = not golden.is_file() or golden.read_text(encoding="utf-8") != data
        golden.write_text(data, encoding="utf-8")
        pytest.fail(
            f"{golden.name} {'rewritten' if changed else 'unchanged'}: read the diff, then run without "
            "MATRIXKIT_REGENERATE_GOLDENS"
        )
    assert golden.is_file(), f"no golden file {golden.name}: run with MATRIXKIT_REGENERATE_GOLDENS=1"
    assert data == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
        ("*bold* _it_ `code`", r"\*bold\* \_it\_ \`code\`"),
        ("a | b", r"a \| b"),
        ("[link](http://x)", r"\[link\](http://x)"),
        ("# not a heading", r"\# not a heading"),
        ("- not a list", r"\- not a list"),
        ("1. not a list", r"1\. not a list"),
        ("$x$ & ~y~", r"\$x\$ \& \~y\~"),
        ("two\nlines", "two lines"),
        ("back\\slash", "back\\\\slash"),
        ("plain text, 3.5 - 2", "plain text, 3.5 - 2"),
    ],
)
def test_inline_escapes_markdown(text: str, expected: str) -> None:
    assert inline(text) == expected


def test_hostile_text_is_escaped_in_every_kind(registry: Registry) -> None:
    instrument = hostile_instrument()
    report = hostile_report(instrument)
    exporter = registry.exporter("md")
    for kind, subject in [
        ("sheet", instrument),
        ("record", hostile_record(instrument)),
        ("collation", report.collation),
        ("report", report),
        ("summary", report),
        ("collation-sheet", instrument),
    ]:
        text = render(exporter, kind, subject).decode("utf-8")
        assert HOSTILE not in text, kind
        assert r"\<script\>alert(1)\</script\>" in text, kind
        # Every < that is not escaped would open HTML on GitHub: the only HTML is the renderer's own line break
        # within a table cell.
        assert re.search(r"(?<!\\)<(?!br>)", text) is None, kind
