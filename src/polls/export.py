"""Publishing: save a chart for the web or for print, and a table for Datawrapper or Flourish.

- :func:`save_chart`: PNG at a web width (640 px by default, twice the pixels for high-density
  screens), SVG with its text kept as text (editable, searchable), or PDF with the fonts
  embedded; Cyrillic renders in all three (the charts use DejaVu Sans, which ships with
  matplotlib).
- :func:`to_datawrapper`: a wide table, one row per date (ISO ``YYYY-MM-DD`` in the first
  column) and one column per response or pollster, with values in percent at the precision the
  figures were published with, optional interval columns, and a header row in the chosen
  language. Paste it into Datawrapper or Flourish, or write it as CSV.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from polls import _i18n
from polls._checks import check_choice
from polls.errors import InvalidArgumentError, PollsWarning

__all__ = ["save_chart", "to_datawrapper", "CHART_FORMATS"]

#: File types of :func:`save_chart`, by suffix.
CHART_FORMATS: tuple[str, ...] = (".png", ".svg", ".pdf")


def _figure(chart: Any):
    figure = getattr(chart, "figure", None)
    if hasattr(chart, "savefig"):
        return chart
    if figure is not None and hasattr(figure, "savefig"):
        return figure
    raise InvalidArgumentError(
        f"chart must be a matplotlib Figure or Axes (as the plot functions return), got "
        f"{type(chart).__name__}")


def save_chart(
    chart: Any,
    path: str | Path,
    *,
    width: int = 640,
    height: int | None = None,
    scale: float = 2,
) -> Path:
    """Save a chart as PNG, SVG or PDF, sized for the web.

    Parameters
    ----------
    chart : matplotlib.figure.Figure or matplotlib.axes.Axes
        What :func:`polls.plot_trend` and the other plot functions return (or its figure).
    path : str or pathlib.Path
        The file; its suffix (``.png``, ``.svg``, ``.pdf``) chooses the format.
    width : int, default 640
        Width in CSS pixels (640 fits an article column; 1280 a full-width graphic). Text keeps
        its size in points, so a narrower chart wraps the same text into less room.
    height : int, optional
        Height in CSS pixels; by default the chart keeps its proportions.
    scale : float, default 2
        Pixels per CSS pixel in a PNG: 2 gives a sharp image on high-density ("retina")
        screens (a 640-px chart is then 1280 pixels wide); 1 gives exactly ``width`` pixels.
        SVG and PDF are vector files and ignore it.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    InvalidArgumentError
        For another suffix, a non-positive size, or something that is not a chart.

    Examples
    --------
    >>> import pandas as pd, polls, tempfile, pathlib
    >>> ax = polls.plot_toplines(pd.DataFrame({"response": ["да", "нет"], "share": [0.6, 0.4]}))
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> polls.save_chart(ax, folder / "chart.svg").stat().st_size > 0
    True
    """
    from polls._optional import require

    require("matplotlib", "saving charts")
    from matplotlib import rc_context

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CHART_FORMATS:
        raise InvalidArgumentError(
            f"path must end in one of {list(CHART_FORMATS)}, got {str(path)!r}")
    for name, value in (("width", width), ("height", height), ("scale", scale)):
        if value is not None and not (isinstance(value, int | float) and value > 0):
            raise InvalidArgumentError(f"{name} must be a positive number, got {value!r}")
    fig = _figure(chart)
    old = fig.get_size_inches()
    inches_w = width / 100  # 100 CSS pixels to the inch: 10-pt text is about 14 px high
    inches_h = height / 100 if height is not None else inches_w * old[1] / old[0]
    rc = {"svg.fonttype": "none", "pdf.fonttype": 42, "font.family": "DejaVu Sans"}
    try:
        _resize(fig, (inches_w, inches_h))
        with rc_context(rc):
            fig.savefig(path, dpi=100 * scale if suffix == ".png" else 100,
                        facecolor="white", metadata=_metadata(suffix))
    finally:
        _resize(fig, tuple(old))
    return path


def _resize(fig, size: tuple[float, float]) -> None:
    """Set the figure's size and wrap the charts' titles and notes again for it."""
    from polls._chart import relayout

    fig.set_size_inches(*size)
    for ax in fig.axes:
        relayout(ax)


def _metadata(suffix: str) -> dict[str, Any]:
    # no creation date: the same chart gives the same file
    if suffix == ".svg":
        return {"Date": None}
    if suffix == ".pdf":
        return {"CreationDate": None}
    return {}


# --------------------------------------------------------------------------- to_datawrapper


def _decimals(data: pd.DataFrame, precision: str) -> int:
    """Decimals of the published figures, from their rounding step (1 when not known)."""
    if precision not in data.columns:
        return 1
    steps = pd.to_numeric(data[precision], errors="coerce").dropna()
    steps = steps[steps > 0]
    if steps.empty:
        return 1
    return max(0, round(-math.log10(float(steps.min()) * 100)))


def _header(value: Any, columns: str, lang: str) -> tuple[str, bool]:
    if columns == "pollster":
        return _i18n.pollster_name(value, lang), False
    if columns == "response":
        return _i18n.response_label(value, lang)
    return str(value), False


def _dated(data: pd.DataFrame, x: str) -> pd.DataFrame:
    dates = pd.to_datetime(data[x], errors="coerce")
    missing = dates.isna()
    if missing.any():
        warnings.warn(
            f"to_datawrapper: {int(missing.sum())} row(s) without a date in {x!r} cannot be "
            "placed on a time axis and are left out", PollsWarning, stacklevel=3)
    return data.loc[~missing].assign(**{x: dates[~missing].dt.normalize()})


def to_datawrapper(
    data: pd.DataFrame,
    path: str | Path | None = None,
    *,
    x: str = "fieldwork_end",
    y: str = "share",
    columns: str | None = "response",
    ci: bool | tuple[str, str] = False,
    decimals: int | None = None,
    precision: str = "precision",
    lang: str = "en",
    decimal: str | None = None,
) -> pd.DataFrame:
    """A table ready for Datawrapper or Flourish: one row per date, one column per line.

    Parameters
    ----------
    data : pandas.DataFrame
        Toplines (e.g. from :func:`polls.load_dataset`, filtered to the responses to show, or
        after :func:`polls.with_ci`) or a smoothed trend (``x="date", y="estimate"``).
    path : str or pathlib.Path, optional
        Write the table there as CSV (UTF-8). Nothing is written without it.
    x, y : str, default "fieldwork_end", "share"
        Date and proportion columns.
    columns : str or None, default "response"
        The column whose values become the table's columns (``"pollster"`` for one column per
        pollster, named as in the charts). None: one value column, named after ``y`` (e.g. a
        smoothed trend).
    ci : bool or pair of str, default False
        Add a low and a high column after each value column: True reads ``ci_low`` and
        ``ci_high`` (from :func:`polls.with_ci`), a pair names other columns.
    decimals : int, optional
        Decimals of the percents. Default: those the figures were published with (from the
        rounding step in ``precision``; 1 when the frame has none).
    precision : str, default "precision"
        The rounding-step column.
    lang : {"en", "ru", "sr", "sr-Cyrl"}, default "en"
        Language of the header row (response labels are translations of the package's English
        labels; the frame's ``attrs["note"]`` says so, for the chart's notes field).
    decimal : {".", ","}, optional
        Decimal mark in the CSV file: by default "." in English and "," in Russian and
        Serbian, with ";" between the fields when it is ",".

    Returns
    -------
    pandas.DataFrame
        The first column the ISO date text, then percents (floats rounded to ``decimals``;
        missing where a wave did not publish that figure). ``attrs`` holds ``note`` and
        ``decimals``.

    Raises
    ------
    InvalidArgumentError
        For a missing column, or two figures for one date and column (e.g. two sources for
        one wave, or two series: choose one first).

    Warns
    -----
    PollsWarning
        When rows have no date: they are left out and counted.

    Examples
    --------
    >>> import pandas as pd, polls
    >>> df = pd.DataFrame({"fieldwork_end": pd.to_datetime(["2024-01-31", "2024-01-31",
    ...                                                     "2024-02-29"]),
    ...                    "response": ["support", "do not support", "support"],
    ...                    "share": [0.28, 0.07, 0.745], "precision": [0.01, 0.01, 0.001]})
    >>> polls.to_datawrapper(df)
             date  support  do not support
    0  2024-01-31     28.0             7.0
    1  2024-02-29     74.5             NaN
    >>> list(polls.to_datawrapper(df, lang="ru").columns)
    ['дата', 'поддерживают', 'не поддерживают']
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgumentError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    lang = _i18n.check_lang(lang)
    if decimal is not None:
        check_choice("decimal", decimal, (".", ","))
    bounds = ("ci_low", "ci_high") if ci is True else (tuple(ci) if ci else ())
    if len(bounds) not in (0, 2):
        raise InvalidArgumentError(f"ci must be True, False or a pair of column names, got {ci!r}")
    if columns is None:
        columns = "_line"
        data = data.assign(_line=y)
    absent = [c for c in (x, y, columns, *bounds) if c not in data.columns]
    if absent:
        raise InvalidArgumentError(
            f"column(s) {absent} not in data (columns: {list(data.columns)})")
    places = _decimals(data, precision) if decimals is None else int(decimals)
    work = _dated(data, x)
    dup = work.duplicated([x, columns], keep=False)
    if dup.any():
        first = work.loc[dup].iloc[0]
        raise InvalidArgumentError(
            f"{int(dup.sum())} rows give several figures for one date and {columns} (first: "
            f"{first[x]:%Y-%m-%d}, {first[columns]!r}); keep one source and one series per line")
    table, translated = _wide(work, x, y, columns, bounds, places, lang)
    table.attrs = {"decimals": places, "note": _i18n.translation_note(lang) if translated
                   else ""}
    if path is not None:
        _write_csv(table, Path(path), places, decimal or _i18n.decimal_mark(lang))
    return table


def _wide(work, x, y, columns, bounds, places, lang) -> tuple[pd.DataFrame, bool]:
    levels = (list(work[columns].cat.categories) if isinstance(work[columns].dtype,
              pd.CategoricalDtype) else list(dict.fromkeys(work[columns])))
    levels = [v for v in levels if (work[columns] == v).any()]
    dates = sorted(work[x].unique())
    out = pd.DataFrame({_i18n.word("date", lang): [f"{pd.Timestamp(d):%Y-%m-%d}"
                                                   for d in dates]})
    translated = False
    for level in levels:
        rows = work[work[columns] == level].set_index(x)
        name, flag = _header(level, columns, lang)
        translated |= flag
        pairs = [(y, name)] + [(b, f"{name} ({_i18n.word(w, lang)})")
                               for b, w in zip(bounds, ("low", "high")[:len(bounds)],
                                               strict=True)]
        for col, label in pairs:
            values = pd.to_numeric(rows[col], errors="coerce").reindex(dates).to_numpy(float)
            out[label] = np.round(values * 100, places)
    return out, translated


def _write_csv(table: pd.DataFrame, path: Path, places: int, decimal: str) -> None:
    sep = ";" if decimal == "," else ","
    text = table.copy()
    for col in text.columns[1:]:
        text[col] = [("" if np.isnan(v) else f"{v:.{places}f}".replace(".", decimal))
                     for v in table[col].to_numpy(float)]
    text.to_csv(path, index=False, sep=sep, encoding="utf-8", lineterminator="\n")
