"""Worst-case (Manski) bounds for shares when some respondents give no answer.

A published share such as "support: 75%" hides the respondents who said "hard to say" or
refused. If nothing is assumed about how they would answer, the share among *everyone* can lie
anywhere between the published share (none of the undecided hold the view) and the published
share plus the undecided share (all of them do). :func:`response_bounds` reports those bounds per
poll wave, with intervals that add sampling error, and the share re-based to decided respondents
(the assumption that the undecided split like everyone else).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_at_least, check_confidence_level, check_positive, critical_value
from polls._frames import check_share_values, numbers, resolve_sample_sizes
from polls._share_limits import _limits
from polls.errors import InvalidArgumentError, PollsWarning

__all__ = ["response_bounds"]

_KEYS = ("pollster", "series", "question", "subgroup", "fieldwork_start", "fieldwork_end")


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson limits for one share from ``n`` effective respondents (NaN when n is unknown)."""
    if not (n > 0) or not math.isfinite(p):
        return float("nan"), float("nan")
    low, high = _limits(np.array([p]), np.array([n]), "wilson", z)
    return float(low[0]), float(high[0])


def response_bounds(
    data: pd.DataFrame,
    *,
    response: str,
    undecided: str | Sequence[str] = ("hard to say", "refused"),
    complement: str | None = None,
    default_n: float | None = None,
    deff: float = 1.0,
    confidence_level: float = 0.95,
    wave: Sequence[str] | None = None,
    response_column: str = "response",
    share: str = "share",
    n: str = "sample_size",
) -> pd.DataFrame:
    """Worst-case bounds on a published share per wave, and the share among decided respondents.

    Parameters
    ----------
    data : pandas.DataFrame
        A toplines frame (one row per wave x response), e.g. from ``polls.load_dataset``.
    response : str
        The response whose share is bounded, e.g. ``"support (total)"``.
    undecided : str or sequence of str, default ("hard to say", "refused")
        Labels of non-answers. In each wave the published ones are summed (Levada, for one,
        usually prints only "hard to say", which then holds the refusals too); the column
        ``undecided_published`` says which were found.
    complement : str, optional
        The opposite response (e.g. ``"do not support (total)"``). Only used for waves where no
        undecided label is published: the upper bound is then ``1 - complement`` (everyone who
        did not give the opposite answer), marked ``method = "remainder"``.
    default_n : float, optional
        Sample size for waves whose ``sample_size`` is missing. Without it,
        ``data.attrs["usual_sample_size"]`` (set by ``polls.load_dataset``) is used; if neither
        exists, an error names the waves.
    deff : float, default 1
        Design effect (at least 1, one number for every wave): the intervals use the effective
        sample size ``n / deff``.
    confidence_level : float, default 0.95
        The interval ``[bounds_ci_low, bounds_ci_high]`` covers the whole range
        ``[lower, upper]`` with at least this probability: each end is a one-sided Wilson bound
        at ``(1 - confidence_level) / 2``.
    wave : sequence of str, optional
        Columns identifying a wave; default: those of ``pollster, series, question, subgroup,
        fieldwork_start, fieldwork_end`` present in ``data`` (rows with no fieldwork date are
        kept apart by ``published``). When ``data`` has a ``preferred`` column (from
        ``load_dataset(..., conflicts="all")``), only the preferred rows are used.
    response_column, share, n : str
        Column names (canonical defaults).

    Returns
    -------
    pandas.DataFrame
        One row per wave: the wave columns, ``share`` (the published share), ``undecided``,
        ``undecided_published``, ``lower`` (= share), ``upper`` (= share + undecided, at most
        1),
        ``bounds_ci_low``, ``bounds_ci_high``, ``rebased`` (= share / (1 - undecided), or
        share / (share + complement) for "remainder" waves),
        ``rebased_ci_low``, ``rebased_ci_high`` (Wilson with the decided respondents'
        effective n), ``confidence_level``, ``n``, ``n_eff``, ``n_source``, ``method`` and
        ``status``. A wave whose undecided share (or the response itself) was not published
        (absent, or a missing value)
        keeps its row with NaN bounds and the reason in ``status``; a
        :class:`~polls.PollsWarning` counts them. Nothing is dropped. A share held as text that
        is not a number (``"70%"``) is an error naming its rows, not an unpublished figure.

    Notes
    -----
    Shares are treated as published; they are rounded (see ``precision``), so ``upper`` can
    differ from ``1 - complement`` by a rounding step or two. When rounded figures add up to
    more than 100%, ``upper`` and ``rebased`` are capped at 1 (a share cannot exceed it).

    Examples
    --------
    >>> import pandas as pd, polls
    >>> df = pd.DataFrame({"series": ["s"] * 3, "response": ["yes", "no", "hard to say"],
    ...                    "share": [0.70, 0.20, 0.10], "sample_size": [1600] * 3})
    >>> out = polls.response_bounds(df, response="yes")
    >>> out[["lower", "upper"]].round(2).values.tolist()
    [[0.7, 0.8]]
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgumentError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    level = check_confidence_level(confidence_level)
    if np.ndim(deff) != 0:
        raise InvalidArgumentError(f"deff must be one number, got {deff!r}")
    deff = float(check_at_least("deff", deff, 1.0))
    if default_n is not None:
        check_positive("default_n", default_n)
    labels = [undecided] if isinstance(undecided, str) else undecided
    if not isinstance(labels, (list, tuple)) or not all(isinstance(x, str) for x in labels):
        raise InvalidArgumentError(
            f"undecided must be a response label or a list of them, got {undecided!r}")
    labels = list(labels)
    for name, value in (("response", response), ("complement", complement)):
        if not isinstance(value, str) and not (name == "complement" and value is None):
            raise InvalidArgumentError(f"{name} must be a response label (text), got {value!r}")
    if not labels:
        raise InvalidArgumentError("undecided must name at least one response label")
    for col in (response_column, share):
        if col not in data.columns:
            raise InvalidArgumentError(
                f"column {col!r} not in data; columns are {list(data.columns)}"
            )
    known = set(data[response_column].dropna().astype(str))
    if response not in known:
        raise InvalidArgumentError(
            f"response {response!r} never appears in column {response_column!r}; "
            f"responses are {sorted(known)}"
        )
    if response in labels:
        raise InvalidArgumentError(f"response {response!r} is also listed as undecided")

    frame = data.copy()
    frame["_resp"] = frame[response_column].astype(str)
    used = [response, *labels] + ([complement] if complement is not None else [])
    relevant = frame["_resp"].isin(used).to_numpy()
    values = np.full(len(frame), np.nan)
    values[relevant] = numbers(data, share, "share", relevant)  # text such as "70%" raises
    check_share_values(data, share, values, relevant)
    frame["_share"] = values
    frame["_n"], frame["_n_source"] = resolve_sample_sizes(data, n, default_n, missing="keep")
    if "preferred" in frame.columns:
        frame = frame[frame["preferred"].astype(bool)]
    keys = list(wave) if wave is not None else [k for k in _KEYS if k in frame.columns]
    for k in keys:
        if k not in frame.columns:
            raise InvalidArgumentError(f"wave column {k!r} not in data")
    if "fieldwork_end" in keys and "published" in frame.columns:
        frame["_undated"] = frame["published"].where(frame["fieldwork_end"].isna())
        keys = keys + ["_undated"]
    z_two = critical_value(level)
    rows = []
    no_n: list[dict] = []
    groups = frame.groupby(keys, dropna=False, sort=False, observed=True) if keys else [((), frame)]
    for key, grp in groups:
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(keys, key, strict=True))
        row.pop("_undated", None)

        out, lacks_n = _wave_bounds(grp, response, labels, complement, level, deff, z_two)
        if lacks_n:
            no_n.append(dict(row))
        row.update(out)
        rows.append(row)
    if no_n:
        raise InvalidArgumentError(
            f"{len(no_n)} wave(s) have no {n!r}, and neither default_n= nor "
            f"data.attrs['usual_sample_size'] is available; first: {no_n[0]}"
        )
    result = pd.DataFrame(rows)
    lacking = result["status"] != "ok"
    if lacking.any():
        counts = result.loc[lacking, "status"].value_counts().to_dict()
        warnings.warn(
            f"{int(lacking.sum())} of {len(result)} wave(s) have no bounds (kept, with the "
            f"reason in 'status'): {counts}",
            PollsWarning,
            stacklevel=2,
        )
    if "fieldwork_end" in result.columns:
        result = result.sort_values([c for c in ("fieldwork_end", "fieldwork_start")
                                     if c in result.columns], kind="stable", na_position="last")
    return BoundsFrame(result.reset_index(drop=True))


def _wave_bounds(grp: pd.DataFrame, response: str, labels: list[str], complement: str | None,
                 level: float, deff: float, z_two: float) -> tuple[dict[str, Any], bool]:
    """One wave's bounds, re-based share and intervals, and whether it lacks a sample size."""
    def one(label: str) -> tuple[float | None, bool]:
        vals = grp.loc[grp["_resp"] == label, "_share"].dropna()
        if vals.empty:
            return None, False
        if vals.nunique() > 1:
            return None, True
        return float(vals.iloc[0]), False

    s, conflict = one(response)
    found = []
    u = 0.0
    for lab in labels:
        v, c = one(lab)
        conflict = conflict or c
        if v is not None:
            found.append(lab)
            u += v
    comp, c = one(complement) if complement is not None else (None, False)
    conflict = conflict or c
    # the wave's sample size: a stated one if any row states it, else the default
    first = int(np.argmin(grp["_n_source"].to_numpy() != "stated"))
    size, n_source = float(grp["_n"].iloc[first]), str(grp["_n_source"].iloc[first])
    nan = float("nan")
    out = {
        "response": response, "share": nan if s is None else s,
        "undecided": u if found else nan, "undecided_published": "; ".join(found),
        "lower": nan, "upper": nan, "bounds_ci_low": nan, "bounds_ci_high": nan,
        "rebased": nan, "rebased_ci_low": nan, "rebased_ci_high": nan,
        "confidence_level": level, "n": size, "n_eff": size / deff, "n_source": n_source,
        "method": "", "status": "ok",
    }
    if conflict:
        out["status"] = "conflicting figures for this wave (resolve them first)"
    elif s is None:
        out["status"] = f"{response!r} not published for this wave"
    elif not found and comp is None:
        out["status"] = "undecided share not published for this wave"
    else:
        if found:
            upper = min(s + u, 1.0)
            out["method"] = "share + undecided"
            out["rebased"] = min(s / (1 - u), 1.0) if u < 1 else nan
        else:
            upper = 1 - comp
            out["undecided"] = nan
            out["method"] = "remainder (1 - complement)"
            out["rebased"] = s / (s + comp) if s + comp > 0 else nan
        out["lower"], out["upper"] = s, upper
        if n_source == "missing":
            return out, True
        n_eff = size / deff
        out["bounds_ci_low"] = _wilson(s, n_eff, z_two)[0]
        out["bounds_ci_high"] = _wilson(upper, n_eff, z_two)[1]
        decided = (1 - u) if found else (s + comp)
        if decided > 0:
            lo, hi = _wilson(out["rebased"], n_eff * decided, z_two)
            out["rebased_ci_low"], out["rebased_ci_high"] = lo, hi
    return out, False


class BoundsFrame(pd.DataFrame):
    """The frame :func:`response_bounds` returns: a pandas DataFrame with a ``summary()``."""

    @property
    def _constructor(self):
        return BoundsFrame

    def summary(self, lang: str = "en", *, wave: int | None = None,
                what: str | None = None) -> str:
        """One wave's bounds in words: the latest wave with bounds, or row position ``wave``.

        ``lang`` is "en", "ru", "sr" or "sr-Cyrl"; ``what`` names the response (default: its
        label, translated).
        """
        from polls._summaries import bounds

        return bounds(self, lang, wave=wave, what=what)
