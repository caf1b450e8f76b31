"""The JSON API (``/api``), described by the OpenAPI document at ``/openapi.json``.

* ``POST /api/workshops`` creates a workshop and returns its facilitator token (once) and join code. When the
  server has an admin token, the request must carry it (``Authorization: Bearer <admin token>``).
* ``POST /api/workshops/{id}/responses`` records a participant's whole response. The first accepted submission
  of a participant returns an ``edit_token``; a later one for the same participant (names compared as people
  read them: :mod:`matrixkit_web.names`) replaces the earlier answers only when it carries that token.
* ``GET /api/workshops/{id}/collation?by=ATTR`` (``Authorization: Bearer <facilitator token>``) returns the
  collation JSON, exactly as ``matrixkit collate`` prints it.
* ``DELETE /api/workshops/{id}/participants/{participant}``, ``DELETE /api/workshops/{id}`` and
  ``GET /api/workshops/{id}/export`` (facilitator): data protection.

Errors are JSON ``{"detail": "…"}`` (validation errors add ``"errors": [{"field", "message"}]``): 401 without a
token, 403 with a wrong one, a wrong join code or without a participant's edit token, 404 for an unknown
workshop, 409 when the workshop is closed, 413 for a body over the limit, 422 for anything else that does not
fit (control characters included), 429 with ``Retry-After`` after too many failed attempts from one address.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr

from matrixkit_web.analysis import Analysis
from matrixkit_web.pages import admin_token_problem, client_address, public_url, state
from matrixkit_web.security import control_character, format_join_code, normalise_join_code
from matrixkit_web.service import LIMITS, Problems, ResponseInput, check_response, check_workshop
from matrixkit_web.store import (
    ClosedError,
    ConflictError,
    Decision,
    EditTokenError,
    NotFoundError,
    Workshop,
    WrongCodeError,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])

_bearer = HTTPBearer(
    auto_error=False,
    description="The workshop's facilitator token (or, to create a workshop, the server's admin token).",
)


def _line(value: str) -> str:
    found = control_character(value)
    if found:
        raise ValueError(f"contains a control character ({found})")
    return value


def _long(value: str) -> str:
    found = control_character(value, long_text=True)
    if found:
        raise ValueError(f"contains a control character ({found}); only tab and newlines are allowed")
    return value


#: Text on one line: control characters refused (422), on every database alike.
Line = Annotated[str, AfterValidator(_line)]
StrictLine = Annotated[StrictStr, AfterValidator(_line)]
#: Long text (comments, notes): tab and newlines allowed, other control characters refused.
LongText = Annotated[str, AfterValidator(_long)]
Text = Annotated[Line, Field(max_length=LIMITS["attribute"])]
Key = Annotated[Line, Field(min_length=1, max_length=100)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkshopIn(_Model):
    instrument: Line = Field(max_length=100, description="Id of an installed instrument, e.g. `pit-a`.")
    title: Line = Field(max_length=LIMITS["title"], description="Title of the workshop.")
    date: dt.date | None = Field(None, description="Date of the workshop.")
    place: Line | None = Field(None, max_length=LIMITS["place"], description="Where it takes place.")
    sectors: list[Text] = Field(default_factory=list, max_length=LIMITS["list"], description="Sectors in use.")
    tables: list[Text] = Field(default_factory=list, max_length=LIMITS["list"], description="Tables in use.")
    rule: Line | None = Field(None, max_length=64, description="Consensus rule (default `median`).")


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
    join_code: Line = Field(max_length=32, description="The workshop's join code.")
    participant: Line = Field(
        max_length=LIMITS["participant"],
        description="The participant's id. Names are compared after Unicode normalisation (NFKC, case-folded, "
        "invisible characters removed, spaces collapsed) and their confusable skeletons (Unicode TR39).",
    )
    edit_token: Line | None = Field(
        None,
        max_length=100,
        description="Required to replace a participant's earlier answers: the `edit_token` returned with their "
        "first submission.",
    )
    attributes: dict[Key, Text] = Field(
        default_factory=dict, max_length=8, description="`sector`, `table` and other attributes."
    )
    choices: dict[Key, StrictInt | StrictLine | None] = Field(
        max_length=500, description="Domain key → level score, key or label; null = not sure."
    )
    comments: dict[Key, Annotated[LongText, Field(max_length=LIMITS["comment"])]] = Field(
        default_factory=dict, max_length=500, description="Domain key → comment."
    )


class ResponseStored(BaseModel):
    workshop: str
    participant: str
    revision: int = Field(description="1 for a first submission; more when it replaced earlier answers.")
    replaced: bool
    answered: int
    edit_token: str | None = Field(
        None,
        description="Only with a participant's first submission (null afterwards): secret; send it with any later "
        "submission for this participant, which is refused (403) without it. Stored only as a hash.",
    )


class DecisionIn(_Model):
    agreed: StrictInt | StrictLine | None = Field(None, description="Agreed level (score, key or label).")
    target: StrictInt | StrictLine | None = Field(None, description="Level aimed for by the next round.")
    priority: int | None = Field(None, ge=1, le=999, description="Rank among the priorities for action.")
    priorities: LongText = Field("", max_length=LIMITS["notes"], description="Proposed priorities for action.")
    notes: LongText = Field("", max_length=LIMITS["notes"])


def _unprocessable(problems: dict[str, str]) -> JSONResponse:
    errors = [{"field": k, "message": v} for k, v in problems.items()]
    detail = "; ".join(f"{k}: {v}" for k, v in problems.items())
    return JSONResponse({"detail": detail, "errors": errors}, status_code=422)


def _bearer_token(credentials: HTTPAuthorizationCredentials | None, what: str) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise HTTPException(
            401,
            f"Send the {what}: 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="matrixkit"'},
        )
    return credentials.credentials


def facilitated_workshop(
    request: Request,
    workshop_id: str,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Workshop:
    """The workshop, when the request carries its facilitator token (401 without one, 403 with another, 429
    after too many wrong tokens from the client's address)."""
    mk = state(request)
    given = credentials.credentials if credentials is not None else ""
    workshop, allowed = mk.store.facilitated_workshop(workshop_id, given) if len(workshop_id) <= 32 else (None, False)
    if workshop is None:
        raise HTTPException(404, f"There is no workshop {workshop_id!r}.")
    token = _bearer_token(credentials, "workshop's facilitator token")
    mk.limits.check("failed", client_address(request))
    if len(token) > 200 or not allowed:
        mk.limits.hit("failed", client_address(request))
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


@router.post(
    "/workshops",
    status_code=201,
    response_model=WorkshopCreated,
    summary="Create a workshop",
    responses={
        401: {"description": "The server needs its admin token"},
        429: {"description": "Too many workshops created (or failed attempts) from this address"},
    },
)
def create_workshop(
    request: Request,
    body: WorkshopIn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Any:
    mk = state(request)
    token = credentials.credentials if credentials and credentials.scheme.lower() == "bearer" else None
    problem = admin_token_problem(request, token)
    if problem == "missing":
        raise HTTPException(
            401,
            "This server needs its admin token to create workshops: 'Authorization: Bearer <admin token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="matrixkit"'},
        )
    if problem == "wrong":
        raise HTTPException(403, "That is not this server's admin token.")
    mk.limits.check("create", client_address(request))
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
    mk.limits.hit("create", client_address(request))
    instrument = checked.instrument
    workshop, token, _session = mk.store.create_workshop(
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
    return {
        "id": workshop.id,
        "facilitator_token": token,
        "join_code": format_join_code(workshop.join_code),
        "facilitator_url": public_url(request, f"/facilitate/{token}"),
        "join_url": public_url(request, f"/join?code={workshop.join_code}"),
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
    responses={
        403: {"description": "Wrong join code, or an existing participant without their edit token"},
        409: {"description": "The workshop is closed"},
        429: {"description": "Too many failed attempts from this address"},
    },
)
def submit_response(request: Request, workshop_id: str, body: ResponseIn) -> Any:
    mk = state(request)
    address = client_address(request)
    registry = mk.registry

    def check(workshop: Workshop) -> ResponseInput:
        return check_response(
            workshop,
            registry.instrument(workshop.instrument),
            participant=body.participant,
            attributes=body.attributes,
            choices=body.choices,
            comments=body.comments,
        )

    try:
        if len(workshop_id) > 32:
            raise NotFoundError(workshop_id)
        stored = mk.store.submit_response(
            workshop_id,
            join_code=normalise_join_code(body.join_code),
            edit_token=body.edit_token,
            # Over the limit of failed attempts: 429 before the join code is even compared, checked inside the
            # submission's own transaction.
            first=lambda connection: mk.limits.check("failed", address, connection=connection),
            check=check,
        )
    except Problems as exc:
        return _unprocessable(exc.problems)
    except NotFoundError:
        raise HTTPException(404, f"There is no workshop {workshop_id!r}.") from None
    except WrongCodeError as exc:
        mk.limits.hit("failed", address)
        raise HTTPException(403, str(exc)) from None
    except EditTokenError as exc:
        raise HTTPException(403, str(exc)) from None
    except (ClosedError, ConflictError) as exc:
        raise HTTPException(409, str(exc)) from None
    checked: ResponseInput = stored.checked
    return JSONResponse(
        {
            "workshop": workshop_id,
            "participant": stored.participant,
            "revision": stored.revision,
            "replaced": stored.revision > 1,
            "answered": sum(1 for level, _ in checked.answers.values() if level is not None),
            "edit_token": stored.edit_token,
        },
        status_code=201,
    )


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


@router.get(
    "/workshops/{workshop_id}/export",
    summary="Everything stored about a workshop (data protection: subject access)",
    responses={401: {"description": "No facilitator token"}, 403: {"description": "Wrong token"}},
)
def export_workshop(request: Request, workshop: Facilitated) -> dict[str, Any]:
    data = state(request).store.export(workshop.id)
    if data is None:  # pragma: no cover - deleted meanwhile
        raise HTTPException(404, f"There is no workshop {workshop.id!r}.")
    return data


@router.delete(
    "/workshops/{workshop_id}/participants/{participant:path}",
    status_code=204,
    summary="Delete a participant and their answers",
    responses={404: {"description": "No participant of that name in this workshop"}},
)
def delete_participant(request: Request, workshop: Facilitated, participant: Line) -> Response:
    if (
        len(participant) > LIMITS["participant"]
        or state(request).store.delete_participant(workshop.id, participant) is None
    ):
        raise HTTPException(404, f"There is no participant {participant!r} in this workshop.")
    return Response(status_code=204)


@router.delete(
    "/workshops/{workshop_id}",
    status_code=204,
    summary="Delete a workshop and everything stored about it",
)
def delete_workshop(request: Request, workshop: Facilitated) -> Response:
    state(request).store.delete_workshop(workshop.id)
    return Response(status_code=204)
