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
- smoothed variances of ``x`` use the diagonal of ``P^{-1}`` from the factorisation (a backward
  recurrence of positive terms), plus the low-rank term that carries the uncertainty of ``eta``;
- the forward sweep itself is the filter: after eliminating ``x[0..m-1]`` the pivot ``D_mm``,
  less the prior link to ``x[m+1]``, is the precision of ``x[m]`` given the observations up to
  ``m`` (with ``eta`` held at a value);
- the diffuse marginal likelihood of ``sigma2`` needs ``log det P = sum log D_mm``,
  ``log det`` of the Schur complement and ``1 + q`` tridiagonal solves;
- its derivative in ``log sigma2`` (the score) needs only the smoothed moments, so the maximum
  is found as a root of the score by secant steps (a handful of evaluations), and the last
  evaluation is reused for the posterior.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

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
_LAPACK: list[Any] = []
#: a score ratio this small is rounding noise (seen near sigma2 = 1e-12); the search stops there
_SCORE_FLOOR = 1e-9


def _lapack() -> Any:
    """``scipy.linalg.lapack``, imported on first use (``import polls`` stays light)."""
    if not _LAPACK:
        from scipy.linalg import lapack

        _LAPACK.append(lapack)
    return _LAPACK[0]


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
    inv_gap: np.ndarray  # (T-1,) 1 / gap
    lap_diag: np.ndarray  # (T,) diagonal of the walk's prior precision at sigma2 = 1
    sum_log_gap: float


def make_design(
    state: np.ndarray,
    gap: np.ndarray,
    y: np.ndarray,
    s2: np.ndarray,
    group: np.ndarray | None = None,
    contrast: np.ndarray | None = None,
    start: bool = True,
) -> Design:
    """Collapse the observations into per-state and per-group sums (one pass of ``bincount``).

    ``start=False`` skips the moment estimate of ``sigma2`` (only the search needs it).
    """
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
        rhs = np.zeros((n_states, 1 + q), order="F")
        rhs[:, 0] = b_state
        if len(state) == n_states and n_states * k > 200_000:
            # one observation per state, many of them: place each group's weights directly
            # rather than fill a dense group-by-state table
            small = group.astype(np.int16) if k < 2**15 else group
            by_group = np.argsort(small, kind="stable")
            ends = np.cumsum(np.bincount(group, minlength=k))
            w_g = np.zeros(k)
            for j in range(k):
                rows = by_group[(ends[j - 1] if j else 0) : ends[j]]
                w_j = w[rows]
                w_g[j] = w_j.sum()
                where = state[rows]
                for c in np.flatnonzero(contrast[j]):  # contrasts are sparse
                    rhs[where, 1 + c] = contrast[j, c] * w_j
        else:
            # per group and state sums of 1/s2, group-major: each group's column is contiguous
            cells = np.bincount(group * n_states + state, weights=w, minlength=n_states * k)
            w_gs = cells.reshape(k, n_states)
            for j, c in zip(*np.nonzero(contrast), strict=True):  # contrasts are sparse
                rhs[:, 1 + c] += contrast[j, c] * w_gs[j]
            w_g = w_gs.sum(axis=1)
        g_eta = contrast.T @ (w_g[:, None] * contrast)
        c_eta = contrast.T @ np.bincount(group, weights=wy, minlength=k)
    gap = np.asarray(gap, dtype=float)
    inv_gap = 1.0 / gap
    lap_diag = np.zeros(n_states)
    lap_diag[:-1] += inv_gap
    lap_diag[1:] += inv_gap
    return Design(
        sigma2_start=_moment_start(state, gap, y, s2, group) if start else math.nan,
        inv_gap=inv_gap,
        lap_diag=lap_diag,
        sum_log_gap=float(np.log(gap).sum()),
        n_states=n_states,
        gap=gap,
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
    """Moment estimate of ``sigma2`` from pairs of observations of the same group.

    Offsets cancel in such differences: ``E[(y_b - y_a)^2] = sigma2 * elapsed + s2_a + s2_b``.
    Pairs ``lag`` waves apart (within a group, in time order) estimate ``sigma2`` by
    ``sum(excess) / sum(elapsed)``. With frequent noisy waves the excess over one step is mostly
    sampling noise, so the lag is moved towards the one where the walk's variance over the pair
    matches the sampling variance (the most precise lag for a random walk), a few times.
    Only a starting point for the likelihood search; falls back to a small positive value.
    """
    times = np.concatenate([[0.0], np.cumsum(gap)])
    n = len(y)
    if group is None:
        order = None if n < 2 or (np.diff(state) >= 0).all() else np.argsort(state, kind="stable")
        g = np.zeros(n, dtype=np.int8)
    else:
        g = np.asarray(group)
        if (np.diff(state) >= 0).all():  # waves in time order: a stable sort on the group will do
            small = g.astype(np.int16) if g.max(initial=0) < 2**15 else g
            order = np.argsort(small, kind="stable")
        else:
            order = np.argsort(g.astype(np.int64) * len(times) + state, kind="stable")
    if order is not None:
        t, yy, v, gg = times[state[order]], y[order], s2[order], g[order]
    else:
        t, yy, v, gg = times[state], y, s2, g

    def at_lag(lag: int) -> tuple[float, float, float]:
        # overlapping pairs add little: thin them at long lags (and any lag of a long series)
        stride = max(1, lag // 16, n // 100_000)
        a, b = slice(0, n - lag, stride), slice(lag, n, stride)
        same = (gg[b] == gg[a]) & (t[b] > t[a])
        noise = (v[b] + v[a])[same]
        excess = ((yy[b] - yy[a]) ** 2)[same] - noise
        return float(excess.sum()), float((t[b] - t[a])[same].sum()), float(noise.sum())

    best, best_score = -1.0, math.inf
    lag = 1
    tried: set[int] = set()
    while 1 <= lag < n and lag not in tried and len(tried) < 8:
        tried.add(lag)
        excess, elapsed, noise = at_lag(lag)
        if not elapsed > 0:
            break
        est = excess / elapsed
        if not (est > 0 and math.isfinite(est)):
            lag *= 16  # no signal above the noise yet: look further apart
            continue
        ratio = noise / (est * elapsed)  # sampling variance against the walk's over a pair
        if abs(math.log(ratio / 2.0)) < best_score:
            best, best_score = est, abs(math.log(ratio / 2.0))
        if 0.5 < ratio < 8.0:
            break
        lag = min(max(int(round(lag * ratio / 2.0)), 1), max(n // 20, 1))
    if best > 0:
        return best
    span = max(float(times[-1]), 1.0)
    return float(np.median(s2)) / span


def _tridiagonal(design: Design, sigma2: float) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and sub-diagonal of P = prior precision of the walk + observation precision."""
    c = 1.0 / sigma2
    diag = design.lap_diag * c
    diag += design.w_state
    return diag, design.inv_gap * -c


def _ldl(
    diag: np.ndarray, off: np.ndarray, overwrite: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """``P = U D U'`` for tridiagonal ``P`` (LAPACK ``dpttrf``): pivots and unit sub-diagonal."""
    lapack = _lapack()

    if len(diag) == 1:  # one state: nothing to factorise (LAPACK wrappers reject n = 1 here)
        return diag.astype(float, copy=True), np.zeros(0)
    d, e, info = lapack.dpttrf(diag, off, overwrite_d=overwrite, overwrite_e=overwrite)
    if info != 0:
        raise np.linalg.LinAlgError(f"tridiagonal factorisation failed (info={info})")
    return d, e


def _solve(d: np.ndarray, e: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``P^{-1} rhs`` from the factorisation; one LAPACK call per column (faster than a block)."""
    lapack = _lapack()

    if len(d) == 1:
        return rhs / d[0]
    if len(d) < 20_000:  # short series: one call for all columns (the call overhead dominates)
        x, info = lapack.dpttrs(d, e, rhs)
        if info != 0:
            raise np.linalg.LinAlgError(f"tridiagonal solve failed (info={info})")
        return x
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
    lapack = _lapack()

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


def _diag_inverse(d: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Diagonal of ``P^{-1}`` from ``P = U D U'``: ``s_m = 1 / d_m + e_m^2 s_{m+1}``.

    A backward recurrence of positive terms with ``e_m^2 <= 1`` (no cancellation, no growth),
    run as one unit upper bidiagonal solve (LAPACK ``dtbtrs``).
    """
    lapack = _lapack()

    inv_d = 1.0 / d
    if len(d) == 1:
        return inv_d
    ab = np.empty((2, len(d)))
    ab[0, 0] = 0.0
    np.multiply(e, e, out=ab[0, 1:])
    np.negative(ab[0, 1:], out=ab[0, 1:])
    ab[1] = 1.0
    out, info = lapack.dtbtrs(ab, inv_d.reshape(-1, 1), uplo="U", trans="N", diag="U",
                              overwrite_b=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"bidiagonal solve failed (info={info})")
    return out.ravel()


@dataclass
class _Eval:
    """Everything computed at one ``sigma2``; the score parts are filled by ``_score``."""

    sigma2: float
    d: np.ndarray  # pivots of P (forward)
    e: np.ndarray  # unit sub-diagonal of the factor
    x: np.ndarray  # P^{-1} [b, coupling], (T, 1 + q)
    eta: np.ndarray  # offsets' parameters at their posterior mean
    h_inv: np.ndarray  # (q, q) posterior covariance of eta
    loglike: float
    sig: np.ndarray | None = None  # diagonal of P^{-1}
    var: np.ndarray | None = None  # smoothed variances: sig + low
    low: np.ndarray | None = None  # diagonal of X H^{-1} X' with X = P^{-1} coupling
    gh: np.ndarray | None = None  # X H^{-1}
    mean: np.ndarray | None = None  # smoothed means
    ratio: float = math.nan  # log(E[sum of scaled squared increments | y] / (T - 1))


def _evaluate(design: Design, sigma2: float, score: bool = False) -> _Eval:
    """Factorise at ``sigma2``; the diffuse log-likelihood, and the score when asked."""
    diag, off = _tridiagonal(design, sigma2)
    d, e = _ldl(diag, off, overwrite=True)
    x = _solve(d, e, design.rhs)
    q = x.shape[1] - 1
    quad = design.yy - float(design.b_state @ x[:, 0])
    logdet_h = 0.0
    eta = np.zeros(0)
    h_inv = np.zeros((0, 0))
    if q:
        lapack = _lapack()

        cross = design.rhs[:, 1:].T @ x  # coupling' P^{-1} [b, coupling]
        schur = design.g_eta - cross[:, 1:]
        schur = 0.5 * (schur + schur.T)  # H = g_eta - coupling' P^{-1} coupling
        u = design.c_eta - cross[:, 0]
        hc, info = lapack.dpotrf(schur, lower=1, clean=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"offsets' Schur complement not positive (info={info})")
        logdet_h = 2.0 * float(np.log(hc.diagonal()).sum())
        h_inv, info = lapack.dpotrs(hc, np.eye(q), lower=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"offsets' Schur complement singular (info={info})")
        h_inv = 0.5 * (h_inv + h_inv.T)
        eta = h_inv @ u
        quad -= float(u @ eta)
    n_gaps = design.n_states - 1
    ll = -0.5 * (
        (design.n_obs - 1 - q) * _LOG_2PI
        + design.sum_log_s2
        + n_gaps * math.log(sigma2)
        + design.sum_log_gap
        + float(np.log(d).sum())
        + logdet_h
        + quad
    )
    ev = _Eval(sigma2=sigma2, d=d, e=e, x=x, eta=eta, h_inv=h_inv, loglike=ll)
    if score:
        _score(design, ev)
    return ev


def _score(design: Design, ev: _Eval) -> None:
    """Score of the diffuse log-likelihood in ``log sigma2``, as a ratio.

    With ``R`` the walk's prior precision (``P = W + R``, ``W`` the observation weights) and
    ``Omega`` the joint precision of the states and the offsets,
    ``d loglike / d log sigma2 = (tr(Omega^{-1} R) + mean' R mean - (T - 1)) / 2``: the posterior
    expectation of the sum of squared increments, each scaled by its prior variance, against
    its count. ``tr(Omega^{-1} R) = T - sum_m w_m V_mm + tr(H^{-1} g_eta) - q`` with ``V`` the
    posterior covariance of the states (``P^{-1} X' = coupling``, ``X' P X = g_eta - H``).
    ``ev.ratio`` is the log of the ratio; zero at a stationary point, positive below it.
    """
    n_states = design.n_states
    x = ev.x
    q = x.shape[1] - 1
    ev.sig = _diag_inverse(ev.d, ev.e)
    if q:
        xm = x[:, 1:]
        # X H^{-1} computed as (H^{-1} X')' : the short-and-wide orientation keeps BLAS
        # threading from stalling on a busy machine (seen with tall-and-skinny products)
        gh = (ev.h_inv @ xm.T).T
        low = np.einsum("ij,ij->i", gh, xm)
        ev.gh, ev.low = gh, low
        mean = x[:, 0] - xm @ ev.eta
        ev.var = ev.sig + low
        trace = n_states - q + float(np.vdot(ev.h_inv, design.g_eta))
    else:
        mean = x[:, 0]
        ev.var = ev.sig
        trace = n_states
    trace -= float(design.w_state @ ev.var)
    ev.mean = mean
    step = mean[1:] - mean[:-1]
    step *= step
    total = trace + float(step @ design.inv_gap) / ev.sigma2
    if n_states > 1:
        ev.ratio = math.log(max(total, 1e-300) / (n_states - 1))


def loglike(design: Design, sigma2: float) -> float:
    """Diffuse marginal log-likelihood of ``sigma2`` (trend and offsets integrated out)."""
    return _evaluate(design, sigma2).loglike


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


def posterior(design: Design, sigma2: float, evaluation: _Eval | None = None) -> Posterior:
    """Exact posterior moments for a given ``sigma2`` (reusing ``evaluation`` made at it)."""
    ev = evaluation
    if ev is None or ev.sigma2 != sigma2 or ev.sig is None:
        ev = _evaluate(design, sigma2, score=True)
    q = ev.x.shape[1] - 1
    eta, e = ev.eta, ev.e

    # (P^{-1})_{m,m+1} = -e_m (P^{-1})_{m+1,m+1}; plus the low-rank term carrying eta's uncertainty
    cov_next = ev.sig[1:] * -e
    var = ev.var
    if q:
        xm, gh = ev.x[:, 1:], ev.gh
        for a in range(q):  # column by column: the arrays are Fortran-ordered
            cov_next += gh[:-1, a] * xm[1:, a]

    # The forward pivot at m still holds the prior link to x[m+1] (-off[m] on the diagonal);
    # without it, it is the filtering precision; the forward-eliminated right-hand side is
    # U^{-1} (b - coupling eta).
    rhs = design.b_state - design.rhs[:, 1:] @ eta if q else design.b_state
    filt_prec = ev.d.copy()
    filt_prec[:-1] -= design.inv_gap / sigma2
    filtered_var = 1.0 / filt_prec
    filtered_mean = _forward(e, rhs) * filtered_var

    c = design.contrast
    offsets = c @ eta if q else np.zeros(c.shape[0])
    offsets_cov = c @ ev.h_inv @ c.T if q else np.zeros((c.shape[0], c.shape[0]))
    return Posterior(
        sigma2=sigma2,
        mean=ev.mean,
        var=var,
        cov_next=cov_next,
        filtered_mean=filtered_mean,
        filtered_var=filtered_var,
        offsets=offsets,
        offsets_cov=offsets_cov,
        loglike=ev.loglike,
    )


def fit(
    design: Design,
    *,
    bounds: tuple[float, float] = (1e-12, 1.0),
    xatol: float = 1e-5,
) -> tuple[_Eval, bool, int]:
    """Maximum-likelihood ``sigma2`` within ``bounds``: a root of the score in ``log sigma2``.

    From ``design.sigma2_start``, secant steps on the score (as ``_Eval.ratio``, a smooth
    function of ``log sigma2``) move uphill, aimed a little past the predicted root until the
    score changes sign. Inside the bracket, secant steps continue while they stay in it (a few
    at most); otherwise Brent's method finishes. Stops when the next secant step from two close
    points is shorter than ``xatol`` in ``log sigma``, when the bracket is that narrow, or when
    the score is down to rounding noise. Returns the evaluation at the maximum (reused by
    :func:`posterior`), whether the maximum is at an end of ``bounds`` (e.g. a flat trend,
    ``sigma2 -> 0``), and the number of evaluations.
    """
    lo, hi = (math.log(b) for b in bounds)
    tol = 2.0 * xatol  # on log sigma2
    seen: dict[float, _Eval] = {}  # the last evaluation
    seen_ratio: dict[float, float] = {}  # every score ratio evaluated
    best: list[_Eval] = []  # the evaluation with the smallest |score| so far
    count = 0

    def ratio(theta: float) -> float:
        nonlocal count
        ev = _evaluate(design, math.exp(theta), score=True)
        count += 1
        seen.clear()
        seen[theta] = ev
        seen_ratio[theta] = ev.ratio
        if not best or abs(ev.ratio) <= abs(best[0].ratio):
            best[:] = [ev]
        return ev.ratio

    def result(theta: float, at_bound: bool) -> tuple[_Eval, bool, int]:
        for ev in (*best, *seen.values()):
            if ev.sigma2 == math.exp(theta):
                return ev, at_bound, count
        return _evaluate(design, math.exp(theta), score=True), at_bound, count

    def safe_ratio(theta: float, towards: float) -> tuple[float, float]:
        # a sigma2 too small to factorise in floating point: retreat towards a good point
        for _ in range(60):
            try:
                return theta, ratio(theta)
            except np.linalg.LinAlgError:
                theta = 0.5 * (theta + towards)
        return towards, ratio(towards)

    a = min(max(math.log(design.sigma2_start), lo), hi)
    ra = ratio(a)
    if ra == 0.0:
        return result(a, False)
    pos, neg = -math.inf, math.inf  # largest theta seen with score > 0, smallest with score < 0
    # the probe: half a unit, or less when the score is already small (slopes of the ratio are
    # rarely below 1e-3 per unit where the likelihood is informative)
    probe = min(max(abs(ra) / 1e-3, 0.01), 0.5)
    b = min(max(a + (probe if ra > 0 else -probe), lo), hi)
    if b == a:  # the start is at a bound and the score points outside
        return result(a, True)
    b, rb = safe_ratio(b, a)
    for theta, r in ((a, ra), (b, rb)):
        if r > 0:
            pos = max(pos, theta)
        elif r < 0:
            neg = min(neg, theta)
    secant_steps = 0  # taken inside a bracket; Brent's method takes over after a few
    for _ in range(100):
        if abs(rb) < _SCORE_FLOOR:  # as good as zero: rounding decides the sign from here on
            return result(b, False)
        slope = (rb - ra) / (b - a) if b != a else 0.0
        step = -rb / slope if slope < 0 else None  # secant (Newton with a difference quotient)
        if -math.inf < pos < neg < math.inf:  # bracketed
            if neg - pos < tol:
                return result(b, False)
            if step is None or not pos < b + step < neg or secant_steps >= 3:
                break
            secant_steps += 1
            # a short step is reliable from a local slope: two close points, or nearby ones
            # across which the score fell a hundredfold (the score is nearly linear there)
            local = abs(b - a) < 0.01 or (abs(b - a) < 0.1 and abs(rb) < 0.01 * abs(ra))
            if abs(step) < tol and local:
                return result(b, False)
        else:  # not yet bracketed: the root lies beyond b, uphill; aim past it
            uphill = 1.0 if rb > 0 else -1.0
            far = 8.0 * abs(b - a)
            if step is None or step * uphill <= 0:
                step = uphill * 2.0 * abs(b - a)
            else:  # the score flattens out far from the root: aim past it, to bracket it
                step = uphill * min(1.5 * abs(step), far)
                if uphill < 0:  # going down, the score of a flat trend fades without a root:
                    step = -max(-step, abs(b - a))  # steps that do not shrink reach the bound
            edge = hi if uphill > 0 else lo
            if b == edge:
                return result(b, True)
            step = min(max(b + step, lo), hi) - b
            if abs(step) < tol:
                return result(b, False)
        a, ra = b, rb
        b, rb = safe_ratio(b + step, b)
        if rb > 0:
            pos = max(pos, b)
        elif rb < 0:
            neg = min(neg, b)
    else:
        return result(b, False)

    # Brent's method in the bracket (inverse quadratic interpolation, bisection as a safeguard)
    from scipy.optimize import brentq

    def bracketed(theta: float) -> float:
        r = seen_ratio[theta] if theta in seen_ratio else ratio(theta)
        return 0.0 if abs(r) < _SCORE_FLOOR else r

    theta = brentq(bracketed, pos, neg, xtol=tol)
    return result(theta, False)


def fit_sigma2(
    design: Design,
    *,
    bounds: tuple[float, float] = (1e-12, 1.0),
    xatol: float = 1e-5,
) -> tuple[float, float, bool, int]:
    """Maximum-likelihood ``sigma2``: ``(sigma2, loglike, at_bound, n_evals)`` (see :func:`fit`)."""
    ev, at_bound, n_evals = fit(design, bounds=bounds, xatol=xatol)
    return ev.sigma2, ev.loglike, at_bound, n_evals
