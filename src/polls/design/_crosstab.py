"""Weighted two-way tables and Rao-Scott tests from per-cell totals (no per-row matrices)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_choice, check_confidence_level
from polls.design._cells import Cells, Ratios, level_codes, selector
from polls.design._intervals import PROPORTION_METHODS
from polls.design._util import column, result_frame
from polls.errors import InvalidArgumentError


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


def _table_cells(design: Any, row: str, col: str) -> tuple[list, list, np.ndarray]:
    if row == col:
        raise InvalidArgumentError(f"row and col must differ, got {row!r} twice")
    r = column(design._data, row, "row")
    c = column(design._data, col, "col")
    both = (r.notna() & c.notna()).to_numpy()
    rc, rl = level_codes(r.where(both))
    cc, cl = level_codes(c.where(both))
    code = np.where(both & (rc >= 0) & (cc >= 0), rc * len(cl) + cc, -1)
    return rl, cl, code.astype(np.int32)


def crosstab(design: Any, row: str, col: str, *, method: str, confidence_level: float,
             df: float | None) -> pd.DataFrame:
    """See :meth:`polls.SurveyDesign.crosstab`."""
    conf = check_confidence_level(confidence_level)
    method = check_choice("method", method, PROPORTION_METHODS)
    rl, cl, code = _table_cells(design, row, col)
    nr, nc = len(rl), len(cl)
    k = nr * nc
    cells = Cells(code, k)
    everything = np.arange(k)
    nums, dens, keys = [], [], []
    for i, rv in enumerate(rl):
        for j, cv in enumerate(cl):
            cell = np.array([i * nc + j])
            for share, den in (("cell", everything), ("row", i * nc + np.arange(nc)),
                               ("column", np.arange(nr) * nc + j)):
                nums.append(cell)
                dens.append(den)
                keys.append((rv, cv, share, i * nc + j))
    ratios = Ratios(selector(nums, k), selector(dens, k))
    ok = code >= 0
    counts = np.bincount(code[ok], minlength=k)
    wcounts = np.bincount(code[ok], weights=design._w[ok], minlength=k)
    out_keys = [(rv, cv, share, int(counts[c]), float(wcounts[c])) for rv, cv, share, c in keys]
    rows = design._rows(cells, ratios, out_keys, conf, df, "crosstab", method=method)
    return result_frame([row, col], rows, extra_first=("share", "count", "weighted_count"))


def chisq(design: Any, row: str, col: str, *, statistic: str) -> RaoScottTest:
    """See :meth:`polls.SurveyDesign.chisq`."""
    from scipy import stats

    statistic = check_choice("statistic", statistic, ("F", "Chisq"))
    rl, cl, code = _table_cells(design, row, col)
    nr, nc = len(rl), len(cl)
    if nr < 2 or nc < 2:
        raise InvalidArgumentError(
            f"a test needs at least two levels in each variable; {row!r} has {nr}, "
            f"{col!r} has {nc}"
        )
    k = nr * nc
    # cells ordered with the row level varying fastest, as R's interaction(rows, cols)
    order = (np.arange(k) % nr) * nc + np.arange(k) // nr
    cells = Cells(code, k)
    ratios = Ratios(selector([np.array([c]) for c in order], k),
                    selector([np.arange(k)] * k, k))
    mean2, V = design._ratio_variance(cells, ratios, full=True)
    N = int((code >= 0).sum())
    ridx = np.tile(np.arange(nr), nc)
    cidx = np.repeat(np.arange(nc), nr)
    X1 = np.column_stack(
        [np.ones(k)]
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
    denom = np.einsum("ij,ik->jk", C, idiag[:, None] / N * C)
    numr = np.einsum("ij,ik->jk", C, np.einsum("ij,jk->ik", idiag[:, None] * V * idiag, C))
    delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(delta))
    tr2 = float(np.einsum("ij,ji->", delta, delta))
    d0 = tr * tr / tr2
    nu = design._chisq_df()
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
    return RaoScottTest(stat, pval, float(dfree), math.inf, pearson, tr / dfree, "Chisq", row, col)
