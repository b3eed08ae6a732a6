"""Bundled, source-cited poll datasets.

One dataset per series (a pollster asking one question over time), named by its slug, e.g.
``levada-war-support``. Each ships as a CSV of the figures exactly as published (percent text,
dates as printed, source address per row) plus a JSON metadata sidecar; :func:`load_dataset`
turns it into the canonical toplines frame. Nothing is read from the network.

The files are built from the curated source material in ``data/curated/`` by
``scripts/build_datasets.py``. Users' own datasets (:func:`save_dataset`) live in a user data
folder and are listed, searched and loaded by name beside the bundled ones; one with a bundled
dataset's name extends it. Two tables of another shape ship beside them: the margins of error
pollsters state (:func:`stated_margins`) and the published summaries of list experiments
(:func:`published_list_experiments`).
"""

from __future__ import annotations

import datetime as dt
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
from polls.datasets._extend import add_waves
from polls.datasets._search import COUNTRY_NAMES, haystack, matches
from polls.datasets._user import read_user_rows, save_dataset, user_catalogue, user_data_dir
from polls.errors import InvalidArgumentError, UnknownDatasetError
from polls.schema import COLUMNS, FLAGS_COLUMN, coerce_dtypes

__all__ = ["DatasetInfo", "add_waves", "data_as_of", "dataset_info", "list_datasets",
           "load_dataset", "published_list_experiments", "save_dataset", "stated_margins",
           "user_data_dir"]

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


@cache
def _collection() -> dict[str, Any]:
    """The catalogue's own metadata: the date the collection was last checked, a note."""
    return json.loads(_files().joinpath("catalogue.json").read_text(encoding="utf-8"))


def data_as_of() -> dt.date:
    """The date the bundled collection was last checked against its sources.

    The newest figure can be much older: see ``list_datasets()["last_fieldwork"]`` per dataset.

    Returns
    -------
    datetime.date

    Examples
    --------
    >>> import polls
    >>> polls.data_as_of().isoformat()
    '2026-12-04'
    """
    return dt.date.fromisoformat(_collection()["data_as_of"])


def _meta(name: str) -> dict[str, Any]:
    cat = _catalogue()
    if isinstance(name, str) and name in cat:
        return cat[name]
    names = [*cat, *user_catalogue()]
    close = difflib.get_close_matches(str(name), names, n=5, cutoff=0.5)
    if not close:
        close = [n for n in names if str(name).lower() in n][:5]
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UnknownDatasetError(
        f"{name!r} is not a dataset.{hint} polls.list_datasets() lists all {len(names)}; "
        "polls.list_datasets(search=...) finds them by words."
    )


#: How a citation names each kind of source.
_KIND_WORDS = {"pollster": "the pollster's own releases", "compilation": "data compilations",
               "media": "media relays", "user": "the user's sources"}


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
    ``data_as_of`` (the date the collection was last checked against its sources),
    ``source_kinds`` (row counts by kind of source: ``pollster``, ``compilation``, ``media``,
    ``user``), ``origin`` (``bundled``, ``user``, or ``bundled+user`` for a bundled dataset the
    user extended), ``conflicts`` (waves and responses reported by several sources: the
    preferred row, the ``reason`` it was preferred and the alternatives), ``unmatched_conflicts``
    (rows flagged ``conflict`` that could not be matched to the row they conflict with, e.g.
    undated ones; they stay in the default load), ``sources`` (every source address with the row
    ids it supports) and ``caveats``.
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
    data_as_of: str | None = None
    origin: str = "bundled"
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
    source_kinds: dict[str, int] = field(default_factory=dict)
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
        kinds = ""
        if self.source_kinds:
            kinds = " (" + ", ".join(f"{v} from {_KIND_WORDS.get(k, k)}"
                                     for k, v in self.source_kinds.items()) + ")"
        checked = f", collection checked {self.data_as_of}" if self.data_as_of else ""
        where = {"bundled": "Bundled in", "user": "Saved by the user with",
                 "bundled+user": "Bundled, with rows added by the user, in"}.get(self.origin,
                                                                              "In")
        return (
            f'{self.pollster_name}, "{self.question}"{period}. {self.n_rows} published figures '
            f"from {len(self.sources)} public source(s){kinds}, each cited by address in the "
            f"data (column source_url). {where} the Python package polls {__version__} as "
            f"dataset '{self.name}'{checked}."
        )

    def to_dict(self) -> dict[str, Any]:
        """The metadata as a plain dict (lists for tuples)."""
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in ((f, getattr(self, f)) for f in self.__dataclass_fields__)
        }

    def __repr__(self) -> str:
        return (f"DatasetInfo(name={self.name!r}, origin={self.origin!r}, "
                f"pollster={self.pollster!r}, n_waves={self.n_waves}, n_rows={self.n_rows}, "
                f"last_fieldwork={self.last_fieldwork!r}, data_as_of={self.data_as_of!r})")

    def __str__(self) -> str:
        lines = [self.title, f"  dataset: {self.name} ({self.country}, pollster id "
                 f"'{self.pollster}')"]
        if self.first_fieldwork:
            lines.append(f"  fieldwork: {self.first_fieldwork} to {self.last_fieldwork}, "
                         f"{self.n_waves} waves, {self.n_rows} rows")
        if self.data_as_of:
            lines.append(f"  data as of: {self.data_as_of} (the collection was last checked "
                         f"then; latest fieldwork {self.last_fieldwork or 'unknown'})")
        if self.origin != "bundled":
            lines.append(f"  origin: {self.origin}")
        lines.append(f"  responses: {', '.join(self.response_order)}")
        if self.source_kinds:
            kinds = ", ".join(f"{k} {v}" for k, v in self.source_kinds.items())
            lines.append(f"  rows by kind of source: {kinds}")
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
    users = user_catalogue()
    if isinstance(name, str) and name in users:
        return DatasetInfo._from_meta(_user_meta(name, users[name]))
    return DatasetInfo._from_meta(_meta(name))


def _text_date(when: pd.Timestamp, precision: object) -> str | None:
    if pd.isna(when):
        return None
    return f"{when:%Y-%m}" if precision == "month" else f"{when:%Y-%m-%d}"


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in values.dropna().value_counts().sort_index().items()}


def _user_meta(name: str, saved: dict[str, Any]) -> dict[str, Any]:
    """Metadata of a user dataset, from its saved rows (and the bundled one it extends)."""
    rows = read_user_rows(name)
    dated = rows[rows["fieldwork_end"].notna()]
    flags = rows[FLAGS_COLUMN].dropna().str.split(";").explode()
    last = dated.loc[dated["fieldwork_end"].idxmax()] if len(dated) else None
    last_text = _text_date(last["fieldwork_end"], last["date_precision"]) if last is not None \
        else None
    if saved.get("extends") in _catalogue():
        meta = dict(_catalogue()[name])
        meta["origin"] = "bundled+user"
        meta["n_rows"] += len(rows)
        meta["source_kinds"] = {**meta.get("source_kinds", {}), "user": len(rows)}
        if last_text and (meta["last_fieldwork"] is None
                          or last["fieldwork_end"] > pd.Timestamp(_as_day(meta["last_fieldwork"]))):
            meta["last_fieldwork"] = last_text
        meta["sources"] = [*meta["sources"], *_sources(rows)]
        meta["n_waves"] = _count_waves(_load_user(name, saved, conflicts="prefer",
                                                  undated="keep", quiet=True))
        return meta
    first = dated.loc[dated["fieldwork_start"].fillna(dated["fieldwork_end"]).idxmin()] \
        if len(dated) else None
    pollster = ", ".join(rows["pollster"].dropna().unique()) or ""
    return {
        "name": name, "title": saved.get("title") or name, "origin": "user",
        "pollster": pollster, "pollster_name": pollster,
        "country": ", ".join(rows["country"].dropna().unique()) or "",
        "question": ", ".join(rows["question"].dropna().unique()) or "",
        "response_order": [str(c) for c in rows["response"].cat.categories],
        "n_waves": _count_waves(rows), "n_rows": len(rows),
        "first_fieldwork": None if first is None else _text_date(
            first["fieldwork_start"] if pd.notna(first["fieldwork_start"])
            else first["fieldwork_end"], first["date_precision"]),
        "last_fieldwork": last_text, "data_as_of": saved.get("data_as_of"),
        "net_responses": saved.get("net_responses", []),
        "multiple_response": saved.get("multiple_response", False),
        "usual_sample_size": saved.get("usual_sample_size"),
        "flags": _counts(flags[flags != ""]),
        "source_kinds": _counts(rows["source_kind"].astype(object)),
        "sources": _sources(rows),
    }


def _count_waves(frame: pd.DataFrame) -> int:
    """Waves of a frame: dated ones by their fieldwork, undated ones by publication and source."""
    dated = frame["fieldwork_end"].notna() | frame["fieldwork_start"].notna()
    by_dates = frame.loc[dated, ["fieldwork_start", "fieldwork_end"]].drop_duplicates()
    undated = frame.loc[~dated, ["published", "source_url"]].drop_duplicates()
    return len(by_dates) + len(undated)


def _sources(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"url": url, "source_kind": "user", "rows": list(ids)}
            for url, ids in rows.groupby("source_url", sort=False)["row_id"]]


def list_datasets(search: str | None = None) -> pd.DataFrame:
    """The catalogue: bundled datasets and the user's own, one row per dataset.

    Parameters
    ----------
    search : str, optional
        Words that must all occur in a dataset's name, title, question (and its variants),
        pollster (id, name and names in the sources) or country (code or English name), in
        any order; case and diacritics are ignored (``"cesid"`` finds CeSID, ``"trece"`` finds
        "treći"), Cyrillic and Latin are both searched as written.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, origin, pollster, country, title, first_fieldwork, last_fieldwork,
        data_as_of, n_waves, n_rows, source_kinds, row_flags``. ``origin`` is ``bundled``,
        ``user`` (saved with :func:`save_dataset`) or ``bundled+user`` (a bundled dataset the
        user extended); ``data_as_of`` is the date the collection was last checked (for a user
        dataset, the day it was saved); ``source_kinds`` and ``row_flags`` count rows by kind of
        source and by flag (e.g. ``"pollster: 12; media: 30"``).

    Examples
    --------
    >>> import polls
    >>> cat = polls.list_datasets()
    >>> "levada-war-support" in set(cat["name"])
    True
    >>> sorted(polls.list_datasets(search="trece eu talks")["name"])
    ['ntp-eu-talks']
    """
    if search is not None and not isinstance(search, str):
        raise InvalidArgumentError(f"search must be a string of words, got {search!r}")
    users = user_catalogue()
    metas = [_user_meta(n, users[n]) if n in users else {**m, "origin": "bundled"}
             for n, m in _catalogue().items()]
    metas += [_user_meta(n, u) for n, u in users.items() if n not in _catalogue()]
    if search:
        metas = [m for m in metas if matches(search, _haystack(m))]
    rows = [{
        "name": m["name"], "origin": m["origin"], "pollster": m["pollster"],
        "country": m["country"], "title": m["title"], "first_fieldwork": m["first_fieldwork"],
        "last_fieldwork": m["last_fieldwork"], "data_as_of": m.get("data_as_of"),
        "n_waves": m["n_waves"], "n_rows": m["n_rows"],
        "source_kinds": "; ".join(f"{k}: {v}" for k, v in m.get("source_kinds", {}).items()),
        "row_flags": "; ".join(f"{k}: {v}" for k, v in m["flags"].items()),
    } for m in sorted(metas, key=lambda m: m["name"])]
    columns = ["name", "origin", "pollster", "country", "title", "first_fieldwork",
               "last_fieldwork", "data_as_of", "n_waves", "n_rows", "source_kinds", "row_flags"]
    out = pd.DataFrame(rows, columns=columns)
    for col in ("name", "origin", "pollster", "country", "title", "source_kinds", "row_flags"):
        out[col] = out[col].astype("string")
    first = pd.to_datetime(out["first_fieldwork"].map(_as_day), errors="raise")
    last = pd.to_datetime(out["last_fieldwork"].map(_as_day), errors="raise")
    month_only = out["last_fieldwork"].str.len() == 7
    out["first_fieldwork"] = first.astype("datetime64[ns]")
    out["last_fieldwork"] = last.where(~month_only.fillna(False).astype(bool),
                                       last + pd.offsets.MonthEnd(0)).astype("datetime64[ns]")
    out["data_as_of"] = pd.to_datetime(out["data_as_of"]).astype("datetime64[ns]")
    out["n_waves"] = out["n_waves"].astype("int64")
    out["n_rows"] = out["n_rows"].astype("int64")
    return out


def _haystack(meta: dict[str, Any]) -> str:
    country = meta.get("country") or ""
    return haystack([meta["name"], meta["name"].replace("-", " "), meta.get("title"),
                     meta.get("question"), meta.get("question_variants"), meta.get("pollster"),
                     meta.get("pollster_name"), meta.get("pollster_names_in_sources"),
                     country, COUNTRY_NAMES.get(country)])


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


def _place_in_wave(frame: pd.DataFrame, raw: pd.DataFrame) -> None:
    """Month-only rows of a day-dated wave take its days and the flag ``wave_days`` (in place)."""
    placed = (raw["wave_start"] != "").to_numpy()
    if not placed.any():
        return
    for col, days in (("fieldwork_start", "wave_start"), ("fieldwork_end", "wave_end")):
        values = frame[col].to_numpy(copy=True)
        values[placed] = pd.to_datetime(raw[days].to_numpy()[placed]).to_numpy()
        frame[col] = values
    precision = frame["date_precision"].to_numpy(dtype=object, na_value=None)
    precision[placed] = "day"
    frame["date_precision"] = pd.array(precision, dtype="string")
    flags = frame[FLAGS_COLUMN].to_numpy(dtype=object, na_value=None)
    flags[placed] = [f"{f};wave_days" if f else "wave_days" for f in flags[placed]]
    frame[FLAGS_COLUMN] = flags


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
        per-series values (``usual_sample_size`` as a dict by series). A user dataset (saved
        with :func:`save_dataset`) loads by its name too; one with a bundled dataset's name gives
        the bundled rows plus the user's, placed by the rules of :func:`add_waves`.
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
        decimal), ``source_url``, ``source_kind`` (categorical: ``pollster``, ``compilation``,
        ``media``, ``user``), ``row_flags`` (see :data:`polls.FLAGS`) and ``row_id`` (the
        curated source row). A month-only row of a day-dated wave shows that wave's days (flag
        ``wave_days``). Rows are sorted by fieldwork date and response. ``frame.attrs`` holds
        ``dataset``, ``title``, ``origin``, ``usual_sample_size``, ``net_responses`` and
        ``multiple_response``.

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
    check_choice("conflicts", conflicts, ("prefer", "all"))
    check_choice("undated", undated, ("keep", "drop"))
    users = user_catalogue()
    if name in users:
        return _load_user(name, users[name], conflicts=conflicts, undated=undated)
    return _load_bundled(name, conflicts=conflicts, undated=undated)


def _load_user(name: str, saved: dict[str, Any], *, conflicts: str, undated: str,
               quiet: bool = False) -> pd.DataFrame:
    """A user dataset; one that extends a bundled dataset is the bundled rows plus the user's."""
    import warnings

    from polls.errors import PollsWarning

    rows = read_user_rows(name)
    if saved.get("extends") in _catalogue():
        base = _load_bundled(name, conflicts=conflicts, undated="keep")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = add_waves(base, rows, on_conflict="keep", new_responses=True)
        for w in [] if quiet else caught:  # say where the rows come from
            warnings.warn(f"user dataset {name!r} ({saved['path']}): {w.message}",
                          PollsWarning, stacklevel=3)
    else:
        frame = rows
        if conflicts == "all":
            frame["preferred"] = True
    if undated == "drop":
        keep = frame["fieldwork_end"].notna()
        attrs = dict(frame.attrs)
        frame = frame[keep.to_numpy()].reset_index(drop=True)
        frame.attrs = {**attrs, "dropped_undated": int((~keep).sum())}
    frame.attrs["origin"] = "bundled+user" if saved.get("extends") else "user"
    return frame


def _load_bundled(name: str, *, conflicts: str, undated: str) -> pd.DataFrame:
    """A bundled dataset, as :func:`load_dataset` describes."""
    meta = _meta(name)
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
    for col in ("population", "mode", "source_url", "source_kind", FLAGS_COLUMN):
        frame[col] = raw[col].replace("", None)
    _place_in_wave(frame, raw)
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
        "origin": "bundled",
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


def published_list_experiments() -> pd.DataFrame:
    """Published summary figures of Russian list experiments, as shipped with the package.

    One row per study and arm (``control``, ``treatment``, ``direct``). Figures are as printed:
    ``mean_count``; percentages as published in ``estimate_percent`` (and ``ci_low_percent``,
    ``ci_high_percent``) with the same figures as proportions in ``estimate``, ``ci_low``,
    ``ci_high``. A blank is a figure that was not found, never a zero. ``evidence`` says how
    firm the figure is (printed, approximate, preliminary, secondary, design only), ``note``
    what is missing, ``source_url`` where it was read. ``attrs["metadata"]`` holds the sidecar.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import polls
    >>> df = polls.published_list_experiments()
    >>> df.loc[(df.study_id == "CS2022") & (df.arm == "direct"), "estimate"].item()
    0.71
    """
    base = _files()
    with base.joinpath("list-experiments.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"study_id": "string", "arm": "string"})
    with base.joinpath("list-experiments.json").open("r", encoding="utf-8") as fh:
        meta = json.load(fh)
    for col in ("n_control_items", "n"):
        df[col] = df[col].astype("Int64")
    df.attrs["metadata"] = meta
    return df
