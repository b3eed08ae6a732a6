"""Design-based estimates for respondent-level survey data (Taylor linearisation).

:class:`SurveyDesign` describes how a sample was drawn (weights, strata, one-stage clusters, finite
population corrections) and gives means, totals and proportions with design-based standard
errors, confidence intervals and design effects, domain (subgroup) estimates, weighted crosstabs
with Rao-Scott tests, and raking that carries the calibration into the standard errors.

The formulas follow R's ``survey`` package (Lumley): every estimate is a smooth function of
weighted totals, its variance is the design variance of the weighted total of per-row
linearisation scores (:meth:`SurveyDesign.linearized_variance`), and that variance is the
with-replacement sum over PSUs within strata, scaled by ``n_h / (n_h - 1)`` and by the finite
population correction ``1 - n_h / N_h``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_choice, check_confidence_level, critical_value
from polls.errors import InvalidArgumentError

__all__ = ["SurveyDesign", "RaoScottTest", "PROPORTION_METHODS"]

#: Interval methods of :meth:`SurveyDesign.proportion` (the names of R's ``svyciprop``).
PROPORTION_METHODS = ("logit", "likelihood", "asin", "beta", "mean", "xlogit", "wilson")
LONELY_PSU = ("fail", "certainty", "remove", "adjust", "average")
#: Residual sweeps over the raking margins in the variance (R's ``svyrecvar`` uses ten).
RAKING_RESIDUAL_SWEEPS = 10


@dataclass(frozen=True)
class RaoScottTest:
    """A Rao-Scott corrected test of independence in a weighted two-way table.

    Attributes
    ----------
    statistic : float
        ``F`` (second-order correction) or the first-order corrected chi-square.
    pvalue : float
        From the F distribution with ``df`` and ``ddf`` degrees of freedom (``F``) or the
        chi-square distribution with ``df`` degrees of freedom (``Chisq``).
    df, ddf : float
        Numerator and denominator degrees of freedom (``ddf`` is ``inf`` for ``Chisq``).
    pearson : float
        The uncorrected Pearson statistic of the weighted table scaled to the sample size.
    mean_deff : float
        Mean generalised design effect (the mean eigenvalue of the Rao-Scott ``Delta`` matrix).
    method : str
        ``"F"`` or ``"Chisq"``.
    row, col : str
        The variables of the table.
    """

    statistic: float
    pvalue: float
    df: float
    ddf: float
    pearson: float
    mean_deff: float
    method: str
    row: str
    col: str

    def to_frame(self) -> pd.DataFrame:
        """One-row frame with the test's fields."""
        return pd.DataFrame([{k: getattr(self, k) for k in self.__dataclass_fields__}])


def _column(data: pd.DataFrame, name: str, what: str) -> pd.Series:
    if not isinstance(name, Hashable) or name not in data.columns:
        raise InvalidArgumentError(f"{what}={name!r} is not a column of data")
    return data[name]


def _per_row(data: pd.DataFrame, value: Any, what: str) -> pd.Series | None:
    """A design variable given as a column name or as one value per row."""
    if value is None:
        return None
    if isinstance(value, str) or (isinstance(value, Hashable) and value in data.columns):
        return _column(data, value, what)
    arr = np.asarray(value)
    if arr.ndim == 0:
        return pd.Series(np.repeat(arr, len(data)), index=data.index)
    if arr.shape != (len(data),):
        raise InvalidArgumentError(
            f"{what} must be a column name or one value per row ({len(data)}), "
            f"got shape {arr.shape}"
        )
    return pd.Series(arr, index=data.index)


def _codes(series: pd.Series, what: str) -> tuple[np.ndarray, pd.Index]:
    if series.isna().any():
        first = int(np.flatnonzero(series.isna().to_numpy())[0])
        raise InvalidArgumentError(f"{what} has a missing value (row {series.index[first]!r})")
    codes, uniques = pd.factorize(series, sort=True)
    return codes.astype(np.intp), pd.Index(uniques)


def _tquantile(level: float, df: float) -> float:
    return critical_value(level, float(df))


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


class SurveyDesign:
    """A one-stage stratified and/or clustered sample with weights, for design-based estimates.

    Parameters
    ----------
    data : DataFrame
        One row per respondent. It is not modified.
    weights : str or array-like, optional
        Sampling weights (a column name or one value per row), all positive. When omitted they
        are ``N_h / n_h`` from ``fpc`` (population over sample PSUs in the stratum), or 1.
    strata : str or array-like, optional
        Stratum of each row.
    cluster : str or array-like, optional
        Primary sampling unit (PSU) of each row; PSUs are nested within strata (the same id in
        two strata names two PSUs). Without it each row is its own PSU.
    fpc : str, array-like or float, optional
        Finite population correction, constant within a stratum: population sizes (numbers of
        PSUs in the stratum's population) or, when every value is at most 1, sampling fractions
        (as R's ``svydesign`` reads them). Omitted: sampling with replacement.
    lonely_psu : {"fail", "certainty", "remove", "adjust", "average"}
        What a stratum with a single PSU contributes to variances (R's ``survey.lonely.psu``):
        an error, nothing, nothing, its PSU total's deviation from zero, or the average of the
        other strata.

    Notes
    -----
    The variance of the weighted total ``sum_i w_i z_i`` of per-row scores is
    ``sum_h (1 - f_h) n_h / (n_h - 1) sum_j (t_hj - mean_h t)^2`` over PSU totals ``t_hj`` of
    ``w_i z_i`` (``f_h = n_h / N_h``). Domain estimates set scores to zero outside the domain,
    so strata and PSUs without members of the domain still count. After :meth:`rake` the scores
    are first replaced by their residuals on the raking margins (iterated, as R's ``survey``
    does). Degrees of freedom are PSUs minus strata (those holding members of the domain, for
    domain estimates).

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> df = pd.DataFrame({"y": [1, 0, 1, 1, 0, 1], "h": ["a", "a", "a", "b", "b", "b"],
    ...                    "w": [2.0, 2.0, 2.0, 3.0, 3.0, 3.0]})
    >>> d = polls.SurveyDesign(df, weights="w", strata="h")
    >>> round(float(d.mean("y")["estimate"].iloc[0]), 4)
    0.6667
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
        strata: str | Sequence[Any] | np.ndarray | pd.Series | None = None,
        cluster: str | Sequence[Any] | np.ndarray | pd.Series | None = None,
        fpc: str | float | Sequence[float] | np.ndarray | pd.Series | None = None,
        lonely_psu: str = "fail",
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise InvalidArgumentError(
                f"data must be a pandas DataFrame, got {type(data).__name__}"
            )
        if len(data) < 2:
            raise InvalidArgumentError(f"data must have at least 2 rows, got {len(data)}")
        self._data = data
        self._lonely = check_choice("lonely_psu", lonely_psu, LONELY_PSU)
        self._spec = {"weights": weights, "strata": strata, "cluster": cluster, "fpc": fpc}
        n = len(data)

        strata_s = _per_row(data, strata, "strata")
        if strata_s is None:
            self._strata = np.zeros(n, dtype=np.intp)
            self._strata_labels = pd.Index([0])
        else:
            self._strata, self._strata_labels = _codes(strata_s, "strata")
        n_strata = len(self._strata_labels)

        cluster_s = _per_row(data, cluster, "cluster")
        if cluster_s is None:
            psu = np.arange(n, dtype=np.intp)
        else:
            ccodes, _ = _codes(cluster_s, "cluster")
            pair = self._strata.astype(np.int64) * (int(ccodes.max()) + 1) + ccodes
            psu = pd.factorize(pair, sort=True)[0].astype(np.intp)
        self._psu = psu
        n_psu = int(psu.max()) + 1
        psu_stratum = np.empty(n_psu, dtype=np.intp)
        psu_stratum[psu] = self._strata
        self._psu_stratum = psu_stratum
        self._nh = np.bincount(psu_stratum, minlength=n_strata).astype(float)

        fpc_s = _per_row(data, fpc, "fpc")
        if fpc_s is None:
            self._popsize = np.full(n_strata, np.inf)
        else:
            self._popsize = self._read_fpc(fpc_s)

        if weights is None:
            if fpc_s is None:
                w = np.ones(n)
            else:
                w = (self._popsize / self._nh)[self._strata]
        else:
            ws = _per_row(data, weights, "weights")
            try:
                w = ws.to_numpy(dtype=float, na_value=np.nan)
            except (TypeError, ValueError):
                raise InvalidArgumentError("weights must be numeric") from None
            bad = ~(np.isfinite(w) & (w > 0))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InvalidArgumentError(
                    f"weights must be positive and finite; row {data.index[i]!r} has {w[i]!r}"
                )
        self._w = np.asarray(w, dtype=float)

        lonely = (self._nh == 1) & (self._popsize > 1)
        if lonely.any() and self._lonely == "fail":
            h = self._strata_labels[int(np.flatnonzero(lonely)[0])]
            raise InvalidArgumentError(
                f"stratum {h!r} has only one PSU, so its variance cannot be estimated; "
                "pass lonely_psu='certainty', 'remove', 'adjust' or 'average'"
            )
        # Each stage: (list of margin codes, the weights when that raking finished).
        self._calibration: list[tuple[list[np.ndarray], np.ndarray]] = []
        self.rake_result: Any = None

    # ------------------------------------------------------------------ set-up helpers
    def _read_fpc(self, fpc_s: pd.Series) -> np.ndarray:
        try:
            vals = fpc_s.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise InvalidArgumentError("fpc must be numeric") from None
        if not np.isfinite(vals).all() or (vals <= 0).any():
            bad = vals[~(np.isfinite(vals) & (vals > 0))][0]
            raise InvalidArgumentError(f"fpc must be positive and finite, got {bad!r}")
        n_strata = len(self._strata_labels)
        lo = np.full(n_strata, np.inf)
        hi = np.full(n_strata, -np.inf)
        np.minimum.at(lo, self._strata, vals)
        np.maximum.at(hi, self._strata, vals)
        if (lo != hi).any():
            h = self._strata_labels[int(np.flatnonzero(lo != hi)[0])]
            raise InvalidArgumentError(f"fpc varies within stratum {h!r}")
        is_size = (vals > 1).any()
        if is_size and (vals < 1).any():
            raise InvalidArgumentError(
                "fpc must be all population sizes (>= 1) or all sampling fractions (<= 1), "
                f"got both {vals[vals > 1][0]!r} and {vals[vals < 1][0]!r}"
            )
        popsize = lo if is_size else self._nh / lo
        # Guard against rounding in n_h / f when f is an exact fraction.
        popsize = np.where(np.isclose(popsize, self._nh, rtol=1e-12, atol=0), self._nh, popsize)
        if (popsize < self._nh).any():
            h = int(np.flatnonzero(popsize < self._nh)[0])
            raise InvalidArgumentError(
                f"fpc implies more than 100% sampling in stratum {self._strata_labels[h]!r}: "
                f"population {popsize[h]!r} PSUs, sample {int(self._nh[h])}"
            )
        return popsize

    # ------------------------------------------------------------------ public properties
    @property
    def data(self) -> pd.DataFrame:
        """The respondent frame (not a copy: do not modify it)."""
        return self._data

    @property
    def weights(self) -> pd.Series:
        """The weights, aligned to the data's index."""
        return pd.Series(self._w.copy(), index=self._data.index, name="weight")

    @property
    def degrees_of_freedom(self) -> int:
        """Number of PSUs minus number of strata (R's ``degf``)."""
        return int(len(self._psu_stratum) - len(self._strata_labels))

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        kinds = []
        if len(self._strata_labels) > 1:
            kinds.append(f"{len(self._strata_labels)} strata")
        kinds.append(f"{len(self._psu_stratum)} PSUs")
        if np.isfinite(self._popsize).any():
            kinds.append("fpc")
        if self._calibration:
            kinds.append("calibrated" if any(map(callable, self._calibration)) else "raked")
        return f"SurveyDesign({len(self._data)} rows; " + ", ".join(kinds) + ")"

    # ------------------------------------------------------------------ variance core
    def _calibrate(self, x: np.ndarray) -> np.ndarray:
        for stage in self._calibration:
            if callable(stage):  # a calibration's own projection (polls.calibration)
                x = stage(x)
                continue
            margins, psw = stage
            for _ in range(RAKING_RESIDUAL_SWEEPS):
                for codes in margins:
                    counts = np.bincount(codes).astype(float)
                    ratio = x / psw[:, None]
                    for j in range(x.shape[1]):
                        gm = np.bincount(codes, weights=ratio[:, j], minlength=len(counts))
                        x[:, j] -= psw * (gm / counts)[codes]
        return x

    def _stratified_variance(self, x: np.ndarray) -> np.ndarray:
        n_psu = len(self._psu_stratum)
        n_strata = len(self._strata_labels)
        k = x.shape[1]
        tot = np.empty((n_psu, k))
        for j in range(k):
            tot[:, j] = np.bincount(self._psu, weights=x[:, j], minlength=n_psu)
        nh = self._nh
        smean = np.empty((n_strata, k))
        for j in range(k):
            smean[:, j] = np.bincount(self._psu_stratum, weights=tot[:, j], minlength=n_strata)
        smean /= nh[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(np.isinf(self._popsize), 1.0, (self._popsize - nh) / self._popsize)
        lonely = nh == 1
        scale_h = np.where(lonely, f, f * nh / np.where(lonely, 1.0, nh - 1))
        scale_h = np.where(f < 1e-7, 0.0, scale_h)
        dev = tot - smean[self._psu_stratum]
        ok_h = np.ones(n_strata, dtype=bool)
        if lonely.any():
            lone_psu = lonely[self._psu_stratum] & (f[self._psu_stratum] >= 1e-7)
            if self._lonely == "adjust":
                dev[lone_psu] = tot[lone_psu]
            elif self._lonely == "average":
                ok_h = ~(lonely & (f >= 1e-7))
        scale = scale_h[self._psu_stratum]
        v = (dev * scale[:, None]).T @ dev
        if not ok_h.all():
            v *= n_strata / ok_h.sum()
        return v

    def linearized_variance(self, scores: Any) -> float | np.ndarray:
        """Design variance of the weighted total ``sum_i w_i z_i`` of per-row scores.

        This is the core of every estimate here: for a smooth statistic, pass its linearisation
        (influence) scores divided by the weights' scale as ``z``. Raking margins, if any, are
        projected out first.

        Parameters
        ----------
        scores : array-like, shape (n,) or (n, k)
            One score per row (or ``k`` scores per row), in the data's row order.

        Returns
        -------
        float or ndarray
            The variance (a ``k x k`` covariance matrix for two-dimensional scores).

        Examples
        --------
        >>> import numpy as np, pandas as pd, polls
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0]})
        >>> d = polls.SurveyDesign(df)
        >>> float(d.linearized_variance(df["y"]))  # n * sample variance of y
        6.666666666666667
        """
        try:
            z = np.asarray(scores, dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgumentError("scores must be numeric") from None
        one = z.ndim == 1
        if one:
            z = z[:, None]
        if z.ndim != 2 or z.shape[0] != len(self._data):
            raise InvalidArgumentError(
                f"scores must have one row per data row ({len(self._data)}), "
                f"got shape {np.shape(scores)}"
            )
        if not np.isfinite(z).all():
            raise InvalidArgumentError("scores must be finite")
        x = self._calibrate(z * self._w[:, None])
        v = self._stratified_variance(x)
        return float(v[0, 0]) if one else v

    def _variances(self, z: np.ndarray) -> np.ndarray:
        """Diagonal of the covariance of several score columns (chunked to bound memory)."""
        out = np.empty(z.shape[1])
        for start in range(0, z.shape[1], 32):
            block = z[:, start : start + 32]
            x = self._calibrate(block * self._w[:, None])
            out[start : start + 32] = np.diag(self._stratified_variance(x))
        return out

    def _domain_df(self, mask: np.ndarray) -> int:
        psus = np.unique(self._psu[mask])
        return int(len(psus) - len(np.unique(self._psu_stratum[psus])))

    # ------------------------------------------------------------------ domains
    def _domains(self, by: str | Sequence[str] | None) -> tuple[list[str], list[tuple], list]:
        if by is None:
            return [], [()], [np.ones(len(self._data), dtype=bool)]
        names = [by] if isinstance(by, str) else list(by)
        for name in names:
            _column(self._data, name, "by")
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

    def _numeric(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        s = _column(self._data, column, "column")
        if isinstance(s.dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
        ):
            raise InvalidArgumentError(
                f"column {column!r} must be numeric for a mean or total (dtype {s.dtype}); "
                "use proportion() for categories"
            )
        y = s.to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(y)
        return np.where(ok, y, 0.0), ok

    def _deff_mean(self, y: np.ndarray, dom: np.ndarray, est: np.ndarray, var: np.ndarray):
        """Design effect of a mean: its variance over that of simple random sampling.

        With expansion weights (summing to at least twice the respondents) the comparison is
        sampling without replacement from a population of the weights' sum, as R's
        ``svymean(deff=TRUE)``; with weights scaled to the sample size (the usual case for a
        pollster's file) it is sampling with replacement, as R's ``deff="replace"``.
        """
        out = np.empty(len(est))
        for i in range(len(est)):
            d = dom[:, i]
            w = self._w[d]
            nobs = d.sum()
            psum = w.sum()
            if nobs < 2:
                out[i] = math.nan
                continue
            s2 = np.sum(w * (y[d, i] - est[i]) ** 2) / psum * nobs / (nobs - 1)
            if psum >= 2 * nobs:
                vsrs = s2 * (psum - nobs) / (psum * nobs)
            else:
                vsrs = s2 / nobs
            out[i] = var[i] / vsrs if vsrs > 0 else math.nan
        return out

    def _frame(self, names, rows, extra_first=()) -> pd.DataFrame:
        cols = [
            *names,
            *extra_first,
            "estimate",
            "ci_low",
            "ci_high",
            "confidence_level",
            "se",
            "n",
            "n_eff",
            "method",
            "deff",
            "df",
        ]
        frame = pd.DataFrame(rows, columns=cols)
        frame["n"] = frame["n"].astype("int64")
        return frame

    # ------------------------------------------------------------------ estimates
    def _mean_or_total(self, column, by, confidence_level, df, total: bool) -> pd.DataFrame:
        level = check_confidence_level(confidence_level)
        y, ok = self._numeric(column)
        names, labels, masks = self._domains(by)
        dom = np.column_stack([m & ok for m in masks])
        k = dom.shape[1]
        yy = np.repeat(y[:, None], k, axis=1)
        wd = self._w[:, None] * dom
        wsum = wd.sum(axis=0)
        tot = (wd * yy).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = tot / wsum
            if total:
                z = np.where(dom, yy, 0.0)
                est = tot
            else:
                z = np.where(dom, (yy - mean) / wsum, 0.0)
                est = mean
        var = self._variances(z)
        deff = self._deff_mean(yy, dom, mean, var / wsum**2 if total else var)
        rows = []
        for i, key in enumerate(labels):
            dfi = self._domain_df(dom[:, i]) if df is None else float(df)
            se = math.sqrt(var[i])
            q = _tquantile(level, dfi)
            n_i = int(dom[:, i].sum())
            rows.append(
                [*key, est[i], est[i] - q * se, est[i] + q * se, level, se, n_i,
                 n_i / deff[i] if deff[i] > 0 else math.nan, "linearization", deff[i], dfi]
            )
        return self._frame(names, rows)

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
            (R's ``degf`` of the domain). ``float("inf")`` gives the normal interval of R's
            ``confint(svymean(...))``.

        Returns
        -------
        DataFrame
            ``by`` columns, then ``estimate, ci_low, ci_high, confidence_level, se, n, n_eff,
            method, deff, df``. ``deff`` is the design variance over the variance of simple
            random sampling of ``n``; ``n_eff = n / deff``. With expansion weights (summing to
            at least ``2 n``) the comparison is sampling without replacement from a population
            of the weights' sum, as R's ``svymean(deff=TRUE)``; with weights scaled to the
            sample size, as pollsters' files usually have them, it is sampling with replacement,
            as R's ``svymean(deff="replace")``.

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

    def _indicator(self, column: str, level: Any) -> tuple[list, list[np.ndarray], np.ndarray]:
        s = _column(self._data, column, "column")
        ok = s.notna().to_numpy()
        if level is not None:
            values = set(s.dropna().unique().tolist())
            if isinstance(s.dtype, pd.CategoricalDtype):
                values |= set(s.cat.categories.tolist())
            if level not in values:
                shown = ", ".join(repr(v) for v in sorted(values, key=str)[:12])
                raise InvalidArgumentError(
                    f"level={level!r} does not occur in column {column!r} (levels: {shown})"
                )
            return [level], [(s == level).to_numpy(dtype=bool) & ok], ok
        if pd.api.types.is_bool_dtype(s) or (
            pd.api.types.is_numeric_dtype(s)
            and not isinstance(s.dtype, pd.CategoricalDtype)
            and set(s.dropna().unique().tolist()) <= {0, 1}
        ):
            return [True], [(s == 1).to_numpy(dtype=bool) & ok], ok
        if isinstance(s.dtype, pd.CategoricalDtype):
            levels = [c for c in s.cat.categories if (s == c).any()]
        else:
            levels = sorted(s.dropna().unique().tolist())
        return levels, [(s == v).to_numpy(dtype=bool) & ok for v in levels], ok

    def _proportion_ci(self, p, var, method, level, dfi, mask) -> tuple[float, float, float]:
        """Interval for a proportion by R's ``svyciprop`` rules; returns (low, high, n_eff)."""
        from scipy import stats

        se = math.sqrt(var) if var >= 0 else math.nan
        q = _tquantile(level, dfi)
        alpha = 1 - level
        pq = p * (1 - p)
        n_eff = pq / var if var > 0 else math.nan
        if method == "mean":
            return p - q * se, p + q * se, n_eff
        if method in ("logit", "xlogit"):
            if not 0 < p < 1:
                return p, p, n_eff
            eta = math.log(p / (1 - p))
            s = se / pq
            return _expit(eta - q * s), _expit(eta + q * s), n_eff
        if method == "asin":
            if not 0 < p < 1:
                return p, p, n_eff
            a = math.asin(math.sqrt(p))
            s = se / (2 * math.sqrt(pq))
            return math.sin(a - q * s) ** 2, math.sin(a + q * s) ** 2, n_eff
        if method == "beta":
            n_rows = int(mask.sum())
            if var > 0 and dfi > 0 and n_rows > 1:
                ne = n_eff * (stats.t.ppf(alpha / 2, n_rows - 1) / stats.t.ppf(alpha / 2, dfi)) ** 2
            else:
                ne = math.nan
            lo = 0.0 if p <= 0 else float(stats.beta.ppf(alpha / 2, ne * p, ne * (1 - p) + 1))
            hi = 1.0 if p >= 1 else float(stats.beta.ppf(1 - alpha / 2, ne * p + 1, ne * (1 - p)))
            return lo, hi, n_eff
        if method == "wilson":
            if not var > 0:
                return p, p, n_eff
            n = n_eff
            z2 = q * q
            centre = (p + z2 / (2 * n)) / (1 + z2 / n)
            half = q * math.sqrt(pq / n + z2 / (4 * n * n)) / (1 + z2 / n)
            return centre - half, centre + half, n_eff
        # likelihood: scaled profile deviance of the intercept-only quasibinomial model
        if not (0 < p < 1 and var > 0 and dfi > 0):
            return p, p, n_eff
        from scipy import optimize

        # R scales the deviance by the design-weighted variance of the Pearson residuals
        # (y - p) / sqrt(p (1 - p)), which for a 0/1 outcome is exactly n / (n - 1).
        n_rows = int(mask.sum())
        phi = n_rows / (n_rows - 1)
        lam = n_rows * var / pq
        target = phi * lam * q * q / (2 * n_rows)

        def kl(eta: float) -> float:
            mu = _expit(eta)
            return p * math.log(p / mu) + (1 - p) * math.log((1 - p) / (1 - mu)) - target

        eta0 = math.log(p / (1 - p))
        step = max(4 * q * se / pq, 1e-3)
        lo_b = eta0 - step
        while kl(lo_b) < 0:
            lo_b -= step
        hi_b = eta0 + step
        while kl(hi_b) < 0:
            hi_b += step
        lo = optimize.brentq(kl, lo_b, eta0, xtol=1e-14, rtol=1e-14)
        hi = optimize.brentq(kl, eta0, hi_b, xtol=1e-14, rtol=1e-14)
        return _expit(lo), _expit(hi), n_eff

    def _proportions(self, indicators, domains, method, level, df):
        """Rows of (estimate, low, high, se, n, n_eff, deff, df) for indicator x domain pairs."""
        k = len(indicators)
        y = np.column_stack([ind.astype(float) for ind, _ in indicators])
        dom = np.column_stack([d for _, d in indicators]) if k else np.zeros((len(self._data), 0))
        del domains
        wd = self._w[:, None] * dom
        wsum = wd.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = (wd * y).sum(axis=0) / wsum
            z = np.where(dom, (y - p) / wsum, 0.0)
        var = self._variances(z) if k else np.empty(0)
        deff = self._deff_mean(y, dom, p, var)
        out = []
        for i in range(k):
            mask = dom[:, i]
            dfi = self._domain_df(mask) if df is None else float(df)
            lo, hi, _ = self._proportion_ci(p[i], var[i], method, level, dfi, mask)
            n_i = int(mask.sum())
            n_eff = n_i / deff[i] if deff[i] > 0 else math.nan
            out.append((p[i], lo, hi, math.sqrt(var[i]), n_i, n_eff, deff[i], dfi))
        return out

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
            interpolates a spline), arcsine square root, Korn-Graubard ``beta`` with R's
            degrees-of-freedom adjusted effective size, plain ``mean`` +/- t SE, and Wilson's
            score interval with the effective size ``p(1-p)/var`` and the t quantile.
        by : str or list of str, optional
            Domain variables.
        confidence_level : float
            Interval level.
        df : float, optional
            Degrees of freedom (default: PSUs minus strata holding the domain, as
            ``svyby(..., svyciprop)`` uses).

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
        levels, indicators, ok = self._indicator(column, level)
        names, labels, masks = self._domains(by)
        pairs, keys = [], []
        for key, m in zip(labels, masks, strict=True):
            for lev, ind in zip(levels, indicators, strict=True):
                pairs.append((ind, m & ok))
                keys.append((*key, lev))
        stats_ = self._proportions(pairs, None, method, conf, df)
        rows = [
            [*key, est, lo, hi, conf, se, n, ne, method, deff, dfi]
            for key, (est, lo, hi, se, n, ne, deff, dfi) in zip(keys, stats_, strict=True)
        ]
        return self._frame([*names, "level"], rows)

    # ------------------------------------------------------------------ tables
    def _two_way(self, row: str, col: str):
        r = _column(self._data, row, "row")
        c = _column(self._data, col, "col")
        ok = (r.notna() & c.notna()).to_numpy()

        def levels(s: pd.Series) -> list:
            if isinstance(s.dtype, pd.CategoricalDtype):
                return [v for v in s.cat.categories if (s == v).any()]
            return sorted(s.dropna().unique().tolist())

        rl, cl = levels(r[ok]), levels(c[ok])
        rind = [(r == v).to_numpy(dtype=bool) & ok for v in rl]
        cind = [(c == v).to_numpy(dtype=bool) & ok for v in cl]
        return rl, cl, rind, cind, ok

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
        conf = check_confidence_level(confidence_level)
        method = check_choice("method", method, PROPORTION_METHODS)
        if row == col:
            raise InvalidArgumentError(f"row and col must differ, got {row!r} twice")
        rl, cl, rind, cind, ok = self._two_way(row, col)
        pairs, keys = [], []
        for i, rv in enumerate(rl):
            for j, cv in enumerate(cl):
                cell = rind[i] & cind[j]
                pairs += [(cell, ok), (cell, rind[i]), (cell, cind[j])]
                keys += [(rv, cv, "cell", cell), (rv, cv, "row", cell), (rv, cv, "column", cell)]
        stats_ = self._proportions(pairs, None, method, conf, df)
        rows = []
        for (rv, cv, share, cell), (est, lo, hi, se, n, ne, deff, dfi) in zip(
            keys, stats_, strict=True
        ):
            rows.append(
                [rv, cv, share, int(cell.sum()), float(self._w[cell].sum()), est, lo, hi, conf,
                 se, n, ne, method, deff, dfi]
            )
        return self._frame([row, col], rows, extra_first=("share", "count", "weighted_count"))

    def chisq(self, row: str, col: str, *, statistic: str = "F") -> RaoScottTest:
        """Rao-Scott test of independence of two variables (R's ``svychisq``).

        Parameters
        ----------
        row, col : str
            The two variables.
        statistic : {"F", "Chisq"}
            ``"F"``: Pearson's statistic over the trace of the design-effect matrix ``Delta``,
            referred to F with ``d0 = tr(Delta)^2 / tr(Delta^2)`` and ``d0 * (PSUs - strata)``
            degrees of freedom (second-order correction). ``"Chisq"``: Pearson's statistic
            over the mean eigenvalue of ``Delta``, referred to chi-square with
            ``(r - 1)(c - 1)`` degrees of freedom (first-order correction).

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
        from scipy import stats

        statistic = check_choice("statistic", statistic, ("F", "Chisq"))
        if row == col:
            raise InvalidArgumentError(f"row and col must differ, got {row!r} twice")
        rl, cl, rind, cind, ok = self._two_way(row, col)
        nr, nc = len(rl), len(cl)
        if nr < 2 or nc < 2:
            raise InvalidArgumentError(
                f"a test needs at least two levels in each variable; {row!r} has {nr}, "
                f"{col!r} has {nc}"
            )
        # cells ordered with the row level varying fastest, as R's interaction(rows, cols)
        cells = np.column_stack([rind[i] & cind[j] for j in range(nc) for i in range(nr)])
        N = int(ok.sum())
        w = self._w * ok
        wsum = w.sum()
        mean2 = (w[:, None] * cells).sum(axis=0) / wsum
        z = np.where(ok[:, None], (cells - mean2) / wsum, 0.0)
        V = self.linearized_variance(z)
        ridx = np.tile(np.arange(nr), nc)
        cidx = np.repeat(np.arange(nc), nr)
        X1 = np.column_stack(
            [np.ones(nr * nc)]
            + [(ridx == i).astype(float) for i in range(1, nr)]
            + [(cidx == j).astype(float) for j in range(1, nc)]
        )
        inter = np.column_stack(
            [((ridx == i) & (cidx == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
        )
        coef, *_ = np.linalg.lstsq(X1, inter, rcond=None)
        C = inter - X1 @ coef
        with np.errstate(divide="ignore"):
            idiag = np.where(mean2 == 0, 0.0, 1.0 / mean2)
        denom = C.T @ (idiag[:, None] / N * C)
        numr = C.T @ (idiag[:, None] * V * idiag[None, :]) @ C
        delta = np.linalg.solve(denom, numr)
        tr = float(np.trace(delta))
        tr2 = float(np.trace(delta @ delta))
        d0 = tr * tr / tr2
        nu = self.degrees_of_freedom
        table = (mean2 * N).reshape(nc, nr).T
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / N
        with np.errstate(divide="ignore", invalid="ignore"):
            pearson = float(np.sum((table - expected) ** 2 / expected))
        dfree = (nr - 1) * (nc - 1)
        if statistic == "F":
            stat = pearson / tr
            pval = float(stats.f.sf(stat, d0, d0 * nu))
            return RaoScottTest(stat, pval, d0, d0 * nu, pearson, tr / dfree, "F", row, col)
        stat = pearson / (tr / dfree)
        pval = float(stats.chi2.sf(stat, dfree))
        return RaoScottTest(stat, pval, float(dfree), math.inf, pearson, tr / dfree, "Chisq",
                            row, col)

    # ------------------------------------------------------------------ calibration
    def rake(self, targets: Mapping[str, Any] | pd.DataFrame, **kwargs: Any) -> SurveyDesign:
        """Rake the weights to population margins; the new design's SEs reflect the calibration.

        The weights come from :func:`polls.rake` (starting from this design's weights; keyword
        arguments such as ``tol``, ``max_iter`` and ``bounds`` pass through). Standard errors
        of the new design use the residuals of the scores on each raking margin, swept
        repeatedly over the margins, as R's ``survey`` does after ``rake()``.

        Parameters
        ----------
        targets : mapping or pandas.DataFrame
            Column name to target shares or population totals by level, or a long frame with
            columns ``variable``, ``level``, ``target`` (see :func:`polls.rake`).
        **kwargs
            Passed to :func:`polls.rake`.

        Returns
        -------
        SurveyDesign
            A new design (this one is unchanged); ``.rake_result`` holds the raking diagnostics.

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m", "m"], "y": [1, 0, 1, 1, 0]})
        >>> raked = polls.SurveyDesign(df).rake({"sex": {"f": 0.5, "m": 0.5}})
        >>> raked.weights.groupby(df["sex"]).sum().round(3).tolist()
        [2.5, 2.5]
        """
        from polls.weighting import _targets_from_frame
        from polls.weighting import rake as _rake

        if isinstance(targets, pd.DataFrame):
            targets = _targets_from_frame(targets)
        if "weights" in kwargs:
            raise InvalidArgumentError(
                "weights= cannot be passed to SurveyDesign.rake: the design's weights are the "
                "base weights"
            )
        result = _rake(self._data, targets, weights=self._w.copy(), **kwargs)
        new_w = np.asarray(pd.Series(result.weights).reindex(self._data.index), dtype=float)
        if not (np.isfinite(new_w) & (new_w > 0)).all():
            raise InvalidArgumentError(
                "raking left rows with zero weight (unmatched='drop'); give those levels "
                "targets, or leave the rows out of the data before building the design"
            )
        margins = []
        for name in targets:
            codes, _ = _codes(_column(self._data, name, "targets"), f"targets[{name!r}]")
            margins.append(codes)
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new._w = new_w
        new._calibration = [*self._calibration, (margins, new_w)]
        new.rake_result = result
        return new

    # ------------------------------------------------------------------ models (regression.py,
    # quantiles.py, calibration.py hold the estimators; these methods only hand the design over)
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
    ) -> SurveyDesign:
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
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new._w = new_w
        new._calibration = [*self._calibration, projection]
        new.calibration_result = result
        return new
