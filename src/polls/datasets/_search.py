"""Search of the catalogue: every word must match, case and diacritics ignored."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

#: Country names searched beside the ISO codes.
COUNTRY_NAMES = {"RU": "Russia", "RS": "Serbia"}
# Letters that do not decompose into a base letter plus a mark: Serbian đ reads as "dj" or "d".
_STROKES = {"đ": ("dj", "d"), "Đ": ("Dj", "D")}


def fold(text: str) -> str:
    """Text without case and diacritics ("Treći" -> "treci", "ČEŠĆE" -> "cesce").

    Examples
    --------
    >>> fold("CeSID, Novi treći put")
    'cesid, novi treci put'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _variants(text: str) -> list[str]:
    """The folded text, with each stroked letter read both ways."""
    out = [text]
    for letter, readings in _STROKES.items():
        if letter in text:
            out = [t.replace(letter, r) for t in out for r in readings]
    return [fold(t) for t in out]


def haystack(fields: Iterable[object]) -> str:
    """One searchable text from a dataset's fields (lists flattened, missing ones skipped)."""
    parts: list[str] = []
    for value in fields:
        if value is None:
            continue
        if isinstance(value, list | tuple):
            parts.extend(str(v) for v in value if v is not None)
        else:
            parts.append(str(value))
    text = " | ".join(parts)
    return " | ".join(_variants(text))


# Word endings that inflection changes (Serbian "treći"/"treće", Russian "война"/"войны"): a
# query word of four letters or more matches without its last vowel.
_ENDINGS = "aeiouyаеёиоуыэюяйь"


def _stem(word: str) -> str:
    return word[:-1] if len(word) >= 4 and word[-1] in _ENDINGS else word


def matches(query: str, text: str) -> bool:
    """Whether every word of ``query`` occurs in ``text`` (a :func:`haystack`).

    A word of four letters or more may differ in its last vowel (an inflected ending).

    Examples
    --------
    >>> matches("Trece put", haystack(["Novi treći put"]))
    True
    >>> matches("eu talks", haystack(["EU referendum"]))
    False
    """
    return all(_stem(word) in text for word in fold(query).split())
