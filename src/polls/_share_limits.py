"""Interval limits of one share: the kernels of :mod:`polls.intervals`, shared with
:mod:`polls.change` and :mod:`polls.bounds`.

Arrays in, arrays out: arguments are checked and broadcast by the public functions that call
these. The methods, their sources and the rule that every interval contains its share are
described in the notes of :mod:`polls.intervals`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from polls._checks import as_float_array, critical_value
from polls.errors import InvalidArgumentError

__all__ = ["check_precision"]

# --------------------------------------------------------------------------- helpers


def _z(confidence_level: float) -> float:
    return critical_value(confidence_level)


def _index_of(*values: Any) -> pd.Index | None:
    """The index of the first pandas Series among ``values`` (None when there is none)."""
    for value in values:
        if isinstance(value, pd.Series):
            return value.index
    return None


def _out(arr: np.ndarray, index: pd.Index | None, scalar: bool) -> Any:
    """Shape a result like the input: a float, an array, or a Series with the input index."""
    if scalar:
        return float(arr)
    if index is not None and arr.ndim == 1 and len(index) == arr.shape[0]:
        return pd.Series(arr, index=index)
    return arr


def _is_scalar(*values: Any) -> bool:
    return all(np.ndim(v) == 0 for v in values)


def check_precision(value: Any) -> np.ndarray | None:
    """A rounding step in [0, 1) (or None, meaning rounding is ignored)."""
    if value is None:
        return None
    arr = as_float_array("precision", value)
    bad = ~((arr >= 0) & (arr < 1))
    if bad.any():
        first = arr.ravel()[np.flatnonzero(bad.ravel())[0]]
        hint = " (a proportion, e.g. 0.01 for whole percents)" if first >= 1 else ""
        raise InvalidArgumentError(f"precision must lie in [0, 1), got {first!r}{hint}")
    return arr


def _limits(p: np.ndarray, n: np.ndarray, method: str, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided limits for share ``p`` out of (effective) size ``n`` at critical value ``z``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wald":
            half = z * np.sqrt(p * (1 - p) / n)
            low, high = p - half, p + half
        elif method == "wilson":
            z2n = z * z / n
            centre = (p + z2n / 2) / (1 + z2n)
            half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z2n)
            low = np.where(p <= 0, 0.0, centre - half)  # exact 0, not rounding noise
            high = np.where(p >= 1, 1.0, centre + half)
        elif method == "wilson_cc":
            z2n = z * z / n
            shift = 0.5 / n
            pl = p - shift
            ph = p + shift
            low = (pl + z2n / 2 - z * np.sqrt(pl * (1 - pl) / n + z * z / (4 * n * n))) / (1 + z2n)
            high = (ph + z2n / 2 + z * np.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n))) / (1 + z2n)
            low = np.where(pl <= 0, 0.0, low)
            high = np.where(ph >= 1, 1.0, high)
        elif method == "agresti_coull":
            n_tilde = n + z * z
            p_tilde = (p * n + z * z / 2) / n_tilde
            half = z * np.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
            low, high = p_tilde - half, p_tilde + half
        elif method in ("clopper_pearson", "jeffreys"):
            from scipy.special import betaincinv, ndtr

            alpha = 2 * ndtr(-z)
            x = p * n
            if method == "jeffreys":
                low = betaincinv(x + 0.5, n - x + 0.5, alpha / 2)
                high = betaincinv(x + 0.5, n - x + 0.5, 1 - alpha / 2)
            else:
                low = betaincinv(x, n - x + 1, alpha / 2)
                high = betaincinv(x + 1, n - x, 1 - alpha / 2)
            # below the smallest normal float the true lower quantile underflows to 0, but
            # betaincinv returns noise of order 1e-12 there (above the share itself)
            tiny = np.finfo(float).tiny
            low = np.where((p <= 0) | ((x < tiny) & (method == "clopper_pearson")), 0.0, low)
            high = np.where(p >= 1, 1.0, high)
        else:  # pragma: no cover - checked by the callers (against polls.intervals.METHODS)
            raise InvalidArgumentError(f"unknown interval method {method!r}")
    # every interval contains its share (see the notes of polls.intervals)
    return np.clip(np.minimum(low, p), 0.0, 1.0), np.clip(np.maximum(high, p), 0.0, 1.0)


def _limits_rounded(
    p: np.ndarray, n: np.ndarray, method: str, z: float, precision: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Limits allowing the true share anywhere within +/- precision/2 of the published ``p``.

    The result is the envelope of the intervals at the two ends of that range (clipped to
    [0, 1]) and at ``p`` itself; every method's limits rise with the share, so this is the union
    of the intervals over the whole range.
    """
    low, high = _limits(p, n, method, z)
    if precision is None:
        return low, high
    half = precision / 2
    lo_a, hi_a = _limits(np.clip(p - half, 0, 1), n, method, z)
    lo_b, hi_b = _limits(np.clip(p + half, 0, 1), n, method, z)
    return np.minimum(np.minimum(low, lo_a), lo_b), np.maximum(np.maximum(high, hi_a), hi_b)
