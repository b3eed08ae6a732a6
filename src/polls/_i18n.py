"""Words and number formats for English, Russian and Serbian (Latin and Cyrillic) output (private).

Display code (charts, tables, exports, summaries) takes ``lang=`` and reads its words here:
interface words (axis labels, "Source", month names), the package's canonical English response
labels, pollster names and number formats (a decimal comma in Russian and Serbian).

The response labels of the bundled data are the package's English labels, not the wording of
the questionnaires. Their Russian and Serbian forms here are translations of those English
labels, and display code says so (:func:`translation_note`) whenever it shows one. Serbian
Cyrillic is transliterated from the Serbian Latin text, letter by letter (Serbian spelling is
one-to-one between the scripts).
"""

from __future__ import annotations

import functools
import math
from typing import Any

from polls.errors import InvalidArgumentError

#: Languages of display output: English, Russian, Serbian in Latin and in Cyrillic script.
LANGS: tuple[str, ...] = ("en", "ru", "sr", "sr-Cyrl")

# --------------------------------------------------------------------------- words

_WORDS: dict[str, dict[str, str]] = {
    "share_axis": {"en": "share of respondents", "ru": "доля опрошенных",
                   "sr": "udeo ispitanika"},
    "points_axis": {"en": "difference, percentage points",
                    "ru": "разница, процентные пункты", "sr": "razlika, procentni poeni"},
    "source": {"en": "Source", "ru": "Источник", "sr": "Izvor"},
    "note": {"en": "Note", "ru": "Примечание", "sr": "Napomena"},
    "chart": {"en": "Chart", "ru": "График", "sr": "Grafikon"},
    "date": {"en": "date", "ru": "дата", "sr": "datum"},
    "low": {"en": "low", "ru": "нижняя граница", "sr": "donja granica"},
    "high": {"en": "high", "ru": "верхняя граница", "sr": "gornja granica"},
    "more": {"en": "and {n} more", "ru": "и ещё {n}", "sr": "i još {n}"},
    "gap": {"en": "dashed: no poll published in between", "ru": "пунктир: опросов между "
            "точками не публиковалось", "sr": "isprekidano: između tačaka nema objavljenih "
            "anketa"},
    "undated": {"en": "Figures without a fieldwork date, not shown: {n}.",
                "ru": "Данные без даты опроса не показаны: {n}.",
                "sr": "Podaci bez datuma istraživanja nisu prikazani: {n}."},
    "translated": {
        "en": "",
        "ru": "Варианты ответа переведены с английских подписей пакета polls; это не "
              "формулировки анкеты.",
        "sr": "Odgovori su prevedeni sa engleskih oznaka paketa polls; to nisu formulacije "
              "iz upitnika.",
    },
}

_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
    "sr": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "avg", "sep", "okt", "nov", "dec"),
}

_MONTHS_LONG: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    # the form after a day ("3 марта"), as dates are written in running text
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
    "sr": ("januara", "februara", "marta", "aprila", "maja", "juna", "jula", "avgusta",
           "septembra", "oktobra", "novembra", "decembra"),
}

#: Month names on their own ("March 2024", "март 2024", "mart 2024").
_MONTHS_ALONE: dict[str, tuple[str, ...]] = {
    "en": _MONTHS_LONG["en"],
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
           "октябрь", "ноябрь", "декабрь"),
    "sr": ("januar", "februar", "mart", "april", "maj", "jun", "jul", "avgust", "septembar",
           "oktobar", "novembar", "decembar"),
}

#: Canonical English response labels of the bundled data -> (Russian, Serbian Latin).
_RESPONSES: dict[str, tuple[str, str]] = {
    "support": ("поддерживают", "podržavaju"),
    "do not support": ("не поддерживают", "ne podržavaju"),
    "support (total)": ("поддерживают (всего)", "podržavaju (ukupno)"),
    "do not support (total)": ("не поддерживают (всего)", "ne podržavaju (ukupno)"),
    "definitely support": ("определённо поддерживают", "svakako podržavaju"),
    "rather support": ("скорее поддерживают", "uglavnom podržavaju"),
    "rather not support": ("скорее не поддерживают", "uglavnom ne podržavaju"),
    "definitely do not support": ("определённо не поддерживают", "svakako ne podržavaju"),
    "approve": ("одобряют", "odobravaju"),
    "disapprove": ("не одобряют", "ne odobravaju"),
    "trust": ("доверяют", "veruju"),
    "do not trust": ("не доверяют", "ne veruju"),
    "rather trust": ("скорее доверяют", "uglavnom veruju"),
    "rather do not trust": ("скорее не доверяют", "uglavnom ne veruju"),
    "for": ("за", "za"),
    "against": ("против", "protiv"),
    "in favour": ("за", "za"),
    "favour": ("за", "za"),
    "opposed": ("против", "protiv"),
    "oppose": ("против", "protiv"),
    "agree": ("согласны", "slažu se"),
    "disagree": ("не согласны", "ne slažu se"),
    "yes": ("да", "da"),
    "no": ("нет", "ne"),
    "good": ("хорошо", "dobro"),
    "bad": ("плохо", "loše"),
    "positive": ("положительно", "pozitivno"),
    "neutral": ("нейтрально", "neutralno"),
    "hard to say": ("затрудняюсь ответить", "ne znam"),
    "don't know": ("не знают", "ne znaju"),
    "undecided": ("не определились", "neodlučni"),
    "unsure": ("не уверены", "nisu sigurni"),
    "no answer": ("нет ответа", "bez odgovora"),
    "no opinion": ("нет мнения", "bez mišljenja"),
    "no stance": ("нет позиции", "bez stava"),
    "refused": ("отказ от ответа", "odbili da odgovore"),
    "would not vote": ("не стали бы голосовать", "ne bi glasali"),
    "would abstain": ("воздержались бы", "bili bi uzdržani"),
    "would support": ("поддержали бы", "podržali bi"),
    "would not support": ("не поддержали бы", "ne bi podržali"),
    "never": ("никогда", "nikada"),
    "neither": ("ни то, ни другое", "ni jedno ni drugo"),
    "both equally": ("оба одинаково", "oboje podjednako"),
    "Russia": ("Россия", "Rusija"),
    "China": ("Китай", "Kina"),
    "Ukraine": ("Украина", "Ukrajina"),
    "EU": ("ЕС", "EU"),
    "NATO": ("НАТО", "NATO"),
    "USA": ("США", "SAD"),
    "the West": ("Запад", "Zapad"),
    "should start peace negotiations": ("нужно начать мирные переговоры",
                                        "treba započeti mirovne pregovore"),
    "should continue military actions": ("нужно продолжать военные действия",
                                         "treba nastaviti vojna dejstva"),
    "right direction": ("правильное направление", "pravi smer"),
    "wrong path": ("неверный путь", "pogrešan put"),
    "worried (total)": ("обеспокоены (всего)", "zabrinuti (ukupno)"),
    "afraid": ("боятся", "plaše se"),
    "not afraid": ("не боятся", "ne plaše se"),
}

_POLLSTERS: dict[str, tuple[str, str, str]] = {
    # id: (English, Russian, Serbian Latin)
    "levada": ("Levada Center", "Левада-центр", "Levada centar"),
    "vciom": ("VCIOM", "ВЦИОМ", "VCIOM"),
    "fom": ("FOM", "ФОМ", "FOM"),
    "crta": ("Crta", "Црта", "Crta"),
    "nspm": ("NSPM", "НСПМ", "NSPM"),
    "ntp": ("New Third Way", "Новый третий путь", "Novi treći put"),
    "demostat": ("Demostat", "Демостат", "Demostat"),
    "cesid": ("CeSID", "ЦеСИД", "CeSID"),
    "ipsos": ("Ipsos", "Ipsos", "Ipsos"),
    "iri": ("IRI", "IRI", "IRI"),
    "russianfield": ("Russian Field", "Русское поле", "Russian Field"),
    "chronicles": ("Chronicles", "Хроники", "Chronicles"),
}

_CYRILLIC_PAIRS = {"lj": "љ", "nj": "њ", "dž": "џ", "Lj": "Љ", "Nj": "Њ", "Dž": "Џ",
                   "LJ": "Љ", "NJ": "Њ", "DŽ": "Џ"}
_CYRILLIC = dict(zip("abcčćdđefghijklmnoprsštuvzž", "абцчћдђефгхијклмнопрсштувзж",
                     strict=True))
_CYRILLIC.update({k.upper(): v.upper() for k, v in list(_CYRILLIC.items())})
# names kept in Latin letters in Serbian Cyrillic text as well
_KEEP_LATIN = ("polls", "Russian Field", "Chronicles", "n = ", "p = ", "p < ")


def check_lang(lang: Any) -> str:
    """``lang`` if it is one of :data:`LANGS`, else an error naming the choices."""
    if not isinstance(lang, str) or lang not in LANGS:
        raise InvalidArgumentError(f"lang must be one of {list(LANGS)}, got {lang!r}")
    return lang


def to_cyrillic(text: str) -> str:
    """Serbian Latin text in Serbian Cyrillic (the package's name keeps its Latin letters).

    >>> to_cyrillic("Izvor: udeo ispitanika, jun")
    'Извор: удео испитаника, јун'
    """
    out, i = [], 0
    while i < len(text):
        kept = next((w for w in _KEEP_LATIN if text.startswith(w, i)
                     and (i == 0 or not text[i - 1].isalpha())), None)
        if kept:
            out.append(kept)
            i += len(kept)
            continue
        pair = text[i:i + 2]
        if pair in _CYRILLIC_PAIRS:
            out.append(_CYRILLIC_PAIRS[pair])
            i += 2
            continue
        out.append(_CYRILLIC.get(text[i], text[i]))
        i += 1
    return "".join(out)


def _pick(forms: dict[str, str], lang: str) -> str:
    if lang == "sr-Cyrl":
        return to_cyrillic(forms["sr"])
    return forms[lang]


def word(key: str, lang: str = "en", **values: Any) -> str:
    """An interface word or phrase in ``lang`` (``values`` fill its ``{placeholders}``).

    >>> word("source", "sr-Cyrl"), word("more", "ru", n=2)
    ('Извор', 'и ещё 2')
    """
    return _pick(_WORDS[key], check_lang(lang)).format(**values)


def response_label(label: Any, lang: str = "en") -> tuple[str, bool]:
    """A response label in ``lang`` and whether it is a translation.

    Labels without a stored translation stay in English (``False``).

    >>> response_label("support (total)", "ru")
    ('поддерживают (всего)', True)
    >>> response_label("support (total)", "en")
    ('support (total)', False)
    """
    lang = check_lang(lang)
    text = str(label)
    if lang == "en" or text not in _RESPONSES:
        return text, False
    ru, sr = _RESPONSES[text]
    return _pick({"ru": ru, "sr": sr}, lang), True


def pollster_name(pollster: Any, lang: str = "en") -> str:
    """A pollster's display name in ``lang``.

    Names not translated here come from the bundled datasets' metadata; an id found in neither
    is shown as it is.

    >>> pollster_name("levada", "ru"), pollster_name("sprint"), pollster_name("bcbp")
    ('Левада-центр', 'Sprint Insight', 'BCBP')
    """
    lang = check_lang(lang)
    names = _POLLSTERS.get(str(pollster))
    if names is None:
        return _catalogue_names().get(str(pollster), str(pollster))
    return _pick({"en": names[0], "ru": names[1], "sr": names[2]}, lang)


@functools.cache
def _catalogue_names() -> dict[str, str]:
    """Pollster id -> name from the bundled datasets' metadata (before any "(...)").

    A name too long for a legend (over 24 characters) gives way to the id in capitals, the
    pollster's initials ("Belgrade Centre for Security Policy" -> "BCBP").
    """
    from polls.datasets import dataset_info, list_datasets

    catalogue = list_datasets()
    firsts = catalogue.drop_duplicates("pollster")
    names = {p: dataset_info(name).pollster_name.split(" (")[0]
             for p, name in zip(firsts["pollster"], firsts["name"], strict=True)}
    return {p: name if len(name) <= 24 else p.upper() for p, name in names.items()}


def translation_note(lang: str) -> str:
    """The sentence that marks response labels as translations ("" in English)."""
    return word("translated", lang)


def month(number: int, lang: str = "en", *, long: bool = False, alone: bool = False) -> str:
    """The name of month ``number`` (1-12): short ("мар"), after a day ("марта"), or alone.

    >>> month(3, "sr-Cyrl"), month(3, "ru", long=True), month(3, "sr", alone=True)
    ('мар', 'марта', 'mart')
    """
    lang = check_lang(lang)
    table = _MONTHS_ALONE if alone else (_MONTHS_LONG if long else _MONTHS)
    if lang == "sr-Cyrl":
        return to_cyrillic(table["sr"][number - 1])
    return table[lang][number - 1]


def decimal_mark(lang: str) -> str:
    """"." in English, "," in Russian and Serbian."""
    return "." if check_lang(lang) == "en" else ","


def format_number(value: Any, decimals: int = 0, lang: str = "en") -> str:
    """A number for reading: fixed decimals, the language's decimal mark and digit groups.

    Groups of thousands are split by "," in English, a no-break space in Russian and "." in
    Serbian. Missing values give "".

    >>> format_number(1600, 0, "ru"), format_number(74.5, 1, "sr"), format_number(-0.0)
    ('1\\xa0600', '74,5', '0')
    """
    lang = check_lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    value = float(value)
    if math.isnan(value):
        return ""
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0"
    if lang == "en":
        return text
    group = "\u00a0" if lang == "ru" else "."
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", group)


def format_percent(share: Any, decimals: int = 0, lang: str = "en") -> str:
    """A share (proportion) as a percent text: ``0.745`` -> "74.5%" or "74,5%".

    >>> format_percent(0.745, 1, "ru")
    '74,5%'
    """
    text = format_number(None if share is None else float(share) * 100, decimals, lang)
    return text + "%" if text else ""


def format_date(value: Any, lang: str = "en", *, day: bool = True) -> str:
    """A date in running text: "3 March 2024", "3 марта 2024", "3. marta 2024" (or month-year).

    >>> import pandas as pd
    >>> when = pd.Timestamp("2024-03-03")
    >>> format_date(when, "sr"), format_date(when, "ru"), format_date(when, "ru", day=False)
    ('3. marta 2024', '3 марта 2024', 'март 2024')
    """
    lang = check_lang(lang)
    if not day:
        return f"{month(value.month, lang, alone=True)} {value.year}"
    name = month(value.month, lang, long=True)
    return f"{value.day}{'.' if lang.startswith('sr') else ''} {name} {value.year}"
