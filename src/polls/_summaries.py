"""Plain-language summaries and short reprs of the result objects (private).

Each result class has a one-line ``summary(lang=...)`` that calls a function here, and a
``__repr__`` from :func:`short_repr`. A summary says what the numbers are, in English, Russian or
Serbian (Latin or Cyrillic), with the interval and what sampling noise can and cannot explain;
its numbers are the result's own, rounded only here (whole points and percents unless a figure
needs a decimal). Sentences avoid grammatical gender so that any ``what=`` label fits.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from polls import _i18n
from polls.errors import InvalidArgumentError

# --------------------------------------------------------------------------- phrases

_PHRASES: dict[str, dict[str, str]] = {
    "share": {"en": "The share", "ru": "Доля", "sr": "Udeo"},
    "estimate": {"en": "Estimate", "ru": "Оценка", "sr": "Procena"},
    "pt": {"en": "points", "ru": "п. п.", "sr": "p. p."},
    "pt1": {"en": "point", "ru": "п. п.", "sr": "p. p."},
    "interval": {"en": "{level} interval", "ru": "доверительный интервал {level}",
                 "sr": "interval poverenja {level}"},
    "for_change": {"en": " for the change", "ru": " для изменения", "sr": " za promenu"},
    "for_lead": {"en": " for the lead", "ru": " для перевеса", "sr": " za prednost"},
    "for_range": {"en": " for the range", "ru": " для диапазона", "sr": " za raspon"},
    "range": {"en": "{lo} to {hi}", "ru": "от {lo} до {hi}", "sr": "od {lo} do {hi}"},
    "rose": {"en": "{what} rose {d} {pt}, from {a} to {b}",
             "ru": "{what}: рост на {d} {pt}, с {a} до {b}",
             "sr": "{what}: rast od {d} {pt}, sa {a} na {b}"},
    "fell": {"en": "{what} fell {d} {pt}, from {a} to {b}",
             "ru": "{what}: снижение на {d} {pt}, с {a} до {b}",
             "sr": "{what}: pad od {d} {pt}, sa {a} na {b}"},
    "flat": {"en": "{what} barely moved, from {a} to {b}",
             "ru": "{what}: почти без изменений, с {a} до {b}",
             "sr": "{what}: gotovo bez promene, sa {a} na {b}"},
    "across": {"en": "between a fall of {lo} and a rise of {hi} {pt}",
               "ru": "от снижения на {lo} до роста на {hi} {pt}",
               "sr": "od pada od {lo} do rasta od {hi} {pt}"},
    "higher": {"en": "{what} is {d} {pt} higher in {a} than in {b} ({pa} against {pb})",
               "ru": "{what}: в «{a}» на {d} {pt} выше, чем в «{b}» ({pa} против {pb})",
               "sr": "{what}: u „{a}“ {d} {pt} više nego u „{b}“ ({pa} prema {pb})"},
    "lead": {"en": "{a} leads {b} by {d} {pt}, {pa} to {pb}",
             "ru": "Перевес «{a}» над «{b}»: {d} {pt}, {pa} против {pb}",
             "sr": "Prednost „{a}“ nad „{b}“: {d} {pt}, {pa} prema {pb}"},
    "level": {"en": "{a} and {b} are level at {pa}",
              "ru": "«{a}» и «{b}» вровень: по {pa}",
              "sr": "„{a}“ i „{b}“ su izjednačeni: po {pa}"},
    "option_a": {"en": "the first option", "ru": "первый вариант", "sr": "prva opcija"},
    "option_b": {"en": "the second option", "ru": "второй вариант", "sr": "druga opcija"},
    "unlikely": {"en": "a {thing} this large is unlikely from sampling noise alone",
                 "ru": "такой {thing} вряд ли объясняется одной лишь случайностью выборки",
                 "sr": "tolika {thing} teško da je samo posledica slučajnosti uzorka"},
    "could": {"en": "a {thing} this small could come from sampling noise alone",
              "ru": "такой {thing} может объясняться одной лишь случайностью выборки",
              "sr": "ovolika {thing} može biti samo posledica slučajnosti uzorka"},
    "change": {"en": "change", "ru": "сдвиг", "sr": "promena"},
    "difference": {"en": "difference", "ru": "разрыв", "sr": "razlika"},
    "gap": {"en": "gap", "ru": "разрыв", "sr": "razlika"},
    "lead_noun": {"en": "lead", "ru": "перевес", "sr": "prednost"},
    "proportion": {"en": "{what}: {p} ({interval}: {range}; n = {n}{neff}).",
                   "ru": "{what}: {p} ({interval}: {range}; n = {n}{neff}).",
                   "sr": "{what}: {p} ({interval}: {range}; n = {n}{neff})."},
    "neff": {"en": ", effective n = {n}", "ru": ", эффективный n = {n}",
             "sr": ", efektivni n = {n}"},
    "average": {"en": "{what}, averaged over {k} pollsters ({names}), on {date}: {p} "
                      "({interval}: {range}).",
                "ru": "{what}, среднее по социологическим службам ({names}), на {date}: "
                      "{p} ({interval}: {range}).",
                "sr": "{what}, prosek agencija ({names}), na dan {date}: {p} "
                      "({interval}: {range})."},
    "house": {"en": " House effects, relative to {ref}: {items}.",
              "ru": " Систематические отклонения служб относительно {ref}: {items}.",
              "sr": " Efekti kuće u odnosu na {ref}: {items}."},
    "avg_pollster": {"en": "the average pollster", "ru": "средней по службам",
                     "sr": "prosečnu agenciju"},
    "list": {"en": "{what}, by the list experiment: {p} ({interval}: {range}; {nc} respondents "
                   "in the control group and {nt} in the treatment group).",
             "ru": "{what}, по списочному эксперименту: {p} ({interval}: {range}; опрошенных "
                   "в контрольной группе: {nc}, в экспериментальной: {nt}).",
             "sr": "{what}, prema eksperimentu sa listom: {p} ({interval}: {range}; ispitanika "
                   "u kontrolnoj grupi: {nc}, u eksperimentalnoj: {nt})."},
    "list_what": {"en": "Share holding the sensitive item",
                  "ru": "Доля выбравших чувствительный пункт",
                  "sr": "Udeo onih koji biraju osetljivu stavku"},
    "no_se": {"en": "{what}, by the list experiment: {p} (no interval: the sample sizes are "
                    "not known).",
              "ru": "{what}, по списочному эксперименту: {p} (интервал неизвестен: не указаны "
                    "размеры выборок).",
              "sr": "{what}, prema eksperimentu sa listom: {p} (bez intervala: veličine uzoraka "
                    "nisu poznate)."},
    "falsification": {
        "en": "Asked directly: {direct}; by the list experiment: {list}; difference (direct "
              "minus list): {d} {pt} ({interval}: {range} {pt}); {verdict}.",
        "ru": "Прямой вопрос: {direct}; списочный эксперимент: {list}; разница (прямой вопрос "
              "минус эксперимент): {d} {pt} ({interval}: {range} {pt}); {verdict}.",
        "sr": "Direktno pitanje: {direct}; eksperiment sa listom: {list}; razlika (direktno "
              "pitanje minus lista): {d} {pt} ({interval}: {range} {pt}); {verdict}."},
    "bounds": {
        "en": "{what}, {wave}: {share} as published; with the {und} who gave no answer "
              "counted either way, between {lower} and {upper} ({interval}: {brange}); among "
              "those who answered, {rebased} ({rrange}).",
        "ru": "{what}, {wave}: {share} по опубликованным данным; если отнести {und} не "
              "ответивших к любой из сторон, от {lower} до {upper} ({interval}: {brange}); "
              "среди ответивших {rebased} ({rrange}).",
        "sr": "{what}, {wave}: {share} prema objavljenim podacima; ako se {und} bez odgovora "
              "računa na bilo koju stranu, od {lower} do {upper} ({interval}: {brange}); među "
              "onima koji su odgovorili {rebased} ({rrange})."},
    "no_bounds": {"en": "{what}, {wave}: no bounds ({status}).",
                  "ru": "{what}, {wave}: границы не вычислены (status: {status}).",
                  "sr": "{what}, {wave}: granice nisu izračunate (status: {status})."},
    "latest": {"en": "the latest wave", "ru": "последняя волна", "sr": "poslednji talas"},
}

def _say(key: str, lang: str, **values: Any) -> str:
    forms = _PHRASES[key]
    text = forms["sr" if lang == "sr-Cyrl" else lang].format(**values)
    return _i18n.to_cyrillic(text) if lang == "sr-Cyrl" else text


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pct(share: float, lang: str, decimals: int | None = None) -> str:
    if decimals is None:
        decimals = 0 if abs(share * 100 - round(share * 100)) < 1e-6 else 1
    return _i18n.format_percent(share, decimals, lang)


def _pts(value: float, lang: str, decimals: int = 0) -> str:
    return _i18n.format_number(value * 100, decimals, lang).replace("-", "−")


def _decimals_for(*points: float) -> int:
    """Whole points, unless the change itself rounds to zero points."""
    return 1 if any(abs(p) * 100 < 0.5 for p in points) else 0


def _level(confidence_level: float, lang: str) -> str:
    return _i18n.format_percent(confidence_level, 0 if confidence_level * 100 % 1 == 0 else 1,
                                lang)


def _pvalue(p: float, lang: str) -> str:
    if p < 0.001:
        return "p < " + _i18n.format_number(0.001, 3, lang)
    return "p = " + _i18n.format_number(p, 3 if p < 0.01 else 2, lang)


def _verdict(significant: bool, thing: str, pvalue: float | None, lang: str) -> str:
    text = _say("unlikely" if significant else "could", lang, thing=_say(thing, lang))
    return text if pvalue is None else f"{text} ({_pvalue(pvalue, lang)})"


def _interval(confidence_level: float, lang: str, suffix: str = "") -> str:
    text = _say("interval", lang, level=_level(confidence_level, lang))
    return text + (_say(suffix, lang) if suffix else "")


def _check(lang: str, result: Any) -> str:
    lang = _i18n.check_lang(lang)
    fields = [getattr(result, f.name) for f in dataclasses.fields(result)] \
        if dataclasses.is_dataclass(result) else []
    if any(isinstance(v, np.ndarray) and v.ndim > 0 for v in fields):
        raise InvalidArgumentError(
            "summary() describes one result: this one holds arrays (a vectorised call); "
            "call the function with single numbers, or use .to_frame()")
    return lang


# --------------------------------------------------------------------------- comparisons


def comparison(res: Any, lang: str = "en", *, what: str | None = None,
               labels: tuple[str, str] | None = None) -> str:
    """A change (or a difference between two samples, with ``labels``), or a lead."""
    lang = _check(lang, res)
    if res.kind == "lead":
        return _lead(res, lang, labels)
    what = what or _say("share", lang)
    d, low, high = float(res.difference), float(res.low), float(res.high)
    places = _decimals_for(d)
    pt = _say("pt" if round(abs(d) * 100, places) != 1 else "pt1", lang)
    if labels is not None:
        a, b = labels
        if d < 0:
            a, b, d, low, high = b, a, -d, -high, -low
        first = _say("higher", lang, what=what, d=_pts(d, lang, places), pt=pt, a=a, b=b,
                     pa=_pct(res.p1 if a == labels[0] else res.p2, lang),
                     pb=_pct(res.p2 if a == labels[0] else res.p1, lang))
        thing = "difference"
    else:
        key = "flat" if round(abs(d) * 100, places) == 0 else ("rose" if d > 0 else "fell")
        first = _say(key, lang, what=what, d=_pts(abs(d), lang, places), pt=pt,
                     a=_pct(res.p2, lang), b=_pct(res.p1, lang))
        thing = "change"
        if d < 0 and not low < 0 < high:
            low, high = -high, -low  # the size of the fall
    span = _span(low, high, lang, places, signed=labels is not None)
    interval = _interval(res.confidence_level, lang, "for_change" if labels is None else "")
    significant = bool(res.pvalue < 1 - res.confidence_level)
    return _sentence(f"{first} ({interval}: {span}); "
                     f"{_verdict(significant, thing, float(res.pvalue), lang)}.")


def _span(low: float, high: float, lang: str, places: int, *, signed: bool = False) -> str:
    """The interval of a change as magnitudes in its direction, or across zero."""
    pt = _say("pt", lang)
    if low < 0 < high and not signed:
        return _say("across", lang, lo=_pts(-low, lang, places), hi=_pts(high, lang, places),
                    pt=pt)
    return _say("range", lang, lo=_pts(low, lang, places), hi=_pts(high, lang, places)) + \
        f" {pt}"


def _lead(res: Any, lang: str, labels: tuple[str, str] | None) -> str:
    a, b = labels or (_say("option_a", lang), _say("option_b", lang))
    d, low, high, pa, pb = (float(res.difference), float(res.low), float(res.high),
                            float(res.p1), float(res.p2))
    places = _decimals_for(d)
    if round(abs(d) * 100, places) == 0:
        first = _say("level", lang, a=a, b=b, pa=_pct(pa, lang))
    else:
        if d < 0:
            a, b, d, low, high, pa, pb = b, a, -d, -high, -low, pb, pa
        pt = _say("pt" if round(d * 100, places) != 1 else "pt1", lang)
        first = _say("lead", lang, a=a, b=b, d=_pts(d, lang, places), pt=pt,
                     pa=_pct(pa, lang), pb=_pct(pb, lang))
    span = _span(low, high, lang, places, signed=True)
    interval = _interval(res.confidence_level, lang, "for_lead")
    significant = bool(res.pvalue < 1 - res.confidence_level)
    return _sentence(f"{first} ({interval}: {span}); "
                     f"{_verdict(significant, 'lead_noun', float(res.pvalue), lang)}.")


def proportion(res: Any, lang: str = "en", *, what: str | None = None) -> str:
    """A share with its interval and sample size."""
    lang = _check(lang, res)
    neff = ""
    if not math.isclose(float(res.deff), 1.0):
        neff = _say("neff", lang, n=_i18n.format_number(float(res.n_eff), 0, lang))
    span = _say("range", lang, lo=_pct(float(res.low), lang, 1 if _narrow(res) else 0),
                hi=_pct(float(res.high), lang, 1 if _narrow(res) else 0))
    return _sentence(_say("proportion", lang, what=what or _say("estimate", lang),
                p=_pct(float(res.estimate), lang), interval=_interval(res.confidence_level, lang),
                range=span, n=_i18n.format_number(float(res.n), 0, lang), neff=neff))


def _narrow(res: Any) -> bool:
    return (float(res.high) - float(res.low)) * 100 < 2


# --------------------------------------------------------------------------- trend


def poll_average(res: Any, lang: str = "en", *, what: str | None = None) -> str:
    """The latest average with its interval, and each pollster's house effect."""
    lang = _i18n.check_lang(lang)
    last = res.trend.iloc[-1]
    effects = res.house_effects
    names = [_i18n.pollster_name(p, lang) for p in effects["pollster"]]
    label = what or _i18n.response_label(res.response, lang)[0]
    label = label[:1].upper() + label[1:]
    date = _i18n.format_date(last["date"], lang)
    span = _say("range", lang, lo=_pct(float(last["ci_low"]), lang, 0),
                hi=_pct(float(last["ci_high"]), lang, 0))
    text = _say("average", lang, what=label, k=len(names), names=", ".join(names), date=date,
                p=_pct(round(float(last["estimate"]), 2), lang, 0),
                interval=_interval(res.confidence_level, lang), range=span)
    items = []
    for name, row in zip(names, effects.itertuples(index=False), strict=True):
        if res.reference is not None and row.pollster == res.reference:
            continue
        span = _say("range", lang, lo=_pts(row.ci_low, lang, 1), hi=_pts(row.ci_high, lang, 1))
        items.append(f"{name} {_signed_points(row.estimate, lang)} ({span})")
    ref = (_say("avg_pollster", lang) if res.reference is None
           else _i18n.pollster_name(res.reference, lang))
    return _sentence(text + _say("house", lang, ref=ref, items="; ".join(items)))


def _signed_points(value: float, lang: str) -> str:
    text = _pts(abs(value), lang, 1)
    sign = "" if text.strip("0,.") == "" else ("+" if value > 0 else "−")
    return f"{sign}{text} {_say('pt', lang)}"


# --------------------------------------------------------------------------- list experiments


def list_experiment(res: Any, lang: str = "en", *, what: str | None = None) -> str:
    """A list-experiment prevalence with its interval and arm sizes."""
    lang = _i18n.check_lang(lang)
    what = what or _say("list_what", lang)
    low, high = res.confidence_interval()
    if not (math.isfinite(low) and math.isfinite(high)):
        return _sentence(_say("no_se", lang, what=what,
                              p=_pct(round(float(res.estimate), 2), lang, 0)))
    span = _say("range", lang, lo=_pct(round(float(low), 2), lang, 0),
                hi=_pct(round(float(high), 2), lang, 0))
    return _sentence(_say("list", lang, what=what, p=_pct(round(float(res.estimate), 2), lang, 0),
                interval=_interval(res.confidence_level, lang), range=span,
                nc=_i18n.format_number(res.n_control, 0, lang),
                nt=_i18n.format_number(res.n_treatment, 0, lang)))


def falsification_gap(res: Any, lang: str = "en") -> str:
    """Direct share, list estimate and the gap between them, with its interval."""
    from scipy.special import ndtr

    lang = _i18n.check_lang(lang)
    low, high = res.confidence_interval()
    d = float(res.estimate)
    pvalue = float(2 * ndtr(-abs(d / res.se))) if res.se > 0 else float("nan")
    significant = bool(low > 0 or high < 0)
    sign = "+" if round(d * 100) > 0 else ""
    return _sentence(_say("falsification", lang, direct=_pct(round(float(res.direct), 2), lang, 0),
                list=_pct(round(float(res.list_estimate), 2), lang, 0),
                d=sign + _pts(d, lang), pt=_say("pt", lang),
                interval=_interval(res.confidence_level, lang),
                range=_say("range", lang, lo=_pts(low, lang), hi=_pts(high, lang)),
                verdict=_verdict(significant, "gap", pvalue if math.isfinite(pvalue) else None,
                                 lang)))


# --------------------------------------------------------------------------- bounds


def bounds(frame: Any, lang: str = "en", *, wave: int | None = None,
           what: str | None = None) -> str:
    """One wave of :func:`polls.response_bounds` in words: by default the latest with bounds."""
    lang = _i18n.check_lang(lang)
    if wave is None:
        ok = np.flatnonzero((frame["status"] == "ok").to_numpy())
        wave = int(ok[-1]) if ok.size else len(frame) - 1
    if not isinstance(wave, int | np.integer) or not -len(frame) <= wave < len(frame):
        raise InvalidArgumentError(
            f"wave must be a row position of the bounds frame (-{len(frame)} to "
            f"{len(frame) - 1}), got {wave!r}")
    row = frame.iloc[int(wave)]
    label = what or _i18n.response_label(row["response"], lang)[0]
    label = label[:1].upper() + label[1:]
    when = _say("latest", lang)
    if "fieldwork_end" in frame.columns and not _missing(row["fieldwork_end"]):
        when = _i18n.format_date(row["fieldwork_end"], lang, day=False)
    if row["status"] != "ok":
        # the status is the frame's own (English) text: kept as it is in every language
        text = _say("no_bounds", lang, what=label, wave=when, status="\x00")
        return _sentence(text.replace("\x00", str(row["status"])))
    und = float(row["upper"]) - float(row["lower"])

    def span(lo: str, hi: str) -> str:
        if _missing(row[lo]) or _missing(row[hi]):
            return "–"
        return _say("range", lang, lo=_pct(round(float(row[lo]), 2), lang, 0),
                    hi=_pct(round(float(row[hi]), 2), lang, 0))

    return _sentence(_say(
                "bounds", lang, what=label, wave=when, share=_pct(float(row["share"]), lang),
                und=_pct(round(und, 4), lang), lower=_pct(float(row["lower"]), lang),
                upper=_pct(round(float(row["upper"]), 4), lang),
                interval=_interval(float(row["confidence_level"]), lang, "for_range"),
                brange=span("bounds_ci_low", "bounds_ci_high"),
                rebased=_pct(round(float(row["rebased"]), 2), lang, 0),
                rrange=span("rebased_ci_low", "rebased_ci_high")))


def _missing(value: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


# --------------------------------------------------------------------------- reprs


def _short(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, separator=", ", threshold=6)
    if isinstance(value, tuple):
        return "(" + ", ".join(_short(v) for v in value) + ")"
    if hasattr(value, "shape") and hasattr(value, "columns"):
        return f"<{len(value)} rows x {len(value.columns)} columns>"
    return repr(value)


#: The fields a person reads first, per class; the rest stay on the object.
_REPR_FIELDS = {
    "ConfidenceInterval": ("low", "high"),
    "ProportionEstimate": ("estimate", "ci", "n", "n_eff", "confidence_level", "method"),
    "Comparison": ("kind", "difference", "ci", "pvalue", "confidence_level", "method"),
    "PollAverage": ("response", "latest", "pollsters", "process_sd", "trend", "house_effects"),
    "ListExperimentResult": ("estimate", "ci", "se", "n_control", "n_treatment", "n_items"),
    "ListSummaryResult": ("estimate", "ci", "se", "n_control", "n_treatment", "n_items"),
    "FalsificationGap": ("estimate", "ci", "direct", "list_estimate", "confidence_level"),
    "ListMLResult": ("estimate", "ci", "se", "model", "converged", "n_control", "n_treatment",
                     "n_items"),
    "DesignTestResult": ("pvalue", "reject", "statistic", "pvalue_z1", "pvalue_z0", "pi_table"),
}


def _field(result: Any, name: str) -> Any:
    if name == "ci":
        if hasattr(result, "low") and hasattr(result, "high"):
            return (result.low, result.high)
        return tuple(result.confidence_interval())
    if name == "latest":
        return float(result.trend["estimate"].iloc[-1])
    if name == "pollsters":
        return tuple(str(p) for p in result.house_effects["pollster"])
    return getattr(result, name)


def short_repr(result: Any) -> str:
    """``Name(field=value, ...)`` with the main fields and four significant digits.

    >>> from polls.results import ConfidenceInterval
    >>> short_repr(ConfidenceInterval(0.7384281234567, 0.7801234567891))
    'ConfidenceInterval(low=0.7384, high=0.7801)'
    """
    name = type(result).__name__
    parts = [f"{f}={_short(_field(result, f))}" for f in _REPR_FIELDS[name]]
    return f"{name}({', '.join(parts)})"
