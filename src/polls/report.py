"""Execute the notebooks end to end and render them, with an index page, as an HTML report.

:func:`build_report` runs every ``*.ipynb`` in a folder (sorted by name, in parallel), in a
Python kernel of the running interpreter with the notebook's folder as working directory, and
fails naming the notebook and the cell on any error. Each executed notebook is rendered to HTML
with its figures embedded, and ``index.html`` links them with their titles and first paragraphs.

nbclient, nbformat and nbconvert (the ``notebooks`` extra) are imported inside the functions.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polls.errors import InvalidArgumentError, PollsError

__all__ = ["build_report", "execute_notebook", "notebook_summary", "NotebookError"]

#: Seconds one cell may run before the build fails.
DEFAULT_TIMEOUT = 120


class NotebookError(PollsError, RuntimeError):
    """A notebook failed to execute; the message names the notebook and the cell."""

    def __init__(self, notebook: str, cell: int | None, message: str) -> None:
        self.notebook = notebook
        self.cell = cell
        where = f"notebook {notebook}" + (f", cell {cell}" if cell is not None else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class _Page:
    name: str
    title: str
    summary: str
    html_name: str
    seconds: float


def _kernel_manager():
    """A kernel manager that starts ipykernel with the running interpreter."""
    from ipykernel.kernelspec import get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class _HereSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(resource_dir="", **get_kernel_dict())

    return KernelManager(kernel_name="python3", kernel_spec_manager=_HereSpecs())


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return "(empty cell)"


def execute_notebook(path: str | Path, *, timeout: float = DEFAULT_TIMEOUT):
    """Execute one notebook end to end and return it (a ``nbformat.NotebookNode`` with outputs).

    The kernel is ipykernel under the running Python interpreter; the working directory is the
    notebook's folder. The file on disk is not changed.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.ipynb`` file.
    timeout : float, default 120
        Seconds one cell may run.

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    NotebookError
        When a cell raises or times out: names the notebook, the cell (counting every cell from
        1, as a notebook editor lists them), its first line and the error.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> from polls.report import execute_notebook
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.ipynb"
    >>> nbformat.write(nb, path)
    >>> execute_notebook(path).cells[0].outputs[0]["data"]["text/plain"]
    '2'
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    if not path.is_file():
        raise InvalidArgumentError(f"path: no notebook at {str(path)!r}")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a bad file
        raise NotebookError(path.name, None, f"cannot read the notebook: {exc}") from exc
    current: dict[str, int] = {}

    def on_cell_execute(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    km = _kernel_manager()
    client = NotebookClient(
        nb,
        timeout=timeout,
        km=km,
        resources={"metadata": {"path": str(path.parent.resolve())}},
        on_cell_execute=on_cell_execute,
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        index = current.get("index")
        cell = None if index is None else index + 1
        first = "" if index is None else f" ({_first_line(nb.cells[index].source)!r})"
        if isinstance(exc, CellExecutionError):
            what = f"{exc.ename}: {exc.evalue}"
        elif isinstance(exc, CellTimeoutError):
            what = f"timed out after {timeout} s"
        else:
            what = f"the kernel died ({exc})"
        raise NotebookError(path.name, cell, f"{what}{first}\n{exc}") from exc
    finally:
        # nbclient leaves a kernel it did not create running: stop it here
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    return nb


def notebook_summary(nb: Any) -> tuple[str, str]:
    """The title (first markdown ``#`` heading) and first text paragraph of a notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Returns
    -------
    (str, str)
        Title (empty when there is no heading) and the first paragraph after it, as markdown.

    Examples
    --------
    >>> import nbformat
    >>> from polls.report import notebook_summary
    >>> text = "# Approval\\n\\nPutin's rating, 1999 to now.\\n\\nMore."
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    >>> notebook_summary(nb)
    ('Approval', "Putin's rating, 1999 to now.")
    """
    title, summary = "", ""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        blocks = [b.strip() for b in re.split(r"\n\s*\n", cell.source) if b.strip()]
        for block in blocks:
            if block.startswith("#"):
                if not title:
                    title = block.splitlines()[0].lstrip("#").strip()
                    rest = "\n".join(block.splitlines()[1:]).strip()
                    if rest and not summary:
                        summary = rest
                continue
            if title and not summary:
                summary = block
            if title and summary:
                return title, summary
    return title, summary


def _render(nb: Any) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(nb)
    return body


def _run_one(path: Path, out_dir: Path, timeout: float) -> _Page:
    start = time.perf_counter()
    nb = execute_notebook(path, timeout=timeout)
    seconds = time.perf_counter() - start
    title, summary = notebook_summary(nb)
    html_name = path.stem + ".html"
    (out_dir / html_name).write_text(_render(nb), encoding="utf-8")
    return _Page(path.name, title or path.stem, summary, html_name, seconds)


def _markdown(text: str) -> str:
    from nbconvert.filters import markdown2html

    return markdown2html(text) if text else ""


def _index_html(pages: list[_Page], version: str, built: str) -> str:
    items = []
    for page in pages:
        items.append(
            f'<li><h2><a href="{html.escape(page.html_name)}">{html.escape(page.title)}</a></h2>\n'
            f'<div class="summary">{_markdown(page.summary)}</div>\n'
            f'<p class="meta">{html.escape(page.name)}, executed in {page.seconds:.1f} s</p></li>'
        )
    listing = "\n".join(items)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>polls: notebooks report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }}
ol {{ padding-left: 1.2rem; }} li {{ margin-bottom: 1.5rem; }}
h2 {{ font-size: 1.2rem; margin-bottom: 0.2rem; }}
.meta, footer {{ color: #666; font-size: 0.85rem; }}
</style>
</head>
<body>
<h1>polls: notebooks report</h1>
<p>Each notebook below was executed end to end on the data bundled with the package.</p>
<ol>
{listing}
</ol>
<footer>Built {html.escape(built)} with polls {html.escape(version)}.</footer>
</body>
</html>
"""


def build_report(
    output_dir: str | Path = "build/report",
    notebooks_dir: str | Path = "notebooks",
    *,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = 2,
) -> Path:
    """Execute every notebook in ``notebooks_dir`` and write an HTML report to ``output_dir``.

    Notebooks (``*.ipynb``, sorted by name) run in parallel, each in a fresh ipykernel of the
    running interpreter with ``notebooks_dir`` as working directory. Each is rendered to
    ``<output_dir>/<name>.html`` with its figures embedded, and ``<output_dir>/index.html`` links
    them in order with their titles (first markdown heading) and first paragraphs, the build date
    and the package version. The notebooks on disk are not modified.

    Parameters
    ----------
    output_dir : str or pathlib.Path, default "build/report"
        Created if missing; existing pages of the same names are overwritten.
    notebooks_dir : str or pathlib.Path, default "notebooks"
    timeout : float, default 120
        Seconds one cell may run.
    workers : int, default 2
        Notebooks executed at the same time.

    Returns
    -------
    pathlib.Path
        The path of ``index.html``.

    Raises
    ------
    NotebookError
        When any notebook fails (after all have run): names every failing notebook and cell.
    InvalidArgumentError
        When ``notebooks_dir`` holds no notebook or ``workers`` is not a positive integer.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> import polls
    >>> src = pathlib.Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("# Tiny\\n\\nOne cell."), nbformat.v4.new_code_cell("1")])
    >>> nbformat.write(nb, src / "01-tiny.ipynb")
    >>> index = polls.build_report(src / "out", src, workers=1)
    >>> sorted(p.name for p in index.parent.iterdir())
    ['01-tiny.html', 'index.html']
    """
    from polls import __version__
    from polls._optional import require

    require("nbclient", "building the notebooks report")
    notebooks_dir = Path(notebooks_dir)
    out_dir = Path(output_dir)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise InvalidArgumentError(f"workers must be a positive integer, got {workers!r}")
    if not notebooks_dir.is_dir():
        raise InvalidArgumentError(f"notebooks_dir: no folder at {str(notebooks_dir)!r}")
    paths = sorted(p for p in notebooks_dir.glob("*.ipynb") if not p.name.startswith("."))
    if not paths:
        raise InvalidArgumentError(f"notebooks_dir: no .ipynb files in {str(notebooks_dir)!r}")
    out_dir.mkdir(parents=True, exist_ok=True)

    pages: list[_Page] = []
    failures: list[NotebookError] = []
    with ThreadPoolExecutor(max_workers=min(workers, len(paths))) as pool:
        futures = [pool.submit(_run_one, p, out_dir, timeout) for p in paths]
        for future in futures:
            try:
                pages.append(future.result())
            except NotebookError as exc:
                failures.append(exc)
    if failures:
        if len(failures) == 1:
            raise failures[0]
        listed = "\n\n".join(str(f) for f in failures)
        raise NotebookError(
            ", ".join(f.notebook for f in failures), None,
            f"{len(failures)} notebooks failed:\n\n{listed}",
        )
    built = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    index = out_dir / "index.html"
    index.write_text(_index_html(pages, __version__, built), encoding="utf-8")
    return index
