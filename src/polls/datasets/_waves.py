"""One row per wave: which rows report the same wave, and which row of a group is preferred.

The rules, shared by the build of the bundled datasets and by :func:`polls.add_waves`:

* A **wave** is one fieldwork period of one series and question. A row dated only by month (the
  source printed "2022-08") belongs to the day-dated wave of the same series and question whose
  start and end fall in the same months, when there is exactly one such wave: it takes that
  wave's days and the flag ``wave_days`` (its month stays the printed one). With no such wave, or
  several, it stays a wave of its own.
* Rows of one wave and one response form a **group** when there are several (several sources,
  or a month-only and a day-dated row). Undated rows join only rows with the same publication
  date and source address: they cannot be placed otherwise.
* In a group the **preferred** row is: with equal figures, the day-dated row (it says more),
  then the more direct source; with different figures (a conflict), the more direct source
  (``source_kind``: the pollster's own release, then a compilation, then a media relay, then a
  user's row), then the day-dated row. Ties keep the first row by ``row_id``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from polls.schema import FLAGS_COLUMN, SOURCE_KINDS

#: Preference of a source kind (lower is preferred).
TIER = {kind: i for i, kind in enumerate(SOURCE_KINDS)}
_MISSING_TIER = len(TIER)


def _month(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m")


def _has_flag(frame: pd.DataFrame, flag: str) -> pd.Series:
    if FLAGS_COLUMN not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[FLAGS_COLUMN].fillna("").str.split(";").apply(lambda f: flag in f).astype(bool)


def wave_days(frame: pd.DataFrame) -> pd.DataFrame:
    """The day-dated wave of each month-only row (``wave_start``, ``wave_end``; NaT if none).

    ``frame`` has ``fieldwork_start``, ``fieldwork_end`` (datetimes), ``date_precision`` and,
    where present, ``series`` and ``question``.
    """
    keys = [c for c in ("series", "question") if c in frame.columns]
    start, end = frame["fieldwork_start"], frame["fieldwork_end"]
    both = start.notna() & end.notna()
    day = both & frame["date_precision"].eq("day").fillna(False).astype(bool)
    month = both & frame["date_precision"].eq("month").fillna(False).astype(bool)
    work = frame[keys].astype(object).assign(
        _sm=_month(start), _em=_month(end), wave_start=start, wave_end=end)
    waves = work[day].drop_duplicates([*keys, "_sm", "_em", "wave_start", "wave_end"])
    unique = waves[~waves.duplicated([*keys, "_sm", "_em"], keep=False)]
    joined = work.loc[month, [*keys, "_sm", "_em"]].reset_index().merge(
        unique, on=[*keys, "_sm", "_em"], how="left").set_index("index")
    out = pd.DataFrame({"wave_start": pd.Series(pd.NaT, index=frame.index, dtype=start.dtype),
                        "wave_end": pd.Series(pd.NaT, index=frame.index, dtype=end.dtype)})
    out.loc[joined.index, "wave_start"] = joined["wave_start"]
    out.loc[joined.index, "wave_end"] = joined["wave_end"]
    return out


def place_in_waves(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where month-only rows of a day-dated wave carry its days and flag ``wave_days``."""
    days = wave_days(frame)
    hit = days["wave_start"].notna()
    out = frame.copy()
    if not hit.any():
        return out
    out.loc[hit, "fieldwork_start"] = days.loc[hit, "wave_start"]
    out.loc[hit, "fieldwork_end"] = days.loc[hit, "wave_end"]
    out.loc[hit, "date_precision"] = "day"
    old = out[FLAGS_COLUMN].astype(object) if FLAGS_COLUMN in out.columns else pd.Series(
        None, index=out.index, dtype=object)
    flags = [";".join(filter(None, [*str(f or "").split(";"), "wave_days"])) if h else f
             for f, h in zip(old.where(old.notna(), None), hit, strict=True)]
    out[FLAGS_COLUMN] = pd.Series(flags, index=out.index, dtype="string")
    return out


def group_ids(frame: pd.DataFrame) -> pd.Series:
    """A label per row: rows with the same label report the same wave and response.

    ``frame`` is placed in its waves already (see :func:`place_in_waves`).
    """
    cols = [c for c in ("series", "question", "subgroup") if c in frame.columns]
    dated = frame["fieldwork_end"].notna() | frame["fieldwork_start"].notna()
    key = pd.DataFrame({c: frame[c].astype(object) for c in cols})
    key["response"] = frame["response"].astype(object)
    key["start"] = frame["fieldwork_start"].astype(object)
    key["end"] = frame["fieldwork_end"].astype(object)
    for col in ("published", "source_url"):
        value = frame[col].astype(object) if col in frame.columns else None
        key[col] = np.where(dated, "", value if value is not None else "")
    key = key.astype(str)
    return key.groupby(list(key.columns), sort=False, dropna=False).ngroup()


def _day_dated(row: pd.Series) -> bool:
    value = row.get(FLAGS_COLUMN)
    flags = [] if value is None or pd.isna(value) else str(value).split(";")
    return row["date_precision"] == "day" and "wave_days" not in flags


def rank(group: pd.DataFrame) -> tuple[list, str]:
    """The rows of one group, preferred first, and the reason the first is preferred."""
    shares = group["share"].astype(float)
    equal = bool(np.allclose(shares, shares.iloc[0], rtol=0, atol=1e-12))
    kinds = group["source_kind"].astype(object) if "source_kind" in group.columns else None

    def key(idx) -> tuple:
        row = group.loc[idx]
        kind = kinds[idx] if kinds is not None else None
        tier = _MISSING_TIER if kind is None or pd.isna(kind) else TIER.get(kind, _MISSING_TIER)
        day = 0 if _day_dated(row) else 1
        return ((day, tier) if equal else (tier, day)) + (str(row.get("row_id", "")),)

    order = sorted(group.index, key=key)
    best, second = key(order[0]), key(order[1])
    if equal and best[0] < second[0]:
        reason = "the same figure from every source; this row gives the fieldwork days"
    elif (best[1] if equal else best[0]) < (second[1] if equal else second[0]):
        kind = kinds[order[0]] if kinds is not None else None
        reason = {"pollster": "the pollster's own release",
                  "compilation": "a data compilation of the pollster's tables (the alternatives "
                                 "are media relays or a user's rows)",
                  "media": "a media relay (the alternatives are a user's rows)"}.get(
                      kind, "a more direct source")
        if equal:
            reason = "the same figure from every source; " + reason
    elif not equal and best[1] < second[1]:
        reason = "the same kind of source, and it gives the fieldwork days"
    else:
        reason = ("no ground to choose between equal sources: the first row by row id "
                  "(compare the alternatives)")
    return order, reason
