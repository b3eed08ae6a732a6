"""validate_toplines from column codes agrees with pandas and with per-row checks (synthetic)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import polls
from polls.errors import SchemaError
from polls.schema import _group_codes, _unknown_flags, _validate


def test_group_codes_number_groups_as_groupby_ngroup():
    rng = np.random.default_rng(7)
    n = 500
    frame = pd.DataFrame({
        "pollster": pd.array(rng.choice(["a", "b", None], n), dtype="string"),
        "series": pd.array(rng.choice(["s1", "s2", "s3"], n), dtype="string"),
        "fieldwork_end": pd.to_datetime(rng.choice(["2022-01-01", "2022-02-01", None], n)),
        "question": pd.array([None] * n, dtype="string"),
        "response": pd.Categorical(rng.choice(["yes", "no"], n)),
    })
    cols = ["pollster", "series", "fieldwork_end", "question"]
    expected = frame.groupby(cols, dropna=False, observed=True, sort=False).ngroup()
    got = _group_codes(frame, cols)
    np.testing.assert_array_equal(got, expected.to_numpy())
    pairs = frame.groupby([*cols, "response"], dropna=False, observed=True, sort=False).ngroup()
    np.testing.assert_array_equal(_group_codes(frame, ["response"], got), pairs.to_numpy())


def test_unknown_flags_are_found_per_row_as_by_splitting_each_cell():
    rng = np.random.default_rng(11)
    cells = rng.choice(["secondary", "conflict;typo", "", "odd;secondary;odd", None], 300)
    flags = pd.Series(cells, dtype="string", index=np.arange(300) * 2)
    # the reference: every cell split on its own
    expected = [(idx, flag) for idx, val in flags.dropna().items()
                for flag in str(val).split(";") if flag and flag not in polls.schema.FLAGS]
    assert _unknown_flags(flags) == expected
    assert _unknown_flags(flags.astype(object)) == expected
    assert len(expected) > 0


def test_unknown_source_kinds_are_reported_for_categorical_and_text_columns():
    frame = pd.DataFrame({"response": ["yes", "no", "yes"], "share": [0.5, 0.5, 0.4],
                          "series": ["a", "a", "b"],
                          "source_kind": pd.Categorical(["media", "blog", None])})
    for kind in (frame["source_kind"], frame["source_kind"].astype(object)):
        with pytest.raises(SchemaError) as err:
            polls.validate_toplines(frame.assign(source_kind=kind))
        assert err.value.problems == [
            "index 1, column 'source_kind': 'blog' is not one of "
            "('pollster', 'compilation', 'media', 'user')"]


def test_duplicates_are_named_with_their_first_row():
    frame = pd.DataFrame({"pollster": ["a", "a", "a", "b"], "response": ["yes", "no", "yes", "yes"],
                          "share": [0.3, 0.4, 0.3, 0.5]})
    with pytest.raises(SchemaError) as err:
        polls.validate_toplines(frame)
    assert err.value.problems == ["index 2, column 'response': 'yes' duplicates index 0 "
                                  "(same pollster, response)"]


def test_a_finer_grouping_of_rows_gives_the_same_problems():
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame({
        "pollster": pd.array(rng.choice(["a", "b"], n), dtype="string"),
        "series": pd.array(rng.choice(["s1", "s2"], n), dtype="string"),
        "fieldwork_end": pd.to_datetime(rng.choice(["2022-01-31", "2022-02-28"], n)),
        "response": pd.Categorical(rng.choice(["yes", "no", "dk"], n)),
        "share": rng.choice([0.2, 0.3, 0.5], n),
        "source_url": pd.array(rng.choice(["u1", "u2", None], n), dtype="string"),
    })
    # finer than the waves: the wave columns but source_url, and a column of its own
    extra = rng.integers(0, 3, n)
    finer = (frame[["pollster", "series", "fieldwork_end"]].assign(extra=extra)
             .groupby(["pollster", "series", "fieldwork_end", "extra"], sort=False).ngroup())
    with pytest.raises(SchemaError) as plain:
        polls.validate_toplines(frame)
    with pytest.raises(SchemaError) as hinted:
        _validate(frame, finer=finer.to_numpy())
    assert len(plain.value.problems) > 10
    assert hinted.value.problems == plain.value.problems
