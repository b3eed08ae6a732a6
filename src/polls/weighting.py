"""Raking (iterative proportional fitting) and weight trimming for respondent-level data.

:func:`rake` adjusts weights so that the weighted shares of several categorical variables match
population margins; :func:`trim_weights` caps extreme weights and hands the trimmed weight to the
other rows.

How :func:`rake` works, and why it is fast
------------------------------------------
Raking only ever needs the weighted count of each *cell*: each combination of levels of the
weighting variables. Every respondent in a cell ends up with the same adjustment factor. So the
data is read once, chunk by chunk: each variable becomes small integer codes (the codes of a
categorical are used as they are; integer columns are clipped to the range of their target
levels; Arrow-backed strings are looked up among the target levels; anything else goes through
:func:`pandas.factorize`), the codes are combined into one cell number, and the base weights are
summed per cell. Iterative proportional fitting then runs on that small table (a few thousand
cells at most for typical weighting schemes), and one gather maps each cell's factor back to the
rows. The cell numbers are parked in the tail of the output buffer until that gather overwrites
them, so the only large allocation is the weight vector that is returned.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from polls.errors import ConvergenceWarning, InvalidArgumentError

__all__ = ["RakeResult", "rake", "trim_weights"]

#: Rows handled per chunk when building the cell table (keeps temporaries in cache).
_CHUNK = 1 << 16
#: Largest dense cell table (product of the numbers of codes) before occupied cells are hashed.
_DENSE_LIMIT = 1 << 20
#: Tolerance on the sum of target shares (and on the agreement of population totals).
_SUM_TOL = 1e-6

#: Threads for the pass over the rows (numpy and Arrow release the GIL there).
_THREADS = min(2, os.cpu_count() or 1)

_MISSING = -2
_UNMATCHED = -1


@dataclass(frozen=True)
class RakeResult:
    """The outcome of :func:`rake`.

    Attributes
    ----------
    weights : pandas.Series
        Final weights, aligned to the index of the data (named ``"weight"``). Rows dropped with
        ``unmatched="drop"`` have weight 0.
    converged : bool
        Whether every weighted margin share is within ``tol`` of its target.
    iterations : int
        Number of full sweeps over the weighting variables (0 when the data already matched).
    max_error : float
        Largest absolute difference between a weighted margin share and its target share.
    design_effect : float
        Kish's design effect of the weights, ``n * sum(w**2) / sum(w)**2`` over the weighted rows.
    efficiency : float
        Weighting efficiency, ``1 / design_effect``.
    n_eff : float
        Kish's effective sample size, ``n / design_effect``.
    n : int
        Rows that carry weight (all rows less the dropped ones).
    n_dropped : int
        Rows given weight 0 because a level of theirs has no target (``unmatched="drop"``).
    total : float
        Sum of the weights: the population total when targets are totals, otherwise the sum of
        the base weights (the number of rows when there are none).
    margins : pandas.DataFrame
        One row per variable and level: ``variable, level, n, sample_share, target, achieved,
        error`` (shares of the weighted rows; ``sample_share`` uses the base weights).
    bounds : tuple of float or None
        The bounds on the ratio of final to base weight, if any.
    """

    weights: pd.Series = field(repr=False)
    converged: bool
    iterations: int
    max_error: float
    design_effect: float
    efficiency: float
    n_eff: float
    n: int
    n_dropped: int
    total: float
    margins: pd.DataFrame = field(repr=False)
    bounds: tuple[float, float] | None = None

    def to_frame(self) -> pd.DataFrame:
        """The margins table: target and achieved share of every level of every variable."""
        return self.margins.copy()


# ---------------------------------------------------------------------------------------------
# argument handling


def _check_tol(tol: Any) -> float:
    try:
        value = float(tol)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"tol must be a positive number, got {tol!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise InvalidArgumentError(f"tol must be a positive number, got {tol!r}")
    return value


def _check_max_iter(max_iter: Any) -> int:
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise InvalidArgumentError(f"max_iter must be a positive whole number, got {max_iter!r}")
    return int(max_iter)


def _check_bounds(bounds: Any) -> tuple[float, float] | None:
    if bounds is None:
        return None
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"bounds must be a pair (lower, upper) of weight ratios, got {bounds!r}"
        ) from None
    if not (0 < lo <= 1 <= hi) or math.isnan(hi):
        raise InvalidArgumentError(
            "bounds must satisfy 0 < lower <= 1 <= upper (they bound the ratio of final to base "
            f"weight), got {bounds!r}"
        )
    return lo, hi


def _targets_from_frame(frame: pd.DataFrame) -> dict[str, dict[Any, Any]]:
    """``{variable: {level: target}}`` from a long frame with columns variable, level, target."""
    need = ["variable", "level", "target"]
    absent = [c for c in need if c not in frame.columns]
    if absent:
        raise InvalidArgumentError(
            f"a targets frame needs the columns {need} (one row per variable and level); "
            f"missing {absent}, found {list(frame.columns)}")
    out: dict[str, dict[Any, Any]] = {}
    for row, (var, level, value) in enumerate(frame[need].itertuples(index=False, name=None)):
        levels = out.setdefault(var, {})
        if level in levels:
            raise InvalidArgumentError(
                f"targets frame row {row}: variable {var!r} repeats level {level!r}")
        levels[level] = value
    return out


def _parse_targets(
    data: pd.DataFrame, targets: Any
) -> tuple[list[str], list[list[Any]], list[np.ndarray], float | None]:
    """Variables, their target levels, target shares, and the population total (None: shares)."""
    if isinstance(targets, pd.DataFrame):
        targets = _targets_from_frame(targets)
    if not isinstance(targets, Mapping) or len(targets) == 0:
        raise InvalidArgumentError(
            "targets must be a non-empty dict {variable: {level: share or total}}, "
            f"got {type(targets).__name__}"
        )
    names: list[str] = []
    levels: list[list[Any]] = []
    values: list[np.ndarray] = []
    for name, spec in targets.items():
        if name not in data.columns:
            raise InvalidArgumentError(
                f"targets names variable {name!r}, which is not a column of data "
                f"(columns: {list(data.columns)[:20]})"
            )
        if isinstance(spec, pd.Series):
            if spec.index.has_duplicates:
                dup = spec.index[spec.index.duplicated()].unique().tolist()
                raise InvalidArgumentError(f"targets[{name!r}] repeats level(s) {dup}")
            keys, vals = list(spec.index), spec.to_numpy()
        elif isinstance(spec, Mapping):
            keys, vals = list(spec.keys()), list(spec.values())
        else:
            raise InvalidArgumentError(
                f"targets[{name!r}] must be a dict or Series keyed by level, "
                f"got {type(spec).__name__}"
            )
        if len(keys) == 0:
            raise InvalidArgumentError(f"targets[{name!r}] has no levels")
        if any(pd.isna(k) for k in keys):
            raise InvalidArgumentError(f"targets[{name!r}] has a missing level")
        try:
            arr = np.asarray(vals, dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"targets[{name!r}] must hold numbers, got {list(vals)[:6]}"
            ) from None
        bad = ~(np.isfinite(arr) & (arr > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            hint = (
                " (a level with target 0 cannot be weighted: remove its rows before raking)"
                if arr[i] == 0
                else ""
            )
            raise InvalidArgumentError(
                f"targets[{name!r}][{keys[i]!r}] must be a positive number, got {arr[i]!r}{hint}"
            )
        names.append(name)
        levels.append(keys)
        values.append(arr)
    sums = np.array([v.sum() for v in values])
    if np.all(np.abs(sums - 1) <= _SUM_TOL):
        total = None
    elif np.all(np.abs(sums - sums[0]) <= _SUM_TOL * sums[0]) and sums[0] > 1:
        total = float(sums.mean())
    else:
        listed = ", ".join(f"{n!r}: {s:.10g}" for n, s in zip(names, sums, strict=True))
        raise InvalidArgumentError(
            "targets must be shares summing to 1 for every variable, or population totals "
            f"with one common sum across variables; the sums are {{{listed}}}"
        )
    shares = [v / v.sum() for v in values]
    return names, levels, shares, total


def _base_weights(data: pd.DataFrame, weights: Any) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in data.columns:
            raise InvalidArgumentError(f"weights column {weights!r} is not in data")
        col = data[weights]
        if not pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
            raise InvalidArgumentError(f"weights column {weights!r} must be numeric")
        if col.dtype == np.float64:
            arr = col.to_numpy()  # a view: no copy of the column
        else:
            arr = col.to_numpy(dtype=float, na_value=np.nan)
    else:
        if isinstance(weights, pd.Series) and not weights.index.equals(data.index):
            raise InvalidArgumentError("weights Series must have the same index as data")
        try:
            arr = np.asarray(weights, dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgumentError("weights must be a column name or numeric array") from None
        if arr.shape != (len(data),):
            raise InvalidArgumentError(
                f"weights must have one value per row of data ({len(data)}), got shape {arr.shape}"
            )
    return arr


#: Smallest weight accepted: the smallest normal double (smaller ones lose their precision).
_TINY = float(np.finfo(float).tiny)


def _report_bad_weights(data: pd.DataFrame, w: np.ndarray) -> None:
    bad = np.flatnonzero(~(w >= _TINY) | ~np.isfinite(w))
    if len(bad):
        labels = data.index[bad[:5]].tolist()
        raise InvalidArgumentError(
            f"weights must be positive and finite (at least {_TINY:.3g}); {len(bad)} row(s) "
            f"are not, e.g. index {labels} with value(s) {w[bad[:5]].tolist()}"
        )
    raise InvalidArgumentError(
        f"weights sum to more than the largest float (largest weight {float(w.max())!r}); "
        "rescale them (only their ratios matter for raking to shares)"
    )


# ---------------------------------------------------------------------------------------------
# encoding of one weighting variable into small integer codes ("slots")


class _Encoded:
    """One weighting variable as small integer codes read chunk by chunk.

    ``slot = raw + offset`` lies in ``[0, radix)``; ``slot_level[slot]`` is the index of the
    target level, ``_UNMATCHED`` for a value without a target, or ``_MISSING``.
    """

    def __init__(self, name: str, col: pd.Series, levels: list[Any]) -> None:
        self.name = name
        self.levels = levels
        self.k = len(levels)
        self.col = col
        dtype = col.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            self._init_categorical(col)
        elif (
            isinstance(dtype, np.dtype)
            and dtype.kind in "iu"
            and dtype.itemsize <= (8 if dtype.kind == "i" else 4)
            and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in levels)
            and max(levels) - min(levels) <= (1 << 16)
            and max(abs(int(v)) for v in levels) < (1 << 40)
        ):
            self._init_integer(col)
        elif self._is_arrow_string(col) and all(isinstance(v, str) for v in levels):
            self._init_arrow(col)
        else:
            self._init_factorize(col)

    # -- kinds --------------------------------------------------------------------------------
    def _map_values(self, values: pd.Index) -> np.ndarray:
        """Target-level index of each value (``_UNMATCHED`` where none)."""
        pos = pd.Index(self.levels, dtype=object).get_indexer(pd.Index(values, dtype=object))
        return np.where(pos >= 0, pos, _UNMATCHED).astype(np.int64)

    def _init_categorical(self, col: pd.Series) -> None:
        self.kind = "categorical"
        self.raw = np.asarray(col.array.codes)
        self.offset = 1
        cats = col.cat.categories
        self.radix = len(cats) + 1
        self.slot_level = np.concatenate([[_MISSING], self._map_values(cats)])
        self.slot_values = [None, *cats.tolist()]

    def _init_integer(self, col: pd.Series) -> None:
        self.kind = "integer"
        self.raw = col.to_numpy()
        lo, hi = int(min(self.levels)), int(max(self.levels))
        self.clip = (lo - 1, hi + 1)
        self.offset = -(lo - 1)
        self.radix = hi - lo + 3
        inside = np.arange(lo, hi + 1)
        self.slot_level = np.concatenate(
            [[_UNMATCHED], self._map_values(pd.Index(inside)), [_UNMATCHED]]
        )
        self.slot_values = None

    @staticmethod
    def _is_arrow_string(col: pd.Series) -> bool:
        dtype = col.dtype
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
            return True
        pa_type = getattr(dtype, "pyarrow_dtype", None)
        if pa_type is None:
            return False
        import pyarrow as pa

        return pa.types.is_string(pa_type) or pa.types.is_large_string(pa_type)

    def _init_arrow(self, col: pd.Series) -> None:
        import pyarrow as pa

        self.kind = "arrow"
        chunked = col.array.__arrow_array__()
        if isinstance(chunked, pa.Array):
            chunked = pa.chunked_array([chunked])
        self.arrow = chunked
        self.value_set = pa.array(self.levels, type=chunked.type)
        self.has_nulls = chunked.null_count > 0
        self.offset = 0
        self.radix = self.k + 2
        self.slot_level = np.concatenate([np.arange(self.k), [_UNMATCHED, _MISSING]])
        self.slot_values = None

    def _init_factorize(self, col: pd.Series) -> None:
        self.kind = "factorize"
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        self.raw = codes
        self.offset = 1
        self.radix = len(uniques) + 1
        self.slot_level = np.concatenate([[_MISSING], self._map_values(pd.Index(uniques))])
        self.slot_values = [None, *list(uniques)]

    # -- reading ------------------------------------------------------------------------------
    def chunk(self, a: int, b: int, tmp: np.ndarray) -> np.ndarray:
        """``slot - offset`` for rows ``a:b`` (``tmp`` is scratch space of length >= b - a)."""
        if self.kind == "integer":
            part = self.raw[a:b]
            if part.dtype != np.int64:  # widen first: the clip bounds may not fit the dtype
                np.copyto(tmp[: b - a], part, casting="unsafe")
                part = tmp[: b - a]
            return np.clip(part, self.clip[0], self.clip[1], out=tmp[: b - a])
        if self.kind == "arrow":
            import pyarrow.compute as pc

            part = self.arrow.slice(a, b - a)
            found = pc.fill_null(pc.index_in(part, value_set=self.value_set), self.k)
            if self.has_nulls:
                found = pc.if_else(pc.is_null(part), self.k + 1, found)
            return found.to_numpy()
        return self.raw[a:b]

    def unmatched_values(self, slots: np.ndarray) -> list[Any]:
        """The data values behind the unmatched ``slots`` (for error messages)."""
        if self.slot_values is not None:
            return [self.slot_values[s] for s in slots]
        if self.kind == "integer":
            x = self.raw
            lo, hi = self.clip[0] + 1, self.clip[1] - 1
            out = set(np.unique(x[(x < lo) | (x > hi)])[:20].tolist())
            out |= {int(s) - self.offset for s in slots if 0 < s < self.radix - 1}
            return sorted(out)[:20]
        import pyarrow.compute as pc

        arr = self.arrow
        mask = pc.and_(pc.invert(pc.is_in(arr, value_set=self.value_set)), pc.is_valid(arr))
        return pc.unique(pc.filter(arr, mask)).to_pylist()[:20]


# ---------------------------------------------------------------------------------------------
# cell table


def _cell_table(
    encs: list[_Encoded], w: np.ndarray | None, n: int, scale: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray], Any, np.ndarray]:
    """Build the table of occupied cells.

    Returns ``out`` (float buffer of length n, holding cell ids in its tail), the base total,
    row count and sum of squared base weights (divided by ``scale`` first) per occupied cell,
    the slot of each variable per occupied cell, a reader ``cells(a, b)`` giving the (dense)
    cell id of rows ``a:b``, and the dense id of each occupied cell.
    """
    radices = [e.radix for e in encs]
    dense = math.prod(radices)
    if dense > _DENSE_LIMIT:
        return _cell_table_hashed(encs, w, n, scale)
    strides = np.ones(len(encs), dtype=np.int64)
    for i in range(len(encs) - 2, -1, -1):
        strides[i] = strides[i + 1] * radices[i + 1]
    const = int(sum(e.offset * int(s) for e, s in zip(encs, strides, strict=True)))
    # cell ids live in the last bytes of the output buffer until the final gather overwrites
    # them (row i's id sits at or after byte 8 * i, so writing weights never clobbers ids
    # still to be read); they are computed in place there by Horner's rule in a small dtype
    id_dtype = np.dtype(np.int16 if dense < (1 << 15) else np.int32)
    out = np.empty(n, dtype=float)
    ids = out.view(np.uint8)[(8 - id_dtype.itemsize) * n :].view(id_dtype)
    chunk = min(max(_CHUNK, dense), max(n, 1))

    def work(start: int, stop: int) -> tuple[np.ndarray, Any, Any, bool]:
        tmp = np.empty(chunk, dtype=np.int64)
        totals = np.zeros(dense)
        counts = np.zeros(dense) if w is not None else None
        squares = np.zeros(dense) if w is not None else None
        bad_weight = False
        for a in range(start, stop, chunk):
            b = min(a + chunk, stop)
            m = b - a
            cur = ids[a:b]
            np.copyto(cur, encs[0].chunk(a, b, tmp), casting="unsafe")
            for e, r in zip(encs[1:], radices[1:], strict=True):
                cur *= r
                cur += e.chunk(a, b, tmp)
            if const:
                cur += const
            if w is None:
                totals += np.bincount(cur, minlength=dense)
            else:
                wc = w[a:b]
                bad_weight |= not wc.min() >= _TINY
                totals += np.bincount(cur, weights=wc, minlength=dense)
                counts += np.bincount(cur, minlength=dense)
                np.multiply(wc, 1 / scale, out=tmp.view(float)[:m])
                np.square(tmp.view(float)[:m], out=tmp.view(float)[:m])
                squares += np.bincount(cur, weights=tmp.view(float)[:m], minlength=dense)
        return totals, counts, squares, bad_weight

    # numpy and Arrow release the GIL in these loops: two threads take half the rows each
    nchunks = -(-n // chunk)
    if _THREADS > 1 and nchunks >= 8:
        from concurrent.futures import ThreadPoolExecutor

        cut = (nchunks // 2) * chunk
        with ThreadPoolExecutor(2) as pool:
            parts = list(pool.map(work, [0, cut], [cut, n]))
        totals = parts[0][0] + parts[1][0]
        counts = None if w is None else parts[0][1] + parts[1][1]
        squares = None if w is None else parts[0][2] + parts[1][2]
        bad_weight = parts[0][3] or parts[1][3]
    else:
        totals, counts, squares, bad_weight = work(0, n)
    if w is not None and (bad_weight or not np.isfinite(totals).all()):
        return None  # type: ignore[return-value]  # caller reports the bad weights
    if counts is None:
        counts = totals
        squares = totals
    occ = np.flatnonzero(counts)
    slots = [(occ // int(s)) % r for s, r in zip(strides, radices, strict=True)]

    def cells(a: int, b: int) -> np.ndarray:
        return ids[a:b]

    return out, totals[occ], counts[occ], squares[occ], slots, cells, occ


def _cell_table_hashed(
    encs: list[_Encoded], w: np.ndarray | None, n: int, scale: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray], Any, np.ndarray]:
    """Cell table for schemes with too many level combinations for a dense table."""
    full = np.empty(max(n, 1), dtype=np.int64)
    combined: np.ndarray | None = None
    radix = 1
    parts: list[tuple[str, Any, int]] = []  # ("var", index, radix) or ("stage", uniques, radix)
    for i, e in enumerate(encs):
        slot = np.empty(n, dtype=np.int64)
        for a in range(0, n, _CHUNK):
            b = min(a + _CHUNK, n)
            slot[a:b] = e.chunk(a, b, full)
        slot += e.offset
        if combined is None:
            combined, radix, parts = slot, e.radix, [("var", i, e.radix)]
            continue
        if radix * e.radix > (1 << 62):
            codes, uniques = pd.factorize(combined)
            parts = [("stage", (np.asarray(uniques), parts), len(uniques))]
            combined, radix = codes.astype(np.int64), len(uniques)
        combined = combined * e.radix + slot
        radix *= e.radix
        parts.append(("var", i, e.radix))
    codes, uniques = pd.factorize(combined)
    ncell = len(uniques)
    if w is not None and not ((w >= _TINY).all() and np.isfinite(w).all()):
        return None  # type: ignore[return-value]
    counts = np.bincount(codes, minlength=ncell).astype(float)
    totals = counts if w is None else np.bincount(codes, weights=w, minlength=ncell)
    squares = counts if w is None else np.bincount(codes, weights=(w / scale) ** 2,
                                                   minlength=ncell)
    if w is not None and not np.isfinite(totals).all():
        return None  # type: ignore[return-value]
    slots: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(encs)

    def decode(values: np.ndarray, parts: list[tuple[str, Any, int]]) -> None:
        for kind, what, r in reversed(parts):
            here = values % r
            values = values // r
            if kind == "var":
                slots[what] = here
            else:
                inner, inner_parts = what
                decode(inner[here], inner_parts)

    decode(np.asarray(uniques, dtype=np.int64), parts)
    out = np.empty(n, dtype=float)

    def cells(a: int, b: int) -> np.ndarray:
        return codes[a:b]

    return out, totals, counts, squares, slots, cells, np.arange(ncell)


# ---------------------------------------------------------------------------------------------
# fitting on the cell table


def _margin_error(
    m: np.ndarray, lv: list[np.ndarray], shares: list[np.ndarray]
) -> tuple[float, int, int]:
    """Largest absolute share error, with the variable and level where it occurs."""
    total = m.sum()
    worst, where = -1.0, (0, 0)
    for v, (codes, target) in enumerate(zip(lv, shares, strict=True)):
        err = np.abs(np.bincount(codes, weights=m, minlength=len(target)) / total - target)
        j = int(err.argmax())
        if err[j] > worst:
            worst, where = float(err[j]), (v, j)
    return worst, where[0], where[1]


def _ipf(
    m0: np.ndarray,
    lv: list[np.ndarray],
    shares: list[np.ndarray],
    total: float,
    tol: float,
    max_iter: int,
) -> tuple[np.ndarray, int, float, tuple[int, int]]:
    targets = [s * total for s in shares]
    m = m0 * (total / m0.sum())
    err, v, j = _margin_error(m, lv, shares)
    it = 0
    while err > tol and it < max_iter:
        for codes, target in zip(lv, targets, strict=True):
            margin = np.bincount(codes, weights=m, minlength=len(target))
            m *= (target / margin)[codes]
        it += 1
        err, v, j = _margin_error(m, lv, shares)
    return m, it, err, (v, j)


def _bounded_factors(
    codes: np.ndarray,
    d: np.ndarray,
    u: np.ndarray,
    target: np.ndarray,
    lo: float,
    hi: float,
) -> np.ndarray:
    """Per level, the factor f solving ``sum(d * clip(u * f, lo, hi)) = target`` exactly.

    The left side is continuous, non-decreasing and piecewise linear in f with breakpoints at
    ``lo / u`` and ``hi / u``; walking the sorted breakpoints of each level gives the segment
    that holds the solution. An unreachable target gets the nearest reachable factor.
    """
    k = len(target)
    finite_hi = math.isfinite(hi)
    pos = [lo / u]
    grp = [codes]
    da = [-d * lo]
    db = [d * u]
    if finite_hi:
        pos.append(hi / u)
        grp.append(codes)
        da.append(d * hi)
        db.append(-d * u)
    pos_a, grp_a = np.concatenate(pos), np.concatenate(grp)
    order = np.lexsort((pos_a, grp_a))
    pos_s, grp_s = pos_a[order], grp_a[order]
    da_s, db_s = np.concatenate(da)[order], np.concatenate(db)[order]
    a0 = lo * np.bincount(codes, weights=d, minlength=k)
    # A and B after each event, within its level: value left of event e is A_before + f * B_before
    ca, cb = np.cumsum(da_s), np.cumsum(db_s)
    starts = np.searchsorted(grp_s, np.arange(k))
    base_a = np.concatenate([[0.0], ca])[starts]
    base_b = np.concatenate([[0.0], cb])[starts]
    a_after = a0[grp_s] + ca - base_a[grp_s]
    b_after = cb - base_b[grp_s]
    value_at = a_after + pos_s * b_after  # the sum at each breakpoint (continuous)
    t_s = target[grp_s]
    reached = value_at >= t_s
    # first event per level where the target is reached
    idx = np.where(reached, np.arange(len(pos_s)), len(pos_s))
    first = np.minimum.reduceat(idx, starts) if len(pos_s) else idx
    ends = np.append(starts[1:], len(pos_s)) - 1
    f = np.empty(k)
    none = first >= len(pos_s)
    f[none] = pos_s[ends[none]]  # target above the reachable maximum: everything at hi
    some = ~none
    e = first[some]
    at_start = e == starts[some]
    prev = np.maximum(e - 1, 0)
    a_prev = np.where(at_start, a0[some], a_after[prev])
    b_prev = np.where(at_start, 0.0, b_after[prev])
    with np.errstate(divide="ignore", invalid="ignore"):
        solved = (target[some] - a_prev) / b_prev
    f[some] = np.where(b_prev > 0, solved, pos_s[e])
    return f


def _bounded_ipf(
    m0: np.ndarray,
    lv: list[np.ndarray],
    shares: list[np.ndarray],
    total: float,
    tol: float,
    max_iter: int,
    bounds: tuple[float, float],
) -> tuple[np.ndarray, int, float, tuple[int, int]]:
    lo, hi = bounds
    targets = [s * total for s in shares]
    d = m0 * (total / m0.sum())
    u = np.ones_like(d)
    m = d.copy()
    err, v, j = _margin_error(m, lv, shares)
    it = 0
    while err > tol and it < max_iter:
        for codes, target in zip(lv, targets, strict=True):
            f = _bounded_factors(codes, d, u, target, lo, hi)
            u *= f[codes]
            # unreachable targets push factors without limit; far outside the bounds every
            # value clips alike, so cap them to keep the arithmetic finite
            np.clip(u, 1e-100, 1e100, out=u)
        m = d * np.clip(u, lo, hi)
        it += 1
        err, v, j = _margin_error(m, lv, shares)
    return m, it, err, (v, j)


# ---------------------------------------------------------------------------------------------
# public functions


def rake(
    data: pd.DataFrame,
    targets: Mapping[str, Mapping[Any, float] | pd.Series] | pd.DataFrame,
    *,
    weights: str | np.ndarray | pd.Series | None = None,
    tol: float = 1e-6,
    max_iter: int = 1000,
    bounds: tuple[float, float] | None = None,
    unmatched: str = "error",
) -> RakeResult:
    """Rake weights to population margins (iterative proportional fitting).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent. It is only read, never modified.
    targets : dict or pandas.DataFrame
        ``{variable: {level: value}}`` (or a Series keyed by level per variable), or a long frame
        with columns ``variable``, ``level`` and ``target`` (one row per level). Values are
        either shares (each variable's values sum to 1) or population totals (every variable
        sums to the same total). Every level of a weighting variable present in the data needs a
        positive target, and every target level needs at least one respondent.
    weights : str, array-like or None
        Base (design) weights: a column of ``data`` or one value per row; positive and finite.
        None gives every row base weight 1.
    tol : float
        Convergence tolerance: the largest absolute error allowed on a weighted margin share.
    max_iter : int
        Largest number of sweeps over the variables.
    bounds : (float, float) or None
        ``(lower, upper)`` bounds on the ratio of final weight to base weight, where the base
        weights are first scaled to the target total (so with share targets, to their own sum).
        Bounded raking finds level factors such that every ratio is the product of its levels'
        factors clipped to the bounds, ``g = clip(f_1 * f_2 * ..., lower, upper)``, and the
        margins are met: the truncated raking of Deville and Sarndal (1992), the solution R's
        ``survey::calibrate(..., calfun = "raking", bounds = c(lower, upper))`` computes. Each
        sweep solves every level's equation exactly given the other variables' factors
        (coordinate ascent on the dual problem), so the bounds hold after every sweep.
    unmatched : {"error", "drop"}
        What to do with rows whose level of a weighting variable has no target: raise (the
        default), or give them weight 0 and report their number as ``n_dropped``.

    Returns
    -------
    RakeResult
        Weights (a Series aligned to ``data.index``), ``converged``, ``iterations``,
        ``max_error``, ``design_effect`` (Kish), ``efficiency``, ``n_eff`` and the margins table.
        Weights sum to the population total when targets are totals, otherwise to the sum of the
        base weights (the number of rows without base weights).

    Raises
    ------
    InvalidArgumentError
        For a target level absent from the data, a data level absent from the targets (unless
        ``unmatched="drop"``), targets that are neither shares summing to 1 nor totals with one
        common sum, missing values in a weighting variable, base weights that are not positive
        and finite, and any malformed argument.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` sweeps leave a margin error above ``tol`` (the result then has
        ``converged=False`` and the diagnostics).

    Notes
    -----
    The cell table (one entry per combination of levels present in the data) is built in one
    pass over the rows; raking runs on it and one gather maps the factors back to the rows, so
    time and memory grow with the number of rows only through that pass and the returned
    weights. Without bounds the fixed point is that of R's ``survey::rake``.

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m", "m"], "age": ["y", "o", "y", "o", "o"]})
    >>> res = polls.rake(df, {"sex": {"f": 0.5, "m": 0.5}, "age": {"y": 0.4, "o": 0.6}})
    >>> res.converged
    True
    >>> round(float(res.weights[df["sex"] == "f"].sum() / res.weights.sum()), 6)
    0.5
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgumentError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    tol = _check_tol(tol)
    max_iter = _check_max_iter(max_iter)
    bounds = _check_bounds(bounds)
    if unmatched not in ("error", "drop"):
        raise InvalidArgumentError(f"unmatched must be 'error' or 'drop', got {unmatched!r}")
    names, levels, shares, total = _parse_targets(data, targets)
    w = _base_weights(data, weights)
    n = len(data)
    if n == 0:
        raise InvalidArgumentError("data has no rows")

    encs = [_Encoded(nm, data[nm], lv) for nm, lv in zip(names, levels, strict=True)]
    # squared weights are summed after dividing by a typical weight, so that neither tiny nor
    # huge weights underflow or overflow in Kish's design effect
    scale = 1.0
    if w is not None:
        head = w[: min(n, _CHUNK)]
        scale = float(head.max()) if np.isfinite(head).all() and head.min() >= _TINY else 1.0
    table = _cell_table(encs, w, n, scale)
    if table is None:
        _report_bad_weights(data, w)  # type: ignore[arg-type]
    out, base, counts, squares, slots, cells, occ_dense = table

    # map every occupied cell to target levels; find missing values and unmatched levels
    lv = [e.slot_level[s] for e, s in zip(encs, slots, strict=True)]
    keep = np.ones(len(base), dtype=bool)
    for e, code in zip(encs, lv, strict=True):
        miss = code == _MISSING
        if miss.any():
            na = e.col.isna().to_numpy()
            rows = data.index[np.flatnonzero(na)[:5]].tolist()
            raise InvalidArgumentError(
                f"weighting variable {e.name!r} has {int(na.sum())} missing value(s) (e.g. at "
                f"index {rows}); fill them or remove those rows before raking"
            )
    for e, s, code in zip(encs, slots, lv, strict=True):
        un = code == _UNMATCHED
        if un.any():
            if unmatched == "error":
                values = e.unmatched_values(np.unique(s[un]))
                raise InvalidArgumentError(
                    f"weighting variable {e.name!r} has level(s) {values} in "
                    f"{int(counts[un].sum())} row(s) with no target; add targets for them or "
                    "pass unmatched='drop' to give those rows weight 0"
                )
            keep &= ~un
    n_dropped = int(round(counts[~keep].sum()))
    if not keep.any():
        raise InvalidArgumentError("no row has a target level for every weighting variable")
    lv_k = [code[keep] for code in lv]
    m0 = base[keep]
    for e, code in zip(encs, lv_k, strict=True):
        present = np.bincount(code, minlength=e.k)
        absent = np.flatnonzero(present == 0)
        if len(absent):
            lost = [e.levels[i] for i in absent]
            extra = " after dropping unmatched rows" if n_dropped else ""
            raise InvalidArgumentError(
                f"target level(s) {lost} of {e.name!r} have no respondents in the data{extra}; "
                "merge them with a neighbouring level or remove them from targets"
            )

    with np.errstate(over="ignore"):
        base_total = float(m0.sum())
    if not math.isfinite(base_total):
        _report_bad_weights(data, w)  # type: ignore[arg-type]
    target_total = total if total is not None else float(m0.sum())
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        ratio = target_total / float(m0.sum())
    if not (math.isfinite(ratio) and ratio >= 1e-300 and ratio <= 1e300):
        raise InvalidArgumentError(
            f"the target total {target_total!r} and the weights' total {float(m0.sum())!r} are "
            "too far apart to scale one to the other in floating point; rescale the weights"
        )
    if bounds is None:
        m, iterations, err, (vw, jw) = _ipf(m0, lv_k, shares, target_total, tol, max_iter)
    else:
        m, iterations, err, (vw, jw) = _bounded_ipf(
            m0, lv_k, shares, target_total, tol, max_iter, bounds
        )
    converged = err <= tol
    if not converged:
        warnings.warn(
            f"raking did not converge in {iterations} sweeps: the largest margin error is "
            f"{err:.3g} (tolerance {tol:g}), at level {encs[vw].levels[jw]!r} of "
            f"{encs[vw].name!r}; the targets may be unreachable with these data"
            + (f" and bounds {bounds}" if bounds else "")
            + "; the result has converged=False",
            ConvergenceWarning,
            stacklevel=2,
        )

    # factor per (dense) cell; dropped cells get 0
    factor = np.zeros(int(occ_dense.max()) + 1 if len(occ_dense) else 1)
    factor[occ_dense[keep]] = m / m0
    conv = np.empty(min(_CHUNK, n), dtype=np.intp)
    for a in range(0, n, _CHUNK):
        b = min(a + _CHUNK, n)
        idx = conv[: b - a]
        np.copyto(idx, cells(a, b), casting="unsafe")  # read the ids before overwriting them
        np.take(factor, idx, out=out[a:b], mode="clip")
        if w is not None:
            out[a:b] *= w[a:b]
    f_k = m / m0
    sum_w = float(m.sum())
    g_k = f_k / f_k.max()  # relative factors: no overflow for factors far from 1
    sum_w2 = float((g_k * g_k * squares[keep]).sum())
    n_kept = n - n_dropped
    # Kish: n sum((f w)^2) / (sum f w)^2, written with the relative factors and scaled weights
    denom = float((g_k * (m0 / scale)).sum())
    deff = n_kept * sum_w2 / (denom * denom)

    rows = []
    for e, code, share in zip(encs, lv_k, shares, strict=True):
        cnt = np.bincount(code, weights=counts[keep], minlength=e.k)
        smp = np.bincount(code, weights=m0, minlength=e.k) / m0.sum()
        ach = np.bincount(code, weights=m, minlength=e.k) / sum_w
        for i, level in enumerate(e.levels):
            rows.append(
                (e.name, level, int(round(cnt[i])), smp[i], share[i], ach[i], ach[i] - share[i])
            )
    margins = pd.DataFrame(
        rows, columns=["variable", "level", "n", "sample_share", "target", "achieved", "error"]
    )
    margins["level"] = margins["level"].astype(object)
    return RakeResult(
        weights=pd.Series(out, index=data.index, name="weight", copy=False),
        converged=bool(converged),
        iterations=int(iterations),
        max_error=float(err),
        design_effect=float(deff),
        efficiency=float(1 / deff),
        n_eff=float(n_kept / deff),
        n=int(n_kept),
        n_dropped=n_dropped,
        total=sum_w,
        margins=margins,
        bounds=bounds,
    )


def _bound(name: str, value: Any, default: float) -> float:
    if value is None:
        return default
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be a number or None, got {value!r}") from None
    if math.isnan(out):
        raise InvalidArgumentError(f"{name} must be a number or None, got {value!r}")
    return out


def _solve_clipped(
    a: np.ndarray, b: np.ndarray, lo: float, hi: float, total: float, start: float
) -> np.ndarray:
    """``clip(a + b * c, lo, hi)`` with the scalar ``c`` that makes it sum to ``total``.

    The sum is continuous, non-decreasing and piecewise linear in ``c``: a bracketing root
    search finds the segment holding the solution, and the linear equation on that segment
    gives ``c`` exactly.
    """
    from scipy import optimize

    def excess(c: float) -> float:
        return float(np.clip(a + b * c, lo, hi).sum() - total)

    if excess(start) == 0:
        return np.clip(a + b * start, lo, hi)
    step = 1.0 if start == 0 else abs(start)
    left, right = start, start
    while excess(left) > 0:
        step *= 2
        left = start - step
    step = 1.0 if start == 0 else abs(start)
    while excess(right) < 0:
        step *= 2
        right = start + step
    c = optimize.brentq(excess, left, right, xtol=1e-300, rtol=4 * np.finfo(float).eps)
    y = a + b * c
    low, high = y <= lo, y >= hi
    mid = ~(low | high)
    if mid.any():
        fixed = (lo * low.sum() if low.any() else 0.0) + (hi * high.sum() if high.any() else 0.0)
        c = (total - fixed - a[mid].sum()) / b[mid].sum()
    return np.clip(a + b * c, lo, hi)


def _trim_r_strict(w: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """The fixed point of R's ``trimWeights(strict = TRUE)``.

    R clips the rows outside the bounds and adds the trimmed weight in equal shares to every
    other row, including rows already sitting at a bound, then repeats. After the first round
    every later share has the sign of the first (only the upper bound can bind again when the
    first share is positive, only the lower one when it is negative), so the limit is
    ``min(hi, w1 + D)`` (or ``max(lo, w1 + D)``) for the first round's weights ``w1`` and the
    shift ``D`` that keeps the total: rows raised to the lower bound in the first round are
    lifted off it again when the other rows keep passing weight down.
    """
    outside = (w < lo) | (w > hi)
    if not outside.any():
        return w.copy()
    if outside.all():
        raise InvalidArgumentError(
            "every weight is outside the bounds, so R's rule has no row to give the trimmed "
            f"weight to (bounds [{lo!r}, {hi!r}]); widen the bounds"
        )
    w1 = np.clip(w, lo, hi)
    share = (w - w1).sum() / (~outside).sum()
    w1[~outside] += share
    total = w.sum()
    if share > 0:
        return _solve_clipped(w1, np.ones_like(w1), -np.inf, hi, total, 0.0)
    if share < 0:
        return _solve_clipped(w1, np.ones_like(w1), lo, np.inf, total, 0.0)
    return w1


def trim_weights(
    weights: np.ndarray | pd.Series,
    lower: float | None = None,
    upper: float | None = None,
    *,
    relative: bool = False,
    redistribute: str = "proportional",
    strict: bool = False,
) -> np.ndarray | pd.Series:
    """Trim weights to ``[lower, upper]`` and give the trimmed weight to the other rows.

    Parameters
    ----------
    weights : array-like or pandas.Series
        Positive, finite weights (not modified).
    lower, upper : float or None
        Bounds on the weights; None leaves that side open. Absolute weights by default.
    relative : bool
        If True, ``lower`` and ``upper`` are multiples of the mean weight (``upper=5`` caps every
        weight at five times the mean).
    redistribute : {"proportional", "equal"}
        How the weight is kept: the trimmed weights are ``clip(c * w, lower, upper)`` with one
        factor ``c`` for all rows (``"proportional"``, the default: the rows inside the bounds
        keep their relative sizes), or ``clip(w + c, lower, upper)`` with one shift ``c``
        (``"equal"``: each row inside the bounds gets the same amount). ``c`` is the one that
        keeps the total, solved exactly.
    strict : bool
        With ``redistribute="equal"``, follow R's ``survey::trimWeights(..., strict = TRUE)``
        instead: R hands the trimmed weight in equal shares to every row not outside the
        bounds, including rows already at a bound, and repeats until no row is outside. Rows
        raised to the lower bound can therefore end above it (and rows cut to the upper bound
        below it). The result is the limit of R's rounds, computed directly.

    Returns
    -------
    numpy.ndarray or pandas.Series
        The trimmed weights, of the input's kind (a Series keeps its index and name). Their
        total equals the input's and every weight lies within the bounds.

    Raises
    ------
    InvalidArgumentError
        For weights that are not positive and finite, bounds that are not numbers,
        ``lower > upper``, bounds that cannot hold the total (``n * lower > total`` or
        ``n * upper < total``), and ``strict=True`` without ``redistribute="equal"``.

    Examples
    --------
    >>> import numpy as np
    >>> import polls
    >>> polls.trim_weights(np.array([1.0, 1.0, 2.0, 8.0]), upper=4.0).tolist()
    [2.0, 2.0, 4.0, 4.0]
    >>> w = np.array([1.0, 1.0, 2.0, 8.0])
    >>> polls.trim_weights(w, upper=4.0, redistribute="equal").round(4).tolist()
    [2.3333, 2.3333, 3.3333, 4.0]
    """
    from polls._checks import as_float_array

    if redistribute not in ("proportional", "equal"):
        raise InvalidArgumentError(
            f"redistribute must be 'proportional' or 'equal', got {redistribute!r}"
        )
    if strict not in (True, False):
        raise InvalidArgumentError(f"strict must be True or False, got {strict!r}")
    if strict and redistribute != "equal":
        raise InvalidArgumentError(
            "strict=True follows R's trimWeights(strict = TRUE), which hands trimmed weight out "
            "in equal shares: pass redistribute='equal' with it"
        )
    w = as_float_array("weights", weights)
    if w.ndim != 1 or len(w) == 0:
        raise InvalidArgumentError(f"weights must be a non-empty 1-d array, got shape {w.shape}")
    bad = np.flatnonzero(~(w > 0) | ~np.isfinite(w))
    if len(bad):
        raise InvalidArgumentError(
            f"weights must be positive and finite; position {int(bad[0])} has {w[bad[0]]!r}"
        )
    lo = _bound("lower", lower, -np.inf)
    hi = _bound("upper", upper, np.inf)
    if lo > hi:
        raise InvalidArgumentError(f"need lower <= upper, got lower={lower!r}, upper={upper!r}")
    if relative:
        mean = w.mean()
        lo, hi = lo * mean, hi * mean
    total = w.sum()
    n = len(w)
    if n * lo > total * (1 + 1e-12) or n * hi < total * (1 - 1e-12):
        raise InvalidArgumentError(
            f"bounds [{lo!r}, {hi!r}] cannot hold the total weight {total!r} over {n} rows"
        )
    if not ((w < lo) | (w > hi)).any():
        out = w.copy()
    elif strict:
        out = _trim_r_strict(w, lo, hi)
    elif redistribute == "proportional":
        out = _solve_clipped(np.zeros_like(w), w, lo, hi, total, 1.0)
    else:
        out = _solve_clipped(w, np.ones_like(w), lo, hi, total, 0.0)
    if isinstance(weights, pd.Series):
        return pd.Series(out, index=weights.index, name=weights.name)
    return out
