"""Excel workbooks: displayed scale per cell, merged cells, stale dimensions, formulas, dates.

Every workbook here is synthetic, built by the test with openpyxl (file names ``synthetic-*``).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile

import pandas as pd
import pytest

import polls
from polls._excel import _cell_text, column_letter, excel_records
from polls.errors import FileFormatError

openpyxl = pytest.importorskip("openpyxl")


def read_quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return polls.read_toplines(*args, **kwargs)


def save(book, tmp_path, name):
    path = tmp_path / name
    book.save(path)
    return path


# --------------------------------------------------------------------------------------------
# One cell at a time


@pytest.mark.parametrize(("value", "fmt", "text"), [
    (0.53, "0%", "53%"),
    (0.535, "0.0%", "53.5%"),
    (0.53, "0%;[Red]-0%", "53%"),
    (53, '0"%"', "53%"),          # a literal sign: the value is shown as it is
    (53, "0\\%", "53%"),
    (53, "General", "53"),
    (0.53, "General", "0.53"),
    (1600, "#,##0", "1600"),
    (dt.datetime(2022, 3, 1), "mmm.yy", "2022-03"),
    (dt.datetime(2022, 3, 1), "[$-419]mmmm yyyy;@", "2022-03"),
    (dt.datetime(2022, 3, 1), "mm/yyyy", "2022-03"),
    (dt.datetime(2022, 3, 24), "dd.mm.yyyy", "2022-03-24"),
    (dt.datetime(2022, 3, 24), "d mmm yy", "2022-03-24"),
    (dt.datetime(2022, 3, 24), "General", "2022-03-24"),
    (dt.datetime(2022, 3, 24, 12, 30), "dd.mm.yyyy hh:mm", "2022-03-24 12:30:00"),
    (None, "0%", ""),
])
def test_cell_text_is_what_the_sheet_shows(value, fmt, text):
    assert _cell_text(value, fmt) == text


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == [
        "A", "Z", "AA", "AZ", "ZZ", "AAA"]
    assert column_letter(702) == openpyxl.utils.get_column_letter(703)


# --------------------------------------------------------------------------------------------
# Whole sheets, long and wide layouts


def test_mixed_percent_formats_read_each_cell_on_its_own_scale(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["response", "share"])
    sheet.append(["yes", 0.53])
    sheet["B2"].number_format = "0%"  # shown as 53%
    sheet.append(["no", 40])  # typed as a plain percent
    sheet.append(["hard to say", 7])
    path = save(book, tmp_path, "synthetic-mixed.xlsx")
    df = read_quiet(path)
    assert list(df["share"]) == [0.53, 0.40, 0.07]


def test_merged_continuation_rows_are_filled(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Pollster", "Date", "Sample size", "Response", "Share"])
    sheet.append(["synthetic", "март 2022", 1600, "yes", 53])
    sheet.append([None, None, None, "no", 40])
    sheet.append([None, None, None, "hard to say", 7])
    for col in "ABC":
        sheet.merge_cells(f"{col}2:{col}4")
    path = save(book, tmp_path, "synthetic-merged.xlsx")
    df = read_quiet(path, scale="percent")
    assert df["pollster"].tolist() == ["synthetic"] * 3
    assert df["fieldwork_end"].tolist() == [pd.Timestamp("2022-03-31")] * 3
    assert df["sample_size"].tolist() == [1600] * 3
    assert df[["pollster", "fieldwork_start", "sample_size"]].notna().all().all()


def test_merged_title_is_one_cell_not_one_per_column():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Synthetic question?"
    sheet.merge_cells("A1:D2")
    sheet["A3"] = "x"
    sheet["D3"] = 1
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    records, _, _ = excel_records(buffer.getvalue(), "synthetic.xlsx")
    assert records[0] == ["Synthetic question?", "", "", ""]
    assert records[1] == ["Synthetic question?", "", "", ""]  # the range spans two rows


def _set_dimension(path, ref):
    """Rewrite the stored dimension of the first sheet (as a careless writer leaves it)."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode()
    xml, count = re.subn(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)
    assert count == 1
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, content in parts.items():
            zf.writestr(n, content)


def test_a_stale_sheet_dimension_loses_no_rows_or_columns(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Polling firm", "Fieldwork end", "Yes", "No", "Hard to say"])
    sheet.append(["synthetic", "2022-03", 53, 40, 7])
    sheet.append(["synthetic", "2022-04", 50, 41, 9])
    sheet.append(["synthetic", "2022-05", 51, 42, 7])
    path = save(book, tmp_path, "synthetic-dimension.xlsx")
    _set_dimension(path, "A1:B2")
    # openpyxl's read-only mode trusts the stored dimension and would see two columns, two rows
    ro = openpyxl.load_workbook(path, read_only=True)
    assert len(list(ro.active.iter_rows())) == 2
    ro.close()
    df = read_quiet(path, scale="percent", layout="wide")
    assert len(df) == 9
    assert df["share"].sum() == pytest.approx(3.0)


def test_a_formula_with_no_computed_value_is_an_error_naming_the_cell(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["response", "share"])
    sheet.append(["yes", 53])
    sheet.append(["no", "=100-B2"])  # openpyxl saves no computed value
    path = save(book, tmp_path, "synthetic-formula.xlsx")
    with pytest.raises(FileFormatError, match=r"synthetic-formula.xlsx.*cell B3 holds the "
                       r"formula =100-B2 but no computed value"):
        polls.read_toplines(path, scale="percent")


def test_several_sheets_by_name_and_position(tmp_path):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Содержание"
    first["A1"] = "Synthetic workbook: contents"
    second = book.create_sheet("data")
    second.append(["response", "share"])
    second.append(["yes", 0.6])
    second.append(["no", 0.4])
    path = save(book, tmp_path, "synthetic-sheets.xlsx")
    by_name = read_quiet(path, sheet_name="data")
    by_position = read_quiet(path, sheet_name=1)
    pd.testing.assert_frame_equal(by_name, by_position)
    assert by_name.attrs["source"] == f"{path}, sheet 'data'"
    with pytest.raises(FileFormatError, match=r"no sheet number 2 .*'Содержание', 'data'"):
        polls.read_toplines(path, sheet_name=2)


def test_errors_name_the_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "cover"
    sheet = book.create_sheet("toplines")
    sheet.append(["response", "share"])
    sheet.append(["yes", "a lot"])
    path = save(book, tmp_path, "synthetic-bad.xlsx")
    with pytest.raises(FileFormatError, match=r"sheet 'toplines', row 2, column 'share', "
                       r"value 'a lot'"):
        polls.read_toplines(path, sheet_name="toplines", scale="percent")


def test_rows_keep_their_sheet_numbers_when_the_sheet_starts_lower(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"] = "response"
    sheet["C3"] = "share"
    sheet["B4"] = "yes"
    sheet["C4"] = "many"
    path = save(book, tmp_path, "synthetic-offset.xlsx")
    with pytest.raises(FileFormatError, match=r"row 4, column 'share'"):
        polls.read_toplines(path, scale="percent")


def test_date_cells_in_a_month_format_read_as_months(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Polling firm", "Date", "Yes", "No"])
    sheet.append(["synthetic", dt.datetime(2022, 3, 1), 53, 47])
    sheet["B2"].number_format = "mmm.yy"
    sheet.append(["synthetic", dt.datetime(2022, 4, 12), 50, 50])
    sheet["B3"].number_format = "dd.mm.yyyy"
    path = save(book, tmp_path, "synthetic-dates.xlsx")
    df = read_quiet(path, scale="percent", layout="wide")
    assert df["fieldwork_start"].tolist() == [pd.Timestamp("2022-03-01")] * 2 + [
        pd.Timestamp("2022-04-12")] * 2
    assert df["fieldwork_end"].tolist() == [pd.Timestamp("2022-03-31")] * 2 + [
        pd.Timestamp("2022-04-12")] * 2
    assert df["date_precision"].tolist() == ["month"] * 2 + ["day"] * 2


def test_an_empty_workbook_says_so(tmp_path):
    book = openpyxl.Workbook()
    path = save(book, tmp_path, "synthetic-empty.xlsx")
    with pytest.raises(FileFormatError, match="synthetic-empty.xlsx.*is empty"):
        polls.read_toplines(path)


# --------------------------------------------------------------------------------------------
# Release tables in workbooks


def levada_style_book():
    """A synthetic Levada-style sheet: merged title, unit line, date headers, mixed formats."""
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "Содержание"
    cover["A1"] = "Синтетическая книга для тестов: это не результаты опроса"
    sheet = book.create_sheet("Таблица 1")
    sheet["A1"] = "Синтетический пример. Одобряете ли вы ...?"
    sheet.merge_cells("A1:D1")
    sheet["A2"] = "в % от числа опрошенных"
    sheet.merge_cells("A2:D2")
    for col, month in zip("BCD", (2, 3, 4), strict=True):
        cell = sheet[f"{col}3"]
        cell.value = dt.datetime(2022, month, 1)
        cell.number_format = "mmm.yy"
    rows = [
        ("Одобряю", 0.53, 58, 0.6),
        ("Не одобряю", 0.4, 35, 0.33),
        ("Затрудняюсь ответить*", 0.07, 7, 0.07),
    ]
    for r, (label, *values) in enumerate(rows, start=4):
        sheet.cell(row=r, column=1, value=label)
        for c, value in enumerate(values, start=2):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, float):
                cell.number_format = "0%"  # shown as 53%, 40%, 7%; column C typed as percents
    sheet["A7"] = "Число опрошенных"
    for col, n in zip("BCD", (1603, 1610, 1615), strict=True):
        sheet[f"{col}7"] = n
    return book


def test_levada_style_workbook_with_a_mixed_percent_sheet(tmp_path):
    path = save(levada_style_book(), tmp_path, "synthetic-levada-style.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = polls.read_toplines(path, sheet_name="Таблица 1")
    assert df.attrs["layout"] == "table"
    assert df.attrs["source"] == f"{path}, sheet 'Таблица 1'"
    assert df["question"].iloc[0] == "Синтетический пример. Одобряете ли вы ...?"
    assert df["share"].tolist() == [0.53, 0.40, 0.07, 0.58, 0.35, 0.07, 0.60, 0.33, 0.07]
    assert df["response"].cat.categories.tolist() == [
        "Одобряю", "Не одобряю", "Затрудняюсь ответить"]
    assert df.groupby("fieldwork_start")["sample_size"].first().tolist() == [1603, 1610, 1615]
    assert sorted(df["fieldwork_end"].unique()) == [
        pd.Timestamp("2022-02-28"), pd.Timestamp("2022-03-31"), pd.Timestamp("2022-04-30")]


def test_percent_formatted_cells_beside_plain_fractions_are_an_error_naming_the_cells(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([None, "март 2022", "апрель 2022"])
    sheet.append(["Да", 0.53, 0.55])
    sheet.append(["Нет", 0.47, 0.45])
    sheet["B2"].number_format = sheet["B3"].number_format = "0%"
    path = save(book, tmp_path, "synthetic-mixed-fractions.xlsx")
    with pytest.raises(FileFormatError, match=r"synthetic-mixed-fractions.xlsx: mixes figures "
                       r"with a % sign and figures of at most 1 without one \(C2, C3\)"):
        polls.read_toplines(path)
    df = read_quiet(path, scale="proportion")  # told: the plain cells are proportions
    assert df["share"].tolist() == [0.53, 0.47, 0.55, 0.45]


def test_a_workbook_whose_sheet_holds_no_table_says_so(tmp_path):
    path = save(levada_style_book(), tmp_path, "synthetic-cover.xlsx")
    with pytest.raises(FileFormatError, match="sheet 'Содержание'.*holds no table"):
        polls.read_toplines(path, layout="table")


def test_a_cover_sheet_read_by_default_says_it_holds_no_table(tmp_path):
    path = save(levada_style_book(), tmp_path, "synthetic-cover-default.xlsx")
    with pytest.raises(FileFormatError, match=r"sheet 'Содержание': holds no table: .*pass "
                       r"sheet_name="):
        polls.read_toplines(path)


def test_a_merged_year_over_month_names(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Synthetic question? (в % от числа опрошенных)"
    sheet["B2"], sheet["D2"] = 2021, 2022
    sheet.merge_cells("B2:C2")
    sheet.append([None, "ноя", "дек", "янв"])
    sheet.append(["Да", 60, 61, 62])
    sheet.append(["Нет", 40, 39, 38])
    path = save(book, tmp_path, "synthetic-years.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = polls.read_toplines(path)
    assert sorted(df["fieldwork_end"].unique()) == [
        pd.Timestamp("2021-11-30"), pd.Timestamp("2021-12-31"), pd.Timestamp("2022-01-31")]
    assert df["question"].iloc[0] == "Synthetic question?"
