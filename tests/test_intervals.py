"""Tests of polls.intervals: every method against statsmodels, scipy and R reference values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import polls
from polls.errors import InvalidArgumentError, PollsError

FIXTURES = Path(__file__).parent / "fixtures"
METHODS = ("wilson", "wald", "wilson_cc", "agresti_coull", "clopper_pearson", "jeffreys")

# statsmodels' names for our methods: "normal" is Wald, "beta" is Clopper-Pearson
STATSMODELS = {
    "wald": "normal",
    "wilson": "wilson",
    "agresti_coull": "agresti_coull",
    "clopper_pearson": "beta",
    "jeffreys": "jeffreys",
}
# (count, n): small and large samples, boundaries and near-boundaries
CASES = [
    (0, 1), (1, 1), (0, 10), (1, 10), (3, 10), (9, 10), (10, 10), (2, 30), (15, 30),
    (49, 50), (0, 250), (612, 1600), (1301, 1600), (24, 1600), (5001, 10000),
]
LEVELS = (0.8, 0.9, 0.95, 0.99)


# --------------------------------------------------------------------------- reference values


@pytest.mark.parametrize("method", sorted(STATSMODELS))
@pytest.mark.parametrize("level", LEVELS)
def test_against_statsmodels_proportion_confint(method, level):
    for x, n in CASES:
        if method == "jeffreys" and x in (0, n):
            continue  # boundary rule differs on purpose: test_jeffreys_boundaries
        # reference: statsmodels.stats.proportion.proportion_confint(x, n, alpha, method)
        ref_low, ref_high = proportion_confint(x, n, alpha=1 - level, method=STATSMODELS[method])
        low, high = polls.proportion_ci(x / n, n, method=method, confidence_level=level)
        assert low == pytest.approx(ref_low, abs=1e-12), (method, x, n, level)
        assert high == pytest.approx(ref_high, abs=1e-12), (method, x, n, level)


def test_jeffreys_boundaries():
    # Brown, Cai & DasGupta (2001): lower limit 0 at x = 0, upper limit 1 at x = n; the other
    # limit is the equal-tailed one, as statsmodels proportion_confint(method="jeffreys")
    for n in (1, 10, 250):
        _, ref_high = proportion_confint(0, n, alpha=0.05, method="jeffreys")
        low, high = polls.proportion_ci(0.0, n, method="jeffreys")
        assert low == 0.0
        assert high == pytest.approx(ref_high, abs=1e-12)
        ref_low, _ = proportion_confint(n, n, alpha=0.05, method="jeffreys")
        low, high = polls.proportion_ci(1.0, n, method="jeffreys")
        assert high == 1.0
        assert low == pytest.approx(ref_low, abs=1e-12)


@pytest.mark.parametrize(
    ("method", "scipy_method"),
    [("clopper_pearson", "exact"), ("wilson", "wilson"), ("wilson_cc", "wilsoncc")],
)
@pytest.mark.parametrize("level", LEVELS)
def test_against_scipy_binomtest(method, scipy_method, level):
    for x, n in CASES:
        # reference: scipy.stats.binomtest(x, n).proportion_ci(confidence_level, method)
        ref = stats.binomtest(x, n).proportion_ci(confidence_level=level, method=scipy_method)
        low, high = polls.proportion_ci(x / n, n, method=method, confidence_level=level)
        assert low == pytest.approx(ref.low, abs=1e-12), (method, x, n, level)
        assert high == pytest.approx(ref.high, abs=1e-12), (method, x, n, level)


def test_against_r_prop_test_and_binom_test():
    # fixture written by scripts/r/proportions.R; the R call of each row is in column r_call
    ref = pd.read_csv(FIXTURES / "r_proportions_one.csv")
    assert len(ref) == 216
    checked = 0
    for row in ref.itertuples():
        if row.method == "wilson_cc" and 2 * row.x == row.n:
            # R's prop.test uses min(0.5, |x - n p0|) as its correction, which is 0 when
            # x = n / 2 exactly; Newcombe's method 4 (used here) keeps 0.5
            continue
        low, high = polls.proportion_ci(
            row.x / row.n, row.n, method=row.method, confidence_level=row.conf_level
        )
        assert low == pytest.approx(row.low, abs=1e-10), row.r_call
        assert high == pytest.approx(row.high, abs=1e-10), row.r_call
        checked += 1
    assert checked == 212  # 216 rows less the four of prop.test(15, 30, correct = TRUE)


def test_wilson_cc_against_r_prop_test_one_sample():
    # R 4.2.2: prop.test(3, 10, correct = TRUE)$conf.int -> 0.08094782 0.64632928
    low, high = polls.proportion_ci(0.3, 10, method="wilson_cc")
    assert (low, high) == pytest.approx((0.08094782, 0.64632928), abs=5e-9)


# --------------------------------------------------------------------------- design effects


@pytest.mark.parametrize("method", sorted(STATSMODELS))
def test_design_effect_uses_effective_sample_size(method):
    # a design effect d turns n into n / d and the count into share * n / d (fractional)
    for share, n, deff in [(0.53, 1600, 1.93), (0.2, 30, 1.5), (0.81, 1616, 2.4)]:
        n_eff = n / deff
        ref_low, ref_high = proportion_confint(
            share * n_eff, n_eff, alpha=0.05, method=STATSMODELS[method]
        )
        low, high = polls.proportion_ci(share, n, method=method, deff=deff)
        assert low == pytest.approx(ref_low, abs=1e-12)
        assert high == pytest.approx(ref_high, abs=1e-12)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_margin_of_error_closed_form(level):
    z = stats.norm.ppf(0.5 + level / 2)
    for n, p, deff in [(1600, 0.5, 1.0), (1600, 0.1, 1.9), (800, 0.25, 1.3), (50, 0.95, 1.0)]:
        expected = z * np.sqrt(deff * p * (1 - p) / n)
        assert polls.margin_of_error(n, p=p, confidence_level=level, deff=deff) == pytest.approx(
            expected, rel=1e-12
        )
    # the familiar figure: +/- 2.45 points at 50% for n = 1,600
    assert round(polls.margin_of_error(1600) * 100, 2) == 2.45


# Levada's stated maximum sampling errors (95%) for its usual n = 1,600, from
# https://www.levada.ru/en/2022/02/18/events-of-the-month-4/ (also in data/design of the curated
# material): share level (percent) -> error (points)
LEVADA_STATED = {50: 3.4, 25: 2.9, 75: 2.9, 10: 2.0, 90: 2.0, 5: 1.5, 95: 1.5}


def test_implied_design_effect_levada():
    z = stats.norm.ppf(0.975)
    for level_pct, error_pts in LEVADA_STATED.items():
        p = level_pct / 100
        expected = (error_pts / 100 / (z * np.sqrt(p * (1 - p) / 1600))) ** 2
        got = polls.implied_design_effect(error_pts / 100, 1600, p=p)
        assert got == pytest.approx(expected, rel=1e-12)
    # "around 1.9 at 50%" (docs/uncertainty.md)
    assert polls.implied_design_effect(0.034, 1600) == pytest.approx(1.926, abs=1e-3)
    # vectorised over the whole table
    levels = np.array(list(LEVADA_STATED)) / 100
    errors = np.array(list(LEVADA_STATED.values())) / 100
    deffs = polls.implied_design_effect(errors, 1600, p=levels)
    assert deffs.shape == (7,)
    assert np.all((deffs > 1.8) & (deffs < 2.0))


def test_levada_table_matches_the_curated_file_when_present():
    # the curated material sits next to the repository (shared/data)
    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "design" / (
        "levada_sampling_error.csv")
    if not path.exists():
        pytest.skip("curated source material not available")
    table = pd.read_csv(path)
    stated = dict(zip(table["share_level"], table["max_error_pct"], strict=True))
    assert stated == LEVADA_STATED


def test_implied_design_effect_inverts_margin_of_error():
    for deff in (1.0, 1.37, 2.5):
        for p in (0.05, 0.5, 0.8):
            moe = polls.margin_of_error(1200, p=p, deff=deff, confidence_level=0.9)
            back = polls.implied_design_effect(moe, 1200, p=p, confidence_level=0.9)
            assert back == pytest.approx(deff, rel=1e-12)


def test_kish_effective_n_and_design_effect():
    # hand computation: sum w = 8, sum w^2 = 12 -> n_eff = 64 / 12, deff = 6 * 12 / 64
    w = [1, 1, 1, 1, 2, 2]
    assert polls.effective_n(w) == pytest.approx(64 / 12)
    assert polls.design_effect(w) == pytest.approx(72 / 64)
    # Kish's identity deff = 1 + cv^2 (population variance), on synthetic seeded weights
    rng = np.random.default_rng(20240611)
    w = rng.lognormal(0.0, 0.6, size=500)
    cv2 = np.var(w) / np.mean(w) ** 2
    assert polls.design_effect(w) == pytest.approx(1 + cv2, rel=1e-12)
    assert polls.effective_n(w) == pytest.approx(500 / (1 + cv2), rel=1e-12)
    assert polls.design_effect(np.ones(40)) == pytest.approx(1.0)


# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize("method", METHODS)
def test_rounding_aware_interval_is_the_envelope(method):
    for share, n, step in [(0.53, 1600, 0.01), (0.0, 50, 0.01), (0.004, 300, 0.01),
                           (1.0, 80, 0.01), (0.761, 1600, 0.001)]:
        plain = polls.proportion_ci(share, n, method=method)
        wide = polls.proportion_ci(share, n, method=method, precision=step)
        lo_end = polls.proportion_ci(max(share - step / 2, 0.0), n, method=method)
        hi_end = polls.proportion_ci(min(share + step / 2, 1.0), n, method=method)
        assert wide.low == pytest.approx(min(lo_end.low, hi_end.low, plain.low), abs=1e-15)
        assert wide.high == pytest.approx(max(lo_end.high, hi_end.high, plain.high), abs=1e-15)
        assert wide.low <= plain.low and wide.high >= plain.high
        if 0 < share < 1:
            assert wide.width > plain.width


@settings(max_examples=60, deadline=None)
@given(
    share=st.floats(0, 1),
    n=st.floats(1, 5000),
    step=st.sampled_from([0.01, 0.001, 0.05]),
    method=st.sampled_from(METHODS),
)
def test_rounding_interval_covers_every_share_in_the_range(share, n, step, method):
    wide = polls.proportion_ci(share, n, method=method, precision=step)
    inside = np.clip(np.linspace(share - step / 2, share + step / 2, 11), 0, 1)
    each = polls.proportion_ci(inside, n, method=method)
    assert np.all(each.low >= wide.low - 1e-12)
    assert np.all(each.high <= wide.high + 1e-12)


# --------------------------------------------------------------------------- shapes


def test_vectorised_over_arrays_and_series():
    shares = pd.Series([0.1, 0.5, 0.76], index=["a", "b", "c"])
    ci = polls.proportion_ci(shares, 1600, method="clopper_pearson")
    assert isinstance(ci.low, pd.Series) and list(ci.low.index) == ["a", "b", "c"]
    for key, share in shares.items():
        one = polls.proportion_ci(share, 1600, method="clopper_pearson")
        assert ci.low[key] == pytest.approx(one.low) and ci.high[key] == pytest.approx(one.high)
    arr = polls.proportion_ci(np.array([0.1, 0.2]), np.array([[100], [400]]))
    assert arr.low.shape == (2, 2)
    assert isinstance(polls.proportion_ci(0.5, 10).low, float)
    moe = polls.margin_of_error(pd.Series([100, 400], index=[5, 6]))
    assert isinstance(moe, pd.Series) and list(moe.index) == [5, 6]
    assert moe[6] == pytest.approx(moe[5] / 2)


def test_proportion_estimate_result():
    est = polls.proportion_estimate(0.53, 1600, deff=1.93, method="jeffreys")
    assert est.n_eff == pytest.approx(1600 / 1.93)
    assert est.se == pytest.approx(np.sqrt(0.53 * 0.47 / (1600 / 1.93)))
    assert tuple(est.confidence_interval()) == tuple(
        polls.proportion_ci(0.53, 1600, deff=1.93, method="jeffreys")
    )
    at_90 = est.confidence_interval(confidence_level=0.9)
    ref = proportion_confint(0.53 * 1600 / 1.93, 1600 / 1.93, alpha=0.1, method="jeffreys")
    assert (at_90.low, at_90.high) == pytest.approx(ref, abs=1e-12)
    frame = est.to_frame()
    assert list(frame.columns) == list(polls.results.FRAME_COLUMNS)
    assert frame.loc[0, "method"] == "jeffreys" and frame.loc[0, "n"] == 1600
    many = polls.proportion_estimate(np.array([0.2, 0.3]), 100).to_frame()
    assert len(many) == 2 and many["estimate"].tolist() == [0.2, 0.3]


# --------------------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(
    share=st.floats(0, 1),
    n=st.floats(1, 20000),
    deff=st.floats(1, 4),
    level=st.floats(0.5, 0.999),
    method=st.sampled_from(METHODS),
)
def test_interval_properties(share, n, deff, level, method):
    low, high = polls.proportion_ci(share, n, method=method, deff=deff, confidence_level=level)
    assert 0.0 <= low <= high <= 1.0
    # the estimate lies inside, for every method (Jeffreys' limit is moved to the share where
    # both equal tails lie above a fractional count below one)
    assert low <= share <= high
    # wider with the confidence level
    low2, high2 = polls.proportion_ci(
        share, n, method=method, deff=deff, confidence_level=min(level + 0.0005 + (1 - level) / 2,
                                                                 0.9995)
    )
    assert low2 <= low + 1e-12 and high2 >= high - 1e-12
    # wider with the design effect (nested, except Jeffreys whose centre moves)
    low3, high3 = polls.proportion_ci(
        share, n, method=method, deff=deff * 1.5, confidence_level=level
    )
    assert high3 - low3 >= high - low - 1e-12
    if method != "jeffreys":
        assert low3 <= low + 1e-12 and high3 >= high - 1e-12


def test_jeffreys_contains_the_estimate_for_whole_counts():
    for n in range(1, 80):
        k = np.arange(n + 1)
        for level in (0.8, 0.9, 0.95, 0.99):
            low, high = polls.proportion_ci(k / n, n, method="jeffreys", confidence_level=level)
            assert np.all(low <= k / n + 1e-12) and np.all(high >= k / n - 1e-12)


def _exact_coverage(method: str, n: int, p: float, level: float = 0.95) -> float:
    """Exact coverage: sum of binomial probabilities of the counts whose interval covers p."""
    k = np.arange(n + 1)
    low, high = polls.proportion_ci(k / n, n, method=method, confidence_level=level)
    covered = (low <= p) & (p <= high)
    return float(stats.binom.pmf(k, n, p)[covered].sum())


def test_coverage_wilson_near_nominal_where_wald_is_not():
    # n = 30, p = 0.05 (Brown, Cai & DasGupta 2001 discuss this corner)
    wald = _exact_coverage("wald", 30, 0.05)
    wilson = _exact_coverage("wilson", 30, 0.05)
    cp = _exact_coverage("clopper_pearson", 30, 0.05)
    assert wald < 0.80  # Wald: 0.782
    assert 0.93 < wilson < 0.97  # Wilson: 0.939
    assert cp >= 0.95  # Clopper-Pearson is conservative by construction
    # averaged over a seeded random set of true shares
    rng = np.random.default_rng(7)
    ps = rng.uniform(0.02, 0.98, size=200)
    avg_wald = np.mean([_exact_coverage("wald", 30, p) for p in ps])
    avg_wilson = np.mean([_exact_coverage("wilson", 30, p) for p in ps])
    min_cp = np.min([_exact_coverage("clopper_pearson", 30, p) for p in ps])
    assert avg_wald < 0.92
    assert abs(avg_wilson - 0.95) < 0.01
    assert min_cp >= 0.95 - 1e-12


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: polls.proportion_ci(0.5, 0), ["n", "0"]),
        (lambda: polls.proportion_ci(0.5, -10), ["n", "-10"]),
        (lambda: polls.proportion_ci(76, 1600), ["share", "76", "0.76"]),
        (lambda: polls.proportion_ci(-0.1, 100), ["share", "-0.1"]),
        (lambda: polls.proportion_ci(float("nan"), 100), ["share", "NaN"]),
        (lambda: polls.proportion_ci(0.5, float("nan")), ["n", "NaN"]),
        (lambda: polls.proportion_ci([0.1, 0.2, 0.3], [10, 20]), ["share", "n", "(3,)", "(2,)"]),
        (lambda: polls.proportion_ci(0.5, 100, method="exact"), ["method", "exact"]),
        (lambda: polls.proportion_ci(0.5, 100, deff=0.8), ["deff", "0.8"]),
        (lambda: polls.proportion_ci(0.5, 100, confidence_level=95), ["confidence_level", "95"]),
        (lambda: polls.proportion_ci(0.5, 100, precision=1), ["precision", "1"]),
        (lambda: polls.proportion_ci("a lot", 100), ["share", "a lot"]),
        (lambda: polls.margin_of_error(0), ["n", "0"]),
        (lambda: polls.margin_of_error(100, p=1.5), ["p", "1.5"]),
        (lambda: polls.margin_of_error(100, deff=0.5), ["deff", "0.5"]),
        (lambda: polls.implied_design_effect(3.4, 1600), ["moe", "3.4", "0.034"]),
        (lambda: polls.implied_design_effect(-0.01, 1600), ["moe", "-0.01"]),
        (lambda: polls.implied_design_effect(0.03, 1600, p=0.0), ["p", "0.0"]),
        (lambda: polls.effective_n([1.0, 0.0, 2.0]), ["weights", "0.0"]),
        (lambda: polls.design_effect([1.0, float("nan")]), ["weights", "NaN"]),
        (lambda: polls.design_effect([]), ["weights", "empty"]),
        (lambda: polls.design_effect([[1, 2], [3, 4]]), ["weights", "(2, 2)"]),
        (lambda: polls.proportion_ci(0.5, float("inf")), ["n", "finite", "inf"]),
        (lambda: polls.proportion_ci(0.5, 100, deff=float("inf")), ["deff", "finite", "inf"]),
        (lambda: polls.proportion_ci(0.5, [100, np.inf]), ["n", "finite", "[1]"]),
        (lambda: polls.margin_of_error(np.inf), ["n", "finite"]),
        (lambda: polls.effective_n([1.0, np.inf]), ["weights", "finite"]),
        (lambda: polls.proportion_ci("0.5", 100), ["share", "'0.5'", "text"]),
        (lambda: polls.proportion_ci(0.5, "1600"), ["n", "'1600'"]),
        (lambda: polls.proportion_ci(True, 100), ["share", "True"]),
        (lambda: polls.proportion_ci(0.5, 100, confidence_level="0.95"), ["confidence_level"]),
        (lambda: polls.proportion_ci(
            pd.Series([0.1, 0.9], index=["a", "b"]), pd.Series([10, 1000], index=["a", "c"])),
         ["share", "n", "index labels", "'b'", "'c'"]),
    ],
)
def test_bad_input_names_argument_and_value(call, words):
    with pytest.raises(InvalidArgumentError) as info:
        call()
    assert isinstance(info.value, PollsError) and isinstance(info.value, ValueError)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_clopper_pearson_lower_limit_for_a_vanishing_count():
    # The lower limit is the alpha/2 quantile of Beta(x, n - x + 1); its CDF near 0 is about
    # t**x / (x B(x, n - x + 1)), so the quantile is about (alpha/2 * x * B)**(1 / x), which
    # underflows to 0 for x ~ 1e-300. scipy.special.betaincinv(x, n - x + 1, alpha / 2) returns
    # about 1.8e-12 for the subnormal count x = 2.2e-309 (above the share): the limit must be 0.
    share = 2.225073858507203e-309
    low, high = polls.proportion_ci(share, 1, method="clopper_pearson", confidence_level=0.5)
    assert low == 0.0
    # the upper limit is the 1 - alpha/2 quantile of Beta(x + 1, n - x) -> Beta(1, 1) = 0.75
    assert high == pytest.approx(stats.beta.ppf(0.75, 1.0, 1.0), abs=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_edge_cases_are_valid_intervals(method):
    for share, n in [(0.0, 1), (1.0, 1), (0.0, 1600), (1.0, 1600), (0.5, 1), (0.0, 0.4)]:
        low, high = polls.proportion_ci(share, n, method=method)
        assert 0.0 <= low <= share <= high <= 1.0
        assert np.isfinite(low) and np.isfinite(high)


def test_series_are_paired_by_index_label_not_position():
    share = pd.Series([0.1, 0.9], index=["x", "y"])
    n = pd.Series([1000, 10], index=["y", "x"])  # same labels, other order
    low, high = polls.proportion_ci(share, n, deff=pd.Series([2.0, 1.0], index=["y", "x"]))
    # the reference pairs the values by hand: x has share 0.1 out of n = 10 (deff 1); y has 0.9
    # out of 1000 / 2 = 500 effective respondents; statsmodels' Wilson interval for each
    for label, count, size in (("x", 1, 10), ("y", 450, 500)):
        ref = proportion_confint(count, size, alpha=0.05, method="wilson")
        assert (low[label], high[label]) == pytest.approx(ref, abs=1e-12)
    assert list(low.index) == ["x", "y"]
    moe = polls.margin_of_error(n, p=share)
    assert moe["x"] == pytest.approx(stats.norm.ppf(0.975) * np.sqrt(0.1 * 0.9 / 10))
    est = polls.proportion_estimate(share, n)
    assert est.n_eff.tolist() == [10.0, 1000.0]


def test_kish_weights_are_scale_free():
    # huge or tiny weights overflow or underflow when squared; Kish's ratio does not depend on
    # the scale, so it must equal that of the rescaled weights
    w = np.array([1.0, 1.0, 2.0, 3.0])
    for scale in (1e200, 1e-200):
        assert polls.effective_n(w * scale) == pytest.approx(w.sum() ** 2 / (w**2).sum())
        assert polls.design_effect(w * scale) == pytest.approx(4 * (w**2).sum() / w.sum() ** 2)
