"""Blair and Imai's (2012) test of the no-design-effect assumption.

Under no design effect and no liars every respondent type (y control items, sensitive answer
z) has a non-negative share, identified from the two arms' count distributions; a clearly
negative estimated share is evidence of a design effect. The p-values come from the
chi-bar-squared law of a distance to the positive orthant (its weights from orthant
probabilities), Bonferroni-corrected; see :func:`list_design_test`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from polls._checks import as_float_array, check_positive_int, check_scalar, check_seed
from polls.errors import InvalidArgumentError
from polls.listexp._inputs import _check_frequencies, _frequencies, _validate_respondents

__all__ = ["DesignTestResult", "chi_bar_squared_weights", "list_design_test"]


def _type_shares(fc: np.ndarray, ft: np.ndarray, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Moment estimates of pi(y, 1), pi(y, 0) for y = 0..J and their joint covariance.

    Returns ``(est, cov)`` with est = [pi(0,1) .. pi(J,1), pi(0,0) .. pi(J,0)].
    """
    nc, nt = fc.sum(), ft.sum()
    cdf_c = np.cumsum(fc) / nc  # y = 0..J
    cdf_t = np.cumsum(ft) / nt  # y = 0..J+1
    k = j + 1
    a_c = np.zeros((2 * k, k))  # coefficients on F_C(0..J)
    a_t = np.zeros((2 * k, j + 2))  # coefficients on F_T(0..J+1)
    for y in range(k):
        a_c[y, y] = 1.0  # pi(y,1) = F_C(y) - F_T(y)
        a_t[y, y] = -1.0
        a_t[k + y, y] = 1.0  # pi(y,0) = F_T(y) - F_C(y-1)
        if y >= 1:
            a_c[k + y, y - 1] = -1.0

    def cdf_cov(cdf: np.ndarray, n: float) -> np.ndarray:
        lo = np.minimum.outer(np.arange(len(cdf)), np.arange(len(cdf)))
        hi = np.maximum.outer(np.arange(len(cdf)), np.arange(len(cdf)))
        return cdf[lo] * (1 - cdf[hi]) / n

    est = a_c @ cdf_c + a_t @ cdf_t
    cov = a_c @ cdf_cov(cdf_c, nc) @ a_c.T + a_t @ cdf_cov(cdf_t, nt) @ a_t.T
    return est, cov


def _orthant(cov: np.ndarray, seed: int) -> float:
    """P(X > 0) for X ~ N(0, cov): closed forms up to dimension 3, numerical integration beyond."""
    m = cov.shape[0]
    if m == 0:
        return 1.0
    if m == 1:
        return 0.5
    sd = np.sqrt(np.diag(cov))
    r = cov / np.outer(sd, sd)
    if m == 2:
        return 0.25 + math.asin(np.clip(r[0, 1], -1, 1)) / (2 * math.pi)
    if m == 3:
        s = sum(math.asin(np.clip(r[a, b], -1, 1)) for a, b in ((0, 1), (0, 2), (1, 2)))
        return 0.125 + s / (4 * math.pi)
    from scipy import stats

    mvn = stats.multivariate_normal(mean=np.zeros(m), cov=r, seed=seed, abseps=1e-6, releps=1e-6)
    return float(mvn.cdf(np.zeros(m)))


def chi_bar_squared_weights(
    cov: np.ndarray, *, method: str = "exact", n_draws: int = 100_000, random_state: int = 0
) -> np.ndarray:
    """Mixing weights w_0..w_m of the chi-bar-squared law of a distance to the positive orthant.

    ``w[k]`` is the probability that the squared Mahalanobis distance (metric ``cov^-1``) from
    ``Z ~ N(0, cov)`` to the orthant behaves as chi-squared with k degrees of freedom, i.e. that
    the projection of Z onto the orthant has exactly ``m - k`` positive components.

    ``method="exact"`` sums, over the faces S of the orthant, the product of two orthant
    probabilities, ``P(N(0, cov_SS.S') > 0) * P(N(0, (cov_S'S')^-1) > 0)`` (closed forms up to
    three dimensions, numerical integration beyond). ``method="monte-carlo"`` projects
    ``n_draws`` seeded draws and counts their positive components.
    """
    cov = as_float_array("cov", cov)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise InvalidArgumentError(f"cov must be a square matrix, got shape {cov.shape}")
    n_draws = check_positive_int("n_draws", n_draws)
    check_seed("random_state", random_state)
    m = cov.shape[0]
    w = np.zeros(m + 1)
    faces = [s for r in range(m + 1) for s in itertools.combinations(range(m), r)]
    if method == "exact":
        for s in faces:
            s = list(s)
            c = [i for i in range(m) if i not in s]
            if c:
                inv_cc = np.linalg.inv(cov[np.ix_(c, c)])
                cond = cov[np.ix_(s, s)] - cov[np.ix_(s, c)] @ inv_cc @ cov[np.ix_(c, s)]
            else:
                inv_cc = np.zeros((0, 0))
                cond = cov[np.ix_(s, s)]
            p = _orthant(cond, random_state) * _orthant(inv_cc, random_state)
            w[m - len(s)] += p
        return w / w.sum()
    if method != "monte-carlo":
        raise InvalidArgumentError(f"method must be 'exact' or 'monte-carlo', got {method!r}")
    rng = np.random.default_rng(random_state)
    z = rng.multivariate_normal(np.zeros(m), cov, size=int(n_draws), method="svd")
    found = np.zeros(len(z), dtype=int) - 1
    for s in faces:
        s = list(s)
        c = [i for i in range(m) if i not in s]
        ok = np.ones(len(z), bool)
        if c:
            inv_cc = np.linalg.inv(cov[np.ix_(c, c)])
            g = z[:, c] @ inv_cc.T  # must be <= 0 on the zero set
            ok &= (g <= 0).all(axis=1)
            if s:
                proj = z[:, s] - z[:, c] @ (cov[np.ix_(s, c)] @ inv_cc).T
                ok &= (proj > 0).all(axis=1)
        else:
            ok &= (z > 0).all(axis=1)
        found[ok & (found < 0)] = len(s)
    found = found[found >= 0]
    for k in range(m + 1):
        w[k] = np.mean(found == m - k)
    return w


@dataclass(frozen=True)
class DesignTestResult:
    """Blair and Imai's (2012) design-effect test.

    Attributes
    ----------
    pvalue : float
        Bonferroni-corrected p-value, ``min(1, 2 * min(pvalue_z1, pvalue_z0))`` over the
        families that keep at least one inequality (1 when both are empty). Small values are
        evidence of a design effect.
    statistic : tuple of float
        The distance statistics (lambda) of the two families (z = 1, z = 0); NaN where the family
        used the one-inequality t-test or was empty.
    pvalue_z1, pvalue_z0 : float
        Per-family p-values (NaN for an empty family).
    pi_table : pandas.DataFrame
        Estimated type shares pi(y, z) with SEs, and whether each inequality was tested.
    weights_z1, weights_z0 : numpy.ndarray
        Chi-bar-squared mixing weights used (empty when not needed).
    """

    pvalue: float
    statistic: tuple[float, float]
    pvalue_z1: float
    pvalue_z0: float
    pi_table: pd.DataFrame
    alpha: float
    gms: bool
    weights_method: str
    weights_z1: np.ndarray = field(default_factory=lambda: np.zeros(0))
    weights_z0: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_control: int = 0
    n_treatment: int = 0
    n_items: int = 0

    @property
    def reject(self) -> bool:
        """True when ``pvalue < alpha`` (evidence of a design effect)."""
        return bool(self.pvalue < self.alpha)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``statistic`` (z = 1 family), ``pvalue`` (corrected) and the family p's."""
        return pd.DataFrame([{
            "statistic": self.statistic[0], "pvalue": self.pvalue,
            "statistic_z0": self.statistic[1], "pvalue_z1": self.pvalue_z1,
            "pvalue_z0": self.pvalue_z0, "alpha": self.alpha, "reject": self.reject,
            "n": self.n_control + self.n_treatment, "n_items": self.n_items,
            "method": "Blair-Imai design-effect test, Bonferroni over two families",
        }])

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)


def _family_pvalue(
    est: np.ndarray,
    cov: np.ndarray,
    ind: tuple,
    weights_method: str,
    n_draws: int,
    random_state: int,
) -> tuple[float, float, np.ndarray]:
    """p-value of H0: all est >= 0 for one family; ind gives one-inequality t-test inputs."""
    from scipy import stats

    m = len(est)
    if m == 0:
        return float("nan"), float("nan"), np.zeros(0)
    if m == 1:
        # one inequality: one-sided Welch t-test of the two indicator means
        means, variances, sizes = ind
        mean1, mean2 = float(means[0]), float(means[1])
        var1, var2 = float(variances[0]), float(variances[1])
        n1, n2 = float(sizes[0]), float(sizes[1])
        if var1 == 0 and var2 == 0:
            return float("nan"), (0.0 if est[0] < 0 else 1.0), np.zeros(0)
        res = stats.ttest_ind_from_stats(mean1, math.sqrt(var1), n1, mean2, math.sqrt(var2), n2,
                                         equal_var=False, alternative="less")
        return float("nan"), float(res.pvalue), np.zeros(0)
    from scipy.optimize import nnls

    if (est >= 0).all():
        lam = 0.0
    else:
        prec = np.linalg.pinv(cov)
        evals, evecs = np.linalg.eigh((prec + prec.T) / 2)
        root = evecs @ np.diag(np.sqrt(np.clip(evals, 0, None))) @ evecs.T
        sol, _ = nnls(root, root @ est)
        d = est - sol
        lam = float(d @ prec @ d)
    method = weights_method
    if method == "auto":
        method = "exact" if m <= 8 else "monte-carlo"
    w = chi_bar_squared_weights(cov, method=method, n_draws=n_draws, random_state=random_state)
    if lam <= 0:
        p = 1.0 - w[0]
    else:
        p = float(sum(w[k] * stats.chi2.sf(lam, k) for k in range(1, m + 1)))
    return lam, min(max(p, 0.0), 1.0), w


def list_design_test(
    data: pd.DataFrame | None = None,
    *,
    count: str = "count",
    treatment: str = "treatment",
    n_items: int | None = None,
    control_frequencies: Sequence[float] | None = None,
    treatment_frequencies: Sequence[float] | None = None,
    alpha: float = 0.05,
    gms: bool = True,
    weights_method: str = "auto",
    n_draws: int = 100_000,
    random_state: int = 0,
) -> DesignTestResult:
    """Blair and Imai's (2012) test for a design effect in a standard list experiment.

    Under no design effect and no liars, every respondent type (y control items, sensitive
    answer z) has a non-negative share, and the shares are identified from the two arms' count
    distributions: ``pi(y,1) = P(Y<=y | control) - P(Y<=y | treatment)`` and
    ``pi(y,0) = P(Y<=y | treatment) - P(Y<=y-1 | control)``. A clearly negative estimated share
    is evidence that adding the sensitive item changed answers to the control items.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Respondent data (``count``, ``treatment`` columns as in :func:`list_experiment`).
    count, treatment : str
        Column names.
    n_items : int, optional
        J (inferred with a warning from the control counts when omitted with ``data``).
    control_frequencies, treatment_frequencies : sequence of float, optional
        Instead of ``data``: how many respondents gave each count (0..J in control, 0..J+1 in
        treatment), e.g. from a published frequency table.
    alpha : float, default 0.05
        Level at which :attr:`DesignTestResult.reject` is decided.
    gms : bool, default True
        Generalised moment selection: before testing, drop inequalities that cannot bind, i.e.
        shares estimated exactly 0 and shares whose t-ratio ``pi_hat / se`` exceeds
        ``sqrt(log n)``. (We scale by each share's own SE, as in Andrews and Soares (2010); the R
        ``list`` package divides by the spread of the estimates across y instead.)
    weights_method : {"auto", "exact", "monte-carlo"}, default "auto"
        How the chi-bar-squared mixing weights are obtained; "auto" is exact (closed forms up to
        three inequalities, numerical orthant integrals beyond) for up to 8 inequalities.
    n_draws, random_state : int
        Monte Carlo draws and seed (used by "monte-carlo").

    Returns
    -------
    DesignTestResult
        ``.pvalue`` (Bonferroni-corrected), ``.pi_table`` (shares with SEs), per-family values.

    Notes
    -----
    For each family (z = 1: y = 0..J-1; z = 0: y = 1..J; the other two shares are non-negative by
    construction) the statistic is the squared Mahalanobis distance from the estimated shares to
    the non-negative orthant, computed by non-negative least squares. Its null law at the least
    favourable point is chi-bar-squared. A family left with a single inequality uses a one-sided
    Welch t-test on the two indicator variables, as the R ``list`` package does. The covariances
    are binomial within each arm: ``Cov(F(a), F(b)) = F(a)(1 - F(b)) / n`` for ``a <= b``.

    Examples
    --------
    >>> import polls
    >>> res = polls.list_design_test(control_frequencies=[50, 200, 250, 100],
    ...                              treatment_frequencies=[30, 150, 250, 120, 50], n_items=3)
    >>> res.pvalue > 0.05
    True
    """
    if data is not None:
        if control_frequencies is not None or treatment_frequencies is not None:
            raise InvalidArgumentError("pass data= or the two frequency tables, not both")
        y, t, j = _validate_respondents(data, count, treatment, n_items)
        fc, ft = _frequencies(y, t, j)
    else:
        if control_frequencies is None or treatment_frequencies is None:
            raise InvalidArgumentError(
                "pass respondent data= or both control_frequencies= and treatment_frequencies="
            )
        fc, ft, j = _check_frequencies(control_frequencies, treatment_frequencies, n_items)
    if not 0 < check_scalar("alpha", alpha) < 1:
        raise InvalidArgumentError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    check_positive_int("n_draws", n_draws)
    check_seed("random_state", random_state)
    nc, nt = fc.sum(), ft.sum()
    n = nc + nt
    est, cov = _type_shares(fc, ft, j)
    k = j + 1
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    fam1 = list(range(0, j))  # pi(y,1), y = 0..J-1
    fam0 = [k + y for y in range(1, k)]  # pi(y,0), y = 1..J
    cdf_c = np.cumsum(fc) / nc
    cdf_t = np.cumsum(ft) / nt

    def keep(idx: list[int]) -> list[int]:
        out = []
        for i in idx:
            if est[i] == 0:
                continue
            if gms and se[i] > 0 and est[i] / se[i] > math.sqrt(math.log(n)):
                continue
            out.append(i)
        return out

    def indicators(i: int) -> tuple:
        # (means, variances (ddof=1), sizes) of the two indicator variables behind share i
        if i < k:  # pi(y,1) = mean 1{Y_C<=y} - mean 1{Y_T<=y}
            y = i
            p1, n1, p2, n2 = cdf_c[y], nc, cdf_t[y], nt
        else:  # pi(y,0) = mean 1{Y_T<=y} - mean 1{Y_C<=y-1}
            y = i - k
            p1, n1, p2, n2 = cdf_t[y], nt, (cdf_c[y - 1] if y >= 1 else 0.0), nc
        v1 = p1 * (1 - p1) * n1 / (n1 - 1) if n1 > 1 else 0.0
        v2 = p2 * (1 - p2) * n2 / (n2 - 1) if n2 > 1 else 0.0
        return (np.array([p1, p2]), np.array([v1, v2]), np.array([n1, n2]))

    results = []
    for fam in (fam1, fam0):
        kept = keep(fam)
        ind = indicators(kept[0]) if len(kept) == 1 else (None,) * 3
        lam, p, w = _family_pvalue(est[kept], cov[np.ix_(kept, kept)],
                                   ind, weights_method, n_draws, random_state)
        results.append((kept, lam, p, w))
    ps = [r[2] for r in results if r[0]]
    pvalue = 1.0 if not ps else min(1.0, 2 * min(ps))
    tested = set(results[0][0]) | set(results[1][0])
    ys = list(range(k)) * 2
    zs = [1] * k + [0] * k
    table = pd.DataFrame({
        "control_count": ys, "sensitive": zs, "estimate": est, "se": se,
        "in_family": [i in fam1 or i in fam0 for i in range(2 * k)],
        "tested": [i in tested for i in range(2 * k)],
    })
    return DesignTestResult(
        pvalue=float(pvalue),
        statistic=(results[0][1], results[1][1]),
        pvalue_z1=results[0][2] if results[0][0] else float("nan"),
        pvalue_z0=results[1][2] if results[1][0] else float("nan"),
        pi_table=table, alpha=float(alpha), gms=bool(gms), weights_method=weights_method,
        weights_z1=results[0][3], weights_z0=results[1][3],
        n_control=int(nc), n_treatment=int(nt), n_items=j,
    )
