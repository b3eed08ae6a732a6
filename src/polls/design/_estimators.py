"""Means, totals, shares, crosstabs and Rao-Scott tests, for any design class.

:class:`Estimators` is mixed into :class:`~polls.design.SurveyDesign` and
:class:`~polls.design.ReplicateDesign`. It builds the cells and ratios of an estimate
(:mod:`polls.design._cells`) and asks the design for three things: ``_w`` (the full-sample
weights), ``_ratio_variance(cells, ratios, full)`` (estimates and their variances or covariance
matrix) and ``_ratio_df(cells, ratios)`` (degrees of freedom per estimate).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_choice, check_confidence_level
from polls.design._cells import (
    Cells,
    Ratios,
    deff_mean,
    domain_codes,
    level_codes,
    moments,
    selector,
)
from polls.design._intervals import PROPORTION_METHODS, proportion_interval
from polls.design._util import column, result_frame, tquantile
from polls.errors import InferenceWarning, InvalidArgumentError


def _warn_nan(what: str, df: np.ndarray, est: np.ndarray) -> None:
    if np.any(np.asarray(df) <= 0):
        warnings.warn(
            f"{what}: no degrees of freedom left (PSUs minus strata is 0 in some domain), so "
            "those intervals are NaN; pass df=float('inf') for normal intervals",
            InferenceWarning, stacklevel=4,
        )
    if np.any(~np.isfinite(est)):
        warnings.warn(
            f"{what}: some estimates are NaN (a domain with no weight: every row in it has "
            "weight zero)", InferenceWarning, stacklevel=4,
        )


class Estimators:
    """Estimates shared by the design classes (see the module docstring)."""

    _method = "linearization"

    # ------------------------------------------------------------------ cell building
    def _by(self, by: str | Sequence[str] | None) -> tuple[list[str], np.ndarray, list[tuple]]:
        names = [] if by is None else ([by] if isinstance(by, str) else list(by))
        for name in names:
            column(self._data, name, "by")
        code, keys = domain_codes(self._data, names)
        return names, code, keys

    def _numeric(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        s = column(self._data, name, "column")
        if isinstance(s.dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
        ):
            raise InvalidArgumentError(
                f"column {name!r} must be numeric for a mean or total (dtype {s.dtype}); "
                "use proportion() for categories"
            )
        y = s.to_numpy(dtype=float, na_value=np.nan)
        return y, ~np.isnan(y)  # rows with NaN are put in no cell

    def _levels(self, name: str, level: Any) -> tuple[np.ndarray, list]:
        s = column(self._data, name, "column")
        if level is not None:
            values = set(s.dropna().unique().tolist())
            if isinstance(s.dtype, pd.CategoricalDtype):
                values |= set(s.cat.categories.tolist())
            if level not in values:
                shown = ", ".join(repr(v) for v in sorted(values, key=str)[:12])
                raise InvalidArgumentError(
                    f"level={level!r} does not occur in column {name!r} (levels: {shown})"
                )
            ok = s.notna().to_numpy()
            code = np.where(ok, np.where((s == level).to_numpy(dtype=bool), 0, 1), -1)
            return code.astype(np.int32), [level]
        if pd.api.types.is_bool_dtype(s) or (
            pd.api.types.is_numeric_dtype(s)
            and not isinstance(s.dtype, pd.CategoricalDtype)
            and set(s.dropna().unique().tolist()) <= {0, 1}
        ):
            ok = s.notna().to_numpy()
            code = np.where(ok, np.where((s == 1).to_numpy(dtype=bool), 0, 1), -1)
            return code.astype(np.int32), [True]
        code, levels = level_codes(s)
        return code, levels

    # ------------------------------------------------------------------ the common core
    def _positive(self) -> np.ndarray:
        """True where a row's weight is positive (cached)."""
        cached = self.__dict__.get("_pos_cache")
        if cached is None or cached[0] is not self._w:
            cached = (self._w, self._w > 0)
            self.__dict__["_pos_cache"] = cached
        return cached[1]

    def _logit_variance(self, cells: Cells, ratios: Ratios, est: np.ndarray,
                        var: np.ndarray) -> np.ndarray:
        """Variance for the logit interval, expressed on the share's scale (delta method)."""
        return var

    def _rows(self, cells: Cells, ratios: Ratios, keys: list, conf: float, df, kind: str,
              method: str | None = None) -> list[list]:
        """Result rows ``[*key, estimate, low, high, level, se, n, n_eff, method, deff, df]``."""
        est, var = self._ratio_variance(cells, ratios, full=False)
        if method == "logit":
            # the interval's scale: R refits the logit for replicate designs
            var_ci = self._logit_variance(cells, ratios, est, var)
        dfs = self._ratio_df(cells, ratios) if df is None else np.full(ratios.k, float(df))
        mom = moments(cells, self._w, self._positive())
        var_mean = var
        if ratios.total:
            with np.errstate(invalid="ignore", divide="ignore"):
                var_mean = var / np.asarray(ratios.den[: cells.n_cells].T @ mom["sw"]).ravel() ** 2
        deff, nobs = deff_mean(mom, ratios, est, var_mean)
        nrows = np.asarray(ratios.den[: cells.n_cells].T @ mom["nrows"]).ravel()
        _warn_nan(kind, dfs, est)
        alpha = 1 - conf
        rows = []
        for j, key in enumerate(keys):
            v = max(float(var[j]), 0.0) if np.isfinite(var[j]) else math.nan
            se = math.sqrt(v)
            q = tquantile(conf, dfs[j])
            if method is None:
                lo, hi = est[j] - q * se, est[j] + q * se
            else:
                v_ci = v if method != "logit" else float(var_ci[j])
                lo, hi = proportion_interval(method, float(est[j]), v_ci, q, alpha, dfs[j],
                                             int(nrows[j]))
            n_j = int(nobs[j])
            rows.append([*key, float(est[j]), lo, hi, conf, se, n_j,
                         n_j / deff[j] if deff[j] > 0 else math.nan,
                         self._method if method is None else method, float(deff[j]),
                         float(dfs[j])])
        return rows

    def _mean_or_total(self, name, by, confidence_level, df, total: bool) -> pd.DataFrame:
        conf = check_confidence_level(confidence_level)
        y, ok = self._numeric(name)
        names, dom, keys = self._by(by)
        code = np.where(ok & (dom >= 0), dom, -1)
        k = len(keys)
        cells = Cells(code, k, y)
        idx = [np.array([j]) for j in range(k)]
        num = selector([ix + k for ix in idx], 2 * k)
        ratios = Ratios(num, selector(idx, 2 * k), total=total)
        kind = "total" if total else "mean"
        return result_frame(names, self._rows(cells, ratios, keys, conf, df, kind))

    # ------------------------------------------------------------------ public estimates
    def mean(
        self,
        column: str,
        by: str | Sequence[str] | None = None,
        *,
        confidence_level: float = 0.95,
        df: float | None = None,
    ) -> pd.DataFrame:
        """Weighted mean of a numeric column, with its design-based SE and interval.

        Parameters
        ----------
        column : str
            A numeric column; rows where it is missing are left out as a domain (their
            strata and PSUs still count), as R's ``na.rm=TRUE`` does.
        by : str or list of str, optional
            Domain (subgroup) variables: one row per observed combination.
        confidence_level : float
            Interval level.
        df : float, optional
            Degrees of freedom of the t quantile. Default: PSUs minus strata holding the domain
            (R's ``degf`` of the domain) for a Taylor design, the design's degrees of freedom
            for a replicate design. ``float("inf")`` gives the normal interval of R's
            ``confint(svymean(...))``.

        Returns
        -------
        DataFrame
            ``by`` columns, then ``estimate, ci_low, ci_high, confidence_level, se, n, n_eff,
            method, deff, df``. ``n`` counts the rows with a positive weight. ``deff`` is the
            design variance over the variance of simple random sampling of ``n``;
            ``n_eff = n / deff``. With expansion weights (summing to at least ``2 n``) the
            comparison is sampling without replacement from a population of the weights' sum,
            as R's ``svymean(deff=TRUE)``; with weights scaled to the sample size, as
            pollsters' files usually have them, it is sampling with replacement, as R's
            ``svymean(deff="replace")``.

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0], "g": ["a", "a", "b", "b"]})
        >>> polls.SurveyDesign(df).mean("y", by="g")["estimate"].tolist()
        [1.5, 3.5]
        """
        return self._mean_or_total(column, by, confidence_level, df, total=False)

    def total(
        self,
        column: str,
        by: str | Sequence[str] | None = None,
        *,
        confidence_level: float = 0.95,
        df: float | None = None,
    ) -> pd.DataFrame:
        """Weighted (population) total of a numeric column, with SE, interval and deff.

        Parameters are those of :meth:`mean`.

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0], "w": [10.0, 10.0, 20.0, 20.0]})
        >>> float(polls.SurveyDesign(df, weights="w").total("y")["estimate"].iloc[0])
        170.0
        """
        return self._mean_or_total(column, by, confidence_level, df, total=True)

    def proportion(
        self,
        column: str,
        level: Any = None,
        *,
        method: str = "logit",
        by: str | Sequence[str] | None = None,
        confidence_level: float = 0.95,
        df: float | None = None,
    ) -> pd.DataFrame:
        """Weighted share of respondents in one level (or each level) of a column.

        Parameters
        ----------
        column : str
            A categorical, string, boolean or 0/1 column. Missing values are left out as a
            domain (they are not counted in the denominator).
        level : optional
            The level whose share is wanted. Omitted: ``True``/1 for a boolean or 0/1 column,
            otherwise one row per observed level.
        method : {"logit", "likelihood", "asin", "beta", "mean", "xlogit", "wilson"}
            Interval, as R's ``svyciprop``: a t interval on the logit scale (``logit`` and
            ``xlogit`` agree), the design-scaled profile likelihood (solved exactly where R
            interpolates a spline), arcsine square root (cut to the transform's range, so it
            always holds the estimate), Korn-Graubard ``beta`` with R's degrees-of-freedom
            adjusted effective size, plain ``mean`` +/- t SE, and Wilson's score interval with
            the effective size ``p(1-p)/var`` and the t quantile.
        by : str or list of str, optional
            Domain variables.
        confidence_level : float
            Interval level.
        df : float, optional
            Degrees of freedom (default as in :meth:`mean`).

        Returns
        -------
        DataFrame
            ``by`` columns, ``level``, then the package's result columns, ``deff`` and ``df``.

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"vote": ["a", "b", "a", "a", "b", "a"]})
        >>> d = polls.SurveyDesign(df)
        >>> round(float(d.proportion("vote", "a")["estimate"].iloc[0]), 4)
        0.6667
        """
        conf = check_confidence_level(confidence_level)
        method = check_choice("method", method, PROPORTION_METHODS)
        lev, levels = self._levels(column, level)
        names, dom, keys = self._by(by)
        n_lev = int(lev.max()) + 1 if (lev >= 0).any() else len(levels)
        n_lev = max(n_lev, len(levels))
        code = np.where((lev >= 0) & (dom >= 0), dom * n_lev + lev, -1)
        k = len(keys) * n_lev
        cells = Cells(code, k)
        nums, dens, out_keys = [], [], []
        for d, key in enumerate(keys):
            block = np.arange(d * n_lev, (d + 1) * n_lev)
            for i, lv in enumerate(levels):
                nums.append(np.array([d * n_lev + i]))
                dens.append(block)
                out_keys.append((*key, lv))
        ratios = Ratios(selector(nums, k), selector(dens, k))
        rows = self._rows(cells, ratios, out_keys, conf, df, "proportion", method=method)
        return result_frame([*names, "level"], rows)

    def crosstab(
        self,
        row: str,
        col: str,
        *,
        method: str = "logit",
        confidence_level: float = 0.95,
        df: float | None = None,
    ) -> pd.DataFrame:
        """Weighted two-way table: cell, row and column shares with design-based intervals.

        Parameters
        ----------
        row, col : str
            The two variables (rows missing either are left out as a domain).
        method : str
            Interval method for the shares (see :meth:`proportion`).
        confidence_level : float
            Interval level.
        df : float, optional
            Degrees of freedom (default: those of each share's domain).

        Returns
        -------
        DataFrame
            One row per cell and kind of share: columns ``<row>, <col>, share`` (``"cell"``: of
            the whole table; ``"row"``: of the row's total; ``"column"``: of the column's
            total), ``count`` (respondents in the cell), ``weighted_count``, then the package's
            result columns, ``deff`` and ``df``.

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"a": ["x", "x", "y", "y", "x", "y"],
        ...                    "b": ["u", "v", "u", "u", "u", "v"]})
        >>> t = polls.SurveyDesign(df).crosstab("a", "b")
        >>> t.query("share == 'row' and a == 'x' and b == 'u'")["estimate"].round(4).tolist()
        [0.6667]
        """
        from polls.design._crosstab import crosstab

        return crosstab(self, row, col, method=method, confidence_level=confidence_level, df=df)

    def chisq(self, row: str, col: str, *, statistic: str = "F"):
        """Rao-Scott test of independence of two variables (R's ``svychisq``).

        Parameters
        ----------
        row, col : str
            The two variables.
        statistic : {"F", "Chisq"}
            ``"F"``: Pearson's statistic over the trace of the design-effect matrix ``Delta``,
            referred to F with ``d0 = tr(Delta)^2 / tr(Delta^2)`` and ``d0 * df`` degrees of
            freedom (second-order correction; ``df`` is the design's degrees of freedom).
            ``"Chisq"``: Pearson's statistic over the mean eigenvalue of ``Delta``, referred to
            chi-square with ``(r - 1)(c - 1)`` degrees of freedom (first-order correction).

        Returns
        -------
        RaoScottTest

        Examples
        --------
        >>> import numpy as np, pandas as pd, polls
        >>> rng = np.random.default_rng(1)
        >>> df = pd.DataFrame({"a": rng.integers(0, 2, 200), "b": rng.integers(0, 3, 200)})
        >>> res = polls.SurveyDesign(df).chisq("a", "b")
        >>> 0 <= res.pvalue <= 1
        True
        """
        from polls.design._crosstab import chisq

        return chisq(self, row, col, statistic=statistic)
