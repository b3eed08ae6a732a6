"""SurveyDesign.glm against R's svyglm and regTermTest (scripts/r/models_reference.R, survey 4.1.1).

Every reference value in tests/fixtures/r_models_reference.csv carries the R call that produced
it; failures name that call. R's fits ran with ``glm.control(epsilon = 1e-30)``, that is until
the deviance stops changing, so its IRLS coefficients (and the working weights its covariance
uses) are exact to rounding and the comparison is at 1e-8 relative, with one exception: R
computes the covariance from the working weights of its last IRLS step, taken at the
coefficients before that step. The deviance is flat at its minimum, so it stops changing while
the coefficients still move by about 1e-8, and R's logistic and log-linear covariances carry that
lag (measured here: 1.2e-8 relative on the quasibinomial model of apistrat; polls evaluates the
weights at the final coefficients). Those models are compared at RTOL_IRLS, and p-values, whose
relative error grows with the t statistic, at RTOL_PVALUE.
"""

from __future__ import annotations

import functools
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import polls
from polls import InvalidArgumentError, SurveyDesign
from polls.errors import ConvergenceWarning

FIX = Path(__file__).parent / "fixtures"
RTOL = 1e-8
RTOL_IRLS = 5e-8
RTOL_PVALUE = 1e-6

#: fixture name -> (design, the R formula written for formulaic, family)
MODELS = {
    "gaussian_strat": ("strat", "api00 ~ meals + enroll + stype", "gaussian"),
    "gaussian_clus1": ("clus1", "api00 ~ meals * stype", "gaussian"),
    "binomial_strat": ("strat", "I(`sch.wide` == 'Yes') ~ meals + stype", "binomial"),
    "binomial_clus1": ("clus1", "I(awards == 'Yes') ~ api99 + stype", "binomial"),
    "poisson_strat": ("strat", "enroll ~ meals + stype", "poisson"),
    "gaussian_clus1_subset": ("clus1", "api00 ~ meals + stype", "gaussian"),
    "binomial_nhanes": ("nhanes", "HI_CHOL ~ C(race) + agecat + RIAGENDR", "binomial"),
}
#: fixture -> the domain of R's subset(design, ...)
SUBSETS = {"gaussian_clus1_subset": lambda data: (data["comp.imp"] == "Yes").to_numpy()}
TERMS = {"~stype": "stype", "~meals:stype": "meals:stype", "~agecat": "agecat"}


@functools.cache
def reference() -> pd.DataFrame:
    return pd.read_csv(FIX / "r_models_reference.csv", keep_default_na=False)


@functools.cache
def design(name: str) -> SurveyDesign:
    if name == "strat":
        df = pd.read_csv(FIX / "r_survey_apistrat.csv")
        return SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")
    if name == "nhanes":
        # R: svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE)
        df = pd.read_csv(FIX / "r_models_nhanes.csv")
        return SurveyDesign(df, weights="WTMEC2YR", strata="SDMVSTRA", cluster="SDMVPSU")
    df = pd.read_csv(FIX / "r_survey_apiclus1.csv")
    return SurveyDesign(df, weights="pw", cluster="dnum", fpc="fpc")


def python_name(r_name: str) -> str:
    """R's coefficient names (stypeH, meals:stypeM) as formulaic writes them."""
    if r_name == "(Intercept)":
        return "Intercept"
    def one(part: str) -> str:
        part = re.sub(r"^stype([EHM])$", r"stype[T.\1]", part)
        part = re.sub(r"^factor\(race\)(\d)$", r"C(race)[T.\1]", part)
        return re.sub(r"^agecat(\(.*\])$", r"agecat[T.\1]", part)

    return ":".join(one(p) for p in r_name.split(":"))


def tolerance(name: str) -> float:
    return RTOL if name.startswith("gaussian") else RTOL_IRLS


def fitted(name: str):
    dname, formula, family = MODELS[name]
    d = design(dname)
    subset = SUBSETS[name](d.data) if name in SUBSETS else None
    return d.glm(formula, family=family, subset=subset)


@pytest.mark.parametrize("name", list(MODELS))
def test_coefficients_ses_intervals_and_pvalues_match_svyglm(name):
    ref = reference().query(
        "fixture == @name and stat != 'vcov' and term != '' and call.str.startswith('svyglm')"
    )
    fit = fitted(name)
    ci = fit.conf_int()
    got = {"coef": fit.params, "se": fit.bse, "ci_low": ci["ci_low"], "ci_high": ci["ci_high"],
           "pvalue": fit.pvalues}
    call = ref["call"].iloc[0]
    assert sorted(fit.params.index) == sorted(python_name(t) for t in ref["term"].unique()), call
    for row in ref.itertuples():
        if row.stat not in got:
            continue
        value = got[row.stat][python_name(row.term)]
        rel = RTOL_PVALUE if row.stat == "pvalue" else tolerance(name)
        assert value == pytest.approx(float(row.value), rel=rel), f"{call}: {row.term} {row.stat}"


@pytest.mark.parametrize("name", list(MODELS))
def test_covariance_and_residual_df_match_svyglm(name):
    ref = reference().query("fixture == @name")
    fit = fitted(name)
    call = ref["call"].iloc[0]
    df_resid = float(ref.query("stat == 'df_residual'")["value"].iloc[0])
    assert fit.df_resid == df_resid, call
    for row in ref.query("stat == 'vcov'").itertuples():
        a, b = (python_name(t) for t in row.term.split("|"))
        want = float(row.value)
        assert fit.vcov.loc[a, b] == pytest.approx(want, rel=tolerance(name), abs=1e-14), call


@pytest.mark.parametrize("name", list(MODELS))
def test_wald_test_matches_regtermtest(name):
    ref = reference().query("fixture == @name and call.str.startswith('regTermTest')")
    call = ref["call"].iloc[0]
    res = fitted(name).wald_test(TERMS[ref["term"].iloc[0]])
    want = dict(zip(ref["stat"], ref["value"].astype(float), strict=True))
    assert res.statistic == pytest.approx(want["F"], rel=tolerance(name)), call
    assert res.pvalue == pytest.approx(want["pvalue"], rel=RTOL_PVALUE), call
    assert (res.df, res.ddf, res.method) == (want["df"], want["ddf"], "F"), call


def test_interaction_terms_are_matched_in_either_order_and_by_coefficient_name():
    fit = fitted("gaussian_clus1")
    a = fit.wald_test("stype:meals")
    b = fit.wald_test(["meals:stype[T.H]", "meals:stype[T.M]"])
    assert a.statistic == pytest.approx(b.statistic, rel=1e-12) and a.df == 2
    with pytest.raises(InvalidArgumentError, match="'income' is not in the model"):
        fit.wald_test("income")


def test_subset_by_column_name_equals_subset_by_mask_and_bad_subsets_are_named():
    d = design("clus1")
    data = d.data.assign(yes=d.data["comp.imp"] == "Yes")
    by_name = SurveyDesign(data, weights="pw", cluster="dnum", fpc="fpc").glm(
        "api00 ~ meals + stype", subset="yes")
    np.testing.assert_allclose(by_name.bse, fitted("gaussian_clus1_subset").bse, rtol=1e-12)
    with pytest.raises(InvalidArgumentError, match="boolean column name or one True/False"):
        d.glm("api00 ~ meals", subset=d.data["comp.imp"])
    with pytest.raises(InvalidArgumentError, match="selects no row"):
        d.glm("api00 ~ meals", subset=np.zeros(len(d), dtype=bool))


def test_two_level_factor_response_takes_the_second_level_as_success():
    # R: a factor response in a binomial glm counts its first level as failure
    base = fitted("binomial_clus1")
    fit = design("clus1").glm("awards ~ api99 + stype", family="binomial")
    np.testing.assert_allclose(fit.params.to_numpy(), base.params.to_numpy(), rtol=1e-10)


def test_gaussian_point_estimates_equal_weighted_least_squares():
    # statsmodels' WLS gives the same coefficients (its standard errors are model-based)
    import statsmodels.api as sm

    d = design("strat")
    df = d.data
    X = pd.get_dummies(df[["meals", "enroll", "stype"]], columns=["stype"], drop_first=True,
                       dtype=float)
    wls = sm.WLS(df["api00"], sm.add_constant(X), weights=df["pw"]).fit()
    fit = fitted("gaussian_strat")
    np.testing.assert_allclose(fit.params.to_numpy(), wls.params.to_numpy(), rtol=1e-10)


def test_missing_values_leave_rows_out_and_tidy_frame_has_the_package_columns():
    df = pd.read_csv(FIX / "r_survey_apistrat.csv")
    df.loc[[3, 50], "meals"] = np.nan
    fit = SurveyDesign(df, weights="pw", strata="stype", fpc="fpc").glm("api00 ~ meals")
    assert fit.n == 198
    frame = fit.to_frame(confidence_level=0.9)
    assert list(frame.columns) == ["term", "estimate", "se", "statistic", "pvalue", "ci_low",
                                   "ci_high", "confidence_level", "df"]
    assert (frame["confidence_level"] == 0.9).all()
    assert repr(fit).startswith("GLMResult(gaussian: api00 ~ meals; n=198")
    assert len(repr(fitted("gaussian_clus1"))) < 250


@pytest.mark.parametrize(
    ("formula", "family", "match"),
    [
        ("api00", "gaussian", "formula must be a string 'response ~ predictors'"),
        ("api00 ~ nosuchcolumn", "gaussian", "could not be read"),
        ("api00 ~ meals", "logistic", "family"),
        ("api00 ~ meals", "binomial", "needs a response in \\[0, 1\\]"),
        ("I(-enroll) ~ meals", "poisson", "non-negative response"),
        ("api00 ~ meals + I(2 * meals)", "gaussian", "rank deficient"),
        ("stype ~ meals", "gaussian", "must be one numeric column"),
    ],
)
def test_bad_models_raise_clear_errors(formula, family, match):
    with pytest.raises(InvalidArgumentError, match=match):
        design("strat").glm(formula, family=family)


def test_separation_warns_that_the_fit_did_not_converge():
    df = pd.DataFrame({"x": np.arange(10.0), "y": [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.warns(ConvergenceWarning, match="did not converge"):
            polls.SurveyDesign(df).glm("y ~ x", family="binomial")


def test_rows_of_weight_zero_do_not_enter_the_fit_and_get_zero_scores():
    from polls.regression import fit_glm

    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(40), rng.normal(size=40)])
    y = (rng.random(40) < 0.5).astype(float)
    w = rng.lognormal(size=40)
    w[::4] = 0.0
    full = fit_glm(X, y, w, "binomial")
    kept = fit_glm(X[w > 0], y[w > 0], w[w > 0], "binomial")
    np.testing.assert_allclose(full.params, kept.params, rtol=1e-12)
    assert (full.scores[w == 0] == 0).all()
    np.testing.assert_allclose(full.scores[w > 0], kept.scores, rtol=1e-10)


def test_a_fit_without_scores_has_the_same_coefficients():
    from polls.regression import fit_glm

    rng = np.random.default_rng(7)  # synthetic logistic data
    X = np.column_stack([np.ones(200), rng.normal(size=200)])
    y = (rng.random(200) < 1 / (1 + np.exp(-X @ [0.3, -1.2]))).astype(float)
    w = rng.uniform(0.5, 2.0, 200)
    full, light = fit_glm(X, y, w, "binomial"), fit_glm(X, y, w, "binomial", scores=False)
    np.testing.assert_array_equal(light.params, full.params)
    assert light.scores is None and light.naive_cov is None and full.scores.shape == (200, 2)
