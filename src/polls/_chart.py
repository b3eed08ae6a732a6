"""Chart furniture shared by the plotting functions (private): palette, axes, titles and credits.

- One colour per pollster in every chart (:func:`pollster_color`), from colour-blind-safe
  palettes: Okabe and Ito's eight colours, then Paul Tol's "muted", "vibrant" and "dark" ones
  (24 in all, yellow last); known pollsters have fixed places, others a place from their id.
- Percent axes from 0 with whole-number ticks (:func:`percent_axis`), dates with month names in
  the chart's language (:func:`date_axis`).
- The newsroom layout (:func:`decorate`): title and subtitle above the plot, a note and the
  source line (with an optional credit after it) below it.

Every text is set in DejaVu Sans, which ships with matplotlib and covers Cyrillic, so a chart
looks the same on every machine and in every language.
"""

from __future__ import annotations

import textwrap
import zlib
from typing import Any

import numpy as np

from polls import _i18n

#: The font of every text in a chart (ships with matplotlib; Latin, Cyrillic and Greek).
FONT = "DejaVu Sans"

#: Colour-blind-safe colours (Okabe-Ito, Tol muted, Tol vibrant/dark, Tol light), most distinct
#: first.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",  # Okabe-Ito
    "#332288", "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#CC3311",  # Tol muted
    "#DDCC77", "#777777", "#EE3377", "#88CCEE", "#663333", "#225555", "#EE7733",  # and vibrant
    "#CC6677", "#666633", "#F0E442",                                              # and dark
    "#77AADD", "#EE8866", "#BBCC33", "#FFAABB", "#99DDFF", "#AAAA00",  # Tol light
)

#: Known pollsters in palette order: those often shown together come first (distinct colours).
POLLSTER_ORDER: tuple[str, ...] = (
    "levada", "vciom", "fom", "crta", "nspm", "demostat", "ntp", "cesid", "russianfield",
    "chronicles", "bcbp", "iea", "sprint", "iri", "faktorplus", "ipsos", "birodi", "impp-idn",
    "mei", "ninamedia", "savpol", "tnsmg", "valicon", "isac", "lidington", "rcc",
)

GIDS = {"title": "polls-title", "subtitle": "polls-subtitle", "note": "polls-note",
        "source": "polls-source", "gap": "polls-gap"}

_LINE_PT = 11.5  # height of one line of small text below the plot, in points


def pollster_color(pollster: Any) -> str:
    """The colour of a pollster in every chart (a known pollster's fixed one, else by its id).

    >>> pollster_color("levada"), pollster_color("levada") == pollster_color("levada")
    ('#0072B2', True)
    """
    key = str(pollster)
    if key in POLLSTER_ORDER:
        return PALETTE[POLLSTER_ORDER.index(key)]
    return PALETTE[zlib.crc32(key.encode("utf-8")) % len(PALETTE)]


def series_color(i: int) -> str:
    """The i-th colour for lines that are not pollsters (responses, groups)."""
    return PALETTE[i % len(PALETTE)]


# --------------------------------------------------------------------------- axes


def percent_formatter(lang: str):
    """Tick labels in percent with the language's decimal mark, decimals only where needed."""
    from matplotlib.ticker import PercentFormatter

    class _Percent(PercentFormatter):
        def __init__(self) -> None:
            super().__init__(xmax=1, decimals=0)

        def set_locs(self, locs) -> None:
            super().set_locs(locs)
            points = np.asarray(locs, dtype=float) * 100
            self.decimals = next(
                (d for d in range(4) if np.allclose(np.round(points, d), points, atol=1e-6)), 3
            )

        def __call__(self, x, pos=None) -> str:
            return _i18n.format_percent(x, self.decimals or 0, lang)

    return _Percent()


def whole_percent_locator():
    """Ticks at whole percents (steps of 1, 2, 5, 10, 20, 25 or 50 points), 4 to 7 of them."""
    from matplotlib.ticker import Locator, MaxNLocator, MultipleLocator

    class _WholePercent(Locator):
        def __call__(self):
            vmin, vmax = self.axis.get_view_interval()
            return self.tick_values(vmin, vmax)

        def tick_values(self, vmin, vmax):
            inner = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10])
            ticks = inner.tick_values(vmin, vmax)
            step = np.diff(ticks).min() if len(ticks) > 1 else 1.0
            if step < 0.01 - 1e-12 or not np.allclose(np.round(ticks * 100), ticks * 100):
                ticks = MultipleLocator(max(0.01, np.ceil(step * 100) / 100)).tick_values(
                    vmin, vmax)
            return ticks

    return _WholePercent()


def percent_axis(axis, lang: str, values: np.ndarray, *, zoom: bool) -> None:
    """A share axis: whole-percent ticks, from 0 (unless ``zoom``) to a little above the data."""
    axis.set_major_locator(whole_percent_locator())
    axis.set_major_formatter(percent_formatter(lang))
    if zoom:
        return
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 1.0
    upper = min(1.0, max(0.1, np.ceil((top + 0.04) * 10) / 10))
    axis.axes.set_ylim(0, upper) if axis.axis_name == "y" else axis.axes.set_xlim(0, upper)


def date_axis(axis, lang: str) -> None:
    """Dates as month names in ``lang``, with the year under the first tick and each January."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import Formatter

    class _Dates(Formatter):
        two_line = True  # the first tick and each January carry the year on a second line

        def __call__(self, x, pos=None) -> str:
            return self.format_ticks([x])[0]

        def format_ticks(self, values):
            days = [mdates.num2date(v) for v in values]
            if all(d.month == 1 and d.day == 1 for d in days):
                return [str(d.year) for d in days]
            out = []
            for i, d in enumerate(days):
                name = _i18n.month(d.month, lang)
                out.append(f"{name}\n{d.year}" if i == 0 or d.month == 1 else name)
            return out

    axis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))
    axis.set_major_formatter(_Dates())


# --------------------------------------------------------------------------- text


def _wrap(text: str, ax, fontsize: float, *, bold: bool = False) -> str:
    width_pt = ax.figure.get_figwidth() * 72 * 0.85  # the plot's width, about
    chars = max(30, int(width_pt / (fontsize * (0.7 if bold else 0.62))))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def source_text(source: str | None, lang: str) -> str:
    """``source`` with the word "Source:" in ``lang`` put in front, unless it has one."""
    if not source:
        return ""
    first = source.split(":", 1)[0].strip().lower()
    known = {_i18n.word("source", code).lower() for code in _i18n.LANGS}
    return source if ":" in source and first in known else f"{_i18n.word('source', lang)}: {source}"


def _below(ax, text: str, offset: float, gid: str) -> None:
    ax.annotate(
        text, xy=(0, 0), xycoords="axes fraction", xytext=(0, offset),
        textcoords="offset points", ha="left", va="top",
        fontsize=8.5, color="0.35", fontfamily=FONT, annotation_clip=False, gid=gid,
    )


def top_of_footer(ax) -> float:
    """Offset (points) of the first line under the axes: below tick labels and the axis label."""
    formatter = ax.xaxis.get_major_formatter()
    two_line_ticks = getattr(formatter, "two_line", False) and any(
        "\n" in label for label in formatter.format_ticks(ax.xaxis.get_majorticklocs()))
    return -30 - (12 if two_line_ticks else 0) - (14 if ax.get_xlabel() else 0)


def decorate(
    ax,
    *,
    lang: str,
    title: str | None,
    subtitle: str | None,
    source: str,
    credit: str | None,
    notes: list[str],
) -> None:
    """Title and subtitle above the axes; notes, then the source and credit line below.

    Several plots drawn on one Axes share one footer: their notes and source lines are
    gathered (each once) and the footer is drawn again, so lines never overlap.
    """
    ax.tick_params(labelfontfamily=FONT)
    titles = ax.__dict__.setdefault("_polls_titles", {"title": None, "subtitle": None})
    titles["title"] = title or titles["title"]
    titles["subtitle"] = subtitle or titles["subtitle"]
    _titles(ax, titles["title"], titles["subtitle"])
    footer = ax.__dict__.setdefault("_polls_footer", {"notes": [], "lines": [], "lang": lang})
    footer["notes"] += [n for n in notes if n and n not in footer["notes"]]
    if credit:
        credit = credit if ":" in credit else f"{_i18n.word('chart', lang)}: {credit}"
    line = " · ".join(part for part in (source, credit) if part)
    if line and line not in footer["lines"]:
        footer["lines"].append(line)
    _draw_footer(ax, footer, lang)


def relayout(ax) -> None:
    """Wrap the titles and the footer again for the figure's current width (after a resize)."""
    titles = ax.__dict__.get("_polls_titles")
    footer = ax.__dict__.get("_polls_footer")
    if titles is not None:
        _titles(ax, titles["title"], titles["subtitle"])
    if footer is not None:
        _draw_footer(ax, footer, footer["lang"])


def _titles(ax, title: str | None, subtitle: str | None) -> None:
    sub_lines = 0
    if subtitle:
        for old in [t for t in ax.texts if t.get_gid() == GIDS["subtitle"]]:
            old.remove()
        wrapped = _wrap(subtitle, ax, 10)
        sub_lines = wrapped.count("\n") + 1
        ax.annotate(wrapped, xy=(0, 1), xycoords="axes fraction", xytext=(0, 8),
                    textcoords="offset points", ha="left", va="bottom", fontsize=10,
                    color="0.3", fontfamily=FONT, annotation_clip=False,
                    gid=GIDS["subtitle"])
    if title:
        text = ax.set_title(_wrap(title, ax, 13, bold=True), loc="left", fontsize=13,
                            fontweight="bold", fontfamily=FONT,
                            pad=8 + sub_lines * 12.5 + (4 if sub_lines else 0))
        text.set_gid(GIDS["title"])


def _draw_footer(ax, footer: dict[str, list[str]], lang: str) -> None:
    for old in [t for t in ax.texts if t.get_gid() in (GIDS["note"], GIDS["source"])]:
        old.remove()
    offset = top_of_footer(ax)
    if footer["notes"]:
        sentences = [n if n.rstrip()[-1:] in ".!?" else n.rstrip() + "." for n in footer["notes"]]
        wrapped = _wrap(f"{_i18n.word('note', lang)}: " + " ".join(sentences), ax, 8.5)
        _below(ax, wrapped, offset, GIDS["note"])
        offset -= _LINE_PT * (wrapped.count("\n") + 1)
    for line in footer["lines"]:
        wrapped = _wrap(line, ax, 8.5)
        _below(ax, wrapped, offset, GIDS["source"])
        offset -= _LINE_PT * (wrapped.count("\n") + 1)
