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

from dataclasses import dataclass
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
)
from polls._share_limits import (
    _index_of,
    _is_scalar,
    _limits_rounded,
    _out,
    _z,
    check_precision,
)
from polls.errors import InvalidArgumentError
from polls.results import ConfidenceInterval, _column, _scalar

__all__ = [
    "METHODS",
    "ProportionEstimate",
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


@dataclass(frozen=True)
class ProportionEstimate:
    """A share with its interval, from :func:`polls.proportion_estimate`.

    Attributes hold scalars, or numpy arrays for vectorised calls. ``n_eff`` is ``n / deff``;
    ``precision`` is the rounding step taken into account (``None`` when rounding is ignored).
    """

    estimate: float | np.ndarray
    low: float | np.ndarray
    high: float | np.ndarray
    n: float | np.ndarray
    n_eff: float | np.ndarray
    deff: float | np.ndarray
    confidence_level: float
    method: str
    precision: float | np.ndarray | None = None

    @property
    def se(self) -> float | np.ndarray:
        """The simple standard error ``sqrt(p (1 - p) / n_eff)``."""
        p = np.asarray(self.estimate, dtype=float)
        return _scalar(np.sqrt(p * (1 - p) / np.asarray(self.n_eff, dtype=float)))

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """The interval at ``confidence_level`` (default: the level the estimate was made at)."""
        if confidence_level is None or confidence_level == self.confidence_level:
            return ConfidenceInterval(self.low, self.high)
        return proportion_ci(
            self.estimate, self.n, method=self.method, confidence_level=confidence_level,
            deff=self.deff, precision=self.precision,
        )

    def summary(self, lang: str = "en", *, what: str | None = None) -> str:
        """The estimate in one sentence, in ``lang`` ("en", "ru", "sr" or "sr-Cyrl").

        ``what`` names the share (default "Estimate"). Example: "Support: 74% (95% interval:
        72% to 76%; n = 1,600)." Only for a single estimate (not a vectorised call).
        """
        from polls._summaries import proportion

        return proportion(self, lang, what=what)

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)

    def to_frame(self):
        """A tidy frame: ``estimate, ci_low, ci_high, confidence_level, se, n, n_eff, method``."""
        est = _column(self.estimate)
        size = est.size
        return pd.DataFrame({
            "estimate": est,
            "ci_low": np.broadcast_to(_column(self.low), size),
            "ci_high": np.broadcast_to(_column(self.high), size),
            "confidence_level": self.confidence_level,
            "se": np.broadcast_to(_column(self.se), size),
            "n": np.broadcast_to(_column(self.n), size),
            "n_eff": np.broadcast_to(_column(self.n_eff), size),
            "method": self.method,
        })


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
    :class:`~polls.ProportionEstimate` with ``.confidence_interval(confidence_level=...)``
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
