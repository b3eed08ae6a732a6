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

from polls._checks import as_float_array, check_positive
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


def _full_mask(data: pd.DataFrame, rows: np.ndarray | None, bad: np.ndarray) -> np.ndarray:
    """``bad`` (over the rows selected by the boolean mask ``rows``) as a mask over ``data``."""
    if rows is None:
        return bad
    full = np.zeros(len(data), dtype=bool)
    full[np.flatnonzero(rows)[bad]] = True
    return full


def numbers(data: pd.DataFrame, column: str, argument: str,
            rows: np.ndarray | None = None) -> np.ndarray:
    """The numbers of ``data[column]`` (at the boolean mask ``rows``) as floats, NaN where missing.

    Text that is not a number (``"1 600"``, ``"70%"``) and infinite values raise, naming the
    argument, the column, the first bad value and the rows: a value is never quietly read as
    missing. Numeric text such as ``"1600"`` is read exactly; empty text is missing.
    """
    values = data[column] if rows is None else data[column][rows]
    kind = getattr(values.dtype, "kind", "O")
    if kind in "fiu":
        out = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        if kind in "bMm":
            bad = values.notna().to_numpy()
        else:
            try:
                out = pd.to_numeric(values.astype(object), errors="coerce")
                out = np.asarray(out, dtype=float)
            except (TypeError, ValueError):
                out = np.full(len(values), np.nan)
            blank = values.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(
                dtype=bool)  # an empty cell, as a spreadsheet shows it: missing
            bad = np.isnan(out) & values.notna().to_numpy() & ~blank
        if bad.any():
            first = values.iloc[int(np.flatnonzero(bad)[0])]
            hint = (" (shares are proportions: convert printed percents first, e.g. with "
                    "polls.read_toplines)" if isinstance(first, str) and "%" in first else "")
            raise InvalidArgumentError(
                f"{argument}={column!r}: {int(bad.sum())} value(s) are not numbers, e.g. "
                f"{first!r}{hint}; rows {row_labels(data, _full_mask(data, rows, bad))}")
    inf = np.isinf(out)
    if inf.any():
        raise InvalidArgumentError(
            f"{argument}={column!r}: values must be finite, got {float(out[inf][0])!r}; rows "
            f"{row_labels(data, _full_mask(data, rows, inf))}")
    return out


def dates(data: pd.DataFrame, column: str, argument: str = "date",
          rows: np.ndarray | None = None) -> np.ndarray:
    """The dates of ``data[column]`` (at the boolean mask ``rows``) as ``datetime64[ns]``, NaT
    where missing.

    A datetime column is used as it is; text must be ISO 8601 (``2024-03-31``): other text, and
    dates pandas cannot hold (before 1677 or after 2262), raise naming the rows and the value,
    since guessing day-first or month-first could silently swap them.
    """
    values = data[column] if rows is None else data[column][rows]
    present = values.notna().to_numpy(dtype=bool, copy=True)
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        present &= ~values.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(
            dtype=bool)  # empty text is a missing date
    if getattr(values.dtype, "kind", "O") == "M":
        parsed = values.dt.tz_localize(None) if values.dt.tz is not None else values
    else:
        text = (values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
                if present.any() else present)
        try:
            parsed = pd.Series(pd.to_datetime(
                values.astype(object), format="ISO8601" if text.any() else None,
                errors="coerce"), index=values.index)
        except (TypeError, ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    bad = present & parsed.isna().to_numpy(dtype=bool)
    if parsed.dtype != "datetime64[ns]":
        # pandas may keep another resolution than nanoseconds; converting a date outside the
        # nanosecond range (1677-2262) would wrap around silently, so such dates are refused
        arr = parsed.to_numpy()
        lo, hi = (pd.Timestamp(t).to_datetime64().astype(arr.dtype)
                  for t in (pd.Timestamp.min.ceil("s"), pd.Timestamp.max.floor("s")))
        bad |= ~np.isnat(arr) & ((arr < lo) | (arr > hi))
    if bad.any():
        first = values.iloc[int(np.flatnonzero(bad)[0])]
        raise InvalidArgumentError(
            f"{argument}={column!r}: {int(bad.sum())} value(s) are not dates, e.g. {first!r} "
            "(text dates must be ISO 8601, e.g. '2024-03-31', within 1677-2262; convert others "
            f"with pandas.to_datetime(..., dayfirst=...)); rows "
            f"{row_labels(data, _full_mask(data, rows, bad))}")
    if parsed.dtype != "datetime64[ns]":
        parsed = parsed.astype("datetime64[ns]")
    return parsed.to_numpy(dtype="datetime64[ns]")


def per_row(data: pd.DataFrame, argument: str, value: Any) -> np.ndarray:
    """A number per row of ``data`` from a column name, one number, a Series (paired with the
    rows by index label) or a sequence of ``len(data)`` numbers; missing values raise."""
    if isinstance(value, str):
        if value not in data.columns:
            raise InvalidArgumentError(
                f"{argument}={value!r} is not a column of data (columns: {list(data.columns)})")
        out = numbers(data, value, argument)
        if np.isnan(out).any():
            raise InvalidArgumentError(
                f"{argument}={value!r}: column has missing values in rows "
                f"{row_labels(data, np.isnan(out))}")
        return out
    if isinstance(value, pd.Series) and not value.index.equals(data.index):
        if not value.index.is_unique or not data.index.isin(value.index).all():
            missing = list(data.index[~data.index.isin(value.index)][:3])
            raise InvalidArgumentError(
                f"{argument} is a Series whose index labels do not cover the rows of data "
                f"(pairing by position could match the wrong rows); rows without a value: "
                f"{missing}")
        value = value.reindex(data.index)
    arr = as_float_array(argument, value)
    if arr.size != 1 and arr.shape != (len(data),):
        raise InvalidArgumentError(
            f"{argument} must be one number, a column name or {len(data)} values (one per row "
            f"of data), got {arr.size} values")
    return np.broadcast_to(arr.ravel() if arr.size != 1 else arr.reshape(()), len(data)).astype(
        float)


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


def check_default_n(default_n: Any) -> float | None:
    """``default_n``: None, or one positive finite number (checked even when no row needs it)."""
    if default_n is None:
        return None
    if np.ndim(default_n) != 0:
        raise InvalidArgumentError(f"default_n must be one number, got {default_n!r}")
    return float(check_positive("default_n", default_n))


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
    # text must read as a whole count ("1 600", "1,600"); "12,5" is no sample size
    bad = text.notna().to_numpy() & (np.isnan(values) | (values != np.round(values))) & (
        text.str.strip() != "").to_numpy(dtype=bool, na_value=False)
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
    check_default_n(default_n)
    if n is not None and n in data.columns:
        values = _stated_sizes(data, n)
        infinite = np.isinf(values)
        if infinite.any():
            raise InvalidArgumentError(
                f"n={n!r}: sample sizes must be finite, got {values[infinite][0]!r}; rows "
                f"{row_labels(data, infinite)}")
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
