"""Trends in a poll series, and a poll average with pollster house effects.

:func:`smooth_trend` smooths one series (one pollster asking one question); :func:`poll_average`
pools several pollsters into one latent trend plus a constant offset per pollster.

The model
---------
For wave ``i`` of pollster ``j(i)``, published share ``y_i`` of one response, dated ``t_i``::

    y_i = x(t_i) + h_j(i) + e_i,     e_i ~ Normal(0, s_i^2)
    x(t) - x(u) ~ Normal(0, process_sd^2 * (t - u) in days)      (a random walk, t > u)

- ``s_i^2`` is the sampling variance of the published share: ``p(1 - p) / n_eff`` with
  ``n_eff = sample_size / deff`` and ``p`` the Agresti-Coull adjusted share
  ``(n_eff * y + 2) / (n_eff + 4)``. The adjustment barely moves ``p(1 - p)`` for real polls
  (``0.5`` stays ``0.5``) but keeps the variance positive for a published 0% or 100%, which
  would otherwise count as a wave with no error at all. With ``rounding=True`` the variance of the
  rounding error, ``precision^2 / 12`` (uniform over one rounding step), is added.
- The walk has a flat (diffuse) start: no prior opinion about the level. Its variance grows with the
  elapsed time, so missing months and irregular spacing need no special treatment. Waves on the same
  date (different pollsters) observe the same state.
- ``process_sd`` (per day) is estimated by maximum likelihood with the trend and the house effects
  integrated out, or set by the user.

Given ``process_sd`` the posterior of the trend is Gaussian and computed exactly: its precision
matrix is tridiagonal (plus a few dense columns for the house effects), factorised by LAPACK in time
linear in the number of waves. *Smoothed* values use every wave; *filtered* values use only the
waves up to each date (what a tracker published at that date could have shown). In
:func:`poll_average` the filtered values hold the house effects at their estimates from all waves.

Intervals are Gaussian, ``estimate +- z * se``, and are not clipped to [0, 1].

House effects
-------------
A house effect is the constant difference between what a pollster publishes and the common trend.
When pollsters ask different questions (Levada asks whether one approves of Putin's activities,
FOM whether he is doing his job well, VCIOM asks about approval by telephone), the house effect
absorbs everything that is constant about a pollster: the wording, the answer options, the mode
(face-to-face at home or telephone), the sample frame and weighting, and any systematic lean. It is
not a measure of bias, and the trend is on the scale of the average pollster (sum-to-zero, the
default) or of the reference pollster (``reference=``). Offsets that change over time (a change of
mode, of wording) are not modelled: split such a pollster into two labels.

Answers that sum to one
-----------------------
Each call models one response (``response="approve"``). The responses of one question are modelled
one at a time because each such model is exactly linear and Gaussian, fast, and needs no choice of
link function; the price is that the smoothed shares of all responses need not sum exactly to one
(their sampling variances differ), and that the covariance between responses is not used. Published
responses often do not sum to one anyway (rounding, unpublished "hard to say").
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from polls import _banded
from polls._checks import (
    check_choice,
    check_confidence_level,
    check_positive,
    check_scalar,
    check_share,
    critical_value,
)
from polls._frames import check_default_n, dates, default_sample_sizes, numbers, per_row
from polls.errors import ConvergenceWarning, InvalidArgumentError

__all__ = ["smooth_trend", "poll_average", "PollAverage"]

_FREQS = ("MS", "W", "D")
_CONSTANT_COLUMNS: dict[str, Any] = {}
_DAY = np.timedelta64(86_400_000_000_000, "ns")


# --------------------------------------------------------------------------------------------
# input


def _rows(index: pd.Index, mask: np.ndarray, limit: int = 10) -> str:
    labels = list(index[np.asarray(mask)])
    shown = ", ".join(repr(x) for x in labels[:limit])
    more = f" and {len(labels) - limit} more" if len(labels) > limit else ""
    return f"{len(labels)} row(s) (index {shown}{more})"


def _column(data: pd.DataFrame, name: str, argument: str) -> pd.Series:
    if not isinstance(name, str) or name not in data.columns:
        raise InvalidArgumentError(
            f"{argument}={name!r} is not a column of data; columns are {list(data.columns)}"
        )
    return data[name]


@dataclass(frozen=True)
class _Waves:
    index: pd.Index
    time: np.ndarray  # datetime64[ns]
    y: np.ndarray
    s2: np.ndarray
    n_eff: np.ndarray
    group: np.ndarray  # int codes
    labels: list[Any]  # group labels
    state_time: np.ndarray  # unique dates, sorted
    state: np.ndarray  # state of each wave
    gap: np.ndarray  # elapsed days between consecutive states
    in_order: bool = False  # the waves are in date order
    label_index: pd.Index | None = None  # the input's categories, when they equal the labels


def _numeric(data: pd.DataFrame, column: str, argument: str,
             rows: np.ndarray | None) -> np.ndarray:
    """Float values of a column at ``rows`` (all: ``None``), NaN where missing; text that is not
    a number and infinite values raise (see :func:`polls._frames.numbers`)."""
    _column(data, column, argument)
    return numbers(data, column, argument, rows)


def _response_rows(resp: pd.Series, response: Any, response_column: str) -> np.ndarray | None:
    """Rows holding ``response`` (``None`` for all of them); an error when there are none."""
    if isinstance(resp.dtype, pd.CategoricalDtype):
        codes = np.asarray(resp.array.codes)
        try:
            where = resp.array.categories.get_loc(response)
        except (KeyError, TypeError, pd.errors.InvalidIndexError):
            where = None
        if isinstance(where, (int, np.integer)):
            rows = codes == where
        else:
            rows = np.zeros(len(resp), dtype=bool)
    else:
        rows = (resp == response).fillna(False).to_numpy(dtype=bool)
    if not rows.any():
        if isinstance(resp.dtype, pd.CategoricalDtype):
            present = [c for c in resp.cat.categories if (resp == c).any()]
        else:
            present = list(dict.fromkeys(resp.dropna().tolist()))
        raise InvalidArgumentError(
            f"response={response!r} does not occur in column {response_column!r}; "
            f"responses present: {present}"
        )
    return None if rows.all() else rows


def _codes(who: pd.Series) -> tuple[np.ndarray, np.ndarray, list[Any], pd.Index | None]:
    """Integer codes of a column's values (sorted as ``pd.factorize(sort=True)``), missing,
    labels, and the column's categories when they are exactly ``pd.Index(labels)``."""
    if isinstance(who.dtype, pd.CategoricalDtype):
        values = who.array
        codes = np.asarray(values.codes)
        missing = codes < 0
        categories = values.categories
        seen = np.bincount(codes[~missing] if missing.any() else codes,
                           minlength=len(categories)) > 0
        if seen.all():
            same = (categories.dtype == _str_dtype() and categories.dtype != object
                    and categories.name is None)
            return codes, missing, categories.tolist(), categories if same else None
        renumber = np.cumsum(seen) - 1
        return renumber[codes], missing, categories[seen].tolist(), None
    missing = who.isna().to_numpy()
    codes, uniques = pd.factorize(who, sort=True)
    return codes, missing, list(uniques), None


@functools.cache
def _str_dtype() -> Any:
    """The dtype pandas gives an index of Python strings."""
    return pd.Index(["a"]).dtype


def _prepare(
    data: Any,
    *,
    response: Any,
    response_column: str,
    share: str,
    date: str,
    n: str | None,
    default_n: float | None,
    deff: float | str,
    rounding: bool,
    precision: str,
    by: str | None,
) -> _Waves:
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgumentError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    check_default_n(default_n)
    resp = _column(data, response_column, "response_column")
    rows = _response_rows(resp, response, response_column)
    index = data.index if rows is None else data.index[rows]

    _column(data, date, "date")
    time = dates(data, date, "date", rows)
    bad = np.isnat(time)
    if bad.any():
        raise InvalidArgumentError(
            f"{_rows(index, bad)} for response {response!r} have no date in column "
            f"{date!r}; drop them (polls.load_dataset(name, undated='drop') does) or pass "
            "another date column (e.g. date='published')"
        )

    y = _numeric(data, share, "share", rows)
    bad = np.isnan(y)
    if bad.any():
        raise InvalidArgumentError(f"{_rows(index, bad)} have no numeric value in {share!r}")
    y = check_share("share", y)

    if n is not None and n in data.columns:
        size = _numeric(data, n, "n", rows)
    elif n is None:
        size = np.full(len(index), np.nan)
    else:
        _column(data, n, "n")
    missing = np.isnan(size)
    if missing.any():
        chosen = np.arange(len(data)) if rows is None else np.arange(len(data))[rows]
        size = size.copy()
        size[missing] = default_sample_sizes(data, default_n, chosen[missing])
        still = np.isnan(size)
        if still.any():
            raise InvalidArgumentError(
                f"{_rows(index, still)} have no sample size in column {n!r}; pass "
                "default_n= (e.g. the pollster's usual sample size) or drop those rows"
            )
    size = check_positive(n or "sample size", size)

    if isinstance(deff, str):
        d = _numeric(data, deff, "deff", rows)
        if np.isnan(d).any():
            raise InvalidArgumentError(
                f"{_rows(index, np.isnan(d))} have no design effect in {deff!r}"
            )
        d = check_positive("deff", d)
    else:
        d = per_row(data, "deff", deff)
        d = check_positive("deff", d if rows is None else d[rows])
    n_eff = size / d
    p = (n_eff * y + 2.0) / (n_eff + 4.0)
    s2 = p * (1.0 - p) / n_eff
    if rounding:
        prec = _numeric(data, precision, "precision", rows)
        if np.isnan(prec).any():
            raise InvalidArgumentError(
                f"{_rows(index, np.isnan(prec))} have no rounding step in {precision!r} "
                "(needed with rounding=True)"
            )
        s2 = s2 + prec**2 / 12.0

    label_index = None
    if by is None:
        codes = np.zeros(len(index), dtype=np.int64)
        labels: list[Any] = [None]
    else:
        all_codes, all_missing, labels, label_index = _codes(_column(data, by, "by"))
        if rows is not None:  # pollsters with no wave of this response are not labels
            all_codes, all_missing = all_codes[rows], all_missing[rows]
            seen = np.bincount(all_codes[~all_missing], minlength=len(labels)) > 0
            if not seen.all():
                labels = [lab for lab, keep in zip(labels, seen, strict=True) if keep]
                all_codes = (np.cumsum(seen) - 1)[all_codes]
                label_index = None
        if all_missing.any():
            raise InvalidArgumentError(
                f"{_rows(index, all_missing)} have no value in {by!r}"
            )
        codes = all_codes.astype(np.int64, copy=False)

    state_time, state, gap, in_order = _states(time)
    if len(state_time) < len(time):  # some dates hold several waves: one per pollster at most
        k = len(labels)
        cell = state * k + codes
        if len(state_time) * k <= 4 * len(cell):
            dup = np.bincount(cell, minlength=len(state_time) * k)[cell] > 1
        else:
            _, inverse, counts = np.unique(cell, return_inverse=True, return_counts=True)
            dup = counts[inverse] > 1
        if dup.any():
            who = f" of the same {by!r}" if by is not None else ""
            raise InvalidArgumentError(
                f"{_rows(index, dup)} are waves{who} with the same date in {date!r} (for "
                f"response {response!r}): keep one row per wave (e.g. drop a second source's "
                "conflicting figure) before smoothing"
            )
    return _Waves(
        index=index,
        time=time,
        y=y,
        s2=s2,
        n_eff=n_eff,
        group=codes,
        labels=labels,
        state_time=state_time,
        state=state,
        gap=gap,
        in_order=in_order,
        label_index=label_index,
    )


def _states(time: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Unique dates, the state of each wave, elapsed days between states, whether in order."""
    ns = time.view(np.int64)
    in_order = len(ns) < 2 or bool((ns[1:] >= ns[:-1]).all())
    if len(ns) > 1 and in_order:  # in date order already: no sort needed
        new = np.empty(len(ns), dtype=bool)
        new[0] = True
        np.not_equal(ns[1:], ns[:-1], out=new[1:])
        uniq = ns[new]
        state = np.cumsum(new) - 1
    else:
        uniq, state = np.unique(ns, return_inverse=True)
    gap = np.diff(uniq).astype(float) / float(_DAY.astype(np.int64))
    return uniq.view("datetime64[ns]"), state.astype(np.int64), gap, in_order


def _constant(value: str, n: int) -> Any:
    """A column of ``n`` copies of ``value``, of the dtype a scalar string column gets.

    With Arrow-backed strings (pandas' default) and up to 65,536 rows it is an O(1) slice of a
    cached immutable array (building it costs more than the rest of a small frame); otherwise the
    scalar itself (pandas broadcasts it).
    """
    if n > 65_536:
        return value
    base = _CONSTANT_COLUMNS.get(value)
    if base is None or len(base) < n:
        dtype = pd.Series([value]).dtype
        if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
            return value
        size = min(max(n, 1024, 2 * len(base) if base is not None else 0), 65_536)
        base = pd.array(np.full(size, value, dtype=object), dtype=dtype)
        _CONSTANT_COLUMNS[value] = base
    return base[:n]


def _z(confidence_level: float) -> float:
    return critical_value(confidence_level)


def _output_dates(state_time: np.ndarray, freq: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Output dates (union of the grid and the wave dates) and whether each is a wave date."""
    dates, is_wave, _ = _output_grid(state_time, freq)
    return dates, is_wave


def _output_grid(
    state_time: np.ndarray, freq: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """As :func:`_output_dates`, plus the last state on or before each output date."""
    n_states = len(state_time)
    if freq is None:
        return state_time, np.ones(n_states, dtype=bool), np.arange(n_states)
    check_choice("freq", freq, (*_FREQS, None))
    grid = pd.date_range(
        pd.Timestamp(state_time[0]).normalize(), pd.Timestamp(state_time[-1]), freq=freq
    )
    grid = grid[grid >= pd.Timestamp(state_time[0])].to_numpy(dtype="datetime64[ns]")
    # grid dates that are not wave dates, inserted among the (sorted, unique) wave dates
    at = np.searchsorted(state_time, grid)
    new = (at == n_states) | (state_time[np.minimum(at, n_states - 1)] != grid)
    extra, at = grid[new], at[new]
    dates = np.insert(state_time, at, extra)
    is_wave = np.ones(len(dates), dtype=bool)
    placed = at + np.arange(len(at))
    is_wave[placed] = False
    last = np.empty(len(dates), dtype=np.int64)
    last[is_wave] = np.arange(n_states)
    last[placed] = at - 1  # grid dates start on or after the first wave date
    return dates, is_wave, last


# --------------------------------------------------------------------------------------------
# kalman (exact banded posterior)


def _fit(
    waves: _Waves, *, contrast: np.ndarray | None, process_sd: float | None
) -> tuple[_banded.Posterior, np.ndarray, np.ndarray, str]:
    state_time, state, gap = waves.state_time, waves.state, waves.gap
    design = _banded.make_design(
        state, gap, waves.y, waves.s2, waves.group, contrast, start=process_sd is None
    )
    if process_sd is None:
        if len(state_time) < 3:
            raise InvalidArgumentError(
                f"estimating process_sd needs waves on at least 3 dates, got {len(state_time)}; "
                "pass process_sd= (the standard deviation of the trend's change over one day)"
            )
        evaluation, at_bound, _ = _banded.fit(design)
        sigma2 = evaluation.sigma2
        source = "ml"
        if at_bound and sigma2 > 1e-6:
            import warnings

            warnings.warn(
                f"the maximum-likelihood process_sd ({math.sqrt(sigma2):.3g} per day) is at the "
                "upper end of its search range; the waves may be too noisy or too few to separate "
                "trend from noise: consider setting process_sd=",
                ConvergenceWarning,
                stacklevel=3,
            )
    else:
        sigma2 = _check_process_sd(process_sd) ** 2
        evaluation = None
        source = "fixed"
    try:
        post = _banded.posterior(design, sigma2, evaluation)
    except np.linalg.LinAlgError as exc:  # pragma: no cover - guarded by the range check
        raise InvalidArgumentError(
            f"the trend cannot be computed at process_sd={math.sqrt(sigma2)!r} ({exc}); try a "
            "larger process_sd") from None
    return post, state_time, gap, source


#: The range of ``process_sd`` (per day) a user may set: that of the maximum-likelihood search
#: (sigma2 in [1e-12, 1]); below it the walk is numerically constant and cannot be factorised.
PROCESS_SD_RANGE = (1e-6, 1.0)


def _check_process_sd(value: Any) -> float:
    sd = check_scalar("process_sd", value)
    low, high = PROCESS_SD_RANGE
    if not low <= sd <= high:
        raise InvalidArgumentError(
            f"process_sd must lie in [{low:g}, {high:g}] (the standard deviation of the trend's "
            f"change over one day, as a proportion), got {value!r}")
    return sd


def _window_days(window: Any) -> float:
    """The rolling window in days: a number of days, or a time span such as ``"90D"``."""
    if isinstance(window, (bool, np.bool_)):
        raise InvalidArgumentError(f"window must be a number of days or a time span like '90D', "
                                   f"got {window!r}")
    if isinstance(window, (int, float, np.integer, np.floating)):
        days = check_scalar("window", window)
    else:
        text = window.strip() if isinstance(window, str) else None
        if text is not None and text.replace(".", "", 1).isdigit():
            raise InvalidArgumentError(
                f"window={window!r} has no unit: pass a number of days (90) or a span with its "
                "unit ('90D', '13W')")
        try:
            days = pd.Timedelta(window) / pd.Timedelta(days=1)
        except (TypeError, ValueError, OverflowError):
            raise InvalidArgumentError(
                f"window must be a number of days or a time span like '90D', got {window!r}"
            ) from None
    if not (math.isfinite(days) and 0 < days <= 100_000):
        raise InvalidArgumentError(
            f"window must be a positive time span of at most 100,000 days, got {window!r}")
    return float(days)


def _kalman_frame(
    post: _banded.Posterior,
    state_time: np.ndarray,
    counts: np.ndarray,
    *,
    freq: str | None,
    level: float,
) -> pd.DataFrame:
    dates, is_wave, m = _output_grid(state_time, freq)
    day = float(_DAY.astype(np.int64))
    start = state_time.view(np.int64)[0]
    sigma2 = post.sigma2
    n_states = len(state_time)
    z = _z(level)
    if freq is None:  # the wave dates only
        mean, var = post.mean, post.var
        fmean, fvar = post.filtered_mean, post.filtered_var
        n_waves = counts
    else:
        ts = (state_time.view(np.int64) - start) / day
        t = (dates.view(np.int64) - start) / day
        mean = post.mean[m]
        var = post.var[m]
        after = ~is_wave & (m == n_states - 1)
        var[after] += sigma2 * (t[after] - ts[m[after]])
        between = ~is_wave & (m < n_states - 1)
        if between.any():
            a = m[between]
            left, right = ts[a], ts[a + 1]
            width = right - left
            w1 = (right - t[between]) / width
            w2 = 1.0 - w1
            mean[between] = w1 * post.mean[a] + w2 * post.mean[a + 1]
            var[between] = (
                w1**2 * post.var[a]
                + w2**2 * post.var[a + 1]
                + 2 * w1 * w2 * post.cov_next[a]
                + sigma2 * (t[between] - left) * (right - t[between]) / width
            )
        fmean = post.filtered_mean[m]
        fvar = post.filtered_var[m] + sigma2 * (t - ts[m])
        n_waves = np.zeros(len(dates), dtype=np.int64)
        n_waves[is_wave] = counts
    se = np.sqrt(var)
    fse = np.sqrt(fvar)
    half, fhalf = z * se, z * fse
    return pd.DataFrame(
        {
            "date": dates,
            "estimate": mean,
            "ci_low": mean - half,
            "ci_high": mean + half,
            "se": se,
            "filtered_estimate": fmean,
            "filtered_ci_low": fmean - fhalf,
            "filtered_ci_high": fmean + fhalf,
            "filtered_se": fse,
            "confidence_level": level,
            "is_wave": is_wave,
            "n_waves": n_waves,
            "method": _constant("kalman", len(dates)),
        },
        copy=False,
    )


# --------------------------------------------------------------------------------------------
# simple smoothers for comparison


def _loess_weights(x: np.ndarray, x0: np.ndarray, frac: float) -> np.ndarray:
    """Equivalent-kernel weights (len(x0) x len(x)) of local-linear tricube regression."""
    n = len(x)
    k = max(int(frac * n + 1e-10), 2)
    k = min(k, n)
    out = np.empty((len(x0), n))
    step = max(1, 2_000_000 // max(n, 1))
    for lo in range(0, len(x0), step):
        xs = x0[lo : lo + step, None]
        dist = np.abs(x[None, :] - xs)
        h = np.partition(dist, k - 1, axis=1)[:, k - 1 : k]
        h = np.where(h > 0, h, 1.0)
        u = np.clip(dist / h, 0.0, 1.0)
        w = (1.0 - u**3) ** 3
        s0 = w.sum(axis=1, keepdims=True)
        vanish = s0[:, 0] <= 0  # every neighbour at exactly the bandwidth (a date midway
        if vanish.any():  # between waves): widen it a hair so that they count, equally
            u = np.clip(dist[vanish] / (h[vanish] * (1 + 1e-9)), 0.0, 1.0)
            w[vanish] = (1.0 - u**3) ** 3
            s0 = w.sum(axis=1, keepdims=True)
        dx = x[None, :] - xs
        s1 = (w * dx).sum(axis=1, keepdims=True)
        s2 = (w * dx**2).sum(axis=1, keepdims=True)
        det = s0 * s2 - s1**2
        safe = np.abs(det) > 1e-12 * np.maximum(s0 * s2, 1e-300)
        lin = np.where(safe, w * (s2 - s1 * dx) / np.where(safe, det, 1.0), w / s0)
        out[lo : lo + step] = lin
    return out


def _simple_frame(
    waves: _Waves, *, method: str, freq: str | None, level: float, frac: float, window: Any
) -> pd.DataFrame:
    state_time, state = waves.state_time, waves.state
    counts = np.bincount(state, minlength=len(state_time))
    dates, is_wave = _output_dates(state_time, freq)
    day = float(_DAY.astype(np.int64))
    t0 = state_time.view(np.int64)[0]
    x = (waves.time.view(np.int64) - t0) / day
    t = (dates.view(np.int64) - t0) / day
    z = _z(level)
    n_waves = np.zeros(len(dates), dtype=np.int64)
    n_waves[is_wave] = counts[np.searchsorted(state_time, dates[is_wave])]
    if method == "loess":
        frac = check_scalar("frac", frac)
        if not 0 < frac <= 1:
            raise InvalidArgumentError(f"frac must lie in (0, 1], got {frac!r}")
        weights = _loess_weights(x, t, frac)
        est = weights @ waves.y
        se = np.sqrt((weights**2) @ waves.s2)
        return pd.DataFrame(
            {
                "date": dates,
                "estimate": est,
                "ci_low": est - z * se,
                "ci_high": est + z * se,
                "se": se,
                "confidence_level": level,
                "is_wave": is_wave,
                "n_waves": n_waves,
                "method": "loess",
            }
        )
    half = _window_days(window) / 2.0
    order = np.argsort(x, kind="stable")
    xs = x[order]
    w = 1.0 / waves.s2[order]
    cw = np.concatenate([[0.0], np.cumsum(w)])
    cwy = np.concatenate([[0.0], np.cumsum(w * waves.y[order])])

    def window_mean(lo_t, hi_t, lo_side):
        lo = np.searchsorted(xs, lo_t, side=lo_side)
        hi = np.searchsorted(xs, hi_t, side="right")
        sw = cw[hi] - cw[lo]
        ok = sw > 0  # dates with no wave in the window are left out below
        safe = np.where(ok, sw, 1.0)
        return (cwy[hi] - cwy[lo]) / safe, 1.0 / np.sqrt(safe), ok

    est, se, ok = window_mean(t - half, t + half, "left")
    fest, fse, fok = window_mean(t - 2 * half, t, "right")
    keep = ok & fok
    frame = pd.DataFrame(
        {
            "date": dates,
            "estimate": est,
            "ci_low": est - z * se,
            "ci_high": est + z * se,
            "se": se,
            "filtered_estimate": fest,
            "filtered_ci_low": fest - z * fse,
            "filtered_ci_high": fest + z * fse,
            "filtered_se": fse,
            "confidence_level": level,
            "is_wave": is_wave,
            "n_waves": n_waves,
            "method": "rolling",
        }
    )
    return frame.loc[keep].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# public API


def smooth_trend(
    data: pd.DataFrame,
    *,
    response: Any,
    date: str = "fieldwork_end",
    method: str = "kalman",
    n: str | None = "sample_size",
    default_n: float | None = None,
    deff: float | str = 1.0,
    rounding: bool = False,
    freq: str | None = "MS",
    confidence_level: float = 0.95,
    process_sd: float | None = None,
    share: str = "share",
    response_column: str = "response",
    precision: str = "precision",
    series: str = "series",
    frac: float = 0.3,
    window: Any = "90D",
) -> pd.DataFrame:
    """Smooth one poll series: the underlying share over time, with intervals.

    A local-level (random-walk) model of the true share; each wave's sampling variance comes from
    its share and effective sample size (see the module notes). Missing months and irregular
    spacing are handled by the walk's variance growing with elapsed time.

    Parameters
    ----------
    data : pandas.DataFrame
        A toplines frame (one row per wave and response), e.g. from :func:`polls.load_dataset`,
        holding one series (use :func:`poll_average` to pool pollsters).
    response : str
        The response to smooth (e.g. ``"approve"``); one response at a time.
    date : str, default "fieldwork_end"
        Column with each wave's date. Rows without a date raise an error naming them.
    method : {"kalman", "loess", "rolling"}, default "kalman"
        ``"kalman"``: the exact posterior of the random-walk model (smoothed and filtered).
        ``"loess"``: local-linear tricube regression on the ``frac`` nearest waves, an unweighted
        smoother as in ``statsmodels.nonparametric.lowess(it=0)``; its interval reflects sampling
        error only (not the smoother's bias) and it has no filtered columns.
        ``"rolling"``: the inverse-variance weighted mean of the waves within a centred ``window``
        (filtered: the trailing window); output dates with no wave in the window are left out.
    n : str or None, default "sample_size"
        Column of sample sizes. Missing sizes take ``default_n``, else
        ``data.attrs["usual_sample_size"]``; with neither, an error lists the rows.
    default_n : float, optional
        Sample size for waves that state none.
    deff : float or str, default 1.0
        Design effect (a number, or a column name); ``n_eff = n / deff``.
    rounding : bool, default False
        Add the rounding error of the published figure, ``precision^2 / 12``, to each wave's
        variance (from the ``precision`` column).
    freq : {"MS", "W", "D"} or None, default "MS"
        Also report the trend on a regular grid (month starts, weeks, days) between the first and
        the last wave; ``None`` gives the wave dates only.
    confidence_level : float, default 0.95
    process_sd : float, optional
        Standard deviation of the trend's change over one day (over ``d`` days it is
        ``process_sd * sqrt(d)``), in [1e-6, 1] (:data:`PROCESS_SD_RANGE`, the range searched
        when it is estimated). Estimated by maximum likelihood when not given (this needs waves
        on at least 3 dates).
    share, response_column, precision, series : str
        Column names (canonical defaults).
    frac : float, default 0.3
        Share of the waves in each local fit (``method="loess"``).
    window : int, float, str or Timedelta, default "90D"
        Window width (``method="rolling"``): a number of days (``90``), or a time span with its
        unit (``"90D"``, ``"13W"``, ``pd.Timedelta(days=90)``). Text without a unit is refused.

    Returns
    -------
    pandas.DataFrame
        One row per output date (the grid and the wave dates, sorted): ``date, estimate, ci_low,
        ci_high, se, filtered_estimate, filtered_ci_low, filtered_ci_high, filtered_se,
        confidence_level, is_wave, n_waves, method``. ``attrs`` holds ``process_sd`` (per day),
        ``process_sd_source`` (``"ml"`` or ``"fixed"``), ``loglike`` and ``response``
        (kalman).

    Raises
    ------
    InvalidArgumentError
        For a response that does not occur, waves without a date or sample size, two waves on
        the same date, several series in ``data``, or too few waves to estimate ``process_sd``;
        for text that is not a number or, in ``date``, not an ISO 8601 date (named with its
        rows, never read as missing); for ``process_sd`` outside :data:`PROCESS_SD_RANGE`.

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> waves = pd.DataFrame({
    ...     "fieldwork_end": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-04-30",
    ...                                      "2024-05-31"]),
    ...     "response": "approve",
    ...     "share": [0.85, 0.86, 0.87, 0.86],
    ...     "sample_size": 1600,
    ... })
    >>> fit = polls.smooth_trend(waves, response="approve", process_sd=0.002, freq=None)
    >>> fit[["estimate", "ci_low", "ci_high"]].round(3)
       estimate  ci_low  ci_high
    0     0.854   0.839    0.868
    1     0.859   0.845    0.872
    2     0.866   0.853    0.879
    3     0.862   0.848    0.877
    """
    method = check_choice("method", method, ("kalman", "loess", "rolling"))
    level = check_confidence_level(confidence_level)
    if freq is not None:
        check_choice("freq", freq, _FREQS)
    if (
        isinstance(data, pd.DataFrame)
        and series in data.columns
        and response_column in data.columns
    ):
        rows = (data[response_column] == response).fillna(False).to_numpy(dtype=bool)
        found = list(dict.fromkeys(data.loc[rows, series].dropna().tolist()))
        if len(found) > 1:
            raise InvalidArgumentError(
                f"data holds {len(found)} series ({found}); smooth_trend smooths one series: "
                "filter the frame, or use poll_average() to pool pollsters with house effects"
            )
    waves = _prepare(
        data,
        response=response,
        response_column=response_column,
        share=share,
        date=date,
        n=n,
        default_n=default_n,
        deff=deff,
        rounding=rounding,
        precision=precision,
        by=None,
    )
    if method != "kalman":
        out = _simple_frame(waves, method=method, freq=freq, level=level, frac=frac, window=window)
        out.attrs.update(response=response)
        return out
    post, state_time, _, source = _fit(waves, contrast=None, process_sd=process_sd)
    counts = np.bincount(waves.state, minlength=len(state_time))
    out = _kalman_frame(post, state_time, counts, freq=freq, level=level)
    out.attrs.update(
        process_sd=math.sqrt(post.sigma2),
        process_sd_source=source,
        loglike=post.loglike,
        response=response,
    )
    return out


@dataclass(frozen=True)
class PollAverage:
    """The result of :func:`poll_average`.

    Attributes
    ----------
    trend : pandas.DataFrame
        The common trend (as from :func:`smooth_trend`), on the scale of the average pollster
        (sum-to-zero house effects) or of the ``reference`` pollster.
    house_effects : pandas.DataFrame
        ``pollster, estimate, ci_low, ci_high, se, n_waves, confidence_level``: each pollster's
        constant offset from the trend (the reference pollster has 0 with no interval width).
        The intervals (like the trend's) take ``process_sd`` as known: when it is estimated,
        its own uncertainty is not carried, so they are somewhat too narrow for short series.
    waves : pandas.DataFrame
        One row per wave used: ``date, pollster, share, se`` (sampling), ``house_effect``,
        ``adjusted_share`` (``share - house_effect``), ``trend`` (smoothed, at the wave's date).
    process_sd : float
        Standard deviation of the trend's change over one day.
    process_sd_source : str
        ``"ml"`` (estimated) or ``"fixed"`` (given).
    loglike : float
        Diffuse log-likelihood at ``process_sd``.
    response : object
    reference : object or None
    confidence_level : float
    """

    trend: pd.DataFrame
    house_effects: pd.DataFrame
    waves: pd.DataFrame
    process_sd: float
    process_sd_source: str
    loglike: float
    response: Any
    reference: Any
    confidence_level: float

    def to_frame(self) -> pd.DataFrame:
        """The trend frame."""
        return self.trend

    def summary(self, lang: str = "en", *, what: str | None = None) -> str:
        """The latest average and the house effects in words ("en", "ru", "sr", "sr-Cyrl")."""
        from polls._summaries import poll_average

        return poll_average(self, lang, what=what)

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)


def poll_average(
    data: pd.DataFrame,
    *,
    response: Any,
    by: str = "pollster",
    reference: Any = None,
    date: str = "fieldwork_end",
    n: str | None = "sample_size",
    default_n: float | None = None,
    deff: float | str = 1.0,
    rounding: bool = False,
    freq: str | None = "MS",
    confidence_level: float = 0.95,
    process_sd: float | None = None,
    share: str = "share",
    response_column: str = "response",
    precision: str = "precision",
) -> PollAverage:
    """One latent trend plus a constant house effect per pollster, estimated jointly.

    The model of :func:`smooth_trend` with an offset ``h_j`` for each pollster ``j``:
    ``share = trend(date) + h_j + sampling error``. The offsets sum to zero (the trend is that of
    the average pollster) or, with ``reference=``, that pollster's offset is zero (the trend is on
    its scale). What a house effect means when pollsters ask different questions is described in
    the module notes: it absorbs wording, mode and sample-frame differences, not only "bias".

    Parameters
    ----------
    data : pandas.DataFrame
        A toplines frame with waves of several pollsters (e.g. several datasets concatenated).
    response : str
        The response to model; one response at a time. Pollsters whose label for the same
        quantity differs should be harmonised first (e.g. FOM's ``"rather well"`` as ``"approve"``).
    by : str, default "pollster"
        Column naming the house of each wave (a pollster, or a pollster and mode).
    reference : optional
        A value of ``by`` whose house effect is fixed at 0. Default: house effects sum to zero.
    date, n, default_n, deff, rounding, freq, confidence_level, process_sd, share,
    response_column, precision
        As in :func:`smooth_trend`. ``n`` gaps are filled per the same rule; the filtered columns
        hold the house effects at their estimates from all waves.

    Returns
    -------
    PollAverage
        With ``.trend``, ``.house_effects``, ``.waves`` and the fitted ``.process_sd``.

    Raises
    ------
    InvalidArgumentError
        As in :func:`smooth_trend`; also for an unknown ``reference``. A pollster with one wave is
        allowed: its house effect is then identified only through the trend and has a wide
        interval.

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> waves = pd.DataFrame({
    ...     "pollster": ["A", "B", "A", "B", "A", "B"],
    ...     "fieldwork_end": pd.to_datetime(["2024-01-10", "2024-01-20", "2024-02-10",
    ...                                      "2024-02-20", "2024-03-10", "2024-03-20"]),
    ...     "response": "approve",
    ...     "share": [0.80, 0.70, 0.81, 0.72, 0.80, 0.71],
    ...     "sample_size": 1600,
    ... })
    >>> avg = polls.poll_average(waves, response="approve", process_sd=0.001, freq=None)
    >>> avg.house_effects[["pollster", "estimate", "n_waves"]].round(3)
      pollster  estimate  n_waves
    0        A     0.047        3
    1        B    -0.047        3
    """
    level = check_confidence_level(confidence_level)
    if freq is not None:
        check_choice("freq", freq, _FREQS)
    if isinstance(data, pd.DataFrame):
        _column(data, by, "by")  # the houses must be named (smooth_trend pools none)
    waves = _prepare(
        data,
        response=response,
        response_column=response_column,
        share=share,
        date=date,
        n=n,
        default_n=default_n,
        deff=deff,
        rounding=rounding,
        precision=precision,
        by=by,
    )
    k = len(waves.labels)
    if reference is None:
        contrast = np.vstack([np.eye(k - 1), -np.ones((1, k - 1))]) if k > 1 else np.zeros((1, 0))
    else:
        if reference not in waves.labels:
            raise InvalidArgumentError(
                f"reference={reference!r} is not a value of {by!r} among the waves of response "
                f"{response!r}; values: {waves.labels}"
            )
        r = waves.labels.index(reference)
        contrast = np.delete(np.eye(k), r, axis=1)
    post, state_time, _, source = _fit(waves, contrast=contrast, process_sd=process_sd)
    state = waves.state
    counts = np.bincount(state, minlength=len(state_time))
    trend = _kalman_frame(post, state_time, counts, freq=freq, level=level)
    z = _z(level)
    se_h = np.sqrt(np.clip(np.diag(post.offsets_cov), 0.0, None))
    n_by = np.bincount(waves.group, minlength=k)
    # inferred once, for both frames (or the input's categories, when they are the same index)
    names = waves.label_index if waves.label_index is not None else pd.Index(waves.labels)
    house = pd.DataFrame(
        {
            "pollster": names,
            "estimate": post.offsets,
            "ci_low": post.offsets - z * se_h,
            "ci_high": post.offsets + z * se_h,
            "se": se_h,
            "n_waves": n_by,
            "confidence_level": level,
        }
    )
    h = post.offsets[waves.group]
    wave_frame = pd.DataFrame(
        {
            # date and share may be views of the input frame's columns: copied; the rest is new
            "date": waves.time.copy(),
            "pollster": pd.Categorical.from_codes(waves.group, categories=names, validate=False),
            "share": waves.y.copy(),
            "se": np.sqrt(waves.s2),
            "house_effect": h,
            "adjusted_share": waves.y - h,
            "trend": post.mean[state],
        },
        index=waves.index,
        copy=False,
    )
    if not waves.in_order:
        wave_frame = wave_frame.sort_values("date", kind="stable")
    attrs = dict(
        process_sd=math.sqrt(post.sigma2),
        process_sd_source=source,
        loglike=post.loglike,
        response=response,
    )
    trend.attrs.update(attrs)
    house.attrs.update(attrs)
    return PollAverage(
        trend=trend,
        house_effects=house,
        waves=wave_frame,
        process_sd=math.sqrt(post.sigma2),
        process_sd_source=source,
        loglike=post.loglike,
        response=response,
        reference=reference,
        confidence_level=level,
    )
