"""Managing the day: the participants list, removing and merging people, paper sheets, the join code, and the
workshop's tables and sectors.

* **Participants** (``/w/{id}/participants``): everyone who joined, with their sector, table, how their answers
  arrived (browser, API or paper) and their status ("submitted, no answers" when they submitted without choosing
  a level); remove one (their answers go), or merge a duplicate into the person kept.
* **Paper sheets** (``/w/{id}/paper``): a sheet typed into a form, or a file of sheets (CSV or a spreadsheet)
  uploaded and read by :func:`matrixkit.services.read_responses` — the readers of ``matrixkit collate``, with
  the same located messages. They are entered as submitted participants marked "paper" in every list.
* **Join code and set-up** (``/w/{id}/setup``): a new join code (the old one stops working; people who joined
  carry on), and the tables and sectors: rename them (participants who chose one follow) or add more.

Every form carries a CSRF token; every page checks, in the database, that the browser facilitates the workshop
in its address.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import attrs
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from matrixkit.errors import MatrixkitError, Problem, ValidationError
from matrixkit.io.mapping import read_mapping
from matrixkit.io.options import ReadOptions
from matrixkit.model import Instrument
from matrixkit.responses import Response as CoreResponse
from matrixkit.services import read_responses
from matrixkit_web.facilitator import _analysis, _facilitated
from matrixkit_web.pages import (
    Form,
    check_upload,
    form_data,
    redirect,
    render,
    state,
    upload_form,
)
from matrixkit_web.participant import NOT_SURE
from matrixkit_web.service import LIMITS, Problems, check_attributes, split_lines
from matrixkit_web.store import ClosedError, ConflictError, NameTakenError, NotFoundError, PaperSheet, Workshop

__all__ = ["UPLOAD_TYPES", "router"]

router = APIRouter(include_in_schema=False)

#: File types a paper-sheet upload may have (those the readers of ``matrixkit collate`` read as sheets).
UPLOAD_TYPES = {
    ".csv": "CSV",
    ".xlsx": "Excel",
    ".ods": "OpenDocument spreadsheet",
    ".txt": "Excel Unicode text",
}
#: The file type of a mapping file uploaded beside the sheets (``matrixkit map`` writes one; ``--map``).
MAPPING_TYPES = {".toml": "a mapping file"}
#: What the upload does with a mark across two levels ("2/3") — ``matrixkit collate --between``.
BETWEEN_CHOICES = (
    ("refuse", "Refuse the file and show where they are", ""),
    ("lower", "Take the lower level", ""),
    ("higher", "Take the higher level", ""),
    ("skip", "Leave that domain unanswered", ""),
)
#: What the upload does with a person in the file twice — ``matrixkit collate --duplicates``.
DUPLICATE_CHOICES = (
    ("refuse", "Refuse the file and show both rows", ""),
    ("latest", "Keep the latest response", "By the file's completion time where it has one, else the lower row."),
    ("first", "Keep the first response", ""),
)


# -- participants --------------------------------------------------------------------------------


@router.get("/w/{workshop_id}/participants")
def participants_page(request: Request, workshop_id: str, added: int = 0, merged: int = 0) -> Response:
    workshop = _facilitated(request, workshop_id)
    store = state(request).store
    people = store.participants(workshop.id)
    chosen = store.chosen_counts(workshop.id)
    notice = ""
    kept = next((p for p in people if p.id == merged), None) if merged else None
    if added:
        notice = f"{added} paper {'sheet' if added == 1 else 'sheets'} entered."
    elif kept is not None:
        notice = f"Merged: {kept.display_name} is now one participant, with the answers of both."
    return render(
        request,
        "participants.html",
        {
            "page_title": f"Participants – {workshop.title}",
            "workshop": workshop,
            "people": people,
            "chosen": chosen,
            "submitted": sum(1 for p in people if p.submitted_at is not None),
            "paper": sum(1 for p in people if p.on_paper),
            "notice": notice,
        },
    )


@router.get("/w/{workshop_id}/participants/{participant_id}/merge")
def merge_page(request: Request, workshop_id: str, participant_id: int, other: int = 0) -> Response:
    """Merge a duplicate: choose who else this person is, see both sets of answers, confirm."""
    workshop = _facilitated(request, workshop_id)
    store = state(request).store
    person = store.participant(workshop.id, participant_id)
    if person is None:
        raise HTTPException(404, "There is no such participant in this workshop.")
    others = [p for p in store.participants(workshop.id) if p.id != person.id]
    # People with a similar name first: the likeliest duplicates.
    stem = person.display_name.casefold()[:3]
    others.sort(key=lambda p: (not p.display_name.casefold().startswith(stem), p.display_name.casefold(), p.id))
    duplicate = store.participant(workshop.id, other) if other else None
    if other and duplicate is None:
        raise HTTPException(404, "There is no such participant in this workshop.")
    analysis = _analysis(request, workshop)
    return render(
        request,
        "merge.html",
        {
            "page_title": f"Merge {person.display_name} with another participant – {workshop.title}",
            "workshop": workshop,
            "instrument": analysis.instrument,
            "person": person,
            "others": others,
            "duplicate": duplicate,
            "answers": store.answers(person),
            "duplicate_answers": store.answers(duplicate) if duplicate is not None else {},
        },
    )


@router.post("/w/{workshop_id}/participants/merge")
def merge(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    workshop = _facilitated(request, workshop_id)
    pair = form.getlist("pair")
    keep = form.get("keep")
    if len(pair) != 2 or not all(x.isdigit() for x in pair) or keep not in pair:
        raise HTTPException(400, "Choose whose answers come first, of the two participants shown.")
    duplicate = pair[1] if keep == pair[0] else pair[0]
    try:
        kept = state(request).store.merge_participants(workshop.id, int(keep), int(duplicate))
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except ConflictError as exc:
        raise HTTPException(409, str(exc)) from None
    return redirect(f"/w/{workshop.id}/participants?merged={kept.id}")


# -- paper sheets ----------------------------------------------------------------------------------


def _paper_page(
    request: Request,
    workshop: Workshop,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    problems_of: str = "sheets",
    notice: str = "",
    status_code: int = 200,
) -> Response:
    """The paper-sheets page; ``problems`` (located, one a line) are listed under the file box ``problems_of``."""
    analysis = _analysis(request, workshop)
    registry = state(request).registry
    # A blank CSV (one column per domain, as the readers expect) to type sheets into before uploading them.
    csv = registry.exporters.get("csv")
    template = csv is not None and "sheet" in csv.obj.kinds and not csv.obj.availability()
    return render(
        request,
        "paper.html",
        {
            "page_title": f"Paper sheets – {workshop.title}",
            "workshop": workshop,
            "instrument": analysis.instrument,
            "values": values or {},
            "errors": errors or {},
            "problems": problems or [],
            "problems_of": problems_of,
            "notice": notice,
            "not_sure": NOT_SURE,
            "limits": LIMITS,
            "upload_types": UPLOAD_TYPES,
            "between_choices": BETWEEN_CHOICES,
            "duplicate_choices": DUPLICATE_CHOICES,
            "template": template,
        },
        status_code=status_code,
    )


@router.get("/w/{workshop_id}/paper")
def paper_page(request: Request, workshop_id: str, saved: int = 0) -> Response:
    workshop = _facilitated(request, workshop_id)
    person = state(request).store.participant(workshop.id, saved) if saved else None
    notice = ""
    if person is not None:
        notice = f"The sheet of {person.display_name} is entered. Type in the next one, or go back to the participants."
    return _paper_page(request, workshop, notice=notice)


def _checked_sheet(workshop: Workshop, instrument: Instrument, form: Form) -> tuple[PaperSheet | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = " ".join(form.get("name").split())
    if len(name) > LIMITS["name"]:
        errors["name"] = f"The name must be {LIMITS['name']} characters or fewer"
    attributes: dict[str, str] = {}
    try:
        attributes = check_attributes(workshop, {"sector": form.get("sector"), "table": form.get("table")}, prefix="")
    except Problems as exc:
        errors.update(exc.problems)
    answers: dict[str, tuple[str | None, str | None]] = {}
    for domain in instrument.domains:
        level = form.get(f"level-{domain.key}")
        comment = form.get(f"comment-{domain.key}")
        if level and level != NOT_SURE and level not in instrument.level_keys:
            errors[f"level-{domain.key}"] = f"Select one of the levels for {domain.title}"
        if len(comment) > LIMITS["comment"]:
            errors[f"comment-{domain.key}"] = f"The comment must be {LIMITS['comment']} characters or fewer"
        if level or comment:
            answers[domain.key] = (level if level and level != NOT_SURE else None, comment or None)
    if errors:
        return None, errors
    return PaperSheet(name or None, attributes, answers), {}


@router.post("/w/{workshop_id}/paper")
def enter_paper(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    """One paper sheet typed in: who (optional), sector and table, a level (or not sure) and a comment per
    domain."""
    workshop = _facilitated(request, workshop_id)
    instrument = _analysis(request, workshop).instrument
    values = {name: value for name in form.names() if (value := form.get(name))}
    sheet, errors = _checked_sheet(workshop, instrument, form)
    if sheet is not None:
        try:
            [person] = state(request).store.add_paper(workshop.id, [sheet])
        except NameTakenError as exc:
            errors["name"] = str(exc)
        except ClosedError:
            errors["main-content"] = "The workshop is closed: reopen it to enter paper sheets."
        else:
            return redirect(f"/w/{workshop.id}/paper?saved={person.id}")
    return _paper_page(request, workshop, values=values, errors=errors, status_code=400)


def _counted(total: int) -> str:
    return f"{total} {'problem' if total == 1 else 'problems'}"


def _display(problem: Problem, path: str, name: str) -> str:
    """A reader's problem as the facilitator reads it: the uploaded file's own name, never the server's path."""
    shown = attrs.evolve(problem, file=name) if problem.file == path else problem
    return str(shown).replace(path, name)


def _sheets_from(
    responses: list[CoreResponse], workshop: Workshop, instrument: Instrument, path: str, name: str
) -> list[PaperSheet]:
    """The paper sheets of the responses read from a file; raises Problems naming each response's row."""
    sheets = []
    problems: dict[str, str] = {}
    for response in responses:
        where = (response.origin or name).replace(path, name)
        try:
            attributes = check_attributes(workshop, dict(response.attributes), prefix="")
        except Problems as exc:
            for field, message in exc.problems.items():
                problems[f"{where}: {field}"] = message
            continue
        answers: dict[str, tuple[str | None, str | None]] = {}
        for key, index in response.choices.items():
            comment = response.comments.get(key)
            if index is None and not comment:
                continue
            answers[key] = (instrument.levels[index].key if index is not None else None, comment)
        sheets.append(PaperSheet(response.participant, attributes, answers))
    if problems:
        raise Problems(problems)
    return sheets


@router.post("/w/{workshop_id}/paper/upload")
def upload_paper(
    request: Request, workshop_id: str, upload: Annotated[tuple[Form, dict[str, UploadFile]], Depends(upload_form)]
) -> Response:
    """A file of paper sheets (CSV or a spreadsheet), read by the readers of ``matrixkit collate``: one row per
    sheet, with an optional mapping file (``--map``: what a form's own columns and answers mean). Nothing is
    entered unless every row can be."""
    workshop = _facilitated(request, workshop_id)
    instrument = _analysis(request, workshop).instrument
    form, files = upload
    chosen = {name: form.get(name) or "refuse" for name in ("between", "duplicates")}
    errors = {
        name: "Choose one of the options"
        for name, choices in (("between", BETWEEN_CHOICES), ("duplicates", DUPLICATE_CHOICES))
        if chosen[name] not in {value for value, _label, _hint in choices}
    }
    file, mapping_file = files.get("sheets"), files.get("mapping")
    problem = check_upload(file, UPLOAD_TYPES)
    if problem is not None:
        errors = {"sheets": problem, **errors}
    if mapping_file is not None and (problem := check_upload(mapping_file, MAPPING_TYPES)) is not None:
        errors["mapping"] = problem
    if errors:
        return _paper_page(request, workshop, values=chosen, errors=errors, status_code=400)
    assert file is not None and file.filename is not None
    name = Path(file.filename).name
    with tempfile.TemporaryDirectory(prefix="matrixkit-upload-") as folder:
        path = Path(folder) / f"sheets{Path(name).suffix.lower()}"
        path.write_bytes(file.file.read())
        mapping = None
        if mapping_file is not None and mapping_file.filename is not None:
            mapping_name = Path(mapping_file.filename).name
            mapping_path = Path(folder) / "mapping.toml"
            mapping_path.write_bytes(mapping_file.file.read())
            try:
                mapping = read_mapping(mapping_path, instrument)
            except ValidationError as exc:
                shown = [_display(p, str(mapping_path), mapping_name) for p in exc.problems]
                message = f"{mapping_name} cannot be used ({_counted(exc.total)}, listed below): nothing was entered"
                return _paper_page(
                    request,
                    workshop,
                    values=chosen,
                    errors={"mapping": message},
                    problems=shown,
                    problems_of="mapping",
                    status_code=422,
                )
        options = ReadOptions(between=chosen["between"], duplicates=chosen["duplicates"], mapping=mapping)  # type: ignore[arg-type]
        try:
            responses = read_responses(path, instrument, state(request).registry, options)
        except ValidationError as exc:
            shown = [_display(p, str(path), name) for p in exc.problems]
            message = f"{name} cannot be read ({_counted(exc.total)}, listed below the file box): nothing was entered"
            return _paper_page(
                request, workshop, values=chosen, errors={"sheets": message}, problems=shown, status_code=422
            )
        except MatrixkitError as exc:
            message = str(exc).replace(str(path), name)
            return _paper_page(request, workshop, values=chosen, errors={"sheets": message}, status_code=422)
    try:
        sheets = _sheets_from(responses, workshop, instrument, str(path), name)
        added = state(request).store.add_paper(workshop.id, sheets)
    except Problems as exc:
        shown = [f"{where}: {message}" for where, message in exc.problems.items()]
        return _paper_page(
            request,
            workshop,
            values=chosen,
            errors={"sheets": f"{name} does not fit this workshop"},
            problems=shown,
            status_code=422,
        )
    except NameTakenError as exc:
        return _paper_page(request, workshop, values=chosen, errors={"sheets": str(exc)}, status_code=409)
    except ClosedError:
        return _paper_page(
            request,
            workshop,
            errors={"sheets": "The workshop is closed: reopen it to enter paper sheets."},
            status_code=409,
        )
    return redirect(f"/w/{workshop.id}/participants?added={len(added)}")


# -- join code, tables and sectors ---------------------------------------------------------------


def _setup_page(
    request: Request,
    workshop: Workshop,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    people = state(request).store.participants(workshop.id)
    used = {
        name: {value: sum(1 for p in people if p.attributes.get(name) == value) for value in values_}
        for name, values_ in (("sector", workshop.sectors), ("table", workshop.tables))
    }
    return render(
        request,
        "setup.html",
        {
            "page_title": f"Tables and sectors – {workshop.title}",
            "workshop": workshop,
            "values": values or {},
            "errors": errors or {},
            "notice": notice,
            "used": used,
            "limits": LIMITS,
        },
        status_code=status_code,
    )


@router.get("/w/{workshop_id}/setup")
def setup_page(request: Request, workshop_id: str, saved: str = "") -> Response:
    workshop = _facilitated(request, workshop_id)
    return _setup_page(request, workshop, notice="Tables and sectors saved." if saved else "")


@router.post("/w/{workshop_id}/setup")
def save_setup(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    """Rename tables and sectors (participants who chose one follow) and add new ones."""
    workshop = _facilitated(request, workshop_id)
    errors: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    renamed: dict[str, dict[str, str]] = {}
    for attribute, plural, current in (("sector", "sectors", workshop.sectors), ("table", "tables", workshop.tables)):
        names: list[str] = []
        renames: dict[str, str] = {}
        for n, old in enumerate(current, 1):
            field = f"{attribute}-{n}"
            new = " ".join(form.get(field).split()) or old
            if len(new) > LIMITS["attribute"]:
                errors[field] = f"Each name must be {LIMITS['attribute']} characters or fewer"
            if new.casefold() in (x.casefold() for x in names):
                errors[field] = f"{new!r} is already one of the {plural}"
            names.append(new)
            if new != old:
                renames[old] = new
        for new in split_lines(form.get(f"new-{plural}")):
            if len(new) > LIMITS["attribute"]:
                errors[f"new-{plural}"] = f"Each name must be {LIMITS['attribute']} characters or fewer"
            elif new.casefold() not in (x.casefold() for x in names):
                names.append(new)
        if len(names) > LIMITS["list"]:
            errors[f"new-{plural}"] = f"Give {LIMITS['list']} {plural} or fewer"
        lists[plural] = names
        renamed[attribute] = renames
    if errors:
        values = {name: form.get(name) for name in form.names()}
        return _setup_page(request, workshop, values=values, errors=errors, status_code=400)
    state(request).store.set_lists(workshop.id, sectors=lists["sectors"], tables=lists["tables"], renamed=renamed)
    return redirect(f"/w/{workshop.id}/setup?saved=1")


@router.post("/w/{workshop_id}/join-code")
def new_join_code(request: Request, workshop_id: str, form: Annotated[Form, Depends(form_data)]) -> Response:
    """A new join code: the old one stops working at once (a leaked code); people who joined carry on."""
    workshop = _facilitated(request, workshop_id)
    state(request).store.new_join_code(workshop.id)
    return redirect(f"/w/{workshop.id}/links?code=new")
