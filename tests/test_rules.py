"""Consensus rules and agreement statistics on hand-checked tallies, and a hand-computed workshop."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest

from matrixkit.collation import Tally
from matrixkit.format import loads_instrument
from matrixkit.model import Instrument
from matrixkit.registry import Registry
from matrixkit.report import build_collation_report
from matrixkit.rules import (
    ConsensusRule,
    LowerMedianRule,
    LowerQuartileRule,
    MedianIfAgreedRule,
    ModeRule,
    UpperMedianRule,
    between_share,
    builtin_rules,
    consensus,
    is_polarised,
    lower_median,
    mean_score,
    mode,
    order_statistic,
    upper_median,
    within_one,
)
from matrixkit.services import read_responses

FOUR_LEVELS = """
format = 1
id = "small-tool"
title = "Small tool"
version = "1.0"

[[levels]]
key = "a"
label = "First"
score = 1

[[levels]]
key = "b"
label = "Second"
score = 2

[[levels]]
key = "c"
label = "Third"
score = 3

[[levels]]
key = "d"
label = "Fourth"
score = 4

[[domains]]
key = "vision"
title = "Shared vision"
descriptors = ["none", "some", "most", "all"]

[[domains]]
key = "data"
title = "Data sharing"
descriptors = ["none", "some", "most", "all"]
"""


@pytest.fixture(scope="module")
def small() -> Instrument:
    return loads_instrument(FOUR_LEVELS)


def test_order_statistics() -> None:
    tally = Tally([2, 3, 1, 0], 1)  # answers 1,1,2,2,2,3 (indices 0,0,1,1,1,2)
    assert [order_statistic(tally, k) for k in range(1, 7)] == [0, 0, 1, 1, 1, 2]
    assert lower_median(tally) == 1
    assert upper_median(tally) == 1
    with pytest.raises(ValueError):
        order_statistic(tally, 7)
    even = Tally([1, 1, 0, 0])
    assert (lower_median(even), upper_median(even)) == (0, 1)


def test_no_answers_give_no_statistics(small: Instrument) -> None:
    empty = Tally([0, 0, 0, 0], 5)
    for rule in builtin_rules():
        assert rule.suggest(empty, small) is None
    assert consensus(empty, small) is None
    assert mean_score(empty, small) is None
    assert within_one(empty, 0) is None
    assert not is_polarised(empty)


def test_mode_ties_go_to_the_lower_level_and_mode_is_not_merge_stable(small: Instrument) -> None:
    assert mode(Tally([0, 2, 2, 1])) == 1
    # The counterexample in ModeRule's docstring and in STYLE.md.
    a, b = Tally([3, 0, 0, 2]), Tally([0, 3, 0, 2])
    assert (mode(a), mode(b), mode(a + b)) == (0, 1, 3)
    assert "not merge-stable" in (ModeRule.__doc__ or "").lower()


def test_cautious_is_the_lower_quartile(small: Instrument) -> None:
    rule = LowerQuartileRule()
    assert rule.suggest(Tally([1, 1, 1, 1]), small) == 0  # ⌈4/4⌉ = 1st
    assert rule.suggest(Tally([1, 1, 1, 2]), small) == 1  # n = 5: ⌈5/4⌉ = 2nd smallest
    assert rule.suggest(Tally([0, 0, 6, 0]), small) == 2


def test_median_if_agreed_proposes_only_when_agreement_passes(small: Instrument) -> None:
    rule = MedianIfAgreedRule(0.7)
    assert rule.suggest(Tally([0, 5, 1, 0]), small) == 1
    assert rule.suggest(Tally([3, 0, 0, 3]), small) is None
    with pytest.raises(ValueError):
        MedianIfAgreedRule(1.5)


def test_rules_satisfy_the_protocol() -> None:
    names = [r.name for r in builtin_rules()]
    assert names == ["median", "median-high", "mode", "cautious", "median-if-agreed"]
    for rule in builtin_rules():
        assert isinstance(rule, ConsensusRule)
        assert rule.description and "\n" not in rule.description


def test_consensus_reference_values(small: Instrument) -> None:
    assert consensus(Tally([0, 7, 0, 0]), small) == 1.0
    assert consensus(Tally([4, 0, 0, 4]), small) == 0.0  # an even split between the extremes
    # A uniform spread over four levels: μ = 2.5, distances 1.5 and 0.5 out of d = 3:
    # 1 + ½·log2(½) + ½·log2(5/6) = 1 − 0.5 − 0.1315 = 0.3685 (STYLE.md: "≈ 0.37").
    assert consensus(Tally([1, 1, 1, 1]), small) == pytest.approx(1 - 0.5 + 0.5 * math.log2(5 / 6))
    # Two adjacent levels, evenly: each answer ½ level from μ: 1 + log2(1 − 0.5/3) ≈ 0.737.
    assert consensus(Tally([0, 3, 3, 0]), small) == pytest.approx(1 + math.log2(5 / 6))


def test_consensus_ignores_the_spacing_origin_but_not_the_spacing() -> None:
    spaced = loads_instrument(FOUR_LEVELS.replace("score = 3", "score = 7").replace("score = 4", "score = 8"))
    tally = Tally([1, 2, 0, 1])
    even = loads_instrument(FOUR_LEVELS)
    # Gaps between scores matter (the third level is far from the second on the spaced scale).
    assert consensus(tally, spaced) != pytest.approx(consensus(tally, even))


def test_within_one_and_polarised() -> None:
    tally = Tally([3, 0, 0, 4])
    assert within_one(tally, 3) == pytest.approx(4 / 7)
    assert within_one(tally, 0) == pytest.approx(3 / 7)
    assert within_one(Tally([1, 2, 3, 4]), 1) == pytest.approx(6 / 10)
    assert is_polarised(tally)
    assert not is_polarised(Tally([3, 3, 0, 1]))
    assert not is_polarised(Tally([0, 0, 0, 1]))


def test_between_share_reference_values(small: Instrument) -> None:
    # Agreement within each group, difference between them: all the disagreement is between groups.
    assert between_share([Tally([2, 0, 0, 0]), Tally([0, 0, 0, 3])], small) == pytest.approx(1.0)
    # Identical groups: none of it is.
    assert between_share([Tally([1, 1, 0, 1]), Tally([1, 1, 0, 1])], small) == pytest.approx(0.0)
    # Not defined with one group, or without disagreement.
    assert between_share([Tally([1, 2, 0, 0])], small) is None
    assert between_share([Tally([0, 2, 0, 0]), Tally([0, 1, 0, 0])], small) is None


HAND_WORKSHOP = """participant,sector,table,vision,Data sharing
C1,civic,1,2,1
C2,civic,1,Second,d
C3,civic,2,3,First
V1,vcse,1,1,4
V2,vcse,2,a,4
V3,vcse,2,2,1
V4,vcse,2,,Fourth
"""


def test_hand_computed_workshop(small: Instrument, tmp_path: Path) -> None:
    """Seven partners, two sectors, two tables, on a four-level scale (scores 1–4, d = 3).

    **vision** — civic 2, 2, 3; vcse 1, 1, 2 and one blank.
      counts [2, 3, 1, 0], answered 6, missing 1.
      median: sorted 1 1 2 2 2 3, the ⌈6/2⌉ = 3rd → 2.  mean 11/6 = 1.8333.
      consensus: offsets from the lowest score 0 0 1 1 1 2, μ = 5/6;
        level 1: p = 2/6, 1 − |0 − 5/6|/3 = 0.72222, log2 = −0.46949
        level 2: p = 3/6, 1 − |1 − 5/6|/3 = 0.94444, log2 = −0.08246
        level 3: p = 1/6, 1 − |2 − 5/6|/3 = 0.61111, log2 = −0.71049
        Cns = 1 − (0.15650 + 0.04123 + 0.11842) = 0.68386  → below 0.7: "discuss".
      within one level of 2: 6/6.  polarised: level 4 has no one → no.
      between sectors: civic mean offset 4/3, vcse 1/3, grand 5/6;
        SS_between = 3·(½)² + 3·(½)² = 3/2; SS_total = 2·(5/6)² + 3·(1/6)² + (7/6)² = 102/36;
        share = (3/2)/(102/36) = 9/17 ≈ 0.529: half the disagreement is between the sectors.
    **data** — civic 1, 4, 1; vcse 4, 4, 1, 4.
      counts [3, 0, 0, 4], answered 7: polarised (3/7 and 4/7 ≥ ¼) → "discuss".
      median: sorted 1 1 1 4 4 4 4, the 4th → 4 (the median hides the split: hence the flag).
      mean 19/7; consensus: μ = 12/7, 1 + 3/7·log2(1 − (12/7)/3) + 4/7·log2(1 − (9/7)/3) = 0.01477.
      within one of 4: 4/7.  mode 4; cautious (⌈7/4⌉ = 2nd) → 1.
      between: civic mean offset 1, vcse 9/4, grand 12/7;
        SS_between = 3·(5/7)² + 4·(15/28)² = 2100/784; SS_total = 3·(12/7)² + 4·(9/7)² = 756/49;
        share = 25/144 ≈ 0.174: mostly individual views, not sectoral ones.
    Tables 1 (C1, C2, V1) and 2 (C3, V2, V3, V4) pooled give exactly the same counts.
    """
    from matrixkit.collation import collate

    hand = tmp_path / "hand.csv"
    hand.write_text(HAND_WORKSHOP)
    responses = read_responses(hand, small, Registry.for_plugins())
    whole = collate(small, responses, by="sector")
    report = build_collation_report(whole, LowerMedianRule())

    vision = report.domain("vision")
    assert vision.counts == (2, 3, 1, 0)
    assert (vision.answered, vision.missing) == (6, 1)
    assert vision.suggested is not None and vision.suggested.score == 2
    assert vision.mean == pytest.approx(11 / 6)
    assert vision.agreement == pytest.approx(0.68386, abs=1e-5)
    assert vision.within_one == 1.0
    assert not vision.polarised
    assert vision.flags == ("discuss",)
    assert vision.between_share == pytest.approx(float(Fraction(9, 17)))
    assert vision.group("civic").counts == (0, 2, 1, 0)
    assert vision.group("vcse").counts == (2, 1, 0, 0)
    assert vision.group("vcse").missing == 1

    data = report.domain("data")
    assert data.counts == (3, 0, 0, 4)
    assert data.polarised
    assert data.flags == ("discuss", "polarised")
    assert data.suggested is not None and data.suggested.score == 4
    assert data.mean == pytest.approx(19 / 7)
    assert data.agreement == pytest.approx(0.014772, abs=1e-6)
    assert data.within_one == pytest.approx(4 / 7)
    assert data.between_share == pytest.approx(float(Fraction(25, 144)))
    tally = whole.tally("data")
    assert ModeRule().suggest(tally, small) == 3
    assert LowerQuartileRule().suggest(tally, small) == 0
    assert UpperMedianRule().suggest(tally, small) == 3

    table_1 = collate(small, [r for r in responses if r.attributes["table"] == "1"], by="sector")
    table_2 = collate(small, [r for r in responses if r.attributes["table"] == "2"], by="sector")
    assert table_1.merge(table_2) == whole
    # Small groups are warned about: civic has 3 (fine), vcse 4 (fine); the tables split by sector are small.
    assert report.warnings == ()
    assert any("'civic'" in w for w in build_collation_report(table_1, LowerMedianRule()).warnings)
