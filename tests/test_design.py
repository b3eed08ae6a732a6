"""SurveyDesign against R's survey package (scripts/r/survey_reference.R, survey 4.1.1).

Every reference value in tests/fixtures/r_survey_reference.csv carries the R call that produced
it (column ``call``, run on the design named in ``design``); each comparison below names that call
in its failure message. Designs: R's own ``api`` data (apistrat: strata + fpc; apiclus1: one-stage
clusters + fpc, with and without weights, and without fpc; apisrs) and a seeded synthetic design
with strata, clusters nested in strata and fpc (as population sizes and as fractions).
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import polls
from polls import InvalidArgumentError, SurveyDesign

FIX = Path(__file__).parent / "fixtures"
RTOL = 1e-8
#: R's profile-likelihood interval interpolates a spline through about ten profile points and
#: inverts it linearly (confint_profile); polls solves the same equation exactly, so the two
#: agree only to the interpolation error: measured here at most 1.05e-3 relative (the lower
#: bound of the smallest share, 0.05 in stratum s1 of the raked synthetic design; the errors
#: change sign from domain to domain, as interpolation errors do). The exact profile root is
#: checked separately to 1e-5 (test_likelihood_interval_solves_rs_profile_equation_exactly).
RTOL_LIKELIHOOD = 1.5e-3
#: R's "logit" and "likelihood" results start from svyglm's IRLS fit, which stops when the
#: deviance changes by less than glm.control(epsilon = 1e-8) relative; the fitted intercept then
#: differs from the exact logit of the weighted share by up to about 1e-7 relative for small
#: shares (measured here: at most 6e-8). polls uses the exact share.
RTOL_GLM = 1e-6
RTOL_PROFILE = 1e-5
#: A share of a raking margin has a design SE of zero; R and polls both return rounding noise
#: (about 1e-13) there, so SEs are also compared with this absolute tolerance.
ATOL_SE = 1e-11

REF = pd.read_csv(
    FIX / "r_survey_reference.csv", dtype=str, keep_default_na=False
).assign(value=lambda f: pd.to_numeric(f["value"], errors="coerce"))
MARGINS = json.loads((FIX / "r_survey_margins.json").read_text())
RAKED_W = pd.read_csv(FIX / "r_survey_raked_weights.csv")

def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(FIX / f"r_survey_{name}.csv")


SPECS = {
    "apistrat": ("apistrat", {"strata": "stype", "weights": "pw", "fpc": "fpc"}),
    "apiclus1": ("apiclus1", {"cluster": "dnum", "weights": "pw", "fpc": "fpc"}),
    "apiclus1_noweights": ("apiclus1", {"cluster": "dnum", "fpc": "fpc"}),
    "apisrs": ("apisrs", {"weights": "pw", "fpc": "fpc"}),
    "apiclus1_nofpc": ("apiclus1", {"cluster": "dnum", "weights": "pw"}),
    "synthetic": (
        "synthetic",
        {"strata": "stratum", "cluster": "psu", "weights": "w", "fpc": "N_psu"},
    ),
    "synthetic_frac": (
        "synthetic",
        {"strata": "stratum", "cluster": "psu", "weights": "w", "fpc": "frac"},
    ),
}
RAKED = {
    "apiclus1_raked": ("apiclus1", ["stype", "sch.wide"]),
    "apistrat_raked": ("apistrat", ["sch.wide", "awards"]),
    "synthetic_raked": ("synthetic", ["a", "b"]),
}
API = {"num": "api00", "num2": "enroll", "bin": ("sch.wide", "Yes"), "rbin": 'sch.wide == "Yes"',
       "by": "stype", "row": "stype", "col": "awards"}
SYN = {"num": "y", "num2": "x", "bin": ("bin", 1), "rbin": "bin == 1", "by": "stratum",
       "row": "a", "col": "b"}
METHODS = ["logit", "likelihood", "asin", "beta", "mean", "xlogit"]


def _vars(name: str) -> dict:
    if name in RAKED and name.startswith("api"):
        return {**API, "bin": ("comp.imp", "Yes"), "rbin": 'comp.imp == "Yes"'}
    return API if name.startswith("api") else SYN


@functools.cache
def _design(name: str) -> SurveyDesign:
    """The named design (built once per session; tests only read it)."""
    if name in RAKED:
        base, variables = RAKED[name]
        d = _design(base)
        targets = {v: MARGINS[v] for v in variables}
        return d.rake(targets, tol=1e-13, max_iter=10_000)
    data, kw = SPECS[name]
    return SurveyDesign(_data(data), **kw)


_KEYS = ["design", "call", "stat", "domain", "level"]
assert not REF.duplicated(_KEYS).any()
_LOOKUP = dict(zip(map(tuple, REF[_KEYS].to_numpy()), REF["value"], strict=True))


def ref(design: str, call: str, stat: str, domain: str = "", level: str = "") -> float:
    key = (design, call, stat, domain, level)
    assert key in _LOOKUP, f"no reference for {design}: {call} [{stat} {domain} {level}]"
    return float(_LOOKUP[key])


def close(actual, design, call, stat, domain="", level="", rtol=RTOL, atol=0.0):
    expected = ref(design, call, stat, domain, level)
    np.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=atol,
        err_msg=f"{design}: R `{call}` [{stat} {domain} {level}]",
    )


#: Every design the R script describes: R computes the same reference values on each (the
#: raked ones included), so every test below runs on every design it applies to, and a missing
#: reference fails instead of skipping.
ALL = [*SPECS, *RAKED]
#: Designs with the weighted-table references (the R script leaves out apiclus1_noweights).
TABLES = [name for name in ALL if name != "apiclus1_noweights"]
assert set(REF["design"]) == set(ALL)
assert set(REF.loc[REF["call"].str.startswith("svytable"), "design"]) == set(TABLES)


@pytest.fixture(params=ALL)
def named(request):
    return request.param, _design(request.param)


@pytest.fixture(params=TABLES)
def tabled(request):
    return request.param, _design(request.param)


# --------------------------------------------------------------------------- whole-sample


def test_degrees_of_freedom_and_weight_sum(named):
    name, d = named
    close(d.degrees_of_freedom, name, "degf(d)", "df")
    close(d.weights.sum(), name, "sum(weights(d))", "weight_sum")


def test_mean_se_deff(named):
    name, d = named
    v = _vars(name)
    call = f"svymean(~{v['num']}, d, deff = TRUE)"
    res = d.mean(v["num"]).iloc[0]
    close(res["estimate"], name, call, "estimate")
    close(res["se"], name, call, "se")
    close(res["deff"], name, call, "deff")


def test_mean_intervals_t_and_normal(named):
    name, d = named
    v = _vars(name)
    res = d.mean(v["num"]).iloc[0]
    call = f"confint(svymean(~{v['num']}, d), df = degf(d))"
    close(res["ci_low"], name, call, "ci_low")
    close(res["ci_high"], name, call, "ci_high")
    res = d.mean(v["num"], df=math.inf).iloc[0]
    call = f"confint(svymean(~{v['num']}, d))"
    close(res["ci_low"], name, call, "ci_low")
    close(res["ci_high"], name, call, "ci_high")


def test_total_se_deff(named):
    name, d = named
    v = _vars(name)
    res = d.total(v["num2"]).iloc[0]
    call = f"svytotal(~{v['num2']}, d, deff = TRUE)"
    close(res["deff"], name, call, "deff")
    close(res["estimate"], name, call, "estimate")
    close(res["se"], name, call, "se")


def test_proportion_as_mean_with_deff(named):
    name, d = named
    v = _vars(name)
    call = f"svymean(~as.numeric({v['rbin']}), d, deff = TRUE)"
    res = d.proportion(*v["bin"]).iloc[0]
    close(res["estimate"], name, call, "estimate")
    close(res["se"], name, call, "se")
    close(res["deff"], name, call, "deff")


@pytest.mark.parametrize("method", METHODS)
def test_proportion_every_interval_method(named, method):
    name, d = named
    v = _vars(name)
    call = f'svyciprop(~I({v["rbin"]}), d, method = "{method}")'
    res = d.proportion(*v["bin"], method=method).iloc[0]
    assert res["method"] == method
    glm = method in ("logit", "likelihood")
    rtol = {"likelihood": RTOL_LIKELIHOOD, "logit": RTOL_GLM}.get(method, RTOL)
    close(res["estimate"], name, call, "estimate", rtol=RTOL_GLM if glm else RTOL)
    close(res["se"], name, call, "se", atol=ATOL_SE)
    close(res["ci_low"], name, call, "ci_low", rtol=rtol)
    close(res["ci_high"], name, call, "ci_high", rtol=rtol)


def test_likelihood_interval_solves_rs_profile_equation_exactly(named):
    """The same profile equation as svyciprop(method = "likelihood"), solved by uniroot in R.

    R's scale factor lambda divides by glm's model-based variance, which glm.fit computes from
    the working weights of its last-but-one IRLS step (off by up to 1e-4 relative here: apistrat
    0.0350978 against 1 / (n p (1 - p)) = 0.0351000); that moves the bounds by up to about 3e-6
    relative, hence RTOL_PROFILE.
    """
    name, d = named
    v = _vars(name)
    call = f'profile root of svyglm(I({v["rbin"]}) ~ 1, d, family = quasibinomial)'
    res = d.proportion(*v["bin"], method="likelihood").iloc[0]
    close(res["ci_low"], name, call, "ci_low", rtol=RTOL_PROFILE)
    close(res["ci_high"], name, call, "ci_high", rtol=RTOL_PROFILE)


def test_proportion_other_confidence_level(named):
    name, d = named
    v = _vars(name)
    call = f'svyciprop(~I({v["rbin"]}), d, method = "logit", level = 0.9)'
    res = d.proportion(*v["bin"], confidence_level=0.9).iloc[0]
    close(res["ci_low"], name, call, "ci_low", rtol=RTOL_GLM)
    close(res["ci_high"], name, call, "ci_high", rtol=RTOL_GLM)


# --------------------------------------------------------------------------- domains


def _domains(name, call):
    rows = REF[(REF["design"] == name) & (REF["call"] == call)]
    return sorted(set(rows["domain"]))


def test_domain_means(named):
    name, d = named
    v = _vars(name)
    call = f"svyby(~{v['num']}, ~{v['by']}, d, svymean, deff = TRUE)"
    res = d.mean(v["num"], by=v["by"]).set_index(v["by"])
    doms = _domains(name, call)
    assert [str(x) for x in res.index] == doms
    for dom in doms:
        close(res.loc[dom, "estimate"], name, call, "estimate", dom)
        close(res.loc[dom, "se"], name, call, "se", dom)
        close(res.loc[dom, "deff"], name, call, "deff", dom)


def test_domain_totals(named):
    name, d = named
    v = _vars(name)
    call = f"svyby(~{v['num2']}, ~{v['by']}, d, svytotal, deff = TRUE)"
    res = d.total(v["num2"], by=v["by"]).set_index(v["by"])
    doms = _domains(name, call)
    assert [str(x) for x in res.index] == doms
    for dom in doms:
        close(res.loc[dom, "estimate"], name, call, "estimate", dom)
        close(res.loc[dom, "se"], name, call, "se", dom)
        close(res.loc[dom, "deff"], name, call, "deff", dom)


@pytest.mark.parametrize("method", METHODS)
def test_domain_proportions_every_method(named, method):
    name, d = named
    v = _vars(name)
    call = (
        f'svyby(~I({v["rbin"]}), ~{v["by"]}, d, svyciprop, method = "{method}", '
        'vartype = c("se", "ci"))'
    )
    res = d.proportion(*v["bin"], by=v["by"], method=method).set_index(v["by"])
    assert [str(x) for x in res.index] == _domains(name, call)
    glm = method in ("logit", "likelihood")
    rtol = {"likelihood": RTOL_LIKELIHOOD, "logit": RTOL_GLM}.get(method, RTOL)
    for dom in _domains(name, call):
        close(res.loc[dom, "estimate"], name, call, "estimate", dom, rtol=RTOL_GLM if glm else RTOL)
        close(res.loc[dom, "se"], name, call, "se", dom, atol=1e-15)
        if method == "beta" and name in RAKED:
            _check_korn_graubard_on_calibrated_domain(res.loc[dom], d, name, call, dom)
            continue
        for stat in ("ci_low", "ci_high"):
            expected = ref(name, call, stat, dom)
            if math.isnan(expected):
                # R's qbeta gives NaN for the Korn-Graubard bound at a share of exactly 0 or 1;
                # polls returns the bound 0 or 1 there.
                assert res.loc[dom, "estimate"] in (0.0, 1.0)
                assert res.loc[dom, stat] in (0.0, 1.0)
                continue
            close(res.loc[dom, stat], name, call, stat, dom, rtol=rtol, atol=1e-15)


def _korn_graubard(p, se, n_rows, dfree, level=0.95):
    """Korn and Graubard's interval as svyciprop(method = "beta") computes it, written out:
    n_eff = p (1 - p) / se^2 * (qt(alpha/2, n_rows - 1) / qt(alpha/2, df))^2, then
    qbeta(alpha/2, n_eff p, n_eff (1 - p) + 1) and qbeta(1 - alpha/2, n_eff p + 1, n_eff (1 - p)).
    """
    from scipy import stats

    a = 1 - level
    ne = p * (1 - p) / se**2 * (stats.t.ppf(a / 2, n_rows - 1) / stats.t.ppf(a / 2, dfree)) ** 2
    return stats.beta.ppf(a / 2, ne * p, ne * (1 - p) + 1), stats.beta.ppf(
        1 - a / 2, ne * p + 1, ne * (1 - p))


def _check_korn_graubard_on_calibrated_domain(row, d, name, call, dom):
    """R subsets a calibrated design by giving the other rows weight 0 (it keeps them), so its
    svyciprop(method = "beta") then counts the whole sample's rows (nrow(design) - 1) where, on
    an uncalibrated design, it counts the domain's. polls counts the domain's rows on both.

    Both halves are checked: R's bounds are Korn-Graubard with the whole sample's row count, and
    polls' are Korn-Graubard with the domain's, from R's estimate and SE."""
    p, se = ref(name, call, "estimate", dom), ref(name, call, "se", dom)
    r_lo, r_hi = _korn_graubard(p, se, len(d), row["df"])
    close(r_lo, name, call, "ci_low", dom)
    close(r_hi, name, call, "ci_high", dom)
    lo, hi = _korn_graubard(p, se, row["n"], row["df"])
    np.testing.assert_allclose([row["ci_low"], row["ci_high"]], [lo, hi], rtol=RTOL)


def test_domain_variance_is_not_subsetting():
    """A domain's SE keeps the strata and PSUs where the domain is absent (zero scores)."""
    data, kw = SPECS["synthetic"]
    df = _data(data)
    d = SurveyDesign(df, **kw)
    dom = d.mean("y", by="a").set_index("a")
    sub = df[df["a"] == "a1"]
    naive = SurveyDesign(sub, strata="stratum", cluster="psu", weights="w",
                         lonely_psu="certainty").mean("y").iloc[0]
    assert dom.loc["a1", "estimate"] == pytest.approx(naive["estimate"], rel=1e-12)
    assert dom.loc["a1", "se"] != pytest.approx(naive["se"], rel=1e-6)


# --------------------------------------------------------------------------- tables and tests


def test_crosstab_cells_rows_and_columns(tabled):
    name, d = tabled
    v = _vars(name)
    r, c = v["row"], v["col"]
    tab = d.crosstab(r, c)
    assert set(tab["share"]) == {"cell", "row", "column"}
    for _, row in tab.iterrows():
        rv, cv = str(row[r]), str(row[c])
        if row["share"] == "cell":
            call = f'svymean(~as.numeric({r} == "{rv}" & {c} == "{cv}"), d, deff = TRUE)'
            close(row["estimate"], name, call, "estimate", rv, cv)
            close(row["se"], name, call, "se", rv, cv)
            close(row["deff"], name, call, "deff", rv, cv)
            call = f'svyciprop(~I({r} == "{rv}" & {c} == "{cv}"), d, method = "logit")'
            close(row["ci_low"], name, call, "ci_low", rv, cv, rtol=RTOL_GLM)
            close(row["ci_high"], name, call, "ci_high", rv, cv, rtol=RTOL_GLM)
            close(row["weighted_count"], name, f"svytable(~{r} + {c}, d)", "weighted_count",
                  rv, cv)
        else:
            if row["share"] == "row":
                call = (f'svyby(~I({c} == "{cv}"), ~{r}, d, svyciprop, method = "logit", '
                        'vartype = c("se", "ci"))')
            else:
                call = (f'svyby(~I({r} == "{rv}"), ~{c}, d, svyciprop, method = "logit", '
                        'vartype = c("se", "ci"))')
            close(row["se"], name, call, "se", rv, cv, atol=1e-15)
            for stat in ("estimate", "ci_low", "ci_high"):
                close(row[stat], name, call, stat, rv, cv, rtol=RTOL_GLM, atol=1e-15)


def test_rao_scott_f_and_chisq(tabled):
    name, d = tabled
    v = _vars(name)
    r, c = v["row"], v["col"]
    call = f'svychisq(~{r} + {c}, d, statistic = "F")'
    res = d.chisq(r, c, statistic="F")
    close(res.statistic, name, call, "statistic")
    close(res.pvalue, name, call, "pvalue")
    close(res.df, name, call, "ndf")
    close(res.ddf, name, call, "ddf")
    call = f'svychisq(~{r} + {c}, d, statistic = "Chisq")'
    res2 = d.chisq(r, c, statistic="Chisq")
    # R 4.1.1 prints Pearson's statistic and takes the p-value from Pearson / mean(diag(Delta))
    close(res2.pearson, name, call, "statistic")
    close(res2.pvalue, name, call, "pvalue")
    close(res2.df, name, call, "df")
    # the first-order corrected statistic is Pearson / mean eigenvalue = F * (r-1)(c-1)
    assert res2.statistic == pytest.approx(res.statistic * res2.df, rel=1e-12)
    frame = res.to_frame()
    assert list(frame.columns[:2]) == ["statistic", "pvalue"]


# --------------------------------------------------------------------------- raking


@pytest.mark.parametrize("name", list(RAKED))
def test_raked_weights_match_r(name):
    d = _design(name)
    expected = RAKED_W.loc[RAKED_W["design"] == name, "weight"].to_numpy()
    np.testing.assert_allclose(
        d.weights.to_numpy(), expected, rtol=RTOL,
        err_msg=f"{name}: R `{ref_call(name)}` then weights(d)",
    )
    assert d.rake_result.converged


def ref_call(name: str) -> str:
    return REF.loc[(REF["design"] == name) & (REF["call"] == "rake"), "level"].iloc[0]


def test_raking_changes_ses_but_not_the_base_design():
    base = _design("apiclus1")
    before = base.mean("api00").iloc[0]["se"]
    raked = base.rake({v: MARGINS[v] for v in ("stype", "sch.wide")})
    assert base.mean("api00").iloc[0]["se"] == before
    assert raked.mean("api00").iloc[0]["se"] != pytest.approx(before, rel=1e-3)
    assert not np.allclose(raked.weights, base.weights)
    assert "raked" in repr(raked)


def test_raking_a_matching_sample_keeps_weights_and_ses():
    """Raking to margins the weighted sample already has changes neither weights nor means."""
    data, kw = SPECS["synthetic"]
    df = _data(data)
    d = SurveyDesign(df, **kw)
    w = d.weights
    targets = {v: w.groupby(df[v]).sum().to_dict() for v in ("a", "b")}
    raked = d.rake(targets, tol=1e-12)
    np.testing.assert_allclose(raked.weights, w, rtol=1e-10)
    assert raked.mean("y").iloc[0]["estimate"] == pytest.approx(
        d.mean("y").iloc[0]["estimate"], rel=1e-10
    )


# --------------------------------------------------------------------------- other checks


def test_linearized_variance_is_the_core():
    d = _design("synthetic")
    df = d.data
    w = d.weights.to_numpy()
    m = d.mean("y").iloc[0]
    z = (df["y"].to_numpy() - m["estimate"]) / w.sum()
    assert d.linearized_variance(z) == pytest.approx(m["se"] ** 2, rel=1e-12)
    cov = d.linearized_variance(np.column_stack([z, 2 * z]))
    assert cov.shape == (2, 2)
    assert cov[1, 1] == pytest.approx(4 * m["se"] ** 2, rel=1e-12)
    with pytest.raises(InvalidArgumentError, match="scores"):
        d.linearized_variance(z[:-1])


def test_srs_without_fpc_matches_textbook():
    """Equal weights, no strata, no clusters: var(mean) = s^2 / n."""
    rng = np.random.default_rng(7)  # synthetic
    y = rng.normal(size=40)
    res = SurveyDesign(pd.DataFrame({"y": y})).mean("y", df=math.inf).iloc[0]
    assert res["se"] == pytest.approx(y.std(ddof=1) / math.sqrt(40), rel=1e-12)
    from scipy import stats

    q = stats.norm.ppf(0.975)
    assert res["ci_low"] == pytest.approx(y.mean() - q * res["se"], rel=1e-12)


def test_wilson_matches_statsmodels_at_the_effective_size():
    """Wilson's score interval at n_eff = p(1-p)/var and the t quantile (statsmodels' wilson)."""
    from scipy import stats
    from statsmodels.stats.proportion import proportion_confint

    d = _design("apiclus1")
    res = d.proportion("sch.wide", "Yes", method="wilson").iloc[0]
    p, se, dfree = res["estimate"], res["se"], res["df"]
    n_eff = p * (1 - p) / se**2
    q = stats.t.ppf(0.975, dfree)
    alpha = 2 * stats.norm.sf(q)  # the normal tail that gives the same quantile
    lo, hi = proportion_confint(p * n_eff, n_eff, alpha=alpha, method="wilson")
    assert res["ci_low"] == pytest.approx(lo, rel=1e-10)
    assert res["ci_high"] == pytest.approx(hi, rel=1e-10)


def test_result_columns_and_levels():
    d = _design("apistrat")
    out = d.proportion("awards", by="stype")
    assert list(out.columns[:2]) == ["stype", "level"]
    assert list(out.columns[2:12]) == [
        "estimate", "ci_low", "ci_high", "confidence_level", "se", "n", "n_eff", "method",
        "deff", "df",
    ]
    sums = out.groupby("stype")["estimate"].sum()
    np.testing.assert_allclose(sums, 1.0)
    assert out["n"].groupby(out["stype"]).first().sum() == len(d)


def test_missing_values_are_a_domain_not_dropped_silently():
    df = _data("apistrat")
    df.loc[df.index[:5], "api00"] = np.nan
    d = SurveyDesign(df, strata="stype", weights="pw", fpc="fpc")
    res = d.mean("api00").iloc[0]
    assert res["n"] == len(df) - 5
    full = SurveyDesign(df.dropna(subset=["api00"]), strata="stype", weights="pw", fpc="fpc")
    # same estimate; the domain's SE uses the design's PSU counts per stratum
    assert res["estimate"] == pytest.approx(full.mean("api00").iloc[0]["estimate"], rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights": "nope"}, "not a column"),
        ({"weights": [1.0, 2.0]}, "one value per row"),
        ({"strata": "stype", "fpc": "mixed"}, "population sizes"),
        ({"strata": "stype", "fpc": "varies"}, "varies within stratum"),
        ({"strata": "stype", "fpc": "small"}, "more than 100%"),
        ({"weights": "negw"}, "positive"),
        ({"strata": "lonely"}, "only one PSU"),
        ({"lonely_psu": "bogus"}, "lonely_psu"),
    ],
)
def test_bad_arguments(kwargs, match):
    df = _data("apistrat")
    df["mixed"] = np.where(df["stype"] == "E", 0.5, 100.0)
    df["varies"] = df["fpc"] + np.arange(len(df)) % 2
    df["small"] = 3.0
    df["negw"] = df["pw"].where(df.index != 3, -1.0)
    df["lonely"] = np.where(df.index == 0, "alone", "rest")
    with pytest.raises(InvalidArgumentError, match=match):
        SurveyDesign(df, **kwargs)


def test_bad_method_level_and_column():
    d = _design("apistrat")
    with pytest.raises(InvalidArgumentError, match="method"):
        d.proportion("sch.wide", "Yes", method="wald")
    with pytest.raises(InvalidArgumentError, match="does not occur"):
        d.proportion("sch.wide", "Maybe")
    with pytest.raises(InvalidArgumentError, match="numeric"):
        d.mean("stype")
    with pytest.raises(InvalidArgumentError, match="not a column"):
        d.mean("nope")
    with pytest.raises(InvalidArgumentError, match="statistic"):
        d.chisq("stype", "awards", statistic="G")


def test_lonely_psu_options():
    df = _data("apistrat")
    df["lonely"] = np.where(df.index == 0, "alone", df["stype"])
    cert = SurveyDesign(df, strata="lonely", weights="pw", lonely_psu="certainty")
    rem = SurveyDesign(df, strata="lonely", weights="pw", lonely_psu="remove")
    avg = SurveyDesign(df, strata="lonely", weights="pw", lonely_psu="average")
    a = cert.mean("api00").iloc[0]["se"]
    assert rem.mean("api00").iloc[0]["se"] == a
    # average: the sum over the other strata scaled by strata / strata with a variance
    assert avg.mean("api00").iloc[0]["se"] == pytest.approx(a * math.sqrt(4 / 3), rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=6, max_value=40),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
)
def test_property_shares_sum_to_one_and_scale_invariance(n, seed):
    """Level shares sum to 1; scaling all weights changes neither shares nor their SEs."""
    rng = np.random.default_rng(seed)  # synthetic
    df = pd.DataFrame({
        "g": rng.choice(["a", "b", "c"], size=n),
        "h": np.repeat(["s1", "s2"], [n // 2, n - n // 2]),
        "w": rng.uniform(0.5, 3.0, size=n),
    })
    d = SurveyDesign(df, weights="w", strata="h")
    d2 = SurveyDesign(df.assign(w=df["w"] * 7.5), weights="w", strata="h")
    a = d.proportion("g")
    b = d2.proportion("g")
    assert a["estimate"].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)
    np.testing.assert_allclose(a["se"], b["se"], rtol=1e-9, atol=1e-15)
    assert (a["ci_low"] <= a["estimate"] + 1e-12).all()
    assert (a["ci_high"] >= a["estimate"] - 1e-12).all()


def test_exported():
    assert polls.SurveyDesign is SurveyDesign


# --------------------------------------------------------------------------- deff="replace"
# tests/fixtures/r_deff_replace.csv comes from scripts/r/deff_replace.R: weights scaled to the
# sample size (sum = n), where R's default comparison (without replacement from a population of
# the weights' sum) is undefined and polls compares with sampling with replacement, as
# svymean(..., deff="replace") does. The R call is in the fixture's `call` column.
DEFF_REPLACE = pd.read_csv(FIX / "r_deff_replace.csv")


def _scaled(name: str) -> SurveyDesign:
    data = _data(name[: -len("_scaled")])
    w = data["pw"] * len(data) / data["pw"].sum()
    if name == "apistrat_scaled":
        return SurveyDesign(data.assign(wn=w), weights="wn", strata="stype")
    return SurveyDesign(data.assign(wn=w), weights="wn", cluster="dnum")


@pytest.mark.parametrize("row", DEFF_REPLACE.to_dict("records"), ids=lambda r: r["call"][:60])
def test_deff_with_replacement_for_weights_scaled_to_the_sample(row):
    design = _scaled(row["design"])
    if row["statistic"].startswith("mean"):
        got = design.mean(row["statistic"].split()[1]).iloc[0]
    else:
        got = design.proportion("comp.imp", "Yes", method="mean").iloc[0]
    assert got["estimate"] == pytest.approx(row["estimate"], rel=1e-10), row["call"]
    assert got["se"] == pytest.approx(row["se"], rel=1e-8), row["call"]
    assert got["deff"] == pytest.approx(row["deff"], rel=1e-8), row["call"]
    assert got["n_eff"] == pytest.approx(got["n"] / row["deff"], rel=1e-8)


def test_likelihood_interval_at_extreme_confidence_stays_finite_and_ordered():
    # synthetic 0/1 outcome; at 0.999999 the bound's mean rounds to 1 in floating point
    df = pd.DataFrame({"y": [1, 0, 1, 1, 0, 1, 0, 1]})
    design = polls.SurveyDesign(df)
    narrow = design.proportion("y", method="likelihood", confidence_level=0.95).iloc[0]
    wide = design.proportion("y", method="likelihood", confidence_level=0.999999).iloc[0]
    assert 0 <= wide["ci_low"] < narrow["ci_low"] < wide["estimate"] < narrow["ci_high"]
    assert narrow["ci_high"] < wide["ci_high"] <= 1
