"""Exact Gaussian posterior of a random-walk trend plus constant offsets (private engine).

The model behind :mod:`polls.trend`, on arrays only::

    y_i = x[state_i] + (C eta)[group_i] + e_i,        e_i ~ N(0, s2_i)
    x[m] - x[m-1] ~ N(0, sigma2 * gap[m-1])           (a random walk in continuous time)

with a flat (diffuse) prior on ``x[0]`` and on ``eta``. ``C`` is a ``k x q`` contrast matrix that
maps the ``q`` free offset parameters to the ``k`` group offsets (sum to zero, or one group
anchored at zero). Several observations may share a state.

Given ``sigma2`` the joint posterior precision of ``(x, eta)`` is an arrow matrix: a tridiagonal
block ``P`` for ``x`` bordered by ``q`` dense columns. Everything below works with the banded
factorisation ``P = U D U'`` (LAPACK ``dpttrf``/``dpttrs``, linear in the number of states; ``U``
unit lower bidiagonal) and a ``q x q`` Schur complement for ``eta``:

- smoothed means solve the full system by block elimination;
- smoothed variances of ``x`` use the diagonal of ``P^{-1}`` from a forward and a backward
  factorisation (``1 / (P_mm - forward and backward fill-ins)``), plus the low-rank term that
  carries the uncertainty of ``eta``;
- the forward sweep itself is the filter: after eliminating ``x[0..m-1]`` the pivot ``D_mm``,
  less the prior link to ``x[m+1]``, is the precision of ``x[m]`` given the observations up to
  ``m`` (with ``eta`` held at a value);
- the diffuse marginal likelihood of ``sigma2`` needs ``log det P = sum log D_mm``,
  ``log det`` of the Schur complement and ``1 + q`` tridiagonal solves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Design",
    "Posterior",
    "make_design",
    "loglike",
    "posterior",
    "fit_sigma2",
]

_LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True)
class Design:
    """Sufficient statistics of the observations for the banded system (independent of sigma2)."""

    n_states: int
    gap: np.ndarray  # (T-1,) elapsed time between consecutive states, all > 0
    w_state: np.ndarray  # (T,) sum of 1/s2 per state
    b_state: np.ndarray  # (T,) sum of y/s2 per state
    rhs: np.ndarray  # (T, 1 + q), Fortran order: [b_state, A' S B C]
    g_eta: np.ndarray  # (q, q) C' B' S B C
    c_eta: np.ndarray  # (q,) C' B' S y
    yy: float  # y' S y
    sum_log_s2: float
    n_obs: int
    contrast: np.ndarray  # (k, q)
    sigma2_start: float  # moment estimate from within-group differences (a starting value)


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
        rhs = np.asfortranarray(b_state.reshape(-1, 1))
        g_eta = np.zeros((0, 0))
        c_eta = np.zeros(0)
    else:
        k, q = contrast.shape
        # per group and state sums of 1/s2, group-major so that each group's column is contiguous
        cells = np.bincount(group * n_states + state, weights=w, minlength=n_states * k)
        w_gs = cells.reshape(k, n_states)
        rhs = np.zeros((n_states, 1 + q), order="F")
        rhs[:, 0] = b_state
        for j, c in zip(*np.nonzero(contrast), strict=True):  # contrasts are sparse
            rhs[:, 1 + c] += contrast[j, c] * w_gs[j]
        w_g = w_gs.sum(axis=1)
        g_eta = contrast.T @ (w_g[:, None] * contrast)
        c_eta = contrast.T @ np.bincount(group, weights=wy, minlength=k)
    return Design(
        sigma2_start=_moment_start(state, gap, y, s2, group),
        n_states=n_states,
        gap=np.asarray(gap, dtype=float),
        w_state=w_state,
        b_state=b_state,
        rhs=rhs,
        g_eta=g_eta,
        c_eta=c_eta,
        yy=float(np.dot(wy, y)),
        sum_log_s2=float(np.log(s2).sum()),
        n_obs=len(y),
        contrast=contrast,
    )


def _moment_start(state, gap, y, s2, group) -> float:
    """Moment estimate of ``sigma2`` from consecutive observations of the same group.

    Offsets cancel in such differences: ``E[(y_b - y_a)^2] = sigma2 * elapsed + s2_a + s2_b``.
    Only a starting point for the likelihood search; falls back to a small positive value.
    """
    times = np.concatenate([[0.0], np.cumsum(gap)])
    g = np.zeros(len(y), dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    order = np.argsort(g * len(times) + state, kind="stable")
    t, yy, v, gg = times[state[order]], y[order], s2[order], g[order]
    same = (gg[1:] == gg[:-1]) & (t[1:] > t[:-1])
    dt = (t[1:] - t[:-1])[same]
    if dt.size:
        excess = ((yy[1:] - yy[:-1]) ** 2 - v[1:] - v[:-1])[same]
        est = float(excess.sum() / dt.sum())
        if est > 0 and math.isfinite(est):
            return est
    span = max(float(times[-1]), 1.0)
    return float(np.median(s2)) / span


def _tridiagonal(design: Design, sigma2: float) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and sub-diagonal of P = prior precision of the walk + observation precision."""
    q = 1.0 / (sigma2 * design.gap)
    diag = design.w_state.copy()
    diag[:-1] += q
    diag[1:] += q
    return diag, -q


def _ldl(diag: np.ndarray, off: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``P = U D U'`` for tridiagonal ``P`` (LAPACK ``dpttrf``): pivots and unit sub-diagonal."""
    from scipy.linalg import lapack

    if len(diag) == 1:  # one state: nothing to factorise (LAPACK wrappers reject n = 1 here)
        return diag.astype(float, copy=True), np.zeros(0)
    d, e, info = lapack.dpttrf(diag, off)
    if info != 0:
        raise np.linalg.LinAlgError(f"tridiagonal factorisation failed (info={info})")
    return d, e


def _solve(d: np.ndarray, e: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``P^{-1} rhs`` from the factorisation; one LAPACK call per column (faster than a block)."""
    from scipy.linalg import lapack

    if len(d) == 1:
        return rhs / d[0]
    out = np.array(rhs, order="F", dtype=float)
    for j in range(out.shape[1]):
        x, info = lapack.dpttrs(d, e, out[:, j], overwrite_b=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"tridiagonal solve failed (info={info})")
        if not np.shares_memory(x, out):
            out[:, j] = x
    return out


def _forward(e: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``U^{-1} rhs`` for the unit lower bidiagonal factor (the forward sweep only)."""
    from scipy.linalg import lapack

    if len(rhs) == 1:
        return rhs.astype(float, copy=True)
    ab = np.empty((2, len(rhs)))
    ab[0] = 1.0
    ab[1, :-1] = e
    ab[1, -1] = 0.0
    out, info = lapack.dtbtrs(ab, rhs.reshape(-1, 1), uplo="L", trans="N", diag="U")
    if info != 0:
        raise np.linalg.LinAlgError(f"bidiagonal solve failed (info={info})")
    return out.ravel()


@dataclass
class _Sweep:
    d: np.ndarray  # pivots of P (forward)
    e: np.ndarray
    xb: np.ndarray  # P^{-1} b
    xm: np.ndarray  # P^{-1} coupling, (T, q)
    schur: np.ndarray  # H = g_eta - coupling' P^{-1} coupling
    u: np.ndarray  # c_eta - coupling' P^{-1} b
    bpb: float  # b' P^{-1} b
    logdet_p: float


def _sweep(design: Design, sigma2: float) -> _Sweep:
    diag, off = _tridiagonal(design, sigma2)
    d, e = _ldl(diag, off)
    q = design.rhs.shape[1] - 1
    x = _solve(d, e, design.rhs)
    xb = x[:, 0]
    if q:
        xm = x[:, 1:]
        cross = design.rhs[:, 1:].T @ x  # coupling' P^{-1} [b, coupling]
        schur = design.g_eta - cross[:, 1:]
        schur = 0.5 * (schur + schur.T)
        u = design.c_eta - cross[:, 0]
    else:
        xm = x[:, 1:]
        schur, u = design.g_eta, design.c_eta
    return _Sweep(
        d=d,
        e=e,
        xb=xb,
        xm=xm,
        schur=schur,
        u=u,
        bpb=float(design.b_state @ xb),
        logdet_p=float(np.log(d).sum()),
    )


def _loglike(design: Design, sigma2: float, sw: _Sweep) -> tuple[float, np.ndarray, np.ndarray]:
    """Log-likelihood, plus ``eta_hat`` and ``H^{-1}`` (empty without offsets)."""
    q = design.rhs.shape[1] - 1
    quad = design.yy - sw.bpb
    logdet_h = 0.0
    eta = np.zeros(0)
    h_inv = np.zeros((0, 0))
    if q:
        hc = np.linalg.cholesky(sw.schur)
        v = np.linalg.solve(hc, sw.u)
        quad -= float(v @ v)
        logdet_h = 2.0 * float(np.log(np.diag(hc)).sum())
        hc_inv = np.linalg.inv(hc)
        h_inv = hc_inv.T @ hc_inv
        eta = h_inv @ sw.u
    ll = -0.5 * (
        (design.n_obs - 1 - q) * _LOG_2PI
        + design.sum_log_s2
        + float(np.log(sigma2 * design.gap).sum())
        + sw.logdet_p
        + logdet_h
        + quad
    )
    return ll, eta, h_inv


def loglike(design: Design, sigma2: float) -> float:
    """Diffuse marginal log-likelihood of ``sigma2`` (trend and offsets integrated out)."""
    return _loglike(design, sigma2, _sweep(design, sigma2))[0]


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
    diag, off = _tridiagonal(design, sigma2)
    sw = _sweep(design, sigma2)
    ll, eta, h_inv = _loglike(design, sigma2, sw)
    q = design.rhs.shape[1] - 1
    mean = sw.xb - sw.xm @ eta if q else sw.xb

    # Diagonal of P^{-1} from the forward pivots and those of the reversed matrix:
    # (P^{-1})_mm = 1 / (P_mm - off_{m-1}^2 / fwd_{m-1} - off_m^2 / bwd_{m+1}).
    fwd = sw.d
    bwd = _ldl(diag[::-1].copy(), off[::-1].copy())[0][::-1]
    denom = diag.copy()
    off2 = off**2
    denom[1:] -= off2 / fwd[:-1]
    denom[:-1] -= off2 / bwd[1:]
    var = 1.0 / denom
    cov_next = -off * var[1:] / fwd[:-1]
    if q:
        gh = sw.xm @ h_inv
        for a in range(q):  # column by column: the arrays are Fortran-ordered
            var += gh[:, a] * sw.xm[:, a]
            cov_next += gh[:-1, a] * sw.xm[1:, a]

    # The forward pivot at m still holds the prior link to x[m+1] (-off[m] on the diagonal);
    # without it, it is the filtering precision; the forward-eliminated right-hand side is
    # U^{-1} (b - coupling eta).
    rhs = design.b_state - design.rhs[:, 1:] @ eta if q else design.b_state
    filt_prec = fwd.copy()
    filt_prec[:-1] += off
    filtered_var = 1.0 / filt_prec
    filtered_mean = _forward(sw.e, rhs) * filtered_var

    c = design.contrast
    offsets = c @ eta if q else np.zeros(c.shape[0])
    offsets_cov = c @ h_inv @ c.T if q else np.zeros((c.shape[0], c.shape[0]))
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
    design: Design,
    *,
    bounds: tuple[float, float] = (1e-12, 1.0),
    xatol: float = 0.005,
    span: float = 2.5,
) -> tuple[float, float, bool, int]:
    """Maximum-likelihood ``sigma2`` within ``bounds``, searching on ``log sigma``.

    The search starts in a window of ``+-span`` around ``design.sigma2_start`` and moves the window
    while the optimum sits at one of its ends. Returns ``(sigma2, loglike, at_bound, n_evals)``;
    ``at_bound`` says the optimum is at an end of ``bounds`` (e.g. a flat trend, ``sigma2 -> 0``).
    """
    from scipy.optimize import minimize_scalar

    lo, hi = (0.5 * math.log(b) for b in bounds)
    cache: dict[float, float] = {}

    def objective(log_sd: float) -> float:
        if log_sd not in cache:
            cache[log_sd] = -loglike(design, math.exp(2.0 * log_sd))
        return cache[log_sd]

    centre = 0.5 * math.log(design.sigma2_start)
    centre = min(max(centre, lo + span), hi - span)
    a, b = centre - span, centre + span
    step = 2 * span
    for _ in range(30):
        res = minimize_scalar(objective, bounds=(a, b), method="bounded", options={"xatol": xatol})
        x = float(res.x)
        if x - a < 3 * xatol and a > lo and objective(a) <= objective(x):
            a, b = max(lo, a - step), a + xatol
        elif b - x < 3 * xatol and b < hi and objective(b) <= objective(x):
            a, b = b - xatol, min(hi, b + step)
        else:
            break
        step *= 2
    best = min(cache, key=cache.get)
    at_bound = bool(best - lo < 3 * xatol or hi - best < 3 * xatol)
    return math.exp(2.0 * best), -cache[best], at_bound, len(cache)
