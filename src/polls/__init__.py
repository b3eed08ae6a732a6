"""polls: analyse published opinion polls, with honest uncertainty.

Bundled, source-cited toplines from Russian (Levada Center, VCIOM, FOM) and Serbian (Crta and
others) pollsters; readers for your own poll files; intervals, design effects and tests of change;
trends with house effects; weighting and design-based estimates for respondent data; and tools for
sensitive questions.
"""

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

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "ConfidenceInterval",
    "ConvergenceWarning",
    "FileFormatError",
    "InferenceWarning",
    "InvalidArgumentError",
    "PollsError",
    "PollsWarning",
    "SchemaError",
    "UnknownDatasetError",
    "validate_toplines",
]
