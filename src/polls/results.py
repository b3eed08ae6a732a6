"""The parts every result object of :mod:`polls` shares.

Scalar inputs give a frozen result object; frame inputs give tidy frames with the columns listed
in :data:`FRAME_COLUMNS`. Nothing here rounds: rounding belongs to display. Each result class
lives beside the function that makes it (``ProportionEstimate`` in :mod:`polls.intervals`,
``Comparison`` in :mod:`polls.change`, ...); this module holds what they have in common, the
:class:`ConfidenceInterval`, the :class:`SymmetricInterval` mixin and the frame columns, and
imports no other module of :mod:`polls` but the display words and the checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ConfidenceInterval", "FRAME_COLUMNS"]

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
