"""Design-based quantiles with Woodruff intervals (R's ``svyquantile``, survey >= 4.1).

A weighted quantile is read off the weighted distribution function by a *rule*
(:data:`QUANTILE_RULES`), the rules of R's ``svyquantile(..., qrule=)``: ``"math"`` (R's default,
the inverse of the weighted distribution function: the smallest value whose cumulative weight
share reaches ``p``, also ``"hf1"``), ``"school"`` (the same, but the mid-point of two values when
the share is hit exactly, ``"hf2"``), ``"hf3"`` to ``"hf9"`` (weighted versions of Hyndman and
Fan's definitions, linear interpolation between points ``p_k`` for ``hf4`` to ``hf9``; ``"hf7"``
is the default of R's and numpy's unweighted ``quantile``) and ``"shahvaish"`` (Shah and Vaish,
2006). Each follows R's code line by line, quirks included (``hf7`` scales by the cumulative
weight of the second-largest value, as R does).

The interval is Woodruff's (1952): the design-based interval of the estimated distribution
function at the quantile, ``F(q_p)`` (a weighted share with its linearisation variance from
:meth:`polls.SurveyDesign.linearized_variance`), mapped back through the same rule. The standard
error is R's: the interval's width over twice the t quantile. An interval end whose share falls
outside [0, 1] is ``nan``, as in R. The share's interval is R's default ``interval.type = "mean"``
(share +/- t SE) or, as R offers, a t interval on the logit (``"xlogit"``) or arcsine square root
(``"asin"``) scale, or Korn and Graubard's ``"beta"`` interval with R's effective sample size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from polls._checks import check_choice, check_confidence_level, critical_value
from polls.errors import InvalidArgumentError

if TYPE_CHECKING:
    from polls.design import SurveyDesign

__all__ = ["QUANTILE_INTERVALS", "QUANTILE_RULES", "weighted_quantile", "survey_quantile"]

#: Intervals for the distribution function behind a Woodruff interval (R's ``interval.type``).
QUANTILE_INTERVALS = ("mean", "xlogit", "asin", "beta")
#: Quantile rules of :func:`weighted_quantile` (the names of R's ``svyquantile(qrule=)``).
QUANTILE_RULES = ("math", "school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6",
                  "hf7", "hf8", "hf9")


class _Sorted:
    """Values with positive weight, sorted, and their cumulative weights (summed in extended
    precision, as R's ``cumsum`` and ``sum`` do, so that ties with ``p * total`` fall alike)."""

    def __init__(self, x: np.ndarray, w: np.ndarray, *, presorted: bool = False) -> None:
        if not presorted:
            keep = w != 0
            x, w = x[keep], w[keep]
            order = np.argsort(x, kind="stable")
            x, w = x[order], w[order]
        self.x = x
        self.w = w
        self.cumw = np.cumsum(self.w, dtype=np.longdouble).astype(float)
        self.n = len(self.x)

    def qs(self, p: np.ndarray):
        """R's ``qs``: the positions either side of share ``p`` and their weight gaps."""
        total = self.cumw[-1]
        pos = np.searchsorted(self.cumw, p * total, side="right") - 1
        pos = np.maximum(pos, 0)  # R: position 1 when no cumulative weight is <= p * total
        nxt = np.where(pos == self.n - 1, pos, pos + 1)
        wlow = p - self.cumw[pos] / total
        wup = self.cumw[nxt] / total - p
        return pos, nxt, wlow, wup

    def interpolate(self, pk: np.ndarray, p: np.ndarray, constant: bool = False) -> np.ndarray:
        """R's ``approx(pk, x, p, method = "linear" or "constant", f = 0, rule = 2)``.

        As ``approx`` does, the points are first ordered by ``pk`` and values sharing a ``pk``
        are averaged.
        """
        order = np.argsort(pk, kind="stable")
        pk, y = pk[order], self.x[order]
        if (np.diff(pk) == 0).any():
            pk, inverse = np.unique(pk, return_inverse=True)
            y = np.bincount(inverse, weights=y) / np.bincount(inverse)
        if not constant:
            return np.interp(p, pk, y)
        # the value at the last pk <= p (the first one below the range)
        return y[np.clip(np.searchsorted(pk, p, side="right") - 1, 0, len(pk) - 1)]

    def previous(self) -> np.ndarray:
        return np.concatenate([[0.0], self.cumw[:-1]])


def _rule_math(s: _Sorted, p: np.ndarray) -> np.ndarray:
    pos, nxt, wlow, _ = s.qs(p)
    return np.where(wlow == 0, s.x[pos], s.x[nxt])


def _rule_school(s: _Sorted, p: np.ndarray) -> np.ndarray:
    pos, nxt, wlow, _ = s.qs(p)
    return np.where(wlow == 0, (s.x[pos] + s.x[nxt]) / 2, s.x[nxt])


def _rule_hf3(s: _Sorted, p: np.ndarray) -> np.ndarray:
    # R's hf3 first sums the weights of tied values
    values, inverse = np.unique(s.x, return_inverse=True)
    agg = _Sorted(values, np.bincount(inverse, weights=s.w), presorted=True)
    pos, nxt, wlow, _ = agg.qs(p)
    even = (pos + 1) % 2 == 0  # R's 1-based position
    return np.where((wlow == 0) & even, agg.x[pos], agg.x[nxt])


def _rule_hf4(s: _Sorted, p: np.ndarray) -> np.ndarray:
    pos, nxt, wlow, wup = s.qs(p)
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = wlow / (wup + wlow)
    return s.x[pos] * (1 - gamma) + s.x[nxt] * gamma


def _rule_hf5(s: _Sorted, p: np.ndarray) -> np.ndarray:
    return s.interpolate((s.cumw - s.w / 2) / s.cumw[-1], p)


def _rule_hf6(s: _Sorted, p: np.ndarray) -> np.ndarray:
    return s.interpolate(s.cumw / (s.cumw[-1] + s.w[-1]), p)


def _rule_hf7(s: _Sorted, p: np.ndarray) -> np.ndarray:
    return s.interpolate(s.previous() / s.cumw[-2], p)


def _rule_hf8(s: _Sorted, p: np.ndarray) -> np.ndarray:
    pk = (s.previous() * (1 / 3) + s.cumw * (2 / 3)) / (s.cumw[-1] + s.w[-1] / 3)
    return s.interpolate(pk, p)


def _rule_hf9(s: _Sorted, p: np.ndarray) -> np.ndarray:
    pk = (s.previous() * (3 / 8) + s.cumw * (5 / 8)) / (s.cumw[-1] + s.w[-1] / 4)
    return s.interpolate(pk, p)


def _rule_shahvaish(s: _Sorted, p: np.ndarray) -> np.ndarray:
    wbar = s.w / s.w.mean()
    # R subtracts half the raw weight (not the scaled one), so pk need not increase with x
    pk = (np.cumsum(wbar, dtype=np.longdouble).astype(float) + 0.5 - s.w / 2) / (s.n + 1)
    return s.interpolate(pk, p, constant=True)


_RULES = {
    "math": _rule_math, "hf1": _rule_math, "school": _rule_school, "hf2": _rule_school,
    "hf3": _rule_hf3, "hf4": _rule_hf4, "hf5": _rule_hf5, "hf6": _rule_hf6, "hf7": _rule_hf7,
    "hf8": _rule_hf8, "hf9": _rule_hf9, "shahvaish": _rule_shahvaish,
}


def _check_probs(q: Any) -> np.ndarray:
    try:
        probs = np.atleast_1d(np.asarray(q, dtype=float))
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"q must be a number or numbers in [0, 1], got {q!r}") from None
    if probs.ndim != 1 or len(probs) == 0 or not ((probs >= 0) & (probs <= 1)).all():
        raise InvalidArgumentError(
            f"q must be a number or numbers in [0, 1] (0.5 for the median, not 50), got {q!r}"
        )
    return probs


def weighted_quantile(
    x: Any, weights: Any, q: float | Sequence[float], rule: str = "math"
) -> np.ndarray:
    """Weighted quantiles of ``x`` by one of R's ``svyquantile`` rules.

    Parameters
    ----------
    x : array-like
        Values (finite).
    weights : array-like
        Non-negative weights (rows of weight 0 are left out, as R does).
    q : float or sequence of float
        Probabilities in [0, 1].
    rule : str
        One of :data:`QUANTILE_RULES`; ``"math"`` is R's default.

    Returns
    -------
    ndarray
        One quantile per probability.

    Examples
    --------
    >>> from polls.quantiles import weighted_quantile
    >>> weighted_quantile([1, 2, 3, 4], [1, 1, 1, 1], 0.5).tolist()
    [2.0]
    >>> weighted_quantile([1, 2, 3, 4], [1, 1, 1, 1], 0.5, rule="school").tolist()
    [2.5]
    """
    rule = check_choice("rule", rule, QUANTILE_RULES)
    probs = _check_probs(q)
    xa = np.asarray(x, dtype=float)
    wa = np.asarray(weights, dtype=float)
    if xa.shape != wa.shape or xa.ndim != 1:
        raise InvalidArgumentError(
            f"x and weights must be 1-d of one length, got shapes {xa.shape} and {wa.shape}"
        )
    if not (np.isfinite(xa).all() and np.isfinite(wa).all() and (wa >= 0).all()):
        raise InvalidArgumentError("x must be finite and weights finite and non-negative")
    s = _Sorted(xa, wa)
    if s.n < 2:
        raise InvalidArgumentError("need at least two values with positive weight")
    return _RULES[rule](s, probs)


def _share_interval(share, se, interval, level, df, n_rows):
    """Interval for the distribution function at the estimate (R's ``woodruffCI`` methods)."""
    t = critical_value(level, float(df))
    if interval == "mean":
        return share - t * se, share + t * se
    from scipy import special, stats

    with np.errstate(divide="ignore", invalid="ignore"):
        pq = share * (1 - share)
        if interval == "xlogit":
            eta, s = special.logit(share), se / pq
            return special.expit(eta - t * s), special.expit(eta + t * s)
        if interval == "asin":
            a, s = np.arcsin(np.sqrt(share)), se / (2 * np.sqrt(pq))
            return np.sin(a - t * s) ** 2, np.sin(a + t * s) ** 2
        alpha = 1 - level
        n_eff = pq / se**2 * (stats.t.ppf(alpha / 2, n_rows - 1) / stats.t.ppf(alpha / 2, df)) ** 2
        low = stats.beta.ppf(alpha / 2, n_eff * share, n_eff * (1 - share) + 1)
        high = stats.beta.ppf(1 - alpha / 2, n_eff * share + 1, n_eff * (1 - share))
        return low, high


def _woodruff(design, x, inside, probs, rule, level, df, interval="mean"):
    """Estimates, interval ends and SEs for one domain (rows ``inside``)."""
    w = design.weights.to_numpy()
    s = _Sorted(x[inside], w[inside])
    if s.n < 2:
        nan = np.full(len(probs), math.nan)
        return nan, nan, nan, nan
    fn = _RULES[rule]
    est = fn(s, probs)
    wsum = float(w[inside].sum())
    below = (x[:, None] <= est[None, :]) & inside[:, None]
    share = (w[:, None] * below).sum(axis=0) / wsum
    z = np.where(inside[:, None], (below - share) / wsum, 0.0)
    var = np.atleast_2d(design.linearized_variance(z))
    se_p = np.sqrt(np.diag(var))
    low, high, se = _woodruff_ends(s, fn, share, se_p, interval, level, df, int(inside.sum()))
    return est, low, high, se


def _woodruff_ends(s: _Sorted, fn, share, se_p, interval, level, df, n_rows):
    """Woodruff's interval ends and R's SE from the share below each quantile and its SE:
    the share's interval read back through the quantile rule ``fn`` (shared by both designs)."""
    t = critical_value(level, float(df))
    lo_p, hi_p = _share_interval(share, se_p, interval, level, df, n_rows)
    low = np.full(len(share), math.nan)
    high = np.full(len(share), math.nan)
    ok_lo, ok_hi = lo_p >= 0, hi_p <= 1  # False for nan too: R's NaN ends
    if ok_lo.any():
        low[ok_lo] = fn(s, lo_p[ok_lo])
    if ok_hi.any():
        high[ok_hi] = fn(s, hi_p[ok_hi])
    return low, high, (high - low) / (2 * t)


def survey_quantile(
    design: SurveyDesign,
    column: str,
    q: float | Sequence[float] = 0.5,
    *,
    by: str | Sequence[str] | None = None,
    confidence_level: float = 0.95,
    rule: str = "math",
    interval: str = "mean",
    df: float | None = None,
) -> pd.DataFrame:
    """Quantiles of a numeric column with Woodruff intervals (the engine of ``design.quantile``).

    Parameters and result are those of :meth:`polls.SurveyDesign.quantile`.

    Examples
    --------
    >>> import pandas as pd, polls
    >>> from polls.quantiles import survey_quantile
    >>> d = polls.SurveyDesign(pd.DataFrame({"y": [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]}))
    >>> survey_quantile(d, "y", 0.5)["estimate"].tolist()
    [3.0]
    """
    level = check_confidence_level(confidence_level)
    rule = check_choice("rule", rule, QUANTILE_RULES)
    interval = check_choice("interval", interval, QUANTILE_INTERVALS)
    probs = _check_probs(q)
    x, ok = design._numeric(column)
    names, labels, masks = design._domains(by)
    rows = []
    for key, mask in zip(labels, masks, strict=True):
        inside = mask & ok & (design.weights.to_numpy() > 0)
        dfi = design._domain_df(inside) if df is None else float(df)
        est, low, high, se = _woodruff(design, x, inside, probs, rule, level, dfi, interval)
        method = "woodruff" if interval == "mean" else f"woodruff-{interval}"
        for i, p in enumerate(probs):
            rows.append([*key, float(p), est[i], low[i], high[i], level, se[i],
                         int(inside.sum()), method, rule, dfi])
    cols = [*names, "q", "estimate", "ci_low", "ci_high", "confidence_level", "se", "n",
            "method", "rule", "df"]
    return pd.DataFrame(rows, columns=cols)
