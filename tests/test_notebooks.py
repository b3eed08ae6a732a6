"""Every notebook in notebooks/ executes without error and is committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from polls.report import execute_notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_stripped_and_titled(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    with_output = [
        i + 1
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not with_output, f"{path.name}: cells {with_output} carry outputs; strip them"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), (
        f"{path.name}: the first cell must be a markdown title ('# ...')"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_executes(path):
    nb = execute_notebook(path)  # raises NotebookError naming the cell on any error
    errors = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
