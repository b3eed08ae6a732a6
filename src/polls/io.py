"""Reading users' own topline files into the canonical frame, and writing it back.

:func:`read_toplines` reads comma-, semicolon-, tab- and pipe-separated text (UTF-8 with or without
a byte-order mark, or Windows-1251) and Excel ``.xlsx`` workbooks, in the long layout (one row per
response) or the wide layout (one row per poll, one column per response option, as in Wikipedia
poll tables and the files of European Opinion Polls as Open Data). :func:`write_toplines` writes
the canonical CSV, which :func:`read_toplines` reads back into an identical frame.

Cells that say a figure was not published (:data:`MISSING_MARKERS`: empty, ``N/A``,
``Not Available``, ``-`` ...) are neither rows nor zeros.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

from polls._checks import check_choice
from polls.errors import (
    FileFormatError,
    InferenceWarning,
    InvalidArgumentError,
    PollsWarning,
)
from polls.schema import COLUMNS, OPTIONAL_COLUMNS, coerce_dtypes, validate_toplines

__all__ = ["ALIASES", "IGNORED_COLUMNS", "MISSING_MARKERS", "read_toplines", "write_toplines"]

#: Column names each canonical column is recognised by. Matching ignores case, spaces,
#: underscores, dashes and dots, so "Fieldwork End", "fieldwork_end" and "FIELDWORK-END" are one
#: name. ``date`` stands for a single date column (a day, a month or a range such as
#: "24-30 March 2022") that gives both fieldwork_start and fieldwork_end.
ALIASES: dict[str, tuple[str, ...]] = {
    "pollster": ("pollster", "polling firm", "polling organisation", "polling organization",
                 "polling company", "polling firm/commissioner", "firm", "agency", "institute",
                 "агентство", "agencija"),
    "country": ("country", "country code"),
    "series": ("series", "series id", "slug"),
    "question": ("question", "question text", "wording", "item", "вопрос", "pitanje"),
    "fieldwork_start": ("fieldwork start", "start", "start date", "from", "date from",
                        "field start", "begin"),
    "fieldwork_end": ("fieldwork end", "end", "end date", "to", "date to", "field end"),
    "date": ("date", "dates", "fieldwork", "fieldwork date", "fieldwork dates", "fieldwork period",
             "period", "poll date", "survey date", "month", "conducted", "дата", "период",
             "месяц", "datum"),
    "published": ("published", "publication date", "date published", "release date", "released"),
    "date_precision": ("date precision",),
    "sample_size": ("sample size", "n", "sample", "respondents", "number of respondents", "base",
                    "выборка", "uzorak"),
    "population": ("population", "universe", "target population"),
    "mode": ("mode", "survey mode", "method", "methodology"),
    "response": ("response", "answer", "option", "response option", "answer option", "choice",
                 "category", "ответ", "вариант ответа", "odgovor"),
    "share": ("share", "value", "percent", "percentage", "pct", "%", "share (%)", "proportion",
              "доля", "процент", "procenat", "udeo"),
    "precision": ("precision", "rounding"),
    "source_url": ("source url", "source", "url", "link"),
    "flags": ("flags", "flag"),
    "row_id": ("row id", "id"),
    "subgroup": ("subgroup", "group", "breakdown"),
    "note": ("note", "notes", "comment", "comments"),
}

#: Poll-table columns that carry no canonical field and are left out: EOPAOD's commissioners,
#: scope, sample-size qualification and participation (turnout), and Wikipedia's "Lead" (a
#: difference computed from the shares, not a response).
IGNORED_COLUMNS: tuple[str, ...] = ("commissioners", "commissioner", "client", "scope",
                                    "sample size qualification", "participation", "turnout",
                                    "lead", "margin of error", "moe")

#: Cell texts (compared without case) meaning "not published": such a cell is neither a row nor
#: a zero.
MISSING_MARKERS: tuple[str, ...] = ("", "n/a", "na", "n.a.", "n/d", "not available",
                                    "not published", "-", "--", "–", "—", "−", ".", "..",
                                    "...", "…", "nan", "н/д", "н.д.", "нет данных")

_TARGETS = (*COLUMNS, *OPTIONAL_COLUMNS, "date")
_TEXT_COLUMNS = ("pollster", "country", "series", "question", "population", "mode", "source_url",
                 "flags", "row_id", "subgroup", "note", "date_precision")
_WAVE_TEXT = ("pollster", "country", "series", "question", "subgroup", "fieldwork_start",
              "fieldwork_end", "date", "published")
_FORMAT = "polls-toplines"
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_MISSING = frozenset(MISSING_MARKERS)


def _key(name: object) -> str:
    return re.sub(r"[\s_\-–.]+", "", str(name).lower())


_ALIAS_INDEX: dict[str, str] = {
    **{_key(a): "_ignore" for a in IGNORED_COLUMNS},
    **{_key(a): target for target, names in ALIASES.items() for a in names},
}


# ---------------------------------------------------------------------------------------------
# Raw table: header and text cells, with the spreadsheet row number of every record


class _Table:
    def __init__(self, name: str, header: list[str], cells: pd.DataFrame, rows: np.ndarray):
        self.name = name
        self.header = header  # column names as in the file (stripped)
        self.cells = cells  # str cells, stripped, columns 0..k-1
        self.rows = rows  # spreadsheet row number of each record (header = its own row)


def _source(path_or_buffer: Any) -> tuple[bytes | str, str, str]:
    """Read the raw content; return it, a name for messages and the file extension."""
    if isinstance(path_or_buffer, str | os.PathLike):
        path = Path(path_or_buffer)
        return path.read_bytes(), str(path_or_buffer), path.suffix.lower()
    if hasattr(path_or_buffer, "read"):
        data = path_or_buffer.read()
        name = getattr(path_or_buffer, "name", None)
        name = str(name) if isinstance(name, str | os.PathLike) else "<buffer>"
        return data, name, Path(name).suffix.lower() if name != "<buffer>" else ""
    raise InvalidArgumentError(
        "path_or_buffer must be a file path or an open file, got "
        f"{type(path_or_buffer).__name__}"
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CYRILLIC_TEXT = re.compile(r"[\u0400-\u04ff\u00a0\u00ab\u00bb\u00b0\u00b1\u2013\u2014\u2018"
                            r"\u2019\u201c-\u201e\u2026\u2116]")


def _looks_like_text(text: str) -> bool:
    """Windows-1251 decodes almost any bytes: accept only what reads as Cyrillic/Latin text."""
    if _CONTROL.search(text):
        return False
    other = len(_NON_ASCII.findall(text))
    return other == 0 or len(_CYRILLIC_TEXT.findall(text)) >= 0.8 * other


def _decode(data: bytes, encoding: str | None, name: str) -> str:
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise InvalidArgumentError(f"encoding {encoding!r} is not a known encoding") from None
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"cannot be decoded as {encoding} (byte {exc.start}: "
                f"{exc.object[exc.start:exc.start + 1]!r})", path=name) from None
        return text.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_like_text(text):
        return text
    raise FileFormatError(
        "is neither UTF-8 nor Windows-1251 text; save it as UTF-8 CSV or .xlsx, or pass "
        "encoding= if you know its encoding", path=name)


def _sniff(lines: list[str], name: str) -> str:
    def count(line: str, sep: str) -> int:
        return re.sub(r'"[^"]*"', "", line).count(sep)

    candidates = ["\t", "|", ";", ","]
    head = lines[0]
    scores = {}
    for sep in candidates:
        n = count(head, sep)
        if n:
            steady = sum(count(line, sep) == n for line in lines[1:])
            scores[sep] = (steady, n)
    if not scores:
        raise FileFormatError(
            "has no column separator in its header line (expected comma, semicolon, tab or "
            "pipe)", path=name, row=1, value=head[:80])
    return max(scores, key=lambda s: scores[s])


def _text_records(text: str, name: str, sep: str | None) -> list[list[str]]:
    if not text.strip():
        raise FileFormatError("is empty", path=name)
    if sep is None:
        lines = [line for line in text.splitlines() if line.strip()][:30]
        sep = _sniff(lines, name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        return list(reader)
    except csv.Error as exc:
        raise FileFormatError(f"is not readable as delimited text ({exc})", path=name,
                              row=reader.line_num) from None


def _number_text(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _cell_text(cell: Any) -> str:
    import datetime as dt

    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        if "%" in (getattr(cell, "number_format", None) or ""):
            return _number_text(round(value * 100, 10)) + "%"
        return _number_text(value)
    return str(value)


def _excel_records(data: bytes, name: str, sheet_name: int | str) -> list[list[str]]:
    from polls._optional import install_hint, require

    openpyxl = require("openpyxl", "reading .xlsx files")
    from openpyxl.xml import DEFUSEDXML
    if not DEFUSEDXML:  # pragma: no cover - depends on the installation
        raise ImportError("reading .xlsx files needs defusedxml (it guards openpyxl against "
                          f"malicious XML): {install_hint('defusedxml')}")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook can fail in many ways inside openpyxl
        raise FileFormatError(f"is not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                              path=name) from None
    try:
        sheets = book.sheetnames
        if isinstance(sheet_name, int) and not isinstance(sheet_name, bool):
            if not -len(sheets) <= sheet_name < len(sheets):
                raise FileFormatError(f"has no sheet number {sheet_name}; its sheets are "
                                      f"{sheets}", path=name)
            sheet = book[sheets[sheet_name]]
        elif sheet_name in sheets:
            sheet = book[sheet_name]
        else:
            raise FileFormatError(f"has no sheet {sheet_name!r}; its sheets are {sheets}",
                                  path=name)
        return [[_cell_text(c) for c in row] for row in sheet.iter_rows()]
    except FileFormatError:
        raise
    except Exception as exc:
        raise FileFormatError(f"is not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                              path=name) from None
    finally:
        book.close()


def _fit(rec: list[str], row: int, width: int, name: str) -> list[str]:
    """A record cut or padded to the header's width (only empty cells may be cut)."""
    if len(rec) > width:
        extra = [c for c in rec[width:] if str(c).strip()]
        if extra:
            raise FileFormatError(f"has {len(rec)} cells but the header has {width}", path=name,
                                  row=int(row), value=extra[0])
        return list(rec[:width])
    return list(rec) + [""] * (width - len(rec))


def _read_table(path_or_buffer: Any, encoding: str | None, sheet_name: int | str,
                sep: str | None) -> _Table:
    data, name, ext = _source(path_or_buffer)
    if isinstance(data, bytes | bytearray):
        data = bytes(data)
        if ext in (".xls",) or data[:4] == b"\xd0\xcf\x11\xe0":
            raise FileFormatError("is an old-style .xls workbook; save it as .xlsx or CSV",
                                  path=name)
        if ext == ".ods":
            raise FileFormatError("is an OpenDocument spreadsheet; save it as .xlsx or CSV",
                                  path=name)
        if ext in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
            records = _excel_records(data, name, sheet_name)
        else:
            records = _text_records(_decode(data, encoding, name), name, sep)
    elif isinstance(data, str):
        records = _text_records(data.lstrip("\ufeff"), name, sep)
    else:
        raise InvalidArgumentError(f"reading {name} gave {type(data).__name__}, not text or bytes")

    blank = [not any(str(c).strip() for c in rec) for rec in records]
    if all(blank):
        raise FileFormatError("is empty", path=name)
    first = blank.index(False)
    header = [str(c).strip() for c in records[first]]
    width = len(header)
    body = records[first + 1:]
    rows = np.arange(first + 2, first + 2 + len(body))
    keep = [not b for b in blank[first + 1:]]
    if all(len(rec) == width for rec in body):
        padded = body
    else:
        padded = [_fit(rec, row, width, name) for rec, row in zip(body, rows, strict=True)]
    cells = pd.DataFrame(padded, columns=range(width), dtype=object)
    cells = cells.loc[keep].reset_index(drop=True)
    rows = rows[np.asarray(keep, dtype=bool)] if len(rows) else rows
    cells = cells.apply(lambda col: col.astype(str).str.strip())

    named = [i for i, h in enumerate(header) if h]
    for i, h in enumerate(header):
        if not h and cells[i].ne("").any():
            row = int(rows[cells[i].ne("").to_numpy().argmax()])
            raise FileFormatError(f"column {i + 1} has values but no name in the header",
                                  path=name, row=row, value=cells[i][cells[i].ne("")].iloc[0])
    seen: dict[str, int] = {}
    for i in named:
        if header[i] in seen:
            raise FileFormatError(f"the header names column {header[i]!r} twice (columns "
                                  f"{seen[header[i]] + 1} and {i + 1})", path=name, row=1)
        seen[header[i]] = i
    cells = cells[named]
    cells.columns = range(len(named))
    return _Table(name, [header[i] for i in named], cells, rows)


# ---------------------------------------------------------------------------------------------
# Columns


def _map_columns(header: list[str], columns: Mapping[str, str | None] | None
                 ) -> dict[int, str | None]:
    """Target of each column position: a canonical name, "date", "_ignore" or None (unknown)."""
    targets: dict[int, str | None] = {}
    if columns is not None:
        if not isinstance(columns, Mapping):
            raise InvalidArgumentError(f"columns must be a mapping {{'their name': 'canonical "
                                       f"name'}}, got {type(columns).__name__}")
        exact = {h: i for i, h in enumerate(header)}
        loose = {_key(h): i for i, h in enumerate(header)}
        for theirs, ours in columns.items():
            if ours is not None and ours not in _TARGETS:
                raise InvalidArgumentError(
                    f"columns maps {theirs!r} to {ours!r}, which is not a canonical column; use "
                    f"one of {list(_TARGETS)} (or None to leave the column out)")
            pos = exact.get(theirs, loose.get(_key(theirs)))
            if pos is None:
                raise InvalidArgumentError(f"columns names {theirs!r}, which is not in the file; "
                                           f"its columns are {header}")
            targets[pos] = "_ignore" if ours is None else ours
    for i, h in enumerate(header):
        if i not in targets:
            targets[i] = _ALIAS_INDEX.get(_key(h))
    return targets


def _accepted(target: str) -> str:
    return ", ".join(repr(a) for a in ALIASES[target])


def _is_missing(text: pd.Series) -> pd.Series:
    return text.str.lower().isin(_MISSING)


def _fail(message: str, name: str, frame: pd.DataFrame, mask: pd.Series, column: Any,
          value: pd.Series) -> None:
    """Raise for the first row of ``mask``, counting the others."""
    if not mask.any():
        return
    first = mask.to_numpy().argmax()
    others = int(mask.sum()) - 1
    tail = f" ({others} more cell(s) like it)" if others else ""
    col = column.iloc[first] if isinstance(column, pd.Series) else column
    raise FileFormatError(message + tail, path=name, row=int(frame["_source_row"].iloc[first]),
                          column=col, value=value.iloc[first])


def _numbers(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Numbers in text cells: (value, has a % sign, digits after the point, cleaned text).

    Decimal commas ("52,5") are read as decimal points; spaces are ignored.
    """
    s = text.str.replace(r"[\s\u00a0\u202f]+", "", regex=True)
    pct = s.str.endswith("%").fillna(False).astype(bool)
    s = s.str.removesuffix("%").str.replace(r"^([+-]?\d*),(\d+)$", r"\1.\2", regex=True)
    good = s.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    value = pd.to_numeric(s.where(good), errors="coerce").astype(float)
    s = s.where(good)
    dot = s.str.find(".").fillna(-1).astype(int)
    decimals = (s.str.len().fillna(0).astype(int) - dot - 1).where(dot >= 0, 0)
    has_exp = s.str.contains("e", case=False, regex=False).fillna(False).astype(bool)
    if has_exp.any():  # "4.5e-05": digits after the point, less the exponent
        parts = s[has_exp].str.extract(r"^[+-]?\d*(?:\.(\d*))?[eE]([+-]?\d+)$")
        decimals[has_exp] = (parts[0].fillna("").str.len().astype(int)
                             - parts[1].astype(int)).to_numpy()
    return value.where(good), pct, decimals.where(good, 0).clip(lower=0), s.where(good)


def _exact_percent(text: pd.Series) -> pd.Series:
    """Percent texts to proportions, exactly as a decimal shift (no binary rounding on the way)."""
    from decimal import Decimal  # imported here: it adds to the time of ``import polls``

    table = {t: float(Decimal(t) / 100) for t in pd.unique(text.dropna())}
    return text.map(table).astype(float)


# ---------------------------------------------------------------------------------------------
# The reader


def read_toplines(
    path_or_buffer: str | os.PathLike[str] | IO[Any],
    *,
    scale: Literal["percent", "proportion"] | None = None,
    columns: Mapping[str, str | None] | None = None,
    pollster: str | None = None,
    series: str | None = None,
    layout: Literal["long", "wide"] | None = None,
    sheet_name: int | str = 0,
    encoding: str | None = None,
    sep: str | None = None,
    multiple_response: bool | None = None,
    net_responses: Iterable[str] | None = None,
    validate: bool = True,
) -> pd.DataFrame:
    """Read a topline file (CSV/TSV/PSV or .xlsx, long or wide) into the canonical frame.

    Parameters
    ----------
    path_or_buffer : str, path or file-like
        The file. Text may be UTF-8 (with or without byte-order mark) or Windows-1251, detected
        in that order; the separator (comma, semicolon, tab or pipe) is sniffed from the header
        line. ``.xlsx`` workbooks are read with openpyxl (read-only, values as last computed);
        a percent-formatted Excel cell counts as a percent.
    scale : {"percent", "proportion"}, optional
        Whether shares are percents (52) or proportions (0.52). When omitted it is inferred only
        when the data leave no doubt: shares written with a ``%`` sign are percents; any share
        above 1 means percents; all shares at most 1 with some poll's shares adding up to about
        1 (0.9 to 1.1) means proportions. Otherwise a :class:`~polls.errors.FileFormatError` asks
        for ``scale=``. An inference is announced with an
        :class:`~polls.errors.InferenceWarning`. A file written by :func:`write_toplines` is
        known to hold proportions.
    columns : mapping, optional
        ``{"their name": "canonical name"}`` for columns the aliases do not catch; map a column
        to ``None`` to leave it out, or to ``"date"`` for a single date (or range) column. See
        :data:`ALIASES` for the names recognised without help (matched ignoring case, spaces,
        underscores, dashes and dots).
    pollster, series : str, optional
        Values for rows whose file gives none (no such column, or an empty cell).
    layout : {"long", "wide"}, optional
        ``"long"``: one row per response, with response and share columns. ``"wide"``: one row per
        poll and one column per response option; every column that is not a known metadata column
        (:data:`ALIASES`, :data:`IGNORED_COLUMNS`) is a response option. By default the layout is
        long when a response or share column is present, else wide (with an InferenceWarning
        listing the columns taken as responses).
    sheet_name : int or str, default 0
        The worksheet of an ``.xlsx`` file, by position or name.
    encoding : str, optional
        Overrides the encoding detection for text files.
    sep : str, optional
        Overrides the separator sniffing for text files.
    multiple_response : bool, optional
        Respondents could give several answers, so a poll's shares may add up to more than 100%
        (passed to :func:`~polls.validate_toplines` and kept in ``attrs``). Default: what the
        sidecar of a file written by :func:`write_toplines` says, else False.
    net_responses : iterable of str, optional
        Responses that are published sums of others (e.g. ``"support (total)"``), left out of the
        check that a poll's shares add up to at most 100% (kept in ``attrs``). Default: the
        sidecar's list, else none.
    validate : bool, default True
        Run :func:`~polls.validate_toplines` on the result, naming file rows in its problems.

    Returns
    -------
    pandas.DataFrame
        Every column of the canonical frame (:data:`polls.schema.COLUMNS`), in order, absent ones
        NA (plus ``subgroup`` and ``note`` when the file has them). ``response`` is an ordered
        categorical in the order of first appearance (long) or of the columns (wide).
        ``date_precision`` is ``"day"`` when both fieldwork dates give a day, ``"month"`` when
        either gives only a month (start and end are then the first and last day of the month;
        a start month or range with no end given ends where it ends; a single start day with no
        end leaves the end empty),
        ``"published"`` when only a publication date is known. ``precision`` is the published
        precision when the file has that column (in the unit of the shares: EOPAOD's "1" is one
        percentage point, 0.01), else the finest step printed among the poll's shares (52 and 48
        give 0.01; 37.5 gives 0.001). ``frame.attrs`` records ``source``, ``layout``, ``scale``,
        ``skipped_rows`` (file rows without any published share: in the long layout a row
        whose share is not published, in the wide layout a poll with no published response),
        ``not_published`` (empty response cells, wide layout), ``ignored_columns``,
        ``multiple_response`` and ``net_responses``.

    Raises
    ------
    FileFormatError
        Naming the file, the row (as a spreadsheet shows it: the header is row 1), the column
        and the value: a share or sample size that is not a number, a date this reader cannot
        read, a missing required column (listing the columns found and the names accepted), an
        empty, damaged or undecodable file.
    SchemaError
        When the frame read breaks the schema (see :func:`~polls.validate_toplines`); problems
        name file rows.

    Notes
    -----
    Long-layout rows whose share is not published, and wide-layout polls none of whose responses
    is published, are skipped and reported (a :class:`~polls.errors.PollsWarning` and
    ``attrs["skipped_rows"]``); nothing else is dropped.
    Columns that are neither canonical nor known metadata are left out of a long-layout frame
    with a warning. Numbers may use a decimal comma ("52,5"). Dates: see ``polls._dates``
    (ISO, day-first, month-only and month names in English, Russian and Serbian, and ranges).

    Examples
    --------
    >>> import io, polls
    >>> text = "Polling firm|Fieldwork End|Sample Size|Yes|No\\nCrta|2022-03|1000|52|N/A\\n"
    >>> df = polls.read_toplines(io.StringIO(text), scale="percent", layout="wide")
    >>> df[["pollster", "fieldwork_end", "response", "share", "date_precision"]]
      pollster fieldwork_end response  share date_precision
    0     Crta    2022-03-31      Yes   0.52          month
    """
    if scale is not None:
        check_choice("scale", scale, ("percent", "proportion"))
    if layout is not None:
        check_choice("layout", layout, ("long", "wide"))
    for arg, val in (("pollster", pollster), ("series", series)):
        if val is not None and not isinstance(val, str):
            raise InvalidArgumentError(f"{arg} must be a string, got {val!r}")

    sidecar = _read_sidecar(path_or_buffer)
    table = _read_table(path_or_buffer, encoding, sheet_name, sep)
    name = table.name
    targets = _map_columns(table.header, columns)
    canonical = sidecar is not None or {_key(h) for h in table.header} >= {
        _key(c) for c in COLUMNS}
    by_target: dict[str, int] = {}
    for pos, target in targets.items():
        if target in (None, "_ignore"):
            continue
        if target in by_target:
            raise FileFormatError(
                f"columns {table.header[by_target[target]]!r} and {table.header[pos]!r} both "
                f"read as {target!r}; pass columns= to say which is which", path=name, row=1)
        by_target[target] = pos

    if layout is None:
        layout = "long" if ("response" in by_target or "share" in by_target) else "wide"
        auto_wide = layout == "wide"
    else:
        auto_wide = False
    ignored = [table.header[p] for p, t in targets.items() if t == "_ignore"]
    if layout == "wide":
        for target in ("response", "share"):
            if target in by_target:
                targets[by_target.pop(target)] = None
        options = [p for p, t in targets.items() if t is None]
        if not options:
            raise FileFormatError(
                f"has no response columns for the wide layout: every column is metadata "
                f"({table.header})", path=name, row=1)
        if auto_wide:
            warnings.warn(
                f"{name}: read as a wide table (one row per poll); response options are the "
                f"columns {[table.header[p] for p in options]}. Pass layout='long', or map other "
                "columns with columns={name: None}.", InferenceWarning, stacklevel=2)
        long = _melt_wide(table, by_target, options)
    else:
        for target in ("response", "share"):
            if target not in by_target:
                raise FileFormatError(
                    f"has no {target!r} column; its columns are {table.header}. Accepted names: "
                    f"{_accepted(target)} (case, spaces, underscores and dashes ignored), or "
                    f"pass columns={{'your name': {target!r}}}", path=name, row=1)
        unknown = [table.header[p] for p, t in targets.items() if t is None]
        if unknown:
            warnings.warn(f"{name}: column(s) {unknown} are not canonical and were left out; "
                          "map them with columns=", PollsWarning, stacklevel=2)
            ignored += unknown
        long = _select_long(table, by_target)

    info = dict(long.attrs)  # kept apart: pandas deep-copies attrs on every operation
    long.attrs = {}
    skipped = info.get("skipped_rows", [])
    if skipped:
        shown = ", ".join(map(str, skipped[:10])) + (" ..." if len(skipped) > 10 else "")
        warnings.warn(f"{name}: {len(skipped)} row(s) with no published share were skipped "
                      f"(rows {shown})", PollsWarning, stacklevel=2)
    not_published = info.get("not_published", 0)
    frame, used_scale = _build(long, name, scale="proportion" if canonical and scale is None
                               else scale, pollster=pollster, series=series,
                               categories=sidecar.get("response_categories") if sidecar else None,
                               canonical=canonical, info=info)
    side = sidecar or {}
    if multiple_response is None:
        multiple_response = bool(side.get("multiple_response", False))
    nets = list(side.get("net_responses", []) if net_responses is None else net_responses)
    if validate:
        validate_toplines(frame, source=name, multiple_response=multiple_response,
                          net_responses=nets)
    frame = frame.drop(columns="_source_row")
    frame.attrs = {"source": name, "layout": layout, "scale": used_scale,
                   "skipped_rows": skipped, "not_published": not_published,
                   "ignored_columns": ignored, "multiple_response": multiple_response,
                   "net_responses": nets}
    return frame


def _select_long(table: _Table, by_target: dict[str, int]) -> pd.DataFrame:
    cells = table.cells
    out = pd.DataFrame({t: cells[p] for t, p in by_target.items()})
    out["_source_row"] = table.rows
    out["_share_column"] = table.header[by_target["share"]]
    missing = _is_missing(out["share"])
    skipped = out.loc[missing, "_source_row"].tolist()
    out = out.loc[~missing].reset_index(drop=True)
    out.attrs["skipped_rows"] = [int(r) for r in skipped]
    out.attrs["headers"] = {t: table.header[p] for t, p in by_target.items()}
    return out


def _melt_wide(table: _Table, by_target: dict[str, int], options: list[int]) -> pd.DataFrame:
    cells = table.cells
    meta = pd.DataFrame({t: cells[p] for t, p in by_target.items()})
    meta["_source_row"] = table.rows
    labels = [table.header[p] for p in options]
    values = cells[options].copy()
    values.columns = labels
    values["_record"] = np.arange(len(values))
    long = values.melt(id_vars="_record", var_name="response", value_name="share")
    long["_order"] = long["response"].map({lab: i for i, lab in enumerate(labels)})
    long = long.sort_values(["_record", "_order"], kind="stable")
    missing = _is_missing(long["share"])
    not_published = int(missing.sum())
    empty = values[labels].apply(_is_missing).all(axis=1)
    long = long.loc[~missing]
    out = meta.iloc[long["_record"].to_numpy()].reset_index(drop=True)
    out["response"] = long["response"].to_numpy()
    out["share"] = long["share"].to_numpy()
    out["_share_column"] = out["response"]
    out.attrs["categories"] = labels
    out.attrs["not_published"] = not_published
    out.attrs["skipped_rows"] = [int(r) for r in table.rows[empty.to_numpy()]]
    out.attrs["headers"] = {t: table.header[p] for t, p in by_target.items()}
    return out


def _build(long: pd.DataFrame, name: str, *, scale: str | None, pollster: str | None,
           series: str | None, categories: list[str] | None,
           canonical: bool, info: dict[str, Any]) -> tuple[pd.DataFrame, str]:
    from polls._dates import parse_date_series  # its month tables are built on first use

    n = len(long)
    headers = info.get("headers", {})

    def header(target: str) -> str:
        return headers.get(target, target)

    text = {}
    for col in long.columns:
        if col.startswith("_") or col in ("response", "share"):
            continue
        s = long[col].astype("string")
        text[col] = s.mask(_is_missing(s))

    # response
    response = long["response"].astype("string")
    _fail("the response is missing", name, long, _is_missing(response), "response", response)

    # shares and scale
    share_text = long["share"].astype("string")
    value, pct, decimals, clean = _numbers(share_text)
    _fail("the share is not a number (write a number, or mark an unpublished figure N/A)",
          name, long, value.isna(), long["_share_column"], share_text)
    wave = _wave_ids(long, text, wide=info.get("categories") is not None)
    used_scale = _decide_scale(scale, value, pct, wave, name)
    as_percent = pct | (used_scale == "percent")
    share = pd.Series(np.where(as_percent, np.nan, value), index=long.index)
    if as_percent.any():
        share[as_percent] = _exact_percent(clean[as_percent])

    # precision: published, else the finest step printed in the poll
    step_unit = np.where(as_percent, 2, 0)
    digits = decimals.to_numpy() + step_unit
    printed = pd.Series([float(f"1e-{d}") if d <= 8 and not canonical else np.nan
                         for d in digits], index=long.index)
    printed = printed.groupby(wave).transform("min")
    precision = printed
    if "precision" in text:
        ptext = text["precision"]
        pval, ppct, _, pclean = _numbers(ptext)
        _fail("the precision is not a number", name, long, pval.isna() & ptext.notna(),
              header("precision"), ptext)
        p_percent = (ppct | (used_scale == "percent")) & pval.notna()
        published = pval.copy()
        if p_percent.any():
            published[p_percent] = _exact_percent(pclean[p_percent])
        precision = published.where(published.notna(), printed)

    # sample size
    sample = pd.Series(pd.NA, index=long.index, dtype="Int64")
    if "sample_size" in text:
        stext = text["sample_size"]
        s = stext.str.replace(r"[\s\u00a0\u202f]+", "", regex=True)
        grouped = s.str.fullmatch(r"\d{1,3}(?:[,.]\d{3})+").fillna(False).astype(bool)
        s = s.where(~grouped, s.str.replace(r"[,.]", "", regex=True))
        num = pd.to_numeric(s.where(s.str.fullmatch(_NUMBER).fillna(False).astype(bool)),
                            errors="coerce")
        bad = stext.notna() & (num.isna() | (num <= 0) | (num != np.round(num)))
        _fail("the sample size must be a positive whole number", name, long, bad,
              header("sample_size"), stext)
        sample = num.round().astype("Int64")

    # dates
    start = pd.Series(pd.NaT, index=long.index, dtype="datetime64[ns]")
    end = start.copy()
    day_level = pd.Series(True, index=long.index)
    any_date = pd.Series(False, index=long.index)
    # a start cell that itself spans time (a month, a range) says when the wave ended, should
    # the end be missing; a single start day does not
    end_from_start = end.copy()
    for col, use in (("date", "both"), ("fieldwork_start", "start"), ("fieldwork_end", "end")):
        if col not in text:
            continue
        parsed, errors = parse_date_series(text[col])
        if len(errors):
            bad = long.index.isin(errors.index)
            first = errors.index[0]
            raise FileFormatError(
                f"cannot read the date: {errors.iloc[0]}"
                + (f" ({int(bad.sum()) - 1} more cell(s) like it)" if bad.sum() > 1 else ""),
                path=name, row=int(long.loc[first, "_source_row"]), column=header(col),
                value=text[col][first])
        got = parsed["start"].notna()
        if use == "start":
            end_from_start = parsed["end"].where(parsed["end"] != parsed["start"])
        if use in ("both", "start"):
            start = parsed["start"].where(got, start) if use == "start" else start.fillna(
                parsed["start"])
        if use in ("both", "end"):
            end = parsed["end"].where(got, end) if use == "end" else end.fillna(parsed["end"])
        day_level &= ~got | parsed["precision"].eq("day").fillna(False)
        any_date |= got
    end = end.fillna(end_from_start)
    published_date = pd.Series(pd.NaT, index=long.index, dtype="datetime64[ns]")
    if "published" in text:
        parsed, errors = parse_date_series(text["published"])
        if len(errors):
            first = errors.index[0]
            raise FileFormatError(f"cannot read the date: {errors.iloc[0]}", path=name,
                                  row=int(long.loc[first, "_source_row"]),
                                  column=header("published"), value=text["published"][first])
        published_date = parsed["start"]
    date_precision = pd.Series(
        np.where(any_date, np.where(day_level, "day", "month"),
                 np.where(published_date.notna(), "published", None)),
        index=long.index, dtype="string")
    if "date_precision" in text:
        date_precision = text["date_precision"].fillna(date_precision)

    frame = pd.DataFrame(index=long.index)
    for col in COLUMNS:
        if col == "response":
            seen = list(pd.unique(response.to_numpy(dtype=object)))
            labels = categories if categories is not None else info.get("categories", seen)
            labels = [*labels, *(r for r in seen if r not in set(labels))]
            frame[col] = pd.Categorical(response.to_numpy(dtype=object), categories=labels,
                                        ordered=True)
        elif col == "share":
            frame[col] = share.to_numpy()
        elif col == "precision":
            frame[col] = precision.to_numpy(dtype=float)
        elif col == "sample_size":
            frame[col] = sample
        elif col == "fieldwork_start":
            frame[col] = start
        elif col == "fieldwork_end":
            frame[col] = end
        elif col == "published":
            frame[col] = published_date
        elif col == "date_precision":
            frame[col] = date_precision
        elif col in text:
            frame[col] = text[col]
        else:
            frame[col] = pd.Series(pd.NA, index=long.index, dtype="string")
    if pollster is not None:
        frame["pollster"] = frame["pollster"].fillna(pollster)
    if series is not None:
        frame["series"] = frame["series"].fillna(series)
    for col in OPTIONAL_COLUMNS:
        if col in text:
            frame[col] = text[col]
    frame = coerce_dtypes(frame).reset_index(drop=True)
    frame["_source_row"] = long["_source_row"].to_numpy(dtype=int)
    assert len(frame) == n
    return frame, used_scale


def _wave_ids(long: pd.DataFrame, text: dict[str, pd.Series], *, wide: bool) -> pd.Series:
    if wide:
        return long["_source_row"]  # one poll per row
    keys = [c for c in _WAVE_TEXT if c in text]
    if not keys:
        return pd.Series(0, index=long.index)
    return pd.DataFrame({k: text[k] for k in keys}).groupby(
        keys, dropna=False, sort=False).ngroup()


def _decide_scale(scale: str | None, value: pd.Series, pct: pd.Series, wave: pd.Series,
                  name: str) -> str:
    if scale is not None:
        return scale
    plain = ~pct
    if not plain.any():
        return "percent"
    if pct.any():
        warnings.warn(f"{name}: some shares carry a % sign, so the others were read as percents "
                      "too (pass scale= to say otherwise)", InferenceWarning, stacklevel=4)
        return "percent"
    if (value > 1).any():
        warnings.warn(f"{name}: shares above 1 found, so all shares were read as percents "
                      "(pass scale='percent' to say so)", InferenceWarning, stacklevel=4)
        return "percent"
    total = value.groupby(wave).transform("sum")
    if ((total >= 0.9) & (total <= 1.1)).any():
        warnings.warn(f"{name}: all shares are at most 1 and a poll's shares add up to about 1, "
                      "so shares were read as proportions (pass scale='proportion' to say so)",
                      InferenceWarning, stacklevel=4)
        return "proportion"
    raise FileFormatError(
        "cannot tell whether the shares are percents or proportions (all are at most 1, but no "
        "poll's shares add up to about 1); pass scale='percent' or scale='proportion'",
        path=name)


# ---------------------------------------------------------------------------------------------
# The writer


def _sidecar_path(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".json")


def _read_sidecar(path_or_buffer: Any) -> dict[str, Any] | None:
    if not isinstance(path_or_buffer, str | os.PathLike):
        return None
    side = _sidecar_path(path_or_buffer)
    if not side.is_file():
        return None
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        return None
    cats = meta.get("response_categories")
    if cats is not None and not (isinstance(cats, list) and all(isinstance(c, str) for c in cats)):
        raise FileFormatError("has a malformed response_categories list", path=str(side))
    return meta


def write_toplines(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a toplines frame as the canonical CSV (plus a small JSON sidecar).

    The CSV has the canonical columns in order (plus ``subgroup`` and ``note`` when present),
    UTF-8 without byte-order mark, comma-separated, ISO dates (``YYYY-MM-DD``), shares and
    precision as proportions written with full float precision, empty cells for NA. The sidecar
    ``<file name>.json`` keeps the order of the response categories (including ones with no row)
    and marks the file as holding proportions, with ``frame.attrs["multiple_response"]`` and
    ``frame.attrs["net_responses"]`` when set, so :func:`read_toplines` of the file gives an
    identical frame. Without the sidecar the file still reads back, with the categories in order
    of first appearance.

    Parameters
    ----------
    frame : pandas.DataFrame
        A toplines frame with canonical columns; it is checked with
        :func:`~polls.validate_toplines` first. Absent canonical columns are written empty.
    path : str or path
        Where to write the CSV.

    Returns
    -------
    pathlib.Path
        The CSV written.

    Examples
    --------
    >>> import os, tempfile, pandas as pd, polls
    >>> df = pd.DataFrame({"response": ["yes", "no"], "share": [0.52, 0.48]})
    >>> path = polls.write_toplines(df, os.path.join(tempfile.mkdtemp(), "mine.csv"))
    >>> polls.read_toplines(path)[["response", "share"]]
      response  share
    0      yes   0.52
    1       no   0.48
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidArgumentError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if not isinstance(path, str | os.PathLike):
        raise InvalidArgumentError(f"path must be a file path, got {type(path).__name__}")
    unknown = [c for c in frame.columns if c not in COLUMNS and c not in OPTIONAL_COLUMNS]
    if unknown:
        raise InvalidArgumentError(f"frame has non-canonical column(s) {unknown}, which a "
                                   f"toplines file cannot hold; canonical: {list(COLUMNS)}")
    missing = [c for c in ("response", "share") if c not in frame.columns]
    if missing:
        raise InvalidArgumentError(f"frame lacks the required column(s) {missing}")
    order = [*COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in frame.columns)]
    out = coerce_dtypes(frame.reindex(columns=order))
    validate_toplines(out, source=str(path),
                      multiple_response=bool(frame.attrs.get("multiple_response", False)),
                      net_responses=frame.attrs.get("net_responses", ()))
    path = Path(path)
    out.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n",
               encoding="utf-8")
    meta = {"format": _FORMAT, "version": 1, "scale": "proportion",
            "response_categories": [str(c) for c in out["response"].cat.categories],
            "multiple_response": bool(frame.attrs.get("multiple_response", False)),
            "net_responses": [str(r) for r in frame.attrs.get("net_responses", ())]}
    _sidecar_path(path).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                   encoding="utf-8")
    return path
