"""Exact Gaussian posterior of a random-walk trend plus constant offsets (private engine).

The model behind :mod:`polls.trend`, on arrays only::

    y_i = x[state_i] + (C eta)[group_i] + e_i,        e_i ~ N(0, s2_i)
    x[m] - x[m-1] ~ N(0, sigma2 * gap[m-1])           (a random walk in continuous time)

with a flat (diffuse) prior on ``x[0]`` and on ``eta``. ``C`` is a ``k x q`` contrast matrix that maps
the ``q`` free offset parameters to the ``k`` group offsets (sum to zero, or one group anchored at
zero). Several observations may share a state.

Given ``sigma2`` the joint posterior precision of ``(x, eta)`` is an arrow matrix: a tridiagonal
block ``P`` for ``x`` bordered by ``q`` dense columns. Everything below works with the banded
Cholesky factor ``P = L L'`` (LAPACK ``dpbtrf``/``dtbtrs``, linear in the number of states) and a
``q x q`` Schur complement for ``eta``:

- smoothed means solve the full system by block elimination;
- smoothed variances of ``x`` use the diagonal of ``P^{-1}`` from a forward and a backward
  factorisation (``1 / (P_mm - forward and backward fill-ins)``), plus the low-rank term that
  carries the uncertainty of ``eta``;
- the forward sweep itself is the filter: after eliminating ``x[0..m-1]`` the pivot ``L_mm^2``,
  less the prior link to ``x[m+1]``, is the precision of ``x[m]`` given the observations up to
  ``m`` (with ``eta`` held at a value);
- the diffuse marginal likelihood of ``sigma2`` needs ``log det P = 2 sum log L_mm``,
  ``log det`` of the Schur complement and two triangular solves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Design", "Posterior", "make_design", "loglike", "posterior", "fit_sigma2"]

_LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True)
class Design:
    """Sufficient statistics of the observations for the banded system (independent of sigma2)."""

    n_states: int
    gap: np.ndarray  # (T-1,) elapsed time between consecutive states, all > 0
    w_state: np.ndarray  # (T,) sum of 1/s2 per state
    b_state: np.ndarray  # (T,) sum of y/s2 per state
    coupling: np.ndarray  # (T, q) A' S B C
    g_eta: np.ndarray  # (q, q) C' B' S B C
    c_eta: np.ndarray  # (q,) C' B' S y
    yy: float  # y' S y
    sum_log_s2: float
    n_obs: int
    contrast: np.ndarray  # (k, q)


def make_design(
    state: np.ndarray,
    gap: np.ndarray,
    y: np.ndarray,
    s2: np.ndarray,
    group: np.ndarray | None = None,
    contrast: np.ndarray | None = None,
) -> Design:
    """Collapse the observations into per-state and per-group sums (one pass of ``bincount``)."""
    n_states = len(gap) + 1
    w = 1.0 / s2
    wy = w * y
    w_state = np.bincount(state, weights=w, minlength=n_states)
    b_state = np.bincount(state, weights=wy, minlength=n_states)
    if contrast is None or contrast.shape[1] == 0:
        k = 1 if contrast is None else contrast.shape[0]
        contrast = np.zeros((k, 0))
        coupling = np.zeros((n_states, 0))
        g_eta = np.zeros((0, 0))
        c_eta = np.zeros(0)
    else:
        k = contrast.shape[0]
        w_sg = np.bincount(state * k + group, weights=w, minlength=n_states * k).reshape(n_states, k)
        coupling = w_sg @ contrast
        w_g = w_sg.sum(axis=0)
        g_eta = contrast.T @ (w_g[:, None] * contrast)
        c_eta = contrast.T @ np.bincount(group, weights=wy, minlength=k)
    return Design(
        n_states=n_states,
        gap=np.asarray(gap, dtype=float),
        w_state=w_state,
        b_state=b_state,
        coupling=coupling,
        g_eta=g_eta,
        c_eta=c_eta,
        yy=float(np.dot(wy, y)),
        sum_log_s2=float(np.log(s2).sum()),
        n_obs=len(y),
        contrast=contrast,
    )


def _tridiagonal(design: Design, sigma2: float) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and sub-diagonal of P = prior precision of the walk + observation precision."""
    q = 1.0 / (sigma2 * design.gap)
    diag = design.w_state.copy()
    diag[:-1] += q
    diag[1:] += q
    return diag, -q


def _cholesky(diag: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Lower banded Cholesky factor of the tridiagonal matrix (LAPACK storage, 2 x T)."""
    from scipy.linalg import lapack

    ab = np.empty((2, len(diag)))
    ab[0] = diag
    ab[1, :-1] = off
    ab[1, -1] = 0.0
    chol, info = lapack.dpbtrf(ab, lower=1, overwrite_ab=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"banded Cholesky failed (info={info})")
    return chol


def _trisolve(chol: np.ndarray, rhs: np.ndarray, *, transpose: bool = False) -> np.ndarray:
    """Solve ``L z = rhs`` (or ``L' z = rhs``) for the lower bidiagonal factor ``L``."""
    from scipy.linalg import lapack

    b = rhs.reshape(len(rhs), -1)
    out, info = lapack.dtbtrs(chol, b, uplo="L", trans="T" if transpose else "N")
    if info != 0:
        raise np.linalg.LinAlgError(f"banded triangular solve failed (info={info})")
    return out.reshape(rhs.shape)


@dataclass
class _Sweep:
    chol: np.ndarray
    z: np.ndarray  # L^{-1} b
    zc: np.ndarray  # L^{-1} coupling, (T, q)
    schur: np.ndarray  # H = g_eta - zc' zc
    u: np.ndarray  # c_eta - zc' z
    logdet_p: float


def _sweep(design: Design, sigma2: float) -> _Sweep:
    diag, off = _tridiagonal(design, sigma2)
    chol = _cholesky(diag, off)
    z = _trisolve(chol, design.b_state)
    if design.coupling.shape[1]:
        zc = _trisolve(chol, design.coupling)
        schur = design.g_eta - zc.T @ zc
        u = design.c_eta - zc.T @ z
    else:
        zc = design.coupling
        schur = design.g_eta
        u = design.c_eta
    logdet_p = 2.0 * float(np.log(chol[0]).sum())
    return _Sweep(chol=chol, z=z, zc=zc, schur=schur, u=u, logdet_p=logdet_p)


def loglike(design: Design, sigma2: float) -> float:
    """Diffuse marginal log-likelihood of ``sigma2`` (trend and offsets integrated out)."""
    sw = _sweep(design, sigma2)
    quad = design.yy - float(sw.z @ sw.z)
    logdet_h = 0.0
    if design.coupling.shape[1]:
        hc = np.linalg.cholesky(sw.schur)
        v = np.linalg.solve(hc, sw.u)
        quad -= float(v @ v)
        logdet_h = 2.0 * float(np.log(np.diag(hc)).sum())
    q = design.coupling.shape[1]
    n_free = design.n_obs - 1 - q
    return -0.5 * (
        n_free * _LOG_2PI
        + design.sum_log_s2
        + float(np.log(sigma2 * design.gap).sum())
        + sw.logdet_p
        + logdet_h
        + quad
    )


@dataclass(frozen=True)
class Posterior:
    """Smoothed and filtered moments of the states, and the offsets."""

    sigma2: float
    mean: np.ndarray  # (T,) smoothed means
    var: np.ndarray  # (T,) smoothed variances
    cov_next: np.ndarray  # (T-1,) Cov(x[m], x[m+1]) smoothed
    filtered_mean: np.ndarray  # (T,) given observations up to each state, offsets at eta_hat
    filtered_var: np.ndarray  # (T,)
    offsets: np.ndarray  # (k,) C eta_hat
    offsets_cov: np.ndarray  # (k, k)
    loglike: float


def posterior(design: Design, sigma2: float) -> Posterior:
    """Exact posterior moments for a given ``sigma2``."""
    from scipy.linalg import lapack

    diag, off = _tridiagonal(design, sigma2)
    sw = _sweep(design, sigma2)
    chol = sw.chol
    q = design.coupling.shape[1]
    if q:
        hc = np.linalg.cholesky(sw.schur)
        h_inv = np.linalg.inv(sw.schur)
        h_inv = 0.5 * (h_inv + h_inv.T)
        eta = h_inv @ sw.u
        v = np.linalg.solve(hc, sw.u)
        extra_quad = float(v @ v)
        logdet_h = 2.0 * float(np.log(np.diag(hc)).sum())
        zeta = sw.z - sw.zc @ eta
    else:
        h_inv = np.zeros((0, 0))
        eta = np.zeros(0)
        extra_quad = 0.0
        logdet_h = 0.0
        zeta = sw.z
    mean = _trisolve(chol, zeta, transpose=True)

    # Diagonal of P^{-1}: forward pivots (from chol) and backward pivots (factorise reversed P).
    fwd = chol[0] ** 2
    rev = np.empty((2, len(diag)))
    rev[0] = diag[::-1]
    rev[1, :-1] = off[::-1]
    rev[1, -1] = 0.0
    rchol, info = lapack.dpbtrf(rev, lower=1, overwrite_ab=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"banded Cholesky failed (info={info})")
    bwd = (rchol[0] ** 2)[::-1]
    denom = diag.copy()
    off2 = off**2
    denom[1:] -= off2 / fwd[:-1]
    denom[:-1] -= off2 / bwd[1:]
    var = 1.0 / denom
    cov_next = -off * var[1:] / fwd[:-1]
    if q:
        g = _trisolve(chol, sw.zc, transpose=True)  # P^{-1} coupling
        gh = g @ h_inv
        var = var + np.einsum("ij,ij->i", gh, g)
        cov_next = cov_next + np.einsum("ij,ij->i", gh[:-1], g[1:])

    # The forward pivot at m still holds the prior link to x[m+1] (-off[m] on the diagonal);
    # without it, it is the filtering precision. The eliminated right-hand side is L_mm * zeta_m.
    filt_prec = fwd.copy()
    filt_prec[:-1] += off
    filtered_var = 1.0 / filt_prec
    filtered_mean = chol[0] * zeta * filtered_var

    c = design.contrast
    offsets = c @ eta if q else np.zeros(c.shape[0])
    offsets_cov = c @ h_inv @ c.T if q else np.zeros((c.shape[0], c.shape[0]))

    quad = design.yy - float(sw.z @ sw.z) - extra_quad
    ll = -0.5 * (
        (design.n_obs - 1 - q) * _LOG_2PI
        + design.sum_log_s2
        + float(np.log(sigma2 * design.gap).sum())
        + sw.logdet_p
        + logdet_h
        + quad
    )
    return Posterior(
        sigma2=sigma2,
        mean=mean,
        var=var,
        cov_next=cov_next,
        filtered_mean=filtered_mean,
        filtered_var=filtered_var,
        offsets=offsets,
        offsets_cov=offsets_cov,
        loglike=ll,
    )


def fit_sigma2(
    design: Design, *, bounds: tuple[float, float] = (1e-9, 1.0), xatol: float = 1e-3
) -> tuple[float, float, bool]:
    """Maximum-likelihood ``sigma2`` over ``bounds`` (searching on ``log sigma``).

    Returns ``(sigma2, loglike, at_bound)``; ``at_bound`` says the optimum sits at an end of the
    search interval.
    """
    from scipy.optimize import minimize_scalar

    lo, hi = (0.5 * math.log(b) for b in bounds)

    def objective(log_sd: float) -> float:
        return -loglike(design, math.exp(2.0 * log_sd))

    res = minimize_scalar(objective, bounds=(lo, hi), method="bounded", options={"xatol": xatol})
    log_sd = float(res.x)
    # the bounded search never evaluates the ends: compare them explicitly
    candidates = [(float(res.fun), log_sd), (objective(lo), lo), (objective(hi), hi)]
    fun, log_sd = min(candidates)
    at_bound = abs(log_sd - lo) < 2 * xatol or abs(log_sd - hi) < 2 * xatol
    return math.exp(2.0 * log_sd), -fun, at_bound
