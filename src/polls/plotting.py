"""Figures for poll series and single waves: trends with gaps, toplines, house effects.

Every function takes ``data=`` plus column names (canonical names by default), draws on ``ax`` (a
new figure when ``ax`` is None) and returns the :class:`matplotlib.axes.Axes`. Charts are laid
out as newsrooms publish them: ``title=`` and ``subtitle=`` above, ``note=``, the source line
(``source=``, or the domains of the frame's ``source_url`` column) and ``credit=`` below. Shares
are drawn on a percent axis that starts at 0 (``zoom=True`` fits it to the data) with
whole-number ticks; each pollster keeps one colour in every chart. ``lang=`` ("en", "ru", "sr",
"sr-Cyrl") sets the axis words, month names, decimal mark and the response labels (translations
of the package's English labels, marked as such in the note). Save with :func:`polls.save_chart`.

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

from polls import _chart, _i18n
from polls._checks import check_choice
from polls.errors import InvalidArgumentError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_trend", "plot_toplines", "plot_house_effects", "source_line"]

#: Default gap rule: consecutive points further apart than this multiple of the typical
#: (median) spacing of the series are not joined.
GAP_FACTOR = 1.5

_SOURCE_GID = _chart.GIDS["source"]

#: How a line crosses a gap in the waves: a dashed segment, or no line at all.
GAP_STYLES = ("dashed", "break")


# --------------------------------------------------------------------------- helpers


def _pyplot():
    """Import pyplot, choosing Agg first when there is no display to draw on."""
    from polls._optional import require

    matplotlib = require("matplotlib", "drawing charts")

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
    lang: str = "en",
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
    lang : {"en", "ru", "sr", "sr-Cyrl"}, default "en"
        Language of the words "Source" and "and N more".

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
    _i18n.check_lang(lang)
    urls: list[str] = []
    for frame in frames:
        if frame is not None and column in frame.columns:
            urls.extend(frame[column].dropna().astype(str))
    hosts = _domains(urls)
    if not hosts:
        return ""
    shown = ", ".join(hosts[:limit])
    more = len(hosts) - limit
    text = f"{_i18n.word('source', lang)}: {shown}" + (
        f" {_i18n.word('more', lang, n=more)}" if more > 0 else "")
    if ax is not None:
        _add_source(ax, text)
    return text


def _add_source(ax: Axes, text: str | None) -> None:
    if text:
        _chart.decorate(ax, lang="en", title=None, subtitle=None, source=text, credit=None,
                        notes=[])


def _points_formatter(lang: str = "en"):
    from matplotlib.ticker import FuncFormatter

    def fmt(value: float, _pos: int) -> str:
        points = round(value * 100, 6)
        text = f"{points:+g}"
        return "0" if points == 0 else text.replace(".", _i18n.decimal_mark(lang))

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


def _colors(hue: str | None, levels: list[Any]) -> list[Any]:
    """One colour per line: a pollster's own colour, or the palette in order for other lines."""
    if hue == "pollster":
        return [_chart.pollster_color(level) for level in levels]
    return [_chart.series_color(i) for i in range(len(levels))]


def _label(hue: str | None, level: Any, lang: str) -> tuple[str, bool]:
    """A line's legend text in ``lang``, and whether it is a translated response label."""
    if hue == "pollster":
        return _i18n.pollster_name(level, lang), False
    if hue == "response":
        return _i18n.response_label(level, lang)
    return str(level), False


def _layout(ax: Axes, lang: str, *, title, subtitle, source, credit, note, frames,
            translated: bool = False, gap_drawn: bool = False) -> None:
    """The newsroom layout: title, subtitle; note, source and credit under the axes."""
    text = source_line(*frames, lang=lang) if source is None else _chart.source_text(source, lang)
    notes = [*(note if isinstance(note, list) else [note])]
    if gap_drawn:
        notes.append(_i18n.word("gap", lang).capitalize() + ".")
    if translated:
        notes.append(_i18n.translation_note(lang))
    _chart.decorate(ax, lang=lang, title=title, subtitle=subtitle, source=text, credit=credit,
                    notes=notes)


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


def _drop_undated(frame: pd.DataFrame, x: str) -> tuple[pd.DataFrame, int]:
    """Rows without an ``x`` value cannot be placed on the axis: the others, and their count."""
    missing = frame[x].isna()
    return frame.loc[~missing], int(missing.sum())


# --------------------------------------------------------------------------- plot_trend


def _draw_line(ax: Axes, xs, ys, lows, highs, *, color, name, gap, gap_style, markers) -> bool:
    """One line in runs (see :func:`segments`); returns whether a dashed gap was drawn."""
    runs = segments(xs, ys, gap=gap)
    dashed = gap_style == "dashed"
    for j, run in enumerate(runs):
        single = run.size == 1 and not dashed
        ax.plot(xs[run], ys[run], color=color, marker="o" if (markers or single) else None,
                markersize=4 if markers else 3, linewidth=1.8,
                label=name if j == 0 else "_nolegend_")
        if dashed and j > 0:
            prev = runs[j - 1][-1]
            ax.plot([xs[prev], xs[run[0]]], [ys[prev], ys[run[0]]], color=color,
                    linestyle=(0, (3, 2)), linewidth=1.2, label="_nolegend_",
                    gid=_chart.GIDS["gap"])
        if lows is not None and not dashed:
            if single:
                ax.vlines(xs[run], lows[run], highs[run], color=color, alpha=0.6)
            else:
                ax.fill_between(xs[run], lows[run], highs[run], color=color, alpha=0.2,
                                linewidth=0)
    if lows is not None and dashed and runs:
        # one band over every wave: the gaps show in the line, the band stays whole
        every = np.concatenate(runs)
        ax.fill_between(xs[every], lows[every], highs[every], color=color, alpha=0.2,
                        linewidth=0)
    return dashed and len(runs) > 1


def plot_trend(
    data: pd.DataFrame,
    x: str = "fieldwork_end",
    y: str = "share",
    hue: str | None = None,
    ci: tuple[str, str] | str | None = "auto",
    ax: Axes | None = None,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    credit: str | None = None,
    note: str | None = None,
    lang: str = "en",
    zoom: bool = False,
    gap: Any = None,
    gap_style: str = "dashed",
    waves: pd.DataFrame | None = None,
    waves_x: str = "fieldwork_end",
    waves_y: str = "share",
    markers: bool | None = None,
    label: str | None = None,
    color: Any = None,
) -> Axes:
    """Draw a poll series: estimate line, interval band, wave markers and gaps.

    Consecutive waves are joined by a solid line only when they are close in time; across a
    stretch with no published wave the line goes on as a dashed segment (``gap_style="dashed"``,
    and the note under the chart says what the dashes mean) or stops (``"break"``). The
    interval band stays one band with dashed gaps, and breaks with the line otherwise.

    Parameters
    ----------
    data : pandas.DataFrame
        A toplines frame (one row per wave, or per wave and ``hue`` level), or a smoothed trend
        such as :func:`polls.smooth_trend` returns (``x="date", y="estimate"``).
    x, y : str, default "fieldwork_end", "share"
        Date (or number) and proportion columns. The axis is labelled "share of respondents"
        (in ``lang``) when ``y`` is ``"share"`` or ``"estimate"``, with the column name otherwise.
    hue : str, optional
        Column splitting the rows into several lines (e.g. ``"response"``), in category order.
        With ``hue="pollster"`` each pollster has its own colour, the same in every chart, and
        its name in the legend.
    ci : "auto", pair of str, or None, default "auto"
        Interval columns for the band. ``"auto"`` uses ``("ci_low", "ci_high")`` when both are
        present (e.g. after :func:`polls.with_ci`) and draws no band otherwise.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.
    title, subtitle : str, optional
        Headline (bold) and a line under it (what is measured, e.g. the question), above the
        plot and aligned with its left edge.
    source : str, optional
        The source line under the plot ("Source: " in ``lang`` is put in front unless the text
        has it). By default the domains of ``source_url`` in ``data`` (and ``waves``); ``""``
        for none.
    credit : str, optional
        Who made the chart, at the right of the source line (``"Chart: "`` put in front).
    note : str, optional
        A note above the source line (``"Note: "`` put in front).
    lang : {"en", "ru", "sr", "sr-Cyrl"}, default "en"
        Language of the axis label, month names, decimal mark, response labels (``hue=
        "response"``) and pollster names.
    zoom : bool, default False
        Fit the percent axis to the data instead of starting it at 0.
    gap : None, False, str, timedelta or float, default None
        What counts as a gap. None: a step between consecutive points longer than 1.5 times
        the series' median step (monthly waves: a missing month). A time span (``"45D"``,
        ``pd.Timedelta(days=45)``) or a number for a numeric ``x``: a step longer than it.
        False: only a missing ``y``. With ``hue``, the default rule follows each line's own
        spacing; pass a time span to apply one rule to every line.
    gap_style : {"dashed", "break"}, default "dashed"
        How a line crosses a gap.
    waves : pandas.DataFrame, optional
        Raw waves to overlay as markers (with interval whiskers when they carry ``ci_low`` /
        ``ci_high``), e.g. the polls behind a smoothed trend. With ``hue``, rows are matched to
        lines by the same column when ``waves`` has it.
    waves_x, waves_y : str, default "fieldwork_end", "share"
        Columns of ``waves``.
    markers : bool, optional
        Mark each point of the line. Default: True, or False when ``waves`` is given.
    label : str, optional
        Legend label when ``hue`` is None.
    color : optional
        Line colour when ``hue`` is None.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InvalidArgumentError
        For a missing column, non-numeric values, or several rows at one date within a line.

    Notes
    -----
    Rows with no ``x`` (waves without a fieldwork date) cannot be placed on the axis: they are
    left out, and the note under the chart counts them.

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> df = pd.DataFrame({
    ...     "fieldwork_end": pd.to_datetime(["2022-03-31", "2022-04-30", "2022-08-31"]),
    ...     "share": [0.53, 0.45, 0.46], "ci_low": [0.50, 0.42, 0.43],
    ...     "ci_high": [0.56, 0.48, 0.49],
    ...     "source_url": ["https://www.levada.ru/en/a", "https://www.levada.ru/en/b", None]})
    >>> ax = polls.plot_trend(df, title="Support for the war", source="Levada Center")
    >>> [line.get_linestyle() for line in ax.get_lines()]  # March-April, dashed gap, August
    ['-', '-', '--']
    >>> float(ax.get_ylim()[0])  # a percent axis starts at 0
    0.0
    """
    data = _check_frame(data)
    _check_columns(data, "x/y", [x, y])
    if hue is not None:
        _check_columns(data, "hue", [hue])
    lang = _i18n.check_lang(lang)
    check_choice("gap_style", gap_style, GAP_STYLES)
    interval = _resolve_ci(data, ci)
    if markers is None:
        markers = waves is None
    if waves is not None:
        waves = _check_frame(waves)
        _check_columns(waves, "waves_x/waves_y", [waves_x, waves_y])

    data, undated = _drop_undated(data, x)
    if waves is not None:
        waves, undated_waves = _drop_undated(waves, waves_x)
        undated += undated_waves

    ax = _new_axes(ax, (8, 4.5))
    is_date, gap_drawn, translated = False, False, False
    groups = _groups(data, hue)
    palette = _colors(hue, [level for level, _ in groups])
    colors: dict[Any, Any] = {}
    drawn = [np.array([])]
    for (level, frame), line_color in zip(groups, palette, strict=True):
        frame = frame.sort_values(x, kind="stable")
        _check_one_per_x(frame, x, level)
        xs, is_date = _x_values(frame, x)
        ys = _numeric(frame, y)
        lows = highs = None
        if interval is not None:
            lows, highs = _numeric(frame, interval[0]), _numeric(frame, interval[1])
        if hue is None and color is not None:
            line_color = color
        colors[level] = line_color
        name, was_translated = (label, False) if hue is None else _label(hue, level, lang)
        translated |= was_translated
        gap_drawn |= _draw_line(ax, xs, ys, lows, highs, color=line_color, name=name, gap=gap,
                                gap_style=gap_style, markers=markers)
        drawn.append(ys if highs is None else highs)

    if waves is not None:
        _overlay_waves(ax, waves, waves_x, waves_y, hue, colors)
        drawn.append(_numeric(waves, waves_y))

    _chart.percent_axis(ax.yaxis, lang, np.concatenate(drawn), zoom=zoom)
    ax.set_ylabel(_i18n.word("share_axis", lang) if y in ("share", "estimate") else y,
                  fontfamily=_chart.FONT)
    if is_date:
        _chart.date_axis(ax.xaxis, lang)
    else:
        ax.set_xlabel(x, fontfamily=_chart.FONT)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    if hue is not None or label is not None:
        ax.legend(frameon=False, fontsize="small", prop={"family": _chart.FONT})
    notes = [note, _i18n.word("undated", lang, n=undated) if undated else ""]
    _layout(ax, lang, title=title, subtitle=subtitle, source=source, credit=credit,
            note=notes, frames=(data, waves), translated=translated, gap_drawn=gap_drawn)
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


def _one_wave(data: pd.DataFrame, y: str) -> pd.DataFrame:
    """The rows of one wave in response order; several waves or duplicate responses refused."""
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
    if isinstance(data[y].dtype, pd.CategoricalDtype):
        order = {c: i for i, c in enumerate(data[y].cat.categories)}
        return data.iloc[np.argsort([order[v] for v in data[y]], kind="stable")]
    return data


def plot_toplines(
    data: pd.DataFrame,
    x: str = "share",
    y: str = "response",
    ci: tuple[str, str] | str | None = "auto",
    ax: Axes | None = None,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    credit: str | None = None,
    note: str | None = None,
    lang: str = "en",
    color: Any = None,
    values: bool = True,
) -> Axes:
    """Horizontal bars of one wave's responses, in response order, with interval whiskers.

    Bars start at 0 (a bar's length is its share). Title, subtitle, note, source and credit
    are laid out as in :func:`plot_trend`.

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
    title, subtitle, source, credit, note : str, optional
        As in :func:`plot_trend`; the source defaults to the domains of ``source_url``.
    lang : {"en", "ru", "sr", "sr-Cyrl"}, default "en"
        Language of the response labels (translations, marked as such in the note), the axis
        label and the decimal mark.
    color : optional
        Bar colour; default the palette's first.
    values : bool, default True
        Print each published share at the end of its bar (whole percent, or one decimal when the
        share has one).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> wave = pd.DataFrame({"response": ["support", "do not support", "hard to say"],
    ...                      "share": [0.75, 0.19, 0.06]})
    >>> ax = polls.plot_toplines(wave, lang="ru", source="Левада-центр")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['поддерживают', 'не поддерживают', 'затрудняюсь ответить']
    """
    data = _check_frame(data)
    _check_columns(data, "x/y", [x, y])
    lang = _i18n.check_lang(lang)
    interval = _resolve_ci(data, ci)
    frame = _one_wave(data, y)
    pairs = [_i18n.response_label(v, lang) if y == "response" else (str(v), False)
             for v in frame[y]]
    shares = _numeric(frame, x)
    pos = np.arange(len(frame))

    ax = _new_axes(ax, (7, 0.5 * len(frame) + 1.6))
    ax.barh(pos, shares, color=_chart.PALETTE[0] if color is None else color, height=0.65)
    right = shares
    if interval is not None:
        low, high = _numeric(frame, interval[0]), _numeric(frame, interval[1])
        ax.errorbar(shares, pos, xerr=np.vstack([shares - low, high - shares]), fmt="none",
                    ecolor="0.2", elinewidth=1.2, capsize=3)
        right = np.fmax(shares, high)
    if values:
        for p, s, r in zip(pos, shares, right, strict=True):
            if not np.isnan(s):
                pct = round(s * 100, 6)
                ax.annotate(_i18n.format_percent(s, 0 if pct == round(pct) else 1, lang), (r, p),
                            xytext=(4, 0), textcoords="offset points", va="center",
                            fontsize="small", fontfamily=_chart.FONT)
    ax.set_yticks(pos, [text for text, _ in pairs])
    ax.invert_yaxis()
    _chart.percent_axis(ax.xaxis, lang, right + 0.08, zoom=False)
    ax.set_xlabel(_i18n.word("share_axis", lang) if x == "share" else x, fontfamily=_chart.FONT)
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    _layout(ax, lang, title=title, subtitle=subtitle, source=source, credit=credit, note=note,
            frames=(data,), translated=any(flag for _, flag in pairs))
    return ax


# --------------------------------------------------------------------------- plot_house_effects


def plot_house_effects(
    data: pd.DataFrame,
    x: str = "estimate",
    y: str = "pollster",
    ci: tuple[str, str] | str | None = ("ci_low", "ci_high"),
    ax: Axes | None = None,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    credit: str | None = None,
    note: str | None = None,
    lang: str = "en",
) -> Axes:
    """Dots with interval lines for pollster offsets, on a percentage-point axis with a zero line.

    Each pollster is drawn in its own colour (the same as in :func:`plot_trend` with
    ``hue="pollster"``) and named in ``lang``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per pollster; ``x`` holds the offset as a difference of proportions (0.02 is
        two percentage points), e.g. the house effects from :func:`polls.poll_average`.
    x, y : str, default "estimate", "pollster"
    ci : pair of str, "auto" or None, default ("ci_low", "ci_high")
    ax : matplotlib.axes.Axes, optional
    title, subtitle, source, credit, note : str, optional
        As in :func:`plot_trend`; the source defaults to ``source_url`` when present.
    lang : {"en", "ru", "sr", "sr-Cyrl"}, default "en"

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> he = pd.DataFrame({"pollster": ["levada", "vciom", "fom"], "estimate": [-0.01, 0.03, 0.0],
    ...                    "ci_low": [-0.02, 0.01, -0.01], "ci_high": [0.0, 0.05, 0.01]})
    >>> ax = polls.plot_house_effects(he, lang="sr")
    >>> ax.get_xaxis().get_major_formatter()(0.015, 0), ax.get_xlabel()
    ('+1,5', 'razlika, procentni poeni')
    """
    data = _check_frame(data)
    _check_columns(data, "x/y", [x, y])
    lang = _i18n.check_lang(lang)
    interval = _resolve_ci(data, ci)
    dup = data[y].duplicated(keep=False)
    if dup.any():
        raise InvalidArgumentError(
            f"{y} {data.loc[dup, y].iloc[0]!r} appears {int(dup.sum())} times: one row per {y}"
        )
    est = _numeric(data, x)
    pos = np.arange(len(data))
    colors = _colors(y, list(data[y]))
    ax = _new_axes(ax, (6, 0.45 * len(data) + 1.6))
    ax.axvline(0, color="0.4", linewidth=1, linestyle="--", zorder=1)
    if interval is not None:
        ax.hlines(pos, _numeric(data, interval[0]), _numeric(data, interval[1]), colors=colors,
                  linewidth=2, alpha=0.7)
    for p, e, c in zip(pos, est, colors, strict=True):
        ax.plot([e], [p], "o", color=c, markersize=6, zorder=3)
    ax.set_yticks(pos, [_label(y, v, lang)[0] for v in data[y]])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_points_formatter(lang))
    ax.set_xlabel(_i18n.word("points_axis", lang), fontfamily=_chart.FONT)
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    _layout(ax, lang, title=title, subtitle=subtitle, source=source, credit=credit, note=note,
            frames=(data,))
    return ax
