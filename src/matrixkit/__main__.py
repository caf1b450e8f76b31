"""``python -m matrixkit`` and the ``matrixkit`` command's entry point.

``matrixkit --version`` is answered from the installed distributions' metadata alone
(:mod:`matrixkit.versions`); every other command runs the command line (:mod:`matrixkit.cli`).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    # Each path imports what it needs when it is taken (the two imports below are the entry point's dispatch):
    # --version reads the distributions' metadata and builds no plugin host, and answers in the time Python
    # takes to start and read that metadata; any other command runs the command line with its plugin host.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from matrixkit.versions import describe

        print(describe())
        return
    from matrixkit.cli import run

    run()


if __name__ == "__main__":
    main()
