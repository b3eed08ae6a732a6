"""Tests of polls.plotting: the artists on the returned Axes (Agg backend, synthetic frames)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from datetime import timedelta

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection, PolyCollection  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

import polls  # noqa: E402
from polls.errors import InvalidArgumentError  # noqa: E402
from polls.plotting import segments, source_line  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def monthly(months: list[str], shares: list[float], *, ci: bool = True, url: str | None = None):
    """A synthetic monthly series (month-end dates), optionally with +-3 point intervals."""
    frame = pd.DataFrame(
        {
            "fieldwork_end": pd.to_datetime(months) + pd.offsets.MonthEnd(0),
            "share": shares,
        }
    )
    if ci:
        frame["ci_low"] = frame["share"] - 0.03
        frame["ci_high"] = frame["share"] + 0.03
    if url is not None:
        frame["source_url"] = url
    return frame


def ribbons(ax):
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def source_texts(ax):
    return texts(ax, "polls-source")


def texts(ax, gid):
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


# ----------------------------------------------------------------------------- segments


def test_segments_break_at_missing_months():
    x = pd.to_datetime(["2022-01-31", "2022-02-28", "2022-03-31", "2022-06-30", "2022-07-31"])
    runs = segments(x, [0.5] * 5)
    assert [r.tolist() for r in runs] == [[0, 1, 2], [3, 4]]


def test_segments_regular_series_is_one_run():
    x = pd.date_range("2020-01-31", periods=24, freq="ME")
    assert [r.tolist() for r in segments(x, np.full(24, 0.6))] == [list(range(24))]


def test_segments_break_at_missing_values():
    x = pd.date_range("2020-01-31", periods=5, freq="ME")
    runs = segments(x, [0.5, 0.5, np.nan, 0.5, 0.5])
    assert [r.tolist() for r in runs] == [[0, 1], [3, 4]]


def test_segments_explicit_gap_and_no_gap():
    x = pd.to_datetime(["2022-01-31", "2022-02-28", "2022-05-31"])
    assert len(segments(x, [0.1, 0.2, 0.3], gap="120D")) == 1
    assert len(segments(x, [0.1, 0.2, 0.3], gap=timedelta(days=20))) == 3
    assert len(segments(x, [0.1, 0.2, 0.3], gap=False)) == 1
    assert len(segments([1.0, 2.0, 10.0], [0.1, 0.2, 0.3], gap=5)) == 2


@pytest.mark.parametrize("bad", ["soon", -3, pd.Timedelta(0)])
def test_segments_bad_gap(bad):
    x = pd.to_datetime(["2022-01-31", "2022-02-28", "2022-05-31"])
    with pytest.raises(InvalidArgumentError, match="gap"):
        segments(x, [0.1, 0.2, 0.3], gap=bad)


# ----------------------------------------------------------------------------- plot_trend


def gappy():
    # synthetic: Jan-Apr 2022, then nothing until Aug-Oct 2022
    return monthly(
        ["2022-01", "2022-02", "2022-03", "2022-04", "2022-08", "2022-09", "2022-10"],
        [0.50, 0.52, 0.51, 0.55, 0.56, 0.54, 0.57],
        url="https://www.levada.ru/en/x",
    )


def test_plot_trend_break_style_breaks_line_and_ribbon_at_gap():
    ax = polls.plot_trend(gappy(), gap_style="break")
    lines = ax.get_lines()
    assert len(lines) == 2
    assert [len(line.get_xdata()) for line in lines] == [4, 3]
    assert all(line.get_marker() == "o" for line in lines)
    assert len(ribbons(ax)) == 2
    # no drawn segment spans the missing months May-July
    first_end = pd.Timestamp(lines[0].get_xdata()[-1])
    second_start = pd.Timestamp(lines[1].get_xdata()[0])
    assert first_end == pd.Timestamp("2022-04-30") and second_start == pd.Timestamp("2022-08-31")
    assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50%"
    assert ax.get_ylabel() == "share of respondents"
    assert source_texts(ax) == ["Source: levada.ru"]
    assert texts(ax, "polls-note") == []  # nothing dashed, nothing to explain


def test_plot_trend_dashed_style_bridges_the_gap_and_keeps_one_band():
    ax = polls.plot_trend(gappy())
    solid = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    (dashed,) = [line for line in ax.get_lines() if line.get_gid() == "polls-gap"]
    assert [len(line.get_xdata()) for line in solid] == [4, 3]
    assert dashed.get_linestyle() == "--"
    assert [pd.Timestamp(v) for v in dashed.get_xdata()] == [pd.Timestamp("2022-04-30"),
                                                             pd.Timestamp("2022-08-31")]
    assert dashed.get_ydata().tolist() == [0.55, 0.56]
    (band,) = ribbons(ax)
    assert len(band.get_paths()) == 1  # one band, not one per run
    assert "dashed" in texts(ax, "polls-note")[0].lower()


def test_percent_axis_starts_at_zero_with_whole_ticks_unless_zoomed():
    df = monthly(["2022-01", "2022-02", "2022-03"], [0.80, 0.84, 0.82], ci=False)
    ax = polls.plot_trend(df)
    ax.figure.canvas.draw()
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] <= 1
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all(label.rstrip("%").isdigit() for label in labels)
    zoomed = polls.plot_trend(df, zoom=True)
    zoomed.figure.canvas.draw()
    assert zoomed.get_ylim()[0] > 0.7
    ticks = [t.get_text() for t in zoomed.get_yticklabels() if t.get_text()]
    assert ticks and all(t.rstrip("%").isdigit() for t in ticks), ticks  # no "82.5%"


def test_title_subtitle_above_and_note_source_credit_below():
    ax = polls.plot_trend(gappy(), title="Support holds", subtitle="Share who support",
                          source="Levada Center", credit="The Daily", note="Synthetic data.")
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    (title,) = [c for c in ax.get_children() if c.get_gid() == "polls-title"]
    assert title.get_text() == "Support holds" and title.get_fontweight() == "bold"
    (subtitle,) = [t for t in ax.texts if t.get_gid() == "polls-subtitle"]
    assert subtitle.get_text() == "Share who support"
    assert title.get_window_extent(renderer).y0 > subtitle.get_window_extent(renderer).y0
    assert subtitle.get_window_extent(renderer).y0 >= box.y1
    (note,) = [t for t in ax.texts if t.get_gid() == "polls-note"]
    (source,) = [t for t in ax.texts if t.get_gid() == "polls-source"]
    assert note.get_text().startswith("Note: Synthetic data.")
    assert source.get_text() == "Source: Levada Center · Chart: The Daily"
    for text in (note, source):
        assert text.get_window_extent(renderer).y1 < box.y0  # under the plot
    assert note.get_window_extent(renderer).y0 > source.get_window_extent(renderer).y1


def test_russian_chart_words_months_decimal_comma_and_translation_note():
    a = monthly(["2022-01", "2022-02", "2022-03"], [0.745, 0.75, 0.76], ci=False)
    b = monthly(["2022-01", "2022-02", "2022-03"], [0.2, 0.19, 0.18], ci=False)
    a["response"], b["response"] = "support (total)", "do not support (total)"
    ax = polls.plot_trend(pd.concat([a, b]), hue="response", lang="ru", source="Левада-центр")
    ax.figure.canvas.draw()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["поддерживают (всего)", "не поддерживают (всего)"]
    assert ax.get_ylabel() == "доля опрошенных"
    months = " ".join(t.get_text() for t in ax.get_xticklabels())
    assert "фев" in months and "Feb" not in months
    bars = polls.plot_toplines(pd.DataFrame({"response": ["approve"], "share": [0.745]}),
                               lang="ru")
    assert [t.get_text() for t in bars.texts if t.get_gid() is None] == ["74,5%"]
    assert source_texts(ax) == ["Источник: Левада-центр"]
    assert "переведены" in texts(ax, "polls-note")[0]
    serbian = polls.plot_trend(a, lang="sr-Cyrl", source="")
    serbian.figure.canvas.draw()
    assert serbian.get_ylabel() == "удео испитаника"
    assert "феб" in " ".join(t.get_text() for t in serbian.get_xticklabels())


def test_each_pollster_keeps_its_colour_in_every_chart():
    from polls._chart import PALETTE, pollster_color

    frames = []
    for who, share in (("levada", 0.3), ("vciom", 0.4), ("fom", 0.5)):
        f = monthly(["2022-01", "2022-02"], [share, share], ci=False)
        f["pollster"] = who
        frames.append(f)
    both = polls.plot_trend(pd.concat(frames), hue="pollster")
    alone = polls.plot_trend(pd.concat(frames[1:]), hue="pollster")
    colour = {line.get_label(): line.get_color() for line in both.get_lines()}
    assert colour == {"Levada Center": pollster_color("levada"), "VCIOM": pollster_color("vciom"),
                      "FOM": pollster_color("fom")}
    assert {line.get_label(): line.get_color() for line in alone.get_lines()} == {
        "VCIOM": pollster_color("vciom"), "FOM": pollster_color("fom")}
    assert len(set(PALETTE)) >= 20
    ids = [f"pollster-{i}" for i in range(30)]
    assert [pollster_color(i) for i in ids] == [pollster_color(i) for i in ids]  # stable
    known = [pollster_color(p) for p in polls.list_datasets()["pollster"].unique()]
    assert len(set(known)) == len(known)  # every bundled pollster its own colour


def test_plot_trend_without_intervals_draws_no_ribbon():
    df = monthly(["2022-01", "2022-02", "2022-03"], [0.5, 0.6, 0.55], ci=False)
    ax = polls.plot_trend(df)
    assert len(ax.get_lines()) == 1
    assert ribbons(ax) == []
    assert source_texts(ax) == []  # no source_url column, no source given


def test_plot_trend_ci_none_suppresses_ribbon():
    df = monthly(["2022-01", "2022-02", "2022-03"], [0.5, 0.6, 0.55])
    assert ribbons(polls.plot_trend(df, ci=None)) == []


def test_plot_trend_single_wave_run_gets_whisker():
    df = monthly(["2022-01", "2022-02", "2022-03", "2022-09"], [0.5, 0.6, 0.55, 0.58])
    ax = polls.plot_trend(df, gap_style="break")
    assert len(ax.get_lines()) == 2
    assert len(ribbons(ax)) == 1
    whiskers = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(whiskers) == 1
    (seg,) = whiskers[0].get_segments()
    assert seg[:, 1].tolist() == pytest.approx([0.55, 0.61])


def test_plot_trend_hue_one_line_set_per_level_in_category_order():
    a = monthly(["2022-01", "2022-02", "2022-03"], [0.2, 0.25, 0.22])
    b = monthly(["2022-01", "2022-02", "2022-03"], [0.5, 0.45, 0.48])
    a["response"], b["response"] = "rather support", "definitely support"
    df = pd.concat([a, b], ignore_index=True)
    df["response"] = pd.Categorical(
        df["response"], categories=["definitely support", "rather support"], ordered=True
    )
    ax = polls.plot_trend(df, hue="response", source="Source: synthetic")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["definitely support", "rather support"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == labels
    assert ax.get_lines()[0].get_ydata().tolist() == [0.5, 0.45, 0.48]
    assert source_texts(ax) == ["Source: synthetic"]


def test_plot_trend_refuses_several_rows_per_date():
    df = monthly(["2022-01", "2022-01", "2022-02"], [0.5, 0.52, 0.5])
    with pytest.raises(InvalidArgumentError, match="hue="):
        polls.plot_trend(df)


def test_plot_trend_missing_column_named():
    df = monthly(["2022-01", "2022-02"], [0.5, 0.52])
    with pytest.raises(InvalidArgumentError, match="estimate"):
        polls.plot_trend(df, y="estimate")
    with pytest.raises(InvalidArgumentError, match="lo"):
        polls.plot_trend(df, ci=("lo", "hi"))


def test_plot_trend_smoothed_frame_with_waves_overlay():
    # synthetic smoothed trend on a daily grid plus the raw waves behind it
    grid = pd.date_range("2022-01-01", "2022-06-30", freq="D")
    est = np.linspace(0.5, 0.6, len(grid))
    trend = pd.DataFrame({"date": grid, "estimate": est, "ci_low": est - 0.02,
                          "ci_high": est + 0.02})
    waves = monthly(["2022-01", "2022-02", "2022-04", "2022-06"], [0.49, 0.53, 0.55, 0.61],
                    url="https://levada.ru/a")
    ax = polls.plot_trend(trend, x="date", y="estimate", waves=waves)
    (line,) = ax.get_lines()
    assert line.get_marker() in ("None", None, "")  # the trend carries no markers
    assert len(line.get_xdata()) == len(grid)
    assert len(ribbons(ax)) == 1
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 1 and len(scatters[0].get_offsets()) == 4
    whiskers = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(whiskers) == 1 and len(whiskers[0].get_segments()) == 4
    assert ax.get_ylabel() == "share of respondents"  # a smoothed share is still a share
    assert source_texts(ax) == ["Source: levada.ru"]


def test_plot_trend_draws_on_given_axes():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    df = monthly(["2022-01", "2022-02"], [0.5, 0.52])
    assert polls.plot_trend(df, ax=ax2) is ax2
    assert ax1.get_lines() == []


def test_plot_trend_rejects_non_frame():
    with pytest.raises(InvalidArgumentError, match="DataFrame"):
        polls.plot_trend([0.5, 0.6])


# ----------------------------------------------------------------------------- plot_toplines


def wave():
    return pd.DataFrame(
        {
            "series": "levada-war-support",
            "fieldwork_end": pd.Timestamp("2022-03-31"),
            "response": pd.Categorical(
                ["rather support", "definitely support", "don't know"],
                categories=["definitely support", "rather support", "don't know"],
                ordered=True,
            ),
            "share": [0.28, 0.53, 0.05],
            "ci_low": [0.25, 0.50, 0.04],
            "ci_high": [0.31, 0.56, 0.06],
            "source_url": "https://www.levada.ru/en/2022/04/11/the-conflict-with-ukraine",
        }
    )


def test_plot_toplines_bars_in_response_order_with_whiskers():
    ax = polls.plot_toplines(wave())
    bars = ax.patches
    assert len(bars) == 3
    # category order, first response at the top (y axis inverted)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "definitely support", "rather support", "don't know"
    ]
    assert [b.get_width() for b in bars] == pytest.approx([0.53, 0.28, 0.05])
    assert ax.yaxis_inverted()
    whiskers = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(whiskers) == 1
    spans = sorted(v for s in whiskers[0].get_segments() for v in (s[0, 0], s[1, 0]))
    assert spans == pytest.approx([0.04, 0.06, 0.25, 0.31, 0.50, 0.56])
    assert isinstance(ax.xaxis.get_major_formatter(), PercentFormatter)
    values = [t.get_text() for t in ax.texts if t.get_gid() != "polls-source"]
    assert values == ["53%", "28%", "5%"]
    assert source_texts(ax) == ["Source: levada.ru"]


def test_plot_toplines_one_decimal_value_labels():
    df = pd.DataFrame({"response": ["approve", "disapprove"], "share": [0.764, 0.182]})
    ax = polls.plot_toplines(df, ci=None)
    assert [t.get_text() for t in ax.texts] == ["76.4%", "18.2%"]
    assert not [c for c in ax.collections if isinstance(c, LineCollection)]


def test_plot_toplines_refuses_several_waves():
    two = pd.concat([wave(), wave().assign(fieldwork_end=pd.Timestamp("2022-04-30"))])
    with pytest.raises(InvalidArgumentError, match="2 waves"):
        polls.plot_toplines(two)


def test_plot_toplines_refuses_duplicate_response():
    df = pd.DataFrame({"response": ["a", "a"], "share": [0.5, 0.52]})
    with pytest.raises(InvalidArgumentError, match="'a'"):
        polls.plot_toplines(df)


# ----------------------------------------------------------------------------- house effects


def test_plot_house_effects_dots_intervals_zero_line():
    he = pd.DataFrame(
        {
            "pollster": ["levada", "vciom", "fom"],
            "estimate": [-0.012, 0.031, 0.004],
            "ci_low": [-0.02, 0.015, -0.006],
            "ci_high": [-0.004, 0.047, 0.014],
        }
    )
    ax = polls.plot_house_effects(he)
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert [d.get_xdata()[0] for d in dots] == [-0.012, 0.031, 0.004]
    assert len({d.get_color() for d in dots}) == 3  # each pollster in its own colour
    zero = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(zero) == 1 and list(zero[0].get_xdata()) == [0, 0]
    (intervals,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(intervals.get_segments()) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Levada Center", "VCIOM", "FOM"]
    fmt = ax.xaxis.get_major_formatter()
    assert (fmt(0.03, 0), fmt(-0.015, 0), fmt(0.0, 0)) == ("+3", "-1.5", "0")
    assert "percentage points" in ax.get_xlabel()


def test_plot_house_effects_needs_interval_columns_or_none():
    he = pd.DataFrame({"pollster": ["a", "b"], "estimate": [0.01, -0.01]})
    with pytest.raises(InvalidArgumentError, match="ci_low"):
        polls.plot_house_effects(he)
    ax = polls.plot_house_effects(he, ci=None)
    assert not [c for c in ax.collections if isinstance(c, LineCollection)]


# ----------------------------------------------------------------------------- source line


def test_source_line_counts_domains():
    urls = ["https://www.levada.ru/a", "https://levada.ru/b", "https://ostro.org/c", None]
    assert source_line(pd.DataFrame({"source_url": urls})) == "Source: levada.ru, ostro.org"
    many = pd.DataFrame({"source_url": [f"https://s{i}.example.org/" for i in range(6)]})
    assert source_line(many, limit=2).endswith("and 4 more")


def test_import_polls_does_not_import_matplotlib():
    code = "import sys, polls; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_plot_trend_leaves_out_undated_rows_and_says_so_under_the_chart():
    df = monthly(["2022-01", "2022-02", "2022-03"], [0.5, 0.6, 0.55])
    df.loc[1, "fieldwork_end"] = pd.NaT
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a note on the chart, not a warning box
        ax = polls.plot_trend(df, gap=False)
        ru = polls.plot_trend(df, gap=False, lang="ru")
    assert sum(len(line.get_xdata()) for line in ax.get_lines()) == 2
    assert texts(ax, "polls-note") == ["Note: Figures without a fieldwork date, not shown: 1."]
    assert texts(ru, "polls-note") == ["Примечание: Данные без даты опроса не показаны: 1."]


def test_percent_axis_labels_stay_distinct_on_a_narrow_view():
    # ticks every half point: whole-percent labels would repeat ("50%", "50%", "51%", ...)
    df = monthly(["2022-01", "2022-02", "2022-03"], [0.50, 0.51, 0.52], ci=False)
    ax = polls.plot_trend(df)
    ax.set_ylim(0.50, 0.52)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) >= 3 and len(set(labels)) == len(labels)
    ax.set_ylim(0, 1)
    ax.figure.canvas.draw()
    assert "20%" in [t.get_text() for t in ax.get_yticklabels()]


def test_source_line_written_under_given_axes():
    fig, ax = plt.subplots()
    ax.set_xlabel("x")
    text = source_line(pd.DataFrame({"source_url": ["https://fom.ru/a"]}), ax=ax)
    assert text == "Source: fom.ru" and source_texts(ax) == ["Source: fom.ru"]
    # nothing to cite: nothing drawn
    assert source_line(pd.DataFrame({"x": [1]}), ax=ax) == ""
    assert source_texts(ax) == ["Source: fom.ru"]


def test_several_plots_on_one_axes_share_one_footer_without_overlap():
    a = monthly(["2022-01", "2022-02", "2022-06"], [0.5, 0.6, 0.55], ci=False,
                url="https://levada.ru/a")
    b = monthly(["2022-01", "2022-03", "2022-04"], [0.3, 0.35, 0.33], ci=False,
                url="https://fom.ru/b")
    b.loc[1, "fieldwork_end"] = pd.NaT
    fig, ax = plt.subplots()
    polls.plot_trend(a, ax=ax, label="a")
    polls.plot_trend(b, ax=ax, label="b", source="")
    source_line(a, b, ax=ax)
    notes = texts(ax, "polls-note")
    assert len(notes) == 1 and notes[0].count("Dashed") == 1
    assert "not shown: 1" in notes[0]
    assert source_texts(ax) == ["Source: levada.ru", "Source: levada.ru, fom.ru"]
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts if t.get_gid() in ("polls-note",
                                                                         "polls-source")]
    for i, first in enumerate(boxes):
        for second in boxes[i + 1:]:
            assert not first.overlaps(second)
