"""Shared layout and colour helpers: sections by group, figures and dates as text, names, flags, contrast."""

from __future__ import annotations

import datetime

import attrs
import pytest
from matrixkit_exporters.colour import contrast_ratio, edge_colour, text_colour
from matrixkit_exporters.layout import action_when, agreement, decimal, flag_explanations, percent, sections

from matrixkit.model import Instrument
from matrixkit.workshop import Action


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "–"), (0.6956, "0.69"), (0.7, "0.70"), (0.699999, "0.69"), (1.0, "1.00"), (0.0, "0.00"), (0.3458, "0.34")],
)
def test_agreement_is_rounded_down(value: float | None, shown: str) -> None:
    assert agreement(value) == shown


def test_other_figures_are_rounded() -> None:
    assert decimal(2.8333) == "2.83" and decimal(2.6667) == "2.67" and decimal(None) == "–"
    assert percent(0.7778) == "78%" and percent(None) == "–"


def test_sections_follow_the_instrument_order_and_cut_where_the_group_changes(instrument: Instrument) -> None:
    found = sections(instrument)
    assert [s.group.title if s.group else None for s in found] == ["Planning together", "Delivering together"]
    assert [d.key for s in found for d in s.domains] == list(instrument.domain_keys)
    loose = attrs.evolve(instrument, domains=[attrs.evolve(d, group=None) for d in instrument.domains])
    assert [(s.group, len(s.domains)) for s in sections(loose)] == [(None, len(instrument.domains))]


@pytest.mark.parametrize(
    ("fill", "ink"),
    [
        ("#ffffff", "#000000"),
        ("#d9a066", "#000000"),
        ("#c0c0c0", "#000000"),
        ("#ffd700", "#000000"),
        ("#000000", "#ffffff"),
        ("#1a237e", "#ffffff"),
        ("#e34a33", "#000000"),
    ],
)
def test_text_colour_is_the_more_readable_of_black_and_white(fill: str, ink: str) -> None:
    assert text_colour(fill) == ink
    assert contrast_ratio(fill, ink) >= 4.5


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_pale_fills_get_an_outline() -> None:
    assert edge_colour("#ffffff") == "#595959"
    assert edge_colour("#d9a066") == "#d9a066"


@pytest.mark.parametrize(
    ("when", "shown"),
    [(datetime.date(2025, 6, 30), "30 June 2025"), ("Autumn 2025", "Autumn 2025"), ("", "–")],
)
def test_action_dates_are_long_dates_and_text_stays_as_written(when: datetime.date | str, shown: str) -> None:
    assert action_when(Action(what="x", when=when)) == shown


def test_every_flag_is_explained_as_a_sentence() -> None:
    from matrixkit.report import FLAGS

    explained = dict(flag_explanations(FLAGS))
    assert list(explained) == list(FLAGS)
    assert all(text.endswith(".") and text[0].isupper() for text in explained.values())
    assert explained["unanswered"] == "No one answered."
