"""SurveyDesign.quantile against R's svyquantile (scripts/r/models_reference.R, survey 4.1.1).

R's reference values (tests/fixtures/r_models_reference.csv) carry the call that produced them;
failures name it. Every rule of R's ``qrule=`` is checked on a stratified (apistrat) and a
clustered (apiclus1) design, with R's default Woodruff interval (``interval.type = "mean"``).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polls import InvalidArgumentError, SurveyDesign
from polls.quantiles import QUANTILE_RULES, weighted_quantile

FIX = Path(__file__).parent / "fixtures"
RTOL = 1e-8
STATS = ("estimate", "ci_low", "ci_high", "se")


@functools.cache
def reference() -> pd.DataFrame:
    return pd.read_csv(FIX / "r_models_reference.csv", keep_default_na=False)


@functools.cache
def design(name: str) -> SurveyDesign:
    if name == "dstrat":
        df = pd.read_csv(FIX / "r_survey_apistrat.csv")
        return SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")
    df = pd.read_csv(FIX / "r_survey_apiclus1.csv")
    return SurveyDesign(df, weights="pw", cluster="dnum", fpc="fpc")


def check(got: pd.DataFrame, ref: pd.DataFrame, key) -> None:
    for row in ref.itertuples():
        want = float(row.value)
        value = got.loc[key(row), row.stat]
        if np.isnan(want):
            assert np.isnan(value), f"{row.call}: {row.term} {row.stat}"
        else:
            assert value == pytest.approx(want, rel=RTOL), f"{row.call}: {row.term} {row.stat}"


@pytest.mark.parametrize("rule", QUANTILE_RULES)
@pytest.mark.parametrize("name", ["dstrat", "dclus1"])
def test_every_rule_matches_svyquantile(name, rule):
    ref = reference()
    ref = ref[(ref["fixture"] == f"quantile_{name}") & ref["term"].str.startswith(rule + "|")]
    assert len(ref) == 20
    got = design(name).quantile("api00", [0.1, 0.25, 0.5, 0.75, 0.9], rule=rule)
    assert (got["rule"] == rule).all() and (got["method"] == "woodruff").all()
    got = got.set_index("q")
    check(got, ref, lambda row: float(row.term.split("|")[1]))


@pytest.mark.parametrize("interval", ["xlogit", "asin", "beta"])
@pytest.mark.parametrize("name", ["dstrat", "dclus1"])
def test_interval_types_match_svyquantile(name, interval):
    ref = reference()
    ref = ref[(ref["fixture"] == f"quantile_interval_{name}")
              & ref["term"].str.startswith(interval + "|")]
    assert len(ref) == 20
    got = design(name).quantile("api00", [0.1, 0.25, 0.5, 0.75, 0.9], interval=interval)
    assert (got["method"] == f"woodruff-{interval}").all()
    check(got.set_index("q"), ref, lambda row: float(row.term.split("|")[1]))


def test_confidence_level_matches_svyquantile_alpha():
    ref = reference().query("fixture == 'quantile_level'")
    got = design("dstrat").quantile("enroll", 0.5, confidence_level=0.9).set_index("q")
    check(got, ref, lambda row: 0.5)
    assert (got["confidence_level"] == 0.9).all()


def test_domains_match_svyby_svyquantile():
    # svyby reports the estimate and R's se (its confint() is a normal interval on that se,
    # not the Woodruff interval, so only these two are compared)
    ref = reference().query("fixture == 'quantile_by'")
    got = design("dclus1").quantile("api00", [0.25, 0.5], by="stype").set_index(["stype", "q"])
    check(got, ref, lambda row: (row.term.split("|")[0], float(row.term.split("|")[1])))
    # an interval end whose share leaves [0, 1] is nan, as in R (H and M at 0.25)
    assert np.isnan(got.loc[("H", 0.25), "ci_low"]) and np.isnan(got.loc[("H", 0.25), "se"])


def test_unweighted_hf7_and_hf1_equal_numpy():
    rng = np.random.default_rng(5)
    x = rng.normal(size=57)
    probs = [0.0, 0.1, 0.33, 0.5, 0.9, 1.0]
    ones = np.ones_like(x)
    np.testing.assert_allclose(weighted_quantile(x, ones, probs, rule="hf7"),
                               np.quantile(x, probs, method="linear"), rtol=1e-12)
    np.testing.assert_allclose(weighted_quantile(x, ones, probs[1:], rule="math"),
                               np.quantile(x, probs[1:], method="inverted_cdf"), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 60), st.integers(0, 2**32 - 1), st.floats(0.0, 1.0),
       st.sampled_from(QUANTILE_RULES))
def test_property_quantile_lies_within_the_data_and_grows_with_q(n, seed, p, rule):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n).round(1)  # ties included
    w = rng.lognormal(size=n)
    a, b = weighted_quantile(x, w, [p * 0.5, p], rule=rule)
    if rule != "hf4":  # R's hf4 extrapolates below the first value's share of the weight
        assert x.min() <= a <= x.max() and x.min() <= b <= x.max()
    if rule not in ("hf3", "shahvaish"):  # R's hf3 and Shah-Vaish rules need not be monotone
        assert a <= b + 1e-12


def test_missing_values_are_left_out_and_bad_input_is_named():
    df = pd.DataFrame({"y": [1.0, np.nan, 3.0, 4.0, 2.0, 6.0]})
    d = SurveyDesign(df)
    got = d.quantile("y", 0.5)
    assert got["n"].iloc[0] == 5 and got["estimate"].iloc[0] == 3.0
    with pytest.raises(InvalidArgumentError, match="0.5 for the median, not 50"):
        d.quantile("y", 50)
    with pytest.raises(InvalidArgumentError, match="rule"):
        d.quantile("y", 0.5, rule="hf10")
    with pytest.raises(InvalidArgumentError, match="not a column"):
        d.quantile("income", 0.5)
    with pytest.raises(InvalidArgumentError, match="non-negative"):
        weighted_quantile([1.0, 2.0], [1.0, -1.0], 0.5)


def test_rows_of_weight_zero_are_left_out_as_r_does():
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=30), rng.lognormal(size=30)
    w[:5] = 0.0
    for rule in QUANTILE_RULES:
        np.testing.assert_array_equal(weighted_quantile(x, w, [0.2, 0.5], rule=rule),
                                      weighted_quantile(x[5:], w[5:], [0.2, 0.5], rule=rule))
