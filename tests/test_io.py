"""Tests for polls.read_toplines / polls.write_toplines and the date parser behind them.

Real files: two EOPAOD pipe-separated tables under tests/fixtures/io (sources in the README
there); expected figures are read off the files' text. Everything else is synthetic and written
by the tests into a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import polls
from polls._dates import parse_date_text
from polls.errors import (
    FileFormatError,
    InferenceWarning,
    InvalidArgumentError,
    PollsWarning,
    SchemaError,
)
from polls.schema import COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "io"
RU = FIXTURES / "eopaod-ru.psv"
ME = FIXTURES / "eopaod-me.psv"


def read_quiet(*args, **kwargs):
    """read_toplines with warnings turned into errors (the call must not need to warn)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return polls.read_toplines(*args, **kwargs)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------------------------
# A real wide-layout pipe-separated table (EOPAOD data/polls/ru.psv)


def read_ru(**kwargs):
    """RU's file row 3 stops after four parties: the reader says so, and reads nothing else."""
    with pytest.warns(PollsWarning, match=r"1 row\(s\) have fewer cells than the header.*rows 3\)"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", InferenceWarning)
            return polls.read_toplines(RU, **kwargs)


def test_eopaod_russia_wide_table():
    df = read_ru(scale="percent", layout="wide")
    assert df.attrs["short_rows"] == [3]
    assert list(df.columns) == list(COLUMNS)
    # 11 polls x 7 parties, less the 3 cells the NMCPSM row leaves out
    assert len(df) == 11 * 7 - 3
    first = df.iloc[0]
    # file row 2: "CIPKR | Pravda | 2021-08-09 | 2021-08-13 | N | N/A | N/A | 1 | 25 | ..."
    assert first["pollster"] == "CIPKR"
    assert first["fieldwork_start"] == pd.Timestamp("2021-08-09")
    assert first["fieldwork_end"] == pd.Timestamp("2021-08-13")
    assert first["date_precision"] == "day"
    assert pd.isna(first["sample_size"])  # "N/A"
    assert first["response"] == "YeR"
    assert first["share"] == 0.25
    assert first["precision"] == 0.01  # Precision "1": one percentage point
    assert pd.isna(first["row_flags"])
    assert list(df["response"].cat.categories) == [
        "YeR", "KPRF", "LDPR", "SRPZP", "Yabloko", "DKR", "Other"]
    assert df["response"].cat.ordered

    # file row 3: "NMCPSM | Znak | 2021-07-26 | 2021-7-30 | N | 85000 | N/A | 0.1 | 35.6 | 16.2 |
    # 13.6 | 9.4" (the row stops there: no figures for Yabloko, DKR, Other)
    nm = df[df["pollster"] == "NMCPSM"]
    assert list(nm["response"]) == ["YeR", "KPRF", "LDPR", "SRPZP"]
    assert list(nm["share"]) == [0.356, 0.162, 0.136, 0.094]
    assert (nm["fieldwork_end"] == pd.Timestamp("2021-07-30")).all()
    assert (nm["sample_size"] == 85000).all()
    assert (nm["precision"] == 0.001).all()

    # file row 8: "Levada Centre | N/A | 2021-02-18 | 2021-02-24 | N | 1601 | N/A | 0.1 | 37.5 |
    # 13.9 | 16.7 | 7.0 | 1.0 | 2.8 | 7.0"
    lev = df[(df["pollster"] == "Levada Centre")
             & (df["fieldwork_start"] == pd.Timestamp("2021-02-18"))]
    assert dict(zip(lev["response"], lev["share"], strict=True)) == {
        "YeR": 0.375, "KPRF": 0.139, "LDPR": 0.167, "SRPZP": 0.07, "Yabloko": 0.01, "DKR": 0.028,
        "Other": 0.07}
    assert (lev["sample_size"] == 1601).all()

    assert df.attrs["ignored_columns"] == ["Commissioners", "Scope", "Participation"]
    assert df.attrs["not_published"] == 3
    assert df.attrs["layout"] == "wide"


@pytest.mark.filterwarnings("ignore:.*fewer cells than the header:polls.errors.PollsWarning")
def test_eopaod_inference_is_announced():
    with pytest.warns(InferenceWarning) as record:
        df = polls.read_toplines(RU)
    messages = " ".join(str(w.message) for w in record)
    assert "wide" in messages and "YeR" in messages
    assert "percents" in messages
    assert df.attrs["scale"] == "percent"
    pd.testing.assert_frame_equal(df, read_ru(scale="percent", layout="wide"))


def test_eopaod_montenegro_real_date_error_is_named():
    # file row 3 gives fieldwork 2021-10-01 to 2021-01-15 (the file's own typo)
    with pytest.raises(SchemaError) as err:
        read_quiet(ME, scale="percent", layout="wide")
    text = str(err.value)
    assert "eopaod-me.psv" in text
    assert "row 3, column 'fieldwork_end': 2021-01-15 is before fieldwork_start 2021-10-01" in text
    df = read_quiet(ME, scale="percent", layout="wide", validate=False)
    ipsos = df[df["pollster"] == "Ipsos"]
    assert (ipsos["precision"] == 0.01).all()
    assert ipsos.loc[ipsos["response"] == "DPS", "share"].item() == 0.40
    # ".. | 4.4 | N/A |11.0 | 15.8" — an unpadded cell reads like the padded ones
    damar = df[df["pollster"] == "Damar"]
    assert damar.loc[damar["response"] == "URA", "share"].item() == 0.11


# --------------------------------------------------------------------------------------------
# Encodings and separators

# Figures copied from shared/data/toplines/russia.csv (Levada, war support):
# L0013 definitely support 46, L0015 rather support 30, L0014 do not support (total) 17,
# fieldwork 2022-08-25 to 2022-08-31, n 1612; L0025 definitely support 42, L0028 rather
# support 32, L0027 rather not support 11, L0024 definitely do not support 9, L0026 hard to say 7,
# fieldwork 2022-11 (month only). Response labels translated back into Russian for the test.
CP1251_TEXT = (
    "Дата;Ответ;Доля;Выборка\n"
    "25-31 августа 2022;Определенно поддерживаю;46;1612\n"
    "25-31 августа 2022;Скорее поддерживаю;30;1612\n"
    "25-31 августа 2022;Не поддерживаю (всего);17;1612\n"
    "ноябрь 2022;Определенно поддерживаю;42;\n"
    "ноябрь 2022;Скорее поддерживаю;32;\n"
    "ноябрь 2022;Скорее не поддерживаю;11;\n"
    "ноябрь 2022;Определенно не поддерживаю;9;\n"
    "ноябрь 2022;Затрудняюсь ответить;7;\n"
)


def test_windows_1251_csv(tmp_path):
    path = write(tmp_path, "synthetic-levada-cp1251.csv", CP1251_TEXT, "cp1251")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    df = read_quiet(path, scale="percent", pollster="levada", series="levada-war-support")
    assert list(df["share"]) == [0.46, 0.30, 0.17, 0.42, 0.32, 0.11, 0.09, 0.07]
    assert list(df["response"].cat.categories) == [
        "Определенно поддерживаю", "Скорее поддерживаю", "Не поддерживаю (всего)",
        "Скорее не поддерживаю", "Определенно не поддерживаю", "Затрудняюсь ответить"]
    aug, nov = df.iloc[0], df.iloc[3]
    assert (aug["fieldwork_start"], aug["fieldwork_end"]) == (
        pd.Timestamp("2022-08-25"), pd.Timestamp("2022-08-31"))
    assert aug["date_precision"] == "day" and aug["sample_size"] == 1612
    assert (nov["fieldwork_start"], nov["fieldwork_end"]) == (
        pd.Timestamp("2022-11-01"), pd.Timestamp("2022-11-30"))
    assert nov["date_precision"] == "month" and pd.isna(nov["sample_size"])
    assert (df["pollster"] == "levada").all() and (df["series"] == "levada-war-support").all()
    assert (df["precision"] == 0.01).all()


def test_utf8_with_and_without_bom_read_alike(tmp_path):
    plain = write(tmp_path, "synthetic-plain.csv", CP1251_TEXT)
    bom = tmp_path / "synthetic-bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + CP1251_TEXT.encode("utf-8"))
    a = read_quiet(plain, scale="percent")
    b = read_quiet(bom, scale="percent")
    pd.testing.assert_frame_equal(a, b, check_like=False)
    assert a["response"].iloc[0] == "Определенно поддерживаю"


def test_encoding_override(tmp_path):
    path = write(tmp_path, "synthetic-latin1.csv", "response,share\nOui,52\nNon,48\n", "utf-16")
    with pytest.raises(FileFormatError, match="neither UTF-8 nor Windows-1251"):
        polls.read_toplines(path, scale="percent")
    df = read_quiet(path, scale="percent", encoding="utf-16")
    assert list(df["response"]) == ["Oui", "Non"]


def test_semicolon_with_decimal_commas(tmp_path):
    text = ("Polling firm;Fieldwork date;N;Да;Нет;Не знаю\n"
            "Synthetic A;31.03.2022;1 600;52,5;40,1;7,4\n"
            "Synthetic B;03.2022;1.200;50;41;N/A\n")
    df = read_quiet(write(tmp_path, "synthetic-semicolon.csv", text), scale="percent",
                    layout="wide")
    a = df[df["pollster"] == "Synthetic A"]
    assert list(a["share"]) == [0.525, 0.401, 0.074]
    assert (a["sample_size"] == 1600).all()
    assert (a["precision"] == 0.001).all()
    b = df[df["pollster"] == "Synthetic B"]
    assert list(b["response"]) == ["Да", "Нет"]  # no row for the unpublished "Не знаю"
    assert (b["sample_size"] == 1200).all()
    assert (b["fieldwork_start"] == pd.Timestamp("2022-03-01")).all()
    assert (b["fieldwork_end"] == pd.Timestamp("2022-03-31")).all()
    assert (b["date_precision"] == "month").all()


def test_tab_separated(tmp_path):
    text = "pollster\tdate\tanswer\tpercent\nsynthetic\t2022-03-24\tyes\t61\n" \
           "synthetic\t2022-03-24\tno\t39\n"
    df = read_quiet(write(tmp_path, "synthetic.tsv", text), scale="percent")
    assert list(df["share"]) == [0.61, 0.39]
    assert df["fieldwork_start"].iloc[0] == df["fieldwork_end"].iloc[0] == pd.Timestamp(
        "2022-03-24")


def test_padded_pipe_long_layout_with_unpublished_rows(tmp_path):
    text = ("  Response   |  Share  | Fieldwork Start | Fieldwork End \n"
            "  support    |   52    |   2022-03-24    |  2022-03-30   \n"
            "  oppose     |   N/A   |   2022-03-24    |  2022-03-30   \n"
            "  dont know  |   -     |   2022-03-24    |  2022-03-30   \n"
            "\n"
            "  other      |   Not Available |   2022-03-24    |  2022-03-30   \n"
            "  refused    |   3     |   2022-03-24    |  2022-03-30   \n")
    with pytest.warns(PollsWarning, match=r"3 row\(s\) with no published share.*rows 3, 4, 6"):
        df = polls.read_toplines(write(tmp_path, "synthetic.psv", text), scale="percent")
    assert list(df["response"]) == ["support", "refused"]
    assert list(df["share"]) == [0.52, 0.03]  # unpublished figures are not zeros
    assert df.attrs["skipped_rows"] == [3, 4, 6]


def test_wide_poll_with_no_published_response_is_reported_not_dropped_silently(tmp_path):
    # synthetic: file row 3 is a poll whose every response cell says "not published"
    text = ("Polling firm|Fieldwork End|Yes|No\n"
            "synthetic A|2022-03|52|N/A\n"
            "synthetic B|2022-04|N/A|-\n"
            "synthetic C|2022-05|40|60\n")
    with pytest.warns(PollsWarning, match=r"1 row\(s\) with no published share.*rows 3\)"):
        df = polls.read_toplines(write(tmp_path, "synthetic.psv", text), scale="percent",
                                 layout="wide")
    assert list(df["pollster"]) == ["synthetic A", "synthetic C", "synthetic C"]
    assert df.attrs["skipped_rows"] == [3]
    assert df.attrs["not_published"] == 3  # A's "No" and both cells of B


def test_text_buffers_and_byte_buffers():
    text = "response,share\nyes,0.6\nno,0.4\n"
    a = read_quiet(io.StringIO(text), scale="proportion")
    b = read_quiet(io.BytesIO(text.encode()), scale="proportion")
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["source"] == "<buffer>"


# --------------------------------------------------------------------------------------------
# Excel


def test_xlsx_written_with_openpyxl(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "toplines"
    sheet.append(["Pollster", "Fieldwork start", "Fieldwork end", "Sample size", "Answer",
                  "Share"])
    sheet.append(["synthetic", dt.datetime(2022, 3, 24), dt.datetime(2022, 3, 30), 1600,
                  "support", 52])
    sheet.append(["synthetic", dt.datetime(2022, 3, 24), dt.datetime(2022, 3, 30), 1600,
                  "oppose", 37.5])
    sheet.append(["synthetic", "март 2022", "март 2022", None, "hard to say", None])
    path = tmp_path / "synthetic.xlsx"
    book.save(path)
    with pytest.warns(PollsWarning, match="rows 4"):
        df = polls.read_toplines(path, scale="percent", sheet_name="toplines")
    assert list(df["share"]) == [0.52, 0.375]
    assert (df["fieldwork_end"] == pd.Timestamp("2022-03-30")).all()
    assert (df["sample_size"] == 1600).all()
    assert (df["precision"] == 0.001).all()  # 37.5 printed with one decimal in the same poll


def test_xlsx_percent_formatted_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["response", "share"])
    for label, value in (("yes", 0.525), ("no", 0.475)):
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=2).number_format = "0.0%"
    path = tmp_path / "synthetic-percent.xlsx"
    book.save(path)
    df = read_quiet(path)  # a % format says percent: nothing to infer
    assert list(df["share"]) == [0.525, 0.475]
    assert df.attrs["scale"] == "percent"


def test_openpyxl_reads_with_defusedxml():
    openpyxl_xml = pytest.importorskip("openpyxl.xml")
    assert openpyxl_xml.DEFUSEDXML is True


@pytest.mark.parametrize("content", [
    b"PK\x03\x04 this is not really a zip archive",
    b"",  # replaced below by a truncated real workbook
])
def test_broken_xlsx_is_a_file_format_error(tmp_path, content):
    openpyxl = pytest.importorskip("openpyxl")
    if not content:
        book = openpyxl.Workbook()
        book.active.append(["response", "share"])
        good = tmp_path / "good.xlsx"
        book.save(good)
        content = good.read_bytes()[: len(good.read_bytes()) // 2]
    path = tmp_path / "synthetic-broken.xlsx"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match="synthetic-broken.xlsx.*not a readable .xlsx"):
        polls.read_toplines(path)


def test_xlsx_with_a_bad_inner_part(tmp_path):
    path = tmp_path / "synthetic-garbage.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<not-xml")
    with pytest.raises(FileFormatError, match="not a readable .xlsx"):
        polls.read_toplines(path)


def test_old_xls_is_refused(tmp_path):
    path = tmp_path / "synthetic.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(FileFormatError, match="old-style .xls"):
        polls.read_toplines(path)


# --------------------------------------------------------------------------------------------
# Dates

MONTH_NAMES = [
    # English
    ("March 2022", 3), ("Mar 2022", 3), ("mar. 2022", 3), ("September 2022", 9),
    ("Sept 2022", 9), ("May 2022", 5),
    # Russian, every case form and abbreviations
    ("март 2022", 3), ("марта 2022", 3), ("марте 2022", 3), ("мар 2022", 3),
    ("Мар. 2022", 3), ("мартом 2022", 3), ("май 2022", 5), ("мая 2022", 5), ("мае 2022", 5),
    ("август 2022", 8), ("августа 2022", 8), ("сентябрь 2022", 9), ("сентября 2022", 9),
    ("сентябре 2022", 9), ("сент 2022", 9), ("февраль 2022", 2), ("февр. 2022", 2),
    ("ноябрь 2022 г.", 11), ("ноябре 2022 года", 11), ("дек 2022", 12),
    # Serbian Cyrillic
    ("март 2022", 3), ("јун 2022", 6), ("јул 2022", 7), ("август 2022", 8),
    ("септембар 2022", 9), ("септембра 2022", 9), ("октобар 2022", 10), ("децембра 2022.", 12),
    ("мај 2022", 5), ("јануара 2022", 1),
    # Serbian Latin
    ("mart 2022", 3), ("marta 2022", 3), ("avgust 2022", 8), ("Avgusta 2022", 8),
    ("septembar 2022", 9), ("oktobra 2022.", 10), ("maj 2022", 5), ("jun 2022", 6),
    ("decembar 2022", 12), ("februar 2022", 2),
]


@pytest.mark.parametrize(("text", "month"), MONTH_NAMES)
def test_month_names(text, month):
    start, end, precision = parse_date_text(text)
    assert start == dt.date(2022, month, 1)
    assert end == dt.date(2022, month, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
    assert precision == "month"


@pytest.mark.parametrize(("text", "start", "end", "precision"), [
    ("2022-03-31", "2022-03-31", "2022-03-31", "day"),
    ("2021-7-30", "2021-07-30", "2021-07-30", "day"),
    ("31.03.2022", "2022-03-31", "2022-03-31", "day"),
    ("31/03/2022", "2022-03-31", "2022-03-31", "day"),
    ("2022-03", "2022-03-01", "2022-03-31", "month"),
    ("03.2022", "2022-03-01", "2022-03-31", "month"),
    ("2024-02", "2024-02-01", "2024-02-29", "month"),
    ("31 марта 2022 г.", "2022-03-31", "2022-03-31", "day"),
    ("31. mart 2022.", "2022-03-31", "2022-03-31", "day"),
    ("March 31, 2022", "2022-03-31", "2022-03-31", "day"),
    ("24-30 March 2022", "2022-03-24", "2022-03-30", "day"),
    ("13–19 June 2022", "2022-06-13", "2022-06-19", "day"),
    ("24–30 марта 2022", "2022-03-24", "2022-03-30", "day"),
    ("28 Feb - 3 Mar 2022", "2022-02-28", "2022-03-03", "day"),
    ("28 Dec 2021 – 3 Jan 2022", "2021-12-28", "2022-01-03", "day"),
    ("24.03.2022-30.03.2022", "2022-03-24", "2022-03-30", "day"),
    ("2022-03-24/2022-03-30", "2022-03-24", "2022-03-30", "day"),
    ("March–April 2022", "2022-03-01", "2022-04-30", "month"),
    ("2022-03-24 00:00:00", "2022-03-24", "2022-03-24", "day"),
])
def test_date_forms(text, start, end, precision):
    assert parse_date_text(text) == (
        dt.date.fromisoformat(start), dt.date.fromisoformat(end), precision)


@pytest.mark.parametrize(("text", "reason"), [
    ("2022-13-45", "month 13 does not exist"),
    ("31.02.2022", "day 31 does not exist"),
    ("03/31/2022", "day-first"),
    ("2022", "a year alone"),
    ("12.03.22", "two-digit years"),
    ("Smarch 2022", "not a date"),
    ("30-24 March 2022", "ends before it starts"),
])
def test_bad_dates(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date_text(text)


def test_single_date_column_with_ranges(tmp_path):
    text = ("Pollster,Fieldwork date,Sample size,Yes,No,Lead\n"
            "Synthetic,13–19 June 2022,1285,41,39,2\n"
            "Synthetic,июль 2022,,44,40,4\n")
    df = read_quiet(write(tmp_path, "synthetic-wiki.csv", text), scale="percent",
                    layout="wide")
    assert list(df["response"].cat.categories) == ["Yes", "No"]  # "Lead" is not a response
    first = df.iloc[0]
    assert (first["fieldwork_start"], first["fieldwork_end"]) == (
        pd.Timestamp("2022-06-13"), pd.Timestamp("2022-06-19"))
    last = df.iloc[-1]
    assert (last["fieldwork_start"], last["fieldwork_end"], last["date_precision"]) == (
        pd.Timestamp("2022-07-01"), pd.Timestamp("2022-07-31"), "month")
    assert df.attrs["ignored_columns"] == ["Lead"]


# --------------------------------------------------------------------------------------------
# Bad input: every error names the file, the row, the column and the value


def test_share_not_a_number(tmp_path):
    text = "response,share\nyes,52\nno,abc\n"
    with pytest.raises(FileFormatError) as err:
        polls.read_toplines(write(tmp_path, "synthetic-bad-share.csv", text), scale="percent")
    e = err.value
    assert (e.row, e.column, e.value) == (3, "share", "abc")
    assert "synthetic-bad-share.csv" in str(e) and "row 3" in str(e) and "'abc'" in str(e)


def test_share_not_a_number_wide_names_the_response_column(tmp_path):
    text = "Polling firm|Fieldwork End|Yes|No\nA|2022-03-01|52|4O\n"
    with pytest.raises(FileFormatError) as err:
        polls.read_toplines(write(tmp_path, "synthetic-bad.psv", text), scale="percent",
                            layout="wide")
    assert (err.value.row, err.value.column, err.value.value) == (2, "No", "4O")


def test_impossible_date(tmp_path):
    text = "Fieldwork End,response,share\n2022-03-01,yes,52\n2022-13-45,no,48\n"
    with pytest.raises(FileFormatError) as err:
        polls.read_toplines(write(tmp_path, "synthetic-bad-date.csv", text), scale="percent")
    e = err.value
    assert (e.row, e.column, e.value) == (3, "Fieldwork End", "2022-13-45")
    assert "month 13 does not exist" in str(e)


@pytest.mark.parametrize("n", ["-1600", "0", "1600.5", "many"])
def test_bad_sample_size(tmp_path, n):
    text = f"response;share;Sample Size\nyes;52;1600\nno;48;{n}\n"
    with pytest.raises(FileFormatError, match="positive whole number") as err:
        polls.read_toplines(write(tmp_path, "synthetic-bad-n.csv", text), scale="percent")
    assert (err.value.row, err.value.column, err.value.value) == (3, "Sample Size", n)


@pytest.mark.parametrize("text", ["", "   \n\n  \n"])
def test_empty_file(tmp_path, text):
    with pytest.raises(FileFormatError, match="synthetic-empty.csv.*is empty"):
        polls.read_toplines(write(tmp_path, "synthetic-empty.csv", text))


def test_missing_required_column_lists_columns_and_aliases(tmp_path):
    text = "answer,pollster\nyes,x\n"  # response is there, share is not
    with pytest.raises(FileFormatError) as err:
        polls.read_toplines(write(tmp_path, "synthetic-no-share.csv", text))
    msg = str(err.value)
    assert "no 'share' column" in msg
    assert "['answer', 'pollster']" in msg
    assert "'percent'" in msg and "'value'" in msg and "columns=" in msg


def test_row_with_too_many_cells(tmp_path):
    text = "response,share\nyes,52\nno,48,7\n"
    with pytest.raises(FileFormatError, match="3 cells but the header has 2") as err:
        polls.read_toplines(write(tmp_path, "synthetic-ragged.csv", text), scale="percent")
    assert err.value.row == 3


def test_binary_garbage_is_refused(tmp_path):
    path = tmp_path / "synthetic-garbage.csv"
    path.write_bytes(bytes(np.random.default_rng(7).integers(0, 256, 400, dtype=np.uint8)))
    with pytest.raises(FileFormatError, match="neither UTF-8 nor Windows-1251"):
        polls.read_toplines(path)


def test_schema_problems_name_file_rows(tmp_path):
    text = ("response,share,fieldwork_start,fieldwork_end\n"
            "yes,0.7,2022-03-01,2022-03-10\n"
            "no,0.6,2022-03-01,2022-03-10\n")
    with pytest.raises(SchemaError) as err:
        polls.read_toplines(write(tmp_path, "synthetic-over.csv", text), scale="proportion")
    assert "synthetic-over.csv" in str(err.value)
    assert "row 2, column 'share'" in str(err.value) and "sum to 1.3" in str(err.value)


# --------------------------------------------------------------------------------------------
# Scale, precision, columns


def test_scale_inferred_as_proportion_with_a_warning():
    text = "pollster,date,response,share\nA,2022-03,yes,0.55\nA,2022-03,no,0.45\n"
    with pytest.warns(InferenceWarning, match="proportions"):
        df = polls.read_toplines(io.StringIO(text))
    assert list(df["share"]) == [0.55, 0.45]
    assert (df["precision"] == 0.01).all()


def test_scale_ambiguous_asks_for_scale():
    text = "pollster,date,response,share\nA,2022-03,yes,0.55\nB,2022-03,yes,0.4\n"
    with pytest.raises(FileFormatError, match="scale='percent' or scale='proportion'"):
        polls.read_toplines(io.StringIO(text))
    df = read_quiet(io.StringIO(text), scale="proportion")
    assert list(df["share"]) == [0.55, 0.4]


def test_percent_signs_mean_percent():
    df = read_quiet(io.StringIO("response,share\nyes,52%\nno,47.5 %\n"))
    assert list(df["share"]) == [0.52, 0.475]
    assert (df["precision"] == 0.001).all()


def test_bad_scale_argument():
    with pytest.raises(InvalidArgumentError, match="scale"):
        polls.read_toplines(io.StringIO("response,share\nyes,1\n"), scale="percentage")


def test_published_precision_wins_over_printed_decimals():
    text = ("Pollster|Fieldwork End|Precision|A|B\n"
            "X|2022-01-10|1|40|60\nY|2022-02-10|N/A|40.5|59.5\n")
    df = read_quiet(io.StringIO(text), scale="percent", layout="wide")
    assert list(df["precision"]) == [0.01, 0.01, 0.001, 0.001]


def test_aliases_and_explicit_mapping():
    text = ("Polling_Firm,FIELDWORK-END,n,Option,Value,Wording,Вопрос кода\n"
            "X,2022-01-10,800,yes,60,Do you?,q1\nX,2022-01-10,800,no,40,Do you?,q1\n")
    with pytest.warns(PollsWarning, match="Вопрос кода"):
        df = polls.read_toplines(io.StringIO(text), scale="percent", series="s")
    assert list(df["pollster"]) == ["X", "X"]
    assert list(df["question"]) == ["Do you?", "Do you?"]
    assert (df["series"] == "s").all()
    assert df.attrs["ignored_columns"] == ["Вопрос кода"]
    df = read_quiet(io.StringIO(text), scale="percent",
                    columns={"Вопрос кода": None, "Wording": "note"})
    assert list(df.columns)[-1] == "note" and pd.isna(df["question"]).all()
    with pytest.raises(InvalidArgumentError, match="not a canonical column"):
        polls.read_toplines(io.StringIO(text), columns={"Wording": "wording"})
    with pytest.raises(InvalidArgumentError, match="not in the file"):
        polls.read_toplines(io.StringIO(text), columns={"Frage": "question"})


def test_two_columns_for_one_field():
    text = "response,share,value\nyes,1,2\n"
    with pytest.raises(FileFormatError, match="'share' and 'value' both read as 'share'"):
        polls.read_toplines(io.StringIO(text), scale="percent")


# --------------------------------------------------------------------------------------------
# Writing and reading back


def full_frame() -> pd.DataFrame:
    """A synthetic frame that uses every canonical column (and both optional ones)."""
    frame = pd.DataFrame({
        "pollster": ["levada", "levada", "levada", "crta"],
        "country": ["RU", "RU", "RU", "RS"],
        "series": ["s-1", "s-1", "s-1", "s-2"],
        "question": ['Do you, "really"?', 'Do you, "really"?', 'Do you, "really"?', "Ли?"],
        "fieldwork_start": pd.to_datetime(["2022-03-24", "2022-03-24", "2022-03-24",
                                           "2022-06-01"]),
        "fieldwork_end": pd.to_datetime(["2022-03-30", "2022-03-30", "2022-03-30",
                                         "2022-06-30"]),
        "date_precision": ["day", "day", "day", "month"],
        "published": pd.to_datetime(["2022-04-11", "2022-04-11", "2022-04-11", None]),
        "sample_size": pd.array([1600, 1600, 1600, None], dtype="Int64"),
        "population": ["adults 18+", "adults 18+", "adults 18+", None],
        "mode": ["face-to-face", "face-to-face", "face-to-face", "online panel"],
        "response": pd.Categorical(["no", "yes", "no", "hard to say"],
                                   categories=["yes", "no", "hard to say", "never used"],
                                   ordered=True),
        "share": [1 / 3, 0.53, 0.0, 0.07],
        "precision": [0.01, 0.01, 0.01, 0.001],
        "source_url": ["https://example.org/a", "https://example.org/a", "https://example.org/b",
                       None],
        "source_kind": ["pollster", "pollster", "media", None],
        "row_flags": [None, "conflict", "conflict;secondary", None],
        "row_id": ["L1", "L2", "L3", "S1"],
        "subgroup": [None, None, "18-24", None],
        "note": ["a, b", None, None, "многоточие…"],
    })
    from polls.schema import coerce_dtypes

    return coerce_dtypes(frame)


def test_write_then_read_gives_an_identical_frame(tmp_path):
    frame = full_frame()
    path = polls.write_toplines(frame, tmp_path / "synthetic-out.csv")
    assert path == tmp_path / "synthetic-out.csv"
    back = read_quiet(path)
    pd.testing.assert_frame_equal(back, frame)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("pollster,country,series,question,fieldwork_start")
    assert "2022-03-24" in text and "00:00:00" not in text


def test_canonical_file_without_sidecar_reads_as_proportions(tmp_path):
    frame = full_frame()
    path = polls.write_toplines(frame, tmp_path / "synthetic-out.csv")
    (tmp_path / "synthetic-out.csv.json").unlink()
    back = read_quiet(path)
    assert list(back["share"]) == list(frame["share"])
    # without the sidecar the categories come in order of first appearance
    assert list(back["response"].cat.categories) == ["no", "yes", "hard to say"]


def test_write_rejects_unknown_columns(tmp_path):
    frame = full_frame().assign(extra=1)
    with pytest.raises(InvalidArgumentError, match="extra"):
        polls.write_toplines(frame, tmp_path / "x.csv")


def test_bundled_dataset_round_trip(tmp_path):
    frame = polls.load_dataset("levada-war-support")
    back = read_quiet(polls.write_toplines(frame, tmp_path / "levada.csv"))
    pd.testing.assert_frame_equal(back, frame)
    assert back.attrs["net_responses"] == frame.attrs["net_responses"]


_plain_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Zs")),
    min_size=1, max_size=12,
).filter(lambda s: s.lower() not in polls.io.MISSING_MARKERS)


@st.composite
def toplines_frames(draw):
    n_waves = draw(st.integers(1, 4))
    labels = draw(st.lists(_plain_text, min_size=1, max_size=4, unique=True))
    rows = []
    for w in range(n_waves):
        start = dt.date(2000, 1, 1) + dt.timedelta(days=draw(st.integers(0, 9000)))
        end = start + dt.timedelta(days=draw(st.integers(0, 40)))
        chosen = draw(st.lists(st.sampled_from(labels), min_size=1, max_size=len(labels),
                               unique=True))
        weights = draw(st.lists(st.floats(0, 1), min_size=len(chosen), max_size=len(chosen)))
        total = max(sum(weights), 1.0)
        n = draw(st.one_of(st.none(), st.integers(1, 10**6)))
        pollster = draw(_plain_text)
        for label, weight in zip(chosen, weights, strict=True):
            rows.append({
                "pollster": pollster, "series": f"series-{w}",
                "fieldwork_start": start, "fieldwork_end": end,
                "date_precision": draw(st.sampled_from(["day", "month"])),
                "sample_size": n, "response": label, "share": weight / total,
                "precision": draw(st.sampled_from([0.01, 0.001, None])),
                "question": draw(st.one_of(st.none(), _plain_text)),
            })
    frame = pd.DataFrame(rows)
    frame["fieldwork_start"] = pd.to_datetime(frame["fieldwork_start"])
    frame["fieldwork_end"] = pd.to_datetime(frame["fieldwork_end"])
    frame["sample_size"] = pd.array(frame["sample_size"], dtype="Int64")
    frame["response"] = pd.Categorical(frame["response"], categories=labels, ordered=True)
    return frame


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(frame=toplines_frames())
def test_round_trip_property(tmp_path, frame):
    from polls.schema import coerce_dtypes

    expected = coerce_dtypes(frame.reindex(columns=list(COLUMNS)))
    path = polls.write_toplines(frame, tmp_path / "synthetic-prop.csv")
    back = read_quiet(path)
    pd.testing.assert_frame_equal(back, expected)


def test_eopaod_csv_export_style():
    # the column set of EOPAOD's CSV exports, with "Not Available" and percent signs (synthetic
    # figures)
    text = ("Polling Firm,Commissioners,Fieldwork Start,Fieldwork End,Scope,Sample Size,"
            "Sample Size Qualification,Participation,Precision,A,B,Other\n"
            "Synthetic,Not Available,2022-05-02,2022-05-06,National,1000,Provided,"
            "Not Available,1%,40%,35%,Not Available\n")
    df = read_quiet(io.StringIO(text), layout="wide")
    assert list(df["response"]) == ["A", "B"]
    assert list(df["share"]) == [0.40, 0.35]
    assert (df["precision"] == 0.01).all()
    assert df.attrs["ignored_columns"] == ["Commissioners", "Scope", "Sample Size Qualification",
                                           "Participation"]


def test_unknown_sheet_and_unknown_encoding(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["response", "share"])
    book.active.append(["yes", 52])
    path = tmp_path / "synthetic-sheets.xlsx"
    book.save(path)
    with pytest.raises(FileFormatError, match="no sheet 'Data'; its sheets are"):
        polls.read_toplines(path, sheet_name="Data")
    csv_path = write(tmp_path, "synthetic.csv", "response,share\nyes,52\n")
    with pytest.raises(InvalidArgumentError, match="not a known encoding"):
        polls.read_toplines(csv_path, encoding="no-such-codec")


def test_a_start_month_with_no_end_ends_with_its_month_as_in_the_bundled_datasets(tmp_path):
    # synthetic; the rule is the one docs/design.md states for the canonical frame ("a wave given
    # only a start month ends with that month"), as load_dataset applies it to mei-eu-referendum
    text = ("response,share,fieldwork start\n"
            "yes,52,2022-03\nno,48,2022-03\n"
            "yes,50,24-30 March 2022\nno,50,24-30 March 2022\n"
            "yes,51,2022-05-02\nno,49,2022-05-02\n")
    df = read_quiet(write(tmp_path, "synthetic.csv", text), scale="percent")
    assert list(df["fieldwork_end"][::2]) == [pd.Timestamp("2022-03-31"),
                                             pd.Timestamp("2022-03-30"), pd.NaT]
    assert list(df["date_precision"][::2]) == ["month", "day", "day"]
    bundled = polls.load_dataset("mei-eu-referendum", conflicts="all")
    s0252 = bundled[bundled["row_id"] == "S0252"].iloc[0]  # source: start 2016-12, no end
    assert s0252["fieldwork_end"] == pd.Timestamp("2016-12-31")


def test_a_file_with_the_old_flags_column_name_reads_into_row_flags(tmp_path):
    path = tmp_path / "synthetic-old-names.csv"
    path.write_text("response,share,flags,source kind\nyes,0.52,secondary,media\n"
                    "no,0.48,,media\n", encoding="utf-8")
    df = polls.read_toplines(path, scale="proportion")
    assert "flags" not in df.columns
    assert df["row_flags"].tolist()[0] == "secondary" and pd.isna(df["row_flags"].iloc[1])
    assert df["source_kind"].astype(str).tolist() == ["media", "media"]


# --------------------------------------------------------------------------------------------
# Bad input: every record accounted for, or an error naming file, row, column and value
# (all files synthetic)


def test_a_short_wide_row_is_reported_and_its_absent_options_are_not_published():
    text = "pollster,date,A,B,C\nX,2022-03,40,30,20\nY,2022-04,50,40\n"
    with pytest.warns(PollsWarning, match=r"1 row\(s\) have fewer cells.*rows 3\)"):
        df = polls.read_toplines(io.StringIO(text), scale="percent", layout="wide")
    assert list(df["response"]) == ["A", "B", "C", "A", "B"]
    assert df.attrs["short_rows"] == [3]
    assert df.attrs["not_published"] == 1  # Y's absent "C"


@pytest.mark.parametrize("text", ["response,share\nyes;52\nno;48\n",
                                  "pollster,date,A,B\nX\t2022-03\t40\t60\n"])
def test_rows_split_by_another_separator_are_an_error(text):
    with pytest.raises(FileFormatError, match="no ',' separates its cells.*pass sep=") as err:
        polls.read_toplines(io.StringIO(text), scale="percent")
    assert err.value.row == 2


def test_an_unterminated_quote_is_an_error():
    with pytest.raises(FileFormatError, match="quoted cell never closes"):
        polls.read_toplines(io.StringIO('response,share\n"yes,52\nno,48\n'), scale="percent")


def test_text_after_a_closing_quote_is_an_error_not_glued_on():
    with pytest.raises(FileFormatError, match="followed by more text"):
        polls.read_toplines(io.StringIO('response,share\n"yes"es,52\nno,48\n'), scale="percent")


def test_a_quote_inside_an_unquoted_cell_is_text():
    df = read_quiet(io.StringIO('response,share\nthe 5" one,52\nno,48\n'), scale="percent")
    assert list(df["response"]) == ['the 5" one', "no"]


def test_a_file_cut_inside_the_last_row_is_detected():
    # the source ends "no,40\n": cut inside the figure, or inside the row
    with pytest.warns(PollsWarning, match="ends without a line break after row 3") as record:
        df = polls.read_toplines(io.StringIO("response,share\nyes,60\nno,4"), scale="percent")
    assert df.attrs["unterminated_row"] == 3
    assert len(record) == 1
    with pytest.raises(FileFormatError, match="ends inside this row.*cut short") as err:
        polls.read_toplines(io.StringIO("pollster,response,share\nX,yes,60\nX,no"),
                            scale="percent")
    assert err.value.row == 3
    complete = read_quiet(io.StringIO("response,share\nyes,60\nno,40\n"), scale="percent")
    assert complete.attrs["unterminated_row"] is None


def test_windows_1250_serbian_is_detected_not_read_as_cyrillic(tmp_path):
    text = "odgovor;udeo\nTeško je reći;12\nDa;52\nNe;36\n"
    path = write(tmp_path, "synthetic-cp1250.csv", text, "cp1250")
    df = read_quiet(path, scale="percent")
    assert list(df["response"]) == ["Teško je reći", "Da", "Ne"]
    assert df.attrs["encoding"] == "cp1250"
    cyr = write(tmp_path, "synthetic-cp1251.csv", CP1251_TEXT, "cp1251")
    assert read_quiet(cyr, scale="percent").attrs["encoding"] == "cp1251"


def test_utf8_with_one_stray_byte_names_the_byte_and_asks_for_the_encoding(tmp_path):
    data = CP1251_TEXT.encode("utf-8")
    at = data.index("ноябрь".encode()) + 2
    path = tmp_path / "synthetic-stray.csv"
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    with pytest.raises(FileFormatError, match=rf"byte b'\\xff' at offset {at} \(line 5\).*"
                                              "encoding=") as err:
        polls.read_toplines(path, scale="percent")
    assert err.value.path == str(path)


def test_a_lone_foreign_byte_in_ascii_text_is_not_guessed(tmp_path):
    path = tmp_path / "synthetic-lone.csv"
    path.write_bytes(b"response,share\nno\xff,48\nyes,52\n")
    with pytest.raises(FileFormatError, match=r"neither UTF-8 nor Windows-1251 nor Windows-1250"
                                              r".*offset 17 \(line 2\)"):
        polls.read_toplines(path, scale="percent")


def test_one_share_above_1_in_a_proportions_file_rescales_nothing():
    text = ("pollster,date,response,share\nX,2022-03,yes,0.52\nX,2022-03,no,0.48\n"
            "X,2022-04,yes,1.5\nX,2022-04,no,0.4\n")
    with pytest.raises(FileFormatError, match="above 1, but row 2.*add up to about 1") as err:
        polls.read_toplines(io.StringIO(text))
    assert (err.value.row, err.value.value) == (4, 1.5)
    one_wave = "response,share\na,0.52\nb,0.28\nc,0.15\nd,5\n"
    with pytest.raises(FileFormatError, match="3 other share"):
        polls.read_toplines(io.StringIO(one_wave))


def test_a_percent_sign_does_not_decide_for_plain_proportions():
    with pytest.raises(FileFormatError, match="% sign and others are plain numbers") as err:
        polls.read_toplines(io.StringIO("response,share\nyes,52%\nno,0.48\n"))
    assert err.value.row == 3
    with pytest.warns(InferenceWarning, match="% sign"):
        df = polls.read_toplines(io.StringIO("response,share\nyes,52%\nno,48\nother,0\n"))
    assert list(df["share"]) == [0.52, 0.48, 0.0]


@pytest.mark.parametrize("n", ["1 600", "1\u00a0600", "1\u2009600", "1\u202f600", "1,600",
                               "1.600", " 1600 "])
def test_sample_sizes_with_grouped_digits(n):
    df = read_quiet(io.StringIO(f"response;share;n\nyes;52;{n}\nno;48;{n}\n"), scale="percent")
    assert list(df["sample_size"]) == [1600, 1600]


@pytest.mark.parametrize("date", ["2999-03-01", "0001-03-01", "March 1066"])
def test_dates_outside_what_a_timestamp_holds_are_named(date):
    text = f"response,share,date\nyes,52,2022-03-01\nno,48,{date}\n"
    with pytest.raises(FileFormatError, match="outside the dates") as err:
        polls.read_toplines(io.StringIO(text), scale="percent")
    assert (err.value.row, err.value.column, err.value.value) == (3, "date", date)


@pytest.mark.parametrize("sep", ["", ";;", 5, '"', "\n", "a", "1", ".", "¦"])
def test_odd_separators_are_named(sep):
    with pytest.raises(InvalidArgumentError, match=r"sep must be one character.*got"):
        polls.read_toplines(io.StringIO("response,share\nyes,52\n"), sep=sep)


def test_paths_that_are_not_files(tmp_path):
    with pytest.raises(FileFormatError, match="is a directory"):
        polls.read_toplines(tmp_path)
    with pytest.raises(polls.errors.MissingFileError, match="no such file"):
        polls.read_toplines(tmp_path / "absent.csv")
    with pytest.raises(FileNotFoundError):  # still what callers of the built-ins catch
        polls.read_toplines(tmp_path / "absent.csv")
    with pytest.raises(InvalidArgumentError, match="path_or_buffer"):
        polls.read_toplines(None)
    with pytest.raises(InvalidArgumentError, match="encoding must be a string"):
        polls.read_toplines(io.BytesIO(b"response,share\nyes,52\n"), encoding=1251)


def test_labels_keep_carriage_returns_line_breaks_and_spaces_through_a_round_trip(tmp_path):
    frame = pd.DataFrame({"response": ["a\rb", " padded ", "c\r\nd", "N/A", 'say "no"', "x,y"],
                          "share": [0.1, 0.2, 0.3, 0.1, 0.1, 0.2]})
    back = read_quiet(polls.write_toplines(frame, tmp_path / "synthetic.csv"))
    assert list(back["response"]) == list(frame["response"])
    assert list(back["share"]) == list(frame["share"])


def test_padded_cells_of_users_files_are_still_stripped():
    df = read_quiet(io.StringIO("response , share\n  yes ,52\n no,48\n"), scale="percent")
    assert list(df["response"]) == ["yes", "no"]


def test_many_columns_and_a_wide_file_read_alike_by_both_paths(monkeypatch):
    # the csv module reads files wider than _text.WIDE; pandas' parser the others
    from polls import _text

    text = ("pollster,date,A,B,C\nX,2022-03,40,30,20\nY,2022-04,50,N/A,40\n"
            'Z,2022-05,"41",29,"30"\n')
    fast = read_quiet(io.StringIO(text), scale="percent", layout="wide")
    monkeypatch.setattr(_text, "WIDE", 1)
    slow = read_quiet(io.StringIO(text), scale="percent", layout="wide")
    pd.testing.assert_frame_equal(fast, slow)


def test_text_sample_sizes_in_a_users_frame_are_read_not_replaced_by_the_default():
    # a frame built by hand (not read from a file): sizes as printed, one of them not a number
    df = pd.DataFrame({"response": ["yes", "no"], "share": [0.52, 0.48],
                       "sample_size": ["1\u00a0600", "1\u2009600"]})
    out = polls.with_ci(df, default_n=400)
    assert list(out["n_eff"]) == [1600, 1600] and list(out["n_source"]) == ["stated", "stated"]
    df["sample_size"] = ["1 600", "many"]
    with pytest.raises(InvalidArgumentError, match="'sample_size'.*'many'"):
        polls.with_ci(df, default_n=400)


def test_a_percent_formatted_excel_cell_does_not_decide_for_its_plain_neighbours(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["response", "share"])
    book.active.append(["yes", 0.52])
    book.active.append(["no", 0.48])
    book.active["B2"].number_format = "0%"  # shown as 52%; B3 stays a plain 0.48
    path = tmp_path / "synthetic-mixed.xlsx"
    book.save(path)
    with pytest.raises(FileFormatError, match="% sign and others are plain numbers") as err:
        polls.read_toplines(path)
    assert err.value.row == 3
    df = read_quiet(path, scale="proportion", validate=False)
    assert list(df["share"]) == [0.52, 0.48]


def test_empty_unnamed_columns_at_the_end_do_not_make_rows_short():
    df = read_quiet(io.StringIO("response,share,,\nyes,52,,\nno,48,\n"), scale="percent")
    assert list(df["share"]) == [0.52, 0.48] and df.attrs["short_rows"] == []
