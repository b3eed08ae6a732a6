"""The preference-falsification gap: the direct-question share minus the list estimate."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_confidence_level, check_positive, check_scalar, check_share
from polls.errors import InvalidArgumentError
from polls.listexp._inputs import _check_nonnegative, _column, _validate_respondents
from polls.listexp._means import _scores
from polls.results import SymmetricInterval

__all__ = ["FalsificationGap", "falsification_gap"]


@dataclass(frozen=True)
class FalsificationGap(SymmetricInterval):
    """Direct-question share minus list estimate (positive: the direct question reads higher)."""

    estimate: float
    se: float
    direct: float
    list_estimate: float
    direct_se: float
    list_se: float
    correlation: float
    confidence_level: float
    method: str

    def to_frame(self) -> pd.DataFrame:
        """One tidy row."""
        low, high = self.confidence_interval()
        return pd.DataFrame([{
            "estimate": self.estimate, "ci_low": low, "ci_high": high,
            "confidence_level": self.confidence_level, "se": self.se, "n": float("nan"),
            "n_eff": float("nan"), "method": self.method, "direct": self.direct,
            "list_estimate": self.list_estimate, "direct_se": self.direct_se,
            "list_se": self.list_se, "correlation": self.correlation,
        }])

    def summary(self, lang: str = "en") -> str:
        """Direct share, list estimate and the gap in one sentence ("en", "ru", "sr", "sr-Cyrl")."""
        from polls._summaries import falsification_gap

        return falsification_gap(self, lang)

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)


def falsification_gap(
    direct: float | str,
    list_estimate: Any = None,
    *,
    direct_n: float | None = None,
    direct_se: float | None = None,
    list_se: float | None = None,
    same_respondents: bool = False,
    correlation: float | None = None,
    data: pd.DataFrame | None = None,
    count: str = "count",
    treatment: str = "treatment",
    n_items: int | None = None,
    confidence_level: float = 0.95,
) -> FalsificationGap:
    """The preference-falsification gap: direct-question share minus the list estimate.

    Parameters
    ----------
    direct : float or str
        The share answering yes to the direct question (a proportion), or, with ``data``, the
        name of a 0/1 column holding each respondent's direct answer.
    list_estimate : result or float, optional
        A :class:`ListExperimentResult`, :class:`ListSummaryResult`, :class:`ListMLResult`, or a
        plain number with ``list_se``. Not used with ``data``. For a summary result whose SE is
        only bounded, the upper bound is used (conservative).
    direct_n, direct_se : float, optional
        Sample size behind ``direct`` (SE then ``sqrt(p(1-p)/n)``), or its SE directly.
    list_se : float, optional
        SE of a plain-number ``list_estimate``.
    same_respondents : bool, default False
        False: the two estimates come from independent samples, so variances add.
        True: the same people answered both; the covariance matters. Give ``correlation`` (the
        correlation of the two estimates) if known; otherwise the worst case -1 is used (by
        Cauchy-Schwarz ``|cov| <= se_d * se_l``, so ``se <= se_d + se_l``), which is conservative.
    correlation : float, optional
        Correlation between the two estimates, in [-1, 1] (only with ``same_respondents``).
    data : pandas.DataFrame, optional
        Respondent data with the direct answer, the list count and the treatment indicator for
        the same respondents: the gap's SE then uses their actual covariance (linearisation over
        respondents: the direct mean over everyone minus the difference in mean counts).
    count, treatment, n_items
        Columns and J for ``data``.
    confidence_level : float, default 0.95

    Returns
    -------
    FalsificationGap

    Examples
    --------
    >>> import polls
    >>> gap = polls.falsification_gap(0.71, 0.61, direct_n=3000, list_se=0.04)
    >>> round(gap.estimate, 2)
    0.1
    """
    level = check_confidence_level(confidence_level)
    if data is not None:
        unused = {"list_estimate": list_estimate, "direct_n": direct_n, "direct_se": direct_se,
                  "list_se": list_se, "correlation": correlation}
        given = [name for name, value in unused.items() if value is not None]
        if given:
            raise InvalidArgumentError(
                f"with data= the gap and its SE come from the respondents; {given[0]}= would be "
                "ignored: drop it"
            )
        y, t, j = _validate_respondents(data, count, treatment, n_items)
        return _gap_from_respondents(data, direct, y, t, level)
    if isinstance(direct, str):
        raise InvalidArgumentError(
            f"direct={direct!r} names a column, which needs data= (respondent data); otherwise "
            "pass the direct-question share as a number"
        )
    p = float(check_share("direct", check_scalar("direct", direct)))
    if direct_se is not None:
        sd = _check_nonnegative("direct_se", direct_se)
    elif direct_n is not None:
        sd = math.sqrt(p * (1 - p) / float(check_positive("direct_n", check_scalar(
            "direct_n", direct_n))))
    else:
        raise InvalidArgumentError("give direct_n= or direct_se= for the direct-question share")
    if list_estimate is None:
        raise InvalidArgumentError("list_estimate is required unless data= is given")
    le, sl, note = _list_side(list_estimate, list_se)
    for name, value in (("direct_se", sd), ("list_se", sl)):
        if not (math.isfinite(value) and value >= 0):
            raise InvalidArgumentError(
                f"{name} must be a non-negative number, got {value!r}"
                + (" (the list result has no SE: pass list_se=)" if name == "list_se" else "")
            )
    rho, method = _correlation(same_respondents, correlation)
    var = sd**2 + sl**2 - 2 * rho * sd * sl
    return FalsificationGap(p - le, math.sqrt(max(var, 0.0)), p, le, sd, sl, rho, level,
                            method + note)


def _gap_from_respondents(
    data: pd.DataFrame, direct: Any, y: np.ndarray, t: np.ndarray, level: float
) -> FalsificationGap:
    """The gap from respondent data: its SE by linearisation, with the observed covariance."""
    dcol = pd.to_numeric(_column(data, direct, "direct"), errors="coerce")
    if dcol.isna().any() or not dcol.isin([0, 1]).all():
        bad = dcol[dcol.isna() | ~dcol.isin([0, 1])]
        raise InvalidArgumentError(
            f"column {direct!r} must hold 0/1 direct answers; "
            f"got {data[direct][bad.index[0]]!r}"
        )
    d = dcol.to_numpy(float)
    n = len(d)
    est_l, s_l, mc, mt = _scores(y, t, np.ones(n))
    s_d = (d - d.mean()) / n
    z = s_d - s_l
    var = n / (n - 1) * float((z**2).sum())
    var_d = n / (n - 1) * float((s_d**2).sum())
    var_l = n / (n - 1) * float((s_l**2).sum())
    cov = n / (n - 1) * float((s_d * s_l).sum())
    rho = cov / math.sqrt(var_d * var_l) if var_d > 0 and var_l > 0 else float("nan")
    return FalsificationGap(
        float(d.mean() - est_l), math.sqrt(var), float(d.mean()), est_l,
        math.sqrt(var_d), math.sqrt(var_l), rho, level,
        "same respondents, linearisation SE with the observed covariance",
    )


def _list_side(list_estimate: Any, list_se: float | None) -> tuple[float, float, str]:
    """The list estimate, its SE and a note on where the SE came from."""
    note = ""
    if hasattr(list_estimate, "estimate"):
        le = float(list_estimate.estimate)
        sl = float(getattr(list_estimate, "se", float("nan")))
        if not math.isfinite(sl) and math.isfinite(getattr(list_estimate, "se_high", np.nan)):
            sl = float(list_estimate.se_high)
            note = "; list SE = its upper bound (SDs not published)"
        if list_se is not None:
            sl = _check_nonnegative("list_se", list_se)
    else:
        # a prevalence on the scale of direct (a proportion; sampling can carry it a little
        # past 0 or 1): a percent such as 61 is refused rather than subtracted from 0.71
        le = float(check_share("list_estimate", check_scalar("list_estimate", list_estimate),
                               scale="difference"))
        if list_se is None:
            raise InvalidArgumentError("give list_se= with a plain-number list_estimate")
        sl = _check_nonnegative("list_se", list_se)
    return le, sl, note


def _correlation(same_respondents: bool, correlation: float | None) -> tuple[float, str]:
    """The correlation of the two estimates, and the words that say where it came from."""
    if not same_respondents:
        if correlation is not None:
            raise InvalidArgumentError(
                "correlation= applies only with same_respondents=True (independent samples "
                "have zero correlation)"
            )
        rho, method = 0.0, "independent samples: variances add"
    elif correlation is None:
        rho = -1.0
        method = "same respondents, correlation unknown: worst case (Cauchy-Schwarz), se_d + se_l"
    else:
        rho = check_scalar("correlation", correlation)
        if not -1 <= rho <= 1:
            raise InvalidArgumentError(f"correlation must lie in [-1, 1], got {correlation!r}")
        method = f"same respondents, correlation {rho:g} as given"
    return rho, method
