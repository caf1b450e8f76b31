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
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from matrixkit.errors import MatrixkitError
from matrixkit.exporting import render_as as render_export
from matrixkit.model import Instrument
from matrixkit_web.analysis import Analysis
from matrixkit_web.pages import (
    Form,
    admin_token_problem,
    client_address,
    describe_roles,
    etag_for,
    form_data,
    not_modified,
    public_url,
    redirect,
    render,
    reveal,
    revealed,
    session_token,
    set_session,
    state,
)
from matrixkit_web.qr import qr_svg
from matrixkit_web.security import format_join_code
from matrixkit_web.service import LIMITS, Problems, check_workshop, split_lines
from matrixkit_web.store import Action, ActionRow, ConflictError, Decision, NotFoundError, Workshop

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
    response = redirect(f"/w/{workshop.id}/facilitator-link")
    assert session is not None
    set_session(request, response, session)
    reveal(request, response, token, f"/w/{workshop.id}/facilitator-link")
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


def join_address(request: Request) -> str:
    """The join page's address as people type it (without ``http://``)."""
    parts = urlsplit(public_url(request, "/join"))
    return f"{parts.netloc}{parts.path}"


@router.get("/w/{workshop_id}/links")
def links_page(request: Request, workshop_id: str, code: str = "") -> Response:
    """The join code, the join link and its QR code: what participants need, and nothing secret (this page may
    be projected or shared; the facilitator link has a page of its own)."""
    workshop = _facilitated(request, workshop_id)
    join_link = public_url(request, f"/join?code={workshop.join_code}")
    join_code = format_join_code(workshop.join_code)
    return render(
        request,
        "links.html",
        {
            "page_title": f"Join code – {workshop.title}",
            "workshop": workshop,
            "join_link": join_link,
            "join_code": join_code,
            "join_address": join_address(request),
            "qr": qr_svg(join_link, f"QR code: opens the join page with the code {join_code} filled in"),
            "notice": "A new join code is made: the old one no longer works." if code == "new" else "",
        },
    )


@router.get("/w/{workshop_id}/facilitator-link")
def facilitator_link_page(request: Request, workshop_id: str) -> Response:
    """The secret facilitator link, shown once (after creating the workshop or making a new link), on a page of
    its own: never beside the join code."""
    workshop = _facilitated(request, workshop_id)
    token = revealed(request)
    return render(
        request,
        "facilitator_link.html",
        {
            "page_title": f"Your facilitator link – {workshop.title}",
            "workshop": workshop,
            "facilitator_link": public_url(request, f"/facilitate/{token}") if token else None,
        },
    )


@router.post("/w/{workshop_id}/facilitator-link")
def new_facilitator_link(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    """Replace the facilitator link (the old link and API token stop working) and show the new one once."""
    workshop = _facilitated(request, workshop_id)
    token = state(request).store.new_facilitator_token(workshop.id)
    response = redirect(f"/w/{workshop.id}/facilitator-link")
    reveal(request, response, token, f"/w/{workshop.id}/facilitator-link")
    return response


# -- dashboard -----------------------------------------------------------------------------------


def _dashboard_context(request: Request, workshop: Workshop, by: str | None, etag: str) -> dict[str, Any]:
    analysis = _analysis(request, workshop)
    report = analysis.report(analysis.collation(by))
    store = state(request).store
    people = store.participants(workshop.id)
    chosen = store.chosen_counts(workshop.id)
    submitted = [p for p in people if p.submitted_at is not None]
    return {
        "workshop": workshop,
        "instrument": analysis.instrument,
        "report": report,
        "by": by or "",
        "views": VIEWS,
        "joined": len(people),
        "submitted": len(submitted),
        "empty": sum(1 for p in submitted if not chosen.get(p.id)),
        "paper": sum(1 for p in people if p.on_paper),
        "shifts": analysis.shifts(),
        "refresh": state(request).settings.refresh_seconds,
        "join_code": format_join_code(workshop.join_code),
        "etag": etag,
    }


def _dashboard_etag(request: Request, workshop: Workshop, by: str | None) -> str:
    return etag_for(state(request).store.live_signature(workshop), "dashboard", by or "")


@router.get("/w/{workshop_id}/dashboard")
def dashboard(request: Request, workshop_id: str, by: str = "") -> Response:
    workshop = _facilitated(request, workshop_id)
    split = _by(by)
    context = _dashboard_context(request, workshop, split, _dashboard_etag(request, workshop, split))
    context["page_title"] = f"Dashboard – {workshop.title}"
    return render(request, "dashboard.html", context)


@router.get("/w/{workshop_id}/dashboard/live")
def dashboard_live(request: Request, workshop_id: str, by: str = "") -> Response:
    """The live part of the dashboard, for htmx to swap in every few seconds: a conditional request whose ETag
    still matches is answered 304 (nothing sent, nothing collated)."""
    workshop = _facilitated(request, workshop_id)
    split = _by(by)
    etag = _dashboard_etag(request, workshop, split)
    unchanged = not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    response = render(request, "_live.html", _dashboard_context(request, workshop, split, etag))
    response.headers["etag"] = etag
    return response


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


#: The fields of one action row of the decisions form (``action-<n>-<field>``).
ACTION_FIELDS = ("what", "who", "when", "measure")


def _action_rows_from_store(actions: list[Action]) -> list[dict[str, str]]:
    return [
        {
            "id": str(a.id),
            "what": a.what,
            "who": a.who or "",
            "when": a.by_when or "",
            "measure": a.measure or "",
            "remove": "",
        }
        for a in actions
    ]


def _blank_row() -> dict[str, str]:
    return {"id": "", "what": "", "who": "", "when": "", "measure": "", "remove": ""}


def _action_rows_from_form(form: Form) -> list[dict[str, str]]:
    """The action rows as typed (the form says how many it has; at most 100)."""
    count = form.get("actions")
    total = min(int(count), 100) if count.isdigit() else 0
    rows = []
    for n in range(1, total + 1):
        row = {name: form.get(f"action-{n}-{name}") for name in (*ACTION_FIELDS, "id")}
        row["remove"] = "yes" if form.get(f"action-{n}-remove") else ""
        rows.append(row)
    return rows


def _decision_page(
    request: Request,
    workshop: Workshop,
    domain: str,
    *,
    values: dict[str, str] | None = None,
    rows: list[dict[str, str]] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    analysis = _analysis(request, workshop)
    instrument = analysis.instrument
    if domain not in instrument.domain_keys:
        raise HTTPException(404, "There is no such domain in this matrix.")
    store = state(request).store
    if values is None:
        decision = store.decisions(workshop.id).get(domain, Decision(domain))
        values = {
            "agreed": decision.agreed_level or "",
            "target": decision.target_level or "",
            "priority": str(decision.priority) if decision.priority is not None else "",
            "priorities": decision.priorities or "",
            "notes": decision.notes or "",
        }
    if rows is None:
        rows = [*_action_rows_from_store([a for a in store.actions(workshop.id) if a.domain == domain]), _blank_row()]
    report = analysis.report(analysis.collation("table" if workshop.tables else None))
    keys = instrument.domain_keys
    position = keys.index(domain)
    shift = next((s for s in analysis.shifts() if s.domain.key == domain), None)
    return render(
        request,
        "decide.html",
        {
            "page_title": f"Decisions on {instrument.domain(domain).title} – {workshop.title}",
            "workshop": workshop,
            "instrument": instrument,
            "domain": instrument.domain(domain),
            "number": position + 1,
            "previous": keys[position - 1] if position > 0 else None,
            "next": keys[position + 1] if position + 1 < len(keys) else None,
            "result": report.domain(domain),
            "report": report,
            "shift": shift,
            "values": values,
            "rows": rows,
            "errors": errors or {},
            "notice": notice,
            "limits": LIMITS,
        },
        status_code=status_code,
    )


@router.get("/w/{workshop_id}/decisions/{domain}")
def decision_page(request: Request, workshop_id: str, domain: str, saved: str = "") -> Response:
    workshop = _facilitated(request, workshop_id)
    notice = "Saved." if saved else ""
    return _decision_page(request, workshop, domain, notice=notice)


@router.post("/w/{workshop_id}/decisions/{domain}")
def save_decision(
    request: Request, workshop_id: str, domain: str, form: Annotated[Form, Depends(form_data)]
) -> Response:
    """One form for everything decided about a domain: the levels, priority, notes and the action rows. "Add
    another action" shows the form again with one more row and everything typed kept (nothing is saved yet);
    "Save" and "Save and go to the next domain" save it all in one transaction, or nothing."""
    workshop = _facilitated(request, workshop_id)
    instrument = _analysis(request, workshop).instrument
    if domain not in instrument.domain_keys:
        raise HTTPException(404, "There is no such domain in this matrix.")
    values = {name: form.get(name) for name in ("agreed", "target", "priority", "priorities", "notes")}
    rows = _action_rows_from_form(form)
    op = form.get("op") or "save"
    if op == "add":
        return _decision_page(
            request,
            workshop,
            domain,
            values=values,
            rows=[*rows, _blank_row()],
            notice="A new action row is added below. Nothing is saved until you press Save.",
        )
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
    actions: list[ActionRow] = []
    limits = {
        "what": ("What", "action"),
        "who": ("Who", "who"),
        "when": ("By when", "when"),
        "measure": ("How", "action"),
    }
    for n, row in enumerate(rows, 1):
        if row["remove"] or not any(row[name] for name in ACTION_FIELDS):
            continue  # removed, or a blank row
        if not row["what"]:
            errors[f"action-{n}-what"] = f"Say what will be done (action {n}), or tick “Remove this action”"
        for name, (label, limit) in limits.items():
            if len(row[name]) > LIMITS[limit]:
                errors[f"action-{n}-{name}"] = f"{label} (action {n}) must be {LIMITS[limit]} characters or fewer"
        action_id = int(row["id"]) if row["id"].isdigit() else None
        actions.append(
            ActionRow(row["what"], row["who"] or None, row["when"] or None, row["measure"] or None, id=action_id)
        )
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
            state(request).store.save_decisions(workshop.id, decision, actions)
        except ConflictError as exc:
            errors["priority"] = str(exc)
        except NotFoundError as exc:
            errors["actions"] = str(exc)
    if errors:
        return _decision_page(request, workshop, domain, values=values, rows=rows, errors=errors, status_code=400)
    keys = instrument.domain_keys
    position = keys.index(domain)
    if op == "next":
        if position + 1 < len(keys):
            return redirect(f"/w/{workshop.id}/decisions/{keys[position + 1]}")
        return redirect(f"/w/{workshop.id}/decisions#domain-{domain}")
    return redirect(f"/w/{workshop.id}/decisions/{domain}?saved=1")


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


#: How the formats are called where people choose one; others are shown by their exporter's name.
FORMAT_NAMES = {
    "pdf": "PDF",
    "docx": "Word",
    "xlsx": "Excel",
    "odt": "OpenDocument text",
    "ods": "OpenDocument spreadsheet",
    "html": "Web page (HTML)",
    "md": "Markdown",
    "csv": "CSV",
    "json": "JSON",
    "toml": "TOML",
    "text": "Plain text",
    "svg": "Charts (SVG)",
    "png": "Charts (PNG)",
}
#: The formats "Download the report" offers (documents people hand out and edit), in this order; every other
#: installed format is under "All downloads".
PREFERRED = ("pdf", "docx", "xlsx", "odt", "html", "md")
#: What can be downloaded: kind in the URL → (the exporter kind, what it is called).
DOWNLOADS = {
    "report": ("report", "workshop report"),
    "summary": ("summary", "one-page summary"),
    "collation": ("collation", "collation sheet"),
    "sheet": ("sheet", "blank answer sheet"),
    "collation-sheet": ("collation-sheet", "blank collation sheet"),
    "looks": ("comparison", "first look → second look"),
    "rounds": ("comparison", "comparison with the earlier round"),
}


def _formats(request: Request, kind: str) -> list[dict[str, Any]]:
    """The installed formats that render ``kind``, the preferred ones first; unavailable ones say why."""
    registry = state(request).registry
    found = []
    for name, named in registry.exporters.items():
        exporter = named.obj
        if kind not in exporter.kinds:
            continue
        found.append(
            {
                "name": name,
                "label": FORMAT_NAMES.get(name, name.upper()),
                "description": exporter.description,
                "extension": exporter.extension,
                "unavailable": exporter.availability(),
            }
        )
    rank = {name: i for i, name in enumerate(PREFERRED)}
    return sorted(found, key=lambda f: (rank.get(f["name"], len(rank)), f["label"].casefold()))


@router.get("/w/{workshop_id}/downloads")
def downloads_page(request: Request, workshop_id: str) -> Response:
    workshop = _facilitated(request, workshop_id)
    analysis = _analysis(request, workshop)
    report_formats = _formats(request, "report")
    documents = [f for f in report_formats if f["name"] in PREFERRED] or report_formats
    available = [f["name"] for f in documents if not f["unavailable"]]
    earlier = state(request).store.workshop(workshop.previous_id) if workshop.previous_id else None
    return render(
        request,
        "downloads.html",
        {
            "page_title": f"Download – {workshop.title}",
            "workshop": workshop,
            "views": VIEWS,
            "report_formats": report_formats,
            "documents": documents,
            "chosen": available[0] if available else "",
            "collation_formats": _formats(request, "collation"),
            "summary_formats": _formats(request, "summary"),
            "sheet_formats": _formats(request, "sheet"),
            "collation_sheet_formats": _formats(request, "collation-sheet"),
            "comparison_formats": _formats(request, "comparison"),
            "looked_again": analysis.looked_again(),
            "earlier": earlier,
        },
    )


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug[:60] or "workshop"


@router.get("/w/{workshop_id}/download")
def download_report(request: Request, workshop_id: str, format: str = "", by: str = "") -> Response:
    """ "Download the report": the workshop report in the format chosen on the downloads page."""
    if not format:
        _facilitated(request, workshop_id)  # who may not facilitate learns nothing more
        raise HTTPException(400, "Choose a format for the report.")
    return download(request, workshop_id, format, kind="report", by=by)


@router.get("/w/{workshop_id}/download/{name}")
def download(request: Request, workshop_id: str, name: str, kind: str = "report", by: str = "") -> Response:
    workshop = _facilitated(request, workshop_id)
    registry = state(request).registry
    if name not in registry.exporters:
        raise HTTPException(404, f"There is no format {name!r} installed.")
    if kind not in DOWNLOADS:
        raise HTTPException(400, f"Choose one of: {', '.join(label for _kind, label in DOWNLOADS.values())}.")
    exporter = registry.exporter(name)
    exporter_kind, label = DOWNLOADS[kind]
    if exporter_kind not in exporter.kinds:
        raise HTTPException(400, f"The format {name!r} cannot write a {label}.")
    unavailable = exporter.availability()
    if unavailable:
        raise HTTPException(409, f"The format {name!r} is unavailable on this server: {unavailable}")
    analysis = _analysis(request, workshop)
    split = _by(by)
    subject: object
    if kind in ("report", "summary"):
        subject = analysis.workshop_report(split)
    elif kind == "collation":
        subject = analysis.report(analysis.collation(split), title=workshop.title)
    elif kind in ("sheet", "collation-sheet"):
        subject = analysis.instrument.without_guidance()
    elif kind == "looks":
        if not analysis.looked_again():
            raise HTTPException(409, "No one has taken a second look yet.")
        subject = analysis.look_comparison(split)
    else:
        earlier = state(request).store.workshop(workshop.previous_id) if workshop.previous_id else None
        if earlier is None:
            raise HTTPException(409, "This workshop is not compared with an earlier round.")
        subject = analysis.comparison(_analysis(request, earlier))
    try:
        data = render_export(exporter, exporter_kind, subject)
    except MatrixkitError as exc:
        raise HTTPException(409, str(exc)) from None
    blank = kind in ("sheet", "collation-sheet")
    stem = _slug(analysis.instrument.title) if blank else _slug(workshop.title)
    filename = f"{stem}-{kind}{'-by-' + split if split and not blank else ''}{exporter.extension}"
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
    return redirect(f"/w/{workshop.id}/participants")


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
