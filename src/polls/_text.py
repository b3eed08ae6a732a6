"""Delimited text for the readers (private): decoding, the separator, and the cells.

Every record of the file is accounted for before a cell is used. A record with one cell where the
header has several (split by another character than the separator), a last record cut short
without a line break, a record with more cells than the header (unless the extra cells are
empty), a quote that never closes and a quoted cell followed by more text each raise a
:class:`~polls.errors.FileFormatError` naming the row; other records with fewer cells than the
header are returned for the caller to report (:func:`short_records`); blank records are
layout, not data. pandas' C parser reads the cells (every cell as the text it holds); the
structure checks around it are vectorised with numpy, and Python's :mod:`csv` module (strict)
takes over for files whose quoting the fast checks cannot vouch for.

Decoding: UTF-8 (with or without byte-order mark); else Windows-1251 or Windows-1250, whichever
alone reads as plausible Cyrillic or Latin text. A file that is UTF-8 but for a few bytes, or that
neither code page reads plausibly, raises naming the first bad byte and its offset.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from polls.errors import FileFormatError, InvalidArgumentError

#: Separators tried when none is given, in order of preference on a tie.
SEPARATORS = ("\t", "|", ";", ",")
_UTF8_MULTI = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
#: Files with more columns than this are read by the csv module (pandas keeps a column each).
WIDE = 256
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_PUNCT = set("\u00a0\u00ab\u00bb\u00b0\u00b1\u00a7\u00a9\u00ae\u00b7\u2013\u2014\u2018\u2019"
             "\u201a\u201c\u201d\u201e\u2022\u2026\u2116\u2030\u20ac\u2122\u00ad\u00b5\u00b6"
             "\u00a4\u00a6\u2020\u2021\u2039\u203a")
_WORD = re.compile(r"[^\W\d_]+")


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _is_latin_extra(ch: str) -> bool:
    return "\u00c0" <= ch <= "\u024f" and ch not in "\u00d7\u00f7"


def _plausible(text: str, letter) -> bool:
    """Whether decoded text reads as words: every non-ASCII character is a letter of the script
    (``letter``) or common punctuation, and words with such letters are mostly of one script
    (Cyrillic words without Latin letters; Latin words with some ASCII letters)."""
    if _CONTROL.search(text):
        return False
    odd = {ch for ch in set(text) if ord(ch) > 127}
    if any(not letter(ch) and ch not in _PUNCT for ch in odd):
        return False
    words = [w for w in _WORD.findall(text) if any(letter(ch) for ch in w)]
    if not words:
        return True
    if letter is _is_cyrillic:
        mixed = sum(any(ch.isascii() for ch in w) for w in words)
        return mixed <= 0.2 * len(words)
    with_ascii = sum(any(ch.isascii() for ch in w) for w in words)
    return with_ascii >= 0.5 * len(words)


def _where(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"byte {data[offset:offset + 1]!r} at offset {offset} (line {line})"


def decode(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read in."""
    if encoding is not None:
        if not isinstance(encoding, str):
            raise InvalidArgumentError(f"encoding must be a string such as 'cp1251', got "
                                       f"{encoding!r}")
        try:
            text = data.decode(encoding)
        except LookupError:
            raise InvalidArgumentError(f"encoding {encoding!r} is not a known encoding") from None
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"cannot be decoded as {encoding}: {_where(data, exc.start)}",
                                  path=name) from None
        return text.lstrip("\ufeff"), encoding
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    hint = (" (it starts with a UTF-16 byte-order mark: pass encoding='utf-16')"
            if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "")
    replaced = data.decode("utf-8", errors="replace").count("\ufffd") - data.count(
        b"\xef\xbf\xbd")
    if len(_UTF8_MULTI.findall(data)) >= replaced:
        raise FileFormatError(
            f"is UTF-8 text except for {replaced} byte sequence(s) that are not, the first "
            f"{_where(data, first_bad)}: the file is damaged or mixes encodings; repair it, or "
            "pass encoding= if you know its encoding", path=name)
    readings = {}
    for enc, letter in (("cp1251", _is_cyrillic), ("cp1250", _is_latin_extra)):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text, letter):
            readings[enc] = text
    if len(readings) == 2 and readings["cp1251"] == readings["cp1250"]:
        readings.pop("cp1250")
    if len(readings) == 1:
        enc, text = readings.popitem()
        return text, enc
    what = ("reads as both Windows-1251 and Windows-1250 text" if readings else
            "is neither UTF-8 nor Windows-1251 nor Windows-1250 text")
    raise FileFormatError(
        f"{what} (the first byte that is not UTF-8: {_where(data, first_bad)}); save it as UTF-8 "
        f"CSV or .xlsx, or pass encoding= (e.g. 'cp1251', 'cp1250'){hint}", path=name)


def check_sep(sep: object) -> str | None:
    """``sep`` as given, if it can separate cells: one ASCII character that is not a letter, a
    digit, a quote, a line break or a character of numbers (``.``, ``-``, ``+``)."""
    if sep is None:
        return None
    if (not isinstance(sep, str) or len(sep) != 1 or not sep.isascii() or sep.isalnum()
            or sep in "\"\r\n.-+"):
        raise InvalidArgumentError(
            f"sep must be one character that separates cells, such as ',', ';', '\\t' or '|' "
            f"(not a letter, digit, quote, line break, '.', '-' or '+'); got {sep!r}")
    return sep


def sniff(text: str, name: str) -> str:
    """The separator of the header line that splits the next lines most steadily."""
    head = [line for line in re.split(r"\r\n|\r|\n", text[:65536]) if line.strip()][:30]

    def count(line: str, sep: str) -> int:
        return re.sub(r'"[^"]*"', "", line).count(sep)

    # a title or unit line above a table may hold no separator: the header is the first line
    # with one
    first = next((i for i, line in enumerate(head) if any(c in line for c in SEPARATORS)), 0)
    scores = {}
    for sep in SEPARATORS:
        n = count(head[first], sep)
        if n:
            scores[sep] = (sum(count(line, sep) == n for line in head[first + 1:]), n)
    if not scores:
        raise FileFormatError(
            "has no column separator in its header line (expected comma, semicolon, tab or "
            "pipe)", path=name, row=1, value=head[0][:80])
    return max(scores, key=lambda s: scores[s])


@dataclass
class TextCells:
    """The records of a delimited text: ``cells`` holds one row per record (blank ones too), one
    column per cell of the widest record, each cell the text it holds (``""`` when empty or
    absent); ``widths`` the number of cells of each record (None when every record has the
    first record's width); ``unterminated`` whether the last record lacks a line break."""

    cells: pd.DataFrame
    widths: np.ndarray | None
    unterminated: bool


def _as_text(frame: pd.DataFrame, raw: bytes, sep: str) -> pd.DataFrame:
    """Columns pandas read as numbers or booleans, read again as the text they hold."""
    other = [c for c in frame.columns if not (pd.api.types.is_string_dtype(frame[c].dtype)
                                              or frame[c].dtype == object)]
    if not other:
        return frame
    again = pd.read_csv(io.BytesIO(raw), sep=sep, header=None, usecols=other, dtype=object,
                        na_filter=False, skip_blank_lines=False, engine="c", encoding="utf-8")
    for c in other:
        frame[c] = again[c].to_numpy(dtype=object)
    return frame


def _quotes_fit(raw: bytes, sep: str) -> bool:
    """Whether every quote opens a cell, closes one, or is doubled inside one (RFC 4180), so
    that separators and line breaks inside quotes are those after an odd number of quotes."""
    b = np.frombuffer(raw, dtype=np.uint8)
    q = np.flatnonzero(b == 34)
    if len(q) % 2:
        return False
    bounds = np.frombuffer((sep + "\n\r").encode(), dtype=np.uint8)
    opening, closing = q[0::2], q[1::2]
    before = np.where(opening > 0, b[np.maximum(opening - 1, 0)], 10)
    ok_open = np.isin(before, bounds) | (opening == 0)
    doubled = np.zeros(len(opening), dtype=bool)
    doubled[1:] = closing[:-1] == opening[1:] - 1
    after = np.where(closing + 1 < len(b), b[np.minimum(closing + 1, len(b) - 1)], 10)
    ok_close = np.isin(after, bounds) | (closing + 1 >= len(b))
    next_open = np.zeros(len(closing), dtype=bool)
    next_open[:-1] = opening[1:] == closing[:-1] + 1
    return bool((ok_open | doubled).all() and (ok_close | next_open).all())


def _widths(raw: bytes, sep: str, quoted: bool) -> np.ndarray:
    """The number of cells of each record (vectorised; quotes already checked to fit)."""
    b = np.frombuffer(raw, dtype=np.uint8)
    nl = np.flatnonzero(b == 10)
    cr = np.flatnonzero(b == 13)
    if len(cr):  # a lone CR ends a record too; the CR of CRLF does not
        lone = cr[(cr + 1 >= len(b)) | (b[np.minimum(cr + 1, len(b) - 1)] != 10)]
        nl = np.union1d(nl, lone)
    sp = np.flatnonzero(b == ord(sep))
    if quoted:
        q = np.flatnonzero(b == 34)
        nl = nl[np.searchsorted(q, nl) % 2 == 0]
        sp = sp[np.searchsorted(q, sp) % 2 == 0]
    if len(nl) == 0 or nl[-1] != len(b) - 1:
        nl = np.append(nl, len(b))  # the last record, without a line break
    return np.diff(np.searchsorted(sp, nl), prepend=0) + 1


def _strict_records(text: str, sep: str, name: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        why = str(exc)
        if "unexpected end of data" in why or "EOF" in why:
            why = "a quoted cell never closes (an unmatched '\"'), so the rest of the file " \
                  "would be one cell"
        elif "expected after" in why:
            why = "a quoted cell is followed by more text before the separator"
        raise FileFormatError(f"is not readable as delimited text: {why} (reading stopped at "
                              f"line {reader.line_num})", path=name) from None


def read_cells(text: str, sep: str, name: str, raw: bytes | None = None) -> TextCells:
    """Every record of ``text`` as text cells (see :class:`TextCells`)."""
    raw = text.encode("utf-8") if raw is None else raw
    quoted = b'"' in raw
    unterminated = not text.endswith(("\n", "\r"))
    frame = None
    wide = text[:text.find("\n")].count(sep) >= WIDE
    if not wide and (not quoted or _quotes_fit(raw, sep)):
        try:
            frame = pd.read_csv(io.BytesIO(raw), sep=sep, header=None, na_filter=False,
                                encoding="utf-8",
                                skip_blank_lines=False, low_memory=False, engine="c",
                                quotechar='"', doublequote=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
            frame = None  # too many cells somewhere: the strict reader names the row
    if frame is not None:
        frame.columns = range(frame.shape[1])
        widths = None
        last = frame[frame.columns[-1]]
        if frame.shape[1] > 1 and (last == "").to_numpy(dtype=bool).any():
            widths = _widths(raw, sep, quoted)
            if len(widths) != len(frame):
                frame = None  # records not as counted: let the strict reader read them
        if frame is not None:
            return TextCells(_as_text(frame, raw, sep), widths, unterminated)
    records = _strict_records(text, sep, name)
    widths = np.array([len(r) for r in records], dtype=int)
    width = int(widths.max()) if len(widths) else 0
    return TextCells(records_frame(records, width), widths, unterminated)


def records_frame(records: list[list[str]], width: int) -> pd.DataFrame:
    """Records padded with empty cells to ``width``, as one block of text."""
    grid = np.full((len(records), width), "", dtype=object)
    for i, r in enumerate(records):
        grid[i, :len(r)] = r
    return pd.DataFrame(grid, dtype=object)


def short_records(widths: np.ndarray, body: np.ndarray, width: int, unterminated: bool,
                  sep: str, name: str, shown, hint: str = "pass sep=") -> list[int]:
    """File rows of the records in ``body`` (record numbers, not blank) with fewer cells than
    the header's ``width``: their last cells are absent, and the caller reads them as empty
    and says so. Raises for a record with one cell (its cells are not separated by ``sep``)
    and for a short last record without a line break (the file was cut inside it);
    ``shown(i, k)`` gives the first ``k`` cells of record ``i`` for the message, ``hint`` what
    to do about another separator."""
    short = body[widths[body] < width]
    lone = short[widths[short] == 1]
    if len(lone):
        i = int(lone[0])
        raise FileFormatError(
            f"has one cell but the header has {width}: no {sep!r} separates its cells (are they "
            f"separated by another character? {hint})"
            + (f" ({len(lone) - 1} more row(s) like it)" if len(lone) > 1 else ""),
            path=name, row=i + 1, value=shown(i, 1))
    if unterminated and len(short) and short[-1] == len(widths) - 1:
        i = int(short[-1])
        raise FileFormatError(
            f"the file ends inside this row: it has {int(widths[i])} of the header's {width} "
            "cells and no line break (was the file cut short? if the row is whole, end the "
            "file with a line break)", path=name, row=i + 1,
            value=shown(i, int(widths[i])))
    return [int(i) + 1 for i in short]
