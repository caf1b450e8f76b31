"""The Population Intervention Triangle (PIT) toolkit for matrixkit.

The four tools of the LGA / Public Health England toolkit, each with a single-agency variant, and a
topic-based example of Tool A for population health management in a primary care network. Every instrument is
a TOML file in ``instruments/``; each tool is registered by its own entry point (``pit-a`` ... ``pit-d``,
``pit-a-pcn-phm``) so that an organisation can switch one tool off alone.
"""

from __future__ import annotations

__all__ = ["INSTRUMENT_IDS", "__version__"]

__version__ = "0.2.0"

#: Instrument ids registered by each entry point of this distribution.
INSTRUMENT_IDS: dict[str, tuple[str, ...]] = {
    "pit-a": ("pit-a", "pit-a-single-agency"),
    "pit-b": ("pit-b", "pit-b-single-agency"),
    "pit-c": ("pit-c", "pit-c-single-agency"),
    "pit-d": ("pit-d", "pit-d-single-agency"),
    "pit-a-pcn-phm": ("pit-a-pcn-phm",),
}
