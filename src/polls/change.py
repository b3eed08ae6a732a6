"""Did it really change? Differences between shares, with intervals and tests.

- :func:`compare_proportions`: two independent samples (two waves of a tracker, two pollsters).
- :func:`lead`: two options of the same poll (their estimates are negatively correlated).
- :class:`Comparison`: what both give, the difference with its interval and test.
- :func:`changes`: wave-to-wave changes over a toplines frame, with optional multiple-comparison
  corrections; :func:`with_ci`: a toplines frame with interval columns added.

Design effects enter through effective sample sizes ``n / deff``; the rounding-aware option
(``precision=`` / ``rounding=True``) lets each published share lie anywhere within +/- half its
rounding step. See ``docs/uncertainty.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import (
    align,
    broadcast,
    check_at_least,
    check_choice,
    check_confidence_level,
    check_positive,
    check_share,
)
from polls._frames import (
    check_share_values,
    dates,
    numbers,
    per_row,
    resolve_sample_sizes,
    row_labels,
)
from polls._share_limits import (
    _is_scalar,
    _limits,
    _limits_rounded,
    _z,
    check_precision,
)
from polls.errors import InvalidArgumentError, PollsWarning
from polls.intervals import METHODS
from polls.results import ConfidenceInterval, _column, _scalar

__all__ = [
    "Comparison",
    "COMPARE_METHODS",
    "ALTERNATIVES",
    "CORRECTIONS",
    "compare_proportions",
    "lead",
    "changes",
    "with_ci",
    "adjust_pvalues",
]

#: Interval methods of :func:`compare_proportions`.
COMPARE_METHODS: tuple[str, ...] = ("newcombe", "wald")
#: Alternatives of the tests (scipy's vocabulary).
ALTERNATIVES: tuple[str, ...] = ("two-sided", "less", "greater")
#: Multiple-comparison corrections of :func:`changes` and :func:`adjust_pvalues`.
CORRECTIONS: tuple[str, ...] = ("holm", "fdr_bh")


# --------------------------------------------------------------------------- helpers


def _pvalue(z: np.ndarray, alternative: str) -> np.ndarray:
    from scipy.special import ndtr

    if alternative == "two-sided":
        return 2 * ndtr(-np.abs(z))
    if alternative == "greater":
        return ndtr(-z)
    return ndtr(z)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0/0 read as 0 (no difference, no spread) and x/0 as +/-inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    return np.where((den == 0) & (num == 0), 0.0, out)


def _scaled(t1: np.ndarray, t2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The larger share ``s`` (1 where both are 0) and both shares divided by it."""
    s = np.maximum(t1, t2)
    s = np.where(s > 0, s, 1.0)
    return s, t1 / s, t2 / s


def _diff_limits(p1, ne1, p2, ne2, method, z):
    """Two-sided limits for ``p1 - p2`` from independent samples."""
    d = p1 - p2
    if method == "newcombe":
        l1, u1 = _limits(p1, ne1, "wilson", z)
        l2, u2 = _limits(p2, ne2, "wilson", z)
        low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    else:
        half = z * np.sqrt(p1 * (1 - p1) / ne1 + p2 * (1 - p2) / ne2)
        low, high = d - half, d + half
    return np.clip(low, -1.0, 1.0), np.clip(high, -1.0, 1.0)


def _lead_limits(pa, pb, ne, z):
    d = pa - pb
    se = np.sqrt(np.maximum(pa + pb - d * d, 0.0) / ne)
    return np.clip(d - z * se, -1.0, 1.0), np.clip(d + z * se, -1.0, 1.0)


def _box(p, h):
    if h is None:
        return p, p
    return np.clip(p - h / 2, 0, 1), np.clip(p + h / 2, 0, 1)


def _least_different(a1, b1, a2, b2, alternative):
    """The point of the box [a1, b1] x [a2, b2] that favours the null hypothesis most.

    Two-sided: the smallest ``|p1 - p2|`` (equal shares when the ranges overlap); "greater":
    the smallest ``p1 - p2``; "less": the largest.
    """
    if alternative == "greater":
        return a1, b2
    if alternative == "less":
        return b1, a2
    lo, hi = np.maximum(a1, a2), np.minimum(b1, b2)
    overlap = lo <= hi
    mid = (lo + hi) / 2
    above = a1 > b2  # the whole first range lies above the second
    q1 = np.where(overlap, mid, np.where(above, a1, b1))
    q2 = np.where(overlap, mid, np.where(above, b2, a2))
    return q1, q2


def _envelope(func, a1, b1, a2, b2, p1, p2):
    """Envelope of the intervals ``func(x1, x2)`` over the corners and centre of a box."""
    lows, highs = [], []
    for x1, x2 in ((p1, p2), (a1, a2), (a1, b2), (b1, a2), (b1, b2)):
        lo, hi = func(x1, x2)
        lows.append(lo)
        highs.append(hi)
    return np.minimum.reduce(lows), np.maximum.reduce(highs)


def _compare(p1, n1, p2, n2, deff1, deff2, method, level, alternative, prec1, prec2):
    """Vectorised core of :func:`compare_proportions` on checked, broadcast arrays."""
    z = _z(level)
    ne1, ne2 = n1 / deff1, n2 / deff2
    a1, b1 = _box(p1, prec1)
    a2, b2 = _box(p2, prec2)
    low, high = _envelope(lambda x1, x2: _diff_limits(x1, ne1, x2, ne2, method, z),
                          a1, b1, a2, b2, p1, p2)
    if prec1 is None and prec2 is None:
        t1, t2 = p1, p2
    else:
        t1, t2 = _least_different(a1, b1, a2, b2, alternative)
    # the z statistic on shares divided by the larger one (s), so that tiny shares do not
    # underflow to a zero variance: z = sqrt(s) (a1 - a2) / sqrt(var / s), a = t / s
    s, a1, a2 = _scaled(t1, t2)
    if method == "newcombe":  # score (pooled) z test
        pooled = (a1 * ne1 + a2 * ne2) / (ne1 + ne2)  # the pooled share / s
        var = pooled * (1 - pooled * s) * (1 / ne1 + 1 / ne2)
    else:  # Wald z test
        var = a1 * (1 - t1) / ne1 + a2 * (1 - t2) / ne2
    statistic = _ratio(np.sqrt(s) * (a1 - a2), np.sqrt(var))
    se = np.sqrt(p1 * (1 - p1) / ne1 + p2 * (1 - p2) / ne2)
    return p1 - p2, low, high, statistic, _pvalue(statistic, alternative), se


def _shape(arr: np.ndarray, scalar: bool):
    return float(arr) if scalar else arr


# --------------------------------------------------------------------------- public


@dataclass(frozen=True)
class Comparison:
    """A difference of two shares with its interval and test.

    Made by :func:`polls.compare_proportions` (two independent samples, ``kind="independent"``;
    ``difference = p1 - p2``) and :func:`polls.lead` (two options of one poll,
    ``kind="lead"``; ``difference = p_a - p_b``). ``statistic`` is a z statistic and ``pvalue``
    its p-value under ``alternative``; ``se`` is the standard error of the difference.
    Attributes hold scalars, or numpy arrays for vectorised calls.
    """

    difference: float | np.ndarray
    low: float | np.ndarray
    high: float | np.ndarray
    statistic: float | np.ndarray
    pvalue: float | np.ndarray
    se: float | np.ndarray
    confidence_level: float
    alternative: str
    method: str
    kind: str
    p1: float | np.ndarray
    p2: float | np.ndarray
    n1: float | np.ndarray
    n2: float | np.ndarray
    deff1: float | np.ndarray = 1.0
    deff2: float | np.ndarray = 1.0
    precision1: float | np.ndarray | None = None
    precision2: float | np.ndarray | None = None

    @property
    def n_eff1(self) -> float | np.ndarray:
        """Effective sample size of the first share, ``n1 / deff1``."""
        return _scalar(np.asarray(self.n1, dtype=float) / np.asarray(self.deff1, dtype=float))

    @property
    def n_eff2(self) -> float | np.ndarray:
        """Effective sample size of the second share, ``n2 / deff2``."""
        return _scalar(np.asarray(self.n2, dtype=float) / np.asarray(self.deff2, dtype=float))

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """The interval of the difference at ``confidence_level`` (default: the level used)."""
        if confidence_level is None or confidence_level == self.confidence_level:
            return ConfidenceInterval(self.low, self.high)
        if self.kind == "lead":
            res = lead(
                self.p1, self.p2, self.n1, deff=self.deff1, confidence_level=confidence_level,
                alternative=self.alternative, precision=self.precision1,
            )
        else:
            scalar = np.ndim(self.difference) == 0
            res = _compare_checked(
                self.p1, self.n1, self.p2, self.n2, self.deff1, self.deff2, self.method,
                check_confidence_level(confidence_level), self.alternative, self.precision1,
                self.precision2, scalar=scalar,
            )
        return ConfidenceInterval(res.low, res.high)

    def summary(self, lang: str = "en", *, what: str | None = None,
                labels: tuple[str, str] | None = None) -> str:
        """The change (or lead) in one sentence, in ``lang`` ("en", "ru", "sr" or "sr-Cyrl").

        From :func:`polls.compare_proportions` the first share is read as the later wave: "The
        share fell 7 points, from 81% to 74% (95% interval for the change: 4 to 10 points); a
        change this large is unlikely from sampling noise alone (p < 0.001)." With ``labels``
        (the two samples' names, e.g. two pollsters) it is a difference between them instead.
        From :func:`polls.lead`, ``labels`` names the two options. ``what`` names the share.
        """
        from polls._summaries import comparison

        return comparison(self, lang, what=what, labels=labels)

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)

    def to_frame(self):
        """A tidy frame.

        Columns: ``estimate`` (the difference), ``ci_low, ci_high, confidence_level, se``,
        ``n`` and ``n_eff`` (for a lead the poll's sizes; for two samples the sums), ``method``,
        ``statistic, pvalue, alternative``, then ``p1, p2, n1, n2, n_eff1, n_eff2``.
        """
        est = _column(self.difference)
        size = est.size

        def col(value):
            return np.broadcast_to(_column(value), size)

        if self.kind == "lead":
            n, n_eff = col(self.n1), col(self.n_eff1)
        else:
            n, n_eff = col(self.n1) + col(self.n2), col(self.n_eff1) + col(self.n_eff2)
        return pd.DataFrame({
            "estimate": est,
            "ci_low": col(self.low),
            "ci_high": col(self.high),
            "confidence_level": self.confidence_level,
            "se": col(self.se),
            "n": n,
            "n_eff": n_eff,
            "method": self.method,
            "statistic": col(self.statistic),
            "pvalue": col(self.pvalue),
            "alternative": self.alternative,
            "p1": col(self.p1),
            "p2": col(self.p2),
            "n1": col(self.n1),
            "n2": col(self.n2),
            "n_eff1": col(self.n_eff1),
            "n_eff2": col(self.n_eff2),
        })



def compare_proportions(
    p1: Any,
    n1: Any,
    p2: Any,
    n2: Any,
    *,
    deff1: Any = 1.0,
    deff2: Any = 1.0,
    method: str = "newcombe",
    alternative: str = "two-sided",
    confidence_level: float = 0.95,
    precision: Any = None,
) -> Comparison:
    """Difference ``p1 - p2`` between shares from two independent samples.

    Parameters
    ----------
    p1, p2 : float or array-like
        Shares (proportions in [0, 1]), e.g. the later and the earlier wave of a tracker.
    n1, n2 : float or array-like
        Sample sizes, positive.
    deff1, deff2 : float or array-like, default 1.0
        Design effects (at least 1); each sample counts with ``n / deff``.
    method : {"newcombe", "wald"}, default "newcombe"
        ``"newcombe"``: Newcombe's hybrid score interval (method 10 of Newcombe 1998, built from
        the two Wilson intervals) with the score (pooled-variance) z test of no difference,
        which is R's ``prop.test(correct = FALSE)``. ``"wald"``: the Wald interval
        ``d +/- z se`` with the Wald z test (unpooled variance).
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"greater"`` tests whether ``p1 > p2``. The interval is always two-sided.
    confidence_level : float, default 0.95
    precision : float or array-like, optional
        Rounding step of both published shares (0.01 for whole percents). The interval becomes
        the envelope of the intervals at the centre and the four corners of the rounding box
        (each share +/- precision/2, clipped to [0, 1]); for Newcombe's interval that is the
        union over the whole box, while Wald's limits can bulge slightly past the corners near
        0% or 100%. The test is evaluated at the point of the box that favours "no difference"
        most, so a change that rounding could explain is not called significant.

    Returns
    -------
    Comparison
        ``.difference``, ``.statistic`` (z), ``.pvalue``, ``.se``, ``.confidence_interval()``,
        ``.to_frame()``. Arrays for array input.

    Examples
    --------
    Support fell from 81% to 74% between two waves of 1,600 respondents each:

    >>> import polls
    >>> res = polls.compare_proportions(0.74, 1600, 0.81, 1600)
    >>> round(res.difference, 2), res.pvalue < 0.001
    (-0.07, True)
    >>> low, high = res.confidence_interval()
    >>> round(low, 4), round(high, 4)
    (-0.0988, -0.0411)
    """
    check_choice("method", method, COMPARE_METHODS)
    check_choice("alternative", alternative, ALTERNATIVES)
    level = check_confidence_level(confidence_level)
    p1, n1, p2, n2, deff1, deff2, precision = align(
        p1=p1, n1=n1, p2=p2, n2=n2, deff1=deff1, deff2=deff2, precision=precision).values()
    prec = check_precision(precision)
    return _compare_checked(
        p1, n1, p2, n2, deff1, deff2, method, level, alternative, prec, prec,
        scalar=_is_scalar(p1, n1, p2, n2, deff1, deff2, precision),
    )


def _compare_checked(p1, n1, p2, n2, deff1, deff2, method, level, alternative, prec1, prec2,
                     *, scalar):
    arrays = {
        "p1": check_share("p1", p1),
        "n1": check_positive("n1", n1),
        "p2": check_share("p2", p2),
        "n2": check_positive("n2", n2),
        "deff1": check_at_least("deff1", deff1, 1.0),
        "deff2": check_at_least("deff2", deff2, 1.0),
    }
    if prec1 is not None:
        arrays["precision1"] = np.asarray(prec1, dtype=float)
    if prec2 is not None:
        arrays["precision2"] = np.asarray(prec2, dtype=float)
    parts = dict(zip(arrays, broadcast(**arrays), strict=True))
    q1, m1, q2, m2, d1, d2 = (parts[k] for k in ("p1", "n1", "p2", "n2", "deff1", "deff2"))
    h1, h2 = parts.get("precision1"), parts.get("precision2")
    diff, low, high, stat, pval, se = _compare(q1, m1, q2, m2, d1, d2, method, level,
                                               alternative, h1, h2)
    s = lambda a: _shape(a, scalar)  # noqa: E731
    return Comparison(
        difference=s(diff), low=s(low), high=s(high), statistic=s(stat), pvalue=s(pval),
        se=s(se), confidence_level=level, alternative=alternative, method=method,
        kind="independent", p1=s(q1), p2=s(q2), n1=s(m1), n2=s(m2), deff1=s(d1), deff2=s(d2),
        precision1=None if h1 is None else s(h1), precision2=None if h2 is None else s(h2),
    )


def lead(
    p_a: Any,
    p_b: Any,
    n: Any,
    *,
    deff: Any = 1.0,
    alternative: str = "two-sided",
    confidence_level: float = 0.95,
    precision: Any = None,
) -> Comparison:
    """The lead ``p_a - p_b`` of one option over another in the same poll.

    Both shares come from the same respondents, so their estimates are negatively correlated
    (multinomial covariance ``-p_a p_b / n``) and the variance of the lead is
    ``(p_a + p_b - (p_a - p_b)**2) / n_eff`` (Franklin, "The margin of error for differences in
    polls", 2007; Kish 1965). The interval is ``lead +/- z se`` and the test is the z test
    ``lead / se``.

    Parameters
    ----------
    p_a, p_b : float or array-like
        Shares of the two options (proportions, ``p_a + p_b <= 1`` up to rounding).
    n : float or array-like
        Sample size, positive.
    deff : float or array-like, default 1.0
        Design effect (at least 1); the poll counts with ``n / deff``.
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"greater"`` tests whether ``p_a > p_b``.
    confidence_level : float, default 0.95
    precision : float or array-like, optional
        Rounding step of the published shares; the interval becomes the envelope over the
        rounding box and the test is evaluated at the point of the box nearest to a tie.

    Returns
    -------
    Comparison
        With ``kind="lead"``, ``.difference``, ``.statistic``, ``.pvalue``, ``.se``,
        ``.confidence_interval()`` and ``.to_frame()``.

    Examples
    --------
    Peace talks 55% against continuing the war 36%, n = 1,600 with a design effect of 1.9:

    >>> import polls
    >>> res = polls.lead(0.55, 0.36, 1600, deff=1.9)
    >>> round(res.se, 4)
    0.0322
    >>> low, high = res.confidence_interval()
    >>> round(low, 3), round(high, 3)
    (0.127, 0.253)
    """
    check_choice("alternative", alternative, ALTERNATIVES)
    level = check_confidence_level(confidence_level)
    p_a, p_b, n, deff, precision = align(
        p_a=p_a, p_b=p_b, n=n, deff=deff, precision=precision).values()
    prec = check_precision(precision)
    arrays = {
        "p_a": check_share("p_a", p_a),
        "p_b": check_share("p_b", p_b),
        "n": check_positive("n", n),
        "deff": check_at_least("deff", deff, 1.0),
    }
    if prec is not None:
        arrays["precision"] = prec
    parts = dict(zip(arrays, broadcast(**arrays), strict=True))
    pa, pb, size, d = parts["p_a"], parts["p_b"], parts["n"], parts["deff"]
    h = parts.get("precision")
    slack = 1e-9 if h is None else h + 1e-9
    over = pa + pb > 1 + slack
    if over.any():
        i = np.flatnonzero(over.ravel())[0]
        raise InvalidArgumentError(
            f"p_a + p_b must not exceed 1 (shares of one poll), got p_a={pa.ravel()[i]!r}, "
            f"p_b={pb.ravel()[i]!r}"
        )
    z = _z(level)
    ne = size / d
    a1, b1 = _box(pa, h)
    a2, b2 = _box(pb, h)
    low, high = _envelope(lambda x1, x2: _lead_limits(x1, x2, ne, z), a1, b1, a2, b2, pa, pb)
    t1, t2 = (pa, pb) if h is None else _least_different(a1, b1, a2, b2, alternative)
    diff = pa - pb
    se = np.sqrt(np.maximum(pa + pb - diff**2, 0.0) / ne)
    s, a1, a2 = _scaled(t1, t2)  # as in compare_proportions: no underflow for tiny shares
    stat = _ratio(np.sqrt(s) * (a1 - a2), np.sqrt(np.maximum(a1 + a2 - s * (a1 - a2) ** 2, 0.0)
                                                   / ne))
    scalar = _is_scalar(p_a, p_b, n, deff, precision)
    s = lambda a: _shape(a, scalar)  # noqa: E731
    return Comparison(
        difference=s(diff), low=s(low), high=s(high), statistic=s(stat),
        pvalue=s(_pvalue(stat, alternative)), se=s(se), confidence_level=level,
        alternative=alternative, method="multinomial", kind="lead", p1=s(pa), p2=s(pb),
        n1=s(size), n2=s(size), deff1=s(d), deff2=s(d),
        precision1=None if h is None else s(h), precision2=None if h is None else s(h),
    )


def adjust_pvalues(pvalues: Any, method: str = "holm") -> Any:
    """Adjust p-values for multiple comparisons.

    Parameters
    ----------
    pvalues : array-like or pandas.Series
        P-values in [0, 1] of one family of tests.
    method : {"holm", "fdr_bh"}, default "holm"
        ``"holm"``: Holm's step-down adjustment (controls the family-wise error rate).
        ``"fdr_bh"``: Benjamini-Hochberg (controls the false discovery rate).

    Returns
    -------
    numpy.ndarray or pandas.Series
        Adjusted p-values in the input order (a Series keeps its index).

    Examples
    --------
    >>> import polls
    >>> polls.adjust_pvalues([0.01, 0.04, 0.03], method="holm").round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    check_choice("method", method, CORRECTIONS)
    p = check_share("pvalues", pvalues).ravel()
    m = p.size
    out = np.empty(m)
    if m:
        order = np.argsort(p, kind="mergesort")
        ranked = p[order]
        if method == "holm":
            adj = np.maximum.accumulate((m - np.arange(m)) * ranked)
        else:
            adj = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
        out[order] = np.minimum(adj, 1.0)
    if isinstance(pvalues, pd.Series):
        return pd.Series(out, index=pvalues.index, name=pvalues.name)
    return out


# --------------------------------------------------------------------------- frames


def _require_frame(data: Any) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgumentError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    return data


def _require_columns(data: pd.DataFrame, **columns: str | None) -> None:
    for arg, col in columns.items():
        try:
            known = col is not None and col in data.columns
        except TypeError:  # unhashable, e.g. a list
            known = False
        if not known:
            raise InvalidArgumentError(
                f"{arg}={col!r} is not a column of data (columns: {list(data.columns)})"
            )


def _numbers(data: pd.DataFrame, arg: str, column: str) -> np.ndarray:
    """A numeric column as floats; missing or non-numeric entries raise, naming the rows."""
    _require_columns(data, **{arg: column})
    values = numbers(data, column, arg)
    missing = np.isnan(values)
    if missing.any():
        raise InvalidArgumentError(
            f"{arg}={column!r}: column has missing or non-numeric values in rows "
            f"{row_labels(data, missing)}")
    return values


def _shares(data: pd.DataFrame, column: str) -> np.ndarray:
    """The share column as proportions in [0, 1]; anything else raises, naming the rows."""
    values = _numbers(data, "share", column)
    check_share_values(data, column, values)
    return values


def _resolve_number(data: pd.DataFrame, arg: str, value: Any) -> np.ndarray:
    """A number, a column name, a Series (paired by index label) or one value per row."""
    return per_row(data, arg, value)


def _resolve_precision(data: pd.DataFrame, rounding: bool, precision: Any) -> np.ndarray | None:
    if not rounding:
        return None
    if isinstance(precision, str):
        _require_columns(data, precision=precision)
        values = numbers(data, precision, "precision")
        missing = np.isnan(values)
        if missing.any():
            raise InvalidArgumentError(
                f"rounding=True but column precision={precision!r} is missing in rows "
                f"{row_labels(data, missing)}; pass precision= as a number"
            )
        return check_precision(values)
    return check_precision(per_row(data, "precision", precision))


def with_ci(
    data: pd.DataFrame,
    *,
    method: str = "wilson",
    share: str = "share",
    n: str = "sample_size",
    default_n: float | None = None,
    deff: float | str = 1.0,
    rounding: bool = False,
    precision: float | str = "precision",
    confidence_level: float = 0.95,
    missing_n: str = "raise",
) -> pd.DataFrame:
    """A toplines frame with confidence intervals added.

    Parameters
    ----------
    data : pandas.DataFrame
        A toplines frame (e.g. from :func:`polls.load_dataset`); kept whole, attrs included.
    method : str, default "wilson"
        An interval method of :func:`polls.proportion_ci`.
    share, n : str
        Column names of the shares and of the sample sizes.
    default_n : float, optional
        Sample size for rows without one. Without it, ``data.attrs["usual_sample_size"]`` (set by
        :func:`polls.load_dataset` from the dataset's metadata) is used; when neither exists, rows
        without a sample size raise an error that lists them.
    deff : float or str, default 1.0
        Design effect (at least 1), or the name of a column holding one per row.
    rounding : bool, default False
        Widen each interval for the rounding of the published share (the union of the intervals
        over +/- precision/2; see :func:`polls.proportion_ci`).
    precision : float or str, default "precision"
        The rounding step, or the column holding it (used when ``rounding=True``).
    confidence_level : float, default 0.95
    missing_n : {"raise", "keep"}, default "raise"
        What to do with rows that have no sample size and no default: raise an error listing
        them, or keep them without an interval (``n_source`` is then ``"missing"``): useful for
        series where only some waves state a sample size.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with columns ``n_eff``, ``n_source`` (``"stated"``, ``"default"`` or
        ``"missing"``), ``ci_low``, ``ci_high``, ``confidence_level`` and ``method`` added.

    Examples
    --------
    >>> import pandas as pd, polls
    >>> df = pd.DataFrame({"share": [0.76, 0.74], "sample_size": [1600, None]})
    >>> out = polls.with_ci(df, default_n=1600, deff=1.9)
    >>> out["n_source"].tolist()
    ['stated', 'default']
    >>> out["ci_low"].round(3).tolist()
    [0.73, 0.709]
    """
    data = _require_frame(data)
    check_choice("method", method, METHODS)
    _require_columns(data, share=share)
    level = check_confidence_level(confidence_level)
    check_choice("missing_n", missing_n, ("raise", "keep"))
    sizes, source = resolve_sample_sizes(data, n, default_n, missing=missing_n)
    d = check_at_least("deff", _resolve_number(data, "deff", deff), 1.0)
    prec = _resolve_precision(data, rounding, precision)
    p = _shares(data, share)
    known = ~np.isnan(sizes)
    low = np.full(len(data), np.nan)
    high = np.full(len(data), np.nan)
    if known.any():
        low[known], high[known] = _limits_rounded(
            p[known], (sizes / d)[known], method, _z(level),
            None if prec is None else np.asarray(prec)[known])
    out = data.copy()
    out["n_eff"] = sizes / d
    out["n_source"] = pd.array(source, dtype="string")
    out["ci_low"] = low
    out["ci_high"] = high
    out["confidence_level"] = level
    out["method"] = method
    return out


def changes(
    data: pd.DataFrame,
    *,
    response: str | Sequence[str] | None = None,
    by: str | list[str] | None = "series",
    date: str = "fieldwork_end",
    share: str = "share",
    n: str = "sample_size",
    default_n: float | None = None,
    deff: float | str = 1.0,
    rounding: bool = False,
    precision: float | str = "precision",
    method: str = "newcombe",
    alternative: str = "two-sided",
    correction: str | None = None,
    confidence_level: float = 0.95,
    response_column: str = "response",
) -> pd.DataFrame:
    """Wave-to-wave changes of the responses in a toplines frame, with intervals and tests.

    Rows are grouped by ``by`` and ``response_column`` (and ``subgroup`` when the frame has
    one), ordered by ``date``, and each wave is compared with the previous wave of its group by
    :func:`compare_proportions` (difference = this wave minus the previous one). When one wave of
    a group holds several questions (a series asking the same item about several countries),
    ``question`` joins the grouping columns; otherwise changes of wording between waves do not
    split a series.

    Parameters
    ----------
    data : pandas.DataFrame
        A toplines frame (e.g. from :func:`polls.load_dataset`).
    response : str or sequence of str, optional
        The response(s) to follow, e.g. ``"support (total)"``; all responses when omitted.
    by, date, share, n, response_column : str
        Column names (``by`` may be a list of columns, or None for a single series).
    default_n : float, optional
        Sample size for waves without one; else ``data.attrs["usual_sample_size"]``; else an error
        listing the rows. The output says which was used in ``n_source``.
    deff : float or str, default 1.0
        Design effect (at least 1) for every wave, or a column holding one per row.
    rounding : bool, default False
        Take the rounding of the published shares into account (see
        :func:`compare_proportions`), with the steps from ``precision``.
    precision : float or str, default "precision"
        The rounding step, or the column holding it (used when ``rounding=True``).
    method : {"newcombe", "wald"}, default "newcombe"
        Interval and test, as in :func:`compare_proportions`.
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
    correction : {None, "holm", "fdr_bh"}, default None
        Adjust the p-values within each series x response (a tracker with 40 waves makes 39
        tests): Holm controls the chance of any false alarm, Benjamini-Hochberg the share of false
        alarms among the flagged changes. Adds ``pvalue_adjusted``.
    confidence_level : float, default 0.95
        Level of the intervals; ``significant`` means a (adjusted) p-value below
        ``1 - confidence_level``.

    Returns
    -------
    pandas.DataFrame
        One row per wave after the first of each group: the group columns, ``date``,
        ``previous_date``, ``share``, ``previous_share``, ``difference`` and ``estimate`` (the
        same number), ``ci_low``, ``ci_high``, ``confidence_level``, ``se``, ``statistic``,
        ``pvalue``, ``pvalue_adjusted`` (with a correction), ``significant``, ``n``,
        ``previous_n``, ``n_eff``, ``previous_n_eff``, ``n_source``, ``previous_n_source``,
        ``method``. Rows without a date cannot be ordered: they are left out with a warning that
        counts them.

    Raises
    ------
    InvalidArgumentError
        For unknown columns or options, bad shares, sample sizes or design effects, waves with no
        sample size and no default, and two rows for the same group and date (e.g. two sources
        for one wave: choose one first). Text that is not a number (``"1 600"``, ``"70%"``) or,
        in the date column, not an ISO 8601 date raises naming the rows; it is never read as
        missing (see ``docs/errors.md``).

    Examples
    --------
    >>> import pandas as pd, polls
    >>> df = pd.DataFrame({
    ...     "series": "s", "response": "support",
    ...     "fieldwork_end": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"]),
    ...     "share": [0.76, 0.75, 0.70], "sample_size": 1600,
    ... })
    >>> out = polls.changes(df, deff=1.9)
    >>> out["difference"].round(2).tolist()
    [-0.01, -0.05]
    >>> out["significant"].tolist()
    [False, True]
    """
    data = _require_frame(data)
    check_choice("method", method, COMPARE_METHODS)
    check_choice("alternative", alternative, ALTERNATIVES)
    if correction is not None:
        check_choice("correction", correction, CORRECTIONS)
    level = check_confidence_level(confidence_level)
    by_cols = [] if by is None else (list(by) if isinstance(by, (list, tuple)) else [by])
    _require_columns(data, response_column=response_column, date=date, share=share)
    for col in by_cols:
        _require_columns(data, by=col)
    if response is not None:
        wanted = list(response) if isinstance(response, (list, tuple, set)) else [response]
        present = set(data[response_column].dropna().astype(str))
        absent = [r for r in wanted if r not in present]
        if absent:
            raise InvalidArgumentError(
                f"response {absent[0]!r} never appears in column {response_column!r}; "
                f"responses are {sorted(present)}")
        data = data[data[response_column].astype(str).isin(wanted).to_numpy()]
    keys = [*by_cols, response_column]
    if "subgroup" in data.columns and "subgroup" not in keys:
        keys.append("subgroup")

    sizes, source = resolve_sample_sizes(data, n, default_n)
    d = check_at_least("deff", _resolve_number(data, "deff", deff), 1.0)
    prec = _resolve_precision(data, rounding, precision)
    p = _shares(data, share)

    work = pd.DataFrame({k: data[k] for k in keys})
    if "question" in data.columns and "question" not in keys:
        work["question"] = data["question"]
    work["date"] = dates(data, date, "date")
    work["share"] = p
    work["n"] = sizes
    work["deff"] = d
    work["n_source"] = source
    work["precision"] = prec if prec is not None else np.nan
    undated = work["date"].isna().to_numpy()
    if undated.any():
        warnings.warn(
            f"changes(): {int(undated.sum())} row(s) without {date!r} cannot be ordered and are "
            f"left out: {row_labels(data, undated)}",
            PollsWarning,
            stacklevel=2,
        )
        work = work.loc[~undated]
    dup = work.duplicated(subset=[*keys, "date"], keep=False).to_numpy()
    if dup.any() and "question" in work.columns and "question" not in keys:
        # one wave asks several questions of the same series: compare like with like
        if not work.duplicated(subset=[*keys, "question", "date"], keep=False).any():
            keys.insert(len(by_cols), "question")
            dup = np.zeros(len(work), dtype=bool)
    if dup.any():
        raise InvalidArgumentError(
            f"data has several rows for the same {', '.join(keys)} and {date} (e.g. two sources "
            f"for one wave); keep one per wave first. Rows: {row_labels(work, dup)}"
        )
    work = work.sort_values([*keys, "date"], kind="mergesort")
    grouped = work.groupby(keys, observed=True, sort=False, dropna=False)
    prev = grouped[["date", "share", "n", "deff", "n_source", "precision"]].shift(1)
    has_prev = prev["date"].notna().to_numpy()
    cur = work.loc[has_prev]
    prev = prev.loc[has_prev]

    prec1 = None if prec is None else cur["precision"].to_numpy(dtype=float)
    prec2 = None if prec is None else prev["precision"].to_numpy(dtype=float)
    res = _compare_checked(
        cur["share"].to_numpy(dtype=float), cur["n"].to_numpy(dtype=float),
        prev["share"].to_numpy(dtype=float), prev["n"].to_numpy(dtype=float),
        cur["deff"].to_numpy(dtype=float), prev["deff"].to_numpy(dtype=float),
        method, level, alternative, prec1, prec2, scalar=False,
    )
    out = cur[keys].reset_index(drop=True)
    out["date"] = cur["date"].to_numpy()
    out["previous_date"] = prev["date"].to_numpy()
    out["share"] = cur["share"].to_numpy()
    out["previous_share"] = prev["share"].to_numpy(dtype=float)
    out["difference"] = res.difference
    out["estimate"] = res.difference
    out["ci_low"] = res.low
    out["ci_high"] = res.high
    out["confidence_level"] = level
    out["se"] = res.se
    out["statistic"] = res.statistic
    out["pvalue"] = res.pvalue
    alpha = 1 - level
    if correction is not None:
        adjusted = np.empty(len(out))
        for rows in out.groupby(keys, observed=True, sort=False, dropna=False).indices.values():
            adjusted[rows] = adjust_pvalues(out["pvalue"].to_numpy()[rows], method=correction)
        out["pvalue_adjusted"] = adjusted
        out["significant"] = adjusted < alpha
    else:
        out["significant"] = out["pvalue"] < alpha
    out["n"] = cur["n"].to_numpy()
    out["previous_n"] = prev["n"].to_numpy(dtype=float)
    out["n_eff"] = cur["n"].to_numpy() / cur["deff"].to_numpy()
    out["previous_n_eff"] = prev["n"].to_numpy(dtype=float) / prev["deff"].to_numpy(dtype=float)
    out["n_source"] = pd.array(cur["n_source"].to_numpy(), dtype="string")
    out["previous_n_source"] = pd.array(prev["n_source"].to_numpy(), dtype="string")
    out["method"] = method
    out.attrs = dict(data.attrs)
    return out
