"""Exporters: the output formats of matrixkit, and writing their output safely.

An exporter turns one of these *kinds* of subject into bytes:

``sheet``
    a blank matrix for people to mark up (subject: :class:`~matrixkit.model.Instrument`; its guidance is empty
    unless guidance was asked for, ``matrixkit sheet --guidance``);
``collation-sheet``
    the blank Workshop Collation Sheet a table fills in by hand: levels as rows, one column per domain, a
    Consensus row and a Proposed Priorities for Action row (subject: :class:`~matrixkit.model.Instrument`);
``record``
    one person's record sheet (subject: :class:`matrixkit.report.RecordSheet`);
``collation``
    a workshop collation sheet, filled: counts, suggested levels, agreement and flags (subject:
    :class:`matrixkit.report.CollationReport`);
``report``
    a workshop report: collation plus decisions and actions (subject: :class:`matrixkit.report.WorkshopReport`);
``summary``
    a one-page summary of a workshop for a partnership board: agreed levels, the top priorities with owners and
    dates (subject: :class:`matrixkit.report.WorkshopReport`);
``comparison``
    progress between two rounds (subject: :class:`matrixkit.report.Comparison`).

Exporters never compute statistics: everything they show is already in the subject. Register one with the
:func:`~matrixkit.hookspecs.matrixkit_register_exporters` hook. Subclass :class:`Exporter` and implement the
``render_<kind>`` methods (``-`` as ``_``) for the kinds you list in :attr:`Exporter.kinds`.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, ClassVar

from matrixkit.errors import MatrixkitError, UnknownNameError

if TYPE_CHECKING:
    from matrixkit.model import Instrument
    from matrixkit.report import CollationReport, Comparison, RecordSheet, WorkshopReport

__all__ = [
    "KINDS",
    "Exporter",
    "UnavailableFormatError",
    "atomic_writer",
    "check_kind",
    "choose_format",
    "render_as",
    "unsupported",
    "write_atomic",
]

#: The kinds of subject an exporter can render, in the order they are listed.
KINDS: tuple[str, ...] = ("sheet", "collation-sheet", "record", "collation", "report", "summary", "comparison")


class UnavailableFormatError(MatrixkitError):
    """A format whose optional dependencies are not installed."""


class Exporter:
    """Base class of exporters. Class attributes describe the format; methods render it.

    ``availability()`` must be cheap and must not import the rendering library: use
    :func:`importlib.util.find_spec` to test that it is installed.
    """

    #: Name used on the command line (``--format NAME``): lowercase, e.g. ``"csv"``.
    name: ClassVar[str]
    #: File extension with the dot, e.g. ``".csv"``.
    extension: ClassVar[str]
    #: Media type for downloads, e.g. ``"text/csv"``.
    media_type: ClassVar[str] = "application/octet-stream"
    #: One line saying what the format is.
    description: ClassVar[str] = ""
    #: Which subjects it renders: a subset of :data:`KINDS`.
    kinds: ClassVar[frozenset[str]] = frozenset()

    def availability(self) -> str | None:
        """``None`` when the format can be written; otherwise a one-line install hint."""
        return None

    def render_sheet(self, instrument: Instrument) -> bytes:
        """A blank matrix and record sheet for a workshop."""
        raise self._unsupported("sheet")

    def render_collation_sheet(self, instrument: Instrument) -> bytes:
        """The blank Workshop Collation Sheet for a table to fill in by hand."""
        raise self._unsupported("collation-sheet")

    def render_record(self, record: RecordSheet) -> bytes:
        """One person's record sheet."""
        raise self._unsupported("record")

    def render_collation(self, report: CollationReport) -> bytes:
        """A collation sheet with suggestions, agreement and flags."""
        raise self._unsupported("collation")

    def render_report(self, report: WorkshopReport) -> bytes:
        """A workshop report: collation, agreed levels, priorities and actions."""
        raise self._unsupported("report")

    def render_summary(self, report: WorkshopReport) -> bytes:
        """A one-page summary of a workshop for a partnership board."""
        raise self._unsupported("summary")

    def render_comparison(self, comparison: Comparison) -> bytes:
        """Progress between two rounds."""
        raise self._unsupported("comparison")

    def _unsupported(self, kind: str) -> MatrixkitError:
        return unsupported(self, kind)


def unsupported(exporter: Exporter, kind: str) -> MatrixkitError:
    """The error for asking ``exporter`` to render a kind it does not."""
    can = ", ".join(k for k in KINDS if k in exporter.kinds) or "nothing"
    return MatrixkitError(f"format {exporter.name!r} cannot render a {kind} (it renders: {can})")


def check_kind(exporter: Exporter, kind: str) -> None:
    """Raise when ``exporter`` cannot render ``kind`` now (not one of its kinds, or unavailable)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if kind not in exporter.kinds:
        raise unsupported(exporter, kind)
    hint = exporter.availability()
    if hint is not None:
        raise UnavailableFormatError(f"format {exporter.name!r} is unavailable: {hint}")


def render_as(exporter: Exporter, kind: str, subject: object) -> bytes:
    """``subject`` rendered by ``exporter`` as ``kind`` (``sheet``, ``collation``, ...), checked first with
    :func:`check_kind`."""
    check_kind(exporter, kind)
    data = getattr(exporter, f"render_{kind.replace('-', '_')}")(subject)
    if not isinstance(data, bytes):
        raise MatrixkitError(f"exporter {exporter.name!r} returned {type(data).__name__}, not bytes")
    return data


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[bytes]]:
    """Open a temporary file beside ``path``; on success rename it over ``path``, on error remove it.

    Readers of ``path`` see either the old file or the complete new one, never a half-written one.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise MatrixkitError(f"{target}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode an ordinary write would have given it:
        # the replaced file's mode, else what the user's umask allows.
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


_umask_lock = threading.Lock()


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        with _umask_lock:  # os.umask can only be read by setting it
            mask = os.umask(0o077)
            os.umask(mask)
        return 0o666 & ~mask


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file in the same directory, then rename)."""
    try:
        with atomic_writer(path) as handle:
            handle.write(data)
    except OSError as exc:
        raise MatrixkitError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def choose_format(
    able: Mapping[str, str],
    output: str | os.PathLike[str] | None,
    named: str | None = None,
    *,
    what: str,
    default: str | None = None,
    known: Mapping[str, str] | None = None,
    hint: str = "",
) -> str:
    """The format to write ``what`` (``"a collation"``, ``"the profile"``) in, by the rules every command follows:
    the format ``named``; else the one of ``able`` (format name → extension) whose extension ``output`` has;
    else, for standard output (``output`` None or ``-``), ``default``. ``known`` holds every format (name →
    extension; ``able`` when not given): a name given to a file whose extension is another format's is refused.
    Raises :class:`MatrixkitError` (or :class:`UnknownNameError`) saying what would work, ``hint`` appended.
    Whether the chosen format can render ``what`` is the caller's to check (a format named explicitly is not
    looked for in ``able``)."""
    everything = known is not None  # every installed format, not only those that write `what`
    known = able if known is None else known
    target = os.fspath(output) if output is not None else None
    suffix = Path(target).suffix.lower() if target not in (None, "-") else ""
    extensions = ", ".join(sorted(set(able.values()))) or "nothing installed"
    if named is None:
        if target in (None, "-"):
            if default is None:
                raise MatrixkitError(f"give -o FILE ({extensions}) or --format to write {what}")
            named = default
        else:
            matching = sorted(n for n, e in known.items() if e.lower() == suffix)
            rendering = [n for n in matching if n in able]
            if not rendering:
                why = (
                    f"no installed format writes {suffix} files"
                    if everything
                    else f"no format writes {what} as {suffix}"
                )
                if not suffix:
                    why = "the file name has no extension"
                if matching:
                    why = f"the {', '.join(matching)} format cannot render {what}"
                more = f"; {hint}" if hint else ""
                raise MatrixkitError(
                    f"{target}: {why}; {what} can be written as {extensions} (or choose --format{more})"
                )
            named = rendering[0]
    if named not in known:
        raise UnknownNameError("format", named, known, hint)
    owners = sorted(n for n, e in known.items() if e.lower() == suffix)
    if target is not None and suffix and owners and known[named].lower() != suffix:
        raise MatrixkitError(
            f"{target}: {suffix} is the extension of the {', '.join(owners)} format, and --format {named} writes "
            f"{known[named]} files; name the file {Path(target).stem}{known[named]}, or leave out --format"
        )
    return named
