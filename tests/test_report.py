"""Tests of polls.report: a report built from two tiny temporary notebooks."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import polls
from polls.errors import InvalidArgumentError, PollsError
from polls.report import NotebookError, notebook_summary

FIGURE = """\
import matplotlib.pyplot as plt
import pandas as pd
import polls
df = pd.DataFrame({"response": ["yes", "no"], "share": [0.6, 0.4]})
ax = polls.plot_toplines(df, source="Source: synthetic")
plt.show()
"""

TABLE = """\
import numpy as np
import pandas as pd
pd.DataFrame({"a": [1.0, np.nan], "b": pd.array([1, None], dtype="Int64"),
              "c": pd.to_datetime(["2024-01-01", None])})
"""


def write(path, cells):
    nbformat.write(new_notebook(cells=cells), path)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    src = tmp_path_factory.mktemp("notebooks")
    (src / "numbers.txt").write_text("41\n")
    write(src / "02-second.ipynb", [
        new_markdown_cell("# Second notebook\n\nIt reads a file next to it: **relative** paths."),
        new_code_cell("open('numbers.txt').read().strip()"),
    ])
    write(src / "01-first.ipynb", [
        new_markdown_cell("# First notebook\n\nA bar chart of a synthetic wave.\n\nMore text."),
        new_code_cell(FIGURE),
        new_code_cell(TABLE),
        new_code_cell("open('written-here.csv', 'w').write('x\\n1\\n')"),
    ])
    out = src.parent / "report"
    lines = []
    index = polls.build_report(output_dir=out, notebooks_dir=src, workers=2,
                               progress=lines.append)
    return src, out, index, lines


def test_index_links_every_notebook_in_order_with_title_and_paragraph(built):
    src, out, index, _ = built
    assert index == out / "index.html"
    text = index.read_text()
    links = re.findall(r'<a href="([^"]+\.html)">([^<]+)</a>', text)
    assert links == [("01-first.html", "First notebook"), ("02-second.html", "Second notebook")]
    assert "A bar chart of a synthetic wave." in text
    assert "More text." not in text  # only the first paragraph
    assert "<strong>relative</strong>" in text  # markdown rendered
    assert f"polls {polls.__version__}" in text
    assert re.search(r"Built \d{4}-\d{2}-\d{2}", text)
    for name, _ in links:
        assert (out / name).is_file()


def test_pages_embed_figures_and_outputs(built):
    src, out, _, _ = built
    first = (out / "01-first.html").read_text()
    assert re.search(r'<img[^>]+src="data:image/png;base64,', first)
    second = (out / "02-second.html").read_text()
    assert "&#39;41&#39;" in second or "'41'" in second  # ran with notebooks_dir as cwd


def test_notebooks_on_disk_are_not_modified(built):
    src, _, _, _ = built
    nb = nbformat.read(src / "01-first.ipynb", as_version=4)
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None


def test_failing_notebook_named_with_cell(tmp_path):
    write(tmp_path / "01-broken.ipynb", [
        new_markdown_cell("# Broken"),
        new_code_cell("x = 1"),
        new_code_cell("raise ValueError('no such series')"),
    ])
    expected = r"01-broken\.ipynb, cell 3: ValueError: no such"
    with pytest.raises(NotebookError, match=expected) as info:
        polls.build_report(tmp_path / "out", tmp_path, workers=1)
    assert isinstance(info.value, PollsError)
    assert info.value.notebook == "01-broken.ipynb" and info.value.cell == 3
    assert not (tmp_path / "out" / "index.html").exists()


def test_empty_folder_and_bad_workers(tmp_path):
    with pytest.raises(InvalidArgumentError, match="no .ipynb"):
        polls.build_report(tmp_path / "out", tmp_path)
    with pytest.raises(InvalidArgumentError, match="workers"):
        polls.build_report(tmp_path / "out", tmp_path, workers=0)
    with pytest.raises(InvalidArgumentError, match="notebooks_dir"):
        polls.build_report(tmp_path / "out", tmp_path / "missing")


def test_notebook_summary_heading_without_paragraph_and_later_paragraph():
    nb = new_notebook(cells=[new_markdown_cell("## Title here"), new_code_cell("1"),
                             new_markdown_cell("First words.\n\nSecond.")])
    assert notebook_summary(nb) == ("Title here", "First words.")
    assert notebook_summary(new_notebook(cells=[new_code_cell("1")])) == ("", "")


def test_index_shows_main_figures_and_how_current_the_data_are(built):
    _, out, index, _ = built
    text = index.read_text()
    thumbs = re.findall(r'<img class="thumb" alt="" src="data:image/png;base64,([^"]+)"', text)
    assert len(thumbs) == 1  # the first notebook draws a figure, the second none
    from polls.report import latest_fieldwork

    latest = latest_fieldwork()
    assert latest == polls.list_datasets()["last_fieldwork"].max().date()
    assert f"The bundled data run to {latest:%d %B %Y}" in text
    assert f"last checked on {polls.data_as_of():%d %B %Y}" in text
    assert 'href="notebooks/01-first.ipynb"' in text


def test_missing_values_blank_and_wide_tables_scroll(built):
    _, out, _, _ = built
    page = (out / "01-first.html").read_text()
    table = page[page.index("<table"):page.index("</table>")]
    assert not re.search(r"<td>(NaN|NaT|&lt;NA&gt;|None)</td>", table)
    assert table.count("<td></td>") == 3
    assert "overflow-x: auto" in page


def test_notebooks_run_in_a_copy_inside_the_report(built):
    src, out, _, _ = built
    assert (out / "notebooks" / "written-here.csv").read_text() == "x\n1\n"
    assert not (src / "written-here.csv").exists()


def test_progress_line_per_notebook(built):
    *_, lines = built
    assert lines[0] == "Running 2 notebooks, 2 at a time ..."
    assert sorted(re.sub(r"\[\d/2\] ", "", line).split(":")[0] for line in lines[1:]) == [
        "01-first.ipynb", "02-second.ipynb"]
    assert all(re.fullmatch(r"\[[12]/2\] \S+\.ipynb: \d+\.\d s", line) for line in lines[1:])


def test_cli_report_prints_progress_and_no_kernel_warnings(tmp_path, capfd):
    from polls.cli import main

    write(tmp_path / "01-warns.ipynb", [
        new_markdown_cell("# Warns"),
        new_code_cell("import warnings; warnings.warn('careful')"),
    ])
    assert main(["report", "--output", str(tmp_path / "out"), "--notebooks", str(tmp_path),
                 "--workers", "1"]) == 0
    captured = capfd.readouterr()
    assert "[1/1] 01-warns.ipynb" in captured.out
    assert "warnings printed in cell 2" in captured.out  # a warning in an output is flagged
    assert "WARNING" not in captured.err and "encryption" not in captured.err, captured.err


def test_default_notebooks_are_the_shipped_ones_outside_a_checkout(tmp_path, monkeypatch):
    from polls.report import default_notebooks_dir

    monkeypatch.chdir(tmp_path)
    shipped = default_notebooks_dir()
    assert shipped.name == "notebooks" and (shipped / "01-russia-war-support.ipynb").is_file()
    (tmp_path / "notebooks").mkdir()
    write(tmp_path / "notebooks" / "01-mine.ipynb", [new_markdown_cell("# Mine")])
    assert default_notebooks_dir() == tmp_path.joinpath("notebooks").relative_to(tmp_path)


def test_kernel_imports_the_same_polls_as_the_caller(tmp_path):
    from polls.report import execute_notebook

    write(tmp_path / "where.ipynb", [new_code_cell("import polls; polls.__file__")])
    nb = execute_notebook(tmp_path / "where.ipynb")
    assert nb.cells[0].outputs[0]["data"]["text/plain"] == repr(polls.__file__)
