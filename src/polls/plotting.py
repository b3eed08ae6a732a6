"""Figures for poll series and single waves: trends with gaps, toplines, house effects.

Every function takes ``data=`` plus column names (canonical names by default), draws on ``ax`` (a
new figure when ``ax`` is None) and returns the :class:`matplotlib.axes.Axes`. Shares are drawn on
a percent axis; a short source line is written under the axes, from ``source=`` or from the
domains of the frame's ``source_url`` column.

matplotlib is imported inside the functions, so ``import polls`` does not pay for it. When no
display is available and no backend was chosen (no ``MPLBACKEND``, pyplot not yet imported, not
inside a Jupyter kernel), the non-interactive Agg backend is selected before pyplot is imported.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from polls.errors import InvalidArgumentError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_trend", "plot_toplines", "plot_house_effects", "source_line"]

#: Default gap rule: consecutive points further apart than this multiple of the typical
#: (median) spacing of the series are not joined.
GAP_FACTOR = 1.5

_SOURCE_GID = "polls-source"


# --------------------------------------------------------------------------- helpers


def _pyplot():
    """Import pyplot, choosing Agg first when there is no display to draw on."""
    import matplotlib

    if (
        "matplotlib.pyplot" not in sys.modules
        and not os.environ.get("MPLBACKEND")
        and "ipykernel" not in sys.modules
        and sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _check_frame(data: Any) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgumentError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    return data


def _check_columns(data: pd.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InvalidArgumentError(
            f"{name}: column(s) {missing} not in data (columns: {list(data.columns)})"
        )


def _resolve_ci(data: pd.DataFrame, ci: Any) -> tuple[str, str] | None:
    """``"auto"`` -> the canonical interval columns when present; None -> no interval."""
    if ci is None or ci is False:
        return None
    if isinstance(ci, str):
        if ci != "auto":
            raise InvalidArgumentError(
                f"ci must be 'auto', None or a pair of column names, got {ci!r}"
            )
        return ("ci_low", "ci_high") if {"ci_low", "ci_high"} <= set(data.columns) else None
    try:
        low, high = ci
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"ci must be 'auto', None or a pair of column names, got {ci!r}"
        ) from None
    _check_columns(data, "ci", [low, high])
    return (low, high)


def _numeric(data: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(data[column], errors="coerce")
    bad = values.isna() & data[column].notna()
    if bad.any():
        first = data.loc[bad, column].iloc[0]
        raise InvalidArgumentError(f"column {column!r} must be numeric, got {first!r}")
    return values.to_numpy(dtype=float, na_value=np.nan)


def _domains(urls: Any) -> list[str]:
    """Domains of the addresses in ``urls``, most frequent first (``www.`` dropped)."""
    counts: Counter[str] = Counter()
    for url in pd.Series(urls).dropna().astype(str):
        host = urlparse(url).netloc.lower()
        if host.startswith("www."):
            host = host[4:]
        if host:
            counts[host] += 1
    return [host for host, _ in counts.most_common()]


def source_line(
    *frames: pd.DataFrame | None,
    column: str = "source_url",
    limit: int = 4,
    ax: Axes | None = None,
) -> str:
    """A one-line ``Source: ...`` text naming the web domains of the frames' source addresses.

    With ``ax``, the line is also written under that Axes, where the plotting functions put
    theirs: useful for a figure drawn with matplotlib directly, or combining several frames.

    Parameters
    ----------
    *frames : pandas.DataFrame
        Frames with a ``column`` of addresses (frames without it are skipped).
    column : str, default "source_url"
        The address column.
    limit : int, default 4
        Domains named before "and N more".
    ax : matplotlib.axes.Axes, optional
        Axes under which to write the line (nothing is drawn when the text is empty).

    Returns
    -------
    str
        ``"Source: levada.ru, ostro.org"``, or ``""`` when no address is found.

    Examples
    --------
    >>> import pandas as pd
    >>> from polls.plotting import source_line
    >>> source_line(pd.DataFrame({"source_url": ["https://www.levada.ru/en/x", "https://levada.ru/y"]}))
    'Source: levada.ru'
    """
    urls: list[str] = []
    for frame in frames:
        if frame is not None and column in frame.columns:
            urls.extend(frame[column].dropna().astype(str))
    hosts = _domains(urls)
    if not hosts:
        return ""
    shown = ", ".join(hosts[:limit])
    more = len(hosts) - limit
    text = f"Source: {shown}" + (f" and {more} more" if more > 0 else "")
    if ax is not None:
        _add_source(ax, text)
    return text


def _add_source(ax: Axes, text: str | None) -> None:
    if not text:
        return
    # below the tick labels, and below the axis label when there is one
    offset = -44 if ax.get_xlabel() else -30
    ax.annotate(
        text,
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, offset),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize="small",
        color="0.35",
        annotation_clip=False,
        gid=_SOURCE_GID,
    )


def _percent_axis(axis) -> None:
    from matplotlib.ticker import PercentFormatter

    class _Percent(PercentFormatter):
        """Whole percents, with as many decimals as the ticks need (a narrow view's 52.5%)."""

        def __init__(self) -> None:
            super().__init__(xmax=1, decimals=0)

        def set_locs(self, locs) -> None:
            super().set_locs(locs)
            points = np.asarray(locs, dtype=float) * 100
            self.decimals = next(
                (d for d in range(4) if np.allclose(np.round(points, d), points, atol=1e-6)), 3
            )

    axis.set_major_formatter(_Percent())


def _points_formatter():
    from matplotlib.ticker import FuncFormatter

    def fmt(value: float, _pos: int) -> str:
        points = round(value * 100, 6)
        return "0" if points == 0 else f"{points:+g}"

    return FuncFormatter(fmt)


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    plt = _pyplot()
    _fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _x_values(data: pd.DataFrame, x: str) -> tuple[np.ndarray, bool]:
    """x as datetime64 or float, and whether it is a date axis."""
    col = data[x]
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.to_numpy(dtype="datetime64[ns]"), True
    if col.dtype == object or pd.api.types.is_string_dtype(col):
        try:
            return pd.to_datetime(col).to_numpy(dtype="datetime64[ns]"), True
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"x column {x!r} must hold dates or numbers, got {col.iloc[0]!r}"
            ) from None
    return _numeric(data, x), False


def _gap_threshold(xs: np.ndarray, gap: Any, is_date: bool) -> float:
    """The largest spacing (in the units of ``xs`` as float) that is still joined by a line."""
    if gap is False:
        return np.inf
    if gap is None or (isinstance(gap, str) and gap == "auto"):
        if len(xs) < 3:
            return np.inf
        steps = np.diff(xs)
        steps = steps[steps > 0]
        if steps.size == 0:
            return np.inf
        return GAP_FACTOR * float(np.median(steps))
    if is_date:
        try:
            delta = pd.Timedelta(gap)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"gap must be None, False, or a time span such as '45D' or a timedelta for a date "
                f"axis, got {gap!r}"
            ) from None
        if pd.isna(delta) or delta <= pd.Timedelta(0):
            raise InvalidArgumentError(f"gap must be a positive time span, got {gap!r}")
        return float(delta.value)
    try:
        value = float(gap)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"gap must be None, False or a positive number for a numeric axis, got {gap!r}"
        ) from None
    if not value > 0:
        raise InvalidArgumentError(f"gap must be positive, got {gap!r}")
    return value


def segments(x: Any, y: Any, *, gap: Any = None) -> list[np.ndarray]:
    """Split a series into runs joined by a line: indices (in sorted-x order) of each run.

    A run ends where ``y`` is missing or where the step to the next point exceeds the gap
    threshold: ``GAP_FACTOR`` (1.5) times the median spacing when ``gap`` is None, the given time
    span (``"45D"``, a ``timedelta``) or number otherwise; ``gap=False`` never breaks on spacing.

    Parameters
    ----------
    x : array-like of dates or numbers, sorted ascending
    y : array-like of float
    gap : None, False, str, timedelta or float

    Returns
    -------
    list of numpy.ndarray
        Positional indices of the points of each run, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> from polls.plotting import segments
    >>> x = pd.to_datetime(["2022-01-31", "2022-02-28", "2022-03-31", "2022-07-31", "2022-08-31"])
    >>> [s.tolist() for s in segments(x, [0.5, 0.5, 0.6, 0.6, 0.5])]
    [[0, 1, 2], [3, 4]]
    """
    xv = np.asarray(x)
    is_date = np.issubdtype(xv.dtype, np.datetime64)
    xf = xv.astype("datetime64[ns]").astype(np.int64).astype(float) if is_date else xv.astype(float)
    yf = np.asarray(y, dtype=float)
    ok = ~np.isnan(yf)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return []
    threshold = _gap_threshold(xf[ok], gap, is_date)
    runs: list[np.ndarray] = []
    start = 0
    for k in range(1, idx.size):
        prev, cur = idx[k - 1], idx[k]
        broken = cur != prev + 1 or (xf[cur] - xf[prev]) > threshold
        if broken:
            runs.append(idx[start:k])
            start = k
    runs.append(idx[start:])
    return runs


def _groups(data: pd.DataFrame, hue: str | None) -> list[tuple[Any, pd.DataFrame]]:
    if hue is None:
        return [(None, data)]
    col = data[hue]
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.dropna())
        levels = [c for c in col.cat.categories if c in present]
    else:
        levels = list(dict.fromkeys(col.dropna()))
    if col.isna().any():
        raise InvalidArgumentError(
            f"hue column {hue!r} has {int(col.isna().sum())} missing value(s); fill or drop them"
        )
    return [(level, data[col == level]) for level in levels]


def _color(i: int, n: int) -> Any:
    """The i-th line colour: the property cycle for up to 10 lines, tab20 beyond (no repeats)."""
    if n <= 10:
        return f"C{i}"
    import matplotlib

    return matplotlib.colormaps["tab20"](i % 20)


def _check_one_per_x(frame: pd.DataFrame, x: str, label: Any) -> None:
    dup = frame[x].duplicated(keep=False)
    if dup.any():
        when = frame.loc[dup, x].iloc[0]
        what = "" if label is None else f" in group {label!r}"
        raise InvalidArgumentError(
            f"{int(dup.sum())} rows share {x} = {when}{what}: a trend line needs one value per "
            "date. Pass hue= (e.g. hue='response') or keep one row per wave (conflicting sources "
            "are kept as separate rows in the bundled data)"
        )


def _drop_undated(frame: pd.DataFrame, x: str, name: str) -> pd.DataFrame:
    """Rows without an ``x`` value cannot be placed on the axis: leave them out, with a warning."""
    missing = frame[x].isna()
    if not missing.any():
        return frame
    import warnings

    from polls.errors import PollsWarning

    ids = frame.loc[missing, "row_id"].astype(str).tolist()[:5] if "row_id" in frame else []
    which = f" (row_id {', '.join(ids)}{' ...' if missing.sum() > 5 else ''})" if ids else ""
    warnings.warn(
        f"plot_trend: {int(missing.sum())} row(s) of {name} without {x!r} cannot be placed on the "
        f"axis and are left out{which}",
        PollsWarning,
        stacklevel=3,
    )
    return frame.loc[~missing]


# --------------------------------------------------------------------------- plot_trend


def plot_trend(
    data: pd.DataFrame,
    x: str = "fieldwork_end",
    y: str = "share",
    hue: str | None = None,
    ci: tuple[str, str] | str | None = "auto",
    ax: Axes | None = None,
    *,
    source: str | None = None,
    gap: Any = None,
    waves: pd.DataFrame | None = None,
    waves_x: str = "fieldwork_end",
    waves_y: str = "share",
    markers: bool | None = None,
    label: str | None = None,
    color: Any = None,
    title: str | None = None,
) -> Axes:
    """Draw a poll series: estimate line, interval ribbon, wave markers and gaps.

    Each line (one per ``hue`` level) is drawn in runs: consecutive points are joined only when
    they are close in time, so a stretch of missing waves shows as a break in the line and the
    ribbon rather than a line drawn across it. A run of a single wave shows as a marker with an
    interval whisker.

    Parameters
    ----------
    data : pandas.DataFrame
        A toplines frame (one row per wave, or per wave and ``hue`` level), or a smoothed trend
        such as :func:`polls.smooth_trend` returns (``x="date", y="estimate"``).
    x, y : str, default "fieldwork_end", "share"
        Date (or number) and proportion columns. The axis is labelled "share of respondents"
        when ``y`` is ``"share"`` or ``"estimate"``, with the column name otherwise.
    hue : str, optional
        Column splitting the rows into several lines (e.g. ``"response"``), in category order.
    ci : "auto", pair of str, or None, default "auto"
        Interval columns for the ribbon. ``"auto"`` uses ``("ci_low", "ci_high")`` when both are
        present (e.g. after :func:`polls.with_ci`) and draws no ribbon otherwise.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.
    source : str, optional
        Text for the source line under the axes; by default the domains of ``source_url`` in
        ``data`` (and ``waves``). Pass ``""`` for none.
    gap : None, False, str, timedelta or float, default None
        When to break the line. None: where the step between consecutive points exceeds 1.5 times
        the series' median step (monthly waves: a missing month breaks the line). A time span
        (``"45D"``, ``pd.Timedelta(days=45)``) or a number for a numeric ``x``: break where the
        step exceeds it. False: break only at missing ``y``. With ``hue``, the default rule
        is applied to each line's own spacing, so a sparser line bridges longer gaps; pass a
        time span (``"45D"`` for a monthly tracker) to apply one rule to every line.
    waves : pandas.DataFrame, optional
        Raw waves to overlay as markers (with interval whiskers when they carry ``ci_low`` /
        ``ci_high``), e.g. the polls behind a smoothed trend. With ``hue``, rows are matched to
        lines by the same column when ``waves`` has it.
    waves_x, waves_y : str, default "fieldwork_end", "share"
        Columns of ``waves``.
    markers : bool, optional
        Mark each point of the line. Default: True, or False when ``waves`` is given (the line
        is then a trend, and the waves carry the markers).
    label : str, optional
        Legend label when ``hue`` is None.
    color : optional
        Line colour when ``hue`` is None.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InvalidArgumentError
        For a missing column, non-numeric values, or several rows at one date within a line.

    Warns
    -----
    PollsWarning
        When rows have no ``x`` (undated waves): they are left out of the figure and counted.

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> df = pd.DataFrame({
    ...     "fieldwork_end": pd.to_datetime(["2022-03-31", "2022-04-30", "2022-08-31"]),
    ...     "share": [0.53, 0.45, 0.46], "ci_low": [0.50, 0.42, 0.43],
    ...     "ci_high": [0.56, 0.48, 0.49],
    ...     "source_url": ["https://www.levada.ru/en/a", "https://www.levada.ru/en/b", None]})
    >>> ax = polls.plot_trend(df)
    >>> len(ax.get_lines())  # two runs: March-April, then August after a gap
    2
    """
    data = _check_frame(data)
    _check_columns(data, "x/y", [x, y])
    if hue is not None:
        _check_columns(data, "hue", [hue])
    interval = _resolve_ci(data, ci)
    if markers is None:
        markers = waves is None
    if waves is not None:
        waves = _check_frame(waves)
        _check_columns(waves, "waves_x/waves_y", [waves_x, waves_y])

    data = _drop_undated(data, x, "data")
    if waves is not None:
        waves = _drop_undated(waves, waves_x, "waves")

    ax = _new_axes(ax, (8, 4.5))
    is_date = False
    colors: dict[Any, Any] = {}
    groups = _groups(data, hue)
    n_levels = len(groups)
    for i, (level, frame) in enumerate(groups):
        frame = frame.sort_values(x, kind="stable")
        _check_one_per_x(frame, x, level)
        xs, is_date = _x_values(frame, x)
        ys = _numeric(frame, y)
        lows = highs = None
        if interval is not None:
            lows, highs = _numeric(frame, interval[0]), _numeric(frame, interval[1])
        line_color = color if (hue is None and color is not None) else _color(i, n_levels)
        colors[level] = line_color
        name = label if hue is None else str(level)
        runs = segments(xs, ys, gap=gap)
        for j, run in enumerate(runs):
            single = run.size == 1
            ax.plot(
                xs[run],
                ys[run],
                color=line_color,
                marker="o" if (markers or single) else None,
                markersize=4 if markers else 3,
                linewidth=1.8,
                label=name if j == 0 else "_nolegend_",
            )
            if lows is not None:
                if single:
                    ax.vlines(xs[run], lows[run], highs[run], color=line_color, alpha=0.6)
                else:
                    ax.fill_between(
                        xs[run], lows[run], highs[run], color=line_color, alpha=0.2,
                        linewidth=0,
                    )

    if waves is not None:
        _overlay_waves(ax, waves, waves_x, waves_y, hue, colors)

    _percent_axis(ax.yaxis)
    ax.set_ylabel("share of respondents" if y in ("share", "estimate") else y)
    if not is_date:
        ax.set_xlabel(x)
    ax.grid(axis="y", alpha=0.3)
    if title:
        ax.set_title(title, loc="left")
    if hue is not None or label is not None:
        ax.legend(frameon=False, fontsize="small")
    _add_source(ax, source_line(data, waves) if source is None else source)
    return ax


def _overlay_waves(
    ax: Axes,
    waves: pd.DataFrame,
    x: str,
    y: str,
    hue: str | None,
    colors: dict[Any, Any],
) -> None:
    interval = _resolve_ci(waves, "auto")
    by_hue = hue is not None and hue in waves.columns
    for level, frame in _groups(waves, hue if by_hue else None):
        col = colors.get(level, "0.3") if by_hue else next(iter(colors.values()), "0.3")
        xs, _ = _x_values(frame, x)
        ys = _numeric(frame, y)
        if interval is not None:
            ax.vlines(
                xs, _numeric(frame, interval[0]), _numeric(frame, interval[1]),
                color=col, alpha=0.35, linewidth=1,
            )
        ax.scatter(xs, ys, s=14, color=col, edgecolors="white", linewidths=0.5, zorder=3,
                   label="_nolegend_")


# --------------------------------------------------------------------------- plot_toplines


def plot_toplines(
    data: pd.DataFrame,
    x: str = "share",
    y: str = "response",
    ci: tuple[str, str] | str | None = "auto",
    ax: Axes | None = None,
    *,
    source: str | None = None,
    color: Any = "C0",
    values: bool = True,
    title: str | None = None,
) -> Axes:
    """Horizontal bars of one wave's responses, in response order, with interval whiskers.

    Parameters
    ----------
    data : pandas.DataFrame
        One wave: one row per response (several waves or duplicated responses are refused).
    x, y : str, default "share", "response"
        Proportion and response-label columns. An ordered categorical ``y`` keeps its order;
        otherwise the rows' order is kept. The first response is drawn at the top.
    ci : "auto", pair of str, or None, default "auto"
        Interval columns for the whiskers (``"auto"``: ``ci_low``/``ci_high`` when present).
    ax : matplotlib.axes.Axes, optional
    source : str, optional
        Source line text; default from ``source_url``. ``""`` for none.
    color : default "C0"
    values : bool, default True
        Print each published share at the end of its bar (whole percent, or one decimal when the
        share has one).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> wave = pd.DataFrame({"response": ["support", "do not support", "don't know"],
    ...                      "share": [0.75, 0.19, 0.06]})
    >>> ax = polls.plot_toplines(wave)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['support', 'do not support', "don't know"]
    """
    data = _check_frame(data)
    _check_columns(data, "x/y", [x, y])
    interval = _resolve_ci(data, ci)
    wave_cols = [c for c in ("series", "pollster", "fieldwork_end", "subgroup") if c in data]
    if wave_cols and len(data[wave_cols].drop_duplicates()) > 1:
        raise InvalidArgumentError(
            f"data holds {len(data[wave_cols].drop_duplicates())} waves (by {wave_cols}); "
            "plot_toplines draws one wave: filter the rows first"
        )
    dup = data[y].duplicated(keep=False)
    if dup.any():
        raise InvalidArgumentError(
            f"response {data.loc[dup, y].iloc[0]!r} appears {int(dup.sum())} times: keep one row "
            "per response (conflicting sources are kept as separate rows in the bundled data)"
        )
    frame = data
    if isinstance(data[y].dtype, pd.CategoricalDtype):
        order = {c: i for i, c in enumerate(data[y].cat.categories)}
        frame = data.iloc[np.argsort([order[v] for v in data[y]], kind="stable")]
    labels = [str(v) for v in frame[y]]
    shares = _numeric(frame, x)
    pos = np.arange(len(frame))

    ax = _new_axes(ax, (7, 0.5 * len(frame) + 1.2))
    ax.barh(pos, shares, color=color, alpha=0.85, height=0.65)
    if interval is not None:
        low, high = _numeric(frame, interval[0]), _numeric(frame, interval[1])
        ax.errorbar(
            shares, pos, xerr=np.vstack([shares - low, high - shares]), fmt="none",
            ecolor="0.2", elinewidth=1.2, capsize=3,
        )
    right = shares if interval is None else np.fmax(shares, _numeric(frame, interval[1]))
    if values:
        for p, s, r in zip(pos, shares, right, strict=True):
            if np.isnan(s):
                continue
            pct = round(s * 100, 6)
            text = f"{pct:.0f}%" if pct == round(pct) else f"{pct:.1f}%"
            ax.annotate(text, (r, p), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize="small")
    ax.set_yticks(pos, labels)
    ax.invert_yaxis()
    _percent_axis(ax.xaxis)
    top = float(np.nanmax(right)) if np.isfinite(right).any() else 1.0
    ax.set_xlim(0, min(1.0, top + 0.12))
    ax.set_xlabel("share of respondents" if x == "share" else x)
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title, loc="left")
    _add_source(ax, source_line(data) if source is None else source)
    return ax


# --------------------------------------------------------------------------- plot_house_effects


def plot_house_effects(
    data: pd.DataFrame,
    x: str = "estimate",
    y: str = "pollster",
    ci: tuple[str, str] | str | None = ("ci_low", "ci_high"),
    ax: Axes | None = None,
    *,
    source: str | None = None,
    title: str | None = None,
) -> Axes:
    """Dots with interval lines for pollster offsets, on a percentage-point axis with a zero line.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per pollster; ``x`` holds the offset as a difference of proportions (0.02 is
        two percentage points), e.g. the house effects from :func:`polls.poll_average`.
    x, y : str, default "estimate", "pollster"
    ci : pair of str, "auto" or None, default ("ci_low", "ci_high")
    ax : matplotlib.axes.Axes, optional
    source : str, optional
        Source line text; default from ``source_url`` when present.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> he = pd.DataFrame({"pollster": ["levada", "vciom", "fom"], "estimate": [-0.01, 0.03, 0.0],
    ...                    "ci_low": [-0.02, 0.01, -0.01], "ci_high": [0.0, 0.05, 0.01]})
    >>> ax = polls.plot_house_effects(he)
    >>> ax.get_xaxis().get_major_formatter()(0.03, 0)
    '+3'
    """
    data = _check_frame(data)
    _check_columns(data, "x/y", [x, y])
    interval = _resolve_ci(data, ci)
    dup = data[y].duplicated(keep=False)
    if dup.any():
        raise InvalidArgumentError(
            f"{y} {data.loc[dup, y].iloc[0]!r} appears {int(dup.sum())} times: one row per {y}"
        )
    est = _numeric(data, x)
    pos = np.arange(len(data))
    ax = _new_axes(ax, (6, 0.45 * len(data) + 1.4))
    ax.axvline(0, color="0.4", linewidth=1, linestyle="--", zorder=1)
    if interval is not None:
        ax.hlines(pos, _numeric(data, interval[0]), _numeric(data, interval[1]), color="C0",
                  linewidth=2, alpha=0.7)
    ax.plot(est, pos, "o", color="C0", markersize=6, zorder=3)
    ax.set_yticks(pos, [str(v) for v in data[y]])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_points_formatter())
    ax.set_xlabel("difference, percentage points")
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title, loc="left")
    _add_source(ax, source_line(data) if source is None else source)
    return ax
