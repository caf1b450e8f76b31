"""Consensus rules and agreement statistics, computed from tallies (counts), never from stored averages.

A *consensus rule* proposes one level for a domain from its :class:`~matrixkit.collation.Tally`; the workshop
decides. Rules are plugins (:func:`~matrixkit.hookspecs.matrixkit_register_rules`); the built-in ones are
:class:`LowerMedianRule` (``median``, the default), :class:`UpperMedianRule` (``median-high``),
:class:`ModeRule` (``mode``), :class:`LowerQuartileRule` (``cautious``) and :class:`MedianIfAgreedRule`
(``median-if-agreed``).

*Agreement* statistics say how far people agree, whatever the rule: :func:`consensus` (Tastle and Wierman's
measure), :func:`within_one` (share of answers within one level of a suggestion), :func:`is_polarised`
(both ends of the scale well populated) and, across groups, :func:`between_share` (how much of the
disagreement lies between groups rather than within them). ``docs/statistics.md`` gives every formula.

All functions take level *indices* (0 = lowest) and use the instrument's level *scores* where distances
matter, so any scale works: any number of levels, any strictly increasing scores.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matrixkit.collation import Tally
    from matrixkit.model import Instrument

__all__ = [
    "DEFAULT_RULE",
    "DISCUSS_BELOW",
    "POLARISED_SHARE",
    "ConsensusRule",
    "LowerMedianRule",
    "LowerQuartileRule",
    "MedianIfAgreedRule",
    "ModeRule",
    "UpperMedianRule",
    "between_share",
    "builtin_rules",
    "consensus",
    "is_polarised",
    "lower_median",
    "mean_score",
    "mode",
    "order_statistic",
    "upper_median",
    "within_one",
]

#: The rule used when none is named.
DEFAULT_RULE = "median"
#: Domains whose agreement is below this are flagged "discuss".
DISCUSS_BELOW = 0.7
#: A tally is polarised when the lowest and the highest level each hold at least this share of the answers.
POLARISED_SHARE = 0.25


@runtime_checkable
class ConsensusRule(Protocol):
    """A way of proposing one level from a domain's tally.

    ``name`` is kebab-case (``--rule NAME``); ``description`` is one line for ``matrixkit rules``.
    ``suggest`` returns the index of the proposed level (0 = lowest), or None to propose nothing (always
    None when no one answered).
    """

    @property
    def name(self) -> str:
        """Kebab-case name, used as ``--rule NAME``."""
        ...

    @property
    def description(self) -> str:
        """One line saying what the rule proposes."""
        ...

    def suggest(self, tally: Tally, instrument: Instrument) -> int | None:
        """The index of the proposed level, or None."""
        ...


# -- order statistics ------------------------------------------------------------------------------


def order_statistic(tally: Tally, k: int) -> int:
    """The level index of the ``k``-th smallest answer (1-based); ``1 ≤ k ≤ answered``."""
    if not 1 <= k <= tally.answered:
        raise ValueError(f"k={k} is outside 1..{tally.answered}")
    seen = 0
    for index, n in enumerate(tally.counts):
        seen += n
        if seen >= k:
            return index
    raise AssertionError("unreachable: k ≤ answered")  # pragma: no cover


def lower_median(tally: Tally) -> int | None:
    """The lower median level index: the ⌈n/2⌉-th smallest of n answers; None when n = 0."""
    n = tally.answered
    return order_statistic(tally, (n + 1) // 2) if n else None


def upper_median(tally: Tally) -> int | None:
    """The upper median level index: the (⌊n/2⌋+1)-th smallest of n answers; None when n = 0."""
    n = tally.answered
    return order_statistic(tally, n // 2 + 1) if n else None


def lower_quartile(tally: Tally) -> int | None:
    """The lower quartile level index: the ⌈n/4⌉-th smallest of n answers; None when n = 0."""
    n = tally.answered
    return order_statistic(tally, (n + 3) // 4) if n else None


def mode(tally: Tally) -> int | None:
    """The most chosen level index, the lowest of tied levels; None when no one answered."""
    if not tally.answered:
        return None
    best = max(tally.counts)
    return tally.counts.index(best)


# -- agreement -------------------------------------------------------------------------------------


def _offsets(instrument: Instrument) -> list[int]:
    # Scores measured from the lowest level: exact integers, so every statistic is unchanged (bit for bit)
    # when a constant is added to all scores of the scale.
    low = instrument.levels[0].score
    return [level.score - low for level in instrument.levels]


def mean_score(tally: Tally, instrument: Instrument) -> float | None:
    """The mean level score of the answers; None when no one answered."""
    n = tally.answered
    if not n:
        return None
    offsets = _offsets(instrument)
    return instrument.levels[0].score + math.fsum(c * x for c, x in zip(tally.counts, offsets, strict=True)) / n


def consensus(tally: Tally, instrument: Instrument) -> float | None:
    """Tastle–Wierman consensus ``1 + Σ p_i·log2(1 − |X_i − μ|/d)`` of the answers; None when none answered.

    ``p_i`` is the share of answers at level i, ``X_i`` its score, ``μ`` the mean score and ``d`` the width of
    the scale (highest − lowest score). 1 when everyone chose the same level; 0 for an even split between the
    two extreme levels; about 0.37 for a uniform spread over four levels, so read it with
    :func:`is_polarised` and :func:`within_one`.
    """
    n = tally.answered
    if not n:
        return None
    offsets = _offsets(instrument)
    width = offsets[-1]
    if sum(1 for c in tally.counts if c) == 1:
        return 1.0  # unanimous: exactly 1
    mu = math.fsum(c * x for c, x in zip(tally.counts, offsets, strict=True)) / n
    terms = []
    for count, x in zip(tally.counts, offsets, strict=True):
        if count:
            distance = abs(x - mu) / width
            if distance >= 1.0:  # only possible through rounding: such a level would have no answers
                distance = 1.0 - 1e-15
            terms.append(count / n * math.log2(1.0 - distance))
    value = 1.0 + math.fsum(terms)
    # Not unanimous, so strictly below 1 even where rounding would reach it.
    return min(math.nextafter(1.0, 0.0), max(0.0, value))


def within_one(tally: Tally, index: int | None) -> float | None:
    """The share of answers at most one level (index) away from level ``index``; None when none answered or
    no level is given."""
    n = tally.answered
    if not n or index is None:
        return None
    near = sum(tally.counts[max(0, index - 1) : index + 2])
    return near / n


def is_polarised(tally: Tally, share: float = POLARISED_SHARE) -> bool:
    """True when the lowest level and the highest level each hold at least ``share`` of the answers."""
    n = tally.answered
    if n < 2:
        return False
    return tally.counts[0] >= share * n and tally.counts[-1] >= share * n


def between_share(groups: Sequence[Tally], instrument: Instrument) -> float | None:
    """The share of the disagreement that lies between groups: ``SS_between / SS_total`` of the scores.

    ``SS_total = Σ (x − x̄)²`` over all answers, ``SS_between = Σ_g n_g (x̄_g − x̄)²`` over groups (the
    correlation ratio η²). 0 when every group has the same mean (the differences are individual views); 1 when
    people agree within each group and differ only between groups (a sectoral view). None when fewer than two
    groups answered or when everyone gave the same level (no disagreement to apportion).
    """
    offsets = _offsets(instrument)
    answered = [g for g in groups if g.answered]
    if len(answered) < 2:
        return None
    n = sum(g.answered for g in answered)
    grand = math.fsum(c * x for g in answered for c, x in zip(g.counts, offsets, strict=True)) / n
    ss_total = math.fsum(c * (x - grand) ** 2 for g in answered for c, x in zip(g.counts, offsets, strict=True) if c)
    if ss_total <= 0:
        return None
    ss_between = 0.0
    for g in answered:
        mean = math.fsum(c * x for c, x in zip(g.counts, offsets, strict=True)) / g.answered
        ss_between += g.answered * (mean - grand) ** 2
    return min(1.0, max(0.0, ss_between / ss_total))


# -- the built-in rules ----------------------------------------------------------------------------


class LowerMedianRule:
    """The lower median of the answered levels: the ⌈n/2⌉-th smallest of n answers (the default rule).

    Always a level someone chose, inside [lowest, highest] answer; equal to it when everyone agrees. Stable
    under pooling: the median of pooled tables lies between the tables' medians. Monotone: moving one answer
    up never lowers it. Of two middle answers it takes the lower, erring on the side of modesty.
    """

    name: ClassVar[str] = "median"
    description: ClassVar[str] = "the lower median of the answered levels (default)"

    def suggest(self, tally: Tally, instrument: Instrument) -> int | None:
        return lower_median(tally)


class UpperMedianRule:
    """The upper median of the answered levels: the (⌊n/2⌋+1)-th smallest of n answers.

    The same properties as ``median``; of two middle answers it takes the higher.
    """

    name: ClassVar[str] = "median-high"
    description: ClassVar[str] = "the upper median of the answered levels (of two middle answers, the higher)"

    def suggest(self, tally: Tally, instrument: Instrument) -> int | None:
        return upper_median(tally)


class ModeRule:
    """The most chosen level; of tied levels, the lowest.

    Not merge-stable: the mode of pooled tables need not lie between the tables' modes. With four levels,
    table A counts [3, 0, 0, 2] (mode: level 1) and table B counts [0, 3, 0, 2] (mode: level 2), yet pooled
    they count [3, 3, 0, 4], whose mode is level 4. Prefer ``median`` when tables are pooled.
    """

    name: ClassVar[str] = "mode"
    description: ClassVar[str] = "the most chosen level, ties to the lower (not stable when tables are pooled)"

    def suggest(self, tally: Tally, instrument: Instrument) -> int | None:
        return mode(tally)


class LowerQuartileRule:
    """The lower quartile of the answered levels: the ⌈n/4⌉-th smallest of n answers.

    A cautious proposal: a level that three quarters of the people think the partnership has reached or
    passed, so the more critical voices (often those closest to communities) are not averaged away. A level
    someone chose, monotone and merge-stable like the median.
    """

    name: ClassVar[str] = "cautious"
    description: ClassVar[str] = "the lower quartile: a level at least three quarters think has been reached"

    def suggest(self, tally: Tally, instrument: Instrument) -> int | None:
        return lower_quartile(tally)


class MedianIfAgreedRule:
    """The lower median, proposed only when agreement (Tastle–Wierman) is at least ``threshold``.

    Below the threshold it proposes nothing, so the sheet shows a blank consensus cell: the group has to
    discuss before anyone writes a level down.
    """

    name: ClassVar[str] = "median-if-agreed"

    def __init__(self, threshold: float = DISCUSS_BELOW) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("threshold must be between 0 and 1")
        self.threshold = threshold
        self.description = f"the lower median, only when agreement is at least {threshold:g} (else none: discuss)"

    def suggest(self, tally: Tally, instrument: Instrument) -> int | None:
        agreement = consensus(tally, instrument)
        if agreement is None or agreement < self.threshold:
            return None
        return lower_median(tally)


def builtin_rules() -> list[ConsensusRule]:
    """The core's consensus rules, in the order they are listed."""
    return [LowerMedianRule(), UpperMedianRule(), ModeRule(), LowerQuartileRule(), MedianIfAgreedRule()]
