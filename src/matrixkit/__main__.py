"""``python -m matrixkit``: the same as the ``matrixkit`` command."""

from matrixkit._launch import run

if __name__ == "__main__":
    run()
