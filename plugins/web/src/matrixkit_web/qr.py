"""QR codes of join addresses, drawn on the server as SVG (segno): no outside service ever sees a join code.

The SVG goes into the page as markup (no ``<img>`` to fetch, nothing inline that the Content Security Policy
forbids: segno writes presentation attributes, never ``style``). It is named for assistive technology
(``role="img"`` with a label), and drawn dark on light with a quiet zone of four modules, as QR readers expect.
"""

from __future__ import annotations

import io

import segno
from markupsafe import Markup, escape

__all__ = ["qr_svg"]


def _svg(data: str) -> str:
    code = segno.make(data, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        omitsize=True,
        svgclass=None,
        lineclass=None,
        border=4,
        dark="#0b0c0c",
        light="#ffffff",
    )
    return out.getvalue().decode("ascii")


def qr_svg(data: str, label: str, *, css_class: str = "qr-code") -> Markup:
    """An inline SVG QR code of ``data``, labelled ``label`` (escaped) for screen readers."""
    svg = _svg(data)
    attributes = f'<svg class="{escape(css_class)}" role="img" aria-label="{escape(label)}" focusable="false" '
    return Markup(svg.replace("<svg ", attributes, 1))  # noqa: S704 - segno's own markup; the label is escaped
