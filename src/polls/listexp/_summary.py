"""The difference in means from published figures: arm means, sizes and, where printed, SDs.

Without the SDs the standard error is only bounded: above by the Bhatia-Davis bound on the
variance of a count on 0..J (0..J+1 in the treatment arm) at the printed mean, below by the
smallest variance a whole-number count can have at that mean.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import pandas as pd

from polls._checks import check_confidence_level, check_scalar, check_share
from polls.errors import InvalidArgumentError, PollsWarning
from polls.listexp._inputs import _check_n_items, _check_nonnegative, _z
from polls.results import ConfidenceInterval

__all__ = ["ListSummaryResult", "list_experiment_from_summary"]


@dataclass(frozen=True)
class ListSummaryResult:
    """A list-experiment estimate from published arm means.

    When the arms' SDs are given, ``se`` is the usual unpooled SE. When they are not, ``se`` is
    NaN and ``se_low`` / ``se_high`` bound it (see :func:`list_experiment_from_summary`); the
    interval from :meth:`confidence_interval` is then the *conservative* one built on
    ``se_high``, and :meth:`confidence_interval_range` gives the narrowest and widest intervals.
    Without sample sizes nothing can be said about the SE: all of them are NaN and ``note`` says so.
    """

    estimate: float
    se: float
    se_low: float
    se_high: float
    mean_control: float
    mean_treatment: float
    n_control: float
    n_treatment: float
    n_items: int | None
    confidence_level: float = 0.95
    method: str = ""
    note: str = ""

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Normal interval from ``se`` if known, else the conservative one from ``se_high``."""
        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        se = self.se if math.isfinite(self.se) else self.se_high
        q = _z(level)
        return ConfidenceInterval(self.estimate - q * se, self.estimate + q * se)

    def confidence_interval_range(
        self, confidence_level: float | None = None
    ) -> tuple[ConfidenceInterval, ConfidenceInterval]:
        """(narrowest, widest) intervals allowed by the SE bounds."""
        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        q = _z(level)
        lo, hi = (self.se, self.se) if math.isfinite(self.se) else (self.se_low, self.se_high)
        return (
            ConfidenceInterval(self.estimate - q * lo, self.estimate + q * lo),
            ConfidenceInterval(self.estimate - q * hi, self.estimate + q * hi),
        )

    def to_frame(self) -> pd.DataFrame:
        """One tidy row (``ci_low``/``ci_high`` conservative when the SE is only bounded)."""
        low, high = self.confidence_interval()
        n = self.n_control + self.n_treatment
        return pd.DataFrame([{
            "estimate": self.estimate, "ci_low": low, "ci_high": high,
            "confidence_level": self.confidence_level, "se": self.se, "n": n, "n_eff": n,
            "method": self.method, "se_low": self.se_low, "se_high": self.se_high,
            "mean_control": self.mean_control, "mean_treatment": self.mean_treatment,
            "n_control": self.n_control, "n_treatment": self.n_treatment,
            "n_items": self.n_items, "note": self.note,
        }])

    def summary(self, lang: str = "en", *, what: str | None = None) -> str:
        """The estimate in one sentence (conservative interval when the SE is only bounded)."""
        from polls._summaries import list_experiment

        return list_experiment(self, lang, what=what)

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)


def _frac_var(m: float) -> float:
    """Smallest variance of a whole-number variable with mean m: f(1 - f), f = m - floor(m)."""
    f = m - math.floor(m)
    return f * (1 - f)


def _min_frac_var(lo: float, hi: float) -> float:
    """Smallest f(1-f) over means in [lo, hi] (0 if the range holds a whole number)."""
    if math.floor(hi) > math.floor(lo) or lo == math.floor(lo):
        return 0.0
    return min(_frac_var(lo), _frac_var(hi))


def _max_bd(lo: float, hi: float, top: float) -> float:
    """Largest Bhatia-Davis bound m(top - m) over means in [lo, hi] (clipped to [0, top])."""
    lo, hi = max(lo, 0.0), min(hi, top)
    m = min(max(top / 2, lo), hi)
    return m * (top - m)


def _se_bounds_from_means(
    mc: float, mt: float, nc: float, nt: float, j: int, precision: float
) -> tuple[float, float]:
    h = precision / 2
    vc_hi = _max_bd(mc - h, mc + h, j)
    vt_hi = _max_bd(mt - h, mt + h, j + 1)
    vc_lo = _min_frac_var(max(mc - h, 0.0), min(mc + h, j))
    vt_lo = _min_frac_var(max(mt - h, 0.0), min(mt + h, j + 1))
    lo = math.sqrt(vc_lo / (nc - 1) + vt_lo / (nt - 1))
    hi = math.sqrt(vc_hi / (nc - 1) + vt_hi / (nt - 1))
    return lo, hi


def _se_bounds_from_estimate(d: float, nc: float, nt: float, j: int) -> tuple[float, float]:
    """SE bounds when only the difference d = m_T - m_C is known (means unknown)."""
    lo_m, hi_m = max(0.0, -d), min(float(j), j + 1 - d)
    if lo_m > hi_m:
        raise InvalidArgumentError(
            f"estimate {d!r} is impossible with n_items={j} (it must lie in [-{j}, {j + 1}])"
        )
    # upper: concave quadratic in m -> vertex, clipped
    a, b = 1 / (nc - 1), 1 / (nt - 1)

    def upper(m: float) -> float:
        return a * m * (j - m) + b * (m + d) * (j + 1 - m - d)

    vertex = (a * j + b * (j + 1 - 2 * d)) / (2 * (a + b))
    m_star = min(max(vertex, lo_m), hi_m)
    # lower: sum of functions concave between whole numbers -> minimum at a breakpoint
    points = {lo_m, hi_m}
    for k in range(0, j + 2):
        for cand in (float(k), k - d):
            if lo_m <= cand <= hi_m:
                points.add(cand)
    lower = min(a * _frac_var(m) + b * _frac_var(m + d) for m in points)
    return math.sqrt(max(lower, 0.0)), math.sqrt(upper(m_star))


def list_experiment_from_summary(
    mean_control: float | None,
    mean_treatment: float | None,
    n_control: float | None,
    n_treatment: float | None,
    *,
    sd_control: float | None = None,
    sd_treatment: float | None = None,
    n_items: int | None = None,
    estimate: float | None = None,
    precision: float = 0.0,
    confidence_level: float = 0.95,
) -> ListSummaryResult:
    """List-experiment estimate from published summary figures (arm means, sizes, SDs).

    Parameters
    ----------
    mean_control, mean_treatment : float or None
        Mean item counts in the two arms, as printed. May both be None when only the estimate
        (their difference) was printed: pass it as ``estimate=``.
    n_control, n_treatment : float or None
        Respondents per arm. Without them nothing can be said about the SE: the result then has
        NaN SEs and a ``note`` (and a :class:`~polls.PollsWarning` is issued).
    sd_control, sd_treatment : float, optional
        Sample SDs (divisor n - 1) of the counts in each arm. When both are given the SE is the
        usual ``sqrt(sd_C^2/n_C + sd_T^2/n_T)``.
    n_items : int, optional
        J, the number of control items. Needed for SE bounds when SDs are missing.
    estimate : float, optional
        The printed difference in means (a proportion), for when the arm means are not printed.
        If the means are also given it must agree with them within ``precision``.
    precision : float, default 0
        Rounding step of the printed means (0.01 for means printed to two decimals). The SE
        bounds then hold for every mean that rounds to the printed one.
    confidence_level : float, default 0.95

    Returns
    -------
    ListSummaryResult

    Notes
    -----
    SE bounds without SDs (derived here; each follows from one line of algebra). A count X in
    the control arm lies in [0, J], so ``(J - X) X >= 0``; taking expectations gives the
    Bhatia-Davis bound ``Var X <= m (J - m)`` for the arm mean m (``m (J + 1 - m)`` in the
    treatment arm). Counts are whole numbers, so ``(X - floor m)(X - ceil m) >= 0``, which gives
    ``Var X >= f (1 - f)`` with f the fractional part of m. The population variance v and the
    sample SD s (divisor n - 1) satisfy ``s^2 / n = v / (n - 1)``, so the SE of each arm mean
    lies between ``sqrt(f(1-f)/(n-1))`` and ``sqrt(m(J-m)/(n-1))``, and the SE of the difference
    between the root sums of those squares. Both bounds are attained by some data. When only the
    difference is known, the bounds are taken over every pair of arm means with that difference.

    Examples
    --------
    >>> import polls
    >>> res = polls.list_experiment_from_summary(1.11, 1.92, 800, 800, n_items=3)
    >>> round(res.estimate, 2), res.se_low < res.se_high
    (0.81, True)
    """
    level = check_confidence_level(confidence_level)
    if (mean_control is None) != (mean_treatment is None):
        raise InvalidArgumentError("give both arm means or neither (then pass estimate=)")
    j = None if n_items is None else _check_n_items(n_items)
    prec = _check_nonnegative("precision", precision)
    if mean_control is not None:
        mc = check_scalar("mean_control", mean_control)
        mt = check_scalar("mean_treatment", mean_treatment)
        for name, m, top in (("mean_control", mc, j), ("mean_treatment", mt, None)):
            if not math.isfinite(m) or m < 0:
                raise InvalidArgumentError(f"{name} must be a non-negative number, got {m!r}")
            if top is not None and m > top + prec / 2:
                raise InvalidArgumentError(f"{name}={m!r} exceeds n_items={top}")
        if j is not None and mt > j + 1 + prec / 2:
            raise InvalidArgumentError(f"mean_treatment={mt!r} exceeds n_items + 1 = {j + 1}")
        est = mt - mc
        if estimate is not None and abs(check_scalar("estimate", estimate) - est) > prec + 1e-12:
            raise InvalidArgumentError(
                f"estimate={estimate!r} disagrees with mean_treatment - mean_control = {est!r}"
            )
    else:
        if estimate is None:
            raise InvalidArgumentError("without arm means pass the printed estimate= instead")
        # a prevalence, printed as a proportion. With J known, any difference of arm means is
        # possible ([-J, J + 1], checked with the SE bounds); without J, sampling can carry it a
        # little below 0 or above 1 but not beyond one item: a percent (81) is refused
        if j is None:
            est = float(check_share("estimate", estimate, scale="difference"))
        else:
            est = check_scalar("estimate", estimate)
            if not -j <= est <= j + 1:
                raise InvalidArgumentError(
                    f"estimate {est!r} is impossible with n_items={j} (it must lie in "
                    f"[-{j}, {j + 1}]; pass a prevalence as a proportion, e.g. 0.81 not 81)")
        mc = mt = float("nan")
    for name, sd in (("sd_control", sd_control), ("sd_treatment", sd_treatment)):
        if sd is not None:
            _check_nonnegative(name, sd)
    for name, n in (("n_control", n_control), ("n_treatment", n_treatment)):
        if n is not None and not (check_scalar(name, n) >= 2):
            raise InvalidArgumentError(f"{name} must be at least 2 respondents, got {n!r}")
    nan = float("nan")
    if n_control is None or n_treatment is None:
        note = ("arm sizes not given: nothing can be said about the standard error "
                "(it scales with 1/sqrt(n)); the point estimate only")
        warnings.warn(note, PollsWarning, stacklevel=2)
        return ListSummaryResult(est, nan, nan, nan, mc, mt, nan, nan, j, level,
                                 "difference in means from published means", note)
    nc, nt = float(n_control), float(n_treatment)
    if sd_control is not None and sd_treatment is not None:
        se = math.sqrt(float(sd_control) ** 2 / nc + float(sd_treatment) ** 2 / nt)
        return ListSummaryResult(est, se, se, se, mc, mt, nc, nt, j, level,
                                 "difference in means from published means and SDs", "")
    if (sd_control is None) != (sd_treatment is None):
        raise InvalidArgumentError("give both arm SDs or neither (then SE bounds are used)")
    if j is None:
        raise InvalidArgumentError(
            "without SDs the SE can only be bounded, which needs n_items= (J control items)"
        )
    if mean_control is not None:
        lo, hi = _se_bounds_from_means(mc, mt, nc, nt, j, prec)
        note = ("SDs not published: SE bounded by the Bhatia-Davis upper bound m(J-m) and the "
                "whole-number lower bound f(1-f) per arm; interval uses the upper bound")
    else:
        lo, hi = _se_bounds_from_estimate(est, nc, nt, j)
        note = ("arm means and SDs not published: SE bounded over every pair of arm means "
                "consistent with the printed estimate; interval uses the upper bound")
    return ListSummaryResult(est, nan, lo, hi, mc, mt, nc, nt, j, level,
                             "difference in means from published figures, SE bounds", note)
