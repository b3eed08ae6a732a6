"""The difference in means from respondent data: plain, weighted or design-based, per subgroup.

The estimate is the treatment-group mean count minus the control-group mean count, with the
unpooled (Welch) standard error, weighted means with linearised scores, or the variance of a
survey design; see :func:`list_experiment`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import as_float_array, check_confidence_level
from polls.errors import InvalidArgumentError
from polls.listexp._inputs import _column, _validate_respondents
from polls.results import SymmetricInterval

__all__ = ["ListExperimentResult", "list_experiment"]


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
