"""Small frozen result objects shared across :mod:`polls`.

Scalar inputs give one of these objects; frame inputs give tidy frames with the columns listed in
:data:`FRAME_COLUMNS`. Nothing here rounds: rounding belongs to display.
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

    @property
    def width(self) -> float | np.ndarray:
        """``high - low``."""
        return self.high - self.low
