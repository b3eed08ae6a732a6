"""Design-based estimates for respondent-level survey data by Taylor linearisation.

:class:`SurveyDesign` describes how a sample was drawn (weights, strata, clusters at one or more
stages, finite population corrections per stage, or PPS inclusion probabilities) and gives means,
totals and proportions with design-based standard errors, confidence intervals and design
effects, domain (subgroup) estimates, weighted crosstabs with Rao-Scott tests, and raking that
carries the calibration into the standard errors.

The formulas follow R's ``survey`` package (Lumley): every estimate is a smooth function of
weighted totals, its variance is the design variance of the weighted total of per-row
linearisation scores (:meth:`SurveyDesign.linearized_variance`), and that variance is R's
``svyrecvar`` over the stages (:mod:`polls.design._multistage`). The built-in estimates never
form per-row score matrices: they sum weights and values per PSU and cell in one pass and take
the variance of the PSU totals of their scores (:mod:`polls.design._cells`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from polls._checks import check_choice
from polls.design._cells import Cells, Ratios
from polls.design._estimators import Estimators
from polls.design._models import Models
from polls.design._multistage import Stage, Stages, _rowsum
from polls.design._util import codes, column, nested, per_row, per_stage
from polls.errors import InvalidArgumentError

LONELY_PSU = ("fail", "certainty", "remove", "adjust", "average")
PPS_METHODS = ("brewer",)
#: Residual sweeps over the raking margins in the variance (R's ``svyrecvar`` uses ten).
RAKING_RESIDUAL_SWEEPS = 10
#: Largest number of floats of a per-unit or per-row block of scores held at once.
BLOCK_FLOATS = 8_000_000


def _read_weights(data: pd.DataFrame, weights: Any) -> np.ndarray:
    ws = per_row(data, weights, "weights")
    try:
        w = ws.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise InvalidArgumentError("weights must be numeric") from None
    bad = ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgumentError(
            f"weights must be zero or positive and finite; row {data.index[i]!r} has {w[i]!r}"
        )
    if not (w > 0).any():
        raise InvalidArgumentError("weights are all zero")
    return w


class SurveyDesign(Models, Estimators):
    """A stratified, clustered (one or more stages) or PPS sample with weights.

    Parameters
    ----------
    data : DataFrame
        One row per respondent. It is not modified.
    weights : str or array-like, optional
        Sampling weights (a column name or one value per row), zero or positive; rows with
        weight zero stay in the design (their PSUs and strata count for the variance, as in
        R) but add nothing to any estimate. When omitted the weights are the product over
        stages of ``N / n`` from ``fpc`` (``1 / pi`` for PPS), or 1, as R's ``svydesign``.
    strata : str or array-like, optional
        Stratum of each row (of the first stage).
    cluster : str, list of str or array-like, optional
        Sampling unit of each row at each stage: one column for a one-stage cluster sample,
        ``["dnum", "snum"]`` for two stages (R's ``id = ~dnum + snum``). PSUs are nested in
        strata and units of each stage in those of the stage before (the same id under two
        parents names two units). Without it each row is its own PSU.
    fpc : str, list of str, array-like or float, optional
        Finite population correction, one column per stage: population sizes (numbers of
        units in the stratum's population, constant within a stratum) or, when every value is
        at most 1, sampling fractions (R's ``fpc = ~fpc1 + fpc2``). With ``pps`` the values are
        the units' inclusion probabilities. Omitted: sampling with replacement at the first
        stage, whose PSU totals then carry all the variance (later stages count only when the
        first has a correction, as in R).
    pps : {"brewer"}, optional
        Sampling with probability proportional to size without replacement, with Brewer's
        approximation to the joint inclusion probabilities (R's ``pps = "brewer"``); ``fpc``
        must then hold the inclusion probabilities.
    lonely_psu : {"fail", "certainty", "remove", "adjust", "average"}
        What a stratum with a single PSU contributes to variances (R's ``survey.lonely.psu``):
        an error, nothing, nothing, its PSU total's deviation from zero, or the average of the
        other strata. Strata whose population is the sample (``fpc`` equal to the PSUs
        sampled) contribute nothing at that stage whatever the rule.

    Notes
    -----
    The variance of the weighted total ``sum_i w_i z_i`` of per-row scores is, at each stage,
    ``sum_h n_h / (n_h - 1) sum_j f_hj (t_hj - mean_h t)^2`` over the unit totals ``t_hj`` of
    ``w_i z_i``, with ``f_hj = 1 - n_h / N_h`` (``1 - pi_hj`` for PPS); each later stage's
    term is multiplied by the sampling fractions of the units above it (R's ``svyrecvar``).
    Domain estimates set scores to zero outside the domain, so strata and PSUs without members
    of the domain still count. After :meth:`rake` the scores are first replaced by their
    residuals on the raking margins (iterated, as R's ``survey`` does). Degrees of freedom are
    PSUs minus strata holding rows with a positive weight (in the domain, for domain
    estimates), as R's ``degf``.

    Examples
    --------
    >>> import pandas as pd
    >>> import polls
    >>> df = pd.DataFrame({"y": [1, 0, 1, 1, 0, 1], "h": ["a", "a", "a", "b", "b", "b"],
    ...                    "w": [2.0, 2.0, 2.0, 3.0, 3.0, 3.0]})
    >>> d = polls.SurveyDesign(df, weights="w", strata="h")
    >>> round(float(d.mean("y")["estimate"].iloc[0]), 4)
    0.6667
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
        strata: str | Sequence[Any] | np.ndarray | pd.Series | None = None,
        cluster: str | Sequence[Any] | np.ndarray | pd.Series | None = None,
        fpc: str | float | Sequence[Any] | np.ndarray | pd.Series | None = None,
        pps: str | None = None,
        lonely_psu: str = "fail",
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise InvalidArgumentError(
                f"data must be a pandas DataFrame, got {type(data).__name__}"
            )
        if len(data) < 2:
            raise InvalidArgumentError(f"data must have at least 2 rows, got {len(data)}")
        self._data = data
        self._lonely = check_choice("lonely_psu", lonely_psu, LONELY_PSU)
        self._pps = None if pps is None else check_choice("pps", pps, PPS_METHODS)
        self._spec = {"weights": weights, "strata": strata, "cluster": cluster, "fpc": fpc,
                      "pps": pps}
        n = len(data)
        strata_s = per_row(data, strata, "strata")
        if strata_s is None:
            self._strata = np.zeros(n, dtype=np.intp)
            self._strata_labels = pd.Index([0])
        else:
            self._strata, self._strata_labels = codes(strata_s, "strata")
        units = self._stage_units(per_stage(data, cluster, "cluster"))
        fpcs = per_stage(data, fpc, "fpc")
        if self._pps and not fpcs:
            raise InvalidArgumentError(
                f"pps={pps!r} needs fpc= holding each unit's inclusion probability"
            )
        if fpcs and len(fpcs) != len(units):
            raise InvalidArgumentError(
                f"fpc must give one column per sampling stage: cluster names {len(units)} "
                f"stage(s), fpc {len(fpcs)}"
            )
        self._psu = units[0]
        self._psu_is_row = _identity(self._psu)
        self._psu_stratum = np.zeros(int(self._psu.max()) + 1, dtype=np.intp)
        self._psu_stratum[self._psu] = self._strata
        stages, row_w = self._build_stages(units if fpcs else units[:1], fpcs)
        self._row_unit = units[len(stages) - 1]
        self._row_unit_is_row = _identity(self._row_unit)
        self._stages = Stages(stages, self._lonely)
        self._stages.check_lonely(self._strata_labels)
        self._w = row_w if weights is None else _read_weights(data, weights)
        # Each stage: (list of margin codes, the weights when that raking finished).
        self._calibration: list[tuple[list[np.ndarray], np.ndarray]] = []
        self.rake_result: Any = None

    # ------------------------------------------------------------------ set-up helpers
    def _stage_units(self, clusters: list[pd.Series]) -> list[np.ndarray]:
        """Unit codes of each row at each stage (PSUs nested in strata, units in parents)."""
        n = len(self._data)
        if not clusters:
            return [np.arange(n, dtype=np.intp)]
        out = []
        parent = self._strata
        for i, s in enumerate(clusters):
            c, _ = codes(s, f"cluster[{i}]" if len(clusters) > 1 else "cluster")
            parent = nested(parent, c)
            out.append(parent)
        return out

    def _build_stages(self, units: list[np.ndarray], fpcs: list[pd.Series]):
        """The variance stages and the weights the fpc implies (ones without fpc)."""
        n = len(self._data)
        vals = [self._fpc_values(s) for s in fpcs]
        is_size = any((v > 1).any() for v in vals)
        if is_size and any((v < 1).any() for v in vals):
            big = next(v[v > 1][0] for v in vals if (v > 1).any())
            small = next(v[v < 1][0] for v in vals if (v < 1).any())
            raise InvalidArgumentError(
                "fpc must be all population sizes (>= 1) or all sampling fractions (<= 1), "
                f"got both {big!r} and {small!r}"
            )
        if is_size and self._pps:
            raise InvalidArgumentError(
                "with pps= the fpc must hold inclusion probabilities (at most 1)"
            )
        stages, row_w = [], np.ones(n)
        stratum_row = self._strata
        for s, unit_row in enumerate(units):
            n_units = int(unit_row.max()) + 1
            unit_stratum = np.zeros(n_units, dtype=np.intp)
            unit_stratum[unit_row] = stratum_row
            n_strata = int(unit_stratum.max()) + 1
            nh = np.bincount(unit_stratum, minlength=n_strata).astype(float)
            if vals:
                pop_u = self._popsize(vals[s], unit_row, unit_stratum, nh, is_size, s)
            else:
                pop_u = np.full(n_units, np.inf)
            fraction = nh[unit_stratum] / pop_u
            stage_unit = unit_row if s == len(units) - 1 else None
            stages.append(Stage(stage_unit, unit_stratum, nh, 1.0 - fraction, fraction))
            if vals:
                row_w = row_w / fraction[unit_row]
            stratum_row = unit_row
        # the unit each finest unit belongs to, per stage (the last stage's units are finest)
        last = units[-1]
        n_fin = int(last.max()) + 1
        for s, st in enumerate(stages):
            up = np.zeros(n_fin, dtype=np.intp)
            up[last] = units[s]
            st.unit = up
        return stages, row_w

    def _fpc_values(self, s: pd.Series) -> np.ndarray:
        try:
            v = s.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise InvalidArgumentError("fpc must be numeric") from None
        bad = ~(np.isfinite(v) & (v > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidArgumentError(
                f"fpc must be positive and finite; row {self._data.index[i]!r} has {v[i]!r}"
            )
        return v

    def _popsize(self, v, unit_row, unit_stratum, nh, is_size, stage) -> np.ndarray:
        """Population size behind each unit of a stage (constant within a stratum unless PPS)."""
        group = unit_row if self._pps else unit_stratum[unit_row]
        size = int(group.max()) + 1
        lo = np.full(size, np.inf)
        hi = np.full(size, -np.inf)
        np.minimum.at(lo, group, v)
        np.maximum.at(hi, group, v)
        if (lo != hi).any():
            g = int(np.flatnonzero(lo != hi)[0])
            where = (f"stratum {self._strata_labels[g]!r}" if stage == 0 and not self._pps
                     else f"unit {g}")
            raise InvalidArgumentError(
                f"fpc varies within {where} at stage {stage + 1} "
                f"({'inclusion probabilities are one per unit' if self._pps else ''})".replace(
                    " ()", "")
            )
        per_unit = lo if self._pps else lo[unit_stratum]
        n_u = nh[unit_stratum]
        pop = per_unit if is_size else n_u / per_unit
        pop = np.where(np.isclose(pop, n_u, rtol=1e-12, atol=0), n_u, pop)
        if (pop < n_u).any():
            u = int(np.flatnonzero(pop < n_u)[0])
            h = unit_stratum[u]
            name = self._strata_labels[h] if stage == 0 else h
            raise InvalidArgumentError(
                f"fpc implies more than 100% sampling in stratum {name!r} at stage {stage + 1}: "
                f"population {pop[u]!r} units, sample {int(n_u[u])}"
            )
        return pop

    # ------------------------------------------------------------------ public properties
    @property
    def data(self) -> pd.DataFrame:
        """The respondent frame (not a copy: do not modify it)."""
        return self._data

    @property
    def weights(self) -> pd.Series:
        """The weights, aligned to the data's index."""
        return pd.Series(self._w.copy(), index=self._data.index, name="weight")

    @property
    def degrees_of_freedom(self) -> int:
        """PSUs minus strata, among those holding a row with a positive weight (R's ``degf``)."""
        pos = self._w > 0
        return int(len(np.unique(self._psu[pos])) - len(np.unique(self._strata[pos])))

    def _chisq_df(self) -> int:
        """PSUs minus strata, zero-weight rows included (R's ``svychisq`` counts them)."""
        return int(len(self._psu_stratum) - len(self._strata_labels))

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        kinds = []
        if len(self._strata_labels) > 1:
            kinds.append(f"{len(self._strata_labels)} strata")
        kinds.append(f"{len(self._psu_stratum)} PSUs")
        if len(self._stages.stages) > 1:
            kinds.append(f"{len(self._stages.stages)} stages")
        if self._spec["fpc"] is not None:
            kinds.append("pps (Brewer)" if self._pps else "fpc")
        if self._calibration:
            kinds.append("calibrated" if any(map(callable, self._calibration)) else "raked")
        return f"SurveyDesign({len(self._data)} rows; " + ", ".join(kinds) + ")"

    # ------------------------------------------------------------------ variance core
    def _calibrate(self, x: np.ndarray) -> np.ndarray:
        for stage in self._calibration:
            if callable(stage):  # a calibration's own projection (polls.calibration)
                x = stage(x)
                continue
            margins, psw = stage
            for _ in range(RAKING_RESIDUAL_SWEEPS):
                for code in margins:
                    size = int(code.max()) + 1
                    counts = np.bincount(code, minlength=size).astype(float)
                    means = _rowsum(x / psw[:, None], code, size) / counts[:, None]
                    x -= psw[:, None] * means[code]
        return x

    def _row_variance(self, x: np.ndarray, full: bool) -> np.ndarray:
        """Variance of the column totals of per-row weighted scores ``x`` (modified)."""
        x = self._calibrate(x)
        n_fin = self._stages.n_finest
        t = x if self._row_unit_is_row else _rowsum(
            x, self._row_unit, n_fin)
        return self._stages.variance(t, full=full)

    def linearized_variance(self, scores: Any) -> float | np.ndarray:
        """Design variance of the weighted total ``sum_i w_i z_i`` of per-row scores.

        This is the entry point for any smooth estimator: pass its linearisation (influence)
        scores divided by the weights' scale as ``z``. Raking margins, if any, are projected
        out first; every stage and PPS correction of the design applies.

        Parameters
        ----------
        scores : array-like, shape (n,) or (n, k)
            One score per row (or ``k`` scores per row), in the data's row order.

        Returns
        -------
        float or ndarray
            The variance (a ``k x k`` covariance matrix for two-dimensional scores).

        Examples
        --------
        >>> import numpy as np, pandas as pd, polls
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0]})
        >>> d = polls.SurveyDesign(df)
        >>> float(d.linearized_variance(df["y"]))  # n * sample variance of y
        6.666666666666667
        """
        try:
            z = np.asarray(scores, dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgumentError("scores must be numeric") from None
        one = z.ndim == 1
        if one:
            z = z[:, None]
        if z.ndim != 2 or z.shape[0] != len(self._data):
            raise InvalidArgumentError(
                f"scores must have one row per data row ({len(self._data)}), "
                f"got shape {np.shape(scores)}"
            )
        if not np.isfinite(z).all():
            raise InvalidArgumentError("scores must be finite")
        v = self._row_variance(z * self._w[:, None], full=True)
        return float(v[0, 0]) if one else v

    def _ratio_variance(self, cells: Cells, ratios: Ratios, full: bool):
        """Estimates and their variances (or covariance) from per-unit cell totals."""
        w = self._w
        n_fin, k = self._stages.n_finest, ratios.k
        # per-unit sums serve an uncalibrated design or one raking; a calibration's projection
        # (polls.calibration) needs the per-row scores
        one_raking = len(self._calibration) == 1 and not callable(self._calibration[0])
        unit_path = ((not self._calibration or one_raking)
                     and n_fin * (cells.n_basis + k) <= BLOCK_FLOATS)
        g = cells.unit_totals(self._row_unit, n_fin, w) if unit_path else None
        tot = g.sum(axis=0) if unit_path else cells.totals(w)
        est = ratios.estimate(tot)
        lin = ratios.linearization(tot, est)
        if unit_path:
            u = np.asarray((lin.T @ g.T).T)
            if self._calibration:
                u -= self._raking_correction(cells, lin)
            return est, self._stages.variance(u, full=full)
        n = len(self._data)
        if full:
            return est, self._row_variance(cells.row_scores(lin.toarray()) * w[:, None], True)
        step = max(1, BLOCK_FLOATS // n)
        var = np.empty(k)
        for start in range(0, k, step):
            block = lin[:, start : start + step].toarray()
            x = cells.row_scores(block) * w[:, None]
            var[start : start + step] = self._row_variance(x, full=False)
        return est, var

    def _raking_margins(self) -> dict:
        """Per-design sums for the raking residuals: level counts, cross-counts between
        margins, and the weight of each finest unit in each margin level (cached)."""
        cached = self.__dict__.get("_rake_cache")
        if cached is None:
            margins, _ = self._calibration[0]
            sizes = [int(m.max()) + 1 for m in margins]
            n_fin = self._stages.n_finest
            cross = [[np.bincount(a.astype(np.int64) * sb + b, minlength=sa * sb)
                      .reshape(sa, sb).astype(float) for b, sb in zip(margins, sizes, strict=True)]
                     for a, sa in zip(margins, sizes, strict=True)]
            unit_w = [np.bincount(self._row_unit.astype(np.int64) * sa + a, weights=self._w,
                                  minlength=n_fin * sa).reshape(n_fin, sa)
                      for a, sa in zip(margins, sizes, strict=True)]
            cached = {"margins": margins, "sizes": sizes, "cross": cross, "unit_w": unit_w}
            self.__dict__["_rake_cache"] = cached
        return cached

    def _raking_correction(self, cells: Cells, lin) -> np.ndarray:
        """What R's ten residual sweeps over the raking margins take off each finest unit's
        score total, computed from margin-level sums instead of per-row scores.

        After the sweeps a row's score is ``z_i - sum_k a_k[level_k(i)]``; each sweep adds to
        ``a_k`` the mean of the current scores in each level of margin ``k``, which needs only
        the level sums of the original scores and the cross-counts of the margins.
        """
        rk = self._raking_margins()
        k = lin.shape[1]
        s0, a = [], []
        for j, (m, size) in enumerate(zip(rk["margins"], rk["sizes"], strict=True)):
            h = cells.sums(f"rows@m{j}", None, m, size)
            sums = np.asarray((lin[: cells.n_cells].T @ h.T).T)
            if cells.y is not None:
                hy = cells.sums(f"y@m{j}", cells.y, m, size)
                sums = sums + np.asarray((lin[cells.n_cells :].T @ hy.T).T)
            s0.append(sums)
            a.append(np.zeros((size, k)))
        counts = [np.diag(c[j]) for j, c in enumerate(rk["cross"])]
        for _ in range(RAKING_RESIDUAL_SWEEPS):
            for j in range(len(a)):
                current = s0[j] - sum(rk["cross"][j][i] @ a[i] for i in range(len(a)))
                a[j] += current / counts[j][:, None]
        return sum(uw @ aj for uw, aj in zip(rk["unit_w"], a, strict=True))

    def _ratio_df(self, cells: Cells, ratios: Ratios) -> np.ndarray:
        """PSUs minus strata holding positive-weight rows of each estimate's domain."""
        k = cells.n_cells
        den = (ratios.den[:k] != 0).astype(float)
        pos = self._positive()

        def present(counts: np.ndarray) -> np.ndarray:
            return np.asarray((den.T @ (counts > 0).T.astype(float)).T > 0).sum(axis=0)

        n_strata = len(self._strata_labels)
        if self._psu_is_row:  # each row its own PSU: count rows
            psus = np.asarray(den.T @ cells.sums("pos", pos)[0]).ravel()
            by_stratum = cells.sums("pos", pos, self._strata, n_strata)
        else:
            per_psu = cells.sums("pos", pos, self._psu, len(self._psu_stratum))
            psus = present(per_psu)
            by_stratum = _rowsum(per_psu, self._psu_stratum, n_strata)
        return psus - present(by_stratum)

    # ------------------------------------------------------------------ replicate weights
    def to_replicate(self, type: str = "auto", **kwargs: Any):
        """Replicate weights for this design (R's ``as.svrepdesign``).

        Parameters
        ----------
        type : {"auto", "JK1", "JKn", "BRR", "Fay", "bootstrap"}
            ``"auto"``: JK1 without strata, JKn with them.
        **kwargs
            ``replicates`` (bootstrap, default 50), ``seed`` (bootstrap), ``fay_rho`` (Fay),
            ``hadamard`` (BRR/Fay: a Hadamard matrix to take the replicates from), ``mse``.

        Returns
        -------
        ReplicateDesign
            The weights of each type are described in
            :func:`polls.design._make_replicates.from_design`.

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0, 5.0, 2.0], "c": [1, 1, 2, 2, 3, 3]})
        >>> rep = polls.SurveyDesign(df, cluster="c").to_replicate("JK1")
        >>> rep.replicate_weights.shape
        (6, 3)
        """
        from polls.design._make_replicates import from_design

        return from_design(self, type, **kwargs)

    def rake(self, targets: Mapping[str, Any] | pd.DataFrame, **kwargs: Any) -> SurveyDesign:
        """Rake the weights to population margins; the new design's SEs reflect the calibration.

        The weights come from :func:`polls.rake` (starting from this design's weights; keyword
        arguments such as ``tol``, ``max_iter`` and ``bounds`` pass through). Standard errors
        of the new design use the residuals of the scores on each raking margin, swept
        repeatedly over the margins, as R's ``survey`` does after ``rake()``.

        Parameters
        ----------
        targets : mapping or pandas.DataFrame
            Column name to target shares or population totals by level, or a long frame with
            columns ``variable``, ``level``, ``target`` (see :func:`polls.rake`).
        **kwargs
            Passed to :func:`polls.rake`.

        Returns
        -------
        SurveyDesign
            A new design (this one is unchanged); ``.rake_result`` holds the raking diagnostics.

        Examples
        --------
        >>> import pandas as pd, polls
        >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m", "m"], "y": [1, 0, 1, 1, 0]})
        >>> raked = polls.SurveyDesign(df).rake({"sex": {"f": 0.5, "m": 0.5}})
        >>> raked.weights.groupby(df["sex"]).sum().round(3).tolist()
        [2.5, 2.5]
        """
        from polls.weighting import _targets_from_frame
        from polls.weighting import rake as _rake

        if isinstance(targets, pd.DataFrame):
            targets = _targets_from_frame(targets)
        if "weights" in kwargs:
            raise InvalidArgumentError(
                "weights= cannot be passed to SurveyDesign.rake: the design's weights are the "
                "base weights"
            )
        result = _rake(self._data, targets, weights=self._w.copy(), **kwargs)
        new_w = np.asarray(pd.Series(result.weights).reindex(self._data.index), dtype=float)
        if not (np.isfinite(new_w) & (new_w > 0)).all():
            raise InvalidArgumentError(
                "raking left rows with zero weight (unmatched='drop'); give those levels "
                "targets, or leave the rows out of the data before building the design"
            )
        margins = []
        for name in targets:
            code, _ = codes(column(self._data, name, "targets"), f"targets[{name!r}]")
            margins.append(code)
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new._w = new_w
        new._calibration = [*self._calibration, (margins, new_w)]
        new.__dict__.pop("_rake_cache", None)
        new.rake_result = result
        return new


def _identity(index: np.ndarray) -> bool:
    return bool(index[0] == 0 and index[-1] == len(index) - 1 and
                np.array_equal(index, np.arange(len(index))))
