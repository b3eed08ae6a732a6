"""Reading users' own topline files into the canonical frame, and writing it back.

:func:`read_toplines` reads comma-, semicolon-, tab- and pipe-separated text (UTF-8 with or without
a byte-order mark, Windows-1251 or Windows-1250), Excel ``.xlsx`` workbooks (:mod:`polls._excel`)
and saved web pages (:mod:`polls._html`), in the long layout (one row per response), the wide layout
(one row per poll, one column per response option, as in Wikipedia poll tables and the files of
European Opinion Polls as Open Data) or the table layout pollsters print (responses down, waves
across: :mod:`polls._release`). :func:`write_toplines` writes the canonical CSV, which
:func:`read_toplines` reads back into an identical frame.

Cells that say a figure was not published (:data:`MISSING_MARKERS`: empty, ``N/A``,
``Not Available``, ``-`` ...) are neither rows nor zeros. Every record of a text file is
accounted for (see :mod:`polls._text` and ``docs/errors.md``): it becomes rows, it is reported in
a warning and in ``frame.attrs``, or the file is refused naming the row.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

from polls import _numbers, _text
from polls._checks import check_choice
from polls._excel import excel_records
from polls.errors import (
    FileFormatError,
    InferenceWarning,
    InvalidArgumentError,
    MissingFileError,
    PollsWarning,
)
from polls.schema import (
    COLUMNS,
    DTYPES,
    OPTIONAL_COLUMNS,
    SOURCE_KINDS,
    _validate,
    coerce_dtypes,
    validate_toplines,
)

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
    "source_kind": ("source kind", "kind of source"),
    "row_flags": ("row flags", "flags", "flag"),
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
                 "row_flags", "row_id", "subgroup", "note", "date_precision")
_WAVE_TEXT = ("pollster", "country", "series", "question", "subgroup", "fieldwork_start",
              "fieldwork_end", "date", "published")
_FORMAT = "polls-toplines"
_MISSING = frozenset(MISSING_MARKERS)


_KEY_DROP = re.compile(r"[\s_\-–.]+")


def _key(name: object) -> str:
    return _KEY_DROP.sub("", str(name).lower())


_ALIAS_INDEX: dict[str, str] = {
    **{_key(a): "_ignore" for a in IGNORED_COLUMNS},
    **{_key(a): target for target, names in ALIASES.items() for a in names},
}


# ---------------------------------------------------------------------------------------------
# Raw table: header and text cells, with the spreadsheet row number of every record


class _Table:
    """The cells of a file as codes into its distinct texts.

    ``codes[i, j]`` is the cell of record ``i`` (file row ``rows[i]``) in column ``j``;
    ``texts[codes]`` its text (``""`` when empty). Column ``j``'s codes point into the block
    ``blocks[j]`` of ``texts``, where each text appears once. Blank records are left out; every
    other record of the file is here, whole.
    """

    def __init__(self, name: str, header: list[str], codes: np.ndarray, texts: np.ndarray,
                 rows: np.ndarray, encoding: str | None = None,
                 unterminated_row: int | None = None,
                 blocks: list[tuple[int, int]] | None = None):
        self.name = name
        self.header = header  # column names as in the file (stripped)
        self.codes = codes
        self.texts = texts
        self.blocks = blocks or [(0, len(texts))] * len(header)
        self.rows = rows  # spreadsheet row number of each record (header = its own row)
        self.encoding = encoding
        self.unterminated_row = unterminated_row
        self.header_row = int(rows[0]) - 1 if len(rows) else 1
        self.short_rows: list[int] = []  # text rows with fewer cells than the header
        self.verbatim = False  # a canonical file: cells as written, only "" is missing

    @property
    def cells(self) -> pd.DataFrame:
        """The cells as text, one column per header name (positions 0..k-1)."""
        return pd.DataFrame({j: self.texts[self.codes[:, j]] for j in range(len(self.header))},
                            index=range(len(self.rows)), dtype=object)

    def column(self, j: int, which: Any = slice(None)) -> tuple[np.ndarray, np.ndarray]:
        """Column ``j`` (its records ``which``): the code of each cell into the column's
        distinct texts, and those texts."""
        lo, hi = self.blocks[j]
        codes = self.codes[which, j]
        return (codes - lo if lo else codes.copy()), self.texts[lo:hi]

    def categorical(self, codes: np.ndarray) -> pd.Categorical:
        """Cells of any columns (their codes) as a categorical of their texts."""
        local, used = pd.factorize(codes)
        texts, inverse = _factorize(self.texts[used])
        return pd.Categorical.from_codes(inverse[local], categories=pd.Index(texts, dtype=object),
                                         validate=False)


def _factorize(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values as an object array, code of each value)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(uniques, dtype=object), np.asarray(codes, dtype=np.int64)


def _distinct(values: Any, strip: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct texts, code of each value, which texts are blank), spaces around each text
    removed first when ``strip`` (done once per distinct text)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    uniques = pd.Series(uniques).astype("string").fillna("")
    bare = uniques.str.strip()
    if strip and (bare != uniques).any():
        texts, inverse = _factorize(bare)
        codes = inverse[codes]
        blank = texts == ""
    else:
        texts = uniques.to_numpy(dtype=object)
        blank = (bare == "").to_numpy(dtype=bool)
    return texts, np.asarray(codes, dtype=np.int64), np.asarray(blank, dtype=bool)


def _cell_codes(cells: pd.DataFrame, strip: bool
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Codes (records x columns, column-major) into the distinct texts of ``cells``, which
    texts are blank, and each column's block of texts."""
    n, k = cells.shape
    if k <= 64:  # column by column: fast on pandas' string columns
        parts, blanks, blocks = [], [], []
        codes, offset = np.empty((n, k), dtype=np.int64, order="F"), 0
        for j in range(k):
            texts, c, blank = _distinct(cells.iloc[:, j], strip)
            np.add(c, offset, out=codes[:, j])
            parts.append(texts)
            blanks.append(blank)
            blocks.append((offset, offset + len(texts)))
            offset += len(texts)
        if not parts:
            return codes, np.array([], dtype=object), np.array([], dtype=bool), blocks
        return codes, np.concatenate(parts), np.concatenate(blanks), blocks
    texts, c, blank = _distinct(cells.to_numpy(dtype=object).reshape(-1), strip)
    return c.reshape(n, k), texts, blank, [(0, len(texts))] * k


def _source(path_or_buffer: Any) -> tuple[bytes | str, str, str]:
    """Read the raw content; return it, a name for messages and the file extension."""
    if isinstance(path_or_buffer, str | os.PathLike):
        path = Path(path_or_buffer)
        try:
            return path.read_bytes(), str(path_or_buffer), path.suffix.lower()
        except FileNotFoundError:
            raise MissingFileError(f"no such file: {str(path_or_buffer)!r}") from None
        except OSError as exc:
            why = "is a directory, not a file" if path.is_dir() else f"cannot be read ({exc})"
            raise FileFormatError(why, path=str(path_or_buffer)) from None
    if hasattr(path_or_buffer, "read"):
        try:
            data = path_or_buffer.read()
        except (OSError, ValueError) as exc:
            raise InvalidArgumentError(f"path_or_buffer cannot be read: {exc}") from None
        name = getattr(path_or_buffer, "name", None)
        name = str(name) if isinstance(name, str | os.PathLike) else "<buffer>"
        return data, name, Path(name).suffix.lower() if name != "<buffer>" else ""
    raise InvalidArgumentError(
        "path_or_buffer must be a file path or an open file, got "
        f"{type(path_or_buffer).__name__}"
    )


def _record_text(table_cells: pd.DataFrame, i: int, width: int, sep: str) -> str:
    return sep.join(str(c) for c in table_cells.iloc[i, :width])[:80]


_HTML_START = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|head|body|table|div|meta|"
                         rb"p|h\d|\?xml|!--)", re.IGNORECASE)


@dataclass
class _Raw:
    """A file's cells before any layout is read: the block of text cells, with what the text
    reader learnt (cells per record, separator, encoding, a cut-off last line), the records of
    an Excel sheet or HTML table, and the text printed above an HTML table."""

    cells: pd.DataFrame
    widths: np.ndarray | None
    name: str
    sep: str
    encoding: str | None
    unterminated: bool
    records: list[list[str]] | None
    above: list[str]

    def record_list(self) -> list[list[str]]:
        """The cells as records (text files: each record cut to its own number of cells)."""
        if self.records is not None:
            return self.records
        rows = self.cells.fillna("").astype(str).to_numpy().tolist()
        if self.widths is None:
            return rows
        return [r[:int(k)] for r, k in zip(rows, self.widths, strict=True)]

    def maybe_table(self, head: int = 64) -> bool:
        """Whether the records may be a release table, judged from the first ``head`` records
        where they settle it (a long or wide file is then not turned into records at all)."""
        if self.records is not None or len(self.cells) <= head:
            return True
        from polls._release import is_release_table

        rows = self.cells.iloc[:head].fillna("").astype(str).to_numpy().tolist()
        if self.widths is not None:
            rows = [r[:int(k)] for r, k in zip(rows, self.widths[:head], strict=True)]
        width = int(self.widths.max()) if self.widths is not None else self.cells.shape[1]
        return is_release_table(rows, width, False, self.name, self.above) is not False

    def table(self, verbatim: Any = None) -> _Table:
        """The records as a table; ``verbatim(header)`` says whether cells are kept as written
        (else spaces around them are removed)."""
        return _table(self.cells, self.widths, self.name, self.sep, self.encoding,
                      self.unterminated, verbatim)


def _from_records(records: list[list[str]], name: str, above: list[str]) -> _Raw:
    width = max((len(r) for r in records), default=0)
    return _Raw(_text.records_frame(records, width), None, name, ",", None, False, records,
                above)


def _read_source(path_or_buffer: Any, encoding: str | None, sheet_name: int | str,
                 sep: str | None, table: int | str | None = None) -> _Raw:
    data, name, ext = _source(path_or_buffer)
    head = data[:512].encode("utf-8", "replace") if isinstance(data, str) else bytes(data[:512])
    if ext in (".html", ".htm") or _HTML_START.match(head):
        from polls._html import html_records

        return _from_records(*html_records(data, name, table, encoding))
    if table is not None:
        raise InvalidArgumentError(f"table={table!r} picks a table of an HTML page; {name} is "
                                   "not one (for a workbook, pass sheet_name=)")
    if isinstance(data, bytes | bytearray):
        data = bytes(data)
        if ext in (".xls",) or data[:4] == b"\xd0\xcf\x11\xe0":
            raise FileFormatError("is an old-style .xls workbook; save it as .xlsx or CSV",
                                  path=name)
        if ext == ".ods":
            raise FileFormatError("is an OpenDocument spreadsheet; save it as .xlsx or CSV",
                                  path=name)
        if ext in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
            records, name, _ = excel_records(data, name, sheet_name)
            return _from_records(records, name, [])
        text, used_encoding = _text.decode(data, encoding, name)
        raw = data if used_encoding == "utf-8" and not data.startswith(b"\xef\xbb\xbf") \
            else None
        cells, widths, unterminated, sep_used = _text_cells(text, name, sep, raw)
        return _Raw(cells, widths, name, sep_used, used_encoding, unterminated, None, [])
    if isinstance(data, str):
        cells, widths, unterminated, sep_used = _text_cells(data.lstrip("\ufeff"), name, sep,
                                                            None)
        return _Raw(cells, widths, name, sep_used, None, unterminated, None, [])
    raise InvalidArgumentError(f"reading {name} gave {type(data).__name__}, not text or bytes")


def _text_cells(text: str, name: str, sep: str | None, raw: bytes | None):
    if not text or text.isspace():  # (no stripped copy of a large text)
        raise FileFormatError("is empty", path=name)
    sep = _text.sniff(text, name) if sep is None else sep
    got = _text.read_cells(text, sep, name, raw)
    return got.cells, got.widths, got.unterminated, sep


def _table(cells: pd.DataFrame, widths: np.ndarray | None, name: str, sep: str,
           encoding: str | None, unterminated: bool, verbatim: Any = None) -> _Table:
    """Header and body of the records; every non-blank record is checked against the header."""
    first = 0
    while first < len(cells) and not any(str(c).strip() for c in cells.iloc[first]):
        first += 1
    if first == len(cells):
        raise FileFormatError("is empty", path=name)
    keep = bool(verbatim([str(c).strip() for c in cells.iloc[first]])) if verbatim else False
    codes, texts, blank_text, blocks = _cell_codes(cells, strip=not keep)
    blank = blank_text[codes[:, 0]]  # a record is blank when every cell is: check column by
    for j in range(1, codes.shape[1]):  # column only the records still blank
        if not blank.any():
            break
        blank[blank] = blank_text[codes[blank, j]]
    header_all = [str(t).strip() for t in texts[codes[first]]]
    width = int(widths[first]) if widths is not None else len(header_all)
    header = header_all[:width]
    body = np.arange(first + 1, len(cells))
    body = body[~blank[body]]
    short_rows: list[int] = []
    if widths is not None:  # text: a record short of the header's cells is accounted for
        named_width = max((i + 1 for i, h in enumerate(header) if h), default=width)
        short_rows = _text.short_records(widths, body, named_width, unterminated, sep, name,
                                         lambda i, k: _record_text(cells, i, k, sep))
    if codes.shape[1] > width and len(body):
        extra = ~blank_text[codes[body][:, width:]]
        if extra.any():
            i, j = np.argwhere(extra)[0]
            n_cells = int(widths[body[i]]) if widths is not None else codes.shape[1]
            raise FileFormatError(f"has {n_cells} cells but the header has {width}", path=name,
                                  row=int(body[i]) + 1,
                                  value=texts[codes[body[i], width + j]])
    rows = body + 1
    whole = len(body) == len(cells) - first - 1  # no blank record: a view, not a copy
    codes = codes[first + 1:, :width] if whole else codes[body][:, :width]
    for i, h in enumerate(header):
        if not h and len(rows) and (~blank_text[codes[:, i]]).any():
            r = int(np.argmax(~blank_text[codes[:, i]]))
            raise FileFormatError(f"column {i + 1} has values but no name in the header",
                                  path=name, row=int(rows[r]), value=texts[codes[r, i]])
    named = [i for i, h in enumerate(header) if h]
    seen: dict[str, int] = {}
    for i in named:
        if header[i] in seen:
            raise FileFormatError(f"the header names column {header[i]!r} twice (columns "
                                  f"{seen[header[i]] + 1} and {i + 1})", path=name,
                                  row=first + 1)
        seen[header[i]] = i
    last = len(cells)  # the file row of the last record
    cut = last if unterminated and not blank[last - 1] and last - 1 > first else None
    if named != list(range(codes.shape[1])):  # (every column named: no copy)
        codes = codes[:, named]
    table = _Table(name, [header[i] for i in named], codes, texts, rows, encoding,
                   cut, [blocks[i] for i in named])
    table.short_rows = short_rows
    table.verbatim = keep
    return table


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


def _missing_texts(texts: np.ndarray, verbatim: bool = False) -> np.ndarray:
    """Which texts mean "not published": :data:`MISSING_MARKERS` (only ``""`` in a canonical
    file, where every other text is a value as written)."""
    t = pd.Series(texts, dtype=object).astype("string").fillna("")
    if verbatim:
        return t.eq("").to_numpy(dtype=bool)
    return t.str.strip().str.lower().isin(_MISSING).to_numpy(dtype=bool)


def _text_codes(values: pd.Series | pd.Categorical) -> tuple[np.ndarray, np.ndarray]:
    """(code of each cell, distinct texts of the column) of a column of text (categorical or
    not); a missing cell is the empty text."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        codes = np.asarray(pd.Series(values).cat.codes.to_numpy(), dtype=np.int64)
        texts = np.append(np.asarray(values.dtype.categories, dtype=object), "")
        if codes.size and codes.min() < 0:
            codes = np.where(codes < 0, len(texts) - 1, codes)
        return codes, texts
    plain = pd.Series(values, dtype=object)
    texts, codes = _factorize(plain.where(plain.notna(), "").astype(str))
    return codes, texts


def _codes_of(long: pd.DataFrame, col: str, coded: dict[str, np.ndarray]
              ) -> tuple[np.ndarray, np.ndarray]:
    """(code of each cell, distinct texts) of a text column of the long frame: the codes it
    holds when ``coded`` gives the column's texts, else as :func:`_text_codes` finds them."""
    if col in coded:
        return long[col].to_numpy(dtype=np.int64), np.append(coded[col], "")
    return _text_codes(long[col])


def _fail(message: str, name: str, rows: np.ndarray, mask: np.ndarray, column: Any,
          value: Any) -> None:
    """Raise for the first row of ``mask``, counting the others; ``column`` and ``value`` are
    names/texts per row (or one name) and are looked up for that row only."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    first = int(mask.argmax())
    others = int(mask.sum()) - 1
    tail = f" ({others} more cell(s) like it)" if others else ""
    col = (column[first] if isinstance(column, np.ndarray | pd.Series | list | _Texts)
           else column)
    raise FileFormatError(message + tail, path=name, row=int(rows[first]), column=col,
                          value=value[first])


class _Texts:
    """The text of each row of a code column, looked up only when asked (for messages)."""

    def __init__(self, codes: np.ndarray, texts: np.ndarray):
        self.codes, self.texts = codes, texts

    def __getitem__(self, i: int) -> str:
        return self.texts[self.codes[i]]


# ---------------------------------------------------------------------------------------------
# The reader


def read_toplines(
    path_or_buffer: str | os.PathLike[str] | IO[Any],
    *,
    scale: Literal["percent", "proportion"] | None = None,
    columns: Mapping[str, str | None] | None = None,
    pollster: str | None = None,
    series: str | None = None,
    layout: Literal["auto", "long", "wide", "table"] | None = "auto",
    table: int | str | None = None,
    question: str | None = None,
    sheet_name: int | str = 0,
    encoding: str | None = None,
    sep: str | None = None,
    multiple_response: bool | None = None,
    net_responses: Iterable[str] | None = None,
    validate: bool = True,
) -> pd.DataFrame:
    """Read a topline file or a pollster's table (CSV, .xlsx or HTML) into the canonical frame.

    A release table as Levada, VCIOM, FOM, Crta or NSPM print it (responses down the first
    column, waves across the header: ``мар.22``, ``maj 2022``, ``24–30 марта 2022``) reads in one
    call, with the question, unit and sample sizes taken from the table itself.

    Parameters
    ----------
    path_or_buffer : str, path or file-like
        The file. Text may be UTF-8 (with or without byte-order mark), else Windows-1251 or
        Windows-1250, whichever alone reads as plausible text (Cyrillic words; Latin words with
        Central European letters); a file that is UTF-8 but for some bytes, or that neither code
        page reads plausibly, is refused naming the first bad byte. The separator (comma,
        semicolon, tab or pipe) is sniffed from the header line. ``.xlsx`` workbooks are read
        with openpyxl, each cell as the sheet shows it (a percent-formatted 0.53 is 53%, a date
        cell formatted ``mmm.yy`` is a month; formulas as last computed; merged cells and stale
        sheet dimensions handled). Saved web pages (``.html``/``.htm``, or text starting with a
        tag) are read with BeautifulSoup (the ``html`` extra).
    scale : {"percent", "proportion"}, optional
        Whether shares are percents (52) or proportions (0.52). When omitted it is inferred only
        when the figures agree: shares written with a ``%`` sign are percents (plain ones beside
        them too, if some are above 1); plain shares with some above 1 are percents, unless a
        poll's shares add up to about 1 or more shares lie between 0 and 1 than above it; all
        shares at most 1 with some poll's shares adding up to 0.9 to 1.1 are proportions.
        Otherwise a :class:`~polls.errors.FileFormatError` asks for ``scale=``; one share above
        1 never rescales the others. An inference is announced with an
        :class:`~polls.errors.InferenceWarning`. A file written by :func:`write_toplines` is
        known to hold proportions.
    columns : mapping, optional
        ``{"their name": "canonical name"}`` for columns the aliases do not catch; map a column
        to ``None`` to leave it out, or to ``"date"`` for a single date (or range) column. See
        :data:`ALIASES` for the names recognised without help (matched ignoring case, spaces,
        underscores, dashes and dots).
    pollster, series : str, optional
        Values for rows whose file gives none (no such column, or an empty cell).
    layout : {"auto", "long", "wide", "table"}, default "auto"
        ``"long"``: one row per response, with response and share columns. ``"wide"``: one row per
        poll and one column per response option; every column that is not a known metadata column
        (:data:`ALIASES`, :data:`IGNORED_COLUMNS`) is a response option. ``"table"``: responses
        down the first column, one wave per column, under any title and unit lines (see Notes).
        ``"auto"`` reads a table when its header cells (after any title lines) read as dates;
        otherwise long when a response or share column is present, else wide (with an
        InferenceWarning listing the columns taken as responses). ``None`` means ``"auto"``.
    table : int or str, optional
        For an HTML page: the table to read, by 0-based position or by a text that the table or
        the text printed above it contains (case ignored). Needed when the page holds several
        tables; the error then lists each with its first cells and the text above it.
    question : str, optional
        The question of rows whose file gives none. In the table layout it replaces the title
        printed above the table.
    sheet_name : int or str, default 0
        The worksheet of an ``.xlsx`` file, by position (from 0) or name. Messages name the sheet
        when the workbook has several.
    encoding : str, optional
        Overrides the encoding detection for text files (``frame.attrs["encoding"]`` says which
        was used).
    sep : str, optional
        Overrides the separator sniffing for text files: one ASCII character that is not a
        letter, digit, quote, line break, ``.``, ``-`` or ``+``.
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
        ``multiple_response``, ``net_responses``, ``encoding``, ``short_rows`` (file rows with
        fewer cells than the header, their absent last cells read as empty) and
        ``unterminated_row`` (the last row, when the file ends without a line break: it may
        have been cut short; else None).

    Raises
    ------
    FileFormatError
        Naming the file, the row (as a spreadsheet shows it: the header is row 1), the column
        and the value: a share or sample size that is not a number, a date this reader cannot
        read or a date outside 1677-2262, a missing required column (listing the columns found
        and the names accepted), an empty, damaged or undecodable file or a directory; a row
        with one cell where the header has several (another separator), a last row cut short,
        a quote that never closes, text after a closing quote, more cells than the header.
    MissingFileError
        No such file (also a ``FileNotFoundError``).
    InvalidArgumentError
        An argument of the wrong kind or value (the message names it).
    SchemaError
        When the frame read breaks the schema (see :func:`~polls.validate_toplines`); problems
        name file rows.

    Notes
    -----
    Long-layout rows whose share is not published, and wide-layout polls none of whose responses
    is published, are skipped and reported (a :class:`~polls.errors.PollsWarning` and
    ``attrs["skipped_rows"]``); nothing else is dropped. Rows with fewer cells than the header
    and a file without a final line break are reported the same way (``short_rows``,
    ``unterminated_row``). Spaces around cells are removed, except in a canonical file (one
    written by :func:`write_toplines`), which is read as written: there only an empty cell is
    missing. ``docs/errors.md`` lists what is an error, a warning or recorded.
    Columns that are neither canonical nor known metadata are left out of a long-layout frame
    with a warning. Numbers may use a decimal comma ("52,5"). Dates: see ``polls._dates``
    (ISO, day-first, month-only and month names in English, Russian and Serbian, and ranges).

    The table layout (``polls._release``): lines above the table give ``question`` (unless
    ``question=`` is passed), the scale (a unit line such as "в % от числа опрошенных", "u %",
    "% of respondents") and a sample size (``N=1600``). Header dates may have two-digit years,
    Roman month numerals or a ``(N=1600)`` note. Cells may carry ``%`` signs, decimal commas,
    spaces and footnote marks (``45*``, ``45¹``, ``45 (1)``); a dash or empty cell means the
    response was not asked or published (no row; the cells are listed in
    ``attrs["not_published_cells"]``). A cell ``<1`` or ``< 0,5`` was published as below the
    printed precision: its row is kept with a missing ``share`` and the flag
    ``below_precision``, its bound listed in ``attrs["below_precision"]``; drop such rows
    (``df[df["share"].notna()]``) before functions that need every share.
    Totals rows (``Всего``, ``Итого``, ``Ukupno``, ``Total``, ...) are checked against the
    column sums within rounding (a mismatch is a :class:`~polls.errors.PollsWarning` naming the
    wave) and dropped; sample-size rows (``Число опрошенных``, ``N``, ``Broj ispitanika``,
    ``Sample size``) fill ``sample_size``. ``attrs["dropped_rows"]`` and
    ``attrs["dropped_columns"]`` list every row and column left out (totals, sample sizes, notes,
    change columns such as ``Изменение``, waves with no figure) and why; ``attrs["question"]``
    and ``attrs["notes"]`` keep the texts read around the table.

    Examples
    --------
    >>> import io, polls
    >>> text = "Polling firm|Fieldwork End|Sample Size|Yes|No\\nCrta|2022-03|1000|52|N/A\\n"
    >>> df = polls.read_toplines(io.StringIO(text), scale="percent", layout="wide")
    >>> df[["pollster", "fieldwork_end", "response", "share", "date_precision"]]
      pollster fieldwork_end response  share date_precision
    0     Crta    2022-03-31      Yes   0.52          month

    A table as a pollster prints it (synthetic figures):

    >>> release = "Do you approve? (% of respondents)\\n,Mar-22,Apr-22\\nYes,52,55\\nNo,48,45\\n"
    >>> df = polls.read_toplines(io.StringIO(release))
    >>> df[["question", "fieldwork_end", "response", "share"]]
              question fieldwork_end response  share
    0  Do you approve?    2022-03-31      Yes   0.52
    1  Do you approve?    2022-03-31       No   0.48
    2  Do you approve?    2022-04-30      Yes   0.55
    3  Do you approve?    2022-04-30       No   0.45
    """
    if scale is not None:
        check_choice("scale", scale, ("percent", "proportion"))
    layout = check_choice("layout", "auto" if layout is None else layout,
                          ("auto", "long", "wide", "table"))
    for arg, val in (("pollster", pollster), ("series", series), ("question", question)):
        if val is not None and not isinstance(val, str):
            raise InvalidArgumentError(f"{arg} must be a string, got {val!r}")

    sep = _text.check_sep(sep)

    raw = _read_source(path_or_buffer, encoding, sheet_name, sep, table)
    if layout == "table" or (layout == "auto" and columns is None and raw.maybe_table()):
        from polls._release import read_release_table

        frame = read_release_table(raw.record_list(), raw.name, raw.above, scale=scale,
                                   question=question, pollster=pollster, series=series,
                                   detect=layout == "auto", multiple_response=multiple_response,
                                   net_responses=net_responses, validate=validate)
        if frame is not None:
            return frame
    layout = None if layout == "auto" else layout
    sidecar = _read_sidecar(path_or_buffer)
    table = raw.table(verbatim=lambda header: (
        sidecar is not None or {_key(h) for h in header} >= {_key(c) for c in COLUMNS}))
    name = table.name
    targets = _map_columns(table.header, columns)
    canonical = table.verbatim  # a file as write_toplines writes it: cells as written
    if table.short_rows:
        rows = table.short_rows
        shown = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
        warnings.warn(f"{name}: {len(rows)} row(s) have fewer cells than the header; their "
                      f"missing last cells were read as empty, i.e. not published (rows {shown})",
                      PollsWarning, stacklevel=2)
    if table.unterminated_row is not None:
        warnings.warn(f"{name}: the file ends without a line break after row "
                      f"{table.unterminated_row}; if the file was cut short, that row's last "
                      "cell may be incomplete (check it against the source)", PollsWarning,
                      stacklevel=2)
    by_target: dict[str, int] = {}
    for pos, target in targets.items():
        if target in (None, "_ignore"):
            continue
        if target in by_target:
            raise FileFormatError(
                f"columns {table.header[by_target[target]]!r} and {table.header[pos]!r} both "
                f"read as {target!r}; pass columns= to say which is which", path=name,
                row=table.header_row)
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
    frame, used_scale, waves = _build(long, name, scale="proportion" if canonical and scale is None
                                      else scale, pollster=pollster, series=series,
                                      categories=sidecar.get("response_categories")
                                      if sidecar else None,
                                      canonical=canonical, info=info)
    if question is not None:
        frame["question"] = frame["question"].fillna(question)
    side = sidecar or {}
    if multiple_response is None:
        multiple_response = bool(side.get("multiple_response", False))
    nets = list(side.get("net_responses", []) if net_responses is None else net_responses)
    if validate:
        # the file's waves (by their texts) are finer than validate_toplines' (by value)
        _validate(frame, source=name, multiple_response=multiple_response,
                  net_responses=nets, finer=waves)
    del frame["_source_row"]  # in place: no copy of the frame
    frame.attrs = {"source": name, "layout": layout, "scale": used_scale,
                   "skipped_rows": skipped, "not_published": not_published,
                   "ignored_columns": ignored, "multiple_response": multiple_response,
                   "net_responses": nets, "encoding": table.encoding,
                   "short_rows": table.short_rows,
                   "unterminated_row": table.unterminated_row}
    return frame


def _select_long(table: _Table, by_target: dict[str, int]) -> pd.DataFrame:
    share = table.codes[:, by_target["share"]]
    lo, hi = table.blocks[by_target["share"]]  # the share column's own texts
    missing = _missing_texts(table.texts[lo:hi], table.verbatim)[share - lo]
    keep = slice(None) if not missing.any() else ~missing
    coded = {t: table.column(p, keep) for t, p in by_target.items()}
    out = pd.DataFrame({t: c for t, (c, _) in coded.items()}, copy=False)
    out["_source_row"] = table.rows[keep]
    out["_share_column"] = pd.Categorical.from_codes(  # one name: no text per row
        np.zeros(len(out), dtype=np.int8),
        categories=pd.Index([table.header[by_target["share"]]], dtype=object))
    out.attrs["skipped_rows"] = [int(r) for r in table.rows[missing]]
    out.attrs["headers"] = {t: table.header[p] for t, p in by_target.items()}
    out.attrs["coded"] = {t: texts for t, (_, texts) in coded.items()}  # set last: no copies
    return out


def _melt_wide(table: _Table, by_target: dict[str, int], options: list[int]) -> pd.DataFrame:
    labels = [table.header[p] for p in options]
    values = table.codes[:, options]  # records x options, in file order
    missing = _missing_texts(table.texts, table.verbatim)[values]
    record, option = np.nonzero(~missing)  # row-major: each poll's options in column order
    coded = {t: table.column(p, record) for t, p in by_target.items()}
    out = pd.DataFrame({t: c for t, (c, _) in coded.items()}, index=pd.RangeIndex(len(record)),
                       copy=False)
    out["_source_row"] = table.rows[record]
    out["response"] = pd.Categorical.from_codes(option, categories=pd.Index(labels,
                                                                            dtype=object))
    out["share"] = table.categorical(values[record, option])
    out["_share_column"] = pd.Categorical.from_codes(option, categories=pd.Index(labels,
                                                                                 dtype=object))
    out.attrs["categories"] = labels
    out.attrs["not_published"] = int(missing.sum())
    out.attrs["skipped_rows"] = [int(r) for r in table.rows[missing.all(axis=1)]]
    out.attrs["headers"] = {t: table.header[p] for t, p in by_target.items()}
    out.attrs["coded"] = {t: texts for t, (_, texts) in coded.items()}  # set last: no copies
    return out


def _build(long: pd.DataFrame, name: str, *, scale: str | None, pollster: str | None,
           series: str | None, categories: list[str] | None,
           canonical: bool, info: dict[str, Any]) -> tuple[pd.DataFrame, str, np.ndarray]:
    n = len(long)
    headers = info.get("headers", {})
    coded = info.get("coded", {})  # texts of the columns that hold codes
    rows = long["_source_row"].to_numpy(dtype=np.int64)

    def header(target: str) -> str:
        return headers.get(target, target)

    # every text column as codes into its distinct texts, with "not published" as code -1
    text: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for col in long.columns:
        if col.startswith("_") or col in ("response", "share"):
            continue
        codes, texts = _codes_of(long, col, coded)
        # one lookup per cell: the code of its text, -1 for a text that is not published
        remap = np.where(_missing_texts(texts, canonical), -1, np.arange(len(texts)))
        text[col] = (remap[codes], texts)

    # response
    r_codes, r_texts = _codes_of(long, "response", coded)
    _fail("the response is missing", name, rows, _missing_texts(r_texts, canonical)[r_codes],
          "response", _Texts(r_codes, r_texts))

    wave = _wave_ids(long, text, wide=info.get("categories") is not None)
    share, used_scale, precision = _shares(long, name, rows, scale, wave, canonical, coded)
    if "precision" in text:  # published, else the finest step printed in the poll
        got = _published_precision(*text["precision"], used_scale, rows, name,
                                   header("precision"))
        precision = np.where(np.isnan(got), precision, got)
    sample = _sample_sizes(text, rows, name, header)
    start, end, date_precision, published_date = _build_dates(text, rows, name, header)

    out: dict[str, Any] = {}  # the columns, made a frame at once
    for col in COLUMNS:
        if col == "response":
            out[col] = _response(r_codes, r_texts, categories, info)
        elif col == "share":
            out[col] = share
        elif col == "precision":
            out[col] = np.asarray(precision, dtype=float)
        elif col == "sample_size":
            out[col] = sample
        elif col == "fieldwork_start":
            out[col] = start
        elif col == "fieldwork_end":
            out[col] = end
        elif col == "published":
            out[col] = published_date
        elif col == "date_precision":
            out[col] = date_precision
        elif col == "source_kind":
            out[col] = _source_kinds(*text.get(col, (np.full(n, -1), np.array([]))))
        elif col in text:
            out[col] = _strings(*text[col])
        else:
            out[col] = _strings(np.full(n, -1), np.array([], dtype=object))
    for col in OPTIONAL_COLUMNS:
        if col in text:
            out[col] = _strings(*text[col])
    out["_source_row"] = rows
    frame = pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)
    if pollster is not None:
        frame["pollster"] = frame["pollster"].fillna(pollster)
    if series is not None:
        frame["series"] = frame["series"].fillna(series)
    wrong = [c for c, dtype in {**DTYPES, **OPTIONAL_COLUMNS}.items()
             if c in frame.columns and str(frame[c].dtype) != dtype]
    if wrong:  # the columns built above have their dtypes already
        frame[wrong] = coerce_dtypes(frame[wrong])
    assert len(frame) == n
    return frame, used_scale, wave


def _shares(long: pd.DataFrame, name: str, rows: np.ndarray, scale: str | None,
            wave: np.ndarray, canonical: bool, coded: dict[str, np.ndarray]
            ) -> tuple[np.ndarray, str, np.ndarray]:
    """(each share as a proportion, the scale, the finest step printed in each row's poll)."""
    codes, texts = _codes_of(long, "share", coded)
    value, pct, decimals, clean = _numbers.parse_numbers(texts)  # per distinct text
    named = long["_share_column"].array  # the column of each share, looked up for messages
    columns = _Texts(named.codes, np.asarray(named.categories, dtype=object))
    _fail("the share is not a number (write a number, or mark an unpublished figure N/A)",
          name, rows, np.isnan(value)[codes], columns, _Texts(codes, texts))
    used_scale = _decide_scale(scale, value[codes], pct[codes], wave, name, rows)
    as_percent = pct | (used_scale == "percent")
    share = np.where(as_percent, np.nan, value)
    if as_percent.any():
        share[as_percent] = _numbers.exact_percent(clean[as_percent])
    digits = decimals + np.where(as_percent, 2, 0)
    printed = np.array([float(f"1e-{d}") if d <= 8 and not canonical else np.nan
                        for d in digits], dtype=float)
    finest = np.full(int(wave.max(initial=0)) + 1, np.inf)  # per poll, NaN left out
    np.fmin.at(finest, wave, printed[codes])
    finest[np.isinf(finest)] = np.nan
    return share[codes], used_scale, finest[wave]


def _published_precision(codes: np.ndarray, texts: np.ndarray, used_scale: str,
                         rows: np.ndarray, name: str, column: str) -> np.ndarray:
    """The precision column as proportions (NaN where not given), in the unit of the shares."""
    value, pct, _, clean = _numbers.parse_numbers(texts)
    value, present = value.copy(), codes >= 0
    _fail("the precision is not a number", name, rows, present & np.isnan(value)[codes],
          column, _Texts(codes, texts))
    as_percent = (pct | (used_scale == "percent")) & ~np.isnan(value)
    if as_percent.any():
        value[as_percent] = _numbers.exact_percent(clean[as_percent])
    return np.where(present, value[codes], np.nan)


def _sample_sizes(text: dict, rows: np.ndarray, name: str, header) -> pd.array:
    """The sample size of each row (missing where not stated), checked to be whole and
    positive."""
    n = len(rows)
    if "sample_size" not in text:
        return pd.array(np.full(n, np.nan), dtype="Float64").astype("Int64")
    codes, texts = text["sample_size"]
    value = _numbers.parse_counts(texts)
    present = codes >= 0
    bad = np.isnan(value) | ~(value > 0) | (value != np.round(value)) | ~np.isfinite(value)
    _fail("the sample size must be a positive whole number", name, rows, present & bad[codes],
          header("sample_size"), _Texts(codes, texts))
    return pd.array(np.where(present, value[codes], np.nan), dtype="Float64").round().astype(
        "Int64")


def _strings(codes: np.ndarray, texts: np.ndarray) -> pd.array:
    """Texts by code (-1: missing) as a pandas string array."""
    dtype = pd.StringDtype()
    if dtype.storage == "pyarrow":  # taken by pyarrow itself, without pandas' checks
        import pyarrow as pa

        if len(texts) == 0 or not (codes >= 0).any():  # all missing: no cell to take
            return pd.array(pa.nulls(len(codes), pa.large_string()), dtype=dtype)
        table = pa.array(np.asarray(texts, dtype=object), type=pa.large_string(),
                         from_pandas=True)
        return pd.array(table.take(pa.array(codes, mask=codes < 0)), dtype=dtype)
    if len(texts) == 0 or not (codes >= 0).any():
        return pd.array(np.full(len(codes), None, dtype=object), dtype=dtype)
    table = pd.array(np.append(texts, None), dtype="string")
    return table.take(np.where(codes < 0, len(texts), codes))


def _response(codes: np.ndarray, texts: np.ndarray, categories: list[str] | None,
              info: dict[str, Any]) -> pd.Categorical:
    """The responses as an ordered categorical: categories as given (the sidecar's, the wide
    layout's columns), else in order of first appearance, with unlisted ones after them."""
    seen = [str(t) for t in texts[pd.unique(codes)]]
    labels = list(categories if categories is not None else info.get("categories", seen))
    known = set(labels)
    labels += [r for r in seen if r not in known]
    position = {lab: i for i, lab in enumerate(labels)}
    lookup = np.array([position.get(str(t), -1) for t in texts], dtype=np.int64)
    return pd.Categorical.from_codes(lookup[codes], categories=labels, ordered=True)


def _source_kinds(codes: np.ndarray, texts: np.ndarray) -> pd.Categorical:
    """The source kinds (code -1: missing) as :func:`~polls.schema.coerce_dtypes` makes them:
    the known kinds, then any other text in order of first appearance (kept for
    :func:`~polls.validate_toplines` to report)."""
    seen = [str(t) for t in texts[pd.unique(codes[codes >= 0])]]
    labels = [*SOURCE_KINDS, *(t for t in seen if t not in SOURCE_KINDS)]
    position = {lab: i for i, lab in enumerate(labels)}
    lookup = np.array([position.get(str(t), -1) for t in texts] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(lookup[codes], categories=labels)


def _parse_dates(codes: np.ndarray, texts: np.ndarray, rows: np.ndarray, name: str,
                 column: str) -> dict[str, np.ndarray]:
    """Start, end (datetime64[ns], NaT where missing) and whether the date gives a day, of each
    cell; each distinct text is parsed once. A text that is no date, or a date outside what a
    pandas timestamp can hold, raises naming its first row."""
    from polls._dates import parse_date_series, parse_date_text  # month tables on first use

    used = np.zeros(len(texts) + 1, dtype=bool)
    used[codes] = True  # a missing cell (-1) marks the extra last entry
    used = used[:-1]
    distinct = pd.Series(np.where(used, texts, None), dtype=object)
    # ISO days, the usual form in large files, in one vectorised step (the rest one by one)
    iso = distinct.str.fullmatch(r"(?:1[7-9]|2[01])\d{2}-\d{2}-\d{2}").fillna(False).astype(
        bool)  # years 1700 to 2199, well inside what a timestamp holds
    days = pd.to_datetime(distinct.where(iso), format="%Y-%m-%d", errors="coerce")
    days = days.to_numpy(dtype="datetime64[ns]")
    quick = ~np.isnat(days)
    try:
        parsed, errors = parse_date_series(distinct.where(~quick, None))
    except (pd.errors.OutOfBoundsDatetime, OverflowError, ValueError):
        errors = pd.Series(dtype=object)
        for code, t in distinct.dropna().items():
            try:
                start, end, _ = parse_date_text(t)
            except ValueError as exc:
                errors[code] = str(exc)
                continue
            try:
                pd.Timestamp(start).as_unit("ns"), pd.Timestamp(end).as_unit("ns")
            except (pd.errors.OutOfBoundsDatetime, OverflowError):
                errors[code] = (f"{t!r} lies outside the dates this package can hold "
                                f"({pd.Timestamp.min.date()} to {pd.Timestamp.max.date()}); "
                                "a typo in the year?")
        parsed = None
    if len(errors):
        bad = np.isin(codes, errors.index.to_numpy())
        first = int(bad.argmax())
        others = int(bad.sum()) - 1
        raise FileFormatError(
            f"cannot read the date: {errors[codes[first]]}"
            + (f" ({others} more cell(s) like it)" if others else ""),
            path=name, row=int(rows[first]), column=column, value=texts[codes[first]])
    at = codes  # -1 (missing) takes the last entry, the one appended: NaT, not a day
    nat = np.array(["NaT"], dtype="datetime64[ns]")
    day = parsed["precision"].eq("day").fillna(False).to_numpy(dtype=bool) | quick
    start = np.where(quick, days, parsed["start"].to_numpy(dtype="datetime64[ns]"))
    end = np.where(quick, days, parsed["end"].to_numpy(dtype="datetime64[ns]"))
    return {"start": np.append(start, nat)[at], "end": np.append(end, nat)[at],
            "day": np.append(day, False)[at]}


def _build_dates(text: dict, rows: np.ndarray, name: str, header) -> tuple:
    n = len(rows)
    start = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    end = start.copy()
    day_level = np.ones(n, dtype=bool)
    any_date = np.zeros(n, dtype=bool)
    # a start cell that itself spans time (a month, a range) says when the wave ended, should
    # the end be missing; a single start day does not
    end_from_start = end.copy()
    for col, use in (("date", "both"), ("fieldwork_start", "start"), ("fieldwork_end", "end")):
        if col not in text:
            continue
        parsed = _parse_dates(*text[col], rows, name, header(col))
        got = ~np.isnat(parsed["start"])
        if use == "start":
            end_from_start = np.where(parsed["end"] != parsed["start"], parsed["end"],
                                      np.datetime64("NaT"))
        if use == "start":
            start = np.where(got, parsed["start"], start)
        elif use == "both":
            start = np.where(np.isnat(start), parsed["start"], start)
        if use == "end":
            end = np.where(got, parsed["end"], end)
        elif use == "both":
            end = np.where(np.isnat(end), parsed["end"], end)
        day_level &= ~got | parsed["day"]
        any_date |= got
    end = np.where(np.isnat(end), end_from_start, end)
    published = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if "published" in text:
        published = _parse_dates(*text["published"], rows, name, header("published"))["start"]
    inferred = np.where(any_date, np.where(day_level, 0, 1),
                        np.where(~np.isnat(published), 2, -1))
    if "date_precision" in text:  # as stated, else as inferred
        codes, texts = text["date_precision"]
        stated = codes >= 0
        codes = np.where(stated, codes, np.where(inferred >= 0, inferred + len(texts), -1))
        date_precision = _strings(codes, np.append(texts, ["day", "month", "published"]))
    else:
        date_precision = _strings(inferred, np.array(["day", "month", "published"], dtype=object))
    return start, end, date_precision, published


def _wave_ids(long: pd.DataFrame, text: dict[str, tuple[np.ndarray, np.ndarray]], *,
              wide: bool) -> np.ndarray:
    """A number per poll wave: each file row in the wide layout, else each distinct combination
    of the wave's text columns, numbered in order of first appearance."""
    if wide:
        rows = long["_source_row"].to_numpy(dtype=np.int64)  # one poll per row
        return np.asarray(pd.factorize(rows)[0], dtype=np.int64)
    key, size = np.zeros(len(long), dtype=np.int64), 1
    for col in _WAVE_TEXT:
        if col in text:
            codes, texts = text[col]
            width = len(texts) + 1  # codes run from -1
            if size * width >= 2**62:  # the combined key would overflow: number it afresh
                key, uniques = pd.factorize(key)
                key, size = np.asarray(key, dtype=np.int64), len(uniques)
            key *= width  # in place: key is this function's own array
            key += codes
            key += 1
            size *= width
    return np.asarray(pd.factorize(key)[0], dtype=np.int64)


def _decide_scale(scale: str | None, value: np.ndarray, pct: np.ndarray, wave: np.ndarray,
                  name: str, rows: np.ndarray) -> str:
    """The scale of the shares: given, or inferred only where the figures agree on it."""
    if scale is not None:
        return scale
    plain = ~pct
    if not plain.any():
        return "percent"
    above = plain & (value > 1)
    fraction = plain & (value > 0) & (value < 1)
    ask = "pass scale='percent' or scale='proportion' to say which"
    if pct.any():
        if not above.any() and (plain & (value != 0)).any():
            i = int(np.argmax(plain & (value != 0)))
            raise FileFormatError(
                f"some shares carry a % sign and others are plain numbers no larger than 1, "
                f"which could be proportions or percents; {ask}", path=name, row=int(rows[i]),
                value=float(value[i]))
        warnings.warn(f"{name}: some shares carry a % sign, so the others were read as percents "
                      "too (pass scale= to say otherwise)", InferenceWarning, stacklevel=4)
        return "percent"
    by_wave = pd.DataFrame({"wave": wave, "value": value}).groupby("wave")["value"]
    total, largest, count = (by_wave.transform(f).to_numpy() for f in ("sum", "max", "count"))
    like_proportions = (largest <= 1) & (total >= 0.9) & (total <= 1.1)
    if above.any():
        like_proportions &= count >= 2
        if like_proportions.any() or fraction.sum() > above.sum():
            i = int(np.argmax(above))
            j = int(np.argmax(like_proportions if like_proportions.any() else fraction))
            raise FileFormatError(
                f"cannot tell whether the shares are percents or proportions: this share is "
                f"above 1, but row {int(rows[j])} ({float(value[j])!r}) "
                + ("belongs to a poll whose shares add up to about 1"
                   if like_proportions.any() else
                   f"and {int(fraction.sum())} other share(s) lie between 0 and 1")
                + f"; {ask}", path=name, row=int(rows[i]), value=float(value[i]))
        warnings.warn(f"{name}: shares above 1 found, so all shares were read as percents "
                      "(pass scale='percent' to say so)", InferenceWarning, stacklevel=4)
        return "percent"
    if like_proportions.any():
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
    UTF-8 without byte-order mark, comma-separated, records ended by CRLF (RFC 4180, so a cell
    holding a line break or carriage return is quoted and reads back whole), ISO dates
    (``YYYY-MM-DD``), shares and precision as proportions written with full float precision,
    empty cells for NA. The sidecar
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
    # CRLF ends records (RFC 4180), so a cell holding a CR or LF is quoted and reads back whole
    out.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\r\n",
               encoding="utf-8")
    meta = {"format": _FORMAT, "version": 1, "scale": "proportion",
            "response_categories": [str(c) for c in out["response"].cat.categories],
            "multiple_response": bool(frame.attrs.get("multiple_response", False)),
            "net_responses": [str(r) for r in frame.attrs.get("net_responses", ())]}
    _sidecar_path(path).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                   encoding="utf-8")
    return path
