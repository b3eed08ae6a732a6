"""Helpers shared by the functions that take a toplines frame (private).

One rule for sample sizes everywhere: a row's stated sample size; else the caller's
``default_n``; else ``data.attrs["usual_sample_size"]`` (the pollster's usual design, set by
:func:`polls.load_dataset`; a dict of sizes by series when several datasets were loaded
together); else an error that lists the rows (or, when asked, a missing value
marked as such).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_positive
from polls.errors import InvalidArgumentError

#: Where a row's sample size came from.
N_SOURCES = ("stated", "default", "missing")


def row_labels(data: pd.DataFrame, mask: np.ndarray, limit: int = 10) -> str:
    """Index labels (and curated row ids, when present) of the rows in ``mask``, for messages."""
    idx = data.index[mask]
    if "row_id" in data.columns:
        labels = [f"{i!r} (row_id {r})" for i, r in zip(idx, data.loc[mask, "row_id"], strict=True)]
    else:
        labels = [repr(i) for i in idx]
    more = f" and {len(labels) - limit} more" if len(labels) > limit else ""
    return ", ".join(labels[:limit]) + more


def check_share_values(data: pd.DataFrame, column: str, values: np.ndarray,
                       rows: np.ndarray | None = None) -> None:
    """Raise unless ``values`` (the numbers of ``data[column]``; NaN is left to the caller) are
    proportions in [0, 1], naming the value and the rows; only ``rows`` are checked when given."""
    bad = ~np.isnan(values) & ((values < 0) | (values > 1))
    if rows is not None:
        bad &= rows
    if bad.any():
        first = float(values[np.flatnonzero(bad)[0]])
        hint = " (pass shares as proportions, e.g. 0.76 rather than 76)" if first > 1 else ""
        raise InvalidArgumentError(
            f"share={column!r}: shares must lie in [0, 1], got {first!r}{hint}; rows "
            f"{row_labels(data, bad)}")


def default_sample_sizes(
    data: pd.DataFrame, default_n: Any = None, rows: np.ndarray | None = None
) -> np.ndarray:
    """The default sample size of each row (of ``rows``, when given): ``default_n``, else
    ``data.attrs["usual_sample_size"]`` (a number, or a dict by series), else NaN."""
    size = len(data) if rows is None else len(np.arange(len(data))[rows])
    fallback = np.full(size, np.nan)
    if default_n is not None:
        fallback[:] = check_positive("default_n", default_n)
        return fallback
    usual = data.attrs.get("usual_sample_size")
    if isinstance(usual, dict):  # several datasets: one usual size per series
        if "series" in data.columns:
            series = data["series"] if rows is None else data["series"].iloc[rows]
            fallback = (series.astype(object).map(usual).astype(float)
                        .to_numpy(dtype=float, na_value=np.nan))
    elif usual is not None and not pd.isna(usual):
        fallback[:] = check_positive("usual_sample_size", usual)
    return fallback


def _stated_sizes(data: pd.DataFrame, n: str) -> np.ndarray:
    """The numbers of column ``n``; text as people print it ("1 600", "1,600") is read by the
    readers' parser, and text that is no number is an error, not a missing size."""
    column = data[n]
    if pd.api.types.is_numeric_dtype(column):
        return column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    from polls._numbers import parse_counts

    text = column.astype("string")
    values = parse_counts(text.fillna("").to_numpy(dtype=object))
    bad = text.notna().to_numpy() & np.isnan(values) & (text.str.strip() != "").to_numpy(
        dtype=bool, na_value=False)
    if bad.any():
        first = column[bad].iloc[0]
        raise InvalidArgumentError(
            f"column {n!r} must hold sample sizes, got {first!r}; rows {row_labels(data, bad)}")
    return values


def resolve_sample_sizes(
    data: pd.DataFrame,
    n: str | None = "sample_size",
    default_n: Any = None,
    *,
    missing: str = "raise",
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row sample sizes and where each came from (``"stated"``, ``"default"``, ``"missing"``).

    ``missing="raise"`` (the default) raises when a row has neither a stated size nor a default;
    ``missing="keep"`` leaves NaN there, marked ``"missing"``.
    """
    if n is not None and not isinstance(n, str):
        raise InvalidArgumentError(
            f"n must be a column name, got {n!r} (use default_n= for a number)")
    if n is not None and n in data.columns:
        values = _stated_sizes(data, n)
    else:
        values = np.full(len(data), np.nan)
    stated = ~np.isnan(values)
    bad = stated & ~(values > 0)
    if bad.any():
        raise InvalidArgumentError(
            f"column {n!r} must hold positive sample sizes; rows {row_labels(data, bad)}")
    source = np.where(stated, "stated", "default").astype(object)
    if not stated.all():
        values = np.where(stated, values, default_sample_sizes(data, default_n))
        unknown = np.isnan(values)
        if not unknown.any():
            pass
        elif missing == "keep":
            source[unknown] = "missing"
        else:
            raise InvalidArgumentError(
                f"{int(unknown.sum())} row(s) have no sample size in column {n!r} and no "
                "default is known: pass default_n= (e.g. the pollster's usual sample size), or "
                f"missing_n='keep' where offered. Rows: {row_labels(data, unknown)}")
    return values, source
