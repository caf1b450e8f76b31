"""mkdocs hooks of the matrixkit documentation (configured under ``hooks:`` in mkdocs.yml).

matrixkit's docstrings use Sphinx roles (``:class:`~matrixkit.model.Instrument```) because they read well in
``help()`` and editors. mkdocstrings renders the role's target as code but leaves the role name in front of it
(``:class:<code>~matrixkit.model.Instrument</code>``); this hook turns that into plain code, shortened as the
``~`` asks.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj|const|py:\w+):<code>(~?)([^<]+)</code>")


def _replace(match: re.Match[str]) -> str:
    target = match.group(2)
    if match.group(1):
        target = target.rsplit(".", 1)[-1]
    return f"<code>{target}</code>"


def on_page_content(html: str, **_: Any) -> str:
    return _ROLE.sub(_replace, html)
