"""Adding waves to a toplines frame: :func:`add_waves`.

New rows are checked like a file (canonical columns, proportions, dates, a source on every row),
then placed by the rules of :mod:`polls.datasets._waves`: a month-only row joins the day-dated
wave of its month, a repeated figure is set aside in favour of the preferred row, and a different
figure for a wave and response already present is a conflict, raised or kept and reported,
never written over.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from polls._checks import check_choice
from polls.datasets._waves import group_ids, place_in_waves, rank
from polls.errors import InvalidArgumentError, PollsWarning, SchemaError
from polls.schema import COLUMNS, FLAGS_COLUMN, coerce_dtypes, validate_toplines

__all__ = ["add_waves"]

#: Columns a new row may take from the frame when the frame holds one value for them.
INHERITED = ("pollster", "country", "series", "question", "population", "mode")
USER_PREFIX = "user-"


def _where(i: int) -> str:
    return f"new_rows row {i}"


def _dates(new: pd.DataFrame, problems: list[str]) -> dict[str, pd.Series]:
    """Fieldwork and publication dates from texts ('2026-03', '2026-03-12', ...) or datetimes.

    A month-only start with no end ends with its month; the precision is ``month`` when either
    end names only a month.
    """
    from polls._dates import parse_date_series

    parsed: dict[str, pd.DataFrame] = {}
    for col in ("fieldwork_start", "fieldwork_end", "published"):
        values = new[col] if col in new.columns else pd.Series(pd.NaT, index=new.index)
        if pd.api.types.is_datetime64_any_dtype(values) or values.isna().all():
            when = pd.to_datetime(values).astype("datetime64[ns]")
            parsed[col] = pd.DataFrame({"start": when, "end": when, "precision": pd.Series(
                "day", index=new.index, dtype="string").where(when.notna())})
            continue
        text = values.astype("string").str.strip().replace("", pd.NA)
        got, errors = parse_date_series(text)
        for i, reason in errors.items():
            problems.append(f"{_where(i)}, column {col!r}: cannot read the date {text[i]!r} "
                            f"({reason})")
        parsed[col] = got
    start, end = parsed["fieldwork_start"], parsed["fieldwork_end"]
    levels = pd.concat([start["precision"], end["precision"]], axis=1)
    month = levels.eq("month").any(axis=1)
    dated = start["start"].notna() | end["end"].notna()
    published = parsed["published"]["start"].astype("datetime64[ns]")
    precision = np.where(month, "month", np.where(dated, "day", np.where(
        published.notna(), "published", None)))
    out = {"fieldwork_start": start["start"].astype("datetime64[ns]"),
           "fieldwork_end": end["end"].fillna(start["end"].where(
               start["precision"].eq("month").fillna(False))).astype("datetime64[ns]"),
           "published": published,
           "date_precision": pd.Series(precision, index=new.index, dtype="string")}
    if "date_precision" in new.columns:
        out["date_precision"] = new["date_precision"].astype("string").fillna(
            out["date_precision"])
    return out


def _prepare(frame: pd.DataFrame, new_rows: pd.DataFrame, *, new_responses: bool
             ) -> pd.DataFrame:
    """New rows as canonical rows marked as the user's; every problem listed at once."""
    problems: list[str] = []
    allowed = set(COLUMNS) | {"subgroup", "note"}
    unknown = [c for c in new_rows.columns if c not in allowed]
    if unknown:
        problems.append(f"new_rows has non-canonical column(s) {unknown}; canonical columns are "
                        f"{list(COLUMNS)}")
    for col in ("response", "share", "source_url"):
        if col not in new_rows.columns:
            problems.append(f"new_rows lacks the column {col!r} (every figure needs its "
                            "response, its share and the address that published it)")
    if problems:
        raise SchemaError(problems, source="new_rows")
    new = new_rows.reset_index(drop=True)
    new.index = new.index + 1  # row numbers as a person counts them
    out = pd.DataFrame(index=new.index)
    for col in INHERITED:
        given = new[col] if col in new.columns else pd.Series(pd.NA, index=new.index)
        known = frame[col].dropna().unique() if col in frame.columns else []
        if given.isna().any() and len(known) == 1:
            given = given.fillna(known[0])
        elif given.isna().any() and col in ("series", "question") and len(known) > 1:
            for i in new.index[given.isna()]:
                problems.append(f"{_where(i)}, column {col!r}: missing, and the frame holds "
                                f"several ({len(known)}); say which")
        out[col] = given.astype("string")
    out = out.assign(**_dates(new, problems))
    share = pd.to_numeric(new["share"], errors="coerce")
    for i in new.index[share.isna()]:
        problems.append(f"{_where(i)}, column 'share': not a number: {new.loc[i, 'share']!r}")
    if (share > 1).any():
        rows = ", ".join(str(i) for i in new.index[share > 1])
        problems.append(f"new_rows row(s) {rows}, column 'share': shares are proportions (0.52, "
                        "not 52); these look like percents: divide by 100")
    out["share"] = share
    out["precision"] = (pd.to_numeric(new["precision"], errors="coerce")
                        if "precision" in new.columns else np.nan)
    out["sample_size"] = (pd.to_numeric(new["sample_size"], errors="coerce").astype("Int64")
                          if "sample_size" in new.columns else pd.NA)
    url = new["source_url"].astype("string").str.strip()
    for i in new.index[url.isna() | (url == "")]:
        problems.append(f"{_where(i)}, column 'source_url': missing (every figure needs the "
                        "address that published it)")
    out["source_url"] = url
    if "source_kind" in new.columns:
        for i, kind in new["source_kind"].dropna().items():
            if kind != "user":
                problems.append(f"{_where(i)}, column 'source_kind': {kind!r}: rows added here "
                                "are marked 'user' (the source address says who published it)")
    out["source_kind"] = "user"
    out[FLAGS_COLUMN] = new[FLAGS_COLUMN] if FLAGS_COLUMN in new.columns else pd.NA
    response = new["response"].astype("string")
    known = list(frame["response"].cat.categories) if isinstance(
        frame["response"].dtype, pd.CategoricalDtype) else list(frame["response"].unique())
    fresh = [r for r in dict.fromkeys(response.dropna()) if r not in known]
    if fresh and not new_responses and len(frame):
        for i in new.index[response.isin(fresh)]:
            problems.append(f"{_where(i)}, column 'response': {response[i]!r} is not a response "
                            f"of this dataset ({known}); pass new_responses=True to add it")
    out["response"] = pd.Categorical(response, categories=[*known, *fresh], ordered=True)
    for col in ("subgroup", "note"):
        if col in new.columns:
            out[col] = new[col].astype("string")
    if problems:
        raise SchemaError(problems, source="new_rows")
    start = _next_user_number(frame)
    out["row_id"] = [f"{USER_PREFIX}{start + k}" for k in range(len(out))]
    return out


def _next_user_number(frame: pd.DataFrame) -> int:
    if "row_id" not in frame.columns:
        return 1
    ids = frame["row_id"].dropna().astype(str)
    numbers = pd.to_numeric(ids[ids.str.startswith(USER_PREFIX)].str[len(USER_PREFIX):],
                            errors="coerce").dropna()
    return int(numbers.max()) + 1 if len(numbers) else 1


def _describe(row: pd.Series) -> str:
    when = (f"{row['fieldwork_start']:%Y-%m-%d}..{row['fieldwork_end']:%Y-%m-%d}"
            if pd.notna(row["fieldwork_start"]) and pd.notna(row["fieldwork_end"])
            else "undated")
    return f"{row.get('series', '')} {when} {row['response']!r}"


def add_waves(frame: pd.DataFrame, new_rows: pd.DataFrame, *, on_conflict: str = "raise",
              new_responses: bool = False) -> pd.DataFrame:
    """Add rows (a wave published last week, say) to a toplines frame, keeping its settings.

    The new rows are checked (canonical columns, shares as proportions, readable dates, a
    ``source_url`` on every row, responses the dataset knows), marked as the user's
    (``source_kind`` ``"user"``, ``row_id`` ``"user-1"``, ...) and placed by the rules of the
    bundled data: a month-only row joins the day-dated wave of its month (flag ``wave_days``);
    a figure equal to one already there for the same wave and response is set aside in favour
    of the preferred row (the day-dated one); a different figure is a conflict.

    Parameters
    ----------
    frame : pandas.DataFrame
        A toplines frame, e.g. from :func:`polls.load_dataset` (its ``attrs`` are kept).
    new_rows : pandas.DataFrame
        The new figures: ``response``, ``share`` (a proportion) and ``source_url`` on every row;
        ``fieldwork_start``/``fieldwork_end`` as dates or texts (``"2026-03"``,
        ``"2026-03-12"``); optionally ``sample_size``, ``published``, ``precision``, ``mode``...
        ``pollster``, ``country``, ``series``, ``question``, ``population`` and ``mode`` are
        taken from ``frame`` when missing and the frame holds one value for them.
    on_conflict : {"raise", "keep"}, default "raise"
        A new figure that differs from one already in the frame for the same wave and response:
        ``"raise"`` stops with a :class:`~polls.SchemaError` naming both; ``"keep"`` keeps both,
        flags them ``conflict``, warns and lists them in ``attrs["conflicts"]``.
    new_responses : bool, default False
        Allow responses the frame does not have (otherwise a likely typo is an error).

    Returns
    -------
    pandas.DataFrame
        The frame with the new rows, sorted like :func:`polls.load_dataset`, ``attrs`` kept;
        rows set aside as repeats are listed in ``attrs["set_aside"]`` (or kept with
        ``preferred`` False when the frame has that column).

    Raises
    ------
    SchemaError
        For bad new rows (every problem listed, by row number) or a conflict.

    Examples
    --------
    >>> import pandas as pd, polls
    >>> df = polls.load_dataset("levada-war-support")
    >>> new = pd.DataFrame({"fieldwork_start": "2026-03-19", "fieldwork_end": "2026-03-25",
    ...                     "response": ["support (total)"], "share": [0.74],  # synthetic
    ...                     "source_url": ["https://example.org/synthetic-march-release"]})
    >>> more = polls.add_waves(df, new)
    >>> more["source_kind"].iloc[-1], more.attrs["dataset"], len(more) - len(df)
    ('user', 'levada-war-support', 1)
    """
    if not isinstance(frame, pd.DataFrame) or not isinstance(new_rows, pd.DataFrame):
        raise InvalidArgumentError("frame and new_rows must be pandas DataFrames, got "
                                   f"{type(frame).__name__} and {type(new_rows).__name__}")
    check_choice("on_conflict", on_conflict, ("raise", "keep"))
    missing = [c for c in ("response", "share") if c not in frame.columns]
    if missing:
        raise InvalidArgumentError(f"frame lacks the toplines column(s) {missing}")
    new = _prepare(frame, new_rows, new_responses=new_responses)
    old = frame.copy()
    old["response"] = old["response"].astype(new["response"].dtype)
    combined = pd.concat([old, new.reindex(columns=old.columns)], ignore_index=True)
    is_new = np.r_[np.zeros(len(old), bool), np.ones(len(new), bool)]
    combined = coerce_dtypes(combined)
    combined = place_in_waves(combined)
    combined, set_aside, conflicts = _resolve(combined, is_new, on_conflict)
    attrs = dict(frame.attrs)
    validate_toplines(combined.drop(columns="preferred", errors="ignore"),
                      source="frame with new rows",
                      multiple_response=attrs.get("multiple_response"),
                      net_responses=attrs.get("net_responses"))
    order = ["fieldwork_end", "fieldwork_start", "published", "question", "response", "row_id"]
    order = [c for c in order if c in combined.columns]
    combined = combined.sort_values(order, na_position="last", kind="stable").reset_index(
        drop=True)
    if set_aside:
        attrs["set_aside"] = [*attrs.get("set_aside", []), *set_aside]
    if conflicts:
        attrs["conflicts"] = [*attrs.get("conflicts", []), *conflicts]
    combined.attrs = attrs
    return combined


def _resolve(combined: pd.DataFrame, is_new: np.ndarray, on_conflict: str):
    """Apply the preference rules to every group that holds a new row."""
    groups = group_ids(combined)
    touched = set(groups[is_new])
    has_preferred = "preferred" in combined.columns
    if has_preferred:
        combined["preferred"] = combined["preferred"].fillna(True).astype(bool)
    drop, set_aside, conflicts, problems = [], [], [], []
    for gid in touched:
        members = combined.index[(groups == gid).to_numpy()]
        if has_preferred:
            members = members[combined.loc[members, "preferred"].to_numpy()]
        if len(members) < 2:
            continue
        group = combined.loc[members]
        ranked, reason = rank(group)
        if group["share"].nunique() == 1:
            for i in ranked[1:]:
                set_aside.append({"row_id": combined.loc[i, "row_id"],
                                  "preferred_row": combined.loc[ranked[0], "row_id"],
                                  "reason": reason})
                if has_preferred:
                    combined.loc[i, "preferred"] = False
                else:
                    drop.append(i)
            continue
        text = "; ".join(f"{combined.loc[i, 'share']:.4g} in row {combined.loc[i, 'row_id']} "
                         f"({combined.loc[i, 'source_url']})" for i in ranked)
        if on_conflict == "raise":
            problems.append(f"{_describe(group.iloc[0])}: the figures differ: {text}; pass "
                            "on_conflict='keep' to keep both as a reported conflict")
            continue
        conflicts.append({"rows": [combined.loc[i, "row_id"] for i in ranked],
                          "shares": [float(combined.loc[i, "share"]) for i in ranked]})
        flags = combined.loc[members, FLAGS_COLUMN].fillna("")
        combined.loc[members, FLAGS_COLUMN] = [
            f if "conflict" in f.split(";") else ";".join(filter(None, [f, "conflict"]))
            for f in flags]
    if problems:
        raise SchemaError(problems, source="new_rows")
    if conflicts:
        warnings.warn(f"{len(conflicts)} new figure(s) differ from figures already in the frame; "
                      "both kept, flagged 'conflict' (see attrs['conflicts'])", PollsWarning,
                      stacklevel=3)
    if set_aside:
        warnings.warn(f"{len(set_aside)} row(s) repeat a figure already there for the same wave "
                      "and response; the preferred row is kept (see attrs['set_aside'])",
                      PollsWarning, stacklevel=3)
    return combined.drop(index=drop), set_aside, conflicts
