"""Bundled, source-cited poll datasets.

One dataset per series (a pollster asking one question over time), named by its slug, e.g.
``levada-war-support``. Each ships as a CSV of the figures exactly as published (percent text,
dates as printed, source address per row) plus a JSON metadata sidecar; :func:`load_dataset`
turns it into the canonical toplines frame. Nothing is read from the network.

The files are built from the curated source material by ``scripts/build_datasets.py``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_choice
from polls.errors import InvalidArgumentError, UnknownDatasetError
from polls.schema import COLUMNS, coerce_dtypes

__all__ = ["DatasetInfo", "dataset_info", "list_datasets", "load_dataset", "stated_margins"]

_DATA = "data"


def _files():
    return resources.files("polls.datasets").joinpath(_DATA)


@cache
def _catalogue() -> dict[str, dict[str, Any]]:
    """Metadata of every bundled toplines dataset, keyed by name (read once)."""
    out: dict[str, dict[str, Any]] = {}
    for entry in _files().iterdir():
        if not entry.name.endswith(".json"):
            continue
        meta = json.loads(entry.read_text(encoding="utf-8"))
        if meta.get("kind") == "toplines":
            out[meta["name"]] = meta
    return dict(sorted(out.items()))


def _meta(name: str) -> dict[str, Any]:
    cat = _catalogue()
    if not isinstance(name, str) or name not in cat:
        close = difflib.get_close_matches(str(name), list(cat), n=5, cutoff=0.5)
        if not close:
            close = [n for n in cat if str(name).lower() in n][:5]
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownDatasetError(
            f"{name!r} is not a bundled dataset.{hint} polls.list_datasets() lists all "
            f"{len(cat)}."
        )
    return cat[name]


@dataclass(frozen=True)
class DatasetInfo:
    """Metadata of a bundled dataset (see :func:`dataset_info`).

    Attributes mirror the JSON sidecar: ``name``, ``title``, ``pollster`` (short id),
    ``pollster_name`` (display name), ``country``, ``question`` (English) and
    ``question_original`` (original language, where the sources give it), ``response_order``,
    ``net_responses`` (published sums of other answers, e.g. "support (total)"),
    ``multiple_response``, ``usual_sample_size`` and ``usual_design`` (as the pollster describes
    its usual design; never copied onto waves that do not state it), ``populations``, ``modes``,
    ``first_fieldwork``, ``last_fieldwork``, ``n_waves``, ``n_rows``, ``flags`` (counts),
    ``conflicts`` (waves and responses reported by several sources: the preferred row, the
    ``reason`` it was preferred and the alternatives), ``unmatched_conflicts`` (rows flagged
    ``conflict`` that could not be matched to the row they conflict with, e.g. undated ones; they
    stay in the default load), ``sources`` (every source address with the row ids it supports) and
    ``caveats``.
    """

    name: str
    title: str
    pollster: str
    pollster_name: str
    country: str
    question: str
    response_order: tuple[str, ...]
    n_waves: int
    n_rows: int
    first_fieldwork: str | None = None
    last_fieldwork: str | None = None
    question_original: str | None = None
    question_variants: tuple[str, ...] = ()
    net_responses: tuple[str, ...] = ()
    multiple_response: bool = False
    usual_sample_size: int | None = None
    usual_design: str | None = None
    usual_design_source: str | None = None
    populations: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    pollster_names_in_sources: tuple[str, ...] = ()
    flags: dict[str, int] = field(default_factory=dict)
    conflicts: tuple[dict[str, Any], ...] = ()
    unmatched_conflicts: tuple[dict[str, Any], ...] = ()
    sources: tuple[dict[str, Any], ...] = ()
    caveats: tuple[str, ...] = ()

    @classmethod
    def _from_meta(cls, meta: dict[str, Any]) -> DatasetInfo:
        kwargs = {}
        for f in cls.__dataclass_fields__:
            if f in meta:
                value = meta[f]
                kwargs[f] = tuple(value) if isinstance(value, list) else value
        return cls(**kwargs)

    def citation(self) -> str:
        """A citation for the dataset: the pollster, the question, the period and the sources.

        Examples
        --------
        >>> import polls
        >>> print(polls.dataset_info("levada-war-support").citation())  # doctest: +ELLIPSIS
        Levada Center, "Do you personally support or not support the actions of the Russian ...
        """
        from polls import __version__

        period = ""
        if self.first_fieldwork and self.last_fieldwork:
            period = f", fieldwork {self.first_fieldwork} to {self.last_fieldwork}"
        return (
            f'{self.pollster_name}, "{self.question}"{period}. {self.n_rows} published figures '
            f"from {len(self.sources)} public source(s), each cited by address in the data "
            f"(column source_url). Bundled in the Python package polls {__version__} as dataset "
            f"'{self.name}'."
        )

    def to_dict(self) -> dict[str, Any]:
        """The metadata as a plain dict (lists for tuples)."""
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in ((f, getattr(self, f)) for f in self.__dataclass_fields__)
        }

    def __str__(self) -> str:
        lines = [self.title, f"  dataset: {self.name} ({self.country}, pollster id "
                 f"'{self.pollster}')"]
        if self.first_fieldwork:
            lines.append(f"  fieldwork: {self.first_fieldwork} to {self.last_fieldwork}, "
                         f"{self.n_waves} waves, {self.n_rows} rows")
        lines.append(f"  responses: {', '.join(self.response_order)}")
        if self.usual_design:
            lines.append(f"  usual design: {self.usual_design}")
        for c in self.caveats:
            lines.append(f"  caveat: {c}")
        lines.append(f"  sources: {len(self.sources)} (see .sources)")
        return "\n".join(lines)


def dataset_info(name: str) -> DatasetInfo:
    """Metadata of a bundled dataset: wording, responses, design, sources, caveats, conflicts.

    Parameters
    ----------
    name : str
        A dataset name from :func:`list_datasets` (the series slug).

    Returns
    -------
    DatasetInfo
        With a :meth:`DatasetInfo.citation` method.

    Raises
    ------
    UnknownDatasetError
        If no dataset has that name (the message lists close matches).

    Examples
    --------
    >>> import polls
    >>> info = polls.dataset_info("levada-putin-approval")
    >>> info.pollster, info.response_order
    ('levada', ('approve', 'disapprove', 'no answer'))
    """
    return DatasetInfo._from_meta(_meta(name))


def list_datasets() -> pd.DataFrame:
    """The catalogue of bundled datasets, one row per dataset.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, pollster, country, title, first_fieldwork, last_fieldwork, n_waves,
        n_rows, flags`` (``flags`` summarises the row flags, e.g. ``"secondary: 890"``).

    Examples
    --------
    >>> import polls
    >>> cat = polls.list_datasets()
    >>> "levada-war-support" in set(cat["name"])
    True
    """
    rows = []
    for name, meta in _catalogue().items():
        flags = "; ".join(f"{k}: {v}" for k, v in meta["flags"].items())
        rows.append({
            "name": name,
            "pollster": meta["pollster"],
            "country": meta["country"],
            "title": meta["title"],
            "first_fieldwork": meta["first_fieldwork"],
            "last_fieldwork": meta["last_fieldwork"],
            "n_waves": meta["n_waves"],
            "n_rows": meta["n_rows"],
            "flags": flags,
        })
    out = pd.DataFrame(rows)
    for col in ("name", "pollster", "country", "title", "flags"):
        out[col] = out[col].astype("string")
    first = pd.to_datetime(out["first_fieldwork"].map(_as_day), errors="raise")
    last = pd.to_datetime(out["last_fieldwork"].map(_as_day), errors="raise")
    month_only = out["last_fieldwork"].str.len() == 7
    out["first_fieldwork"] = first
    out["last_fieldwork"] = last.where(~month_only.fillna(False), last + pd.offsets.MonthEnd(0))
    return out


def _as_day(text: object) -> object:
    """A printed date as a day: a month-only date becomes the first day of its month."""
    if not isinstance(text, str) or not text:
        return None
    return text if len(text) == 10 else text + "-01"


def _parse_dates(start: pd.Series, end: pd.Series, published: pd.Series) -> dict[str, pd.Series]:
    """Turn published date texts into datetimes and a date precision.

    A month-only start becomes the first day of its month and a month-only end the last day; a
    wave given only a start month ends with that month; a published month becomes its first day.
    """
    def day_or_month(text: pd.Series, *, last: bool) -> pd.Series:
        month = text.str.len() == 7
        out = pd.to_datetime(text.where(text.str.len() == 10), format="%Y-%m-%d")
        first = pd.to_datetime(text.where(month) + "-01", format="%Y-%m-%d")
        if last:
            first = first + pd.offsets.MonthEnd(0)
        return out.fillna(first)

    end_text = end.where(end != "", start.where(start.str.len() == 7, ""))
    start_dt = day_or_month(start, last=False)
    end_dt = day_or_month(end_text, last=True)
    pub_dt = day_or_month(published, last=False)
    ref = end_text.where(end_text != "", start)
    precision = pd.Series(pd.NA, index=start.index, dtype="string")
    precision[ref.str.len() == 10] = "day"
    precision[ref.str.len() == 7] = "month"
    precision[(ref == "") & (published != "")] = "published"
    return {"fieldwork_start": start_dt, "fieldwork_end": end_dt, "published": pub_dt,
            "date_precision": precision}


def _precision_of(text: pd.Series) -> pd.Series:
    """The rounding step of a published percentage text, as a proportion ('52' -> 0.01)."""
    decimals = text.str.extract(r"\.(\d+)$")[0].str.len().fillna(0).astype(int)
    return pd.Series(np.power(10.0, -decimals.to_numpy()) / 100, index=text.index)


def load_dataset(
    name: str | Sequence[str], *, conflicts: str = "prefer", undated: str = "keep"
) -> pd.DataFrame:
    """Load a bundled dataset (or several, stacked) as a canonical toplines frame.

    Parameters
    ----------
    name : str or sequence of str
        A dataset name from :func:`list_datasets` (the series slug, e.g.
        ``"levada-war-support"``), or several names: their frames are stacked, the response
        categories are the union of theirs (in order of first appearance), and ``attrs`` holds
        per-series values (``usual_sample_size`` as a dict by series).
    conflicts : {"prefer", "all"}, default "prefer"
        Where several sources report the same wave and response: ``"prefer"`` keeps one row (the
        pollster's own release first, then other primary reports, then secondary ones; see
        ``dataset_info(name).conflicts``); ``"all"`` keeps every source's row and adds a boolean
        column ``preferred``.
    undated : {"keep", "drop"}, default "keep"
        Rows without a fieldwork date (placed, if at all, only by their publication date) are
        kept, or dropped with their count recorded in ``frame.attrs["dropped_undated"]``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`polls.schema.COLUMNS`: shares as proportions, dates as datetimes
        with ``date_precision``, ``response`` as an ordered categorical in the order of the
        metadata, nullable ``sample_size``, ``precision`` (0.01 for whole percents, 0.001 for one
        decimal), ``source_url``, ``flags`` and ``row_id`` (the curated source row). Rows are
        sorted by fieldwork date and response. ``frame.attrs`` holds ``dataset``, ``title``,
        ``usual_sample_size``, ``net_responses`` and ``multiple_response``.

    Raises
    ------
    UnknownDatasetError
        If no dataset has that name (the message lists close matches).

    Examples
    --------
    >>> import polls
    >>> df = polls.load_dataset("levada-war-support")
    >>> bool(df.loc[df["response"] == "support (total)", "share"].between(0, 1).all())
    True
    >>> both = polls.load_dataset(["crta-eu-referendum", "demostat-eu-referendum"])
    >>> sorted(both["series"].unique())
    ['crta-eu-referendum', 'demostat-eu-referendum']
    """
    if not isinstance(name, str):
        return _load_several(list(name), conflicts=conflicts, undated=undated)
    meta = _meta(name)
    check_choice("conflicts", conflicts, ("prefer", "all"))
    check_choice("undated", undated, ("keep", "drop"))
    with _files().joinpath(f"{name}.csv").open("rb") as handle:
        raw = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8")
    preferred = raw.pop("preferred").eq("True")
    if conflicts == "prefer":
        raw = raw[preferred.to_numpy()]
        preferred = preferred[preferred]

    frame = pd.DataFrame(index=raw.index)
    for col in ("pollster", "country", "series", "question"):
        frame[col] = raw[col]
    frame = frame.assign(**_parse_dates(raw["fieldwork_start"], raw["fieldwork_end"],
                                        raw["published"]))
    frame["sample_size"] = pd.to_numeric(raw["sample_size"].replace("", None)).astype("Int64")
    for col in ("population", "mode", "source_url", "flags"):
        frame[col] = raw[col].replace("", None)
    frame["response"] = pd.Categorical(raw["response"], categories=meta["response_order"],
                                       ordered=True)
    frame["share"] = raw["share"].astype(float) / 100
    frame["precision"] = _precision_of(raw["share"])
    frame["row_id"] = raw["row_id"]
    frame = coerce_dtypes(frame[list(COLUMNS)])
    if conflicts == "all":
        frame["preferred"] = preferred.to_numpy()

    dropped = 0
    if undated == "drop":
        keep = frame["fieldwork_end"].notna()
        dropped = int((~keep).sum())
        frame = frame[keep]
    order = ["fieldwork_end", "fieldwork_start", "published", "question", "response", "row_id"]
    frame = frame.sort_values(order, na_position="last", kind="stable").reset_index(drop=True)
    frame.attrs = {
        "dataset": name,
        "title": meta["title"],
        "usual_sample_size": meta["usual_sample_size"],
        "net_responses": list(meta["net_responses"]),
        "multiple_response": bool(meta["multiple_response"]),
    }
    if undated == "drop":
        frame.attrs["dropped_undated"] = dropped
    return frame


def _load_several(names: list[str], *, conflicts: str, undated: str) -> pd.DataFrame:
    """Stack several datasets; responses become the union of their categories."""
    if not names:
        raise InvalidArgumentError("name: give at least one dataset name")
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"name: a dataset is named twice in {names}")
    frames = [load_dataset(n, conflicts=conflicts, undated=undated) for n in names]
    categories = list(dict.fromkeys(c for f in frames for c in f["response"].cat.categories))
    for f in frames:
        f["response"] = f["response"].cat.set_categories(categories)
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {
        "dataset": names,
        "title": "; ".join(f.attrs["title"] for f in frames),
        "usual_sample_size": {f.attrs["dataset"]: f.attrs["usual_sample_size"]
                              for f in frames if f.attrs["usual_sample_size"] is not None},
        "net_responses": list(dict.fromkeys(r for f in frames for r in f.attrs["net_responses"])),
        "multiple_response": [f.attrs["dataset"] for f in frames
                              if f.attrs["multiple_response"]],
    }
    if undated == "drop":
        out.attrs["dropped_undated"] = sum(f.attrs["dropped_undated"] for f in frames)
    return out


def stated_margins(pollster: str = "levada") -> pd.DataFrame:
    """Margins of error as a pollster states them for its usual sample.

    Levada Center prints, under its releases, the maximum sampling error (95% probability) for
    its usual sample of 1,600 at several share levels. With
    :func:`polls.implied_design_effect` these margins give the design effect they imply.

    Parameters
    ----------
    pollster : {"levada"}
        The pollster (only Levada publishes such a table in the bundled material).

    Returns
    -------
    pandas.DataFrame
        ``share_level`` and ``max_error`` (both proportions, as stated), ``sample_size``,
        ``confidence_level`` (0.95, as stated) and ``source_url``.

    Examples
    --------
    >>> import polls
    >>> m = polls.stated_margins("levada")
    >>> float(m.loc[m["share_level"] == 0.5, "max_error"].iloc[0])
    0.034
    """
    check_choice("pollster", pollster, ("levada",))
    with _files().joinpath("levada-sampling-error.csv").open("rb") as handle:
        raw = pd.read_csv(handle, dtype=str, keep_default_na=False)
    out = pd.DataFrame({
        "share_level": raw["share_level"].astype(float) / 100,
        "max_error": raw["max_error_pct"].astype(float) / 100,
        "sample_size": raw["sample_size"].astype(int),
        "confidence_level": 0.95,
        "source_url": raw["source_url"].astype("string"),
    })
    return out.sort_values("share_level", kind="stable").reset_index(drop=True)
