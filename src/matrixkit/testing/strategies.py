"""Public hypothesis strategies for plugin authors and for matrixkit's own tests.

from matrixkit.testing.strategies import instruments

@given(instruments(max_levels=5))
def test_my_exporter_renders_any_sheet(instrument): ...
"""

from matrixkit.testing._instruments import colours, instruments, keys, levels, texts
from matrixkit.testing._responses import (
    SECTORS,
    actions,
    collation_reports,
    collations,
    large_collations,
    level_indices,
    participant_ids,
    record_sheets,
    response_lists,
    responses,
    rules,
    tallies,
    workshop_records,
    workshop_reports,
)

__all__ = [
    "SECTORS",
    "actions",
    "collation_reports",
    "collations",
    "colours",
    "instruments",
    "keys",
    "large_collations",
    "level_indices",
    "levels",
    "participant_ids",
    "record_sheets",
    "response_lists",
    "responses",
    "rules",
    "tallies",
    "texts",
    "workshop_records",
    "workshop_reports",
]
