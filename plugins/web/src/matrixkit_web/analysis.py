"""From stored answers to the core's objects: responses, collations, reports, workshop records, comparisons.

The web tool computes no statistics of its own. It turns what it stored into :class:`matrixkit.responses.Response`
objects and hands them to the core (:func:`matrixkit.collation.collate`, :func:`matrixkit.report.
build_collation_report`, ...), so the dashboard, the API and every export show the figures ``matrixkit collate``
would print for the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from matrixkit.collation import Collation, collate, merge_all
from matrixkit.io.collation_json import collation_to_dict
from matrixkit.report import (
    CollationReport,
    Comparison,
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
    from matrixkit.model import Instrument
    from matrixkit.registry import Registry

__all__ = ["Analysis"]


def to_response(instrument: Instrument, participant: Participant, answers: dict[str, Answer]) -> Response:
    """The core response of one participant. Answers to domains or levels the instrument no longer has (it was
    upgraded after the workshop started) are left out rather than failing the whole collation."""
    choices: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    known = set(instrument.domain_keys)
    for key, answer in answers.items():
        if key not in known:
            continue
        index: int | None = None
        if answer.level is not None:
            try:
                index = instrument.level_index(answer.level)
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
        self._responses: list[Response] | None = None

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

    def responses(self) -> list[Response]:
        """The submitted responses (drafts of people still answering are not counted)."""
        if self._responses is None:
            self._responses = [
                to_response(self.instrument, person, answers)
                for person, answers in self.store.submitted(self.workshop.id)
            ]
        return self._responses

    def rule_name(self) -> str:
        return self.workshop.rule if self.workshop.rule in self.registry.rules else "median"

    def collation(self, by: str | None = None, *, where: dict[str, Sequence[str]] | None = None) -> Collation:
        """The collation of the submitted responses, split by ``by``; ``where`` keeps only responses whose
        attribute is one of the given values (e.g. the tables being pooled)."""
        responses: Iterable[Response] = self.responses()
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

    def workshop_report(self, by: str | None = None) -> WorkshopReport:
        record = self.record(self.store.decisions(self.workshop.id), self.store.actions(self.workshop.id), by)
        return build_workshop_report(record, self.report(self.collation(by), title=self.workshop.title))

    def comparison(self, earlier: Analysis) -> Comparison:
        """This workshop against an earlier round of the same instrument (with both rounds' decisions)."""
        return build_comparison(earlier.workshop_report(), self.workshop_report())
