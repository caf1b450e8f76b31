"""Colours: readable text on the instrument's level colours (WCAG 2 contrast), and outlines for pale fills.

Level colours come from the instrument; nothing here knows a palette. For each fill the text colour is black or
white, whichever contrasts more. One of the two always reaches at least 4.58:1 (WCAG AA for normal text), since
black's ratio times white's ratio is 21 and the larger of two numbers whose product is 21 is at least √21.
"""

from __future__ import annotations

__all__ = ["contrast_ratio", "edge_colour", "relative_luminance", "rgb", "text_colour"]

BLACK = "#000000"
WHITE = "#ffffff"


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as three integers 0–255."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance, 0 (black) to 1 (white)."""
    r, g, b = (_linear(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio between two colours, 1 to 21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(fill: str) -> str:
    """Black or white, whichever is more readable on ``fill``."""
    return BLACK if contrast_ratio(fill, BLACK) >= contrast_ratio(fill, WHITE) else WHITE


def edge_colour(fill: str, background: str = WHITE) -> str:
    """An outline for a fill that is hard to see on the page (e.g. white on white): dark grey, else the fill."""
    return "#595959" if contrast_ratio(fill, background) < 1.5 else fill
