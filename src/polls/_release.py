"""Reading a pollster's release table: responses down, waves across (private).

Levada, VCIOM, FOM, Crta, Demostat and NSPM print a question as a table whose first column holds
the responses and whose header row holds the waves (``мар.22``, ``maj 2022``, ``24–30 марта
2022``). :func:`read_release_table` turns such a table, given as text records (from a CSV file, a
worksheet through :mod:`polls._excel` or a page through :mod:`polls._html`), into the canonical
toplines frame:

- **Lines above the table.** The text printed above becomes ``question`` (a title such as
  "Таблица 3" is left out); unit lines (``в % от числа опрошенных``, ``u %``, ``% of
  respondents``) say the figures are percents; ``N=1600`` gives every wave's sample size.
- **The header.** Every cell after the first is a wave date (see
  :func:`polls._dates.parse_header_dates`), possibly with a ``(N=1600)`` note. A column headed as
  a change between waves (``изменение``, ``razlika``, ``change``, ``+/-``) is dropped and listed;
  any other header that is not a date is an error naming the cell.
- **Cells.** Percent signs, decimal commas, spaces and non-breaking spaces are read; footnote marks
  (``45*``, ``45¹``, ``45 (1)``) are removed; a dash or an empty cell means the wave did not ask or
  publish that response: no row. A cell ``<1`` or ``< 0,5`` is published as below the printed
  precision: its row is kept with a missing ``share`` and the flag ``below_precision`` (the bound
  is listed in ``attrs["below_precision"]``).
- **Rows that are not responses.** Totals (``Всего``, ``Итого``, ``Сумма``, ``Ukupno``,
  ``Total``, ``100%``) are checked against the column sums within rounding (a mismatch warns,
  naming the wave) and dropped; sample-size rows (``Число опрошенных``, ``N``, ``Broj
  ispitanika``, ``Sample size``) fill ``sample_size``; rows with a label but no figures (notes
  under the table, headings) are dropped. Footnote marks on labels are removed (``Затрудняюсь
  ответить*``). Every dropped row and column is listed in ``attrs``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from polls._dates import HeaderDateError, parse_header_dates, sample_note
from polls._excel import column_letter
from polls.errors import FileFormatError, InferenceWarning, PollsWarning
from polls.schema import COLUMNS, FLAGS_COLUMN, validate_toplines

__all__ = ["BELOW_PRECISION", "is_note_line", "read_release_table"]

#: The flag of a response published as below the printed precision (``<1``).
BELOW_PRECISION = "below_precision"

_MISSING = frozenset({"", "-", "--", "–", "—", "−", "x", "х", "×", ".", "..", "...", "…", "n/a",
                      "na", "n.a.", "н/д", "н.д.", "нет данных", "nan"})
_TOTALS = re.compile(r"^(?:(?:всего|итого|итог|сумма|ukupno|укупно|svega|свега|zbir|збир|total|"
                     r"sum)\b[\s:,.%()]*|100\s*%?)$")
_SAMPLES = frozenset({"число опрошенных", "количество опрошенных", "опрошено", "выборка", "n",
                      "n=", "broj ispitanika", "број испитаника", "uzorak", "узорак",
                      "sample size", "sample", "base", "number of respondents", "respondents",
                      "unweighted base"})
_CHANGES = frozenset({"изменение", "изменения", "разница", "динамика", "change", "difference",
                      "diff", "razlika", "разлика", "promena", "промена", "+/-", "+/–", "±", "δ",
                      "∆", "delta"})
_GENERIC_CORNER = frozenset({"", "ответ", "ответы", "вариант ответа", "варианты ответа",
                             "odgovor", "odgovori", "одговор", "одговори", "response",
                             "responses", "answer", "answers", "option", "%", "в %", "u %"})
_UNIT = re.compile(r"(?:^|[\s(,;])(?:в\s*%|в\s+процентах|u\s*%|у\s*%|u\s+procentima|"
                   r"у\s+процентима|%\s+(?:от|of|od|од)\b|percent(?:age)?s?\b|per\s+cent)|^%$",
                   re.IGNORECASE)
_UNIT_TAIL = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_SAMPLE_LINE = re.compile(r"^\s*(?:n|выборка|uzorak|sample(?:\s+size)?)\s*[=:]\s*"
                          r"(\d[\d\s.,\u00a0\u202f]*)\s*(?:человек|чел\.?|ispitanika|"
                          r"respondents)?\s*\.?$", re.IGNORECASE)
_TABLE_TITLE = re.compile(r"^(?:таблица|табела|tabela|table|рисунок|график|grafikon|chart)"
                          r"\s*[\d.]*\s*\.?$", re.IGNORECASE)
_FOOTNOTE = re.compile(r"(?<=\S)(?:\s*(?:\*+|[†‡§]+|[\u00b9\u00b2\u00b3\u2070-\u2079]+|"
                       r"\(\d{1,2}\)|\[\d{1,2}\]))+$")
_DIGIT = re.compile(r"\d")
_YEAR_CELL = re.compile(r"\d{4}\.?(?:\s*(?:г\.?|года?|godina|године|god\.))?", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_NUMBER = re.compile(r"^([+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+))(%?)$")
_BELOW = re.compile(r"^(?:<|≤|менее|меньше|manje\s*od|мање\s*од|less\s*than|under)\s*"
                    r"(\d+(?:[.,]\d+)?|[.,]\d+)\s*(%?)$", re.IGNORECASE)


def is_note_line(text: str) -> bool:
    """A unit line ("в % от числа опрошенных", "u %") or a sample-size line ("N=1600")."""
    text = " ".join(text.split())
    return bool(_SAMPLE_LINE.match(text)) or (bool(_UNIT.search(text)) and len(text) <= 60
                                              and not text.endswith("?"))


def _plain(text: str) -> str:
    """A label compared without case, spaces, trailing colons and footnote marks."""
    return _SPACES.sub(" ", _FOOTNOTE.sub("", text)).strip().rstrip(":").strip().lower()


@dataclass(slots=True)
class _Cell:
    kind: str  # "value", "below" or "missing"
    text: str = ""  # the number with a decimal point, no sign of percent
    pct: bool = False
    decimals: int = 0


def _parse_cell(text: str) -> _Cell:
    """One figure as printed; ValueError when it is not one."""
    t = text.strip()
    if t.lower() in _MISSING:
        return _Cell("missing")
    t = _FOOTNOTE.sub("", t)
    below = _BELOW.match(t)
    s = _SPACES.sub("", t)
    m = _NUMBER.match(s)
    if below is None and m is None:
        raise ValueError("is not a figure (write a number, a dash for a response not asked, or "
                         "'<1' for one below the printed precision)")
    number, sign = (below.group(1), below.group(2)) if below else (m.group(1), m.group(2))
    number = number.replace(",", ".")
    decimals = len(number) - number.index(".") - 1 if "." in number else 0
    return _Cell("below" if below else "value", number, sign == "%", decimals)


# ---------------------------------------------------------------------------------------------
# Where things are: title lines, header, body


@dataclass
class _Layout:
    name: str
    grid: list[list[str]]  # records padded to one width, cells stripped
    header: int  # index of the header record
    titles: list[str] = field(default_factory=list)
    printed_titles: int = 0  # title lines in the records themselves (not text around a page)


def _pad(records: list[list[str]], width: int | None = None) -> list[list[str]]:
    width = max((len(r) for r in records), default=0) if width is None else width
    return [[str(c).strip() for c in r] + [""] * (width - len(r)) for r in records]


def _is_title(row: list[str]) -> bool:
    """A line above the table: one cell of text, or a unit or sample-size note."""
    filled = [c for c in row if c]
    if len(filled) > 1:
        return False
    if not filled or bool(row[0]) or len(row) == 1:
        return True
    return bool(_UNIT.search(filled[0]) or _SAMPLE_LINE.match(filled[0]))


def _years_over_months(grid: list[list[str]], i: int) -> list[str] | None:
    """A header of two rows, years over month names, as one row ("янв 2022"); else None.

    A year stands over its first month and, merged or not, counts for the months to its right
    until the next year.
    """
    if i + 1 >= len(grid):
        return None
    years, months = grid[i], grid[i + 1]
    filled = [c for c in years[1:] if c]
    if not filled or not all(_YEAR_CELL.fullmatch(c) for c in filled):
        return None
    named = [c for c in months[1:] if c]
    if not named or any(_DIGIT.search(c) for c in named):
        return None
    combined, year = [months[0]], ""
    for j in range(1, len(years)):
        year = years[j][:4] if years[j] else year
        combined.append(f"{months[j]} {year}" if months[j] and year else months[j])
    return combined


def _locate(records: list[list[str]], name: str, above: list[str],
            width: int | None = None) -> _Layout | None:
    grid = _pad(records, width)
    for i, row in enumerate(grid):
        if not _is_title(row):
            printed = [c for r in grid[:i] for c in r if c]
            combined = _years_over_months(grid, i)
            if combined is not None:  # the month row, with its years, is the header
                grid[i + 1] = combined
                printed += [row[0]] if row[0] else []
                i += 1
            return _Layout(name, grid, i, [*above, *printed], len(printed))
    return None


def _header_cells(layout: _Layout) -> list[tuple[int, str]]:
    return [(j, c) for j, c in enumerate(layout.grid[layout.header]) if j > 0]


def _no_table(name: str, records: list[list[str]]) -> FileFormatError:
    if not any(str(c).strip() for r in records for c in r):
        return FileFormatError("is empty", path=name)
    hint = " (pass sheet_name= to read another sheet)" if ", sheet " in name else ""
    return FileFormatError(f"holds no table: no row has a figure after its first cell{hint}",
                           path=name)


def _dated_header(layout: _Layout) -> bool:
    """Whether the header cells after the first (the first twenty) read as wave dates."""
    cells = [c for _, c in _header_cells(layout) if c][:20]
    cells = [sample_note(c)[0] for c in cells if _DIGIT.search(c) or _plain(c) not in _CHANGES]
    if not cells:
        return False
    try:
        parse_header_dates(cells)
    except HeaderDateError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# The pieces of a table


@dataclass
class _Waves:
    """The wave columns: position, header text, dates and any ``(N=...)`` note, column-wise."""

    cols: list[int]
    headers: list[str]
    start: np.ndarray  # datetime64[ns]
    end: np.ndarray
    precision: np.ndarray  # "day" or "month"
    n_note: list[int | None]

    def __len__(self) -> int:
        return len(self.cols)


def _fail(layout: _Layout, message: str, row: int, col: int, value: str) -> FileFormatError:
    header = layout.grid[layout.header][col] if col < len(layout.grid[layout.header]) else ""
    where = column_letter(col) + (f" ({header})" if header and row != layout.header else "")
    return FileFormatError(f"cell {column_letter(col)}{row + 1} {message}", path=layout.name,
                           row=row + 1, column=where, value=value)


def _waves(layout: _Layout, used: set[int]) -> tuple[_Waves, list[dict[str, Any]]]:
    """Wave columns, and the columns dropped (changes between waves)."""
    dropped, cols, headers, dates, notes = [], [], [], [], []
    for j, text in _header_cells(layout):
        if not text:
            if j in used:
                row = next(i for i in range(layout.header + 1, len(layout.grid))
                           if layout.grid[i][j])
                raise _fail(layout, "has figures but its column has no header", row, j,
                            layout.grid[row][j])
            continue
        if not _DIGIT.search(text) and _plain(text) in _CHANGES:
            dropped.append({"column": column_letter(j), "header": text,
                            "reason": "change between waves (computed, not a wave)"})
            continue
        date, n = sample_note(text)
        cols.append(j)
        headers.append(text)
        dates.append(date)
        notes.append(n)
    try:
        parsed = parse_header_dates(dates)
    except HeaderDateError as exc:
        raise _fail(layout, f"in the header is not a wave date: {exc} (a table with waves "
                    "across needs a date in every header cell after the first)",
                    layout.header, cols[exc.index], headers[exc.index]) from None
    twice = parsed.duplicated(["start", "end"]).to_numpy()
    if twice.any():
        k = int(twice.argmax())
        first = int(((parsed["start"] == parsed["start"].iloc[k])
                     & (parsed["end"] == parsed["end"].iloc[k])).to_numpy().argmax())
        raise _fail(layout, f"names the same wave as cell {column_letter(cols[first])}"
                    f"{layout.header + 1} ({headers[first]!r})", layout.header, cols[k],
                    headers[k])
    return _Waves(cols, headers, parsed["start"].to_numpy(), parsed["end"].to_numpy(),
                  parsed["precision"].to_numpy(dtype=object), notes), dropped


def _sample_number(text: str) -> int | None:
    t = _FOOTNOTE.sub("", text.strip())
    if t.lower() in _MISSING:
        return None
    s = _SPACES.sub("", t)
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", s):
        s = re.sub(r"[,.]", "", s)
    if not re.fullmatch(r"\d+", s) or int(s) == 0:
        raise ValueError("is not a sample size (a positive whole number)")
    return int(s)


@dataclass
class _Body:
    labels: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # record index of each response
    totals: list[int] = field(default_factory=list)
    samples: list[int] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # columns holding any figure


def _body(layout: _Layout) -> _Body:
    body = _Body()
    for i in range(layout.header + 1, len(layout.grid)):
        row = layout.grid[i]
        figures = [j for j in range(1, len(row)) if row[j] and row[j].lower() not in _MISSING]
        label = row[0] if row else ""
        if not label and not figures:
            continue  # a blank line, or a row of dashes without a label: nothing to read
        if not label:
            raise _fail(layout, "has figures but its row has no label (the first column names "
                        "the response)", i, figures[0], row[figures[0]])
        plain = _plain(label)
        if not figures:
            body.notes.append(label)
            body.dropped.append({"row": i + 1, "label": label, "reason": "no figures (a "
                                 "note, a heading, or a response no wave published)"})
            continue
        body.used.update(figures)
        if _TOTALS.match(plain):
            body.totals.append(i)
            body.dropped.append({"row": i + 1, "label": label,
                                 "reason": "total (checked against the column sums)"})
        elif plain in _SAMPLES or re.fullmatch(r"n\s*=?", plain):
            body.samples.append(i)
            body.dropped.append({"row": i + 1, "label": label, "reason": "sample size"})
        else:
            body.labels.append(_FOOTNOTE.sub("", label).strip())
            body.rows.append(i)
    return body


def _titles(titles: list[str], corner: str) -> tuple[str | None, bool, int | None, list[str]]:
    """(question, unit says percent, sample size for every wave, lines left out)."""
    unit, n, question, left_out = False, None, [], []
    lines = [*titles, *([corner] if _plain(corner) not in _GENERIC_CORNER else [])]
    unit = any(_plain(corner) == u for u in ("%", "в %", "u %"))
    for line in lines:
        text = " ".join(line.split())
        sample = _SAMPLE_LINE.match(text)
        tail = _UNIT_TAIL.search(text)
        if sample:
            n = int(re.sub(r"\D", "", sample.group(1)))
        elif tail and tail.start() > 0 and _UNIT.search(tail.group(0)):
            unit = True
            question.append(text[: tail.start()].strip())
        elif _UNIT.search(text) and len(text) <= 60 and not text.endswith("?"):
            unit = True
        elif _TABLE_TITLE.match(text):
            left_out.append(text)
        else:
            question.append(text)
    return (" ".join(question) or None), unit, n, left_out


# ---------------------------------------------------------------------------------------------
# Figures, scale and sums


@dataclass
class _Figures:
    """The figures of the response rows (then the total rows) as codes into distinct cells."""

    cells: list[_Cell]  # each distinct cell text, parsed once
    codes: np.ndarray  # (response rows + total rows) x waves, indices into ``cells``
    rows: np.ndarray  # record index of each row of ``codes``
    samples: dict[int, int]  # column -> sample size
    kind: np.ndarray = field(default_factory=lambda: np.empty(0))  # per distinct cell, below
    share: np.ndarray = field(default_factory=lambda: np.empty(0))  # value (NaN unless value)
    bound: np.ndarray = field(default_factory=lambda: np.empty(0))  # "<1" bound (else 0)
    step: np.ndarray = field(default_factory=lambda: np.empty(0))  # printed step (else NaN)


_MISSING_KIND, _VALUE_KIND, _BELOW_KIND = 0, 1, 2
_KINDS = {"missing": _MISSING_KIND, "value": _VALUE_KIND, "below": _BELOW_KIND}


def _figures(layout: _Layout, body: _Body, waves: _Waves) -> _Figures:
    rows = np.asarray(body.rows + body.totals, dtype=int)
    grid, cols = layout.grid, waves.cols
    texts = np.array([[grid[i][j] for j in cols] for i in rows], dtype=object)
    codes, distinct = pd.factorize(texts.ravel())
    codes = codes.reshape(texts.shape) if texts.size else np.zeros(texts.shape, dtype=int)
    cells = []
    for u, text in enumerate(distinct):
        try:
            cells.append(_parse_cell(text))
        except ValueError as exc:
            r, k = np.argwhere(codes == u)[0]
            raise _fail(layout, str(exc), int(rows[r]), cols[k], text) from None
    return _Figures(cells, codes, rows, _samples(layout, body, waves))


def _samples(layout: _Layout, body: _Body, waves: _Waves) -> dict[int, int]:
    samples: dict[int, int] = {}
    for i in body.samples:
        for j in waves.cols:
            try:
                n = _sample_number(layout.grid[i][j])
            except ValueError as exc:
                raise _fail(layout, str(exc), i, j, layout.grid[i][j]) from None
            if n is None:
                continue
            if j in samples and samples[j] != n:
                raise _fail(layout, f"gives a second sample size for the wave ({samples[j]} "
                            "above)", i, j, layout.grid[i][j])
            samples[j] = n
    return samples


def _scale(layout: _Layout, figures: _Figures, waves: _Waves, scale: str | None,
           unit: bool, responses: int) -> str:
    if scale is not None:
        return scale
    if unit:
        return "percent"
    cells = figures.cells
    used = np.unique(figures.codes)
    signed = [float(cells[u].text) for u in used if cells[u].kind != "missing" and cells[u].pct]
    plain = [u for u in used if cells[u].kind != "missing" and not cells[u].pct]
    if signed and plain:
        if max(signed) > 1 and all(float(cells[u].text) <= 1 for u in plain):
            where = np.argwhere(np.isin(figures.codes, plain))
            shown = ", ".join(f"{column_letter(waves.cols[k])}{figures.rows[r] + 1}"
                              for r, k in where[:5])
            raise FileFormatError(
                f"mixes figures with a % sign and figures of at most 1 without one ({shown}"
                f"{' ...' if len(where) > 5 else ''}): are those percents or proportions? Pass "
                "scale='percent' or scale='proportion'", path=layout.name)
        return "percent"
    if signed or any(float(cells[u].text) > 1 for u in plain):
        if not signed:
            warnings.warn(f"{layout.name}: figures above 1 and no unit line, so the figures "
                          "were read as percents (pass scale='percent' to say so)",
                          InferenceWarning, stacklevel=4)
        return "percent"
    value = np.array([float(c.text) if c.kind == "value" else 0.0 for c in cells])
    sums = value[figures.codes[:responses]].sum(axis=0)
    if len(sums) and ((sums >= 0.9) & (sums <= 1.1)).all():
        warnings.warn(f"{layout.name}: all figures are at most 1 and each wave's add up to "
                      "about 1, so they were read as proportions (pass scale='proportion' to "
                      "say so)", InferenceWarning, stacklevel=4)
        return "proportion"
    raise FileFormatError("cannot tell whether the figures are percents or proportions (all are "
                          "at most 1, no unit line, no % sign); pass scale='percent' or "
                          "scale='proportion'", path=layout.name)


def _proportion(text: str, percent: bool) -> float:
    """The figure as a proportion, a percent shifted exactly (no binary rounding on the way)."""
    return float(Decimal(text) / 100) if percent else float(text)


def _settle(figures: _Figures, scale: str) -> None:
    """Shares, bounds and printed steps of the distinct cells, on the scale decided."""
    kind, share, bound, step = [], [], [], []
    for c in figures.cells:
        percent = c.pct or scale == "percent"
        kind.append(_KINDS[c.kind])
        value = _proportion(c.text, percent) if c.kind != "missing" else np.nan
        share.append(value if c.kind == "value" else np.nan)
        bound.append(value if c.kind == "below" else 0.0)
        step.append(10.0 ** -(c.decimals + (2 if percent else 0)) if c.kind == "value"
                    else np.nan)
    figures.kind, figures.share = np.array(kind, dtype=int), np.array(share, dtype=float)
    figures.bound, figures.step = np.array(bound, dtype=float), np.array(step, dtype=float)


def _check_totals(layout: _Layout, body: _Body, figures: _Figures, waves: _Waves,
                  scale: str, nets: set[str]) -> None:
    """Warn, naming the wave, where a total row differs from its column's sum beyond rounding."""
    responses = len(body.rows)
    counted = np.array([label not in nets for label in body.labels], dtype=bool)
    codes = figures.codes[:responses][counted]
    low = np.nan_to_num(figures.share[codes]).sum(axis=0)
    high = low + figures.bound[codes].sum(axis=0)
    slack = np.nan_to_num(figures.step[codes]).sum(axis=0) / 2
    for r, t in enumerate(body.totals):
        code = figures.codes[responses + r]
        total, tstep = figures.share[code], np.nan_to_num(figures.step[code]) / 2
        bad = (figures.kind[code] == _VALUE_KIND) & (
            (total < low - slack - tstep - 1e-9) | (total > high + slack + tstep + 1e-9))
        for k in np.flatnonzero(bad):
            warnings.warn(
                f"{layout.name}: wave {waves.headers[k]!r} (column "
                f"{column_letter(waves.cols[k])}): the total row {layout.grid[t][0]!r} (row "
                f"{t + 1}) gives {figures.cells[code[k]].text} but the responses add up to "
                f"{_sum_text(low[k], high[k], scale)}, more than rounding explains; the total "
                "row was dropped, the responses kept as printed", PollsWarning, stacklevel=4)


def _sum_text(low: float, high: float, scale: str) -> str:
    k = 100 if scale == "percent" else 1
    if abs(high - low) < 1e-12:
        return f"{low * k:.4g}"
    return f"{low * k:.4g} to {high * k:.4g}"


# ---------------------------------------------------------------------------------------------
# The frame


@dataclass
class _Rows:
    wave: np.ndarray  # wave position of each row
    response: pd.Categorical
    share: np.ndarray
    below: np.ndarray  # bool: published as below the printed precision
    row: np.ndarray  # file row (1-based)
    step: np.ndarray  # per wave: the finest printed step
    below_cells: list[dict[str, Any]]
    missing: list[str]


def _cell_name(waves: _Waves, rows: np.ndarray, r: int, k: int) -> str:
    return f"{column_letter(waves.cols[k])}{rows[r] + 1}"


def _rows(layout: _Layout, body: _Body, figures: _Figures, waves: _Waves) -> _Rows:
    """One row per published (or below-precision) cell, wave by wave."""
    responses = len(body.rows)
    codes, rows = figures.codes[:responses], figures.rows[:responses]
    kind = figures.kind[codes]
    k_idx, r_idx = np.nonzero(kind.T != _MISSING_KIND)  # wave by wave, rows in order
    code = codes[r_idx, k_idx]
    label_codes, labels = pd.factorize(np.asarray(body.labels, dtype=object))
    below = figures.kind[code] == _BELOW_KIND
    step = np.where(kind == _VALUE_KIND, figures.step[codes], np.inf).min(axis=0,
                                                                           initial=np.inf)
    below_cells = [{"cell": _cell_name(waves, rows, r, k), "response": body.labels[r],
                    "wave": waves.headers[k], "text": layout.grid[rows[r]][waves.cols[k]],
                    "bound": float(figures.bound[codes[r, k]])}
                   for k, r in zip(k_idx[below], r_idx[below], strict=True)]
    mk, mr = np.nonzero(kind.T == _MISSING_KIND)
    return _Rows(
        wave=k_idx, share=figures.share[code], below=below, row=rows[r_idx] + 1,
        response=pd.Categorical.from_codes(label_codes[r_idx], categories=list(labels),
                                           ordered=True),
        step=np.where(np.isinf(step), np.nan, step), below_cells=below_cells,
        missing=[_cell_name(waves, rows, r, k) for k, r in zip(mk, mr, strict=True)])


def _sample_sizes(layout: _Layout, figures: _Figures, waves: _Waves,
                  n_all: int | None) -> list[int | None]:
    """Each wave's sample size: its sample-size row, else its header note, else a title line."""
    n = []
    for j, header, note in zip(waves.cols, waves.headers, waves.n_note, strict=True):
        row = figures.samples.get(j)
        if note is not None and row is not None and row != note:
            raise _fail(layout, f"notes N={note} but the sample-size row gives {row}",
                        layout.header, j, header)
        n.append(row if row is not None else note if note is not None else n_all)
    return n


def _frame(waves: _Waves, rows: _Rows, n: list[int | None], *, question: str | None,
           pollster: str | None, series: str | None) -> pd.DataFrame:
    wave = rows.wave
    size = len(wave)

    def text(value: str | None) -> pd.Series:
        return pd.Series(pd.array([value], dtype="string").take(np.zeros(size, dtype=int)))

    columns: dict[str, Any] = {col: text(None) for col in COLUMNS}
    columns.update(
        question=text(question), pollster=text(pollster), series=text(series),
        fieldwork_start=waves.start[wave], fieldwork_end=waves.end[wave],
        date_precision=pd.array(list(waves.precision), dtype="string").take(wave),
        published=pd.Series(pd.NaT, index=range(size), dtype="datetime64[ns]"),
        sample_size=pd.array(n, dtype="Int64")[wave], response=rows.response,
        share=rows.share, precision=rows.step[wave],
    )
    columns[FLAGS_COLUMN] = pd.array([None, BELOW_PRECISION], dtype="string").take(
        rows.below.astype(int))
    out = pd.DataFrame({col: columns[col] for col in COLUMNS})
    out["_source_row"] = rows.row
    return out


def is_release_table(head: list[list[str]], width: int, whole: bool, name: str,
                     above: list[str]) -> bool | None:
    """Whether :func:`read_release_table` with ``detect=True`` reads records beginning with
    ``head`` as a table (records of at most ``width`` cells; ``whole``: ``head`` is all of
    them), decided from the head alone; None when the head does not settle it."""
    layout = _locate(head, name, above, width)
    if layout is None or not (whole or layout.header + 1 < len(head)):
        return None
    return bool(layout.printed_titles) or _dated_header(layout)


def read_release_table(records: list[list[str]], name: str, above: list[str], *,
                       scale: str | None = None, question: str | None = None,
                       pollster: str | None = None, series: str | None = None,
                       multiple_response: bool | None = None, net_responses: Any = None,
                       validate: bool = True, detect: bool = False) -> pd.DataFrame | None:
    """The canonical frame of a release table (see the module notes); attrs list what was left
    out. With ``detect=True``, None when the header does not read as dates and no title line
    stands above it (another layout). Records with no table at all (no row with two cells) are an
    error either way."""
    layout = _locate(records, name, above)
    if layout is None:
        raise _no_table(name, records)
    if detect and not layout.printed_titles and not _dated_header(layout):
        return None  # a long or wide file (those have no lines above their header)
    body = _body(layout)
    waves, dropped_columns = _waves(layout, body.used)
    if not body.rows or not waves:
        raise FileFormatError("holds no readable table: "
                              + ("no response rows under the header" if not body.rows else
                                 "no wave columns in the header"), path=name,
                              row=layout.header + 1)
    corner = layout.grid[layout.header][0]
    title, unit, n_all, left_out = _titles(layout.titles, corner)
    figures = _figures(layout, body, waves)
    used_scale = _scale(layout, figures, waves, scale, unit, len(body.rows))
    _settle(figures, used_scale)
    nets = list(dict.fromkeys(net_responses or ()))
    _check_totals(layout, body, figures, waves, used_scale, set(nets))
    rows = _rows(layout, body, figures, waves)
    frame = _frame(waves, rows, _sample_sizes(layout, figures, waves, n_all),
                   question=question or title, pollster=pollster, series=series)
    published = set(rows.wave.tolist())
    dropped_columns += [{"column": column_letter(j), "header": header,
                         "reason": "no figures (the wave did not ask or publish it)"}
                        for k, (j, header) in enumerate(zip(waves.cols, waves.headers,
                                                            strict=True)) if k not in published]
    multiple = bool(multiple_response)
    if validate:  # a below-precision row has no share to check
        validate_toplines(frame[frame["share"].notna()], source=name,
                          multiple_response=multiple, net_responses=nets)
    frame = frame.drop(columns="_source_row")
    frame.attrs = {
        "source": name, "layout": "table", "scale": used_scale,
        "question": question or title, "dropped_rows": body.dropped,
        "dropped_columns": dropped_columns, "below_precision": rows.below_cells,
        "not_published": len(rows.missing), "not_published_cells": rows.missing,
        "notes": body.notes, "left_out_titles": left_out, "skipped_rows": [],
        "ignored_columns": [d["header"] for d in dropped_columns],
        "multiple_response": multiple, "net_responses": nets,
    }
    return frame
