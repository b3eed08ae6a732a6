"""Confidence intervals and margins of error for published shares.

Everything here works from what a pollster publishes: a share (a proportion in [0, 1]), a sample
size and, where known, a design effect. The design effect enters through the effective sample size
``n_eff = n / deff``, which may be fractional. Functions are vectorised over numpy arrays and pandas
Series (a Series in gives a Series out, with the same index; several Series are paired by index
label, never by position).

Methods of :func:`proportion_ci` (see ``docs/uncertainty.md``):

``wald``
    ``p +/- z sqrt(p (1 - p) / n)``, clipped to [0, 1]. Kept for comparison; it undercovers badly
    near 0 and 1 and collapses to a point at 0% or 100%.
``wilson``
    The score interval of Wilson (1927); R's ``prop.test(correct = FALSE)``. The default.
``wilson_cc``
    Wilson's interval with a continuity correction (Newcombe 1998, method 4), as R's
    ``prop.test(correct = TRUE)`` (R drops the correction when the count equals exactly
    ``n / 2``; this function never does).
``agresti_coull``
    Agresti and Coull (1998): the Wald interval around ``(x + z^2/2) / (n + z^2)``, clipped.
``clopper_pearson``
    The "exact" interval from beta quantiles (R's ``binom.test``).
``jeffreys``
    The equal-tailed Bayesian interval under a Beta(1/2, 1/2) prior, with the lower limit set
    to 0 at a count of 0 and the upper limit to 1 at a count of n (Brown, Cai and DasGupta 2001).

Every interval contains its share. For Jeffreys' interval below one effective count (``x < 1``
with a fractional effective sample size) both equal tails can lie above the share; the limit is
then moved to the share itself, which continues the rule at a count of 0. The same guard removes
rounding noise of the last bit at 0% and 100%.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from polls._checks import (
    align,
    as_float_array,
    broadcast,
    check_at_least,
    check_choice,
    check_confidence_level,
    check_positive,
    check_share,
    critical_value,
)
from polls.errors import InvalidArgumentError
from polls.results import ConfidenceInterval, ProportionEstimate

__all__ = [
    "METHODS",
    "proportion_ci",
    "proportion_estimate",
    "margin_of_error",
    "implied_design_effect",
    "effective_n",
    "design_effect",
]

#: Interval methods of :func:`proportion_ci`.
METHODS: tuple[str, ...] = (
    "wilson",
    "wald",
    "wilson_cc",
    "agresti_coull",
    "clopper_pearson",
    "jeffreys",
)


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
        else:  # pragma: no cover - checked by the callers
            raise InvalidArgumentError(f"method must be one of {METHODS}; got {method!r}")
    # every interval contains its share (see the module notes)
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


# --------------------------------------------------------------------------- public


def proportion_ci(
    share: Any,
    n: Any,
    *,
    method: str = "wilson",
    confidence_level: float = 0.95,
    deff: Any = 1.0,
    precision: Any = None,
) -> ConfidenceInterval:
    """Confidence interval for a published share.

    Parameters
    ----------
    share : float, array-like or pandas.Series
        Proportion(s) in [0, 1]. For a count ``x`` out of ``n`` pass ``x / n``.
    n : float or array-like
        Sample size(s), positive; broadcast against ``share``.
    method : {"wilson", "wald", "wilson_cc", "agresti_coull", "clopper_pearson", "jeffreys"}
        Interval method (module docstring and ``docs/uncertainty.md``).
    confidence_level : float, default 0.95
        Two-sided confidence level, strictly between 0 and 1.
    deff : float or array-like, default 1.0
        Design effect, at least 1; the interval uses the effective sample size ``n / deff``
        (fractional sizes are fine: counts become ``share * n / deff``).
    precision : float or array-like, optional
        Rounding step of the published figure as a proportion (0.01 for whole percents). The
        true share may lie anywhere within +/- precision/2 of ``share``; the interval is then
        the union of the intervals over that range (clipped to [0, 1]). ``None`` ignores rounding.

    Returns
    -------
    ConfidenceInterval
        ``low`` and ``high``: floats for scalar input, arrays for arrays, Series (with the index
        of the input Series) for Series.

    Raises
    ------
    InvalidArgumentError
        For shares outside [0, 1], n <= 0, deff < 1, NaN, infinity or text, shapes that do not
        broadcast, Series whose index labels differ, an unknown method or a confidence level
        outside (0, 1).

    Examples
    --------
    >>> import polls
    >>> low, high = polls.proportion_ci(0.76, 1600)
    >>> round(low, 4), round(high, 4)
    (0.7385, 0.7803)
    >>> ci = polls.proportion_ci(0.76, 1600, deff=1.9)
    >>> round(ci.width, 4)
    0.0576
    """
    check_choice("method", method, METHODS)
    level = check_confidence_level(confidence_level)
    share, n, deff, precision = align(share=share, n=n, deff=deff, precision=precision).values()
    p = check_share("share", share)
    size = check_positive("n", n)
    d = check_at_least("deff", deff, 1.0)
    prec = check_precision(precision)
    arrays = {"share": p, "n": size, "deff": d}
    if prec is not None:
        arrays["precision"] = prec
    parts = broadcast(**arrays)
    p, size, d = parts[:3]
    prec = parts[3] if prec is not None else None
    low, high = _limits_rounded(p, size / d, method, _z(level), prec)
    index = _index_of(share, n, deff, precision)
    scalar = _is_scalar(share, n, deff, precision)
    return ConfidenceInterval(_out(low, index, scalar), _out(high, index, scalar))


def proportion_estimate(
    share: Any,
    n: Any,
    *,
    method: str = "wilson",
    confidence_level: float = 0.95,
    deff: Any = 1.0,
    precision: Any = None,
) -> ProportionEstimate:
    """A published share with its interval, standard error and effective sample size.

    Takes the arguments of :func:`proportion_ci` and returns a
    :class:`~polls.results.ProportionEstimate` with ``.confidence_interval(confidence_level=...)``
    and ``.to_frame()``.

    Examples
    --------
    >>> import polls
    >>> est = polls.proportion_estimate(0.76, 1600, deff=2)
    >>> est.n_eff
    800.0
    >>> round(est.se, 4)
    0.0151
    >>> low, high = est.confidence_interval(confidence_level=0.9)
    >>> round(low, 3), round(high, 3)
    (0.734, 0.784)
    """
    share, n, deff, precision = align(share=share, n=n, deff=deff, precision=precision).values()
    ci = proportion_ci(
        share, n, method=method, confidence_level=confidence_level, deff=deff, precision=precision
    )
    scalar = _is_scalar(share, n, deff, precision)
    p, size, d = broadcast(
        share=as_float_array("share", share),
        n=as_float_array("n", n),
        deff=as_float_array("deff", deff),
    )
    prec = None if precision is None else _out(np.asarray(precision, dtype=float), None, scalar)
    return ProportionEstimate(
        estimate=_out(p, None, scalar),
        low=ci.low if scalar else np.asarray(ci.low),
        high=ci.high if scalar else np.asarray(ci.high),
        n=_out(size, None, scalar),
        n_eff=_out(size / d, None, scalar),
        deff=_out(d, None, scalar),
        confidence_level=float(confidence_level),
        method=method,
        precision=prec,
    )


def margin_of_error(
    n: Any, *, p: Any = 0.5, confidence_level: float = 0.95, deff: Any = 1.0
) -> Any:
    """Margin of error ``z * sqrt(deff * p * (1 - p) / n)`` of a share, as a proportion.

    This is the half-width of the Wald interval, the figure pollsters usually print ("+/- 3.4
    points"); ``p = 0.5`` gives the largest margin for a given ``n``.

    Parameters
    ----------
    n : float or array-like
        Sample size(s), positive.
    p : float or array-like, default 0.5
        Share level(s) in [0, 1].
    confidence_level : float, default 0.95
        Two-sided confidence level.
    deff : float or array-like, default 1.0
        Design effect, at least 1.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        The margin as a proportion (0.034 for 3.4 points).

    Examples
    --------
    >>> import polls
    >>> round(polls.margin_of_error(1600), 4)
    0.0245
    >>> round(polls.margin_of_error(1600, deff=1.9), 4)
    0.0338
    """
    level = check_confidence_level(confidence_level)
    n, p, deff = align(n=n, p=p, deff=deff).values()
    size = check_positive("n", n)
    share = check_share("p", p)
    d = check_at_least("deff", deff, 1.0)
    size, share, d = broadcast(n=size, p=share, deff=d)
    moe = _z(level) * np.sqrt(d * share * (1 - share) / size)
    return _out(moe, _index_of(n, p, deff), _is_scalar(n, p, deff))


def implied_design_effect(
    moe: Any, n: Any, *, p: Any = 0.5, confidence_level: float = 0.95
) -> Any:
    """The design effect implied by a stated margin of error (the inverse of
    :func:`margin_of_error`): ``(moe / (z * sqrt(p * (1 - p) / n)))**2``.

    Pollsters often state a margin larger than the simple-random-sampling one because their
    samples are clustered and weighted; the ratio of the squares is the design effect they
    assume, usable as ``deff=`` everywhere in :mod:`polls`. A result below 1 means the stated
    margin is smaller than simple random sampling would give; it is returned as computed.

    Parameters
    ----------
    moe : float or array-like
        Stated margin(s) as proportions (0.034 for "3.4 points"), in (0, 1).
    n : float or array-like
        The sample size the margin is stated for.
    p : float or array-like, default 0.5
        The share level the margin is stated for, strictly between 0 and 1.
    confidence_level : float, default 0.95
        The confidence level the margin is stated at.

    Returns
    -------
    float, numpy.ndarray or pandas.Series

    Examples
    --------
    Levada states a maximum error of 3.4 points at 50% for n = 1,600 (95% level):

    >>> import polls
    >>> round(polls.implied_design_effect(0.034, 1600), 2)
    1.93
    """
    level = check_confidence_level(confidence_level)
    moe, n, p = align(moe=moe, n=n, p=p).values()
    m = check_positive("moe", moe)
    if (m >= 1).any():
        first = m.ravel()[np.flatnonzero((m >= 1).ravel())[0]]
        raise InvalidArgumentError(
            f"moe must be a proportion below 1, got {first!r} (pass 3.4 points as 0.034)"
        )
    size = check_positive("n", n)
    share = check_share("p", p)
    if ((share <= 0) | (share >= 1)).any():
        first = share.ravel()[np.flatnonzero(((share <= 0) | (share >= 1)).ravel())[0]]
        raise InvalidArgumentError(f"p must lie strictly between 0 and 1, got {first!r}")
    m, size, share = broadcast(moe=m, n=size, p=share)
    srs = _z(level) * np.sqrt(share * (1 - share) / size)
    return _out((m / srs) ** 2, _index_of(moe, n, p), _is_scalar(moe, n, p))


def _check_weights(weights: Any) -> np.ndarray:
    w = check_positive("weights", weights)
    if w.ndim != 1:
        raise InvalidArgumentError(f"weights must be one-dimensional, got shape {w.shape}")
    if w.size == 0:
        raise InvalidArgumentError("weights must not be empty")
    return w


def effective_n(weights: Any) -> float:
    """Kish's effective sample size ``(sum w)**2 / sum(w**2)`` of respondent weights.

    Parameters
    ----------
    weights : array-like
        One positive weight per respondent.

    Returns
    -------
    float

    Examples
    --------
    >>> import polls
    >>> round(polls.effective_n([1, 1, 1, 1, 2, 2]), 4)
    5.3333
    """
    w = _check_weights(weights)
    w = w / w.max()  # scale-free: no overflow for huge weights, no underflow for tiny ones
    return float(w.sum() ** 2 / (w * w).sum())


def design_effect(weights: Any) -> float:
    """Kish's design effect of unequal weighting, ``n * sum(w**2) / (sum w)**2 = 1 + cv**2``.

    ``cv`` is the coefficient of variation of the weights (population standard deviation over the
    mean). It is at least 1 and measures only the loss from weighting, not from clustering.

    Parameters
    ----------
    weights : array-like
        One positive weight per respondent.

    Returns
    -------
    float

    Examples
    --------
    >>> import polls
    >>> polls.design_effect([1, 1, 1, 1, 2, 2])
    1.125
    """
    w = _check_weights(weights)
    w = w / w.max()
    return float(w.size * (w * w).sum() / w.sum() ** 2)
