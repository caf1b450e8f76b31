"""The participant's pages: join with a code, answer the matrix row by row, check, submit, come back, revise.

A participant who joins is signed in to the browser session (:mod:`matrixkit_web.pages`) as that participant of
that workshop. Every page looks the participant up through the session *within the workshop in the URL*, so a
session never reaches another workshop's pages. The personal return link (``/resume/<token>``, made on request;
a new one replaces the old) lets someone carry on from another device: it is exchanged for the session on first
use and the browser is sent to an address without the token. A browser already signed in to something is asked
to confirm (a form, with its CSRF token) before a link signs it in as someone else: a link never switches
identity on a GET. Participants see only their own answers, never anyone else's.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response

from matrixkit.model import Instrument
from matrixkit_web.pages import (
    Form,
    client_address,
    describe_roles,
    form_data,
    public_url,
    redirect,
    render,
    reveal,
    revealed,
    session_token,
    set_session,
    state,
)
from matrixkit_web.security import normalise_join_code
from matrixkit_web.service import LIMITS, Problems, check_attributes
from matrixkit_web.store import Answer, ClosedError, NameTakenError, NotFoundError, Participant, Workshop

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

NOT_SURE = "not-sure"


def _instrument(request: Request, workshop: Workshop) -> Instrument:
    return state(request).registry.instrument(workshop.instrument)


def _current(request: Request, workshop_id: str) -> tuple[Workshop, Participant]:
    """The workshop and the participant this browser joined it as (403 page otherwise)."""
    store = state(request).store
    workshop, person = (
        store.participant_view(session_token(request), workshop_id) if len(workshop_id) <= 32 else (None, None)
    )
    if workshop is None:
        raise HTTPException(404, "There is no such workshop. Check the link, or join with the code you were given.")
    if person is None:
        raise HTTPException(
            403,
            "You have not joined this workshop in this browser. Join with the code you were given, or open your "
            "personal return link.",
        )
    return workshop, person


# -- home and joining ----------------------------------------------------------------------------


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "home.html", {"page_title": "Maturity matrix self-assessment"})


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/healthz")
def health() -> PlainTextResponse:
    return PlainTextResponse("ok")


@router.get("/levels/{instrument_id}.css")
def level_styles(request: Request, instrument_id: str) -> Response:
    """The instrument's level colours as CSS classes (``level-0`` …): colours stay out of inline styles (CSP)."""
    registry = state(request).registry
    if instrument_id not in registry.instruments:
        raise HTTPException(404, "unknown instrument")
    instrument = registry.instrument(instrument_id)
    rules = []
    for i, level in enumerate(instrument.levels):
        # Colours are validated as #rrggbb by the model, so they are safe to write into CSS.
        text = _text_colour(level.colour)
        rules.append(f".level-{i} {{ background-color: {level.colour}; color: {text}; }}")
        rules.append(f".radios-levels .level-border-{i} {{ border-left-color: {level.colour}; }}")
    return Response(
        "\n".join(rules) + "\n",
        media_type="text/css",
        headers={"cache-control": "public, max-age=300"},
    )


def _text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG relative luminance)."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(background[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#0b0c0c" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


@router.get("/join")
def join_page(request: Request, code: str = "") -> Response:
    if not code:
        return render(request, "join_code.html", {"page_title": "Join a workshop", "code": ""})
    workshop, error = _find_by_code(request, code)
    if workshop is None:
        return render(
            request,
            "join_code.html",
            {"page_title": "Join a workshop", "code": code[:32], "errors": {"code": error}},
            status_code=400 if code else 200,
        )
    return _details_form(request, workshop, values={}, errors={})


def _find_by_code(request: Request, code: str) -> tuple[Workshop | None, str]:
    """The open workshop of a join code, or an error message. A code that matches no workshop counts as a failed
    attempt of the client's address (429 once too many)."""
    cleaned = normalise_join_code(code)
    if not cleaned:
        return None, "Enter the join code you were given, like ABCD-EFGH"
    limits = state(request).limits
    limits.check("failed", client_address(request))
    workshop = state(request).store.workshop_by_join_code(cleaned) if len(cleaned) <= 16 else None
    if workshop is None:
        limits.hit("failed", client_address(request))
        return None, "No workshop has that join code. Check the code and try again"
    if not workshop.is_open:
        return None, "That workshop is closed: answers can no longer be added"
    return workshop, ""


def _details_form(
    request: Request, workshop: Workshop, *, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Response:
    _workshop, already = state(request).store.participant_view(session_token(request), workshop.id)
    return render(
        request,
        "join_details.html",
        {
            "page_title": f"About you – {workshop.title}",
            "workshop": workshop,
            "instrument": _instrument(request, workshop),
            "values": values,
            "errors": errors,
            "already": already,
            "limits": LIMITS,
        },
        status_code=status_code,
    )


@router.post("/join")
def join(request: Request, form: Annotated[Form, Depends(form_data)]) -> Response:
    workshop, error = _find_by_code(request, form.get("code"))
    if workshop is None:
        return render(
            request,
            "join_code.html",
            {"page_title": "Join a workshop", "code": form.get("code")[:32], "errors": {"code": error}},
            status_code=400,
        )
    values = {"name": form.get("name"), "sector": form.get("sector"), "table": form.get("table")}
    errors: dict[str, str] = {}
    name = " ".join(values["name"].split())
    if len(name) > LIMITS["name"]:
        errors["name"] = f"Your name must be {LIMITS['name']} characters or fewer"
    elif name.casefold().startswith("anonymous"):
        errors["name"] = "Leave the name blank to take part anonymously"
    if workshop.sectors and not values["sector"]:
        errors["sector"] = "Select the sector you work in"
    if workshop.tables and not values["table"]:
        errors["table"] = "Select the table you are sitting at"
    attributes: dict[str, str] = {}
    if not errors:
        try:
            attributes = check_attributes(workshop, {"sector": values["sector"], "table": values["table"]}, prefix="")
        except Problems as exc:
            errors.update(exc.problems)
    if not errors:
        try:
            _person, session = state(request).store.join(
                workshop.id, name=name or None, attributes=attributes, session_token=session_token(request)
            )
        except NameTakenError as exc:
            errors["name"] = str(exc)
        except ClosedError:
            return _details_form(
                request, workshop, values=values, errors={"code": "That workshop is now closed"}, status_code=409
            )
        else:
            response = redirect(f"/w/{workshop.id}/answer")
            set_session(request, response, session)
            return response
    return _details_form(request, workshop, values=values, errors=errors, status_code=400)


def _resume_target(request: Request, token: str) -> Participant:
    mk = state(request)
    mk.limits.check("failed", client_address(request))
    person = mk.store.participant_by_any_token(token) if len(token) <= 100 else None
    if person is None:
        mk.limits.hit("failed", client_address(request))
        raise HTTPException(
            404, "This return link is not valid (a newer one may have replaced it). Check that you copied all of it."
        )
    return person


@router.get("/resume/{token}")
def resume(request: Request, token: str) -> Response:
    """A participant's personal return link: signs this browser in to their answers, and moves to an address
    without the token. A browser signed in to anything else is asked to confirm first."""
    person = _resume_target(request, token)
    mk = state(request)
    current = session_token(request)
    roles = mk.store.roles(current)
    if any(r.role == "participant" and r.participant_id == person.id for r in roles):
        return redirect(f"/w/{person.workshop_id}/answer")
    if roles:
        workshop = mk.store.workshop(person.workshop_id)
        return render(
            request,
            "confirm_switch.html",
            {
                "page_title": "Continue as someone else?",
                "action": "/resume",
                "token": token,
                "signed_in_as": describe_roles(request, roles),
                "becoming": f"{person.display_name}, a participant in {workshop.title if workshop else 'a workshop'}",
            },
        )
    response = redirect(f"/w/{person.workshop_id}/answer")
    set_session(request, response, mk.store.grant(current, person.workshop_id, "participant", person.id))
    return response


@router.post("/resume")
def resume_confirmed(request: Request, form: Annotated[Form, Depends(form_data)]) -> Response:
    """The confirmation of a return link opened while signed in to something else."""
    person = _resume_target(request, form.get("token"))
    response = redirect(f"/w/{person.workshop_id}/answer")
    session = state(request).store.grant(session_token(request), person.workshop_id, "participant", person.id)
    set_session(request, response, session)
    return response


# -- answering -----------------------------------------------------------------------------------


def _progress(instrument: Instrument, answers: dict[str, Answer]) -> dict[str, Any]:
    done = sum(1 for key in instrument.domain_keys if key in answers)
    return {"done": done, "total": len(instrument.domains)}


@router.get("/w/{workshop_id}/answer")
def task_list(request: Request, workshop_id: str) -> Response:
    workshop, person = _current(request, workshop_id)
    instrument = _instrument(request, workshop)
    answers = state(request).store.answers(person)
    return render(
        request,
        "answer_list.html",
        {
            "page_title": f"Your answers – {workshop.title}",
            "workshop": workshop,
            "person": person,
            "instrument": instrument,
            "answers": answers,
            "progress": _progress(instrument, answers),
        },
    )


def _domain_page(
    request: Request,
    workshop: Workshop,
    person: Participant,
    instrument: Instrument,
    key: str,
    *,
    answers: dict[str, Answer],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    index = instrument.domain_keys.index(key)
    domain = instrument.domains[index]
    saved = answers.get(key)
    if values is None:
        values = {
            "level": (saved.level or NOT_SURE) if saved is not None else "",
            "comment": (saved.comment or "") if saved is not None else "",
        }
    previous = instrument.domains[index - 1].key if index > 0 else None
    return render(
        request,
        "answer_domain.html",
        {
            "page_title": f"{domain.title} – question {index + 1} of {len(instrument.domains)}",
            "workshop": workshop,
            "person": person,
            "instrument": instrument,
            "domain": domain,
            "number": index + 1,
            "previous": previous,
            "values": values,
            "errors": errors or {},
            "not_sure": NOT_SURE,
            "limits": LIMITS,
            "group": instrument.group(domain.group) if domain.group else None,
        },
        status_code=status_code,
    )


@router.get("/w/{workshop_id}/answer/{domain}")
def domain_page(request: Request, workshop_id: str, domain: str) -> Response:
    workshop, person = _current(request, workshop_id)
    instrument = _instrument(request, workshop)
    if domain not in instrument.domain_keys:
        raise HTTPException(404, "There is no such question in this matrix.")
    if not workshop.is_open:
        return redirect(f"/w/{workshop.id}/check")
    return _domain_page(request, workshop, person, instrument, domain, answers=state(request).store.answers(person))


@router.post("/w/{workshop_id}/answer/{domain}")
def save_domain(request: Request, workshop_id: str, domain: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    workshop, person = _current(request, workshop_id)
    instrument = _instrument(request, workshop)
    if domain not in instrument.domain_keys:
        raise HTTPException(404, "There is no such question in this matrix.")
    store = state(request).store
    level = form.get("level")
    comment = form.get("comment")
    action = form.get("action") or "continue"
    errors: dict[str, str] = {}
    title = instrument.domain(domain).title
    if level and level != NOT_SURE and level not in instrument.level_keys:
        errors["level"] = f"Select one of the levels for {title}, or 'Not sure'"
    elif not level and action != "later":
        errors["level"] = f"Select the level that best describes {title}, or select 'Not sure'"
    if len(comment) > LIMITS["comment"]:
        errors["comment"] = f"Your comment must be {LIMITS['comment']} characters or fewer"
    if errors:
        return _domain_page(
            request,
            workshop,
            person,
            instrument,
            domain,
            answers=store.answers(person),
            values={"level": level, "comment": comment},
            errors=errors,
            status_code=400,
        )
    if level:
        try:
            store.save_answer(person, domain, None if level == NOT_SURE else level, comment or None)
        except ClosedError:
            return redirect(f"/w/{workshop.id}/check")
        except NotFoundError as exc:  # pragma: no cover - deleted meanwhile
            raise HTTPException(404, str(exc)) from None
    if action == "later":
        return redirect(f"/w/{workshop.id}/later")
    keys = instrument.domain_keys
    position = keys.index(domain)
    if position + 1 < len(keys) and action != "list":
        return redirect(f"/w/{workshop.id}/answer/{keys[position + 1]}")
    return redirect(f"/w/{workshop.id}/check")


@router.get("/w/{workshop_id}/details")
def details_page(request: Request, workshop_id: str) -> Response:
    workshop, person = _current(request, workshop_id)
    return render(
        request,
        "participant_details.html",
        {
            "page_title": f"Your sector and table – {workshop.title}",
            "workshop": workshop,
            "person": person,
            "values": {"sector": person.attributes.get("sector", ""), "table": person.attributes.get("table", "")},
        },
    )


@router.post("/w/{workshop_id}/details")
def save_details(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    workshop, person = _current(request, workshop_id)
    values = {"sector": form.get("sector"), "table": form.get("table")}
    errors: dict[str, str] = {}
    if workshop.sectors and not values["sector"]:
        errors["sector"] = "Select the sector you work in"
    if workshop.tables and not values["table"]:
        errors["table"] = "Select the table you are sitting at"
    attributes: dict[str, str] = {}
    if not errors:
        try:
            attributes = check_attributes(workshop, values, prefix="")
        except Problems as exc:
            errors.update(exc.problems)
    if errors:
        return render(
            request,
            "participant_details.html",
            {
                "page_title": f"Your sector and table – {workshop.title}",
                "workshop": workshop,
                "person": person,
                "values": values,
                "errors": errors,
            },
            status_code=400,
        )
    with contextlib.suppress(ClosedError):  # closed meanwhile: the answer list says so
        state(request).store.update_participant(person, attributes={**person.attributes, **attributes})
    return redirect(f"/w/{workshop.id}/answer")


@router.get("/w/{workshop_id}/check")
def check_page(request: Request, workshop_id: str) -> Response:
    workshop, person = _current(request, workshop_id)
    instrument = _instrument(request, workshop)
    answers = state(request).store.answers(person)
    return render(
        request,
        "answer_check.html",
        {
            "page_title": f"Check your answers – {workshop.title}",
            "workshop": workshop,
            "person": person,
            "instrument": instrument,
            "answers": answers,
            "progress": _progress(instrument, answers),
        },
    )


@router.post("/w/{workshop_id}/submit")
def submit(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    workshop, person = _current(request, workshop_id)
    try:
        state(request).store.submit(person)
    except ClosedError:
        return redirect(f"/w/{workshop.id}/check")
    return redirect(f"/w/{workshop.id}/done")


@router.post("/w/{workshop_id}/return-link")
def new_return_link(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    """Make the participant's personal return link (a new one replaces the previous one) and show it once."""
    workshop, person = _current(request, workshop_id)
    token = state(request).store.new_return_token(person)
    page = "done" if form.get("next") == "done" else "later"
    response = redirect(f"/w/{workshop.id}/{page}#return-link")
    reveal(request, response, token, f"/w/{workshop.id}/{page}")
    return response


@router.get("/w/{workshop_id}/done")
def done_page(request: Request, workshop_id: str) -> Response:
    workshop, person = _current(request, workshop_id)
    if person.submitted_at is None:
        return redirect(f"/w/{workshop.id}/check")
    return render(
        request,
        "answer_done.html",
        {
            "page_title": f"Answers submitted – {workshop.title}",
            "workshop": workshop,
            "person": person,
            "return_link": _return_link(request),
            "return_page": "done",
        },
    )


@router.get("/w/{workshop_id}/later")
def later_page(request: Request, workshop_id: str) -> Response:
    workshop, person = _current(request, workshop_id)
    return render(
        request,
        "answer_later.html",
        {
            "page_title": f"Your answers are saved – {workshop.title}",
            "workshop": workshop,
            "person": person,
            "return_link": _return_link(request),
            "return_page": "later",
        },
    )


def _return_link(request: Request) -> str | None:
    """The personal return link made just now (shown once), else None."""
    token = revealed(request)
    return public_url(request, f"/resume/{token}") if token else None
