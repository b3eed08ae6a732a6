"""Numbers written as text (private): shares and counts as people print them.

One parser for every reader. Spaces of any kind (ordinary, no-break U+00A0, figure U+2007, thin
U+2009, narrow no-break U+202F) are ignored, so "1 600" is 1600; a decimal comma is a decimal
point ("52,5"); a trailing ``%`` marks a percent; counts may group thousands with a comma or a
dot ("1,600", "1.600") when every group has three digits. Each function takes the distinct texts
of a column (a column is parsed once per distinct text) and returns NaN for a text that is not
a number, so that the caller can name the cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_SPACES = r"[\s\u00a0\u2007\u2009\u202f]+"


def _series(texts) -> pd.Series:
    return pd.Series(np.asarray(texts, dtype=object), dtype="object")


def parse_numbers(texts) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Series]:
    """(value, has a % sign, digits after the point, cleaned text) of each text.

    ``value`` is NaN where the text is not a number; the cleaned text (spaces and ``%`` removed,
    decimal comma made a point) is what :func:`exact_percent` divides.

    Examples
    --------
    >>> value, pct, decimals, _ = parse_numbers(["52,5", "40 %", "1\u00a0600", "x"])
    >>> value.tolist(), pct.tolist(), decimals.tolist()
    ([52.5, 40.0, 1600.0, nan], [False, True, False, False], [1, 0, 0, 0])
    """
    s = _series(texts).astype("string").str.replace(_SPACES, "", regex=True)
    pct = s.str.endswith("%").fillna(False).astype(bool)
    s = s.str.removesuffix("%").str.replace(r"^([+-]?\d*),(\d+)$", r"\1.\2", regex=True)
    good = s.str.fullmatch(NUMBER).fillna(False).astype(bool)
    s = s.where(good)
    value = pd.to_numeric(s, errors="coerce").astype(float)
    dot = s.str.find(".").fillna(-1).astype(int)
    decimals = (s.str.len().fillna(0).astype(int) - dot - 1).where(dot >= 0, 0)
    has_exp = s.str.contains("e", case=False, regex=False).fillna(False).astype(bool)
    if has_exp.any():  # "4.5e-05": digits after the point, less the exponent
        parts = s[has_exp].str.extract(r"^[+-]?\d*(?:\.(\d*))?[eE]([+-]?\d+)$")
        decimals[has_exp] = (parts[0].fillna("").str.len().astype(int)
                             - parts[1].astype(int)).to_numpy()
    decimals = decimals.where(good, 0).clip(lower=0)
    return (value.where(good).to_numpy(dtype=float, na_value=np.nan), pct.to_numpy(dtype=bool),
            decimals.to_numpy(dtype=int), s)


def exact_percent(clean: pd.Series) -> np.ndarray:
    """Cleaned percent texts to proportions, as an exact decimal shift (52.5 -> 0.525)."""
    from decimal import Decimal  # imported here: it adds to the time of ``import polls``

    table = {t: float(Decimal(t) / 100) for t in pd.unique(clean.dropna())}
    return clean.map(table).astype(float).to_numpy(dtype=float, na_value=np.nan)


def parse_counts(texts) -> np.ndarray:
    """Whole numbers such as sample sizes: "1600", "1 600", "1,600", "1.600", "1600.0".

    NaN where the text is not a number; the caller decides what a fraction or a negative means.

    Examples
    --------
    >>> parse_counts(["1 600", "1\u202f600", "1,600", "1.600", "1600", "16.5", "n/a"]).tolist()
    [1600.0, 1600.0, 1600.0, 1600.0, 1600.0, 16.5, nan]
    """
    s = _series(texts).astype("string").str.replace(_SPACES, "", regex=True)
    grouped = s.str.fullmatch(r"\d{1,3}(?:[,.]\d{3})+").fillna(False).astype(bool)
    s = s.where(~grouped, s.str.replace(r"[,.]", "", regex=True))
    s = s.str.replace(r"^(\d+),(\d+)$", r"\1.\2", regex=True)
    good = s.str.fullmatch(NUMBER).fillna(False).astype(bool)
    return pd.to_numeric(s.where(good), errors="coerce").astype(float).to_numpy(
        dtype=float, na_value=np.nan)
