"""Reading a worksheet of an ``.xlsx`` workbook as the text a spreadsheet shows (private).

Every cell becomes the text a reader of the sheet sees, so the readers in :mod:`polls.io` and
:mod:`polls._release` treat a workbook like a CSV file:

- **Numbers on their displayed scale, cell by cell.** A cell whose number format has a percent
  sign (``0%``, ``0.0%``) shows its value times 100 with a ``%`` sign, so a percent-formatted
  0.53 reads ``"53%"`` beside a plain ``47``; a format that only prints a literal ``%``
  (``0"%"`` or ``0\\%``) shows the value itself with the sign. Values keep all their stored
  digits (display rounding is not applied).
- **Dates whatever their number format.** A date cell reads as an ISO day (``2022-03-24``) when its
  format shows a day or a time, and as an ISO month (``2022-03``) when it shows only month and
  year (``mmm.yy``, ``[$-419]mmmm yyyy``), as in pollsters' column headers.
- **Merged cells.** The value stands in the top-left cell; a range that spans several rows also
  fills the first column of its lower rows (a pollster or a date merged over the rows of one
  wave), while the other columns of the range stay empty (a title merged across a table is one
  title, not one per column).
- **The whole sheet.** The workbook is loaded in full, so a stale stored sheet dimension (which
  openpyxl's read-only mode trusts) loses no rows or columns, and the rows keep their sheet
  numbers (row 1 is the sheet's first row even when it is empty).
- **Formulas.** A formula is read as the value the spreadsheet last computed and saved; a formula
  cell with no saved value is an error naming the cell (open and save the workbook in a
  spreadsheet program to compute it).

Workbooks are untrusted input: openpyxl parses them with defusedxml installed, and any failure
inside openpyxl becomes a :class:`~polls.errors.FileFormatError` naming the file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from polls.errors import FileFormatError

__all__ = ["excel_records", "column_letter"]

_LITERAL = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> ``A``, 26 -> ``AA``)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _number_text(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _format_parts(fmt: str | None) -> tuple[str, str]:
    """The first section of a number format, without and with its literal text."""
    section = (fmt or "General").split(";")[0]
    return _LITERAL.sub("", section), section


def _date_text(value: dt.date, fmt: str | None) -> str:
    bare = _format_parts(fmt)[0].lower()
    has_time = isinstance(value, dt.datetime) and value.time() != dt.time(0)
    day = value.date() if isinstance(value, dt.datetime) else value
    if has_time:
        return value.isoformat(" ")
    if "m" in bare and "y" in bare and "d" not in bare and "h" not in bare:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _cell_text(value: Any, fmt: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return _date_text(value, fmt)
    if isinstance(value, int | float):
        bare, section = _format_parts(fmt)
        if "%" in bare:
            return _number_text(round(value * 100, 10)) + "%"
        if "%" in section:  # a literal percent sign: the value is shown as it is
            return _number_text(value) + "%"
        return _number_text(value)
    return str(value)


def _open(data: bytes, name: str, **options: Any):
    from polls._optional import install_hint, require

    openpyxl = require("openpyxl", "reading .xlsx files")
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - depends on the installation
        raise ImportError("reading .xlsx files needs defusedxml (it guards openpyxl against "
                          f"malicious XML): {install_hint('defusedxml')}")
    try:
        return openpyxl.load_workbook(io.BytesIO(data), **options)
    except Exception as exc:  # a damaged workbook can fail in many ways inside openpyxl
        raise FileFormatError(f"is not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                              path=name) from None


def _pick_sheet(book, sheet_name: int | str, name: str):
    sheets = book.sheetnames
    if isinstance(sheet_name, int) and not isinstance(sheet_name, bool):
        if not -len(sheets) <= sheet_name < len(sheets):
            raise FileFormatError(f"has no sheet number {sheet_name} (sheets are numbered from "
                                  f"0); its sheets are {sheets}", path=name)
        return book[sheets[sheet_name]]
    if isinstance(sheet_name, str) and sheet_name in sheets:
        return book[sheet_name]
    raise FileFormatError(f"has no sheet {sheet_name!r}; its sheets are {sheets}", path=name)


def _uncomputed_formulas(data: bytes, name: str, title: str, blanks: set[tuple[int, int]]
                         ) -> None:
    """Raise for the first formula cell among ``blanks`` (1-based row, column) with no value."""
    book = _open(data, name, read_only=True, data_only=False)
    try:
        sheet = book[title]
        sheet.reset_dimensions()  # read every row, whatever the stored dimension says
        for row in sheet.iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) != "f":
                    continue
                if (cell.row, cell.column) in blanks:
                    raise FileFormatError(
                        f"cell {column_letter(cell.column - 1)}{cell.row} holds the formula "
                        f"{cell.value} but no computed value (the workbook was saved by a "
                        "program that does not compute formulas): open it in a spreadsheet "
                        "program and save it, or type the figure", path=name, row=cell.row,
                        column=column_letter(cell.column - 1), value=str(cell.value))
    finally:
        book.close()


def excel_records(data: bytes, name: str, sheet_name: int | str = 0
                  ) -> tuple[list[list[str]], str, list[str]]:
    """The cells of one worksheet as displayed text, row by row from the sheet's row 1.

    Returns the records, the name to use in messages (the file and, when the workbook has
    several sheets, the sheet) and the workbook's sheet names.
    """
    book = _open(data, name, data_only=True)
    try:
        sheet = _pick_sheet(book, sheet_name, name)
        where = name if len(book.sheetnames) == 1 else f"{name}, sheet {sheet.title!r}"
        width, height = sheet.max_column, sheet.max_row
        records = [[""] * width for _ in range(height)]
        blanks: set[tuple[int, int]] = set()
        for (row, col), cell in sheet._cells.items():
            value = cell.value
            if value is None:
                blanks.add((row, col))
                continue
            records[row - 1][col - 1] = _cell_text(value, cell.number_format)
        for merged in sheet.merged_cells.ranges:
            top = records[merged.min_row - 1][merged.min_col - 1]
            for row in range(merged.min_row + 1, merged.max_row + 1):
                records[row - 1][merged.min_col - 1] = top
                blanks.discard((row, merged.min_col))
            for row in range(merged.min_row, merged.max_row + 1):
                for col in range(merged.min_col + 1, merged.max_col + 1):
                    blanks.discard((row, col))
        sheets = list(book.sheetnames)
        title = sheet.title
    except FileFormatError:
        raise
    except Exception as exc:
        raise FileFormatError(f"is not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                              path=name) from None
    finally:
        book.close()
    if blanks:
        _uncomputed_formulas(data, where, title, blanks)
    if records == [[""]]:
        records = []
    return records, where, sheets
