"""The analysed results that exporters render: record sheets, collation reports and workshop reports.

Data flows one way: responses → :mod:`~matrixkit.collation` (counts) → :mod:`~matrixkit.rules` (suggestions
and agreement) → this module → an exporter. Every figure an exporter shows is computed here and stored in the
frozen objects below, so exporters never compute statistics and all formats show the same numbers:

- :class:`RecordSheet` — one person's answers, scored (``matrixkit score``);
- :class:`CollationReport` — a workshop collation sheet: per domain the counts per level, answered and missing,
  the suggested level, agreement, flags, and (split by an attribute) the same per group with the share of
  disagreement between groups (``matrixkit collate``);
- :class:`WorkshopReport` — a workshop record's decisions and actions beside its collation
  (``matrixkit report``), with the comparison with the previous round when the record names one;
- :class:`Comparison` — two rounds side by side, domain by domain (``matrixkit compare``).

Counts are tuples in the order of ``instrument.levels`` (lowest first); levels are
:class:`~matrixkit.model.Level` objects, so an exporter has key, label, score and colour at hand.

:mod:`matrixkit.io.collation_json` writes a collation report as the collation JSON (a contract) and reads its
counts back; :mod:`matrixkit.io.data` gives the plain data of the other results (``--format json``/``toml``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from matrixkit.collation import NOT_GIVEN, Collation, Tally
from matrixkit.frozen import FrozenDict, freeze
from matrixkit.model import Domain, Group, Instrument, Level
from matrixkit.responses import Response
from matrixkit.rules import (
    DISCUSS_BELOW,
    POLARISED_SHARE,
    ConsensusRule,
    between_share,
    consensus,
    is_polarised,
    lower_median,
    mean_score,
    within_one,
)
from matrixkit.workshop import Action, WorkshopRecord, display_name

__all__ = [
    "FLAGS",
    "MIN_GROUP_SIZE",
    "CollationReport",
    "Comparison",
    "DomainComparison",
    "DomainDecisionResult",
    "DomainResult",
    "GroupResult",
    "RecordEntry",
    "RecordSheet",
    "RecordSummary",
    "Stats",
    "WorkshopReport",
    "build_collation_report",
    "build_comparison",
    "build_record_sheet",
    "build_workshop_report",
    "shown_level",
]
#: Groups with fewer responses than this get a warning: small numbers can identify people.
MIN_GROUP_SIZE = 3
#: A domain where at least this share of people did not answer is flagged "many-missing".
MANY_MISSING_SHARE = 0.25

#: How agreement is explained to people beside the figures (``{threshold}`` is the discussion threshold).
AGREEMENT_EXPLAINED = (
    "Agreement shows how closely people's answers cluster, from 0 to 1: 1 means everyone chose the same level, "
    "0 means the answers split evenly between the lowest and the highest level. A domain whose agreement is "
    "below {threshold:g}, or whose answers sit at both ends of the scale, is flagged for discussion."
)

#: The flags a domain (or group) can carry, with their meaning.
FLAGS: dict[str, str] = {
    "discuss": "agreement is below the threshold, or answers are polarised: talk it through",
    "polarised": "the lowest and the highest level each hold at least a quarter of the answers",
    "unanswered": "no one answered",
    "many-missing": "at least a quarter of the people did not answer (or did not know)",
    "no-suggestion": "people answered but the rule proposes no level",
}


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


# -- the statistics of one tally -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Stats:
    """Everything shown about one tally (a domain overall, or one group's answers to it)."""

    responses: int = attrs.field(metadata=_doc("Number of responses covered (answered + missing)."))
    counts: tuple[int, ...] = attrs.field(
        converter=_tuple, metadata=_doc("Number of people per level, in the order of the instrument's levels.")
    )
    answered: int = attrs.field(metadata=_doc("Number of people who chose a level."))
    missing: int = attrs.field(metadata=_doc("Number of people who did not answer (or did not know)."))
    shares: tuple[float, ...] = attrs.field(
        converter=_tuple, metadata=_doc("Share of the answers per level (0–1; all 0 when no one answered).")
    )
    suggested: Level | None = attrs.field(metadata=_doc("The level the rule proposes, or None."))
    suggested_index: int | None = attrs.field(metadata=_doc("Index of the proposed level (0 = lowest), or None."))
    median: Level | None = attrs.field(metadata=_doc("The lower median level of the answers, or None."))
    mean: float | None = attrs.field(metadata=_doc("Mean level score of the answers, or None."))
    lowest: Level | None = attrs.field(metadata=_doc("The lowest level anyone chose, or None."))
    highest: Level | None = attrs.field(metadata=_doc("The highest level anyone chose, or None."))
    agreement: float | None = attrs.field(
        metadata=_doc("Tastle–Wierman consensus of the answers, 0–1 (1 = unanimous), or None when none answered.")
    )
    within_one: float | None = attrs.field(
        metadata=_doc("Share of answers within one level of the suggested level (0–1), or None.")
    )
    polarised: bool = attrs.field(metadata=_doc("True when both extreme levels are well populated."))
    flags: tuple[str, ...] = attrs.field(
        converter=_tuple, metadata=_doc("Flags from :data:`FLAGS` (e.g. `discuss`), in that order.")
    )

    @property
    def discuss(self) -> bool:
        """True when the domain (or group) is flagged for discussion."""
        return "discuss" in self.flags


def _stats_fields(tally: Tally, instrument: Instrument, rule: ConsensusRule, discuss_below: float) -> dict[str, Any]:
    levels = instrument.levels
    n = tally.answered
    index = rule.suggest(tally, instrument)
    if index is not None and not 0 <= index < len(levels):
        raise ValueError(f"rule {rule.name!r} proposed level index {index}, off the scale of {instrument.id}")
    median_index = lower_median(tally)
    answered_indices = [i for i, c in enumerate(tally.counts) if c]
    agreement = consensus(tally, instrument)
    polarised = is_polarised(tally, POLARISED_SHARE)
    flags = []
    if n and ((agreement is not None and agreement < discuss_below) or polarised):
        flags.append("discuss")
    if polarised:
        flags.append("polarised")
    if not n:
        flags.append("unanswered")
    if tally.total and tally.missing >= MANY_MISSING_SHARE * tally.total:
        flags.append("many-missing")
    if n and index is None:
        flags.append("no-suggestion")
    return {
        "responses": tally.total,
        "counts": tally.counts,
        "answered": n,
        "missing": tally.missing,
        "shares": tuple(c / n for c in tally.counts) if n else (0.0,) * len(levels),
        "suggested": levels[index] if index is not None else None,
        "suggested_index": index,
        "median": levels[median_index] if median_index is not None else None,
        "mean": mean_score(tally, instrument),
        "lowest": levels[answered_indices[0]] if answered_indices else None,
        "highest": levels[answered_indices[-1]] if answered_indices else None,
        "agreement": agreement,
        "within_one": within_one(tally, index),
        "polarised": polarised,
        "flags": tuple(flags),
    }


@attrs.frozen(kw_only=True)
class GroupResult(Stats):
    """One group's answers to a domain (when the collation is split, e.g. by sector)."""

    name: str = attrs.field(metadata=_doc("The group (the attribute's value, e.g. `vcse`)."))


@attrs.frozen(kw_only=True)
class DomainResult(Stats):
    """One domain of a collation: its statistics overall, per group, and the comments made on it."""

    domain: Domain = attrs.field(metadata=_doc("The domain (key, title, descriptors)."))
    groups: tuple[GroupResult, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Per-group results, sorted by group name (empty when unsplit).")
    )
    between_share: float | None = attrs.field(
        default=None,
        metadata=_doc(
            "Share of the disagreement (sum of squared score deviations) that lies between groups rather "
            "than within them (η², 0–1), or None when unsplit, fewer than two groups answered or everyone agreed."
        ),
    )
    comments: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Comments made on the domain (anonymous), sorted.")
    )

    @property
    def key(self) -> str:
        """The domain key."""
        return self.domain.key

    def group(self, name: str) -> GroupResult:
        """The result of one group; KeyError when there is no such group."""
        for result in self.groups:
            if result.name == name:
                return result
        raise KeyError(name)


@attrs.frozen(kw_only=True)
class CollationReport:
    """A workshop collation sheet: the analysed collation of a set of responses."""

    instrument: Instrument = attrs.field(metadata=_doc("The instrument collated."))
    rule: str = attrs.field(metadata=_doc("Name of the consensus rule that made the suggestions."))
    rule_description: str = attrs.field(default="", metadata=_doc("One line saying what the rule does."))
    responses: int = attrs.field(metadata=_doc("Number of responses collated."))
    by: str | None = attrs.field(default=None, metadata=_doc("Attribute the responses are split by, if any."))
    group_sizes: tuple[tuple[str, int], ...] = attrs.field(
        default=(),
        converter=_tuple,
        metadata=_doc("(group, number of responses) pairs, sorted by group name; empty when unsplit."),
    )
    domains: tuple[DomainResult, ...] = attrs.field(
        converter=_tuple, metadata=_doc("One result per domain, in the instrument's order.")
    )
    discuss_below: float = attrs.field(
        default=DISCUSS_BELOW, metadata=_doc("Agreement below which a domain is flagged `discuss`.")
    )
    title: str = attrs.field(default="", metadata=_doc("Optional title (e.g. `Table 2`, or a workshop's title)."))
    sources: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Names of the input files collated.")
    )
    warnings: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Warnings to show with the figures (e.g. small groups).")
    )
    notes: tuple[str, ...] = attrs.field(
        default=(),
        converter=_tuple,
        metadata=_doc("Notes on how the inputs were read (marks across two levels, duplicates dropped, columns)."),
    )
    labels: FrozenDict[str, str] = attrs.field(
        factory=FrozenDict,
        converter=freeze,
        metadata=_doc("Display names of groups and inputs (from the workshop record's `[labels]`)."),
    )

    def label(self, name: str) -> str:
        """The display name of a group or an input file (``table-1.csv`` → ``Table 1`` unless labelled)."""
        return self.labels.get(name) or display_name(name)

    @property
    def agreement_explained(self) -> str:
        """How agreement and the discussion flag are explained to people, with this report's threshold."""
        return AGREEMENT_EXPLAINED.format(threshold=self.discuss_below)

    @property
    def groups(self) -> tuple[str, ...]:
        """The group names, sorted (empty when unsplit)."""
        return tuple(name for name, _ in self.group_sizes)

    def domain(self, key: str) -> DomainResult:
        """The result of one domain; KeyError when the instrument has no such domain."""
        for result in self.domains:
            if result.domain.key == key:
                return result
        raise KeyError(key)

    @property
    def to_discuss(self) -> tuple[DomainResult, ...]:
        """The domains flagged `discuss`, in the instrument's order."""
        return tuple(d for d in self.domains if d.discuss)


def build_collation_report(
    collation: Collation,
    rule: ConsensusRule,
    *,
    discuss_below: float = DISCUSS_BELOW,
    title: str = "",
    sources: Sequence[str] = (),
    warnings: Sequence[str] = (),
    notes: Sequence[str] = (),
    labels: dict[str, str] | FrozenDict[str, str] | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
) -> CollationReport:
    """Analyse a collation: suggestions by ``rule``, agreement and flags per domain (and per group)."""
    instrument = collation.instrument
    found_warnings = list(warnings)
    for name, size in collation.group_sizes().items():
        if size < min_group_size:
            found_warnings.append(
                f"group {name!r} ({collation.by}) has {size} {'person' if size == 1 else 'people'}: fewer than "
                f"{min_group_size} can identify individuals; take care when sharing its figures"
            )
    if collation.by is not None and NOT_GIVEN in collation.groups:
        found_warnings.append(
            f"{collation.groups[NOT_GIVEN].responses} response(s) have no {collation.by!r}; shown as {NOT_GIVEN!r}"
        )
    domains = []
    for i, domain in enumerate(instrument.domains):
        tally = collation.overall.tallies[i]
        group_results = tuple(
            GroupResult(name=name, **_stats_fields(part.tallies[i], instrument, rule, discuss_below))
            for name, part in collation.groups.items()
        )
        share = (
            between_share([part.tallies[i] for part in collation.groups.values()], instrument)
            if collation.by is not None
            else None
        )
        domains.append(
            DomainResult(
                domain=domain,
                groups=group_results,
                between_share=share,
                comments=collation.comments.get(domain.key, ()),
                **_stats_fields(tally, instrument, rule, discuss_below),
            )
        )
    return CollationReport(
        instrument=instrument,
        rule=rule.name,
        rule_description=rule.description,
        responses=collation.responses,
        by=collation.by,
        group_sizes=tuple(collation.group_sizes().items()),
        domains=tuple(domains),
        discuss_below=discuss_below,
        title=title,
        sources=tuple(sources),
        warnings=tuple(found_warnings),
        notes=tuple(notes),
        labels=labels or {},
    )


# -- one person's record sheet ---------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RecordEntry:
    """One row of a record sheet: a domain and the level the person chose."""

    domain: Domain = attrs.field(metadata=_doc("The domain."))
    level: Level | None = attrs.field(metadata=_doc("The chosen level, or None when not answered."))
    index: int | None = attrs.field(metadata=_doc("Index of the chosen level (0 = lowest), or None."))
    comment: str = attrs.field(default="", metadata=_doc("The person's comment on the domain."))


@attrs.frozen(kw_only=True)
class RecordSummary:
    """Overall figures of one person's answers across a set of domains (all, or one domain group)."""

    domains: int = attrs.field(metadata=_doc("Number of domains covered."))
    counts: tuple[int, ...] = attrs.field(
        converter=_tuple, metadata=_doc("Number of domains placed at each level, in the order of the levels.")
    )
    answered: int = attrs.field(metadata=_doc("Number of domains answered."))
    missing: int = attrs.field(metadata=_doc("Number of domains not answered."))
    mean: float | None = attrs.field(metadata=_doc("Mean level score of the answered domains, or None."))
    median: Level | None = attrs.field(metadata=_doc("Lower median level of the answered domains, or None."))
    overall: Level | None = attrs.field(metadata=_doc("The level the consensus rule proposes across the domains."))


@attrs.frozen(kw_only=True)
class RecordSheet:
    """One person's record sheet: their level per domain and overall figures."""

    instrument: Instrument = attrs.field(metadata=_doc("The instrument answered."))
    participant: str = attrs.field(metadata=_doc("Who answered."))
    attributes: FrozenDict[str, str] = attrs.field(
        factory=FrozenDict, converter=freeze, metadata=_doc("Their attributes (sector, ...).")
    )
    rule: str = attrs.field(metadata=_doc("Name of the rule giving the overall level."))
    entries: tuple[RecordEntry, ...] = attrs.field(
        converter=_tuple, metadata=_doc("One entry per domain, in the instrument's order.")
    )
    overall: RecordSummary = attrs.field(metadata=_doc("Figures across all domains."))
    groups: tuple[tuple[Group, RecordSummary], ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("(group, figures) per domain group of the instrument.")
    )


def _record_summary(indices: Sequence[int | None], instrument: Instrument, rule: ConsensusRule) -> RecordSummary:
    tally = Tally.of(indices, len(instrument.levels))
    median_index = lower_median(tally)
    overall = rule.suggest(tally, instrument)
    return RecordSummary(
        domains=len(indices),
        counts=tally.counts,
        answered=tally.answered,
        missing=tally.missing,
        mean=mean_score(tally, instrument),
        median=instrument.levels[median_index] if median_index is not None else None,
        overall=instrument.levels[overall] if overall is not None else None,
    )


def build_record_sheet(response: Response, instrument: Instrument, rule: ConsensusRule) -> RecordSheet:
    """Score one response (already checked against ``instrument``)."""
    entries = []
    for domain in instrument.domains:
        index = response.choices.get(domain.key)
        entries.append(
            RecordEntry(
                domain=domain,
                level=instrument.levels[index] if index is not None else None,
                index=index,
                comment=response.comments.get(domain.key, ""),
            )
        )
    indices = [e.index for e in entries]
    groups = []
    for group in instrument.groups:
        members = [e.index for e in entries if e.domain.group == group.key]
        if members:
            groups.append((group, _record_summary(members, instrument, rule)))
    return RecordSheet(
        instrument=instrument,
        participant=response.participant,
        attributes=response.attributes,
        rule=rule.name,
        entries=tuple(entries),
        overall=_record_summary(indices, instrument, rule),
        groups=tuple(groups),
    )


# -- workshop report -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class DomainDecisionResult:
    """One domain of a workshop report: the collation's result beside what the workshop decided."""

    result: DomainResult = attrs.field(metadata=_doc("The collated result (counts, suggestion, agreement)."))
    agreed: Level | None = attrs.field(default=None, metadata=_doc("The agreed consensus level, if recorded."))
    target: Level | None = attrs.field(default=None, metadata=_doc("The level aimed for by the next round."))
    priority: int | None = attrs.field(default=None, metadata=_doc("Rank among the priorities (1 = first)."))
    priorities: str = attrs.field(default="", metadata=_doc("Proposed priorities for action discussed."))
    notes: str = attrs.field(default="", metadata=_doc("Notes of the discussion."))
    actions: tuple[Action, ...] = attrs.field(default=(), converter=_tuple, metadata=_doc("Actions agreed."))

    @property
    def domain(self) -> Domain:
        """The domain."""
        return self.result.domain

    @property
    def differs_from_suggestion(self) -> bool:
        """True when a level was agreed and it is not the suggested one."""
        return self.agreed is not None and self.agreed != self.result.suggested


@attrs.frozen(kw_only=True)
class WorkshopReport:
    """A workshop: its record (title, date, place, ...), its collation, and the decisions per domain."""

    record: WorkshopRecord = attrs.field(metadata=_doc("The workshop record as read (levels as keys)."))
    collation: CollationReport = attrs.field(
        metadata=_doc("The collation of all the workshop's inputs (split by ``record.by`` when set).")
    )
    decisions: tuple[DomainDecisionResult, ...] = attrs.field(
        converter=_tuple, metadata=_doc("One entry per domain, in the instrument's order.")
    )
    inputs: tuple[CollationReport, ...] = attrs.field(
        default=(),
        converter=_tuple,
        metadata=_doc("The collation of each input file on its own (e.g. per table), titled by its display name."),
    )
    actions: tuple[Action, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Actions for the whole partnership (not tied to a domain).")
    )
    comparison: Comparison | None = attrs.field(
        default=None,
        metadata=_doc("Progress since the previous round, when the record names one (``previous``)."),
    )
    warnings: tuple[str, ...] = attrs.field(default=(), converter=_tuple, metadata=_doc("Warnings to show."))

    @property
    def instrument(self) -> Instrument:
        """The instrument."""
        return self.collation.instrument

    @property
    def title(self) -> str:
        """The workshop's title."""
        return self.record.title

    @property
    def date(self) -> datetime.date | None:
        """The workshop's date."""
        return self.record.date

    @property
    def priorities(self) -> tuple[DomainDecisionResult, ...]:
        """The domains ranked as priorities, in rank order."""
        ranked = [d for d in self.decisions if d.priority is not None]
        return tuple(sorted(ranked, key=lambda d: d.priority or 0))

    def label(self, name: str) -> str:
        """The display name of an input file or a group (the record's ``[labels]``, else ``Table 1`` for
        ``table-1.csv``)."""
        return self.record.label(name)


def build_workshop_report(
    record: WorkshopRecord,
    collation: CollationReport,
    *,
    inputs: Sequence[CollationReport] = (),
    comparison: Comparison | None = None,
    warnings: Sequence[str] = (),
) -> WorkshopReport:
    """Put a (checked, normalised) workshop record beside its collation."""
    instrument = collation.instrument

    def level(value: str | int | None) -> Level | None:
        return instrument.levels[instrument.level_index(value)] if value is not None else None

    decisions = []
    for result in collation.domains:
        decision = record.decision(result.domain.key)
        decisions.append(
            DomainDecisionResult(
                result=result,
                agreed=level(decision.agreed),
                target=level(decision.target),
                priority=decision.priority,
                priorities=decision.priorities,
                notes=decision.notes,
                actions=decision.actions,
            )
        )
    return WorkshopReport(
        record=record,
        collation=collation,
        decisions=tuple(decisions),
        inputs=tuple(inputs),
        actions=record.actions,
        comparison=comparison,
        warnings=tuple(warnings) + collation.warnings,
    )


# -- comparing rounds ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class DomainComparison:
    """How one domain changed between two rounds.

    The level *shown* for each round is the agreed level where the round's workshop record gives one, else the
    suggested level — the same rule on both sides — and :attr:`level_change` is computed from the levels shown.
    """

    domain: Domain = attrs.field(metadata=_doc("The domain (as in the later round)."))
    before: DomainResult = attrs.field(metadata=_doc("The earlier round's result."))
    after: DomainResult = attrs.field(metadata=_doc("The later round's result."))
    shown_before: Level | None = attrs.field(default=None, metadata=_doc("The level shown for the earlier round."))
    shown_after: Level | None = attrs.field(default=None, metadata=_doc("The level shown for the later round."))
    shown_before_kind: str | None = attrs.field(
        default=None, metadata=_doc("`agreed` or `suggested`: what the earlier level shown is (None: no level).")
    )
    shown_after_kind: str | None = attrs.field(
        default=None, metadata=_doc("`agreed` or `suggested`: what the later level shown is (None: no level).")
    )
    level_change: int | None = attrs.field(
        default=None,
        metadata=_doc(
            "Levels moved: position of the later level shown minus the earlier one's (None when either has none)."
        ),
    )
    mean_change: float | None = attrs.field(default=None, metadata=_doc("Change in mean score, or None."))
    agreement_change: float | None = attrs.field(default=None, metadata=_doc("Change in agreement, or None."))
    share_changes: tuple[float, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("Change in the share of answers per level (after − before).")
    )
    distribution_shift: float | None = attrs.field(
        default=None,
        metadata=_doc(
            "Total variation distance between the two distributions of answers: ½·Σ|after − before| of the "
            "shares (0 = same distribution, 1 = no overlap); None when either round has no answers."
        ),
    )
    actions_before: tuple[Action, ...] = attrs.field(
        default=(), converter=_tuple, metadata=_doc("The earlier round's actions on this domain, with their status.")
    )


@attrs.frozen(kw_only=True)
class Comparison:
    """Two rounds of one instrument, domain by domain."""

    instrument: Instrument = attrs.field(metadata=_doc("The instrument (as in the later round)."))
    before_instrument: Instrument = attrs.field(metadata=_doc("The instrument as in the earlier round."))
    before_title: str = attrs.field(metadata=_doc("Name of the earlier round (title or file)."))
    after_title: str = attrs.field(metadata=_doc("Name of the later round (title or file)."))
    before_date: datetime.date | None = attrs.field(default=None, metadata=_doc("Date of the earlier round."))
    after_date: datetime.date | None = attrs.field(default=None, metadata=_doc("Date of the later round."))
    before_responses: int = attrs.field(metadata=_doc("Responses in the earlier round."))
    after_responses: int = attrs.field(metadata=_doc("Responses in the later round."))
    domains: tuple[DomainComparison, ...] = attrs.field(
        converter=_tuple, metadata=_doc("Domains present in both rounds, in the later round's order.")
    )
    only_before: tuple[str, ...] = attrs.field(default=(), converter=_tuple, metadata=_doc("Domains dropped."))
    only_after: tuple[str, ...] = attrs.field(default=(), converter=_tuple, metadata=_doc("Domains added."))
    actions_before: tuple[Action, ...] = attrs.field(
        default=(),
        converter=_tuple,
        metadata=_doc("The earlier round's actions for the whole partnership, with their status."),
    )
    warnings: tuple[str, ...] = attrs.field(default=(), converter=_tuple, metadata=_doc("E.g. version changes."))


def shown_level(round_: CollationReport | WorkshopReport, key: str) -> tuple[Level | None, str | None]:
    """The level shown for domain ``key`` in a round, and what it is: the agreed level (``"agreed"``) where the
    round's workshop record gives one, else the suggested level (``"suggested"``); ``(None, None)`` when neither."""
    if isinstance(round_, WorkshopReport):
        for decision in round_.decisions:
            if decision.domain.key == key:
                if decision.agreed is not None:
                    return decision.agreed, "agreed"
                suggested = decision.result.suggested
                return suggested, "suggested" if suggested is not None else None
        return None, None
    suggested = round_.domain(key).suggested
    return suggested, "suggested" if suggested is not None else None


def _round(report: CollationReport | WorkshopReport) -> tuple[CollationReport, str, datetime.date | None]:
    if isinstance(report, WorkshopReport):
        return report.collation, report.title, report.date
    return report, report.title, None


def build_comparison(
    before: CollationReport | WorkshopReport,
    after: CollationReport | WorkshopReport,
    *,
    before_name: str = "",
    after_name: str = "",
) -> Comparison:
    """Compare two rounds (collations or workshop reports) of one instrument, domain by domain.

    Warns when the instrument's version or its levels and descriptors differ between the rounds.
    """
    a, title_a, date_a = _round(before)
    b, title_b, date_b = _round(after)
    ia, ib = a.instrument, b.instrument
    warnings = []
    if ia.version != ib.version:
        warnings.append(
            f"the rounds used different versions of {ib.id} ({ia.version} and {ib.version}): compare with care"
        )
    if ia.level_keys != ib.level_keys or ia.scores != ib.scores:
        warnings.append("the levels differ between the rounds: level changes are by position")
    changed = [d.key for d in ib.domains if d.key in ia.domain_keys and ia.domain(d.key).descriptors != d.descriptors]
    if changed:
        warnings.append(f"descriptors changed between the rounds in: {', '.join(changed)}")
    earlier_actions: dict[str, tuple[Action, ...]] = {}
    if isinstance(before, WorkshopReport):
        earlier_actions = {d.domain.key: d.actions for d in before.decisions}
    rows = []
    for result_b in b.domains:
        key = result_b.domain.key
        if key not in ia.domain_keys:
            continue
        result_a = a.domain(key)
        shown_a, kind_a = shown_level(before, key)
        shown_b, kind_b = shown_level(after, key)
        level_change = (
            ib.levels.index(shown_b) - ia.levels.index(shown_a) if shown_a is not None and shown_b is not None else None
        )
        comparable = len(result_a.shares) == len(result_b.shares)
        share_changes = (
            tuple(y - x for x, y in zip(result_a.shares, result_b.shares, strict=True)) if comparable else ()
        )
        shift = (
            0.5 * sum(abs(c) for c in share_changes) if comparable and result_a.answered and result_b.answered else None
        )
        rows.append(
            DomainComparison(
                domain=result_b.domain,
                before=result_a,
                after=result_b,
                shown_before=shown_a,
                shown_after=shown_b,
                shown_before_kind=kind_a,
                shown_after_kind=kind_b,
                level_change=level_change,
                mean_change=(
                    result_b.mean - result_a.mean if result_a.mean is not None and result_b.mean is not None else None
                ),
                agreement_change=(
                    result_b.agreement - result_a.agreement
                    if result_a.agreement is not None and result_b.agreement is not None
                    else None
                ),
                share_changes=share_changes,
                distribution_shift=shift,
                actions_before=earlier_actions.get(key, ()),
            )
        )
    return Comparison(
        instrument=ib,
        before_instrument=ia,
        before_title=before_name or title_a,
        after_title=after_name or title_b,
        before_date=date_a,
        after_date=date_b,
        before_responses=a.responses,
        after_responses=b.responses,
        domains=tuple(rows),
        only_before=tuple(k for k in ia.domain_keys if k not in ib.domain_keys),
        only_after=tuple(k for k in ib.domain_keys if k not in ia.domain_keys),
        actions_before=before.actions if isinstance(before, WorkshopReport) else (),
        warnings=tuple(warnings),
    )
