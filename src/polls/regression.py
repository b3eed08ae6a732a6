"""Design-based generalised linear models (R's ``svyglm``).

The coefficients solve the survey-weighted score equations
``sum_i w_i x_i (y_i - mu_i) mu'(eta_i) / V(mu_i) = 0``: the point estimates of a quasi-likelihood
GLM with the sampling weights as prior weights, found by iteratively reweighted least squares.
Their variance is the sandwich of Binder (1983), as R's ``survey::svyglm`` computes it: each row's
linearisation score ``z_i = A^{-1} x_i (y_i - mu_i) mu'(eta_i) / V(mu_i)``, with
``A = sum_i w_i x_i x_i' mu'(eta_i)^2 / V(mu_i)``, goes to
:meth:`polls.SurveyDesign.linearized_variance`, which sums the weighted scores over PSUs within
strata (and projects them on calibration or raking margins, if any). Tests and intervals use the
t distribution with the design's residual degrees of freedom, ``PSUs - strata - (p - 1)`` for
``p`` coefficients (R's ``df.residual`` of an ``svyglm``).

Formulas are R-style, read by the `formulaic <https://matthewwardrop.github.io/formulaic/>`_
library: ``"api00 ~ meals + C(stype)"``, ``"y ~ x * g"``, ``"I(vote == 'yes') ~ age"``. String
and categorical predictors get treatment contrasts with the first level (sorted, or the order of
a pandas Categorical) as reference, as R codes factors. Strings sort by code point here
(upper case before lower case) where R sorts by the locale: a pandas Categorical, or
``C(x, contr.treatment("level"))``, fixes the reference level explicitly. Rows with a missing
value in any model variable are left out as a domain: their strata and PSUs still count in the
variance. ``subset=`` restricts the fit to a domain the same way (R's
``svyglm(..., design = subset(design, ...))``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from polls._checks import check_choice, check_confidence_level, critical_value
from polls.errors import ConvergenceWarning, InvalidArgumentError

if TYPE_CHECKING:
    from polls.design import SurveyDesign

__all__ = ["GLMResult", "WaldTest", "FAMILIES", "fit_glm", "survey_glm"]

#: Families of :meth:`SurveyDesign.glm`, each with its canonical link (identity, logit, log).
FAMILIES = ("gaussian", "binomial", "poisson")


@dataclass(frozen=True)
class _Family:
    name: str
    inverse_link: Callable[[np.ndarray], np.ndarray]
    mu_eta: Callable[[np.ndarray], np.ndarray]  # d mu / d eta, written as a function of mu
    variance: Callable[[np.ndarray], np.ndarray]
    link: Callable[[np.ndarray], np.ndarray]
    start: Callable[[np.ndarray], np.ndarray]  # starting mu from y


_EPS = np.finfo(float).eps
#: R's binomial link keeps fitted probabilities within [eps, 1 - eps] (so IRLS stays finite
#: when the data separate): eta is clipped to +/- this value.
_ETA_MAX = -math.log(_EPS / (1 - _EPS))


def _expit(eta: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(np.clip(eta, -_ETA_MAX, _ETA_MAX))


def _logit_mu_eta(mu: np.ndarray) -> np.ndarray:
    return np.maximum(mu * (1 - mu), _EPS)


def _exp(eta: np.ndarray) -> np.ndarray:
    return np.maximum(np.exp(np.minimum(eta, 700.0)), _EPS)


_FAMILY = {
    "gaussian": _Family("gaussian", lambda e: e, np.ones_like, np.ones_like, lambda m: m,
                        lambda y: y),
    "binomial": _Family("binomial", _expit, _logit_mu_eta, lambda m: m * (1 - m),
                        lambda m: np.log(m / (1 - m)), lambda y: (y + 0.5) / 2),
    "poisson": _Family("poisson", _exp, lambda m: np.maximum(m, _EPS), lambda m: m, np.log,
                       lambda y: y + 0.1),
}


@dataclass(frozen=True)
class GLMFit:
    """Coefficients of a weighted GLM and each row's linearisation score (array engine).

    Attributes
    ----------
    params : ndarray, shape (p,)
    scores : ndarray, shape (n, p)
        ``z_i`` such that ``params - true ~ sum_i w_i z_i``; zero for rows left out.
    naive_cov : ndarray, shape (p, p)
        ``A^{-1}``, the model-based covariance up to the dispersion (R's ``cov.unscaled`` with
        the weights as given).
    iterations : int
    converged : bool
    """

    params: np.ndarray
    scores: np.ndarray | None = field(repr=False)
    naive_cov: np.ndarray | None = field(repr=False)
    iterations: int
    converged: bool


#: Rows per block in the passes over the model matrix (each block's temporaries stay in cache).
_BLOCK = 1 << 15


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    # rank check on the scaled information matrix (its eigenvalues are the squared singular
    # values of the weighted model matrix with unit-length columns)
    diag = np.sqrt(np.abs(np.diag(A)))
    with np.errstate(divide="ignore", invalid="ignore"):
        eig = np.linalg.eigvalsh(A / np.outer(diag, diag))
    if not (np.isfinite(eig).all() and eig[0] > 1e-12 * eig[-1]):
        raise InvalidArgumentError(
            "the model matrix is rank deficient (a predictor is constant or a combination "
            "of others among the rows used); drop or merge terms"
        )
    return np.linalg.solve(A, b)


def _pass(X, y, w, fam, beta, *, information=True, Ainv=None, out=None):
    """One pass over the rows in blocks: the information ``A = X' W X`` and, with ``beta``
    None, the IRLS right-hand side ``X' W z`` at the starting means, otherwise the score
    ``X' w (y - mu) mu' / V``; with ``Ainv``, writes each row's ``A^-1 x_i (y_i - mu_i) mu'_i /
    V_i`` into ``out`` instead."""
    p = X.shape[1]
    A = np.zeros((p, p))
    g = np.zeros(p)
    for a in range(0, len(y), _BLOCK):
        Xc, yc, wc = X[a : a + _BLOCK], y[a : a + _BLOCK], w[a : a + _BLOCK]
        if beta is None:
            mu = fam.start(yc)
            eta = fam.link(mu)
        else:
            eta = Xc @ beta
            mu = fam.inverse_link(eta)
        d = fam.mu_eta(mu)
        v = fam.variance(mu)
        if Ainv is not None:
            # (A^-1 U')' rather than U A^-1: a wide right operand keeps BLAS on its fast path
            out[a : a + _BLOCK] = (Ainv @ (Xc * ((yc - mu) * d / v)[:, None]).T).T
            continue
        W = wc * d * d / v
        if information:
            A += (Xc * W[:, None]).T @ Xc
        if beta is None:
            g += Xc.T @ (W * (eta + (yc - mu) / d))
        else:
            g += Xc.T @ (wc * (yc - mu) * d / v)
    return A, g


def fit_glm(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    family: str = "gaussian",
    *,
    tol: float = 1e-12,
    max_iter: int = 100,
    scores: bool = True,
) -> GLMFit:
    """Fit a weighted GLM by iteratively reweighted least squares; return coefficients and scores.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Model matrix (full column rank over the rows with positive weight).
    y : ndarray, shape (n,)
        Response (0/1 or a share for ``binomial``, a count or rate for ``poisson``).
    w : ndarray, shape (n,)
        Non-negative weights; rows of weight 0 do not enter the fit and get zero scores.
    family : {"gaussian", "binomial", "poisson"}
        With the canonical link (identity, logit, log).
    tol : float
        Convergence: the largest coefficient change relative to ``1 + |coefficient|``.
    max_iter : int
        Largest number of IRLS steps.
    scores : bool
        Whether to compute the scores and ``naive_cov`` (a replicate refit needs only the
        coefficients: with False both are None).

    Returns
    -------
    GLMFit

    Examples
    --------
    >>> import numpy as np
    >>> from polls.regression import fit_glm
    >>> X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> fit = fit_glm(X, np.array([1.0, 3.0, 5.0, 7.0]), np.ones(4))
    >>> fit.params.round(10).tolist()
    [1.0, 2.0]
    """
    fam = _FAMILY[check_choice("family", family, FAMILIES)]
    used = w > 0
    if used.all():
        Xu, yu, wu = X, y, w
    else:
        Xu, yu, wu = X[used], y[used], w[used]
    # first step as IRLS from a starting mean (R's mustart), then Fisher scoring steps
    # beta += A^-1 X'W(y - mu) d / V: the same iteration, written so that each solve only
    # has to get a small correction right
    gaussian = fam.name == "gaussian"  # its information matrix is the same at every step
    A0, g = _pass(Xu, yu, wu, fam, None)
    beta = _solve(A0, g)
    converged = False
    it = 1
    for it in range(2, max_iter + 1):  # noqa: B007 - the count is reported
        A, g = _pass(Xu, yu, wu, fam, beta, information=not gaussian)
        step = _solve(A0 if gaussian else A, g)
        beta = beta + step
        if np.max(np.abs(step) / (1 + np.abs(beta))) < tol:
            converged = True
            break
    if not scores:
        return GLMFit(beta, None, None, it, converged)
    z = np.zeros(X.shape) if not used.all() else np.empty(X.shape)
    A = A0 if gaussian else _pass(Xu, yu, wu, fam, beta)[0]
    Ainv = _solve(A, np.eye(X.shape[1]))
    out = z if used.all() else np.empty(Xu.shape)
    _pass(Xu, yu, wu, fam, beta, Ainv=Ainv, out=out)
    if not used.all():
        z[used] = out
    return GLMFit(beta, z, Ainv, it, converged)


@dataclass(frozen=True)
class WaldTest:
    """Wald test that a group of coefficients is zero (R's ``regTermTest``, ``method="Wald"``).

    Attributes
    ----------
    statistic : float
        ``F = b' V^{-1} b / df`` (or the chi-square ``b' V^{-1} b`` when ``ddf`` is infinite).
    pvalue : float
    df, ddf : float
        Numerator degrees of freedom (coefficients tested) and denominator degrees of freedom
        (the model's residual design degrees of freedom).
    terms : tuple of str
    method : str
        ``"F"`` or ``"Chisq"``.
    """

    statistic: float
    pvalue: float
    df: float
    ddf: float
    terms: tuple[str, ...]
    method: str

    def to_frame(self) -> pd.DataFrame:
        """One-row frame with the test's fields."""
        row = {k: getattr(self, k) for k in self.__dataclass_fields__}
        row["terms"] = " + ".join(self.terms)
        return pd.DataFrame([row])


@dataclass(frozen=True, repr=False)
class GLMResult:
    """A design-based GLM: coefficients, sandwich covariance, t tests on the design df.

    Attributes
    ----------
    params : pandas.Series
        Coefficients, named as the model matrix's columns (``Intercept``, ``x``,
        ``g[T.b]``, ``x:g[T.b]``, ...).
    vcov : pandas.DataFrame
        Design-based (linearisation) covariance of the coefficients.
    df_resid : float
        Residual degrees of freedom: PSUs minus strata (of the rows used) minus ``p - 1``.
    family : str
    formula : str
    n : int
        Rows used (rows with a missing model variable are left out).
    term_columns : dict
        Each formula term and the coefficients that code it.
    naive_cov : pandas.DataFrame
        Model-based ``A^{-1}`` (R's ``naive.cov``), for comparisons.
    iterations : int
    """

    params: pd.Series
    vcov: pd.DataFrame
    df_resid: float
    family: str
    formula: str
    n: int
    term_columns: dict[str, list[str]]
    naive_cov: pd.DataFrame
    iterations: int

    @property
    def bse(self) -> pd.Series:
        """Standard errors of the coefficients."""
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.params.index,
                         name="se")

    @property
    def tvalues(self) -> pd.Series:
        """Coefficients over their standard errors."""
        return (self.params / self.bse).rename("statistic")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values of the t tests on ``df_resid`` degrees of freedom."""
        from scipy import stats

        t = np.abs(self.tvalues.to_numpy())
        p = 2 * (stats.norm.sf(t) if math.isinf(self.df_resid) else stats.t.sf(t, self.df_resid))
        return pd.Series(p, index=self.params.index, name="pvalue")

    def conf_int(self, confidence_level: float = 0.95) -> pd.DataFrame:
        """t intervals on ``df_resid`` degrees of freedom (R's ``confint`` of an ``svyglm``).

        Examples
        --------
        >>> import numpy as np, pandas as pd, polls
        >>> df = pd.DataFrame({"x": np.arange(8.0), "y": [1, 3, 2, 5, 4, 7, 6, 8.0]})
        >>> ci = polls.SurveyDesign(df).glm("y ~ x").conf_int()
        >>> list(ci.columns)
        ['ci_low', 'ci_high']
        """
        level = check_confidence_level(confidence_level)
        q = critical_value(level, float(self.df_resid))
        se = self.bse
        return pd.DataFrame({"ci_low": self.params - q * se, "ci_high": self.params + q * se})

    def wald_test(self, terms: str | Sequence[str]) -> WaldTest:
        """Test that every coefficient of the given terms is zero (R's ``regTermTest``).

        Parameters
        ----------
        terms : str or list of str
            Formula terms as written in the formula (``"g"``, ``"x:g"``; the order of the
            factors of an interaction does not matter), or coefficient names.

        Returns
        -------
        WaldTest
            F test with the model's residual design degrees of freedom as denominator, R's
            default.

        Examples
        --------
        >>> import numpy as np, pandas as pd, polls
        >>> rng = np.random.default_rng(0)
        >>> df = pd.DataFrame({"x": rng.normal(size=60), "g": rng.choice(list("abc"), 60)})
        >>> df["y"] = df["x"] + rng.normal(size=60)
        >>> res = polls.SurveyDesign(df).glm("y ~ x + g").wald_test("g")
        >>> res.df, res.ddf
        (2.0, 56.0)
        """
        from scipy import stats

        names = [terms] if isinstance(terms, str) else list(terms)
        if not names:
            raise InvalidArgumentError("terms must name at least one term")
        canon = {_canonical(t): cols for t, cols in self.term_columns.items()}
        cols: list[str] = []
        for name in names:
            if _canonical(name) in canon:
                cols += [c for c in canon[_canonical(name)] if c not in cols]
            elif name in self.params.index:
                cols += [name] if name not in cols else []
            else:
                raise InvalidArgumentError(
                    f"term {name!r} is not in the model (terms: {list(self.term_columns)})"
                )
        b = self.params[cols].to_numpy()
        V = self.vcov.loc[cols, cols].to_numpy()
        chisq = float(b @ np.linalg.solve(V, b))
        k = len(cols)
        if math.isinf(self.df_resid):
            return WaldTest(chisq, float(stats.chi2.sf(chisq, k)), float(k), math.inf,
                            tuple(names), "Chisq")
        f = chisq / k
        return WaldTest(f, float(stats.f.sf(f, k, self.df_resid)), float(k),
                        float(self.df_resid), tuple(names), "F")

    def to_frame(self, confidence_level: float = 0.95) -> pd.DataFrame:
        """Tidy coefficient table: one row per coefficient.

        Columns ``term, estimate, se, statistic, pvalue, ci_low, ci_high, confidence_level,
        df``.

        Examples
        --------
        >>> import numpy as np, pandas as pd, polls
        >>> df = pd.DataFrame({"x": np.arange(8.0), "y": [1, 3, 2, 5, 4, 7, 6, 8.0]})
        >>> polls.SurveyDesign(df).glm("y ~ x").to_frame()["term"].tolist()
        ['Intercept', 'x']
        """
        ci = self.conf_int(confidence_level)
        return pd.DataFrame({
            "term": self.params.index.astype(str),
            "estimate": self.params.to_numpy(),
            "se": self.bse.to_numpy(),
            "statistic": self.tvalues.to_numpy(),
            "pvalue": self.pvalues.to_numpy(),
            "ci_low": ci["ci_low"].to_numpy(),
            "ci_high": ci["ci_high"].to_numpy(),
            "confidence_level": float(confidence_level),
            "df": float(self.df_resid),
        })

    def __repr__(self) -> str:
        coefs = ", ".join(f"{k}={v:.4g}" for k, v in list(self.params.items())[:6])
        more = ", ..." if len(self.params) > 6 else ""
        return (f"GLMResult({self.family}: {self.formula}; n={self.n}, df={self.df_resid:g}; "
                f"{coefs}{more})")


def _canonical(term: str) -> str:
    return ":".join(sorted(p.strip() for p in str(term).split(":")))


def _model_arrays(data: pd.DataFrame, formula: str, family: str):
    from polls._optional import require

    model_matrix = require("formulaic", "design-based regression (formulas)").model_matrix
    if not isinstance(formula, str) or "~" not in formula:
        raise InvalidArgumentError(
            f"formula must be a string 'response ~ predictors', got {formula!r}"
        )
    frame = data.reset_index(drop=True)
    try:
        mm = model_matrix(formula, frame, na_action="drop")
    except Exception as exc:  # formulaic raises many kinds for a bad formula or column
        raise InvalidArgumentError(f"formula {formula!r} could not be read: {exc}") from exc
    lhs, rhs = mm.lhs, mm.rhs
    if lhs.shape[1] == 2 and family == "binomial":
        lhs = lhs.iloc[:, [1]]  # a two-level factor: the second level is the success, as in R
    if lhs.shape[1] != 1:
        raise InvalidArgumentError(
            f"the response of {formula!r} must be one numeric column (or a two-level factor "
            f"for family='binomial'); it codes as {list(mm.lhs.columns)}"
        )
    kept = np.zeros(len(frame), dtype=bool)
    kept[rhs.index.to_numpy()] = True
    columns = list(rhs.columns)
    term_columns = {
        str(t): [columns[i] for i in idx] for t, idx in rhs.model_spec.term_indices.items()
    }
    yname = str(lhs.columns[0])
    if kept.all():  # the model matrix as formulaic built it, without a second full-size copy
        X = rhs.to_numpy(dtype=float)
        y = lhs.to_numpy(dtype=float)[:, 0].copy()
    else:
        X = np.zeros((len(frame), rhs.shape[1]))
        X[kept] = rhs.to_numpy(dtype=float)
        y = np.zeros(len(frame))
        y[kept] = lhs.to_numpy(dtype=float)[:, 0]
    return X, y, kept, columns, term_columns, yname


def _check_response(y: np.ndarray, family: str, name: str) -> None:
    if family == "binomial" and ((y < 0) | (y > 1)).any():
        bad = y[(y < 0) | (y > 1)][0]
        raise InvalidArgumentError(
            f"family='binomial' needs a response in [0, 1] (0/1 or a share); {name!r} has {bad!r}"
        )
    if family == "poisson" and (y < 0).any():
        raise InvalidArgumentError(
            f"family='poisson' needs a non-negative response; {name!r} has {y[y < 0][0]!r}"
        )


def _subset_mask(data: pd.DataFrame, subset: Any) -> np.ndarray:
    if subset is None:
        return np.ones(len(data), dtype=bool)
    if isinstance(subset, str):
        if subset not in data.columns:
            raise InvalidArgumentError(f"subset={subset!r} is not a column of data")
        subset = data[subset]
    arr = np.asarray(subset)
    if arr.shape != (len(data),) or arr.dtype != bool:
        raise InvalidArgumentError(
            "subset must be a boolean column name or one True/False per row "
            f"({len(data)}), got dtype {arr.dtype} and shape {arr.shape}"
        )
    if not arr.any():
        raise InvalidArgumentError("subset selects no row")
    return arr


def survey_glm(
    design: SurveyDesign, formula: str, family: str = "gaussian", subset: Any = None
) -> GLMResult:
    """Design-based GLM on a :class:`~polls.SurveyDesign` (the engine of ``design.glm``).

    Parameters and result are those of :meth:`polls.SurveyDesign.glm`.

    Examples
    --------
    >>> import numpy as np, pandas as pd, polls
    >>> from polls.regression import survey_glm
    >>> df = pd.DataFrame({"x": np.arange(8.0), "y": [1, 3, 2, 5, 4, 7, 6, 8.0]})
    >>> round(float(survey_glm(polls.SurveyDesign(df), "y ~ x").params["x"]), 4)
    0.9286
    """
    import warnings

    family = check_choice("family", family, FAMILIES)
    X, y, kept, columns, term_columns, yname = _model_arrays(design.data, formula, family)
    kept &= _subset_mask(design.data, subset)
    _check_response(y[kept], family, yname)
    w = design.weights.to_numpy() * kept
    fit = fit_glm(X, y, w, family)
    if not fit.converged:
        warnings.warn(
            f"the {family} model did not converge in {fit.iterations} iterations; the "
            "coefficients may be infinite (separation) or the model unsuitable",
            ConvergenceWarning,
            stacklevel=3,
        )
    V = design.linearized_variance(fit.scores)
    df = design._domain_df(kept & (w > 0)) + 1 - len(columns)  # R's degf: PSUs with weight
    return glm_result(fit, V, df, columns, family=family, formula=formula, n=int(kept.sum()),
                      term_columns=term_columns)


def glm_result(fit: Any, V: np.ndarray, df: float, columns: Sequence[str], *, family: str,
               formula: str, n: int, term_columns: Any) -> GLMResult:
    """The result of a fit whose covariance ``V`` came from a design (Taylor or replicates)."""
    idx = pd.Index(columns, name="term")
    return GLMResult(
        params=pd.Series(fit.params, index=idx, name="estimate"),
        vcov=pd.DataFrame(V, index=idx, columns=idx),
        df_resid=float(df),
        family=family,
        formula=formula,
        n=n,
        term_columns=term_columns,
        naive_cov=pd.DataFrame(fit.naive_cov, index=idx, columns=idx),
        iterations=fit.iterations,
    )
