"""Replicate-weight designs: JK1, JKn, BRR, Fay, bootstrap and successive differences.

:class:`ReplicateDesign` reads replicate weights shipped with a file (R's ``svrepdesign``);
:meth:`SurveyDesign.to_replicate` makes them from a design (R's ``as.svrepdesign``, in
``_make_replicates.py``). Every estimate is recomputed with each set of
replicate weights, and its variance is R's ``svrVar``:
``scale * sum_r rscales_r (theta_r - centre)^2``, the centre being the mean of the replicate
estimates (or the full-sample estimate when ``mse=True``).

The built-in estimates take the replicate totals of their cells in one product
(replicates x PSUs times PSUs x cells for weights made here, or a sparse rows x cells product
for weights read from a file); any other estimator plugs in through
:meth:`ReplicateDesign.replicate_variance`, which takes a function of a weight vector.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_choice
from polls.design._cells import Cells, Ratios
from polls.design._estimators import Estimators
from polls.design._replicate_models import ReplicateModels
from polls.design._util import column
from polls.errors import InferenceWarning, InvalidArgumentError

__all__ = ["ReplicateDesign", "REPLICATE_TYPES"]

#: Replicate types of :class:`ReplicateDesign` (R's ``svrepdesign`` names).
REPLICATE_TYPES = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "successive-difference", "other")
#: Rows per block when replicate weights are read one block of rows at a time.
ROW_BLOCK = 1 << 15


class FrameColumns:
    """Replicate weight columns read from the frame a block of rows at a time (no full copy).

    Offers what the design needs of an ``(n, R)`` array: ``shape``, row blocks and rows by
    index (``[rows]``), one replicate's column (``column(r)``) and ``max(axis=0)``.
    """

    def __init__(self, data: pd.DataFrame, names: list) -> None:
        # float64 columns give views of the frame's memory; other dtypes are converted once
        self._cols = [data[c].to_numpy(dtype=float, na_value=np.nan) for c in names]
        self.shape = (len(data), len(names))

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: Any) -> np.ndarray:
        if isinstance(rows, slice):
            m = len(range(self.shape[0])[rows])
        else:
            rows = np.asarray(rows)
            m = int(rows.sum()) if rows.dtype == bool else len(rows)
        out = np.empty((m, self.shape[1]), order="F")  # column writes are contiguous
        for j, c in enumerate(self._cols):
            out[:, j] = c[rows]
        return out

    def column(self, r: int) -> np.ndarray:
        return self._cols[r]

    def max(self, axis: int = 0) -> np.ndarray:
        return np.array([np.max(self.column(j)) for j in range(self.shape[1])])


def _replicate_matrix(data: pd.DataFrame, replicate_weights: Any):
    """The replicate weights (an ``(n, R)`` array or a :class:`FrameColumns` reader), names."""
    if isinstance(replicate_weights, str):
        names = [c for c in data.columns if isinstance(c, str) and re.search(replicate_weights, c)]
        if not names:
            raise InvalidArgumentError(
                f"replicate_weights={replicate_weights!r} matches no column of data "
                "(a string is read as a regular expression, as R's svrepdesign does)"
            )
    elif isinstance(replicate_weights, list | tuple | pd.Index) and all(
        isinstance(c, str) for c in replicate_weights
    ):
        names = list(replicate_weights)
        for c in names:
            column(data, c, "replicate_weights")
    else:
        arr = np.asarray(replicate_weights, dtype=float)
        if arr.ndim != 2 or arr.shape[0] != len(data):
            raise InvalidArgumentError(
                "replicate_weights must be column names, a regular expression, or an array "
                f"with one row per data row ({len(data)}); got shape {arr.shape}"
            )
        names = [f"replicate_{i + 1}" for i in range(arr.shape[1])]
        return _check_reps(arr, names, data), names
    for c in names:
        if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])):
            raise InvalidArgumentError(
                f"replicate weights must be numeric; column {c!r} has dtype {data[c].dtype}"
            )
    return _check_reps(FrameColumns(data, names), names, data), names


def _check_reps(arr, names: list, data: pd.DataFrame):
    if arr.shape[1] < 2:
        raise InvalidArgumentError(f"need at least 2 replicate weights, got {arr.shape[1]}")
    for j in range(arr.shape[1]):
        col = arr.column(j) if isinstance(arr, FrameColumns) else arr[:, j]
        bad = ~np.isfinite(col)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidArgumentError(
                f"replicate weight {names[j]!r} is missing or not finite in row {data.index[i]!r}"
            )
    return arr


def _scales(type: str, reps: np.ndarray, combined: bool, rho, scale, rscales):
    """``(scale, rscales)`` by R's ``svrepdesign`` rules (with its warnings and errors)."""
    n_rep = reps.shape[1]
    if rscales is not None:
        rscales = np.broadcast_to(np.asarray(rscales, dtype=float), (n_rep,)).copy() if (
            np.ndim(rscales) == 0 or len(rscales) in (1, n_rep)) else None
        if rscales is None:
            raise InvalidArgumentError(f"rscales must have length 1 or {n_rep} (replicates)")
    if type == "Fay" and rho is None:
        raise InvalidArgumentError("type='Fay' needs rho= (Fay's coefficient, e.g. 0.5)")
    if type == "BRR":
        if scale is not None:
            warnings.warn("type='BRR' does not use scale=; it is 1/replicates",
                          InferenceWarning, stacklevel=3)
        scale = 1 / n_rep
    elif type == "Fay":
        scale = 1 / (n_rep * (1 - rho) ** 2)
    elif type == "bootstrap" and scale is None:
        scale = 1 / (n_rep - 1)
    elif type == "JK1" and scale is None:
        if combined:
            scale = (n_rep - 1) / n_rep
            warnings.warn("scale (n-1)/n not given: taking n = the number of replicates",
                          InferenceWarning, stacklevel=3)
        else:
            scale = 1 / reps.max(axis=0)[0]
            warnings.warn("scale (n-1)/n not given: taken from the first replicate's weights",
                          InferenceWarning, stacklevel=3)
    elif type == "JKn" and rscales is None:
        if combined:
            raise InvalidArgumentError(
                "type='JKn' with combined weights needs rscales= ((n_h - 1) / n_h for each "
                "replicate's stratum)"
            )
        rscales = 1 / reps.max(axis=0)
        warnings.warn("rscales (n-1)/n not given: taken from the replicates' weights",
                      InferenceWarning, stacklevel=3)
    elif type == "successive-difference":
        scale, rscales = 4 / n_rep, np.ones(n_rep)
    elif type == "other" and (scale is None or rscales is None):
        warnings.warn("scale or rscales not given for type='other': taken as 1",
                      InferenceWarning, stacklevel=3)
    scale = 1.0 if scale is None else float(scale)
    rscales = np.ones(n_rep) if rscales is None else rscales
    return scale, rscales


class ReplicateDesign(ReplicateModels, Estimators):
    """A sample described by replicate weights (R's ``svrepdesign``).

    Parameters
    ----------
    data : DataFrame
        One row per respondent. It is not modified.
    replicate_weights : list of str, str or array-like
        The replicate weight columns: their names, a regular expression matching them (as
        R's ``repweights="repw[0-9]+"``), or an ``(n, R)`` array.
    weights : str or array-like, optional
        The full-sample weights. Omitted: all 1, with a warning (as R).
    type : {"JK1", "JKn", "BRR", "Fay", "bootstrap", "successive-difference", "other"}
        How the replicates were made; it sets ``scale`` and ``rscales`` as R does: BRR
        ``1/R``; Fay ``1/(R (1 - rho)^2)``; bootstrap ``1/(R - 1)``; JK1 ``(R - 1)/R`` unless
        given; JKn needs ``rscales`` (``(n_h - 1)/n_h`` of each replicate's stratum);
        successive differences ``4/R``.
    rho : float, optional
        Fay's coefficient (required for ``type="Fay"``).
    scale, rscales : float and array of float, optional
        The overall multiplier and one multiplier per replicate of the squared deviations.
    combined_weights : bool
        ``True`` (default, as R): the replicate columns are the full analysis weights;
        ``False``: they are factors to multiply the full-sample weights by.
    mse : bool
        Centre the squared deviations on the full-sample estimate instead of the mean of the
        replicate estimates (R's ``mse=TRUE``).

    Notes
    -----
    Degrees of freedom are the rank of the replicate weights minus one (R's ``degf``), for
    every domain too.

    Examples
    --------
    >>> import numpy as np, pandas as pd, polls
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0], "w": [1.0] * 4})
    >>> jk = np.ones((4, 4)) * 4 / 3 - np.eye(4) * 4 / 3   # delete-one jackknife
    >>> rep = polls.ReplicateDesign(df, replicate_weights=jk, weights="w", type="JK1",
    ...                             scale=3 / 4)
    >>> round(float(rep.mean("y")["se"].iloc[0]), 6)   # the sd over sqrt(n)
    0.645497
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        replicate_weights: Any,
        weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
        type: str,
        rho: float | None = None,
        scale: float | None = None,
        rscales: float | Sequence[float] | np.ndarray | None = None,
        combined_weights: bool = True,
        mse: bool = False,
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise InvalidArgumentError(
                f"data must be a pandas DataFrame, got {type(data).__name__}"
            )
        kind = check_choice("type", type, REPLICATE_TYPES)
        reps, names = _replicate_matrix(data, replicate_weights)
        if weights is None:
            warnings.warn("no full-sample weights given: all rows weigh 1", InferenceWarning,
                          stacklevel=2)
            w = np.ones(len(data))
        else:
            from polls.design._taylor import _read_weights

            w = _read_weights(data, weights)
        scale, rscales = _scales(kind, reps, combined_weights, rho, scale, rscales)
        self._setup(data, w, np.arange(len(data)), reps, None if combined_weights else w,
                    kind, scale, rscales, rho, mse)
        self._names = names

    def _setup(self, data, w, unit, factors, base, kind, scale, rscales, rho, mse) -> None:
        """Store the design: replicate ``r`` weighs row ``i`` ``base_i * factors[unit_i, r]``
        (``base`` None: ones, the factors being the combined weights)."""
        self._data = data
        self._w = np.asarray(w, dtype=float)
        self._unit = unit
        self._factors = factors if isinstance(factors, FrameColumns) else np.asfortranarray(
            factors)  # one replicate's column is contiguous
        self._rows_are_units = len(factors) == len(data) and np.array_equal(
            unit, np.arange(len(data)))
        self._base = base
        self.type = kind
        self.scale = float(scale)
        self.rscales = np.asarray(rscales, dtype=float)
        self.rho = rho
        self.mse = bool(mse)
        self._method = f"replicate ({kind})"
        self._df: int | None = None
        self._names = [f"replicate_{i + 1}" for i in range(factors.shape[1])]

    # ------------------------------------------------------------------ properties
    @property
    def data(self) -> pd.DataFrame:
        """The respondent frame (not a copy: do not modify it)."""
        return self._data

    @property
    def weights(self) -> pd.Series:
        """The full-sample weights, aligned to the data's index."""
        return pd.Series(self._w.copy(), index=self._data.index, name="weight")

    @property
    def n_replicates(self) -> int:
        """Number of replicates."""
        return int(self._factors.shape[1])

    @property
    def replicate_weights(self) -> np.ndarray:
        """The analysis weights of every replicate, an ``(n, R)`` array (built on request)."""
        if self._rows_are_units:
            out = self._factors[:]
        else:
            out = self._factors[self._unit]
        return out * self._base[:, None] if self._base is not None else out

    @property
    def degrees_of_freedom(self) -> int:
        """Rank of the replicate weights minus one (R's ``degf`` for replicate designs)."""
        if self._df is None:
            self._df = self._rank() - 1
        return self._df

    def _chisq_df(self) -> int:
        return self.degrees_of_freedom

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return (f"ReplicateDesign({len(self._data)} rows; {self.n_replicates} {self.type} "
                f"replicates{', mse' if self.mse else ''})")

    def _rank(self, mask: np.ndarray | None = None) -> int:
        """Rank of the analysis weights of the rows in ``mask`` (all rows by default), as R's
        ``qr`` (rows with a zero full-sample weight add nothing when the weights are factors)."""
        return self._ranks(None if mask is None else [mask])[0]

    def _ranks(self, masks: list[np.ndarray] | None) -> list[int]:
        """:meth:`_rank` of several row masks in one pass over the rows."""
        if not self._rows_are_units:
            out = []
            for mask in masks or [np.ones(len(self._data), dtype=bool)]:
                keep = mask if self._base is None else mask & (self._base != 0)
                units = np.unique(self._unit[keep])
                out.append(int(np.linalg.matrix_rank(self._factors[units])))
            return out
        grams = np.zeros((1 if masks is None else len(masks),) + (self.n_replicates,) * 2)
        for start in range(0, len(self._data), ROW_BLOCK):
            rows = slice(start, start + ROW_BLOCK)
            block = self._factors[rows]
            if self._base is not None:
                block = block * self._base[rows, None]
            if masks is None:
                grams[0] += block.T @ block
                continue
            for g, mask in zip(grams, masks, strict=True):
                part = block[mask[rows]]
                g += part.T @ part
        out = []
        for g in grams:
            s = np.sqrt(np.clip(np.linalg.eigvalsh(g), 0, None))
            out.append(int((s > 1e-5 * s.max()).sum()) if s.max() > 0 else 0)
        return out

    # ------------------------------------------------------------------ variance core
    def _centre_variance(self, theta: np.ndarray, thetas: np.ndarray, full: bool):
        """R's ``svrVar``: replicates with a non-finite estimate are dropped, with a warning."""
        keep = np.isfinite(thetas).all(axis=1)
        if not keep.all() and np.isfinite(theta).all():
            warnings.warn(f"{int((~keep).sum())} replicates gave NaN estimates and were left "
                          "out of the variance", InferenceWarning, stacklevel=4)
            thetas = thetas[keep]
        rsc = self.rscales[keep] if not keep.all() and np.isfinite(theta).all() else self.rscales
        centre = theta if self.mse else thetas[rsc > 0].mean(axis=0)
        dev = thetas - centre
        if full:
            return self.scale * np.einsum("rj,rk->jk", dev * rsc[:, None], dev)
        return self.scale * np.einsum("rk,rk->k", dev * rsc[:, None], dev)

    def _replicate_totals(self, cells: Cells) -> np.ndarray:
        """Basis totals of every replicate, ``(R, n_basis)``: one bincount pass per replicate
        (per-row replicate columns), or replicates x units times units x cells (factors per
        PSU, as :meth:`SurveyDesign.to_replicate` makes them)."""
        if self._rows_are_units:
            width = cells.n_cells + 1
            out = np.zeros((self.n_replicates, cells.n_basis))
            for start in range(0, len(self._data), ROW_BLOCK):
                rows = slice(start, start + ROW_BLOCK)
                block = self._factors[rows]
                if self._base is not None:
                    block = block * self._base[rows, None]
                idx = cells.code[rows] + 1
                y = None if cells.y is None else cells.y[rows]
                for r in range(self.n_replicates):
                    wr = block[:, r]
                    out[r, : cells.n_cells] += np.bincount(idx, wr, minlength=width)[1:]
                    if y is not None:
                        out[r, cells.n_cells :] += np.bincount(idx, wr * y, minlength=width)[1:]
            return out
        base = self._base if self._base is not None else np.ones(len(self._data))
        g = cells.unit_totals(self._unit, len(self._factors), base, tag="@base")
        return np.einsum("ur,up->rp", self._factors, g)

    def _ratio_variance(self, cells: Cells, ratios: Ratios, full: bool):
        est = ratios.estimate(cells.totals(self._w))
        reps = ratios.estimate(self._replicate_totals(cells))
        return est, self._centre_variance(est, np.atleast_2d(reps), full)

    def _logit_variance(self, cells: Cells, ratios: Ratios, est: np.ndarray,
                        var: np.ndarray) -> np.ndarray:
        """The replicate variance of the logit of each share (R refits ``svyglm`` on every
        replicate), expressed on the share's scale: ``var(logit) * (p (1 - p))^2``."""
        reps = np.atleast_2d(ratios.estimate(self._replicate_totals(cells)))
        with np.errstate(divide="ignore", invalid="ignore"):
            lg = np.log(reps / (1 - reps))
            lg0 = np.log(est / (1 - est))
        out = var.copy()
        # where a replicate's share is 0 or 1 its logit is infinite (R's refit then stops
        # unconverged at an arbitrary value): keep the delta method there
        ok = np.isfinite(lg).all(axis=0) & np.isfinite(lg0)
        if ok.any():
            v = self._centre_variance(lg0[ok], lg[:, ok], full=False)
            out[ok] = v * (est[ok] * (1 - est[ok])) ** 2
        return out

    def _ratio_df(self, cells: Cells, ratios: Ratios) -> np.ndarray:
        """Rank of the replicate weights of each estimate's domain minus one (R recomputes
        ``degf`` on the subset design ``svyby`` makes)."""
        den = ratios.den[: cells.n_cells].tocsc()
        keys = [tuple(den.indices[den.indptr[j] : den.indptr[j + 1]]) for j in range(ratios.k)]
        everything = tuple(range(cells.n_cells))
        todo = sorted({key for key in keys
                       if not (key == everything and (cells.code >= 0).all())})
        ranks = dict(zip(todo, self._ranks([np.isin(cells.code, np.asarray(key))
                                            for key in todo]) if todo else [], strict=True))
        return np.array([float(self.degrees_of_freedom) if key not in ranks
                         else float(ranks[key] - 1) for key in keys])

    def replicate_variance(self, estimator: Callable[[np.ndarray], Any]) -> float | np.ndarray:
        """Replicate variance of any estimator given as a function of the weights.

        This is the entry point for estimators beyond the built-in ones (regressions,
        quantiles, calibrated estimates): ``estimator(w)`` must return the estimate (a number
        or a 1-d array) computed with row weights ``w``. It is called once with the
        full-sample weights and once per replicate.

        Parameters
        ----------
        estimator : callable
            ``estimator(weights: ndarray of shape (n,)) -> float or ndarray of shape (k,)``.

        Returns
        -------
        float or ndarray
            The variance, or the ``k x k`` covariance matrix for a vector estimate.

        Examples
        --------
        >>> import numpy as np, pandas as pd, polls
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0], "c": [1, 2, 3, 4]})
        >>> rep = polls.SurveyDesign(df, cluster="c").to_replicate("JK1")
        >>> y = df["y"].to_numpy()
        >>> v = rep.replicate_variance(lambda w: np.sum(w * y) / np.sum(w))
        >>> bool(np.isclose(v, float(rep.mean("y")["se"].iloc[0]) ** 2))
        True
        """
        if not callable(estimator):
            raise InvalidArgumentError(
                f"estimator must be a function of the weights, got {type(estimator).__name__}"
            )
        raw = estimator(self._w.copy())
        scalar = np.ndim(raw) == 0
        theta = np.atleast_1d(np.asarray(raw, dtype=float))
        if theta.ndim != 1:
            raise InvalidArgumentError(
                f"estimator must return a number or a 1-d array, got shape {theta.shape}"
            )
        thetas = np.empty((self.n_replicates, len(theta)))
        base = self._base if self._base is not None else 1.0
        for r in range(self.n_replicates):
            if isinstance(self._factors, FrameColumns):
                wr = base * self._factors.column(r)
            else:
                wr = base * self._factors[self._unit, r]
            thetas[r] = np.asarray(estimator(wr), dtype=float)
        v = self._centre_variance(theta, thetas, full=True)
        return float(v[0, 0]) if scalar else v
