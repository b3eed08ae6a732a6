"""Confidence intervals for a design-based proportion, by the rules of R's ``svyciprop``.

Each method is a small function ``(p, var, q, alpha, df, n_rows) -> (low, high)``, registered in
:data:`INTERVALS` under R's name: ``q`` is the t quantile on ``df`` degrees of freedom and
``n_rows`` the number of rows in the estimate's domain (R's ``nrow(design)``).
"""

from __future__ import annotations

import math

import numpy as np

#: Interval methods of ``proportion`` (the names of R's ``svyciprop``, plus Wilson's).
PROPORTION_METHODS = ("logit", "likelihood", "asin", "beta", "mean", "xlogit", "wilson")


def expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _mean(p, var, q, alpha, df, n_rows):
    se = math.sqrt(var)
    return p - q * se, p + q * se


def _logit(p, var, q, alpha, df, n_rows):
    if not 0 < p < 1:
        return p, p
    pq = p * (1 - p)
    eta = math.log(p / (1 - p))
    s = math.sqrt(var) / pq
    return expit(eta - q * s), expit(eta + q * s)


def _asin(p, var, q, alpha, df, n_rows):
    """Arcsine square root: the interval is cut to the transform's range [0, pi/2] before
    mapping back, so it always holds the estimate (R's ``svyciprop`` maps a negative lower end
    through ``sin(x)^2`` and can return a lower end above the estimate)."""
    if not 0 < p < 1:
        return p, p
    a = math.asin(math.sqrt(p))
    s = math.sqrt(var) / (2 * math.sqrt(p * (1 - p)))
    lo = max(a - q * s, 0.0)
    hi = min(a + q * s, math.pi / 2)
    return math.sin(lo) ** 2, math.sin(hi) ** 2


def _beta(p, var, q, alpha, df, n_rows):
    from scipy import stats

    n_eff = p * (1 - p) / var if var > 0 else math.nan
    if var > 0 and df > 0 and n_rows > 1:
        ne = n_eff * (stats.t.ppf(alpha / 2, n_rows - 1) / stats.t.ppf(alpha / 2, df)) ** 2
    else:
        ne = math.nan
    lo = 0.0 if p <= 0 else float(stats.beta.ppf(alpha / 2, ne * p, ne * (1 - p) + 1))
    hi = 1.0 if p >= 1 else float(stats.beta.ppf(1 - alpha / 2, ne * p + 1, ne * (1 - p)))
    return lo, hi


def _wilson(p, var, q, alpha, df, n_rows):
    if not var > 0:
        return p, p
    n = p * (1 - p) / var
    z2 = q * q
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = q * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


def _likelihood(p, var, q, alpha, df, n_rows):
    """Scaled profile deviance of the intercept-only quasibinomial model, solved exactly."""
    if not (0 < p < 1 and var > 0 and df > 0 and n_rows > 1):
        return p, p
    from scipy import optimize

    pq = p * (1 - p)
    # R scales the deviance by the design-weighted variance of the Pearson residuals
    # (y - p) / sqrt(p (1 - p)), which for a 0/1 outcome is exactly n / (n - 1).
    phi = n_rows / (n_rows - 1)
    lam = n_rows * var / pq
    target = phi * lam * q * q / (2 * n_rows)

    entropy = p * math.log(p) + (1 - p) * math.log(1 - p)

    def kl(eta: float) -> float:
        # p log(p / mu) + (1 - p) log((1 - p) / (1 - mu)) with mu = expit(eta), written with
        # log(mu) = -log(1 + e^-eta) so that it stays finite where mu rounds to 0 or 1
        return (entropy + p * np.logaddexp(0.0, -eta) + (1 - p) * np.logaddexp(0.0, eta)
                - target)

    eta0 = math.log(p / (1 - p))
    step = max(4 * q * math.sqrt(var) / pq, 1e-3)
    lo_b = eta0 - step
    while kl(lo_b) < 0:
        lo_b -= step
    hi_b = eta0 + step
    while kl(hi_b) < 0:
        hi_b += step
    lo = optimize.brentq(kl, lo_b, eta0, xtol=1e-14, rtol=1e-14)
    hi = optimize.brentq(kl, eta0, hi_b, xtol=1e-14, rtol=1e-14)
    return expit(lo), expit(hi)


INTERVALS = {
    "logit": _logit,
    "xlogit": _logit,
    "likelihood": _likelihood,
    "asin": _asin,
    "beta": _beta,
    "mean": _mean,
    "wilson": _wilson,
}


def proportion_interval(method: str, p: float, var: float, q: float, alpha: float, df: float,
                        n_rows: int) -> tuple[float, float]:
    """``(low, high)`` for a share ``p`` with design variance ``var`` (NaN when undefined)."""
    if p in (0.0, 1.0) and not var > 0:
        return p, p  # every row on one side: the interval collapses to the estimate
    if not (math.isfinite(p) and math.isfinite(var) and math.isfinite(q)):
        return math.nan, math.nan
    return INTERVALS[method](p, var, q, alpha, df, n_rows)
