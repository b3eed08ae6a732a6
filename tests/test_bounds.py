"""Tests of polls.response_bounds (worst-case bounds for undecided respondents).

Interval references: statsmodels' Wilson interval. Frames here are small hand-made toplines
(synthetic) unless they come from the bundled datasets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import polls
from polls.errors import InvalidArgumentError, PollsWarning


def toplines(rows):
    return pd.DataFrame(rows, columns=["series", "fieldwork_end", "response", "share",
                                       "sample_size"])


@pytest.fixture
def three_waves():
    return toplines([
        ("s", "2024-01", "support", 0.70, 1600),
        ("s", "2024-01", "oppose", 0.20, 1600),
        ("s", "2024-01", "hard to say", 0.08, 1600),
        ("s", "2024-01", "refused", 0.02, 1600),
        ("s", "2024-02", "support", 0.65, None),
        ("s", "2024-02", "oppose", 0.25, None),
        ("s", "2024-02", "hard to say", 0.10, None),
        ("s", "2024-03", "support", 0.60, 1500),
        ("s", "2024-03", "oppose", 0.30, 1500),
    ])


def test_bounds_and_rebasing(three_waves):
    from statsmodels.stats.proportion import proportion_confint

    with pytest.warns(PollsWarning, match="1 of 3 wave"):
        out = polls.response_bounds(three_waves, response="support", default_n=1000)
    first = out.iloc[0]
    assert first["lower"] == 0.70 and first["upper"] == pytest.approx(0.80)
    assert first["undecided_published"] == "hard to say; refused"
    assert first["rebased"] == pytest.approx(0.70 / 0.90)
    # each end is a one-sided 97.5% Wilson bound, so the pair covers [lower, upper] at >= 95%
    lo, _ = proportion_confint(0.70 * 1600, 1600, alpha=0.05, method="wilson")
    _, hi = proportion_confint(0.80 * 1600, 1600, alpha=0.05, method="wilson")
    assert first["bounds_ci_low"] == pytest.approx(lo, rel=1e-12)
    assert first["bounds_ci_high"] == pytest.approx(hi, rel=1e-12)
    # re-based share: Wilson with the decided respondents (1600 * 0.9)
    rlo, rhi = proportion_confint(0.70 / 0.9 * 1440, 1440, alpha=0.05, method="wilson")
    assert (first["rebased_ci_low"], first["rebased_ci_high"]) == pytest.approx((rlo, rhi))
    # second wave: no sample size, so default_n is used and said
    assert out.iloc[1]["n"] == 1000 and out.iloc[1]["n_source"] == "default"
    # third wave: no undecided published: kept, no bounds, reason given
    third = out.iloc[2]
    assert math.isnan(third["lower"]) and third["status"].startswith("undecided share not")
    assert third["share"] == 0.60


def test_complement_gives_remainder_bounds(three_waves):
    out = polls.response_bounds(three_waves, response="support", complement="oppose",
                                default_n=1000)
    third = out.iloc[2]
    assert third["method"].startswith("remainder")
    assert (third["lower"], third["upper"]) == pytest.approx((0.60, 0.70))
    assert third["rebased"] == pytest.approx(0.60 / 0.90)
    assert (out["status"] == "ok").all()


def test_sample_size_rules(three_waves):
    with pytest.raises(InvalidArgumentError, match="default_n= nor data.attrs"):
        polls.response_bounds(three_waves, response="support")
    frame = three_waves.copy()
    frame.attrs["usual_sample_size"] = 1234
    with pytest.warns(PollsWarning):
        out = polls.response_bounds(frame, response="support")
    assert out.iloc[1]["n"] == 1234 and out.iloc[1]["n_source"] == "default"
    assert out.iloc[0]["n_source"] == "stated"
    with pytest.warns(PollsWarning):
        deff = polls.response_bounds(frame, response="support", deff=2.0)
    assert deff.iloc[0]["n_eff"] == 800
    assert deff.iloc[0]["bounds_ci_low"] < out.iloc[0]["bounds_ci_low"]


def test_missing_response_and_conflicts_are_reported_not_dropped():
    frame = toplines([
        ("s", "2024-01", "oppose", 0.20, 1600),
        ("s", "2024-01", "hard to say", 0.10, 1600),
        ("s", "2024-02", "support", 0.60, 1600),
        ("s", "2024-02", "support", 0.62, 1600),
        ("s", "2024-02", "hard to say", 0.10, 1600),
        ("s", "2024-03", "support", 0.60, 1600),
    ])
    with pytest.warns(PollsWarning, match="3 of 3"):
        out = polls.response_bounds(frame, response="support")
    assert len(out) == 3
    assert "not published" in out.iloc[0]["status"]
    assert "conflicting" in out.iloc[1]["status"]


def test_bad_arguments(three_waves):
    with pytest.raises(InvalidArgumentError, match="never appears"):
        polls.response_bounds(three_waves, response="Support", default_n=1000)
    with pytest.raises(InvalidArgumentError, match="also listed as undecided"):
        polls.response_bounds(three_waves, response="hard to say", default_n=1000)
    with pytest.raises(InvalidArgumentError, match="confidence_level"):
        polls.response_bounds(three_waves, response="support", default_n=1000,
                              confidence_level=95)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 1000), st.floats(0, 1), st.integers(50, 5000))
def test_rebased_lies_between_the_bounds(s, u, n):
    # Published shares, to one decimal of a percent, that do not exceed 100% together.
    u = round(u * (1000 - s)) / 1000
    s = s / 1000
    frame = toplines([("s", "2024-01", "yes", s, n), ("s", "2024-01", "hard to say", u, n)])
    out = polls.response_bounds(frame, response="yes").iloc[0]
    assert out["lower"] <= out["upper"] + 1e-15
    if u < 1:
        assert out["lower"] - 1e-12 <= out["rebased"] <= out["upper"] + 1e-12
    assert out["bounds_ci_low"] <= out["lower"] + 1e-12
    assert out["bounds_ci_high"] >= min(out["upper"], 1.0) - 1e-12


def test_bundled_levada_war_support():
    df = polls.load_dataset("levada-war-support")
    with pytest.warns(PollsWarning):
        out = polls.response_bounds(df, response="support (total)")
    published = df[df["response"] == "support (total)"]
    ok = out[out["status"] == "ok"]
    assert len(ok) >= 1
    # every wave with both figures printed has lower = the published share, upper = + hard to say
    for _, row in ok.iterrows():
        wave = df[(df["fieldwork_end"] == row["fieldwork_end"])
                  & (df["fieldwork_start"] == row["fieldwork_start"])]
        s = wave.loc[wave["response"] == "support (total)", "share"].item()
        u = wave.loc[wave["response"] == "hard to say", "share"].item()
        assert row["lower"] == s and row["upper"] == pytest.approx(s + u)
    # nothing dropped: every wave with a support figure appears
    waves = published[["fieldwork_start", "fieldwork_end"]].drop_duplicates()
    assert len(waves) <= out["share"].notna().sum()
    assert np.isnan(out.loc[out["status"] != "ok", "lower"]).all()


def test_percent_shares_are_rejected_naming_column_and_rows():
    frame = toplines([("s", "2024-01", "yes", 70.0, 1600), ("s", "2024-01", "hard to say", 6.0,
                                                             1600)])
    with pytest.raises(InvalidArgumentError) as info:
        polls.response_bounds(frame, response="yes")
    message = str(info.value)
    for word in ("'share'", "70.0", "0.76 rather than 76", "rows 0, 1"):
        assert word in message, (word, message)
    with pytest.raises(InvalidArgumentError, match=r"default_n must be positive, got .*-5"):
        polls.response_bounds(frame.assign(share=[0.7, 0.06]), response="yes", default_n=-5)
    with pytest.raises(InvalidArgumentError, match="deff must be one number"):
        polls.response_bounds(frame.assign(share=[0.7, 0.06]), response="yes", deff=[1.5, 2])


def test_missing_share_is_a_reported_gap_not_a_silent_nan():
    frame = toplines([
        ("s", "2024-01", "yes", np.nan, 1600), ("s", "2024-01", "hard to say", 0.10, 1600),
        ("s", "2024-02", "yes", 0.60, 1600), ("s", "2024-02", "hard to say", np.nan, 1600),
    ])
    with pytest.warns(PollsWarning, match="2 of 2"):
        out = polls.response_bounds(frame, response="yes")
    assert out["status"].tolist() == ["'yes' not published for this wave",
                                      "undecided share not published for this wave"]
    assert out["lower"].isna().all() and out["bounds_ci_low"].isna().all()


def test_rounded_figures_over_100_percent_are_capped():
    from statsmodels.stats.proportion import proportion_confint

    # 95% + 6% = 101% after rounding: the share cannot exceed 1
    frame = toplines([("s", "2024-01", "yes", 0.95, 100), ("s", "2024-01", "hard to say", 0.06,
                                                           100)])
    row = polls.response_bounds(frame, response="yes").iloc[0]
    assert row["upper"] == 1.0 and row["rebased"] == 1.0
    # reference: statsmodels proportion_confint(95, 100, alpha=0.05, method="wilson")[0]
    assert row["bounds_ci_low"] == pytest.approx(
        proportion_confint(95, 100, alpha=0.05, method="wilson")[0], rel=1e-12)
    assert row["bounds_ci_high"] == 1.0
    # re-based: Wilson with the decided respondents, 100 * (1 - 0.06) = 94, all saying yes;
    # reference: statsmodels proportion_confint(94, 94, alpha=0.05, method="wilson")
    ref = proportion_confint(94, 94, alpha=0.05, method="wilson")
    assert (row["rebased_ci_low"], row["rebased_ci_high"]) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize(("columns", "words"), [
    ({"share": ["70%", 0.20, 0.10]}, ["share", "'70%'", "rows 0"]),
    ({"share": [0.70, 0.20, "10 %"]}, ["share", "'10 %'", "rows 2"]),
    ({"sample_size": ["1600 people"] * 3}, ["sample_size", "'1600 people'"]),
    ({"sample_size": ["12,5"] * 3}, ["sample_size", "'12,5'"]),
    ({"sample_size": [np.inf] * 3}, ["sample_size", "inf"]),
])
def test_text_shares_raise_instead_of_counting_as_unpublished(columns, words):
    df = pd.DataFrame({"series": ["s"] * 3, "response": ["yes", "no", "hard to say"],
                       "share": [0.70, 0.20, 0.10], "sample_size": [1600] * 3})
    for name, values in columns.items():
        df[name] = pd.Series(values, dtype=object)
    with pytest.raises(InvalidArgumentError) as info:
        polls.response_bounds(df, response="yes")
    assert all(w in str(info.value) for w in words), str(info.value)


@pytest.mark.parametrize("kwargs", [
    {"undecided": 5}, {"undecided": ["hard to say", None]}, {"complement": 3},
    {"deff": "2"}, {"deff": float("inf")}, {"default_n": float("inf")},
    {"confidence_level": "0.95"}, {"response": 1},
])
def test_bad_arguments_name_themselves(kwargs):
    df = pd.DataFrame({"series": ["s"] * 3, "response": ["yes", "no", "hard to say"],
                       "share": [0.70, 0.20, 0.10], "sample_size": [1600] * 3})
    call = {"response": "yes", **kwargs}
    with pytest.raises(InvalidArgumentError) as info:
        polls.response_bounds(df, **call)
    assert next(iter(kwargs)) in str(info.value)
