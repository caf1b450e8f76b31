"""matrixkit: a framework for maturity-matrix instruments.

Define an instrument (levels × domains of descriptors) in TOML or Python, collect responses, collate them into
tallies, propose consensus levels, measure agreement, and render sheets and reports through plugins.
"""

from __future__ import annotations

from matrixkit.hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl"]
