"""Tests for polls.validate_toplines and the schema helpers (synthetic frames)."""

from __future__ import annotations

import pandas as pd
import pytest

import polls
from polls.errors import InvalidArgumentError, SchemaError
from polls.schema import COLUMNS, coerce_dtypes, empty_toplines


def valid_frame() -> pd.DataFrame:
    """Two synthetic waves of one question, as a file reader would return them."""
    frame = pd.DataFrame({
        "pollster": ["levada"] * 3 + ["levada"] * 3,
        "series": ["s"] * 6,
        "fieldwork_start": pd.to_datetime(["2022-03-24"] * 3 + ["2022-04-21"] * 3),
        "fieldwork_end": pd.to_datetime(["2022-03-30"] * 3 + ["2022-04-27"] * 3),
        "sample_size": pd.array([1600] * 6, dtype="Int64"),
        "response": ["yes", "no", "hard to say"] * 2,
        "share": [0.53, 0.33, 0.15, 0.50, 0.40, 0.10],  # the first sums to 1.01: rounding
        "precision": [0.01] * 6,
        "_source_row": [2, 3, 4, 5, 6, 7],
    })
    return coerce_dtypes(frame)


def problems_of(frame: pd.DataFrame, **kwargs) -> list[str]:
    with pytest.raises(SchemaError) as err:
        polls.validate_toplines(frame, source="synthetic.csv", **kwargs)
    assert err.value.source == "synthetic.csv"
    assert "synthetic.csv" in str(err.value)
    return err.value.problems


def test_valid_frame_passes_unchanged():
    frame = valid_frame()
    before = frame.copy()
    assert polls.validate_toplines(frame, source="synthetic.csv") is frame
    pd.testing.assert_frame_equal(frame, before)


def test_empty_canonical_frame_passes():
    frame = empty_toplines()
    assert list(frame.columns) == list(COLUMNS)
    assert polls.validate_toplines(frame) is frame


def test_share_outside_unit_interval():
    frame = valid_frame()
    frame.loc[1, "share"] = 33.0
    frame.loc[4, "share"] = -0.1
    found = problems_of(frame)
    assert ("file synthetic.csv, row 3, column 'share': 33.0 is outside [0, 1] (shares are "
            "proportions)") in found
    assert any(p.startswith("file synthetic.csv, row 6, column 'share': -0.1 is outside")
               for p in found)


def test_share_not_a_number_and_missing():
    frame = valid_frame().astype({"share": object})
    frame.loc[0, "share"] = "abc"
    frame.loc[1, "share"] = None
    found = problems_of(frame)
    assert "file synthetic.csv, row 2, column 'share': not a number: 'abc'" in found
    assert any(p.startswith("file synthetic.csv, row 3, column 'share': missing value")
               for p in found)


def test_wave_summing_past_one():
    frame = valid_frame()
    frame.loc[5, "share"] = 0.2  # 0.5 + 0.4 + 0.2 = 1.1 > 1 + 3 * 0.005
    found = problems_of(frame)
    assert len(found) == 1
    assert found[0].startswith("file synthetic.csv, row 5, column 'share': shares of the wave")
    assert "sum to 1.1" in found[0] and "2022-04-21" in found[0]


def test_multiple_response_and_nets_are_allowed_to_sum_past_one():
    frame = valid_frame()
    frame.loc[5, "share"] = 0.9
    assert polls.validate_toplines(frame, multiple_response=True) is frame
    assert polls.validate_toplines(frame, multiple_response=["s"]) is frame
    assert polls.validate_toplines(frame, net_responses=["hard to say"]) is frame
    frame.attrs["multiple_response"] = True
    assert polls.validate_toplines(frame) is frame


def test_rounding_slack_counts_only_the_responses_that_are_summed():
    # synthetic wave: "yes" 0.53 and "no" 0.49 rounded to whole percents, plus three published
    # nets. Hand bound: two rounded shares can exceed their true total (at most 1) by at most
    # 2 * 0.01 / 2 = 0.01, so a sum of 1.02 is impossible; the nets do not widen that slack.
    frame = coerce_dtypes(pd.DataFrame({
        "series": ["s"] * 5,
        "fieldwork_start": pd.to_datetime(["2022-03-24"] * 5),
        "fieldwork_end": pd.to_datetime(["2022-03-30"] * 5),
        "response": ["yes", "no", "net a", "net b", "net c"],
        "share": [0.53, 0.49, 0.9, 0.9, 0.9],
        "precision": [0.01] * 5,
    }))
    nets = ["net a", "net b", "net c"]
    with pytest.raises(SchemaError, match="sum to 1.02"):
        polls.validate_toplines(frame, net_responses=nets)
    frame.loc[1, "share"] = 0.48  # 1.01: within the slack of two rounded shares
    assert polls.validate_toplines(frame, net_responses=nets) is frame


def test_end_before_start():
    frame = valid_frame()
    frame.loc[0, "fieldwork_end"] = pd.Timestamp("2022-03-01")
    found = problems_of(frame)
    assert ("file synthetic.csv, row 2, column 'fieldwork_end': 2022-03-01 is before "
            "fieldwork_start 2022-03-24") in found


def test_fieldwork_longer_than_a_year():
    frame = valid_frame()
    frame.loc[3:5, "fieldwork_start"] = pd.Timestamp("2021-04-21")
    found = problems_of(frame)
    assert len(found) == 3
    assert found[0] == ("file synthetic.csv, row 5, column 'fieldwork_end': fieldwork 2021-04-21 "
                        "to 2022-04-27 spans 371 days (more than a year: a typo?)")


@pytest.mark.parametrize("n", [0, -5])
def test_non_positive_sample_size(n):
    frame = valid_frame()
    frame.loc[2, "sample_size"] = n
    found = problems_of(frame)
    assert found == [f"file synthetic.csv, row 4, column 'sample_size': {n} is not "
                     "positive"]


def test_duplicate_rows_name_the_earlier_row():
    frame = valid_frame()
    frame = pd.concat([frame, frame.iloc[[1]].assign(_source_row=8)], ignore_index=True)
    found = problems_of(frame)
    dup = [p for p in found if "duplicates" in p]
    assert dup == [
        "file synthetic.csv, row 8, column 'response': 'no' duplicates row 3 (same pollster, "
        "series, fieldwork_start, fieldwork_end, response)"]


def test_unknown_columns():
    frame = valid_frame().assign(curation_note="x")
    found = problems_of(frame)
    assert found[0].startswith("unknown column(s) ['curation_note']")


def test_missing_required_columns():
    found = problems_of(valid_frame().drop(columns="share"))
    assert found == ["missing required column(s) ['share']"]


def test_bad_flags_precision_and_date_precision():
    frame = valid_frame().assign(row_flags=None, date_precision="day")
    frame.loc[0, "row_flags"] = "secondary;made_up"
    frame.loc[1, "precision"] = 1.0
    frame.loc[2, "date_precision"] = "week"
    found = problems_of(frame)
    assert any("row 2, column 'row_flags': unknown flag 'made_up'" in p for p in found)
    assert any("row 3, column 'precision': 1.0 is not a rounding step" in p for p in found)
    assert any("row 4, column 'date_precision': 'week'" in p for p in found)


def test_several_problems_reported_together():
    frame = valid_frame()
    frame.loc[0, "share"] = 1.5
    frame.loc[3, "fieldwork_end"] = pd.Timestamp("2022-04-01")
    frame.loc[4, "sample_size"] = 0
    frame = frame.assign(extra=1)
    with pytest.raises(SchemaError) as err:
        polls.validate_toplines(frame, source="synthetic.csv")
    found = err.value.problems
    assert len(found) >= 4
    text = str(err.value)
    assert text.startswith(f"{len(found)} problem(s) in synthetic.csv:")
    for part in ("unknown column(s) ['extra']", "row 2, column 'share': 1.5",
                 "row 5, column 'fieldwork_end'", "row 6, column 'sample_size'"):
        assert part in text


def test_without_source_rows_the_index_is_named():
    frame = valid_frame().drop(columns="_source_row")
    frame.loc[1, "share"] = 2.0
    with pytest.raises(SchemaError, match=r"index 1, column 'share': 2.0"):
        polls.validate_toplines(frame)


def test_not_a_frame():
    with pytest.raises(InvalidArgumentError, match="DataFrame"):
        polls.validate_toplines([1, 2])


def test_no_canonical_column_shadows_a_pandas_property():
    # df.<name> must give the column for every canonical column that is not a method name
    # ('mode' is DataFrame.mode(), a method: df["mode"] is the column)
    frame = empty_toplines()
    shadowing = [c for c in COLUMNS if hasattr(pd.DataFrame, c)
                 and not callable(getattr(pd.DataFrame, c))]
    assert shadowing == []
    assert "row_flags" in COLUMNS and "flags" not in COLUMNS
    assert isinstance(frame.flags, pd.Flags)  # pandas' own attribute stays reachable


def test_every_flag_and_source_kind_is_explained():
    assert set(polls.FLAGS) == {"secondary", "conflict", "date_or_detail_inferred", "end_only",
                                "undated", "wave_days", "below_precision"}
    assert set(polls.SOURCE_KINDS) == {"pollster", "compilation", "media", "user"}
    for meaning in (*polls.FLAGS.values(), *polls.SOURCE_KINDS.values()):
        assert isinstance(meaning, str) and len(meaning) > 20


def test_source_kind_is_a_category_and_unknown_kinds_are_reported_not_lost():
    frame = valid_frame().assign(source_kind=["pollster", "media", "blog", None, "user", "media"])
    frame = coerce_dtypes(frame)
    assert isinstance(frame["source_kind"].dtype, pd.CategoricalDtype)
    assert list(frame["source_kind"].cat.categories)[:4] == ["pollster", "compilation", "media",
                                                             "user"]
    assert frame["source_kind"].iloc[2] == "blog"  # kept for the report below, not set missing
    found = problems_of(frame)
    assert found == ["file synthetic.csv, row 4, column 'source_kind': 'blog' is not one of "
                     "('pollster', 'compilation', 'media', 'user')"]


def test_a_share_printed_below_the_precision_is_a_row_without_a_share():
    frame = pd.DataFrame({"response": ["yes", "no", "other"], "share": [0.55, 0.45, None],
                          "row_flags": [None, None, "below_precision"]})
    polls.validate_toplines(frame)  # the flagged row may lack its share
    unflagged = frame.assign(row_flags=None)
    with pytest.raises(polls.SchemaError, match="index 2, column 'share': missing value"):
        polls.validate_toplines(unflagged)
