"""The terminal rendering of a matrix stays within the width whatever the labels."""

from __future__ import annotations

from hypothesis import given, settings

from matrixkit.model import Instrument
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
