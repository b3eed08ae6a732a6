"""Tests of polls.listexp: references are scipy, statsmodels, R's survey package (fixtures from
scripts/r/list.R), the formulas of Blair & Imai (2012) and Imai (2011), and seeded simulations
with known truth (all data here are synthetic unless a published figure is named)."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import polls
from polls.errors import InferenceWarning, InvalidArgumentError, PollsWarning
from polls.listexp import chi_bar_squared_weights
from polls.listexp._design_test import _type_shares

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "listexp"


def simulate(n, j, p_control, prevalence, rng, design_effect=0.0):
    """Synthetic standard list experiment; design_effect = chance that a treated respondent
    who does *not* hold the sensitive view drops one control item once the sensitive item is
    added (a contrast effect; 0 = the no-design-effect assumption holds)."""
    t = rng.integers(0, 2, n).astype(bool)
    ystar = rng.binomial(j, p_control, n)
    z = rng.random(n) < prevalence
    drop = t & ~z & (ystar > 0) & (rng.random(n) < design_effect)
    y = ystar - drop + t * z
    return pd.DataFrame({"count": y, "treatment": t.astype(int)})


def freqs(df, j):
    fc = np.bincount(df.loc[df.treatment == 0, "count"], minlength=j + 1)
    ft = np.bincount(df.loc[df.treatment == 1, "count"], minlength=j + 2)
    return fc, ft


@pytest.fixture(scope="module")
def synthetic():
    return pd.read_csv(FIXTURES / "listexp_synthetic.csv")


@pytest.fixture(scope="module")
def r_ref():
    return json.loads((FIXTURES / "listexp_survey.json").read_text())


# ------------------------------------------------------------------ difference in means


def test_plain_matches_scipy_welch(synthetic):
    from scipy import stats

    res = polls.list_experiment(synthetic, count="count", treatment="treatment", n_items=3)
    y, t = synthetic["count"].to_numpy(), synthetic["treatment"].to_numpy() == 1
    ref = stats.ttest_ind(y[t], y[~t], equal_var=False)  # Welch two-sample t
    assert res.estimate == pytest.approx(y[t].mean() - y[~t].mean(), rel=1e-12)
    assert res.estimate / res.se == pytest.approx(ref.statistic, rel=1e-10)
    assert res.df == pytest.approx(ref.df, rel=1e-10)
    lo, hi = ref.confidence_interval(0.95)
    assert tuple(res.confidence_interval()) == pytest.approx((lo, hi), rel=1e-10)


def test_plain_matches_statsmodels_and_r(synthetic, r_ref):
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    y, t = synthetic["count"].to_numpy(float), synthetic["treatment"].to_numpy() == 1
    cm = CompareMeans(DescrStatsW(y[t]), DescrStatsW(y[~t]))
    res = polls.list_experiment(synthetic, n_items=3, confidence_level=0.9)
    assert res.se == pytest.approx(cm.std_meandiff_separatevar, rel=1e-12)
    assert tuple(res.confidence_interval()) == pytest.approx(
        cm.tconfint_diff(alpha=0.1, usevar="unequal"), rel=1e-10)
    # R: t.test(count[treatment == 1], count[treatment == 0], var.equal = FALSE)
    w = r_ref["welch"]
    res95 = polls.list_experiment(synthetic, n_items=3)
    assert res95.estimate == pytest.approx(w["estimate"], rel=1e-12)
    assert res95.se == pytest.approx(w["se"], rel=1e-10)
    assert tuple(res95.confidence_interval()) == pytest.approx(w["ci"], rel=1e-10)


def test_weighted_matches_r_survey(synthetic, r_ref):
    # R: svyby(~count, ~treatment, svydesign(ids=~1, weights=~w), svymean) + svycontrast
    res = polls.list_experiment(synthetic, n_items=3, weights="w")
    assert res.estimate == pytest.approx(r_ref["weighted"]["estimate"], rel=1e-12)
    assert res.se == pytest.approx(r_ref["weighted"]["se"], rel=1e-10)
    same = polls.list_experiment(synthetic, n_items=3, weights=synthetic["w"].to_numpy())
    assert same.se == res.se


def test_weighted_by_group_matches_r_survey_domains(synthetic, r_ref):
    # R: svyby(~count, ~treatment + group, svydesign(ids=~1, weights=~w), svymean) +
    # svycontrast: subgroups are domains, so the variance uses the whole sample's size
    by = polls.list_experiment(synthetic, n_items=3, weights="w", by="group")
    ref = r_ref["weighted_by_group"]
    assert by["group"].tolist() == ref["group"]
    np.testing.assert_allclose(by["estimate"], ref["estimate"], rtol=1e-12)
    np.testing.assert_allclose(by["se"], ref["se"], rtol=1e-10)


def test_single_respondent_arm_is_an_error_not_nan():
    df = pd.DataFrame({"count": [0, 1, 2, 3, 1, 2], "treatment": [0, 1, 1, 1, 0, 0],
                       "g": ["a", "a", "a", "a", "b", "b"]})
    with pytest.raises(InvalidArgumentError, match="control arm has 1 respondent"):
        polls.list_experiment(df.iloc[:4], n_items=3)
    with pytest.raises(InvalidArgumentError, match=r"\{'g': 'a'\} has a single-respondent"):
        polls.list_experiment(df.assign(treatment=[0, 1, 1, 1, 0, 1]), n_items=3, by="g")


def test_design_matches_r_survey(synthetic, r_ref):
    # R: svydesign(ids=~psu, strata=~stratum, weights=~w, nest=TRUE); svyby + svycontrast
    d = polls.SurveyDesign(synthetic, weights="w", strata="stratum", cluster="psu")
    res = polls.list_experiment(synthetic, n_items=3, design=d)
    assert res.estimate == pytest.approx(r_ref["design"]["estimate"], rel=1e-12)
    assert res.se == pytest.approx(r_ref["design"]["se"], rel=1e-10)
    by = polls.list_experiment(synthetic, n_items=3, design=d, by="group")
    ref = r_ref["design_by_group"]
    assert by["group"].tolist() == ref["group"]
    np.testing.assert_allclose(by["estimate"], ref["estimate"], rtol=1e-12)
    np.testing.assert_allclose(by["se"], ref["se"], rtol=1e-10)


def test_by_matches_per_group_scipy(synthetic):
    from scipy import stats

    out = polls.list_experiment(synthetic, n_items=3, by="group")
    assert list(out.columns[:9]) == ["group", "estimate", "ci_low", "ci_high",
                                     "confidence_level", "se", "n", "n_eff", "method"]
    for _, row in out.iterrows():
        g = synthetic[synthetic.group == row.group]
        y, t = g["count"].to_numpy(), g["treatment"].to_numpy() == 1
        ref = stats.ttest_ind(y[t], y[~t], equal_var=False)
        assert row.estimate / row.se == pytest.approx(ref.statistic, rel=1e-10)
        assert row.n == len(g)


def test_result_frame_columns(synthetic):
    frame = polls.list_experiment(synthetic, n_items=3).to_frame()
    assert tuple(frame.columns[:8]) == polls.results.FRAME_COLUMNS


@pytest.mark.parametrize(
    ("counts", "treat", "n_items", "match"),
    [
        ([0, 4, 1, 2], [0, 0, 1, 1], 3, r"'count': control count 4 is outside 0\.\.3"),
        ([0, 1, 5, 2], [0, 0, 1, 1], 3, r"'count': treatment count 5 is outside 0\.\.4"),
        ([0, -1, 1, 2], [0, 0, 1, 1], 3, "control count -1"),
        ([0, 1.5, 1, 2], [0, 0, 1, 1], 3, "whole-number counts; got 1.5"),
        ([0, np.nan, 1, 2], [0, 0, 1, 1], 3, "1 missing count"),
        ([0, 1, 1, 2], [0, 0, 2, 1], 3, r"'treatment' must be binary .* got value 2"),
        ([0, 1, 1, 2], ["a", "b", "a", "b"], 3, "got value 'a'"),
        ([0, 1, 1, 2], [0, 0, 0, 0], 3, "treatment arm is empty"),
        ([0, 1, 1, 2], [1, 1, 1, 1], 3, "control arm is empty"),
        ([0, 1, 1, 2], [0, 0, 1, 1], 0, "n_items"),
    ],
)
def test_bad_input_names_column_and_value(counts, treat, n_items, match):
    df = pd.DataFrame({"count": counts, "treatment": treat})
    with pytest.raises(InvalidArgumentError, match=match):
        polls.list_experiment(df, n_items=n_items)


def test_other_bad_arguments(synthetic):
    with pytest.raises(InvalidArgumentError, match="'nope' is not a column"):
        polls.list_experiment(synthetic, count="nope", n_items=3)
    with pytest.raises(InvalidArgumentError, match="'w' must be positive"):
        polls.list_experiment(synthetic.assign(w=-1.0), n_items=3, weights="w")
    with pytest.raises(InvalidArgumentError, match="not both"):
        polls.list_experiment(synthetic, n_items=3, weights="w",
                              design=polls.SurveyDesign(synthetic))
    with pytest.raises(InvalidArgumentError, match="confidence_level"):
        polls.list_experiment(synthetic, n_items=3, confidence_level=95)


def test_n_items_inferred_with_warning(synthetic):
    with pytest.warns(InferenceWarning, match="J = 3 inferred"):
        res = polls.list_experiment(synthetic)
    assert res.n_items == 3


def test_boolean_treatment_accepted():
    df = pd.DataFrame({"count": [0, 1, 2, 3], "treatment": [False, False, True, True]})
    assert polls.list_experiment(df, n_items=2).estimate == pytest.approx(2.0)


# ------------------------------------------------------------------ from summary figures


def test_summary_with_sds_matches_scipy_from_stats():
    from scipy import stats

    res = polls.list_experiment_from_summary(1.11, 1.92, 800, 820, sd_control=0.9,
                                             sd_treatment=1.1, n_items=3)
    ref = stats.ttest_ind_from_stats(1.92, 1.1, 820, 1.11, 0.9, 800, equal_var=False)
    assert res.estimate / res.se == pytest.approx(ref.statistic, rel=1e-12)
    assert res.se_low == res.se_high == res.se


def arm_data(draw, top):
    n = draw(st.integers(2, 40))
    return np.array(draw(st.lists(st.integers(0, top), min_size=n, max_size=n)), float)


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(1, 5))
def test_summary_bounds_contain_the_actual_se(data, j):
    # Property: for any whole-number data in range, the usual SE lies within the bounds
    # computed from the means and n's alone.
    yc = arm_data(data.draw, j)
    yt = arm_data(data.draw, j + 1)
    actual = math.sqrt(yc.var(ddof=1) / len(yc) + yt.var(ddof=1) / len(yt))
    res = polls.list_experiment_from_summary(yc.mean(), yt.mean(), len(yc), len(yt), n_items=j)
    assert res.se_low <= actual * (1 + 1e-9) + 1e-12
    assert actual <= res.se_high * (1 + 1e-9) + 1e-12
    # also when only the difference is known
    only = polls.list_experiment_from_summary(None, None, len(yc), len(yt), n_items=j,
                                              estimate=yt.mean() - yc.mean())
    assert only.se_low <= res.se_low + 1e-12 and res.se_high <= only.se_high + 1e-12
    # and when the means are rounded to two decimals
    rounded = polls.list_experiment_from_summary(round(yc.mean(), 2), round(yt.mean(), 2),
                                                 len(yc), len(yt), n_items=j, precision=0.01)
    assert rounded.se_low <= actual * (1 + 1e-9) + 1e-12 <= rounded.se_high * (1 + 1e-6) + 1e-9


def test_summary_bounds_are_attained():
    # upper: all mass at the ends (0 and J / J+1); lower: mass on the two nearest whole numbers
    yc = np.array([0, 0, 0, 3, 3] * 20, float)
    yt = np.array([0, 4, 4, 4] * 25, float)
    hi = math.sqrt(yc.var(ddof=1) / len(yc) + yt.var(ddof=1) / len(yt))
    res = polls.list_experiment_from_summary(yc.mean(), yt.mean(), 100, 100, n_items=3)
    assert res.se_high == pytest.approx(hi, rel=1e-12)
    yc2 = np.array([1, 1, 1, 2] * 25, float)
    yt2 = np.array([2, 2, 3, 3, 3] * 20, float)
    lo = math.sqrt(yc2.var(ddof=1) / len(yc2) + yt2.var(ddof=1) / len(yt2))
    res2 = polls.list_experiment_from_summary(yc2.mean(), yt2.mean(), 100, 100, n_items=3)
    assert res2.se_low == pytest.approx(lo, rel=1e-12)


def test_summary_on_published_frye_figures():
    # Frye et al. (2017), January 2015, as relayed by IStories: control mean 1.11, treatment
    # 1.92, J = 3; the printed estimate is 81%. No n was printed: the SE cannot be said.
    pub = polls.published_list_experiments()
    rows = pub[pub.study_id == "FGMR2017_jan2015"].set_index("arm")
    mc, mt = rows.loc["control", "mean_count"], rows.loc["treatment", "mean_count"]
    with pytest.warns(PollsWarning, match="nothing can be said"):
        res = polls.list_experiment_from_summary(mc, mt, None, None, n_items=3)
    assert res.estimate == pytest.approx(rows.loc["treatment", "estimate"], abs=0.005)
    assert math.isnan(res.se) and math.isnan(res.se_high) and "nothing can be said" in res.note
    assert all(math.isnan(v) for v in res.confidence_interval())
    # under an assumed scenario of 800 per arm the conservative interval uses the upper bound
    scen = polls.list_experiment_from_summary(mc, mt, 800, 800, n_items=3, precision=0.01)
    lo, hi = scen.confidence_interval()
    assert hi - lo == pytest.approx(2 * 1.959963984540054 * scen.se_high, rel=1e-9)
    narrow, wide = scen.confidence_interval_range()
    assert narrow.width < wide.width


def test_summary_bad_input():
    with pytest.raises(InvalidArgumentError, match="sd_control must be a non-negative"):
        polls.list_experiment_from_summary(1, 2, 100, 100, sd_control=-1, sd_treatment=1)
    with pytest.raises(InvalidArgumentError, match="needs n_items"):
        polls.list_experiment_from_summary(1, 2, 100, 100)
    with pytest.raises(InvalidArgumentError, match="exceeds n_items"):
        polls.list_experiment_from_summary(3.5, 2, 100, 100, n_items=3)
    with pytest.raises(InvalidArgumentError, match="impossible"):
        polls.list_experiment_from_summary(None, None, 100, 100, n_items=3, estimate=4.5)
    with pytest.raises(InvalidArgumentError, match="n_control must be at least 2"):
        polls.list_experiment_from_summary(1, 2, 1, 100, n_items=3)


# ------------------------------------------------------------------ design-effect test


def test_type_shares_and_covariance_by_hand():
    fc = np.array([20, 50, 80, 50])
    ft = np.array([10, 40, 70, 60, 20])
    est, cov = _type_shares(fc.astype(float), ft.astype(float), 3)
    cc, ct = np.cumsum(fc) / fc.sum(), np.cumsum(ft) / ft.sum()
    # Blair & Imai: pi(y,1) = F_C(y) - F_T(y); pi(y,0) = F_T(y) - F_C(y-1)
    np.testing.assert_allclose(est[:4], cc - ct[:4])
    np.testing.assert_allclose(est[4:], ct[:4] - np.concatenate([[0], cc[:3]]))
    assert est.sum() == pytest.approx(1.0)
    # binomial variances within each arm, as in the R package's ict.test
    var1 = cc * (1 - cc) / fc.sum() + ct[:4] * (1 - ct[:4]) / ft.sum()
    np.testing.assert_allclose(np.diag(cov)[:4], var1)
    # cov(pi(0,1), pi(1,1)) = F_C(0)(1-F_C(1))/n_C + F_T(0)(1-F_T(1))/n_T
    assert cov[0, 1] == pytest.approx(cc[0] * (1 - cc[1]) / 200 + ct[0] * (1 - ct[1]) / 200)


def test_type_share_covariance_by_simulation():
    # Monte Carlo over multinomial resamples of each arm (synthetic truth).
    rng = np.random.default_rng(5)
    pc = np.array([0.1, 0.3, 0.4, 0.2])
    pt = np.array([0.05, 0.2, 0.35, 0.3, 0.1])
    draws = np.array([_type_shares(rng.multinomial(300, pc).astype(float),
                                   rng.multinomial(300, pt).astype(float), 3)[0]
                      for _ in range(4000)])
    _, cov = _type_shares(pc * 300, pt * 300, 3)
    np.testing.assert_allclose(np.cov(draws.T), cov, atol=6e-5)


def test_chi_bar_weights_closed_forms():
    # independent components: weights are binomial(m, 1/2) (Kudo 1963)
    from scipy import stats

    for m in (2, 3, 4, 5):
        w = chi_bar_squared_weights(np.diag(np.arange(1.0, m + 1)))
        np.testing.assert_allclose(w, stats.binom.pmf(np.arange(m + 1), m, 0.5), atol=1e-5)
    # m = 2 with correlation rho: w_2 = acos(rho) / (2 pi), w_1 = 1/2 (as in R's ict.test)
    rho = -0.4
    w = chi_bar_squared_weights(np.array([[1.0, rho], [rho, 1.0]]))
    assert w[2] == pytest.approx(math.acos(rho) / (2 * math.pi))
    assert w[1] == pytest.approx(0.5)


@pytest.mark.parametrize("m", [3, 4])
def test_chi_bar_weights_against_nnls_projection(m):
    # Independent route: project draws onto the orthant with scipy.optimize.nnls in the metric
    # cov^-1 and count positive components.
    from scipy.optimize import nnls

    rng = np.random.default_rng(11)
    a = rng.normal(size=(m, m))
    cov = a @ a.T + 0.5 * np.eye(m)
    root = np.linalg.cholesky(np.linalg.inv(cov)).T
    z = rng.multivariate_normal(np.zeros(m), cov, size=6000)
    npos = np.array([(nnls(root, root @ v)[0] > 1e-12).sum() for v in z])
    ref = np.array([np.mean(npos == m - k) for k in range(m + 1)])
    exact = chi_bar_squared_weights(cov, method="exact")
    mc = chi_bar_squared_weights(cov, method="monte-carlo", n_draws=60000, random_state=3)
    np.testing.assert_allclose(exact, ref, atol=0.02)
    np.testing.assert_allclose(mc, exact, atol=0.01)
    assert exact.sum() == pytest.approx(1.0)


def test_design_test_data_and_frequencies_agree():
    rng = np.random.default_rng(2)
    df = simulate(1500, 3, 0.5, 0.3, rng, design_effect=0.6)
    a = polls.list_design_test(df, n_items=3)
    fc, ft = freqs(df, 3)
    b = polls.list_design_test(control_frequencies=fc, treatment_frequencies=ft, n_items=3)
    assert a.pvalue == b.pvalue
    pd.testing.assert_frame_equal(a.pi_table, b.pi_table)
    assert set(a.pi_table.columns) >= {"control_count", "sensitive", "estimate", "se"}
    ps = [p for p in (a.pvalue_z1, a.pvalue_z0) if not math.isnan(p)]
    assert a.pvalue == pytest.approx(min(1.0, 2 * min(ps)) if ps else 1.0)


def test_single_inequality_uses_one_sided_welch_t():
    # J = 1: each family holds one inequality; R's ict.test then uses t.test(..., "less")
    from scipy import stats

    fc = np.array([300, 200])
    ft = np.array([280, 180, 40])  # F_T(0) = 0.56 < F_C(0) = 0.6: pi(0,1) > 0
    res = polls.list_design_test(control_frequencies=fc, treatment_frequencies=ft,
                                 n_items=1, gms=False)
    x_c = np.repeat([1, 0], fc)  # 1{Y_C <= 0}
    x_t = np.repeat([1, 0, 0], ft)
    ref = stats.ttest_ind(x_c, x_t, equal_var=False, alternative="less")
    assert res.pvalue_z1 == pytest.approx(ref.pvalue, rel=1e-10)


def test_design_test_size_under_no_design_effect():
    # Synthetic: no design effect. The test is conservative (Bonferroni, least favourable null).
    rng = np.random.default_rng(7)
    rejections = [polls.list_design_test(simulate(1000, 3, 0.4, 0.5, rng), n_items=3).reject
                  for _ in range(150)]
    assert np.mean(rejections) <= 0.05 + 0.03


def test_design_test_family_pvalue_uniform_at_the_boundary():
    # Synthetic J = 2 where only respondents with 2 control items hold the view, so
    # pi(0,1) = pi(1,1) = 0: the z = 1 family sits exactly at the least favourable null and its
    # chi-bar-squared p-value is uniform below 1 - w_0.
    rng = np.random.default_rng(13)
    ps = []
    for _ in range(400):
        n = 2000
        t = rng.integers(0, 2, n).astype(bool)
        ystar = rng.choice(3, n, p=[0.3, 0.4, 0.3])
        z = (ystar == 2) & (rng.random(n) < 0.5)
        df = pd.DataFrame({"count": ystar + t * z, "treatment": t.astype(int)})
        ps.append(polls.list_design_test(df, n_items=2, gms=False).pvalue_z1)
    ps = np.array(ps)
    for a in (0.1, 0.2):
        # 400 draws: SD of the rejection share at 0.2 is 0.02; allow about 2.5 SD
        assert abs(np.mean(ps <= a) - a) <= 2.5 * math.sqrt(a * (1 - a) / 400) + 0.005


def test_design_test_detects_injected_design_effect():
    rng = np.random.default_rng(21)
    hits = [polls.list_design_test(simulate(3000, 3, 0.3, 0.4, rng, design_effect=0.8),
                                   n_items=3).reject for _ in range(20)]
    assert np.mean(hits) >= 0.9


def test_design_test_bad_input():
    with pytest.raises(InvalidArgumentError, match="treatment_frequencies must have"):
        polls.list_design_test(control_frequencies=[1, 2, 3], treatment_frequencies=[1, 2])
    with pytest.raises(InvalidArgumentError, match="pass respondent data"):
        polls.list_design_test()


# ------------------------------------------------------------------ ML estimator


def test_nonparametric_ml_equals_moments_when_interior():
    rng = np.random.default_rng(3)
    df = simulate(2000, 3, 0.4, 0.6, rng)
    ml = polls.list_experiment_ml(df, n_items=3)
    assert not ml.on_boundary and ml.converged
    y, t = df["count"].to_numpy(float), df["treatment"].to_numpy() == 1
    assert ml.estimate == pytest.approx(y[t].mean() - y[~t].mean(), abs=1e-7)
    # just identified: the information SE is the difference-in-means SE with divisor n
    se = math.sqrt(y[t].var() / t.sum() + y[~t].var() / (~t).sum())
    assert ml.se == pytest.approx(se, rel=1e-5)
    est, _ = _type_shares(*[f.astype(float) for f in freqs(df, 3)], 3)
    joint = ml.joint.sort_values(["sensitive", "control_count"], ascending=[False, True])
    np.testing.assert_allclose(joint["share"], est, atol=1e-7)


@pytest.mark.filterwarnings("ignore:df_:UserWarning")
def test_binomial_ml_matches_statsmodels_generic_mle():
    from scipy import stats
    from statsmodels.base.model import GenericLikelihoodModel

    rng = np.random.default_rng(4)
    df = simulate(1500, 4, 0.35, 0.3, rng)
    y, t = df["count"].to_numpy(), df["treatment"].to_numpy()

    class ListBinomial(GenericLikelihoodModel):  # Imai (2011) constrained, no covariates
        def loglike(self, params):
            d, p = params
            if not (0 < d < 1 and 0 < p < 1):
                return -np.inf
            ctrl = stats.binom.logpmf(y, 4, p)
            trt = np.log(d * stats.binom.pmf(y - 1, 4, p) + (1 - d) * stats.binom.pmf(y, 4, p))
            return float(np.where(t == 1, trt, ctrl).sum())

    fit = ListBinomial(y.astype(float), np.ones((len(y), 1))).fit(
        start_params=[0.5, 0.5], method="nm", maxiter=5000, disp=False, xtol=1e-10, ftol=1e-12)
    ml = polls.list_experiment_ml(df, n_items=4, model="binomial")
    assert ml.estimate == pytest.approx(fit.params[0], abs=2e-5)
    assert ml.params["p_control"] == pytest.approx(fit.params[1], abs=2e-5)
    assert ml.se == pytest.approx(fit.bse[0], rel=2e-3)
    assert ml.loglik == pytest.approx(fit.llf, abs=1e-6)


@pytest.mark.parametrize("model", ["binomial", "nonparametric"])
def test_ml_recovers_prevalence_with_nominal_coverage(model):
    # 200 seeded synthetic experiments with known prevalence 0.35. The coverage SD is 0.015:
    # the band [0.91, 0.985] fails an SE off by a quarter either way.
    rng = np.random.default_rng(99)
    truth = 0.35
    ests, cover = [], []
    for _ in range(200):
        df = simulate(1200, 3, 0.45, truth, rng)
        fc, ft = freqs(df, 3)
        ml = polls.list_experiment_ml(control_frequencies=fc, treatment_frequencies=ft,
                                      n_items=3, model=model)
        lo, hi = ml.confidence_interval()
        ests.append(ml.estimate)
        cover.append(lo <= truth <= hi)
    assert abs(np.mean(ests) - truth) < 3 * np.std(ests) / math.sqrt(200)
    assert 0.91 <= np.mean(cover) <= 0.985


def test_nonparametric_ml_on_the_boundary_is_the_maximum():
    # Moment estimate of pi(0,1) negative: ML sits on the boundary; compare with a direct
    # constrained maximisation by scipy (SLSQP on the simplex).
    from scipy.optimize import minimize

    fc = np.array([30.0, 120, 150, 100])
    ft = np.array([40.0, 100, 150, 90, 20])
    mom, _ = _type_shares(fc, ft, 3)
    assert mom.min() < 0
    ml = polls.list_experiment_ml(control_frequencies=fc, treatment_frequencies=ft, n_items=3)
    assert ml.on_boundary and (ml.joint["share"] >= 0).all()
    assert ml.joint["share"].sum() == pytest.approx(1.0)

    def negll(x):
        pi1, pi0 = x[:4], x[4:]
        pc = pi0 + pi1
        pt = np.concatenate([pi0, [0]]) + np.concatenate([[0], pi1])
        return -(fc @ np.log(np.clip(pc, 1e-300, None)) + ft @ np.log(np.clip(pt, 1e-300, None)))

    x0 = np.full(8, 1 / 8)
    ref = minimize(negll, x0, method="SLSQP", bounds=[(0, 1)] * 8,
                   constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1}],
                   options={"ftol": 1e-14, "maxiter": 1000})
    assert ml.loglik >= -ref.fun - 1e-6
    assert ml.estimate == pytest.approx(ref.x[:4].sum(), abs=1e-3)


def test_binomial_ml_at_zero_prevalence_warns_instead_of_a_silent_nan():
    # synthetic: the treatment arm's counts have the control arm's distribution exactly, so the
    # ML prevalence is 0 and the information SE does not exist
    fc = np.array([100.0, 300, 300, 100])
    ft = np.array([100.0, 300, 300, 100, 0])
    with pytest.warns(InferenceWarning, match="edge of"):
        ml = polls.list_experiment_ml(control_frequencies=fc, treatment_frequencies=ft,
                                      n_items=3, model="binomial")
    assert ml.estimate == pytest.approx(0.0, abs=1e-6) and ml.on_boundary
    assert math.isnan(ml.se)
    boot = polls.list_experiment_ml(control_frequencies=fc, treatment_frequencies=ft,
                                    n_items=3, model="binomial", se="bootstrap", n_boot=50)
    assert boot.se > 0


def test_nonparametric_ml_converges_at_a_zero_prevalence():
    # synthetic: treated counts distributed exactly as control counts. The saturated
    # log-likelihood sum f log(f / n) over both arms (hand formula) is reached at prevalence 0;
    # plain EM crawls there, the accelerated fit must converge without a warning.
    fc = np.array([100.0, 300, 300, 100])
    ft = np.array([100.0, 300, 300, 100, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ml = polls.list_experiment_ml(control_frequencies=fc, treatment_frequencies=ft,
                                      n_items=3)
    saturated = fc @ np.log(fc / fc.sum()) + ft[:4] @ np.log(ft[:4] / ft.sum())
    assert ml.converged and ml.on_boundary
    # EM stops on the parameter step (tol 1e-10); the likelihood is that flat here, so its
    # maximum is met to about 1e-7 on a scale of 2000
    assert ml.loglik == pytest.approx(saturated, abs=1e-6)
    assert ml.estimate == pytest.approx(0.0, abs=1e-3)


def test_ml_bootstrap_se_close_to_information():
    rng = np.random.default_rng(8)
    df = simulate(1500, 3, 0.4, 0.5, rng)
    info = polls.list_experiment_ml(df, n_items=3, model="binomial")
    boot = polls.list_experiment_ml(df, n_items=3, model="binomial", se="bootstrap",
                                    n_boot=300, random_state=1)
    assert boot.estimate == info.estimate
    assert boot.se == pytest.approx(info.se, rel=0.15)
    assert "bootstrap" in boot.se_method


# ------------------------------------------------------------------ falsification gap


def test_gap_independent_and_worst_case():
    lst = polls.list_experiment_from_summary(1.0, 1.6, 1000, 1000, sd_control=0.8,
                                             sd_treatment=0.9, n_items=3)
    d_se = math.sqrt(0.7 * 0.3 / 1500)
    ind = polls.falsification_gap(0.7, lst, direct_n=1500)
    assert ind.estimate == pytest.approx(0.1)
    assert ind.se == pytest.approx(math.hypot(d_se, lst.se))
    worst = polls.falsification_gap(0.7, lst, direct_n=1500, same_respondents=True)
    assert worst.se == pytest.approx(d_se + lst.se)
    given_rho = polls.falsification_gap(0.7, lst, direct_se=d_se, same_respondents=True,
                                        correlation=0.3)
    assert given_rho.se == pytest.approx(math.sqrt(d_se**2 + lst.se**2 - 0.6 * d_se * lst.se))
    # a summary result with only SE bounds contributes its upper bound
    bounded = polls.list_experiment_from_summary(1.0, 1.6, 1000, 1000, n_items=3)
    g = polls.falsification_gap(0.7, bounded, direct_n=1500)
    assert g.list_se == bounded.se_high and "upper bound" in g.method


def test_gap_same_respondents_from_data_by_hand_and_coverage():
    rng = np.random.default_rng(17)
    cover = []
    for rep in range(200):
        # synthetic direct answers: true holders say yes; 30% of the others also say yes
        # (so the true gap is 0.5 * 0.3 = 0.15)
        n = 1500
        t = rng.integers(0, 2, n).astype(bool)
        ystar = rng.binomial(3, 0.4, n)
        z = rng.random(n) < 0.5
        direct = (z | (rng.random(n) < 0.3)).astype(int)
        df = pd.DataFrame({"count": ystar + t * z, "treatment": t.astype(int), "direct": direct})
        g = polls.falsification_gap("direct", data=df, n_items=3)
        lo, hi = g.confidence_interval()
        cover.append(lo <= 0.15 <= hi)
        if rep == 0:
            # by hand: Var(D) / N + Var_T / n_T + Var_C / n_C - 2 [cov_T(D,y) - cov_C(D,y)] / N
            y, d = df["count"].to_numpy(float), df["direct"].to_numpy(float)
            vt = y[t].var() / t.sum()
            vc = y[~t].var() / (~t).sum()
            cov_t = np.cov(d[t], y[t], ddof=0)[0, 1] * t.sum() / n / t.sum()
            cov_c = np.cov(d[~t], y[~t], ddof=0)[0, 1] * (~t).sum() / n / (~t).sum()
            hand = d.var() / n + vt + vc - 2 * (cov_t - cov_c)
            assert g.se == pytest.approx(math.sqrt(hand), rel=2e-3)
    assert 0.91 <= np.mean(cover) <= 0.985


def test_gap_bad_input():
    with pytest.raises(InvalidArgumentError, match="0.71 rather than 71"):
        polls.falsification_gap(71, 0.61, direct_n=3000, list_se=0.04)
    with pytest.raises(InvalidArgumentError, match="only with same_respondents"):
        polls.falsification_gap(0.71, 0.61, direct_n=3000, list_se=0.04, correlation=0.2)
    with pytest.raises(InvalidArgumentError, match=r"\[-1, 1\]"):
        polls.falsification_gap(0.71, 0.61, direct_n=3000, list_se=0.04,
                                same_respondents=True, correlation=1.5)
    with pytest.raises(InvalidArgumentError, match="direct_n= or direct_se="):
        polls.falsification_gap(0.71, 0.61, list_se=0.04)
    with pytest.raises(InvalidArgumentError, match="direct='direct' names a column"):
        polls.falsification_gap("direct", 0.61, direct_n=3000, list_se=0.04)
    with pytest.raises(InvalidArgumentError, match="list_se must be a non-negative number"):
        polls.falsification_gap(0.71, 0.61, direct_n=3000, list_se=float("nan"))
    with pytest.raises(InvalidArgumentError, match="direct_se must be a non-negative"):
        polls.falsification_gap(0.71, 0.61, direct_se=-0.01, list_se=0.04)
    # a summary result without arm sizes has no SE at all: an error, not a NaN interval
    with pytest.warns(PollsWarning):
        no_n = polls.list_experiment_from_summary(1.11, 1.92, None, None, n_items=3)
    with pytest.raises(InvalidArgumentError, match="pass list_se="):
        polls.falsification_gap(0.85, no_n, direct_n=1600)
    df = pd.DataFrame({"count": [0, 1, 2, 3], "treatment": [0, 0, 1, 1], "direct": [0, 1, 1, 1]})
    with pytest.raises(InvalidArgumentError, match="list_estimate= would be ignored"):
        polls.falsification_gap("direct", 0.61, data=df, n_items=3)


# ------------------------------------------------------------------ shipped published figures


def test_published_figures_as_shipped():
    pub = polls.published_list_experiments()
    assert pub.attrs["metadata"]["kind"] == "list-experiment-summaries"
    assert pub["source_url"].notna().all()
    pct = pub["estimate_percent"]
    np.testing.assert_allclose(pub["estimate"][pct.notna()], pct[pct.notna()] / 100, rtol=1e-15)
    assert pub["estimate"].isna().equals(pct.isna())


@pytest.mark.skipif(not (SHARED / "summaries.csv").exists(), reason="shared data not present")
def test_published_figures_equal_the_curated_file():
    src = pd.read_csv(SHARED / "summaries.csv")
    pub = polls.published_list_experiments()
    assert len(pub) == len(src)
    pairs = {"study_id": "study_id", "arm": "arm", "n_control_items": "n_control_items",
             "n": "n", "mean_count": "mean_count", "sd_count": "sd_count", "se": "se",
             "estimate_percent": "estimate_share", "ci_low_percent": "ci_low",
             "ci_high_percent": "ci_high", "source_url": "source_url", "year": "year"}
    for mine, theirs in pairs.items():
        a = pub[mine].astype(object).where(pub[mine].notna(), None).tolist()
        b = src[theirs].astype(object).where(src[theirs].notna(), None).tolist()
        if mine in ("study_id", "arm", "source_url"):
            assert [str(x) for x in a] == [str(x) for x in b], mine
        else:
            assert [None if x is None else float(x) for x in a] == \
                   [None if x is None else float(x) for x in b], mine


def test_no_warnings_on_clean_call(synthetic):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        polls.list_experiment(synthetic, n_items=3)
        polls.list_design_test(synthetic, n_items=3)
        polls.list_experiment_ml(synthetic, n_items=3)


def test_simulate_list_experiment_truth_and_checks():
    ests = [polls.list_experiment(polls.simulate_list_experiment(
        2000, n_items=3, prevalence=0.6, random_state=s), n_items=3).estimate for s in range(60)]
    # SE of one estimate ~0.04; the mean of 60 should sit within 3 * 0.04 / sqrt(60) of 0.6
    assert abs(np.mean(ests) - 0.6) < 3 * 0.045 / math.sqrt(60)
    df = polls.simulate_list_experiment(500, n_items=2, prevalence=0.3, random_state=1)
    assert df.loc[df.treatment == 0, "count"].max() <= 2
    with pytest.raises(InvalidArgumentError, match="prevalence"):
        polls.simulate_list_experiment(100, n_items=3, prevalence=60)


_FREQ = {"control_frequencies": [50, 200, 250, 100],
         "treatment_frequencies": [30, 150, 250, 120, 50], "n_items": 3}


@pytest.mark.parametrize(("call", "words"), [
    # percents where proportions belong
    (lambda: polls.list_experiment_from_summary(None, None, 800, 800, estimate=81),
     ["estimate", "81", "0.81"]),
    (lambda: polls.list_experiment_from_summary(None, None, 800, 800, estimate=81, n_items=3),
     ["estimate", "impossible", "0.81"]),
    (lambda: polls.falsification_gap(0.71, 61, direct_n=3000, list_se=0.04),
     ["list_estimate", "61", "0.61"]),
    # infinity, NaN and text
    (lambda: polls.list_experiment_from_summary(1.1, 1.9, np.inf, 800, n_items=3),
     ["n_control", "finite"]),
    (lambda: polls.list_experiment_from_summary(1.1, 1.9, 800, 800, sd_control=np.inf,
                                                sd_treatment=1), ["sd_control", "finite"]),
    (lambda: polls.list_experiment_from_summary("1.1", 1.9, 800, 800, n_items=3),
     ["mean_control", "'1.1'"]),
    (lambda: polls.list_experiment_from_summary(1.1, 1.9, 800, 800, n_items=3, precision="x"),
     ["precision", "'x'"]),
    (lambda: polls.falsification_gap(0.71, 0.61, direct_n=np.inf, list_se=0.04),
     ["direct_n", "finite"]),
    (lambda: polls.falsification_gap(0.71, 0.61, direct_n=3000, list_se="x"), ["list_se"]),
    (lambda: polls.falsification_gap(0.71, 0.61, direct_n=3000, list_se=0.04,
                                     same_respondents=True, correlation="x"), ["correlation"]),
    (lambda: polls.list_experiment_ml(**{**_FREQ, "control_frequencies": [1, 2, np.inf, 4]}),
     ["control_frequencies", "finite"]),
    (lambda: polls.list_experiment_ml(**{**_FREQ, "control_frequencies": [[50, 200],
                                                                          [250, 100]]}),
     ["control_frequencies", "(2, 2)"]),
    (lambda: polls.list_design_test(**_FREQ, alpha="x"), ["alpha", "'x'"]),
    # whole numbers, seeds and tolerances
    (lambda: polls.list_experiment_from_summary(1.1, 1.9, 800, 800, n_items=np.inf),
     ["n_items", "inf"]),
    (lambda: polls.list_experiment_from_summary(1.1, 1.9, 800, 800, n_items=True),
     ["n_items", "True"]),
    (lambda: polls.list_experiment_ml(**_FREQ, tol=-1), ["tol", "-1"]),
    (lambda: polls.list_experiment_ml(**_FREQ, max_iter=2.5), ["max_iter", "2.5"]),
    (lambda: polls.list_experiment_ml(**_FREQ, se="bootstrap", n_boot=1), ["n_boot", "1"]),
    (lambda: polls.list_experiment_ml(**_FREQ, random_state="x"), ["random_state", "'x'"]),
    (lambda: polls.listexp.chi_bar_squared_weights(np.ones((2, 3))), ["cov", "(2, 3)"]),
    (lambda: polls.listexp.chi_bar_squared_weights(np.eye(2), method="monte-carlo",
                                                   n_draws=0), ["n_draws", "0"]),
    (lambda: polls.simulate_list_experiment(np.inf, n_items=3, prevalence=0.3), ["n", "inf"]),
    (lambda: polls.simulate_list_experiment(100, n_items=3, prevalence=0.3, random_state="x"),
     ["random_state"]),
])
def test_arguments_are_checked_and_named(call, words):
    with pytest.raises(InvalidArgumentError) as info:
        call()
    assert all(w in str(info.value) for w in words), str(info.value)


def test_respondent_columns_refuse_booleans_and_infinite_weights():
    df = polls.simulate_list_experiment(200, n_items=3, prevalence=0.3, random_state=1)
    with pytest.raises(InvalidArgumentError, match="count.*booleans"):
        polls.list_experiment(df.assign(count=df["count"] > 1), n_items=3)
    weights = np.ones(len(df))
    weights[5] = np.inf
    with pytest.raises(InvalidArgumentError, match="weights.*finite.*position 5"):
        polls.list_experiment(df, n_items=3, weights=weights)
