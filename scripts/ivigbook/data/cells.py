"""One cell of a loaded table, typed: is it empty, and its value as a Python number.

A cell read from a DataFrame (``row.n_total``, ``study["blinded"]``) is typed as any scalar
pandas may hold, which ``pd.isna`` and ``int`` do not accept as such. These helpers say the
same as ``pd.isna``/``int``/``float`` for the values the loader produces (:mod:`.load`:
``pd.NA`` for a missing value, ``NaT`` for a missing date) and raise ``TypeError`` for
anything that is not a single number where a number is asked for.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["cell_float", "cell_int", "is_missing"]


def is_missing(value: object) -> bool:
    """True for an empty cell: ``None``, ``pd.NA``, ``NaT`` or a floating-point NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def cell_int(value: object) -> int:
    """A number cell as ``int`` (as ``int(value)`` would give); an empty cell is an error."""
    if isinstance(value, int | float | np.integer | np.floating):
        return int(value)
    msg = f"not a number: {value!r}"
    raise TypeError(msg)


def cell_float(value: object) -> float:
    """A number cell as ``float`` (as ``float(value)`` would give; ``pd.NA`` is an error)."""
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    msg = f"not a number: {value!r}"
    raise TypeError(msg)
