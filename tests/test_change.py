"""Tests of polls.change against statsmodels, R (prop.test, survey) and simulation."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats import proportion as smp
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

import polls
from polls.errors import InvalidArgumentError, PollsWarning

FIXTURES = Path(__file__).parent / "fixtures"
# (x1, n1, x2, n2): small and large samples, zero counts, near-equal shares
PAIRS = [
    (81, 100, 74, 100), (1296, 1600, 1184, 1600), (5, 30, 12, 40), (0, 20, 4, 25),
    (400, 800, 430, 900), (1290, 1600, 1296, 1600), (10, 12, 3, 15), (30, 30, 25, 30),
]
SM_ALTERNATIVE = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}


# --------------------------------------------------------------------------- compare_proportions


@pytest.mark.parametrize(("method", "sm_method"), [("newcombe", "newcomb"), ("wald", "wald")])
@pytest.mark.parametrize("level", [0.8, 0.9, 0.95, 0.99])
def test_interval_against_statsmodels(method, sm_method, level):
    for x1, n1, x2, n2 in PAIRS:
        # reference: statsmodels confint_proportions_2indep(x1, n1, x2, n2, method, compare="diff")
        ref = confint_proportions_2indep(x1, n1, x2, n2, method=sm_method, compare="diff",
                                         alpha=1 - level)
        res = polls.compare_proportions(x1 / n1, n1, x2 / n2, n2, method=method,
                                        confidence_level=level)
        assert res.difference == pytest.approx(x1 / n1 - x2 / n2)
        if method == "wald":  # statsmodels does not clip the Wald interval to [-1, 1]
            ref = (max(ref[0], -1.0), min(ref[1], 1.0))
        assert (res.low, res.high) == pytest.approx(ref, abs=1e-12), (x1, n1, x2, n2)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # statsmodels' odds ratio
@pytest.mark.parametrize(("method", "sm_method"), [("newcombe", "score"), ("wald", "wald")])
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_test_against_statsmodels(method, sm_method, alternative):
    for x1, n1, x2, n2 in PAIRS:
        if method == "wald" and x1 in (0, n1) and x2 in (0, n2):
            continue  # zero variance: no Wald statistic
        # reference: smp.test_proportions_2indep(x1, n1, x2, n2, method=..., correction=False,
        #            alternative=...) ("score" at value 0 is the pooled z test)
        ref = smp.test_proportions_2indep(x1, n1, x2, n2, method=sm_method, correction=False,
                                      alternative=SM_ALTERNATIVE[alternative])
        res = polls.compare_proportions(x1 / n1, n1, x2 / n2, n2, method=method,
                                        alternative=alternative)
        assert res.statistic == pytest.approx(ref.statistic, rel=1e-10), (x1, n1, x2, n2)
        assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300), (x1, n1, x2, n2)


def test_against_r_prop_test_two_samples():
    # fixture written by scripts/r/proportions.R (column r_call): prop.test(correct = FALSE)
    # gives the Wald interval and the pooled chi-square test (= squared pooled z statistic)
    ref = pd.read_csv(FIXTURES / "r_proportions_two.csv")
    assert len(ref) == 21
    for row in ref.itertuples():
        wald = polls.compare_proportions(row.x1 / row.n1, row.n1, row.x2 / row.n2, row.n2,
                                         method="wald", confidence_level=row.conf_level)
        assert (wald.low, wald.high) == pytest.approx((row.low, row.high), abs=1e-10), row.r_call
        score = polls.compare_proportions(row.x1 / row.n1, row.n1, row.x2 / row.n2, row.n2,
                                          confidence_level=row.conf_level)
        assert score.difference == pytest.approx(row.difference, abs=1e-12)
        assert score.statistic**2 == pytest.approx(row.chisq, rel=1e-10), row.r_call
        assert score.pvalue == pytest.approx(row.pvalue, rel=1e-9), row.r_call


def test_design_effects_use_effective_sizes():
    p1, n1, d1, p2, n2, d2 = 0.74, 1600, 1.9, 0.81, 1616, 2.2
    e1, e2 = n1 / d1, n2 / d2
    res = polls.compare_proportions(p1, n1, p2, n2, deff1=d1, deff2=d2)
    # reference: statsmodels on the effective (fractional) counts and sizes
    ref_ci = confint_proportions_2indep(p1 * e1, e1, p2 * e2, e2, method="newcomb")
    ref_test = smp.test_proportions_2indep(p1 * e1, e1, p2 * e2, e2, method="score",
                                       correction=False)
    assert (res.low, res.high) == pytest.approx(ref_ci, abs=1e-12)
    assert res.pvalue == pytest.approx(ref_test.pvalue, rel=1e-10)
    assert res.n_eff1 == pytest.approx(e1) and res.n_eff2 == pytest.approx(e2)
    plain = polls.compare_proportions(p1, n1, p2, n2)
    assert res.confidence_interval().width > plain.confidence_interval().width
    assert res.pvalue > plain.pvalue


def test_comparison_result_object():
    res = polls.compare_proportions(0.74, 1600, 0.81, 1600, deff1=1.5, deff2=1.5)
    at_99 = res.confidence_interval(confidence_level=0.99)
    ref = confint_proportions_2indep(0.74 * 1600 / 1.5, 1600 / 1.5, 0.81 * 1600 / 1.5,
                                     1600 / 1.5, method="newcomb", alpha=0.01)
    assert (at_99.low, at_99.high) == pytest.approx(ref, abs=1e-12)
    assert res.se == pytest.approx(np.sqrt(0.74 * 0.26 / (1600 / 1.5) + 0.81 * 0.19 / (1600 / 1.5)))
    frame = res.to_frame()
    assert list(frame.columns[:10]) == [*polls.results.FRAME_COLUMNS, "statistic", "pvalue"]
    assert frame.loc[0, "estimate"] == pytest.approx(-0.07)
    many = polls.compare_proportions(np.array([0.2, 0.3]), 100, 0.25, 120)
    assert many.low.shape == (2,) and len(many.to_frame()) == 2
    series = polls.compare_proportions(pd.Series([0.2, 0.3]), 100, 0.25, 120)
    assert np.allclose(series.pvalue, many.pvalue)


def test_rounding_aware_comparison():
    plain = polls.compare_proportions(0.74, 1600, 0.77, 1600)
    wide = polls.compare_proportions(0.74, 1600, 0.77, 1600, precision=0.01)
    assert wide.low < plain.low and wide.high > plain.high
    # the envelope of the Newcombe intervals at the corners of the rounding box
    corners = [
        confint_proportions_2indep(a * 1600, 1600, b * 1600, 1600, method="newcomb")
        for a in (0.735, 0.745) for b in (0.765, 0.775)
    ]
    assert wide.low == pytest.approx(min(c[0] for c in corners), abs=1e-12)
    assert wide.high == pytest.approx(max(c[1] for c in corners), abs=1e-12)
    # the test is evaluated at the shares least favourable to a difference: 74.5% vs 76.5%
    ref = smp.test_proportions_2indep(0.745 * 1600, 1600, 0.765 * 1600, 1600, method="score",
                                  correction=False)
    assert wide.pvalue == pytest.approx(ref.pvalue, rel=1e-10)
    assert wide.pvalue > plain.pvalue
    # a difference that rounding alone can explain is never significant
    tie = polls.compare_proportions(0.75, 1600, 0.76, 1600, precision=0.01)
    assert tie.statistic == 0.0 and tie.pvalue == 1.0


@settings(max_examples=60, deadline=None)
@given(
    p1=st.floats(0, 1), p2=st.floats(0, 1), n1=st.floats(30, 5000), n2=st.floats(30, 5000),
    step=st.sampled_from([0.01, 0.001]),
)
def test_rounding_envelope_covers_the_box_newcombe(p1, p2, n1, n2, step):
    # for Newcombe's interval the corner envelope is the union over the whole rounding box,
    # and the p-value is the largest over the box (the Wald limits can bulge past the corners
    # near 0% or 100%: the documented rule for them is the corner envelope)
    wide = polls.compare_proportions(p1, n1, p2, n2, precision=step)
    g1 = np.clip(np.linspace(p1 - step / 2, p1 + step / 2, 9), 0, 1)[:, None]
    g2 = np.clip(np.linspace(p2 - step / 2, p2 + step / 2, 9), 0, 1)[None, :]
    each = polls.compare_proportions(g1, n1, g2, n2)
    assert np.all(each.low >= wide.low - 1e-12) and np.all(each.high <= wide.high + 1e-12)
    assert np.all(each.pvalue <= wide.pvalue + 1e-12)


@settings(max_examples=80, deadline=None)
@given(
    p1=st.floats(0, 1), p2=st.floats(0, 1), n1=st.floats(1, 5000), n2=st.floats(1, 5000),
    level=st.floats(0.5, 0.995), method=st.sampled_from(["newcombe", "wald"]),
)
def test_difference_interval_properties(p1, p2, n1, n2, level, method):
    res = polls.compare_proportions(p1, n1, p2, n2, method=method, confidence_level=level)
    assert -1.0 <= res.low <= res.difference + 1e-12
    assert res.difference - 1e-12 <= res.high <= 1.0
    assert 0.0 <= res.pvalue <= 1.0
    wider = polls.compare_proportions(p1, n1, p2, n2, method=method, deff1=2.0, deff2=2.0,
                                      confidence_level=level)
    assert wider.low <= res.low + 1e-12 and wider.high >= res.high - 1e-12


# --------------------------------------------------------------------------- lead


def test_lead_hand_formula():
    # Franklin (2007), "The 'Margin of Error' for Differences in Polls": the variance of the
    # lead of option a over option b in one multinomial sample is (pa + pb - (pa - pb)^2) / n
    pa, pb, n = 0.55, 0.36, 1600
    se = np.sqrt((pa + pb - (pa - pb) ** 2) / n)
    z = stats.norm.ppf(0.975)
    res = polls.lead(pa, pb, n)
    assert res.se == pytest.approx(se, rel=1e-12)
    assert (res.low, res.high) == pytest.approx((pa - pb - z * se, pa - pb + z * se))
    assert res.statistic == pytest.approx((pa - pb) / se)
    assert res.pvalue == pytest.approx(2 * stats.norm.sf((pa - pb) / se))
    # the same from var(pa) + var(pb) - 2 cov(pa, pb), with cov = -pa pb / n
    var = pa * (1 - pa) / n + pb * (1 - pb) / n + 2 * pa * pb / n
    assert res.se == pytest.approx(np.sqrt(var))
    with_deff = polls.lead(pa, pb, n, deff=1.9)
    assert with_deff.se == pytest.approx(se * np.sqrt(1.9))
    assert with_deff.confidence_interval(0.9).width == pytest.approx(
        2 * stats.norm.ppf(0.95) * se * np.sqrt(1.9)
    )


def test_lead_against_r_survey():
    # fixture written by scripts/r/proportions.R (column r_call): svycontrast of svymean of the
    # option indicators in a simple random sample; survey estimates the variance with n - 1
    ref = pd.read_csv(FIXTURES / "r_proportions_lead.csv")
    for row in ref.itertuples():
        res = polls.lead(row.count_a / row.n, row.count_b / row.n, row.n)
        assert res.difference == pytest.approx(row.difference, abs=1e-12)
        assert res.se * np.sqrt(row.n / (row.n - 1)) == pytest.approx(row.se, rel=1e-10)


def test_lead_multinomial_simulation():
    # synthetic: 20,000 seeded multinomial polls of n = 1,000 with shares (0.55, 0.36, 0.09)
    rng = np.random.default_rng(12345)
    n, probs = 1000, np.array([0.55, 0.36, 0.09])
    counts = rng.multinomial(n, probs, size=20_000)
    pa, pb = counts[:, 0] / n, counts[:, 1] / n
    expected_se = np.sqrt((0.55 + 0.36 - 0.19**2) / n)
    assert np.std(pa - pb, ddof=1) == pytest.approx(expected_se, rel=0.02)
    res = polls.lead(pa, pb, n)
    covered = (res.low <= 0.19) & (0.19 <= res.high)
    assert abs(covered.mean() - 0.95) < 0.006
    # treating the two shares as independent samples overstates nothing here but understates
    # the spread: the independent-samples standard error is too small
    indep = polls.compare_proportions(0.55, n, 0.36, n, method="wald")
    assert indep.se < expected_se * 0.8


def test_lead_rounding_and_checks():
    plain = polls.lead(0.52, 0.47, 1600)
    wide = polls.lead(0.52, 0.47, 1600, precision=0.01)
    assert wide.low < plain.low and wide.high > plain.high and wide.pvalue > plain.pvalue
    # hand formula (Franklin 2007) over the rounding box [0.515, 0.525] x [0.465, 0.475]:
    # the interval is the envelope of d +/- z sqrt((a + b - d^2) / n) at the centre and corners
    z = stats.norm.ppf(0.975)
    points = [(0.52, 0.47)] + [(a, b) for a in (0.515, 0.525) for b in (0.465, 0.475)]
    lows = [a - b - z * np.sqrt((a + b - (a - b) ** 2) / 1600) for a, b in points]
    highs = [a - b + z * np.sqrt((a + b - (a - b) ** 2) / 1600) for a, b in points]
    assert (wide.low, wide.high) == pytest.approx((min(lows), max(highs)), abs=1e-12)
    # and the test at the corner nearest a tie, 51.5% vs 47.5%
    stat = 0.04 / np.sqrt((0.99 - 0.04**2) / 1600)
    assert wide.statistic == pytest.approx(stat, rel=1e-10)
    assert wide.pvalue == pytest.approx(2 * stats.norm.sf(stat), rel=1e-10)
    assert polls.lead(0.5, 0.5, 100).pvalue == 1.0
    # rounded shares of a two-option question may sum to 101%
    assert polls.lead(0.55, 0.46, 800, precision=0.01).difference == pytest.approx(0.09)
    with pytest.raises(InvalidArgumentError, match="p_a \\+ p_b"):
        polls.lead(0.55, 0.46, 800)


# --------------------------------------------------------------------------- corrections


def test_adjust_pvalues_against_statsmodels():
    rng = np.random.default_rng(3)
    for size in (1, 2, 5, 39):
        p = rng.uniform(0, 0.2, size) ** 2
        p[: size // 3] = p[0]  # ties
        for method in ("holm", "fdr_bh"):
            # reference: statsmodels.stats.multitest.multipletests(p, method=...)[1]
            ref = multipletests(p, method=method)[1]
            assert np.allclose(polls.adjust_pvalues(p, method=method), ref, rtol=1e-12, atol=0)
    s = pd.Series([0.01, 0.04, 0.03], index=[7, 8, 9])
    out = polls.adjust_pvalues(s, method="fdr_bh")
    assert list(out.index) == [7, 8, 9]
    assert np.allclose(out, multipletests(s.to_numpy(), method="fdr_bh")[1])


# --------------------------------------------------------------------------- frames


def _tracker() -> pd.DataFrame:
    """A synthetic two-response tracker with one wave lacking a sample size."""
    months = pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"])
    rows = []
    support = [0.76, 0.75, 0.70, 0.72]
    oppose = [0.17, 0.18, 0.21, 0.20]
    sizes = [1600, 1611, None, 1620]
    for month, s, o, size in zip(months, support, oppose, sizes, strict=True):
        for response, share in (("support", s), ("oppose", o)):
            rows.append({"series": "synthetic-tracker", "response": response,
                         "fieldwork_end": month, "share": share, "sample_size": size,
                         "precision": 0.01})
    frame = pd.DataFrame(rows)
    frame["sample_size"] = frame["sample_size"].astype("Int64")
    frame["response"] = pd.Categorical(frame["response"], ["support", "oppose"], ordered=True)
    return frame


def test_with_ci_adds_columns_and_matches_statsmodels():
    data = _tracker()
    data.attrs["usual_sample_size"] = 1600
    out = polls.with_ci(data, deff=1.9)
    assert out.attrs["usual_sample_size"] == 1600
    assert list(out.columns[: data.shape[1]]) == list(data.columns)
    assert {"ci_low", "ci_high", "n_eff", "n_source"} <= set(out.columns)
    assert out["n_source"].tolist() == ["stated"] * 4 + ["default"] * 2 + ["stated"] * 2
    for row in out.itertuples():
        n = 1600 if pd.isna(row.sample_size) else row.sample_size
        assert row.n_eff == pytest.approx(n / 1.9)
        ref = proportion_confint(row.share * n / 1.9, n / 1.9, alpha=0.05, method="wilson")
        assert (row.ci_low, row.ci_high) == pytest.approx(ref, abs=1e-12)
    wide = polls.with_ci(data, deff=1.9, rounding=True)
    assert (wide["ci_low"] < out["ci_low"]).all() and (wide["ci_high"] > out["ci_high"]).all()
    cp = polls.with_ci(data, method="clopper_pearson", default_n=1500, confidence_level=0.9)
    assert cp.loc[4, "n_eff"] == 1500 and data.attrs["usual_sample_size"] == 1600


def test_changes_rows_and_values():
    data = _tracker()
    out = polls.changes(data, default_n=1600, deff=1.9)
    assert len(out) == 6  # 2 responses x 3 changes
    expected_columns = [
        "series", "response", "date", "previous_date", "share", "previous_share", "difference",
        "estimate", "ci_low", "ci_high", "confidence_level", "se", "statistic", "pvalue",
        "significant", "n", "previous_n", "n_eff", "previous_n_eff", "n_source",
        "previous_n_source", "method",
    ]
    assert list(out.columns) == expected_columns
    for row in out.itertuples():
        assert row.difference == pytest.approx(row.share - row.previous_share)
        assert row.previous_date < row.date
        e1, e0 = row.n / 1.9, row.previous_n / 1.9
        ref_ci = confint_proportions_2indep(row.share * e1, e1, row.previous_share * e0, e0,
                                            method="newcomb")
        ref_test = smp.test_proportions_2indep(row.share * e1, e1, row.previous_share * e0, e0,
                                           method="score", correction=False)
        assert (row.ci_low, row.ci_high) == pytest.approx(ref_ci, abs=1e-12)
        assert row.pvalue == pytest.approx(ref_test.pvalue, rel=1e-10)
        assert row.significant == (row.pvalue < 0.05)
    march = out[(out["response"] == "support") & (out["date"] == "2024-03-31")].iloc[0]
    assert march["n_source"] == "default" and march["previous_n_source"] == "stated"
    assert march["difference"] == pytest.approx(-0.05) and bool(march["significant"])


@pytest.mark.parametrize("correction", ["holm", "fdr_bh"])
def test_changes_corrections_per_series_and_response(correction):
    # synthetic: 40 seeded waves of two responses
    rng = np.random.default_rng(2024)
    months = pd.date_range("2020-01-31", periods=40, freq="ME")
    frame = pd.DataFrame({
        "series": "synthetic",
        "response": np.repeat(["a", "b"], 40),
        "fieldwork_end": np.tile(months, 2),
        "share": np.round(np.clip(rng.normal(0.5, 0.03, 80), 0, 1), 2),
        "sample_size": 1600,
    })
    out = polls.changes(frame, correction=correction)
    assert len(out) == 78
    for _, group in out.groupby("response"):
        ref = multipletests(group["pvalue"].to_numpy(), method=correction)[1]
        assert np.allclose(group["pvalue_adjusted"], ref, rtol=1e-12, atol=0)
        assert (group["significant"] == (group["pvalue_adjusted"] < 0.05)).all()
    assert (out["pvalue_adjusted"] >= out["pvalue"] - 1e-15).all()


def test_changes_rounding_option():
    data = _tracker()
    plain = polls.changes(data, default_n=1600)
    wide = polls.changes(data, default_n=1600, rounding=True)
    assert (wide["ci_low"] < plain["ci_low"]).all() and (wide["ci_high"] > plain["ci_high"]).all()
    assert (wide["pvalue"] >= plain["pvalue"]).all()
    # a one-point move is within rounding: p-value 1
    assert (wide.loc[wide["difference"].abs() < 0.0101, "pvalue"] == 1.0).all()
    fixed = polls.changes(data.drop(columns="precision"), default_n=1600, rounding=True,
                          precision=0.01)
    assert np.allclose(fixed["pvalue"], wide["pvalue"])


def test_changes_sample_size_fallbacks_and_errors():
    data = _tracker()
    with pytest.raises(InvalidArgumentError, match="default_n") as info:
        polls.changes(data)
    assert "Rows: 4, 5" in str(info.value)  # the rows without a size
    data.attrs["usual_sample_size"] = 1600
    via_attrs = polls.changes(data)
    via_arg = polls.changes(data.assign(), default_n=1600)
    assert np.allclose(via_attrs["pvalue"], via_arg["pvalue"])
    other = polls.changes(data, default_n=800)  # the user's value wins over the dataset's
    assert other.loc[other["n_source"] == "default", "n"].eq(800).all()


def test_changes_duplicates_undated_subgroups_questions():
    data = _tracker()
    doubled = pd.concat([data, data.iloc[[0]]], ignore_index=True)
    with pytest.raises(InvalidArgumentError, match="several rows"):
        polls.changes(doubled, default_n=1600)
    undated = data.copy()
    undated.loc[7, "fieldwork_end"] = pd.NaT
    with pytest.warns(PollsWarning, match="1 row"):
        out = polls.changes(undated, default_n=1600)
    assert len(out) == 5
    two = pd.concat([data.assign(subgroup="men"), data.assign(subgroup="women")],
                    ignore_index=True)
    assert len(polls.changes(two, default_n=1600)) == 12
    asked = pd.concat([data.assign(question="Q about X"), data.assign(question="Q about Y")],
                      ignore_index=True)
    out = polls.changes(asked, default_n=1600)
    assert len(out) == 12 and "question" in out.columns
    reworded = data.assign(question=np.where(data.index < 4, "wording 1", "wording 2"))
    assert len(polls.changes(reworded, default_n=1600)) == 6  # wording alone does not split


def test_frames_from_load_dataset_flow_through():
    data = polls.load_dataset("levada-war-support")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ci = polls.with_ci(data, deff=polls.implied_design_effect(0.034, 1600))
        ch = polls.changes(data, deff=1.9, correction="holm", rounding=True)
    assert len(ci) == len(data)
    assert ci["ci_low"].le(ci["share"]).all() and ci["ci_high"].ge(ci["share"]).all()
    stated = data["sample_size"].notna().to_numpy()
    assert (ci.loc[stated, "n_source"] == "stated").all()
    assert (ci.loc[~stated, "n_source"] == "default").all()
    assert data.attrs["usual_sample_size"] == 1600
    assert np.allclose(ci.loc[~stated, "n_eff"] * 1.926, 1600, rtol=1e-3)
    waves = data.groupby("response", observed=True)["fieldwork_end"].nunique()
    assert len(ch) == int((waves - 1).sum())
    assert ch["pvalue_adjusted"].between(0, 1).all() and ch["significant"].dtype == bool


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: polls.compare_proportions(0.5, 0, 0.4, 100), ["n1", "0"]),
        (lambda: polls.compare_proportions(0.5, 100, 40, 100), ["p2", "40"]),
        (lambda: polls.compare_proportions(0.5, 100, float("nan"), 100), ["p2", "NaN"]),
        (lambda: polls.compare_proportions(0.5, 100, 0.4, 100, deff2=0.9), ["deff2", "0.9"]),
        (lambda: polls.compare_proportions(0.5, 100, 0.4, 100, method="score"),
         ["method", "score"]),
        (lambda: polls.compare_proportions(0.5, 100, 0.4, 100, alternative="larger"),
         ["alternative", "larger"]),
        (lambda: polls.compare_proportions([0.5, 0.4], 100, [0.4, 0.3, 0.2], 100),
         ["p1", "p2", "(2,)", "(3,)"]),
        (lambda: polls.compare_proportions(0.5, 100, 0.4, 100, confidence_level=1.0),
         ["confidence_level", "1.0"]),
        (lambda: polls.lead(0.5, 0.4, -5), ["n", "-5"]),
        (lambda: polls.lead(0.5, 1.2, 100), ["p_b", "1.2"]),
        (lambda: polls.lead(0.5, 0.4, 100, deff=0), ["deff", "0"]),
        (lambda: polls.adjust_pvalues([0.1, 0.2], method="bonferroni"),
         ["method", "bonferroni"]),
        (lambda: polls.adjust_pvalues([0.1, 1.2]), ["pvalues", "1.2"]),
        (lambda: polls.changes([1, 2, 3]), ["data", "list"]),
        (lambda: polls.changes(_tracker(), default_n=1600, by="wave"), ["by", "wave"]),
        (lambda: polls.changes(_tracker(), default_n=1600, correction="bonf"),
         ["correction", "bonf"]),
        (lambda: polls.changes(_tracker(), default_n=-1), ["default_n", "-1"]),
        (lambda: polls.changes(_tracker(), default_n=1600, deff=0.5), ["deff", "0.5"]),
        (lambda: polls.with_ci(_tracker(), default_n=1600, method="exact"), ["method", "exact"]),
        (lambda: polls.with_ci(_tracker(), default_n=1600, share="pct"), ["share", "pct"]),
        (lambda: polls.with_ci(_tracker().assign(share=76.0), default_n=1600),
         ["share", "76.0", "0.76 rather than 76", "rows 0, 1"]),
        (lambda: polls.with_ci(_tracker().assign(share=[0.7] * 5 + [np.nan] + [0.2] * 2),
                               default_n=1600), ["share", "missing", "rows 5"]),
        (lambda: polls.changes(_tracker().assign(d=[1.5] * 7 + [None]), default_n=1600,
                               deff="d"), ["deff='d'", "missing", "rows 7"]),
        (lambda: polls.with_ci(_tracker().assign(precision=np.nan), default_n=1600,
                               rounding=True), ["precision", "missing"]),
    ],
)
def test_bad_input_names_argument_and_value(call, words):
    with pytest.raises(InvalidArgumentError) as info:
        call()
    assert isinstance(info.value, ValueError)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_changes_single_series_and_one_sided():
    data = _tracker().drop(columns="series")
    two = polls.changes(data, by=None, default_n=1600)
    down = polls.changes(data, by=None, default_n=1600, alternative="less")
    assert len(two) == 6 and "series" not in two.columns
    for row, one_sided in zip(two.itertuples(), down["pvalue"], strict=True):
        e1, e0 = row.n, row.previous_n
        # reference: test_proportions_2indep(..., alternative="smaller") for a fall
        ref = smp.test_proportions_2indep(row.share * e1, e1, row.previous_share * e0, e0,
                                          method="score", correction=False,
                                          alternative="smaller")
        assert one_sided == pytest.approx(ref.pvalue, rel=1e-10)
    lead_frame = polls.lead(0.55, 0.36, 1600, deff=1.9).to_frame()
    assert lead_frame.loc[0, "n"] == 1600 and lead_frame.loc[0, "method"] == "multinomial"


def test_changes_follows_the_named_responses_only():
    data = _tracker()
    both = polls.changes(data, default_n=1600)
    one = polls.changes(data, response="support", default_n=1600)
    assert set(one["response"].astype(str)) == {"support"}
    pd.testing.assert_frame_equal(
        one.reset_index(drop=True),
        both[both["response"] == "support"].reset_index(drop=True), check_categorical=False)
    listed = polls.changes(data, response=["support", "oppose"], default_n=1600)
    assert len(listed) == len(both)
    with pytest.raises(InvalidArgumentError, match="'backing' never appears"):
        polls.changes(data, response="backing", default_n=1600)


def test_with_ci_can_keep_rows_without_a_sample_size():
    data = _tracker()
    with pytest.raises(InvalidArgumentError, match="no sample size"):
        polls.with_ci(data)
    out = polls.with_ci(data, missing_n="keep")
    lacking = data["sample_size"].isna().to_numpy()
    assert (out.loc[lacking, "n_source"] == "missing").all()
    assert out.loc[lacking, ["ci_low", "ci_high", "n_eff"]].isna().all().all()
    # rows with a stated size get exactly the interval they get on their own
    alone = polls.with_ci(data[~lacking])
    np.testing.assert_array_equal(out.loc[~lacking, "ci_low"], alone["ci_low"])
    with pytest.raises(InvalidArgumentError, match="missing_n"):
        polls.with_ci(data, missing_n="drop")


def _three_waves(**columns):
    frame = pd.DataFrame({
        "series": "s", "response": "support",
        "fieldwork_end": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"]),
        "share": [0.76, 0.75, 0.70], "sample_size": [1600, 1600, 1600],
    })
    for name, values in columns.items():
        frame[name] = pd.Series(values, dtype=object)
    return frame


@pytest.mark.parametrize(("columns", "words"), [
    ({"fieldwork_end": ["2024-01-31", "last spring", "2024-03-31"]}, ["date", "'last spring'",
                                                                       "rows 1"]),
    ({"fieldwork_end": ["2024-01-31", "3024-02-29", "2024-03-31"]}, ["'3024-02-29'", "1677"]),
    ({"fieldwork_end": ["01/02/2024", "02/02/2024", "03/02/2024"]}, ["'01/02/2024'", "dayfirst"]),
    ({"sample_size": [1600, "1.600 ljudi", 1600]}, ["sample_size", "'1.600 ljudi'", "rows 1"]),
    ({"sample_size": [1600, np.inf, 1600]}, ["sample_size", "inf"]),
    ({"share": [0.76, "75%", 0.70]}, ["share", "'75%'"]),
])
def test_changes_refuses_unreadable_values(columns, words):
    with pytest.raises(InvalidArgumentError) as info:
        polls.changes(_three_waves(**columns), default_n=1000)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_sample_sizes_printed_with_spaces_read_as_numbers_not_as_missing():
    printed = polls.changes(_three_waves(sample_size=[1600, "1 600", "1\u00a0600"]),
                            default_n=1000)
    numeric = polls.changes(_three_waves(), default_n=1000)
    pd.testing.assert_frame_equal(printed, numeric)
    assert (printed["n_source"] == "stated").all() and (printed["n"] == 1600).all()


def test_changes_and_with_ci_take_a_deff_per_row_by_label():
    frame = _three_waves()
    by_label = pd.Series([1.5, 2.0, 1.0], index=[1, 2, 0])
    out = polls.with_ci(frame, deff=by_label)
    assert out["n_eff"].tolist() == [1600.0, 1600 / 1.5, 800.0]
    assert polls.changes(frame, deff=by_label)["n_eff"].tolist() == [1600 / 1.5, 800.0]
    with pytest.raises(InvalidArgumentError, match="deff.*3 values.*got 2"):
        polls.with_ci(frame, deff=[1.5, 2.0])
    with pytest.raises(InvalidArgumentError, match="deff.*index labels"):
        polls.changes(frame, deff=pd.Series([1.5, 2.0], index=[0, 1]))


def test_compare_proportions_pairs_series_by_label():
    p1 = pd.Series([0.74, 0.30], index=["a", "b"])
    n1 = pd.Series([500, 1600], index=["b", "a"])
    res = polls.compare_proportions(p1, n1, 0.5, 1000)
    # a: 0.74 of 1600 against 0.5 of 1000; Newcombe's interval (statsmodels "newcomb")
    ref = confint_proportions_2indep(0.74 * 1600, 1600, 500, 1000, method="newcomb")
    assert (res.low[0], res.high[0]) == pytest.approx(ref, abs=1e-12)
    with pytest.raises(InvalidArgumentError, match="p1 and n1"):
        polls.compare_proportions(p1, pd.Series([1, 2], index=["a", "z"]), 0.5, 1000)


@pytest.mark.parametrize("call", [
    lambda: polls.compare_proportions(0.5, np.inf, 0.4, 100),
    lambda: polls.compare_proportions(0.5, 100, 0.4, 100, deff2=np.inf),
    lambda: polls.lead(0.5, 0.4, np.inf),
    lambda: polls.compare_proportions([0.5, 0.6], 100, [0.4, 0.5], 100, deff1=[1, 2, 3]),
    lambda: polls.compare_proportions("0.5", 100, 0.4, 100),
])
def test_comparisons_refuse_infinite_or_textual_input(call):
    with pytest.raises(InvalidArgumentError):
        call()


@pytest.mark.parametrize("kwargs", [
    {"date": None}, {"share": None}, {"by": 5}, {"by": ["series", None]}, {"response": 5},
    {"response_column": None}, {"default_n": "1600"}, {"default_n": [1, 2]},
    {"default_n": np.inf},
])
def test_frame_arguments_are_checked_even_when_no_row_needs_them(kwargs):
    with pytest.raises(InvalidArgumentError) as info:
        polls.changes(_three_waves(), **kwargs)
    assert next(iter(kwargs)) in str(info.value)
