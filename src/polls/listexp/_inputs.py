"""Checks shared by the list-experiment estimators: respondent data, item counts, frequencies."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import as_float_array, critical_value
from polls.errors import InferenceWarning, InvalidArgumentError


def _plain(value: Any) -> Any:
    """A numpy scalar as the plain Python value (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _z(confidence_level: float) -> float:
    return critical_value(confidence_level)





def _column(data: pd.DataFrame, name: Any, what: str) -> pd.Series:
    if not isinstance(name, str) and not isinstance(name, int):
        raise InvalidArgumentError(f"{what} must be a column name, got {name!r}")
    if name not in data.columns:
        raise InvalidArgumentError(
            f"{what}={name!r} is not a column of data; columns are {list(data.columns)}"
        )
    return data[name]


def _check_n_items(n_items: Any) -> int:
    if isinstance(n_items, (int, float, np.integer, np.floating)) and not isinstance(
            n_items, (bool, np.bool_)) and np.isfinite(n_items) and n_items == int(n_items) \
            and n_items >= 1:
        return int(n_items)
    raise InvalidArgumentError(
        f"n_items (the number of control items, J) must be a whole number >= 1, got {n_items!r}"
    )


def _check_nonnegative(name: str, value: Any) -> float:
    """One finite number >= 0 (a standard error, a rounding step, a tolerance)."""
    if np.ndim(value) != 0:
        raise InvalidArgumentError(f"{name} must be one number, got {value!r}")
    number = float(as_float_array(name, value, allow_nan=True))
    if not number >= 0:
        raise InvalidArgumentError(f"{name} must be a non-negative number, got {value!r}")
    return number


def _validate_respondents(
    data: Any, count: str, treatment: str, n_items: Any
) -> tuple[np.ndarray, np.ndarray, int]:
    """Return (counts as float, treated as bool, J), raising on anything unusable."""
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgumentError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    y_col = _column(data, count, "count")
    t_col = _column(data, treatment, "treatment")
    if getattr(y_col.dtype, "kind", "O") == "b":
        raise InvalidArgumentError(
            f"column {count!r} must hold item counts (0..J), got booleans")
    y = pd.to_numeric(y_col, errors="coerce")
    bad = y.isna() & y_col.notna()
    if bad.any():
        idx = y_col.index[bad][0]
        raise InvalidArgumentError(
            f"column {count!r} must hold item counts; row {idx!r} has {y_col[idx]!r}"
        )
    if y.isna().any():
        rows = list(y.index[y.isna()][:5])
        raise InvalidArgumentError(
            f"column {count!r} has {int(y.isna().sum())} missing count(s) (rows {rows}); "
            "drop or impute them explicitly before estimating"
        )
    y = y.to_numpy(dtype=float)
    nonint = y != np.round(y)
    if nonint.any():
        raise InvalidArgumentError(
            f"column {count!r} must hold whole-number counts; got {float(y[nonint][0])!r}"
        )
    if t_col.isna().any():
        rows = list(t_col.index[t_col.isna()][:5])
        raise InvalidArgumentError(
            f"column {treatment!r} has {int(t_col.isna().sum())} missing value(s) (rows {rows})"
        )
    values = pd.unique(t_col)
    bad_t = [v for v in values if not (isinstance(v, (bool, np.bool_)) or v in (0, 1))]
    if bad_t:
        raise InvalidArgumentError(
            f"column {treatment!r} must be binary (0/1 or False/True: 1 = saw the sensitive "
            f"item); got value {_plain(bad_t[0])!r}"
        )
    t = t_col.to_numpy().astype(int).astype(bool)
    for arm, mask in (("control", ~t), ("treatment", t)):
        if not mask.any():
            raise InvalidArgumentError(
                f"the {arm} arm is empty: column {treatment!r} has no "
                f"{'1' if arm == 'treatment' else '0'} values"
            )
    if n_items is None:
        j = int(y[~t].max())
        if j < 1:
            raise InvalidArgumentError(
                f"cannot infer n_items: every control count in {count!r} is 0; pass n_items="
            )
        warnings.warn(
            f"n_items not given: J = {j} inferred as the largest control-group count in "
            f"{count!r}; pass n_items= to state the design",
            InferenceWarning,
            stacklevel=3,
        )
    else:
        j = _check_n_items(n_items)
    for arm, mask, top in (("control", ~t, j), ("treatment", t, j + 1)):
        out = mask & ((y < 0) | (y > top))
        if out.any():
            raise InvalidArgumentError(
                f"column {count!r}: {arm} count {y[out][0]:g} is outside 0..{top} "
                f"(J = {j} control items{' + the sensitive item' if arm == 'treatment' else ''})"
            )
    return y, t, j


def _frequencies(y: np.ndarray, t: np.ndarray, j: int) -> tuple[np.ndarray, np.ndarray]:
    fc = np.bincount(y[~t].astype(int), minlength=j + 1).astype(float)
    ft = np.bincount(y[t].astype(int), minlength=j + 2).astype(float)
    return fc, ft


def _check_frequencies(control: Any, treatment: Any, n_items: Any) -> tuple[np.ndarray, ...]:
    fc = as_float_array("control_frequencies", control)
    ft = as_float_array("treatment_frequencies", treatment)
    for name, f in (("control_frequencies", fc), ("treatment_frequencies", ft)):
        if f.ndim != 1:
            raise InvalidArgumentError(
                f"{name} must be one row of counts (one per number of items), got shape {f.shape}")
    j = len(fc) - 1 if n_items is None else _check_n_items(n_items)
    if len(fc) != j + 1:
        raise InvalidArgumentError(
            f"control_frequencies must have J + 1 = {j + 1} entries (counts 0..{j}), "
            f"got {len(fc)}"
        )
    if len(ft) != j + 2:
        raise InvalidArgumentError(
            f"treatment_frequencies must have J + 2 = {j + 2} entries (counts 0..{j + 1}), "
            f"got {len(ft)}"
        )
    for name, f in (("control_frequencies", fc), ("treatment_frequencies", ft)):
        if np.isnan(f).any() or (f < 0).any():
            raise InvalidArgumentError(f"{name} must be non-negative numbers, got {f.tolist()}")
        if f.sum() <= 0:
            raise InvalidArgumentError(f"{name} are all zero: that arm is empty")
    if j < 1:
        raise InvalidArgumentError("n_items must be at least 1")
    return fc, ft, j
