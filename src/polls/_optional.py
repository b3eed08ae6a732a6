"""Optional dependencies: import one where a feature needs it, or say which extra installs it.

``pip install polls`` installs what loading data and the statistics need (numpy, pandas,
scipy). Charts, Excel files, respondent-data formats and the notebooks report each need an
extra; :func:`require` raises an ``ImportError`` that names it, e.g.
``pip install "polls[plot]"``. ``polls[all]`` installs every extra.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from polls.errors import PollsError

#: The extra that installs each optional module.
EXTRAS: dict[str, str] = {
    "matplotlib": "plot",
    "openpyxl": "excel",
    "defusedxml": "excel",
    "bs4": "html",
    "lxml": "html",
    "formulaic": "survey",
    "pyreadstat": "microdata",
    "pyarrow": "microdata",
    "nbclient": "notebooks",
    "nbformat": "notebooks",
    "nbconvert": "notebooks",
    "ipykernel": "notebooks",
    "jupyter_client": "notebooks",
}


class MissingExtraError(PollsError, ImportError):
    """An optional dependency is not installed; the message names the extra that installs it."""


def install_hint(module: str) -> str:
    """The pip command that installs ``module`` with the package.

    >>> install_hint("matplotlib")
    'pip install "polls[plot]"'
    """
    return f'pip install "polls[{EXTRAS[module.split(".")[0]]}]"'


def require(module: str, feature: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtraError` naming ``feature`` and the extra.

    >>> require("json", "reading").__name__
    'json'
    """
    top = module.split(".")[0]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] != top or top not in EXTRAS:
            raise
        raise MissingExtraError(
            f"{feature} needs {top}, which is not installed: {install_hint(top)} "
            f'(or "polls[all]" for every optional feature)',
            name=top,
        ) from None
