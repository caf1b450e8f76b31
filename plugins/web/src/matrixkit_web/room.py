"""The room: the presenter view for the projector, showing the room its answers, and the second look.

* **Presenter view** (``/w/{id}/present``, the facilitator's "Present"): the join code in large type with a QR
  code of the join address, how many have joined and submitted, and a distribution chart per domain, updating
  without reloading. It is meant to be projected, so it carries nothing secret: no facilitator link or token, no
  form (a CSRF token is a secret too), and no participant's name unless the facilitator turns names on.
* **Look again** (``/w/{id}/look-again``, facilitator): choose the domains whose anonymised spread the room sees
  (on the presenter view and on every participant's phone, with their own table's spread and the toolkit's
  prompts), and open a second look at them: each participant keeps or changes their answer. The first answer is
  kept beside the new one; the dashboard, the decisions pages and the reports show the shift.
* **The room's answers** (``/w/{id}/room``, participant): the spread of the domains shown, and the second look.

Small groups stay protected: no spread is shown for a group (the room, a table) of fewer than
:data:`matrixkit.report.MIN_GROUP_SIZE` people who have submitted.

The live parts (``…/present/live``, ``…/room/status``) answer conditional requests: each response carries an
ETag made from what the view shows (:meth:`~matrixkit_web.store.Store.live_signature`), and a request whose
``If-None-Match`` still matches is answered ``304 Not Modified`` without building the page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from matrixkit.report import MIN_GROUP_SIZE, CollationReport
from matrixkit_web.facilitator import _analysis, _facilitated, join_address
from matrixkit_web.pages import Form, etag_for, form_data, not_modified, public_url, redirect, render, state
from matrixkit_web.participant import NOT_SURE, _current, _instrument, room_status
from matrixkit_web.qr import qr_svg
from matrixkit_web.security import format_join_code
from matrixkit_web.store import ClosedError, Workshop

__all__ = ["PROMPTS", "router"]

router = APIRouter(include_in_schema=False)

#: The toolkit's prompts for a group looking at its spread of answers ("Using the tools in a group or workshop
#: context").
PROMPTS = (
    "To what extent do we agree or disagree about where we are now?",
    "Where we differ, what is the basis of the disagreement? Is it an individual or a sectoral or organisational view?",
    "What change, action, evidence or input would help us reach greater consensus?",
)


def _spreads(report: CollationReport) -> dict[str, Any]:
    """Which spreads may be shown: the room's when it has at least MIN_GROUP_SIZE responses, and each group
    (table) of at least that many."""
    return {
        "room": report.responses >= MIN_GROUP_SIZE,
        "groups": {name for name, size in report.group_sizes if size >= MIN_GROUP_SIZE},
    }


# -- the presenter view ------------------------------------------------------------------------


def _present_context(request: Request, workshop: Workshop, etag: str) -> dict[str, Any]:
    analysis = _analysis(request, workshop)
    by = "table" if workshop.tables else None
    report = analysis.report(analysis.collation(by))
    people = state(request).store.participants(workshop.id)
    submitted = [p for p in people if p.submitted_at is not None]
    join_link = public_url(request, f"/join?code={workshop.join_code}")
    code = format_join_code(workshop.join_code)
    return {
        "workshop": workshop,
        "instrument": analysis.instrument,
        "report": report,
        "joined": len(people),
        "submitted": len(submitted),
        # Names only when the facilitator turned them on; a paper sheet is marked as such here too.
        "names": (
            sorted(f"{p.display_name} (paper)" if p.on_paper else p.display_name for p in submitted if p.name)
            if workshop.show_names
            else []
        ),
        "join_code": code,
        "join_address": join_address(request),
        "qr": qr_svg(join_link, f"QR code: opens the join page with the code {code} filled in"),
        "shown": _spreads(report),
        "min_group": MIN_GROUP_SIZE,
        "revealed": [d for d in report.domains if d.domain.key in workshop.revealed],
        "shifts": {s.domain.key: s for s in analysis.shifts()},
        "prompts": PROMPTS,
        "refresh": state(request).settings.refresh_seconds,
        "etag": etag,
    }


def _present_etag(request: Request, workshop: Workshop) -> str:
    return etag_for(state(request).store.live_signature(workshop), "present", public_url(request, "/"))


@router.get("/w/{workshop_id}/present")
def present(request: Request, workshop_id: str) -> Response:
    workshop = _facilitated(request, workshop_id)
    etag = _present_etag(request, workshop)
    context = _present_context(request, workshop, etag)
    context["page_title"] = f"Presenting {workshop.title}"
    return render(request, "present.html", context)


@router.get("/w/{workshop_id}/present/live")
def present_live(request: Request, workshop_id: str) -> Response:
    """The live part of the presenter view: 304 while nothing it shows has changed."""
    workshop = _facilitated(request, workshop_id)
    etag = _present_etag(request, workshop)
    unchanged = not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    response = render(request, "_present_live.html", _present_context(request, workshop, etag))
    response.headers["etag"] = etag
    return response


# -- the facilitator's controls --------------------------------------------------------------------


def _look_again_page(
    request: Request,
    workshop: Workshop,
    *,
    notice: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    analysis = _analysis(request, workshop)
    report = analysis.report(analysis.collation(None))
    return render(
        request,
        "look_again.html",
        {
            "page_title": f"Look again – {workshop.title}",
            "workshop": workshop,
            "instrument": analysis.instrument,
            "report": report,
            "shown": _spreads(report),
            "min_group": MIN_GROUP_SIZE,
            "shifts": analysis.shifts(),
            "prompts": PROMPTS,
            "notice": notice,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/w/{workshop_id}/look-again")
def look_again_page(request: Request, workshop_id: str, saved: str = "") -> Response:
    workshop = _facilitated(request, workshop_id)
    notice = {
        "shown": "Saved: participants and the presenter view now show your choice.",
        "ended": ("Nothing is shown to participants now, and the second look has ended."),
    }.get(saved, "")
    return _look_again_page(request, workshop, notice=notice)


@router.post("/w/{workshop_id}/look-again")
def look_again(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    """Show the chosen domains' spread to the room and open (or end) the second look at them; names on the
    presenter view on or off."""
    workshop = _facilitated(request, workshop_id)
    keys = _analysis(request, workshop).instrument.domain_keys
    if form.get("op") == "end":
        state(request).store.set_room(workshop.id, revealed=[], second_look=[])
        return redirect(f"/w/{workshop.id}/look-again?saved=ended")
    chosen = set(form.getlist("show"))
    look = set(form.getlist("look"))
    unknown = (chosen | look) - set(keys)
    if unknown:
        return _look_again_page(
            request, workshop, errors={"look-domains": "Choose domains of this matrix"}, status_code=400
        )
    revealed = [k for k in keys if k in chosen or k in look]  # a second look shows the spread too
    state(request).store.set_room(
        workshop.id,
        revealed=revealed,
        second_look=[k for k in keys if k in look],
        show_names=form.get("names") == "yes",
    )
    return redirect(f"/w/{workshop.id}/look-again?saved=shown")


# -- the participant's view ----------------------------------------------------------------------


@router.get("/w/{workshop_id}/room/status")
def room_news(request: Request, workshop_id: str) -> Response:
    """The notice on a participant's pages that the room's answers are on show (polled; 304 while unchanged).
    Reads only the workshop's own row and the participant's sign-in."""
    workshop, person = _current(request, workshop_id)
    news = room_status(request, workshop, person)
    unchanged = not_modified(request, news["etag"])
    if unchanged is not None:
        return unchanged
    response = render(request, "_room_status.html", {"workshop": workshop, "room": news})
    response.headers["etag"] = news["etag"]
    return response


def _room_page(
    request: Request,
    workshop_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    workshop, person = _current(request, workshop_id)
    analysis = _analysis(request, workshop)
    submitted = person.submitted_at is not None
    table = person.attributes.get("table")
    report = analysis.report(analysis.collation("table" if table else None))
    answers = state(request).store.answers(person)
    if values is None:
        values = {}
        for key in workshop.second_look:
            answer = answers.get(key)
            values[key] = "" if answer is None else (answer.level or NOT_SURE)
    return render(
        request,
        "room.html",
        {
            "page_title": f"The room’s answers – {workshop.title}",
            "workshop": workshop,
            "person": person,
            "instrument": analysis.instrument,
            "report": report,
            "table": table,
            "shown": _spreads(report),
            "min_group": MIN_GROUP_SIZE,
            # Only once the participant has submitted: the room's spread must not sway a first answer.
            "revealed": [d for d in report.domains if d.domain.key in workshop.revealed] if submitted else [],
            "submitted": submitted,
            "answers": answers,
            "values": values,
            "errors": errors or {},
            "notice": notice,
            "prompts": PROMPTS,
            "not_sure": NOT_SURE,
        },
        status_code=status_code,
    )


@router.get("/w/{workshop_id}/room")
def room_page(request: Request, workshop_id: str, saved: str = "") -> Response:
    notice = "Your second look is saved. Thank you." if saved else ""
    return _room_page(request, workshop_id, notice=notice)


@router.post("/w/{workshop_id}/room")
def save_second_look(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    """A participant's second look at every domain open for one: each answer kept or changed."""
    workshop, person = _current(request, workshop_id)
    instrument = _instrument(request, workshop)
    values = {key: form.get(f"look-{key}") for key in workshop.second_look}
    errors: dict[str, str] = {}
    for key, value in values.items():
        if value and value != NOT_SURE and value not in instrument.level_keys:
            errors[f"look-{key}"] = f"Select one of the levels for {instrument.domain(key).title}, or ‘Not sure’"
    if person.submitted_at is None:
        errors["main-content"] = "Submit your answers first: the second look comes after the first."
    elif not workshop.second_look:
        errors["main-content"] = "The second look has ended: your answers were not changed."
    if errors:
        ok = workshop.second_look and person.submitted_at is not None
        return _room_page(request, workshop_id, values=values, errors=errors, status_code=400 if ok else 409)
    looks = {key: (None if value == NOT_SURE else value) for key, value in values.items() if value}
    try:
        state(request).store.look_again(person, looks)
    except ClosedError as exc:
        return _room_page(request, workshop_id, values=values, errors={"main-content": str(exc)}, status_code=409)
    return redirect(f"/w/{workshop.id}/room?saved=1")
