"""Regression and quantiles on replicate-weight designs (R's ``svyglm`` and ``svyquantile`` on an
``svrep.design``).

:class:`ReplicateModels` is a mixin of :class:`polls.ReplicateDesign`. Its estimators are those of
the Taylor design, fed different variances:

- ``glm``: the coefficients of :func:`polls.regression.fit_glm` with the full-sample weights;
  the model is refitted with each replicate's analysis weights and the covariance is R's
  ``svrVar`` of the replicate coefficients (``scale``, ``rscales``, ``mse`` as the design has
  them), through :meth:`ReplicateDesign.replicate_variance`. A replicate whose fit is rank
  deficient (a factor level with no weight in it) is left out with a warning, as R drops the
  replicates whose coefficients are ``NA``. Tests use ``degf + 1 - p`` degrees of freedom, ``degf``
  being the rank of the replicate weights (of the ``subset=`` rows, if any) minus one, as R's
  ``df.residual``.
- ``quantile``: the quantile of the full-sample weights by the chosen rule of
  :mod:`polls.quantiles`; the interval is, as in R's ``svyquantile`` for replicate designs
  (survey 4.1.1), Woodruff's by default (``interval="mean"``: the replicate variance of the share
  of the population below the estimate, read back through the rule; also ``"xlogit"``,
  ``"asin"``, ``"beta"``), or ``interval="quantile"``: the estimate +/- t times the replicate
  standard error of the quantile itself (R's ``interval.type = "quantile"``, which R and polls
  warn about for jackknife replicates, whose quantile variance is not consistent). Domains
  (``by=``) take the degrees of freedom of their own rows, as ``svyby`` recomputes ``degf`` on
  the subset design.
- ``calibrate``: as R's ``calibrate`` on a replicate design, the full-sample weights and each
  replicate's weights are calibrated to the same totals (by :mod:`polls.calibration`), so that
  the replicate variance of every later estimate carries the calibration. The new design holds
  the calibrated replicate weights as an ``(n, R)`` array.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_choice, check_confidence_level, critical_value
from polls.design._cells import Cells, Ratios, selector
from polls.errors import ConvergenceWarning, InferenceWarning, InvalidArgumentError

__all__ = ["ReplicateModels", "REPLICATE_QUANTILE_INTERVALS"]

#: Intervals of :meth:`ReplicateDesign.quantile` (R's ``interval.type`` for replicate designs).
REPLICATE_QUANTILE_INTERVALS = ("mean", "xlogit", "asin", "beta", "quantile")


class ReplicateModels:
    """glm and quantile for :class:`polls.ReplicateDesign` (see the module docstring)."""

    #: Diagnostics of the last :meth:`calibrate` (None for a design that was not calibrated).
    calibration_result: Any = None

    def _replicate_columns(self) -> Iterator[np.ndarray]:
        """The analysis weights of each replicate in turn (one column of ``n`` at a time)."""
        base = self._base if self._base is not None else 1.0
        from_frame = not isinstance(self._factors, np.ndarray)  # replicate.FrameColumns
        for r in range(self.n_replicates):
            if from_frame:
                yield base * self._factors.column(r)
            else:
                yield base * self._factors[self._unit, r]

    def _subset_df(self, mask: np.ndarray) -> int:
        """R's ``degf`` of the design restricted to the rows in ``mask``."""
        if mask.all():
            return self.degrees_of_freedom
        return self._rank(mask) - 1

    def glm(self, formula: str, family: str = "gaussian", *, subset: Any = None) -> Any:
        """Design-based generalised linear model with replicate variance, as R's ``svyglm``.

        Parameters
        ----------
        formula : str
            R-style formula read by formulaic, e.g. ``"api00 ~ meals + stype"`` (see
            :meth:`polls.SurveyDesign.glm` for the coding of factors).
        family : {"gaussian", "binomial", "poisson"}
            With the canonical link; point estimates as R's ``gaussian()``,
            ``quasibinomial()`` and ``quasipoisson()``.
        subset : str or array of bool, optional
            A domain: a boolean column or one True/False per row. The fit and every replicate
            fit use its rows only, and the degrees of freedom are those of its rows, as R's
            ``svyglm(..., design = subset(design, ...))`` on a replicate design.

        Returns
        -------
        polls.regression.GLMResult
            As :meth:`polls.SurveyDesign.glm` returns it; ``vcov`` is the replicate covariance
            of the coefficients and ``df_resid`` the design's degrees of freedom + 1 minus the
            number of coefficients.

        Examples
        --------
        >>> import numpy as np, pandas as pd, polls
        >>> df = pd.DataFrame({"x": np.arange(8.0), "y": [1, 3, 2, 5, 4, 7, 6, 8.0],
        ...                    "c": [1, 1, 2, 2, 3, 3, 4, 4]})
        >>> rep = polls.SurveyDesign(df, cluster="c").to_replicate("JK1")
        >>> fit = rep.glm("y ~ x")
        >>> fit.params.round(4).tolist(), fit.df_resid
        ([1.25, 0.9286], 2.0)
        """
        from polls.regression import (
            FAMILIES,
            _check_response,
            _model_arrays,
            _subset_mask,
            fit_glm,
            glm_result,
        )

        family = check_choice("family", family, FAMILIES)
        X, y, kept, columns, term_columns, yname = _model_arrays(self._data, formula, family)
        inside = _subset_mask(self._data, subset)
        kept &= inside
        _check_response(y[kept], family, yname)
        fit = fit_glm(X, y, self._w * kept, family)
        failed: list[str] = []

        def coefficients(w: np.ndarray) -> np.ndarray:
            try:
                refit = fit_glm(X, y, w * kept, family, scores=False)
            except (InvalidArgumentError, np.linalg.LinAlgError):  # rank deficient: R's NAs
                failed.append("rank")
                return np.full(len(columns), math.nan)
            if not refit.converged:
                failed.append("converged")
            return refit.params

        V = np.atleast_2d(self.replicate_variance(coefficients))
        if not fit.converged or "converged" in failed:
            warnings.warn(
                f"the {family} model did not converge on the full sample or on "
                f"{failed.count('converged')} replicates; the coefficients may be infinite "
                "(separation) or the model unsuitable", ConvergenceWarning, stacklevel=2)
        df = self._subset_df(inside) + 1 - len(columns)
        return glm_result(fit, V, df, columns, family=family, formula=formula,
                          n=int(kept.sum()), term_columns=term_columns)

    def quantile(
        self,
        column: str,
        q: float | Sequence[float] = 0.5,
        *,
        by: str | Sequence[str] | None = None,
        confidence_level: float = 0.95,
        rule: str = "math",
        interval: str = "mean",
        df: float | None = None,
    ) -> pd.DataFrame:
        """Weighted quantiles with replicate-based intervals, as R's ``svyquantile``.

        Parameters
        ----------
        column : str
            A numeric column; rows where it is missing are left out (R's ``na.rm=TRUE``).
        q : float or sequence of float
            Probabilities in [0, 1] (0.5: the median).
        by : str or list of str, optional
            Domain variables (as ``svyby(..., svyquantile)``).
        confidence_level : float
            Interval level.
        rule : str
            Quantile rule (R's ``qrule``): ``"math"`` (default), ``"school"``,
            ``"shahvaish"``, ``"hf1"`` ... ``"hf9"`` (see :mod:`polls.quantiles`).
        interval : {"mean", "xlogit", "asin", "beta", "quantile"}
            ``"mean"`` (R's default): Woodruff's interval from the replicate variance of the
            share below the estimate; ``"xlogit"``, ``"asin"``, ``"beta"``: that share's
            interval on another scale; ``"quantile"``: estimate +/- t times the replicate SE
            of the quantile itself (warned about for jackknife replicates, as R does).
        df : float, optional
            Degrees of freedom of the t quantile (default: the rank of the replicate weights
            of the domain's rows minus one).

        Returns
        -------
        DataFrame
            ``by`` columns, ``q``, ``estimate, ci_low, ci_high, confidence_level, se, n,
            method, rule, df``; ``method`` is ``"woodruff"`` (``"woodruff-xlogit"`` etc.) or
            ``"replicate"``. For Woodruff intervals ``se`` is R's: the interval's width over
            twice the t quantile.

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"age": [23, 35, 41, 52, 67, 30, 45, 58],
        ...                    "c": [1, 1, 2, 2, 3, 3, 4, 4]})
        >>> rep = polls.SurveyDesign(df, cluster="c").to_replicate("JK1")
        >>> rep.quantile("age", [0.25, 0.5])["estimate"].tolist()
        [30.0, 41.0]
        """
        from polls.quantiles import _RULES, QUANTILE_RULES, _check_probs, _Sorted

        level = check_confidence_level(confidence_level)
        rule = check_choice("rule", rule, QUANTILE_RULES)
        interval = check_choice("interval", interval, REPLICATE_QUANTILE_INTERVALS)
        if interval == "quantile" and self.type in ("JK1", "JKn"):
            warnings.warn("jackknife replicate weights may not give valid standard errors for "
                          "quantiles", InferenceWarning, stacklevel=2)
        probs = _check_probs(q)
        x, ok = self._numeric(column)
        names, dom, keys = self._by(by)
        method = {"mean": "woodruff", "quantile": "replicate"}.get(interval,
                                                                  f"woodruff-{interval}")
        rows = []
        for d, key in enumerate(keys):
            inside = ok & (dom == d)
            dfi = float(self._subset_df(inside)) if df is None else float(df)
            pos = inside & (self._w > 0)
            s = _Sorted(x[pos], self._w[pos])
            if s.n < 2:
                nan = np.full(len(probs), math.nan)
                est, low, high, se = nan, nan, nan, nan
            elif interval == "quantile":
                est, low, high, se = self._quantile_replicate(x, inside, s, _RULES[rule],
                                                              probs, level, dfi)
            else:
                est, low, high, se = self._quantile_woodruff(x, inside, s, _RULES[rule], probs,
                                                             level, dfi, interval)
            for i, p in enumerate(probs):
                rows.append([*key, float(p), est[i], low[i], high[i], level, se[i],
                             int(pos.sum()), method, rule, dfi])
        cols = [*names, "q", "estimate", "ci_low", "ci_high", "confidence_level", "se", "n",
                "method", "rule", "df"]
        return pd.DataFrame(rows, columns=cols)

    def _quantile_woodruff(self, x, inside, s, fn, probs, level, df, interval):
        """Woodruff's interval with the replicate variance of the shares below the estimates:
        the domain's rows fall in cells between consecutive distinct estimates, so each share
        is a ratio of cell totals and all replicates come from one pass (the mean's engine)."""
        from polls.quantiles import _woodruff_ends

        est = fn(s, probs)
        cuts = np.unique(est)
        code = np.where(inside, np.searchsorted(cuts, np.where(inside, x, 0.0), side="left"), -1)
        k = len(cuts) + 1
        position = np.searchsorted(cuts, est)
        nums = [np.arange(j + 1) for j in position]
        cells = Cells(code.astype(np.intp), k)
        ratios = Ratios(selector(nums, k), selector([np.arange(k)] * len(probs), k))
        share, var = self._ratio_variance(cells, ratios, full=False)
        se_p = np.sqrt(np.maximum(var, 0.0))
        low, high, se = _woodruff_ends(s, fn, share, se_p, interval, level, df, int(inside.sum()))
        return est, low, high, se

    def _quantile_replicate(self, x, inside, s, fn, probs, level, df):
        """The estimate +/- t times the replicate SE of the quantile (R's ``repCI``)."""
        from polls.quantiles import _Sorted

        est = fn(s, probs)
        xs = x[inside]
        order = np.argsort(xs, kind="stable")
        xs = xs[order]

        def quantiles(w: np.ndarray) -> np.ndarray:
            ws = w[inside][order]
            keep = ws != 0
            if keep.sum() < 2:
                return np.full(len(probs), math.nan)
            return fn(_Sorted(xs[keep], ws[keep], presorted=True), probs)

        var = np.atleast_2d(self.replicate_variance(quantiles))
        se = np.sqrt(np.maximum(np.diag(var), 0.0))
        t = critical_value(level, float(df))
        return est, est - t * se, est + t * se, se

    def calibrate(
        self,
        totals: Mapping[str, Any],
        method: str = "linear",
        bounds: tuple[float, float] | None = None,
        *,
        population_size: float | None = None,
        tol: float = 1e-10,
        max_iter: int = 100,
    ) -> Any:
        """Calibrate the full-sample and every replicate's weights, as R's ``calibrate``.

        Parameters are those of :meth:`polls.SurveyDesign.calibrate`.

        Returns
        -------
        ReplicateDesign
            A new design whose full-sample weights and replicate weights each meet the
            totals; ``.calibration_result`` holds the diagnostics of the full-sample
            calibration (:class:`polls.calibration.CalibrationResult`). Degrees of freedom are
            recomputed from the calibrated weights after unbounded linear calibration and kept
            otherwise, as R does.

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m", "m", "f"], "c": [1, 2, 3, 4, 5, 6]})
        >>> rep = polls.SurveyDesign(df, cluster="c").to_replicate("JK1")
        >>> cal = rep.calibrate({"sex": {"f": 520, "m": 480}})
        >>> cal.weights.groupby(df["sex"]).sum().round(6).tolist()
        [520.0, 480.0]
        """
        from polls.calibration import calibrate_design, calibrate_weights, calibration_matrix

        new_w, _, result = calibrate_design(self, totals, method, bounds, population_size, tol,
                                            max_iter)
        X, pop, _ = calibration_matrix(self._data, totals, population_size)
        reps = np.empty((len(self._data), self.n_replicates), order="F")
        unmet = 0
        for r, wr in enumerate(self._replicate_columns()):
            g, _, err = calibrate_weights(X, wr, pop, method, result.bounds, tol=tol,
                                          max_iter=max_iter)
            unmet += not err < tol
            reps[:, r] = wr * g
        if unmet:
            warnings.warn(f"{unmet} replicates did not meet the totals in {max_iter} "
                          "iterations (R keeps them as they are; so does polls)",
                          InferenceWarning, stacklevel=2)
        new = object.__new__(type(self))
        new._setup(self._data, new_w, np.arange(len(self._data)), reps, None, self.type,
                   self.scale, self.rscales, self.rho, self.mse)
        if not (result.method == "linear" and result.bounds is None):
            new._df = self.degrees_of_freedom
        new.calibration_result = result
        return new
