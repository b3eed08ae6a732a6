"""Parsing the fieldwork dates found in users' poll files (private).

Accepted forms (case-insensitive, surrounding spaces and a trailing dot ignored):

- ISO dates ``2022-03-31`` (also ``2022-3-31`` and ``2022/03/31``) and ISO months ``2022-03``;
- day-first dates ``31.03.2022``, ``31/03/2022``, ``31-03-2022`` and months ``03.2022``,
  ``03/2022``;
- month names in English, Russian (every case form and the usual abbreviations: ``март``,
  ``марта``, ``марте``, ``мар``) and Serbian in Cyrillic and Latin script (``март``, ``марта``,
  ``mart``, ``avgust``, ``septembra``), with or without a day: ``Mar 2022``, ``31 March 2022``,
  ``March 31, 2022``, ``31 марта 2022 г.``, ``31. mart 2022.``;
- ranges of any of these: ``24-30 March 2022``, ``13–19 June 2022``, ``28 Feb - 3 Mar 2022``,
  ``24.03.2022-30.03.2022``, ``2022-03-24/2022-03-30``, ``March–April 2022``. The left end may
  leave out what it shares with the right end.

Numeric dates are read day-first; two-digit years are refused (they are ambiguous). A month
without a day stands for the whole month: it starts on the first and ends on the last day, and its
precision is ``"month"``.

Column headers of pollsters' tables (:func:`parse_header_dates`) read everything above and also
the forms such tables print: two-digit years (``мар.22``, ``Mar-22``, ``03.22``, ``24-30.03.22``),
the year first (``2022 март``, ``2022. mart``), Roman month numerals (``III.2022``, ``III 22``,
``24.III.2022``) and a sample size noted in the header (``март 2022 (N=1600)``, removed here and
read by the caller). A two-digit year ``yy`` is 20yy, unless 20yy lies in the future, when it is
19yy (``дек.99`` is December 1999); a year that is plausible in neither century (before 1930 or
after next year) is an error naming the cell. Slash dates (``03/04/2022``) are read day-first only
when some cell of the header settles the order (a first number above 12); a header where every
slash date reads both ways is an error naming the cell, and one where a second number above 12
shows the month comes first is read month-first.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import numpy as np
import pandas as pd

__all__ = ["MONTHS", "HeaderDateError", "month_number", "parse_date_text", "parse_date_series",
           "parse_header_dates"]


def _forms() -> dict[str, int]:
    table: dict[str, int] = {}

    def add(month: int, *words: str) -> None:
        for w in words:
            table[w] = month

    english = [
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
        ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
        ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
        ("december", "dec"),
    ]
    for i, words in enumerate(english, start=1):
        add(i, *words)

    # Russian: soft-sign months decline like "январь": -ь, -я, -е, -ю, -ём/-ем; the others like
    # "март": -, -а, -е, -у, -ом; "май": -й, -я, -е, -ю, -ем.
    soft = {1: "январ", 2: "феврал", 4: "апрел", 6: "июн", 7: "июл", 9: "сентябр",
            10: "октябр", 11: "ноябр", 12: "декабр"}
    for month, stem in soft.items():
        add(month, *(stem + end for end in ("ь", "я", "е", "ю", "ём", "ем")))
    for month, stem in {3: "март", 8: "август"}.items():
        add(month, *(stem + end for end in ("", "а", "е", "у", "ом")))
    add(5, "май", "мая", "мае", "маю", "маем")
    ru_abbr = {1: ("янв",), 2: ("фев", "февр"), 3: ("мар",), 4: ("апр",), 6: ("июн",),
               7: ("июл",), 8: ("авг",), 9: ("сен", "сент"), 10: ("окт",), 11: ("ноя", "нояб"),
               12: ("дек",)}
    for month, words in ru_abbr.items():
        add(month, *words)

    # Serbian, Cyrillic and Latin: nominative, genitive (-а, with the fleeting "a" of -бар/-bar
    # months dropped), locative/dative (-у), instrumental (-ом), plus abbreviations.
    serbian = [
        ("јануар", "januar", "јан", "jan"), ("фебруар", "februar", "феб", "feb"),
        ("март", "mart", "мар", "mar"), ("април", "april", "апр", "apr"),
        ("мај", "maj", "мај", "maj"), ("јун", "jun", "јун", "jun"), ("јул", "jul", "јул", "jul"),
        ("август", "avgust", "авг", "avg"), ("септембар", "septembar", "сеп", "sep"),
        ("октобар", "oktobar", "окт", "okt"), ("новембар", "novembar", "нов", "nov"),
        ("децембар", "decembar", "дец", "dec"),
    ]
    for i, (cyr, lat, cyr_abbr, lat_abbr) in enumerate(serbian, start=1):
        for word in (cyr, lat):
            stem = word[:-2] + word[-1] if word.endswith(("бар", "bar")) else word
            add(i, word, stem + ("а" if word == cyr else "a"), stem + ("у" if word == cyr else "u"),
                stem + ("ом" if word == cyr else "om"))
        add(i, cyr_abbr, lat_abbr)
    add(6, "juni", "јуни")
    add(7, "juli", "јули")
    add(9, "сеп", "септ", "sept")
    return table


#: Every accepted month word (lower case, no trailing dot) and its month number.
MONTHS: dict[str, int] = _forms()

_LETTERS = r"[^\W\d_]+"
_YEAR_WORDS = re.compile(r"(?<=\d)\s*(?:г\.?|года|год|године|godine|god\.?)\s*$")
_TIME = re.compile(r"[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")

# Full patterns. Each returns year, month, day (day may be None for a month).
_FULL = [
    (re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{1,2})[./](\d{4})$"), ("m", "y")),
    (re.compile(rf"^(\d{{1,2}})\.?\s*({_LETTERS})\.?,?\s+(\d{{4}})$"), ("d", "M", "y")),
    (re.compile(rf"^({_LETTERS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$"),
     ("M", "d", "y")),
    (re.compile(rf"^({_LETTERS})\.?,?\s*(\d{{4}})$"), ("M", "y")),
]
# Left ends of ranges: what is missing comes from the right end.
_PARTIAL = [
    (re.compile(r"^(\d{1,2})\.?$"), ("d",)),
    (re.compile(r"^(\d{1,2})[./](\d{1,2})\.?$"), ("d", "m")),
    (re.compile(rf"^(\d{{1,2}})\.?\s*({_LETTERS})\.?$"), ("d", "M")),
    (re.compile(rf"^({_LETTERS})\.?\s+(\d{{1,2}})$"), ("M", "d")),
    (re.compile(rf"^({_LETTERS})\.?$"), ("M",)),
]
_SEPARATORS = re.compile(r"\s*(?:–|—|-|/|\bto\b|\bдо\b|\bdo\b)\s*")


def month_number(word: str) -> int | None:
    """The month a word names (English, Russian or Serbian), or None."""
    return MONTHS.get(word.lower().rstrip("."))


def _normalise(text: str) -> str:
    s = " ".join(str(text).replace("\u00a0", " ").split()).lower()
    s = _TIME.sub("", s)
    s = _YEAR_WORDS.sub("", s)
    return s.rstrip(". ").strip()


def _match(text: str, patterns) -> dict[str, int] | None:
    for pattern, fields in patterns:
        m = pattern.match(text)
        if not m:
            continue
        out: dict[str, int] = {}
        for field, value in zip(fields, m.groups(), strict=True):
            if field == "M":
                month = month_number(value)
                if month is None:
                    break
                out["m"] = month
            else:
                out[field] = int(value)
        else:
            return out
    return None


def _make(parts: dict[str, int], text: str) -> tuple[dt.date, dt.date, str]:
    year, month, day = parts["y"], parts["m"], parts.get("d")
    if not 1 <= month <= 12:
        hint = "" if re.match(r"\s*\d{4}", text) else " (numeric dates are read day-first)"
        raise ValueError(f"{text!r}: month {month} does not exist{hint}")
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return dt.date(year, month, 1), dt.date(year, month, last), "month"
    if not 1 <= day <= last:
        raise ValueError(f"{text!r}: day {day} does not exist in {year}-{month:02d}")
    date = dt.date(year, month, day)
    return date, date, "day"


def parse_date_text(text: str) -> tuple[dt.date, dt.date, str]:
    """Parse one date or date range into ``(start, end, precision)``.

    ``precision`` is ``"day"`` when both ends name a day, else ``"month"``.

    Raises
    ------
    ValueError
        With a short reason, when the text is not a date this module reads.
    """
    s = _normalise(text)
    if not s:
        raise ValueError("empty date")
    parts = _match(s, _FULL)
    if parts is not None:
        return _make(parts, str(text))
    for sep in _SEPARATORS.finditer(s):
        left, right = s[: sep.start()].strip(), s[sep.end():].strip()
        if not left or not right:
            continue
        rparts = _match(right, _FULL)
        if rparts is None:
            continue
        lparts = _match(left, _FULL) or _match(left, _PARTIAL)
        if lparts is None:
            continue
        if "y" not in lparts:
            if "m" not in lparts:
                lparts["m"] = rparts["m"]
            lparts["y"] = rparts["y"] - (1 if lparts["m"] > rparts["m"] else 0)
        if "d" in lparts and "d" not in rparts:
            lparts.pop("d")  # "15 March - April 2022" is read at month precision
        start, _, p1 = _make(lparts, str(text))
        _, end, p2 = _make(rparts, str(text))
        if end < start:
            raise ValueError(f"{text!r}: the range ends before it starts")
        return start, end, "day" if p1 == p2 == "day" else "month"
    if re.fullmatch(r"\d{4}", s):
        raise ValueError(f"{text!r}: a year alone is not a fieldwork date (give a month or a day)")
    if re.search(r"(?:^|[./-])\d{2}$", s) and not re.search(r"\d{4}", s):
        raise ValueError(f"{text!r}: two-digit years are ambiguous; write the year in full")
    raise ValueError(
        f"{text!r} is not a date this reader knows (ISO 2022-03-31, day-first 31.03.2022, "
        "months 2022-03 / 03.2022 / 'March 2022' / 'март 2022' / 'mart 2022', or a range)"
    )


def parse_date_series(values: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Parse a column of date texts, each distinct text once.

    Returns
    -------
    parsed : DataFrame
        Columns ``start``, ``end`` (datetime64, NaT where missing or bad) and ``precision``.
    errors : Series
        The reason for each text that could not be read (indexed like ``values``; empty when
        all were read). Missing values (NA) are neither parsed nor errors.
    """
    present = values.dropna()
    table: dict[str, tuple] = {}
    reasons: dict[str, str] = {}
    for text in pd.unique(present):
        try:
            table[text] = parse_date_text(text)
        except ValueError as exc:
            reasons[text] = str(exc)
    keys = list(table)
    codes = pd.Index(keys, dtype=object).get_indexer(values.astype(object))
    found = codes >= 0

    def column(i: int, dtype: str) -> np.ndarray:
        known = pd.array([table[k][i] for k in keys] + [None], dtype=dtype)
        return known[np.where(found, codes, len(keys))]

    parsed = pd.DataFrame(
        {
            "start": column(0, "datetime64[ns]"),
            "end": column(1, "datetime64[ns]"),
            "precision": column(2, "string"),
        },
        index=values.index,
    )
    errors = present[present.isin(list(reasons))].map(reasons)
    return parsed, errors


# ---------------------------------------------------------------------------------------------
# Column headers of pollsters' tables

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10, "xi": 11, "xii": 12}
_ROMAN_MONTH = re.compile(r"(?<![^\s.\-–—/])(xii|xi|x|ix|viii|vii|vi|iv|v|iii|ii|i)"
                          r"(?:\.\s*|\s+|[-/])(?=\d)")
_YEAR_FIRST = re.compile(rf"^(\d{{4}})\.?\s+({_LETTERS}\.?)$")
_TWO_DIGIT_YEAR = re.compile(r"^(.*?)([\s.'’/-]*)(\d{2})$")
_SLASH_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?!\d)")
_SAMPLE_NOTE = re.compile(r"[(\[]?\s*\bn\s*=\s*(\d[\d\s.,\u00a0\u202f]*\d|\d)\s*[)\]]?",
                          re.IGNORECASE)
FIRST_PLAUSIBLE_YEAR = 1930


class HeaderDateError(ValueError):
    """A header cell that is not a date, or not one date only; ``index`` is its position."""

    def __init__(self, index: int, text: str, reason: str) -> None:
        self.index = index
        self.text = text
        super().__init__(reason)


def sample_note(text: str) -> tuple[str, int | None]:
    """A header without its ``(N=1600)`` note, and the sample size the note gives (or None)."""
    m = _SAMPLE_NOTE.search(text) if "=" in text else None
    if m is None:
        return text, None
    digits = re.sub(r"\D", "", m.group(1))
    return (text[: m.start()] + text[m.end():]).strip(" ,;"), int(digits)


def _century(yy: int, this_year: int, text: str) -> int:
    recent = 2000 + yy
    if recent <= this_year + 1:
        return recent
    if 1900 + yy >= FIRST_PLAUSIBLE_YEAR:
        return 1900 + yy
    raise ValueError(f"{text!r}: the two-digit year {yy:02d} is neither {recent} (in the future) "
                     f"nor {1900 + yy} (before any poll this reader expects); write the year "
                     "in full")


def _expand_year(s: str, this_year: int, text: str) -> str:
    """Rewrite a trailing two-digit year (after a month word or a numeric month) in full."""
    if re.search(r"\d{4}", s):
        return s
    m = _TWO_DIGIT_YEAR.match(s)
    if m is None or not m.group(1):
        return s
    core, sep, yy = m.group(1), m.group(2), int(m.group(3))
    word = re.search(rf"({_LETTERS})\.?$", core)
    if word and month_number(word.group(1)) is not None:
        return f"{core.rstrip('.')} {_century(yy, this_year, text)}"
    if re.search(r"\d$", core) and sep in (".", "/"):
        return f"{core}{sep}{_century(yy, this_year, text)}"
    return s


def _header_text(text: str, this_year: int) -> str:
    s = _normalise(text)
    s = _ROMAN_MONTH.sub(lambda m: f"{_ROMAN[m.group(1)]:02d}.", s)
    m = _YEAR_FIRST.match(s)
    if m is not None:
        s = f"{m.group(2)} {m.group(1)}"
    return _expand_year(s, this_year, text)


def _slash_order(texts: list[str]) -> str | None:
    """"day" or "month" first for the header's slash dates, or None when there are none."""
    pairs = [(int(a), int(b)) for t in texts for a, b, _ in _SLASH_DATE.findall(t)]
    if not pairs:
        return None
    if any(a > 12 for a, _ in pairs):
        return "day"
    if any(b > 12 for _, b in pairs):
        return "month"
    return "ambiguous"


#: Header forms read column-wise by pandas in long headers (each unambiguous): day-first and ISO
#: days, ISO months. Other forms go cell by cell.
_BULK_FORMATS = (("%d.%m.%Y", "day"), ("%Y-%m-%d", "day"), ("%Y-%m", "month"))
_BULK_FROM = 64


def _bulk(texts: pd.Series) -> pd.DataFrame:
    """Start, end and precision of the cells in a bulk form (NaT/None elsewhere)."""
    start = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    end = start.copy()
    precision = pd.Series(None, index=texts.index, dtype=object)
    for fmt, prec in _BULK_FORMATS:
        todo = start.isna()
        if not todo.any():
            break
        got = pd.to_datetime(texts[todo], format=fmt, errors="coerce").astype("datetime64[ns]")
        ok = got.notna()
        if not ok.any():
            continue
        idx = got.index[ok]
        start[idx] = got[ok]
        end[idx] = got[ok] + pd.offsets.MonthEnd(0) if prec == "month" else got[ok]
        precision[idx] = prec
    return pd.DataFrame({"start": start, "end": end, "precision": precision})


def _one_header(i: int, text: str, order: str | None, this_year: int
                ) -> tuple[dt.date, dt.date, str]:
    try:
        if order == "ambiguous" and _SLASH_DATE.search(text):
            raise ValueError(f"{text!r} reads both day-first and month-first, as does every "
                             "slash date of this header; write the month as a word or the "
                             "date as YYYY-MM-DD")
        s = _header_text(text, this_year)
        if order == "month":
            s = _SLASH_DATE.sub(lambda m: f"{m.group(2)}/{m.group(1)}/{m.group(3)}", s)
        return parse_date_text(s)
    except ValueError as exc:
        reason = str(exc)
        if repr(text) not in reason:
            reason = f"{text!r}: {reason}"
        raise HeaderDateError(i, text, reason) from None


def parse_header_dates(texts: list[str], *, today: dt.date | None = None) -> pd.DataFrame:
    """Read the column headers of a pollster's table as wave dates.

    Parameters
    ----------
    texts : list of str
        The header cells, in order (a sample-size note such as ``(N=1600)`` removed beforehand,
        see :func:`sample_note`).
    today : datetime.date, optional
        The date two-digit years are judged against (default: today).

    Returns
    -------
    DataFrame
        One row per cell, in order: ``start``, ``end`` (datetime64) and ``precision``, as
        :func:`parse_date_text` reads them. Long headers in ISO or day-first numeric form are
        read column-wise, the others cell by cell (each distinct text once): the time taken
        grows linearly with the number of cells.

    Raises
    ------
    HeaderDateError
        For the first cell that is not a date, or that reads as two different dates; its
        ``index`` says which cell.
    """
    this_year = (today or dt.date.today()).year
    series = pd.Series(list(texts), dtype=object)
    if len(series) >= _BULK_FROM:
        out = _bulk(series)
    else:
        out = pd.DataFrame({"start": pd.Series(pd.NaT, index=series.index,
                                               dtype="datetime64[ns]"),
                            "end": pd.Series(pd.NaT, index=series.index,
                                             dtype="datetime64[ns]"),
                            "precision": pd.Series(None, index=series.index, dtype=object)})
    rest = out.index[out["start"].isna()]
    if len(rest):
        order = _slash_order([texts[i] for i in rest])
        cache: dict[str, tuple[dt.date, dt.date, str]] = {}
        got = []
        for i in rest:
            text = texts[i]
            if text not in cache:
                cache[text] = _one_header(int(i), text, order, this_year)
            got.append(cache[text])
        out.loc[rest, "start"] = pd.to_datetime([g[0] for g in got]).astype("datetime64[ns]")
        out.loc[rest, "end"] = pd.to_datetime([g[1] for g in got]).astype("datetime64[ns]")
        out.loc[rest, "precision"] = [g[2] for g in got]
    return out
