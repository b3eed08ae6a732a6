"""Calibration of survey weights to population totals (R's ``survey::calibrate``).

Calibration finds weights ``w_i g_i`` close to the design weights ``w_i`` whose weighted totals of
auxiliary variables ``x_i`` equal known population totals ``T``: ``sum_i w_i g_i x_i = T``, with
``g_i = F(x_i' lambda)`` for a calibration function ``F`` (Deville and Sarndal, 1992):

- ``"linear"``: ``F(u) = 1 + u`` (GREG; with ``bounds``, clipped to them);
- ``"raking"``: ``F(u) = exp(u)`` (with ``bounds``, clipped);
- ``"logit"``: a logistic curve that runs from the lower to the upper bound (finite bounds
  needed).

``lambda`` is found by Newton's method with a generalised inverse, as R's ``grake`` does (the
unbounded linear case has a closed form, as R's ``regcalibrate``). The standard errors of
estimates from the calibrated design use R's residual projection: each row's weighted score is
replaced by its residual from the weighted least-squares regression on ``x`` (weighted by the
design weights before calibration), which is how the calibration's information about the
population enters the variance. :meth:`polls.SurveyDesign.calibrate` returns a design carrying
that projection, so every estimate from it (means, totals, proportions, domains, regression,
quantiles) uses it.

Totals are given per variable: a dict of level totals for a categorical variable, one number
for a numeric one (``{"stype": {"E": 4421, "H": 755, "M": 1018}, "api99": 3914069}``). The model
matrix is R's for ``~ stype + api99``: the first categorical variable with one column per level
(which spans the intercept), later categorical variables with their first level left out, and
one column per numeric variable; with ``population_size`` an intercept column is added and
every categorical variable loses its first level.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_choice
from polls.errors import InvalidArgumentError

__all__ = ["CALIBRATION_METHODS", "CalibrationResult", "calibration_matrix", "calibrate_weights",
           "GregProjection"]

#: Calibration functions of :meth:`polls.SurveyDesign.calibrate` (R's ``calfun``).
CALIBRATION_METHODS = ("linear", "raking", "logit")
#: R's ``grake`` rescales the weights first when every population total exceeds the sample
#: total by more than this factor (bounds then apply to the rescaled weights).
_RESCALE_THRESHOLD = 20.0
#: Rank tolerance of the QR decomposition behind the variance projection (R's ``qr`` default).
_QR_TOL = 1e-7


@dataclass(frozen=True)
class CalibrationResult:
    """The outcome of a calibration.

    Attributes
    ----------
    method : str
    bounds : tuple of float or None
        Bounds on ``g``, the ratio of calibrated to design weight.
    iterations : int
        Newton steps (0 for unbounded linear calibration, which has a closed form).
    converged : bool
    max_error : float
        Largest ``|achieved - target| / (1 + |target|)`` over the totals (R's criterion).
    g_min, g_max : float
        Range of the ratios of calibrated to design weights.
    totals : pandas.DataFrame
        One row per calibration column: ``term, target, before, after`` (weighted totals with
        the design weights and with the calibrated weights).
    """

    method: str
    bounds: tuple[float, float] | None
    iterations: int
    converged: bool
    max_error: float
    g_min: float
    g_max: float
    totals: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The totals table: target, and weighted totals before and after calibration."""
        return self.totals.copy()


def _categorical(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)) or (
        isinstance(series.dtype, pd.CategoricalDtype)
    )


def _level_totals(name: str, series: pd.Series, spec: Any) -> tuple[list[Any], np.ndarray]:
    if isinstance(spec, pd.Series):
        keys, vals = list(spec.index), list(spec.to_numpy())
    else:
        keys, vals = list(spec.keys()), list(spec.values())
    try:
        arr = np.asarray(vals, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"totals[{name!r}] must hold numbers, got {vals[:6]}") from None
    bad = ~(np.isfinite(arr) & (arr >= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgumentError(
            f"totals[{name!r}][{keys[i]!r}] must be a non-negative number, got {vals[i]!r}"
        )
    present = series.dropna().unique().tolist()
    missing = [v for v in present if v not in keys]
    if missing:
        raise InvalidArgumentError(
            f"calibration variable {name!r} has level(s) {sorted(missing, key=str)[:10]} in the "
            "data with no population total; give every level a total"
        )
    absent = [k for k in keys if k not in present]
    if absent:
        raise InvalidArgumentError(
            f"totals[{name!r}] has level(s) {absent[:10]} with no respondents in the data; merge "
            "them with a neighbouring level or leave them out"
        )
    # levels in R's factor order: a categorical's own order, otherwise sorted
    if isinstance(series.dtype, pd.CategoricalDtype):
        order = [c for c in series.cat.categories if c in keys]
    else:
        order = sorted(keys, key=lambda k: (str(type(k)), k))
    lookup = dict(zip(keys, arr, strict=True))
    return order, np.array([lookup[k] for k in order])


def calibration_matrix(
    data: pd.DataFrame, totals: Mapping[str, Any], population_size: float | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Model matrix, population totals and column names for calibration (R's ``model.matrix``).

    Parameters
    ----------
    data : pandas.DataFrame
    totals : mapping
        Variable name to level totals (dict or Series) for a categorical variable, or to one
        number for a numeric variable.
    population_size : float, optional
        Population size, for an intercept column (needed when no categorical variable is
        calibrated and the population size should be kept).

    Returns
    -------
    X : ndarray, shape (n, p)
    population : ndarray, shape (p,)
    names : list of str
        Column names (``"stype=H"``, ``"api99"``, ``"(Intercept)"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from polls.calibration import calibration_matrix
    >>> df = pd.DataFrame({"sex": ["f", "m", "m"], "age": [30.0, 40.0, 50.0]})
    >>> X, T, names = calibration_matrix(df, {"sex": {"f": 60, "m": 40}, "age": 4100})
    >>> names, T.tolist()
    (['sex=f', 'sex=m', 'age'], [60.0, 40.0, 4100.0])
    """
    if not isinstance(totals, Mapping) or not totals:
        raise InvalidArgumentError(
            "totals must be a non-empty dict {variable: total, or {level: total}}, "
            f"got {totals!r}"
        )
    cols: list[np.ndarray] = []
    pop: list[float] = []
    names: list[str] = []
    if population_size is not None:
        try:
            size = float(population_size)
        except (TypeError, ValueError):
            size = math.nan
        if not (math.isfinite(size) and size > 0):
            raise InvalidArgumentError(
                f"population_size must be a positive number, got {population_size!r}"
            )
        cols.append(np.ones(len(data)))
        pop.append(size)
        names.append("(Intercept)")
    sums = []
    full_first = population_size is None  # the first categorical keeps all levels (intercept)
    for name, spec in totals.items():
        if name not in data.columns:
            raise InvalidArgumentError(
                f"totals names variable {name!r}, which is not a column of data"
            )
        s = data[name]
        if s.isna().any():
            row = s.index[int(np.flatnonzero(s.isna().to_numpy())[0])]
            raise InvalidArgumentError(
                f"calibration variable {name!r} has a missing value (row {row!r}); fill it or "
                "leave the row out before building the design"
            )
        if isinstance(spec, Mapping | pd.Series):
            levels, values = _level_totals(name, s, spec)
            sums.append((name, float(values.sum())))
            keep = levels if full_first else levels[1:]
            full_first = False
            for level in keep:
                cols.append((s == level).to_numpy(dtype=float))
                pop.append(float(values[levels.index(level)]))
                names.append(f"{name}={level}")
            continue
        if _categorical(s):
            raise InvalidArgumentError(
                f"totals[{name!r}] is one number but {name!r} is categorical: give a total per "
                "level ({level: total})"
            )
        try:
            total = float(spec)
        except (TypeError, ValueError):
            total = math.nan
        if not math.isfinite(total):
            raise InvalidArgumentError(
                f"totals[{name!r}] must be a finite number (the population total of {name!r}), "
                f"got {spec!r}"
            )
        cols.append(s.to_numpy(dtype=float))
        pop.append(total)
        names.append(str(name))
    reference = population_size if population_size is not None else (sums[0][1] if sums else None)
    for name, total in sums:
        if reference is not None and abs(total - reference) > 1e-6 * reference:
            raise InvalidArgumentError(
                f"the level totals of {name!r} sum to {total!r}, but the population size is "
                f"{reference!r} (from population_size or the first categorical variable)"
            )
    return np.column_stack(cols), np.array(pop), names


# ---------------------------------------------------------------------------------------------
# calibration functions: F(u) - 1 and its derivative, as R's cal.linear, cal.raking, cal.logit


def _fm1(method: str, u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    if method == "linear":
        return np.minimum(np.maximum(u + 1, lo), hi) - 1
    if method == "raking":
        with np.errstate(over="ignore"):
            return np.minimum(np.maximum(np.exp(u), lo), hi) - 1
    a = (hi - lo) / ((hi - 1) * (1 - lo))
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(a * u)
        return (lo * (hi - 1) + hi * (1 - lo) * e) / (hi - 1 + (1 - lo) * e) - 1


def _dF(method: str, u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    inside = (u < hi - 1) & (u > lo - 1)
    if method == "linear":
        return inside.astype(float)
    if method == "raking":
        with np.errstate(over="ignore"):
            return np.where(inside, np.exp(u), 0.0)
    a = (hi - lo) / ((hi - 1) * (1 - lo))
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(a * u)
        den = hi - 1 + (1 - lo) * e
        return (hi * (1 - lo) * e * a / den
                - (lo * (hi - 1) + hi * (1 - lo) * e) * ((1 - lo) * e * a) / den**2)


def _check_bounds(method: str, bounds: Any) -> tuple[float, float] | None:
    if bounds is None:
        if method == "logit":
            raise InvalidArgumentError(
                "method='logit' needs finite bounds (lower < 1 < upper), e.g. bounds=(0.5, 2.5)"
            )
        return None
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"bounds must be a pair (lower, upper) of weight ratios, got {bounds!r}"
        ) from None
    if math.isnan(lo) or math.isnan(hi) or not lo <= 1 <= hi:
        raise InvalidArgumentError(
            f"bounds must satisfy lower <= 1 <= upper (they bound the ratio of calibrated to "
            f"design weight), got {bounds!r}"
        )
    if method == "logit" and not (math.isfinite(lo) and math.isfinite(hi) and lo < 1 < hi):
        raise InvalidArgumentError(
            f"method='logit' needs finite bounds with lower < 1 < upper, got {bounds!r}"
        )
    return lo, hi


def calibrate_weights(
    X: np.ndarray,
    w: np.ndarray,
    population: np.ndarray,
    method: str = "linear",
    bounds: tuple[float, float] | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> tuple[np.ndarray, int, float]:
    """The g-weights (ratios of calibrated to design weights) that meet the totals.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Calibration model matrix.
    w : ndarray, shape (n,)
        Design weights.
    population : ndarray, shape (p,)
        Population totals of the columns of ``X``.
    method : {"linear", "raking", "logit"}
    bounds : (float, float), optional
        Bounds on ``g`` (required for ``"logit"``).
    tol : float
        Convergence: ``|achieved - target| / (1 + |target|) < tol`` for every total (R's
        ``epsilon``).
    max_iter : int

    Returns
    -------
    g : ndarray, shape (n,)
    iterations : int
    max_error : float
        ``max |achieved - target| / (1 + |target|)`` at the end (above ``tol``: not met).

    Examples
    --------
    >>> import numpy as np
    >>> from polls.calibration import calibrate_weights
    >>> X = np.column_stack([np.ones(4), [1.0, 2.0, 3.0, 4.0]])
    >>> g, _, err = calibrate_weights(X, np.full(4, 10.0), np.array([40.0, 120.0]))
    >>> round(float(((10 * g)[:, None] * X).sum(axis=0)[1]), 9)
    120.0
    """
    method = check_choice("method", method, CALIBRATION_METHODS)
    b = _check_bounds(method, bounds)
    lo, hi = b if b is not None else (-math.inf, math.inf)
    sample = X.T @ w
    if method == "linear" and b is None:
        T = (X * w[:, None]).T @ X
        lam = np.linalg.pinv(T, rcond=256 * np.finfo(float).eps) @ (population - sample)
        g = 1 + X @ lam
        err = float(np.max(np.abs(X.T @ (w * g) - population) / (1 + np.abs(population))))
        return g, 0, err
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = population / sample
    scale = float(np.mean(scales)) if np.min(scales) > _RESCALE_THRESHOLD else None
    ww = w * scale if scale else w
    sample = X.T @ ww
    eta = np.zeros(X.shape[1])
    u = X @ eta
    it = 1
    while True:
        deriv = _dF(method, u, lo, hi)
        T = (X * (ww * deriv)[:, None]).T @ X
        misfit = population - sample - X.T @ (ww * _fm1(method, u, lo, hi))
        step = np.linalg.pinv(T, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + step
        u = X @ eta
        while it < max_iter and not (np.isfinite(_fm1(method, u, lo, hi)).all()
                                     and np.isfinite(_dF(method, u, lo, hi)).all()):
            it += 1
            step = step / 2
            eta = eta - step
            u = X @ eta
        misfit = population - sample - X.T @ (ww * _fm1(method, u, lo, hi))
        err = float(np.max(np.abs(misfit) / (1 + np.abs(population))))
        if err < tol:
            break
        it += 1
        if it > max_iter:
            break
    g = 1 + _fm1(method, u, lo, hi)
    if scale:
        g = g * scale
    return g, it, err


class GregProjection:
    """The variance step of a calibration: weighted scores to their calibration residuals.

    Called with the weighted scores ``x`` (rows ``w_i g_i z_i``), it returns
    ``w_i g_i (z_i - x_i' b)``, ``b`` the least-squares coefficients of ``z`` on the calibration
    columns weighted by the design weights before calibration: R's
    ``qr.resid(qr(X * sqrt(w)), x / (g sqrt(w))) * g sqrt(w)``.
    """

    def __init__(self, X: np.ndarray, w: np.ndarray, g: np.ndarray) -> None:
        from scipy import linalg

        root = np.sqrt(w)
        q, r, _ = linalg.qr(X * root[:, None], mode="economic", pivoting=True)
        d = np.abs(np.diag(r))
        rank = int((d > _QR_TOL * d[0]).sum()) if len(d) and d[0] > 0 else 0
        self.q = np.ascontiguousarray(q[:, :rank])
        self.scale = g * root

    def __call__(self, x: np.ndarray) -> np.ndarray:
        s = self.scale[:, None]
        u = np.divide(x, s, out=np.zeros_like(x), where=s != 0)
        u -= self.q @ (self.q.T @ u)
        return u * s


def calibrate_design(design: Any, totals: Mapping[str, Any], method: str, bounds: Any,
                     population_size: float | None, tol: float, max_iter: int):
    """g-weights, the variance projection and the result record for ``design.calibrate``."""
    method = check_choice("method", method, CALIBRATION_METHODS)
    X, pop, names = calibration_matrix(design.data, totals, population_size)
    w = design.weights.to_numpy()
    g, iterations, err = calibrate_weights(X, w, pop, method, bounds, tol=tol, max_iter=max_iter)
    b = _check_bounds(method, bounds)
    if not err < tol:
        raise InvalidArgumentError(
            f"calibration ({method}) did not meet the totals in {iterations} iterations: the "
            f"largest relative error is {err:.3g}; the totals may be unreachable"
            + (f" within bounds {b}" if b else "")
            + " (widen the bounds, or check the totals against the data)"
        )
    new_w = w * g
    frame = pd.DataFrame({"term": names, "target": pop, "before": X.T @ w, "after": X.T @ new_w})
    result = CalibrationResult(method, b, iterations, True, err, float(g.min()), float(g.max()),
                               frame)
    return new_w, GregProjection(X, w, g), result
