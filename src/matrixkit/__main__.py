"""``python -m matrixkit``: the same as the ``matrixkit`` command."""

from matrixkit.cli import run

if __name__ == "__main__":
    run()
