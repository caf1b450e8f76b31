"""Public hypothesis strategies for plugin authors and for matrixkit's own tests.

from matrixkit.testing.strategies import instruments

@given(instruments(max_levels=5))
def test_my_exporter_renders_any_sheet(instrument): ...
"""

from matrixkit.testing._instruments import colours, instruments, keys, levels, texts

__all__ = ["colours", "instruments", "keys", "levels", "texts"]
