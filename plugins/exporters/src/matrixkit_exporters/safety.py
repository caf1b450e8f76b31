"""Making user text safe for each output: spreadsheet formulas, control characters.

Text in instruments, responses and workshop records comes from people and files: it may start with ``=`` (a
formula to a spreadsheet), hold markup, or carry control characters that XML-based formats cannot store.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_TRIGGERS", "neutralise_formula", "printable"]

#: First characters that make a spreadsheet treat a text cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Characters XML 1.0 cannot hold (C0 controls other than tab, newline and carriage return; surrogates;
# U+FFFE/U+FFFF) — XLSX, SVG and (X)HTML all forbid them.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def neutralise_formula(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula (OWASP); other text unchanged.

    Only for text cells: numbers are written as numbers and never pass through here.
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def printable(text: str) -> str:
    """``text`` with characters that XML cannot hold replaced by U+FFFD, so that every format can store it."""
    return _ILLEGAL.sub("\ufffd", text)
