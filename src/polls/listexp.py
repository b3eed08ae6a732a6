"""List experiments (item-count technique): estimates, a design-effect test and an ML estimator.

A list experiment hides a sensitive question among ``J`` harmless ones. The control group sees the
``J`` control items and reports only *how many* apply to them; the treatment group sees the same
items plus the sensitive one. Under "no design effect" (adding the sensitive item does not change
answers to the others) and "no liars", the difference between the two mean counts estimates the
share holding the sensitive view.

Public functions
----------------
:func:`list_experiment`
    Difference in means from respondent data (plain, weighted, or design-based; per subgroup).
:func:`list_experiment_from_summary`
    The same from published means, with the usual SE when SDs are printed and SE *bounds* when not.
:func:`list_design_test`
    Blair and Imai's (2012) test of the no-design-effect assumption (Bonferroni-corrected).
:func:`list_experiment_ml`
    Imai's (2011) maximum-likelihood estimator without covariates, fitted by EM.
:func:`falsification_gap`
    Direct-question share minus the list estimate, with an interval for both sources of error.
:func:`published_list_experiments`
    The published Russian list-experiment summary figures shipped with the package.

References
----------
Blair, G. and Imai, K. (2012). Statistical analysis of list experiments. *Political Analysis*
20(1): 47-77. Imai, K. (2011). Multivariate regression analysis for the item count technique.
*Journal of the American Statistical Association* 106(494): 407-416.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import (
    as_float_array,
    check_choice,
    check_confidence_level,
    check_positive,
    check_positive_int,
    check_scalar,
    check_seed,
    check_share,
    critical_value,
)
from polls.errors import (
    ConvergenceWarning,
    InferenceWarning,
    InvalidArgumentError,
    PollsWarning,
)
from polls.results import ConfidenceInterval, SymmetricInterval

__all__ = [
    "ListExperimentResult",
    "ListSummaryResult",
    "DesignTestResult",
    "ListMLResult",
    "FalsificationGap",
    "list_experiment",
    "list_experiment_from_summary",
    "list_design_test",
    "list_experiment_ml",
    "falsification_gap",
    "published_list_experiments",
    "simulate_list_experiment",
]


def _plain(value: Any) -> Any:
    """A numpy scalar as the plain Python value (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _z(confidence_level: float) -> float:
    return critical_value(confidence_level)


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# difference in means from respondent data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListExperimentResult(SymmetricInterval):
    """Difference-in-means estimate of a sensitive item's prevalence.

    Attributes
    ----------
    estimate : float
        Mean count in the treatment arm minus mean count in the control arm.
    se : float
        Standard error (see ``method``).
    mean_control, mean_treatment : float
        The (weighted) arm means.
    n_control, n_treatment : int
        Respondents per arm.
    n_items : int
        J, the number of control items.
    n_eff : float
        Effective sample size: ``n`` for unweighted data, Kish's ``(sum w)^2 / sum w^2``
        otherwise.
    df : float
        Welch-Satterthwaite degrees of freedom for the unweighted case (the interval then uses
        Student's t); ``inf`` for weighted and design-based estimates (normal quantile).
    """

    estimate: float
    se: float
    mean_control: float
    mean_treatment: float
    n_control: int
    n_treatment: int
    n_items: int
    confidence_level: float = 0.95
    method: str = "difference in means, Welch (unpooled) SE"
    n_eff: float = float("nan")
    df: float = float("inf")

    @property
    def n(self) -> int:
        return self.n_control + self.n_treatment

    def to_frame(self) -> pd.DataFrame:
        """One tidy row: the package's result columns plus the arm means and sizes."""
        low, high = self.confidence_interval()
        row = {
            "estimate": self.estimate,
            "ci_low": low,
            "ci_high": high,
            "confidence_level": self.confidence_level,
            "se": self.se,
            "n": self.n,
            "n_eff": self.n_eff,
            "method": self.method,
            "mean_control": self.mean_control,
            "mean_treatment": self.mean_treatment,
            "n_control": self.n_control,
            "n_treatment": self.n_treatment,
            "n_items": self.n_items,
        }
        return pd.DataFrame([row])

    def summary(self, lang: str = "en", *, what: str | None = None) -> str:
        """The estimate in one sentence, in ``lang`` ("en", "ru", "sr" or "sr-Cyrl")."""
        from polls._summaries import list_experiment

        return list_experiment(self, lang, what=what)

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)


def _welch(y: np.ndarray, t: np.ndarray) -> tuple[float, float, float, float, float]:
    yc, yt = y[~t], y[t]
    mc, mt = yc.mean(), yt.mean()
    vc = yc.var(ddof=1) / len(yc) if len(yc) > 1 else float("nan")
    vt = yt.var(ddof=1) / len(yt) if len(yt) > 1 else float("nan")
    se = math.sqrt(vc + vt)
    denom = (vc**2 / (len(yc) - 1) if len(yc) > 1 else np.nan) + (
        vt**2 / (len(yt) - 1) if len(yt) > 1 else np.nan
    )
    df = (vc + vt) ** 2 / denom if denom > 0 else float("inf")
    return float(mt - mc), se, float(mc), float(mt), float(df)


def _scores(y: np.ndarray, t: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray, float, float]:
    """Linearisation scores s_i so that the weighted total sum(w_i s_i) is the estimator's error.

    For the difference of two domain (ratio) means, s_i = +-(y_i - mean_arm) / W_arm.
    """
    wc, wt = w[~t].sum(), w[t].sum()
    mc = float((w[~t] * y[~t]).sum() / wc)
    mt = float((w[t] * y[t]).sum() / wt)
    s = np.where(t, (y - mt) / wt, -(y - mc) / wc)
    return mt - mc, s, mc, mt


def _design_variance(design: Any, scores: np.ndarray) -> float:
    fn = getattr(design, "linearized_variance", None)
    if fn is None:
        raise InvalidArgumentError(
            "design must be a polls.SurveyDesign (it needs a linearized_variance(scores) method); "
            f"got {type(design).__name__}"
        )
    return float(np.asarray(fn(scores), dtype=float))


def _design_weights(design: Any, n: int) -> np.ndarray:
    w = getattr(design, "weights", None)
    if w is None:
        raise InvalidArgumentError("design has no weights attribute; pass a polls.SurveyDesign")
    w = np.asarray(w, dtype=float).ravel()
    if len(w) != n:
        raise InvalidArgumentError(
            f"design has {len(w)} rows but data has {n}: pass the design built on these rows"
        )
    return w


def _resolve_weights(data: pd.DataFrame, weights: Any) -> np.ndarray:
    if isinstance(weights, str):
        w = pd.to_numeric(_column(data, weights, "weights"), errors="coerce").to_numpy(float)
        name = repr(weights)
    else:
        w = as_float_array("weights", weights, allow_nan=True, allow_inf=True).ravel()
        name = "weights"
        if len(w) != len(data):
            raise InvalidArgumentError(
                f"weights has {len(w)} values but data has {len(data)} rows"
            )
    bad = ~((w > 0) & np.isfinite(w))
    if bad.any():
        raise InvalidArgumentError(
            f"{name} must be positive finite numbers; got {float(w[bad][0])!r} at position "
            f"{int(np.flatnonzero(bad)[0])}"
        )
    return w


def _estimate_one(
    y: np.ndarray,
    t: np.ndarray,
    j: int,
    w: np.ndarray | None,
    design: Any,
    level: float,
    design_rows: np.ndarray | None = None,
    n_total: int | None = None,
) -> ListExperimentResult:
    nc, nt = int((~t).sum()), int(t.sum())
    for arm, size in (("control", nc), ("treatment", nt)):
        if size < 2:
            raise InvalidArgumentError(
                f"the {arm} arm has {size} respondent: its variance, and so the standard "
                "error, cannot be estimated (at least 2 per arm are needed)"
            )
    if design is not None:
        dw = _design_weights(design, len(design_rows) if design_rows is not None else len(y))
        if design_rows is not None:
            w_all = dw
            mask = design_rows
            est, s_sub, mc, mt = _scores(y, t, w_all[mask])
            s = np.zeros(len(w_all))
            s[mask] = s_sub
        else:
            est, s, mc, mt = _scores(y, t, dw)
            w_all = dw
            mask = np.ones(len(y), bool)
        var = _design_variance(design, s)
        wm = w_all[mask]
        return ListExperimentResult(
            estimate=est, se=math.sqrt(var), mean_control=mc, mean_treatment=mt,
            n_control=nc, n_treatment=nt, n_items=j, confidence_level=level,
            method="difference in means, design-based linearisation SE",
            n_eff=float(wm.sum() ** 2 / (wm**2).sum()),
        )
    if w is not None:
        est, s, mc, mt = _scores(y, t, w)
        # a subgroup is a domain of the whole sample: its scores are zero outside it, so the
        # with-replacement variance uses the full sample size (as R's svyby does)
        n = len(y) if n_total is None else n_total
        z = w * s
        zbar = z.sum() / n  # the mean over the whole sample (zero up to rounding)
        var = n / (n - 1) * float(((z - zbar) ** 2).sum() + (n - len(y)) * zbar**2)
        return ListExperimentResult(
            estimate=est, se=math.sqrt(var), mean_control=mc, mean_treatment=mt,
            n_control=nc, n_treatment=nt, n_items=j, confidence_level=level,
            method="weighted difference in means, linearisation SE (with replacement)",
            n_eff=float(w.sum() ** 2 / (w**2).sum()),
        )
    est, se, mc, mt, df = _welch(y, t)
    return ListExperimentResult(
        estimate=est, se=se, mean_control=mc, mean_treatment=mt, n_control=nc,
        n_treatment=nt, n_items=j, confidence_level=level, n_eff=float(nc + nt), df=df,
    )


def list_experiment(
    data: pd.DataFrame,
    *,
    count: str = "count",
    treatment: str = "treatment",
    weights: str | Sequence[float] | np.ndarray | None = None,
    design: Any = None,
    by: str | Sequence[str] | None = None,
    n_items: int | None = None,
    confidence_level: float = 0.95,
) -> ListExperimentResult | pd.DataFrame:
    """Difference-in-means estimate of the sensitive item's prevalence from respondent data.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    count : str, default "count"
        Column with the number of items the respondent said apply (0..J in the control arm,
        0..J+1 in the treatment arm).
    treatment : str, default "treatment"
        Column with 1 (or True) for respondents who saw the sensitive item, 0 (False) otherwise.
    weights : str or array-like, optional
        Survey weights (a column name or one value per row). The SE is then the linearisation
        (Taylor) SE of the difference of two weighted domain means, treating the sample as a
        single-stage with-replacement design (what R's ``survey`` gives for
        ``svydesign(ids = ~1, weights = ~w)`` with ``svyby`` and ``svycontrast``).
    design : polls.SurveyDesign, optional
        A survey design built on the rows of ``data`` (strata, clusters, weights). The SE is then
        the design variance of the linearised estimator from ``design.linearized_variance``.
    by : str or list of str, optional
        Estimate within each subgroup; returns a tidy frame with one row per subgroup.
    n_items : int, optional
        J, the number of control items. Strongly recommended: when omitted, J is inferred as the
        largest count in the control arm and an :class:`~polls.InferenceWarning` is issued.
    confidence_level : float, default 0.95

    Returns
    -------
    ListExperimentResult or pandas.DataFrame
        A result object (``.estimate``, ``.se``, ``.confidence_interval()``, ``.to_frame()``), or a
        frame with columns ``estimate, ci_low, ci_high, confidence_level, se, n, n_eff, method``
        plus the arm means and sizes when ``by`` is given.

    Notes
    -----
    Without weights the SE is the unpooled (Welch) one, ``sqrt(s_T^2/n_T + s_C^2/n_C)``, and the
    interval uses Student's t with Welch-Satterthwaite degrees of freedom (as
    ``scipy.stats.ttest_ind(..., equal_var=False)``). With weights or a design the interval uses
    the normal quantile.

    Raises
    ------
    InvalidArgumentError
        Counts outside 0..J (control) or 0..J+1 (treatment), missing or non-integer counts, a
        treatment column that is not binary, an empty arm; the message names column and value.

    Examples
    --------
    >>> import pandas as pd, polls
    >>> df = pd.DataFrame({"count": [1, 2, 2, 0, 3, 2, 1, 3],
    ...                    "treatment": [0, 0, 0, 0, 1, 1, 1, 1]})
    >>> res = polls.list_experiment(df, count="count", treatment="treatment", n_items=3)
    >>> round(res.estimate, 2)
    1.0
    """
    level = check_confidence_level(confidence_level)
    if weights is not None and design is not None:
        raise InvalidArgumentError("pass weights= or design=, not both (a design carries weights)")
    y, t, j = _validate_respondents(data, count, treatment, n_items)
    w = _resolve_weights(data, weights) if weights is not None else None
    if by is None:
        return _estimate_one(y, t, j, w, design, level)
    keys = [by] if isinstance(by, str) else list(by)
    for k in keys:
        _column(data, k, "by")
    rows = []
    positions = np.arange(len(data))
    grouped = data.assign(_pos=positions).groupby(keys, sort=True, dropna=False, observed=True)
    for name, grp in grouped:
        pos = grp["_pos"].to_numpy()
        yy, tt = y[pos], t[pos]
        label = name if isinstance(name, tuple) else (name,)
        for arm, size in (("control", int((~tt).sum())), ("treatment", int(tt.sum()))):
            if size < 2:
                raise InvalidArgumentError(
                    f"subgroup {dict(zip(keys, label, strict=True))} has "
                    f"{'an empty' if size == 0 else 'a single-respondent'} {arm} arm: its "
                    "standard error cannot be estimated (at least 2 per arm are needed)"
                )
        if design is not None:
            mask = np.zeros(len(data), bool)
            mask[pos] = True
            res = _estimate_one(yy, tt, j, None, design, level, design_rows=mask)
        else:
            res = _estimate_one(yy, tt, j, None if w is None else w[pos], None, level,
                                n_total=len(data))
        frame = res.to_frame()
        for k, v in zip(keys, label, strict=True):
            frame[k] = v
        rows.append(frame)
    out = pd.concat(rows, ignore_index=True)
    return out[keys + [c for c in out.columns if c not in keys]]


# --------------------------------------------------------------------------------------------
# from published summary figures
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Blair & Imai (2012) design-effect test
# --------------------------------------------------------------------------------------------


def _type_shares(fc: np.ndarray, ft: np.ndarray, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Moment estimates of pi(y, 1), pi(y, 0) for y = 0..J and their joint covariance.

    Returns ``(est, cov)`` with est = [pi(0,1) .. pi(J,1), pi(0,0) .. pi(J,0)].
    """
    nc, nt = fc.sum(), ft.sum()
    cdf_c = np.cumsum(fc) / nc  # y = 0..J
    cdf_t = np.cumsum(ft) / nt  # y = 0..J+1
    k = j + 1
    a_c = np.zeros((2 * k, k))  # coefficients on F_C(0..J)
    a_t = np.zeros((2 * k, j + 2))  # coefficients on F_T(0..J+1)
    for y in range(k):
        a_c[y, y] = 1.0  # pi(y,1) = F_C(y) - F_T(y)
        a_t[y, y] = -1.0
        a_t[k + y, y] = 1.0  # pi(y,0) = F_T(y) - F_C(y-1)
        if y >= 1:
            a_c[k + y, y - 1] = -1.0

    def cdf_cov(cdf: np.ndarray, n: float) -> np.ndarray:
        lo = np.minimum.outer(np.arange(len(cdf)), np.arange(len(cdf)))
        hi = np.maximum.outer(np.arange(len(cdf)), np.arange(len(cdf)))
        return cdf[lo] * (1 - cdf[hi]) / n

    est = a_c @ cdf_c + a_t @ cdf_t
    cov = a_c @ cdf_cov(cdf_c, nc) @ a_c.T + a_t @ cdf_cov(cdf_t, nt) @ a_t.T
    return est, cov


def _orthant(cov: np.ndarray, seed: int) -> float:
    """P(X > 0) for X ~ N(0, cov): closed forms up to dimension 3, numerical integration beyond."""
    m = cov.shape[0]
    if m == 0:
        return 1.0
    if m == 1:
        return 0.5
    sd = np.sqrt(np.diag(cov))
    r = cov / np.outer(sd, sd)
    if m == 2:
        return 0.25 + math.asin(np.clip(r[0, 1], -1, 1)) / (2 * math.pi)
    if m == 3:
        s = sum(math.asin(np.clip(r[a, b], -1, 1)) for a, b in ((0, 1), (0, 2), (1, 2)))
        return 0.125 + s / (4 * math.pi)
    from scipy import stats

    mvn = stats.multivariate_normal(mean=np.zeros(m), cov=r, seed=seed, abseps=1e-6, releps=1e-6)
    return float(mvn.cdf(np.zeros(m)))


def chi_bar_squared_weights(
    cov: np.ndarray, *, method: str = "exact", n_draws: int = 100_000, random_state: int = 0
) -> np.ndarray:
    """Mixing weights w_0..w_m of the chi-bar-squared law of a distance to the positive orthant.

    ``w[k]`` is the probability that the squared Mahalanobis distance (metric ``cov^-1``) from
    ``Z ~ N(0, cov)`` to the orthant behaves as chi-squared with k degrees of freedom, i.e. that
    the projection of Z onto the orthant has exactly ``m - k`` positive components.

    ``method="exact"`` sums, over the faces S of the orthant, the product of two orthant
    probabilities, ``P(N(0, cov_SS.S') > 0) * P(N(0, (cov_S'S')^-1) > 0)`` (closed forms up to
    three dimensions, numerical integration beyond). ``method="monte-carlo"`` projects
    ``n_draws`` seeded draws and counts their positive components.
    """
    cov = as_float_array("cov", cov)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise InvalidArgumentError(f"cov must be a square matrix, got shape {cov.shape}")
    n_draws = check_positive_int("n_draws", n_draws)
    check_seed("random_state", random_state)
    m = cov.shape[0]
    w = np.zeros(m + 1)
    faces = [s for r in range(m + 1) for s in itertools.combinations(range(m), r)]
    if method == "exact":
        for s in faces:
            s = list(s)
            c = [i for i in range(m) if i not in s]
            if c:
                inv_cc = np.linalg.inv(cov[np.ix_(c, c)])
                cond = cov[np.ix_(s, s)] - cov[np.ix_(s, c)] @ inv_cc @ cov[np.ix_(c, s)]
            else:
                inv_cc = np.zeros((0, 0))
                cond = cov[np.ix_(s, s)]
            p = _orthant(cond, random_state) * _orthant(inv_cc, random_state)
            w[m - len(s)] += p
        return w / w.sum()
    if method != "monte-carlo":
        raise InvalidArgumentError(f"method must be 'exact' or 'monte-carlo', got {method!r}")
    rng = np.random.default_rng(random_state)
    z = rng.multivariate_normal(np.zeros(m), cov, size=int(n_draws), method="svd")
    found = np.zeros(len(z), dtype=int) - 1
    for s in faces:
        s = list(s)
        c = [i for i in range(m) if i not in s]
        ok = np.ones(len(z), bool)
        if c:
            inv_cc = np.linalg.inv(cov[np.ix_(c, c)])
            g = z[:, c] @ inv_cc.T  # must be <= 0 on the zero set
            ok &= (g <= 0).all(axis=1)
            if s:
                proj = z[:, s] - z[:, c] @ (cov[np.ix_(s, c)] @ inv_cc).T
                ok &= (proj > 0).all(axis=1)
        else:
            ok &= (z > 0).all(axis=1)
        found[ok & (found < 0)] = len(s)
    found = found[found >= 0]
    for k in range(m + 1):
        w[k] = np.mean(found == m - k)
    return w


@dataclass(frozen=True)
class DesignTestResult:
    """Blair and Imai's (2012) design-effect test.

    Attributes
    ----------
    pvalue : float
        Bonferroni-corrected p-value, ``min(1, 2 * min(pvalue_z1, pvalue_z0))`` over the
        families that keep at least one inequality (1 when both are empty). Small values are
        evidence of a design effect.
    statistic : tuple of float
        The distance statistics (lambda) of the two families (z = 1, z = 0); NaN where the family
        used the one-inequality t-test or was empty.
    pvalue_z1, pvalue_z0 : float
        Per-family p-values (NaN for an empty family).
    pi_table : pandas.DataFrame
        Estimated type shares pi(y, z) with SEs, and whether each inequality was tested.
    weights_z1, weights_z0 : numpy.ndarray
        Chi-bar-squared mixing weights used (empty when not needed).
    """

    pvalue: float
    statistic: tuple[float, float]
    pvalue_z1: float
    pvalue_z0: float
    pi_table: pd.DataFrame
    alpha: float
    gms: bool
    weights_method: str
    weights_z1: np.ndarray = field(default_factory=lambda: np.zeros(0))
    weights_z0: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_control: int = 0
    n_treatment: int = 0
    n_items: int = 0

    @property
    def reject(self) -> bool:
        """True when ``pvalue < alpha`` (evidence of a design effect)."""
        return bool(self.pvalue < self.alpha)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``statistic`` (z = 1 family), ``pvalue`` (corrected) and the family p's."""
        return pd.DataFrame([{
            "statistic": self.statistic[0], "pvalue": self.pvalue,
            "statistic_z0": self.statistic[1], "pvalue_z1": self.pvalue_z1,
            "pvalue_z0": self.pvalue_z0, "alpha": self.alpha, "reject": self.reject,
            "n": self.n_control + self.n_treatment, "n_items": self.n_items,
            "method": "Blair-Imai design-effect test, Bonferroni over two families",
        }])

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)


def _family_pvalue(
    est: np.ndarray,
    cov: np.ndarray,
    ind: tuple,
    weights_method: str,
    n_draws: int,
    random_state: int,
) -> tuple[float, float, np.ndarray]:
    """p-value of H0: all est >= 0 for one family; ind gives one-inequality t-test inputs."""
    from scipy import stats

    m = len(est)
    if m == 0:
        return float("nan"), float("nan"), np.zeros(0)
    if m == 1:
        # one inequality: one-sided Welch t-test of the two indicator means
        means, variances, sizes = ind
        mean1, mean2 = float(means[0]), float(means[1])
        var1, var2 = float(variances[0]), float(variances[1])
        n1, n2 = float(sizes[0]), float(sizes[1])
        if var1 == 0 and var2 == 0:
            return float("nan"), (0.0 if est[0] < 0 else 1.0), np.zeros(0)
        res = stats.ttest_ind_from_stats(mean1, math.sqrt(var1), n1, mean2, math.sqrt(var2), n2,
                                         equal_var=False, alternative="less")
        return float("nan"), float(res.pvalue), np.zeros(0)
    from scipy.optimize import nnls

    if (est >= 0).all():
        lam = 0.0
    else:
        prec = np.linalg.pinv(cov)
        evals, evecs = np.linalg.eigh((prec + prec.T) / 2)
        root = evecs @ np.diag(np.sqrt(np.clip(evals, 0, None))) @ evecs.T
        sol, _ = nnls(root, root @ est)
        d = est - sol
        lam = float(d @ prec @ d)
    method = weights_method
    if method == "auto":
        method = "exact" if m <= 8 else "monte-carlo"
    w = chi_bar_squared_weights(cov, method=method, n_draws=n_draws, random_state=random_state)
    if lam <= 0:
        p = 1.0 - w[0]
    else:
        p = float(sum(w[k] * stats.chi2.sf(lam, k) for k in range(1, m + 1)))
    return lam, min(max(p, 0.0), 1.0), w


def list_design_test(
    data: pd.DataFrame | None = None,
    *,
    count: str = "count",
    treatment: str = "treatment",
    n_items: int | None = None,
    control_frequencies: Sequence[float] | None = None,
    treatment_frequencies: Sequence[float] | None = None,
    alpha: float = 0.05,
    gms: bool = True,
    weights_method: str = "auto",
    n_draws: int = 100_000,
    random_state: int = 0,
) -> DesignTestResult:
    """Blair and Imai's (2012) test for a design effect in a standard list experiment.

    Under no design effect and no liars, every respondent type (y control items, sensitive
    answer z) has a non-negative share, and the shares are identified from the two arms' count
    distributions: ``pi(y,1) = P(Y<=y | control) - P(Y<=y | treatment)`` and
    ``pi(y,0) = P(Y<=y | treatment) - P(Y<=y-1 | control)``. A clearly negative estimated share
    is evidence that adding the sensitive item changed answers to the control items.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Respondent data (``count``, ``treatment`` columns as in :func:`list_experiment`).
    count, treatment : str
        Column names.
    n_items : int, optional
        J (inferred with a warning from the control counts when omitted with ``data``).
    control_frequencies, treatment_frequencies : sequence of float, optional
        Instead of ``data``: how many respondents gave each count (0..J in control, 0..J+1 in
        treatment), e.g. from a published frequency table.
    alpha : float, default 0.05
        Level at which :attr:`DesignTestResult.reject` is decided.
    gms : bool, default True
        Generalised moment selection: before testing, drop inequalities that cannot bind, i.e.
        shares estimated exactly 0 and shares whose t-ratio ``pi_hat / se`` exceeds
        ``sqrt(log n)``. (We scale by each share's own SE, as in Andrews and Soares (2010); the R
        ``list`` package divides by the spread of the estimates across y instead.)
    weights_method : {"auto", "exact", "monte-carlo"}, default "auto"
        How the chi-bar-squared mixing weights are obtained; "auto" is exact (closed forms up to
        three inequalities, numerical orthant integrals beyond) for up to 8 inequalities.
    n_draws, random_state : int
        Monte Carlo draws and seed (used by "monte-carlo").

    Returns
    -------
    DesignTestResult
        ``.pvalue`` (Bonferroni-corrected), ``.pi_table`` (shares with SEs), per-family values.

    Notes
    -----
    For each family (z = 1: y = 0..J-1; z = 0: y = 1..J; the other two shares are non-negative by
    construction) the statistic is the squared Mahalanobis distance from the estimated shares to
    the non-negative orthant, computed by non-negative least squares. Its null law at the least
    favourable point is chi-bar-squared. A family left with a single inequality uses a one-sided
    Welch t-test on the two indicator variables, as the R ``list`` package does. The covariances
    are binomial within each arm: ``Cov(F(a), F(b)) = F(a)(1 - F(b)) / n`` for ``a <= b``.

    Examples
    --------
    >>> import polls
    >>> res = polls.list_design_test(control_frequencies=[50, 200, 250, 100],
    ...                              treatment_frequencies=[30, 150, 250, 120, 50], n_items=3)
    >>> res.pvalue > 0.05
    True
    """
    if data is not None:
        if control_frequencies is not None or treatment_frequencies is not None:
            raise InvalidArgumentError("pass data= or the two frequency tables, not both")
        y, t, j = _validate_respondents(data, count, treatment, n_items)
        fc, ft = _frequencies(y, t, j)
    else:
        if control_frequencies is None or treatment_frequencies is None:
            raise InvalidArgumentError(
                "pass respondent data= or both control_frequencies= and treatment_frequencies="
            )
        fc, ft, j = _check_frequencies(control_frequencies, treatment_frequencies, n_items)
    if not 0 < check_scalar("alpha", alpha) < 1:
        raise InvalidArgumentError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    check_positive_int("n_draws", n_draws)
    check_seed("random_state", random_state)
    nc, nt = fc.sum(), ft.sum()
    n = nc + nt
    est, cov = _type_shares(fc, ft, j)
    k = j + 1
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    fam1 = list(range(0, j))  # pi(y,1), y = 0..J-1
    fam0 = [k + y for y in range(1, k)]  # pi(y,0), y = 1..J
    cdf_c = np.cumsum(fc) / nc
    cdf_t = np.cumsum(ft) / nt

    def keep(idx: list[int]) -> list[int]:
        out = []
        for i in idx:
            if est[i] == 0:
                continue
            if gms and se[i] > 0 and est[i] / se[i] > math.sqrt(math.log(n)):
                continue
            out.append(i)
        return out

    def indicators(i: int) -> tuple:
        # (means, variances (ddof=1), sizes) of the two indicator variables behind share i
        if i < k:  # pi(y,1) = mean 1{Y_C<=y} - mean 1{Y_T<=y}
            y = i
            p1, n1, p2, n2 = cdf_c[y], nc, cdf_t[y], nt
        else:  # pi(y,0) = mean 1{Y_T<=y} - mean 1{Y_C<=y-1}
            y = i - k
            p1, n1, p2, n2 = cdf_t[y], nt, (cdf_c[y - 1] if y >= 1 else 0.0), nc
        v1 = p1 * (1 - p1) * n1 / (n1 - 1) if n1 > 1 else 0.0
        v2 = p2 * (1 - p2) * n2 / (n2 - 1) if n2 > 1 else 0.0
        return (np.array([p1, p2]), np.array([v1, v2]), np.array([n1, n2]))

    results = []
    for fam in (fam1, fam0):
        kept = keep(fam)
        ind = indicators(kept[0]) if len(kept) == 1 else (None,) * 3
        lam, p, w = _family_pvalue(est[kept], cov[np.ix_(kept, kept)],
                                   ind, weights_method, n_draws, random_state)
        results.append((kept, lam, p, w))
    ps = [r[2] for r in results if r[0]]
    pvalue = 1.0 if not ps else min(1.0, 2 * min(ps))
    tested = set(results[0][0]) | set(results[1][0])
    ys = list(range(k)) * 2
    zs = [1] * k + [0] * k
    table = pd.DataFrame({
        "control_count": ys, "sensitive": zs, "estimate": est, "se": se,
        "in_family": [i in fam1 or i in fam0 for i in range(2 * k)],
        "tested": [i in tested for i in range(2 * k)],
    })
    return DesignTestResult(
        pvalue=float(pvalue),
        statistic=(results[0][1], results[1][1]),
        pvalue_z1=results[0][2] if results[0][0] else float("nan"),
        pvalue_z0=results[1][2] if results[1][0] else float("nan"),
        pi_table=table, alpha=float(alpha), gms=bool(gms), weights_method=weights_method,
        weights_z1=results[0][3], weights_z0=results[1][3],
        n_control=int(nc), n_treatment=int(nt), n_items=j,
    )


# --------------------------------------------------------------------------------------------
# Imai (2011) maximum likelihood without covariates, by EM
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListMLResult(SymmetricInterval):
    """Maximum-likelihood fit of a list experiment without covariates.

    Attributes
    ----------
    estimate, se : float
        Prevalence of the sensitive item and its SE (``se_method``).
    joint : pandas.DataFrame
        Estimated joint distribution: ``control_count`` (0..J), ``sensitive`` (0/1), ``share``.
    params : dict
        Model parameters (``prevalence``; ``p_control`` for the binomial model).
    loglik : float
        Maximised log-likelihood.
    n_iter : int
        EM iterations; ``converged`` says whether the tolerance was met.
    on_boundary : bool
        True when some type share is estimated at 0 (nonparametric model: the information SE is
        then conditional on those zeros; prefer ``se="bootstrap"``), or when the prevalence is
        estimated at 0 or 1 (binomial model: the information SE is then NaN, with a warning).
    """

    estimate: float
    se: float
    joint: pd.DataFrame
    params: dict
    loglik: float
    n_iter: int
    converged: bool
    model: str
    se_method: str
    on_boundary: bool
    n_control: int
    n_treatment: int
    n_items: int
    confidence_level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """One tidy row with the package's result columns."""
        low, high = self.confidence_interval()
        n = self.n_control + self.n_treatment
        return pd.DataFrame([{
            "estimate": self.estimate, "ci_low": low, "ci_high": high,
            "confidence_level": self.confidence_level, "se": self.se, "n": n, "n_eff": n,
            "method": f"ML ({self.model}) by EM, SE: {self.se_method}",
            "loglik": self.loglik, "converged": self.converged,
        }])

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)


def _np_loglik(pi1: np.ndarray, pi0: np.ndarray, fc: np.ndarray, ft: np.ndarray) -> float:
    pc = pi0 + pi1
    pt = np.concatenate([pi0, [0.0]]) + np.concatenate([[0.0], pi1])
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(fc > 0, fc * np.log(pc), 0.0)
        b = np.where(ft > 0, ft * np.log(pt), 0.0)
    return float(a.sum() + b.sum())


def _em_nonparametric(fc, ft, j, tol, max_iter):
    """EM for the type shares, accelerated by SQUAREM (Varadhan and Roland 2008).

    Plain EM crawls (sublinearly) towards shares that are 0 at the maximum; the squared
    extrapolation step is kept only when it stays in the simplex and does not lower the
    likelihood, so every accepted iterate is at least as good as two plain EM steps.
    """
    k = j + 1
    n = fc.sum() + ft.sum()

    def em(theta: np.ndarray) -> np.ndarray:
        pi1, pi0 = theta[:k], theta[k:]
        pc = pi0 + pi1
        with np.errstate(divide="ignore", invalid="ignore"):
            share1 = np.where(pc > 0, pi1 / pc, 0.0)
        e1 = fc * share1
        e0 = fc * (1 - share1)
        pt = np.concatenate([pi0, [0.0]]) + np.concatenate([[0.0], pi1])
        with np.errstate(divide="ignore", invalid="ignore"):
            r0 = np.where(pt[:k] > 0, pi0 / pt[:k], 0.0)
            r1 = np.where(pt[1:] > 0, pi1 / pt[1:], 0.0)
        return np.concatenate([e1 + ft[1:] * r1, e0 + ft[:k] * r0]) / n

    def loglik(theta: np.ndarray) -> float:
        return _np_loglik(theta[:k], theta[k:], fc, ft)

    # start from the moment estimates, pulled inside the simplex
    mom, _ = _type_shares(fc, ft, j)
    theta = np.clip(mom, 0, None) + 1.0 / (2 * k * n)
    theta /= theta.sum()
    converged = False
    it = 0  # EM-step evaluations
    while it < max_iter:
        t1 = em(theta)
        t2 = em(t1)
        it += 2
        r = t1 - theta
        v = t2 - t1 - r
        nv = float(np.sqrt(v @ v))
        new = t2
        if nv > 0:
            alpha = min(-float(np.sqrt(r @ r)) / nv, -1.0)
            jump = theta - 2 * alpha * r + alpha**2 * v
            if (jump >= 0).all():
                jump = em(jump / jump.sum())
                it += 1
                if loglik(jump) >= loglik(t2):
                    new = jump
        step = float(np.abs(new - theta).max())
        theta = new
        if step < tol:
            converged = True
            break
    pi1, pi0 = theta[:k].copy(), theta[k:].copy()
    return pi1, pi0, _np_loglik(pi1, pi0, fc, ft), it, converged


def _np_information_se(pi1, pi0, fc, ft, j, zero_tol=1e-8):
    """SE of sum(pi1) from the observed information on the simplex (zero cells held fixed)."""
    k = j + 1
    theta = np.concatenate([pi1, pi0])
    free = np.flatnonzero(theta > zero_tol)
    # cells: control y = 0..J (a = e(y,1) + e(y,0)); treatment y = 0..J+1
    rows, counts = [], []
    for y in range(k):
        a = np.zeros(2 * k)
        a[y] = a[k + y] = 1
        rows.append(a)
        counts.append(fc[y])
    for y in range(k + 1):
        a = np.zeros(2 * k)
        if y <= j:
            a[k + y] = 1
        if y >= 1:
            a[y - 1] = 1
        rows.append(a)
        counts.append(ft[y])
    amat = np.array(rows)[:, free]
    p = amat @ theta[free]
    counts = np.asarray(counts)
    use = counts > 0
    info = (amat[use].T * (counts[use] / p[use] ** 2)) @ amat[use]
    # restrict to the sum-zero directions (shares must sum to 1)
    f = len(free)
    basis = np.linalg.svd(np.eye(f) - 1.0 / f)[0][:, : f - 1]
    red = basis.T @ info @ basis
    cov = basis @ np.linalg.pinv(red) @ basis.T
    b = (free < k).astype(float)
    return math.sqrt(max(float(b @ cov @ b), 0.0))


def _binom_pmf(j: int, p: float) -> np.ndarray:
    ks = np.arange(j + 1)
    logc = np.array([math.lgamma(j + 1) - math.lgamma(x + 1) - math.lgamma(j - x + 1) for x in ks])
    with np.errstate(divide="ignore"):
        return np.exp(logc + ks * np.log(p) + (j - ks) * np.log1p(-p)) if 0 < p < 1 else (
            (ks == (0 if p <= 0 else j)).astype(float))


def _binom_loglik(delta, p, fc, ft, j):
    if not (0 <= delta <= 1 and 0 < p < 1):
        return -np.inf
    b = _binom_pmf(j, p)
    pc = b
    pt = (1 - delta) * np.concatenate([b, [0.0]]) + delta * np.concatenate([[0.0], b])
    with np.errstate(divide="ignore"):
        return float(np.where(fc > 0, fc * np.log(pc), 0).sum()
                     + np.where(ft > 0, ft * np.log(pt), 0).sum())


def _em_binomial(fc, ft, j, tol, max_iter):
    nc, nt = fc.sum(), ft.sum()
    ys_c = np.arange(j + 1)
    ys_t = np.arange(j + 2)
    delta = 0.5
    p = min(max((fc @ ys_c + ft @ ys_t - 0.5 * nt) / (j * (nc + nt)), 0.05), 0.95)
    converged = False
    it = 0
    while it < max_iter:
        it += 1
        old = (delta, p)
        b = _binom_pmf(j, p)
        num1 = delta * np.concatenate([[0.0], b])
        num0 = (1 - delta) * np.concatenate([b, [0.0]])
        with np.errstate(divide="ignore", invalid="ignore"):
            post = np.where(num1 + num0 > 0, num1 / (num1 + num0), 0.0)
        ez = float(ft @ post)
        delta = ez / nt
        p = (fc @ ys_c + ft @ ys_t - ez) / (j * (nc + nt))
        p = min(max(p, 1e-12), 1 - 1e-12)
        step = max(abs(delta - old[0]), abs(p - old[1]))
        if step < tol:
            converged = True
            break
    return delta, p, _binom_loglik(delta, p, fc, ft, j), it, converged


def _binom_information_se(delta, p, fc, ft, j):
    """SE of delta from a central-difference Hessian of the observed log-likelihood."""
    x0 = np.array([delta, p])
    h = np.array([max(1e-5, 1e-4 * min(delta, 1 - delta)), max(1e-5, 1e-4 * min(p, 1 - p))])

    def f(x):
        return _binom_loglik(x[0], x[1], fc, ft, j)

    hess = np.zeros((2, 2))
    for a in range(2):
        for b in range(2):
            ea = np.eye(2)[a] * h[a]
            eb = np.eye(2)[b] * h[b]
            hess[a, b] = (f(x0 + ea + eb) - f(x0 + ea - eb) - f(x0 - ea + eb)
                          + f(x0 - ea - eb)) / (4 * h[a] * h[b])
    if not np.isfinite(hess).all():
        return float("nan")
    cov = np.linalg.pinv(-hess)
    return math.sqrt(max(cov[0, 0], 0.0))


def _fit_ml(fc, ft, j, model, tol, max_iter):
    if model == "nonparametric":
        pi1, pi0, ll, it, conv = _em_nonparametric(fc, ft, j, tol, max_iter)
        return float(pi1.sum()), {"pi1": pi1, "pi0": pi0}, ll, it, conv
    delta, p, ll, it, conv = _em_binomial(fc, ft, j, tol, max_iter)
    b = _binom_pmf(j, p)
    return delta, {"pi1": delta * b, "pi0": (1 - delta) * b, "p": p}, ll, it, conv


def list_experiment_ml(
    data: pd.DataFrame | None = None,
    *,
    count: str = "count",
    treatment: str = "treatment",
    n_items: int | None = None,
    control_frequencies: Sequence[float] | None = None,
    treatment_frequencies: Sequence[float] | None = None,
    model: str = "nonparametric",
    se: str = "information",
    n_boot: int = 500,
    random_state: int = 0,
    tol: float = 1e-10,
    max_iter: int = 100_000,
    confidence_level: float = 0.95,
) -> ListMLResult:
    """Imai's (2011) maximum-likelihood estimator without covariates, fitted by EM.

    Each respondent has a latent type (y, z): y control items apply, z is the true answer to the
    sensitive item. A control respondent reports y; a treated one reports y + z. EM treats z as
    missing: the E-step splits each treated count c between the types (c - 1, 1) and (c, 0) (and
    each control count c between (c, 1) and (c, 0)) in proportion to the current shares; the
    M-step re-estimates the model from those expected type counts.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Respondent data (``count``, ``treatment`` as in :func:`list_experiment`).
    count, treatment : str
        Column names.
    n_items : int, optional
        J (inferred with a warning when omitted with ``data``).
    control_frequencies, treatment_frequencies : sequence of float, optional
        Instead of ``data``, the number of respondents at each count in each arm.
    model : {"nonparametric", "binomial"}, default "nonparametric"
        "nonparametric": the 2(J+1) type shares pi(y, z) are free (a multinomial); the model is
        just identified, so when every estimated share is positive the prevalence equals the
        difference in means, and the ML estimate differs only when the moment estimates of some
        shares are negative. "binomial": Imai's constrained model, y ~ Binomial(J, p)
        independent of z ~ Bernoulli(prevalence).
    se : {"information", "bootstrap"}, default "information"
        "information": inverse observed information (for the nonparametric model on the simplex,
        holding shares estimated at 0 fixed; see ``on_boundary``); "bootstrap": SD of ``n_boot``
        refits on multinomial resamples of each arm (seeded by ``random_state``).
    tol, max_iter : float, int
        EM stops when no parameter moves by more than ``tol`` in one iteration.
    confidence_level : float, default 0.95

    Returns
    -------
    ListMLResult
        ``.estimate`` (prevalence), ``.se``, ``.joint`` (the joint distribution of control count and
        sensitive item), ``.confidence_interval()``.

    Examples
    --------
    >>> import polls
    >>> res = polls.list_experiment_ml(control_frequencies=[50, 200, 250, 100],
    ...                                treatment_frequencies=[30, 150, 250, 120, 50],
    ...                                n_items=3, model="binomial")
    >>> 0 < res.estimate < 1
    True
    """
    level = check_confidence_level(confidence_level)
    if data is not None:
        y, t, j = _validate_respondents(data, count, treatment, n_items)
        fc, ft = _frequencies(y, t, j)
    else:
        if control_frequencies is None or treatment_frequencies is None:
            raise InvalidArgumentError(
                "pass respondent data= or both control_frequencies= and treatment_frequencies="
            )
        fc, ft, j = _check_frequencies(control_frequencies, treatment_frequencies, n_items)
    check_choice("model", model, ["nonparametric", "binomial"])
    check_choice("se", se, ["information", "bootstrap"])
    if not check_scalar("tol", tol) > 0:
        raise InvalidArgumentError(f"tol must be a positive number, got {tol!r}")
    max_iter = check_positive_int("max_iter", max_iter)
    if se == "bootstrap":
        n_boot = check_positive_int("n_boot", n_boot, minimum=2)
    check_seed("random_state", random_state)
    est, par, ll, it, conv = _fit_ml(fc, ft, j, model, tol, max_iter)
    if not conv:
        warnings.warn(f"EM stopped after {it} iterations without meeting tol={tol}",
                      ConvergenceWarning, stacklevel=2)
    pi1, pi0 = par["pi1"], par["pi0"]
    if model == "nonparametric":
        boundary = bool((np.concatenate([pi1, pi0]) < 1e-8).any())
    else:
        boundary = not 1e-6 < est < 1 - 1e-6
        if boundary and se == "information":
            warnings.warn(
                f"the ML prevalence ({est:.3g}) is at the edge of [0, 1], where the "
                "information SE does not exist: se is NaN; use se='bootstrap'",
                InferenceWarning,
                stacklevel=2,
            )
    if se == "information":
        if model == "nonparametric":
            se_val = _np_information_se(pi1, pi0, fc, ft, j)
            se_name = "observed information" + (" (zero shares held fixed)" if boundary else "")
        elif boundary:
            se_val, se_name = float("nan"), "none (prevalence on the boundary)"
        else:
            se_val = _binom_information_se(est, par["p"], fc, ft, j)
            se_name = "observed information (numerical Hessian)"
    else:
        rng = np.random.default_rng(random_state)
        nc, nt = int(fc.sum()), int(ft.sum())
        draws = []
        for _ in range(int(n_boot)):
            bc = rng.multinomial(nc, fc / nc).astype(float)
            bt = rng.multinomial(nt, ft / nt).astype(float)
            draws.append(_fit_ml(bc, bt, j, model, max(tol, 1e-8), max_iter)[0])
        se_val = float(np.std(draws, ddof=1))
        se_name = f"bootstrap ({int(n_boot)} resamples within arms, seed {random_state})"
    joint = pd.DataFrame({
        "control_count": list(range(j + 1)) * 2,
        "sensitive": [0] * (j + 1) + [1] * (j + 1),
        "share": np.concatenate([pi0, pi1]),
    })
    params = {"prevalence": float(est)}
    if model == "binomial":
        params["p_control"] = float(par["p"])
    return ListMLResult(
        estimate=float(est), se=float(se_val), joint=joint, params=params, loglik=ll,
        n_iter=it, converged=conv, model=model, se_method=se_name, on_boundary=boundary,
        n_control=int(fc.sum()), n_treatment=int(ft.sum()), n_items=j,
        confidence_level=level,
    )


# --------------------------------------------------------------------------------------------
# falsification gap
# --------------------------------------------------------------------------------------------


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
    for name, value in (("direct_se", sd), ("list_se", sl)):
        if not (math.isfinite(value) and value >= 0):
            raise InvalidArgumentError(
                f"{name} must be a non-negative number, got {value!r}"
                + (" (the list result has no SE: pass list_se=)" if name == "list_se" else "")
            )
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
    var = sd**2 + sl**2 - 2 * rho * sd * sl
    return FalsificationGap(p - le, math.sqrt(max(var, 0.0)), p, le, sd, sl, rho, level,
                            method + note)


# --------------------------------------------------------------------------------------------
# simulation
# --------------------------------------------------------------------------------------------


def simulate_list_experiment(
    n: int,
    *,
    n_items: int,
    prevalence: float,
    p_control: float = 0.5,
    design_effect: float = 0.0,
    treated_share: float = 0.5,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Simulate respondent data from a standard list experiment with known truth.

    For demonstrations, power planning and checks. Each respondent agrees with each of the
    ``n_items`` control items independently with probability ``p_control`` and holds the
    sensitive view with probability ``prevalence``; a share ``treated_share`` is assigned to the
    treatment list. ``design_effect`` injects a violation of the no-design-effect assumption: it
    is the chance that a treated respondent who does *not* hold the sensitive view drops one
    control item once the sensitive item is on the list (a contrast effect).

    Parameters
    ----------
    n : int
        Respondents.
    n_items : int
        J, the number of control items.
    prevalence : float
        True share holding the sensitive view, in [0, 1].
    p_control : float, default 0.5
        Chance of agreeing with each control item.
    design_effect : float, default 0
        See above; 0 means the assumption holds.
    treated_share : float, default 0.5
        Chance of being assigned the treatment list.
    random_state : int or None, default 0
        Seed.

    Returns
    -------
    pandas.DataFrame
        Columns ``count``, ``treatment`` (0/1) and the latent ``sensitive`` (0/1, unobservable in
        a real survey).

    Examples
    --------
    >>> import polls
    >>> df = polls.simulate_list_experiment(1000, n_items=3, prevalence=0.6)
    >>> sorted(df.columns)
    ['count', 'sensitive', 'treatment']
    """
    j = _check_n_items(n_items)
    size = check_positive_int("n", n, minimum=2)
    check_seed("random_state", random_state)
    for name, v in (("prevalence", prevalence), ("p_control", p_control),
                    ("design_effect", design_effect), ("treated_share", treated_share)):
        check_share(name, v)
    rng = np.random.default_rng(random_state)
    t = rng.random(size) < treated_share
    ystar = rng.binomial(j, p_control, size)
    z = rng.random(size) < prevalence
    drop = t & ~z & (ystar > 0) & (rng.random(size) < design_effect)
    return pd.DataFrame({
        "count": ystar - drop + (t & z),
        "treatment": t.astype(int),
        "sensitive": z.astype(int),
    })


# --------------------------------------------------------------------------------------------
# bundled published summaries
# --------------------------------------------------------------------------------------------


def published_list_experiments() -> pd.DataFrame:
    """Published summary figures of Russian list experiments, as shipped with the package.

    One row per study and arm (``control``, ``treatment``, ``direct``). Figures are as printed:
    ``mean_count``; percentages as published in ``estimate_percent`` (and ``ci_low_percent``,
    ``ci_high_percent``) with the same figures as proportions in ``estimate``, ``ci_low``,
    ``ci_high``. A blank is a figure that was not found, never a zero. ``evidence`` says how
    firm the figure is (printed, approximate, preliminary, secondary, design only), ``note``
    what is missing, ``source_url`` where it was read. ``attrs["metadata"]`` holds the sidecar.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import polls
    >>> df = polls.published_list_experiments()
    >>> df.loc[(df.study_id == "CS2022") & (df.arm == "direct"), "estimate"].item()
    0.71
    """
    import json
    from importlib import resources

    base = resources.files("polls").joinpath("datasets", "data")
    with base.joinpath("list-experiments.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"study_id": "string", "arm": "string"})
    with base.joinpath("list-experiments.json").open("r", encoding="utf-8") as fh:
        meta = json.load(fh)
    for col in ("n_control_items", "n"):
        df[col] = df[col].astype("Int64")
    df.attrs["metadata"] = meta
    return df
