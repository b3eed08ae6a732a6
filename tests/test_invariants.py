"""Invariants of the statistics under randomised input (hypothesis), and mutated toplines frames.

Each property is something a correct answer cannot break, whatever the input: an interval holds
its estimate and stays within its range, a larger design effect never narrows an interval, Series
pair by label, and a frame with one unreadable cell gives an error, never a shorter answer.
All data here are synthetic.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import polls
from polls.errors import PollsError

# numpy's warnings (division by zero, invalid values) mean a NaN or infinity was made inside
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

METHODS = polls.intervals.METHODS
# more examples for a longer search: POLLS_INVARIANT_EXAMPLES=2000 pytest tests/test_invariants.py
EXAMPLES = int(os.environ.get("POLLS_INVARIANT_EXAMPLES", "120"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
# frames cost more per example: half as many
FRAME_SETTINGS = settings(SETTINGS, max_examples=max(EXAMPLES // 2, 1))

shares = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0, 1),
                   st.floats(0, 1e-6), st.floats(1 - 1e-6, 1))
sizes = st.one_of(st.floats(0.01, 5), st.floats(1, 5000), st.floats(1, 1e9))
deffs = st.one_of(st.just(1.0), st.floats(1, 10), st.floats(1, 1e3))
levels = st.one_of(st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]), st.floats(1e-6, 1 - 1e-9))
steps = st.one_of(st.none(), st.sampled_from([0.01, 0.001, 0.1]))


# ------------------------------------------------------------------------------ one share


@SETTINGS
@given(share=shares, n=sizes, deff=deffs, level=levels, precision=steps,
       method=st.sampled_from(METHODS))
def test_proportion_interval_holds_its_share_within_zero_and_one(share, n, deff, level,
                                                                  precision, method):
    low, high = polls.proportion_ci(share, n, method=method, deff=deff, confidence_level=level,
                                    precision=precision)
    assert np.isfinite(low) and np.isfinite(high)
    assert 0.0 <= low <= share <= high <= 1.0


@SETTINGS
@given(share=shares, n=sizes, deff=deffs, factor=st.floats(1, 50), level=levels,
       method=st.sampled_from(METHODS))
def test_proportion_interval_widens_with_the_design_effect(share, n, deff, factor, level,
                                                           method):
    low, high = polls.proportion_ci(share, n, method=method, deff=deff, confidence_level=level)
    low2, high2 = polls.proportion_ci(share, n, method=method, deff=deff * factor,
                                      confidence_level=level)
    assert high2 - low2 >= (high - low) * (1 - 1e-9) - 1e-12


@SETTINGS
@given(n=sizes, p=shares, deff=deffs, factor=st.floats(1, 50))
def test_margin_of_error_grows_with_deff_and_shrinks_with_n(n, p, deff, factor):
    moe = polls.margin_of_error(n, p=p, deff=deff)
    assert 0 <= moe <= polls.margin_of_error(n, p=p, deff=deff * factor) * (1 + 1e-12)
    assert polls.margin_of_error(n * factor, p=p, deff=deff) <= moe * (1 + 1e-12)


@SETTINGS
@given(data=st.data(), size=st.integers(1, 8), method=st.sampled_from(METHODS))
def test_series_pair_by_label_whatever_their_order(data, size, method):
    labels = [f"w{i}" for i in range(size)]
    share = pd.Series(data.draw(st.lists(st.floats(0, 1), min_size=size, max_size=size)),
                      index=labels)
    n = pd.Series(data.draw(st.lists(st.floats(1, 1e5), min_size=size, max_size=size)),
                  index=labels)
    order = data.draw(st.permutations(labels))
    low, high = polls.proportion_ci(share, n.loc[order], method=method)
    ref_low, ref_high = polls.proportion_ci(share.to_numpy(), n.to_numpy(), method=method)
    assert list(low.index) == labels
    np.testing.assert_array_equal(low.to_numpy(), ref_low)
    np.testing.assert_array_equal(high.to_numpy(), ref_high)


# ------------------------------------------------------------------------------ differences


@SETTINGS
@given(p1=shares, p2=shares, n1=sizes, n2=sizes, deff1=deffs, deff2=deffs, level=levels,
       precision=steps, method=st.sampled_from(polls.change.COMPARE_METHODS),
       alternative=st.sampled_from(polls.change.ALTERNATIVES))
def test_comparison_ranges_are_ordered_and_hold_the_difference(p1, p2, n1, n2, deff1, deff2,
                                                               level, precision, method,
                                                               alternative):
    res = polls.compare_proportions(p1, n1, p2, n2, deff1=deff1, deff2=deff2, method=method,
                                    confidence_level=level, precision=precision,
                                    alternative=alternative)
    assert -1.0 <= res.low <= res.difference <= res.high <= 1.0
    assert 0.0 <= res.pvalue <= 1.0 and res.se >= 0
    assert np.isfinite([res.low, res.high, res.pvalue, res.se]).all()
    # the Wald statistic is infinite when both shares are 0% or 100% and differ: never NaN
    assert not np.isnan(res.statistic)


@SETTINGS
@given(pa=shares, frac=st.floats(0, 1), n=sizes, deff=deffs, level=levels, precision=steps,
       alternative=st.sampled_from(polls.change.ALTERNATIVES))
def test_lead_ranges_are_ordered_and_hold_the_lead(pa, frac, n, deff, level, precision,
                                                   alternative):
    pb = (1 - pa) * frac
    res = polls.lead(pa, pb, n, deff=deff, confidence_level=level, precision=precision,
                     alternative=alternative)
    assert -1.0 <= res.low <= res.difference <= res.high <= 1.0
    assert 0.0 <= res.pvalue <= 1.0


@SETTINGS
@given(p=st.lists(st.floats(0, 1), max_size=30), method=st.sampled_from(("holm", "fdr_bh")))
def test_adjusted_pvalues_are_probabilities_no_smaller_and_in_the_same_order(p, method):
    adj = polls.adjust_pvalues(p, method=method)
    raw = np.asarray(p, dtype=float)
    assert ((adj >= raw - 1e-15) & (adj <= 1)).all()
    order = np.argsort(raw, kind="stable")
    assert (np.diff(adj[order]) >= -1e-15).all()


# ------------------------------------------------------------------------------ frames


def _tracker(shares_, sizes_, gaps):
    dates = pd.Timestamp("2020-01-15") + pd.to_timedelta(np.cumsum(gaps), unit="D")
    return pd.DataFrame({"series": "synthetic", "response": "yes", "fieldwork_end": dates,
                         "share": shares_, "sample_size": sizes_})


@st.composite
def trackers(draw, min_waves=1):
    k = draw(st.integers(min_waves, 12))
    return _tracker(draw(st.lists(shares, min_size=k, max_size=k)),
                    draw(st.lists(st.integers(10, 5000), min_size=k, max_size=k)),
                    draw(st.lists(st.integers(1, 400), min_size=k, max_size=k)))


@FRAME_SETTINGS
@given(frame=trackers(), deff=deffs, method=st.sampled_from(METHODS))
def test_with_ci_keeps_every_row_and_holds_each_share(frame, deff, method):
    out = polls.with_ci(frame, deff=deff, method=method)
    assert len(out) == len(frame)
    assert ((out["ci_low"] <= out["share"]) & (out["share"] <= out["ci_high"])).all()


@FRAME_SETTINGS
@given(frame=trackers(min_waves=2), deff=deffs, rounding=st.booleans())
def test_changes_are_ordered_ranges_one_per_later_wave(frame, deff, rounding):
    out = polls.changes(frame.assign(precision=0.01), deff=deff, rounding=rounding)
    assert len(out) == len(frame) - 1
    assert ((out["ci_low"] <= out["difference"]) & (out["difference"] <= out["ci_high"])).all()
    np.testing.assert_allclose(out["difference"], np.diff(frame["share"].to_numpy()))


@FRAME_SETTINGS
@given(frame=trackers(), sd=st.floats(1e-6, 1),
       method=st.sampled_from(("kalman", "rolling", "loess")), window=st.integers(1, 400),
       frac=st.floats(0.05, 1), freq=st.sampled_from([None, "MS", "W"]))
def test_trend_intervals_are_finite_and_hold_their_estimate(frame, sd, method, window, frac,
                                                            freq):
    out = polls.smooth_trend(frame, response="yes", process_sd=sd, method=method,
                             window=window, frac=frac, freq=freq)
    cols = ["estimate", "ci_low", "ci_high", "se"]
    assert np.isfinite(out[cols].to_numpy()).all() and (out["se"] > 0).all()
    assert ((out["ci_low"] <= out["estimate"]) & (out["estimate"] <= out["ci_high"])).all()


@FRAME_SETTINGS
@given(yes=st.floats(0, 1), split=st.floats(0, 1), undecided=st.floats(0, 1),
       n=st.integers(10, 5000), deff=deffs)
def test_response_bounds_are_ordered(yes, split, undecided, n, deff):
    rest = 1 - yes
    hard = rest * undecided
    frame = pd.DataFrame({"series": "s", "response": ["yes", "no", "hard to say"],
                          "share": [yes, rest - hard, hard], "sample_size": n})
    out = polls.response_bounds(frame, response="yes", deff=deff).iloc[0]
    assert 0 <= out["bounds_ci_low"] <= out["lower"] <= out["upper"] <= out["bounds_ci_high"] <= 1
    if out["rebased"] == out["rebased"]:  # defined when someone decided
        assert out["rebased_ci_low"] <= out["rebased"] <= out["rebased_ci_high"]


# ------------------------------------------------------------------------------ mutations

JUNK = ["1.6 thousand", "70%", "n/a", "—", "31.02.2024", "inf", "1e999", "0x10", "12,5", "yes"]
COLUMNS = ["share", "sample_size", "fieldwork_end"]


def _calls(frame, column):
    if column != "fieldwork_end":  # with_ci reads no date
        yield lambda: polls.with_ci(frame, default_n=1000)
    yield lambda: polls.changes(frame, default_n=1000)
    yield lambda: polls.smooth_trend(frame, response="yes", process_sd=0.01, default_n=1000)
    if column != "fieldwork_end":  # bounds group waves by their date as a label, unread
        yield lambda: polls.response_bounds(frame, response="yes", complement="no",
                                            default_n=1000)


@settings(max_examples=60, deadline=None)
@given(row=st.integers(0, 5), column=st.sampled_from(COLUMNS), junk=st.sampled_from(JUNK))
def test_one_unreadable_cell_gives_an_error_never_a_shorter_answer(row, column, junk):
    base = _tracker([0.5, 0.52, 0.49, 0.51, 0.55, 0.5], [1600] * 6, [30] * 6)
    frame = base.astype({column: object})
    frame.loc[row, column] = junk
    for call in _calls(frame, column):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                call()
            except PollsError as err:
                # the column, the row and the value (as read: "inf" is infinity)
                assert column in str(err) and f"rows {row}" in str(err), str(err)
                assert repr(junk) in str(err) or "finite" in str(err), str(err)
            else:  # pragma: no cover - the property: no answer without the cell
                pytest.fail(f"{junk!r} in {column!r} was accepted")


@settings(max_examples=60, deadline=None)
@given(value=st.one_of(st.just(float("inf")), st.just(float("-inf")), st.just(float("nan")),
                       st.text(max_size=5), st.booleans(), st.none()),
       argument=st.sampled_from(["share", "n", "deff", "confidence_level", "precision"]))
def test_bad_scalar_arguments_raise_polls_errors_naming_them(value, argument):
    kwargs = {"share": 0.5, "n": 1000, "deff": 1.5, "confidence_level": 0.95, "precision": None}
    assume(not (argument == "precision" and value is None))
    kwargs[argument] = value
    with pytest.raises(PollsError) as info:
        polls.proportion_ci(kwargs.pop("share"), kwargs.pop("n"), **kwargs)
    assert argument in str(info.value)
