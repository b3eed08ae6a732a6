"""Replicate weights made from a Taylor design (R's ``as.svrepdesign``), one factor per PSU."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from polls._checks import check_choice
from polls.design.replicate import ReplicateDesign
from polls.errors import InferenceWarning, InvalidArgumentError

#: Types :meth:`SurveyDesign.to_replicate` makes (R's ``as.svrepdesign``).
TO_REPLICATE_TYPES = ("auto", "JK1", "JKn", "BRR", "Fay", "bootstrap")


def from_design(design: Any, type: str = "auto", *, replicates: int = 50,
                seed: int | np.random.Generator | None = None, fay_rho: float = 0.0,
                hadamard: np.ndarray | None = None, mse: bool = False) -> ReplicateDesign:
    """Replicate weights for a Taylor design (R's ``as.svrepdesign``), built per PSU.

    ``JK1`` (no strata): each replicate drops one PSU and weighs the others ``n/(n-1)``;
    ``scale = f (n-1)/n``. ``JKn``: each replicate drops one PSU and reweighs the rest of its
    stratum by ``n_h/(n_h-1)``; ``rscales = f_h (n_h-1)/n_h``; strata taken whole add no
    replicate, and a lonely PSU is handled by the design's ``lonely_psu`` as R does. ``BRR``
    and ``Fay`` (two PSUs per stratum): the half-samples come from the rows after the first
    of a Hadamard matrix (Sylvester's, of the smallest size above the number of strata, unless
    ``hadamard=`` gives one: a 0/1 matrix such as R's ``hadamard(n)`` is used as R uses its
    own, any other two-valued matrix as R's ``hadamard.matrix=``), strata in sorted order (as
    text, as R sorts them) and PSUs in order of appearance; in column ``r`` the first PSU of
    the stratum of row ``s`` gets ``2 - rho`` where the entry is 1, ``rho`` where it is 0.
    ``bootstrap``: the rescaled bootstrap of R's ``bootweights`` (``n_h - 1`` PSUs drawn with
    replacement in each stratum, counts times ``n_h/(n_h-1)``), with
    ``scale = m/((m-1)(R-1))`` for the harmonic mean ``m`` of the PSUs per stratum. Only the
    first stage is used; BRR, Fay and the bootstrap drop the finite population correction,
    with a warning.
    """
    kind = check_choice("type", type, TO_REPLICATE_TYPES)
    has_strata = design._spec["strata"] is not None
    if kind == "auto":
        kind = "JKn" if has_strata else "JK1"
    if kind == "JK1" and has_strata:
        raise InvalidArgumentError("type='JK1' is for unstratified designs; use 'JKn'")
    if kind in ("JKn", "BRR", "Fay") and not has_strata:
        raise InvalidArgumentError(f"type={kind!r} needs strata; use 'JK1' or 'bootstrap'")
    stage = design._stages.stages[0]
    psu_stratum = design._psu_stratum
    nh = np.bincount(psu_stratum).astype(float)
    has_fpc = design._spec["fpc"] is not None
    if len(design._stages.stages) > 1:
        warnings.warn("replicates are made from the first stage only: the variance of later "
                      "stages is left out, as R's as.svrepdesign does", InferenceWarning,
                      stacklevel=3)
    if has_fpc and kind in ("BRR", "Fay", "bootstrap"):
        warnings.warn(f"the finite population correction is dropped for type={kind!r}",
                      InferenceWarning, stacklevel=3)
    if kind == "JK1":
        n = len(psu_stratum)
        factors = np.full((n, n), n / (n - 1)) * (1 - np.eye(n))
        f = float(stage.f[0]) if has_fpc else 1.0
        scale, rscales, rho = f * (n - 1) / n, np.ones(n), None
    elif kind == "JKn":
        factors, rscales, scale = _jkn(psu_stratum, nh, stage.f if has_fpc else None,
                                       design._lonely)
        rho = None
    elif kind in ("BRR", "Fay"):
        rho = float(fay_rho) if kind == "Fay" else 0.0
        if not 0 <= rho < 1:
            raise InvalidArgumentError(f"fay_rho must be in [0, 1), got {fay_rho!r}")
        kind = "Fay" if rho > 0 else "BRR"
        first_row = np.full(len(psu_stratum), len(design._psu))
        np.minimum.at(first_row, design._psu, np.arange(len(design._psu)))
        factors = _brr(psu_stratum, nh, design._strata_labels, rho, hadamard, first_row)
        scale, rscales = 1 / (factors.shape[1] * (1 - rho) ** 2), np.ones(factors.shape[1])
    else:
        factors, scale = _bootstrap(psu_stratum, nh, replicates, seed)
        rscales, rho = np.ones(replicates), None
    rep = object.__new__(ReplicateDesign)
    rep._setup(design._data, design._w, design._psu, factors, design._w, kind, scale,
               rscales, rho, mse)
    return rep


def _jkn(psu_stratum, nh, f, lonely):
    n_psu = len(psu_stratum)
    n_strata = len(nh)
    cols, rsc = [], []
    for h in range(n_strata):
        members = np.flatnonzero(psu_stratum == h)
        fh = 1.0 if f is None else float(f[members[0]])
        if fh == 0:
            continue  # taken whole: no replicate (R drops them)
        if len(members) == 1:
            if lonely == "adjust":
                col = np.where(psu_stratum == h, 0.0, n_strata / (n_strata - 1))
                cols.append(col)
                rsc.append((n_strata - 1) / n_strata)
            continue
        m = len(members)
        for j in members:
            col = np.ones(n_psu)
            col[members] = m / (m - 1)
            col[j] = 0.0
            cols.append(col)
            rsc.append(fh * (m - 1) / m)
    if not cols:
        raise InvalidArgumentError("every stratum was taken whole: the variance is zero")
    scale = 1.0
    if len(cols) < n_psu and lonely == "average":
        scale = n_psu / len(cols)
    return np.column_stack(cols), np.array(rsc), scale


def _brr(psu_stratum, nh, labels, rho, hadamard, first_row):
    if not (nh == 2).all():
        h = int(np.flatnonzero(nh != 2)[0])
        raise InvalidArgumentError(
            f"BRR and Fay need exactly two PSUs per stratum; stratum {labels[h]!r} has "
            f"{int(nh[h])}"
        )
    n_strata = len(nh)
    if hadamard is None:
        from scipy.linalg import hadamard as sylvester

        size = 1 << int(math.ceil(math.log2(n_strata + 1)))
        h01 = (sylvester(size) == 1).astype(int)  # +1 -> 1, as R's hadamard() writes it
    else:
        hm = np.asarray(hadamard)
        if hm.ndim != 2 or hm.shape[0] < n_strata + 1 or len(np.unique(hm)) != 2:
            raise InvalidArgumentError(
                f"hadamard must be a two-valued matrix with at least {n_strata + 1} rows "
                "(strata + 1)"
            )
        if set(np.unique(hm).tolist()) == {0, 1}:
            h01 = hm.astype(int)  # R's hadamard() form, used as R uses its own
        else:
            h01 = (hm != hm.flat[0]).astype(int)  # R's hadamard.matrix= rule
    order = sorted(range(n_strata), key=lambda h: str(labels[h]))
    factors = np.empty((len(psu_stratum), h01.shape[1]))
    for s, h in enumerate(order):
        first, second = sorted(np.flatnonzero(psu_stratum == h), key=lambda u: first_row[u])
        row = h01[s + 1]
        factors[first] = np.where(row == 1, 2 - rho, rho)
        factors[second] = np.where(row == 1, rho, 2 - rho)
    return factors


def _bootstrap(psu_stratum, nh, replicates, seed):
    if replicates < 2:
        raise InvalidArgumentError(f"replicates must be at least 2, got {replicates!r}")
    if (nh < 2).any():
        raise InvalidArgumentError("the bootstrap needs at least two PSUs in every stratum")
    rng = np.random.default_rng(seed)
    factors = np.empty((len(psu_stratum), replicates))
    for h in range(len(nh)):
        members = np.flatnonzero(psu_stratum == h)
        m = len(members)
        draws = rng.integers(0, m, size=(m - 1, replicates))
        counts = np.stack([np.bincount(draws[:, r], minlength=m) for r in range(replicates)], 1)
        factors[members] = counts * m / (m - 1)
    harmonic = 1 / np.mean(1 / nh)
    return factors, harmonic / ((harmonic - 1) * (replicates - 1))
