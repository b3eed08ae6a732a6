"""Read respondent-level survey files (SPSS, Stata, CSV, Parquet) into a labelled pandas frame.

:func:`read_microdata` turns value labels into categoricals, keeps variable labels and the file's
metadata in ``frame.attrs``, makes SPSS user-defined missing values missing (and says how many),
and reads Windows-1251 or UTF-8 text in labels. pyreadstat (ReadStat) does the file work.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from polls import _text
from polls.errors import (
    FileFormatError,
    InvalidArgumentError,
    MissingFileError,
    PollsWarning,
)

__all__ = ["read_microdata", "MICRODATA_FORMATS"]

#: File formats read by :func:`read_microdata`, keyed by the name ``format=`` accepts.
MICRODATA_FORMATS = {
    "sav": "SPSS system file (.sav, .zsav)",
    "por": "SPSS portable file (.por)",
    "dta": "Stata file (.dta)",
    "csv": "comma-separated text (.csv)",
    "parquet": "Apache Parquet (.parquet)",
}
_SUFFIXES = {
    ".sav": "sav",
    ".zsav": "sav",
    ".por": "por",
    ".dta": "dta",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def _plain(value: Any) -> Any:
    """A label code as a plain Python number (1.0 -> 1) or string."""
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value):
        return int(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _missing_mask(values: pd.Series, ranges: list[dict]) -> np.ndarray:
    mask = np.zeros(len(values), dtype=bool)
    numeric = pd.api.types.is_numeric_dtype(values)
    for rng in ranges:
        lo, hi = rng.get("lo"), rng.get("hi")
        if numeric and _is_number(lo) and _is_number(hi):
            arr = values.to_numpy(dtype=float, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                mask |= (arr >= lo) & (arr <= hi)
        else:
            for v in {lo, hi}:
                mask |= (values == v).to_numpy(dtype=bool, na_value=False)
    return mask


def _label_column(
    values: pd.Series, labels: dict, drop_codes: set
) -> pd.Series | None:
    """Codes -> categorical of labels, or None when some observed value has no label."""
    observed = pd.unique(values.dropna())
    plain = {_plain(k): v for k, v in labels.items()}
    if any(_plain(v) not in plain for v in observed):
        return None
    codes = [c for c in plain if c not in drop_codes]
    ordered = all(_is_number(c) for c in codes)
    if ordered:
        codes = sorted(codes)
    categories: list[str] = []
    for c in codes:
        if plain[c] not in categories:
            categories.append(plain[c])
    mapped = values.map(lambda v: plain.get(_plain(v)) if pd.notna(v) else None)
    return pd.Series(
        pd.Categorical(mapped, categories=categories, ordered=ordered),
        index=values.index,
        name=values.name,
    )


def _read_spss_stata(path: Path, fmt: str, encoding: str | None) -> tuple[pd.DataFrame, Any]:
    from polls._optional import require

    pyreadstat = require("pyreadstat", f"reading .{fmt} files")
    kwargs: dict[str, Any] = {"apply_value_formats": False}
    if fmt == "por":
        if encoding is not None:
            raise InvalidArgumentError(
                "encoding= cannot be set for SPSS portable (.por) files (they store ASCII "
                "with their own translation table)"
            )
        reader = pyreadstat.read_por
    else:
        reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
        kwargs["encoding"] = encoding
        kwargs["user_missing"] = fmt == "sav"
    try:
        return reader(os.fspath(path), **kwargs)
    except InvalidArgumentError:
        raise
    except Exception as exc:  # ReadstatError, PyreadstatError and OSError alike
        msg = str(exc) or type(exc).__name__
        hint = ""
        if "encoding" in msg.lower() or "convert string" in msg.lower():
            hint = (
                "; the text is not in the encoding the file declares: pass encoding=, e.g. "
                "'WINDOWS-1251' for Cyrillic or 'WINDOWS-1250' for Serbian Latin files"
            )
        elif fmt in ("sav", "dta", "por"):
            hint = " (the file may be truncated, corrupt or not a " + MICRODATA_FORMATS[fmt] + ")"
        raise FileFormatError(
            f"cannot be read as {MICRODATA_FORMATS[fmt]}: {msg}{hint}", path=str(path)
        ) from None


def _read_csv(path: Path, encoding: str | None) -> pd.DataFrame:
    """A comma-separated file: every record checked against the header (as for toplines), then
    typed by pandas (numbers, and pandas' missing-value markers such as ``NA``)."""
    name = str(path)
    text, used = _text.decode(path.read_bytes(), encoding, name)
    if not text.strip():
        raise FileFormatError("is empty", path=name)
    raw = text.encode("utf-8")
    got = _text.read_cells(text, ",", name, raw)
    width = got.cells.shape[1]
    short: list[int] = []
    if got.widths is not None:
        body = np.flatnonzero(got.cells.astype(str).apply(lambda c: c.str.strip().ne("")).any(
            axis=1).to_numpy())
        head, body = (int(body[0]), body[1:]) if len(body) else (0, body)
        width = int(got.widths[head])
        short = _text.short_records(got.widths, body, width, got.unterminated, ",", name,
                                    lambda i, k: ",".join(got.cells.iloc[i, :k].astype(str)),
                                    hint="save the file comma-separated")
        extra = got.widths[body] > width
        if extra.any():
            i = int(body[extra][0])
            raise FileFormatError(f"has {int(got.widths[i])} cells but the header has {width}",
                                  path=name, row=i + 1)
    if short:
        shown = ", ".join(map(str, short[:10])) + (" ..." if len(short) > 10 else "")
        warnings.warn(f"{path.name}: {len(short)} row(s) have fewer cells than the header; their "
                      f"missing last cells were read as missing values (rows {shown})",
                      PollsWarning, stacklevel=3)
    if got.unterminated:
        warnings.warn(f"{path.name}: the file ends without a line break; if it was cut short, "
                      "the last row's last value may be incomplete", PollsWarning, stacklevel=3)
    try:
        frame = pd.read_csv(io.BytesIO(raw), encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise FileFormatError(f"cannot be read as CSV: {exc}", path=name) from None
    frame.attrs.update({"source": name, "format": "csv", "encoding": used,
                        "short_rows": short})
    return frame


def read_microdata(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    user_missing: bool = True,
    value_labels: bool = True,
    format: str | None = None,
) -> pd.DataFrame:
    """Read a respondent-level file: SPSS .sav/.por, Stata .dta, CSV or Parquet.

    Parameters
    ----------
    path : str or path-like
        The file. Its suffix chooses the reader unless ``format`` is given.
    encoding : str, optional
        Text encoding of labels and strings, overriding what the file declares (iconv names such
        as ``"WINDOWS-1251"``, ``"WINDOWS-1250"``, ``"UTF-8"``). SPSS and Stata files that
        declare their encoding (or code page) are decoded without it; use it for files whose
        declaration is wrong or missing. For CSV it is the file's encoding; by default UTF-8 (a
        byte-order mark is skipped), else Windows-1251 or Windows-1250 when exactly one of them
        reads as plausible text (as :func:`~polls.read_toplines` decides; ``attrs["encoding"]``
        says which).
    user_missing : bool
        SPSS only. True: values declared user-missing in the file (e.g. 98 "Don't know", 99
        "Refused") become missing, and their counts per column are reported in
        ``attrs["missing_reported"]`` and in a warning. False: they stay ordinary values (with
        their labels as categories).
    value_labels : bool
        Turn labelled columns into categoricals (True) or keep the codes (False; the labels
        stay in ``attrs["value_labels"]``).
    format : {"sav", "por", "dta", "csv", "parquet"}, optional
        Reader to use regardless of the suffix.

    Returns
    -------
    DataFrame
        One row per respondent. A column with value labels becomes a categorical of the labels
        when every observed (non-missing) value has a label; otherwise it keeps its codes.
        **Ordering rule**: the categorical is ordered, with categories in ascending code order,
        when all labelled codes are numbers (SPSS and Stata numeric codes are ordered scales
        more often than not: ``1 "Fully approve"`` ... ``4 "Fully disapprove"``); labels on
        string codes give an unordered categorical in the file's label order. Labels of codes
        made missing are left out of the categories; two codes with one label share a category.

        ``frame.attrs`` holds ``source`` (the path), ``format``, ``file_label``,
        ``file_encoding``, ``notes``, ``variable_labels`` ({column: label}), ``value_labels``
        ({column: {code: label}}), ``variable_measure`` (SPSS nominal / ordinal / scale),
        ``user_missing`` (the declared missing values or ranges per column) and
        ``missing_reported`` ({column: number of values made missing}).

    Raises
    ------
    FileFormatError
        The file is truncated, corrupt, a directory, not of the format its suffix says, or its
        text is not in the declared encoding (the message names the file and suggests
        ``encoding=``). A CSV row with one cell (another separator), or a last row cut short,
        is an error naming the row; other rows with fewer cells than the header are read with
        their last values missing, named in a warning and in ``attrs["short_rows"]``.
    MissingFileError
        No such file (also a ``FileNotFoundError``).
    InvalidArgumentError
        A path that is not a path, an unknown suffix or ``format``.

    Examples
    --------
    >>> import tempfile, os, pandas as pd, pyreadstat, polls
    >>> path = os.path.join(tempfile.mkdtemp(), "poll.sav")
    >>> pyreadstat.write_sav(pd.DataFrame({"q1": [1.0, 2.0, 9.0]}), path,
    ...                      column_labels={"q1": "Do you approve?"},
    ...                      variable_value_labels={"q1": {1: "Yes", 2: "No", 9: "Refused"}},
    ...                      missing_ranges={"q1": [9]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     df = polls.read_microdata(path)
    >>> df["q1"].tolist(), df.attrs["missing_reported"]
    (['Yes', 'No', nan], {'q1': 1})
    """
    if not isinstance(path, str | os.PathLike):
        raise InvalidArgumentError(f"path must be a file path, got {path!r}")
    if encoding is not None and not isinstance(encoding, str):
        raise InvalidArgumentError(f"encoding must be a string such as 'WINDOWS-1251', got "
                                   f"{encoding!r}")
    p = Path(path)
    if format is not None:
        if not isinstance(format, str) or format not in MICRODATA_FORMATS:
            raise InvalidArgumentError(
                f"format must be one of {', '.join(map(repr, MICRODATA_FORMATS))}; got {format!r}"
            )
        fmt = format
    else:
        fmt = _SUFFIXES.get(p.suffix.lower())
        if fmt is None:
            raise InvalidArgumentError(
                f"cannot tell the format of {str(p)!r} from its suffix {p.suffix!r}; known: "
                f"{', '.join(sorted(_SUFFIXES))} (or pass format=)"
            )
    if p.is_dir():
        raise FileFormatError("is a directory, not a file", path=str(p))
    if not p.is_file():
        raise MissingFileError(f"no such file: {str(p)!r}")

    if fmt == "csv":
        return _read_csv(p, encoding)
    if fmt == "parquet":
        from polls._optional import require

        require("pyarrow", "reading .parquet files")
        try:
            frame = pd.read_parquet(p)
        except ImportError:
            raise
        except Exception as exc:  # pyarrow's ArrowInvalid, OSError
            raise FileFormatError(f"cannot be read as Parquet: {exc}", path=str(p)) from None
        frame.attrs.update({"source": str(p), "format": fmt})
        return frame

    frame, meta = _read_spss_stata(p, fmt, encoding)
    ranges = dict(getattr(meta, "missing_ranges", None) or {})
    reported: dict[str, int] = {}
    drop_codes: dict[str, set] = {}
    if fmt == "sav" and user_missing:
        for col, rng in ranges.items():
            if col not in frame.columns:
                continue
            mask = _missing_mask(frame[col], rng)
            reported[col] = int(mask.sum())
            if mask.any():
                frame[col] = frame[col].mask(mask)
            drop_codes[col] = {
                _plain(v) for r in rng for v in (r.get("lo"), r.get("hi")) if v is not None
            }
            lo_hi = [(r.get("lo"), r.get("hi")) for r in rng]
            for code in list(meta.variable_value_labels.get(col, {})):
                if any(
                    _is_number(code) and _is_number(lo) and lo <= code <= hi for lo, hi in lo_hi
                ):
                    drop_codes[col].add(_plain(code))
        total = sum(reported.values())
        if total:
            detail = ", ".join(f"{c} {n}" for c, n in reported.items() if n)
            warnings.warn(
                f"{p.name}: {total} value(s) declared user-missing in the file were set to "
                f"missing ({detail}); pass user_missing=False to keep them",
                PollsWarning,
                stacklevel=2,
            )

    labels_by_col = {
        col: {_plain(k): v for k, v in labs.items()}
        for col, labs in (meta.variable_value_labels or {}).items()
    }
    if value_labels:
        for col, labs in (meta.variable_value_labels or {}).items():
            if col not in frame.columns:
                continue
            labelled = _label_column(frame[col], labs, drop_codes.get(col, set()))
            if labelled is not None:
                frame[col] = labelled

    variable_labels = {
        c: lab for c, lab in (meta.column_names_to_labels or {}).items() if lab not in (None, "")
    }
    frame.attrs.update(
        {
            "source": str(p),
            "format": fmt,
            "file_label": getattr(meta, "file_label", None),
            "file_encoding": getattr(meta, "file_encoding", None),
            "notes": list(getattr(meta, "notes", None) or []),
            "variable_labels": variable_labels,
            "value_labels": labels_by_col,
            "variable_measure": dict(getattr(meta, "variable_measure", None) or {}),
            "user_missing": {
                c: [{k: _plain(v) for k, v in r.items()} for r in rng] for c, rng in ranges.items()
            },
            "missing_reported": reported,
        }
    )
    return frame
