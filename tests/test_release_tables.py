"""Release tables (responses down, waves across) read with read_toplines.

The fixtures under ``tests/fixtures/releases/`` are synthetic (see the README there); the expected
values below are read off the fixture text by hand.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import polls
from polls._release import FLAGS_COLUMN
from polls.errors import FileFormatError, InferenceWarning, PollsWarning, SchemaError

RELEASES = Path(__file__).parent / "fixtures" / "releases"


def read(source, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean release table reads without any warning
        return polls.read_toplines(source, **kwargs)


def shares(df, response):
    return df.loc[df["response"] == response, "share"].tolist()


# --------------------------------------------------------------------------------------------
# The fixtures


def test_levada_style_russian_table():
    df = read(RELEASES / "levada-style-ru.csv", pollster="synthetic")
    assert df.attrs["layout"] == "table"
    assert df.attrs["scale"] == "percent"  # from "(в % от числа опрошенных)"
    assert list(df["response"].cat.categories) == [
        "Определенно поддерживаю", "Скорее поддерживаю", "Скорее не поддерживаю",
        "Определенно не поддерживаю", "Затрудняюсь ответить", "Отказ от ответа"]
    assert df["question"].unique().tolist() == [
        "Синтетический пример в стиле таблицы Левада-Центра. Поддерживаете ли вы ...?"]
    # waves: фев, мар, май, июн 2022 (апр.22 published nothing)
    assert sorted(df["fieldwork_start"].unique()) == [pd.Timestamp(f"2022-{m:02d}-01")
                                                      for m in (2, 3, 5, 6)]
    assert (df["date_precision"] == "month").all()
    assert shares(df, "Определенно поддерживаю") == [0.45, 0.53, 0.47, 0.46]  # 45*, 46¹
    assert shares(df, "Затрудняюсь ответить") == [0.15, 0.05, 0.06, 0.08]
    by_wave = df.groupby("fieldwork_start")["sample_size"].first().tolist()
    assert by_wave == [1632, 1616, 1625, 1634]  # "1 616" with a space
    assert (df["pollster"] == "synthetic").all()
    assert (df["precision"] == 0.01).all()  # the bound of "< 0,5" is not a printed figure


def test_below_precision_rows_are_kept_with_a_flag_and_their_bound():
    df = read(RELEASES / "levada-style-ru.csv")
    below = df[df[FLAGS_COLUMN] == "below_precision"]
    assert below["response"].tolist() == ["Отказ от ответа"] * 3
    assert below["share"].isna().all()
    assert below["fieldwork_start"].dt.month.tolist() == [2, 3, 6]
    assert [(b["cell"], b["text"], b["bound"]) for b in df.attrs["below_precision"]] == [
        ("B9", "<1", 0.01), ("C9", "< 1", 0.01), ("F9", "< 0,5", 0.005)]
    assert df["share"].notna().sum() == len(df) - 3  # nothing else is missing
    assert "below_precision" in polls.schema.FLAGS


def test_every_dropped_row_and_column_is_listed():
    df = read(RELEASES / "levada-style-ru.csv")
    assert [(d["row"], d["label"]) for d in df.attrs["dropped_rows"]] == [
        (10, "Всего"), (11, "Число опрошенных"),
        (12, "* Синтетические данные: таблица составлена для тестов, это не результаты опроса."),
        (13, "¹ Сноска к ячейке.")]
    assert [(d["column"], d["header"]) for d in df.attrs["dropped_columns"]] == [
        ("G", "Изменение"), ("D", "апр.22")]
    # the empty wave (six cells) and one dash in May
    assert df.attrs["not_published_cells"] == ["D4", "D5", "D6", "D7", "D8", "D9", "E9"]
    assert df.attrs["not_published"] == 7


def test_crta_style_serbian_latin_table():
    df = read(RELEASES / "crta-style-sr-latin.csv")
    assert shares(df, "Za") == [0.355, 0.334, 0.34]
    assert shares(df, "Ne znam") == [0.10, 0.108, 0.104]
    assert df.groupby("fieldwork_end")["sample_size"].first().tolist() == [1012, 1207, 1035]
    assert sorted(df["fieldwork_end"].unique()) == [
        pd.Timestamp("2022-05-31"), pd.Timestamp("2022-12-31"), pd.Timestamp("2023-03-31")]
    assert (df["precision"] == 0.001).all()
    assert df["question"].iloc[0].endswith("glasali za ulazak Srbije u EU?")


def test_serbian_cyrillic_table_with_a_fieldwork_range_and_a_roman_month():
    df = read(RELEASES / "nspm-style-sr-cyrillic.csv")
    first = df[df["fieldwork_start"] == pd.Timestamp("2022-06-13")]
    assert (first["fieldwork_end"] == pd.Timestamp("2022-06-19")).all()
    assert (first["date_precision"] == "day").all()
    assert (first["sample_size"] == 1285).all()
    second = df[df["fieldwork_start"] == pd.Timestamp("2023-03-01")]
    assert (second["date_precision"] == "month").all()
    assert shares(df, "Без одговора") == [pytest.approx(np.nan, nan_ok=True), 0.01]
    assert df.attrs["below_precision"][0]["bound"] == 0.005


def test_english_table_with_footnote_marks_and_grouped_sample_sizes():
    df = read(RELEASES / "english-style-en.csv")
    assert shares(df, "Approve") == [0.45, 0.47, 0.46]  # "45 (1)", "47¹"
    assert df.groupby("fieldwork_end")["sample_size"].first().tolist() == [1604, 1598, 1611]
    assert df.attrs["notes"] == ["(1) Synthetic footnote."]


def test_auto_and_explicit_table_layout_agree():
    auto = read(RELEASES / "crta-style-sr-latin.csv")
    explicit = read(RELEASES / "crta-style-sr-latin.csv", layout="table")
    pd.testing.assert_frame_equal(auto, explicit)


def test_a_release_table_adds_to_a_bundled_series():
    mine = read(RELEASES / "levada-style-ru.csv", pollster="synthetic", series="synthetic-table")
    bundled = polls.load_dataset("levada-war-support")
    both = pd.concat([bundled, mine[mine["share"].notna()]], ignore_index=True)
    polls.validate_toplines(both, net_responses=bundled.attrs["net_responses"])


# --------------------------------------------------------------------------------------------
# Small tables written here


def table(text, **kwargs):
    return polls.read_toplines(io.StringIO(text), **kwargs)


def test_a_total_that_does_not_match_warns_naming_the_wave():
    text = ",март 2022,апрель 2022\nДа,60,55\nНет,40,40\nИтого,100,100\n"
    with pytest.warns(PollsWarning, match=r"wave 'апрель 2022' \(column C\).*'Итого'.*gives "
                      r"100 but the responses add up to 95"):
        df = table(text, scale="percent")
    assert len(df) == 4
    assert df.attrs["dropped_rows"][0]["label"] == "Итого"


def test_totals_within_rounding_pass_quietly():
    text = "в %\n,март 2022\nДа,33\nНет,33\nНе знаю,33\nВсего,100\n"
    assert len(read(io.StringIO(text))) == 3


def test_sample_size_from_a_header_note_and_from_a_title_line():
    df = read(io.StringIO("N=1600\nв %\n,март 2022 (N=1601),апрель 2022\nДа,60,55\nНет,40,45\n"))
    assert df["sample_size"].tolist() == [1601, 1601, 1600, 1600]
    with pytest.raises(FileFormatError, match=r"notes N=1601 but the sample-size row gives 1602"):
        table("в %\n,март 2022 (N=1601)\nДа,60\nНет,40\nN,1602\n")


def test_question_argument_wins_over_the_title():
    df = read(io.StringIO("Title?\nu %\n,maj 2022\nDa,60\nNe,40\n"), question="Mine")
    assert (df["question"] == "Mine").all()


def test_unit_in_parentheses_after_the_question():
    df = read(io.StringIO("Вы одобряете? (в % от числа опрошенных)\n,март 2022\nДа,0.5\n"
                          "Нет,99.5\n"))
    assert df["question"].iloc[0] == "Вы одобряете?"
    assert shares(df, "Да") == [0.005]


def test_percent_signs_and_plain_figures_at_most_one_are_an_error_naming_the_cells():
    with pytest.raises(FileFormatError, match=r"B3.*are those percents or proportions"):
        table(",Mar-22\nYes,53%\nNo,0.47\n")


def test_proportions_are_inferred_with_a_warning():
    with pytest.warns(InferenceWarning, match="read as proportions"):
        df = table(",Mar-22\nYes,0.53\nNo,0.47\n")
    assert df["share"].tolist() == [0.53, 0.47]
    assert df["precision"].tolist() == [0.01, 0.01]


def test_plain_percents_without_a_unit_line_are_inferred_with_a_warning():
    with pytest.warns(InferenceWarning, match="read as percents"):
        df = table(",Mar-22\nYes,53\nNo,47\n")
    assert df["share"].tolist() == [0.53, 0.47]


@pytest.mark.parametrize(("text", "match"), [
    (",март 2022,Среднее\nДа,60,58\n", r"cell C1 in the header is not a wave date"),
    (",март 2022,мар.29\nДа,60,58\n", r"cell C1 .*two-digit year 29"),
    (",март 2022\nДа,шестьдесят\n", r"row 2, column 'B \(март 2022\)', value 'шестьдесят'"),
    (",март 2022,март 2022\nДа,60,58\n", r"cell C1 names the same wave as cell B1"),
    (",март 2022,\nДа,60,58\n", r"cell C2 has figures but its column has no header"),
    (",март 2022\n,60\n", r"cell B2 has figures but its row has no label"),
    (",март 2022\nЧисло опрошенных,много\nДа,60\n", r"cell B2 is not a sample size"),
])
def test_errors_name_the_file_row_column_and_cell_text(text, match):
    with pytest.raises(FileFormatError, match=r"file <buffer>.*" + match):
        table(text, layout="table", scale="percent")


def test_a_file_with_no_table_says_so():
    with pytest.raises(FileFormatError, match="holds no table"):
        table("Only a title,\n", layout="table")


def test_layout_auto_keeps_long_and_wide_files():
    long = read(io.StringIO("response,share\nyes,60%\nno,40%\n"))
    assert long.attrs["layout"] == "long"
    with pytest.warns(InferenceWarning):
        wide = polls.read_toplines(io.StringIO("Date,Yes,No\n2022-03,60,40\n"), scale="percent")
    assert wide.attrs["layout"] == "wide"


def test_duplicate_responses_fail_validation_naming_rows():
    with pytest.raises(SchemaError, match="row 4.*duplicates row 3"):
        table("в %\n,март 2022\nДа,60\nДа,40\n")


def test_net_responses_are_left_out_of_the_total_check():
    text = "в %\n,март 2022\nДа,60\nНет,40\nДа (сумма),60\nВсего,100\n"
    df = read(io.StringIO(text), net_responses=["Да (сумма)"])
    assert df.attrs["net_responses"] == ["Да (сумма)"]
    with pytest.warns(PollsWarning, match="add up to 160"):
        table(text, validate=False)


def test_a_wide_one_row_table_reads_every_column():
    n = 2_000
    days = pd.date_range("2000-01-01", periods=n, freq="D")
    header = ",".join(d.strftime("%d.%m.%Y") for d in days)
    values = ",".join(str(i % 100) for i in range(n))
    df = read(io.StringIO(f"в %\n,{header}\nДа,{values}\n"))
    assert len(df) == n
    assert df["fieldwork_start"].tolist() == list(days)
    assert df["share"].iloc[-1] == ((n - 1) % 100) / 100


def test_a_titled_table_whose_header_is_not_dates_names_the_header_cell():
    # title lines above a header mean a pollster's table, not a long or wide file
    with pytest.raises(FileFormatError, match=r"cell B2 in the header is not a wave date: "
                       r"'2019': a year alone"):
        table("Synthetic question?,,\n,2019,2020\nYes,50,52\nNo,50,48\n")


@pytest.mark.parametrize("label", ["Всего", "Итого:", "Сумма", "Ukupno", "Укупно", "Total",
                                   "TOTAL", "100%"])
def test_total_row_labels(label):
    df = read(io.StringIO(f"в %\n,март 2022\nДа,60\nНет,40\n{label},100\n"))
    assert df["response"].tolist() == ["Да", "Нет"]
    assert df.attrs["dropped_rows"][0]["reason"].startswith("total")


@pytest.mark.parametrize("label", ["Число опрошенных", "N", "N=", "n", "Broj ispitanika",
                                   "Број испитаника", "Sample size", "Количество опрошенных"])
def test_sample_size_row_labels(label):
    df = read(io.StringIO(f"в %\n,март 2022,апрель 2022\nДа,60,55\nНет,40,45\n"
                          f"{label},\"1 600\",1.602\n"))
    assert df["sample_size"].tolist() == [1600, 1600, 1602, 1602]
    assert df.attrs["dropped_rows"][0] == {"row": 5, "label": label, "reason": "sample size"}


@pytest.mark.parametrize(("cell", "share"), [
    ("45", 0.45), ("45%", 0.45), ("45 %", 0.45), ("45,5", 0.455), ("45.5%", 0.455),
    ("45*", 0.45), ("45**", 0.45), ("45¹", 0.45), ("45 (1)", 0.45), ("45[2]", 0.45),
    ("\u00a045\u00a0", 0.45), ("0,5", 0.005),
])
def test_cell_forms(cell, share):
    df = read(io.StringIO(f"в %\n,март 2022\nДа,\"{cell}\"\n"))
    assert df["share"].tolist() == [share]


@pytest.mark.parametrize(("cell", "bound"), [("<1", 0.01), ("< 0,5", 0.005), ("<0.5%", 0.005),
                                             ("менее 1", 0.01), ("manje od 1", 0.01)])
def test_below_precision_forms(cell, bound):
    df = read(io.StringIO(f"в %\n,март 2022\nДа,99\nНет,\"{cell}\"\n"))
    assert df[FLAGS_COLUMN].isna().tolist() == [True, False]
    assert df[FLAGS_COLUMN].iloc[1] == "below_precision"
    assert np.isnan(df["share"].iloc[1])
    assert df.attrs["below_precision"][0]["bound"] == bound


@pytest.mark.parametrize("dash", ["-", "–", "—", "−", "", "н/д", "..."])
def test_dashes_mean_not_asked(dash):
    df = read(io.StringIO(f"в %\n,март 2022,апрель 2022\nДа,60,\"{dash}\"\nНет,40,45\n"))
    assert df["share"].tolist() == [0.6, 0.4, 0.45]
    assert df.attrs["not_published_cells"] == ["C3"]


def test_a_header_of_years_over_month_names():
    text = ("Synthetic question?\nв %\n,2021,,2022,\n,ноябрь,декабрь,январь,февраль\n"
            "Да,60,61,62,63\nНет,40,39,38,37\n")
    df = read(io.StringIO(text))
    assert sorted(df["fieldwork_start"].unique()) == [
        pd.Timestamp("2021-11-01"), pd.Timestamp("2021-12-01"), pd.Timestamp("2022-01-01"),
        pd.Timestamp("2022-02-01")]
    assert df.loc[df["response"] == "Нет", "share"].tolist() == [0.40, 0.39, 0.38, 0.37]
    assert df["question"].iloc[0] == "Synthetic question?"


def test_a_net_response_named_total_something_is_a_response():
    df = read(io.StringIO("в %\n,Mar-22\nYes,60\nNo,40\nTotal yes,60\nTotal (%),100\n"),
              net_responses=["Total yes"])
    assert df["response"].tolist() == ["Yes", "No", "Total yes"]
    assert [d["label"] for d in df.attrs["dropped_rows"]] == ["Total (%)"]


def test_a_windows_1251_copy_reads_as_the_utf8_file(tmp_path):
    text = (RELEASES / "levada-style-ru.csv").read_text(encoding="utf-8")
    path = tmp_path / "synthetic-levada-style-cp1251.csv"
    path.write_bytes(text.replace("¹", "*").encode("cp1251"))  # cp1251 has no superscript one
    utf8 = tmp_path / "synthetic-levada-style-utf8.csv"
    utf8.write_text(text.replace("¹", "*"), encoding="utf-8")
    a, b = read(path), read(utf8)
    pd.testing.assert_frame_equal(a, b)
    assert a["share"].notna().sum() == 20
