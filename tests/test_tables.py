"""Display tables: percent_table and wide_table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import polls


def test_percent_table_converts_share_columns_only_and_leaves_the_input_alone():
    df = polls.with_ci(polls.load_dataset("crta-eu-referendum"), missing_n="keep")
    shown = polls.percent_table(df)
    assert shown["share"].tolist() == (df["share"] * 100).round(1).tolist()
    np.testing.assert_allclose(shown["ci_low"], (df["ci_low"] * 100).round(1))
    assert shown["sample_size"].equals(df["sample_size"])
    assert df["share"].max() <= 1  # the input is unchanged
    two = polls.percent_table(df, ["share"], decimals=0)
    assert two["ci_low"].equals(df["ci_low"])
    with pytest.raises(polls.InvalidArgumentError, match="not in data"):
        polls.percent_table(df, ["shares"])


def test_wide_table_numbers_and_text_agree_with_the_frame():
    df = polls.load_dataset("fom-putin-job-rating", undated="drop")
    text = polls.wide_table(df)
    num = polls.wide_table(df, values="number")
    assert list(text.columns) == ["n", *[c for c in df["response"].cat.categories
                                         if c in set(df["response"].astype(str))]]
    first = df.iloc[0]
    label = text.index[0]
    assert float(text.loc[label, str(first["response"])]) == pytest.approx(first["share"] * 100)
    assert num.loc[label, str(first["response"])] == pytest.approx(first["share"] * 100)
    assert len(text) == df.groupby(["fieldwork_start", "fieldwork_end"], dropna=False).ngroups


def test_wide_table_refuses_to_merge_disagreeing_numbers():
    every = polls.load_dataset("levada-war-support", conflicts="all")
    with pytest.raises(polls.InvalidArgumentError, match="several figures"):
        polls.wide_table(every, values="number")
    with pytest.raises(polls.InvalidArgumentError, match="toplines column"):
        polls.wide_table(pd.DataFrame({"share": [0.5]}))
