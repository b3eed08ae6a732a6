"""Tests for polls.weighting: rake() and trim_weights().

Reference weights come from R's survey package (scripts/r/rake.R writes
tests/fixtures/r_rake_*.csv); the R call is quoted beside each comparison.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polls.errors import ConvergenceWarning, InvalidArgumentError, PollsError
from polls.weighting import RakeResult, rake, trim_weights

FIXTURES = Path(__file__).parent / "fixtures"
REL = 1e-8


def _targets(name: str, level_dtype=None) -> dict:
    tg = pd.read_csv(FIXTURES / name, dtype={"level": level_dtype} if level_dtype else None)
    return {v: dict(zip(g["level"], g["total"], strict=True)) for v, g in tg.groupby("variable")}


def _rel_err(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a) / np.asarray(b) - 1)))


# --------------------------------------------------------------------------------------------
# against R's survey package


@pytest.mark.parametrize("name", ["apisrs", "apiclus1"])
def test_rake_matches_r_survey_rake_on_api_data(name):
    # R: rake(svydesign(...), list(~stype, ~sch.wide, ~comp.imp),
    #         list(<table of apipop$stype>, <... sch.wide>, <... comp.imp>),
    #         control = list(maxit = 1000, epsilon = 1e-13))
    df = pd.read_csv(FIXTURES / f"r_rake_{name}.csv")
    res = rake(df, _targets("r_rake_api_targets.csv"), weights="pw", tol=1e-13)
    assert res.converged
    assert _rel_err(res.weights, df["w_rake"]) < REL
    assert res.total == pytest.approx(6194, rel=1e-12)


@pytest.mark.parametrize(("name", "bounds"), [("apisrs", (0.65, 1.3)), ("apiclus1", (0.65, 2.0))])
def test_bounded_rake_matches_r_calibrate_raking_with_bounds(name, bounds):
    # R: calibrate(design, ~stype + sch.wide + comp.imp, population = <apipop totals>,
    #              calfun = "raking", bounds = c(lo, hi), epsilon = 1e-13, maxit = 1000)
    # R bounds w / pw; polls bounds w / (pw * 6194 / sum(pw)), so the bounds are rescaled.
    df = pd.read_csv(FIXTURES / f"r_rake_{name}.csv")
    scale = df["pw"].sum() / 6194
    res = rake(
        df,
        _targets("r_rake_api_targets.csv"),
        weights="pw",
        tol=1e-13,
        bounds=(bounds[0] * scale, bounds[1] * scale),
    )
    assert res.converged
    assert _rel_err(res.weights, df["w_bounded"]) < REL
    ratio = res.weights / df["pw"]
    assert ratio.min() >= bounds[0] * (1 - 1e-12) and ratio.max() <= bounds[1] * (1 + 1e-12)


@pytest.fixture(scope="module")
def synth():
    # synthetic respondents drawn in scripts/r/rake.R with set.seed(20240601)
    df = pd.read_csv(FIXTURES / "r_rake_synth.csv", dtype={"age": str})
    return df, _targets("r_rake_synth_targets.csv", level_dtype=str)


@pytest.mark.parametrize("kind", ["str", "object", "category"])
def test_rake_matches_r_on_synthetic_data(synth, kind):
    # R: rake(svydesign(id = ~1, weights = ~d, data = df), list(~region, ~age, ~sex),
    #         <population totals>, control = list(maxit = 1000, epsilon = 1e-13))
    df, targets = synth
    data = df[["region", "age", "sex", "d"]].copy()
    for c in ["region", "age", "sex"]:
        data[c] = data[c].astype(kind)
    res = rake(data, targets, weights="d", tol=1e-13)
    assert _rel_err(res.weights, df["w_rake"]) < REL
    assert res.total == pytest.approx(1e6, rel=1e-12)


def test_rake_integer_columns_match_r(synth):
    df, targets = synth
    data = df[["region", "age", "sex", "d"]].copy()
    data["age"] = data["age"].astype("int64")
    targets = dict(targets, age={int(k): v for k, v in targets["age"].items()})
    res = rake(data, targets, weights=data["d"].to_numpy(), tol=1e-13)
    assert _rel_err(res.weights, df["w_rake"]) < REL


def test_bounded_rake_matches_r_on_synthetic_data(synth):
    # R: calibrate(design, ~region + age + sex, pop, calfun = "raking", bounds = c(0.4, 3))
    df, targets = synth
    res = rake(df, targets, weights="d", tol=1e-13, bounds=(0.4, 3.0))
    assert _rel_err(res.weights, df["w_bounded"]) < REL


def test_trim_strict_matches_r_trimweights_strict():
    # R: trimWeights(svydesign(id = ~1, weights = ~w, data = syn), lower = <15% quantile>,
    #    upper = <80% quantile>, strict = TRUE) on seeded synthetic weights (models_reference.R);
    # both bounds bind and the rows raised to the lower bound end above it
    df = pd.read_csv(FIXTURES / "r_models_trim.csv")
    lower, upper = df["lower"].iloc[0], df["upper"].iloc[0]
    out = trim_weights(df["w"], lower, upper, redistribute="equal", strict=True)
    assert isinstance(out, pd.Series) and out.index.equals(df.index)
    assert _rel_err(out, df["trimmed"]) < REL, df["call"].iloc[0]
    raised = df["w"] < lower
    assert (df["trimmed"][raised] > lower).all() and (out[raised] > lower).all()
    # the equal-shift rule without R's extra rounds keeps the total too, but differs here
    plain = trim_weights(df["w"], lower, upper, redistribute="equal")
    assert plain.sum() == pytest.approx(df["w"].sum(), rel=1e-12)
    assert _rel_err(plain, df["trimmed"]) > 1e-3


def test_r_trimweights_rounds_depend_on_how_the_bounds_round(synth):
    # scripts/r/rake.R repeats R's trimWeights on raked weights (what strict = TRUE does). R
    # stores weights as probabilities and reads them back as 1 / (1 / w); for these bounds
    # that round trip lands one unit in the last place outside both bounds, so R counts the
    # rows sitting at a bound as outside in every round and never passes them a share: its
    # result is the rule that leaves clipped rows alone. polls follows R's rule in exact
    # arithmetic (the rows at the bounds do receive shares), so the two differ by the shares
    # of R's later rounds (at most 0.04 here, on the rows raised to the lower bound, for
    # weights of about 500).
    df, _ = synth
    lower, upper = df["trim_lower"].iloc[0], df["trim_upper"].iloc[0]
    assert 1 / (1 / upper) > upper and 1 / (1 / lower) < lower
    out = trim_weights(df["w_rake"], lower, upper, redistribute="equal", strict=True)
    assert out.sum() == pytest.approx(df["w_trim"].sum(), rel=1e-12)
    assert np.max(np.abs(out - df["w_trim"])) < 0.05
    assert out.min() >= lower and out.max() <= upper


# --------------------------------------------------------------------------------------------
# results and documented behaviour


def test_result_fields_and_kish_design_effect():
    df = pd.DataFrame({"sex": ["f", "f", "m", "m", "m"], "age": ["y", "o", "y", "o", "o"]})
    res = rake(df, {"sex": {"f": 0.5, "m": 0.5}, "age": {"y": 0.4, "o": 0.6}})
    assert isinstance(res, RakeResult)
    w = res.weights.to_numpy()
    n = len(w)
    assert res.design_effect == pytest.approx(n * (w**2).sum() / w.sum() ** 2, rel=1e-12)
    assert res.efficiency == pytest.approx(1 / res.design_effect)
    assert res.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
    assert res.weights.name == "weight" and res.weights.index.equals(df.index)
    assert w.sum() == pytest.approx(5)  # shares: the base total (here the number of rows)
    frame = res.to_frame()
    assert list(frame.columns) == [
        "variable",
        "level",
        "n",
        "sample_share",
        "target",
        "achieved",
        "error",
    ]
    assert frame["n"].tolist() == [2, 3, 2, 3]
    assert np.abs(frame["error"]).max() == pytest.approx(res.max_error)
    with pytest.raises(AttributeError):
        res.converged = False  # frozen


def test_targets_as_series_and_totals_give_the_same_weights():
    df = pd.DataFrame({"a": list("xxyyy"), "b": [1, 2, 1, 2, 2]})
    shares = rake(df, {"a": pd.Series({"x": 0.3, "y": 0.7}), "b": {1: 0.5, 2: 0.5}}, tol=1e-12)
    totals = rake(
        df, {"a": {"x": 300, "y": 700}, "b": pd.Series([500, 500], index=[1, 2])}, tol=1e-12
    )
    assert totals.total == pytest.approx(1000)
    np.testing.assert_allclose(totals.weights / 200, shares.weights, rtol=1e-10)


def test_categorical_with_unused_category_and_custom_index():
    df = pd.DataFrame(
        {"g": pd.Categorical(["a", "b", "b", "a"], categories=["a", "b", "c"])},
        index=[10, 20, 30, 40],
    )
    res = rake(df, {"g": {"a": 0.25, "b": 0.75}})
    assert res.weights.index.tolist() == [10, 20, 30, 40]
    np.testing.assert_allclose(res.weights.to_numpy(), [0.5, 1.5, 1.5, 0.5])


def test_unmatched_drop_reports_count_and_zero_weight():
    df = pd.DataFrame({"g": ["a", "b", "c", "c", "a"], "h": [1, 2, 1, 2, 1]})
    before = df.copy()
    res = rake(df, {"g": {"a": 0.5, "b": 0.5}, "h": {1: 0.5, 2: 0.5}}, unmatched="drop")
    assert res.n_dropped == 2 and res.n == 3
    assert (res.weights[df["g"] == "c"] == 0).all()
    assert (res.weights[df["g"] != "c"] > 0).all()
    pd.testing.assert_frame_equal(df, before)


def test_hashed_cell_table_for_many_level_combinations():
    # more level combinations than the dense table allows: the hashed path must agree
    rng = np.random.default_rng(7)
    n = 3000
    df = pd.DataFrame({f"v{i}": rng.integers(0, 40, n) for i in range(4)})
    targets = {c: {k: 1 / 40 for k in range(40)} for c in df.columns}
    res = rake(df, targets, tol=1e-10)
    for c in df.columns:
        shares = res.weights.groupby(df[c]).sum() / res.weights.sum()
        np.testing.assert_allclose(shares.to_numpy(), 1 / 40, atol=1e-10)
    # the same weights as with strings (factorize path)
    res2 = rake(
        df.astype(str),
        {c: {str(k): v for k, v in t.items()} for c, t in targets.items()},
        tol=1e-10,
    )
    np.testing.assert_allclose(res.weights, res2.weights, rtol=1e-9)


# --------------------------------------------------------------------------------------------
# bad input: a clear polls error, and the user's frame untouched


def _frame():
    return pd.DataFrame(
        {
            "sex": ["f", "m", "f", "m", "f", "m"],
            "age": pd.Categorical(["y", "y", "o", "o", "m", "m"]),
            "edu": [1, 2, 3, 1, 2, 3],
            "w": [1.0, 2.0, 1.5, 0.5, 1.0, 1.0],
        }
    )


GOOD = {
    "sex": {"f": 0.5, "m": 0.5},
    "age": {"y": 0.3, "m": 0.3, "o": 0.4},
    "edu": {1: 0.2, 2: 0.3, 3: 0.5},
}


def _bad_cases():
    def with_nan(col):
        df = _frame()
        df[col] = df[col].astype(object if col != "age" else df[col].dtype)
        df.loc[2, col] = np.nan
        return df

    return {
        "target level absent from data": (
            _frame(),
            dict(GOOD, sex={"f": 0.4, "m": 0.4, "x": 0.2}),
            {},
            "no respondents",
        ),
        "data level absent from targets": (
            _frame(),
            dict(GOOD, edu={1: 0.5, 2: 0.5}),
            {},
            "with no target",
        ),
        "categorical level absent from targets": (
            _frame(),
            dict(GOOD, age={"y": 0.5, "o": 0.5}),
            {},
            "'m'",
        ),
        "shares not summing to 1": (
            _frame(),
            dict(GOOD, sex={"f": 0.5, "m": 0.6}),
            {},
            "summing to 1",
        ),
        "totals not sharing one sum": (
            _frame(),
            {"sex": {"f": 50, "m": 50}, "edu": {1: 20, 2: 30, 3: 60}},
            {},
            "common sum",
        ),
        "zero target": (_frame(), dict(GOOD, sex={"f": 1.0, "m": 0.0}), {}, "positive"),
        "missing in string variable": (with_nan("sex"), GOOD, {}, "missing"),
        "missing in categorical variable": (with_nan("age"), GOOD, {}, "missing"),
        "missing in numeric variable": (with_nan("edu"), GOOD, {}, "missing"),
        "negative base weight": (
            _frame().assign(w=[1.0, -1.0, 1.0, 1.0, 1.0, 1.0]),
            GOOD,
            {"weights": "w"},
            "positive",
        ),
        "zero base weight": (
            _frame().assign(w=[1.0, 0.0, 1.0, 1.0, 1.0, 1.0]),
            GOOD,
            {"weights": "w"},
            "positive",
        ),
        "NaN base weight": (
            _frame().assign(w=[1.0, np.nan, 1.0, 1.0, 1.0, 1.0]),
            GOOD,
            {"weights": "w"},
            "positive",
        ),
        "weights array of wrong length": (_frame(), GOOD, {"weights": np.ones(3)}, "one value"),
        "unknown weighting variable": (_frame(), dict(GOOD, region={"a": 1.0}), {}, "not a column"),
        "unknown weights column": (_frame(), GOOD, {"weights": "nope"}, "not in data"),
        "subnormal base weight": (
            _frame().assign(w=[1.0, 1e-320, 1.0, 1.0, 1.0, 1.0]),
            GOOD,
            {"weights": "w"},
            "weights must be positive and finite \\(at least 2.23e-308\\).*1e-320",
        ),
        "infinite base weight": (
            _frame().assign(w=[1.0, np.inf, 1.0, 1.0, 1.0, 1.0]),
            GOOD,
            {"weights": "w"},
            "weights must be positive and finite.*inf",
        ),
        "base weights summing past the float range": (
            _frame().assign(w=[1e308, 1e308, 1.0, 1.0, 1.0, 1.0]),
            GOOD,
            {"weights": "w"},
            "weights sum to more than the largest float",
        ),
        "targets out of reach of tiny weights": (
            _frame().assign(w=np.full(6, 1e-300)),
            {"sex": {"f": 5e305, "m": 5e305}},
            {"weights": "w"},
            "too far apart",
        ),
        "bad bounds": (_frame(), GOOD, {"bounds": (1.5, 2.0)}, "bounds"),
        "bounds that are not numbers": (
            _frame(), GOOD, {"bounds": ("low", "high")}, "bounds must be a pair.*'low', 'high'"
        ),
        "bounds with a missing value": (_frame(), GOOD, {"bounds": (0.5, None)}, "None"),
        "bad tol": (_frame(), GOOD, {"tol": 0}, "tol"),
        "bad unmatched": (_frame(), GOOD, {"unmatched": "ignore"}, "unmatched"),
        "targets not a dict": (_frame(), [0.5, 0.5], {}, "targets"),
    }


@pytest.mark.parametrize("case", list(_bad_cases()))
def test_bad_input_raises_clear_error_and_leaves_frame_unchanged(case):
    df, targets, kwargs, words = _bad_cases()[case]
    before = df.copy(deep=True)
    with pytest.raises(InvalidArgumentError, match=words) as info:
        rake(df, targets, **kwargs)
    assert isinstance(info.value, PollsError)
    pd.testing.assert_frame_equal(df, before)


def test_good_frame_is_unchanged_by_raking():
    df = _frame()
    before = df.copy(deep=True)
    res = rake(df, GOOD, weights="w")
    assert res.converged
    pd.testing.assert_frame_equal(df, before)


def test_non_convergence_warns_with_diagnostics():
    df = pd.DataFrame({"sex": ["f", "f", "m", "m", "m"], "age": ["y", "o", "y", "o", "o"]})
    targets = {"sex": {"f": 0.5, "m": 0.5}, "age": {"y": 0.4, "o": 0.6}}
    with pytest.warns(ConvergenceWarning, match="did not converge in 3 sweeps"):
        res = rake(df, targets, max_iter=3, tol=1e-14)
    assert not res.converged and res.iterations == 3 and res.max_error > 1e-14
    # bounds that make the margins unreachable: the bounds hold, convergence fails loudly
    with pytest.warns(ConvergenceWarning, match="bounds"):
        res = rake(df, targets, bounds=(0.8, 1.25), max_iter=50)
    assert not res.converged
    ratio = res.weights.to_numpy()
    assert ratio.min() >= 0.8 - 1e-12 and ratio.max() <= 1.25 + 1e-12


def test_trim_weights_proportional_and_relative():
    w = np.array([1.0, 2.0, 3.0, 10.0])
    out = trim_weights(w, upper=5.0)
    # by hand: clip(c * w, upper=5) summing to 16: rows 3 and 4 at 5, so c * (1 + 2) = 6
    np.testing.assert_allclose(out, [2.0, 4.0, 5.0, 5.0], rtol=1e-14)
    rel = trim_weights(w, upper=1.25, relative=True)  # cap at 1.25 x the mean (4.0)
    assert rel.max() == pytest.approx(5.0) and rel.sum() == pytest.approx(w.sum())
    assert w.tolist() == [1.0, 2.0, 3.0, 10.0]  # input untouched
    with pytest.raises(InvalidArgumentError, match="cannot hold"):
        trim_weights(w, upper=3.0)
    with pytest.raises(InvalidArgumentError, match="positive"):
        trim_weights([1.0, -2.0], upper=3.0)


def test_trim_keeps_the_total_when_every_row_starts_outside_the_bounds():
    # relative bounds [0.8875, 3.55]: every row is outside at first; clip(c * w) with
    # c = 1.5 / 0.8875... keeps the total of 7.1 (trimming used to lose 0.8875 of it)
    w = [0.8, 0.7, 5.0, 0.6]
    for how in ("proportional", "equal"):
        out = trim_weights(w, lower=0.5, upper=2, relative=True, redistribute=how)
        assert out.sum() == pytest.approx(7.1, rel=1e-14)
        assert out.min() >= 0.8875 - 1e-15 and out.max() <= 3.55 + 1e-15
    out = trim_weights(w, lower=0.5, upper=2, relative=True)
    np.testing.assert_allclose(out[[0, 1, 3]] / np.array([0.8, 0.7, 0.6]), out[0] / 0.8)
    with pytest.raises(InvalidArgumentError, match="no row to give"):
        trim_weights(w, lower=0.5, upper=2, relative=True, redistribute="equal", strict=True)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lower": "a"}, "lower must be a number or None, got 'a'"),
        ({"upper": [2, 3]}, "upper must be a number or None"),
        ({"upper": float("nan")}, "upper must be a number or None, got nan"),
        ({"lower": 3.0, "upper": 2.0}, "need lower <= upper"),
        ({"upper": 3.0, "strict": True}, "pass redistribute='equal'"),
        ({"upper": 3.0, "strict": "yes"}, "strict must be True or False"),
        ({"upper": 3.0, "redistribute": "even"}, "redistribute must be"),
    ],
)
def test_trim_bad_arguments_name_the_argument_and_value(kwargs, match):
    with pytest.raises(InvalidArgumentError, match=match):
        trim_weights([1.0, 2.0, 9.0], **kwargs)


# --------------------------------------------------------------------------------------------
# properties


@st.composite
def samples(draw):
    ks = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    n = draw(st.integers(70, 200))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # every combination of levels occurs (so any positive margins are reachable), then random rows
    full = np.stack(np.meshgrid(*[np.arange(k) for k in ks], indexing="ij")).reshape(len(ks), -1)
    order = rng.permutation(n)  # one shuffle for all columns keeps the combinations
    data = {}
    targets = {}
    for j, k in enumerate(ks):
        codes = np.concatenate([full[j], rng.integers(0, k, n - full.shape[1])])
        data[f"v{j}"] = codes[order]
        share = rng.dirichlet(np.full(k, 5.0))
        targets[f"v{j}"] = dict(enumerate(share))
    base = rng.lognormal(0, 0.3, n)
    return pd.DataFrame(data), targets, base


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(samples())
def test_property_margins_hit_targets_and_weights_positive(sample):
    df, targets, base = sample
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        res = rake(df, targets, weights=base, tol=1e-8, max_iter=5000)
    w = res.weights
    assert (w > 0).all()
    for var, shares in targets.items():
        got = w.groupby(df[var]).sum() / w.sum()
        for level, share in shares.items():
            assert abs(got[level] - share) <= 1e-8
    assert res.max_error <= 1e-8


@settings(max_examples=30, deadline=None)
@given(samples())
def test_property_matching_sample_is_unchanged(sample):
    df, _, base = sample
    # targets equal to the sample's own weighted margins: nothing to do
    targets = {
        var: (pd.Series(base).groupby(df[var]).sum() / base.sum()).to_dict() for var in df.columns
    }
    res = rake(df, targets, weights=base)
    assert res.iterations == 0
    np.testing.assert_array_equal(res.weights.to_numpy(), base)


@settings(max_examples=30, deadline=None)
@given(samples(), st.floats(0.3, 0.9), st.floats(1.2, 3.0))
def test_property_bounded_raking_respects_bounds(sample, lo, hi):
    df, targets, base = sample
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tight bounds may be unreachable
        res = rake(df, targets, weights=base, bounds=(lo, hi), max_iter=300)
    ratio = res.weights.to_numpy() / base
    assert ratio.min() >= lo * (1 - 1e-12) and ratio.max() <= hi * (1 + 1e-12)
    if res.converged:
        assert res.max_error <= 1e-6


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.1, 100.0), min_size=3, max_size=50),
    st.floats(0.05, 0.95),
    st.floats(1.05, 3.0),
    st.sampled_from(["proportional", "equal", "strict"]),
    st.booleans(),
)
def test_property_trim_keeps_total_and_bounds(weights, floor, cap, how, both):
    w = np.array(weights)
    lower = floor if both else None
    kwargs = {"redistribute": "equal", "strict": True} if how == "strict" else {
        "redistribute": how}
    try:
        out = trim_weights(w, lower=lower, upper=cap, relative=True, **kwargs)
    except InvalidArgumentError as err:  # R's rule has no row left to take the trimmings
        assert how == "strict" and "no row to give" in str(err)
        return
    mean = w.mean()
    assert out.sum() == pytest.approx(w.sum(), rel=1e-12)
    assert out.max() <= cap * mean * (1 + 1e-12)
    if both:
        assert out.min() >= floor * mean * (1 - 1e-12)
    assert (out > 0).all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(samples(), st.floats(1e3, 1e9), st.floats(0.3, 0.9), st.floats(1.2, 3.0))
def test_property_raking_to_totals_keeps_the_total_and_the_bounds(sample, total, lo, hi):
    df, targets, base = sample
    totals = {v: {k: share * total for k, share in t.items()} for v, t in targets.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tight bounds may be unreachable
        res = rake(df, totals, weights=base, bounds=(lo, hi), max_iter=300)
    w = res.weights.to_numpy()
    ratio = w / (base * total / base.sum())  # bounds apply to base weights scaled to the total
    assert ratio.min() >= lo * (1 - 1e-12) and ratio.max() <= hi * (1 + 1e-12)
    if res.converged:
        assert w.sum() == pytest.approx(total, rel=1e-6)
        assert res.total == pytest.approx(w.sum(), rel=1e-12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(samples(), st.integers(-250, 250))
def test_property_raking_is_scale_free_for_tiny_and_huge_weights(sample, power):
    # base weights anywhere in the float range give the same shares and Kish design effect
    df, targets, base = sample
    plain = rake(df, targets, weights=base, tol=1e-10, max_iter=5000)
    scaled = rake(df, targets, weights=base * 10.0**power, tol=1e-10, max_iter=5000)
    np.testing.assert_allclose(scaled.weights / 10.0**power, plain.weights, rtol=1e-9)
    assert scaled.weights.sum() == pytest.approx(base.sum() * 10.0**power, rel=1e-12)
    assert scaled.design_effect == pytest.approx(plain.design_effect, rel=1e-9)


def test_two_thread_pass_matches_one_thread(monkeypatch):
    # large enough for the row pass to be split between two threads
    import polls.weighting as pw

    rng = np.random.default_rng(3)
    n = 9 * 65536
    df = pd.DataFrame(
        {
            "a": pd.Categorical.from_codes(rng.integers(0, 3, n), ["x", "y", "z"]),
            "b": rng.integers(1, 5, n),
        }
    )
    base = rng.lognormal(0, 0.5, n)
    targets = {"a": {"x": 0.2, "y": 0.3, "z": 0.5}, "b": {1: 0.1, 2: 0.2, 3: 0.3, 4: 0.4}}
    monkeypatch.setattr(pw, "_THREADS", 2)
    two = rake(df, targets, weights=base, tol=1e-12)
    monkeypatch.setattr(pw, "_THREADS", 1)
    one = rake(df, targets, weights=base, tol=1e-12)
    np.testing.assert_allclose(two.weights, one.weights, rtol=1e-10)
    assert two.design_effect == pytest.approx(one.design_effect, rel=1e-10)
    shares = two.weights.groupby(df["b"]).sum() / two.weights.sum()
    np.testing.assert_allclose(shares.to_numpy(), [0.1, 0.2, 0.3, 0.4], atol=1e-12)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["a", "b", None, "a"], dtype="str"),  # pandas' string dtype (Arrow-backed)
        pd.Series([1, 2, None, 1], dtype="Int64"),  # nullable integers
        pd.Series([1.0, 2.0, np.nan, 1.0]),  # float codes, as read from SPSS files
    ],
    ids=["str", "Int64", "float"],
)
def test_missing_values_in_other_column_kinds(column):
    df = pd.DataFrame({"g": column})
    before = df.copy()
    keys = ["a", "b"] if column.dtype == "str" else [1, 2]
    with pytest.raises(InvalidArgumentError, match="1 missing value"):
        rake(df, {"g": dict.fromkeys(keys, 0.5)})
    pd.testing.assert_frame_equal(df, before)
    filled = pd.DataFrame({"g": column.dropna()})
    res = rake(filled, {"g": dict.fromkeys(keys, 0.5)})
    np.testing.assert_allclose(res.weights.to_numpy(), [0.75, 1.5, 0.75])


def test_unmatched_levels_are_named_for_each_column_kind():
    df = pd.DataFrame(
        {
            "s": pd.Series(["a", "b", "zz", "a"], dtype="str"),
            "i": [1, 3, 9, -4],  # 3 sits inside the target range without a target
        }
    )
    with pytest.raises(InvalidArgumentError, match=r"\['zz'\] in 1 row"):
        rake(df[["s"]], {"s": {"a": 0.5, "b": 0.5}})
    with pytest.raises(InvalidArgumentError, match=r"\[-4, 3, 9\] in 3 row"):
        rake(df[["i"]], {"i": {1: 0.5, 2: 0.25, 4: 0.25}})
    res = rake(df, {"s": {"a": 0.5, "b": 0.5}, "i": {1: 0.5, 3: 0.5}}, unmatched="drop")
    assert res.n_dropped == 2
    np.testing.assert_allclose(res.weights.to_numpy(), [1.0, 1.0, 0.0, 0.0])


def test_targets_as_a_long_frame_give_the_same_weights_as_the_dict():
    rng = np.random.default_rng(7)  # synthetic respondents
    data = pd.DataFrame({"sex": rng.choice(["f", "m"], 500, p=[0.6, 0.4]),
                         "age": rng.choice(["18-34", "35-54", "55+"], 500)})
    as_dict = {"sex": {"f": 0.52, "m": 0.48}, "age": {"18-34": 0.3, "35-54": 0.35, "55+": 0.35}}
    long = pd.DataFrame(
        [(v, lev, t) for v, levels in as_dict.items() for lev, t in levels.items()],
        columns=["variable", "level", "target"])
    a = rake(data, as_dict).weights
    b = rake(data, long).weights
    pd.testing.assert_series_equal(a, b)
    with pytest.raises(InvalidArgumentError, match="repeats level 'f'"):
        rake(data, pd.concat([long, long.iloc[:1]], ignore_index=True))
    with pytest.raises(InvalidArgumentError, match="needs the columns"):
        rake(data, long.rename(columns={"target": "share"}))
