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


@pytest.mark.parametrize("conflicts", ["prefer", "all"])
def test_wide_table_renders_every_bundled_dataset(conflicts):
    for name in polls.list_datasets()["name"]:
        df = polls.load_dataset(name, conflicts=conflicts)
        table = polls.wide_table(df)
        assert len(table) >= 1 and "n" in table.columns, name


def test_wide_table_keeps_undated_figures_apart_by_source():
    # shared/data/toplines/serbia.csv: S0075 53 (worldstockmarket) and S0076 56 (24ur) for
    # the 13-22 June 2022 wave; S0077 58 and S0078 33 from serbianmonitor, with no date at all
    table = polls.wide_table(polls.load_dataset("demostat-align-eu-foreign-policy",
                                                conflicts="all"))
    assert table.loc["2022-06-13..22", "should not align"] == "53 / 56"
    assert table.loc["undated (serbianmonitor.com)", ["should not align", "should align"]
                     ].tolist() == ["58", "33"]


def test_wide_table_with_a_start_day_and_no_end():
    df = pd.DataFrame({"fieldwork_start": pd.to_datetime(["2022-05-02"] * 2),
                       "fieldwork_end": pd.to_datetime([None, None]),
                       "date_precision": ["day", "day"], "published": pd.to_datetime([None] * 2),
                       "sample_size": pd.array([None, None], dtype="Int64"),
                       "response": ["yes", "no"], "share": [0.52, 0.48],
                       "precision": [0.01, 0.01]})  # synthetic
    table = polls.wide_table(df)
    assert table.loc["2022-05-02..", ["yes", "no"]].tolist() == ["52", "48"]


def test_percent_table_in_russian_and_serbian_cyrillic():
    df = pd.DataFrame({"response": ["support (total)", "no such label"],
                       "share": [0.7634, np.nan], "n": [1600, 1600]})
    ru = polls.percent_table(df, lang="ru")
    assert ru["response"].tolist() == ["поддерживают (всего)", "no such label"]
    assert ru["share"].tolist() == ["76,3", ""]  # decimal comma, missing as a blank
    assert "переведены" in ru.attrs["note"]
    sr = polls.percent_table(df, lang="sr-Cyrl", decimals=0)
    assert sr["response"].tolist()[0] == "подржавају (укупно)"
    assert sr["share"].tolist() == ["76", ""]
    assert polls.percent_table(df).attrs["note"] == ""
