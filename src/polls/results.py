"""Small frozen result objects shared across :mod:`polls`.

Scalar inputs give one of these objects; frame inputs give tidy frames with the columns listed in
:data:`FRAME_COLUMNS`. Nothing here rounds: rounding belongs to display.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ConfidenceInterval", "ProportionEstimate", "Comparison", "FRAME_COLUMNS"]

#: Column order of every tidy result frame (tests add ``statistic`` and ``pvalue``).
FRAME_COLUMNS = ("estimate", "ci_low", "ci_high", "confidence_level", "se", "n", "n_eff", "method")


@dataclass(frozen=True)
class ConfidenceInterval:
    """A confidence interval ``[low, high]``; scalars, or numpy arrays for vectorised calls.

    Unpacks like a tuple: ``low, high = proportion_ci(0.5, 100)``.
    """

    low: float | np.ndarray
    high: float | np.ndarray

    def __iter__(self):
        yield self.low
        yield self.high

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)

    @property
    def width(self) -> float | np.ndarray:
        """``high - low``."""
        return self.high - self.low


def _scalar(value):
    """A 0-d array or numpy scalar as a Python float; anything else unchanged."""
    if isinstance(value, np.ndarray | np.generic) and np.ndim(value) == 0:
        return float(value)
    return value


def _column(value) -> np.ndarray:
    return np.atleast_1d(np.asarray(value, dtype=float)).ravel()


class SymmetricInterval:
    """Mixin for results with ``estimate``, ``se`` and ``confidence_level`` (and optionally
    ``df``): the interval ``estimate +/- q * se``, q from the normal distribution, or from
    Student's t when the result has a finite ``df``."""

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """The interval ``estimate +/- q * se`` at ``confidence_level`` (default: the result's)."""
        from polls._checks import check_confidence_level, critical_value

        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        q = critical_value(level, float(getattr(self, "df", float("inf"))))
        return ConfidenceInterval(self.estimate - q * self.se, self.estimate + q * self.se)


@dataclass(frozen=True)
class ProportionEstimate:
    """A share with its interval, from :func:`polls.proportion_estimate`.

    Attributes hold scalars, or numpy arrays for vectorised calls. ``n_eff`` is ``n / deff``;
    ``precision`` is the rounding step taken into account (``None`` when rounding is ignored).
    """

    estimate: float | np.ndarray
    low: float | np.ndarray
    high: float | np.ndarray
    n: float | np.ndarray
    n_eff: float | np.ndarray
    deff: float | np.ndarray
    confidence_level: float
    method: str
    precision: float | np.ndarray | None = None

    @property
    def se(self) -> float | np.ndarray:
        """The simple standard error ``sqrt(p (1 - p) / n_eff)``."""
        p = np.asarray(self.estimate, dtype=float)
        return _scalar(np.sqrt(p * (1 - p) / np.asarray(self.n_eff, dtype=float)))

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """The interval at ``confidence_level`` (default: the level the estimate was made at)."""
        if confidence_level is None or confidence_level == self.confidence_level:
            return ConfidenceInterval(self.low, self.high)
        from polls.intervals import proportion_ci

        return proportion_ci(
            self.estimate, self.n, method=self.method, confidence_level=confidence_level,
            deff=self.deff, precision=self.precision,
        )

    def summary(self, lang: str = "en", *, what: str | None = None) -> str:
        """The estimate in one sentence, in ``lang`` ("en", "ru", "sr" or "sr-Cyrl").

        ``what`` names the share (default "Estimate"). Example: "Support: 74% (95% interval:
        72% to 76%; n = 1,600)." Only for a single estimate (not a vectorised call).
        """
        from polls._summaries import proportion

        return proportion(self, lang, what=what)

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)

    def to_frame(self):
        """A tidy frame: ``estimate, ci_low, ci_high, confidence_level, se, n, n_eff, method``."""
        import pandas as pd

        est = _column(self.estimate)
        size = est.size
        return pd.DataFrame({
            "estimate": est,
            "ci_low": np.broadcast_to(_column(self.low), size),
            "ci_high": np.broadcast_to(_column(self.high), size),
            "confidence_level": self.confidence_level,
            "se": np.broadcast_to(_column(self.se), size),
            "n": np.broadcast_to(_column(self.n), size),
            "n_eff": np.broadcast_to(_column(self.n_eff), size),
            "method": self.method,
        })


@dataclass(frozen=True)
class Comparison:
    """A difference of two shares with its interval and test.

    Made by :func:`polls.compare_proportions` (two independent samples, ``kind="independent"``;
    ``difference = p1 - p2``) and :func:`polls.lead` (two options of one poll,
    ``kind="lead"``; ``difference = p_a - p_b``). ``statistic`` is a z statistic and ``pvalue``
    its p-value under ``alternative``; ``se`` is the standard error of the difference.
    Attributes hold scalars, or numpy arrays for vectorised calls.
    """

    difference: float | np.ndarray
    low: float | np.ndarray
    high: float | np.ndarray
    statistic: float | np.ndarray
    pvalue: float | np.ndarray
    se: float | np.ndarray
    confidence_level: float
    alternative: str
    method: str
    kind: str
    p1: float | np.ndarray
    p2: float | np.ndarray
    n1: float | np.ndarray
    n2: float | np.ndarray
    deff1: float | np.ndarray = 1.0
    deff2: float | np.ndarray = 1.0
    precision1: float | np.ndarray | None = None
    precision2: float | np.ndarray | None = None

    @property
    def n_eff1(self) -> float | np.ndarray:
        """Effective sample size of the first share, ``n1 / deff1``."""
        return _scalar(np.asarray(self.n1, dtype=float) / np.asarray(self.deff1, dtype=float))

    @property
    def n_eff2(self) -> float | np.ndarray:
        """Effective sample size of the second share, ``n2 / deff2``."""
        return _scalar(np.asarray(self.n2, dtype=float) / np.asarray(self.deff2, dtype=float))

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """The interval of the difference at ``confidence_level`` (default: the level used)."""
        if confidence_level is None or confidence_level == self.confidence_level:
            return ConfidenceInterval(self.low, self.high)
        from polls import change
        from polls._checks import check_confidence_level as check_level

        if self.kind == "lead":
            res = change.lead(
                self.p1, self.p2, self.n1, deff=self.deff1, confidence_level=confidence_level,
                alternative=self.alternative, precision=self.precision1,
            )
        else:
            scalar = np.ndim(self.difference) == 0
            res = change._compare_checked(
                self.p1, self.n1, self.p2, self.n2, self.deff1, self.deff2, self.method,
                check_level(confidence_level), self.alternative, self.precision1,
                self.precision2, scalar=scalar,
            )
        return ConfidenceInterval(res.low, res.high)

    def summary(self, lang: str = "en", *, what: str | None = None,
                labels: tuple[str, str] | None = None) -> str:
        """The change (or lead) in one sentence, in ``lang`` ("en", "ru", "sr" or "sr-Cyrl").

        From :func:`polls.compare_proportions` the first share is read as the later wave: "The
        share fell 7 points, from 81% to 74% (95% interval for the change: 4 to 10 points); a
        change this large is unlikely from sampling noise alone (p < 0.001)." With ``labels``
        (the two samples' names, e.g. two pollsters) it is a difference between them instead.
        From :func:`polls.lead`, ``labels`` names the two options. ``what`` names the share.
        """
        from polls._summaries import comparison

        return comparison(self, lang, what=what, labels=labels)

    def __repr__(self) -> str:
        from polls._summaries import short_repr

        return short_repr(self)

    def to_frame(self):
        """A tidy frame.

        Columns: ``estimate`` (the difference), ``ci_low, ci_high, confidence_level, se``,
        ``n`` and ``n_eff`` (for a lead the poll's sizes; for two samples the sums), ``method``,
        ``statistic, pvalue, alternative``, then ``p1, p2, n1, n2, n_eff1, n_eff2``.
        """
        import pandas as pd

        est = _column(self.difference)
        size = est.size

        def col(value):
            return np.broadcast_to(_column(value), size)

        if self.kind == "lead":
            n, n_eff = col(self.n1), col(self.n_eff1)
        else:
            n, n_eff = col(self.n1) + col(self.n2), col(self.n_eff1) + col(self.n_eff2)
        return pd.DataFrame({
            "estimate": est,
            "ci_low": col(self.low),
            "ci_high": col(self.high),
            "confidence_level": self.confidence_level,
            "se": col(self.se),
            "n": n,
            "n_eff": n_eff,
            "method": self.method,
            "statistic": col(self.statistic),
            "pvalue": col(self.pvalue),
            "alternative": self.alternative,
            "p1": col(self.p1),
            "p2": col(self.p2),
            "n1": col(self.n1),
            "n2": col(self.n2),
            "n_eff1": col(self.n_eff1),
            "n_eff2": col(self.n_eff2),
        })
