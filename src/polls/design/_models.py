"""Models on a Taylor-linearised design: regression, quantiles and calibration.

:class:`Models` is a mixin of :class:`polls.SurveyDesign`. The estimators live in
:mod:`polls.regression`, :mod:`polls.quantiles` and :mod:`polls.calibration`; the methods here only
hand the design over (domains, degrees of freedom and the variance come from the design).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from polls.design._util import column

__all__ = ["Models"]


class Models:
    """glm, quantile and calibrate for :class:`polls.SurveyDesign`."""

    def _domain_df(self, mask: np.ndarray) -> int:
        psus = np.unique(self._psu[mask])
        return int(len(psus) - len(np.unique(self._psu_stratum[psus])))

    # ------------------------------------------------------------------ domains
    def _domains(self, by: str | Sequence[str] | None) -> tuple[list[str], list[tuple], list]:
        if by is None:
            return [], [()], [np.ones(len(self._data), dtype=bool)]
        names = [by] if isinstance(by, str) else list(by)
        for name in names:
            column(self._data, name, "by")
        keys = self._data[names].reset_index(drop=True)
        groups = keys.groupby(names, sort=True, observed=True, dropna=True).indices
        labels, masks = [], []
        for key, idx in groups.items():
            key = key if isinstance(key, tuple) else (key,)
            mask = np.zeros(len(self._data), dtype=bool)
            mask[idx] = True
            labels.append(key)
            masks.append(mask)
        return names, labels, masks

    def glm(self, formula: str, family: str = "gaussian", *, subset: Any = None) -> Any:
        """Design-based generalised linear model, as R's ``svyglm``.

        Parameters
        ----------
        formula : str
            R-style formula read by formulaic, e.g. ``"api00 ~ meals + stype"``,
            ``"I(vote == 'yes') ~ age * region"``. String and categorical predictors get
            treatment contrasts with the first level as reference, as R codes factors.
        family : {"gaussian", "binomial", "poisson"}
            With the canonical link. The point estimates are those of R's ``gaussian()``,
            ``quasibinomial()`` and ``quasipoisson()`` (the weights need not be whole numbers);
            the standard errors are design-based (linearisation sandwich).
        subset : str or array of bool, optional
            A domain: a boolean column or one True/False per row. Rows outside it are left out
            of the fit but their strata and PSUs count in the variance, as in R's
            ``svyglm(..., design = subset(design, ...))``.

        Returns
        -------
        polls.regression.GLMResult
            ``params``, ``bse``, ``vcov``, ``pvalues``, ``conf_int()``, ``wald_test(terms)``
            (R's ``regTermTest``) and ``to_frame()``; t tests on the residual design degrees
            of freedom.

        Examples
        --------
        >>> import numpy as np, pandas as pd, polls
        >>> df = pd.DataFrame({"x": np.arange(8.0), "y": [1, 3, 2, 5, 4, 7, 6, 8.0],
        ...                    "w": [1, 2, 1, 2, 1, 2, 1, 2.0]})
        >>> fit = polls.SurveyDesign(df, weights="w").glm("y ~ x")
        >>> fit.params.round(4).tolist()
        [1.5426, 0.9202]
        """
        from polls.regression import survey_glm

        return survey_glm(self, formula, family, subset)

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
        """Weighted quantiles with Woodruff intervals, as R's ``svyquantile`` (survey >= 4.1).

        Parameters
        ----------
        column : str
            A numeric column; rows where it is missing are left out as a domain.
        q : float or sequence of float
            Probabilities in [0, 1] (0.5: the median).
        by : str or list of str, optional
            Domain variables (as ``svyby(..., svyquantile)``).
        confidence_level : float
            Interval level.
        rule : str
            How a quantile is read off the weighted distribution function: ``"math"`` (R's
            default), ``"school"``, ``"shahvaish"`` or ``"hf1"`` ... ``"hf9"`` (see
            :mod:`polls.quantiles`).
        interval : {"mean", "xlogit", "asin", "beta"}
            Interval for the share of the population below the quantile, mapped back to the
            quantile scale (R's ``interval.type``; ``"mean"`` is R's default).
        df : float, optional
            Degrees of freedom of the t quantile (default: PSUs minus strata holding the domain).

        Returns
        -------
        DataFrame
            ``by`` columns, ``q``, ``estimate, ci_low, ci_high, confidence_level, se, n,
            method, rule, df`` (``method`` is ``"woodruff"``, or ``"woodruff-xlogit"``
            etc.). ``se`` is R's: the interval's width over twice the t quantile.

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"age": [23, 35, 41, 52, 67, 30, 45, 58],
        ...                    "w": [1, 2, 1, 1, 2, 1, 1, 1]})
        >>> polls.SurveyDesign(df, weights="w").quantile("age", [0.25, 0.5])["estimate"].tolist()
        [35.0, 41.0]
        """
        from polls.quantiles import survey_quantile

        return survey_quantile(self, column, q, by=by, confidence_level=confidence_level,
                               rule=rule, interval=interval, df=df)

    #: Diagnostics of the last :meth:`calibrate` (None for a design that was not calibrated).
    calibration_result: Any = None

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
        """Calibrate the weights to population totals, as R's ``calibrate``; SEs reflect it.

        Parameters
        ----------
        totals : mapping
            Per variable: level totals for a categorical variable (``{"E": 4421, ...}``) or one
            number for a numeric variable, e.g. ``{"stype": {"E": 4421, "H": 755, "M": 1018},
            "api99": 3914069}`` (R's ``calibrate(design, ~stype + api99, population)``).
        method : {"linear", "raking", "logit"}
            Calibration function (R's ``calfun``): linear (GREG), raking (exponential) or
            logit (needs finite ``bounds``).
        bounds : (float, float), optional
            Bounds on the ratio of calibrated to design weight.
        population_size : float, optional
            Adds an intercept with this total (needed when no categorical variable carries
            the population size).
        tol, max_iter : float, int
            Convergence of the Newton iterations (R's ``epsilon`` and ``maxit``).

        Returns
        -------
        SurveyDesign
            A new design with the calibrated weights; its standard errors use the residuals of
            the scores on the calibration variables. ``.calibration_result`` holds the
            diagnostics (:class:`polls.calibration.CalibrationResult`).

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m", "m"], "age": [25, 40, 33, 61, 48]})
        >>> cal = polls.SurveyDesign(df).calibrate({"sex": {"f": 520, "m": 480}, "age": 44000})
        >>> cal.weights.groupby(df["sex"]).sum().round(6).tolist()
        [520.0, 480.0]
        """
        from polls.calibration import calibrate_design

        new_w, projection, result = calibrate_design(
            self, totals, method, bounds, population_size, tol, max_iter
        )
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._w = new_w
        new._calibration = [*self._calibration, projection]
        new.calibration_result = result
        return new
