"""polls: analyse published opinion polls, with honest uncertainty.

Bundled, source-cited toplines from Russian (Levada Center, VCIOM, FOM) and Serbian (Crta and
others) pollsters; readers for your own poll files; intervals, design effects and tests of change;
trends with house effects; weighting and design-based estimates for respondent data; and tools for
sensitive questions.

Heavy dependencies (scipy.stats, matplotlib, pyreadstat, openpyxl) are imported inside the
functions that need them, so ``import polls`` stays fast.
"""

from types import ModuleType as _ModuleType

from polls.errors import (
    ConvergenceWarning,
    FileFormatError,
    InferenceWarning,
    InvalidArgumentError,
    PollsError,
    PollsWarning,
    SchemaError,
    UnknownDatasetError,
)
from polls.results import ConfidenceInterval
from polls.schema import validate_toplines

# --- exports: datasets
from polls.datasets import (
    DatasetInfo,
    dataset_info,
    list_datasets,
    load_dataset,
    stated_margins,
)
from polls.tables import percent_table, wide_table

# --- end datasets

# --- exports: catalogue (provenance vocabulary, currency, user datasets)
from polls.datasets import add_waves, data_as_of, save_dataset, user_data_dir
from polls.schema import FLAGS, SOURCE_KINDS
# --- end catalogue

# --- exports: io
from polls.io import read_toplines, write_toplines
# --- end io

# --- exports: intervals, change
from polls.change import adjust_pvalues, changes, compare_proportions, lead, with_ci
from polls.intervals import (
    design_effect,
    effective_n,
    implied_design_effect,
    margin_of_error,
    proportion_ci,
    proportion_estimate,
)
from polls.change import Comparison
from polls.intervals import ProportionEstimate
# --- end intervals, change

# --- exports: plotting, report
from polls.plotting import plot_house_effects, plot_toplines, plot_trend, source_line
from polls.report import build_report
# --- end plotting, report

# --- exports: publishing
from polls.export import save_chart, to_datawrapper
# --- end publishing

# --- exports: trend
from polls.trend import PollAverage, poll_average, smooth_trend
# --- end trend

# --- exports: weighting
from polls.weighting import RakeResult, rake, trim_weights
# --- end weighting

# --- exports: design, microdata
from polls.design import RaoScottTest, SurveyDesign
from polls.microdata import read_microdata
# --- end design, microdata
# --- exports: survey models
from polls.calibration import CalibrationResult
from polls.quantiles import weighted_quantile
from polls.regression import GLMResult, WaldTest
# --- end survey models

# --- exports: replicate designs
from polls.design import ReplicateDesign
# --- end replicate designs

# --- exports: listexp, bounds
from polls.bounds import response_bounds
from polls.listexp import (
    DesignTestResult,
    FalsificationGap,
    ListExperimentResult,
    ListMLResult,
    ListSummaryResult,
    falsification_gap,
    list_design_test,
    list_experiment,
    list_experiment_from_summary,
    list_experiment_ml,
    published_list_experiments,
    simulate_list_experiment,
)
# --- end listexp, bounds

# --- exports: reader errors
from polls.errors import MissingFileError

# --- end reader errors

__version__ = "0.1.0"

#: Every public name above (the explicit imports are the list; no star imports).
__all__ = sorted(
    name
    for name, value in list(globals().items())
    if not name.startswith("_") and not isinstance(value, _ModuleType)
)
