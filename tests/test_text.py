"""The terminal rendering of a matrix stays within the width whatever the labels."""

from __future__ import annotations

from hypothesis import given, settings

from matrixkit.model import Domain, Instrument, Level
from matrixkit.testing.strategies import instruments
from matrixkit.text import render_matrix


@settings(max_examples=60, deadline=None)
@given(instruments(hostile=False))
def test_every_descriptor_is_shown_within_the_width(instrument: Instrument) -> None:
    text = render_matrix(instrument, width=60)
    flat = " ".join(text.split())
    for domain in instrument.domains:
        for descriptor in domain.descriptors:
            assert " ".join(descriptor.split()) in flat
    # A word longer than the room left on its line is never cut (it would no longer read as written): such a line
    # is its indentation or label followed by that one word.
    for line in text.splitlines():
        if len(line) > 60:
            head, word = line.rstrip().rsplit(maxsplit=1)[0], line.split()[-1]
            assert len(head) < 60 and len(head) + 1 + len(word) > 60, line


def test_a_long_title_wraps_and_keeps_the_id_whole() -> None:
    instrument = Instrument(
        id="a-long-kebab-case-id",
        title="A title long enough to need a second line at forty columns",
        version="1.0",
        levels=[Level(key="low", label="Low", score=1), Level(key="high", label="High", score=2)],
        domains=[Domain(key="d", title="Domain", descriptors=["one", "two"])],
    )
    lines = render_matrix(instrument, width=40).splitlines()
    assert lines[:3] == [
        "A title long enough to need a second",
        "line at forty columns",
        "(a-long-kebab-case-id 1.0)",
    ]
    assert lines[3] == "=" * 36
