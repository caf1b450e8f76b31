"""Testing support for matrixkit and its plugins: hypothesis strategies and a contract test kit.

Install with ``pip install maturity-matrixkit[testing]``. Strategies live in :mod:`matrixkit.testing.strategies`.
"""
