"""Tables for reading: shares in percent, and a series as waves x responses.

These are for display only: the frames they return hold text or rounded numbers. Analysis
functions keep working on the canonical frame, where shares are proportions and nothing is
rounded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from urllib.parse import urlparse

import pandas as pd

from polls import _i18n
from polls._checks import check_choice
from polls.errors import InvalidArgumentError

__all__ = ["percent_table", "wide_table"]

#: Columns holding shares (or differences of shares) that percent_table converts by default.
SHARE_COLUMNS = (
    "share", "previous_share", "estimate", "difference", "ci_low", "ci_high", "se", "lower",
    "upper", "bounds_ci_low", "bounds_ci_high", "rebased", "rebased_ci_low", "rebased_ci_high",
    "undecided", "filtered_estimate", "filtered_ci_low", "filtered_ci_high",
)


def percent_table(
    data: pd.DataFrame, columns: Sequence[str] | None = None, *, decimals: int = 1,
    lang: str = "en",
) -> pd.DataFrame:
    """A copy of a frame with its share columns shown in percent, rounded for reading.

    Parameters
    ----------
    data : pandas.DataFrame
        Any frame of the package (toplines, ``with_ci``, ``changes``, ``response_bounds``, ...).
    columns : sequence of str, optional
        The columns to convert; default: those of :data:`SHARE_COLUMNS` present in ``data``.
    decimals : int, default 1
        Decimals kept after multiplying by 100.
    lang : {"en", "ru", "sr", "sr-Cyrl"}, default "en"
        In English the percents stay numbers. In Russian and Serbian they become text with a
        decimal comma (blank where missing), and the ``response`` column's labels are
        translated; ``attrs["note"]`` then says that they are translations of the package's
        English labels, not the questionnaire's wording.

    Returns
    -------
    pandas.DataFrame
        A copy; the converted columns hold percents (``0.763`` becomes ``76.3``).

    Examples
    --------
    >>> import pandas as pd, polls
    >>> polls.percent_table(pd.DataFrame({"share": [0.7634], "n": [1600]}))
       share     n
    0   76.3  1600
    >>> polls.percent_table(pd.DataFrame({"response": ["support"], "share": [0.7634]}),
    ...                     lang="ru")
           response share
    0  поддерживают  76,3
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgumentError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    lang = _i18n.check_lang(lang)
    cols = [c for c in SHARE_COLUMNS if c in data.columns] if columns is None else list(columns)
    absent = [c for c in cols if c not in data.columns]
    if absent:
        raise InvalidArgumentError(f"columns {absent} are not in data ({list(data.columns)})")
    out = data.copy()
    for col in cols:
        out[col] = (pd.to_numeric(out[col], errors="raise") * 100).round(decimals)
        if lang != "en":
            out[col] = [_i18n.format_number(v, decimals, lang) for v in out[col]]
    translated = False
    if lang != "en" and "response" in out.columns:
        pairs = [_i18n.response_label(v, lang) if pd.notna(v) else ("", False)
                 for v in out["response"]]
        out["response"] = [text for text, _ in pairs]
        translated = any(flag for _, flag in pairs)
    out.attrs["note"] = _i18n.translation_note(lang) if translated else ""
    return out


def _wave_label(start, end, precision, published, source=None) -> str:
    """How a wave's date reads in a table: days, a month, or the publication date.

    A wave with no end date reads from its start ("2022-05-02.."); one with no date at all names
    its source's site, so that undated figures from different sources stay apart.
    """
    precision = None if pd.isna(precision) else precision
    if precision in ("day", "month") and pd.isna(end) and pd.notna(start):
        return f"{start:%Y-%m-%d}.." if precision == "day" else f"{start:%Y-%m}.."
    if precision == "day" and pd.notna(end):
        if pd.isna(start) or start == end:
            return f"{end:%Y-%m-%d}"
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%Y-%m-%d}..{end:%d}"
        return f"{start:%Y-%m-%d}..{end:%m-%d}"
    if precision == "month" and pd.notna(end):
        if pd.notna(start) and (start.year, start.month) != (end.year, end.month):
            return f"{start:%Y-%m}..{end:%Y-%m}"
        return f"{end:%Y-%m}"
    if pd.notna(published):
        return f"published {published:%Y-%m-%d}"
    if isinstance(source, str) and source:
        host = urlparse(source).netloc.lower().removeprefix("www.")
        return f"undated ({host or source})"
    return "undated"


def _as_printed(share: float, precision: float) -> str:
    """A share as the percent text it was published as (its decimals from the rounding step)."""
    decimals = 0 if not precision > 0 else max(0, round(-math.log10(precision * 100)))
    return f"{share * 100:.{decimals}f}"


def wide_table(data: pd.DataFrame, *, values: str = "text") -> pd.DataFrame:
    """A toplines frame as a table of waves (rows) by responses (columns), in percent.

    Waves are labelled by their fieldwork dates (``2022-04-21..27``, ``2022-03``,
    ``published 2025-08-14`` for figures dated only by publication, ``undated (site)`` for
    figures with no date at all, apart by source) in the frame's order, with the stated sample
    size in column ``n``. Where several sources give different figures for one wave and response
    (``load_dataset(..., conflicts="all")``), the cell shows them side by side (``"52 / 53"``):
    they are never averaged.

    Parameters
    ----------
    data : pandas.DataFrame
        A toplines frame with ``fieldwork_start``, ``fieldwork_end``, ``date_precision``,
        ``published``, ``sample_size``, ``response``, ``share`` and ``precision``.
    values : {"text", "number"}, default "text"
        ``"text"``: each share as printed (its published decimals); ``"number"``: percents as
        floats (then a wave and response may hold only one figure).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import polls
    >>> table = polls.wide_table(polls.load_dataset("levada-war-support"))
    >>> table.loc["2022-04-21..27", ["n", "support (total)"]].tolist()
    ['1616', '74']
    """
    check_choice("values", values, ("text", "number"))
    need = ["fieldwork_start", "fieldwork_end", "date_precision", "published", "sample_size",
            "response", "share", "precision"]
    absent = [c for c in need if c not in data.columns]
    if absent:
        raise InvalidArgumentError(f"data lacks the toplines column(s) {absent}")
    sources = data["source_url"] if "source_url" in data.columns else [None] * len(data)
    labels = [_wave_label(*row) for row in zip(
        data["fieldwork_start"], data["fieldwork_end"], data["date_precision"],
        data["published"], sources, strict=True)]
    work = data.assign(wave=labels)
    order = list(dict.fromkeys(labels))
    if values == "text":
        work["value"] = [_as_printed(s, p) for s, p in zip(work["share"], work["precision"],
                                                             strict=True)]
        table = work.pivot_table(index="wave", columns="response", values="value",
                                 aggfunc=lambda s: " / ".join(dict.fromkeys(s)), observed=True)
    else:
        dup = work.duplicated(["wave", "response"], keep=False)
        if dup.any():
            raise InvalidArgumentError(
                f"{int(dup.sum())} rows give several figures for one wave and response; use "
                "values='text' to see them side by side, or keep one source per wave")
        work["value"] = work["share"] * 100
        table = work.pivot_table(index="wave", columns="response", values="value",
                                 aggfunc="first", observed=True)
    table = table.reindex(order)
    n = work.groupby("wave", sort=False)["sample_size"].max().reindex(order)
    table.insert(0, "n", n.astype("string").fillna("") if values == "text" else n)
    table.columns.name = None
    table.index.name = "wave"
    return table.fillna("") if values == "text" else table
