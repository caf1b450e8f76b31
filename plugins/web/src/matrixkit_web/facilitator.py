"""The facilitator's pages: create a workshop, watch the live dashboard, pool tables, record decisions, close,
download exports, compare with an earlier round.

Creating a workshop gives a secret facilitator link (``/facilitate/<token>``). Opening it stores the token in an
HttpOnly cookie named for the workshop (``mk_f_<id>``) and moves to a URL without the token, so the token does
not linger in the address bar or history. Every facilitator page checks the cookie's token against the hash of
the workshop in the URL: one workshop's link never opens another's pages.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from matrixkit.errors import MatrixkitError
from matrixkit.exporting import KINDS
from matrixkit.exporting import render_as as render_export
from matrixkit.model import Instrument
from matrixkit_web.analysis import Analysis
from matrixkit_web.pages import FACILITATOR_COOKIE, Form, form_data, redirect, render, set_cookie, state
from matrixkit_web.security import format_join_code
from matrixkit_web.service import LIMITS, Problems, check_workshop, split_lines
from matrixkit_web.store import ConflictError, Decision, Workshop

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: The splits offered on the dashboard: attribute → tab label.
VIEWS = {"": "Everyone", "table": "By table", "sector": "By sector"}


def facilitator_cookie(workshop_id: str) -> str:
    return f"{FACILITATOR_COOKIE}_{workshop_id}"


def _facilitated(request: Request, workshop_id: str) -> Workshop:
    store = state(request).store
    workshop = store.workshop(workshop_id) if len(workshop_id) <= 32 else None
    if workshop is None:
        raise HTTPException(404, "There is no such workshop.")
    token = request.cookies.get(facilitator_cookie(workshop.id))
    if not token:
        raise HTTPException(401, "Open the secret facilitator link you were given when the workshop was created.")
    if len(token) > 100 or not store.facilitator_token_matches(workshop.id, token):
        raise HTTPException(403, "This browser's facilitator link is not this workshop's. Open the right link.")
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
    response = redirect(f"/w/{workshop.id}/links")
    set_cookie(request, response, facilitator_cookie(workshop.id), token)
    return response


@router.get("/facilitate/{token}")
def facilitate(request: Request, token: str) -> Response:
    workshop = state(request).store.workshop_by_facilitator_token(token) if len(token) <= 100 else None
    if workshop is None:
        raise HTTPException(404, "This facilitator link is not valid. Check that you copied all of it.")
    response = redirect(f"/w/{workshop.id}/dashboard")
    set_cookie(request, response, facilitator_cookie(workshop.id), token)
    return response


@router.get("/w/{workshop_id}/links")
def links_page(request: Request, workshop_id: str) -> Response:
    workshop = _facilitated(request, workshop_id)
    base = str(request.base_url).rstrip("/")
    token = request.cookies.get(facilitator_cookie(workshop.id), "")
    return render(
        request,
        "links.html",
        {
            "page_title": f"Links for {workshop.title}",
            "workshop": workshop,
            "facilitator_link": f"{base}/facilitate/{token}",
            "join_link": f"{base}/join?code={workshop.join_code}",
            "join_code": format_join_code(workshop.join_code),
        },
    )


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
