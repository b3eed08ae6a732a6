"""Sphinx extension: write the generated pages before Sphinx reads the sources.

At ``config-inited`` (before Sphinx lists the source files and autosummary writes its stubs),
it writes the API reference (``reference/``), the gallery (``gallery/``, the notebooks mirrored
from the repository) and the data sources page (``data-sources.md``). Files whose text is
unchanged are not rewritten, so incremental builds stay incremental. These paths are generated
and ignored by git. After the build, each gallery card gets its notebook's first figure.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from apiref import write_reference
from catalogue import write_datasets_page
from gallery import build_gallery, write_thumbnails
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

logger = logging.getLogger(__name__)


def generate(app, config) -> None:
    src = Path(app.srcdir)
    root = src.parent
    write_reference(src / "reference")
    notebooks = build_gallery(root / "notebooks", src / "gallery")
    write_datasets_page(src / "data-sources.md")
    logger.info("polls docs: reference, %d gallery notebooks and the data sources page written",
                len(notebooks))


def resolve_unique_suffix(app, env, node, contnode):
    """Resolve ``:data:`ALIASES``` written inside ``polls.io`` but read on ``polls.read_toplines``.

    Docstrings name their module's objects without the module; documented under the package's
    name, the reference cannot find them. Such a name resolves to ``polls.<name>`` when the
    package exports it, else to the one documented object whose name ends with it, else (for a
    ``polls.``-qualified name of an undocumented module or helper that exists) to plain code.
    Anything else stays a warning and fails the build.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    domain = env.get_domain("py")
    if f"polls.{target}" in domain.objects:
        matches = [f"polls.{target}"]  # the name users import wins
    else:
        matches = [name for name in domain.objects if name.endswith("." + target)]
    if not target or len(matches) != 1:
        return contnode if _exists_in_code(target) else None
    entry = domain.objects[matches[0]]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode,
                        matches[0])


def thumbnails(app, exception) -> None:
    """Give each gallery card its notebook's first figure; a gallery without figures fails."""
    if exception is not None or app.builder.format != "html":
        return
    stems = [p.stem for p in sorted((Path(app.srcdir) / "gallery").glob("*.ipynb"))]
    found = write_thumbnails(app.outdir, stems)
    if stems and not any(found.values()):
        logger.warning("polls docs: no gallery notebook rendered a figure (is a non-interactive "
                       "matplotlib backend such as MPLBACKEND=agg set for the kernels?)")


def _exists_in_code(target: str) -> bool:
    """Whether a ``polls.``-qualified name is a real module or object of the package.

    Docstrings may point at modules and helpers that the reference does not document (only the
    public names of ``polls.__all__`` have pages). Such a name is shown as code, unlinked; a
    name that exists nowhere stays a warning, so a mistyped or stale reference fails the build.
    """
    if not target.startswith("polls."):
        return False
    parts = target.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def setup(app):
    app.connect("config-inited", generate)
    app.connect("missing-reference", resolve_unique_suffix)
    app.connect("build-finished", thumbnails)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
