"""The canonical toplines frame: its columns, dtypes and :func:`validate_toplines`.

One row per poll wave x question x response (x subgroup, where a table is broken down). Shares are
proportions in [0, 1]; dates are ``datetime64``; ``response`` is an ordered categorical.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from polls.errors import InvalidArgumentError, SchemaError

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "OPTIONAL_COLUMNS", "FLAGS", "FLAGS_COLUMN",
           "SOURCE_KINDS", "validate_toplines"]

#: Name of the column holding a row's flags (not ``flags``: that is pandas' own ``df.flags``).
FLAGS_COLUMN = "row_flags"

#: Canonical columns, in order, with their pandas dtypes.
DTYPES: dict[str, str] = {
    "pollster": "string",
    "country": "string",
    "series": "string",
    "question": "string",
    "fieldwork_start": "datetime64[ns]",
    "fieldwork_end": "datetime64[ns]",
    "date_precision": "string",
    "published": "datetime64[ns]",
    "sample_size": "Int64",
    "population": "string",
    "mode": "string",
    "response": "category",
    "share": "float64",
    "precision": "float64",
    "source_url": "string",
    "source_kind": "category",
    FLAGS_COLUMN: "string",
    "row_id": "string",
}
COLUMNS: tuple[str, ...] = tuple(DTYPES)
#: Columns a frame must have for any analysis.
REQUIRED_COLUMNS: tuple[str, ...] = ("response", "share")
#: Extra columns a toplines frame may carry (a breakdown, a free-text note).
OPTIONAL_COLUMNS: dict[str, str] = {"subgroup": "string", "note": "string"}
#: The machine-readable flags a row may carry (``;``-separated in ``row_flags``) and their meaning.
FLAGS: dict[str, str] = {
    "secondary": "not the pollster's own publication: a data compilation or a media relay (see "
    "source_kind)",
    "conflict": "sources disagree on this figure for this wave and response; every source's row "
    "is kept (load_dataset(..., conflicts='all'))",
    "date_or_detail_inferred": "the month, the year or another detail was inferred from "
    "context, not printed by the source",
    "end_only": "only the end of fieldwork is known (e.g. VCIOM's weekly tables label each week "
    "by its last day)",
    "undated": "the source gives no fieldwork date ('published' holds the publication date "
    "where known)",
    "wave_days": "the source gives only the month; the fieldwork days shown are those of the "
    "same wave as another source dates it (the month is the source's)",
    "below_precision": "the pollster printed the figure as below its precision ('<1', '< 0,5'): "
    "the share is missing, the bound is in attrs['below_precision']",
}
#: Where a row's figure was published (column ``source_kind``), from most to least direct.
SOURCE_KINDS: dict[str, str] = {
    "pollster": "the pollster's own publication (or the commissioning organisation's)",
    "compilation": "a public data compilation of the pollster's tables",
    "media": "a news outlet, blog, mirror or other relay",
    "user": "added by the user (polls.add_waves), with the source the user gives",
}
DATE_PRECISIONS: tuple[str, ...] = ("day", "month", "published")

#: Columns that identify one wave of one question (plus ``subgroup`` when present).
WAVE_KEYS: tuple[str, ...] = ("pollster", "series", "fieldwork_start", "fieldwork_end")


def empty_toplines() -> pd.DataFrame:
    """An empty frame with the canonical columns and dtypes."""
    return coerce_dtypes(pd.DataFrame({c: [] for c in COLUMNS}))


def coerce_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Give every canonical column present its canonical dtype (in place on a copy); add none."""
    out = frame.copy()
    for col, dtype in {**DTYPES, **OPTIONAL_COLUMNS}.items():
        if col not in out.columns:
            continue
        if col == "source_kind":
            # fixed categories; an unknown value is kept (as an extra category) for
            # validate_toplines to report, never turned into a missing value
            values = out[col].to_numpy(dtype=object, na_value=None)
            extra = [v for v in pd.unique(values[pd.notna(values)]).astype(str)
                     if v not in SOURCE_KINDS]
            out[col] = pd.Categorical(values, categories=[*SOURCE_KINDS, *extra])
        elif dtype == "category":
            if not isinstance(out[col].dtype, pd.CategoricalDtype):
                cats = list(dict.fromkeys(out[col].dropna().astype(str)))
                out[col] = pd.Categorical(out[col], categories=cats, ordered=True)
        elif dtype.startswith("datetime64"):
            out[col] = pd.to_datetime(out[col]).astype(dtype)
        else:
            out[col] = out[col].astype(dtype)
    return out


def _where(frame: pd.DataFrame, idx, source: str | None) -> str:
    """'row N' text for a problem: the file row when ``_source_row`` is present, else the index."""
    file = f"file {source}, " if source else ""
    if "_source_row" in frame.columns:
        return f"{file}row {frame.loc[idx, '_source_row']}"
    return f"{file}index {_show(idx)}"


def _show(value: object) -> str:
    """A value as a problem line shows it: plain Python repr, dates as YYYY-MM-DD."""
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _group_codes(frame: pd.DataFrame, columns: list[str],
                 within: np.ndarray | None = None, dense: bool = True) -> np.ndarray:
    """A number per distinct combination of ``columns`` (within each group of ``within``;
    missing values are a value like any other), numbered 0, 1, ... in order of first
    appearance (``dense``; else numbers as combined, equal exactly for equal combinations):
    what ``groupby(..., dropna=False).ngroup()`` tells apart, from the codes of each
    column."""
    key = np.zeros(len(frame), dtype=np.int64) if within is None else within
    size = int(key.max(initial=-1)) + 1
    for col in columns:
        if frame[col].isna().all():  # one value throughout: it tells nothing apart
            continue
        codes, uniques = pd.factorize(frame[col], use_na_sentinel=False)
        width = max(len(uniques), 1)
        if size * width >= 2**62:  # the combined key would overflow: number it afresh
            key, seen = pd.factorize(key)
            size = len(seen)
        key = key * width + np.asarray(codes, dtype=np.int64)
        size *= width
    return np.asarray(pd.factorize(key)[0], dtype=np.int64) if dense else key


def _unknown_flags(flags: pd.Series) -> list[tuple[object, str]]:
    """(index, flag) of each flag in ``flags`` that :data:`FLAGS` does not know, in row order;
    a text column's distinct values are split once each."""
    flags = flags.dropna()
    if not pd.api.types.is_string_dtype(flags.dtype) or flags.dtype == object:
        return [(idx, flag) for idx, val in flags.items() for flag in str(val).split(";")
                if flag and flag not in FLAGS]
    codes, values = pd.factorize(flags)
    unknown = [[f for f in str(v).split(";") if f and f not in FLAGS] for v in values]
    bad = np.array([bool(u) for u in unknown] + [False])[codes]
    return [(idx, flag) for idx, c in zip(flags.index[bad], codes[bad], strict=True)
            for flag in unknown[c]]


def validate_toplines(
    frame: pd.DataFrame,
    *,
    source: str | None = None,
    multiple_response: bool | Iterable[str] | None = None,
    net_responses: Iterable[str] | None = None,
    max_span_days: int = 366,
) -> pd.DataFrame:
    """Check a toplines frame against the canonical schema and return it unchanged.

    Every problem is collected before raising, so one call lists them all.

    Parameters
    ----------
    frame : pandas.DataFrame
        A toplines frame (see ``DESIGN.md`` / :data:`COLUMNS`).
    source : str, optional
        A file name to mention in messages.
    multiple_response : bool or iterable of str, optional
        ``True`` when respondents could pick several answers (shares may then sum past 100%), or the
        series slugs for which that holds. Default: ``frame.attrs["multiple_response"]`` (set by
        :func:`polls.load_dataset`), else False.
    net_responses : iterable of str, optional
        Responses that are published sums of other responses (e.g. ``"support (total)"``); they
        are left out of the sum check. Default: ``frame.attrs["net_responses"]``, else none.
    max_span_days : int, default 366
        Fieldwork longer than this is reported as a probable typo.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself, when it passes.

    Raises
    ------
    SchemaError
        With ``.problems``: one line per problem, naming the row, the column and the value.

    Examples
    --------
    >>> import polls
    >>> df = polls.load_dataset("levada-war-support")
    >>> polls.validate_toplines(df) is df
    True
    """
    return _validate(frame, source=source, multiple_response=multiple_response,
                     net_responses=net_responses, max_span_days=max_span_days)


def _wave_codes(frame: pd.DataFrame, columns: list[str], finer: np.ndarray | None) -> np.ndarray:
    """:func:`_group_codes` of ``columns``; ``finer`` (if given) numbers groups of rows 0, 1,
    ... within which every column but ``source_url`` holds one value, so one row of each
    group is enough to tell the waves apart."""
    if finer is None or not columns or not len(frame):
        return _group_codes(frame, columns)
    if "source_url" in columns and not frame["source_url"].isna().all():
        finer = _group_codes(frame, ["source_url"], finer)
    first = np.full(int(finer.max()) + 1, len(frame), dtype=np.int64)
    np.minimum.at(first, finer, np.arange(len(frame), dtype=np.int64))
    return _group_codes(frame[columns].take(first), columns)[finer]


def _validate(frame: pd.DataFrame, *, source: str | None = None,
              multiple_response: bool | Iterable[str] | None = None,
              net_responses: Iterable[str] | None = None, max_span_days: int = 366,
              finer: np.ndarray | None = None) -> pd.DataFrame:
    """:func:`validate_toplines`, with ``finer`` as :func:`_wave_codes` takes it (the reader
    knows its waves)."""
    if not isinstance(frame, pd.DataFrame):
        raise InvalidArgumentError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if multiple_response is None:
        multiple_response = frame.attrs.get("multiple_response", False)
        if not isinstance(multiple_response, bool):  # series slugs, from stacked datasets
            multiple_response = list(multiple_response)
    nets = set(frame.attrs.get("net_responses", ()) if net_responses is None else net_responses)
    problems: list[str] = []
    known = set(COLUMNS) | set(OPTIONAL_COLUMNS) | {"_source_row"}
    unknown = [c for c in frame.columns if c not in known]
    if unknown:
        problems.append(f"unknown column(s) {unknown}; canonical columns are {list(COLUMNS)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        problems.append(f"missing required column(s) {missing}")
        raise SchemaError(problems, source=source)

    share = pd.to_numeric(frame["share"], errors="coerce")
    for idx in frame.index[share.isna() & frame["share"].notna()]:
        problems.append(f"{_where(frame, idx, source)}, column 'share': not a number: "
                        f"{_show(frame.loc[idx, 'share'])}")
    # a figure printed as below the pollster's precision ('<1') is a row with no share
    below = (frame[FLAGS_COLUMN].astype("string").str.contains("below_precision", regex=False)
             .fillna(False).astype(bool) if FLAGS_COLUMN in frame.columns
             else pd.Series(False, index=frame.index))
    for idx in frame.index[share.isna() & frame["share"].isna() & ~below]:
        problems.append(f"{_where(frame, idx, source)}, column 'share': missing value "
                        "(an unpublished figure is not a row; one printed as below the "
                        "precision carries the flag 'below_precision')")
    for idx in frame.index[(share < 0) | (share > 1)]:
        problems.append(f"{_where(frame, idx, source)}, column 'share': {_show(share[idx])} is "
                        "outside [0, 1] (shares are proportions)")
    for idx in frame.index[frame["response"].isna()]:
        problems.append(f"{_where(frame, idx, source)}, column 'response': missing value")

    if "sample_size" in frame.columns:
        n = pd.to_numeric(frame["sample_size"], errors="coerce")
        for idx in frame.index[n.isna() & frame["sample_size"].notna()]:
            problems.append(f"{_where(frame, idx, source)}, column 'sample_size': not a number: "
                            f"{_show(frame.loc[idx, 'sample_size'])}")
        for idx in frame.index[n.notna() & (n <= 0)]:
            problems.append(f"{_where(frame, idx, source)}, column 'sample_size': "
                            f"{_show(n[idx])} is not positive")
    if "precision" in frame.columns:
        prec = pd.to_numeric(frame["precision"], errors="coerce")
        for idx in frame.index[prec.notna() & ((prec < 0) | (prec > 0.1))]:
            problems.append(f"{_where(frame, idx, source)}, column 'precision': "
                            f"{_show(prec[idx])} is not a rounding step between 0 and 0.1")
    if "date_precision" in frame.columns:
        bad = frame["date_precision"].notna() & ~frame["date_precision"].isin(DATE_PRECISIONS)
        for idx in frame.index[bad]:
            problems.append(f"{_where(frame, idx, source)}, column 'date_precision': "
                            f"{_show(frame.loc[idx, 'date_precision'])} is not one of "
                            f"{DATE_PRECISIONS}")
    if FLAGS_COLUMN in frame.columns:
        for idx, flag in _unknown_flags(frame[FLAGS_COLUMN]):
            problems.append(f"{_where(frame, idx, source)}, column '{FLAGS_COLUMN}': "
                            f"unknown flag {flag!r} (known: {tuple(FLAGS)})")
    if "source_kind" in frame.columns:
        kind = frame["source_kind"]
        if isinstance(kind.dtype, pd.CategoricalDtype):  # by category, not by row
            known = np.append(kind.cat.categories.isin(list(SOURCE_KINDS)), True)
            bad = ~known[kind.cat.codes.to_numpy()]
        else:
            kind = kind.astype(object)
            bad = (kind.notna() & ~kind.isin(list(SOURCE_KINDS))).to_numpy(dtype=bool)
        shown = kind.astype(object) if bad.any() else kind
        for idx in frame.index[bad]:
            problems.append(f"{_where(frame, idx, source)}, column 'source_kind': "
                            f"{_show(shown[idx])} is not one of {tuple(SOURCE_KINDS)}")

    if {"fieldwork_start", "fieldwork_end"} <= set(frame.columns):
        start = pd.to_datetime(frame["fieldwork_start"], errors="coerce")
        end = pd.to_datetime(frame["fieldwork_end"], errors="coerce")
        for idx in frame.index[end < start]:
            problems.append(f"{_where(frame, idx, source)}, column 'fieldwork_end': "
                            f"{end[idx].date()} is before fieldwork_start {start[idx].date()}")
        span = (end - start).dt.days
        for idx in frame.index[span > max_span_days]:
            problems.append(f"{_where(frame, idx, source)}, column 'fieldwork_end': fieldwork "
                            f"{start[idx].date()} to {end[idx].date()} spans {int(span[idx])} days "
                            "(more than a year: a typo?)")

    keys = [c for c in (*WAVE_KEYS, "question", "subgroup") if c in frame.columns]
    dup_cols = [*keys, "response"]
    if "source_url" in frame.columns:
        dup_cols.append("source_url")
    # each wave (and source) once as a number, then each response within it
    wave_cols = [c for c in dup_cols if c != "response"]
    wave = pd.Series(_wave_codes(frame, wave_cols, finer), index=frame.index)
    pairs = pd.Series(_group_codes(frame, ["response"], wave.to_numpy(), dense=False),
                      index=frame.index)
    dups = pairs.duplicated(keep="first")
    if dups.any():
        group = pairs
        first_of = pd.Series(frame.index, index=frame.index).groupby(group).transform("first")
        for idx in frame.index[dups]:
            earlier = _where(frame, first_of[idx], None)
            problems.append(f"{_where(frame, idx, source)}, column 'response': "
                            f"{_show(frame.loc[idx, 'response'])} duplicates {earlier} "
                            f"(same {', '.join(dup_cols)})")

    if keys:
        mr_all = multiple_response is True
        mr_series = set() if isinstance(multiple_response, bool) else set(multiple_response)
        # the sum of k shares, each rounded to its step, can exceed the true total (at most 1)
        # by half of each step; net responses are not part of the sum, nor of its slack
        is_net = (frame["response"].isin(list(nets)) if nets
                  else pd.Series(False, index=frame.index))
        step = (pd.to_numeric(frame["precision"], errors="coerce").fillna(0.01)
                if "precision" in frame.columns else pd.Series(0.01, index=frame.index))
        work = pd.DataFrame({"_share": share.where(~is_net, 0.0),
                             "_slack": (step / 2).where(~is_net, 0.0)}, index=frame.index)
        if "source_url" in frame.columns:
            keys = [*keys, "source_url"]
        codes = wave.to_numpy()
        sums = work.groupby(codes, sort=True).sum()  # waves are numbered 0, 1, ...
        tolerance = pd.Series(sums["_slack"].to_numpy()[codes], index=frame.index)
        total = pd.Series(sums["_share"].to_numpy()[codes], index=frame.index)
        over = (total > 1 + tolerance + 1e-9) & ~mr_all
        if "series" in frame.columns and mr_series:
            over &= ~frame["series"].isin(mr_series)
        over = over.to_numpy(dtype=bool, copy=True)
        if over.any():  # name each wave once, at its first row
            over &= ~wave.duplicated().to_numpy()
        for idx in frame.index[over]:
            desc = ", ".join(f"{k}={_show(frame.loc[idx, k]).strip(chr(39))}"
                             for k in keys if k != "source_url")
            problems.append(f"{_where(frame, idx, source)}, column 'share': shares of the "
                            f"wave ({desc}) sum to "
                            f"{total[idx]:.4g}, more than 1 plus rounding (pass "
                            "multiple_response= if respondents could pick several answers)")
    if problems:
        raise SchemaError(problems, source=source)
    return frame


def flag_set(flags: object) -> set[str]:
    """The set of flags in a ``row_flags`` cell."""
    if flags is None or (isinstance(flags, float) and np.isnan(flags)) or flags is pd.NA:
        return set()
    return {f for f in str(flags).split(";") if f}
