"""Which matrixkit is installed: the core's distribution and every plugin distribution, with their versions.

This is what ``matrixkit --version`` prints. It reads the installed distributions' metadata (through
:mod:`importlib.metadata`) without building the plugin manager or importing any plugin, so it answers as fast
as any Python program can say its version.
"""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, entry_points, version

from matrixkit import __version__

__all__ = ["DISTRIBUTION", "describe", "plugin_distributions"]

#: The core's distribution name on the package index (the import package is ``matrixkit``).
DISTRIBUTION = "maturity-matrixkit"


def plugin_distributions() -> list[tuple[str, str]]:
    """(name, version) of every installed distribution that declares a ``matrixkit`` entry point, by name."""
    found: dict[str, str] = {}
    for ep in entry_points(group="matrixkit"):
        if ep.dist is not None and ep.dist.name != DISTRIBUTION:
            found.setdefault(ep.dist.name, ep.dist.version)
    return sorted(found.items())


def describe() -> str:
    """The lines ``matrixkit --version`` prints: the core, each plugin distribution, and Python."""
    try:
        installed = version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source tree that was never installed
        installed = __version__
    lines = [f"matrixkit {installed} ({DISTRIBUTION})"]
    plugins = plugin_distributions()
    if plugins:
        lines.append("plugins:")
        width = max(len(name) for name, _ in plugins)
        lines += [f"  {name.ljust(width)}  {v}" for name, v in plugins]
    else:
        lines.append("plugins: none installed")
    lines.append(f"Python {platform.python_version()}")
    return "\n".join(lines)
