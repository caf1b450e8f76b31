"""maturity-matrixkit-web: the online self-assessment and live workshop tool for matrixkit.

Installing this distribution adds ``matrixkit serve``. The web framework, the database toolkit and the templates
are imported only when the server starts (:mod:`matrixkit_web.plugin` stays light), so ``matrixkit tools`` does
not pay for them.
"""

from __future__ import annotations

__version__ = "0.2.0"

__all__ = ["__version__"]
