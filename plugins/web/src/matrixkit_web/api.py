"""The JSON API (``/api``), described by the OpenAPI document at ``/openapi.json``.

* ``POST /api/workshops`` creates a workshop and returns its facilitator token (once) and join code.
* ``POST /api/workshops/{id}/responses`` records a participant's whole response; the same participant again
  replaces their earlier answers (a revision).
* ``GET /api/workshops/{id}/collation?by=ATTR`` (``Authorization: Bearer <facilitator token>``) returns the
  collation JSON, exactly as ``matrixkit collate`` prints it.

Errors are JSON ``{"detail": "…"}`` (validation errors add ``"errors": [{"field", "message"}]``): 401 without a
token, 403 with a wrong one or a wrong join code, 404 for an unknown workshop, 409 when the workshop is closed,
413 for a body over the limit, 422 for anything else that does not fit.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from matrixkit_web.analysis import Analysis
from matrixkit_web.pages import state
from matrixkit_web.security import format_join_code, normalise_join_code
from matrixkit_web.service import LIMITS, Problems, check_response, check_workshop
from matrixkit_web.store import ClosedError, ConflictError, Decision, NotFoundError, Workshop

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])

_bearer = HTTPBearer(auto_error=False, description="The workshop's facilitator token.")

Text = Annotated[str, Field(max_length=LIMITS["attribute"])]
Key = Annotated[str, Field(min_length=1, max_length=100)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkshopIn(_Model):
    instrument: str = Field(max_length=100, description="Id of an installed instrument, e.g. `pit-a`.")
    title: str = Field(max_length=LIMITS["title"], description="Title of the workshop.")
    date: dt.date | None = Field(None, description="Date of the workshop.")
    place: str | None = Field(None, max_length=LIMITS["place"], description="Where it takes place.")
    sectors: list[Text] = Field(default_factory=list, max_length=LIMITS["list"], description="Sectors in use.")
    tables: list[Text] = Field(default_factory=list, max_length=LIMITS["list"], description="Tables in use.")
    rule: str | None = Field(None, max_length=64, description="Consensus rule (default `median`).")


class WorkshopCreated(BaseModel):
    id: str
    facilitator_token: str = Field(description="Secret; shown only now. Send it as a Bearer token.")
    join_code: str = Field(description="The code participants join with (`ABCD-EFGH`; case and hyphen optional).")
    facilitator_url: str = Field(description="The secret facilitator link for the browser.")
    join_url: str = Field(description="The participants' link.")
    instrument: str
    instrument_version: str
    title: str
    status: str


class WorkshopOut(BaseModel):
    id: str
    instrument: str
    instrument_version: str
    title: str
    date: str | None
    place: str | None
    sectors: list[str]
    tables: list[str]
    rule: str
    join_code: str
    status: str
    participants: int
    submitted: int


class ResponseIn(_Model):
    join_code: str = Field(max_length=32, description="The workshop's join code.")
    participant: str = Field(max_length=LIMITS["participant"], description="The participant's id.")
    attributes: dict[Key, Text] = Field(
        default_factory=dict, max_length=8, description="`sector`, `table` and other attributes."
    )
    choices: dict[Key, StrictInt | StrictStr | None] = Field(
        max_length=500, description="Domain key → level score, key or label; null = not sure."
    )
    comments: dict[Key, Annotated[str, Field(max_length=LIMITS["comment"])]] = Field(
        default_factory=dict, max_length=500, description="Domain key → comment."
    )


class ResponseStored(BaseModel):
    workshop: str
    participant: str
    revision: int = Field(description="1 for a first submission; more when it replaced earlier answers.")
    replaced: bool
    answered: int


class DecisionIn(_Model):
    agreed: StrictInt | StrictStr | None = Field(None, description="Agreed level (score, key or label).")
    target: StrictInt | StrictStr | None = Field(None, description="Level aimed for by the next round.")
    priority: int | None = Field(None, ge=1, le=999, description="Rank among the priorities for action.")
    priorities: str = Field("", max_length=LIMITS["notes"], description="Proposed priorities for action.")
    notes: str = Field("", max_length=LIMITS["notes"])


def _unprocessable(problems: dict[str, str]) -> JSONResponse:
    errors = [{"field": k, "message": v} for k, v in problems.items()]
    detail = "; ".join(f"{k}: {v}" for k, v in problems.items())
    return JSONResponse({"detail": detail, "errors": errors}, status_code=422)


def _workshop(request: Request, workshop_id: str) -> Workshop:
    workshop = state(request).store.workshop(workshop_id) if len(workshop_id) <= 32 else None
    if workshop is None:
        raise HTTPException(404, f"There is no workshop {workshop_id!r}.")
    return workshop


def facilitated_workshop(
    request: Request,
    workshop_id: str,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Workshop:
    """The workshop, when the request carries its facilitator token (401 without one, 403 with another)."""
    workshop = _workshop(request, workshop_id)
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise HTTPException(
            401,
            "Send the workshop's facilitator token: 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="matrixkit"'},
        )
    if len(credentials.credentials) > 200 or not state(request).store.facilitator_token_matches(
        workshop.id, credentials.credentials
    ):
        raise HTTPException(403, "That token is not this workshop's facilitator token.")
    return workshop


Facilitated = Annotated[Workshop, Depends(facilitated_workshop)]


@router.get("/instruments", summary="The installed instruments")
def list_instruments(request: Request) -> list[dict[str, Any]]:
    registry = state(request).registry
    return [
        {"id": i.id, "title": i.title, "version": i.version, "levels": [lv.key for lv in i.levels]}
        for i, _entry in registry.instruments.load_all()
    ]


@router.post("/workshops", status_code=201, response_model=WorkshopCreated, summary="Create a workshop")
def create_workshop(request: Request, body: WorkshopIn) -> Any:
    mk = state(request)
    try:
        checked = check_workshop(
            mk.registry,
            instrument=body.instrument,
            title=body.title,
            date=body.date,
            place=body.place,
            sectors=body.sectors,
            tables=body.tables,
            rule=body.rule,
        )
    except Problems as exc:
        return _unprocessable(exc.problems)
    instrument = checked.instrument
    workshop, token = mk.store.create_workshop(
        instrument=instrument.id,
        instrument_version=instrument.version,
        instrument_fingerprint=instrument.fingerprint,
        title=checked.title,
        rule=checked.rule,
        date=checked.date,
        place=checked.place,
        sectors=checked.sectors,
        tables=checked.tables,
    )
    base = str(request.base_url).rstrip("/")
    return {
        "id": workshop.id,
        "facilitator_token": token,
        "join_code": format_join_code(workshop.join_code),
        "facilitator_url": f"{base}/facilitate/{token}",
        "join_url": f"{base}/join?code={workshop.join_code}",
        "instrument": workshop.instrument,
        "instrument_version": workshop.instrument_version,
        "title": workshop.title,
        "status": workshop.status,
    }


@router.get("/workshops/{workshop_id}", response_model=WorkshopOut, summary="A workshop's details (facilitator)")
def get_workshop(request: Request, workshop: Facilitated) -> Any:
    people = state(request).store.participants(workshop.id)
    return {
        "id": workshop.id,
        "instrument": workshop.instrument,
        "instrument_version": workshop.instrument_version,
        "title": workshop.title,
        "date": workshop.date,
        "place": workshop.place,
        "sectors": list(workshop.sectors),
        "tables": list(workshop.tables),
        "rule": workshop.rule,
        "join_code": format_join_code(workshop.join_code),
        "status": workshop.status,
        "participants": len(people),
        "submitted": sum(1 for p in people if p.submitted_at is not None),
    }


@router.post(
    "/workshops/{workshop_id}/responses",
    status_code=201,
    response_model=ResponseStored,
    summary="Submit (or replace) a participant's response",
    responses={403: {"description": "Wrong join code"}, 409: {"description": "The workshop is closed"}},
)
def submit_response(request: Request, workshop_id: str, body: ResponseIn) -> Any:
    mk = state(request)
    workshop = _workshop(request, workshop_id)
    if normalise_join_code(body.join_code) != workshop.join_code:
        raise HTTPException(403, "The join code does not match this workshop.")
    if not workshop.is_open:
        raise HTTPException(409, "This workshop is closed: answers can no longer be added or changed.")
    instrument = mk.registry.instrument(workshop.instrument)
    try:
        checked = check_response(
            workshop,
            instrument,
            participant=body.participant,
            attributes=body.attributes,
            choices=body.choices,
            comments=body.comments,
        )
    except Problems as exc:
        return _unprocessable(exc.problems)
    try:
        revision = mk.store.submit_response(
            workshop.id, participant=checked.participant, attributes=checked.attributes, answers=checked.answers
        )
    except ClosedError as exc:
        raise HTTPException(409, str(exc)) from None
    except ConflictError as exc:
        raise HTTPException(409, str(exc)) from None
    except NotFoundError as exc:  # pragma: no cover - deleted meanwhile
        raise HTTPException(404, str(exc)) from None
    return {
        "workshop": workshop.id,
        "participant": checked.participant,
        "revision": revision,
        "replaced": revision > 1,
        "answered": sum(1 for level, _ in checked.answers.values() if level is not None),
    }


@router.get(
    "/workshops/{workshop_id}/collation",
    summary="The collation JSON (as `matrixkit collate` prints it)",
    responses={401: {"description": "No facilitator token"}, 403: {"description": "Wrong token"}},
)
def get_collation(
    request: Request,
    workshop: Facilitated,
    by: Annotated[str | None, Query(max_length=40, description="Split by this attribute, e.g. `sector`.")] = None,
) -> dict[str, Any]:
    analysis = Analysis(state(request).store, state(request).registry, workshop)
    return analysis.collation_json(by or None)


@router.get("/workshops/{workshop_id}/report", summary="The workshop report: collation, decisions and actions")
def get_report(
    request: Request,
    workshop: Facilitated,
    by: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    from matrixkit.io.data import workshop_report_to_dict

    analysis = Analysis(state(request).store, state(request).registry, workshop)
    return workshop_report_to_dict(analysis.workshop_report(by or None))


@router.put("/workshops/{workshop_id}/decisions/{domain}", summary="Record the decisions about one domain")
def put_decision(request: Request, workshop: Facilitated, domain: str, body: DecisionIn) -> dict[str, Any]:
    mk = state(request)
    instrument = mk.registry.instrument(workshop.instrument)
    if domain not in instrument.domain_keys:
        raise HTTPException(404, f"unknown domain {domain!r} of {instrument.id}")
    levels: dict[str, str | None] = {}
    problems: dict[str, str] = {}
    for name in ("agreed", "target"):
        value = getattr(body, name)
        try:
            levels[name] = instrument.levels[instrument.level_index(value)].key if value is not None else None
        except ValueError as exc:
            problems[name] = str(exc)
    if problems:
        return _unprocessable(problems)  # type: ignore[return-value]
    decision = Decision(
        domain,
        agreed_level=levels["agreed"],
        target_level=levels["target"],
        priority=body.priority,
        priorities=body.priorities.strip() or None,
        notes=body.notes.strip() or None,
    )
    try:
        mk.store.set_decision(workshop.id, decision)
    except ConflictError as exc:
        raise HTTPException(409, str(exc)) from None
    return {"domain": domain, "agreed": levels["agreed"], "target": levels["target"], "priority": body.priority}


@router.post("/workshops/{workshop_id}/close", summary="Close the workshop (no more answers)")
def close_workshop(request: Request, workshop: Facilitated) -> dict[str, str]:
    state(request).store.set_status(workshop.id, "closed")
    return {"id": workshop.id, "status": "closed"}
