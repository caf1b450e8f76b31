"""matrixkit: a framework for maturity-matrix instruments.

Define an instrument (levels × domains of descriptors) in TOML or Python, collect responses, collate them into
tallies, propose consensus levels, measure agreement, and render sheets and reports through plugins.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl"]

# `hookimpl` is pluggy's marker; it is imported on first use so that starting the command line does not pay for
# pluggy before it knows it needs it (see matrixkit._launch). `from matrixkit import hookimpl` works as usual.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from matrixkit.hookspecs import hookimpl


def __getattr__(name: str) -> object:
    if name == "hookimpl":
        from matrixkit.hookspecs import hookimpl

        globals()["hookimpl"] = hookimpl
        return hookimpl
    raise AttributeError(f"module 'matrixkit' has no attribute {name!r}")
