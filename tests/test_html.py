"""Saved web pages: tables read with a real HTML parser, picked with table=.

``tests/fixtures/releases/release-page.html`` is a synthetic page (see the README there).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd
import pytest

import polls
from polls._release import FLAGS_COLUMN
from polls.errors import FileFormatError, InvalidArgumentError

pytest.importorskip("bs4")
from polls._html import _grid, html_records  # noqa: E402

PAGE = Path(__file__).parent / "fixtures" / "releases" / "release-page.html"


def read(source, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return polls.read_toplines(source, **kwargs)


def test_several_tables_and_no_table_argument_lists_each_table():
    with pytest.raises(FileFormatError) as info:
        polls.read_toplines(PAGE)
    message = str(info.value)
    assert "holds 3 tables" in message
    assert "table 0: first cells Home | Releases | About; text above: (none)" in message
    assert ("table 1: first cells Mar-22 | Apr-22 | May-22 | Approve | 45 | 47; text above: "
            "Do you approve of the job the government is doing? (% of respondents)") in message
    assert ("table 2: first cells % of respondents | Response | 24–30 March 2022 | "
            "21–27 April 2022 | Fully | 22; text above: How much do you trust national "
            "television? (synthetic)") in message


@pytest.mark.parametrize("which", [1, "approve of the job", "APPROVAL"])
def test_a_table_picked_by_number_or_by_text_above_it(which):
    df = read(PAGE, table=which)
    assert df.attrs["source"] == f"{PAGE}, table 1"
    assert df["question"].iloc[0] == "Do you approve of the job the government is doing?"
    assert df.loc[df["response"] == "Approve", "share"].tolist() == [0.45, 0.47, 0.46]  # 45<sup>1
    assert df.loc[df["response"] == "Don't know", "share"].tolist() == [0.14, 0.13, 0.12]
    assert df.groupby("fieldwork_end")["sample_size"].first().tolist() == [1604, 1598, 1611]
    assert [d["label"] for d in df.attrs["dropped_rows"]] == ["Total", "Sample size"]


def test_a_table_with_a_caption_a_colspan_unit_row_and_ranges():
    df = read(PAGE, table="national television")
    assert df["question"].iloc[0] == "How much do you trust national television? (synthetic)"
    assert df.attrs["scale"] == "percent"  # the "% of respondents" row spanning the table
    assert sorted(df["fieldwork_start"].unique()) == [pd.Timestamp("2022-03-24"),
                                                      pd.Timestamp("2022-04-21")]
    assert (df["date_precision"] == "day").all()
    hard = df[df["response"] == "Hard to say"]
    assert hard["share"].tolist()[0] == 0.09
    assert hard[FLAGS_COLUMN].tolist()[1] == "below_precision"  # "&lt;1"


@pytest.mark.parametrize(("which", "error", "match"), [
    (5, InvalidArgumentError, r"table=5 but .* holds 3 table\(s\)"),
    ("no such words", InvalidArgumentError, r"matches no table"),
    ("synthetic", InvalidArgumentError, r"matches 2 tables"),
    (1.5, InvalidArgumentError, r"table must be a table number or a text"),
])
def test_bad_table_arguments(which, error, match):
    with pytest.raises(error, match=match):
        polls.read_toplines(PAGE, table=which)


def test_table_argument_on_a_csv_file_is_refused():
    with pytest.raises(InvalidArgumentError, match="picks a table of an HTML page"):
        polls.read_toplines(io.StringIO("response,share\nyes,1\n"), table=0)


def test_a_page_without_tables_says_so():
    with pytest.raises(FileFormatError, match="holds no table"):
        polls.read_toplines(io.StringIO("<html><body><p>Nothing here</p></body></html>"))


def test_html_text_is_recognised_without_a_file_extension():
    page = ("<html><body><p>в % от числа опрошенных</p><table>"
            "<tr><td></td><td>мар.22</td></tr><tr><td>Да</td><td>60</td></tr>"
            "<tr><td>Нет</td><td>40</td></tr></table></body></html>")
    df = read(io.BytesIO(page.encode("cp1251").replace(
        b"<html>", b'<html><head><meta charset="windows-1251"></head>')))
    assert df["response"].tolist() == ["Да", "Нет"]
    assert df["share"].tolist() == [0.6, 0.4]


def test_a_long_layout_html_table_uses_the_long_reader():
    page = ("<table><tr><th>response</th><th>share</th></tr><tr><td>yes</td><td>60%</td></tr>"
            "<tr><td>no</td><td>40%</td></tr></table>")
    df = read(io.StringIO(page))
    assert df.attrs["layout"] == "long"
    assert df["share"].tolist() == [0.6, 0.4]


def test_rowspan_and_colspan_laid_out_as_a_spreadsheet_shows_them():
    from bs4 import BeautifulSoup

    table = BeautifulSoup(
        "<table><tr><td rowspan=2>A</td><td colspan=2>B</td><td rowspan=3>C</td></tr>"
        "<tr><td>d</td><td>e</td></tr><tr><td>f</td><td>g</td><td>h</td></tr></table>",
        "html.parser").table
    assert _grid(table) == [["A", "B", "", "C"], ["A", "d", "e", "C"], ["f", "g", "h", "C"]]


def test_nested_layout_tables_are_not_tables_of_figures():
    page = ("<table><tr><td><p>Do you agree? (synthetic)</p><table><tr><td></td>"
            "<td>март 2022</td></tr><tr><td>Да</td><td>55</td></tr><tr><td>Нет</td>"
            "<td>45</td></tr></table></td></tr></table>")
    records, name, above = html_records(page, "<page>")
    assert records == [["", "март 2022"], ["Да", "55"], ["Нет", "45"]]
    assert above == ["Do you agree? (synthetic)"]
    assert name == "<page>"


def test_pythons_own_parser_reads_the_page_as_lxml_does(monkeypatch):
    pytest.importorskip("lxml")
    import polls._html as html

    with_lxml = read(PAGE, table=2)
    monkeypatch.setattr(html, "_parser", lambda: "html.parser")
    pd.testing.assert_frame_equal(read(PAGE, table=2), with_lxml)
    assert read(PAGE, table=1)["share"].sum() == pytest.approx(3.0)


def test_without_beautifulsoup_the_error_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "bs4", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"pip install .polls\[html\]."):
        polls.read_toplines(PAGE, table=1)


def test_an_htm_file_is_a_page(tmp_path):
    path = tmp_path / "synthetic.htm"
    path.write_text("<p>u %</p><table><tr><td></td><td>maj 2022</td></tr>"
                    "<tr><td>Da</td><td>35,5</td></tr><tr><td>Ne</td><td>64,5</td></tr></table>",
                    encoding="utf-8")
    df = read(path)
    assert df["share"].tolist() == [0.355, 0.645]


def test_text_inside_the_previous_tables_cells_is_not_the_text_above():
    page = ("<p>First question? (synthetic)</p><table><tr><td></td><td>март 2022</td></tr>"
            "<tr><td><p>Да</p></td><td><p>55</p></td></tr></table>"
            "<table><tr><td></td><td>март 2022</td></tr><tr><td>Нет</td><td>45</td></tr></table>")
    _, _, above = html_records(page, "<page>", table=1)
    assert above == []
    _, _, above = html_records(page, "<page>", table=0)
    assert above == ["First question? (synthetic)"]
