"""Reading the tables of a saved web page (private).

A page is parsed with BeautifulSoup (the ``html`` extra: ``pip install 'polls[html]'``), through
lxml's parser when it is installed and Python's own otherwise; both read pages as browsers do
(unclosed tags, entities, a charset given in a ``<meta>`` tag). Only innermost tables count (an
outer table that lays out a page is not a table of figures). Each table becomes text records as
a spreadsheet would show it:

- a cell spanning several columns (``colspan``) stands in its first column, the others empty; a cell
  spanning several rows (``rowspan``) fills its column in each of them;
- ``<sup>`` footnote marks are removed (``45<sup>1</sup>`` reads 45), ``<br>`` is a space;
- the text printed above the table (its ``<caption>`` and the headings and paragraphs just before
  it, back to the previous table) is kept, and the release-table reader uses it as the question.

``table=`` picks a table by 0-based position, or by a text that the table or the text above it
contains (case ignored). A page with several tables and no ``table=`` is an error listing every
table with its first cells and the text above it.
"""

from __future__ import annotations

from typing import Any

from polls._release import is_note_line
from polls.errors import FileFormatError, InvalidArgumentError

__all__ = ["html_records"]

_ABOVE = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}
_CELLS = {"table", "tr", "td", "th", "thead", "tbody", "tfoot", "caption"}


def _parser() -> str:
    """lxml's parser when installed (several times faster), else Python's own."""
    try:
        import lxml  # noqa: F401
    except ImportError:
        return "html.parser"
    return "lxml"


def _soup(data: bytes | str, name: str, encoding: str | None):
    from polls._optional import require

    BeautifulSoup = require("bs4", "reading HTML pages").BeautifulSoup  # noqa: N806
    features = _parser()
    try:
        if isinstance(data, str):
            return BeautifulSoup(data, features)
        return BeautifulSoup(data, features, from_encoding=encoding)
    except Exception as exc:  # a parser failure on a damaged page
        raise FileFormatError(f"is not a readable HTML page ({type(exc).__name__}: {exc})",
                              path=name) from None


def _text(cell) -> str:
    return " ".join(cell.get_text(" ").split())


def _span(cell, attr: str) -> int:
    try:
        return max(1, min(int(str(cell.get(attr, 1)).strip() or 1), 1000))
    except ValueError:
        return 1


def _grid(table) -> list[list[str]]:
    """The table's cells as rows of text, spans laid out as a spreadsheet shows them."""
    for sup in table.find_all("sup"):
        sup.decompose()
    grid: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still to fill)
    for tr in table.find_all("tr"):
        row: list[str] = []
        cells = iter(tr.find_all(["td", "th"], recursive=False))
        col = 0
        while True:
            if col in pending:
                text, left = pending.pop(col)
                row.append(text)
                if left > 1:
                    pending[col] = (text, left - 1)
                col += 1
                continue
            cell = next(cells, None)
            if cell is None:
                break
            text, down, across = _text(cell), _span(cell, "rowspan"), _span(cell, "colspan")
            row.extend([text] + [""] * (across - 1))
            if down > 1:
                pending[col] = (text, down - 1)
            col += across
        while pending and min(pending) >= col:  # spans reaching past this row's last cell
            nxt = min(pending)
            row.extend([""] * (nxt - col))
            col = nxt
            text, left = pending.pop(nxt)
            row.append(text)
            if left > 1:
                pending[nxt] = (text, left - 1)
            col += 1
        grid.append(row)
    return grid


def _above(table) -> tuple[list[str], list[str]]:
    """The text printed above a table: the lines that title it, and all nearby lines."""
    caption = table.find("caption")
    caption = [" ".join(caption.get_text(" ", strip=True).split())] if caption else []
    around = {id(t) for t in table.find_parents()}  # tables laying out the page around it
    nearby: list[str] = []  # nearest first
    for element in table.previous_elements:
        name = getattr(element, "name", None)
        if name is None or id(element) in around:
            continue  # text (read through its element) or an element around this table
        if name in _CELLS:
            break  # the previous table of figures: what stands above it is its own
        if name not in _ABOVE:
            continue
        inside = element.find_parent("table")
        if inside is not None and id(inside) not in around:
            break  # a paragraph in a cell of the previous table
        text = " ".join(element.get_text(" ", strip=True).split())
        if text:
            nearby.append(text)
            if len(nearby) == 3:
                break
    title: list[str] = []
    for text in nearby:  # unit and sample-size lines, then the line that titles the table
        if is_note_line(text):
            title.append(text)
        elif not caption:
            title.append(text)
            break
        else:
            break
    return [*reversed(title), *caption], [*reversed(nearby), *caption]


def _describe(index: int, grid: list[list[str]], above: list[str]) -> str:
    cells = [c for row in grid for c in row if c][:6]
    shown = " | ".join(c[:30] for c in cells) or "(empty)"
    text = (" / ".join(above))[:120] or "(none)"
    return f"  table {index}: first cells {shown}; text above: {text}"


def _pick(found: list[tuple[Any, list[list[str]], list[str], list[str]]],
          table: int | str | None, name: str) -> int:
    listing = "\n".join(_describe(i, g, t or a) for i, (_, g, t, a) in enumerate(found))
    if table is None:
        if len(found) == 1:
            return 0
        raise FileFormatError(f"holds {len(found)} tables; pass table= with the number of the "
                              f"one to read (from 0) or a text it or the text above it "
                              f"contains:\n{listing}", path=name)
    if isinstance(table, int) and not isinstance(table, bool):
        if not 0 <= table < len(found):
            raise InvalidArgumentError(f"table={table} but {name} holds {len(found)} table(s), "
                                       f"numbered from 0:\n{listing}")
        return table
    if not isinstance(table, str) or not table.strip():
        raise InvalidArgumentError(f"table must be a table number or a text, got {table!r}")
    needle = table.casefold()
    hits = [i for i, (_, g, _t, a) in enumerate(found)
            if needle in " ".join([*a, *(c for row in g for c in row)]).casefold()]
    if len(hits) == 1:
        return hits[0]
    which = "no table" if not hits else f"{len(hits)} tables"
    raise InvalidArgumentError(f"table={table!r} matches {which} of {name}; its tables:\n"
                               f"{listing}")


def html_records(data: bytes | str, name: str, table: int | str | None = None,
                 encoding: str | None = None) -> tuple[list[list[str]], str, list[str]]:
    """The chosen table of a page as text records, a name for messages and the text above it."""
    soup = _soup(data, name, encoding)
    leaves = [t for t in soup.find_all("table") if t.find("table") is None]
    found = [(t, _grid(t), *_above(t)) for t in leaves]
    found = [f for f in found if any(c for row in f[1] for c in row)]
    if not found:
        raise FileFormatError("holds no table with any text (no <table> element to read)",
                              path=name)
    index = _pick(found, table, name)
    _, grid, above, _ = found[index]
    where = name if len(found) == 1 else f"{name}, table {index}"
    return grid, where, above
