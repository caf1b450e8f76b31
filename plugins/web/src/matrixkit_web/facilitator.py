"""The facilitator's pages: create a workshop, watch the live dashboard, pool tables, record decisions, close,
download exports, compare with an earlier round.

Creating a workshop signs the browser session in as its facilitator and shows the secret facilitator link
(``/facilitate/<token>``) once. Opening that link in another browser exchanges it for that browser's session and
moves to an address without the token, so the token does not linger in the address bar, history or logs; a
browser already signed in to something else is asked to confirm first (never switched on a GET). A lost link can
be replaced (the old one stops working). Every facilitator page checks, in the database, that the session may
facilitate the workshop in the URL: one workshop's link never opens another's pages.

When the server has an admin token, creating a workshop asks for it. A facilitator can delete a participant or
the whole workshop (after a confirmation page) and download everything stored about the workshop as JSON.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from matrixkit.errors import MatrixkitError
from matrixkit.exporting import KINDS
from matrixkit.exporting import render_as as render_export
from matrixkit.model import Instrument
from matrixkit_web.analysis import Analysis
from matrixkit_web.pages import (
    Form,
    admin_token_problem,
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
from matrixkit_web.security import format_join_code
from matrixkit_web.service import LIMITS, Problems, check_workshop, split_lines
from matrixkit_web.store import ConflictError, Decision, Workshop

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: The splits offered on the dashboard: attribute → tab label.
VIEWS = {"": "Everyone", "table": "By table", "sector": "By sector"}


def _facilitated(request: Request, workshop_id: str) -> Workshop:
    store = state(request).store
    workshop, allowed = (
        store.facilitator_view(session_token(request), workshop_id) if len(workshop_id) <= 32 else (None, False)
    )
    if workshop is None:
        raise HTTPException(404, "There is no such workshop.")
    if not allowed:
        raise HTTPException(401, "Open the secret facilitator link you were given when the workshop was created.")
    return workshop


def _analysis(request: Request, workshop: Workshop) -> Analysis:
    try:
        return Analysis(state(request).store, state(request).registry, workshop)
    except MatrixkitError as exc:
        raise HTTPException(409, f"The instrument of this workshop cannot be loaded: {exc}") from None


def _by(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", value):
        raise HTTPException(400, "Split by an attribute name such as 'sector' or 'table'.")
    return value


# -- creating ------------------------------------------------------------------------------------


def _instruments(request: Request) -> list[Instrument]:
    return [inst for inst, _entry in state(request).registry.instruments.load_all()]


def _new_form(request: Request, values: dict[str, str], errors: dict[str, str], status_code: int = 200) -> Response:
    registry = state(request).registry
    values = {k: v for k, v in values.items() if k != "admin_token"}  # never written back into a page
    return render(
        request,
        "new.html",
        {
            "page_title": "Create a workshop",
            "instruments": _instruments(request),
            "rules": [(name, named.obj.description) for name, named in sorted(registry.rules.items())],
            "values": values,
            "errors": errors,
            "limits": LIMITS,
            "needs_admin_token": state(request).settings.admin_token_hash is not None,
        },
        status_code=status_code,
    )


@router.get("/new")
def new_page(request: Request) -> Response:
    return _new_form(request, {"rule": "median"}, {})


@router.post("/new")
def create(request: Request, form: Annotated[Form, Depends(form_data)]) -> Response:
    values = {name: form.get(name) for name in ("instrument", "title", "date", "place", "sectors", "tables", "rule")}
    mk = state(request)
    address = client_address(request)
    problem = admin_token_problem(request, form.get("admin_token"))
    if problem is not None:
        message = (
            "Enter the admin token of this server" if problem == "missing" else "That is not this server's admin token"
        )
        return _new_form(request, values, {"admin_token": message}, status_code=403)
    mk.limits.check("create", address)
    try:
        checked = check_workshop(
            mk.registry,
            instrument=values["instrument"],
            title=values["title"],
            date=values["date"] or None,
            place=values["place"],
            sectors=split_lines(values["sectors"]),
            tables=split_lines(values["tables"]),
            rule=values["rule"] or None,
        )
    except Problems as exc:
        return _new_form(request, values, exc.problems, status_code=400)
    mk.limits.hit("create", address)
    instrument = checked.instrument
    workshop, token, session = mk.store.create_workshop(
        instrument=instrument.id,
        instrument_version=instrument.version,
        instrument_fingerprint=instrument.fingerprint,
        title=checked.title,
        rule=checked.rule,
        date=checked.date,
        place=checked.place,
        sectors=checked.sectors,
        tables=checked.tables,
        session_token=session_token(request) or "",
    )
    response = redirect(f"/w/{workshop.id}/links")
    assert session is not None
    set_session(request, response, session)
    reveal(request, response, token, f"/w/{workshop.id}/links")
    return response


def _facilitate_target(request: Request, token: str) -> Workshop:
    mk = state(request)
    mk.limits.check("failed", client_address(request))
    workshop = mk.store.workshop_by_facilitator_token(token) if len(token) <= 100 else None
    if workshop is None:
        mk.limits.hit("failed", client_address(request))
        raise HTTPException(
            404,
            "This facilitator link is not valid (a newer one may have replaced it). Check that you copied all of it.",
        )
    return workshop


@router.get("/facilitate/{token}")
def facilitate(request: Request, token: str) -> Response:
    """The secret facilitator link: signs this browser in as the workshop's facilitator and moves to an address
    without the token. A browser signed in to anything else is asked to confirm first."""
    workshop = _facilitate_target(request, token)
    mk = state(request)
    current = session_token(request)
    roles = mk.store.roles(current)
    if any(r.role == "facilitator" and r.workshop_id == workshop.id for r in roles):
        return redirect(f"/w/{workshop.id}/dashboard")
    if roles:
        return render(
            request,
            "confirm_switch.html",
            {
                "page_title": "Open another workshop?",
                "action": "/facilitate",
                "token": token,
                "signed_in_as": describe_roles(request, roles),
                "becoming": f"the facilitator of {workshop.title}",
            },
        )
    response = redirect(f"/w/{workshop.id}/dashboard")
    set_session(request, response, mk.store.grant(current, workshop.id, "facilitator"))
    return response


@router.post("/facilitate")
def facilitate_confirmed(request: Request, form: Annotated[Form, Depends(form_data)]) -> Response:
    """The confirmation of a facilitator link opened while signed in to something else."""
    workshop = _facilitate_target(request, form.get("token"))
    response = redirect(f"/w/{workshop.id}/dashboard")
    set_session(request, response, state(request).store.grant(session_token(request), workshop.id, "facilitator"))
    return response


@router.get("/w/{workshop_id}/links")
def links_page(request: Request, workshop_id: str) -> Response:
    workshop = _facilitated(request, workshop_id)
    token = revealed(request)
    return render(
        request,
        "links.html",
        {
            "page_title": f"Links for {workshop.title}",
            "workshop": workshop,
            "facilitator_link": public_url(request, f"/facilitate/{token}") if token else None,
            "join_link": public_url(request, f"/join?code={workshop.join_code}"),
            "join_code": format_join_code(workshop.join_code),
        },
    )


@router.post("/w/{workshop_id}/links")
def new_facilitator_link(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    """Replace the facilitator link (the old link and API token stop working) and show the new one once."""
    workshop = _facilitated(request, workshop_id)
    token = state(request).store.new_facilitator_token(workshop.id)
    response = redirect(f"/w/{workshop.id}/links#facilitator-link")
    reveal(request, response, token, f"/w/{workshop.id}/links")
    return response


# -- dashboard -----------------------------------------------------------------------------------


def _dashboard_context(request: Request, workshop: Workshop, by: str | None) -> dict[str, Any]:
    analysis = _analysis(request, workshop)
    report = analysis.report(analysis.collation(by))
    people = state(request).store.participants(workshop.id)
    return {
        "workshop": workshop,
        "instrument": analysis.instrument,
        "report": report,
        "by": by or "",
        "views": VIEWS,
        "people": people,
        "submitted": sum(1 for p in people if p.submitted_at is not None),
        "refresh": state(request).settings.refresh_seconds,
        "join_code": format_join_code(workshop.join_code),
    }


@router.get("/w/{workshop_id}/dashboard")
def dashboard(request: Request, workshop_id: str, by: str = "") -> Response:
    workshop = _facilitated(request, workshop_id)
    context = _dashboard_context(request, workshop, _by(by))
    context["page_title"] = f"Dashboard – {workshop.title}"
    return render(request, "dashboard.html", context)


@router.get("/w/{workshop_id}/dashboard/live")
def dashboard_live(request: Request, workshop_id: str, by: str = "") -> Response:
    """The live part of the dashboard, for htmx to swap in every few seconds."""
    workshop = _facilitated(request, workshop_id)
    return render(request, "_live.html", _dashboard_context(request, workshop, _by(by)))


@router.get("/w/{workshop_id}/pool")
def pool_page(request: Request, workshop_id: str) -> Response:
    """Tables collated one by one, then pooled (counts added) for the plenary: the toolkit's pooling step."""
    workshop = _facilitated(request, workshop_id)
    analysis = _analysis(request, workshop)
    tables = list(workshop.tables) or sorted(
        {p.attributes["table"] for p in state(request).store.participants(workshop.id) if "table" in p.attributes}
    )
    chosen = [t for t in request.query_params.getlist("table") if t in tables]
    per_table = {name: analysis.report(analysis.collation(None, where={"table": [name]})) for name in chosen}
    pooled = analysis.report(analysis.pooled("table", chosen), title="Pooled tables") if chosen else None
    return render(
        request,
        "pool.html",
        {
            "page_title": f"Pool tables – {workshop.title}",
            "workshop": workshop,
            "instrument": analysis.instrument,
            "tables": tables,
            "chosen": chosen,
            "per_table": per_table,
            "report": pooled,
        },
    )


# -- decisions -----------------------------------------------------------------------------------


@router.get("/w/{workshop_id}/decisions")
def decisions_page(request: Request, workshop_id: str) -> Response:
    workshop = _facilitated(request, workshop_id)
    analysis = _analysis(request, workshop)
    store = state(request).store
    actions = store.actions(workshop.id)
    return render(
        request,
        "decisions.html",
        {
            "page_title": f"Decisions – {workshop.title}",
            "workshop": workshop,
            "instrument": analysis.instrument,
            "report": analysis.report(analysis.collation(None)),
            "decisions": store.decisions(workshop.id),
            "action_counts": {
                key: sum(1 for a in actions if a.domain == key) for key in analysis.instrument.domain_keys
            },
        },
    )


def _decision_page(
    request: Request,
    workshop: Workshop,
    domain: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    action_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    analysis = _analysis(request, workshop)
    instrument = analysis.instrument
    if domain not in instrument.domain_keys:
        raise HTTPException(404, "There is no such domain in this matrix.")
    store = state(request).store
    decision = store.decisions(workshop.id).get(domain, Decision(domain))
    if values is None:
        values = {
            "agreed": decision.agreed_level or "",
            "target": decision.target_level or "",
            "priority": str(decision.priority) if decision.priority is not None else "",
            "priorities": decision.priorities or "",
            "notes": decision.notes or "",
        }
    report = analysis.report(analysis.collation("table" if workshop.tables else None))
    return render(
        request,
        "decide.html",
        {
            "page_title": f"Decisions on {instrument.domain(domain).title} – {workshop.title}",
            "workshop": workshop,
            "instrument": instrument,
            "domain": instrument.domain(domain),
            "result": report.domain(domain),
            "report": report,
            "values": values,
            "action_values": action_values or {},
            "errors": errors or {},
            "actions": [a for a in store.actions(workshop.id) if a.domain == domain],
            "limits": LIMITS,
        },
        status_code=status_code,
    )


@router.get("/w/{workshop_id}/decisions/{domain}")
def decision_page(request: Request, workshop_id: str, domain: str) -> Response:
    workshop = _facilitated(request, workshop_id)
    return _decision_page(request, workshop, domain)


@router.post("/w/{workshop_id}/decisions/{domain}")
def save_decision(
    request: Request, workshop_id: str, domain: str, form: Annotated[Form, Depends(form_data)]
) -> Response:
    workshop = _facilitated(request, workshop_id)
    instrument = _analysis(request, workshop).instrument
    if domain not in instrument.domain_keys:
        raise HTTPException(404, "There is no such domain in this matrix.")
    values = {name: form.get(name) for name in ("agreed", "target", "priority", "priorities", "notes")}
    errors: dict[str, str] = {}
    for name, label in (("agreed", "agreed level"), ("target", "target level")):
        if values[name] and values[name] not in instrument.level_keys:
            errors[name] = f"Select one of the levels as the {label}"
    priority: int | None = None
    if values["priority"]:
        if not values["priority"].isdigit() or not 1 <= int(values["priority"]) <= 999:
            errors["priority"] = "The priority must be a whole number from 1 (first priority) upwards"
        else:
            priority = int(values["priority"])
    for name, label in (("priorities", "Proposed priorities"), ("notes", "Notes")):
        if len(values[name]) > LIMITS["notes"]:
            errors[name] = f"{label} must be {LIMITS['notes']} characters or fewer"
    if not errors:
        decision = Decision(
            domain,
            agreed_level=values["agreed"] or None,
            target_level=values["target"] or None,
            priority=priority,
            priorities=values["priorities"] or None,
            notes=values["notes"] or None,
        )
        try:
            state(request).store.set_decision(workshop.id, decision)
        except ConflictError as exc:
            errors["priority"] = str(exc)
    if errors:
        return _decision_page(request, workshop, domain, values=values, errors=errors, status_code=400)
    return redirect(f"/w/{workshop.id}/decisions#domain-{domain}")


@router.post("/w/{workshop_id}/decisions/{domain}/actions")
def add_action(request: Request, workshop_id: str, domain: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    workshop = _facilitated(request, workshop_id)
    instrument = _analysis(request, workshop).instrument
    if domain not in instrument.domain_keys:
        raise HTTPException(404, "There is no such domain in this matrix.")
    values = {name: form.get(name) for name in ("what", "who", "when", "measure")}
    errors: dict[str, str] = {}
    if not values["what"]:
        errors["what"] = "Say what will be done"
    limits = {
        "what": ("What", "action"),
        "who": ("Who", "who"),
        "when": ("By when", "when"),
        "measure": ("How", "action"),
    }
    for name, (label, limit) in limits.items():
        if len(values[name]) > LIMITS[limit]:
            errors[name] = f"{label} must be {LIMITS[limit]} characters or fewer"
    if errors:
        return _decision_page(request, workshop, domain, action_values=values, errors=errors, status_code=400)
    state(request).store.add_action(
        workshop.id,
        domain,
        what=values["what"],
        who=values["who"] or None,
        by_when=values["when"] or None,
        measure=values["measure"] or None,
    )
    return redirect(f"/w/{workshop.id}/decisions/{domain}#actions")


@router.post("/w/{workshop_id}/actions/{action_id}/delete")
def delete_action(
    request: Request, workshop_id: str, action_id: int, form: Annotated[Form, Depends(form_data)]
) -> Response:
    workshop = _facilitated(request, workshop_id)
    domain = form.get("domain")
    if not state(request).store.delete_action(workshop.id, action_id):
        raise HTTPException(404, "There is no such action in this workshop.")
    if domain and re.fullmatch(r"[a-z0-9-]{1,100}", domain):
        return redirect(f"/w/{workshop.id}/decisions/{domain}#actions")
    return redirect(f"/w/{workshop.id}/decisions")


# -- closing -------------------------------------------------------------------------------------


@router.get("/w/{workshop_id}/close")
def close_page(request: Request, workshop_id: str) -> Response:
    workshop = _facilitated(request, workshop_id)
    people = state(request).store.participants(workshop.id)
    return render(
        request,
        "close.html",
        {
            "page_title": f"Close {workshop.title}",
            "workshop": workshop,
            "in_progress": sum(1 for p in people if p.submitted_at is None),
            "retention_days": state(request).settings.retention_days,
        },
    )


@router.post("/w/{workshop_id}/close")
def close(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    workshop = _facilitated(request, workshop_id)
    state(request).store.set_status(workshop.id, "closed" if form.get("action") != "reopen" else "open")
    return redirect(f"/w/{workshop.id}/dashboard")


# -- exports -------------------------------------------------------------------------------------


@router.get("/w/{workshop_id}/downloads")
def downloads_page(request: Request, workshop_id: str) -> Response:
    workshop = _facilitated(request, workshop_id)
    registry = state(request).registry
    formats = []
    for name, named in sorted(registry.exporters.items()):
        exporter = named.obj
        kinds = [k for k in ("report", "collation") if k in exporter.kinds]
        if not kinds:
            continue
        formats.append(
            {
                "name": name,
                "description": exporter.description,
                "extension": exporter.extension,
                "kinds": kinds,
                "unavailable": exporter.availability(),
            }
        )
    return render(
        request,
        "downloads.html",
        {"page_title": f"Download – {workshop.title}", "workshop": workshop, "formats": formats, "views": VIEWS},
    )


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug[:60] or "workshop"


@router.get("/w/{workshop_id}/download/{name}")
def download(request: Request, workshop_id: str, name: str, kind: str = "report", by: str = "") -> Response:
    workshop = _facilitated(request, workshop_id)
    registry = state(request).registry
    if name not in registry.exporters:
        raise HTTPException(404, f"There is no format {name!r} installed.")
    if kind not in KINDS or kind not in ("report", "collation"):
        raise HTTPException(400, "Choose a workshop report or a collation sheet.")
    exporter = registry.exporter(name)
    analysis = _analysis(request, workshop)
    split = _by(by)
    subject: object
    if kind == "report":
        subject = analysis.workshop_report(split)
    else:
        subject = analysis.report(analysis.collation(split), title=workshop.title)
    try:
        data = render_export(exporter, kind, subject)
    except MatrixkitError as exc:
        raise HTTPException(409, str(exc)) from None
    filename = f"{_slug(workshop.title)}-{kind}{'-by-' + split if split else ''}{exporter.extension}"
    return Response(
        data,
        media_type=exporter.media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"', "cache-control": "no-store"},
    )


# -- rounds --------------------------------------------------------------------------------------


@router.get("/w/{workshop_id}/compare")
def compare_page(request: Request, workshop_id: str) -> Response:
    workshop = _facilitated(request, workshop_id)
    return _compare(request, workshop, {}, 200)


def _compare(request: Request, workshop: Workshop, errors: dict[str, str], status_code: int) -> Response:
    store = state(request).store
    comparison = None
    earlier = store.workshop(workshop.previous_id) if workshop.previous_id else None
    if earlier is not None:
        comparison = _analysis(request, workshop).comparison(_analysis(request, earlier))
    return render(
        request,
        "compare.html",
        {
            "page_title": f"Compare rounds – {workshop.title}",
            "workshop": workshop,
            "earlier": earlier,
            "comparison": comparison,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.post("/w/{workshop_id}/compare")
def link_earlier(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    workshop = _facilitated(request, workshop_id)
    store = state(request).store
    if form.get("action") == "unlink":
        store.link_previous(workshop.id, None)
        return redirect(f"/w/{workshop.id}/compare")
    link = form.get("earlier")
    token = link.rstrip("/").rsplit("/", 1)[-1] if link else ""
    earlier = store.workshop_by_facilitator_token(token) if token and len(token) <= 100 else None
    errors: dict[str, str] = {}
    if not link:
        errors["earlier"] = "Paste the facilitator link of the earlier workshop"
    elif earlier is None:
        errors["earlier"] = "That is not a facilitator link of any workshop here. Check that you copied all of it"
    elif earlier.id == workshop.id:
        errors["earlier"] = "That is this workshop's own link. Paste the link of the earlier workshop"
    elif earlier.instrument != workshop.instrument:
        errors["earlier"] = (
            f"The earlier workshop used {earlier.instrument}, this one {workshop.instrument}: rounds must use the "
            "same instrument"
        )
    if errors:
        return _compare(request, workshop, errors, 400)
    assert earlier is not None
    try:
        store.link_previous(workshop.id, earlier.id)
    except ConflictError as exc:  # pragma: no cover - excluded above
        return _compare(request, workshop, {"earlier": str(exc)}, 400)
    return redirect(f"/w/{workshop.id}/compare")


# -- data protection -----------------------------------------------------------------------------


@router.get("/w/{workshop_id}/participants/{participant_id}/delete")
def delete_participant_page(request: Request, workshop_id: str, participant_id: int) -> Response:
    workshop = _facilitated(request, workshop_id)
    person = state(request).store.participant(workshop.id, participant_id)
    if person is None:
        raise HTTPException(404, "There is no such participant in this workshop.")
    return render(
        request,
        "delete_participant.html",
        {"page_title": f"Remove {person.display_name}", "workshop": workshop, "person": person},
    )


@router.post("/w/{workshop_id}/participants/{participant_id}/delete")
def delete_participant(
    request: Request, workshop_id: str, participant_id: int, form: Annotated[Form, Depends(form_data)]
) -> Response:
    workshop = _facilitated(request, workshop_id)
    if state(request).store.delete_participant_by_id(workshop.id, participant_id) is None:
        raise HTTPException(404, "There is no such participant in this workshop.")
    return redirect(f"/w/{workshop.id}/dashboard#people")


@router.get("/w/{workshop_id}/delete")
def delete_workshop_page(request: Request, workshop_id: str) -> Response:
    workshop = _facilitated(request, workshop_id)
    people = state(request).store.participants(workshop.id)
    return render(
        request,
        "delete_workshop.html",
        {"page_title": f"Delete {workshop.title}", "workshop": workshop, "people": len(people)},
    )


@router.post("/w/{workshop_id}/delete")
def delete_workshop(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    workshop = _facilitated(request, workshop_id)
    state(request).store.delete_workshop(workshop.id)
    return render(request, "deleted.html", {"page_title": "Workshop deleted", "title": workshop.title}, status_code=200)


@router.get("/w/{workshop_id}/export")
def export(request: Request, workshop_id: str) -> Response:
    """Everything stored about the workshop, as a JSON download (the API's ``/export``)."""
    workshop = _facilitated(request, workshop_id)
    data = state(request).store.export(workshop.id)
    if data is None:  # pragma: no cover - deleted meanwhile
        raise HTTPException(404, "There is no such workshop.")
    return JSONResponse(
        data,
        headers={
            "content-disposition": f'attachment; filename="{_slug(workshop.title)}-all-data.json"',
            "cache-control": "no-store",
        },
    )
