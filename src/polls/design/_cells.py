"""Estimates as ratios of weighted cell totals, shared by the Taylor and replicate designs.

Every estimate here (means, totals, shares, crosstab shares, by domains) is a ratio of two
weighted totals over *cells*: each row falls in at most one cell (its domain, or domain x level,
or table cell; code ``-1``: in none), and a total is a sum over some cells of ``w`` (counts) or
of ``w y`` (values). :class:`Cells` holds the cell of each row, and :class:`Ratios` the 0/1
combinations of cells in the numerators and denominators, as sparse matrices over the basis of
``2 K`` cell totals (``K`` counts, then ``K`` value sums). A design class then needs only two
things: the totals with any set of weights (one pass over the rows: ``np.bincount``), and how
their sampling variance is estimated (linearisation over PSU totals, or replicate weights).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from scipy import sparse

#: Rows per block of a pass over the rows (bounds every temporary array).
ROW_BLOCK = 1 << 17


@dataclass(frozen=True)
class Cells:
    """The cell of each row (int32, ``-1``: in none), ``n_cells`` cells, optional values ``y`` (any
    value, NaN included, where the row is in no cell).

    Sums over rows are ``np.bincount`` passes keyed by ``group * (K + 1) + code + 1`` (so rows in
    no cell fall in a dropped bin, with no masked copies); they are kept in ``memo`` so that the
    estimate, its variance, design effect and degrees of freedom share them.
    """

    code: np.ndarray
    n_cells: int
    y: np.ndarray | None = None
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_basis(self) -> int:
        return 2 * self.n_cells if self.y is not None else self.n_cells

    def sums(self, what: str, weights: np.ndarray | tuple | None,
             group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
        """``(n_groups, K)`` sums by group and cell of ``weights`` (counts if None; a tuple of
        arrays is their product), memoised under ``what`` and the group array's identity.

        Rows are taken in blocks, so no temporary is longer than a block.
        """
        key = (what, None if group is None else id(group))
        if key in self.memo:
            return self.memo[key]
        if group is None:  # the sum over any grouping already made
            for (name, gid), val in list(self.memo.items()):
                if name == what and gid is not None:
                    self.memo[key] = val.sum(axis=0, keepdims=True)
                    return self.memo[key]
        width = self.n_cells + 1
        factors = weights if isinstance(weights, tuple) else (
            () if weights is None else (weights,))
        out = np.zeros(n_groups * width)
        for start in range(0, len(self.code), ROW_BLOCK):
            rows = slice(start, start + ROW_BLOCK)
            idx = self.code[rows] + 1
            if group is not None:
                idx = idx + group[rows].astype(np.intp) * width
            wts = None
            for f in factors:
                wts = f[rows] if wts is None else wts * f[rows]
            out += np.bincount(idx, weights=wts, minlength=n_groups * width)
        self.memo[key] = out.reshape(n_groups, width)[:, 1:]
        return self.memo[key]

    def totals(self, w: np.ndarray) -> np.ndarray:
        """The basis totals (counts, then value sums) with weights ``w`` (one pass each)."""
        return self.unit_totals(None, 1, w)[0]

    def unit_totals(self, unit: np.ndarray | None, n_units: int, w: np.ndarray,
                    tag: str = "") -> np.ndarray:
        """Basis totals per unit, shape ``(n_units, n_basis)``: counts, then value sums."""
        parts = [self.sums("w" + tag, w, unit, n_units)]
        if self.y is not None:
            parts.append(self.sums("wy" + tag, (w, self.y), unit, n_units))
        return np.hstack(parts) if len(parts) > 1 else parts[0]

    def basis_matrix(self, rows: slice = slice(None)) -> sparse.csr_matrix:
        """Rows x basis sparse matrix (one or two entries per row in a cell)."""
        from scipy import sparse

        code = self.code[rows]
        ok = np.flatnonzero(code >= 0)
        r, c, v = [ok], [code[ok]], [np.ones(len(ok))]
        if self.y is not None:
            r.append(ok)
            c.append(code[ok] + self.n_cells)
            v.append(self.y[rows][ok])
        return sparse.csr_matrix(
            (np.concatenate(v), (np.concatenate(r), np.concatenate(c))),
            shape=(len(code), self.n_basis),
        )

    def row_scores(self, lin: np.ndarray, rows: slice | None = None) -> np.ndarray:
        """Per-row scores ``basis_i @ lin`` for a dense ``(n_basis, k)`` block."""
        code = self.code if rows is None else self.code[rows]
        ok = code >= 0
        c = np.where(ok, code, 0)
        z = lin[c]
        if self.y is not None:
            y = self.y if rows is None else self.y[rows]
            z = z + y[:, None] * lin[c + self.n_cells]
        return np.where(ok[:, None], z, 0.0)


@dataclass(frozen=True)
class Ratios:
    """Numerator and denominator cell combinations of ``k`` estimates.

    ``num`` and ``den`` are sparse ``(n_basis, k)`` 0/1 matrices; for totals (``total=True``)
    the estimate is the numerator alone and ``den`` only names the domain (for design effects).
    """

    num: sparse.csc_matrix
    den: sparse.csc_matrix
    total: bool = False

    @property
    def k(self) -> int:
        return self.num.shape[1]

    def estimate(self, totals: np.ndarray) -> np.ndarray:
        """Estimates from basis totals: ``(n_basis,)`` or ``(R, n_basis)`` for replicates."""
        top = np.asarray(self.num.T @ totals.T).T
        if self.total:
            return top
        bottom = np.asarray(self.den.T @ totals.T).T
        with np.errstate(invalid="ignore", divide="ignore"):
            return top / bottom

    def linearization(self, totals: np.ndarray, est: np.ndarray) -> sparse.csc_matrix:
        """The (sparse) basis coefficients of each estimate's linearisation score."""
        from scipy import sparse

        if self.total:
            return self.num.tocsc()
        bottom = np.asarray(self.den.T @ totals).ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            inv = np.where(bottom != 0, 1.0 / bottom, 0.0)
            est0 = np.where(np.isfinite(est), est, 0.0)
        lin = self.num - self.den @ sparse.diags(est0)
        return (lin @ sparse.diags(inv)).tocsc()


def selector(index_lists: list[np.ndarray], n_basis: int) -> sparse.csc_matrix:
    """A 0/1 ``(n_basis, k)`` matrix whose column ``j`` selects the basis entries listed."""
    from scipy import sparse

    rows = np.concatenate([np.asarray(ix, dtype=np.intp) for ix in index_lists]) if index_lists \
        else np.zeros(0, dtype=np.intp)
    cols = np.repeat(np.arange(len(index_lists)), [len(ix) for ix in index_lists])
    return sparse.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_basis, len(index_lists)))


def domain_codes(data: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, list[tuple]]:
    """One code per row for the combination of ``by`` columns (-1 where any is missing)."""
    if not names:
        return np.zeros(len(data), dtype=np.int32), [()]
    if len(names) == 1 and not isinstance(data[names[0]].dtype, pd.CategoricalDtype):
        code, levels = level_codes(data[names[0]])
        return code, [(v,) for v in levels]
    grouped = data[names].reset_index(drop=True).groupby(names, sort=True, observed=True,
                                                          dropna=True)
    code = grouped.ngroup().to_numpy()
    code = np.where(np.isnan(code.astype(float)), -1, code).astype(np.int32)
    index = grouped.size().index
    keys = list(index) if isinstance(index, pd.MultiIndex) else [(k,) for k in index]
    return code, keys


def level_codes(series: pd.Series) -> tuple[np.ndarray, list]:
    """Codes of the observed levels of a column (categories in order, else sorted); -1: missing."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = np.bincount(series.cat.codes.to_numpy()[series.notna().to_numpy()],
                              minlength=len(series.cat.categories)) > 0
        levels = [c for c, p in zip(series.cat.categories, present, strict=True) if p]
        mapping = np.cumsum(present) - 1
        raw = series.cat.codes.to_numpy()
        code = np.where(raw >= 0, mapping[np.maximum(raw, 0)], -1)
        return code.astype(np.int32), levels
    values = series.to_numpy()
    if values.dtype.kind in "iu" and len(values):
        lo, hi = int(values.min()), int(values.max())
        if hi - lo < 10 * len(values) + 1000:  # small integer codes: no hashing, no sort
            present = np.bincount(values - lo, minlength=hi - lo + 1) > 0
            mapping = np.cumsum(present) - 1
            return mapping[values - lo].astype(np.int32), list(np.flatnonzero(present) + lo)
    code, uniques = pd.factorize(series, sort=True)
    return code.astype(np.int32), list(uniques)


def deff_mean(moments: dict, ratios: Ratios, est: np.ndarray, var_mean: np.ndarray):
    """Design effect of each ratio estimate: its variance over simple random sampling's.

    With expansion weights (summing to at least twice the rows with a positive weight) the
    comparison is sampling without replacement from a population of the weights' sum, as R's
    ``svymean(deff=TRUE)``; with weights scaled to the sample size it is sampling with
    replacement, as R's ``deff="replace"``. ``moments`` holds per-basis ``sw`` (weight sums),
    ``swyy`` (sums of ``w y^2`` on the value part) and ``npos`` (rows with a positive weight).
    """
    kcells = moments["n_cells"]
    den0 = ratios.den[:kcells]
    psum = np.asarray(den0.T @ moments["sw"]).ravel()
    nobs = np.asarray(den0.T @ moments["npos"]).ravel()
    m1 = np.asarray(ratios.num.T @ moments["basis"]).ravel()
    m2 = np.asarray(ratios.num.T @ moments["second"]).ravel()
    if ratios.total:  # compare the mean over the domain
        with np.errstate(invalid="ignore", divide="ignore"):
            est = m1 / psum
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = (m2 - 2 * est * m1 + est**2 * psum) / psum * nobs / (nobs - 1)
        vsrs = np.where(psum >= 2 * nobs, s2 * (psum - nobs) / (psum * nobs), s2 / nobs)
        deff = np.where((nobs >= 2) & (vsrs > 0), var_mean / vsrs, math.nan)
    return deff, nobs


def moments(cells: Cells, w: np.ndarray, pos: np.ndarray) -> dict:
    """Per-basis sums needed for design effects (one pass each, shared through the memo);
    ``pos`` is 1.0 where a row's weight is positive."""
    k = cells.n_cells
    sw = cells.sums("w", w)[0]
    npos = cells.sums("pos", pos)[0]
    nrows = cells.sums("rows", None)[0]
    if cells.y is None:
        basis = second = sw
    else:
        basis = np.concatenate([sw, cells.sums("wy", (w, cells.y))[0]])
        second = np.concatenate([sw, cells.sums("wyy", (w, cells.y, cells.y))[0]])
    return {"n_cells": k, "sw": sw, "npos": npos, "nrows": nrows, "basis": basis,
            "second": second}
