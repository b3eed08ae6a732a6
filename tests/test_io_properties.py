"""Property-based tests of the readers (hypothesis, derandomized so every run draws the same
examples): write-then-read gives the frame back, whatever the labels hold; a share read from a
file equals the figure as printed; every cell of a wide table is a row or counted as not
published. All frames and files are synthetic."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from decimal import Decimal

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import polls
from polls.schema import COLUMNS, coerce_dtypes

SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

# any text a label may hold: spaces at either end, CR and LF, quotes, separators, the words
# that mean "not published" in users' files, numbers, other scripts; not NUL, and not the empty
# text (a CSV cell cannot tell "" from missing)
label = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00",
                                       exclude_categories=("Cs",)), min_size=1, max_size=10)
label = st.one_of(label, st.sampled_from([" yes ", "N/A", "-", "nan", "a\rb", "c\r\nd", "1e5",
                                          "01", 'say "no"', "x,y", "\t", "да", "Teško"]))


@st.composite
def toplines(draw):
    labels = draw(st.lists(label, min_size=1, max_size=4, unique=True))
    rows = []
    for w in range(draw(st.integers(1, 3))):
        start = dt.date(1700, 1, 1) + dt.timedelta(days=draw(st.integers(0, 180_000)))
        chosen = draw(st.lists(st.sampled_from(labels), min_size=1, max_size=len(labels),
                               unique=True))
        weights = draw(st.lists(st.floats(0, 1), min_size=len(chosen), max_size=len(chosen)))
        total = max(sum(weights), 1.0)
        meta = {"pollster": draw(label), "series": f"series-{w}",
                "question": draw(st.one_of(st.none(), label)),
                "fieldwork_start": start,
                "fieldwork_end": start + dt.timedelta(days=draw(st.integers(0, 40))),
                "date_precision": draw(st.sampled_from(["day", "month"])),
                "sample_size": draw(st.one_of(st.none(), st.integers(1, 10**12))),
                "note": draw(st.one_of(st.none(), label))}
        rows += [{**meta, "response": r, "share": x / total} for r, x in
                 zip(chosen, weights, strict=True)]
    frame = pd.DataFrame(rows)
    frame["fieldwork_start"] = pd.to_datetime(frame["fieldwork_start"])
    frame["fieldwork_end"] = pd.to_datetime(frame["fieldwork_end"])
    frame["sample_size"] = pd.array(frame["sample_size"], dtype="Int64")
    frame["response"] = pd.Categorical(frame["response"], categories=labels, ordered=True)
    return frame


@settings(SETTINGS, max_examples=12)
@given(frame=toplines())
def test_write_then_read_returns_the_same_frame(tmp_path, frame):
    expected = coerce_dtypes(frame.reindex(columns=[*COLUMNS, "note"]))
    path = polls.write_toplines(frame, tmp_path / "synthetic-prop.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = polls.read_toplines(path)
    pd.testing.assert_frame_equal(back, expected)


# a figure as a pollster prints it: a whole percent or with decimals, a decimal point or comma,
# with or without a % sign and spaces
@st.composite
def printed_percents(draw):
    whole = draw(st.integers(0, 100))
    decimals = draw(st.integers(0, 3)) if whole < 100 else 0
    digits = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=decimals,
                                   max_size=decimals)))
    mark = draw(st.sampled_from([".", ","]))
    number = f"{whole}{mark}{digits}" if decimals else str(whole)
    return number, draw(st.sampled_from(["", "%", " %", "\u00a0%"]))


@SETTINGS
@given(figures=st.lists(printed_percents(), min_size=1, max_size=6),
       layout=st.sampled_from(["long", "wide"]), sep=st.sampled_from([";", "\t", "|"]))
def test_a_parsed_share_equals_the_printed_figure(figures, layout, sep):
    names = [f"option {i}" for i in range(len(figures))]
    cells = [number + sign for number, sign in figures]
    if layout == "long":
        text = f"response{sep}share\n" + "".join(
            f"{n}{sep}{c}\n" for n, c in zip(names, cells, strict=True))
    else:
        text = sep.join(["pollster", *names]) + "\n" + sep.join(["synthetic", *cells]) + "\n"
    df = polls.read_toplines(io.StringIO(text), scale="percent", layout=layout, validate=False)
    printed = [Decimal(number.replace(",", ".")) for number, _ in figures]
    assert list(df["share"]) == [float(p / 100) for p in printed]
    places = max(-p.as_tuple().exponent for p in printed)
    assert (df["precision"] == float(Decimal(1).scaleb(-places - 2))).all()


@SETTINGS
@given(grid=st.lists(st.lists(st.sampled_from(["12", "N/A", "", "-", "3.5", "not published"]),
                              min_size=3, max_size=3), min_size=1, max_size=5))
def test_every_cell_of_a_wide_table_is_a_row_or_counted_as_not_published(grid):
    text = "pollster,A,B,C\n" + "".join(
        f"poll {i}," + ",".join(row) + "\n" for i, row in enumerate(grid))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = polls.read_toplines(io.StringIO(text), scale="percent", layout="wide",
                                 validate=False)
    assert len(df) + df.attrs["not_published"] == 3 * len(grid)
    empty = [i + 2 for i, row in enumerate(grid)
             if all(c in ("N/A", "", "-", "not published") for c in row)]
    assert df.attrs["skipped_rows"] == empty
