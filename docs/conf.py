"""Sphinx configuration of the polls documentation (``make docs``).

The API reference, the gallery and the data sources page are generated at build time by the
local extension in ``_ext/`` (see ``_ext/polls_docs.py``); the rest of the site is Markdown.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
# The package from this checkout, whether or not it is installed; the notebook kernels that
# myst-nb starts inherit the environment, so they import the same code.
sys.path.insert(0, str(HERE.parent / "src"))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(HERE.parent / "src"), os.environ.get("PYTHONPATH")) if p
)
# The site documents the bundled data only: datasets a user saved on this machine (in the
# folder POLLS_DATA names) stay out of the pages and out of the notebooks run for them.
os.environ["POLLS_DATA"] = tempfile.mkdtemp(prefix="polls-docs-data-")

import polls  # noqa: E402

project = "polls"
author = "the polls authors"
copyright = "the polls authors"  # noqa: A001
release = polls.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "polls_docs",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_design",
]

exclude_patterns = [
    "_build",
    "**.ipynb_checkpoints",
    "gallery/*/**",  # files the notebooks read (data/), copied beside them
]
templates_path = ["_templates"]
root_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# Every internal cross-reference must resolve. Targets outside the package (pandas, numpy,
# matplotlib, the standard library) are not documented here and there is no network for
# intersphinx inventories, so those are the only references allowed to stay unresolved.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(pd|np|pandas|numpy|scipy|matplotlib|mpl|plt|statsmodels|os|io|pathlib|"
               r"datetime|collections|typing|nbformat)(\..*)?"),
    (r"py:.*", r"(str|int|float|bool|dict|list|tuple|set|object|None|callable|Exception|"
               r"ValueError|KeyError|TypeError|RuntimeError|UserWarning|Warning|Path|"
               r"DataFrame|Series|Axes|Figure|Any|Sequence|Mapping|Iterable)"),
]

# -- API reference -------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # the numpydoc "Parameters" sections give the types
autodoc_default_options = {"member-order": "bysource"}
autodoc_preserve_defaults = True
numpydoc_show_class_members = False  # the class template lists the methods
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
add_module_names = False
toc_object_entries = False

# -- Markdown and notebooks ----------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "smartquotes"]
myst_heading_anchors = 3
nb_execution_mode = "force"  # always run: no figure in the gallery is older than the code
nb_execution_timeout = 180
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_output_stderr = "show"

# -- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"polls {release}"
html_static_path = ["_static"]
html_css_files = ["polls.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 4,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_context = {"default_mode": "light"}


def _properties() -> dict[str, list[str]]:
    """Public properties of each exported class, documented on the class's page."""
    out = {}
    for name in polls.__all__:
        obj = getattr(polls, name)
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            out[f"polls.{name}"] = sorted(
                attr for attr in dir(obj)
                if not attr.startswith("_") and isinstance(getattr(obj, attr, None), property)
            )
    return out


autosummary_context = {"properties": _properties()}
