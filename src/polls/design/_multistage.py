"""The sampling stages of a design and the Taylor variance of weighted totals over them.

Numpy only, no pandas. A design has one or more stages; the units of stage 1 are the PSUs
(nested in strata), the units of stage ``s + 1`` are nested in those of stage ``s`` (which act as
their strata), and the finest units are those of the last stage (rows, when no cluster is named).

The variance of a vector of weighted totals follows R's ``svyrecvar`` (``multistage`` /
``onestage`` / ``onestrat``): within each stratum of a stage, the deviations of the unit totals
from their (unweighted) stratum mean, scaled by ``f_u n_h / (n_h - 1)`` with ``f_u = 1 - n_h / N_h``
(``1 - pi_u`` for PPS designs: Brewer's approximation); the stages after the first add their own
such terms, each multiplied by the sampling fractions of the units above them. Later stages count
only when the first stage has a finite population correction (otherwise the design is sampled with
replacement at the first stage and the PSU totals carry all the variance).
"""

from __future__ import annotations

import numpy as np

from polls.errors import InvalidArgumentError

#: A stratum whose every unit has ``f < CERTAINTY`` is taken whole (R's threshold).
CERTAINTY = 1e-7


class Stage:
    """One stage: unit of each finest unit, stratum of each unit, n per stratum, fraction per unit.

    Attributes
    ----------
    unit : ndarray (n_finest,)
        The stage's unit that each finest unit belongs to.
    stratum : ndarray (n_units,)
        Stratum of each unit (at stage 1 the design's strata; later, the parent unit).
    n : ndarray (n_strata,)
        Number of sampled units in each stratum.
    f : ndarray (n_units,)
        ``1 - n_h / N_h`` (or ``1 - pi_u``), ``1`` without a population correction.
    fraction : ndarray (n_units,)
        ``n_h / N_h`` (or ``pi_u``): the multiplier of the next stage's variance.
    """

    def __init__(self, unit, stratum, n, f, fraction):
        self.unit, self.stratum, self.n, self.f, self.fraction = unit, stratum, n, f, fraction
        self.lonely = n == 1
        certain = np.ones(len(n), dtype=bool)
        np.logical_and.at(certain, stratum, f < CERTAINTY)
        self.certain = certain
        ratio = n / np.maximum(n - 1, 1)
        self.scale = np.where(self.lonely[stratum], f, f * ratio[stratum])


class Stages:
    """The stages of a design and the variance of unit totals over them.

    Parameters
    ----------
    stages : list of Stage
        Stage 1 first; only the stages that count for the variance.
    lonely : str
        R's ``survey.lonely.psu`` rule for strata with a single unit.
    """

    def __init__(self, stages: list[Stage], lonely: str) -> None:
        self.stages = stages
        self.lonely = lonely
        self.n_finest = len(stages[0].unit)
        # multiplier of each stage's unit terms: product of the fractions of the units above
        mult = [np.ones(len(stages[0].stratum))]
        for s in range(1, len(stages)):
            parent = stages[s].stratum
            mult.append((mult[-1] * stages[s - 1].fraction)[parent])
        self.mult = mult
        first = stages[0]
        bad = first.lonely & ~first.certain
        self._ok_fraction = 1.0
        if bad.any() and lonely == "average":
            ok = (~bad).sum()
            if ok == 0:
                raise InvalidArgumentError(
                    "every stratum has a single PSU, so lonely_psu='average' has no stratum "
                    "to average over; use 'adjust', 'certainty' or 'remove', or merge strata"
                )
            self._ok_fraction = len(first.n) / ok

    def check_lonely(self, labels) -> None:
        """Raise for a lonely unit under ``lonely='fail'`` (and at later stages under 'average')."""
        for s, st in enumerate(self.stages):
            bad = st.lonely & ~st.certain
            if not bad.any():
                continue
            if self.lonely == "fail" or (s > 0 and self.lonely == "average"):
                h = int(np.flatnonzero(bad)[0])
                where = (f"stratum {labels[h]!r}" if s == 0
                         else f"unit {h} of stage {s} (one unit sampled below it)")
                raise InvalidArgumentError(
                    f"{where} has only one {'PSU' if s == 0 else 'unit'} at stage {s + 1}, so "
                    "its variance cannot be estimated; pass lonely_psu='certainty', 'remove' "
                    "or 'adjust'" + (" or 'average'" if s == 0 else "")
                )

    def variance(self, totals: np.ndarray, full: bool = True) -> np.ndarray:
        """Covariance (``full``) or variances of the weighted totals whose finest-unit totals
        are the columns of ``totals`` (shape ``(n_finest, k)``)."""
        k = totals.shape[1]
        out = np.zeros((k, k)) if full else np.zeros(k)
        t = totals
        for s in range(len(self.stages) - 1, -1, -1):
            st = self.stages[s]
            if s < len(self.stages) - 1:
                nxt = self.stages[s + 1]
                t = _rowsum(t, nxt.stratum, len(st.stratum))  # units of stage s+1 -> stage s
            elif len(st.stratum) != self.n_finest or not _is_identity(st.unit):
                t = _rowsum(t, st.unit, len(st.stratum))
            term = self._onestage(t, st, self.mult[s], full)
            if s == 0:
                term = term * self._ok_fraction
            out = out + term
        return out

    def _onestage(self, t: np.ndarray, st: Stage, mult: np.ndarray, full: bool) -> np.ndarray:
        n_strata = len(st.n)
        counts = st.n.astype(float)
        mean = np.empty((n_strata, t.shape[1]))
        for j in range(t.shape[1]):
            mean[:, j] = np.bincount(st.stratum, weights=t[:, j], minlength=n_strata)
        mean /= counts[:, None]
        centre = mean[st.stratum]
        lonely_u = st.lonely[st.stratum]
        scale = st.scale * mult
        if lonely_u.any():
            if self.lonely == "adjust":
                centre[lonely_u] = 0.0
            else:  # certainty, remove: zero; average: left out and made up at stage 1
                scale = np.where(lonely_u, 0.0, scale)
        scale = np.where(st.certain[st.stratum], 0.0, scale)
        dev = t - centre
        if full:
            # einsum, not BLAS: threaded BLAS on a skinny product costs more than it saves
            return np.einsum("ij,ik->jk", dev * scale[:, None], dev)
        return np.einsum("ij,ij->j", dev * scale[:, None], dev)


def _rowsum(x: np.ndarray, index: np.ndarray, size: int) -> np.ndarray:
    out = np.empty((size, x.shape[1]))
    for j in range(x.shape[1]):
        out[:, j] = np.bincount(index, weights=x[:, j], minlength=size)
    return out


def _is_identity(index: np.ndarray) -> bool:
    return bool(np.array_equal(index, np.arange(len(index))))
