"""PDF, A4 landscape, typeset by typst: blank sheets, record sheets, collations and workshop reports.

Why typst: it installs from PyPI as one self-contained wheel (no system packages, unlike WeasyPrint's Pango
or LaTeX), typesets tables that break across pages with repeated headers, embeds SVG charts, and writes
*tagged* PDF that meets PDF/UA-1 (the accessibility standard) — the document is compiled with ``ua-1``, so typst
checks that it has a title, alternative text for every chart and a proper structure.

What a document says comes from :mod:`matrixkit_exporters.documents` (shared with the Word and HTML exporters);
the layout lives in ``templates/document.typ``. This module only turns the blocks into a JSON document
(``sys.inputs.data``) so that no text from a person or a file is ever read as typst markup; the charts
(matplotlib SVG) go in as their own inputs. The instrument's source, licence, id and version go in the file's
properties (title, author, subject, keywords), not on the pages, whose footer carries one line of credit and
the page number.

Fonts: DejaVu Sans from matplotlib's own package data (a dependency of this extra), so the same input gives the
same PDF on every machine; it covers Latin, Greek, Cyrillic, Arabic and Hebrew. Installed system fonts serve
only as fallbacks for characters it lacks (a name in Bengali or Chinese, say). When no font has a glyph for
some character, PDF/UA-1 cannot be met and the document is written as a tagged PDF without that claim.
"""

from __future__ import annotations

import atexit
import datetime
import importlib.util
import json
import re
import shutil
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import attrs

from matrixkit.errors import MatrixkitError
from matrixkit_exporters import charts
from matrixkit_exporters.blocks import Chart, Document
from matrixkit_exporters.colour import text_colour
from matrixkit_exporters.layout import level_heading
from matrixkit_exporters.safety import printable

if TYPE_CHECKING:
    from matrixkit.model import Instrument

__all__ = ["render_document"]

#: Fixed creation date: the same input gives the same bytes.
TIMESTAMP = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)

_CONTROL = re.compile("[\x7f-\x9f]")


def _clean(value: Any) -> Any:
    """Every string in the document with control characters (which no font can show) replaced by U+FFFD."""
    if isinstance(value, str):
        return _CONTROL.sub("\ufffd", printable(value))
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _levels(instrument: Instrument) -> list[dict[str, str]]:
    return [
        {"heading": level_heading(level.label, level.score), "colour": level.colour, "ink": text_colour(level.colour)}
        for level in instrument.levels
    ]


def _serialise(document: Document) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The document as JSON data for the template, and the charts as SVG inputs."""
    images: dict[str, bytes] = {}
    parts = []
    for part in document.parts:
        blocks = []
        for block in part.blocks:
            if isinstance(block, Chart):
                name = f"chart-{len(images) + 1}"
                images[name] = charts.figure_bytes(block.figure, "svg", description=block.alt)
                blocks.append(
                    {"type": "chart", "input": name, "alt": block.alt, "caption": block.caption, "height": block.height}
                )
                continue
            entry = attrs.asdict(block, recurse=True)
            entry["type"] = type(block).__name__.lower()
            blocks.append(entry)
        parts.append({"new_page": part.new_page, "blocks": blocks})
    data = {
        "title": document.title,
        "author": document.author,
        "subject": document.subject,
        "keywords": list(document.keywords),
        "footer": document.footer,
        "levels": _levels(document.instrument),
        "parts": parts,
    }
    return data, images


# -- compiling ------------------------------------------------------------------------------------------------


#: The DejaVu Sans faces taken from matplotlib's package data.
_FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")


@cache
def _font_folder() -> str | None:
    """A folder holding only the DejaVu Sans faces from matplotlib's package data (a dependency of the pdf extra).

    Not matplotlib's font folder itself: it also holds the Last Resort font, whose placeholder glyphs typst
    would pick over an installed font that really has the characters (a Bengali or Chinese name, say).
    """
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - pdf requires matplotlib
        return None
    source = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    if not all((source / face).is_file() for face in _FACES):  # pragma: no cover - matplotlib always ships them
        return None
    folder = Path(tempfile.mkdtemp(prefix="matrixkit-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for face in _FACES:
        shutil.copyfile(source / face, folder / face)
    return str(folder)


def _font_paths() -> list[str]:
    folder = _font_folder()
    return [folder] if folder is not None else []


def render_document(document: Document) -> bytes:
    """The document typeset as a tagged A4 landscape PDF."""
    import typst

    data, images = _serialise(document)
    source = resources.files("matrixkit_exporters").joinpath("templates", "document.typ").read_bytes()
    inputs = {"data": json.dumps(_clean(data), ensure_ascii=False)}
    inputs.update({name: svg.decode("utf-8") for name, svg in images.items()})
    pdf: bytes | None = None
    # PDF/UA-1 demands a glyph for every character. Text in a script that no installed font covers cannot meet
    # it: that document is written as a tagged PDF without the PDF/UA-1 claim (the characters show as boxes).
    for standards in (["ua-1"], []):
        try:
            pdf, _warnings = typst.compile_with_warnings(
                source,
                font_paths=cast(Any, _font_paths()),  # the stub ties the type of font paths to that of the input
                sys_inputs=inputs,
                pdf_standards=cast(Any, standards),
                pdf_tags=True,
                timestamp=TIMESTAMP,
            )
            break
        except typst.TypstError as exc:
            if standards and exc.message.startswith("PDF/UA-1 error"):
                continue
            # Anything else is a bug of this module's layout: report it as such.
            raise MatrixkitError(f"typst could not typeset the PDF: {exc.message}") from exc
    if not isinstance(pdf, bytes):  # pragma: no cover - compile returns bytes for a single PDF
        raise MatrixkitError("typst returned no PDF")
    return pdf


# -- the kinds ------------------------------------------------------------------------------------------------
