"""Design-based estimates for respondent-level survey data.

Two design classes share one set of estimators (means, totals, shares, crosstabs and Rao-Scott
tests, ``by`` domains):

- :class:`SurveyDesign` (``_taylor.py``): weights, strata, clusters at one or more stages, finite
  population corrections or PPS inclusion probabilities; variances by Taylor linearisation
  (``_multistage.py``), entry point :meth:`SurveyDesign.linearized_variance`.
- :class:`ReplicateDesign` (``replicate.py``): replicate weights shipped with a file (JK1, JKn,
  BRR, Fay, bootstrap, successive differences) or made from a design by
  :meth:`SurveyDesign.to_replicate`; entry point :meth:`ReplicateDesign.replicate_variance`.

Both also fit models: ``glm``, ``quantile`` and ``calibrate`` (``_models.py`` for the Taylor
design, ``_replicate_models.py`` for the replicate design).

The estimators (``_estimators.py``, ``_crosstab.py``) work on per-cell totals (``_cells.py``),
so no estimate builds a matrix of one row per respondent and one column per cell.
"""

from polls.design._crosstab import RaoScottTest
from polls.design._intervals import PROPORTION_METHODS
from polls.design._taylor import SurveyDesign
from polls.design.replicate import REPLICATE_TYPES, ReplicateDesign

__all__ = ["SurveyDesign", "ReplicateDesign", "RaoScottTest", "PROPORTION_METHODS",
           "REPLICATE_TYPES"]
