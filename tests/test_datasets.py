"""The bundled datasets: catalogue, schema, provenance and faithfulness to the curated sources."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import polls
from polls.schema import COLUMNS, DTYPES

ROOT = Path(__file__).resolve().parents[1]
# the curated source material, kept in the repository (imported by scripts/import_curated.py)
CURATED = ROOT / "data" / "curated"
NAMES = list(polls.list_datasets()["name"])


@pytest.fixture(scope="module")
def source_rows() -> pd.DataFrame:
    frames = [pd.read_csv(CURATED / "toplines" / f, dtype=str, keep_default_na=False)
              for f in ("russia.csv", "serbia.csv")]
    return pd.concat(frames, ignore_index=True).set_index("row_id")


def test_catalogue_columns_and_types():
    cat = polls.list_datasets()
    assert list(cat.columns) == ["name", "origin", "pollster", "country", "title",
                                 "first_fieldwork", "last_fieldwork", "data_as_of", "n_waves",
                                 "n_rows", "source_kinds", "row_flags"]
    assert set(cat["origin"]) == {"bundled"}
    assert (cat["data_as_of"] == pd.Timestamp("2026-12-04")).all()
    assert cat["name"].is_unique
    assert set(cat["country"]) == {"RU", "RS"}
    assert pd.api.types.is_datetime64_any_dtype(cat["first_fieldwork"])
    assert (cat["n_rows"] >= cat["n_waves"]).all()
    dated = cat["first_fieldwork"].notna()
    assert (cat.loc[dated, "first_fieldwork"] <= cat.loc[dated, "last_fieldwork"]).all()
    assert cat["last_fieldwork"].notna().equals(dated)


def test_catalogue_lists_every_series_of_both_files(source_rows):
    assert set(NAMES) == set(source_rows["series"])
    counts = source_rows.groupby("series").size()
    cat = polls.list_datasets().set_index("name")
    assert (cat["n_rows"] == counts.reindex(cat.index)).all()


@pytest.mark.parametrize("name", NAMES)
def test_every_dataset_has_the_canonical_schema_and_validates(name):
    df = polls.load_dataset(name)
    assert tuple(df.columns) == COLUMNS
    for col, dtype in DTYPES.items():
        if col == "source_kind":
            assert list(df[col].cat.categories) == list(polls.SOURCE_KINDS)
            assert df[col].notna().all() and not df[col].isin(["user"]).any()
        elif dtype == "category":
            assert isinstance(df[col].dtype, pd.CategoricalDtype) and df[col].cat.ordered
        else:
            assert str(df[col].dtype) == dtype, col
    info = polls.dataset_info(name)
    assert list(df["response"].cat.categories) == list(info.response_order)
    assert df["share"].between(0, 1).all()
    assert df["source_url"].notna().all() and df["source_url"].str.startswith("http").all()
    assert set(df["precision"].unique()) <= {0.01, 0.001, 0.0001}
    assert polls.validate_toplines(df) is df
    assert df.attrs["dataset"] == name


def test_every_shipped_figure_equals_its_source_row(source_rows):
    checked = 0
    for name in NAMES:
        df = polls.load_dataset(name, conflicts="all")
        src = source_rows.loc[df["row_id"].to_numpy()]
        # share: the published percentage, as a proportion; the rounding step from its decimals
        np.testing.assert_allclose(df["share"].to_numpy() * 100, src["share"].astype(float),
                                   rtol=0, atol=1e-9)
        decimals = src["share"].str.extract(r"\.(\d+)$")[0].str.len().fillna(0)
        np.testing.assert_allclose(df["precision"].to_numpy(), 10.0 ** -decimals / 100)
        assert (df["response"].astype(str).to_numpy() == src["response"].to_numpy()).all()
        assert (df["source_url"].to_numpy() == src["source_url"].to_numpy()).all()
        assert (df["source_kind"].astype(str).to_numpy() == src["source_kind"].to_numpy()).all()
        # the curated flags, plus 'wave_days' where a month-only row shows its wave's days
        flags = df["row_flags"].fillna("").str.split(";")
        placed = flags.apply(lambda f: "wave_days" in f).to_numpy()
        kept = flags.apply(lambda f: ";".join(x for x in f if x != "wave_days"))
        assert (kept.to_numpy() == src["flags"].to_numpy()).all()
        assert (src["fieldwork_start"].str.len()[placed] == 7).all()
        assert (df["question"].to_numpy() == src["question"].to_numpy()).all()
        n = pd.to_numeric(src["sample_size"].replace("", None)).astype("Int64")
        assert (df["sample_size"].fillna(-1).to_numpy() == n.fillna(-1).to_numpy()).all()
        # dates: the printed text is recovered from the datetime and its precision
        start_txt = src["fieldwork_start"].to_numpy()
        got_start = np.where(
            pd.Series(start_txt).str.len() == 7,
            df["fieldwork_start"].dt.strftime("%Y-%m").fillna(""),
            df["fieldwork_start"].dt.strftime("%Y-%m-%d").fillna(""))
        assert (got_start == start_txt).all(), name
        end_txt = src["fieldwork_end"].to_numpy()
        has_end = end_txt != ""
        got_end = np.where(pd.Series(end_txt).str.len() == 7,
                           df["fieldwork_end"].dt.strftime("%Y-%m").fillna(""),
                           df["fieldwork_end"].dt.strftime("%Y-%m-%d").fillna(""))
        assert (got_end[has_end] == end_txt[has_end]).all(), name
        checked += len(df)
    assert checked == len(source_rows)


def test_month_only_dates_span_their_month_and_day_dates_are_kept():
    df = polls.load_dataset("levada-war-support", conflicts="all")
    row = df[df["row_id"] == "L0001"].iloc[0]  # published as 2022-03 .. 2022-03
    assert row["fieldwork_start"] == pd.Timestamp("2022-03-01")
    assert row["fieldwork_end"] == pd.Timestamp("2022-03-31")
    assert row["date_precision"] == "month"
    row = df[df["row_id"] == "L0009"].iloc[0]  # published as 2022-04-21 .. 2022-04-27
    assert (row["fieldwork_start"], row["fieldwork_end"]) == (pd.Timestamp("2022-04-21"),
                                                              pd.Timestamp("2022-04-27"))
    assert row["date_precision"] == "day"


def test_undated_rows_are_kept_by_default_and_counted_when_dropped():
    kept = polls.load_dataset("levada-putin-approval")
    undated = kept["fieldwork_end"].isna()
    assert undated.any()
    assert (kept.loc[undated, "date_precision"].isin(["published"])
            | kept.loc[undated, "date_precision"].isna()).all()
    dropped = polls.load_dataset("levada-putin-approval", undated="drop")
    assert len(dropped) == len(kept) - undated.sum()
    assert dropped.attrs["dropped_undated"] == undated.sum()


def test_conflicts_prefer_the_pollsters_own_release_and_keep_the_others_reachable():
    # March 2022 'definitely support': 53 on levada.ru, 52 in two secondary relays.
    all_rows = polls.load_dataset("levada-war-support", conflicts="all")
    march = all_rows[(all_rows["fieldwork_end"] == "2022-03-31")
                     & (all_rows["response"] == "definitely support")]
    assert sorted(march["share"].round(2)) == [0.52, 0.52, 0.53]
    chosen = march[march["preferred"]]
    assert len(chosen) == 1 and chosen["source_url"].iloc[0].startswith("https://levada.ru/")
    preferred = polls.load_dataset("levada-war-support")
    assert len(preferred) == all_rows["preferred"].sum()
    info = polls.dataset_info("levada-war-support")
    entry = next(c for c in info.conflicts if c["preferred_row"] == chosen["row_id"].iloc[0])
    assert {a["row_id"] for a in entry["alternatives"]} == set(march["row_id"]) - {
        chosen["row_id"].iloc[0]}


@pytest.mark.parametrize("name", NAMES)
def test_one_preferred_row_per_wave_and_response(name):
    df = polls.load_dataset(name)
    dated = df[df["fieldwork_end"].notna()]
    key = ["question", "fieldwork_start", "fieldwork_end", "response"]
    dups = dated[dated.duplicated(key, keep=False)]
    # Rows left duplicated must come from sources that could not be matched as one wave
    # (different publication or address), never two rows of one source.
    assert not dups.duplicated([*key, "source_url"]).any()


def test_unknown_name_lists_close_matches():
    with pytest.raises(polls.UnknownDatasetError, match="levada-war-support") as err:
        polls.load_dataset("levada-war-suport")
    assert isinstance(err.value, KeyError)
    with pytest.raises(KeyError, match="list_datasets"):
        polls.dataset_info("no-such-thing")


def test_bad_options_are_named():
    with pytest.raises(polls.InvalidArgumentError, match="conflicts"):
        polls.load_dataset("levada-war-support", conflicts="newest")


def test_dataset_info_and_citation():
    info = polls.dataset_info("levada-putin-approval")
    assert info.pollster == "levada" and info.pollster_name == "Levada Center"
    assert info.usual_sample_size == 1600
    assert any("Prime Minister" in c for c in info.caveats)
    assert any("telephone" in c for c in info.caveats)
    cite = info.citation()
    assert "Levada Center" in cite and "levada-putin-approval" in cite
    assert info.to_dict()["name"] == "levada-putin-approval"
    assert all(s["url"].startswith("http") for s in info.sources)
    assert "caveat" in str(info)
    fom = polls.dataset_info("fom-putin-job-rating")
    assert any("not Levada's 'approve'" in c for c in fom.caveats)


def test_nets_and_multiple_response_metadata():
    assert "support (total)" in polls.dataset_info("levada-war-support").net_responses
    assert polls.dataset_info("levada-mobilization-feelings").multiple_response
    df = polls.load_dataset("levada-war-support")
    assert df.attrs["net_responses"] == list(polls.dataset_info("levada-war-support")
                                             .net_responses)


def test_stated_margins_equal_the_source_table():
    src = pd.read_csv(CURATED / "design" / "levada_sampling_error.csv")
    got = polls.stated_margins("levada")
    merged = got.assign(level=(got["share_level"] * 100).round(6)).merge(
        src.assign(level=src["share_level"].astype(float)), on="level")
    assert len(merged) == len(src) == 7
    np.testing.assert_allclose(merged["max_error"] * 100, merged["max_error_pct"], atol=1e-12)
    assert (merged["source_url_x"] == merged["source_url_y"]).all()


def test_every_metadata_file_is_complete():
    data = ROOT / "src" / "polls" / "datasets" / "data"
    for name in NAMES:
        meta = json.loads((data / f"{name}.json").read_text(encoding="utf-8"))
        assert meta["title"] and meta["question"] and meta["response_order"]
        assert meta["sources"], name
        rows = sum(len(s["rows"]) for s in meta["sources"])
        assert rows == meta["n_rows"]


def test_build_script_reproduces_the_committed_files():
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_datasets.py"), "--check",
                          "--source", str(CURATED)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_several_datasets_stack_with_the_union_of_responses_and_per_series_attrs():
    names = ["levada-war-support", "levada-mobilization-feelings", "crta-eu-referendum"]
    both = polls.load_dataset(names)
    parts = [polls.load_dataset(n) for n in names]
    assert len(both) == sum(len(p) for p in parts)
    assert list(both["response"].cat.categories[:7]) == list(
        parts[0]["response"].cat.categories)
    assert both.attrs["usual_sample_size"] == {"levada-war-support": 1600,
                                               "levada-mobilization-feelings": 1600}
    assert both.attrs["multiple_response"] == ["levada-mobilization-feelings"]
    assert polls.validate_toplines(both) is both
    # the per-series usual size serves rows without a stated size; Crta's rows keep their own
    ci = polls.with_ci(both, missing_n="keep")
    levada = ci["series"] == "levada-war-support"
    assert (ci.loc[levada & ci["sample_size"].isna(), "n_eff"] == 1600).all()
    crta = ci[ci["series"] == "crta-eu-referendum"]
    assert set(crta["n_source"]) <= {"stated", "missing"}
    with pytest.raises(polls.InvalidArgumentError, match="twice"):
        polls.load_dataset(["crta-eu-referendum", "crta-eu-referendum"])


# The preference rule, written out here (not taken from the package) so each documented choice is
# checked against an independent statement of it.
KIND_ORDER = ["pollster", "compilation", "media"]


@pytest.mark.parametrize("name", NAMES)
def test_every_set_aside_row_is_documented_with_its_preferred_row_and_reason(name):
    """Every row left out by conflicts='prefer' is listed as an alternative of a documented
    choice; the choice follows the stated rule: with different figures the most direct source
    (pollster, then compilation, then media), with equal figures the day-dated row."""
    every = polls.load_dataset(name, conflicts="all")
    info = polls.dataset_info(name)
    by_id = every.set_index("row_id")
    listed = []
    for entry in info.conflicts:
        best = by_id.loc[entry["preferred_row"]]
        assert bool(best["preferred"]) and entry["reason"]
        assert f"{best['share'] * 100:.6g}" == f"{float(entry['preferred_share']):.6g}"
        alts = [a["row_id"] for a in entry["alternatives"]]
        listed += alts
        group = by_id.loc[[entry["preferred_row"], *alts]]
        assert not group.loc[alts, "preferred"].any()
        assert (group["response"] == best["response"]).all()
        assert group["fieldwork_end"].nunique(dropna=False) == 1  # one wave
        tier = group["source_kind"].astype(str).map(KIND_ORDER.index)
        day = group["date_precision"].eq("day") & ~group["row_flags"].fillna("").str.contains(
            "wave_days")
        if group["share"].nunique() == 1:
            assert entry["values_differ"] is False
            if day.any():
                assert day[entry["preferred_row"]], entry
        else:
            assert tier[entry["preferred_row"]] == tier.min(), entry
    set_aside = set(every.loc[~every["preferred"], "row_id"])
    assert set(listed) == set_aside
    assert len(polls.load_dataset(name)) == len(every) - len(set_aside)


def test_conflicts_that_cannot_be_matched_stay_in_the_default_load_and_are_listed():
    # An undated relay of an IRI figure (40) conflicts with the dated 39 for May-June 2025; the
    # two cannot be matched as one wave, so both stay, and the metadata says so.
    df = polls.load_dataset("iri-eu-referendum")
    assert {"S0294", "S0370"} <= set(df["row_id"])
    info = polls.dataset_info("iri-eu-referendum")
    assert {u["row_id"] for u in info.unmatched_conflicts} == {"S0294", "S0370"}
    assert any("could not be matched" in c for c in info.caveats)
