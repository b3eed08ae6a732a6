"""Tests of polls.export: chart files (PNG size, SVG text, PDF fonts) and Datawrapper tables."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.image import imread  # noqa: E402

import polls  # noqa: E402
from polls.errors import InvalidArgumentError, PollsWarning  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def toplines():
    """Synthetic toplines: two waves, two responses, whole percents except one figure."""
    return pd.DataFrame({
        "fieldwork_end": pd.to_datetime(["2024-01-31", "2024-01-31", "2024-03-31",
                                         "2024-03-31"]),
        "response": pd.Categorical(
            ["support (total)", "do not support (total)", "support (total)",
             "do not support (total)"],
            categories=["support (total)", "do not support (total)"], ordered=True),
        "share": [0.28, 0.07, 0.74, 0.2],
        "precision": [0.01] * 4,
        "sample_size": [1600] * 4,
        "source_url": "https://www.levada.ru/x",
    })


def chart(lang="en"):
    wave = pd.DataFrame({"response": ["support (total)", "hard to say"], "share": [0.74, 0.1]})
    return polls.plot_toplines(wave, lang=lang, title="Поддержка / Support",
                               source="Левада-центр")


# ----------------------------------------------------------------------------- save_chart


@pytest.mark.parametrize(("width", "scale", "pixels"), [(640, 1, 640), (640, 2, 1280),
                                                       (1280, 1, 1280)])
def test_png_has_the_web_width_in_pixels(tmp_path, width, scale, pixels):
    ax = chart()
    before = tuple(ax.figure.get_size_inches())
    path = polls.save_chart(ax, tmp_path / "chart.png", width=width, scale=scale)
    image = imread(path)
    assert image.shape[1] == pixels
    ratio = before[1] / before[0]
    assert image.shape[0] == pytest.approx(pixels * ratio, abs=2)
    assert tuple(ax.figure.get_size_inches()) == before  # the figure is left as it was


def test_png_height_can_be_set(tmp_path):
    image = imread(polls.save_chart(chart(), tmp_path / "c.png", width=600, height=400, scale=1))
    assert image.shape[:2] == (400, 600)


def test_svg_keeps_cyrillic_text_as_text(tmp_path):
    path = polls.save_chart(chart("ru").figure, tmp_path / "chart.svg")
    svg = path.read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "поддерживают (всего)" in texts
    assert "Поддержка / Support" in texts
    assert any(t.startswith("Источник: Левада-центр") for t in texts)
    assert "DejaVu Sans" in svg
    assert "<dc:date>" not in svg  # no creation date: the same chart gives the same file


def test_pdf_embeds_a_truetype_font(tmp_path):
    data = polls.save_chart(chart("sr-Cyrl"), tmp_path / "chart.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data and b"DejaVuSans" in data  # TrueType (type 42) embedded


def test_save_chart_bad_arguments(tmp_path):
    with pytest.raises(InvalidArgumentError, match=r"\.png"):
        polls.save_chart(chart(), tmp_path / "chart.jpg")
    with pytest.raises(InvalidArgumentError, match="width"):
        polls.save_chart(chart(), tmp_path / "chart.png", width=0)
    with pytest.raises(InvalidArgumentError, match="Figure or Axes"):
        polls.save_chart("chart", tmp_path / "chart.png")


# ----------------------------------------------------------------------------- to_datawrapper


def test_datawrapper_table_wide_with_iso_dates_and_printed_percents(tmp_path):
    path = tmp_path / "dw.csv"
    table = polls.to_datawrapper(toplines(), path)
    assert list(table.columns) == ["date", "support (total)", "do not support (total)"]
    assert table["date"].tolist() == ["2024-01-31", "2024-03-31"]
    assert table["support (total)"].tolist() == [28.0, 74.0]
    assert path.read_text(encoding="utf-8") == (
        "date,support (total),do not support (total)\n"
        "2024-01-31,28,7\n"
        "2024-03-31,74,20\n"
    )


def test_datawrapper_russian_header_decimal_comma_and_translation_note(tmp_path):
    df = toplines()
    df.loc[0, ["share", "precision"]] = [0.285, 0.001]
    path = tmp_path / "dw.csv"
    table = polls.to_datawrapper(df, path, lang="ru")
    assert list(table.columns) == ["дата", "поддерживают (всего)", "не поддерживают (всего)"]
    assert "переведены" in table.attrs["note"]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == ["дата;поддерживают (всего);не поддерживают (всего)",
                     "2024-01-31;28,5;7,0", "2024-03-31;74,0;20,0"]
    assert polls.to_datawrapper(df, lang="en").attrs["note"] == ""


def test_datawrapper_serbian_cyrillic_header_and_missing_cells_blank(tmp_path):
    df = toplines().iloc[:3]  # March has no "do not support"
    path = tmp_path / "dw.csv"
    table = polls.to_datawrapper(df, path, lang="sr-Cyrl")
    assert list(table.columns) == ["датум", "подржавају (укупно)", "не подржавају (укупно)"]
    assert np.isnan(table.iloc[1, 2])
    assert path.read_text(encoding="utf-8").splitlines()[2] == "2024-03-31;74;"


def test_datawrapper_interval_columns(tmp_path):
    ci = polls.with_ci(toplines(), deff=1.9)
    table = polls.to_datawrapper(ci, ci=True, decimals=1)
    assert list(table.columns) == [
        "date", "support (total)", "support (total) (low)", "support (total) (high)",
        "do not support (total)", "do not support (total) (low)",
        "do not support (total) (high)"]
    expected = (ci["ci_low"].iloc[[0, 2]] * 100).round(1).tolist()
    assert table["support (total) (low)"].tolist() == expected


def test_datawrapper_one_column_per_pollster_named_as_in_charts():
    df = pd.DataFrame({"fieldwork_end": pd.to_datetime(["2024-01-31"] * 2),
                       "pollster": ["levada", "vciom"], "share": [0.74, 0.79]})
    table = polls.to_datawrapper(df, columns="pollster", lang="ru", decimals=0)
    assert list(table.columns) == ["дата", "Левада-центр", "ВЦИОМ"]
    assert table.iloc[0, 1:].tolist() == [74.0, 79.0]


def test_datawrapper_refuses_two_figures_for_one_cell_and_counts_undated():
    df = toplines()
    twice = pd.concat([df, df.iloc[:1]])
    with pytest.raises(InvalidArgumentError, match="2024-01-31"):
        polls.to_datawrapper(twice)
    undated = df.copy()
    undated.loc[3, "fieldwork_end"] = pd.NaT
    with pytest.warns(PollsWarning, match="1 row"):
        table = polls.to_datawrapper(undated)
    assert table.shape == (2, 3)
    with pytest.raises(InvalidArgumentError, match="lang"):
        polls.to_datawrapper(df, lang="de")
    with pytest.raises(InvalidArgumentError, match="ci_low"):
        polls.to_datawrapper(df, ci=True)


def test_datawrapper_from_bundled_series_keeps_published_figures():
    df = polls.load_dataset("levada-war-support", undated="drop")
    support = df[df["response"] == "support (total)"]
    table = polls.to_datawrapper(support)
    assert table.attrs["decimals"] == 0
    merged = dict(zip(support["fieldwork_end"].dt.strftime("%Y-%m-%d"),
                      (support["share"] * 100).round(6), strict=True))
    assert dict(zip(table["date"], table["support (total)"], strict=True)) == merged


def test_datawrapper_single_line_from_a_smoothed_trend():
    trend = pd.DataFrame({"date": pd.date_range("2024-01-31", periods=3, freq="ME"),
                          "estimate": [0.5012, 0.5123, 0.5234],
                          "ci_low": [0.48, 0.49, 0.50], "ci_high": [0.52, 0.53, 0.54]})
    table = polls.to_datawrapper(trend, x="date", y="estimate", columns=None, ci=True)
    assert list(table.columns) == ["date", "estimate", "estimate (low)", "estimate (high)"]
    assert table["estimate"].tolist() == [50.1, 51.2, 52.3]  # one decimal: no printed precision
    with pytest.raises(InvalidArgumentError, match="pair"):
        polls.to_datawrapper(trend, x="date", y="estimate", columns=None, ci=("ci_low",))


def test_titles_and_notes_rewrap_to_the_saved_width(tmp_path):
    title = "A long headline that a narrow article column has to break over two lines or more"
    wave = pd.DataFrame({"response": ["a", "b", "c", "d"], "share": [0.4, 0.3, 0.2, 0.1]})
    ax = polls.plot_toplines(wave, title=title, source="Somewhere")
    size = tuple(ax.figure.get_size_inches())

    def title_lines(path):
        svg = path.read_text(encoding="utf-8")
        return [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)
                if len(t) > 3 and t in title]

    wide = title_lines(polls.save_chart(ax, tmp_path / "wide.svg", width=1280))
    narrow = title_lines(polls.save_chart(ax, tmp_path / "narrow.svg", width=480))
    assert wide == [title]
    assert len(narrow) >= 2 and " ".join(narrow) == title
    assert tuple(ax.figure.get_size_inches()) == size
    assert ax.get_title(loc="left").replace("\n", " ") == title
