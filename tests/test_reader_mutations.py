"""Mutation tests of the readers: truncated and byte-flipped files of every text layout
(CSV, TSV, PSV; long and wide) and of every microdata format (.csv, .sav, .por, .dta,
.parquet).

The contract: a damaged file gives a ``PollsError``, or the rows it really holds. A file cut at
the end of a record is a shorter, valid file (no reader can tell); a file cut inside its last
record may read only when that record is whole but for its line break, and then the reader warns
and names the row. A flipped byte may change a figure (no reader can tell "52" from "53"), but
rows are never lost or added without a warning that names them. All files are synthetic; cut
points and flips come from a fixed seed, so every run tests the same mutations.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import polls
from polls.errors import PollsError, PollsWarning

SEED = 20261204
N_CUTS = 8
N_FLIPS = 4


def long_text(sep: str) -> str:
    rows = [sep.join(["id", "pollster", "date", "response", "share", "n"])]
    for w, (date, shares) in enumerate([("2022-03", (52, 40, 8)), ("2022-04", (50, 41, 9)),
                                        ("2022-05", (49, 45, 6))]):
        for k, (label, share) in enumerate(zip(("yes", "no", "hard to say"), shares,
                                               strict=True)):
            rows.append(sep.join([f"r{w}{k}", "synthetic", date, label, str(share), "1 600"]))
    return "\n".join(rows) + "\n"


def wide_text(sep: str) -> str:
    rows = [sep.join(["id", "pollster", "date", "n", "Yes", "No", "Hard to say"]),
            sep.join(["r0", "synthetic", "2022-03", "1600", "52", "40", "8"]),
            sep.join(["r1", "synthetic", "2022-04", "1200", "50", "N/A", "9"]),
            sep.join(["r2", "synthetic", "2022-05", "1600", "49", "45", "6"])]
    return "\n".join(rows) + "\n"


TEXTS = {f"{layout}-{name}": (layout, make(sep))
         for layout, make in (("long", long_text), ("wide", wide_text))
         for name, sep in (("csv", ","), ("tsv", "\t"), ("psv", "|"))}


def read(data: bytes, layout: str):
    """(frame or the PollsError, the PollsWarnings issued)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = polls.read_toplines(io.BytesIO(data), scale="percent", layout=layout)
        except PollsError as exc:
            out = exc
    return out, [w for w in caught if issubclass(w.category, PollsWarning)]


def plain(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows to compare across files: responses as text (a shorter file knows fewer of them)."""
    return rows.assign(response=rows["response"].astype(str)).reset_index(drop=True)


def cut_points(n: int, k: int) -> list[int]:
    rng = np.random.default_rng(SEED + n)
    return sorted(set(rng.integers(1, n, k).tolist()))


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_truncated_text_gives_its_whole_records_or_an_error(kind):
    layout, text = TEXTS[kind]
    data = text.encode()
    full, _ = read(data, layout)
    assert isinstance(full, pd.DataFrame)
    by_id = {i: plain(g) for i, g in full.groupby("row_id", sort=False)}
    lines = text.split("\n")
    for cut in cut_points(len(data), N_CUTS):
        prefix = data[:cut]
        got, warned = read(prefix, layout)
        if isinstance(got, PollsError):
            continue
        whole = prefix.count(b"\n")  # records ended by a line break, the header included
        complete = {line.split(text[2])[0] for line in lines[1:whole]} & set(by_id)
        ids = set(got["row_id"].dropna())
        assert complete <= ids, f"cut at {cut}: rows of whole records were lost"
        for i in ids:
            rows = plain(got[got["row_id"] == i])
            if i in complete:
                pd.testing.assert_frame_equal(rows, by_id[i], obj=f"cut at {cut}, record {i}")
            else:  # the last record, cut: read only with a warning naming its row
                assert got.attrs["unterminated_row"] == whole + 1, f"cut at {cut}"
                assert any("ends without a line break" in str(w.message) for w in warned)


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_a_flipped_byte_loses_no_row_without_a_warning(kind):
    layout, text = TEXTS[kind]
    data = text.encode()
    full, _ = read(data, layout)
    rng = np.random.default_rng(SEED)
    for at in rng.integers(0, len(data), N_FLIPS).tolist():
        for new in (int(rng.integers(0, 256)), (ord(text[2]), ord("\n"), ord('"'))[at % 3]):
            if new == data[at]:
                continue
            flipped = data[:at] + bytes([new]) + data[at + 1:]
            got, warned = read(flipped, layout)
            if isinstance(got, PollsError) or len(got) == len(full):
                continue
            assert warned, f"byte {at} -> {new!r}: {len(got)} rows instead of {len(full)}"
            accounted = (len(got.attrs["skipped_rows"]) + len(got.attrs["short_rows"])
                         + got.attrs["not_published"]
                         + (got.attrs["unterminated_row"] is not None))
            assert accounted > 0, f"byte {at} -> {new!r}: rows lost, nothing recorded"


# --------------------------------------------------------------------------------------------
# Microdata


def respondents() -> pd.DataFrame:
    return pd.DataFrame({"q1": np.tile([1.0, 2.0, 3.0], 10), "age": np.arange(18.0, 48.0),
                         "w": np.linspace(0.5, 1.5, 30)})


def write_microdata(tmp_path, suffix: str) -> bytes:
    path = tmp_path / f"synthetic{suffix}"
    df = respondents()
    if suffix == ".sav":
        pyreadstat.write_sav(df, path)
    elif suffix == ".dta":
        pyreadstat.write_dta(df, path)
    elif suffix == ".por":
        pyreadstat.write_por(df, path)
    elif suffix == ".parquet":
        df.to_parquet(path)
    else:
        df.to_csv(path, index=False)
    return path.read_bytes()


def read_microdata(tmp_path, suffix: str, data: bytes):
    path = tmp_path / f"mutant{suffix}"
    path.write_bytes(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = polls.read_microdata(path)
        except PollsError as exc:
            out = exc
    return out, [w for w in caught if issubclass(w.category, PollsWarning)]


@pytest.mark.parametrize("suffix", [".csv", ".sav", ".por", ".dta", ".parquet"])
def test_truncated_microdata_gives_its_whole_rows_or_an_error(tmp_path, suffix):
    data = write_microdata(tmp_path, suffix)
    full = respondents()
    for cut in cut_points(len(data), N_CUTS):
        got, warned = read_microdata(tmp_path, suffix, data[:cut])
        if isinstance(got, PollsError):
            continue
        if suffix != ".csv":
            assert len(got) == len(full), f"cut at {cut}: {len(got)} rows, silently"
            continue
        whole = data[:cut].count(b"\n") - 1  # whole respondent rows
        assert len(got) in (whole, whole + 1), f"cut at {cut}"
        pd.testing.assert_frame_equal(got.iloc[:whole], full.iloc[:whole], check_dtype=False)
        if len(got) > whole:  # the cut record: read only with a warning
            assert any("ends without a line break" in str(w.message) for w in warned)


@pytest.mark.parametrize("suffix", [".csv", ".sav", ".por", ".dta", ".parquet"])
def test_a_flipped_byte_in_microdata_loses_no_row_silently(tmp_path, suffix):
    data = write_microdata(tmp_path, suffix)
    rng = np.random.default_rng(SEED)
    for at in rng.integers(0, len(data), N_FLIPS).tolist():
        new = int(data[at] ^ rng.integers(1, 256))
        got, warned = read_microdata(tmp_path, suffix, data[:at] + bytes([new]) + data[at + 1:])
        if isinstance(got, PollsError) or len(got) == len(respondents()):
            continue
        assert warned, f"byte {at} -> {new}: {len(got)} rows, silently"
