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
    # textwrap never breaks a word longer than the width less than the width itself; allow for that.
    longest_word = max((len(w) for w in text.split()), default=0)
    assert all(len(line) <= max(60, longest_word + 6) for line in text.splitlines())
