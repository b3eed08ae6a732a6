"""List experiments (item-count technique): estimates, a design-effect test and an ML estimator.

A list experiment hides a sensitive question among ``J`` harmless ones. The control group sees the
``J`` control items and reports only *how many* apply to them; the treatment group sees the same
items plus the sensitive one. Under "no design effect" (adding the sensitive item does not change
answers to the others) and "no liars", the difference between the two mean counts estimates the
share holding the sensitive view.

Public functions (one module each)
----------------------------------
:func:`list_experiment` (``_means``)
    Difference in means from respondent data (plain, weighted, or design-based; per subgroup).
:func:`list_experiment_from_summary` (``_summary``)
    The same from published means, with the usual SE when SDs are printed and SE *bounds* when not.
:func:`list_design_test` (``_design_test``)
    Blair and Imai's (2012) test of the no-design-effect assumption (Bonferroni-corrected).
:func:`list_experiment_ml` (``_ml``)
    Imai's (2011) maximum-likelihood estimator without covariates, fitted by EM.
:func:`falsification_gap` (``_falsification``)
    Direct-question share minus the list estimate, with an interval for both sources of error.
:func:`simulate_list_experiment` (``_simulate``)
    Respondent data from a list experiment with a known truth.
:func:`published_list_experiments`
    The published Russian list-experiment summary figures shipped with the package (it lives in
    :mod:`polls.datasets`, beside the other bundled data).

The checks of respondent data and frequencies that the estimators share are in ``_inputs``.

References
----------
Blair, G. and Imai, K. (2012). Statistical analysis of list experiments. *Political Analysis*
20(1): 47-77. Imai, K. (2011). Multivariate regression analysis for the item count technique.
*Journal of the American Statistical Association* 106(494): 407-416.
"""

from polls.datasets import published_list_experiments
from polls.listexp._design_test import DesignTestResult, list_design_test
from polls.listexp._design_test import (  # a helper of the test, not in __all__
    chi_bar_squared_weights as chi_bar_squared_weights,
)
from polls.listexp._falsification import FalsificationGap, falsification_gap
from polls.listexp._means import ListExperimentResult, list_experiment
from polls.listexp._ml import ListMLResult, list_experiment_ml
from polls.listexp._simulate import simulate_list_experiment
from polls.listexp._summary import ListSummaryResult, list_experiment_from_summary

__all__ = [
    "ListExperimentResult",
    "ListSummaryResult",
    "DesignTestResult",
    "ListMLResult",
    "FalsificationGap",
    "list_experiment",
    "list_experiment_from_summary",
    "list_design_test",
    "list_experiment_ml",
    "falsification_gap",
    "published_list_experiments",
    "simulate_list_experiment",
]
