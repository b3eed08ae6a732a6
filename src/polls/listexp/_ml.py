"""Imai's (2011) maximum-likelihood estimator of a list experiment without covariates, by EM.

EM treats the true answer to the sensitive item as missing; the control items follow a
nonparametric or a binomial model; see :func:`list_experiment_ml`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from polls._checks import (
    check_choice,
    check_confidence_level,
    check_positive_int,
    check_scalar,
    check_seed,
)
from polls.errors import ConvergenceWarning, InferenceWarning, InvalidArgumentError
from polls.listexp._design_test import _type_shares
from polls.listexp._inputs import _check_frequencies, _frequencies, _validate_respondents
from polls.results import SymmetricInterval

__all__ = ["ListMLResult", "list_experiment_ml"]


@dataclass(frozen=True)
class ListMLResult(SymmetricInterval):
    """Maximum-likelihood fit of a list experiment without covariates.

    Attributes
    ----------
    estimate, se : float
        Prevalence of the sensitive item and its SE (``se_method``).
    joint : pandas.DataFrame
        Estimated joint distribution: ``control_count`` (0..J), ``sensitive`` (0/1), ``share``.
    params : dict
        Model parameters (``prevalence``; ``p_control`` for the binomial model).
    loglik : float
        Maximised log-likelihood.
    n_iter : int
        EM iterations; ``converged`` says whether the tolerance was met.
    on_boundary : bool
        True when some type share is estimated at 0 (nonparametric model: the information SE is
        then conditional on those zeros; prefer ``se="bootstrap"``), or when the prevalence is
        estimated at 0 or 1 (binomial model: the information SE is then NaN, with a warning).
    """

    estimate: float
    se: float
    joint: pd.DataFrame
    params: dict
    loglik: float
    n_iter: int
    converged: bool
    model: str
    se_method: str
    on_boundary: bool
    n_control: int
    n_treatment: int
    n_items: int
    confidence_level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """One tidy row with the package's result columns."""
        low, high = self.confidence_interval()
        n = self.n_control + self.n_treatment
        return pd.DataFrame([{
            "estimate": self.estimate, "ci_low": low, "ci_high": high,
            "confidence_level": self.confidence_level, "se": self.se, "n": n, "n_eff": n,
            "method": f"ML ({self.model}) by EM, SE: {self.se_method}",
            "loglik": self.loglik, "converged": self.converged,
        }])

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)


def _np_loglik(pi1: np.ndarray, pi0: np.ndarray, fc: np.ndarray, ft: np.ndarray) -> float:
    pc = pi0 + pi1
    pt = np.concatenate([pi0, [0.0]]) + np.concatenate([[0.0], pi1])
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(fc > 0, fc * np.log(pc), 0.0)
        b = np.where(ft > 0, ft * np.log(pt), 0.0)
    return float(a.sum() + b.sum())


def _em_nonparametric(fc, ft, j, tol, max_iter):
    """EM for the type shares, accelerated by SQUAREM (Varadhan and Roland 2008).

    Plain EM crawls (sublinearly) towards shares that are 0 at the maximum; the squared
    extrapolation step is kept only when it stays in the simplex and does not lower the
    likelihood, so every accepted iterate is at least as good as two plain EM steps.
    """
    k = j + 1
    n = fc.sum() + ft.sum()

    def em(theta: np.ndarray) -> np.ndarray:
        pi1, pi0 = theta[:k], theta[k:]
        pc = pi0 + pi1
        with np.errstate(divide="ignore", invalid="ignore"):
            share1 = np.where(pc > 0, pi1 / pc, 0.0)
        e1 = fc * share1
        e0 = fc * (1 - share1)
        pt = np.concatenate([pi0, [0.0]]) + np.concatenate([[0.0], pi1])
        with np.errstate(divide="ignore", invalid="ignore"):
            r0 = np.where(pt[:k] > 0, pi0 / pt[:k], 0.0)
            r1 = np.where(pt[1:] > 0, pi1 / pt[1:], 0.0)
        return np.concatenate([e1 + ft[1:] * r1, e0 + ft[:k] * r0]) / n

    def loglik(theta: np.ndarray) -> float:
        return _np_loglik(theta[:k], theta[k:], fc, ft)

    # start from the moment estimates, pulled inside the simplex
    mom, _ = _type_shares(fc, ft, j)
    theta = np.clip(mom, 0, None) + 1.0 / (2 * k * n)
    theta /= theta.sum()
    converged = False
    it = 0  # EM-step evaluations
    while it < max_iter:
        t1 = em(theta)
        t2 = em(t1)
        it += 2
        r = t1 - theta
        v = t2 - t1 - r
        nv = float(np.sqrt(v @ v))
        new = t2
        if nv > 0:
            alpha = min(-float(np.sqrt(r @ r)) / nv, -1.0)
            jump = theta - 2 * alpha * r + alpha**2 * v
            if (jump >= 0).all():
                jump = em(jump / jump.sum())
                it += 1
                if loglik(jump) >= loglik(t2):
                    new = jump
        step = float(np.abs(new - theta).max())
        theta = new
        if step < tol:
            converged = True
            break
    pi1, pi0 = theta[:k].copy(), theta[k:].copy()
    return pi1, pi0, _np_loglik(pi1, pi0, fc, ft), it, converged


def _np_information_se(pi1, pi0, fc, ft, j, zero_tol=1e-8):
    """SE of sum(pi1) from the observed information on the simplex (zero cells held fixed)."""
    k = j + 1
    theta = np.concatenate([pi1, pi0])
    free = np.flatnonzero(theta > zero_tol)
    # cells: control y = 0..J (a = e(y,1) + e(y,0)); treatment y = 0..J+1
    rows, counts = [], []
    for y in range(k):
        a = np.zeros(2 * k)
        a[y] = a[k + y] = 1
        rows.append(a)
        counts.append(fc[y])
    for y in range(k + 1):
        a = np.zeros(2 * k)
        if y <= j:
            a[k + y] = 1
        if y >= 1:
            a[y - 1] = 1
        rows.append(a)
        counts.append(ft[y])
    amat = np.array(rows)[:, free]
    p = amat @ theta[free]
    counts = np.asarray(counts)
    use = counts > 0
    info = (amat[use].T * (counts[use] / p[use] ** 2)) @ amat[use]
    # restrict to the sum-zero directions (shares must sum to 1)
    f = len(free)
    basis = np.linalg.svd(np.eye(f) - 1.0 / f)[0][:, : f - 1]
    red = basis.T @ info @ basis
    cov = basis @ np.linalg.pinv(red) @ basis.T
    b = (free < k).astype(float)
    return math.sqrt(max(float(b @ cov @ b), 0.0))


def _binom_pmf(j: int, p: float) -> np.ndarray:
    ks = np.arange(j + 1)
    logc = np.array([math.lgamma(j + 1) - math.lgamma(x + 1) - math.lgamma(j - x + 1) for x in ks])
    with np.errstate(divide="ignore"):
        return np.exp(logc + ks * np.log(p) + (j - ks) * np.log1p(-p)) if 0 < p < 1 else (
            (ks == (0 if p <= 0 else j)).astype(float))


def _binom_loglik(delta, p, fc, ft, j):
    if not (0 <= delta <= 1 and 0 < p < 1):
        return -np.inf
    b = _binom_pmf(j, p)
    pc = b
    pt = (1 - delta) * np.concatenate([b, [0.0]]) + delta * np.concatenate([[0.0], b])
    with np.errstate(divide="ignore"):
        return float(np.where(fc > 0, fc * np.log(pc), 0).sum()
                     + np.where(ft > 0, ft * np.log(pt), 0).sum())


def _em_binomial(fc, ft, j, tol, max_iter):
    nc, nt = fc.sum(), ft.sum()
    ys_c = np.arange(j + 1)
    ys_t = np.arange(j + 2)
    delta = 0.5
    p = min(max((fc @ ys_c + ft @ ys_t - 0.5 * nt) / (j * (nc + nt)), 0.05), 0.95)
    converged = False
    it = 0
    while it < max_iter:
        it += 1
        old = (delta, p)
        b = _binom_pmf(j, p)
        num1 = delta * np.concatenate([[0.0], b])
        num0 = (1 - delta) * np.concatenate([b, [0.0]])
        with np.errstate(divide="ignore", invalid="ignore"):
            post = np.where(num1 + num0 > 0, num1 / (num1 + num0), 0.0)
        ez = float(ft @ post)
        delta = ez / nt
        p = (fc @ ys_c + ft @ ys_t - ez) / (j * (nc + nt))
        p = min(max(p, 1e-12), 1 - 1e-12)
        step = max(abs(delta - old[0]), abs(p - old[1]))
        if step < tol:
            converged = True
            break
    return delta, p, _binom_loglik(delta, p, fc, ft, j), it, converged


def _binom_information_se(delta, p, fc, ft, j):
    """SE of delta from a central-difference Hessian of the observed log-likelihood."""
    x0 = np.array([delta, p])
    h = np.array([max(1e-5, 1e-4 * min(delta, 1 - delta)), max(1e-5, 1e-4 * min(p, 1 - p))])

    def f(x):
        return _binom_loglik(x[0], x[1], fc, ft, j)

    hess = np.zeros((2, 2))
    for a in range(2):
        for b in range(2):
            ea = np.eye(2)[a] * h[a]
            eb = np.eye(2)[b] * h[b]
            hess[a, b] = (f(x0 + ea + eb) - f(x0 + ea - eb) - f(x0 - ea + eb)
                          + f(x0 - ea - eb)) / (4 * h[a] * h[b])
    if not np.isfinite(hess).all():
        return float("nan")
    cov = np.linalg.pinv(-hess)
    return math.sqrt(max(cov[0, 0], 0.0))


def _fit_ml(fc, ft, j, model, tol, max_iter):
    if model == "nonparametric":
        pi1, pi0, ll, it, conv = _em_nonparametric(fc, ft, j, tol, max_iter)
        return float(pi1.sum()), {"pi1": pi1, "pi0": pi0}, ll, it, conv
    delta, p, ll, it, conv = _em_binomial(fc, ft, j, tol, max_iter)
    b = _binom_pmf(j, p)
    return delta, {"pi1": delta * b, "pi0": (1 - delta) * b, "p": p}, ll, it, conv


def list_experiment_ml(
    data: pd.DataFrame | None = None,
    *,
    count: str = "count",
    treatment: str = "treatment",
    n_items: int | None = None,
    control_frequencies: Sequence[float] | None = None,
    treatment_frequencies: Sequence[float] | None = None,
    model: str = "nonparametric",
    se: str = "information",
    n_boot: int = 500,
    random_state: int = 0,
    tol: float = 1e-10,
    max_iter: int = 100_000,
    confidence_level: float = 0.95,
) -> ListMLResult:
    """Imai's (2011) maximum-likelihood estimator without covariates, fitted by EM.

    Each respondent has a latent type (y, z): y control items apply, z is the true answer to the
    sensitive item. A control respondent reports y; a treated one reports y + z. EM treats z as
    missing: the E-step splits each treated count c between the types (c - 1, 1) and (c, 0) (and
    each control count c between (c, 1) and (c, 0)) in proportion to the current shares; the
    M-step re-estimates the model from those expected type counts.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Respondent data (``count``, ``treatment`` as in :func:`list_experiment`).
    count, treatment : str
        Column names.
    n_items : int, optional
        J (inferred with a warning when omitted with ``data``).
    control_frequencies, treatment_frequencies : sequence of float, optional
        Instead of ``data``, the number of respondents at each count in each arm.
    model : {"nonparametric", "binomial"}, default "nonparametric"
        "nonparametric": the 2(J+1) type shares pi(y, z) are free (a multinomial); the model is
        just identified, so when every estimated share is positive the prevalence equals the
        difference in means, and the ML estimate differs only when the moment estimates of some
        shares are negative. "binomial": Imai's constrained model, y ~ Binomial(J, p)
        independent of z ~ Bernoulli(prevalence).
    se : {"information", "bootstrap"}, default "information"
        "information": inverse observed information (for the nonparametric model on the simplex,
        holding shares estimated at 0 fixed; see ``on_boundary``); "bootstrap": SD of ``n_boot``
        refits on multinomial resamples of each arm (seeded by ``random_state``).
    tol, max_iter : float, int
        EM stops when no parameter moves by more than ``tol`` in one iteration.
    confidence_level : float, default 0.95

    Returns
    -------
    ListMLResult
        ``.estimate`` (prevalence), ``.se``, ``.joint`` (the joint distribution of control count and
        sensitive item), ``.confidence_interval()``.

    Examples
    --------
    >>> import polls
    >>> res = polls.list_experiment_ml(control_frequencies=[50, 200, 250, 100],
    ...                                treatment_frequencies=[30, 150, 250, 120, 50],
    ...                                n_items=3, model="binomial")
    >>> 0 < res.estimate < 1
    True
    """
    level = check_confidence_level(confidence_level)
    if data is not None:
        y, t, j = _validate_respondents(data, count, treatment, n_items)
        fc, ft = _frequencies(y, t, j)
    else:
        if control_frequencies is None or treatment_frequencies is None:
            raise InvalidArgumentError(
                "pass respondent data= or both control_frequencies= and treatment_frequencies="
            )
        fc, ft, j = _check_frequencies(control_frequencies, treatment_frequencies, n_items)
    check_choice("model", model, ["nonparametric", "binomial"])
    check_choice("se", se, ["information", "bootstrap"])
    if not check_scalar("tol", tol) > 0:
        raise InvalidArgumentError(f"tol must be a positive number, got {tol!r}")
    max_iter = check_positive_int("max_iter", max_iter)
    if se == "bootstrap":
        n_boot = check_positive_int("n_boot", n_boot, minimum=2)
    check_seed("random_state", random_state)
    est, par, ll, it, conv = _fit_ml(fc, ft, j, model, tol, max_iter)
    if not conv:
        warnings.warn(f"EM stopped after {it} iterations without meeting tol={tol}",
                      ConvergenceWarning, stacklevel=2)
    pi1, pi0 = par["pi1"], par["pi0"]
    if model == "nonparametric":
        boundary = bool((np.concatenate([pi1, pi0]) < 1e-8).any())
    else:
        boundary = not 1e-6 < est < 1 - 1e-6
        if boundary and se == "information":
            warnings.warn(
                f"the ML prevalence ({est:.3g}) is at the edge of [0, 1], where the "
                "information SE does not exist: se is NaN; use se='bootstrap'",
                InferenceWarning,
                stacklevel=2,
            )
    if se == "information":
        if model == "nonparametric":
            se_val = _np_information_se(pi1, pi0, fc, ft, j)
            se_name = "observed information" + (" (zero shares held fixed)" if boundary else "")
        elif boundary:
            se_val, se_name = float("nan"), "none (prevalence on the boundary)"
        else:
            se_val = _binom_information_se(est, par["p"], fc, ft, j)
            se_name = "observed information (numerical Hessian)"
    else:
        rng = np.random.default_rng(random_state)
        nc, nt = int(fc.sum()), int(ft.sum())
        draws = []
        for _ in range(int(n_boot)):
            bc = rng.multinomial(nc, fc / nc).astype(float)
            bt = rng.multinomial(nt, ft / nt).astype(float)
            draws.append(_fit_ml(bc, bt, j, model, max(tol, 1e-8), max_iter)[0])
        se_val = float(np.std(draws, ddof=1))
        se_name = f"bootstrap ({int(n_boot)} resamples within arms, seed {random_state})"
    joint = pd.DataFrame({
        "control_count": list(range(j + 1)) * 2,
        "sensitive": [0] * (j + 1) + [1] * (j + 1),
        "share": np.concatenate([pi0, pi1]),
    })
    params = {"prevalence": float(est)}
    if model == "binomial":
        params["p_control"] = float(par["p"])
    return ListMLResult(
        estimate=float(est), se=float(se_val), joint=joint, params=params, loglik=ll,
        n_iter=it, converged=conv, model=model, se_method=se_name, on_boundary=boundary,
        n_control=int(fc.sum()), n_treatment=int(ft.sum()), n_items=j,
        confidence_level=level,
    )
