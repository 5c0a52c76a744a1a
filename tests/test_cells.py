"""The typed cell helpers agree with pandas on every kind of value a loaded table holds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ivigbook.data.cells import cell_float, cell_int, is_missing
from ivigbook.data.load import load

SCALARS = [
    None,
    pd.NA,
    pd.NaT,
    float("nan"),
    np.float64("nan"),
    np.datetime64("NaT"),
    np.timedelta64("NaT"),
    0,
    3,
    0.0,
    2.5,
    np.int64(7),
    np.float64(1.5),
    True,
    False,
    "",
    "text",
    pd.Timestamp("2024-01-01"),
    dt.date(2024, 1, 1),
    np.datetime64("2024-01-01"),
]


@pytest.mark.parametrize("value", SCALARS, ids=repr)
def test_is_missing_is_pd_isna_for_a_scalar(value: object) -> None:
    assert is_missing(value) is bool(pd.isna(value))


def test_is_missing_on_every_cell_of_the_data() -> None:
    ev = load()
    for name, table in ev.tables.items():
        for column in table.columns:
            for value in table[column]:
                assert is_missing(value) is bool(pd.isna(value)), (name, column, value)


@pytest.mark.parametrize("value", [0, 3, 2.9, -1.5, np.int64(7), np.float64(4.0), True])
def test_cell_numbers_are_int_and_float(value: object) -> None:
    assert cell_int(value) == int(value)
    assert cell_float(value) == float(value)


@pytest.mark.parametrize("value", [None, pd.NA, "3", pd.Timestamp("2024-01-01")])
def test_cell_numbers_refuse_what_is_not_a_number(value: object) -> None:
    with pytest.raises(TypeError, match="not a number"):
        cell_int(value)
    with pytest.raises(TypeError, match="not a number"):
        cell_float(value)
