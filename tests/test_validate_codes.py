"""Waves told apart from column codes agree with pandas' groupby (synthetic frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from polls.schema import _group_codes


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
