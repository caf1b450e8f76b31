"""From stored answers to the core's objects: responses, collations, reports, workshop records, comparisons.

The web tool computes no statistics of its own. It turns what it stored into :class:`matrixkit.responses.Response`
objects and hands them to the core (:func:`matrixkit.collation.collate`, :func:`matrixkit.report.
build_collation_report`, ...), so the dashboard, the API and every export show the figures ``matrixkit collate``
would print for the same answers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from matrixkit.collation import Collation, collate, merge_all
from matrixkit.io.collation_json import collation_to_dict
from matrixkit.report import (
    CollationReport,
    Comparison,
    DomainComparison,
    WorkshopReport,
    build_collation_report,
    build_comparison,
    build_workshop_report,
)
from matrixkit.responses import Response
from matrixkit.workshop import Action as RecordAction
from matrixkit.workshop import DomainDecision, WorkshopRecord
from matrixkit_web.store import Action, Answer, Decision, Participant, Store, Workshop

if TYPE_CHECKING:
    from matrixkit.model import Domain, Instrument, Level
    from matrixkit.registry import Registry

__all__ = ["Analysis", "LookShift"]


@attrs.frozen
class LookShift:
    """How the second look moved one domain: the first look against the second (the answers that count now)."""

    #: The domain, its result at the first look and at the second, with the change in the level shown
    #: (suggested), agreement and the distribution, from the core's comparison.
    change: DomainComparison
    #: How many submitted participants took the second look at this domain, and how many changed their answer.
    looked: int
    changed: int

    @property
    def domain(self) -> Domain:
        return self.change.domain


def to_response(
    instrument: Instrument, participant: Participant, answers: dict[str, Answer], *, first_look: bool = False
) -> Response:
    """The core response of one participant: the answers that count now, or with ``first_look`` those given
    before any second look. Answers to domains or levels the instrument no longer has (it was upgraded after the
    workshop started) are left out rather than failing the whole collation."""
    choices: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    known = set(instrument.domain_keys)
    for key, answer in answers.items():
        if key not in known:
            continue
        index: int | None = None
        level = answer.first_look if first_look else answer.level
        if level is not None:
            try:
                index = instrument.level_index(level)
            except ValueError:
                index = None
        choices[key] = index
        if answer.comment and answer.comment.strip():
            comments[key] = answer.comment
    return Response(
        participant=participant.participant,
        instrument=instrument.id,
        version=instrument.version,
        choices={key: choices.get(key) for key in instrument.domain_keys},
        attributes=participant.attributes,
        comments=comments,
    )


class Analysis:
    """The analysed results of one workshop, read from the store in one go."""

    def __init__(self, store: Store, registry: Registry, workshop: Workshop) -> None:
        self.store = store
        self.registry = registry
        self.workshop = workshop
        self.instrument: Instrument = registry.instrument(workshop.instrument)
        self._submitted: list[tuple[Participant, dict[str, Answer]]] | None = None

    @property
    def warnings(self) -> list[str]:
        """Problems with the installed instrument compared with the one the workshop started with."""
        found = []
        if self.instrument.version != self.workshop.instrument_version:
            found.append(
                f"This workshop started with version {self.workshop.instrument_version} of {self.instrument.id}; "
                f"version {self.instrument.version} is installed now."
            )
        elif self.instrument.fingerprint != self.workshop.instrument_fingerprint:
            found.append(
                f"The levels or descriptors of {self.instrument.id} changed since this workshop started; answers "
                "to questions that no longer exist are left out."
            )
        return found

    def submitted(self) -> list[tuple[Participant, dict[str, Answer]]]:
        """The submitted participants with their answers (read once per analysis)."""
        if self._submitted is None:
            self._submitted = self.store.submitted(self.workshop.id)
        return self._submitted

    def responses(self, *, first_look: bool = False) -> list[Response]:
        """The submitted responses (drafts of people still answering are not counted): the answers that count
        now, or with ``first_look`` the answers as they were before any second look."""
        return [
            to_response(self.instrument, person, answers, first_look=first_look) for person, answers in self.submitted()
        ]

    def rule_name(self) -> str:
        return self.workshop.rule if self.workshop.rule in self.registry.rules else "median"

    def collation(
        self, by: str | None = None, *, where: dict[str, Sequence[str]] | None = None, first_look: bool = False
    ) -> Collation:
        """The collation of the submitted responses, split by ``by``; ``where`` keeps only responses whose
        attribute is one of the given values (e.g. the tables being pooled); ``first_look`` collates the answers
        given before any second look."""
        responses: Iterable[Response] = self.responses(first_look=first_look)
        if where:
            responses = [r for r in responses if all(r.attributes.get(k, "") in values for k, values in where.items())]
        return collate(self.instrument, responses, by)

    def pooled(self, attribute: str, names: Sequence[str], by: str | None = None) -> Collation:
        """The plenary of some groups: each group collated on its own, then pooled (counts added)."""
        parts = [self.collation(by, where={attribute: [name]}) for name in names]
        return merge_all(parts, self.instrument, by)

    def report(self, collation: Collation, *, title: str = "") -> CollationReport:
        return build_collation_report(
            collation,
            self.registry.rule(self.rule_name()),
            title=title,
            warnings=self.warnings,
        )

    def collation_json(self, by: str | None = None) -> dict[str, Any]:
        """The collation JSON, exactly as ``matrixkit collate`` prints it."""
        return collation_to_dict(self.report(self.collation(by)))

    # -- decisions -------------------------------------------------------------------------------

    def record(
        self, decisions: dict[str, Decision], actions: Sequence[Action], by: str | None = None
    ) -> WorkshopRecord:
        """The workshop record (the core's model) of this workshop's details and decisions."""
        per_domain: dict[str, list[RecordAction]] = {}
        for action in actions:
            per_domain.setdefault(action.domain, []).append(
                RecordAction(
                    what=action.what, who=action.who or "", when=action.by_when or "", measure=action.measure or ""
                )
            )
        domains: dict[str, DomainDecision] = {}
        levels = self.instrument.level_keys
        for key in self.instrument.domain_keys:
            decision = decisions.get(key)
            if decision is None and key not in per_domain:
                continue
            decision = decision or Decision(key)
            domains[key] = DomainDecision(
                agreed=decision.agreed_level if decision.agreed_level in levels else None,
                target=decision.target_level if decision.target_level in levels else None,
                priority=decision.priority,
                priorities=decision.priorities or "",
                notes=decision.notes or "",
                actions=tuple(per_domain.get(key, ())),
            )
        date = None
        if self.workshop.date:
            try:
                date = dt.date.fromisoformat(self.workshop.date)
            except ValueError:
                date = None
        return WorkshopRecord(
            instrument=self.instrument.id,
            title=self.workshop.title,
            date=date,
            place=self.workshop.place or "",
            version=self.instrument.version,
            by=by,
            rule=self.rule_name(),
            domains=domains,
        )

    # -- the second look ---------------------------------------------------------------------------

    def looked_again(self) -> bool:
        """Whether any submitted participant has taken a second look."""
        return any(a.looked_again for _person, answers in self.submitted() for a in answers.values())

    def shifts(self) -> list[LookShift]:
        """Per domain someone looked at again, in the instrument's order: the first look against the second."""
        looked: dict[str, int] = {}
        changed: dict[str, int] = {}
        for _person, answers in self.submitted():
            for key, answer in answers.items():
                if answer.looked_again:
                    looked[key] = looked.get(key, 0) + 1
                    changed[key] = changed.get(key, 0) + answer.changed
        if not looked:
            return []
        comparison = self.look_comparison()
        return [
            LookShift(change=c, looked=looked[c.domain.key], changed=changed.get(c.domain.key, 0))
            for c in comparison.domains
            if c.domain.key in looked
        ]

    def look_comparison(self, by: str | None = None) -> Comparison:
        """The first look against the second, as the core compares two rounds (the level shown on each side is
        the suggested one)."""
        return build_comparison(
            self.report(self.collation(by, first_look=True), title="First look"),
            self.report(self.collation(by), title="Second look"),
            before_name="First look",
            after_name="Second look",
        )

    def looks_note(self) -> str:
        """The second look in words, for the workshop record's notes (every report format prints them): which
        domains were looked at again and, for each, how many changed, the suggested level and the agreement at
        the first look → at the second. Empty when no one has looked again."""
        shifts = self.shifts()
        if not shifts:
            return ""

        def level(value: Level | None) -> str:
            return value.label if value is not None else "none"

        def share(value: float | None) -> str:
            # Rounded down, as the reports print agreement: a domain flagged below 0.70 never shows 0.70.
            return "–" if value is None else f"{math.floor(value * 100 + 1e-9) / 100:.2f}"

        titles = [s.domain.title for s in shifts]
        listed = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]
        lines = [
            f"Second look. After seeing the room's spread of answers, participants looked again at {listed}. "
            "The figures in this report count the answers as they stand after the second look; the first look "
            "is kept beside them.",
        ]
        for s in shifts:
            c = s.change
            lines.append(
                f"{s.domain.title}, first look → second look: {s.changed} of {s.looked} changed their answer; "
                f"suggested level {level(c.shown_before)} → {level(c.shown_after)}; agreement "
                f"{share(c.before.agreement)} → {share(c.after.agreement)}."
            )
        return "\n\n".join(lines)

    def workshop_report(self, by: str | None = None) -> WorkshopReport:
        """The workshop report: the collation of the answers that count now, the decisions and actions; after a
        second look, the shift from the first look in the record's notes, which every format prints."""
        record = self.record(self.store.decisions(self.workshop.id), self.store.actions(self.workshop.id), by)
        note = self.looks_note()
        if note:
            record = attrs.evolve(record, notes=note)
        return build_workshop_report(record, self.report(self.collation(by), title=self.workshop.title))

    def comparison(self, earlier: Analysis) -> Comparison:
        """This workshop against an earlier round of the same instrument (with both rounds' decisions)."""
        return build_comparison(earlier.workshop_report(), self.workshop_report())
