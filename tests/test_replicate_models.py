"""ReplicateDesign.glm and .quantile against R's svyglm, regTermTest and svyquantile on replicate
designs (scripts/r/replicate_models_reference.R, survey 4.1.1).

Every reference value in tests/fixtures/r_replicate_models_reference.csv carries the R call that
produced it, and failures name that call. R's fits ran with ``glm.control(epsilon = 1e-30)``,
which svyglm passes on to every replicate fit, so its coefficients, replicate coefficients and
therefore covariances are exact to rounding: everything is compared at 1e-8 relative (p-values,
whose relative error grows with the statistic, at RTOL_PVALUE). The designs are R's: JKn of
apistrat and JK1 of apiclus1 made here as R's ``as.svrepdesign`` makes them (checked against R in
tests/test_design_engine.py), the bootstrap replicates R drew for apiclus1 read from
tests/fixtures/r_engine_repweights_boot.csv, and BRR and Fay half-samples of nhanes (third PSU
of stratum 86 merged into its second) and scd made with R's Hadamard matrices.
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
from polls import InvalidArgumentError, ReplicateDesign, SurveyDesign
from polls.errors import InferenceWarning

FIX = Path(__file__).parent / "fixtures"
RTOL = 1e-8
RTOL_PVALUE = 1e-6


@functools.cache
def reference() -> pd.DataFrame:
    return pd.read_csv(FIX / "r_replicate_models_reference.csv", keep_default_na=False,
                       dtype={"term": str}).assign(
        value=lambda f: pd.to_numeric(f["value"], errors="coerce"))


def _engine_ref(design: str, stat: str) -> float:
    ref = pd.read_csv(FIX / "r_engine_reference.csv", keep_default_na=False)
    return float(ref.query("design == @design and stat == @stat")["value"].iloc[0])


@functools.cache
def design(name: str) -> ReplicateDesign:
    strat = pd.read_csv(FIX / "r_survey_apistrat.csv")
    clus1 = pd.read_csv(FIX / "r_survey_apiclus1.csv")
    nhanes = pd.read_csv(FIX / "r_models_nhanes.csv")
    nhanes["psu2"] = np.minimum(nhanes["SDMVPSU"], 2)
    boot_w = pd.read_csv(FIX / "r_engine_repweights_boot.csv").drop(columns="row")
    h15 = pd.read_csv(FIX / "r_replicate_models_hadamard15.csv").to_numpy()
    h3 = pd.read_csv(FIX / "r_engine_hadamard.csv").to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InferenceWarning)  # dropped fpc, as R warns
        builders = {
            "strat_JKn": lambda: SurveyDesign(strat, strata="stype", weights="pw",
                                              fpc="fpc").to_replicate("JKn"),
            "clus1_JK1": lambda: SurveyDesign(clus1, cluster="dnum", weights="pw",
                                              fpc="fpc").to_replicate("JK1"),
            "clus1_boot": lambda: ReplicateDesign(
                clus1.join(boot_w), replicate_weights=r"^rep\d+$", weights="pw",
                type="bootstrap", scale=_engine_ref("apiclus1_boot", "scale")),
            "clus1_boot_mse": lambda: ReplicateDesign(
                clus1.join(boot_w), replicate_weights=r"^rep\d+$", weights="pw",
                type="bootstrap", scale=_engine_ref("apiclus1_boot", "scale"), mse=True),
            "nhanes_BRR": lambda: SurveyDesign(
                nhanes, weights="WTMEC2YR", strata="SDMVSTRA", cluster="psu2"
            ).to_replicate("BRR", hadamard=h15),
            "nhanes_Fay": lambda: SurveyDesign(
                nhanes, weights="WTMEC2YR", strata="SDMVSTRA", cluster="psu2"
            ).to_replicate("Fay", fay_rho=0.3, hadamard=h15),
            "scd_Fay": lambda: SurveyDesign(
                pd.read_csv(FIX / "r_engine_scd.csv"), strata="ESA", cluster="ambulance"
            ).to_replicate("Fay", fay_rho=0.3, hadamard=h3),
        }
        return builders[name]()


def check(actual, expected, msg, rtol=RTOL):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0, err_msg=msg)


@pytest.mark.parametrize("name", ["strat_JKn", "clus1_JK1", "clus1_boot", "nhanes_BRR",
                                  "nhanes_Fay", "scd_Fay"])
def test_design_degrees_of_freedom_are_rs(name):
    row = reference().query("fixture == @name and stat == 'degf'").iloc[0]
    assert design(name).degrees_of_freedom == row["value"], row["call"]


# ---------------------------------------------------------------------------- svyglm
#: fixture -> (design, formula as formulaic reads R's, family, regTermTest terms)
MODELS = {
    "gaussian_strat_JKn": ("strat_JKn", "api00 ~ meals + enroll + stype", "gaussian", "stype"),
    "binomial_strat_JKn": ("strat_JKn", "I(`sch.wide` == 'Yes') ~ meals + stype", "binomial",
                           "stype"),
    "gaussian_clus1_JK1": ("clus1_JK1", "api00 ~ meals + stype", "gaussian", "stype"),
    "binomial_clus1_JK1": ("clus1_JK1", "I(awards == 'Yes') ~ api99 + stype", "binomial",
                           "stype"),
    "gaussian_clus1_JK1_subset": ("clus1_JK1", "api00 ~ meals + stype", "gaussian", "stype"),
    "gaussian_clus1_boot": ("clus1_boot", "api00 ~ meals * stype", "gaussian", "meals:stype"),
    "binomial_clus1_boot": ("clus1_boot", "I(awards == 'Yes') ~ api99 + stype", "binomial",
                            "stype"),
    "poisson_clus1_boot_mse": ("clus1_boot_mse", "enroll ~ meals + stype", "poisson", "stype"),
    "binomial_nhanes_BRR": ("nhanes_BRR", "HI_CHOL ~ C(race) + agecat + RIAGENDR", "binomial",
                            "agecat"),
    "binomial_nhanes_Fay": ("nhanes_Fay", "HI_CHOL ~ C(race) + agecat + RIAGENDR", "binomial",
                            "C(race)"),
    "gaussian_scd_Fay": ("scd_Fay", "alive ~ arrests", "gaussian", "arrests"),
}


def python_name(r_name: str) -> str:
    """R's coefficient names (stypeH, meals:stypeM, factor(race)2) as formulaic writes them."""
    if r_name == "(Intercept)":
        return "Intercept"

    def one(part: str) -> str:
        part = re.sub(r"^stype([EHM])$", r"stype[T.\1]", part)
        part = re.sub(r"^factor\(race\)(\d)$", r"C(race)[T.\1]", part)
        part = re.sub(r"^agecat(\(.*\])$", r"agecat[T.\1]", part)
        return re.sub(r"^I\(.*\)TRUE$", "", part)

    return ":".join(one(p) for p in r_name.split(":"))


@functools.cache
def fitted(name: str):
    dname, formula, family, _ = MODELS[name]
    subset = None
    if name.endswith("_subset"):
        subset = (design(dname).data["comp.imp"] == "Yes").to_numpy()
    return design(dname).glm(formula, family, subset=subset)


@pytest.mark.parametrize("name", list(MODELS))
def test_glm_matches_svyglm(name):
    ref = reference().query("fixture == @name and call.str.startswith('svyglm')",
                            engine="python")
    fit = fitted(name)
    call = ref["call"].iloc[0]
    coefs = ref[ref["stat"] == "coef"]
    assert [python_name(t) for t in coefs["term"]] == list(fit.params.index), call
    ci = fit.conf_int()
    frame = fit.to_frame().set_index("term")
    for stat, got in [("coef", fit.params), ("se", fit.bse), ("ci_low", ci["ci_low"]),
                      ("ci_high", ci["ci_high"]), ("pvalue", fit.pvalues)]:
        part = ref[ref["stat"] == stat]
        got = got[[python_name(t) for t in part["term"]]].to_numpy()
        check(got, part["value"].to_numpy(), f"{stat}: R `{call}`",
              RTOL_PVALUE if stat == "pvalue" else RTOL)
    check(frame["se"].to_numpy(), fit.bse.to_numpy(), "to_frame", 0)
    vc = ref[ref["stat"] == "vcov"]
    pairs = [t.split("|") for t in vc["term"]]
    got = [fit.vcov.loc[python_name(a), python_name(b)] for a, b in pairs]
    check(got, vc["value"].to_numpy(), f"vcov: R `{call}`")
    df_r = ref.query("stat == 'df_residual'")["value"].iloc[0]
    assert fit.df_resid == df_r, f"df.residual: R `{call}`"
    assert fit.n == ref.query("stat == 'n'")["value"].iloc[0], f"nobs: R `{call}`"


@pytest.mark.parametrize("name", list(MODELS))
def test_wald_test_matches_regtermtest(name):
    term = MODELS[name][3]
    ref = reference().query("fixture == @name and call.str.startswith('regTermTest')",
                            engine="python")
    call = ref["call"].iloc[0]
    res = fitted(name).wald_test(term)
    got = {"F": res.statistic, "df": res.df, "ddf": res.ddf, "pvalue": res.pvalue}
    for stat, value in zip(ref["stat"], ref["value"], strict=True):
        check(got[stat], value, f"{stat}: R `{call}`",
              RTOL_PVALUE if stat == "pvalue" else RTOL)


def test_glm_coefficients_equal_the_taylor_designs():
    # the point estimates use the full-sample weights only: the same fit as SurveyDesign.glm
    strat = pd.read_csv(FIX / "r_survey_apistrat.csv")
    taylor = SurveyDesign(strat, strata="stype", weights="pw", fpc="fpc")
    a = taylor.glm("api00 ~ meals + stype").params
    b = design("strat_JKn").glm("api00 ~ meals + stype").params
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-12)


def test_glm_drops_rank_deficient_replicates_with_a_warning():
    # synthetic: the only row of level "c" sits in cluster 4, so the replicate without cluster 4
    # cannot estimate its coefficient and is left out (R: NA coefficients, replicate discarded)
    df = pd.DataFrame({"x": np.arange(10.0), "y": [1, 3, 2, 5, 4, 7, 6, 8, 9, 9.0],
                       "g": list("aabbaabbac"), "c": [1, 1, 2, 2, 3, 3, 4, 4, 5, 4]})
    rep = SurveyDesign(df, cluster="c").to_replicate("JK1")
    with pytest.warns(InferenceWarning, match="1 replicates"):
        fit = rep.glm("y ~ x + g")
    assert np.isfinite(fit.bse).all()


def test_glm_errors_name_the_problem():
    rep = design("clus1_JK1")
    with pytest.raises(InvalidArgumentError, match="family"):
        rep.glm("api00 ~ meals", family="logistic")
    with pytest.raises(InvalidArgumentError, match="subset"):
        rep.glm("api00 ~ meals", subset="nope")
    with pytest.raises(InvalidArgumentError, match="binomial"):
        rep.glm("api00 ~ meals", family="binomial")


# ---------------------------------------------------------------------------- svyquantile
QUANTILES = {  # R's argument string -> (interval, rule)
    "": ("mean", "math"),
    ', qrule = "hf7"': ("mean", "hf7"),
    ', interval.type = "quantile"': ("quantile", "math"),
    ', interval.type = "quantile", qrule = "school"': ("quantile", "school"),
}
Q = [0.1, 0.25, 0.5, 0.75, 0.9]


def _quantile_cases():
    ref = reference()
    ref = ref[ref["fixture"].str.startswith("quantile_") & ~ref["fixture"].str.startswith(
        "quantile_by")]
    return sorted(set(zip(ref["fixture"], ref["call"], strict=True)))


@pytest.mark.parametrize(("fixture", "call"), _quantile_cases())
def test_quantile_matches_svyquantile(fixture, call):
    ref = reference().query("fixture == @fixture and call == @call")
    column = re.match(r"svyquantile\(~(\w+), ", call).group(1)
    woodruff = re.search(r'method = "(\w+)"\)$', call)
    if woodruff:  # R's woodruffCI with the method (see the R script)
        interval, rule = woodruff.group(1), "math"
    else:
        interval, rule = QUANTILES[re.search(r"quantiles = c\([^)]*\)(.*)\)$", call).group(1)]
    dname = fixture.removeprefix("quantile_").removesuffix(f"_{column}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InferenceWarning)  # the jackknife warning, as R's
        res = design(dname).quantile(column, Q, rule=rule, interval=interval)
    for stat in ("estimate", "ci_low", "ci_high", "se"):
        part = ref[ref["stat"] == stat]
        assert part["term"].astype(float).tolist() == Q
        check(res[stat].to_numpy(), part["value"].to_numpy(), f"{stat}: R `{call}`")
    assert (res["df"] == design(dname).degrees_of_freedom).all()


@pytest.mark.parametrize("dname", ["strat_JKn", "clus1_JK1"])
@pytest.mark.parametrize("interval", ["mean", "quantile"])
def test_quantile_by_matches_svyby(dname, interval):
    ref = reference()[reference()["fixture"] == f"quantile_by_{dname}_{interval}"]
    call = ref["call"].iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InferenceWarning)
        res = design(dname).quantile("api00", [0.25, 0.5], by="comp.imp", interval=interval)
    got = res.assign(term=res["comp.imp"] + "|" + res["q"].astype(str)).set_index("term")
    for stat in ("estimate", "ci_low", "ci_high", "se"):
        part = ref[ref["stat"] == stat]
        check(got.loc[part["term"], stat].to_numpy(), part["value"].to_numpy(),
              f"{stat}: R `{call}`")


def test_quantile_warns_for_jackknife_standard_errors():
    with pytest.warns(InferenceWarning, match="jackknife"):
        design("clus1_JK1").quantile("api00", interval="quantile")


def test_quantile_errors_name_the_argument():
    rep = design("clus1_boot")
    with pytest.raises(InvalidArgumentError, match="interval"):
        rep.quantile("api00", interval="score")
    with pytest.raises(InvalidArgumentError, match="q must"):
        rep.quantile("api00", q=50)
    with pytest.raises(InvalidArgumentError, match="numeric"):
        rep.quantile("stype")


def test_both_designs_offer_the_same_estimators():
    public = {n for n in dir(SurveyDesign) if not n.startswith("_")}
    rep = {n for n in dir(ReplicateDesign) if not n.startswith("_")}
    for name in ("mean", "total", "proportion", "crosstab", "chisq", "glm", "quantile"):
        assert name in public and name in rep
    assert polls.ReplicateDesign is ReplicateDesign


# ---------------------------------------------------------------------------- calibrate
TOTALS = {"stype": {"E": 4421, "H": 755, "M": 1018}, "api99": 3914069}  # apipop's (R script)
CALIBRATIONS = {
    "cal_linear_JK1": ("clus1_JK1", {}),
    "cal_bounded_JK1": ("clus1_JK1", {"bounds": (0.3, 3), "tol": 1e-12, "max_iter": 200}),
    "cal_raking_boot": ("clus1_boot", {"method": "raking", "tol": 1e-12, "max_iter": 200}),
}


@functools.cache
def calibrated(name: str) -> ReplicateDesign:
    dname, kwargs = CALIBRATIONS[name]
    return design(dname).calibrate(TOTALS, **kwargs)


@pytest.mark.parametrize("name", list(CALIBRATIONS))
def test_calibrated_replicate_design_matches_r(name):
    ref = reference()[reference()["fixture"] == name]
    cal = calibrated(name)
    assert cal.degrees_of_freedom == ref.query("stat == 'degf'")["value"].iloc[0]
    check(cal.weights.sum(), ref.query("stat == 'weight_sum'")["value"].iloc[0], name)
    for row in ref.query("stat in ['estimate', 'se']").itertuples():
        est = cal.total(row.term) if row.call.startswith("svytotal") else cal.mean(row.term)
        check(float(est[row.stat].iloc[0]), row.value, f"{row.stat}: R `{row.call}`")
    by = cal.mean("api00", by="stype").set_index("stype")
    for row in ref.query("stat in ['estimate_by', 'se_by']").itertuples():
        column = "estimate" if row.stat == "estimate_by" else "se"
        check(by.loc[row.term, column], row.value, f"{row.stat}: R `{row.call}`")
    fit = cal.glm("api00 ~ meals")
    for row in ref.query("stat in ['glm_coef', 'glm_se']").itertuples():
        term = "Intercept" if row.term == "(Intercept)" else row.term
        got = fit.params[term] if row.stat == "glm_coef" else fit.bse[term]
        check(got, row.value, f"{row.stat}: R `{row.call}`")
    q = cal.quantile("api00", 0.5).iloc[0]
    for row in ref[ref["stat"].str.startswith("q_")].itertuples():
        check(q[row.stat.removeprefix("q_")], row.value, f"{row.stat}: R `{row.call}`")


def test_calibration_keeps_the_design_and_reports_the_full_sample_fit():
    cal = calibrated("cal_raking_boot")
    base = design("clus1_boot")
    assert (cal.type, cal.scale, cal.n_replicates) == (base.type, base.scale,
                                                      base.n_replicates)
    assert cal.calibration_result.method == "raking"
    np.testing.assert_allclose(cal.calibration_result.totals["after"],
                               cal.calibration_result.totals["target"], rtol=1e-12)
    # every replicate meets the totals too
    reps = cal.replicate_weights
    stype = cal.data["stype"].to_numpy()
    np.testing.assert_allclose(reps[stype == "H"].sum(axis=0), 755, rtol=1e-10)
    assert base.calibration_result is None


def test_replicate_factors_give_the_same_models_as_combined_weights():
    # combined_weights=False: the columns multiply the full-sample weights (R's
    # combined.weights = FALSE); the same analysis weights must give the same fits
    combined = design("clus1_boot")
    data = combined.data
    factors = combined.replicate_weights / data["pw"].to_numpy()[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InferenceWarning)
        split = ReplicateDesign(data, replicate_weights=factors, weights="pw", type="bootstrap",
                                scale=combined.scale, combined_weights=False)
    for rep in (combined, split):
        assert rep.degrees_of_freedom == 14
    a = combined.glm("api00 ~ meals + stype")
    b = split.glm("api00 ~ meals + stype")
    np.testing.assert_allclose(b.vcov.to_numpy(), a.vcov.to_numpy(), rtol=1e-10)
    qa = combined.quantile("api00", [0.25, 0.5], interval="quantile")
    qb = split.quantile("api00", [0.25, 0.5], interval="quantile")
    np.testing.assert_allclose(qb["se"], qa["se"], rtol=1e-10)
    ca = combined.calibrate(TOTALS).mean("api00")
    cb = split.calibrate(TOTALS).mean("api00")
    np.testing.assert_allclose(cb["se"], ca["se"], rtol=1e-10)
