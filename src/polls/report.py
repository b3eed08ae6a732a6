"""Execute the notebooks end to end and render them, with an index page, as an HTML report.

:func:`build_report` copies a folder of notebooks (by default the one shipped with the package)
into the report folder and runs every ``*.ipynb`` there (sorted by name, in parallel), in a
Python kernel of the running interpreter, failing with the notebook and the cell on any error.
Files the notebooks write (exports, charts) land beside them in the report. Each executed
notebook is rendered to HTML with its figures embedded, missing values shown as blanks and wide
tables scrolling; ``index.html`` lists them with their titles, first paragraphs and main figures,
and says how current the bundled data are.

nbclient, nbformat and nbconvert (the ``notebooks`` extra) are imported inside the functions.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polls.errors import InvalidArgumentError, PollsError

__all__ = ["build_report", "execute_notebook", "notebook_summary", "NotebookError",
           "default_notebooks_dir", "latest_fieldwork"]

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
    figure: str = ""  # the main figure, base64 PNG
    stderr_cells: tuple[int, ...] = ()  # cells that wrote warnings or errors to their output


def _kernel_manager(sockets: Path):
    """A kernel manager that starts ipykernel with the running interpreter.

    On POSIX systems the kernel talks over local (IPC) sockets in the private folder
    ``sockets``, not over unencrypted TCP.
    """
    from ipykernel.kernelspec import get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class _HereSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(resource_dir="", **get_kernel_dict())

    km = KernelManager(kernel_name="python3", kernel_spec_manager=_HereSpecs())
    if os.name == "posix":
        km.transport = "ipc"
        km.connection_file = str(sockets / "kernel.json")
    return km


def _kernel_env() -> dict[str, str]:
    """The environment of a kernel: this one, with the running polls first on the path.

    The kernel then imports the same polls as the process that runs the notebooks, whatever
    its working directory (a relative ``PYTHONPATH`` would not survive the change of folder).
    """
    import polls

    here = str(Path(polls.__file__).resolve().parents[1])
    rest = [str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
            if p]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys([here, *rest]))}


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return "(empty cell)"


def execute_notebook(path: str | Path, *, timeout: float = DEFAULT_TIMEOUT):
    """Execute one notebook end to end and return it (a ``nbformat.NotebookNode`` with outputs).

    The kernel is ipykernel under the running Python interpreter, importing the same polls as
    the caller; the working directory is the notebook's folder. The file on disk is not changed.

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

    sockets = tempfile.TemporaryDirectory(prefix="polls-kernel-")
    km = _kernel_manager(Path(sockets.name))
    client = NotebookClient(
        nb,
        timeout=timeout,
        km=km,
        resources={"metadata": {"path": str(path.parent.resolve())}},
        on_cell_execute=on_cell_execute,
    )
    try:
        client.execute(env=_kernel_env())
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
        # nbclient leaves a kernel it did not create running, and its client's sockets open:
        # close them and stop the kernel here
        if getattr(client, "kc", None) is not None:
            client.kc.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        km.cleanup_resources()
        sockets.cleanup()
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


#: Table cells that print a missing value: shown blank in the report.
_MISSING_CELL = re.compile(r"<td>(?:NaN|NaT|&lt;NA&gt;|<NA>|None|nan)</td>")

#: Added to each page: wide tables and long text outputs scroll instead of running off the page.
_PAGE_CSS = """<style>
.jp-RenderedHTMLCommon table, .jp-OutputArea-output table { display: block; overflow-x: auto;
  max-width: 100%; }
.jp-OutputArea-output pre { overflow-x: auto; }
</style>
"""


def _blank_missing(nb: Any) -> None:
    """Missing values in the notebook's HTML tables print as blanks (not NaN, NaT or <NA>)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            table = output.get("data", {}).get("text/html")
            if table:
                text = "".join(table) if isinstance(table, list) else table
                output["data"]["text/html"] = _MISSING_CELL.sub("<td></td>", text)


def _render(nb: Any) -> str:
    from nbconvert import HTMLExporter

    _blank_missing(nb)
    exporter = HTMLExporter(template_name="lab")
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(nb)
    return body.replace("</head>", _PAGE_CSS + "</head>", 1)


def main_figure(nb: Any) -> str:
    """The notebook's main figure as base64 PNG: the cell tagged ``main-figure``, else the first.

    Examples
    --------
    >>> import nbformat
    >>> from polls.report import main_figure
    >>> cell = nbformat.v4.new_code_cell("plot()")
    >>> cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})]
    >>> main_figure(nbformat.v4.new_notebook(cells=[cell]))
    'iVBOR'
    """
    tagged, first = "", ""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                first = first or png
                if "main-figure" in cell.get("metadata", {}).get("tags", []):
                    tagged = tagged or png
    return (tagged or first).replace("\n", "")


def _stderr_cells(nb: Any) -> tuple[int, ...]:
    """Cells (counted from 1) whose output holds a warning or an error."""
    return tuple(i + 1 for i, cell in enumerate(nb.cells)
                 if any(o.get("output_type") == "error"
                        or (o.get("output_type") == "stream" and o.get("name") == "stderr")
                        for o in cell.get("outputs", [])))


def _run_one(path: Path, out_dir: Path, timeout: float) -> _Page:
    start = time.perf_counter()
    nb = execute_notebook(path, timeout=timeout)
    seconds = time.perf_counter() - start
    title, summary = notebook_summary(nb)
    html_name = path.stem + ".html"
    (out_dir / html_name).write_text(_render(nb), encoding="utf-8")
    return _Page(path.name, title or path.stem, summary, html_name, seconds, main_figure(nb),
                 _stderr_cells(nb))


def _markdown(text: str) -> str:
    from nbconvert.filters import markdown2html

    return markdown2html(text) if text else ""


def latest_fieldwork() -> _dt.date | None:
    """How current the bundled data are: the latest fieldwork date in the catalogue.

    Examples
    --------
    >>> from polls.report import latest_fieldwork
    >>> latest_fieldwork().year >= 2025
    True
    """
    from polls.datasets import list_datasets

    latest = list_datasets()["last_fieldwork"].max()
    return None if latest is None or latest != latest else latest.date()


def _item(page: _Page) -> str:
    figure = (f'<a href="{html.escape(page.html_name)}"><img class="thumb" alt="" '
              f'src="data:image/png;base64,{page.figure}"></a>\n' if page.figure else "")
    return (
        f'<li>{figure}<h2><a href="{html.escape(page.html_name)}">{html.escape(page.title)}'
        f'</a></h2>\n<div class="summary">{_markdown(page.summary)}</div>\n'
        f'<p class="meta">{html.escape(page.name)} (<a href="notebooks/'
        f'{html.escape(page.name)}">notebook</a>), executed in {page.seconds:.1f} s</p></li>'
    )


def _index_html(pages: list[_Page], version: str, built: str, as_of: _dt.date | None) -> str:
    listing = "\n".join(_item(page) for page in pages)
    from polls.datasets import data_as_of

    current = (f" The bundled data run to {as_of:%d %B %Y} (the latest fieldwork date); the "
               f"collection was last checked on {data_as_of():%d %B %Y}." if as_of else "")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>polls: notebooks report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }}
ol {{ padding-left: 1.2rem; }} li {{ margin-bottom: 1.5rem; overflow: hidden; }}
h2 {{ font-size: 1.2rem; margin-bottom: 0.2rem; }}
img.thumb {{ float: right; width: 14rem; margin: 0 0 0.5rem 1rem; border: 1px solid #ddd; }}
.meta, footer {{ color: #666; font-size: 0.85rem; }}
</style>
</head>
<body>
<h1>polls: notebooks report</h1>
<p>Each notebook below was executed end to end on the data bundled with the package.{current}</p>
<ol>
{listing}
</ol>
<footer>Built {html.escape(built)} with polls {html.escape(version)}.</footer>
</body>
</html>
"""


def default_notebooks_dir() -> Path:
    """The notebooks to run: ``./notebooks`` when there is one, else those shipped with polls.

    Examples
    --------
    >>> from polls.report import default_notebooks_dir
    >>> sorted(default_notebooks_dir().glob("*.ipynb"))[0].name
    '01-russia-war-support.ipynb'
    """
    here = Path("notebooks")
    if here.is_dir() and any(here.glob("*.ipynb")):
        return here
    from importlib.resources import files

    shipped = Path(str(files("polls") / "notebooks"))
    if shipped.is_dir() and any(shipped.glob("*.ipynb")):
        return shipped
    raise InvalidArgumentError(
        "no notebooks found: there is no ./notebooks folder and this installation of polls "
        "ships none; pass notebooks_dir= (polls report --notebooks FOLDER)")


def _working_copy(notebooks_dir: Path, out_dir: Path) -> Path:
    """Copy the notebooks and the files beside them into ``<out_dir>/notebooks``."""
    work = out_dir / "notebooks"
    skip = shutil.ignore_patterns(".*", "__pycache__", "build", "*.html")
    inside = out_dir.resolve().is_relative_to(notebooks_dir.resolve())

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(skip(folder, names))
        if inside:  # never copy the report into itself
            skipped |= {n for n in names if (Path(folder) / n).resolve() == out_dir.resolve()}
        return skipped

    shutil.copytree(notebooks_dir, work, ignore=ignore, dirs_exist_ok=True)
    return work


def _progress_line(done: int, total: int, page: _Page) -> str:
    line = f"[{done}/{total}] {page.name}: {page.seconds:.1f} s"
    if page.stderr_cells:
        cells = ", ".join(str(c) for c in page.stderr_cells)
        line += f" (warnings printed in cell{'s' if len(page.stderr_cells) > 1 else ''} {cells})"
    return line


def build_report(
    output_dir: str | Path = "build/report",
    notebooks_dir: str | Path | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = 2,
    progress: Callable[[str], Any] | None = None,
) -> Path:
    """Execute every notebook in ``notebooks_dir`` and write an HTML report to ``output_dir``.

    The notebooks and the files beside them are copied to ``<output_dir>/notebooks`` and run
    there (``*.ipynb``, sorted by name, in parallel), each in a fresh ipykernel of the running
    interpreter with that folder as working directory, so the files they write land in the
    report and the source folder is never changed. Each is rendered to
    ``<output_dir>/<name>.html`` with its figures embedded, and ``<output_dir>/index.html``
    lists them in order with their titles (first markdown heading), first paragraphs and main
    figures (the output of a cell tagged ``main-figure``, else the first figure), how current
    the bundled data are, the build date and the package version.

    Parameters
    ----------
    output_dir : str or pathlib.Path, default "build/report"
        Created if missing; existing pages of the same names are overwritten.
    notebooks_dir : str or pathlib.Path, optional
        Default: ``./notebooks`` when it exists, else the notebooks shipped with the package.
    timeout : float, default 120
        Seconds one cell may run.
    workers : int, default 2
        Notebooks executed at the same time.
    progress : callable, optional
        Called with one line of text as each notebook finishes (e.g. ``print``), naming cells
        whose output holds a warning.

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
    MissingExtraError
        An ``ImportError`` naming the extra to install when nbclient is missing.

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
    ['01-tiny.html', 'index.html', 'notebooks']
    """
    from polls import __version__
    from polls._optional import require

    require("nbclient", "building the notebooks report")
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise InvalidArgumentError(f"workers must be a positive integer, got {workers!r}")
    notebooks_dir = default_notebooks_dir() if notebooks_dir is None else Path(notebooks_dir)
    out_dir = Path(output_dir)
    if not notebooks_dir.is_dir():
        raise InvalidArgumentError(f"notebooks_dir: no folder at {str(notebooks_dir)!r}")
    if not any(p for p in notebooks_dir.glob("*.ipynb") if not p.name.startswith(".")):
        raise InvalidArgumentError(f"notebooks_dir: no .ipynb files in {str(notebooks_dir)!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    work = _working_copy(notebooks_dir, out_dir)
    paths = sorted(p for p in work.glob("*.ipynb") if not p.name.startswith("."))
    pages = _run_all(paths, out_dir, timeout, workers, progress)
    built = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    index = out_dir / "index.html"
    index.write_text(_index_html(pages, __version__, built, latest_fieldwork()), encoding="utf-8")
    return index


def _run_all(paths: list[Path], out_dir: Path, timeout: float, workers: int,
             progress: Callable[[str], Any] | None) -> list[_Page]:
    """Run the notebooks in parallel; the pages in name order, or every failure at once."""
    if progress is not None:
        progress(f"Running {len(paths)} notebooks, {min(workers, len(paths))} at a time ...")
    pages: dict[str, _Page] = {}
    failures: list[NotebookError] = []
    with ThreadPoolExecutor(max_workers=min(workers, len(paths))) as pool:
        futures = {pool.submit(_run_one, p, out_dir, timeout): p for p in paths}
        for future in as_completed(futures):
            try:
                page = future.result()
            except NotebookError as exc:
                failures.append(exc)
                if progress is not None:
                    progress(f"[{len(pages) + len(failures)}/{len(paths)}] "
                             f"{futures[future].name}: FAILED")
                continue
            pages[page.name] = page
            if progress is not None:
                progress(_progress_line(len(pages) + len(failures), len(paths), page))
    if failures:
        failures.sort(key=lambda f: f.notebook)
        if len(failures) == 1:
            raise failures[0]
        listed = "\n\n".join(str(f) for f in failures)
        raise NotebookError(
            ", ".join(f.notebook for f in failures), None,
            f"{len(failures)} notebooks failed:\n\n{listed}",
        )
    return [pages[p.name] for p in paths]
