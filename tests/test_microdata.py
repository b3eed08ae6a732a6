"""read_microdata on small files written here with pyreadstat (SPSS .sav, Stata .dta), CSV and
Parquet: labels, user-defined missing values, encodings, and broken files."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import polls
from polls import FileFormatError, InvalidArgumentError
from polls.errors import PollsWarning


@pytest.fixture
def sav(tmp_path):
    """A small SPSS file: Cyrillic UTF-8 labels, a discrete and a range of user-missing codes."""
    df = pd.DataFrame({
        "q1": [1.0, 2.0, 3.0, 9.0, 1.0, 2.0],
        "region": ["c", "n", "c", "s", "n", "c"],
        "age": [25.0, 99.0, 40.0, 31.0, 98.0, 50.0],
        "score": [1.0, 2.0, 7.0, 1.0, 2.0, 1.0],
        "w": [1.2, 0.8, 1.0, 1.1, 0.9, 1.0],
    })
    path = tmp_path / "poll.sav"
    pyreadstat.write_sav(
        df, path, file_label="Опрос, март",
        column_labels={"q1": "Вы одобряете?", "age": "Возраст", "w": "Вес"},
        variable_value_labels={
            "q1": {1: "Да", 2: "Нет", 3: "Трудно сказать", 9: "Отказ"},
            "score": {1: "low", 2: "high"},  # 7 has no label: the column keeps its codes
        },
        missing_ranges={"q1": [9], "age": [{"lo": 98, "hi": 99}]},
        variable_measure={"q1": "ordinal", "age": "scale"},
    )
    return path


def test_sav_labels_become_ordered_categoricals_and_metadata_is_kept(sav):
    with pytest.warns(PollsWarning, match=r"3 value\(s\) declared user-missing"):
        df = polls.read_microdata(sav)
    assert isinstance(df["q1"].dtype, pd.CategoricalDtype)
    assert df["q1"].cat.ordered
    assert list(df["q1"].cat.categories) == ["Да", "Нет", "Трудно сказать"]
    assert df["q1"].tolist()[:3] == ["Да", "Нет", "Трудно сказать"]
    assert pd.isna(df["q1"].iloc[3])
    assert df.attrs["variable_labels"]["q1"] == "Вы одобряете?"
    assert df.attrs["file_label"] == "Опрос, март"
    assert df.attrs["value_labels"]["q1"][9] == "Отказ"
    assert df.attrs["variable_measure"]["q1"] == "ordinal"
    assert df.attrs["format"] == "sav" and df.attrs["source"] == str(sav)


def test_user_missing_values_are_missing_and_counted(sav):
    with pytest.warns(PollsWarning):
        df = polls.read_microdata(sav)
    assert df.attrs["missing_reported"] == {"q1": 1, "age": 2}
    assert df["age"].isna().tolist() == [False, True, False, False, True, False]
    assert df.attrs["user_missing"]["age"] == [{"lo": 98, "hi": 99}]


def test_user_missing_false_keeps_the_codes(sav):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = polls.read_microdata(sav, user_missing=False)
    assert df["q1"].iloc[3] == "Отказ"
    assert list(df["q1"].cat.categories)[-1] == "Отказ"
    assert df["age"].iloc[1] == 99.0
    assert df.attrs["missing_reported"] == {}


def test_partly_labelled_column_keeps_codes_and_value_labels_false(sav):
    with pytest.warns(PollsWarning):
        df = polls.read_microdata(sav)
    assert df["score"].dtype == float
    assert df.attrs["value_labels"]["score"] == {1: "low", 2: "high"}
    with pytest.warns(PollsWarning):
        raw = polls.read_microdata(sav, value_labels=False)
    assert raw["q1"].dtype == float


def test_string_codes_give_an_unordered_categorical(tmp_path):
    path = tmp_path / "s.sav"
    df = pd.DataFrame({"party": ["b", "a", "b", "c"]})
    pyreadstat.write_sav(
        df, path, variable_value_labels={"party": {"b": "Blue", "a": "Red", "c": "Green"}}
    )
    out = polls.read_microdata(path)
    assert not out["party"].cat.ordered
    assert list(out["party"].cat.categories) == ["Blue", "Red", "Green"]
    assert out["party"].tolist() == ["Blue", "Red", "Blue", "Green"]


def _windows_1251_sav(tmp_path):
    """An SPSS file whose label bytes are Windows-1251 while the file declares UTF-8.

    pyreadstat writes UTF-8 only, so ASCII placeholders of the same byte length are written
    and replaced by the Windows-1251 bytes of the Cyrillic text.
    """
    path = tmp_path / "cp.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"q": [1.0, 2.0, 1.0]}), path,
        column_labels={"q": "QQQQQQ"}, variable_value_labels={"q": {1: "AA", 2: "BBB"}},
    )
    raw = path.read_bytes()
    for placeholder, text in [(b"QQQQQQ", "Вопрос"), (b"AA", "Да"), (b"BBB", "Нет")]:
        assert raw.count(placeholder) == 1
        raw = raw.replace(placeholder, text.encode("cp1251"))
    path.write_bytes(raw)
    return path


def test_windows_1251_labels_with_the_encoding_override(tmp_path):
    path = _windows_1251_sav(tmp_path)
    with pytest.raises(FileFormatError, match="WINDOWS-1251") as err:
        polls.read_microdata(path)
    assert str(path) in str(err.value)
    df = polls.read_microdata(path, encoding="WINDOWS-1251")
    assert df.attrs["variable_labels"] == {"q": "Вопрос"}
    assert df["q"].tolist() == ["Да", "Нет", "Да"]


def test_dta_with_value_labels(tmp_path):
    path = tmp_path / "s.dta"
    df = pd.DataFrame({"vote": [1, 2, 2, 3], "x": [0.5, 1.5, 2.5, 3.5]})
    pyreadstat.write_dta(
        df, path, file_label="Stata test", column_labels={"vote": "Vote intention"},
        variable_value_labels={"vote": {1: "SNS", 2: "Opposition", 3: "Undecided"}},
    )
    out = polls.read_microdata(path)
    assert out["vote"].cat.ordered
    assert out["vote"].tolist() == ["SNS", "Opposition", "Opposition", "Undecided"]
    assert out.attrs["variable_labels"]["vote"] == "Vote intention"
    assert out.attrs["file_label"] == "Stata test"
    np.testing.assert_allclose(out["x"], df["x"])


def test_csv_and_parquet(tmp_path):
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["Да", "Ne", "x"]})
    csv = tmp_path / "d.csv"
    df.to_csv(csv, index=False)
    out = polls.read_microdata(csv)
    assert out["b"].tolist() == ["Да", "Ne", "x"]
    assert out.attrs["format"] == "csv"
    cp = tmp_path / "cp.csv"
    df.to_csv(cp, index=False, encoding="cp1251")
    detected = polls.read_microdata(cp)  # not UTF-8, and reads as Cyrillic words in cp1251
    assert detected["b"].tolist() == ["Да", "Ne", "x"]
    assert detected.attrs["encoding"] == "cp1251"
    assert polls.read_microdata(cp, encoding="cp1251")["b"].tolist() == ["Да", "Ne", "x"]
    stray = tmp_path / "stray.csv"  # UTF-8 with one byte that is not
    stray.write_bytes("a,b\n1,Да\n2,Нет\n".encode() + b"3,x\xff\n")
    with pytest.raises(FileFormatError, match=r"offset 23 \(line 4\).*encoding=") as err:
        polls.read_microdata(stray)
    assert err.value.path == str(stray)
    pq = tmp_path / "d.parquet"
    df.to_parquet(pq)
    pd.testing.assert_frame_equal(polls.read_microdata(pq), df, check_dtype=False)


@pytest.mark.parametrize("suffix", [".sav", ".dta", ".parquet"])
def test_truncated_file_names_the_file(tmp_path, suffix):
    df = pd.DataFrame({"a": np.arange(200.0), "b": np.arange(200.0) * 2})
    path = tmp_path / f"full{suffix}"
    if suffix == ".sav":
        pyreadstat.write_sav(df, path)
    elif suffix == ".dta":
        pyreadstat.write_dta(df, path)
    else:
        df.to_parquet(path)
    raw = path.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(FileFormatError) as err:
        polls.read_microdata(cut)
    assert str(cut) in str(err.value)
    assert err.value.path == str(cut)


@pytest.mark.parametrize("suffix", [".sav", ".por", ".dta"])
def test_not_a_survey_file(tmp_path, suffix):
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(b"this is not a survey file\n" * 20)
    with pytest.raises(FileFormatError, match="junk"):
        polls.read_microdata(path)


def test_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError):
        polls.read_microdata(tmp_path / "absent.sav")
    with pytest.raises(polls.errors.MissingFileError, match="absent.sav"):
        polls.read_microdata(tmp_path / "absent.sav")
    with pytest.raises(InvalidArgumentError, match="path must be a file path, got None"):
        polls.read_microdata(None)
    folder = tmp_path / "folder.sav"
    folder.mkdir()
    with pytest.raises(FileFormatError, match="is a directory"):
        polls.read_microdata(folder)
    with pytest.raises(InvalidArgumentError, match="format"):
        polls.read_microdata(folder, format=3)
    other = tmp_path / "x.xyz"
    other.write_text("a\n1\n")
    with pytest.raises(InvalidArgumentError, match="suffix"):
        polls.read_microdata(other)
    assert polls.read_microdata(other, format="csv")["a"].tolist() == [1]
    with pytest.raises(InvalidArgumentError, match="format"):
        polls.read_microdata(other, format="xls")
    por = tmp_path / "p.por"
    por.write_text("x")
    with pytest.raises(InvalidArgumentError, match="encoding"):
        polls.read_microdata(por, encoding="WINDOWS-1251")


def test_read_then_design(sav):
    """A file read here goes straight into a SurveyDesign."""
    with pytest.warns(PollsWarning):
        df = polls.read_microdata(sav)
    d = polls.SurveyDesign(df, weights="w")
    out = d.proportion("q1")
    assert out["n"].iloc[0] == 5  # the user-missing answer is not in the denominator
    assert out["estimate"].sum() == pytest.approx(1.0)


def test_csv_rows_are_all_accounted_for(tmp_path):
    """Synthetic CSVs: a short row is named and its last value missing; a row in another
    separator, or a last row cut short, is an error naming the row."""
    short = tmp_path / "short.csv"
    short.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n")
    with pytest.warns(PollsWarning, match=r"1 row\(s\) have fewer cells.*rows 3\)"):
        df = polls.read_microdata(short)
    assert df["c"].isna().tolist() == [False, True, False]
    assert df.attrs["short_rows"] == [3]
    other = tmp_path / "other.csv"
    other.write_text("a,b,c\n1;2;3\n")
    with pytest.raises(FileFormatError, match="no ',' separates its cells.*comma-separated") as e:
        polls.read_microdata(other)
    assert e.value.row == 2
    cut = tmp_path / "cut.csv"
    cut.write_text("a,b,c\n1,2,3\n4,5")
    with pytest.raises(FileFormatError, match="ends inside this row") as e:
        polls.read_microdata(cut)
    assert e.value.row == 3
