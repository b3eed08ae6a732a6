"""The catalogue: one row per wave, how current it is, search, adding waves, user datasets."""

from __future__ import annotations

import datetime as dt
import json
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import polls
from polls.cli import main
from polls.datasets._waves import rank

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC_URL = "https://example.org/synthetic-release"


def new_rows(**columns) -> pd.DataFrame:
    """Synthetic new rows for levada-war-support (figures invented for the tests)."""
    base = {"fieldwork_start": "2026-03-19", "fieldwork_end": "2026-03-25",
            "response": ["support (total)", "do not support (total)"], "share": [0.74, 0.18],
            "sample_size": 1600, "source_url": SYNTHETIC_URL}
    base.update(columns)
    return pd.DataFrame(base)


# --- one row per wave -------------------------------------------------------------------------

def test_a_month_only_row_joins_the_day_dated_wave_of_its_month():
    # August 2022: euromaidanpress prints 'definitely do not support' 9 for "2022-08" (L0011);
    # censor.net dates the same wave 25-31 August (L0013-L0016)
    df = polls.load_dataset("levada-war-support")
    row = df[df["row_id"] == "L0011"].iloc[0]
    assert (row["fieldwork_start"], row["fieldwork_end"]) == (pd.Timestamp("2022-08-25"),
                                                              pd.Timestamp("2022-08-31"))
    assert row["date_precision"] == "day"
    assert row["row_flags"].split(";") == ["secondary", "wave_days"]
    table = polls.wide_table(df)
    august = [w for w in table.index if w.startswith("2022-08")]
    assert august == ["2022-08-25..31"]
    assert table.loc["2022-08-25..31", "definitely do not support"] == "9"
    assert table.loc["2022-08-25..31", "support (total)"] == "76"


def test_different_figures_of_one_wave_form_a_conflict_group_reachable_with_all():
    # September 2023 'support (total)': 72 on levada.ru (month only), 73 in two relays
    every = polls.load_dataset("levada-war-support", conflicts="all")
    sept = every[(every["fieldwork_end"] == "2023-09-27")
                 & (every["response"] == "support (total)")]
    assert sorted(sept["row_id"]) == ["L0061", "L0062", "L0064"]
    assert sept.loc[sept["preferred"], "row_id"].tolist() == ["L0061"]
    entry = next(c for c in polls.dataset_info("levada-war-support").conflicts
                 if c["preferred_row"] == "L0061")
    assert entry["reason"] == "the pollster's own release" and entry["values_differ"]


def synthetic_group(shares, precisions, kinds) -> pd.DataFrame:
    return pd.DataFrame({"share": shares, "date_precision": precisions, "source_kind": kinds,
                         "row_flags": [None] * len(shares),
                         "row_id": [f"X{i}" for i in range(len(shares))]})


def test_rank_equal_figures_keep_the_day_dated_row():
    group = synthetic_group([0.5, 0.5], ["month", "day"], ["pollster", "media"])
    order, reason = rank(group)
    assert order == [1, 0] and "fieldwork days" in reason


def test_rank_different_figures_keep_the_most_direct_source():
    group = synthetic_group([0.5, 0.51, 0.52], ["day", "month", "day"],
                            ["media", "pollster", "compilation"])
    order, reason = rank(group)
    assert order == [1, 2, 0] and reason == "the pollster's own release"


# --- how current -------------------------------------------------------------------------------

def test_data_as_of_and_latest_fieldwork():
    assert polls.data_as_of() == dt.date(2026, 12, 4)
    info = polls.dataset_info("levada-war-support")
    assert info.data_as_of == "2026-12-04" and info.last_fieldwork == "2026-02-25"
    meta = json.loads((ROOT / "data" / "curated" / "collection.json").read_text())
    assert meta["data_as_of"] == "2026-12-04"
    text = repr(info)  # short: not the whole metadata
    assert text.startswith("DatasetInfo(name='levada-war-support', origin='bundled'")
    assert "n_rows=141" in text and "data_as_of='2026-12-04'" in text and len(text) < 200
    assert "collection checked 2026-12-04" in info.citation()


# --- search ------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("cesid referendum", {"cesid-eu-referendum", "cesid-nato-referendum"}),
    ("CESID   EU  Referendum", {"cesid-eu-referendum"}),
    ("trece eu talks", {"ntp-eu-talks"}),
    ("chronicles war support", {"chronicles-war-support", "chronicles-core-supporters"}),
])
def test_search_matches_every_word_without_case_or_diacritics(query, expected):
    assert set(polls.list_datasets(search=query)["name"]) == expected


def test_search_covers_pollster_names_and_countries():
    serbia = set(polls.list_datasets(search="serbia")["name"])
    assert serbia == set(polls.list_datasets().query("country == 'RS'")["name"])
    assert "russianfield-peace-talks" in set(polls.list_datasets(search="russian field")["name"])
    assert polls.list_datasets(search="no such words anywhere").empty


def test_search_must_be_text():
    with pytest.raises(polls.InvalidArgumentError, match="search"):
        polls.list_datasets(search=3)


# --- adding waves ------------------------------------------------------------------------------

def test_add_waves_keeps_attrs_marks_user_rows_and_analyses_work():
    df = polls.load_dataset("levada-war-support")
    more = polls.add_waves(df, new_rows())
    assert more.attrs == df.attrs
    added = more[more["source_kind"] == "user"]
    assert added["row_id"].tolist() == ["user-1", "user-2"]
    assert added["date_precision"].tolist() == ["day", "day"]
    assert len(more) == len(df) + 2
    assert polls.validate_toplines(more) is more
    ci = polls.with_ci(more[more["response"] == "support (total)"])
    assert ci["n_eff"].iloc[-1] == 1600 and ci["n_source"].iloc[-1] == "stated"


def test_add_waves_reports_every_bad_row():
    df = polls.load_dataset("levada-war-support")
    bad = new_rows(share=[74, 0.18], source_url=[SYNTHETIC_URL, None],
                   response=["support (total)", "suport"])
    with pytest.raises(polls.SchemaError) as err:
        polls.add_waves(df, bad)
    text = str(err.value)
    assert "row(s) 1, column 'share'" in text and "divide by 100" in text
    assert "row 2, column 'source_url': missing" in text
    assert "row 2, column 'response': 'suport'" in text
    with pytest.raises(polls.SchemaError, match="no 'source_url'|lacks the column 'source_url'"):
        polls.add_waves(df, new_rows().drop(columns="source_url"))
    with pytest.raises(polls.SchemaError, match="cannot read the date"):
        polls.add_waves(df, new_rows(fieldwork_end="25.13.2026"))


def test_a_different_figure_for_a_bundled_wave_is_an_error_or_a_reported_conflict():
    df = polls.load_dataset("levada-war-support")
    clash = pd.DataFrame({"fieldwork_start": ["2022-08"], "response": ["support (total)"],
                          "share": [0.75], "source_url": [SYNTHETIC_URL]})
    with pytest.raises(polls.SchemaError, match="figures differ.*0.76 in row L0016"):
        polls.add_waves(df, clash)
    with pytest.warns(polls.PollsWarning, match="both kept"):
        kept = polls.add_waves(df, clash, on_conflict="keep")
    both = kept[kept["row_id"].isin(["L0016", "user-1"])]
    assert sorted(both["share"]) == [0.75, 0.76]
    assert both["row_flags"].str.contains("conflict").all()
    assert kept.attrs["conflicts"] == [{"rows": ["L0016", "user-1"], "shares": [0.76, 0.75]}]


def test_a_repeated_figure_is_set_aside_not_added_twice():
    df = polls.load_dataset("levada-war-support")
    repeat = pd.DataFrame({"fieldwork_start": ["2022-08"], "response": ["support (total)"],
                           "share": [0.76], "source_url": [SYNTHETIC_URL]})
    with pytest.warns(polls.PollsWarning, match="repeat a figure"):
        same = polls.add_waves(df, repeat)
    assert len(same) == len(df)
    assert same.attrs["set_aside"][0]["row_id"] == "user-1"
    every = polls.load_dataset("levada-war-support", conflicts="all")
    with pytest.warns(polls.PollsWarning):
        kept = polls.add_waves(every, repeat)
    assert kept.loc[kept["row_id"] == "user-1", "preferred"].tolist() == [False]


def test_a_user_day_dated_row_is_preferred_to_an_equal_month_only_row():
    df = polls.load_dataset("levada-war-support")  # March 2022 is month-only (levada.ru, 81)
    dated = pd.DataFrame({"fieldwork_start": ["2022-03-24"], "fieldwork_end": ["2022-03-30"],
                          "response": ["support (total)"], "share": [0.81],
                          "source_url": [SYNTHETIC_URL]})
    with pytest.warns(polls.PollsWarning, match="repeat"):
        out = polls.add_waves(df, dated)
    gone = out.attrs["set_aside"][0]
    assert gone["preferred_row"] == "user-1" and "fieldwork days" in gone["reason"]
    # the other March 2022 rows now sit in the dated wave, flagged as such
    march = out[out["fieldwork_end"] == "2022-03-30"]
    assert (march["row_id"] != "user-1").sum() >= 1
    assert march.loc[march["row_id"] != "user-1", "row_flags"].str.contains("wave_days").all()


# --- user datasets -----------------------------------------------------------------------------

def test_user_data_folder_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("POLLS_DATA", str(tmp_path))
    assert polls.user_data_dir() == tmp_path
    monkeypatch.delenv("POLLS_DATA")
    import platformdirs

    assert polls.user_data_dir() == Path(platformdirs.user_data_dir("polls", appauthor=False))


def test_saved_rows_extend_the_bundled_dataset_of_the_same_name():
    df = polls.load_dataset("levada-war-support")
    path = polls.save_dataset(polls.add_waves(df, new_rows()), "levada-war-support")
    assert path.parent == polls.user_data_dir() / "datasets"
    saved = pd.read_csv(path)
    assert len(saved) == 2  # only the user's rows; the bundled ones come from the package
    loaded = polls.load_dataset("levada-war-support")
    assert len(loaded) == len(df) + 2 and loaded.attrs["origin"] == "bundled+user"
    cat = polls.list_datasets(search="levada war support").set_index("name")
    assert cat.loc["levada-war-support", "origin"] == "bundled+user"
    assert cat.loc["levada-war-support", "last_fieldwork"] == pd.Timestamp("2026-03-25")
    assert "user: 2" in cat.loc["levada-war-support", "source_kinds"]
    info = polls.dataset_info("levada-war-support")
    assert info.origin == "bundled+user" and info.source_kinds["user"] == 2
    # saving a frame that lacks saved rows needs overwrite=True
    with pytest.raises(polls.InvalidArgumentError, match="overwrite"):
        polls.save_dataset(polls.add_waves(df, new_rows(fieldwork_start="2026-04-01",
                                                        fieldwork_end="2026-04-07")),
                           "levada-war-support")


def test_a_user_dataset_of_its_own_is_listed_searched_and_loaded():
    rows = pd.DataFrame({"pollster": "me", "country": "RS", "series": "my-poll",
                         "question": "Synthetic question", "fieldwork_start": "2026-02",
                         "response": ["yes", "no"], "share": [0.4, 0.5],
                         "source_url": SYNTHETIC_URL})
    empty = polls.load_dataset("crta-eu-referendum").iloc[:0]
    polls.save_dataset(polls.add_waves(empty, rows, new_responses=True), "my-poll",
                       title="My synthetic poll")
    cat = polls.list_datasets(search="synthetic")
    assert cat["name"].tolist() == ["my-poll"] and cat["origin"].tolist() == ["user"]
    back = polls.load_dataset("my-poll")
    assert back["share"].tolist() == [0.4, 0.5]
    assert back["source_kind"].astype(str).tolist() == ["user", "user"]
    assert polls.dataset_info("my-poll").title == "My synthetic poll"


def test_save_dataset_refuses_bad_names_and_foreign_frames():
    df = polls.load_dataset("crta-eu-referendum")
    with pytest.raises(polls.InvalidArgumentError, match="lower-case"):
        polls.save_dataset(df, "My Poll")
    with pytest.raises(polls.InvalidArgumentError, match="bundled dataset"):
        polls.save_dataset(df, "levada-war-support")
    with pytest.raises(polls.InvalidArgumentError, match="nothing to save"):
        polls.save_dataset(df, "crta-eu-referendum")


# --- command line ------------------------------------------------------------------------------

def test_cli_datasets_search_and_currency(capsys):
    assert main(["datasets", "--search", "eu referendum", "--country", "rs"]) == 0
    out = capsys.readouterr().out
    assert "crta-eu-referendum" in out and "levada-war-support" not in out
    assert "Bundled data as of 2026-12-04" in out


def test_cli_info_explains_flags_and_source_kinds(capsys):
    assert main(["info", "levada-war-support"]) == 0
    out = capsys.readouterr().out
    assert "data as of: 2026-12-04" in out
    assert polls.FLAGS["secondary"] in out and polls.FLAGS["wave_days"] in out
    assert polls.SOURCE_KINDS["pollster"] in out


# --- importing a drop of the curated material -----------------------------------------------

@pytest.fixture()
def importer():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import import_curated

        yield import_curated
    finally:
        sys.path.remove(str(ROOT / "scripts"))


def test_import_reports_rows_added_removed_and_changed_per_series(importer):
    old = pd.DataFrame({"row_id": ["A1", "A2", "B1"], "series": ["a", "a", "b"],
                        "share": ["52", "48", "10"], "flags": ["", "", "secondary"]})
    new = pd.DataFrame({"row_id": ["A2", "A3", "B1"], "series": ["a", "a", "b"],
                        "share": ["47", "50", "10"], "flags": ["", "", ""]})
    report = importer.changes(old, new).set_index("series")
    assert report.loc["a", ["added", "removed", "changed"]].tolist() == [1, 1, 1]
    assert report.loc["a", "changed_columns"] == "share"
    assert report.loc["b", ["added", "removed", "changed"]].tolist() == [0, 0, 1]
    assert report.loc["b", "changed_columns"] == "flags"


def test_import_leaves_the_curators_notes_out(importer, tmp_path):
    (tmp_path / "toplines").mkdir()
    header = ",".join([*importer.KEEP, "curation_note"])
    row = ",".join(["R1", "P", "RU", "s", "q", "2026-01", "2026-01", "", "", "", "", "yes", "50",
                    SYNTHETIC_URL, "media", "secondary", "a remark"])
    for name in importer.TOPLINES:
        (tmp_path / "toplines" / name).write_text(f"{header}\n{row}\n", encoding="utf-8")
    drop = importer.read_drop(tmp_path)
    assert list(drop["russia.csv"].columns) == importer.KEEP
    (tmp_path / "README.md").write_text("Rows R were added on 2026-12-04. Rows V were added on "
                                        "2027-01-15.\n")
    assert importer.stated_date(tmp_path / "README.md") == "2027-01-15"


def test_the_repository_copy_has_no_curator_notes_and_matches_the_shipped_rows():
    for name in ("russia.csv", "serbia.csv"):
        frame = pd.read_csv(ROOT / "data" / "curated" / "toplines" / name, dtype=str,
                            keep_default_na=False)
        assert "curation_note" not in frame.columns
        assert frame["source_kind"].isin(["pollster", "compilation", "media"]).all()
        secondary = frame["flags"].str.split(";").apply(lambda f: "secondary" in f)
        assert (secondary == (frame["source_kind"] != "pollster")).all()


def test_no_warning_from_a_plain_load():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        polls.load_dataset("levada-war-support")


def test_import_dry_run_reports_without_writing(importer, tmp_path, capsys):
    (tmp_path / "toplines").mkdir()
    header = ",".join(importer.KEEP)
    row = ",".join(["Z1", "P", "RU", "synthetic-series", "q", "2026-01", "2026-01", "", "", "",
                    "", "yes", "50", SYNTHETIC_URL, "media", "secondary"])
    for name in importer.TOPLINES:
        (tmp_path / "toplines" / name).write_text(f"{header}\n{row}\n", encoding="utf-8")
    before = (ROOT / "data" / "curated" / "toplines" / "russia.csv").read_bytes()
    assert importer.main(["--source", str(tmp_path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "synthetic-series" in out and "levada-war-support" in out  # added; removed
    assert (ROOT / "data" / "curated" / "toplines" / "russia.csv").read_bytes() == before


def test_the_docs_name_every_flag_and_source_kind():
    for doc in ("README.md", "docs/design.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        missing = [k for k in (*polls.FLAGS, *polls.SOURCE_KINDS) if f"`{k}`" not in text]
        assert missing == [], doc
