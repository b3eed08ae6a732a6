"""The API reference, generated from ``polls.__all__`` and grouped by task.

Each public name goes to one group: by the small mapping :data:`NAMES` where a name's module
alone would place it badly, else by the module it is defined in (:data:`MODULES`, matched by
prefix), else by words in that module's name (:data:`MODULE_WORDS`), else by kind (errors and
warnings), else to the last group. A name added to ``polls.__all__`` thus lands in a group
without any edit here. Only the standard library and :mod:`polls` are imported (no Sphinx), so
the tests can check the grouping quickly.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    intro: str


#: The groups, in the order the reference shows them.
GROUPS: tuple[Group, ...] = (
    Group("data", "Loading data",
          "The bundled catalogue, your own and the pollsters' files, respondent-level data, "
          "and the canonical toplines frame they all produce. "
          "See :doc:`/guide/datasets` and :doc:`/guide/reading`."),
    Group("uncertainty", "Uncertainty of one figure",
          "Intervals for a published share, margins of error and design effects. "
          "See :doc:`/guide/figures` and :doc:`/uncertainty`."),
    Group("change", "Change and comparison",
          "Two waves, two pollsters or two answers of one poll; whole series of changes with "
          "corrections for multiple comparisons. See :doc:`/guide/change`."),
    Group("trends", "Trends and house effects",
          "Smoothed trends and poll averages with pollster offsets. See :doc:`/guide/trends`."),
    Group("weighting", "Weighting and design-based estimation",
          "Raking and trimming weights; estimates, crosstabs and tests that follow the survey "
          "design. See :doc:`/guide/weighting`."),
    Group("sensitive", "Sensitive questions",
          "Bounds for \"hard to say\" and list experiments. See :doc:`/guide/sensitive`."),
    Group("publish", "Plotting, tables and export",
          "Charts, display tables, files for publication and the notebook report. "
          "See :doc:`/guide/publishing`."),
    Group("errors", "Errors and warnings",
          "Every error the package raises is a :class:`polls.PollsError`; each also derives "
          "from the built-in exception a caller would catch."),
    Group("other", "Other names",
          "Public names whose module does not say which task they serve."),
)

#: Names whose module alone would place them in a less helpful group.
NAMES: dict[str, str] = {
    "validate_toplines": "data",
    "ConfidenceInterval": "uncertainty",
    "ProportionEstimate": "uncertainty",
    "Comparison": "change",
    "percent_table": "publish",
    "wide_table": "publish",
    "published_list_experiments": "sensitive",
    "read_microdata": "data",
}

#: Module prefixes (longest match wins) and the group of the names defined there.
MODULES: dict[str, str] = {
    "polls.datasets": "data",
    "polls.io": "data",
    "polls.schema": "data",
    "polls.microdata": "data",
    "polls._dates": "data",
    "polls.intervals": "uncertainty",
    "polls.results": "uncertainty",
    "polls.change": "change",
    "polls.trend": "trends",
    "polls._banded": "trends",
    "polls.weighting": "weighting",
    "polls.design": "weighting",
    "polls.listexp": "sensitive",
    "polls.bounds": "sensitive",
    "polls.plotting": "publish",
    "polls.tables": "publish",
    "polls.report": "publish",
    "polls.cli": "publish",
    "polls.errors": "errors",
    "polls._checks": "errors",
}

#: Words in the name of a module that :data:`MODULES` does not know, and their group
#: (checked in this order; the first word found in the module's dotted name wins).
MODULE_WORDS: tuple[tuple[str, str], ...] = (
    ("error", "errors"), ("warn", "errors"), ("check", "errors"),
    ("listexp", "sensitive"), ("list_exp", "sensitive"), ("bound", "sensitive"),
    ("sensitiv", "sensitive"),
    ("design", "weighting"), ("survey", "weighting"), ("replic", "weighting"),
    ("weight", "weighting"), ("rake", "weighting"), ("calib", "weighting"),
    ("regress", "weighting"), ("glm", "weighting"), ("quantile", "weighting"),
    ("variance", "weighting"),
    ("trend", "trends"), ("house", "trends"), ("average", "trends"), ("smooth", "trends"),
    ("change", "change"), ("compar", "change"),
    ("interval", "uncertainty"), ("result", "uncertainty"), ("margin", "uncertainty"),
    ("plot", "publish"), ("chart", "publish"), ("export", "publish"), ("table", "publish"),
    ("report", "publish"), ("publish", "publish"), ("i18n", "publish"), ("lang", "publish"),
    ("summar", "publish"), ("translat", "publish"), ("datawrapper", "publish"),
    ("display", "publish"), ("format", "publish"),
    ("dataset", "data"), ("catalog", "data"), ("read", "data"), ("io", "data"),
    ("schema", "data"), ("micro", "data"), ("source", "data"), ("flag", "data"),
    ("user", "data"), ("store", "data"), ("release", "data"), ("html", "data"),
    ("excel", "data"), ("date", "data"),
)


def group_for_module(module: str | None) -> str | None:
    """The group of names defined in ``module`` (a dotted name), or None if nothing matches."""
    if not module:
        return None
    prefixes = [p for p in MODULES if module == p or module.startswith(p + ".")]
    if prefixes:
        return MODULES[max(prefixes, key=len)]
    words = module.lower().split(".")[1:] if module.startswith("polls.") else []
    for word, key in MODULE_WORDS:
        if any(word in part for part in words):
            return key
    return None


def defining_module(name: str, obj: object) -> str | None:
    """The module a public object comes from.

    Functions and classes say it (``__module__``); for other objects (constants such as a
    mapping), the first loaded ``polls`` submodule holding the same object under that name.
    """
    module = getattr(obj, "__module__", None)
    if isinstance(obj, type) or callable(obj):
        if isinstance(module, str) and module.startswith("polls"):
            return module
    for mod_name in sorted(sys.modules):
        if not mod_name.startswith("polls.") or mod_name.endswith("__main__"):
            continue
        if getattr(sys.modules[mod_name], name, None) is obj:
            return mod_name
    return module if isinstance(module, str) else None


def group_of(name: str, obj: object) -> str:
    """The key of the group a public name belongs to (see the module docstring)."""
    if name in NAMES:
        return NAMES[name]
    key = group_for_module(defining_module(name, obj))
    if key is not None:
        return key
    if isinstance(obj, type) and issubclass(obj, (Exception, Warning)):
        return "errors"
    return "other"


def grouped(package=None) -> dict[str, list[str]]:
    """Every name of ``package.__all__`` (``polls`` by default) by group key, in group order."""
    if package is None:
        import polls as package
    out: dict[str, list[str]] = {g.key: [] for g in GROUPS}
    for name in package.__all__:
        out[group_of(name, getattr(package, name))].append(name)
    return {key: sorted(names, key=_sort_key) for key, names in out.items()}


def _sort_key(name: str) -> tuple[int, str]:
    """Functions first (lower case), then classes, each alphabetically."""
    return (0 if name[:1].islower() else 1, name.lower())


def _kind(obj: object) -> str:
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def _rst_title(text: str, char: str) -> str:
    return f"{text}\n{char * len(text)}\n"


def _data_entry(name: str, obj: object) -> list[str]:
    """A constant: its autodoc entry, and for a mapping of words to meanings, the mapping."""
    lines = [f".. autodata:: polls.{name}", "   :no-value:", ""]
    if isinstance(obj, Mapping) and all(isinstance(v, str) for v in obj.values()):
        for key, value in obj.items():
            lines += [f"   ``{key}``", f"      {' '.join(value.split())}", ""]
    return lines


def reference_pages(package=None) -> dict[str, str]:
    """The reference as reStructuredText: ``{"index.rst": ..., "<group>.rst": ...}``.

    Functions and classes get an autosummary table whose entries have pages of their own
    (``generated/polls.<name>``); constants are documented in place. Empty groups are left out.
    """
    if package is None:
        import polls as package
    groups = grouped(package)
    pages: dict[str, str] = {}
    toc = []
    for group in GROUPS:
        names = groups[group.key]
        if not names:
            continue
        toc.append(group.key)
        lines = [_rst_title(group.title, "="), group.intro, ""]
        documented = [n for n in names if _kind(getattr(package, n)) != "data"]
        if documented:
            lines += [".. autosummary::", "   :toctree: generated/", "   :nosignatures:", ""]
            lines += [f"   polls.{n}" for n in documented]
            lines.append("")
        for n in names:
            if _kind(getattr(package, n)) == "data":
                lines += _data_entry(n, getattr(package, n))
        pages[f"{group.key}.rst"] = "\n".join(lines)
    index = [
        ".. module:: polls", "",
        _rst_title("API reference", "="),
        "Every public name of the package, under the name you import it by "
        "(``import polls; polls.proportion_ci(...)``), grouped by task. Each function's "
        "page lists its parameters and ends with a short example that the test suite runs.",
        "",
        ".. toctree::",
        "   :maxdepth: 2",
        "",
    ]
    index += [f"   {key}" for key in toc]
    index.append("   constants")
    index.append("")
    pages["index.rst"] = "\n".join(index)
    return pages


def module_constants(package=None) -> dict[str, list[str]]:
    """Upper-case names defined at the top of each public submodule (``polls.io``: ALIASES...).

    They are not exported by the package, but docstrings refer to them, so the reference
    documents them under their module's name. "Defined" means assigned in that module's source
    (a name imported from another module is documented there).
    """
    import ast
    import importlib
    import pkgutil

    if package is None:
        import polls as package
    out: dict[str, list[str]] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "cli":
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        names = []
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [
                node.target] if isinstance(node, ast.AnnAssign) else []
            names += [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()
                      and not t.id.startswith("_")]
        if names:
            out[module.__name__] = list(dict.fromkeys(names))
    return out


def constants_page(package=None) -> str:
    """The page of module constants (reStructuredText)."""
    import pprint

    lines = [_rst_title("Module constants", "="),
             "Names that the functions above refer to: column names, choices and vocabularies, "
             "defined in the package's modules (import them from there, e.g. "
             "``from polls.schema import COLUMNS``).", ""]
    for module_name, names in module_constants(package).items():
        module = sys.modules[module_name]
        lines += [_rst_title(f"``{module_name}``", "-"), f".. py:currentmodule:: {module_name}",
                  ""]
        for name in names:
            value = pprint.pformat(getattr(module, name), width=88, compact=True)
            lines += [f".. autodata:: {name}", "   :no-value:", "", "   .. code-block:: python",
                      ""]
            lines += [f"      {line}" for line in value.splitlines()]
            lines.append("")
    return "\n".join(lines)


def write_reference(outdir: str | Path, package=None) -> list[Path]:
    """Write :func:`reference_pages` into ``outdir``; files whose text is unchanged are kept."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    pages = reference_pages(package)
    pages["constants.rst"] = constants_page(package)
    for old in outdir.glob("*.rst"):
        if old.name not in pages:
            old.unlink()
    for name, text in pages.items():
        path = outdir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
