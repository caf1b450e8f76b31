"""When two names are the same person: names compared as people read them, not as code points.

A participant's name (or API participant id) is compared after steps 1–3, which are the core's
:func:`matrixkit.responses.participant_key` (the command line compares the ids of files the same way), and 4:

1. Unicode normalisation NFKC (``ﬁ`` → ``fi``, full-width ``Ａ`` → ``A``), case folding (``ANN`` → ``ann``);
2. removing the characters that show nothing: zero-width spaces and joiners, the byte-order mark, soft hyphens
   and the bidirectional controls (``Bob`` + U+200B is ``Bob``);
3. collapsing runs of white space to one space and trimming both ends (``"ANN "`` is ``ann``);
4. the *confusable skeleton* of Unicode Technical Standard #39 (Unicode Security Mechanisms), which maps every
   character to the prototype it looks like: Cyrillic ``о`` in ``Bоb`` becomes Latin ``o``.

The skeleton is ICU's (``SpoofChecker.getSkeleton``, through PyICU: Unicode's own ``confusables.txt`` as ICU
compiles it). Without PyICU (``pip install maturity-matrixkit-web[icu]``) steps 1–3 still apply, look-alikes from other
scripts are not caught, and the server says so at start-up (:func:`skeleton_unavailable`).

The stored key is the SHA-256 of the result: fixed length whatever the name, and it says nothing a name would.
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import cache
from typing import Any

from matrixkit.responses import participant_key

__all__ = ["comparable", "name_key", "skeleton_unavailable"]


@cache
def _spoof_checker() -> Any:
    try:
        import icu  # type: ignore[import-untyped]  # PyICU ships no type information
    except ImportError:
        return None
    return icu.SpoofChecker()


def skeleton_unavailable() -> str | None:
    """Why look-alike names from other scripts are not compared (None when they are)."""
    if _spoof_checker() is None:
        return (
            "look-alike names (Unicode TR39 confusables, e.g. Cyrillic о for Latin o) are not compared: install "
            "maturity-matrixkit-web[icu] (PyICU)"
        )
    return None


def comparable(name: str) -> str:
    """``name`` as it is compared: NFKC, case-folded, invisible characters removed, spaces collapsed, and its
    TR39 confusable skeleton when PyICU is installed."""
    text = participant_key(name)
    checker = _spoof_checker()
    if checker is not None:
        # ASCII has prototypes too (``m`` looks like ``rn``, ``l`` like ``I``), so every name gets a skeleton.
        # The skeleton is in NFD; fold once more so that prototypes with case (``I`` for ``l``) compare alike.
        text = unicodedata.normalize("NFKC", str(checker.getSkeleton(0, text))).casefold()
    return text


def name_key(name: str) -> str:
    """The stored key of a name: SHA-256 (hex) of :func:`comparable`."""
    return hashlib.sha256(comparable(name).encode("utf-8")).hexdigest()
