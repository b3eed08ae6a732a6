"""The layout of a long text file is told from its first records (synthetic files)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import polls


def _table(responses: int, titles: int = 0) -> str:
    lines = [f"Note {i},," for i in range(titles)]
    lines.append(",Mar-22,Apr-22")
    lines += [f"option {i},{i % 7},{(i + 3) % 7}" for i in range(responses)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("titles", [0, 1, 70])
def test_a_long_release_table_reads_as_a_table(titles):
    text = _table(100, titles)
    auto = polls.read_toplines(io.StringIO(text), scale="percent", validate=False)
    given = polls.read_toplines(io.StringIO(text), scale="percent", layout="table",
                                validate=False)
    assert auto.attrs["layout"] == "table"
    # 100 responses x 2 waves, less the cells holding 0 (a figure, so kept)
    assert len(auto) == 200
    pd.testing.assert_frame_equal(auto, given)


def test_a_long_file_of_many_rows_reads_as_long():
    lines = ["pollster,fieldwork_end,response,share"]
    lines += [f"synthetic,2022-{1 + i // 20:02d}-{1 + i % 20 // 2:02d},"
              f"{'yes' if i % 2 else 'no'},50" for i in range(100)]
    text = "\n".join(lines) + "\n"
    auto = polls.read_toplines(io.StringIO(text), scale="percent")
    given = polls.read_toplines(io.StringIO(text), scale="percent", layout="long")
    assert auto.attrs["layout"] == "long"
    assert len(auto) == 100
    pd.testing.assert_frame_equal(auto, given)
