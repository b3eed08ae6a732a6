"""Shared pieces of the design classes: reading design columns, cell codes, result frames."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import critical_value
from polls.errors import InvalidArgumentError

#: Columns of every estimate frame after the ``by`` (and ``level``) columns.
RESULT_COLUMNS = ("estimate", "ci_low", "ci_high", "confidence_level", "se", "n", "n_eff",
                  "method", "deff", "df")


def column(data: pd.DataFrame, name: Any, what: str) -> pd.Series:
    """``data[name]``, or an error naming the argument."""
    if not isinstance(name, Hashable) or name not in data.columns:
        raise InvalidArgumentError(f"{what}={name!r} is not a column of data")
    return data[name]


def per_row(data: pd.DataFrame, value: Any, what: str) -> pd.Series | None:
    """A design variable given as a column name or as one value per row."""
    if value is None:
        return None
    if isinstance(value, str) or (isinstance(value, Hashable) and value in data.columns):
        return column(data, value, what)
    arr = np.asarray(value)
    if arr.ndim == 0:
        return pd.Series(np.repeat(arr, len(data)), index=data.index)
    if arr.shape != (len(data),):
        raise InvalidArgumentError(
            f"{what} must be a column name or one value per row ({len(data)}), "
            f"got shape {arr.shape}"
        )
    return pd.Series(arr, index=data.index)


def per_stage(data: pd.DataFrame, value: Any, what: str) -> list[pd.Series]:
    """One design variable per sampling stage: a name, a list of names, or per-row values."""
    if value is None:
        return []
    if isinstance(value, list | tuple) and value and all(
        isinstance(v, Hashable) and not isinstance(v, tuple) and v in data.columns
        for v in value
    ):
        return [column(data, v, f"{what}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, pd.DataFrame):
        return [value[c].set_axis(data.index) for c in value.columns]
    return [per_row(data, value, what)]


def codes(series: pd.Series, what: str) -> tuple[np.ndarray, pd.Index]:
    """Sorted integer codes of a design column (no missing values allowed)."""
    if series.isna().any():
        first = int(np.flatnonzero(series.isna().to_numpy())[0])
        raise InvalidArgumentError(f"{what} has a missing value (row {series.index[first]!r})")
    c, uniques = pd.factorize(series, sort=True)
    return c.astype(np.intp), pd.Index(uniques)


def nested(parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Codes of ``child`` within ``parent`` (the same child id under two parents: two units)."""
    pair = parent.astype(np.int64) * (int(child.max()) + 1) + child
    return pd.factorize(pair, sort=True)[0].astype(np.intp)


def tquantile(level: float, df: float) -> float:
    return critical_value(level, float(df))


def result_frame(names: list, rows: list, extra_first: tuple = ()) -> pd.DataFrame:
    """The tidy estimate frame: key columns, extra columns, then :data:`RESULT_COLUMNS`."""
    frame = pd.DataFrame(rows, columns=[*names, *extra_first, *RESULT_COLUMNS])
    frame["n"] = frame["n"].astype("int64")
    return frame
