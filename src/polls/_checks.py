"""Argument checks shared by the statistical modules (private).

Each check raises :class:`~polls.errors.InvalidArgumentError` naming the argument and the value,
and returns the cleaned value so call sites stay short. Numbers are finite unless a check says
otherwise: an infinite sample size or design effect would give a degenerate interval, and a NaN
would give a NaN result, so both are refused here rather than passed on.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from polls.errors import InvalidArgumentError

#: Scales of :func:`check_share`: the closed range each accepts.
SHARE_SCALES: dict[str, tuple[float, float]] = {
    "proportion": (0.0, 1.0),  # a share of respondents
    "difference": (-1.0, 1.0),  # a difference of two shares, or an estimate that may cross 0 or 1
}


def _show(value: Any) -> str:
    arr = np.asarray(value) if not hasattr(value, "to_numpy") else value.to_numpy()
    if arr.ndim == 0:
        return repr(value)
    return np.array2string(arr.ravel()[:6], separator=", ") + (" ..." if arr.size > 6 else "")


def _first(arr: np.ndarray, bad: np.ndarray) -> float:
    """The first value of ``arr`` where ``bad`` holds, as a Python float (for messages)."""
    return float(arr.ravel()[np.flatnonzero(bad.ravel())[0]])


def _positions(bad: np.ndarray) -> list[int]:
    return np.flatnonzero(bad.ravel())[:5].tolist()


def _raw(value: Any) -> np.ndarray:
    """``value`` as a numpy array (pandas' missing values as NaN), before any float conversion."""
    if hasattr(value, "to_numpy") and hasattr(value, "dtype"):  # Series, Index, ExtensionArray
        kind = getattr(value.dtype, "kind", "O")
        if kind in "fiu":
            return value.to_numpy(dtype=float, na_value=np.nan)
        if kind in "bMm":
            return np.asarray(value.to_numpy(), dtype=object if kind == "b" else None)
        return np.asarray(value.to_numpy(dtype=object))
    return np.asarray(value)


def _is_text_or_bool(arr: np.ndarray) -> bool:
    if arr.dtype.kind in "USbMm":
        return True
    if arr.dtype.kind == "O":
        return any(isinstance(x, (str, bytes, bool, np.bool_)) for x in arr.ravel())
    return False


def as_float_array(
    name: str, value: Any, *, allow_nan: bool = False, allow_inf: bool = False
) -> np.ndarray:
    """Convert ``value`` to a float array.

    Refuses text (``"0.5"``, ``"70%"``: a number must arrive as a number, so that nothing is
    guessed), booleans, dates, and, unless allowed, NaN and infinite values; each error names
    ``name``, the value and its position.
    """
    try:
        raw = _raw(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be numeric, got {_show(value)}") from None
    if _is_text_or_bool(raw):
        raise InvalidArgumentError(
            f"{name} must be numeric, got {_show(value)}"
            + (" (text: convert it first, e.g. with pandas.to_numeric)"
               if raw.dtype.kind in "USO" else ""))
    try:
        arr = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be numeric, got {_show(value)}") from None
    if not allow_nan and np.isnan(arr).any():
        where = f" (at position(s) {_positions(np.isnan(arr))})" if arr.ndim else ""
        raise InvalidArgumentError(f"{name} must be a number, got NaN{where}")
    if not allow_inf and np.isinf(arr).any():
        bad = np.isinf(arr)
        where = f" at position(s) {_positions(bad)}" if arr.ndim else ""
        raise InvalidArgumentError(f"{name} must be finite, got {_first(arr, bad)!r}{where}")
    return arr


def check_finite(name: str, value: Any) -> np.ndarray:
    """Finite numbers (no NaN, no infinity), as a float array."""
    return as_float_array(name, value)


def check_scalar(name: str, value: Any) -> float:
    """One finite number (not an array, text or boolean), as a Python float."""
    if np.ndim(value) != 0:
        raise InvalidArgumentError(f"{name} must be one number, got {_show(value)}")
    return float(as_float_array(name, value))


def check_share(name: str, value: Any, *, scale: str = "proportion") -> np.ndarray:
    """Shares on one scale: ``"proportion"`` in [0, 1] (default), ``"difference"`` in [-1, 1].

    A value beyond the range by more than 1 is almost always a percent (76 for 0.76): the message
    says so.
    """
    low, high = SHARE_SCALES[scale]
    arr = as_float_array(name, value)
    bad = (arr < low) | (arr > high)
    if bad.any():
        first = _first(arr, bad)
        hint = ""
        if 1 < abs(first) <= 100:
            hint = f" (pass shares as proportions, e.g. {first / 100:g} rather than {first:g})"
        elif abs(first) > 100:
            hint = " (pass shares as proportions, e.g. 0.76 rather than 76)"
        raise InvalidArgumentError(f"{name} must lie in [{low:g}, {high:g}], got {first!r}{hint}")
    return arr


def check_positive(name: str, value: Any, *, integer: bool = False) -> np.ndarray:
    """Strictly positive finite numbers (sample sizes, weights)."""
    arr = as_float_array(name, value)
    bad = ~(arr > 0)
    if bad.any():
        raise InvalidArgumentError(f"{name} must be positive, got {_first(arr, bad)!r}")
    if integer and (arr != np.round(arr)).any():
        bad = arr != np.round(arr)
        raise InvalidArgumentError(f"{name} must be a whole number, got {_first(arr, bad)!r}")
    return arr


def check_positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    """One whole number of at least ``minimum`` (a count of items, workers, days...).

    Floats holding a whole number (``3.0``) are accepted; booleans, text and fractions are not.
    """
    if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
        raise InvalidArgumentError(f"{name} must be a whole number, got {value!r}")
    number = check_scalar(name, value)
    if number != math.floor(number) or number < minimum:
        raise InvalidArgumentError(
            f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return int(number)


def check_seed(name: str, value: Any) -> Any:
    """A random seed: None, a whole number >= 0, or a numpy Generator or SeedSequence."""
    if value is None or isinstance(value, (np.random.Generator, np.random.SeedSequence)):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < 0:
        raise InvalidArgumentError(
            f"{name} must be None or a whole number >= 0 (a seed), got {value!r}")
    return int(value)


def check_at_least(name: str, value: Any, minimum: float) -> np.ndarray:
    """Finite numbers >= ``minimum`` (e.g. a design effect of at least 1)."""
    arr = as_float_array(name, value)
    bad = ~(arr >= minimum)
    if bad.any():
        raise InvalidArgumentError(f"{name} must be at least {minimum}, got {_first(arr, bad)!r}")
    return arr


def check_confidence_level(value: Any) -> float:
    """A confidence level strictly between 0 and 1 (a number, not text)."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or np.ndim(value) != 0:
        raise InvalidArgumentError(f"confidence_level must be a number, got {value!r}")
    try:
        level = float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"confidence_level must be a number, got {value!r}") from None
    if not 0 < level < 1:
        hint = " (e.g. 0.95, not 95)" if level > 1 else ""
        raise InvalidArgumentError(
            f"confidence_level must lie strictly between 0 and 1, got {value!r}{hint}"
        )
    return level


def check_choice(name: str, value: Any, options: Iterable[str]) -> str:
    """One of a fixed set of strings."""
    opts = list(options)
    try:
        known = any(value is o or (isinstance(value, str) and isinstance(o, str) and value == o)
                    for o in opts)
    except (TypeError, ValueError):  # e.g. an array-valued argument
        known = False
    if not known:
        listed = ", ".join(repr(o) for o in opts)
        raise InvalidArgumentError(f"{name} must be one of {listed}; got {value!r}")
    return value


def broadcast(**arrays: np.ndarray) -> list[np.ndarray]:
    """Broadcast named arrays together, naming them if their shapes do not fit."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise InvalidArgumentError(f"array shapes do not match: {shapes}") from None


def align(**values: Any) -> dict[str, Any]:
    """Pair pandas Series by index label, not by position.

    When two or more of ``values`` are Series, every Series is reordered to the index of the
    first one; Series whose labels differ (or repeat) raise, naming the arguments. Other values
    pass through unchanged (a plain array pairs by position, as numpy does).
    """
    import pandas as pd

    series = {k: v for k, v in values.items() if isinstance(v, pd.Series)}
    if len(series) < 2:
        return dict(values)
    (first_name, first), *rest = series.items()
    out = dict(values)
    for name, s in rest:
        if s.index.equals(first.index):
            continue
        if (not first.index.is_unique or not s.index.is_unique
                or len(s.index) != len(first.index)
                or not s.index.isin(first.index).all()):
            missing = list(first.index.difference(s.index)[:3]) if first.index.is_unique else []
            extra = list(s.index.difference(first.index)[:3]) if s.index.is_unique else []
            raise InvalidArgumentError(
                f"{first_name} and {name} are Series with different index labels (pairing them "
                f"by position could match the wrong rows): labels only in {first_name}: "
                f"{missing}, only in {name}: {extra}; align them first (e.g. "
                f"{name}.reindex({first_name}.index)) or pass plain arrays")
        out[name] = s.reindex(first.index)
    return out


@functools.lru_cache(maxsize=32)
def critical_value(confidence_level: float, df: float = float("inf")) -> float:
    """The two-sided critical value at ``confidence_level``: normal, or Student's t with ``df``.

    NaN for ``df <= 0`` (no degrees of freedom left).
    """
    from scipy.special import ndtri, stdtrit

    q = 0.5 + confidence_level / 2
    if df == float("inf"):
        return float(ndtri(q))
    if not df > 0:
        return float("nan")
    return float(stdtrit(df, q))
