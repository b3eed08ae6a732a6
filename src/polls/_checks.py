"""Argument checks shared by the statistical modules (private).

Each check raises :class:`~polls.errors.InvalidArgumentError` naming the argument and the value,
and returns the cleaned value so call sites stay short.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import numpy as np

from polls.errors import InvalidArgumentError


def _show(value: Any) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(value)
    return np.array2string(arr.ravel()[:6], separator=", ") + (" ..." if arr.size > 6 else "")


def as_float_array(name: str, value: Any, *, allow_nan: bool = False) -> np.ndarray:
    """Convert ``value`` to a float array, rejecting non-numeric input and (by default) NaN."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be numeric, got {_show(value)}") from None
    if not allow_nan and np.isnan(arr).any():
        bad = np.flatnonzero(np.isnan(arr.ravel()))[:5].tolist()
        raise InvalidArgumentError(f"{name} contains NaN (at position(s) {bad})")
    return arr


def check_share(name: str, value: Any) -> np.ndarray:
    """A proportion (or array of them) in [0, 1]."""
    arr = as_float_array(name, value)
    bad = (arr < 0) | (arr > 1)
    if bad.any():
        first = float(arr.ravel()[np.flatnonzero(bad.ravel())[0]])
        hint = " (pass shares as proportions, e.g. 0.76 rather than 76)" if first > 1 else ""
        raise InvalidArgumentError(f"{name} must lie in [0, 1], got {first!r}{hint}")
    return arr


def check_positive(name: str, value: Any, *, integer: bool = False) -> np.ndarray:
    """Strictly positive numbers (sample sizes, weights)."""
    arr = as_float_array(name, value)
    bad = ~(arr > 0)
    if bad.any():
        first = float(arr.ravel()[np.flatnonzero(bad.ravel())[0]])
        raise InvalidArgumentError(f"{name} must be positive, got {first!r}")
    if integer and (arr != np.round(arr)).any():
        first = float(arr.ravel()[np.flatnonzero((arr != np.round(arr)).ravel())[0]])
        raise InvalidArgumentError(f"{name} must be a whole number, got {first!r}")
    return arr


def check_at_least(name: str, value: Any, minimum: float) -> np.ndarray:
    """Numbers >= ``minimum`` (e.g. a design effect of at least 1 where less is impossible)."""
    arr = as_float_array(name, value)
    bad = ~(arr >= minimum)
    if bad.any():
        first = float(arr.ravel()[np.flatnonzero(bad.ravel())[0]])
        raise InvalidArgumentError(f"{name} must be at least {minimum}, got {first!r}")
    return arr


def check_confidence_level(value: Any) -> float:
    """A confidence level strictly between 0 and 1."""
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
    if value not in opts:
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
