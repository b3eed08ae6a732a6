"""Multistage, PPS, zero-weight, lonely-PSU and replicate designs against R's survey 4.1.1.

Reference values come from scripts/r/engine_reference.R (tests/fixtures/r_engine_reference.csv);
each carries the R call that produced it (column ``call``, run on the design named in
``design``), and each comparison names that call in its failure message. The data are R's own
example data sets (apiclus2, apistrat, apiclus1, mu284, election_pps, scd), exported by the same
script; replicate weights that R draws at random (the bootstrap) or that ship with a file are
exported too, so the Python side reads exactly R's weights.
"""

from __future__ import annotations

import functools
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import polls
from polls import InvalidArgumentError, ReplicateDesign, SurveyDesign
from polls.errors import InferenceWarning

FIX = Path(__file__).parent / "fixtures"


def _data(name: str) -> pd.DataFrame:
    """A data set exported by scripts/r/survey_reference.R."""
    return pd.read_csv(FIX / f"r_survey_{name}.csv")

RTOL = 1e-8
#: R's "logit" interval comes from svyglm's IRLS fit, which stops at a relative deviance change
#: of 1e-8 (see tests/test_design.py); measured differences here are below 1e-7.
RTOL_GLM = 1e-6

REF = pd.read_csv(FIX / "r_engine_reference.csv", dtype=str, keep_default_na=False).assign(
    value=lambda f: pd.to_numeric(f["value"], errors="coerce")
)
_KEYS = ["design", "call", "stat", "domain", "level"]
assert not REF.duplicated(_KEYS).any()
_LOOKUP = dict(zip(map(tuple, REF[_KEYS].to_numpy()), REF["value"], strict=True))


def _fixture(name: str) -> pd.DataFrame:
    return pd.read_csv(FIX / f"r_engine_{name}.csv")


def ref(design, call, stat, domain="", level=""):
    key = (design, call, stat, domain, level)
    assert key in _LOOKUP, f"no reference for {key}"
    return _LOOKUP[key]


def close(actual, design, call, stat, domain="", level="", rtol=RTOL, atol=0.0):
    np.testing.assert_allclose(actual, ref(design, call, stat, domain, level), rtol=rtol,
                               atol=atol, err_msg=f"{design}: R `{call}` [{stat} {domain} {level}]")


def close_ci(row, design, call, stat, domain="", rtol=RTOL):
    """An interval end; where the share is 0 or 1, R's transformed intervals are NaN (its
    delta method divides by zero) and polls gives the degenerate interval at the estimate."""
    expected = ref(design, call, stat, domain)
    if math.isnan(expected) and row["estimate"] in (0.0, 1.0):
        assert row[stat] == row["estimate"], f"{design}: R `{call}` [{stat} {domain}]"
    else:
        close(row[stat], design, call, stat, domain, rtol=rtol)


def _apistrat_zero() -> pd.DataFrame:
    df = _data("apistrat")
    return df.assign(pw0=np.where(np.arange(1, len(df) + 1) % 10 == 1, 0.0, df["pw"]))


def _scd_brr_given() -> ReplicateDesign:
    reps = 2 * np.column_stack([[1, 0, 1, 0, 1, 0], [1, 0, 0, 1, 0, 1], [0, 1, 1, 0, 0, 1],
                                [0, 1, 0, 1, 1, 0]])
    with pytest.warns(InferenceWarning, match="full-sample weights"):
        return ReplicateDesign(_fixture("scd"), replicate_weights=reps, type="BRR",
                               combined_weights=False)


@functools.cache
def design(name: str):
    clus2 = _fixture("apiclus2")
    strat = _data("apistrat")
    clus1 = _data("apiclus1")
    boot_w = _fixture("repweights_boot").drop(columns="row")
    boot_scale = ref("apiclus1_boot", "boot$scale", "scale")
    scd = SurveyDesign(_fixture("scd"), strata="ESA", cluster="ambulance")
    hadamard = _fixture("hadamard").to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InferenceWarning)  # R warns of the dropped fpc too
        builders = {
            "apiclus2": lambda: SurveyDesign(clus2, cluster=["dnum", "snum"],
                                             fpc=["fpc1", "fpc2"]),
            "apiclus2_pw": lambda: SurveyDesign(clus2, cluster=["dnum", "snum"],
                                                fpc=["fpc1", "fpc2"], weights="pw"),
            "apiclus2_nofpc": lambda: SurveyDesign(clus2, cluster=["dnum", "snum"],
                                                   weights="pw"),
            "mu284": lambda: SurveyDesign(_fixture("mu284"), cluster=["id1", "id2"],
                                          fpc=["n1", "n2"]),
            "election_pps": lambda: SurveyDesign(_fixture("election_pps"), fpc="p",
                                                 pps="brewer"),
            "apistrat_zero": lambda: SurveyDesign(_apistrat_zero(), strata="stype",
                                                  weights="pw0", fpc="fpc"),
            "apistrat_JKn": lambda: SurveyDesign(strat, strata="stype", weights="pw",
                                                 fpc="fpc").to_replicate("JKn"),
            "apistrat_JKn_given": lambda: ReplicateDesign(
                strat, replicate_weights=_fixture("repweights_jkn").drop(columns="row")
                .to_numpy(), weights="pw", type="JKn",
                rscales=_fixture("rscales_jkn")["rscale"].to_numpy()),
            "apiclus1_JK1": lambda: SurveyDesign(clus1, cluster="dnum", weights="pw",
                                                 fpc="fpc").to_replicate("JK1"),
            "apiclus1_boot": lambda: ReplicateDesign(
                clus1.join(boot_w), replicate_weights=r"^rep\d+$", weights="pw",
                type="bootstrap", scale=boot_scale),
            "apiclus1_boot_mse": lambda: ReplicateDesign(
                clus1.join(boot_w), replicate_weights=list(boot_w.columns), weights="pw",
                type="bootstrap", scale=boot_scale, mse=True),
            "apiclus1_sdr": lambda: ReplicateDesign(
                clus1, replicate_weights=boot_w.iloc[:, :20].to_numpy(), weights="pw",
                type="successive-difference"),
            "scd_brr_given": _scd_brr_given,
            "scd_BRR": lambda: scd.to_replicate("BRR", hadamard=hadamard),
            "scd_Fay": lambda: scd.to_replicate("Fay", fay_rho=0.3, hadamard=hadamard),
        }
        return builders[name]()


# variables of each design, as in the R script's estimates() calls
API_V = {"num": "api00", "by": "stype", "bin": "sch.wide", "row": "sch.wide", "col": "awards"}
VARS = {
    "apiclus2": {"num": "enroll", "by": "stype", "bin": "sch.wide", "row": "stype",
                 "col": "awards"},
    "apiclus2_pw": {"num": "api00", "by": "stype", "bin": "sch.wide", "row": "stype",
                    "col": "awards"},
    "apiclus2_nofpc": {"num": "api00", "by": "stype", "bin": "sch.wide"},
    "apistrat_zero": API_V,
    "apistrat_JKn": {"num": "api00", "by": "awards", "bin": "sch.wide", "row": "sch.wide",
                     "col": "comp.imp"},
    "apiclus1_JK1": API_V,
    "apiclus1_boot": API_V,
    "apiclus1_boot_mse": {"num": "api00", "by": "stype", "bin": "sch.wide"},
    "apiclus1_sdr": {"num": "api00", "by": "stype", "bin": "sch.wide"},
}
VARS["apistrat_JKn_given"] = VARS["apistrat_JKn"]
REF_NAME = {"apistrat_JKn_given": "apistrat_JKn"}
ESTIMATED = list(VARS)
TABLED = [n for n in ESTIMATED if "row" in VARS[n]]
PROPS = [(n, m) for n in ESTIMATED for m in ("logit", "asin", "mean", "beta")
         if (REF_NAME.get(n, n), f"svyciprop(~I({VARS[n]['bin']} == \"Yes\"), d, method = '{m}')",
             "estimate", "", "") in _LOOKUP]


@pytest.mark.parametrize("name", ESTIMATED)
def test_df_mean_total_and_domains(name):
    d, v, r = design(name), VARS[name], REF_NAME.get(name, name)
    close(d.degrees_of_freedom, r, "degf(d)", "df")
    for stat in ("mean", "total"):
        got = getattr(d, stat)(v["num"]).iloc[0]
        call = f"svy{stat}(~{v['num']}, d, na.rm = TRUE, deff = TRUE)"
        close(got["estimate"], r, call, "estimate")
        close(got["se"], r, call, "se")
        if isinstance(d, SurveyDesign):
            close(got["deff"], r, call, "deff")
        call = f"svyby(~{v['num']}, ~{v['by']}, d, svy{stat}, na.rm = TRUE)"
        for _, row in getattr(d, stat)(v["num"], by=v["by"]).iterrows():
            close(row["estimate"], r, call, "estimate", str(row[v["by"]]))
            close(row["se"], r, call, "se", str(row[v["by"]]))


def _replicates_at_the_edge(name: str, v: dict) -> set:
    """Domains where some replicate's share is 0 or 1 (replicate designs only)."""
    d = design(name)
    if not isinstance(d, ReplicateDesign):
        return set()
    reps = d.replicate_weights
    yes = (d.data[v["bin"]] == "Yes").to_numpy()
    out = set()
    for dom, rows in d.data.groupby(v["by"]).indices.items():
        share = (reps[rows] * yes[rows, None]).sum(0) / reps[rows].sum(0)
        if ((share == 0) | (share == 1)).any():
            out.add(str(dom))
    return out


@pytest.mark.parametrize(("name", "method"), PROPS)
def test_proportion_intervals(name, method):
    d, v, r = design(name), VARS[name], REF_NAME.get(name, name)
    rtol = RTOL_GLM if method == "logit" else RTOL
    call = f"svyciprop(~I({v['bin']} == \"Yes\"), d, method = '{method}')"
    got = d.proportion(v["bin"], "Yes", method=method).iloc[0]
    for stat in ("estimate", "se", "ci_low", "ci_high"):
        close_ci(got, r, call, stat, rtol=rtol)
    call = (f"svyby(~I({v['bin']} == \"Yes\"), ~{v['by']}, d, svyciprop, method = '{method}', "
            "vartype = 'ci')")
    for _, row in d.proportion(v["bin"], "Yes", method=method, by=v["by"]).iterrows():
        dom = str(row[v["by"]])
        if method == "logit" and dom in _replicates_at_the_edge(name, v):
            # a replicate share of 0 or 1: R's svyglm refit stops unconverged at an arbitrary
            # logit (R warns "algorithm did not converge"), polls keeps the delta method
            assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
            continue
        for stat in ("estimate", "se", "ci_low", "ci_high"):
            close_ci(row, r, call, stat, dom, rtol=rtol)


@pytest.mark.parametrize("name", TABLED)
def test_crosstab_and_chisq(name):
    d, v, r = design(name), VARS[name], REF_NAME.get(name, name)
    table = d.crosstab(v["row"], v["col"])
    cell = table[table["share"] == "cell"]
    call = f"svymean(~interaction({v['row']}, {v['col']}), d)"
    for _, row in cell.iterrows():
        lv = f"{row[v['row']]}.{row[v['col']]}"
        close(row["estimate"], r, call, "estimate", level=lv)
        close(row["se"], r, call, "se", level=lv)
    call = f"svyby(~{v['col']}, ~{v['row']}, d, svymean)"
    for _, row in table[table["share"] == "row"].iterrows():
        close(row["estimate"], r, call, "estimate", str(row[v["row"]]), str(row[v["col"]]))
        close(row["se"], r, call, "se", str(row[v["row"]]), str(row[v["col"]]))
    for st in ("F", "Chisq"):
        call = f"svychisq(~{v['row']} + {v['col']}, d, statistic = '{st}')"
        res = d.chisq(v["row"], v["col"], statistic=st)
        # R's "Chisq" result keeps Pearson's statistic (its p-value uses the corrected one)
        close(res.statistic if st == "F" else res.pearson, r, call, "statistic")
        close(res.pvalue, r, call, "pvalue", atol=1e-13)  # rounding noise in far tails
        close(res.df, r, call, "df")
        if st == "F":
            close(res.ddf, r, call, "ddf")


def test_weights_from_the_fpc_of_both_stages():
    call = "weights(svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2))"
    close(design("apiclus2").weights.sum(), "apiclus2", call, "weight_sum")
    # the derived weights are the product of N/n at the two stages, which is the file's pw
    np.testing.assert_allclose(design("apiclus2").weights, _fixture("apiclus2")["pw"], rtol=1e-3)


@pytest.mark.parametrize("stat", ["mean", "total"])
def test_mu284_two_stage(stat):
    d = design("mu284")
    got = getattr(d, stat)("y1").iloc[0]
    call = f"svy{stat}(~y1, svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284))"
    close(got["estimate"], "mu284", call, "estimate")
    close(got["se"], "mu284", call, "se")
    close(d.degrees_of_freedom, "mu284", "degf(d)", "df")


@pytest.mark.parametrize("stat", ["mean", "total"])
@pytest.mark.parametrize("var", ["Bush", "Kerry"])
def test_pps_brewer(stat, var):
    got = getattr(design("election_pps"), stat)(var).iloc[0]
    call = (f"svy{stat}(~{var}, svydesign(id = ~1, fpc = ~p, data = election_pps, "
            "pps = 'brewer'))")
    close(got["estimate"], "election_pps", call, "estimate")
    close(got["se"], "election_pps", call, "se")


@pytest.mark.parametrize("rule", ["adjust", "average", "certainty", "remove"])
def test_lonely_psu_rules(rule):
    df = _data("apistrat")
    df["lonely"] = np.where(np.arange(len(df)) == 0, "alone", df["stype"])
    got = SurveyDesign(df, strata="lonely", weights="pw", lonely_psu=rule).mean("api00").iloc[0]
    call = f"options(survey.lonely.psu = '{rule}'); svymean(~api00, d)"
    close(got["estimate"], f"apistrat_lonely_{rule}", call, "estimate")
    close(got["se"], f"apistrat_lonely_{rule}", call, "se")


@pytest.mark.parametrize("name", ["scd_brr_given", "scd_BRR", "scd_Fay"])
def test_brr_and_fay(name):
    d = design(name)
    for var in ("arrests", "alive"):
        for stat in ("mean", "total"):
            got = getattr(d, stat)(var).iloc[0]
            prefix = f"svy{stat}(~{var}, "
            call = next(c for c in REF.loc[REF["design"] == name, "call"]
                        if c.startswith(prefix))
            close(got["estimate"], name, call, "estimate")
            close(got["se"], name, call, "se")


@pytest.mark.parametrize("name", ["scd_BRR", "scd_Fay"])
def test_replicate_variance_of_any_estimator(name):
    """A ratio through the generic entry point, against R's svyratio on the same replicates."""
    d = design(name)
    alive, arrests = (d.data[c].to_numpy(float) for c in ("alive", "arrests"))
    v = d.replicate_variance(lambda w: np.sum(w * alive) / np.sum(w * arrests))
    call = next(c for c in REF.loc[REF["design"] == name, "call"] if c.startswith("svyratio"))
    close(math.sqrt(v), name, call, "se")
    close(d.degrees_of_freedom, name, "degf(d)", "df")


def test_replicate_variance_returns_a_matrix_for_vectors():
    d = design("apiclus1_JK1")
    y = d.data[["api00", "api99"]].to_numpy(float)
    cov = d.replicate_variance(lambda w: w @ y / w.sum())
    assert cov.shape == (2, 2)
    se = float(d.mean("api00")["se"].iloc[0])
    assert math.sqrt(cov[0, 0]) == pytest.approx(se, rel=1e-12)
    with pytest.raises(InvalidArgumentError, match="function of the weights"):
        d.replicate_variance(3.0)


def test_to_replicate_jkn_weights_are_rs():
    """The JKn replicates made here are R's, column for column (up to order)."""
    ours = design("apistrat_JKn").replicate_weights
    theirs = _fixture("repweights_jkn").drop(columns="row").to_numpy()
    assert ours.shape == theirs.shape
    key = lambda m: sorted(map(tuple, np.round(m.T, 9)))  # noqa: E731
    assert key(ours) == key(theirs)


def test_zero_weights_keep_their_psus():
    d = design("apistrat_zero")
    df = d.data
    assert (d.weights == 0).sum() == (df["pw0"] == 0).sum() > 0
    # n counts only the rows with a positive weight
    assert d.mean("api00")["n"].iloc[0] == int((df["pw0"] > 0).sum())
    with pytest.raises(InvalidArgumentError, match="all zero"):
        SurveyDesign(df, weights=np.zeros(len(df)))


def test_lonely_average_with_no_stratum_to_average_is_an_error():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "h": ["a", "b", "c"]})
    with pytest.raises(InvalidArgumentError, match="no stratum"):
        SurveyDesign(df, strata="h", lonely_psu="average")


def test_no_degrees_of_freedom_warns_instead_of_silent_nan():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "h": ["a", "a", "b", "b"],
                       "c": [1, 1, 2, 2]})
    d = SurveyDesign(df, strata="h", cluster="c", lonely_psu="certainty")
    with pytest.warns(InferenceWarning, match="no degrees of freedom"):
        out = d.mean("y")
    assert math.isnan(out["ci_low"].iloc[0])
    normal = d.mean("y", df=float("inf"))
    assert np.isfinite(normal["ci_low"].iloc[0])


def test_asin_interval_holds_the_estimate_on_small_clustered_designs():
    """R's svyciprop(method="asin") maps a negative lower end through sin(x)^2, so on small
    clustered designs its interval can exclude the estimate (here R's lower end is above it);
    polls cuts the transformed interval to [0, pi/2] first. Where R's interval is proper the
    two agree (test_proportion_intervals)."""
    small = pd.DataFrame({"c": np.repeat([1, 2, 3], 5), "y": [1, 1] + [0] * 13, "w": 1.0})
    got = SurveyDesign(small, cluster="c", weights="w").proportion("y", method="asin").iloc[0]
    call = ("svyciprop(~I(y == 1), svydesign(id = ~c, weights = ~w, data = small), "
            "method = 'asin')")
    close(got["estimate"], "asin_small", call, "estimate")
    close(got["se"], "asin_small", call, "se")
    close(got["ci_high"], "asin_small", call, "ci_high")
    assert ref("asin_small", call, "ci_low") > got["estimate"]  # R's defect
    assert got["ci_low"] == 0.0 <= got["estimate"] <= got["ci_high"]


def test_bad_designs():
    clus2 = _fixture("apiclus2")
    with pytest.raises(InvalidArgumentError, match="one column per sampling stage"):
        SurveyDesign(clus2, cluster=["dnum", "snum"], fpc="fpc1")
    with pytest.raises(InvalidArgumentError, match="inclusion probability"):
        SurveyDesign(_fixture("election_pps"), pps="brewer")
    with pytest.raises(InvalidArgumentError, match="pps"):
        SurveyDesign(_fixture("election_pps"), fpc="p", pps="sampford")
    with pytest.raises(InvalidArgumentError, match="inclusion probabilities"):
        SurveyDesign(clus2, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"], pps="brewer")
    strat = SurveyDesign(_data("apistrat"), strata="stype", weights="pw")
    with pytest.raises(InvalidArgumentError, match="JKn"):
        strat.to_replicate("JK1")
    with pytest.raises(InvalidArgumentError, match="two PSUs per stratum"):
        strat.to_replicate("BRR")
    with pytest.raises(InvalidArgumentError, match="needs strata"):
        design("mu284").to_replicate("JKn")


def test_replicate_design_arguments():
    df = _data("apiclus1")
    reps = design("apiclus1_JK1").replicate_weights
    with pytest.raises(InvalidArgumentError, match="type"):
        ReplicateDesign(df, replicate_weights=reps, weights="pw", type="jackknife")
    with pytest.raises(InvalidArgumentError, match="rho"):
        ReplicateDesign(df, replicate_weights=reps, weights="pw", type="Fay")
    with pytest.raises(InvalidArgumentError, match="rscales"):
        ReplicateDesign(df, replicate_weights=reps, weights="pw", type="JKn")
    with pytest.raises(InvalidArgumentError, match="matches no column"):
        ReplicateDesign(df, replicate_weights="^repw", weights="pw", type="JK1", scale=1.0)
    bad = reps.copy()
    bad[3, 2] = np.nan
    with pytest.raises(InvalidArgumentError, match="row 3"):
        ReplicateDesign(df, replicate_weights=bad, weights="pw", type="JK1", scale=1.0)
    with pytest.warns(InferenceWarning, match="taking n"):
        ReplicateDesign(df, replicate_weights=reps, weights="pw", type="JK1")


def test_bootstrap_replicates_approach_the_linearized_se():
    """Statistical check: 2000 rescaled-bootstrap replicates of a stratified design give an SE
    within 10% of linearisation (with replacement, which the bootstrap mimics)."""
    d = SurveyDesign(_data("apistrat"), strata="stype", weights="pw")
    boot = d.to_replicate("bootstrap", replicates=2000, seed=1)
    taylor = float(d.mean("api00")["se"].iloc[0])
    assert float(boot.mean("api00")["se"].iloc[0]) == pytest.approx(taylor, rel=0.1)
    again = d.to_replicate("bootstrap", replicates=2000, seed=1)
    np.testing.assert_array_equal(again.replicate_weights, boot.replicate_weights)


def test_exported():
    assert polls.ReplicateDesign is ReplicateDesign
    from polls.design import ReplicateDesign as R2
    from polls.design import SurveyDesign as S2

    assert R2 is ReplicateDesign and S2 is SurveyDesign


@pytest.mark.parametrize("name", ["apiclus2", "mu284", "election_pps"])
def test_linearized_variance_is_the_entry_point_for_every_design(name):
    """The scores of a mean through linearized_variance give R's SE on two-stage and PPS designs
    (the same variance the built-in estimates take from per-PSU totals)."""
    d = design(name)
    var = {"apiclus2": "enroll", "mu284": "y1", "election_pps": "Bush"}[name]
    y = d.data[var].to_numpy(float)
    ok = ~np.isnan(y)
    w = d.weights.to_numpy()
    mean = np.sum((w * y)[ok]) / w[ok].sum()
    scores = np.where(ok, (np.nan_to_num(y) - mean) / w[ok].sum(), 0.0)
    se = math.sqrt(d.linearized_variance(scores))
    assert se == pytest.approx(float(d.mean(var)["se"].iloc[0]), rel=1e-10)


@pytest.mark.parametrize("raked", [False, True])
def test_row_path_equals_the_per_psu_path(monkeypatch, raked):
    """Estimates computed from per-row scores in blocks (used for designs raked twice and for
    very many finest units) equal those from per-PSU cell totals (with the raking residuals
    taken from margin-level sums)."""
    d = design("apiclus2_pw")
    if raked:
        w = d.weights.to_numpy()
        total = w.sum()
        targets = {}  # synthetic margins, away from the sample's
        for v, tilt in (("stype", [1.3, 0.8, 1.0]), ("sch.wide", [0.9, 1.1])):
            sums = d.data.assign(w=w).groupby(v)["w"].sum() * tilt
            targets[v] = (sums / sums.sum() * total).to_dict()
        d = d.rake(targets, tol=1e-12, max_iter=1000)
    fast = (d.crosstab("stype", "awards"), d.mean("api00", by="stype"), d.chisq("stype", "awards"))
    import polls.design._taylor as taylor

    monkeypatch.setattr(taylor, "BLOCK_FLOATS", 10)
    slow = (d.crosstab("stype", "awards"), d.mean("api00", by="stype"), d.chisq("stype", "awards"))
    for a, b in zip(fast[:2], slow[:2], strict=True):
        pd.testing.assert_frame_equal(a, b, rtol=1e-12)
    assert slow[2].statistic == pytest.approx(fast[2].statistic, rel=1e-12)
