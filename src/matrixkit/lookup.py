"""What a person names, found in the registry: an instrument by id or by file, the exporter for a format or a
file's extension — and rendering with it, a failure in the exporter's code naming its plugin.

The light end of the service layer: the command line needs these to start any command (``Context.instrument``,
``Context.write``), and they need nothing but the registry, the instrument format and the exporter interface —
not the collation, report and reader modules :mod:`matrixkit.services` brings in.
"""

from __future__ import annotations

import os

from matrixkit.exporting import KINDS, Exporter, check_kind, choose_format, render_as
from matrixkit.format import read_instrument
from matrixkit.model import Instrument
from matrixkit.registry import Registered, Registry

__all__ = ["MORE_FORMATS", "exporter_for", "get_instrument", "render_with"]

#: Said when a format is not registered: the formats beyond the core's own come from a plugin.
MORE_FORMATS = "run 'matrixkit formats' to list them; more formats: pip install maturity-matrixkit-exporters"


def get_instrument(registry: Registry, ref: str) -> Instrument:
    """An instrument by registered id, or from a TOML file when ``ref`` is a path to one (a variant's base is
    looked up among the installed instruments)."""
    if ref.endswith(".toml") or os.sep in ref or (os.altsep is not None and os.altsep in ref):
        return read_instrument(ref, lookup=registry.instruments.base)
    return registry.instrument(ref)


def exporter_for(
    registry: Registry,
    kind: str,
    format: str | None = None,
    output: str | os.PathLike[str] | None = None,
    *,
    default: str = "text",
) -> Registered[Exporter]:
    """The exporter that writes ``kind``: the one named ``format``; without it, the one whose extension ``output``
    has (standard output: ``text``). Raises, naming what would work, when no installed format writes that
    extension, when the format cannot render ``kind``, or when it is unavailable; never picks a format whose
    output would not match the file's extension."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    table = registry.exporters
    known = {name: e.obj.extension for name, e in table.items()}
    able = {name: extension for name, extension in known.items() if kind in table[name].obj.kinds}
    chosen = choose_format(able, output, format, what=f"a {kind}", default=default, known=known, hint=MORE_FORMATS)
    found = table[chosen]
    check_kind(found.obj, kind)
    return found


def render_with(registry: Registry, exporter: Registered[Exporter], kind: str, subject: object) -> bytes:
    """``subject`` rendered as ``kind`` by a registered exporter (a failure in its code names its plugin)."""
    with registry.blame(exporter.plugin, f"rendering a {kind} as {exporter.obj.name}"):
        return render_as(exporter.obj, kind, subject)
