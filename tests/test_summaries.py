"""Plain-language summaries and short reprs: each sentence's numbers are the result's own."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import polls
from polls.errors import InvalidArgumentError

LANGS = ["en", "ru", "sr", "sr-Cyrl"]
NUMBER = re.compile(r"\d+\.\d+")


def significant_digits(text: str) -> int:
    return len(text.replace(".", "").lstrip("0"))


def whole(share: float) -> str:
    """A share as whole percent, rounded the ordinary way (as a reader would round it)."""
    return f"{round(share * 100)}%"


def points(value: float) -> str:
    return str(round(abs(value) * 100))


# ----------------------------------------------------------------------------- Comparison


def test_change_summary_states_direction_shares_interval_and_p():
    res = polls.compare_proportions(0.74, 1600, 0.81, 1600, deff1=1.9, deff2=1.9)
    text = res.summary(what="Support")
    low, high = res.confidence_interval()
    assert text.startswith(f"Support fell {points(res.difference)} points, from 81% to 74%")
    # a fall: the interval is given as the size of the fall, smaller first
    assert f"95% interval for the change: {points(high)} to {points(low)} points" in text
    assert res.pvalue < 0.001 and "unlikely from sampling noise alone (p < 0.001)" in text


def test_change_summary_small_change_could_be_noise_with_p():
    res = polls.compare_proportions(0.76, 1600, 0.74, 1600)
    text = res.summary()
    low, high = res.confidence_interval()
    assert low < 0 < high
    assert text.startswith("The share rose 2 points, from 74% to 76%")
    assert f"between a fall of {points(low)} and a rise of {points(high)} points" in text
    assert f"could come from sampling noise alone (p = {res.pvalue:.2f})" in text


def test_change_summary_small_fall_interval_across_zero():
    res = polls.compare_proportions(0.72, 1600, 0.73, 1600, deff1=1.9, deff2=1.9)
    low, high = res.confidence_interval()
    text = res.summary()
    assert text.startswith("The share fell 1 point, from 73% to 72%")
    assert f"between a fall of {points(low)} and a rise of {points(high)} points" in text


def test_difference_between_two_named_samples():
    res = polls.compare_proportions(0.79, 1600, 0.74, 1600)
    text = res.summary(labels=("VCIOM", "Levada"))
    assert text.startswith("The share is 5 points higher in VCIOM than in Levada (79% against 74%)")
    flipped = polls.compare_proportions(0.74, 1600, 0.79, 1600).summary(labels=("Levada",
                                                                                 "VCIOM"))
    assert flipped.startswith("The share is 5 points higher in VCIOM than in Levada")


def test_lead_summary_names_options_and_interval():
    res = polls.lead(0.55, 0.36, 1600, deff=1.9)
    text = res.summary(labels=("Peace talks", "continuing the war"))
    low, high = res.confidence_interval()
    assert text.startswith(f"Peace talks leads continuing the war by {points(res.difference)} "
                           "points, 55% to 36%")
    assert f"interval for the lead: {points(low)} to {points(high)} points" in text
    behind = polls.lead(0.36, 0.55, 1600).summary(labels=("A", "B"))
    assert behind.startswith("B leads A by 19 points, 55% to 36%")


@pytest.mark.parametrize("lang", LANGS)
def test_change_summary_in_every_language_uses_its_decimal_mark(lang):
    res = polls.compare_proportions(0.8125, 1000, 0.8025, 1000)
    text = res.summary(lang)
    p = f"{res.pvalue:.2f}"
    assert (p if lang == "en" else p.replace(".", ",")) in text
    assert ("81.2%" in text or "81.3%" in text) == (lang == "en")
    if lang != "en":
        assert "81,2%" in text or "81,3%" in text
    if lang == "sr-Cyrl":
        assert not re.search("[a-oq-zA-Z]", text.replace("p = ", ""))  # Cyrillic but for p
    if lang == "ru":
        assert text.startswith("Доля: рост на 1 п. п., с 80,2% до 81,2%")


def test_summary_of_a_vectorised_result_says_what_to_do():
    res = polls.compare_proportions([0.5, 0.6], 1000, 0.5, 1000)
    with pytest.raises(InvalidArgumentError, match="single numbers"):
        res.summary()
    with pytest.raises(InvalidArgumentError, match="lang"):
        polls.compare_proportions(0.5, 100, 0.4, 100).summary("fr")


# ----------------------------------------------------------------------------- estimates


def test_proportion_summary_interval_and_effective_n():
    res = polls.proportion_estimate(0.76, 1600, deff=1.9)
    assert res.summary(what="Support") == (
        f"Support: 76% (95% interval: {whole(res.low)} to {whole(res.high)}; n = 1,600, "
        f"effective n = {round(res.n_eff):,}).")
    assert "n = 1\u00a0600" in res.summary("ru")
    assert "n = 1.600" in res.summary("sr-Cyrl")


def test_poll_average_summary_latest_point_and_house_effects():
    frame = polls.load_dataset(["levada-putin-approval", "vciom-putin-approval"],
                               undated="drop")
    avg = polls.poll_average(frame, response="approve")
    text = avg.summary()
    last = avg.trend.iloc[-1]
    assert text.startswith("Approve, averaged over 2 pollsters (Levada Center, VCIOM), on "
                           f"{last['date'].day} {last['date']:%B %Y}: {whole(last['estimate'])}")
    assert f"{whole(last['ci_low'])} to {whole(last['ci_high'])}" in text
    for row in avg.house_effects.itertuples():
        name = {"levada": "Levada Center", "vciom": "VCIOM"}[row.pollster]
        sign = "+" if row.estimate > 0 else "−"
        assert f"{name} {sign}{abs(row.estimate) * 100:.1f} points" in text
    assert "Левада-центр" in avg.summary("ru")


# ----------------------------------------------------------------------------- list experiments


def test_list_experiment_summary_from_respondent_data():
    data = polls.simulate_list_experiment(2000, n_items=3, prevalence=0.3, random_state=4)
    res = polls.list_experiment(data, n_items=3)
    low, high = res.confidence_interval()
    text = res.summary(what="Share who would vote against")
    assert text == (f"Share who would vote against, by the list experiment: {whole(res.estimate)}"
                    f" (95% interval: {whole(low)} to {whole(high)}; {res.n_control:,} "
                    f"respondents in the control group and {res.n_treatment:,} in the treatment "
                    "group).")


def test_list_summary_without_sizes_has_no_interval():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = polls.list_experiment_from_summary(1.11, 1.92, None, None, n_items=3)
    assert "no interval" in res.summary()
    sized = polls.list_experiment_from_summary(1.11, 1.92, n_control=1000, n_treatment=1000,
                                               n_items=3)
    low, high = sized.confidence_interval()
    assert f"{whole(low)} to {whole(high)}" in sized.summary()


def test_falsification_gap_summary():
    data = polls.simulate_list_experiment(2000, n_items=3, prevalence=0.6, random_state=1)
    listed = polls.list_experiment(data, n_items=3)
    gap = polls.falsification_gap(0.74, listed, direct_n=1600)
    low, high = gap.confidence_interval()
    text = gap.summary()
    assert text.startswith(f"Asked directly: 74%; by the list experiment: "
                           f"{whole(listed.estimate)}; difference (direct minus list): "
                           f"{'+' if gap.estimate > 0 else '−'}{points(gap.estimate)} points")
    assert f"95% interval: {round(low * 100)} to {round(high * 100)} points" in text
    significant = low > 0 or high < 0
    assert ("unlikely from sampling noise" in text) == significant


# ----------------------------------------------------------------------------- bounds


def test_bounds_summary_latest_wave_with_bounds():
    df = pd.DataFrame({
        "series": "s", "fieldwork_end": pd.to_datetime(["2024-01-31"] * 3 + ["2024-02-29"] * 2),
        "response": ["yes", "no", "hard to say", "yes", "no"],
        "share": [0.70, 0.20, 0.10, 0.72, 0.2], "sample_size": 1600})
    with pytest.warns(polls.PollsWarning):
        out = polls.response_bounds(df, response="yes")
    text = out.summary()  # February has no undecided figure: January is the latest with bounds
    row = out.iloc[0]
    assert text.startswith("Yes, January 2024: 70% as published; with the 10% who gave no "
                           "answer counted either way, between 70% and 80%")
    assert (f"95% interval for the range: {whole(row['bounds_ci_low'])} to "
            f"{whole(row['bounds_ci_high'])}") in text
    assert f"among those who answered, {whole(row['rebased'])}" in text
    assert "no bounds (undecided share not published" in out.summary(wave=1)
    assert out.summary("ru").startswith("Да, январь 2024: 70% по опубликованным данным")
    with pytest.raises(InvalidArgumentError, match="wave"):
        out.summary(wave=5)


# ----------------------------------------------------------------------------- reprs


def test_reprs_are_short_and_rounded():
    data = polls.simulate_list_experiment(500, n_items=3, prevalence=0.3, random_state=2)
    listed = polls.list_experiment(data, n_items=3)
    frame = polls.load_dataset(["levada-putin-approval", "vciom-putin-approval"],
                               undated="drop")
    results = [
        polls.proportion_ci(0.76, 1600),
        polls.proportion_estimate(0.76, 1600, deff=1.9),
        polls.compare_proportions(0.74, 1600, 0.81, 1600),
        polls.lead(0.55, 0.36, 1600),
        listed,
        polls.falsification_gap(0.74, listed, direct_n=1600),
        polls.list_experiment_from_summary(1.11, 1.92, n_control=1000, n_treatment=1000,
                                           n_items=3),
        polls.list_experiment_ml(data, n_items=3),
        polls.list_design_test(data, n_items=3),
        polls.poll_average(frame, response="approve"),
    ]
    for res in results:
        text = repr(res)
        assert text.startswith(type(res).__name__ + "(")
        assert all(significant_digits(n) <= 4 for n in NUMBER.findall(text)), text
        assert len(text) < 220, text
    res = results[2]
    assert f"difference={res.difference:.4g}" in repr(res)
    assert "rows x" in repr(results[-1])  # frames shown by their size, not printed whole
    assert np.isclose(float(re.search(r"pvalue=([^,]+)", repr(res)).group(1)), res.pvalue,
                      rtol=1e-3)
