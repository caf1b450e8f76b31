"""``python -m matrixkit`` and the ``matrixkit`` command's entry point.

``matrixkit --version`` is answered from the installed distributions' metadata alone
(:mod:`matrixkit.versions`); every other command runs the command line (:mod:`matrixkit.cli`).
"""

from __future__ import annotations

import sys

from matrixkit import versions


def main() -> None:
    """Console-script entry point."""
    if sys.argv[1:] in (["--version"], ["-V"]):
        print(versions.describe())
        return
    # The command line with its plugin host is imported only when a command runs: --version needs none of it,
    # and answers in the time Python takes to start and read the distributions' metadata.
    from matrixkit.cli import run

    run()


if __name__ == "__main__":
    main()
