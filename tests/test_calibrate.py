"""SurveyDesign.calibrate against R's calibrate (scripts/r/models_reference.R, survey 4.1.1).

The one-stage cluster sample apiclus1 is calibrated to the apipop totals of school type and of
api99 with each calibration function R offers (linear, linear with bounds, raking, logit), and
apistrat to the population size and the api99 total; weights, estimates and their
calibration-aware standard errors (means, totals, domain means, a regression) are compared with
R's at 1e-8 relative. Each reference value carries its R call.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from polls import InvalidArgumentError, SurveyDesign
from polls.calibration import calibrate_weights, calibration_matrix

FIX = Path(__file__).parent / "fixtures"
RTOL = 1e-8
TOTALS = {"stype": {"E": 4421, "H": 755, "M": 1018}, "api99": 3914069}
#: fixture -> (design, calibrate() arguments)
CALIBRATIONS = {
    "linear": ("clus1", {"totals": TOTALS}),
    "linear_bounded": ("clus1", {"totals": TOTALS, "bounds": (0.5, 1.7)}),
    "raking": ("clus1", {"totals": TOTALS, "method": "raking"}),
    "logit": ("clus1", {"totals": TOTALS, "method": "logit", "bounds": (0.5, 2.2)}),
    "linear_strat": ("strat", {"totals": {"api99": 3914069}, "population_size": 6194}),
}


@functools.cache
def reference() -> pd.DataFrame:
    return pd.read_csv(FIX / "r_models_reference.csv", keep_default_na=False)


def for_fixture(fixture: str) -> pd.DataFrame:
    ref = reference()
    return ref[ref["fixture"] == fixture]


@functools.cache
def design(name: str) -> SurveyDesign:
    if name == "strat":
        df = pd.read_csv(FIX / "r_survey_apistrat.csv")
        return SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")
    df = pd.read_csv(FIX / "r_survey_apiclus1.csv")
    return SurveyDesign(df, weights="pw", cluster="dnum", fpc="fpc")


@functools.cache
def calibrated(name: str) -> SurveyDesign:
    dname, kwargs = CALIBRATIONS[name]
    return design(dname).calibrate(**kwargs)


def test_population_totals_are_those_r_used():
    ref = reference().query("fixture == 'calibrate_totals'")
    want = dict(zip(ref["term"], ref["value"].astype(float), strict=True))
    assert want == {"(Intercept)": 6194, "stypeH": 755, "stypeM": 1018, "api99": 3914069}


@pytest.mark.parametrize("name", list(CALIBRATIONS))
def test_calibrated_weights_match_r(name):
    ref = pd.read_csv(FIX / "r_models_calibrated_weights.csv").query("fixture == @name")
    cal = calibrated(name)
    np.testing.assert_allclose(cal.weights.to_numpy(), ref["weight"].to_numpy(), rtol=RTOL,
                               err_msg=CALIBRATIONS[name][1].__repr__())
    res = cal.calibration_result
    g = for_fixture("calibrate_" + name)
    want = dict(zip(g["stat"], g["value"], strict=False))
    assert res.g_min == pytest.approx(float(want["g_min"]), rel=RTOL)
    assert res.g_max == pytest.approx(float(want["g_max"]), rel=RTOL)
    np.testing.assert_allclose(res.totals["after"], res.totals["target"], rtol=1e-9)


@pytest.mark.parametrize("name", list(CALIBRATIONS))
def test_estimates_and_calibration_aware_ses_match_r(name):
    ref = for_fixture("calibrate_" + name)
    cal = calibrated(name)
    for row in ref.query("stat in ['estimate', 'se']").itertuples():
        est = cal.total(row.term) if row.call.startswith("svytotal") else cal.mean(row.term)
        got = float(est[row.stat].iloc[0])
        # the SE of a calibrated variable's own mean is zero up to rounding (1e-14 in R)
        assert got == pytest.approx(float(row.value), rel=RTOL, abs=1e-9), row.call
    by = cal.mean("api00", by="stype").set_index("stype")
    for row in ref.query("stat in ['estimate_by', 'se_by']").itertuples():
        column = "estimate" if row.stat == "estimate_by" else "se"
        assert by.loc[row.term, column] == pytest.approx(float(row.value), rel=RTOL), row.call
    fit = cal.glm("api00 ~ meals")
    for row in ref.query("stat in ['glm_coef', 'glm_se']").itertuples():
        term = "Intercept" if row.term == "(Intercept)" else row.term
        got = fit.params[term] if row.stat == "glm_coef" else fit.bse[term]
        assert got == pytest.approx(float(row.value), rel=RTOL), row.call


def test_raking_calibration_on_categories_equals_rake():
    # the same raking weights by Newton steps (calibrate) and by iterative fitting (rake)
    margins = {"stype": {"E": 4421, "H": 755, "M": 1018}, "comp.imp": {"No": 2534, "Yes": 3660}}
    d = design("clus1")
    via_calibrate = d.calibrate(margins, method="raking")
    via_rake = d.rake(margins, tol=1e-13)
    np.testing.assert_allclose(via_calibrate.weights, via_rake.weights, rtol=1e-9)
    assert repr(via_calibrate).endswith("calibrated)") and repr(via_rake).endswith("raked)")


def test_calibrating_a_raked_design_applies_both_projections_in_order():
    d = design("clus1").rake({"comp.imp": {"No": 2534, "Yes": 3660}})
    cal = d.calibrate({"api99": 3914069}, population_size=6194)
    assert len(cal._calibration) == 2 and cal.rake_result is d.rake_result
    assert cal.weights.sum() == pytest.approx(6194, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"totals": {"stype": {"E": 4421, "H": 755}}}, "level\\(s\\) \\['M'\\] in the data"),
        ({"totals": {"stype": {"E": 1, "H": 2, "M": 3, "X": 4}}}, "\\['X'\\] with no respondents"),
        ({"totals": {"stype": 6194}}, "give a total per level"),
        ({"totals": {"api99": "lots"}}, "finite number"),
        ({"totals": {"income": 5}}, "not a column"),
        ({"totals": TOTALS, "method": "logit"}, "needs finite bounds"),
        ({"totals": TOTALS, "bounds": (1.2, 2)}, "lower <= 1 <= upper"),
        ({"totals": TOTALS, "bounds": ("a", 2)}, "pair \\(lower, upper\\)"),
        ({"totals": TOTALS, "bounds": (0.95, 1.05)}, "did not meet the totals"),
        ({"totals": TOTALS, "population_size": 7000}, "sum to 6194"),
        ({"totals": {}}, "non-empty"),
        ({"totals": TOTALS, "method": "ratio"}, "method"),
    ],
)
def test_bad_calibration_arguments_raise_clear_errors(kwargs, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(InvalidArgumentError, match=match):
            design("clus1").calibrate(**kwargs)


@st.composite
def problems(draw):
    n = draw(st.integers(30, 120))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    k = draw(st.integers(2, 4))
    group = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
    x = rng.normal(10, 2, n)
    w = rng.lognormal(3, 0.3, n)
    df = pd.DataFrame({"g": group, "x": x})
    # targets near the sample's own totals, so that bounded solutions exist
    shares = rng.dirichlet(np.full(k, 20.0)) * 0.2 + 0.8 * np.bincount(group, w) / w.sum()
    size = w.sum() * rng.uniform(0.95, 1.05)
    totals = {"g": dict(enumerate(shares * size)), "x": float(x @ w * size / w.sum())}
    return df, w, totals


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from(["linear", "raking", "logit"]))
def test_property_calibration_meets_totals_within_bounds(problem, method):
    df, w, totals = problem
    X, pop, _ = calibration_matrix(df, totals)
    bounds = (0.3, 3.0)
    g, _, err = calibrate_weights(X, w, pop, method, bounds, tol=1e-10)
    assume(err < 1e-10)  # hypothesis fails the test if too few examples get here
    np.testing.assert_allclose(X.T @ (w * g), pop, rtol=1e-8)
    assert g.min() >= 0.3 - 1e-12 and g.max() <= 3.0 + 1e-12
